//! Raw config -> checked config: defaults filled in, URLs and durations parsed, names and ranges
//! checked, secrets resolved. Each error names the key it is about; the caller adds the line.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use alert_mapping::{MatchSpec, RuleSpec, Rules, Severity};
use http_support::BaseUrlError;
use jira_client::{Deployment, Label};
use url::Url;

use super::duration::parse_duration;
use super::error::{ConfigError, SecretProblem};
use super::graph::{EntraAppConfig, check_entra_apps, check_graph, check_graph_tenant, refuse_graph_keys};
use super::model::{ALERT_CLOSE_KINDS, CloseAs, JIRA_REQUESTS_PER_MINUTE, ReportConfig, SyncConfig};
use super::model::{
    AbuseIpdbConfig, Config, FetchConfig, JiraAuth, JiraConfig, McasTenantConfig, PipelineConfig,
    StateConfig, TenantAuth, TenantConfig, TenantSource,
};
use super::raw::{
    RawAbuseIpdb, RawConfig, RawEntra, RawFetch, RawJira, RawJiraAuth, RawMatch, RawPipeline, RawRule,
    RawState, RawSync, RawTenant,
};
use super::secret::{Resolver, SecretKeys};
use super::tenant_url::tenant_url;
use super::watch::check_watch;

const DEFAULT_ABUSEIPDB_URL: &str = "https://api.abuseipdb.com/api/v2/";
const DEFAULT_STATE_FILE: &str = "mcas2jira.db";

pub(crate) fn check(raw: RawConfig, file: &Path, resolver: &mut Resolver<'_>) -> Result<Config, ConfigError> {
    let jira = check_jira(raw.jira, resolver)?;
    let specs: Vec<RuleSpec> = raw
        .rules
        .into_iter()
        .enumerate()
        .map(|(index, rule)| check_rule(&format!("rules[{index}]"), rule))
        .collect::<Result<_, _>>()?;
    let rules = compile_rules(&specs)?;
    let abuseipdb = raw.abuseipdb.map(|raw| check_abuseipdb(raw, resolver)).transpose()?;
    let fetch = check_fetch(raw.fetch)?;
    let state = check_state(raw.state, resolver.base_dir)?;
    let pipeline = check_pipeline(raw.pipeline)?;
    let graph = check_graph(raw.graph)?;
    let entra_apps = check_entra_apps(raw.entra_apps, &raw.tenants, resolver)?;
    let tenants = check_tenants(raw.tenants, &entra_apps, resolver)?;
    let sync = check_sync(raw.sync)?;
    // Every secret that could not be read, named at once rather than one per attempt.
    let mut failed = std::mem::take(&mut resolver.failed);
    match failed.len() {
        0 => {}
        1 => return Err(failed.remove(0)),
        _ => return Err(ConfigError::Secrets { errors: failed }),
    }
    let report = ReportConfig {
        title: raw
            .report
            .title
            .map(|title| non_empty("report.title", title.trim().to_owned()))
            .transpose()?,
    };
    let watch = check_watch(raw.watch)?;
    Ok(Config {
        file: file.to_owned(),
        jira,
        rules,
        abuseipdb,
        fetch,
        state,
        pipeline,
        tenants,
        sync,
        report,
        watch,
        graph,
        entra_apps,
    })
}

