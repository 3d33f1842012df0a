//! The clients, the mapper and the state store a pass needs, built from the checked config.
//!
//! Building the clients needs no network; [`Services::connect`] then reads Jira's field list once
//! (when `[jira.fields]` names any field) to resolve field names to ids and value shapes.

use std::sync::Arc;

use alert_mapping::{Mapper, MappingConfig, TenantContext, TicketAttribute};
use anyhow::{Context, Result};
use jira_client::{FieldResolver, ProjectRef};

use crate::config::{Config, JiraAuth, TenantAuth, TenantSource};
use crate::state::StateStore;

mod graph;

/// An error in the config found only once the services were reached (an unknown Jira field name,
/// a bad summary template): the binary exits with status 2 for it, as for any config error.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {reason}")]
pub struct ConfigProblem {
    /// The config key at fault.
    pub key: String,
    /// What is wrong with it.
    pub reason: String,
}

/// One tenant, ready to be read.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// Its name from the config.
    pub name: String,
    /// Its client (with its own pacing), of the API its alerts are read from.
    pub client: TenantClient,
    /// What the mapping needs to know of it.
    pub context: TenantContext,
}

/// The client of a tenant: the API its `source` names.
#[derive(Debug, Clone)]
pub enum TenantClient {
    /// The Defender for Cloud Apps REST API.
    Mcas(mcas_client::Client),
    /// Microsoft Graph security alerts.
    Graph(graph_security_client::Client),
}

impl Tenant {
    /// The MCAS client, when the tenant is read through the Defender for Cloud Apps API.
    pub fn mcas(&self) -> Option<&mcas_client::Client> {
        match &self.client {
            TenantClient::Mcas(client) => Some(client),
            TenantClient::Graph(_) => None,
        }
    }

    /// The Graph client, when the tenant is read through Microsoft Graph.
    pub fn graph(&self) -> Option<&graph_security_client::Client> {
        match &self.client {
            TenantClient::Graph(client) => Some(client),
            TenantClient::Mcas(_) => None,
        }
    }
}

/// What the clients tell of their requests, per service: `watch`'s metrics and its shutdown's
/// count of Jira requests in flight. None by default.
#[derive(Clone, Default)]
pub struct Observers {
    /// Told of every MCAS request (all tenants).
    pub mcas: Option<Arc<dyn http_support::Observer>>,
    /// Told of every Microsoft Graph request (all Graph tenants).
    pub graph: Option<Arc<dyn http_support::Observer>>,
    /// Told of every Jira request.
    pub jira: Option<Arc<dyn http_support::Observer>>,
    /// Told of every AbuseIPDB request.
    pub abuseipdb: Option<Arc<dyn http_support::Observer>>,
}

impl std::fmt::Debug for Observers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observers")
            .field("mcas", &self.mcas.is_some())
            .field("graph", &self.graph.is_some())
            .field("jira", &self.jira.is_some())
            .field("abuseipdb", &self.abuseipdb.is_some())
            .finish()
    }
}

/// The clients of the three services, built without any network access.
#[derive(Debug, Clone)]
pub struct Clients {
    /// One per tenant, in config order.
    pub tenants: Vec<Tenant>,
    /// Jira.
    pub jira: jira_client::Client,
    /// AbuseIPDB, when `[abuseipdb]` is configured.
    pub abuseipdb: Option<abuseipdb_client::Client>,
}

impl Clients {
    /// Builds every client from the config.
    ///
    /// # Errors
    /// When a client refuses its settings (a URL, a credential that cannot be a header).
    pub fn build(config: &Config) -> Result<Self> {
        Self::build_observed(config, &Observers::default())
    }

