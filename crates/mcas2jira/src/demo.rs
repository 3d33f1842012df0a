//! `mcas2jira demo`: the whole tool at work without any account.
//!
//! The demo starts fake Defender for Cloud Apps (three tenants with a weekend's worth of alerts
//! each), AbuseIPDB and Jira Cloud servers on loopback, writes a config for them into a temporary
//! directory (or `--dir`), with every secret in a `*_file` next to it, and then runs the very code
//! of `run` ([`Services::connect`], [`run_locked`], the [`Printer`]) twice: the first pass tickets
//! the alerts, the second reaches back over the same weekend and must find every alert already
//! ticketed. It ends by counting the fake Jira's issues per `mcas-<alert id>` label, so that a
//! duplicate could not go unnoticed, and says where the config and the state database are.
//!
//! The secrets are files rather than environment variables because setting a variable of the
//! running process is `unsafe` in edition 2024, and this workspace forbids `unsafe`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use jiff::Timestamp;
use mcas2jira_fakes::{
    EntraApp, FakeAbuseIpdb, FakeAbuseIpdbOptions, FakeGraph, FakeGraphOptions, FakeJira, FakeJiraOptions,
    FakeMcas, FakeMcasOptions, GraphTenant, graph, scenario,
};
use serde_json::json;

use crate::app::{EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, pass_options, run_locked};
use crate::cli::{DemoArgs, RunArgs};
use crate::config::{self, Config};
use crate::events::{Collector, Event, Printer, Tee};
use crate::pipeline::PassReport;
use crate::services::{ConfigProblem, Services};

/// The demo's tenants: the first two sign in with a legacy API token, the last as an Entra app.
const TENANTS: [&str; 3] = ["contoso", "fabrikam", "northwind"];

/// The tenant that signs in as a Microsoft Entra application.
const ENTRA_TENANT: &str = "northwind";

/// The made-up directory (tenant) id of [`ENTRA_TENANT`]'s Entra application.
const ENTRA_TENANT_ID: &str = "8c3a0e5b-2f4d-4e6a-9b1c-0d7e3f5a6b2c";

/// The made-up application (client) id of [`ENTRA_TENANT`]'s Entra application.
const ENTRA_CLIENT_ID: &str = "3f9e1d2c-7b6a-4c5d-8e0f-1a2b3c4d5e6f";

/// How far back the second pass reads (as `run --since 7d`): the whole weekend of the first.
const SECOND_PASS_SINCE: &str = "7d";

/// The tenant read through Microsoft Graph beside the MCAS ones, and its Entra directory id.
const GRAPH_TENANT: &str = "tailspin";
const GRAPH_TENANT_ID: &str = "tailspin.onmicrosoft.com";

/// The state database's file name, next to the config.
const STATE_FILE: &str = "mcas2jira.db";