fn check_jira(raw: RawJira, resolver: &mut Resolver<'_>) -> Result<JiraConfig, ConfigError> {
    let url = check_url("jira.url", &raw.url)?;
    let deployment = match raw.deployment {
        Some(deployment) => deployment,
        None if url.host_str().is_some_and(|host| host.ends_with(".atlassian.net")) => Deployment::Cloud,
        None => {
            return Err(ConfigError::invalid(
                "jira.deployment",
                "required for a site outside atlassian.net: \"cloud\" or \"server\"",
            ));
        }
    };
    let project = non_empty("jira.project", raw.project)?;
    let issue_type = non_empty("jira.issue_type", raw.issue_type.unwrap_or_else(|| "Task".to_owned()))?;
    let labels = check_labels("jira.labels", raw.labels)?;
    let auth = check_jira_auth(raw.auth, deployment, resolver)?;
    for (attribute, field) in &raw.fields {
        if field.trim().is_empty() {
            return Err(ConfigError::invalid(format!("jira.fields.{attribute}"), "empty field id or name"));
        }
    }
    Ok(JiraConfig {
        url,
        deployment,
        project,
        issue_type,
        labels,
        auth,
        fields: raw.fields,
        priorities: raw.priorities,
        summary_template: raw.summary_template,
        requests_per_minute: raw.requests_per_minute.unwrap_or(JIRA_REQUESTS_PER_MINUTE),
        recheck_after: duration("jira.recheck_after", raw.recheck_after.as_deref(), "1h")?,
    })
}

fn check_jira_auth(
    raw: RawJiraAuth,
    deployment: Deployment,
    resolver: &mut Resolver<'_>,
) -> Result<JiraAuth, ConfigError> {
    let token = SecretKeys {
        table: "jira.auth".to_owned(),
        stem: "token",
        env: raw.token_env,
        file: raw.token_file,
        command: raw.token_command,
        inline: raw.token,
    };
    let pat = SecretKeys {
        table: "jira.auth".to_owned(),
        stem: "pat",
        env: raw.pat_env,
        file: raw.pat_file,
        command: raw.pat_command,
        inline: raw.pat,
    };
    match (raw.user, token.is_given(), pat.is_given()) {
        (_, true, true) => {
            let mut given = token.given();
            given.extend(pat.given());
            Err(ConfigError::secret(
                "jira.auth",
                SecretProblem::Conflict { given },
            ))
        }
        (Some(user), _, false) => {
            let user = non_empty("jira.auth.user", user)?;
            let token = resolver.secret(token, resolver.needed.jira);
            Ok(JiraAuth::Basic { user, token })
        }
        (None, false, true) if deployment == Deployment::Cloud => Err(ConfigError::invalid(
            "jira.auth",
            "a personal access token (pat_*) needs deployment = \"server\"; Jira Cloud takes user and token_*",
        )),
        (None, false, true) => Ok(JiraAuth::Bearer(resolver.secret(pat, resolver.needed.jira))),
        (Some(_), false, true) => Err(ConfigError::invalid(
            "jira.auth.user",
            "a personal access token (pat_*) is used without a user; remove user or use token_*",
        )),
        (None, true, false) => Err(ConfigError::invalid(
            "jira.auth.user",
            "missing: token_* goes with the user it belongs to (the account's e-mail on Cloud)",
        )),
        (None, false, false) => Err(ConfigError::secret(
            "jira.auth",
            SecretProblem::Missing {
                expected: "user with token_env, token_file, token_command or token; or pat_env, pat_file, pat_command or pat".to_owned(),
            },
        )),
    }
}

/// One rule, checked into the mapping's own spec; [`compile_rules`] then compiles them all.
fn check_rule(key: &str, raw: RawRule) -> Result<RuleSpec, ConfigError> {
    let name = raw.name.map(|name| non_empty(&format!("{key}.name"), name)).transpose()?;
    let conditions = check_match(&format!("{key}.match"), raw.matches)?;
    let labels = check_labels(&format!("{key}.labels"), raw.labels)?;
    let sets_something = raw.priority.is_some()
        || !labels.is_empty()
        || !raw.components.is_empty()
        || raw.issue_type.is_some();
    if raw.skip && sets_something {
        return Err(ConfigError::invalid(
            format!("{key}.skip"),
            "a rule with skip = true makes no ticket, so it cannot set priority, labels, components or issue_type",
        ));
    }
    if !raw.skip && !sets_something {
        return Err(ConfigError::invalid(
            key,
            "the rule sets nothing: give priority, labels, components, issue_type or skip = true",
        ));
    }
    for (field, value) in [("priority", &raw.priority), ("issue_type", &raw.issue_type)] {
        if value.as_ref().is_some_and(|value| value.trim().is_empty()) {
            return Err(ConfigError::invalid(format!("{key}.{field}"), "empty"));
        }
    }
    Ok(RuleSpec {
        name,
        conditions,
        priority: raw.priority,
        labels: labels.into_iter().map(String::from).collect(),
        components: raw.components,
        issue_type: raw.issue_type,
        skip: raw.skip,
    })
}

