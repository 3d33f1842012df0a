//! The clients, the mapper, the state store and the budgets a pass needs, built from the checked
//! config.
//!
//! Building the clients needs no network; [`Services::connect`] then reads Jira's field list once
//! (when `[jira.fields]` names any field) to resolve field names to ids and value shapes.
//!
//! Tenants are cheap to have: each service has one `reqwest::Client` (one connection pool, TLS
//! set up once) that every client of that service shares, so a thousand tenants mean a thousand
//! small `mcas_client::Client`s (a base URL, credentials and a pacer each) over one pool. What the
//! pools keep idle is bounded whatever the number of tenants:
//!
//! - MCAS: nothing. Each tenant's portal is its own host, read a few times per pass and then not
//!   for minutes; a connection kept per tenant was a socket per tenant (and "Too many open
//!   files" past about a thousand tenants). A tenant's next pages are read ahead while the
//!   current one is handled, so the new connection each request makes is rarely waited for.
//! - Jira and AbuseIPDB, one host each, used all the time: as many idle connections as their
//!   in-flight limits, closed after [`IDLE_TIMEOUT`].

use std::sync::Arc;
use std::time::Duration;

use alert_mapping::{Mapper, MappingConfig, TenantContext, TicketAttribute};
use anyhow::{Context, Result};
use http_support::{ClientOptions, Redirects};
use jira_client::{FieldResolver, ProjectRef};

use crate::config::{Config, JiraAuth, TenantAuth, TenantSource};
use crate::pipeline::Budgets;
use crate::preflight::JiraGate;
use crate::state::StateStore;

mod graph;

/// How long an idle Jira or AbuseIPDB connection is kept: shorter than the minute after which
/// servers and load balancers commonly close idle connections, so that a request is never sent
/// on a connection the server is closing (which, for a create, would leave its fate unknown).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The `reqwest::Client` of each service, one for all the clients of that service.
#[derive(Debug, Clone)]
struct Pools {
    mcas: reqwest::Client,
    /// Every Graph tenant's: they all talk to one host.
    graph: reqwest::Client,
    jira: reqwest::Client,
    abuseipdb: reqwest::Client,
}

impl Pools {
    fn build(config: &Config) -> Result<Self> {
        let agent = http_support::user_agent(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
        let pool = |redirects, idle: usize| {
            let mut options = ClientOptions::new(agent.clone()).redirects(redirects).max_idle_per_host(idle);
            if idle > 0 {
                options = options.idle_timeout(IDLE_TIMEOUT);
            }
            options.build()
        };
        let pipeline = &config.pipeline;
        Ok(Self {
            // MCAS requests follow no redirect: an Entra client's token request carries its secret
            // in the form body, which reqwest would carry along a 307 or 308 to any host.
            mcas: pool(Redirects::None, 0).context("MCAS: cannot set up the HTTP client")?,
            // Graph requests carry only the bearer token, which reqwest drops on a redirect to
            // another host; token requests go through each EntraApp's own client.
            graph: pool(Redirects::Follow, pipeline.concurrency)
                .context("graph: cannot set up the HTTP client")?,
            jira: pool(Redirects::Follow, pipeline.jira_concurrency)
                .context("jira: cannot set up the HTTP client")?,
            // AbuseIPDB's `Key` header would survive a redirect to another host.
            abuseipdb: pool(Redirects::None, pipeline.lookup_concurrency)
                .context("abuseipdb: cannot set up the HTTP client")?,
        })
    }
}

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

impl TenantClient {
    /// The client's pacer (`None` with pacing off), whichever API it calls.
    pub fn pacer(&self) -> Option<&mcas_client::Pacer> {
        match self {
            TenantClient::Mcas(client) => client.pacer(),
            TenantClient::Graph(client) => client.pacer(),
        }
    }
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
    /// Builds every client from the config, the clients of each service sharing one connection
    /// pool.
    ///
    /// # Errors
    /// When a client refuses its settings (a URL, a credential that cannot be a header), or the
    /// TLS backend cannot be set up.
    pub fn build(config: &Config) -> Result<Self> {
        Self::build_observed(config, &Observers::default())
    }

