//! A fake Jira: Cloud (REST v3, ADF) or Server/Data Center (REST v2, wiki strings).

mod issues;
mod jql;
mod meta;
mod screens;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub use self::issues::{FakeComment, IssueSnapshot};
use self::issues::{Problems, Selection, Store, validate_create};
pub use self::jql::StatusCategory;
pub use self::screens::{ALL_ISSUE_TYPES, ValueRefusal};
use crate::hash::{base64, hash_bytes};
use crate::server::{FaultKind, Knobs, Running, knob_methods, lock};

/// Route names of [`FakeJira`], for [`FakeJira::fail_next`] and [`Stats`](crate::Stats).
pub mod route {
    /// `GET serverInfo`.
    pub const SERVER_INFO: &str = "serverInfo";
    /// `GET myself`.
    pub const MYSELF: &str = "myself";
    /// `GET mypermissions`.
    pub const MY_PERMISSIONS: &str = "mypermissions";
    /// `GET field`.
    pub const FIELD: &str = "field";
    /// `GET project/{key}`.
    pub const PROJECT: &str = "project";
    /// `GET priority`.
    pub const PRIORITY: &str = "priority";
    /// `GET issue/createmeta/{project}/issuetypes`.
    pub const CREATEMETA_TYPES: &str = "createmeta.issuetypes";
    /// `GET issue/createmeta/{project}/issuetypes/{id}`.
    pub const CREATEMETA_FIELDS: &str = "createmeta.fields";
    /// `POST issue`.
    pub const CREATE: &str = "issue.create";
    /// `POST issue/bulk`.
    pub const BULK_CREATE: &str = "issue.bulk";
    /// `GET issue/{key}`.
    pub const GET: &str = "issue.get";
    /// `PUT issue/{key}`.
    pub const EDIT: &str = "issue.edit";
    /// `POST issue/{key}/comment`.
    pub const ADD_COMMENT: &str = "issue.comment.add";
    /// `GET issue/{key}/comment`.
    pub const COMMENTS: &str = "issue.comment.list";
    /// `GET issue/{key}/transitions`.
    pub const TRANSITIONS: &str = "issue.transitions";
    /// `POST issue/{key}/transitions`.
    pub const TRANSITION: &str = "issue.transition";
    /// Cloud `GET|POST /rest/api/3/search/jql`, or Server `GET|POST /rest/api/2/search`.
    pub const SEARCH: &str = "search";
    /// Cloud `POST /rest/api/3/search/approximate-count`.
    pub const SEARCH_COUNT: &str = "search.count";
    /// Cloud's removed `/rest/api/{2,3}/search` (answers 410).
    pub const SEARCH_REMOVED: &str = "search.removed";
    /// Any path the fake does not serve.
    pub const NOT_FOUND: &str = "not_found";
}

/// Which Jira the fake plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deployment {
    /// Jira Cloud: `/rest/api/3`, descriptions and textareas as ADF documents, Basic auth only,
    /// `/search/jql` with page tokens.
    #[default]
    Cloud,
    /// Jira Server / Data Center: `/rest/api/2`, plain strings, Basic auth or a Bearer PAT,
    /// `/search` with `startAt`.
    Server,
}

/// The kind of a custom field, which decides the value it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A URL field (`customfieldtypes:url`): a string starting with `http://`, `https://` or
    /// `mailto:`.
    Url,
    /// A single-line text field (`customfieldtypes:textfield`): a string of at most 255
    /// characters.
    Text,
    /// A multi-line text field (`customfieldtypes:textarea`): an ADF document on Cloud, a string
    /// on Server.
    Textarea,
}

impl FieldKind {
    fn custom_type(self) -> &'static str {
        match self {
            FieldKind::Url => "com.atlassian.jira.plugin.system.customfieldtypes:url",
            FieldKind::Text => "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
            FieldKind::Textarea => "com.atlassian.jira.plugin.system.customfieldtypes:textarea",
        }
    }
}

/// A custom field of the fake Jira.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    /// The field id, like `customfield_10109`.
    pub id: String,
    /// The display name, like `Alert URL`.
    pub name: String,
    /// What values it takes.
    pub kind: FieldKind,
}

