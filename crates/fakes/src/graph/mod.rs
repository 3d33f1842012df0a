//! A fake Microsoft Graph security alerts API (`alerts_v2`) for many tenants, with the Microsoft
//! Entra token endpoint of each tenant on the same server.

mod api;
mod auth;
mod generate;
mod odata;
mod store;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use jiff::Timestamp;
use serde_json::Value;

use self::api::{comment, get_alert, list, not_found, update};
use self::auth::token;
pub use self::generate::{demo_alerts, generated_alerts};
use self::store::TenantAlerts;
use crate::server::{Knobs, Running, knob_methods, lock};

/// Route names of [`FakeGraph`], for [`FakeGraph::fail_next`] and [`Stats`](crate::Stats).
pub mod route {
    /// `POST /{tenant_id}/oauth2/v2.0/token` (Microsoft Entra client credentials).
    pub const TOKEN: &str = "graph.token";
    /// `GET /v1.0/security/alerts_v2`.
    pub const LIST: &str = "graph.alerts.list";
    /// `GET /v1.0/security/alerts_v2/{id}`.
    pub const GET: &str = "graph.alerts.get";
    /// `PATCH /v1.0/security/alerts_v2/{id}`.
    pub const UPDATE: &str = "graph.alerts.update";
    /// `POST /v1.0/security/alerts_v2/{id}/comments`.
    pub const COMMENT: &str = "graph.alerts.comment";
    /// Any path the fake does not serve.
    pub const NOT_FOUND: &str = "not_found";
}

/// The scope a client-credentials token request for Microsoft Graph asks for.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

/// The page size when a request gives no `$top` (the real default is not documented).
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// What an application may do in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Permission {
    /// Nothing: every alerts request is answered `403`.
    None,
    /// `SecurityAlert.Read.All`: list and get.
    Read,
    /// `SecurityAlert.ReadWrite.All`: also update and comment.
    #[default]
    ReadWrite,
}

/// A multi-tenant Microsoft Entra application, consented in every tenant of the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphApp {
    /// The application (client) id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
}

/// One customer tenant of the fake.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GraphTenant {
    /// The directory (tenant) id in the token URL.
    pub tenant_id: String,
    /// The alerts, in any order (they are served newest first).
    pub alerts: Vec<Value>,
    /// What the applications may do in this tenant.
    pub permission: Permission,
}

impl GraphTenant {
    /// A tenant with these alerts, where the applications may read and write.
    pub fn new(tenant_id: impl Into<String>, alerts: Vec<Value>) -> Self {
        Self { tenant_id: tenant_id.into(), alerts, permission: Permission::ReadWrite }
    }

    /// Sets the permission.
    #[must_use]
    pub fn permission(mut self, permission: Permission) -> Self {
        self.permission = permission;
        self
    }
}

/// How to start a [`FakeGraph`].
#[derive(Debug, Clone)]
pub struct FakeGraphOptions {
    /// The applications that may get tokens, for any tenant.
    pub apps: Vec<GraphApp>,
    /// The tenants.
    pub tenants: Vec<GraphTenant>,
    /// The scope token requests must ask for.
    pub scope: String,
    /// How long issued tokens are accepted (`expires_in`).
    pub token_lifetime: Duration,
    /// Graph's throttle, per tenant: at most this many alerts requests in any 60 seconds, the
    /// next answered `429` with `Retry-After`. `None` never throttles.
    pub requests_per_minute: Option<u32>,
    /// The largest `$top` accepted.
    pub max_page_size: usize,
    /// Delay added to every request.
    pub latency: Duration,
}

impl Default for FakeGraphOptions {
    fn default() -> Self {
        FakeGraphOptions {
            apps: vec![GraphApp {
                client_id: "5c1d7e3a-0000-4000-8000-00000000a991".to_owned(),
                client_secret: "fake-graph-app-secret".to_owned(),
            }],
            tenants: Vec::new(),
            scope: GRAPH_SCOPE.to_owned(),
            token_lifetime: Duration::from_secs(3599),
            requests_per_minute: None,
            max_page_size: 1000,
            latency: Duration::ZERO,
        }
    }
}

/// A change made through `PATCH /v1.0/security/alerts_v2/{id}`, as [`FakeGraph::updates`]
/// reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateCall {
    /// The tenant of the token.
    pub tenant_id: String,
    /// The alert.
    pub alert_id: String,
    /// The request body.
    pub body: Value,
}

/// A comment added through `POST /v1.0/security/alerts_v2/{id}/comments`, as
/// [`FakeGraph::comments`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommentCall {
    /// The tenant of the token.
    pub tenant_id: String,
    /// The alert.
    pub alert_id: String,
    /// The comment.
    pub comment: String,
}

struct Tenant {
    alerts: TenantAlerts,
    permission: Permission,
    /// The start times of the alerts requests of the last minute, for the throttle.
    recent: VecDeque<Instant>,
}

struct Issued {
    tenant_id: String,
    client_id: String,
    until: Instant,
}

struct Shared {
    knobs: Arc<Knobs>,
    url: Mutex<String>,
    apps: Vec<GraphApp>,
    scope: String,
    token_lifetime: Duration,
    requests_per_minute: Option<u32>,
    max_page_size: usize,
    tenants: Mutex<HashMap<String, Tenant>>,
    issued: Mutex<HashMap<String, Issued>>,
    tokens_by_tenant: Mutex<HashMap<String, u64>>,
    updates: Mutex<Vec<UpdateCall>>,
    comments: Mutex<Vec<CommentCall>>,
}