/// Compiles the checked rules, once: the regexes are built here, and an invalid one is reported
/// at its key.
fn compile_rules(specs: &[RuleSpec]) -> Result<Rules, ConfigError> {
    Rules::try_from(specs).map_err(|error| match error {
        alert_mapping::Error::RulePattern { rule, matcher, source, .. } => {
            // The regex error draws the pattern over several lines; its last line says what is
            // wrong, which is what fits on one line.
            let text = source.to_string();
            let what = text.lines().last().unwrap_or_default().trim();
            ConfigError::invalid(
                format!("rules[{}].match.{matcher}", rule - 1),
                format!("invalid regex: {what}"),
            )
        }
        // The rest was checked above, key by key; should the mapping still refuse a rule, its
        // message names it.
        alert_mapping::Error::Rule { rule, reason } => {
            ConfigError::invalid(format!("rules[{}]", rule - 1), reason)
        }
        other => ConfigError::invalid("rules", other.to_string()),
    })
}

fn check_match(key: &str, raw: RawMatch) -> Result<MatchSpec, ConfigError> {
    let severities = match (raw.severity, raw.severities) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::invalid(
                format!("{key}.severities"),
                "give severity or severities, not both",
            ));
        }
        (Some(severity), None) => vec![severity],
        (None, Some(severities)) => severities,
        (None, None) => Vec::new(),
    };
    if let Some(score) = raw.min_ip_score
        && score > 100
    {
        return Err(ConfigError::invalid(
            format!("{key}.min_ip_score"),
            format!("{score} is not an AbuseIPDB score (0 to 100)"),
        ));
    }
    let user_domain = raw
        .user_domain
        .map(|domain| {
            let domain = domain.trim().trim_start_matches('@').to_ascii_lowercase();
            if domain.is_empty() || domain.contains(['@', ' ']) {
                Err(ConfigError::invalid(
                    format!("{key}.user_domain"),
                    "expected a domain such as \"example.com\"",
                ))
            } else {
                Ok(domain)
            }
        })
        .transpose()?;
    Ok(MatchSpec {
        title: raw.title,
        description: raw.description,
        user: raw.user,
        // The config names a domain, compared exactly (without case); the mapping matches a
        // regex on the domain part of each user.
        user_domain: user_domain.map(|domain| format!("(?i)^{}$", regex::escape(&domain))),
        tenant: raw.tenant,
        policy: raw.policy,
        alert_type: raw.alert_type,
        service_source: raw.service_source,
        detector_id: raw.detector_id,
        severities: severities.into_iter().map(|severity| severity.as_str().to_owned()).collect(),
        severity: None,
        min_ip_score: raw.min_ip_score,
    })
}

