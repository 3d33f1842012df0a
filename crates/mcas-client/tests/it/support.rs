//! Shared helpers: fixtures, clients pointed at a mock server, the catch-all mock.

use std::time::Duration;

use mcas_client::{Auth, Client, ClientBuilder, RetryPolicy, SecretString};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The legacy API token the tests use.
pub const TOKEN: &str = "mcas-test-token-7f3c9a";

/// The `Authorization` value that goes with [`TOKEN`].
pub const TOKEN_HEADER: &str = "Token mcas-test-token-7f3c9a";

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// Retries with backoffs short enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(5)).max_backoff(Duration::from_millis(20))
}

/// A builder for `server` with the test token, no pacing and fast retries.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder(server.uri().parse().unwrap(), Auth::token(SecretString::from(TOKEN)))
        .requests_per_minute(0)
        .retry_policy(fast_retry())
}

pub fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}

/// Mounted last: any request no other mock matched gets a 500 and fails the test on verify.
pub async fn mount_catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .expect(0)
        .named("catch-all")
        .mount(server)
        .await;
}

/// A minimal alert as MCAS sends it.
pub fn alert_json(id: &str, timestamp: i64) -> Value {
    json!({
        "_id": id,
        "timestamp": timestamp,
        "title": format!("alert {id}"),
        "severityValue": 1,
        "resolutionStatusValue": 0,
        "entities": [{"id": "1.2.3.4", "label": "1.2.3.4", "type": "ip"}],
    })
}

pub fn page_json(alerts: Vec<Value>, has_next: bool) -> Value {
    let total = alerts.len();
    json!({"data": alerts, "hasNext": has_next, "max": 100, "total": total, "moreThanTotal": false})
}

pub fn ids(alerts: &[mcas_client::Alert]) -> Vec<&str> {
    alerts.iter().map(|alert| alert.id.as_str()).collect()
}
