//! The checked config: every value parsed, resolved and ready to hand to a client.
//!
//! `Debug` is derived everywhere: secrets are [`Secret`]s, whose `Debug` prints the key they come
//! from and `[REDACTED]`, so formatting a config never shows one (a test holds this).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use alert_mapping::{Rules, Severity, SeverityPriorities};
use jira_client::{Deployment, Label};
use url::Url;

use super::graph::{EntraAppConfig, GraphApp, GraphConfig, GraphTenantConfig};
use super::graph_sync::GraphResolve;
use super::secret::Secret;

/// The whole config, checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file it was read from.
    pub file: PathBuf,
    /// `[jira]`.
    pub jira: JiraConfig,
    /// `[[rules]]`, in file order (first match wins), compiled; [`Rules::specs`] gives them as
    /// written.
    pub rules: Rules,
    /// `[abuseipdb]`; without it tickets are made without IP reputation.
    pub abuseipdb: Option<AbuseIpdbConfig>,
    /// `[fetch]`.
    pub fetch: FetchConfig,
    /// `[state]`.
    pub state: StateConfig,
    /// `[pipeline]` (an extension of the contract).
    pub pipeline: PipelineConfig,
    /// `[[tenants]]`, in file order; at least one, names unique.
    pub tenants: Vec<TenantConfig>,
    /// `[sync]`: the two-way sync between tickets and alerts (an extension of the contract).
    pub sync: SyncConfig,
    /// `[report]`: how reports present themselves (an extension of the contract).
    pub report: ReportConfig,
    /// `[watch]`.
    pub watch: super::WatchConfig,
    /// `[graph]`: how the tenants with `source = "graph"` are read (defaults when absent).
    pub graph: GraphConfig,
    /// `[entra_apps.<name>]`: the Entra applications Graph tenants name with `app`, by name.
    pub entra_apps: BTreeMap<String, EntraAppConfig>,
}

/// `[report]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportConfig {
    /// The name reports carry before their period, e.g. the customer or site (`Contoso SOC`);
    /// `--title` overrides it.
    pub title: Option<String>,
}

impl Config {
    /// The Entra application a Graph tenant signs in with: its inline one, or the
    /// `[entra_apps]` table it names (which the checked config always holds).
    #[must_use]
    pub fn graph_app<'a>(&'a self, tenant: &'a GraphTenantConfig) -> Option<&'a EntraAppConfig> {
        match &tenant.app {
            GraphApp::Inline(app) => Some(app),
            GraphApp::Shared(name) => self.entra_apps.get(name),
        }
    }

    /// The secret a tenant signs in with: its MCAS API token or client secret, or its Graph
    /// application's client secret.
    #[must_use]
    pub fn tenant_secret<'a>(&'a self, tenant: &'a TenantConfig) -> Option<&'a Secret> {
        match &tenant.source {
            TenantSource::Mcas(mcas) => Some(mcas.auth.secret()),
            TenantSource::Graph(graph) => self.graph_app(graph).map(|app| &app.client_secret),
        }
    }

    /// The tenant with this name.
    #[must_use]
    pub fn tenant(&self, name: &str) -> Option<&TenantConfig> {
        self.tenants.iter().find(|tenant| tenant.name == name)
    }
}

/// `[jira]`.
#[derive(Debug, Clone)]
pub struct JiraConfig {
    /// The site, e.g. `https://example.atlassian.net`.
    pub url: Url,
    /// Cloud or Server/Data Center.
    pub deployment: Deployment,
    /// The project key, e.g. `SEC`.
    pub project: String,
    /// The issue type name (default `Task`).
    pub issue_type: String,
    /// Labels put on every ticket, besides `mcas-<alert id>`.
    pub labels: Vec<Label>,
    /// How to authenticate.
    pub auth: JiraAuth,
    /// Ticket attribute -> Jira field, by id (`customfield_10109`) or by name (`Alert URL`); names
    /// are resolved through Jira's field list at start-up.
    pub fields: BTreeMap<String, String>,
    /// Alert severity -> Jira priority name; a severity left out gets the project's default.
    pub priorities: SeverityPriorities,
    /// The ticket summary template (extension; default `[{tenant}] {title}`); placeholders are
    /// checked by `alert-mapping` when the pass is set up.
    pub summary_template: Option<String>,
    /// Jira requests started in any rolling minute by this process, all tenants together
    /// (extension; default [`JIRA_REQUESTS_PER_MINUTE`]); 0 means no limit but the in-flight one.
    pub requests_per_minute: u32,
    /// How long a run trusts the Jira facts it last checked (project, issue types, components,
    /// priorities, create screens) before reading them again (default 1 hour; 0 reads them on
    /// every run; extension). A change to the parts of the config they are checked against is
    /// read again at once.
    pub recheck_after: Duration,
}