fn check_abuseipdb(raw: RawAbuseIpdb, resolver: &mut Resolver<'_>) -> Result<AbuseIpdbConfig, ConfigError> {
    let keys = SecretKeys {
        table: "abuseipdb".to_owned(),
        stem: "key",
        env: raw.key_env,
        file: raw.key_file,
        command: raw.key_command,
        inline: raw.key,
    };
    let key = resolver.secret(keys, resolver.needed.abuseipdb);
    let max_age_days = raw.max_age_days.unwrap_or(90);
    if !(1..=365).contains(&max_age_days) {
        return Err(ConfigError::invalid(
            "abuseipdb.max_age_days",
            format!("{max_age_days} is out of range (1 to 365)"),
        ));
    }
    let mut url = check_url("abuseipdb.url", raw.url.as_deref().unwrap_or(DEFAULT_ABUSEIPDB_URL))?;
    // Endpoints are joined onto the base: without the final slash `join("check")` would replace
    // the `v2` segment.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    let cache_ttl = duration("abuseipdb.cache_ttl", raw.cache_ttl.as_deref(), "24h")?;
    let timeout = duration("abuseipdb.timeout", raw.timeout.as_deref(), "30s")?;
    if timeout.is_zero() {
        return Err(ConfigError::invalid("abuseipdb.timeout", "must be longer than 0s"));
    }
    Ok(AbuseIpdbConfig {
        key,
        max_age_days,
        url,
        cache_ttl,
        timeout,
        requests_per_minute: raw.requests_per_minute.unwrap_or(0),
    })
}

fn check_fetch(raw: RawFetch) -> Result<FetchConfig, ConfigError> {
    let first_lookback = duration("fetch.first_lookback", raw.first_lookback.as_deref(), "7d")?;
    if first_lookback.is_zero() {
        return Err(ConfigError::invalid("fetch.first_lookback", "must be longer than 0s"));
    }
    let page_size = raw.page_size.unwrap_or(100);
    if !(1..=100).contains(&page_size) {
        return Err(ConfigError::invalid(
            "fetch.page_size",
            format!("{page_size} is out of range (1 to 100, the most MCAS returns)"),
        ));
    }
    let pacing_window = duration("fetch.pacing_window", raw.pacing_window.as_deref(), "62s")?;
    if pacing_window.is_zero() {
        return Err(ConfigError::invalid("fetch.pacing_window", "must be longer than 0s"));
    }
    Ok(FetchConfig {
        first_lookback,
        min_severity: raw.min_severity.unwrap_or(Severity::Informational),
        only_open: raw.only_open.unwrap_or(true),
        requests_per_minute: raw.requests_per_minute.unwrap_or(30),
        pacing_window,
        overlap: duration("fetch.overlap", raw.overlap.as_deref(), "10m")?,
        page_size,
        reconcile_window: duration("fetch.reconcile_window", raw.reconcile_window.as_deref(), "24h")?,
        reconcile_every: duration("fetch.reconcile_every", raw.reconcile_every.as_deref(), "1h")?,
    })
}

fn check_state(raw: RawState, base_dir: &Path) -> Result<StateConfig, ConfigError> {
    let path = raw.path.unwrap_or_else(|| PathBuf::from(DEFAULT_STATE_FILE));
    if path.as_os_str().is_empty() {
        return Err(ConfigError::invalid("state.path", "empty path"));
    }
    Ok(StateConfig { path: base_dir.join(path) })
}

fn check_pipeline(raw: RawPipeline) -> Result<PipelineConfig, ConfigError> {
    let bounded = |key: &str, value: Option<usize>, default: usize, most: usize| {
        let value = value.unwrap_or(default);
        if (1..=most).contains(&value) {
            Ok(value)
        } else {
            Err(ConfigError::invalid(key, format!("{value} is out of range (1 to {most})")))
        }
    };
    // Tenants wait on MCAS (throttled per tenant) far more than on anything shared, so many run
    // at once; Jira and AbuseIPDB are shared, and have their own in-flight limits. 64 tenants at
    // once keep 1,000 tenants moving while the pages they hold stay well under 100 MB; more is
    // allowed, and lowered at start-up to what the open-file limit carries.
    Ok(PipelineConfig {
        concurrency: bounded("pipeline.concurrency", raw.concurrency, 64, 4096)?,
        jira_concurrency: bounded("pipeline.jira_concurrency", raw.jira_concurrency, 10, 256)?,
        lookup_concurrency: bounded("pipeline.lookup_concurrency", raw.lookup_concurrency, 16, 256)?,
        create_concurrency: bounded("pipeline.create_concurrency", raw.create_concurrency, 4, 64)?,
        bulk_create: raw.bulk_create.unwrap_or(true),
        stuck_after: match raw.stuck_after.unwrap_or(10) {
            0 => return Err(ConfigError::invalid("pipeline.stuck_after", "must be at least 1 attempt")),
            attempts => attempts,
        },
    })
}

