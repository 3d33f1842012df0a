//! A fake Defender for Cloud Apps tenant, with the Microsoft Entra token endpoint on the same
//! server.

mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use serde_json::{Value, json};

use self::store::{AlertStore, Filter, FilterError, Sort};
use crate::entra::{check_grant, new_token, not_a_form, token_answer};
use crate::scenario::BulkAlerts;
use crate::server::{FaultKind, Knobs, Running, knob_methods, lock};

/// Route names of [`FakeMcas`], for [`FakeMcas::fail_next`] and [`Stats`](crate::Stats).
pub mod route {
    /// `POST /{tenant_id}/oauth2/v2.0/token` (Microsoft Entra client credentials).
    pub const TOKEN: &str = "token";
    /// `GET|POST /api/v1/alerts/`.
    pub const LIST: &str = "alerts.list";
    /// `GET /api/v1/alerts/<id>/`.
    pub const GET: &str = "alerts.get";
    /// `POST /api/v1/alerts/close_benign/`.
    pub const CLOSE_BENIGN: &str = "alerts.close_benign";
    /// `POST /api/v1/alerts/close_false_positive/`.
    pub const CLOSE_FALSE_POSITIVE: &str = "alerts.close_false_positive";
    /// `POST /api/v1/alerts/close_true_positive/`.
    pub const CLOSE_TRUE_POSITIVE: &str = "alerts.close_true_positive";
    /// `POST /api/v1/alerts/<id>/read/`.
    pub const READ: &str = "alerts.read";
    /// `POST /api/v1/alerts/<id>/unread/`.
    pub const UNREAD: &str = "alerts.unread";
    /// Any path the fake does not serve.
    pub const NOT_FOUND: &str = "not_found";
}

/// The scope a Defender for Cloud Apps client-credentials token request must ask for.
pub const MCAS_SCOPE: &str = "05a65629-4c1b-48c1-a78b-804c4abdd4af/.default";

/// A Microsoft Entra application allowed to get tokens from [`FakeMcas`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraApp {
    /// The directory (tenant) id in the token URL.
    pub tenant_id: String,
    /// The application (client) id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
}

/// How to start a [`FakeMcas`].
#[derive(Debug, Clone)]
pub struct FakeMcasOptions {
    /// The tenant name, used in log lines only.
    pub tenant: String,
    /// The legacy API token accepted as `Authorization: Token <token>`.
    pub token: String,
    /// The alerts to serve (any JSON: alerts lacking a numeric `timestamp` sort as 0).
    pub alerts: Vec<Value>,
    /// Alerts generated on demand, for benchmarks: stored as a few cached fields each.
    pub bulk: Option<BulkAlerts>,
    /// The Entra application that may get bearer tokens; `None` refuses every token request.
    pub entra: Option<EntraApp>,
    /// How long issued bearer tokens are accepted (`expires_in`).
    pub token_lifetime: Duration,
    /// The application permissions issued bearer tokens carry in their `roles` claim (default
    /// `Investigation.manage`: read and close alerts).
    pub entra_roles: Vec<String>,
    /// Delay added to every request.
    pub latency: Duration,
}

impl Default for FakeMcasOptions {
    fn default() -> Self {
        FakeMcasOptions {
            tenant: "contoso".to_owned(),
            token: "fake-mcas-token".to_owned(),
            alerts: Vec::new(),
            bulk: None,
            entra: None,
            token_lifetime: Duration::from_secs(3599),
            entra_roles: vec!["Investigation.manage".to_owned()],
            latency: Duration::ZERO,
        }
    }
}

struct Shared {
    knobs: Arc<Knobs>,
    tenant: String,
    token: String,
    entra: Option<EntraApp>,
    token_lifetime: Duration,
    entra_roles: Vec<String>,
    issued: Mutex<HashMap<String, Instant>>,
    alerts: Mutex<AlertStore>,
    closes: Mutex<Vec<CloseCall>>,
}

/// One accepted request to a close endpoint, as [`FakeMcas::close_calls`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloseCall {
    /// The endpoint: `close_benign`, `close_false_positive` or `close_true_positive`.
    pub endpoint: String,
    /// The alert ids the filter matched.
    pub ids: Vec<String>,
    /// The `comment` sent, if any.
    pub comment: Option<String>,
    /// The `reasonId` sent, if any.
    pub reason_id: Option<i64>,
}

