//! The alerts endpoints: list with the `$filter` subset and next links, get, update, comment;
//! and the error answers in Graph's shape.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::auth::Needs;
use super::{CommentCall, DEFAULT_PAGE_SIZE, Shared, UpdateCall, odata, route};
use crate::server::{FaultKind, lock};

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// An error in Graph's shape.
pub(super) fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let request_id = format!(
        "{:08x}-{:04x}-4000-8000-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u64(..) >> 16
    );
    json_response(
        status,
        json!({
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": request_id,
                    "client-request-id": request_id,
                },
            },
        }),
    )
}

pub(super) fn throttled(retry_after_secs: u64) -> Response {
    let mut response = graph_error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Too many requests. Retry after the time in Retry-After.",
    );
    response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

pub(super) fn fault_response(kind: &FaultKind) -> Response {
    match kind {
        FaultKind::RateLimit { retry_after_secs } => throttled(*retry_after_secs),
        FaultKind::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let (code, message) = match status.as_u16() {
                401 => ("InvalidAuthenticationToken", "Access token validation failure."),
                403 => {
                    ("Forbidden", "Missing application roles. API required roles: SecurityAlert.Read.All.")
                }
                404 => ("NotFound", "The requested resource was not found."),
                429 => ("TooManyRequests", "Too many requests."),
                503 => ("ServiceUnavailable", "The service is temporarily unavailable."),
                _ => ("InternalServerError", "An internal server error occurred."),
            };
            graph_error(status, code, message)
        }
        // Not answer-replacing faults; `admit` handles them.
        FaultKind::Delay(_) | FaultKind::LoseResponse => graph_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "An internal server error occurred.",
        ),
    }
}

const STATUSES: [&str; 3] = ["new", "inProgress", "resolved"];
const CLASSIFICATIONS: [&str; 4] =
    ["unknown", "falsePositive", "truePositive", "informationalExpectedActivity"];
const DETERMINATIONS: [&str; 15] = [
    "unknown",
    "apt",
    "malware",
    "securityPersonnel",
    "securityTesting",
    "unwantedSoftware",
    "other",
    "multiStagedAttack",
    "compromisedAccount",
    "phishing",
    "maliciousUserActivity",
    "notMalicious",
    "notEnoughDataToValidate",
    "confirmedActivity",
    "lineOfBusinessApplication",
];

impl Shared {
    fn list(&self, tenant_id: &str, query: Option<&str>) -> Response {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let bad = |message: &str| graph_error(StatusCode::BAD_REQUEST, "BadRequest", message);
        if let Some((name, _)) =
            pairs.iter().find(|(k, _)| !matches!(k.as_str(), "$filter" | "$top" | "$skip" | "$count"))
        {
            return bad(&format!("Query option '{name}' is not allowed."));
        }
        let filter = match get("$filter").map(odata::parse).transpose() {
            Ok(filter) => filter,
            Err(message) => return bad(&format!("Invalid filter clause: {message}")),
        };
        let number = |name: &str, default: usize| -> Result<usize, Response> {
            match get(name) {
                None => Ok(default),
                Some(text) => text.parse().map_err(|_| bad(&format!("Invalid value '{text}' for {name}."))),
            }
        };
        let top = match number("$top", DEFAULT_PAGE_SIZE) {
            Ok(0) => return bad("$top must be at least 1."),
            Ok(top) if top > self.max_page_size => {
                return bad(&format!("$top cannot be larger than {}.", self.max_page_size));
            }
            Ok(top) => top,
            Err(response) => return response,
        };
        let skip = match number("$skip", 0) {
            Ok(skip) => skip,
            Err(response) => return response,
        };
        let count = match get("$count") {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => return bad(&format!("Invalid value '{other}' for $count.")),
        };
        let (page, total) = match lock(&self.tenants).get(tenant_id) {
            Some(tenant) => tenant.alerts.page(filter.as_ref(), skip, top),
            None => (Vec::new(), 0),
        };
        let base = lock(&self.url).clone();
        let mut body = json!({
            "@odata.context": format!("{base}/v1.0/$metadata#security/alerts_v2"),
            "value": page,
        });
        if count {
            body["@odata.count"] = json!(total);
        }
        if skip.saturating_add(top) < total {
            // Graph's next links repeat the query with the position moved on, `$` unencoded.
            let mut link = format!("{base}/v1.0/security/alerts_v2?");
            if let Some(filter) = get("$filter") {
                link.push_str("$filter=");
                link.extend(url::form_urlencoded::byte_serialize(filter.as_bytes()));
                link.push('&');
            }
            if count {
                link.push_str("$count=true&");
            }
            link.push_str(&format!("$top={top}&$skip={}", skip + top));
            body["@odata.nextLink"] = json!(link);
        }
        json_response(StatusCode::OK, body)
    }