fn check_tenants(
    raw: Vec<RawTenant>,
    apps: &BTreeMap<String, EntraAppConfig>,
    resolver: &mut Resolver<'_>,
) -> Result<Vec<TenantConfig>, ConfigError> {
    if raw.is_empty() {
        return Err(ConfigError::invalid(
            "tenants",
            "no tenant: add at least one [[tenants]] with name, url and a token or entra (or source = \"graph\", \
             tenant_id and app)",
        ));
    }
    let mut graph_tenant_ids = HashMap::new();
    // Names are compared without case so that `--tenant contoso` can never mean two tenants.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut tenants = Vec::with_capacity(raw.len());
    for (index, raw) in raw.into_iter().enumerate() {
        let key = format!("tenants[{index}]");
        let name = raw.name.clone();
        if name.trim().is_empty() || name.trim() != name || name.chars().any(char::is_control) {
            return Err(ConfigError::invalid(
                format!("{key}.name"),
                "a tenant name must be non-empty, without surrounding spaces or control characters",
            ));
        }
        if let Some(first) = seen.insert(name.to_lowercase(), index) {
            return Err(ConfigError::invalid(
                format!("{key}.name"),
                format!("duplicate tenant name {name:?} (also tenants[{first}])"),
            ));
        }
        let source = match raw.source.as_deref().map(str::trim) {
            None | Some("mcas") => None,
            Some("graph") => {
                let graph = check_graph_tenant(&key, raw, apps, &mut graph_tenant_ids, index, resolver)?;
                tenants.push(TenantConfig { name, source: TenantSource::Graph(graph) });
                continue;
            }
            Some(other) => Some(other.to_owned()),
        };
        if let Some(other) = source {
            return Err(ConfigError::invalid(
                format!("{key}.source"),
                format!(
                    "unknown source {other:?}: \"mcas\" (the Defender for Cloud Apps API, the default) or \"graph\" (Microsoft Graph security alerts)"
                ),
            ));
        }
        refuse_graph_keys(&key, &raw)?;
        let Some(url) = raw.url.as_deref() else {
            return Err(ConfigError::invalid(
                format!("{key}.url"),
                "missing: the tenant's Defender for Cloud Apps API URL (https://<tenant>.<region>.portal.cloudappsecurity.com), \
                 or source = \"graph\" to read it through Microsoft Graph",
            ));
        };
        let (url, warning) = tenant_url(&format!("{key}.url"), url)?;
        resolver.warnings.extend(warning);
        let token = SecretKeys {
            table: key.clone(),
            stem: "token",
            env: raw.token_env,
            file: raw.token_file,
            command: raw.token_command,
            inline: raw.token,
        };
        let auth = match (token.is_given(), raw.entra) {
            (true, Some(_)) => {
                let mut given = token.given();
                given.push("entra".to_owned());
                return Err(ConfigError::secret(key, SecretProblem::Conflict { given }));
            }
            (true, None) => TenantAuth::Token(resolver.secret(token, resolver.needed.tenants)),
            (false, Some(entra)) => check_entra(&format!("{key}.entra"), entra, resolver)?,
            (false, None) => {
                return Err(ConfigError::secret(
                    key,
                    SecretProblem::Missing {
                        expected: "token_env, token_file, token_command, token or entra".to_owned(),
                    },
                ));
            }
        };
        tenants.push(TenantConfig { name, source: TenantSource::Mcas(McasTenantConfig { url, auth }) });
    }
    Ok(tenants)
}