/// A fake Microsoft Graph security alerts API on `127.0.0.1`, for many tenants.
///
/// Serves `GET /v1.0/security/alerts_v2` (newest first; `$filter` on `serviceSource`, `status`,
/// `severity`, `classification`, `determination`, `assignedTo` with `eq`/`ne`, and on
/// `createdDateTime`/`lastUpdateDateTime` with `eq`, `ne`, `gt`, `ge`, `lt`, `le`, joined with
/// `and`, `or` and parentheses; `$top`, `$skip`, `$count`; `@odata.nextLink` by `$skip`), get,
/// update and comment, each for the tenant of the bearer token, and each tenant's token
/// endpoint `POST /{tenant_id}/oauth2/v2.0/token`, so that an application's authority can be
/// [`url`](Self::url). Errors come in Graph's shape (`{"error": {"code", "message",
/// "innerError"}}`), token refusals in Entra's. Stops on drop.
pub struct FakeGraph {
    running: Running,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FakeGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGraph").field("url", &self.url()).finish_non_exhaustive()
    }
}

impl FakeGraph {
    /// Binds an ephemeral loopback port and starts serving.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(options: FakeGraphOptions) -> std::io::Result<FakeGraph> {
        let knobs = Arc::new(Knobs::new(options.latency));
        let tenants = options
            .tenants
            .into_iter()
            .map(|t| {
                let tenant = Tenant {
                    alerts: TenantAlerts::new(t.alerts),
                    permission: t.permission,
                    recent: VecDeque::new(),
                };
                (t.tenant_id, tenant)
            })
            .collect();
        let shared = Arc::new(Shared {
            knobs: Arc::clone(&knobs),
            url: Mutex::new(String::new()),
            apps: options.apps,
            scope: options.scope,
            token_lifetime: options.token_lifetime,
            requests_per_minute: options.requests_per_minute,
            max_page_size: options.max_page_size.max(1),
            tenants: Mutex::new(tenants),
            issued: Mutex::new(HashMap::new()),
            tokens_by_tenant: Mutex::new(HashMap::new()),
            updates: Mutex::new(Vec::new()),
            comments: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route("/{tenant_id}/oauth2/v2.0/token", post(token))
            .route("/v1.0/security/alerts_v2", get(list))
            .route("/v1.0/security/alerts_v2/{id}", get(get_alert).patch(update))
            .route("/v1.0/security/alerts_v2/{id}/comments", post(comment))
            .fallback(not_found)
            .with_state(Arc::clone(&shared));
        let running = Running::start(router, knobs).await?;
        // Next links are absolute, so the handlers need the address the server got.
        *lock(&shared.url) = running.url().to_owned();
        Ok(FakeGraph { running, shared })
    }

    knob_methods!();

    /// A snapshot of a tenant's alerts, newest first, with the changes made through the API.
    pub fn alerts(&self, tenant_id: &str) -> Vec<Value> {
        lock(&self.shared.tenants).get(tenant_id).map(|t| t.alerts.snapshot()).unwrap_or_default()
    }

    /// One alert of a tenant.
    pub fn alert(&self, tenant_id: &str, id: &str) -> Option<Value> {
        lock(&self.shared.tenants).get(tenant_id).and_then(|t| t.alerts.get(id).cloned())
    }

    /// The number of alerts a tenant holds.
    pub fn alert_count(&self, tenant_id: &str) -> usize {
        lock(&self.shared.tenants).get(tenant_id).map_or(0, |t| t.alerts.len())
    }

    /// Adds alerts to a tenant while the server runs (for "an alert arrives mid-walk" tests),
    /// adding the tenant if it is new.
    pub fn add_alerts(&self, tenant_id: &str, alerts: Vec<Value>) {
        let mut tenants = lock(&self.shared.tenants);
        match tenants.get_mut(tenant_id) {
            Some(tenant) => tenant.alerts.add(alerts),
            None => {
                let tenant = Tenant {
                    alerts: TenantAlerts::new(alerts),
                    permission: Permission::ReadWrite,
                    recent: VecDeque::new(),
                };
                tenants.insert(tenant_id.to_owned(), tenant);
            }
        }
    }

    /// Changes an alert as an analyst in the Microsoft Defender portal would (e.g.
    /// `{"status": "resolved", "classification": "truePositive"}`), without recording an API
    /// call. Returns whether the alert exists.
    pub fn update_alert(&self, tenant_id: &str, id: &str, changes: Value) -> bool {
        let Value::Object(changes) = changes else { return false };
        let mut tenants = lock(&self.shared.tenants);
        tenants.get_mut(tenant_id).and_then(|t| t.alerts.update(id, &changes, Timestamp::now())).is_some()
    }

    /// Sets what the applications may do in a tenant.
    pub fn set_permission(&self, tenant_id: &str, permission: Permission) {
        if let Some(tenant) = lock(&self.shared.tenants).get_mut(tenant_id) {
            tenant.permission = permission;
        }
    }

    /// The updates served so far, oldest first.
    pub fn updates(&self) -> Vec<UpdateCall> {
        lock(&self.shared.updates).clone()
    }

    /// The comments added through the API so far, oldest first.
    pub fn comments(&self) -> Vec<CommentCall> {
        lock(&self.shared.comments).clone()
    }

    /// How many tokens the endpoint of `tenant_id` has issued.
    pub fn tokens_issued(&self, tenant_id: &str) -> u64 {
        lock(&self.shared.tokens_by_tenant).get(tenant_id).copied().unwrap_or(0)
    }

    /// Makes every token issued so far invalid: it has expired.
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for issued in lock(&self.shared.issued).values_mut() {
            issued.until = now;
        }
    }
}