/// `demo`: fakes started, config written, two passes of `run`, duplicates counted.
///
/// Status 0 when every alert got exactly one ticket; 3 when some alert could not be ticketed
/// (which the fakes give no reason for); 1 when a ticket was duplicated.
///
/// # Errors
/// When a fake cannot start, the directory cannot be written, or the services cannot be set up;
/// `--dir` naming the files of an earlier demo is a usage error (status 2).
///
/// # Examples
///
/// ```no_run
/// use mcas2jira::cli::DemoArgs;
///
/// # async fn example() -> anyhow::Result<()> {
/// let args = DemoArgs { dir: Some("demo".into()), ..DemoArgs::default() };
/// let status = mcas2jira::demo::demo(&args).await?;
/// println!("the demo ended with status {status}");
/// # Ok(())
/// # }
/// ```
pub async fn demo(args: &DemoArgs) -> Result<u8> {
    let out = Out { json: args.json };
    let workdir = Workdir::new(args.dir.as_deref())?;
    let fakes = Fakes::start(Timestamp::now()).await?;
    let config_path = write_config(workdir.path(), &fakes)?;
    out.intro(&fakes, &config_path);

    let config = load(&config_path)?;
    let state_path = config.state.path.clone();
    let run_args = RunArgs { json: args.json, ..RunArgs::default() };
    let first = pass_options(&config, &run_args)?;
    let second = pass_options(&config, &RunArgs { since: Some(SECOND_PASS_SINCE.to_owned()), ..run_args })?;
    let services = Services::connect(config).await?;
    let printer = Printer::new(args.json);

    out.heading("pass 1: every open alert of the weekend gets a ticket");
    let collector = Collector::default();
    let report1 = run_locked(&services, &first, &Tee(&printer, &collector)).await?;
    out.pass(1, &report1);

    out.heading(&format!(
        "pass 2: the same again, reaching back {SECOND_PASS_SINCE} (as `run --since {SECOND_PASS_SINCE}`): \
         nothing may be created twice"
    ));
    let report2 = run_locked(&services, &second, &printer).await?;
    out.pass(2, &report2);

    let ticketed: Vec<String> = collector
        .events()
        .into_iter()
        .filter_map(|event| match event {
            // A Graph alert's ticket is labelled graph-<id>, an MCAS alert's mcas-<id>.
            Event::TicketCreated { tenant, alert_id, .. } if tenant == GRAPH_TENANT => {
                Some(format!("graph-{alert_id}"))
            }
            Event::TicketCreated { alert_id, .. } => Some(format!("mcas-{alert_id}")),
            _ => None,
        })
        .collect();
    let duplicated: Vec<&String> =
        ticketed.iter().filter(|label| fakes.jira.count_with_label(label) != 1).collect();
    let issues = fakes.jira.issue_count();
    let verdict = Verdict {
        issues,
        tickets: ticketed.len(),
        duplicated: duplicated.len(),
        created_again: report2.created() + report2.tenants.iter().map(|t| t.already_ticketed).sum::<u64>(),
    };
    out.verdict(&verdict);
    out.sample(&fakes.jira);
    // The state store holds the SQLite file open; let it go before the directory is removed.
    drop(services);
    out.locations(&config_path, &state_path, workdir.is_kept());

    if !verdict.is_clean() {
        eprintln!(
            "error: the demo's Jira holds {issues} issue(s) for {} ticket(s) created; {} alert(s) have \
             more or fewer than one",
            ticketed.len(),
            duplicated.len()
        );
        return Ok(EXIT_FAILURE);
    }
    Ok(if report1.has_failures() || report2.has_failures() { EXIT_PARTIAL } else { EXIT_OK })
}

/// Loads the config the demo wrote, as `run` would, showing its warnings.
fn load(path: &Path) -> Result<Config> {
    let (config, warnings) = Config::load(path).with_context(|| format!("config {}", path.display()))?;
    for warning in warnings {
        tracing::warn!("config {}: {warning}", path.display());
    }
    Ok(config)
}

/// What the fake Jira holds at the end.
struct Verdict {
    /// Issues in the fake Jira.
    issues: usize,
    /// Tickets the first pass reported created.
    tickets: usize,
    /// Alerts whose label is on more or fewer than one issue.
    duplicated: usize,
    /// Tickets the second pass created or found in Jira (the state store should have known them
    /// all).
    created_again: u64,
}

impl Verdict {
    fn is_clean(&self) -> bool {
        self.duplicated == 0 && self.issues == self.tickets
    }
}

/// The demo's own lines around the passes' events: human text, or JSON objects with an `"event"`
/// key like the passes' own (`demo_started`, `demo_pass`, `demo_checked`, `demo_files`).
struct Out {
    json: bool,
}