fn check_entra(key: &str, raw: RawEntra, resolver: &mut Resolver<'_>) -> Result<TenantAuth, ConfigError> {
    let tenant_id = raw.tenant_id;
    // The check the Entra app makes of every tenant id, so that a bad one is a config error at
    // its key rather than a client that cannot be built.
    if let Err(http_support::entra::EntraError::InvalidInput { reason, .. }) =
        http_support::entra::check_tenant_id(&tenant_id)
    {
        return Err(ConfigError::invalid(format!("{key}.tenant_id"), reason));
    }
    let client_id = non_empty(&format!("{key}.client_id"), raw.client_id)?;
    let keys = SecretKeys {
        table: key.to_owned(),
        stem: "client_secret",
        env: raw.client_secret_env,
        file: raw.client_secret_file,
        command: raw.client_secret_command,
        inline: raw.client_secret,
    };
    let client_secret = resolver.secret(keys, resolver.needed.tenants);
    let authority = check_url(
        &format!("{key}.authority"),
        raw.authority.as_deref().unwrap_or(mcas_client::DEFAULT_AUTHORITY),
    )?;
    Ok(TenantAuth::Entra { tenant_id, client_id, client_secret, authority })
}

fn check_sync(raw: RawSync) -> Result<SyncConfig, ConfigError> {
    use mcas_client::{BenignReason, FalsePositiveReason};
    let defaults = SyncConfig::default();
    let benign_default = match &raw.benign_reason {
        Some(value) => benign_reason("sync.benign_reason", value)?,
        None => BenignReason::Other,
    };
    let false_positive_default = match &raw.false_positive_reason {
        Some(value) => false_positive_reason("sync.false_positive_reason", value)?,
        None => FalsePositiveReason::Other,
    };
    let resolutions = match raw.resolutions {
        // The default map takes the per-kind reasons too.
        None => defaults
            .resolutions
            .into_iter()
            .map(|(name, close)| {
                let close = match close {
                    CloseAs::Benign(_) => CloseAs::Benign(benign_default),
                    CloseAs::FalsePositive(_) => CloseAs::FalsePositive(false_positive_default),
                    CloseAs::TruePositive => CloseAs::TruePositive,
                };
                (name, close)
            })
            .collect(),
        Some(map) => {
            let mut resolutions: Vec<(String, CloseAs)> = Vec::with_capacity(map.len());
            for (name, value) in map {
                let key = format!("sync.resolutions.{}", toml_key(&name));
                if name.trim().is_empty() {
                    return Err(ConfigError::invalid(key, "empty resolution name"));
                }
                if resolutions.iter().any(|(seen, _)| seen.trim().eq_ignore_ascii_case(name.trim())) {
                    return Err(ConfigError::invalid(
                        key,
                        "the same resolution is named twice (names are compared without case)",
                    ));
                }
                let (kind, reason) = match &value {
                    toml::Value::String(kind) => (kind.as_str(), None),
                    toml::Value::Table(table) => {
                        if let Some(unknown) =
                            table.keys().find(|k| !["close", "reason"].contains(&k.as_str()))
                        {
                            return Err(ConfigError::invalid(
                                format!("{key}.{unknown}"),
                                "unknown key (an entry takes close and reason)",
                            ));
                        }
                        match table.get("close") {
                            Some(toml::Value::String(kind)) => (kind.as_str(), table.get("reason")),
                            _ => {
                                return Err(ConfigError::invalid(
                                    format!("{key}.close"),
                                    "missing: true_positive, benign or false_positive",
                                ));
                            }
                        }
                    }
                    _ => {
                        return Err(ConfigError::invalid(
                            key,
                            "expected \"true_positive\", \"benign\", \"false_positive\" or a table { close = .., reason = .. }",
                        ));
                    }
                };
                let reason_key = format!("{key}.reason");
                let close = match (kind, reason) {
                    ("true_positive", None) => CloseAs::TruePositive,
                    ("true_positive", Some(_)) => {
                        return Err(ConfigError::invalid(
                            reason_key,
                            "a true positive is closed without a reason",
                        ));
                    }
                    ("benign", reason) => CloseAs::Benign(match reason {
                        Some(value) => benign_reason(&reason_key, value)?,
                        None => benign_default,
                    }),
                    ("false_positive", reason) => CloseAs::FalsePositive(match reason {
                        Some(value) => false_positive_reason(&reason_key, value)?,
                        None => false_positive_default,
                    }),
                    (other, _) => {
                        return Err(ConfigError::invalid(
                            key,
                            format!("unknown close {other:?} (use true_positive, benign or false_positive)"),
                        ));
                    }
                };
                resolutions.push((name.trim().to_owned(), close));
            }
            resolutions
        }
    };
    let transition_on_alert_closed = raw
        .transition_on_alert_closed
        .map(|t| non_empty("sync.transition_on_alert_closed", t))
        .transpose()?;
    let transition_resolution = match raw.transition_resolution {
        None => std::collections::BTreeMap::new(),
        Some(_) if transition_on_alert_closed.is_none() => {
            return Err(ConfigError::invalid(
                "sync.transition_resolution",
                "is set with the transition: give transition_on_alert_closed too",
            ));
        }
        Some(value) => transition_resolutions(&value)?,
    };
    let graph_resolutions =
        raw.graph_resolutions.map(super::graph_sync::check_graph_resolutions).transpose()?;
    Ok(SyncConfig {
        enabled: raw.enabled.unwrap_or(false),
        resolutions,
        graph_resolutions,
        transition_on_alert_closed,
        transition_resolution,
    })
}

