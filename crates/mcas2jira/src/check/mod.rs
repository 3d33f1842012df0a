//! `check`: everything a `run` will need verified, and nothing created or changed: the config and
//! every secret (each one that cannot be read named, not only the first), the state store, the
//! Jira credentials, then what a run will ask of Jira ([`crate::preflight::check_jira`]: the
//! project, the issue type of `[jira]` and of each rule, their components and priorities, each
//! mapped field on each create screen, required fields), AbuseIPDB, each tenant (a Graph tenant's
//! granted permissions, `graph.rs`), and the sync's permissions when it is enabled.
//!
//! Each problem is said once: refused Jira credentials are one line, and the Jira checks that
//! would only repeat the refusal are not made.

mod graph;
mod lines;
mod sync;

use std::path::Path;

use anyhow::Result;
use futures_util::{StreamExt, stream};
use jira_client::Error as JiraError;

use crate::app::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::cli::CheckArgs;
use crate::config::{Config, ConfigError};
use crate::preflight::check_jira;
use crate::services::{Clients, MappedField, TenantClient, build_mapper};
use lines::Checks;

/// One line of `check`'s output: what was checked, and what it found (`Err`: a failure).
type Line = (String, Result<String, String>);

/// Signs in to one tenant and reads from it: its lines, in order.
async fn check_tenant(config: &Config, tenant: &crate::services::Tenant) -> Vec<Line> {
    let mcas = match &tenant.client {
        TenantClient::Mcas(mcas) => mcas,
        TenantClient::Graph(graph) => return graph::check_graph_tenant(config, &tenant.name, graph).await,
    };
    let query = mcas_client::AlertQuery::default().page_size(1);
    let result = mcas
        .alerts_page(&query, 0)
        .await
        .map(|page| match page.total {
            Some(total) => format!("credentials accepted, {total} alerts"),
            None => "credentials accepted".to_owned(),
        })
        .map_err(|e| crate::chain(&e));
    vec![(format!("tenant {}", tenant.name), result)]
}

/// `check`: every setting and credential verified, nothing created. Status 0 when all pass, 2
/// for a config that cannot be read, 1 when a check fails.
///
/// # Errors
///
/// When the state store's opening task cannot be run.
pub async fn check(path: &Path, args: &CheckArgs) -> Result<u8> {
    let mut checks = Checks { json: args.json, failed: false };
    let config = match Config::load(path) {
        Ok((config, warnings)) => {
            let detail = if warnings.is_empty() {
                format!("{}", path.display())
            } else {
                let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
                format!("{} (warnings: {})", path.display(), warnings.join("; "))
            };
            checks.report("config", Ok(detail));
            config
        }
        Err(error) => {
            config_failed(&mut checks, path, &error);
            return Ok(EXIT_USAGE);
        }
    };
    let clients = match Clients::build(&config) {
        Ok(clients) => clients,
        Err(error) => {
            checks.report("clients", Err(format!("{error:#}")));
            return Ok(EXIT_USAGE);
        }
    };
    // Opening checks that the file and its directory can be written (the directory missing,
    // permission denied and read-only are named), as `run` and `watch` need.
    let state_path = config.state.path.clone();
    let store = tokio::task::spawn_blocking(move || crate::state::StateStore::open(&state_path)).await?;
    checks.report(
        "state store",
        store
            .map(|s| {
                format!(
                    "{}: writable (schema {})",
                    config.state.path.display(),
                    s.schema_version().unwrap_or(0)
                )
            })
            .map_err(|e| crate::chain(&e)),
    );

    let jira_usable = check_jira_all(&mut checks, &config, &clients).await;
    abuseipdb(&mut checks, &clients).await;
    // The tenants are asked concurrently, as a pass reads them (a thousand one after another
    // took 18 s), and reported in config order.
    let tenant_lines: Vec<Vec<Line>> = stream::iter(&clients.tenants)
        .map(|tenant| check_tenant(&config, tenant))
        .buffered(crate::services::concurrency(&config).max(1))
        .collect()
        .await;
    for (check, result) in tenant_lines.into_iter().flatten() {
        checks.report(check, result);
    }
    if config.sync.enabled {
        if jira_usable {
            sync::check_sync(&mut checks, &config, &clients, args.close_test).await;
        } else {
            checks.skip("sync", "not checked: Jira refused the credentials (see above)".to_owned());
        }
    }
    if checks.failed {
        if !args.json {
            eprintln!("some checks failed");
        }
        return Ok(EXIT_FAILURE);
    }
    Ok(EXIT_OK)
}

