//! Shared helpers: fixtures, an app and clients pointed at a mock server, the token endpoint, the
//! catch-all mock.

use std::collections::BTreeMap;
use std::time::Duration;

use graph_security_client::{Auth, Client, ClientBuilder, EntraApp, RetryPolicy, SecretString};
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

/// The MSSP's application.
pub const CLIENT_ID: &str = "3c1e5a7b-0000-4000-8000-0000000a9911";
pub const SECRET: &str = "graph-app-secret-Vq3~9xL";
/// Two customer tenants.
pub const TAILSPIN: &str = "4a7c1e90-3b2d-4f6a-8e15-9c0d2b7a6f31";
pub const WINGTIP: &str = "wingtiptoys.onmicrosoft.com";
pub const SCOPE: &str = "https://graph.microsoft.com/.default";
pub const ALERTS_PATH: &str = "/v1.0/security/alerts_v2";

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

/// The application, with `server` as its authority.
pub fn app(server: &MockServer) -> EntraApp {
    EntraApp::builder(CLIENT_ID, SecretString::from(SECRET))
        .authority(server.uri().parse().unwrap())
        .build()
        .unwrap()
}

/// A builder for `tenant` through `app`, calling Graph at `server`, with no pacing and fast
/// retries.
pub fn builder(server: &MockServer, app: &EntraApp, tenant: &str) -> ClientBuilder {
    Client::builder(Auth::app(app.clone(), tenant))
        .base_url(server.uri().parse().unwrap())
        .requests_per_minute(0)
        .retry_policy(fast_retry())
}

/// A client of the Tailspin tenant with a fresh app.
pub fn client(server: &MockServer) -> Client {
    builder(server, &app(server), TAILSPIN).build().unwrap()
}

/// The token path of a tenant.
pub fn token_path(tenant: &str) -> String {
    format!("/{tenant}/oauth2/v2.0/token")
}

/// Matches the whole client-credentials form, and checks that nothing travels in the URL.
pub struct TokenForm;

impl Match for TokenForm {
    fn matches(&self, request: &Request) -> bool {
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(&request.body).into_owned().collect();
        let expected: BTreeMap<String, String> = [
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("scope", SCOPE),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let content_type = request.headers.get("content-type").and_then(|v| v.to_str().ok());
        form == expected
            && request.url.query().is_none()
            && content_type == Some("application/x-www-form-urlencoded")
    }
}

pub fn token_answer(access_token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "token_type": "Bearer",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": access_token,
    }))
}

/// Answers `times` token requests of `tenant` with `access_token`.
pub async fn mount_token(server: &MockServer, tenant: &str, access_token: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path(token_path(tenant)))
        .and(TokenForm)
        .respond_with(token_answer(access_token))
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

/// The headers every Graph request carries with `token`.
pub struct GraphHeaders(pub &'static str);

impl Match for GraphHeaders {
    fn matches(&self, request: &Request) -> bool {
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
        header("authorization") == Some(&format!("Bearer {}", self.0))
            && header("accept") == Some("application/json")
            && header("prefer") == Some("include-unknown-enum-members")
    }
}

/// Answers `times` requests `method path` that carry the token `tok-1` with `answer`.
pub async fn mount_answer(
    server: &MockServer,
    method: &str,
    path: impl Into<String>,
    answer: ResponseTemplate,
    times: u64,
) {
    Mock::given(wiremock::matchers::method(method))
        .and(wiremock::matchers::path(path.into()))
        .and(GraphHeaders("tok-1"))
        .respond_with(answer)
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
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

/// A minimal alert as Graph sends it.
pub fn alert_json(id: &str, created: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.security.alert",
        "id": id,
        "status": "new",
        "severity": "medium",
        "serviceSource": "microsoftDefenderForCloudApps",
        "title": format!("alert {id}"),
        "createdDateTime": created,
        "evidence": [],
    })
}

pub fn page_json(alerts: Vec<Value>, next_link: Option<String>) -> Value {
    let mut page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2",
        "value": alerts,
    });
    if let Some(link) = next_link {
        page["@odata.nextLink"] = Value::String(link);
    }
    page
}

pub fn ids(alerts: &[graph_security_client::Alert]) -> Vec<&str> {
    alerts.iter().map(|alert| alert.id.as_str()).collect()
}