/// `transition_resolution`: one resolution for every kind of close, or a table by kind.
fn transition_resolutions(
    value: &toml::Value,
) -> Result<std::collections::BTreeMap<String, String>, ConfigError> {
    let key = "sync.transition_resolution";
    match value {
        toml::Value::String(name) => {
            let name = non_empty(key, name.trim().to_owned())?;
            Ok(ALERT_CLOSE_KINDS.iter().map(|kind| ((*kind).to_owned(), name.clone())).collect())
        }
        toml::Value::Table(table) => table
            .iter()
            .map(|(kind, name)| {
                let entry = format!("{key}.{}", toml_key(kind));
                if !ALERT_CLOSE_KINDS.contains(&kind.as_str()) {
                    return Err(ConfigError::invalid(
                        entry,
                        "unknown kind of close (use true_positive, benign, false_positive or other)",
                    ));
                }
                match name {
                    toml::Value::String(name) => {
                        Ok((kind.clone(), non_empty(&entry, name.trim().to_owned())?))
                    }
                    _ => Err(ConfigError::invalid(entry, "expected a resolution name")),
                }
            })
            .collect(),
        _ => Err(ConfigError::invalid(
            key,
            "expected a resolution name, or a table { true_positive, benign, false_positive, other }",
        )),
    }
}

/// A map key as it would be written in a dotted path: bare when it can be, else quoted.
pub(super) fn toml_key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        name.to_owned()
    } else {
        format!("{name:?}")
    }
}

/// A reason id given as a number.
fn reason_code(key: &str, value: &toml::Value) -> Result<Option<u32>, ConfigError> {
    match value {
        toml::Value::Integer(n) => u32::try_from(*n)
            .map(Some)
            .map_err(|_| ConfigError::invalid(key, format!("{n} is not a reason id"))),
        toml::Value::String(_) => Ok(None),
        _ => Err(ConfigError::invalid(key, "expected a reason name or a reasonId number")),
    }
}

