//! Integration tests of abuseipdb-client against local wiremock servers. Every mock matches the
//! whole request (method, path, exact query, `Key` and `Accept` headers, body) and a catch-all
//! 500 mounted last fails any request no test expected.

mod api;
mod blacklist;
mod check;
mod client;
mod errors;
mod lookup;
mod reporting;
mod reports;

use std::time::Duration;

use abuseipdb_client::{Client, RetryPolicy};
use secrecy::SecretString;
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, MockBuilder, MockServer, Request, ResponseTemplate};

/// The API key the tests use; assertions check that it never leaks.
pub const KEY: &str = "test-key-7f3a9c";

/// A retry policy with tiny backoffs, so that retried requests keep tests fast.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(5)).max_backoff(Duration::from_millis(20))
}

/// A client of `server` with [`fast_policy`].
pub fn client(server: &MockServer) -> Client {
    client_with(server, fast_policy())
}

/// A client of `server` with `policy`.
pub fn client_with(server: &MockServer, policy: RetryPolicy) -> Client {
    Client::builder(SecretString::from(KEY))
        .base_url(format!("{}/api/v2/", server.uri()).parse().unwrap())
        .retry_policy(policy)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// The text of a fixture file under `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A JSON answer with the body of a fixture file.
pub fn json(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
}

/// Matches a request whose query string is exactly `.0` (as encoded on the wire), so that a
/// missing, extra or wrongly encoded parameter fails the match.
pub struct QueryIs(pub &'static str);

impl Match for QueryIs {
    fn matches(&self, request: &Request) -> bool {
        request.url.query().unwrap_or("") == self.0
    }
}

/// A mock of an authenticated AbuseIPDB request: method, path under `/api/v2/`, exact query,
/// and the `Key` and `Accept` headers.
pub fn api(verb: &str, endpoint: &str, query: &'static str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(format!("/api/v2/{endpoint}")))
        .and(QueryIs(query))
        .and(header("Key", KEY))
        .and(header("Accept", "application/json"))
}

/// Mounts the catch-all: any request no other mock matched gets a 500, and fails the test when
/// the server is dropped.
pub async fn catch_all(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .expect(0)
        .named("catch-all: unexpected request")
        .mount(server)
        .await;
}

/// A started server with only the catch-all mounted; tests mount their mocks, which take
/// precedence over it by priority.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    catch_all(&server).await;
    server
}