/// The default of `[jira] requests_per_minute`: half of the 100 requests a second that Atlassian's
/// rate-limiting page gives (at the time of writing) as Jira Cloud's burst limit for one endpoint
/// and method of one site, the limit that governs API-token traffic, spread over a minute. Half,
/// because the limit belongs to the site and is shared with its people and its other
/// integrations.
pub const JIRA_REQUESTS_PER_MINUTE: u32 = 3_000;

/// How to authenticate to Jira.
#[derive(Debug, Clone)]
pub enum JiraAuth {
    /// `Authorization: Basic` with a user (an e-mail on Cloud) and an API token or password.
    Basic {
        /// The user.
        user: String,
        /// The API token (Cloud) or password (Server).
        token: Secret,
    },
    /// `Authorization: Bearer` with a personal access token (Server/Data Center).
    Bearer(Secret),
}

/// `[abuseipdb]`.
#[derive(Debug, Clone)]
pub struct AbuseIpdbConfig {
    /// The API key.
    pub key: Secret,
    /// `maxAgeInDays` of the checks, 1..=365 (default 90).
    pub max_age_days: u16,
    /// The API base, ending with `/` (default `https://api.abuseipdb.com/api/v2/`).
    pub url: Url,
    /// How long a reputation stays in the state store's cache (default 24 hours).
    pub cache_ttl: Duration,
    /// How long one look-up may take before it is abandoned (retried, then "unavailable"; default
    /// 30 seconds; extension).
    pub timeout: Duration,
    /// Look-ups started in any rolling minute by this process (extension; default 0, no limit
    /// but the in-flight one): AbuseIPDB documents daily quotas per plan, not a rate.
    pub requests_per_minute: u32,
}

/// `[fetch]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// How far back the first run of a tenant reaches (default 7 days).
    pub first_lookback: Duration,
    /// Alerts below this severity are not fetched (default informational: all).
    pub min_severity: Severity,
    /// Only alerts still open (default true).
    pub only_open: bool,
    /// MCAS requests started per tenant in any rolling [`pacing_window`](Self::pacing_window); 0
    /// turns pacing off (default 30).
    pub requests_per_minute: u32,
    /// The rolling window `requests_per_minute` counts in (default 62 s: MCAS's minute and a
    /// margin for the jitter between a request's start and its arrival; extension).
    pub pacing_window: Duration,
    /// Each pass re-reads this far before the checkpoint, for alerts that arrive late (default 10
    /// minutes; extension).
    pub overlap: Duration,
    /// Alerts per MCAS page, 1..=100 (default 100; extension).
    pub page_size: u32,
    /// How far back the reconcile sweep re-reads, for alerts that reach MCAS later than the
    /// overlap (default 24 hours; 0 turns the sweep off; extension).
    pub reconcile_window: Duration,
    /// How often each tenant is swept (default 1 hour; 0 sweeps on every pass; extension).
    pub reconcile_every: Duration,
}

/// `[state]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateConfig {
    /// The SQLite file, resolved against the config file's directory (default `mcas2jira.db`).
    pub path: PathBuf,
}