impl Out {
    fn intro(&self, fakes: &Fakes, config_path: &Path) {
        let tenants: Vec<serde_json::Value> = fakes
            .tenants
            .iter()
            .map(|t| json!({"tenant": t.name, "url": t.fake.url(), "alerts": t.fake.alert_count()}))
            .collect();
        if self.json {
            print_json(&json!({
                "event": "demo_started",
                "tenants": tenants,
                "abuseipdb": fakes.abuseipdb.api_url(),
                "jira": fakes.jira.url(),
                "config": config_path,
            }));
            return;
        }
        say!("mcas2jira demo: fake services on loopback, no accounts needed");
        for t in &fakes.tenants {
            let auth = if t.name == ENTRA_TENANT { "Entra app" } else { "API token" };
            say!("  MCAS tenant {:<10} {:<24} {} alerts, {auth}", t.name, t.fake.url(), t.fake.alert_count());
        }
        say!(
            "  Graph tenant {GRAPH_TENANT:<9} {:<24} {} alerts, Defender for Cloud Apps' ticketed, shared Entra app",
            fakes.graph.url(),
            fakes.graph.alert_count(GRAPH_TENANT_ID)
        );
        say!("  AbuseIPDB              {}", fakes.abuseipdb.url());
        say!("  Jira Cloud             {} (project {})", fakes.jira.url(), fakes.jira.options().project);
        say!("{} alerts in all; config written to {}", fakes.alert_count(), config_path.display());
    }

    fn heading(&self, text: &str) {
        if !self.json {
            say!();
            say!("== {text}");
        }
    }

    fn pass(&self, number: u32, report: &PassReport) {
        let sum = |f: fn(&crate::events::TenantSummary) -> u64| report.tenants.iter().map(f).sum::<u64>();
        let (seen, known, created, found, skipped, failed) = (
            sum(|t| t.seen),
            sum(|t| t.known),
            sum(|t| t.created),
            sum(|t| t.already_ticketed),
            sum(|t| t.skipped),
            sum(|t| t.failed),
        );
        let e = report.enrichment;
        if self.json {
            print_json(&json!({
                "event": "demo_pass",
                "pass": number,
                "seen": seen,
                "created": created,
                "already_ticketed": found,
                "known": known,
                "skipped": skipped,
                "failed": failed,
                "ip_lookups": e.lookups,
                "ip_cache_hits": e.cache_hits,
                "elapsed_ms": u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
            }));
            return;
        }
        say!(
            "pass {number}: {seen} alerts seen: {created} created, {known} known from the state store, \
             {found} found in Jira by label, {skipped} skipped by a rule, {failed} failed; \
             {} IP look-ups, {} from cache; {:.1}s",
            e.lookups,
            e.cache_hits,
            report.elapsed.as_secs_f64()
        );
    }

    fn verdict(&self, verdict: &Verdict) {
        if self.json {
            print_json(&json!({
                "event": "demo_checked",
                "jira_issues": verdict.issues,
                "tickets_created": verdict.tickets,
                "duplicated": verdict.duplicated,
                "second_pass_tickets": verdict.created_again,
            }));
            return;
        }
        say!();
        if verdict.is_clean() {
            say!(
                "Jira holds {} issues, exactly one per ticketed alert (each found by its label \
                 `mcas-<alert id>` or `graph-<alert id>`): nothing was duplicated.",
                verdict.issues
            );
        } else {
            say!(
                "Jira holds {} issues for {} tickets created; {} alerts do not have exactly one.",
                verdict.issues,
                verdict.tickets,
                verdict.duplicated
            );
        }
    }