/// A config that cannot be used: one line per problem (each secret that cannot be read).
fn config_failed(checks: &mut Checks, path: &Path, error: &ConfigError) {
    for each in error.each() {
        checks.report("config", Err(format!("{}: {each}", path.display())));
    }
}

/// The Jira checks; whether the credentials were accepted (when they were not, that is said once
/// and nothing else of Jira is asked).
async fn check_jira_all(checks: &mut Checks, config: &Config, clients: &Clients) -> bool {
    let jira = &clients.jira;
    match jira.myself().await {
        Ok(user) => checks.report("jira credentials", Ok(format!("signed in as {}", user.display_name))),
        Err(error) => {
            let refused = matches!(error, JiraError::Unauthorized { .. } | JiraError::Forbidden { .. });
            checks.report("jira credentials", Err(crate::chain(&error)));
            let why = if refused { "Jira refused the credentials" } else { "Jira could not be asked" };
            checks.skip("jira project", format!("not checked: {why} (see above)"));
            return false;
        }
    }
    let fields: Vec<MappedField> = match build_mapper(config, jira).await {
        Ok((_, fields)) => {
            let detail = format!("{} field(s) mapped, {} rule(s)", fields.len(), config.rules.len());
            checks.report("jira fields and rules", Ok(detail));
            fields
        }
        Err(error) => {
            // The fields that did resolve are still checked on the create screens.
            checks.report("jira fields and rules", Err(format!("{error:#}")));
            Vec::new()
        }
    };
    match check_jira(config, jira, &fields).await {
        Ok(problems) if problems.is_empty() => {
            checks.report("jira project", Ok(config.jira.project.clone()));
            checks.report("jira create screens", Ok(screen_summary(config, &fields)));
        }
        Ok(problems) => {
            for problem in problems {
                checks.report("jira config", Err(problem.to_string()));
            }
        }
        Err(error) => checks.report("jira project", Err(crate::chain(&error))),
    }
    true
}

/// What the create screens were found to accept, in one line.
fn screen_summary(config: &Config, fields: &[MappedField]) -> String {
    let specs = config.rules.specs();
    let mut types = vec![config.jira.issue_type.as_str()];
    for name in specs.iter().filter_map(|r| r.issue_type.as_deref()) {
        if !types.iter().any(|t| t.eq_ignore_ascii_case(name)) {
            types.push(name);
        }
    }
    let components: usize = specs.iter().map(|r| r.components.len()).sum();
    let priorities = [
        &config.jira.priorities.high,
        &config.jira.priorities.medium,
        &config.jira.priorities.low,
        &config.jira.priorities.informational,
    ]
    .into_iter()
    .flatten()
    .count()
        + specs.iter().filter(|r| r.priority.is_some()).count();
    format!(
        "issue type(s) {}: {priorities} priorit{}, {components} component(s), {} field(s) and the labels accepted; \
         no required field left unset",
        types.join(", "),
        if priorities == 1 { "y" } else { "ies" },
        fields.len()
    )
}

/// AbuseIPDB's key, proven with a look-up of the loopback address.
async fn abuseipdb(checks: &mut Checks, clients: &Clients) {
    match &clients.abuseipdb {
        Some(abuse) => {
            // A check of the loopback address proves the key without spending a look-up on a real
            // address (it still counts against the daily quota).
            let params = abuseipdb_client::CheckParams::default().max_age_days(1);
            let result = abuse
                .check(std::net::IpAddr::from([127, 0, 0, 1]), &params)
                .await
                .map(|r| match r.rate_limit.remaining {
                    Some(left) => format!("key accepted, {left} checks left today"),
                    None => "key accepted".to_owned(),
                })
                .map_err(|e| crate::chain(&e));
            checks.report("abuseipdb", result);
        }
        None => checks.report("abuseipdb", Ok("not configured: tickets carry no IP reputation".into())),
    }
}