/// A fake Defender for Cloud Apps tenant on `127.0.0.1`.
///
/// Serves `GET|POST /api/v1/alerts/` (documented filters `date`, `severity`,
/// `resolutionStatus`, `alertOpen`, `read`, `id`; others are ignored; `sortField` `date` or
/// `severity`; `limit` at most 100), `GET /api/v1/alerts/<id>/`, the three close endpoints,
/// mark read/unread, and the Entra token endpoint `POST /{tenant_id}/oauth2/v2.0/token`, so
/// that a client's Entra authority can be [`url`](Self::url). Stops on drop.
pub struct FakeMcas {
    running: Running,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FakeMcas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeMcas")
            .field("url", &self.url())
            .field("tenant", &self.shared.tenant)
            .finish_non_exhaustive()
    }
}

impl FakeMcas {
    /// Binds an ephemeral loopback port and starts serving.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(options: FakeMcasOptions) -> std::io::Result<FakeMcas> {
        let knobs = Arc::new(Knobs::new(options.latency));
        let shared = Arc::new(Shared {
            knobs: Arc::clone(&knobs),
            tenant: options.tenant,
            token: options.token,
            entra: options.entra,
            token_lifetime: options.token_lifetime,
            entra_roles: options.entra_roles,
            issued: Mutex::new(HashMap::new()),
            alerts: Mutex::new(AlertStore::new(options.alerts, options.bulk)),
            closes: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route("/{tenant_id}/oauth2/v2.0/token", post(token))
            .route("/api/v1/alerts/", post(list).get(list))
            .route("/api/v1/alerts/close_benign/", post(close_benign))
            .route("/api/v1/alerts/close_false_positive/", post(close_false_positive))
            .route("/api/v1/alerts/close_true_positive/", post(close_true_positive))
            .route("/api/v1/alerts/{id}/", get(get_alert))
            .route("/api/v1/alerts/{id}/read/", post(read))
            .route("/api/v1/alerts/{id}/unread/", post(unread))
            .fallback(not_found)
            .with_state(Arc::clone(&shared));
        let running = Running::start(router, knobs).await?;
        Ok(FakeMcas { running, shared })
    }

    knob_methods!();

    /// A snapshot of every alert, oldest first, with the changes made through the API.
    pub fn alerts(&self) -> Vec<Value> {
        lock(&self.shared.alerts).snapshot()
    }

    /// One alert by `_id`.
    pub fn alert(&self, id: &str) -> Option<Value> {
        lock(&self.shared.alerts).get(id)
    }

    /// The number of alerts held.
    pub fn alert_count(&self) -> usize {
        lock(&self.shared.alerts).len()
    }

    /// Adds alerts while the server runs (for "an alert arrives mid-walk" tests). They are
    /// placed by timestamp.
    pub fn add_alerts(&self, alerts: Vec<Value>) {
        lock(&self.shared.alerts).add(alerts);
    }

    /// Sets an alert's `resolutionStatusValue` as if an analyst closed it in the portal
    /// (3 false positive, 4 benign, 5 true positive). Returns whether the alert exists.
    pub fn close_alert(&self, id: &str, resolution_status: i64) -> bool {
        lock(&self.shared.alerts).set_resolution(id, resolution_status)
    }

    /// The close requests served so far, oldest first.
    pub fn close_calls(&self) -> Vec<CloseCall> {
        lock(&self.shared.closes).clone()
    }

    /// Makes every bearer token issued so far invalid, as if it had expired.
    pub fn expire_tokens(&self) {
        lock(&self.shared.issued).clear();
    }

    /// How many bearer tokens the token endpoint has issued and not yet expired.
    pub fn live_tokens(&self) -> usize {
        let now = Instant::now();
        lock(&self.shared.issued).values().filter(|&&until| until > now).count()
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// The body Django REST framework (which the MCAS API is built on) gives for an error status.
fn detail(status: StatusCode, message: &str) -> Response {
    json_response(status, json!({ "detail": message }))
}

fn fault_response(kind: &FaultKind) -> Response {
    match kind {
        FaultKind::RateLimit { retry_after_secs } => {
            let mut response = detail(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Request was throttled. Expected available in {retry_after_secs} seconds."),
            );
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            response
        }
        FaultKind::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = match status.as_u16() {
                401 => "Invalid token",
                403 => "You do not have permission to perform this action.",
                404 => "Not found.",
                429 => "Request was throttled.",
                500 => "A server error occurred.",
                _ => status.canonical_reason().unwrap_or("Error"),
            };
            detail(status, message)
        }
        // Not answer-replacing faults; `admit` handles them.
        FaultKind::Delay(_) | FaultKind::LoseResponse => {
            detail(StatusCode::INTERNAL_SERVER_ERROR, "A server error occurred.")
        }
    }
}

fn filter_error(error: &FilterError) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({
            "filters": [{
                "error": error.message,
                "errorMessageCode": "CONSOLE_FORMS_NOT_VALID_VALUE",
                "errorMessageParams": { "value": error.value },
            }],
            "error": true,
        }),
    )
}

