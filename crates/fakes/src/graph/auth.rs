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

use super::api::{fault_response, graph_error, throttled};
use super::{Issued, Permission, Shared, route};
use crate::entra::{check_grant, new_token, not_a_form, token_answer};
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
        // The roles the application holds in the tenant, as a real token carries them.
        let roles = lock(&self.tenants).get(tenant_id).map(|tenant| match tenant.permission {
            Permission::None => vec![],
            Permission::Read => vec!["SecurityAlert.Read.All"],
            Permission::ReadWrite => vec!["SecurityAlert.ReadWrite.All"],
        });
        let known = roles.is_some();
        let secret_of = |client_id: &str| {
            self.apps.iter().find(|app| app.client_id == client_id).map(|app| app.client_secret.as_str())
        };
        let client_id = match check_grant(form, tenant_id, known, secret_of, &self.scope) {
            Ok(client_id) => client_id.to_owned(),
            Err(refusal) => return refusal,
        };
        let claims = json!({ "aud": "https://graph.microsoft.com", "tid": tenant_id, "roles": roles.unwrap_or_default() });
        let token = new_token(&claims);
        let lifetime = self.token_lifetime;
        let issued = Issued { tenant_id: tenant_id.to_owned(), client_id, until: Instant::now() + lifetime };
        lock(&self.issued).insert(token.clone(), issued);
        *lock(&self.tokens_by_tenant).entry(tenant_id.to_owned()).or_insert(0) += 1;
        token_answer(&token, lifetime)
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
        Err(_) => not_a_form(),
    };
    s.knobs.serve(route::TOKEN, fault_response, || Ok(()), handle).await
}
