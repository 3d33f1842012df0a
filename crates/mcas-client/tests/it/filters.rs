//! The JSON the query setters produce, checked against the documented filter shapes.

use mcas_client::{AlertQuery, ResolutionStatus, Severity, SortDirection, Timestamp};
use serde_json::{Value, json};

#[track_caller]
fn check(query: AlertQuery, expected: Value) {
    assert_eq!(query.filters_json(), expected);
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn filters() {
    check(AlertQuery::default(), json!({}));
    check(
        AlertQuery::default().date_from(ts("2024-05-01T00:00:00Z")),
        json!({"date": {"gte": 1714521600000_i64}}),
    );
    check(
        AlertQuery::default().date_from(ts("2024-05-01T00:00:00Z")).date_to(ts("2024-05-01T00:00:01.5Z")),
        json!({"date": {"gte": 1714521600000_i64, "lte": 1714521601500_i64}}),
    );
    check(AlertQuery::default().min_severity(Severity::Informational), json!({}));
    check(AlertQuery::default().min_severity(Severity::Low), json!({"severity": {"eq": [0, 1, 2]}}));
    check(AlertQuery::default().min_severity(Severity::Medium), json!({"severity": {"eq": [1, 2]}}));
    check(AlertQuery::default().min_severity(Severity::High), json!({"severity": {"eq": [2]}}));
    check(
        AlertQuery::default().severities([Severity::High, Severity::Informational]),
        json!({"severity": {"eq": [2, 3]}}),
    );
    check(
        AlertQuery::default().resolution_statuses([ResolutionStatus::Open, ResolutionStatus::Benign]),
        json!({"resolutionStatus": {"eq": [0, 4]}}),
    );
    check(AlertQuery::default().open_only(true), json!({"alertOpen": {"eq": true}}));
    check(AlertQuery::default().open_only(true).open_only(false), json!({}));
    check(AlertQuery::default().read(false), json!({"read": {"eq": false}}));
    check(
        AlertQuery::default().alert_type(15728640).alert_type(20),
        json!({"alertType": {"eq": [15728640, 20]}}),
    );
    check(
        AlertQuery::default().policy("5f01dce13de79160fbec4150"),
        json!({"entity.policy": {"eq": ["5f01dce13de79160fbec4150"]}}),
    );
    check(
        AlertQuery::default()
            .entity("ip", "1.2.3.4")
            .entity("entity.ip", "2001:db8::1")
            .entity("service", 11161),
        json!({"entity.ip": {"eq": ["1.2.3.4", "2001:db8::1"]}, "entity.service": {"eq": [11161]}}),
    );
    check(
        AlertQuery::default().entity("entity", json!({"id": "jane@contoso.com", "inst": 0})),
        json!({"entity.entity": {"eq": [{"id": "jane@contoso.com", "inst": 0}]}}),
    );
    check(
        AlertQuery::default()
            .raw_filter("resolutionDate", json!({"gte": 1}))
            .raw_filter("severity", json!({"neq": [0]}))
            .min_severity(Severity::High),
        json!({"resolutionDate": {"gte": 1}, "severity": {"neq": [0]}}),
    );
}

#[test]
fn request_body() {
    let query = AlertQuery::default().min_severity(Severity::High).page_size(50);
    assert_eq!(
        query.request_body(150),
        json!({
            "filters": {"severity": {"eq": [2]}},
            "skip": 150,
            "limit": 50,
            "sortField": "date",
            "sortDirection": "asc",
        })
    );
    let query = AlertQuery::default().sort("severity", SortDirection::Desc).page_size(1000);
    assert_eq!(
        query.request_body(0),
        json!({"filters": {}, "skip": 0, "limit": 100, "sortField": "severity", "sortDirection": "desc"})
    );
    assert_eq!(AlertQuery::default().page_size(0).request_body(0)["limit"], json!(1));
}
