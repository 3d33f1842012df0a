//! The Microsoft Graph side of the config: `[graph]`, `[entra_apps.<name>]` and the tenants with
//! `source = "graph"`, checked into their model types.
//!
//! An MSSP reaches its customers through one multi-tenant Entra application consented in each
//! tenant, so an application is written once (`[entra_apps.mssp]`) and named by every tenant that
//! uses it; the binary then builds one `EntraApp` for it, whose token cache all those tenants
//! share. A tenant may instead carry its own application inline (`entra = { ... }`), as MCAS
//! tenants do.

use std::collections::{BTreeMap, HashMap};

use graph_security_client::ServiceSource;
use url::Url;

use super::check::{check_url, non_empty};
use super::error::{ConfigError, SecretProblem};
use super::raw::{RawEntra, RawEntraApp, RawGraph, RawTenant};
use super::secret::{Resolver, Secret, SecretKeys};

/// `[graph]`: how Graph tenants are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphConfig {
    /// Where the requests go (default `https://graph.microsoft.com`; a national cloud or a test
    /// server otherwise).
    pub url: Url,
    /// The scope of the tokens, which names the Graph resource whatever `url` is (default
    /// `https://graph.microsoft.com/.default`).
    pub scope: String,
    /// The products whose alerts are ticketed (default Defender for Cloud Apps alone).
    pub service_sources: Vec<ServiceSource>,
    /// Graph requests per minute per tenant; 0 turns pacing off (default 150, Graph's documented
    /// limit for security alerts).
    pub requests_per_minute: u32,
}

impl Default for GraphConfig {
    fn default() -> Self {
        Self {
            url: Url::parse(graph_security_client::DEFAULT_BASE_URL).expect("the default Graph URL parses"),
            scope: graph_security_client::DEFAULT_SCOPE.to_owned(),
            service_sources: vec![ServiceSource::MicrosoftDefenderForCloudApps],
            requests_per_minute: graph_security_client::DEFAULT_REQUESTS_PER_MINUTE,
        }
    }
}

/// One Microsoft Entra application: `[entra_apps.<name>]`, or a Graph tenant's inline `entra`.
#[derive(Debug, Clone)]
pub struct EntraAppConfig {
    /// The application (client) id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
    /// The login host (default `https://login.microsoftonline.com`).
    pub authority: Url,
}

/// The application a Graph tenant signs in with.
#[derive(Debug, Clone)]
pub enum GraphApp {
    /// One of `[entra_apps]`, by name, shared with the other tenants naming it.
    Shared(String),
    /// The tenant's own, written inline (`entra = { ... }`).
    Inline(EntraAppConfig),
}

/// A tenant with `source = "graph"`.
#[derive(Debug, Clone)]
pub struct GraphTenantConfig {
    /// The customer's Entra directory (tenant) id: the token is asked for in this tenant.
    pub tenant_id: String,
    /// The application it signs in with.
    pub app: GraphApp,
}

pub(crate) fn check_graph(raw: Option<RawGraph>) -> Result<GraphConfig, ConfigError> {
    let defaults = GraphConfig::default();
    let Some(raw) = raw else { return Ok(defaults) };
    let url = match raw.url {
        Some(url) => check_url("graph.url", &url)?,
        None => defaults.url,
    };
    let scope = match raw.scope {
        Some(scope) if scope.trim().is_empty() || scope.contains(char::is_whitespace) => {
            return Err(ConfigError::invalid(
                "graph.scope",
                "a scope is one word, e.g. \"https://graph.microsoft.com/.default\"",
            ));
        }
        Some(scope) => scope,
        None => defaults.scope,
    };
    let service_sources = match raw.service_sources {
        None => defaults.service_sources,
        Some(names) if names.is_empty() => {
            return Err(ConfigError::invalid(
                "graph.service_sources",
                "name at least one product, e.g. [\"microsoftDefenderForCloudApps\"]",
            ));
        }
        Some(names) => names
            .iter()
            .enumerate()
            .map(|(index, name)| service_source(&format!("graph.service_sources[{index}]"), name))
            .collect::<Result<_, _>>()?,
    };
    Ok(GraphConfig {
        url,
        scope,
        service_sources,
        requests_per_minute: raw.requests_per_minute.unwrap_or(defaults.requests_per_minute),
    })
}