impl CustomField {
    /// A custom field.
    pub fn new(id: &str, name: &str, kind: FieldKind) -> Self {
        CustomField { id: id.to_owned(), name: name.to_owned(), kind }
    }
}

/// How to start a [`FakeJira`].
#[derive(Debug, Clone)]
pub struct FakeJiraOptions {
    /// Cloud or Server/Data Center.
    pub deployment: Deployment,
    /// The user name (an email on Cloud) for Basic auth.
    pub user: String,
    /// The API token (or password) for Basic auth; on Server also accepted as a Bearer PAT.
    pub token: String,
    /// The one project's key.
    pub project: String,
    /// The project's name.
    pub project_name: String,
    /// Issue type names (ids 10001, 10002, ...).
    pub issue_types: Vec<String>,
    /// Priority names, highest first (ids 1, 2, ...).
    pub priorities: Vec<String>,
    /// Component names (ids 10100, 10101, ...).
    pub components: Vec<String>,
    /// Resolution names a transition to Done may set.
    pub resolutions: Vec<String>,
    /// Custom fields.
    pub custom_fields: Vec<CustomField>,
    /// Field ids (beyond project, issue type and summary) a create must set.
    pub required_fields: Vec<String>,
    /// The project's priority scheme: the priorities a create may set, by name; `None` allows
    /// every priority of the site. A priority of the site outside the scheme is refused with
    /// Jira's `The priority selected is invalid.`, and left out of the create metadata.
    pub allowed_priorities: Option<Vec<String>>,
    /// Fields missing from the create screen, by issue type name ([`ALL_ISSUE_TYPES`] for every
    /// type): a create that sets one is refused with Jira's `Field '<id>' cannot be set. It is
    /// not on the appropriate screen, or unknown.`, and the create metadata leaves it out.
    /// System fields (`labels`, `components`, `priority`, `description`) may be hidden too.
    pub off_screen: BTreeMap<String, Vec<String>>,
    /// Values Jira refuses for certain issues only, as a validator or a field's own checks
    /// would: see [`ValueRefusal`].
    pub refuse_values: Vec<ValueRefusal>,
    /// Whether to keep descriptions, custom field values and comments. Turn off for memory
    /// benchmarks, where only keys, labels and statuses matter.
    pub keep_content: bool,
    /// Delay added to every request.
    pub latency: Duration,
}

impl Default for FakeJiraOptions {
    fn default() -> Self {
        let names = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        FakeJiraOptions {
            deployment: Deployment::Cloud,
            user: "secops@example.com".to_owned(),
            token: "fake-jira-token".to_owned(),
            project: "SEC".to_owned(),
            project_name: "Security Operations".to_owned(),
            issue_types: names(&["Task", "Bug"]),
            priorities: names(&["Highest", "High", "Medium", "Low", "Lowest"]),
            components: names(&["Identity", "Email", "Endpoint"]),
            resolutions: names(&["Done", "Won't Do", "Duplicate"]),
            custom_fields: vec![
                CustomField::new("customfield_10109", "Alert URL", FieldKind::Url),
                CustomField::new("customfield_10107", "Affected user", FieldKind::Text),
                CustomField::new("customfield_10108", "IP reputation", FieldKind::Textarea),
                CustomField::new("customfield_10110", "MCAS tenant", FieldKind::Text),
            ],
            required_fields: Vec::new(),
            allowed_priorities: None,
            off_screen: BTreeMap::new(),
            refuse_values: Vec::new(),
            keep_content: true,
            latency: Duration::ZERO,
        }
    }
}

struct Shared {
    knobs: Arc<Knobs>,
    options: FakeJiraOptions,
    basic: String,
    /// `http://127.0.0.1:<port>/rest/api/<v>`, for `self` links; set once bound.
    base: std::sync::OnceLock<String>,
    store: Mutex<Store>,
}