    /// [`Clients::build`], each client telling its service's observer of its requests.
    ///
    /// # Errors
    /// As [`Clients::build`].
    pub fn build_observed(config: &Config, observers: &Observers) -> Result<Self> {
        let mut graph = graph::GraphClients::new(config, observers.graph.clone());
        let tenants = config
            .tenants
            .iter()
            .map(|tenant| {
                let mcas = match &tenant.source {
                    TenantSource::Mcas(mcas) => mcas,
                    TenantSource::Graph(source) => {
                        let client = graph.client(&tenant.name, source)?;
                        let context = TenantContext::new(tenant.name.clone());
                        return Ok(Tenant {
                            name: tenant.name.clone(),
                            client: TenantClient::Graph(client),
                            context,
                        });
                    }
                };
                let auth = match &mcas.auth {
                    TenantAuth::Token(token) => mcas_client::Auth::token(token.get()?.clone()),
                    TenantAuth::Entra { tenant_id, client_id, client_secret, authority } => {
                        let app =
                            mcas_client::EntraApp::builder(client_id.clone(), client_secret.get()?.clone())
                                .authority(authority.clone())
                                .build()
                                .with_context(|| {
                                    format!("tenant {}: cannot set up its Entra application", tenant.name)
                                })?;
                        mcas_client::Auth::entra(app, tenant_id.clone())
                    }
                };
                let mut builder = mcas_client::Client::builder(mcas.url.clone(), auth)
                    .requests_per_minute(config.fetch.requests_per_minute);
                if let Some(observer) = &observers.mcas {
                    builder = builder.observer(Arc::clone(observer));
                }
                let client = builder
                    .build()
                    .with_context(|| format!("tenant {}: cannot set up its client", tenant.name))?;
                let context = TenantContext::new(tenant.name.clone()).portal_url(mcas.url.clone());
                Ok(Tenant { name: tenant.name.clone(), client: TenantClient::Mcas(client), context })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut jira = jira_builder(config)?;
        if let Some(observer) = &observers.jira {
            jira = jira.observer(Arc::clone(observer));
        }
        let jira = jira.build().context("jira: cannot set up its client")?;
        let abuseipdb = config
            .abuseipdb
            .as_ref()
            .map(|abuse| {
                let mut builder = abuseipdb_client::Client::builder(abuse.key.get()?.clone())
                    .base_url(abuse.url.clone())
                    .timeout(abuse.timeout);
                if let Some(observer) = &observers.abuseipdb {
                    builder = builder.observer(Arc::clone(observer));
                }
                builder.build().context("abuseipdb: cannot set up its client")
            })
            .transpose()?;
        Ok(Self { tenants, jira, abuseipdb })
    }
}

/// The Jira client alone: what `report --jira` needs, built from the Jira secret only.
///
/// # Errors
/// When the client refuses its settings, or the config was loaded without the Jira secret.
pub fn jira_client(config: &Config) -> Result<jira_client::Client> {
    jira_builder(config)?.build().context("jira: cannot set up its client")
}

fn jira_builder(config: &Config) -> Result<jira_client::ClientBuilder> {
    let auth = match &config.jira.auth {
        JiraAuth::Basic { user, token } => jira_client::Auth::basic(user.clone(), token.get()?.clone()),
        JiraAuth::Bearer(pat) => jira_client::Auth::bearer(pat.get()?.clone()),
    };
    Ok(jira_client::Client::builder(config.jira.url.clone(), config.jira.deployment, auth))
}

/// Everything a pass needs.
#[derive(Debug, Clone)]
pub struct Services {
    /// The checked config.
    pub config: Arc<Config>,
    /// The clients.
    pub clients: Clients,
    /// The mapper, with field ids resolved and rules compiled.
    pub mapper: Arc<Mapper>,
    /// The state store.
    pub store: Arc<StateStore>,
}

impl Services {
    /// Builds the clients, resolves `[jira.fields]` through Jira's field list, compiles the rules
    /// and opens the state store.
    ///
    /// # Errors
    /// [`ConfigProblem`] (in the chain) for an unknown or ambiguous field name, a field that cannot
    /// hold its attribute, a bad rule or summary template; other errors when Jira cannot be
    /// reached or the state store cannot be opened.
    pub async fn connect(config: Config) -> Result<Self> {
        Self::connect_observed(config, &Observers::default()).await
    }

    /// [`Services::connect`], each client telling its service's observer of its requests.
    ///
    /// # Errors
    /// As [`Services::connect`].
    pub async fn connect_observed(config: Config, observers: &Observers) -> Result<Self> {
        let clients = Clients::build_observed(&config, observers)?;
        let mapper = build_mapper(&config, &clients.jira).await?;
        let path = config.state.path.clone();
        let store = tokio::task::spawn_blocking(move || StateStore::open(&path))
            .await
            .context("state store: the opening task failed")?
            .with_context(|| format!("state store {}", config.state.path.display()))?;
        Ok(Self { config: Arc::new(config), clients, mapper: Arc::new(mapper), store: Arc::new(store) })
    }

    /// The Jira project the tickets go to.
    pub fn project(&self) -> ProjectRef {
        ProjectRef::key(self.config.jira.project.clone())
    }
}

/// The mapper for this config: the rules the config compiled, field names resolved against Jira's
/// field list.
///
/// # Errors
/// [`ConfigProblem`] for a config the mapping refuses; other errors when Jira's field list cannot
/// be read.
pub async fn build_mapper(config: &Config, jira: &jira_client::Client) -> Result<Mapper> {
    let mut mapping = MappingConfig::new(config.jira.deployment)
        .labels(config.jira.labels.iter().cloned())
        .priorities(config.jira.priorities.clone())
        .rules(config.rules.clone())
        .issue_type(config.jira.issue_type.clone());
    if let Some(template) = &config.jira.summary_template {
        mapping = mapping.summary_template(template.clone());
    }
    if !config.jira.fields.is_empty() {
        let fields = jira.fields().await.context("jira: cannot read the field list")?;
        let resolver = FieldResolver::new(fields);
        for (attribute, name) in &config.jira.fields {
            let key = format!("jira.fields.{attribute}");
            let attr: TicketAttribute =
                attribute.parse().map_err(|e| ConfigProblem { key: key.clone(), reason: format!("{e}") })?;
            let field = resolver
                .resolve(name)
                .map_err(|e| ConfigProblem { key: key.clone(), reason: format!("{e}") })?;
            mapping = mapping.field(attr, field.id.clone(), field.shape());
        }
    }
    Mapper::new(mapping).map_err(|e| ConfigProblem { key: "jira".into(), reason: e.to_string() }.into())
}