/// A product name as Graph writes it in `serviceSource`; a misspelt one would silently match no
/// alert, so only the names Graph documents are taken.
fn service_source(key: &str, name: &str) -> Result<ServiceSource, ConfigError> {
    let source = ServiceSource::from_wire(name.trim());
    if source.is_known() && source != ServiceSource::UnknownFutureValue && source != ServiceSource::Unknown {
        return Ok(source);
    }
    let known = [
        ServiceSource::MicrosoftDefenderForCloudApps,
        ServiceSource::MicrosoftDefenderForEndpoint,
        ServiceSource::MicrosoftDefenderForIdentity,
        ServiceSource::MicrosoftDefenderForOffice365,
        ServiceSource::Microsoft365Defender,
        ServiceSource::AzureAdIdentityProtection,
        ServiceSource::MicrosoftAppGovernance,
        ServiceSource::DataLossPrevention,
        ServiceSource::MicrosoftDefenderForCloud,
    ];
    let names: Vec<&str> = known.iter().map(ServiceSource::as_str).collect();
    Err(ConfigError::invalid(key, format!("unknown product {name:?}; Graph names {}", names.join(", "))))
}

/// `[entra_apps]`. The secret of an application is read only when the command needs the tenants'
/// secrets and some tenant uses the application: an application kept in the file for a tenant
/// not yet added costs nothing.
pub(crate) fn check_entra_apps(
    raw: BTreeMap<String, RawEntraApp>,
    tenants: &[RawTenant],
    resolver: &mut Resolver<'_>,
) -> Result<BTreeMap<String, EntraAppConfig>, ConfigError> {
    let mut apps = BTreeMap::new();
    for (name, app) in raw {
        let key = format!("entra_apps.{name}");
        let used = tenants.iter().any(|tenant| tenant.app.as_deref() == Some(name.as_str()));
        let keys = SecretKeys {
            table: key.clone(),
            stem: "client_secret",
            env: app.client_secret_env,
            file: app.client_secret_file,
            command: app.client_secret_command,
            inline: app.client_secret,
        };
        let checked = entra_app(&key, app.client_id, app.authority, keys, used, resolver)?;
        apps.insert(name, checked);
    }
    Ok(apps)
}

fn entra_app(
    key: &str,
    client_id: String,
    authority: Option<String>,
    secret: SecretKeys,
    used: bool,
    resolver: &mut Resolver<'_>,
) -> Result<EntraAppConfig, ConfigError> {
    let client_id = non_empty(&format!("{key}.client_id"), client_id)?;
    let client_secret = resolver.secret(secret, used && resolver.needed.tenants);
    let authority = check_url(
        &format!("{key}.authority"),
        authority.as_deref().unwrap_or(http_support::entra::DEFAULT_AUTHORITY),
    )?;
    Ok(EntraAppConfig { client_id, client_secret, authority })
}