/// The request body as a JSON object (an empty body counts as `{}`).
fn json_body(body: &[u8]) -> Result<serde_json::Map<String, Value>, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(detail(StatusCode::BAD_REQUEST, "JSON parse error - expected an object")),
        Err(error) => Err(detail(StatusCode::BAD_REQUEST, &format!("JSON parse error - {error}"))),
    }
}

impl Shared {
    fn authorize(&self, headers: &HeaderMap) -> Result<(), Response> {
        let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
            return Err(detail(StatusCode::UNAUTHORIZED, "Authentication credentials were not provided."));
        };
        let (scheme, credential) = value.split_once(' ').unwrap_or((value, ""));
        let ok = if scheme.eq_ignore_ascii_case("token") {
            credential == self.token
        } else if scheme.eq_ignore_ascii_case("bearer") {
            lock(&self.issued).get(credential).is_some_and(|&until| until > Instant::now())
        } else {
            false
        };
        if ok { Ok(()) } else { Err(detail(StatusCode::UNAUTHORIZED, "Invalid token")) }
    }

    /// Runs the steps every API request shares: counting, latency and faults, then
    /// authentication, then `handle`.
    async fn serve(
        &self,
        route: &'static str,
        headers: &HeaderMap,
        handle: impl FnOnce() -> Response,
    ) -> Response {
        self.knobs.serve(route, fault_response, || self.authorize(headers), handle).await
    }

    fn list(&self, body: &[u8]) -> Response {
        let body = match json_body(body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let number = |name: &str, default: i64| -> Result<i64, Response> {
            match body.get(name) {
                None | Some(Value::Null) => Ok(default),
                Some(value) => value
                    .as_i64()
                    .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| {
                        filter_error(&FilterError {
                            message: format!("{value} is not valid"),
                            value: value.to_string(),
                        })
                    }),
            }
        };
        let skip = match number("skip", 0) {
            Ok(n) => n,
            Err(response) => return response,
        };
        let limit = match number("limit", 100) {
            Ok(n) if n <= 100 => n,
            Ok(n) => {
                return filter_error(&FilterError {
                    message: format!("limit {n} is not valid: at most 100 records can be requested"),
                    value: n.to_string(),
                });
            }
            Err(response) => return response,
        };
        let field = body.get("sortField").and_then(Value::as_str).unwrap_or("date");
        let descending = match body.get("sortDirection").and_then(Value::as_str) {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(other) => {
                return filter_error(&FilterError {
                    message: format!("{other} is not valid"),
                    value: other.to_owned(),
                });
            }
        };
        let sort = match (field, descending) {
            ("date", false) => Sort::DateAsc,
            ("date", true) => Sort::DateDesc,
            ("severity", false) => Sort::SeverityAsc,
            ("severity", true) => Sort::SeverityDesc,
            (other, _) => {
                return filter_error(&FilterError {
                    message: format!("{other} is not valid"),
                    value: other.to_owned(),
                });
            }
        };
        let filter = match Filter::parse(body.get("filters"), Timestamp::now().as_millisecond(), false) {
            Ok(filter) => filter,
            Err(error) => return filter_error(&error),
        };
        let skip = usize::try_from(skip).unwrap_or(usize::MAX);
        let limit_usize = usize::try_from(limit).unwrap_or(100);
        let page = lock(&self.alerts).page(&filter, sort, skip, limit_usize);
        json_response(
            StatusCode::OK,
            json!({
                "data": page.data,
                "hasNext": page.has_next,
                "total": page.total,
                "max": limit,
                "moreThanTotal": page.more_than_total,
            }),
        )
    }

    fn close(&self, body: &[u8], key: &str, resolution: i64) -> Response {
        let body = match json_body(body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let Some(filters) = body.get("filters") else {
            return filter_error(&FilterError {
                message: "filters is required".to_owned(),
                value: "filters".to_owned(),
            });
        };
        let filter = match Filter::parse(Some(filters), Timestamp::now().as_millisecond(), true) {
            Ok(filter) => filter,
            Err(error) => return filter_error(&error),
        };
        let mut alerts = lock(&self.alerts);
        let not_found: Vec<String> =
            filter.named_ids().iter().filter(|id| !alerts.contains(id)).cloned().collect();
        let ids = alerts.matching_ids(&filter);
        let comment = body.get("comment").and_then(Value::as_str).map(str::to_owned);
        for id in &ids {
            alerts.set_resolution(id, resolution);
            // The portal shows the closing comment on the alert.
            if let Some(comment) = &comment {
                alerts.set_field(id, "comment", json!(comment));
            }
        }
        lock(&self.closes).push(CloseCall {
            endpoint: key.replace("closed_", "close_"),
            ids: ids.clone(),
            comment,
            reason_id: body.get("reasonId").and_then(Value::as_i64),
        });
        let mut answer = serde_json::Map::new();
        answer.insert(key.to_owned(), json!(ids.len()));
        if !not_found.is_empty() {
            answer.insert("alertsNotFound".to_owned(), json!(not_found));
        }
        json_response(StatusCode::OK, Value::Object(answer))
    }

    fn get_alert(&self, id: &str) -> Response {
        if !(id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())) {
            return filter_error(&FilterError {
                message: format!("{id} is not valid"),
                value: id.to_owned(),
            });
        }
        match lock(&self.alerts).get(id) {
            Some(alert) => json_response(StatusCode::OK, alert),
            None => detail(StatusCode::NOT_FOUND, "Not found."),
        }
    }

    fn mark(&self, id: &str, read: bool) -> Response {
        if lock(&self.alerts).set_read(id, read) {
            json_response(StatusCode::OK, json!({}))
        } else {
            detail(StatusCode::NOT_FOUND, "Not found.")
        }
    }

    fn issue_token(&self, tenant_id: &str, form: &HashMap<String, String>) -> Response {
        let app = self.entra.as_ref().filter(|app| app.tenant_id == tenant_id);
        let secret_of = |client_id: &str| {
            app.filter(|app| app.client_id == client_id).map(|app| app.client_secret.as_str())
        };
        if let Err(refusal) = check_grant(form, tenant_id, app.is_some(), secret_of, MCAS_SCOPE) {
            return refusal;
        }
        // A JWT's shape: a real header, the claims a client may read (`roles`), and a random
        // stand-in for the signature, which makes each token unique.
        let token =
            new_token(&json!({ "aud": "05a65629-4c1b-48c1-a78b-804c4abdd4af", "roles": self.entra_roles }));
        let lifetime = self.token_lifetime;
        lock(&self.issued).insert(token.clone(), Instant::now() + lifetime);
        token_answer(&token, lifetime)
    }
}