fn benign_reason(key: &str, value: &toml::Value) -> Result<mcas_client::BenignReason, ConfigError> {
    use mcas_client::BenignReason;
    if let Some(code) = reason_code(key, value)? {
        return Ok(BenignReason::Code(code));
    }
    match value.as_str().unwrap_or_default() {
        "actual_severity_lower" => Ok(BenignReason::ActualSeverityLower),
        "other" => Ok(BenignReason::Other),
        "confirmed_with_end_user" => Ok(BenignReason::ConfirmedWithEndUser),
        "triggered_by_test" => Ok(BenignReason::TriggeredByTest),
        other => Err(ConfigError::invalid(
            key,
            format!(
                "unknown benign reason {other:?} (use actual_severity_lower, other, confirmed_with_end_user, triggered_by_test or a reasonId number)"
            ),
        )),
    }
}

fn false_positive_reason(
    key: &str,
    value: &toml::Value,
) -> Result<mcas_client::FalsePositiveReason, ConfigError> {
    use mcas_client::FalsePositiveReason;
    if let Some(code) = reason_code(key, value)? {
        return Ok(FalsePositiveReason::Code(code));
    }
    match value.as_str().unwrap_or_default() {
        "not_of_interest" => Ok(FalsePositiveReason::NotOfInterest),
        "too_many_similar_alerts" => Ok(FalsePositiveReason::TooManySimilarAlerts),
        "alert_not_accurate" => Ok(FalsePositiveReason::AlertNotAccurate),
        "other" => Ok(FalsePositiveReason::Other),
        other => Err(ConfigError::invalid(
            key,
            format!(
                "unknown false-positive reason {other:?} (use not_of_interest, too_many_similar_alerts, alert_not_accurate, other or a reasonId number)"
            ),
        )),
    }
}

/// An `https://` URL, or `http://` to a loopback host (the fakes and mock servers of tests): the
/// check every client makes of its base URL, so that the config refuses what they would.
pub(crate) fn check_url(key: &str, text: &str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(text.trim()).map_err(|err| ConfigError::invalid(key, format!("not a URL ({err})")))?;
    http_support::check_base_url(&url).map_err(|err| match err {
        BaseUrlError::Credentials => {
            ConfigError::invalid(key, "a URL must not hold a user or password; use the auth keys")
        }
        other => ConfigError::invalid(key, other.to_string()),
    })?;
    Ok(url)
}

fn duration(key: &str, text: Option<&str>, default: &str) -> Result<std::time::Duration, ConfigError> {
    parse_duration(text.unwrap_or(default)).map_err(|err| ConfigError::invalid(key, err.to_string()))
}

pub(crate) fn non_empty(key: &str, value: String) -> Result<String, ConfigError> {
    if value.trim().is_empty() { Err(ConfigError::invalid(key, "empty")) } else { Ok(value) }
}

/// Labels as Jira accepts them (see [`Label`]), each error at its key.
fn check_labels(key: &str, labels: Vec<String>) -> Result<Vec<Label>, ConfigError> {
    labels
        .into_iter()
        .enumerate()
        .map(|(index, label)| {
            Label::new(label.as_str()).map_err(|reason| {
                ConfigError::invalid(
                    format!("{key}[{index}]"),
                    format!("{label:?} is not a Jira label: {reason}"),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(url: &str, ok: bool) {
        let result = check_url("k", url);
        assert_eq!(result.is_ok(), ok, "{url}: {result:?}");
    }

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        check("https://example.atlassian.net", true);
        check("http://127.0.0.1:8080", true);
        check("http://127.9.8.7", true);
        check("http://[::1]:3000/jira", true);
        check("http://localhost:1234", true);
        check("http://LOCALHOST", true);
        check("http://example.com", false);
        check("http://10.0.0.1", false);
        check("http://[::2]", false);
        check("http://localhost.example.com", false);
        check("ftp://127.0.0.1", false);
        check("https://user:pw@example.com", false);
        check("example.com", false);
        let err = check_url("tenants[1].url", "http://contoso.example").unwrap_err();
        assert!(
            err.to_string().starts_with("tenants[1].url: http:// is only allowed for loopback hosts"),
            "{err}"
        );
    }
}