    fn get_alert(&self, tenant_id: &str, id: &str) -> Response {
        match lock(&self.tenants).get(tenant_id).and_then(|t| t.alerts.get(id)) {
            Some(alert) => json_response(StatusCode::OK, alert.clone()),
            None => graph_error(StatusCode::NOT_FOUND, "NotFound", &format!("Alert {id} not found.")),
        }
    }

    fn update(&self, tenant_id: &str, id: &str, body: &[u8]) -> Response {
        let bad = |message: &str| graph_error(StatusCode::BAD_REQUEST, "BadRequest", message);
        let Ok(Value::Object(changes)) = serde_json::from_slice::<Value>(body) else {
            return bad("The request body must be a JSON object.");
        };
        for (key, value) in &changes {
            let allowed: &[&str] = match key.as_str() {
                "status" => &STATUSES,
                "classification" => &CLASSIFICATIONS,
                "determination" => &DETERMINATIONS,
                "assignedTo" if value.is_string() || value.is_null() => continue,
                "@odata.type" => continue,
                other => return bad(&format!("Property '{other}' cannot be updated.")),
            };
            if !value.as_str().is_some_and(|v| allowed.contains(&v)) {
                return bad(&format!("Invalid value {value} for {key}."));
            }
        }
        let changes: serde_json::Map<String, Value> =
            changes.into_iter().filter(|(k, _)| k != "@odata.type").collect();
        let updated = lock(&self.tenants)
            .get_mut(tenant_id)
            .and_then(|t| t.alerts.update(id, &changes, Timestamp::now()));
        match updated {
            Some(alert) => {
                lock(&self.updates).push(UpdateCall {
                    tenant_id: tenant_id.to_owned(),
                    alert_id: id.to_owned(),
                    body: Value::Object(changes),
                });
                json_response(StatusCode::OK, alert)
            }
            None => graph_error(StatusCode::NOT_FOUND, "NotFound", &format!("Alert {id} not found.")),
        }
    }

    fn comment(&self, tenant_id: &str, client_id: &str, id: &str, body: &[u8]) -> Response {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let Some(text) = body.get("comment").and_then(Value::as_str).filter(|c| !c.trim().is_empty()) else {
            return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "The comment is missing or empty.");
        };
        let comments = lock(&self.tenants)
            .get_mut(tenant_id)
            .and_then(|t| t.alerts.comment(id, text, client_id, Timestamp::now()));
        match comments {
            Some(comments) => {
                lock(&self.comments).push(CommentCall {
                    tenant_id: tenant_id.to_owned(),
                    alert_id: id.to_owned(),
                    comment: text.to_owned(),
                });
                let base = lock(&self.url).clone();
                json_response(
                    StatusCode::OK,
                    json!({
                        "@odata.context": format!("{base}/v1.0/$metadata#security/alerts_v2('{id}')/comments"),
                        "value": comments,
                    }),
                )
            }
            None => graph_error(StatusCode::NOT_FOUND, "NotFound", &format!("Alert {id} not found.")),
        }
    }
}

type AppState = State<Arc<Shared>>;

pub(super) async fn list(State(s): AppState, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    s.serve(route::LIST, &headers, Needs::Read, |tenant, _| s.list(tenant, query.as_deref())).await
}

pub(super) async fn get_alert(State(s): AppState, headers: HeaderMap, Path(id): Path<String>) -> Response {
    s.serve(route::GET, &headers, Needs::Read, |tenant, _| s.get_alert(tenant, &id)).await
}

pub(super) async fn update(
    State(s): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    s.serve(route::UPDATE, &headers, Needs::Write, |tenant, _| s.update(tenant, &id, &body)).await
}

pub(super) async fn comment(
    State(s): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    s.serve(route::COMMENT, &headers, Needs::Write, |tenant, app| s.comment(tenant, app, &id, &body)).await
}

pub(super) async fn not_found(State(s): AppState) -> Response {
    s.knobs.admit(route::NOT_FOUND).await;
    graph_error(StatusCode::NOT_FOUND, "UnknownError", "Resource not found for the segment.")
}
