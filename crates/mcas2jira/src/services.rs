//! The clients, the mapper and the state store a pass needs, built from the checked config.
//!
//! Building the clients needs no network; [`Services::connect`] then reads Jira's field list once
//! (when `[jira.fields]` names any field) to resolve field names to ids and value shapes.

use std::sync::Arc;

use alert_mapping::{Mapper, MappingConfig, TenantContext, TicketAttribute};
use anyhow::{Context, Result};
use jira_client::{FieldResolver, ProjectRef};

use crate::config::{Config, JiraAuth, TenantAuth};
use crate::preflight::JiraGate;
use crate::state::StateStore;

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

/// One MCAS tenant, ready to be read.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// Its name from the config.
    pub name: String,
    /// Its client (with its own pacing).
    pub client: mcas_client::Client,
    /// What the mapping needs to know of it.
    pub context: TenantContext,
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
        let tenants = config
            .tenants
            .iter()
            .map(|tenant| {
                let auth = match &tenant.auth {
                    TenantAuth::Token(token) => mcas_client::Auth::token(token.get()?.clone()),
                    TenantAuth::Entra { tenant_id, client_id, client_secret, authority } => {
                        mcas_client::Auth::entra(
                            mcas_client::EntraApp::new(
                                tenant_id.clone(),
                                client_id.clone(),
                                client_secret.get()?.clone(),
                            )
                            .authority(authority.clone()),
                        )
                    }
                };
                let client = mcas_client::Client::builder(tenant.url.clone(), auth)
                    .requests_per_minute(config.fetch.requests_per_minute)
                    .build()
                    .with_context(|| format!("tenant {}: cannot set up its client", tenant.name))?;
                let context = TenantContext::new(tenant.name.clone()).portal_url(tenant.url.clone());
                Ok(Tenant { name: tenant.name.clone(), client, context })
            })
            .collect::<Result<Vec<_>>>()?;
        let jira = jira_client(config)?;
        let abuseipdb = config
            .abuseipdb
            .as_ref()
            .map(|abuse| {
                abuseipdb_client::Client::builder(abuse.key.get()?.clone())
                    .base_url(abuse.url.clone())
                    .timeout(abuse.timeout)
                    .build()
                    .context("abuseipdb: cannot set up its client")
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
    let auth = match &config.jira.auth {
        JiraAuth::Basic { user, token } => jira_client::Auth::basic(user.clone(), token.get()?.clone()),
        JiraAuth::Bearer(pat) => jira_client::Auth::bearer(pat.get()?.clone()),
    };
    jira_client::Client::builder(config.jira.url.clone(), config.jira.deployment, auth)
        .build()
        .context("jira: cannot set up its client")
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
        let clients = Clients::build(&config)?;
        let (mapper, fields) = build_mapper(&config, &clients.jira).await?;
        let path = config.state.path.clone();
        let store = tokio::task::spawn_blocking(move || StateStore::open(&path))
            .await
            .context("state store: the opening task failed")?
            .with_context(|| format!("state store {}", config.state.path.display()))?;
        let gate = Arc::new(JiraGate::new(&config, &fields));
        Ok(Self {
            config: Arc::new(config),
            clients,
            mapper: Arc::new(mapper),
            fields: fields.into(),
            gate,
            store: Arc::new(store),
        })
    }

    /// The Jira project the tickets go to.
    pub fn project(&self) -> ProjectRef {
        ProjectRef::key(self.config.jira.project.clone())
    }
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