    /// One ticket as the fake Jira holds it, so the reader sees what the tool writes: preferably
    /// one a rule changed.
    fn sample(&self, jira: &FakeJira) {
        let issues = jira.issues();
        let Some(issue) =
            issues.iter().find(|i| i.labels.iter().any(|l| l == "known-bad-ip")).or_else(|| issues.first())
        else {
            return;
        };
        let field_name = |id: &str| {
            jira.options().custom_fields.iter().find(|f| f.id == id).map_or(id.to_owned(), |f| f.name.clone())
        };
        let fields: Vec<(String, String)> =
            issue.custom_fields.iter().map(|(id, value)| (field_name(id), plain_text(value))).collect();
        if self.json {
            print_json(&json!({
                "event": "demo_sample_ticket",
                "key": issue.key,
                "summary": issue.summary,
                "priority": issue.priority,
                "labels": issue.labels,
                "components": issue.components,
                "fields": fields.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
            }));
            return;
        }
        say!();
        say!("One of them, {} in the demo's Jira:", issue.key);
        let mut rows = vec![
            ("summary".to_owned(), issue.summary.clone()),
            ("priority".to_owned(), issue.priority.clone().unwrap_or_else(|| "(project default)".into())),
            ("labels".to_owned(), issue.labels.join(", ")),
        ];
        if !issue.components.is_empty() {
            rows.push(("components".to_owned(), issue.components.join(", ")));
        }
        rows.extend(fields);
        for (name, value) in rows {
            // Multi-line values (the IP reputation, one address a line) keep their lines.
            let mut lines = value.lines().filter(|l| !l.trim().is_empty());
            say!("  {name:<14} {}", cut(lines.next().unwrap_or_default(), 100));
            for line in lines.take(4) {
                say!("  {:<14} {}", "", cut(line, 100));
            }
        }
    }

    fn locations(&self, config_path: &Path, state_path: &Path, kept: bool) {
        if self.json {
            print_json(&json!({
                "event": "demo_files",
                "config": config_path,
                "state": state_path,
                "kept": kept,
            }));
            return;
        }
        say!();
        say!("config:         {}", config_path.display());
        say!("state database: {}", state_path.display());
        if kept {
            say!(
                "Both are kept; the fake services are gone, so the config reaches nothing now. \
                 For real services: `mcas2jira init`, edit, `mcas2jira check`, `mcas2jira run`."
            );
        } else {
            say!(
                "Both are removed as the demo ends (keep them with `mcas2jira demo --dir DIR`). \
                 For real services: `mcas2jira init`, edit, `mcas2jira check`, `mcas2jira run`."
            );
        }
    }
}

/// The text of a field value as Jira was sent it: a string, a list of strings, or the text nodes
/// of an ADF document, one a line.
fn plain_text(value: &serde_json::Value) -> String {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(map) => match map.get("text").or_else(|| map.get("value")) {
                Some(serde_json::Value::String(s)) => out.push(s.clone()),
                _ => map.get("content").into_iter().for_each(|v| walk(v, out)),
            },
            _ => {}
        }
    }
    let mut parts = Vec::new();
    walk(value, &mut parts);
    parts.join("\n")
}