/// The Graph side of the tenant at `key` (`tenants[3]`), which has `source = "graph"`.
/// `tenant_ids` holds the directory ids of the Graph tenants checked before it, so that one
/// customer is not read twice under two names.
pub(crate) fn check_graph_tenant(
    key: &str,
    raw: RawTenant,
    apps: &BTreeMap<String, EntraAppConfig>,
    tenant_ids: &mut HashMap<String, usize>,
    index: usize,
    resolver: &mut Resolver<'_>,
) -> Result<GraphTenantConfig, ConfigError> {
    if raw.url.is_some() {
        return Err(ConfigError::invalid(
            format!("{key}.url"),
            "a Graph tenant has no url of its own: its alerts are read from [graph] url (remove url, \
             or set source = \"mcas\" to read it through the Defender for Cloud Apps API)",
        ));
    }
    let token = [
        raw.token_env.as_ref().map(|_| "token_env"),
        raw.token_file.as_ref().map(|_| "token_file"),
        raw.token_command.as_ref().map(|_| "token_command"),
        raw.token.as_ref().map(|_| "token"),
    ];
    if let Some(given) = token.into_iter().flatten().next() {
        return Err(ConfigError::invalid(
            format!("{key}.{given}"),
            "a Graph tenant signs in with an Entra application (app or entra), not an MCAS API token",
        ));
    }
    let (tenant_id, app) = match (raw.app, raw.entra) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::secret(
                key,
                SecretProblem::Conflict { given: vec!["app".to_owned(), "entra".to_owned()] },
            ));
        }
        (Some(name), None) => {
            if !apps.contains_key(&name) {
                let defined: Vec<&str> = apps.keys().map(String::as_str).collect();
                let reason = if defined.is_empty() {
                    format!(
                        "no [entra_apps.{name}] in the config; add it with client_id and client_secret_env"
                    )
                } else {
                    format!("no [entra_apps.{name}] in the config (defined: {})", defined.join(", "))
                };
                return Err(ConfigError::invalid(format!("{key}.app"), reason));
            }
            let Some(tenant_id) = raw.tenant_id else {
                return Err(ConfigError::invalid(
                    format!("{key}.tenant_id"),
                    "missing: a Graph tenant needs the customer's Entra tenant id (a GUID or domain)",
                ));
            };
            (tenant_id, GraphApp::Shared(name))
        }
        (None, Some(entra)) => inline_app(key, raw.tenant_id, entra, resolver)?,
        (None, None) => {
            return Err(ConfigError::invalid(
                format!("{key}.app"),
                "missing: a Graph tenant signs in with an application: app = \"<name of an [entra_apps] \
                 table>\" or entra = { tenant_id, client_id, client_secret_env }",
            ));
        }
    };
    if let Err(http_support::entra::EntraError::InvalidInput { reason, .. }) =
        http_support::entra::check_tenant_id(&tenant_id)
    {
        return Err(ConfigError::invalid(format!("{key}.tenant_id"), reason));
    }
    if let Some(first) = tenant_ids.insert(tenant_id.to_ascii_lowercase(), index) {
        return Err(ConfigError::invalid(
            format!("{key}.tenant_id"),
            format!("tenant id {tenant_id} is also tenants[{first}]'s: each alert would be read twice"),
        ));
    }
    Ok(GraphTenantConfig { tenant_id, app })
}

fn inline_app(
    key: &str,
    top_tenant_id: Option<String>,
    entra: RawEntra,
    resolver: &mut Resolver<'_>,
) -> Result<(String, GraphApp), ConfigError> {
    if let Some(top) = &top_tenant_id
        && !top.eq_ignore_ascii_case(&entra.tenant_id)
    {
        return Err(ConfigError::invalid(
            format!("{key}.tenant_id"),
            format!(
                "{top} differs from {key}.entra.tenant_id ({}); give the tenant id once, or the same twice",
                entra.tenant_id
            ),
        ));
    }
    let table = format!("{key}.entra");
    let keys = SecretKeys {
        table: table.clone(),
        stem: "client_secret",
        env: entra.client_secret_env,
        file: entra.client_secret_file,
        command: entra.client_secret_command,
        inline: entra.client_secret,
    };
    let app = entra_app(&table, entra.client_id, entra.authority, keys, true, resolver)?;
    Ok((entra.tenant_id, GraphApp::Inline(app)))
}

/// The checks of an MCAS tenant's keys that belong to Graph tenants only.
pub(crate) fn refuse_graph_keys(key: &str, raw: &RawTenant) -> Result<(), ConfigError> {
    if raw.app.is_some() {
        return Err(ConfigError::invalid(
            format!("{key}.app"),
            "app is for Graph tenants: add source = \"graph\" (and tenant_id), or use entra for an \
             Entra application on the Defender for Cloud Apps API",
        ));
    }
    if raw.tenant_id.is_some() {
        return Err(ConfigError::invalid(
            format!("{key}.tenant_id"),
            "tenant_id is for Graph tenants: add source = \"graph\", or give an MCAS tenant's Entra \
             tenant id as entra.tenant_id",
        ));
    }
    Ok(())
}