/// `[pipeline]` (an extension of the contract).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineConfig {
    /// Tenants handled at the same time (default 64); lowered at start-up to what the open-file
    /// limit allows (see `limits.rs`).
    pub concurrency: usize,
    /// Jira requests in flight at the same time, all tenants together (default 10).
    pub jira_concurrency: usize,
    /// AbuseIPDB look-ups in flight at the same time, all tenants together (default 16).
    pub lookup_concurrency: usize,
    /// Jira create requests in flight at the same time, per tenant (default 4).
    pub create_concurrency: usize,
    /// Create tickets with Jira's bulk endpoint, up to 50 a request (default true). Each element's
    /// result is read back, so a partial failure fails only its own alerts.
    pub bulk_create: bool,
    /// After this many failed attempts an alert is reported as stuck on every pass, until it is
    /// ticketed (default 10; extension).
    pub stuck_after: u32,
}

/// One `[[tenants]]` entry.
#[derive(Debug, Clone)]
pub struct TenantConfig {
    /// The unique name used in output, `--tenant` and the state store.
    pub name: String,
    /// Where its alerts are read: the Defender for Cloud Apps API or Microsoft Graph.
    pub source: TenantSource,
}

/// Where a tenant's alerts are read (`source`).
#[derive(Debug, Clone)]
pub enum TenantSource {
    /// `source = "mcas"` (the default): the Defender for Cloud Apps REST API.
    Mcas(McasTenantConfig),
    /// `source = "graph"`: Microsoft Graph security alerts (`alerts_v2`).
    Graph(GraphTenantConfig),
}

/// The keys of a tenant read through the Defender for Cloud Apps API.
#[derive(Debug, Clone)]
pub struct McasTenantConfig {
    /// The portal, e.g. `https://contoso.us3.portal.cloudappsecurity.com`.
    pub url: Url,
    /// How to authenticate.
    pub auth: TenantAuth,
}

impl TenantConfig {
    /// The MCAS side of the tenant, if it is read through the Defender for Cloud Apps API.
    #[must_use]
    pub fn mcas(&self) -> Option<&McasTenantConfig> {
        match &self.source {
            TenantSource::Mcas(mcas) => Some(mcas),
            TenantSource::Graph(_) => None,
        }
    }

    /// The Graph side of the tenant, if it is read through Microsoft Graph.
    #[must_use]
    pub fn graph(&self) -> Option<&GraphTenantConfig> {
        match &self.source {
            TenantSource::Graph(graph) => Some(graph),
            TenantSource::Mcas(_) => None,
        }
    }

    /// `mcas` or `graph`, as the config writes it.
    #[must_use]
    pub fn source_name(&self) -> &'static str {
        match &self.source {
            TenantSource::Mcas(_) => "mcas",
            TenantSource::Graph(_) => "graph",
        }
    }
}

/// How to authenticate to one MCAS tenant.
#[derive(Debug, Clone)]
pub enum TenantAuth {
    /// A legacy API token: `Authorization: Token <t>`.
    Token(Secret),
    /// A Microsoft Entra application (client credentials).
    Entra {
        /// The directory (tenant) id or domain.
        tenant_id: String,
        /// The application (client) id.
        client_id: String,
        /// The client secret.
        client_secret: Secret,
        /// The login host (default `https://login.microsoftonline.com`).
        authority: Url,
    },
}

impl TenantAuth {
    /// The tenant's secret: its API token or its Entra application's client secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        match self {
            Self::Token(token) => token,
            Self::Entra { client_secret, .. } => client_secret,
        }
    }
}

/// `[sync]`: how a resolved ticket closes its alert, and what an alert closed in the portal does
/// to its ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    /// Whether each `watch` pass also syncs (default false; `mcas2jira sync` works either way).
    pub enabled: bool,
    /// Jira resolution name -> how the alert is closed, in file order (or the defaults: Done ->
    /// true positive; Won't Do -> benign, reason other; Duplicate and Cannot Reproduce -> false
    /// positive, reason other). Names are compared without case.
    pub resolutions: Vec<(String, CloseAs)>,
    /// `[sync.graph_resolutions]`: Jira resolution name -> how a Graph alert is resolved, in file
    /// order; `None` (the default) resolves Graph alerts by [`Self::resolutions`], translated
    /// ([`GraphResolve::from_close`]).
    pub graph_resolutions: Option<Vec<(String, GraphResolve)>>,
    /// The transition to move a ticket through when its alert is closed in the portal, by name
    /// (compared without case); `None` only comments. Read when the transition is made, so that
    /// a corrected or removed name takes effect for the transitions still due.
    pub transition_on_alert_closed: Option<String>,
    /// The resolution that transition sets, by how the alert was closed in the portal
    /// (`true_positive`, `benign`, `false_positive`, `other`); none for a kind not listed.
    pub transition_resolution: BTreeMap<String, String>,
}