/// A fake Jira on `127.0.0.1`, Cloud or Server. Stops on drop.
///
/// See the crate documentation for what it serves. Issues live in memory with a label index, so
/// a `labels in (...)` search costs the size of its answer.
pub struct FakeJira {
    running: Running,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FakeJira {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeJira")
            .field("url", &self.url())
            .field("deployment", &self.shared.options.deployment)
            .finish_non_exhaustive()
    }
}

impl FakeJira {
    /// Binds an ephemeral loopback port and starts serving.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(options: FakeJiraOptions) -> std::io::Result<FakeJira> {
        let knobs = Arc::new(Knobs::new(options.latency));
        let basic = format!("Basic {}", base64(format!("{}:{}", options.user, options.token).as_bytes()));
        let deployment = options.deployment;
        let shared = Arc::new(Shared {
            knobs: Arc::clone(&knobs),
            options,
            basic,
            base: std::sync::OnceLock::new(),
            store: Mutex::new(Store::default()),
        });
        let prefix = match deployment {
            Deployment::Cloud => "/rest/api/3",
            Deployment::Server => "/rest/api/2",
        };
        let api = Router::new()
            .route("/serverInfo", get(server_info))
            .route("/myself", get(myself))
            .route("/mypermissions", get(my_permissions))
            .route("/field", get(fields))
            .route("/project/{key}", get(project))
            .route("/priority", get(priorities))
            .route("/issue/createmeta/{project}/issuetypes", get(createmeta_types))
            .route("/issue/createmeta/{project}/issuetypes/{id}", get(createmeta_fields))
            .route("/issue", post(create))
            .route("/issue/bulk", post(bulk_create))
            .route("/issue/{key}", get(get_issue).put(edit_issue))
            .route("/issue/{key}/comment", get(list_comments).post(add_comment))
            .route("/issue/{key}/transitions", get(transitions).post(transition));
        let api = match deployment {
            Deployment::Cloud => api
                .route("/search/jql", get(search_jql_get).post(search_jql_post))
                .route("/search/approximate-count", post(approximate_count))
                .route("/search", get(removed).post(removed)),
            Deployment::Server => api.route("/search", get(search_get).post(search_post)),
        };
        let mut router = Router::new().nest(prefix, api);
        if deployment == Deployment::Cloud {
            router = router.route("/rest/api/2/search", get(removed).post(removed));
        }
        let router = router
            .fallback(not_found)
            // Bulk creates of 50 issues with long descriptions exceed axum's 2 MiB default.
            .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
            .with_state(Arc::clone(&shared));
        let running = Running::start(router, knobs).await?;
        let _ = shared.base.set(format!("{}{prefix}", running.url()));
        Ok(FakeJira { running, shared })
    }

    knob_methods!();

    /// The REST base, [`url`](Self::url) plus `/rest/api/3` (Cloud) or `/rest/api/2` (Server).
    pub fn api_url(&self) -> String {
        self.shared.base().to_owned()
    }

    /// The options the fake runs with.
    pub fn options(&self) -> &FakeJiraOptions {
        &self.shared.options
    }

    /// A snapshot of every issue, oldest first.
    pub fn issues(&self) -> Vec<IssueSnapshot> {
        let store = lock(&self.shared.store);
        (0..store.len()).filter_map(|i| store.snapshot(&self.shared.options, i)).collect()
    }

    /// One issue by key or id.
    pub fn issue(&self, key: &str) -> Option<IssueSnapshot> {
        let store = lock(&self.shared.store);
        store.find(&self.shared.options.project, key).and_then(|i| store.snapshot(&self.shared.options, i))
    }

    /// The number of issues created.
    pub fn issue_count(&self) -> usize {
        lock(&self.shared.store).len()
    }

    /// How many issues carry `label`.
    pub fn count_with_label(&self, label: &str) -> usize {
        lock(&self.shared.store).count_with_label(label)
    }

    /// Moves an issue to Done with this resolution, as an analyst would. Returns whether the
    /// issue exists.
    pub fn resolve(&self, key: &str, resolution: &str) -> bool {
        let mut store = lock(&self.shared.store);
        let Some(index) = store.find(&self.shared.options.project, key) else { return false };
        store.set_status(index, StatusCategory::Done, Some(resolution.to_owned()));
        true
    }

    /// The comments of an issue (empty if it does not exist).
    pub fn comments(&self, key: &str) -> Vec<FakeComment> {
        self.issue(key).map(|issue| issue.comments).unwrap_or_default()
    }
}

