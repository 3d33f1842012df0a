//! Integration tests of the fakes, over real HTTP with plain reqwest.

mod abuseipdb;
mod faults;
mod graph;
mod graph_walk;
mod jira;
mod mcas;
mod scenario;

use serde_json::Value;

/// A plain HTTP client for the tests.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

/// Status and JSON body of a response (`Value::Null` when the body is not JSON).
pub async fn status_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[test]
fn public_types_are_send_sync_static() {
    fn check<T: Send + Sync + 'static>() {}
    check::<mcas2jira_fakes::FakeMcas>();
    check::<mcas2jira_fakes::FakeAbuseIpdb>();
    check::<mcas2jira_fakes::FakeJira>();
    check::<mcas2jira_fakes::FakeGraph>();
    check::<mcas2jira_fakes::FaultKind>();
}