/// `text` on one line, cut to `max` characters.
fn cut(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let mut short: String = line.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

fn print_json(value: &serde_json::Value) {
    say!("{value}");
}

/// One fake MCAS tenant and the secret it accepts.
struct DemoTenant {
    name: &'static str,
    fake: FakeMcas,
    secret: String,
}

/// The fake services of one demo, stopped when dropped.
struct Fakes {
    tenants: Vec<DemoTenant>,
    abuseipdb: FakeAbuseIpdb,
    abuseipdb_key: String,
    jira: FakeJira,
    /// Microsoft Graph, serving the Graph tenant.
    graph: FakeGraph,
}

impl Fakes {
    async fn start(now: Timestamp) -> Result<Self> {
        let mut tenants = Vec::new();
        for name in TENANTS {
            let secret = format!("demo-secret-{name}");
            let entra = (name == ENTRA_TENANT).then(|| EntraApp {
                tenant_id: ENTRA_TENANT_ID.to_owned(),
                client_id: ENTRA_CLIENT_ID.to_owned(),
                client_secret: secret.clone(),
            });
            let options = FakeMcasOptions {
                tenant: name.to_owned(),
                token: secret.clone(),
                alerts: scenario::demo_alerts(name, now),
                entra,
                ..FakeMcasOptions::default()
            };
            let fake = FakeMcas::start(options)
                .await
                .with_context(|| format!("cannot start the fake MCAS tenant {name}"))?;
            tenants.push(DemoTenant { name, fake, secret });
        }
        let abuseipdb_key = "demo-abuseipdb-key".to_owned();
        let abuseipdb =
            FakeAbuseIpdb::start(FakeAbuseIpdbOptions { key: abuseipdb_key.clone(), ..Default::default() })
                .await
                .context("cannot start the fake AbuseIPDB")?;
        let jira =
            FakeJira::start(FakeJiraOptions { token: "demo-jira-token".to_owned(), ..Default::default() })
                .await
                .context("cannot start the fake Jira")?;
        let graph = FakeGraph::start(FakeGraphOptions {
            tenants: vec![GraphTenant::new(GRAPH_TENANT_ID, graph::demo_alerts(GRAPH_TENANT_ID, now))],
            ..FakeGraphOptions::default()
        })
        .await
        .context("cannot start the fake Microsoft Graph")?;
        Ok(Self { tenants, abuseipdb, abuseipdb_key, jira, graph })
    }

    fn alert_count(&self) -> usize {
        self.tenants.iter().map(|t| t.fake.alert_count()).sum::<usize>()
            + self.graph.alert_count(GRAPH_TENANT_ID)
    }
}

/// Where the demo writes its config, secrets and state: `--dir`, kept, or a temporary directory
/// removed at the end.
enum Workdir {
    Kept(PathBuf),
    Temporary(tempfile::TempDir),
}

impl Workdir {
    fn new(dir: Option<&Path>) -> Result<Self> {
        let Some(dir) = dir else {
            let temp = tempfile::Builder::new()
                .prefix("mcas2jira-demo-")
                .tempdir()
                .context("cannot make a temporary directory")?;
            return Ok(Self::Temporary(temp));
        };
        // An earlier demo's state would make this one's first pass look like a second one (its
        // checkpoints are past the new alerts); never overwrite it.
        for name in [config::DEFAULT_CONFIG_FILE, STATE_FILE] {
            let path = dir.join(name);
            if path.exists() {
                return Err(ConfigProblem {
                    key: "--dir".into(),
                    reason: format!(
                        "{} exists already (from an earlier demo?); choose another directory or remove it",
                        path.display()
                    ),
                }
                .into());
            }
        }
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        // Relative paths in the output would depend on the working directory of whoever reads it.
        let dir = std::path::absolute(dir).with_context(|| format!("cannot resolve {}", dir.display()))?;
        Ok(Self::Kept(dir))
    }

    fn path(&self) -> &Path {
        match self {
            Self::Kept(dir) => dir,
            Self::Temporary(temp) => temp.path(),
        }
    }

    fn is_kept(&self) -> bool {
        matches!(self, Self::Kept(_))
    }
}

/// Writes a secret file readable by its owner only (the config warns about any other).
fn write_secret(path: &Path, secret: &str) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, secret.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes the secrets and the config for `fakes` into `dir`; returns the config's path.
fn write_config(dir: &Path, fakes: &Fakes) -> Result<PathBuf> {
    let secrets = dir.join("secrets");
    std::fs::create_dir_all(&secrets).with_context(|| format!("cannot create {}", secrets.display()))?;
    write_secret(&secrets.join("jira-token"), &fakes.jira.options().token)?;
    write_secret(&secrets.join("abuseipdb-key"), &fakes.abuseipdb_key)?;
    for tenant in &fakes.tenants {
        write_secret(&secrets.join(format!("mcas-{}", tenant.name)), &tenant.secret)?;
    }
    write_secret(&secrets.join("graph-app"), &FakeGraphOptions::default().apps[0].client_secret)?;
    let path = dir.join(config::DEFAULT_CONFIG_FILE);
    std::fs::write(&path, config_text(fakes)).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// The demo's config: the fakes' URLs, secrets from files, pacing off, and rules that show a
/// priority, a label, a component and a skip at work.
fn config_text(fakes: &Fakes) -> String {
    let jira = fakes.jira.options();
    let mut text = format!(
        r#"# Written by `mcas2jira demo` for its fake services on loopback, which stop when the demo
# ends. `mcas2jira init` writes a commented config for real services.

[jira]
url = "{jira_url}"
deployment = "cloud"
project = "{project}"
issue_type = "Task"
labels = ["mcas", "demo"]

[jira.auth]
user = "{user}"
token_file = "secrets/jira-token"

[jira.fields]
alert_url = "customfield_10109"
affected_user = "Affected user"
ip_reputation = "IP reputation"
tenant = "MCAS tenant"

[jira.priorities]
high = "High"
medium = "Medium"
low = "Low"
informational = "Lowest"

[[rules]]
name = "leaked credentials"
match = {{ title = "(?i)leaked credentials" }}
priority = "Highest"
labels = ["leaked-credentials"]

[[rules]]
name = "known-bad IPs"
match = {{ severities = ["medium", "high"], min_ip_score = 90 }}
priority = "High"
labels = ["known-bad-ip"]
components = ["Identity"]

[[rules]]
name = "northwind informational noise"
match = {{ tenant = "^northwind$", severity = "informational" }}
skip = true

[abuseipdb]
url = "{abuse_url}"
key_file = "secrets/abuseipdb-key"

[fetch]
first_lookback = "7d"
min_severity = "informational"
only_open = true
# The fakes do not throttle: no pacing, so the demo takes seconds.
requests_per_minute = 0

[state]
path = "{STATE_FILE}"
"#,
        jira_url = fakes.jira.url(),
        project = jira.project,
        user = jira.user,
        abuse_url = fakes.abuseipdb.api_url(),
    );
    for tenant in &fakes.tenants {
        let (name, url) = (tenant.name, tenant.fake.url());
        if name == ENTRA_TENANT {
            let _ = write!(
                text,
                r#"
[[tenants]]
name = "{name}"
url = "{url}"
# A Microsoft Entra application; the fake tenant is its login authority too.
entra = {{ tenant_id = "{ENTRA_TENANT_ID}", client_id = "{ENTRA_CLIENT_ID}", client_secret_file = "secrets/mcas-{name}", authority = "{url}" }}
"#
            );
        } else {
            let _ = write!(
                text,
                r#"
[[tenants]]
name = "{name}"
url = "{url}"
token_file = "secrets/mcas-{name}"
"#
            );
        }
    }
    let app = &FakeGraphOptions::default().apps[0];
    let graph_url = fakes.graph.url();
    let _ = write!(
        text,
        r#"
# A tenant read through Microsoft Graph, with an Entra application that could serve many tenants.
[[tenants]]
name = "{GRAPH_TENANT}"
source = "graph"
tenant_id = "{GRAPH_TENANT_ID}"
app = "mssp"

[graph]
url = "{graph_url}"
requests_per_minute = 0

[entra_apps.mssp]
client_id = "{client_id}"
client_secret_file = "secrets/graph-app"
# The fake Graph is its login authority too.
authority = "{graph_url}"
"#,
        client_id = app.client_id,
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_config_is_valid() {
        let fakes = Fakes::start(Timestamp::now()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = write_config(dir.path(), &fakes).unwrap();
        let (config, warnings) = Config::load_with_env(&path, &|_| None).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.tenants.len(), TENANTS.len() + 1);
        assert_eq!(config.fetch.requests_per_minute, 0);
        assert_eq!(config.state.path, dir.path().join(STATE_FILE));
    }

    #[test]
    fn dir_with_an_earlier_demo_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STATE_FILE), "").unwrap();
        let error = Workdir::new(Some(dir.path())).err().unwrap();
        assert!(error.chain().any(|e| e.is::<ConfigProblem>()), "{error:#}");
    }
}