fn problems(status: StatusCode, p: &Problems) -> Response {
    (status, axum::Json(p.to_json())).into_response()
}

fn message(status: StatusCode, text: &str) -> Response {
    problems(status, &Problems::message(text))
}

fn fault_response(kind: &FaultKind) -> Response {
    match kind {
        FaultKind::RateLimit { retry_after_secs } => {
            let mut response = message(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded.");
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            response
        }
        FaultKind::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            if matches!(status.as_u16(), 502..=504) {
                // These come from the proxy in front of Jira, as an HTML page.
                let page = format!(
                    "<html><head><title>{} {reason}</title></head><body><h1>{reason}</h1></body></html>",
                    status.as_u16()
                );
                return (status, [(CONTENT_TYPE, HeaderValue::from_static("text/html"))], page)
                    .into_response();
            }
            let text = match status.as_u16() {
                401 => "Client must be authenticated to access this resource.",
                403 => "You do not have the permission to see the specified issue.",
                404 => "Issue does not exist or you do not have permission to see it.",
                500 => "Internal server error",
                _ => reason,
            };
            message(status, text)
        }
        FaultKind::Delay(_) | FaultKind::LoseResponse => {
            message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
        }
    }
}

/// A JSON request body, or Jira's answer to a malformed one.
fn json_body(body: &[u8]) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|error| {
        message(StatusCode::BAD_REQUEST, &format!("Unexpected character in the request body: {error}"))
    })
}

