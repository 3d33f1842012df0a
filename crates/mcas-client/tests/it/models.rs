//! Decoding real-data shapes: the public samples, and a page of documented oddities.

use mcas_client::{
    Alert, AlertStatus, AlertsPage, Entity, EntityId, Error, ResolutionStatus, Severity, Timestamp,
};
use serde_json::json;

use crate::support::{fixture, fixture_json};

#[test]
fn public_samples_decode() {
    let page = AlertsPage::from_slice(fixture("alerts_samples_page.json").as_bytes()).unwrap();
    assert!(page.malformed.is_empty(), "{:?}", page.malformed);
    assert_eq!(page.alerts.len(), 5);
    assert!(!page.has_next);
    assert_eq!(page.total, Some(5));

    let first = &page.alerts[0];
    assert_eq!(first.id.as_str(), "5f06d71dba4289d0602ba5ac");
    assert_eq!(first.timestamp, Timestamp::from_millisecond(1594283802753).unwrap());
    assert_eq!(first.title, "block png files");
    assert_eq!(first.severity, Severity::Low);
    assert_eq!(first.status, Some(AlertStatus::Read));
    // Older alerts lack resolutionStatusValue; "null" strings mean no value.
    assert_eq!(first.resolution_status, None);
    assert_eq!(first.handled_by_user, None);
    assert_eq!(first.comment, None);
    assert_eq!(first.threat_score, Some(19.0));
    assert_eq!(first.resolve_time, Some("2020-07-12T07:48:40.975Z".parse().unwrap()));
    assert_eq!(
        first.url.as_deref(),
        Some("https://demistodev.portal.cloudappsecurity.com/#/alerts/5f06d71dba4289d0602ba5ac")
    );
    assert!(first.description.as_deref().unwrap().contains("__siteIcon__"));
    let policy = first.policy.as_ref().unwrap();
    assert_eq!(policy.label.as_deref(), Some("block png files"));
    assert_eq!(policy.policy_type.as_deref(), Some("FILE"));
    assert_eq!(first.stories, [0]);

    // Entity ids come as integers (services) and strings (everything else).
    let kinds: Vec<&str> = first.entities.iter().map(Entity::kind).collect();
    assert_eq!(kinds, ["policyRule", "service", "file", "account", "user"]);
    assert_eq!(first.entities[1].id(), Some(&EntityId::Number(15600)));
    assert_eq!(first.entities[1].id().unwrap().to_string(), "15600");
    assert_eq!(first.entities[4].id(), Some(&EntityId::Text("dev@demistodev.onmicrosoft.com".to_owned())));
    let Entity::Account(account) = &first.entities[3] else { panic!("{:?}", first.entities[3]) };
    assert_eq!(account.pa.as_deref(), Some("dev@demistodev.onmicrosoft.com"));
    assert_eq!(account.em.as_deref(), Some("dev@demistodev.onmicrosoft.com"));
    assert_eq!((account.saas, account.inst, account.entity_type), (Some(11161), Some(0), Some(2)));

    let honeytoken = &page.alerts[1];
    assert_eq!(honeytoken.resolution_status, Some(ResolutionStatus::Open));
    assert_eq!(honeytoken.comment.as_deref(), Some(""));
    assert!(
        honeytoken
            .entities
            .iter()
            .any(|e| matches!(e, Entity::Device(d) if d.entity_role.as_deref() == Some("Source")))
    );
    assert!(honeytoken.entities.iter().any(|e| matches!(e, Entity::GroupTag(_))));

    // HTML descriptions are kept as sent, unknown fields land in `extra`.
    let travel = &page.alerts[2];
    assert!(travel.description.as_deref().unwrap().starts_with("<p>"));
    assert!(travel.extra.contains_key("evidence"));
    assert!(travel.extra.contains_key("threatScoreReasoning"));
    let ips: Vec<String> = travel
        .entities
        .iter()
        .filter(|e| matches!(e, Entity::Ip(_)))
        .map(|e| e.id().unwrap().to_string())
        .collect();
    assert_eq!(ips, ["1.2.3.4", "1.2.3.5"]);
    assert_eq!(page.alerts[3].severity, Severity::High);
    assert_eq!(page.alerts[4].resolution_status, Some(ResolutionStatus::Benign));
}

