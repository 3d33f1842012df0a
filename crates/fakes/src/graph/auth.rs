//! Who is calling: the token endpoint of each tenant, and the bearer token, permission and
//! throttle of every alerts request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::api::{fault_response, graph_error, json_response, throttled};
use super::{Issued, Permission, Shared, route};
use crate::entra::entra_error;
use crate::server::lock;

/// Which permission a route needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Needs {
    Read,
    Write,
}

impl Shared {
    /// The tenant and application of the bearer token, after the permission and the throttle.
    pub(super) fn authorize(&self, headers: &HeaderMap, needs: Needs) -> Result<(String, String), Response> {
        let value = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let Some(token) = value.strip_prefix("Bearer ").filter(|t| !t.is_empty()) else {
            return Err(graph_error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Access token is empty.",
            ));
        };
        let (tenant_id, client_id) = match lock(&self.issued).get(token) {
            Some(issued) if issued.until > Instant::now() => {
                (issued.tenant_id.clone(), issued.client_id.clone())
            }
            Some(_) => {
                return Err(graph_error(
                    StatusCode::UNAUTHORIZED,
                    "InvalidAuthenticationToken",
                    "Lifetime validation failed, the token is expired.",
                ));
            }
            None => {
                return Err(graph_error(
                    StatusCode::UNAUTHORIZED,
                    "InvalidAuthenticationToken",
                    "IDX14100: JWT is not well formed.",
                ));
            }
        };
        let mut tenants = lock(&self.tenants);
        let Some(tenant) = tenants.get_mut(&tenant_id) else {
            return Err(graph_error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Unknown tenant.",
            ));
        };
        let allowed = match (tenant.permission, needs) {
            (Permission::ReadWrite, _) | (Permission::Read, Needs::Read) => true,
            (Permission::None, _) | (Permission::Read, Needs::Write) => false,
        };
        if !allowed {
            let roles = match tenant.permission {
                Permission::Read => "SecurityAlert.Read.All",
                _ => "",
            };
            let required = match needs {
                Needs::Read => "SecurityAlert.Read.All, SecurityAlert.ReadWrite.All",
                Needs::Write => "SecurityAlert.ReadWrite.All",
            };
            return Err(graph_error(
                StatusCode::FORBIDDEN,
                "Forbidden",
                &format!(
                    "Missing application roles. API required roles: {required}. Application roles: {roles}."
                ),
            ));
        }
        if let Some(limit) = self.requests_per_minute {
            let now = Instant::now();
            let window = Duration::from_secs(60);
            while tenant.recent.front().is_some_and(|start| now.duration_since(*start) >= window) {
                tenant.recent.pop_front();
            }
            if tenant.recent.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
                let oldest = tenant.recent.front().copied().unwrap_or(now);
                let wait = window.saturating_sub(now.duration_since(oldest));
                return Err(throttled(wait.as_secs_f64().ceil() as u64));
            }
            tenant.recent.push_back(now);
        }
        Ok((tenant_id, client_id))
    }

    /// Runs the steps every alerts request shares: counting, latency and faults, then the token,
    /// permission and throttle, then `handle` with the tenant and the application.
    pub(super) async fn serve(
        &self,
        route: &'static str,
        headers: &HeaderMap,
        needs: Needs,
        handle: impl FnOnce(&str, &str) -> Response,
    ) -> Response {
        // `Knobs::serve` takes the authorization and the handler as two closures, called one
        // after the other; the caller the first finds is handed to the second through this slot
        // (a mutex rather than a cell, since the request's future must be `Send`).
        let caller = Mutex::new(None::<(String, String)>);
        self.knobs
            .serve(
                route,
                fault_response,
                || {
                    *lock(&caller) = Some(self.authorize(headers, needs)?);
                    Ok(())
                },
                || match lock(&caller).as_ref() {
                    Some((tenant, app)) => handle(tenant, app),
                    None => graph_error(
                        StatusCode::UNAUTHORIZED,
                        "InvalidAuthenticationToken",
                        "Access token is empty.",
                    ),
                },
            )
            .await
    }

    fn issue_token(&self, tenant_id: &str, form: &HashMap<String, String>) -> Response {
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
        if !lock(&self.tenants).contains_key(tenant_id) {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                90002,
                &format!(
                    "Tenant '{tenant_id}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
                ),
            );
        }
        if field("grant_type") != "client_credentials" {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                "The app requested an unsupported grant type.",
            );
        }
        let Some(app) = self.apps.iter().find(|app| app.client_id == field("client_id")) else {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{}' was not found in the directory '{tenant_id}'.",
                    field("client_id")
                ),
            );
        };
        if field("client_secret") != app.client_secret {
            return entra_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
            );
        }
        if field("scope") != self.scope {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                1002012,
                &format!("The provided value for scope {} is not valid.", field("scope")),
            );
        }
        let token = format!(
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.{:016x}{:016x}",
            fastrand::u64(..),
            fastrand::u64(..)
        );
        let lifetime = self.token_lifetime;
        lock(&self.issued).insert(
            token.clone(),
            Issued {
                tenant_id: tenant_id.to_owned(),
                client_id: app.client_id.clone(),
                until: Instant::now() + lifetime,
            },
        );
        *lock(&self.tokens_by_tenant).entry(tenant_id.to_owned()).or_insert(0) += 1;
        json_response(
            StatusCode::OK,
            json!({
                "token_type": "Bearer",
                "expires_in": lifetime.as_secs(),
                "ext_expires_in": lifetime.as_secs(),
                "access_token": token,
            }),
        )
    }
}

pub(super) async fn token(
    State(s): State<Arc<Shared>>,
    Path(tenant_id): Path<String>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    // The token endpoint takes no bearer token: its "authorization" is the secret in the form.
    let handle = || match form {
        Ok(Form(form)) => s.issue_token(&tenant_id, &form),
        Err(_) => entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        ),
    };
    s.knobs.serve(route::TOKEN, fault_response, || Ok(()), handle).await
}