/// Query parameters as pairs (`fields` may repeat).
type Params = Vec<(String, String)>;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn params_all(params: &Params, name: &str) -> Vec<String> {
    params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

fn no_issue() -> Response {
    message(StatusCode::NOT_FOUND, "Issue does not exist or you do not have permission to see it.")
}

impl Shared {
    fn base(&self) -> &str {
        self.base.get().map_or("", String::as_str)
    }

    fn authorize(&self, headers: &HeaderMap) -> Result<(), Response> {
        let value = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let bearer_ok = self.options.deployment == Deployment::Server
            && value.strip_prefix("Bearer ").is_some_and(|pat| pat == self.options.token);
        if value == self.basic || bearer_ok {
            return Ok(());
        }
        let mut response =
            message(StatusCode::UNAUTHORIZED, "Client must be authenticated to access this resource.");
        if self.options.deployment == Deployment::Server {
            response
                .headers_mut()
                .insert("X-Seraph-LoginReason", HeaderValue::from_static("AUTHENTICATED_FAILED"));
        }
        Err(response)
    }

    async fn serve(
        &self,
        route: &'static str,
        headers: &HeaderMap,
        handle: impl FnOnce() -> Response,
    ) -> Response {
        self.knobs.serve(route, fault_response, || self.authorize(headers), handle).await
    }

    fn create(&self, body: &[u8]) -> Response {
        let body = match json_body(body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        match validate_create(&self.options, &body) {
            Err(p) => problems(StatusCode::BAD_REQUEST, &p),
            Ok(new) => {
                let (id, key) = lock(&self.store).create(&self.options, new);
                let link = format!("{}/issue/{id}", self.base());
                (StatusCode::CREATED, axum::Json(json!({ "id": id, "key": key, "self": link })))
                    .into_response()
            }
        }
    }

    fn bulk_create(&self, body: &[u8]) -> Response {
        let body = match json_body(body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let Some(updates) = body.get("issueUpdates").and_then(Value::as_array) else {
            return message(StatusCode::BAD_REQUEST, "The request must contain an 'issueUpdates' array.");
        };
        if updates.is_empty() {
            return message(StatusCode::BAD_REQUEST, "The request must contain at least one issue.");
        }
        if updates.len() > 50 {
            return message(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Too many issues in the request: {} (at most 50 can be created at once).",
                    updates.len()
                ),
            );
        }
        let mut created = Vec::new();
        let mut failed = Vec::new();
        let mut store = lock(&self.store);
        for (number, update) in updates.iter().enumerate() {
            match validate_create(&self.options, update) {
                Ok(new) => {
                    let (id, key) = store.create(&self.options, new);
                    created
                        .push(json!({ "id": id, "key": key, "self": format!("{}/issue/{id}", self.base()) }));
                }
                Err(p) => failed.push(
                    json!({ "status": 400, "elementErrors": p.to_json(), "failedElementNumber": number }),
                ),
            }
        }
        drop(store);
        let status = if created.is_empty() { StatusCode::BAD_REQUEST } else { StatusCode::CREATED };
        (status, axum::Json(json!({ "issues": created, "errors": failed }))).into_response()
    }

    fn get_issue(&self, key: &str, params: &Params) -> Response {
        let store = lock(&self.store);
        let Some(index) = store.find(&self.options.project, key) else { return no_issue() };
        let selection = Selection::parse(
            &params_all(params, "fields"),
            Selection::All { navigable: false, except: Vec::new() },
        );
        axum::Json(store.issue_json(&self.options, self.base(), index, &selection)).into_response()
    }

    fn edit_issue(&self, key: &str, body: &[u8]) -> Response {
        let body = match json_body(body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let mut store = lock(&self.store);
        let Some(index) = store.find(&self.options.project, key) else { return no_issue() };
        match store.edit(&self.options, index, &body) {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(p) => problems(StatusCode::BAD_REQUEST, &p),
        }
    }

    fn add_comment(&self, key: &str, body: &[u8]) -> Response {
        let body = match json_body(body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let mut store = lock(&self.store);
        let Some(index) = store.find(&self.options.project, key) else { return no_issue() };
        match store.comment(&self.options, self.base(), index, &body) {
            Ok(comment) => (StatusCode::CREATED, axum::Json(comment)).into_response(),
            Err(p) => problems(StatusCode::BAD_REQUEST, &p),
        }
    }

    fn list_comments(&self, key: &str) -> Response {
        let store = lock(&self.store);
        let Some(index) = store.find(&self.options.project, key) else { return no_issue() };
        axum::Json(store.comments_json(self.base(), index, &self.options.user)).into_response()
    }

    fn transitions(&self, key: &str) -> Response {
        let store = lock(&self.store);
        let Some(index) = store.find(&self.options.project, key) else { return no_issue() };
        let list: Vec<Value> = store
            .transitions(index)
            .into_iter()
            .map(|(id, name, to)| {
                json!({
                    "id": id,
                    "name": name,
                    "to": meta::status(self.base(), to),
                    "hasScreen": false,
                    "isGlobal": false,
                    "isInitial": false,
                    "isAvailable": true,
                    "isConditional": false,
                    "isLooped": false,
                })
            })
            .collect();
        axum::Json(json!({ "expand": "transitions", "transitions": list })).into_response()
    }

    fn transition(&self, key: &str, body: &[u8]) -> Response {
        let body = match json_body(body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let id = body
            .pointer("/transition/id")
            .and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string())))
            .unwrap_or_default();
        let mut store = lock(&self.store);
        let Some(index) = store.find(&self.options.project, key) else { return no_issue() };
        let Some((_, _, to)) = store.transitions(index).into_iter().find(|t| t.0 == id) else {
            return message(
                StatusCode::BAD_REQUEST,
                &format!("Transition id '{id}' is not valid for this issue."),
            );
        };
        let resolution = match body.pointer("/fields/resolution") {
            None | Some(Value::Null) => None,
            Some(value) => match value.get("name").and_then(Value::as_str) {
                Some(name) if self.options.resolutions.iter().any(|r| r == name) => Some(name.to_owned()),
                _ => {
                    return problems(
                        StatusCode::BAD_REQUEST,
                        &Problems::field("resolution", "Specify a valid 'id' or 'name' for Resolution"),
                    );
                }
            },
        };
        if let Some(comments) = body.pointer("/update/comment").and_then(Value::as_array) {
            for op in comments {
                if let Some(add) = op.get("add")
                    && let Err(p) = store.comment(&self.options, self.base(), index, add)
                {
                    return problems(StatusCode::BAD_REQUEST, &p);
                }
            }
        }
        store.set_status(index, to, resolution);
        StatusCode::NO_CONTENT.into_response()
    }

    /// Cloud's `/search/jql`.
    fn search_jql(&self, jql: &str, token: Option<&str>, max: Option<i64>, fields: &[String]) -> Response {
        let query = match jql::parse(jql) {
            Ok(query) => query,
            Err(error) => return message(StatusCode::BAD_REQUEST, &error),
        };
        if query.clauses.is_empty() {
            return message(
                StatusCode::BAD_REQUEST,
                "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
            );
        }
        let fingerprint = hash_bytes(jql.as_bytes()) & 0xffff_ffff;
        let offset = match token {
            None | Some("") => 0,
            Some(token) => match token.strip_prefix("fake").and_then(|t| t.split_once('.')) {
                Some((fp, offset)) if u64::from_str_radix(fp, 16).ok() == Some(fingerprint) => {
                    match offset.parse::<usize>() {
                        Ok(offset) => offset,
                        Err(_) => {
                            return message(
                                StatusCode::BAD_REQUEST,
                                "The provided next page token is invalid or expired.",
                            );
                        }
                    }
                }
                _ => {
                    return message(
                        StatusCode::BAD_REQUEST,
                        "The provided next page token is invalid or expired.",
                    );
                }
            },
        };
        let selection = Selection::parse(fields, Selection::IdOnly);
        let cap = if matches!(selection, Selection::IdOnly) { 5000 } else { 100 };
        let max = match max {
            None | Some(0) => 50,
            Some(n) if n < 0 => {
                return message(StatusCode::BAD_REQUEST, "The 'maxResults' parameter must not be negative.");
            }
            Some(n) => usize::try_from(n).unwrap_or(cap).min(cap),
        };
        let store = lock(&self.store);
        let found = match store.search(&self.options, &query) {
            Ok(found) => found,
            Err(error) => return message(StatusCode::BAD_REQUEST, &error),
        };
        let page: Vec<Value> = found
            .iter()
            .skip(offset)
            .take(max)
            .map(|i| store.issue_json(&self.options, self.base(), *i, &selection))
            .collect();
        let end = offset.saturating_add(max);
        let mut answer = json!({ "issues": page, "isLast": end >= found.len() });
        if end < found.len()
            && let Some(map) = answer.as_object_mut()
        {
            map.insert("nextPageToken".to_owned(), json!(format!("fake{fingerprint:x}.{end}")));
        }
        axum::Json(answer).into_response()
    }

    /// Cloud's `/search/approximate-count` (exact here).
    fn approximate_count(&self, body: &[u8]) -> Response {
        let body = match json_body(body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let jql = body.get("jql").and_then(Value::as_str).unwrap_or_default();
        let query = match jql::parse(jql) {
            Ok(query) if query.clauses.is_empty() => {
                return message(
                    StatusCode::BAD_REQUEST,
                    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
                );
            }
            Ok(query) => query,
            Err(error) => return message(StatusCode::BAD_REQUEST, &error),
        };
        match lock(&self.store).search(&self.options, &query) {
            Ok(found) => axum::Json(json!({ "count": found.len() })).into_response(),
            Err(error) => message(StatusCode::BAD_REQUEST, &error),
        }
    }

    /// Server's `/search`.
    fn search_server(
        &self,
        jql: &str,
        start_at: Option<i64>,
        max: Option<i64>,
        fields: &[String],
    ) -> Response {
        let query = match jql::parse(jql) {
            Ok(query) => query,
            Err(error) => return message(StatusCode::BAD_REQUEST, &error),
        };
        let start = match start_at {
            None => 0,
            Some(n) => match usize::try_from(n) {
                Ok(n) => n,
                Err(_) => {
                    return message(StatusCode::BAD_REQUEST, "The 'startAt' parameter must not be negative.");
                }
            },
        };
        let max = match max {
            None => 50,
            Some(n) => match usize::try_from(n) {
                Ok(n) => n.min(1000),
                Err(_) => {
                    return message(
                        StatusCode::BAD_REQUEST,
                        "The 'maxResults' parameter must not be negative.",
                    );
                }
            },
        };
        let selection = Selection::parse(fields, Selection::All { navigable: true, except: Vec::new() });
        let store = lock(&self.store);
        let found = match store.search(&self.options, &query) {
            Ok(found) => found,
            Err(error) => return message(StatusCode::BAD_REQUEST, &error),
        };
        let page: Vec<Value> = found
            .iter()
            .skip(start)
            .take(max)
            .map(|i| store.issue_json(&self.options, self.base(), *i, &selection))
            .collect();
        axum::Json(json!({ "expand": "schema,names", "startAt": start, "maxResults": max, "total": found.len(), "issues": page }))
            .into_response()
    }
}

type AppState = State<Arc<Shared>>;
type RawParams = Result<Query<Params>, QueryRejection>;

fn params(raw: RawParams) -> Params {
    raw.map(|Query(p)| p).unwrap_or_default()
}

fn number(value: Option<&Value>) -> Option<i64> {
    value.and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
}

async fn server_info(State(s): AppState, headers: HeaderMap) -> Response {
    s.serve(route::SERVER_INFO, &headers, || {
        axum::Json(meta::server_info(&s.options, s.base())).into_response()
    })
    .await
}

async fn myself(State(s): AppState, headers: HeaderMap) -> Response {
    s.serve(route::MYSELF, &headers, || axum::Json(meta::myself(&s.options, s.base())).into_response()).await
}

/// Every permission asked for is granted: the fake has one user who may do anything.
async fn my_permissions(
    State(s): AppState,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    s.serve(route::MY_PERMISSIONS, &headers, || {
        if let Some(project) = query.get("projectKey")
            && project != &s.options.project
        {
            return message(
                StatusCode::NOT_FOUND,
                &format!("No project could be found with key '{project}'."),
            );
        }
        let permissions: serde_json::Map<String, Value> = query
            .get("permissions")
            .map(|keys| keys.split(',').map(str::trim).filter(|k| !k.is_empty()).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .map(|key| {
                let permission =
                    json!({"id": "1", "key": key, "name": key, "type": "PROJECT", "havePermission": true});
                (key.to_owned(), permission)
            })
            .collect();
        axum::Json(json!({ "permissions": permissions })).into_response()
    })
    .await
}

async fn fields(State(s): AppState, headers: HeaderMap) -> Response {
    s.serve(route::FIELD, &headers, || axum::Json(meta::fields(&s.options)).into_response()).await
}

async fn project(State(s): AppState, Path(key): Path<String>, headers: HeaderMap) -> Response {
    s.serve(route::PROJECT, &headers, || match meta::project(&s.options, s.base(), &key) {
        Some(project) => axum::Json(project).into_response(),
        None => message(StatusCode::NOT_FOUND, &format!("No project could be found with key '{key}'.")),
    })
    .await
}

async fn priorities(State(s): AppState, headers: HeaderMap) -> Response {
    s.serve(route::PRIORITY, &headers, || axum::Json(meta::priorities(&s.options, s.base())).into_response())
        .await
}

async fn createmeta_types(
    State(s): AppState,
    Path(project): Path<String>,
    headers: HeaderMap,
    raw: RawParams,
) -> Response {
    let params = params(raw);
    s.serve(route::CREATEMETA_TYPES, &headers, || {
        meta::createmeta_types(&s.options, s.base(), &project, &params)
    })
    .await
}

async fn createmeta_fields(
    State(s): AppState,
    Path((project, id)): Path<(String, String)>,
    headers: HeaderMap,
    raw: RawParams,
) -> Response {
    let params = params(raw);
    s.serve(route::CREATEMETA_FIELDS, &headers, || {
        meta::createmeta_fields(&s.options, s.base(), &project, &id, &params)
    })
    .await
}

async fn create(State(s): AppState, headers: HeaderMap, body: Bytes) -> Response {
    s.serve(route::CREATE, &headers, || s.create(&body)).await
}

async fn bulk_create(State(s): AppState, headers: HeaderMap, body: Bytes) -> Response {
    s.serve(route::BULK_CREATE, &headers, || s.bulk_create(&body)).await
}

async fn get_issue(
    State(s): AppState,
    Path(key): Path<String>,
    headers: HeaderMap,
    raw: RawParams,
) -> Response {
    let params = params(raw);
    s.serve(route::GET, &headers, || s.get_issue(&key, &params)).await
}

async fn edit_issue(
    State(s): AppState,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.serve(route::EDIT, &headers, || s.edit_issue(&key, &body)).await
}

async fn add_comment(
    State(s): AppState,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.serve(route::ADD_COMMENT, &headers, || s.add_comment(&key, &body)).await
}

async fn list_comments(State(s): AppState, Path(key): Path<String>, headers: HeaderMap) -> Response {
    s.serve(route::COMMENTS, &headers, || s.list_comments(&key)).await
}

async fn transitions(State(s): AppState, Path(key): Path<String>, headers: HeaderMap) -> Response {
    s.serve(route::TRANSITIONS, &headers, || s.transitions(&key)).await
}

async fn transition(
    State(s): AppState,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.serve(route::TRANSITION, &headers, || s.transition(&key, &body)).await
}

async fn search_jql_get(State(s): AppState, headers: HeaderMap, raw: RawParams) -> Response {
    let p = params(raw);
    s.serve(route::SEARCH, &headers, || {
        let max = param(&p, "maxResults").and_then(|m| m.parse().ok());
        s.search_jql(
            param(&p, "jql").unwrap_or_default(),
            param(&p, "nextPageToken"),
            max,
            &params_all(&p, "fields"),
        )
    })
    .await
}

async fn search_jql_post(State(s): AppState, headers: HeaderMap, body: Bytes) -> Response {
    s.serve(route::SEARCH, &headers, || {
        let body = match json_body(&body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let fields: Vec<String> = body
            .get("fields")
            .and_then(Value::as_array)
            .map(|f| f.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        s.search_jql(
            body.get("jql").and_then(Value::as_str).unwrap_or_default(),
            body.get("nextPageToken").and_then(Value::as_str),
            number(body.get("maxResults")),
            &fields,
        )
    })
    .await
}

async fn approximate_count(State(s): AppState, headers: HeaderMap, body: Bytes) -> Response {
    s.serve(route::SEARCH_COUNT, &headers, || s.approximate_count(&body)).await
}

async fn search_get(State(s): AppState, headers: HeaderMap, raw: RawParams) -> Response {
    let p = params(raw);
    s.serve(route::SEARCH, &headers, || {
        let start = param(&p, "startAt").and_then(|m| m.parse().ok());
        let max = param(&p, "maxResults").and_then(|m| m.parse().ok());
        s.search_server(param(&p, "jql").unwrap_or_default(), start, max, &params_all(&p, "fields"))
    })
    .await
}

async fn search_post(State(s): AppState, headers: HeaderMap, body: Bytes) -> Response {
    s.serve(route::SEARCH, &headers, || {
        let body = match json_body(&body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let fields: Vec<String> = body
            .get("fields")
            .and_then(Value::as_array)
            .map(|f| f.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        s.search_server(
            body.get("jql").and_then(Value::as_str).unwrap_or_default(),
            number(body.get("startAt")),
            number(body.get("maxResults")),
            &fields,
        )
    })
    .await
}

async fn removed(State(s): AppState, headers: HeaderMap) -> Response {
    s.serve(route::SEARCH_REMOVED, &headers, || {
        message(
            StatusCode::GONE,
            "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046",
        )
    })
    .await
}

async fn not_found(State(s): AppState) -> Response {
    let _ = s.knobs.admit(route::NOT_FOUND).await;
    message(StatusCode::NOT_FOUND, "null for uri: the requested resource does not exist")
}
