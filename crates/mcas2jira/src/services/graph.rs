//! The clients of the Graph tenants: one `EntraApp` per application, shared by every tenant that
//! names it, and one Graph client per tenant (its own pacing) over the Graph pool.
//!
//! Sharing the application is what makes one app for a thousand customers cheap: its secret is
//! read once, its token cache holds a token per tenant, and its lock per tenant lets tenants sign
//! in at the same time without waiting for each other.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context, Result};
use graph_security_client::{Auth, EntraApp};

use crate::config::{Config, EntraAppConfig, GraphApp, GraphTenantConfig};

/// Builds the Graph clients of a config, reusing one `EntraApp` per `[entra_apps]` table.
pub(super) struct GraphClients<'a> {
    config: &'a Config,
    observer: Option<Arc<dyn http_support::Observer>>,
    /// The applications built so far, by `[entra_apps]` name.
    apps: BTreeMap<String, EntraApp>,
    /// The one connection pool of every Graph client.
    pool: reqwest::Client,
}

impl<'a> GraphClients<'a> {
    pub(super) fn new(
        config: &'a Config,
        observer: Option<Arc<dyn http_support::Observer>>,
        pool: reqwest::Client,
    ) -> Self {
        Self { config, observer, apps: BTreeMap::new(), pool }
    }

    /// The client of the Graph tenant `name`.
    pub(super) fn client(
        &mut self,
        name: &str,
        tenant: &GraphTenantConfig,
    ) -> Result<graph_security_client::Client> {
        let app = match &tenant.app {
            GraphApp::Shared(app_name) => match self.apps.get(app_name) {
                Some(app) => app.clone(),
                None => {
                    let config = self.config.entra_apps.get(app_name).with_context(|| {
                        format!("tenant {name}: no [entra_apps.{app_name}] in the config")
                    })?;
                    let app = entra_app(config)
                        .with_context(|| format!("entra_apps.{app_name}: cannot set up the application"))?;
                    self.apps.insert(app_name.clone(), app.clone());
                    app
                }
            },
            GraphApp::Inline(config) => entra_app(config)
                .with_context(|| format!("tenant {name}: cannot set up its Entra application"))?,
        };
        let graph = &self.config.graph;
        let mut builder = graph_security_client::Client::builder(Auth::app(app, tenant.tenant_id.clone()))
            .base_url(graph.url.clone())
            .scope(graph.scope.clone())
            .requests_per_minute(graph.requests_per_minute)
            .http_client(self.pool.clone());
        if let Some(observer) = &self.observer {
            builder = builder.observer(Arc::clone(observer));
        }
        builder.build().with_context(|| format!("tenant {name}: cannot set up its Graph client"))
    }
}

fn entra_app(config: &EntraAppConfig) -> Result<EntraApp> {
    Ok(EntraApp::builder(config.client_id.clone(), config.client_secret.get()?.clone())
        .authority(config.authority.clone())
        .build()?)
}
