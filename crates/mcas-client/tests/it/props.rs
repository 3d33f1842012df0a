//! Property tests of alert decoding (the CI twin of the `mcas_alert_decode` fuzz target): any
//! answer body is a page or a typed error, never a panic, and every element of a page's `data`
//! is either an alert or a malformed alert with a reason.

use mcas_client::{Alert, AlertsPage};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any JSON value, small.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        "[0-9a-f]{24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("\\PC{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An alert-shaped object: the documented keys with values of any type, or missing.
fn alert() -> impl Strategy<Value = Value> {
    let keys = [
        "_id",
        "timestamp",
        "title",
        "description",
        "severityValue",
        "statusValue",
        "resolutionStatusValue",
        "URL",
        "policy",
        "threatScore",
        "entities",
        "isSystemAlert",
    ];
    prop::collection::vec(prop::option::of(value()), keys.len()).prop_map(move |values| {
        let mut object = Map::new();
        for (key, value) in keys.iter().zip(values) {
            if let Some(value) = value {
                object.insert((*key).to_owned(), value);
            }
        }
        Value::Object(object)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_decode_or_fail(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = AlertsPage::from_slice(&bytes);
    }

    #[test]
    fn any_json_decodes_or_fails(body in value()) {
        let _ = AlertsPage::from_slice(body.to_string().as_bytes());
        let _ = Alert::from_json(&body);
    }

    #[test]
    fn every_alert_of_a_page_is_accounted_for(data in prop::collection::vec(prop_oneof![alert(), value()], 0..8), has_next in any::<bool>()) {
        let body = json!({ "data": data, "hasNext": has_next, "total": data.len() });
        let page = AlertsPage::from_slice(body.to_string().as_bytes()).unwrap();
        prop_assert_eq!(page.alerts.len() + page.malformed.len(), data.len());
        prop_assert_eq!(page.has_next, has_next);
        for malformed in &page.malformed {
            prop_assert!(!malformed.reason.is_empty());
        }
    }
}
