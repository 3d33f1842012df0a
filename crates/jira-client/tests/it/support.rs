//! Shared set-up: mock servers, clients for both deployments, fixtures.

use std::path::PathBuf;
use std::time::Duration;

use jira_client::RetryPolicy;
use jira_client::{Auth, Client, Deployment, Label};
use secrecy::SecretString;
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The Basic credentials of every Cloud test client.
pub const USER: &str = "secops@example.com";
/// The API token of every Cloud test client; must never show in `Debug` or errors.
pub const TOKEN: &str = "t0ken-s3cret";
/// `Basic base64(USER:TOKEN)`.
pub const BASIC: &str = "Basic c2Vjb3BzQGV4YW1wbGUuY29tOnQwa2VuLXMzY3JldA==";
/// The personal access token of every Server test client.
pub const PAT: &str = "pat-s3cret";
/// `Bearer PAT`.
pub const BEARER: &str = "Bearer pat-s3cret";

/// A retry policy with millisecond backoffs, so that retry tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(1)).max_backoff(Duration::from_millis(5))
}

/// A Cloud client (Basic auth) for the mock server.
pub fn cloud(server: &MockServer) -> Client {
    let auth = Auth::basic(USER, SecretString::from(TOKEN));
    Client::builder(server.uri().parse().unwrap(), Deployment::Cloud, auth)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// A Server/Data Center client (bearer PAT) for the mock server, under a `/jira` context path.
pub fn server(server: &MockServer) -> Client {
    let auth = Auth::bearer(SecretString::from(PAT));
    let url = format!("{}/jira", server.uri());
    Client::builder(url.parse().unwrap(), Deployment::Server, auth)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// Mounts the catch-all that answers any unplanned request with 500 and fails the test when
/// the server is dropped. Mount it after the planned mocks.
pub async fn catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .named("catch-all for unexpected requests")
        .expect(0)
        .mount(server)
        .await;
}

/// A JSON fixture from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An answer with a JSON body.
pub fn json(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// A label known to be valid.
pub fn label(text: &str) -> Label {
    Label::new(text).unwrap()
}
