//! The config file exactly as written: serde types with `deny_unknown_fields` everywhere, so that a
//! misspelt key is an error rather than a silently ignored setting. `check.rs` turns these into the
//! types of `model.rs`.
//!
//! None of these types derives `Debug`: inline secrets are [`InlineSecret`]s, and nothing here is
//! meant to be printed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use alert_mapping::{Severity, SeverityPriorities};
use jira_client::Deployment;
use serde::Deserialize;

use super::secret::InlineSecret;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub(crate) jira: RawJira,
    #[serde(default)]
    pub(crate) rules: Vec<RawRule>,
    pub(crate) abuseipdb: Option<RawAbuseIpdb>,
    #[serde(default)]
    pub(crate) fetch: RawFetch,
    #[serde(default)]
    pub(crate) state: RawState,
    #[serde(default)]
    pub(crate) pipeline: RawPipeline,
    #[serde(default)]
    pub(crate) tenants: Vec<RawTenant>,
    #[serde(default)]
    pub(crate) sync: RawSync,
    #[serde(default)]
    pub(crate) report: RawReport,
    #[serde(default)]
    pub(crate) watch: RawWatch,
    pub(crate) graph: Option<RawGraph>,
    #[serde(default)]
    pub(crate) entra_apps: BTreeMap<String, RawEntraApp>,
}

/// `[graph]`: where Graph tenants are read, and what of them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGraph {
    pub(crate) url: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) service_sources: Option<Vec<String>>,
    pub(crate) requests_per_minute: Option<u32>,
}

/// `[entra_apps.<name>]`: one Entra application, shared by the Graph tenants that name it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntraApp {
    pub(crate) client_id: String,
    pub(crate) client_secret_env: Option<String>,
    pub(crate) client_secret_file: Option<PathBuf>,
    pub(crate) client_secret_command: Option<String>,
    pub(crate) client_secret: Option<InlineSecret>,
    pub(crate) authority: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWatch {
    pub(crate) metrics_addr: Option<String>,
    pub(crate) healthy_within: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReport {
    pub(crate) title: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawJira {
    pub(crate) url: String,
    pub(crate) deployment: Option<Deployment>,
    pub(crate) project: String,
    pub(crate) issue_type: Option<String>,
    #[serde(default)]
    pub(crate) labels: Vec<String>,
    pub(crate) auth: RawJiraAuth,
    #[serde(default)]
    pub(crate) fields: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) priorities: SeverityPriorities,
    pub(crate) summary_template: Option<String>,
    pub(crate) requests_per_minute: Option<u32>,
    pub(crate) recheck_after: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawJiraAuth {
    pub(crate) user: Option<String>,
    pub(crate) token_env: Option<String>,
    pub(crate) token_file: Option<PathBuf>,
    pub(crate) token_command: Option<String>,
    pub(crate) token: Option<InlineSecret>,
    pub(crate) pat_env: Option<String>,
    pub(crate) pat_file: Option<PathBuf>,
    pub(crate) pat_command: Option<String>,
    pub(crate) pat: Option<InlineSecret>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub(crate) name: Option<String>,
    #[serde(rename = "match", default)]
    pub(crate) matches: RawMatch,
    pub(crate) priority: Option<String>,
    #[serde(default)]
    pub(crate) labels: Vec<String>,
    #[serde(default)]
    pub(crate) components: Vec<String>,
    pub(crate) issue_type: Option<String>,
    #[serde(default)]
    pub(crate) skip: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMatch {
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) user: Option<String>,
    pub(crate) tenant: Option<String>,
    pub(crate) policy: Option<String>,
    pub(crate) alert_type: Option<String>,
    pub(crate) service_source: Option<String>,
    pub(crate) detector_id: Option<String>,
    pub(crate) user_domain: Option<String>,
    pub(crate) severity: Option<Severity>,
    pub(crate) severities: Option<Vec<Severity>>,
    pub(crate) min_ip_score: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAbuseIpdb {
    pub(crate) key_env: Option<String>,
    pub(crate) key_file: Option<PathBuf>,
    pub(crate) key_command: Option<String>,
    pub(crate) key: Option<InlineSecret>,
    pub(crate) max_age_days: Option<u16>,
    pub(crate) url: Option<String>,
    pub(crate) cache_ttl: Option<String>,
    pub(crate) timeout: Option<String>,
    pub(crate) requests_per_minute: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFetch {
    pub(crate) first_lookback: Option<String>,
    pub(crate) min_severity: Option<Severity>,
    pub(crate) only_open: Option<bool>,
    pub(crate) requests_per_minute: Option<u32>,
    pub(crate) pacing_window: Option<String>,
    pub(crate) overlap: Option<String>,
    pub(crate) page_size: Option<u32>,
    pub(crate) reconcile_window: Option<String>,
    pub(crate) reconcile_every: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawState {
    pub(crate) path: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPipeline {
    pub(crate) concurrency: Option<usize>,
    pub(crate) jira_concurrency: Option<usize>,
    pub(crate) lookup_concurrency: Option<usize>,
    pub(crate) create_concurrency: Option<usize>,
    pub(crate) bulk_create: Option<bool>,
    pub(crate) stuck_after: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTenant {
    pub(crate) name: String,
    /// `mcas` (the default) or `graph`; read as text so that a wrong value is named with the two
    /// that are right.
    pub(crate) source: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) tenant_id: Option<String>,
    pub(crate) app: Option<String>,
    pub(crate) token_env: Option<String>,
    pub(crate) token_file: Option<PathBuf>,
    pub(crate) token_command: Option<String>,
    pub(crate) token: Option<InlineSecret>,
    pub(crate) entra: Option<RawEntra>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntra {
    pub(crate) tenant_id: String,
    pub(crate) client_id: String,
    pub(crate) client_secret_env: Option<String>,
    pub(crate) client_secret_file: Option<PathBuf>,
    pub(crate) client_secret_command: Option<String>,
    pub(crate) client_secret: Option<InlineSecret>,
    pub(crate) authority: Option<String>,
}

/// `[sync]`. Resolution entries and reasons take a string or a table (or a number), so they are
/// read as TOML values and checked by hand, with a message naming the entry.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSync {
    pub(crate) enabled: Option<bool>,
    pub(crate) transition_on_alert_closed: Option<String>,
    pub(crate) transition_resolution: Option<toml::Value>,
    pub(crate) benign_reason: Option<toml::Value>,
    pub(crate) false_positive_reason: Option<toml::Value>,
    pub(crate) resolutions: Option<BTreeMap<String, toml::Value>>,
    pub(crate) graph_resolutions: Option<BTreeMap<String, toml::Value>>,
}