/// How an alert closed in the portal is named in `transition_resolution`.
pub const ALERT_CLOSE_KINDS: [&str; 4] = ["true_positive", "benign", "false_positive", "other"];

impl SyncConfig {
    /// The resolution the portal-close transition sets for an alert closed as `kind` (one of
    /// [`ALERT_CLOSE_KINDS`]).
    #[must_use]
    pub fn resolution_on_alert_closed(&self, kind: &str) -> Option<&str> {
        self.transition_resolution.get(kind).map(String::as_str)
    }

    /// How an alert is closed when its ticket is resolved as `resolution`; `None` when the map
    /// does not name it.
    #[must_use]
    pub fn close_for(&self, resolution: &str) -> Option<CloseAs> {
        let resolution = resolution.trim();
        self.resolutions
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(resolution))
            .map(|(_, close)| *close)
    }

    /// How a Graph alert is resolved when its ticket is resolved as `resolution`; `None` when
    /// the map (`[sync.graph_resolutions]`, else `[sync.resolutions]`) does not name it.
    #[must_use]
    pub fn graph_resolve_for(&self, resolution: &str) -> Option<GraphResolve> {
        match &self.graph_resolutions {
            None => self.close_for(resolution).map(GraphResolve::from_close),
            Some(map) => {
                let resolution = resolution.trim();
                map.iter().find(|(name, _)| name.eq_ignore_ascii_case(resolution)).map(|(_, r)| r.clone())
            }
        }
    }
}

impl Default for SyncConfig {
    fn default() -> Self {
        let other_fp = CloseAs::FalsePositive(mcas_client::FalsePositiveReason::Other);
        Self {
            enabled: false,
            resolutions: vec![
                ("Done".to_owned(), CloseAs::TruePositive),
                ("Won't Do".to_owned(), CloseAs::Benign(mcas_client::BenignReason::Other)),
                ("Duplicate".to_owned(), other_fp),
                ("Cannot Reproduce".to_owned(), other_fp),
            ],
            graph_resolutions: None,
            transition_on_alert_closed: None,
            transition_resolution: BTreeMap::new(),
        }
    }
}

/// How an alert is closed in Defender for Cloud Apps: one of its three close calls, with the
/// reason the benign and false-positive calls take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseAs {
    /// `close_true_positive` (no reason).
    TruePositive,
    /// `close_benign` with this reason.
    Benign(mcas_client::BenignReason),
    /// `close_false_positive` with this reason.
    FalsePositive(mcas_client::FalsePositiveReason),
}

impl CloseAs {
    /// `true_positive`, `benign` or `false_positive`, as written in the config.
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Self::TruePositive => "true_positive",
            Self::Benign(_) => "benign",
            Self::FalsePositive(_) => "false_positive",
        }
    }

    /// The reason's name as written in the config (`other`, `triggered_by_test`, or the
    /// number), `None` for a true positive.
    #[must_use]
    pub fn reason(self) -> Option<String> {
        use mcas_client::{BenignReason as B, FalsePositiveReason as F};
        let name = match self {
            Self::TruePositive => return None,
            Self::Benign(B::ActualSeverityLower) => "actual_severity_lower",
            Self::Benign(B::Other) | Self::FalsePositive(F::Other) => "other",
            Self::Benign(B::ConfirmedWithEndUser) => "confirmed_with_end_user",
            Self::Benign(B::TriggeredByTest) => "triggered_by_test",
            Self::FalsePositive(F::NotOfInterest) => "not_of_interest",
            Self::FalsePositive(F::TooManySimilarAlerts) => "too_many_similar_alerts",
            Self::FalsePositive(F::AlertNotAccurate) => "alert_not_accurate",
            Self::Benign(reason) => return Some(reason.reason_id().to_string()),
            Self::FalsePositive(reason) => return Some(reason.reason_id().to_string()),
        };
        Some(name.to_owned())
    }
}