type AppState = State<Arc<Shared>>;

async fn token(
    State(s): AppState,
    Path(tenant_id): Path<String>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    // The token endpoint takes no API token: its "authorization" is the client secret in the form.
    let handle = || match form {
        Ok(Form(form)) => s.issue_token(&tenant_id, &form),
        Err(_) => not_a_form(),
    };
    s.knobs.serve(route::TOKEN, fault_response, || Ok(()), handle).await
}

async fn list(State(s): AppState, headers: HeaderMap, body: Bytes) -> Response {
    s.serve(route::LIST, &headers, || s.list(&body)).await
}

async fn close_benign(State(s): AppState, headers: HeaderMap, body: Bytes) -> Response {
    s.serve(route::CLOSE_BENIGN, &headers, || s.close(&body, "closed_benign", 4)).await
}

async fn close_false_positive(State(s): AppState, headers: HeaderMap, body: Bytes) -> Response {
    s.serve(route::CLOSE_FALSE_POSITIVE, &headers, || s.close(&body, "closed_false_positive", 3)).await
}

async fn close_true_positive(State(s): AppState, headers: HeaderMap, body: Bytes) -> Response {
    s.serve(route::CLOSE_TRUE_POSITIVE, &headers, || s.close(&body, "closed_true_positive", 5)).await
}

async fn get_alert(State(s): AppState, Path(id): Path<String>, headers: HeaderMap) -> Response {
    s.serve(route::GET, &headers, || s.get_alert(&id)).await
}

async fn read(State(s): AppState, Path(id): Path<String>, headers: HeaderMap) -> Response {
    s.serve(route::READ, &headers, || s.mark(&id, true)).await
}

async fn unread(State(s): AppState, Path(id): Path<String>, headers: HeaderMap) -> Response {
    s.serve(route::UNREAD, &headers, || s.mark(&id, false)).await
}

async fn not_found(State(s): AppState) -> Response {
    let _ = s.knobs.admit(route::NOT_FOUND).await;
    detail(StatusCode::NOT_FOUND, "Not found.")
}