    /// [`Clients::build`], each client telling its service's observer of its requests.
    ///
    /// # Errors
    /// As [`Clients::build`].
    pub fn build_observed(config: &Config, observers: &Observers) -> Result<Self> {
        let pools = Pools::build(config)?;
        let mut graph = graph::GraphClients::new(config, observers.graph.clone(), pools.graph.clone());
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
                    .http_client(pools.mcas.clone())
                    .requests_per_minute(config.fetch.requests_per_minute)
                    .pacing_window(config.fetch.pacing_window);
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
        let mut jira = jira_builder(config)?.http_client(pools.jira);
        if let Some(observer) = &observers.jira {
            jira = jira.observer(Arc::clone(observer));
        }
        let jira = jira.build().context("jira: cannot set up its client")?;
        let abuseipdb = config
            .abuseipdb
            .as_ref()
            .map(|abuse| {
                let mut builder = abuseipdb_client::Client::builder(abuse.key.get()?.clone())
                    .http_client(pools.abuseipdb.clone())
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

/// A `[jira.fields]` entry, resolved against Jira's field list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedField {
    /// The ticket attribute, as the config names it (`affected_user`).
    pub attribute: String,
    /// The field as the config gives it, by id or by name (`Affected user`).
    pub configured: String,
    /// The field's id (`customfield_10107`).
    pub id: String,
    /// The field's name in Jira (`Affected user`).
    pub name: String,
}

impl MappedField {
    /// The config key that maps it: `jira.fields.affected_user`.
    #[must_use]
    pub fn key(&self) -> String {
        format!("jira.fields.{}", self.attribute)
    }
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
    /// The `[jira.fields]` entries, resolved.
    pub fields: Arc<[MappedField]>,
    /// Whether Jira accepts the config: checked before a pass creates anything, and closed for
    /// every tenant by the first create Jira refuses for the config's sake.
    pub gate: Arc<JiraGate>,
    /// The state store.
    pub store: Arc<StateStore>,
    /// The Jira and AbuseIPDB budgets, shared by every tenant of the process.
    pub budgets: Budgets,
    /// The tenants run at once: `[pipeline] concurrency`, lowered to what the open-file limit
    /// carries ([`crate::limits`]).
    pub concurrency: usize,
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
        let (mapper, fields) = build_mapper(&config, &clients.jira).await?;
        let path = config.state.path.clone();
        let store = tokio::task::spawn_blocking(move || StateStore::open(&path))
            .await
            .context("state store: the opening task failed")?
            .with_context(|| format!("state store {}", config.state.path.display()))?;
        let budgets = Budgets::from_config(&config);
        let concurrency = concurrency(&config);
        let gate = Arc::new(JiraGate::new(&config, &fields));
        Ok(Self {
            config: Arc::new(config),
            clients,
            mapper: Arc::new(mapper),
            fields: fields.into(),
            gate,
            store: Arc::new(store),
            budgets,
            concurrency,
        })
    }

    /// The Jira project the tickets go to.
    pub fn project(&self) -> ProjectRef {
        ProjectRef::key(self.config.jira.project.clone())
    }
}

/// `[pipeline] concurrency`, lowered (with a warning) to what the soft limit on open files carries.
pub(crate) fn concurrency(config: &Config) -> usize {
    let pipeline = &config.pipeline;
    let soft_limit = crate::limits::open_files_soft_limit();
    let shared = pipeline.jira_concurrency + pipeline.lookup_concurrency;
    let fits = crate::limits::tenant_concurrency(pipeline.concurrency, soft_limit, shared);
    if fits < pipeline.concurrency.min(config.tenants.len()) {
        tracing::warn!(
            "running {fits} tenants at a time instead of [pipeline] concurrency = {}: that is what the \
             limit of {} open files (ulimit -n) leaves for them",
            pipeline.concurrency,
            soft_limit.unwrap_or_default()
        );
    }
    fits
}

/// The mapper for this config: the rules the config compiled, field names resolved against Jira's
/// field list; with the resolved `[jira.fields]` entries.
///
/// # Errors
/// [`ConfigProblem`] for a config the mapping refuses; other errors when Jira's field list cannot
/// be read.
pub async fn build_mapper(config: &Config, jira: &jira_client::Client) -> Result<(Mapper, Vec<MappedField>)> {
    let mut mapped = Vec::with_capacity(config.jira.fields.len());
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
            mapped.push(MappedField {
                attribute: attribute.clone(),
                configured: name.clone(),
                id: field.id.clone(),
                name: field.name.clone(),
            });
        }
    }
    let mapper =
        Mapper::new(mapping).map_err(|e| ConfigProblem { key: "jira".into(), reason: e.to_string() })?;
    Ok((mapper, mapped))
}