#[test]
fn odd_page_decodes_what_it_can() {
    let page = AlertsPage::from_slice(fixture("alerts_odd_page.json").as_bytes()).unwrap();
    assert_eq!(page.len(), 4);
    assert_eq!(page.alerts.len(), 2);

    let odd = &page.alerts[0];
    assert_eq!(odd.severity, Severity::Unknown(7));
    assert_eq!(odd.severity.rank(), 4, "an unknown severity is never below a threshold");
    assert_eq!(odd.status, Some(AlertStatus::Unread));
    assert_eq!(odd.threat_score, Some(42.0), "numbers sent as text are read");
    assert_eq!(odd.is_system_alert, None, "a value of the wrong type is None, not an error");
    assert_eq!(odd.policy, None);
    assert_eq!(odd.stories, [0, 3]);
    assert_eq!(odd.extra["someNewField"], json!({"nested": [1, 2, 3]}));
    let kinds: Vec<&str> = odd.entities.iter().map(Entity::kind).collect();
    assert_eq!(kinds, ["service", "user", "ip", "country", "account", "mailbox", ""]);
    assert_eq!(odd.entities[0].id(), Some(&EntityId::Number(11161)));
    assert_eq!(odd.entities[2].id().unwrap().to_string(), "2001:db8::1");
    // An account without an id cannot be typed: it is kept raw instead of failing the alert.
    let Entity::Other { kind, raw } = &odd.entities[4] else { panic!("{:?}", odd.entities[4]) };
    assert_eq!(kind, "account");
    assert_eq!(raw["label"], "entity without id");
    assert_eq!(odd.entities[5].label(), Some("A mailbox"));

    let nulls = &page.alerts[1];
    assert_eq!(nulls.title, "");
    assert_eq!(nulls.severity, Severity::ABSENT);
    assert_eq!(nulls.resolution_status, Some(ResolutionStatus::Unknown(9)));
    assert!(!nulls.resolution_status.unwrap().is_open());
    assert!(nulls.entities.is_empty());

    let bad_time = &page.malformed[0];
    assert_eq!(bad_time.id.as_deref(), Some("65a1b2c3d4e5f60718293a4c"));
    assert_eq!(bad_time.timestamp, None);
    assert!(bad_time.reason.contains("timestamp"), "{}", bad_time.reason);
    let no_id = &page.malformed[1];
    assert_eq!(no_id.id, None);
    assert_eq!(no_id.timestamp, Some(Timestamp::from_millisecond(1714557600001).unwrap()));
    assert!(no_id.reason.contains("_id"), "{}", no_id.reason);
}

#[test]
fn single_alert_and_round_trip() {
    let value = fixture_json("alert_by_id.json");
    let alert = Alert::from_json(&value).unwrap();
    assert_eq!(alert.id.as_str(), "5f06d71dba4289d0602ba5ac");
    // What the crate writes, it reads back the same (fakes and state stores rely on it).
    let written = serde_json::to_value(&alert).unwrap();
    assert_eq!(written["_id"], "5f06d71dba4289d0602ba5ac");
    assert_eq!(written["timestamp"], 1594283802753_i64);
    assert_eq!(written["severityValue"], 0);
    assert_eq!(written["entities"], value["entities"]);
    assert_eq!(Alert::from_json(&written).unwrap(), alert);

    let error = Alert::from_json(&json!({"_id": "x"})).unwrap_err();
    assert!(
        matches!(&error, Error::MalformedAlert { id: Some(id), timestamp: None, .. } if id == "x"),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("alert x could not be decoded: "), "{error}");
}

#[test]
fn page_level_failures() {
    #[track_caller]
    fn check(body: &str, expected: &str) {
        let error = AlertsPage::from_slice(body.as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), expected, "{error:?}");
    }
    check("not json", "could not decode the alerts page");
    check(r#"{"hasNext": false}"#, "could not decode the alerts page");
    check(r#"{"data": null}"#, "could not decode the alerts page");
    check(&fixture("filter_error.json"), "filters rejected: <alert_id> is not valid");
}
