//! The shared harness of the binary's tests: fake MCAS tenants, a fake AbuseIPDB and a fake Jira on
//! loopback, a config file in a temporary directory that points at them, and the real
//! `mcas2jira` binary run against it as a child process.
//!
//! Include it from any test binary of this crate with
//! `#[path = "../support/mod.rs"] mod support;` and use it from plain `#[test]` functions: the
//! harness owns the async runtime the fakes run on, so its methods are blocking.
//!
//! ```ignore
//! let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
//! let out = h.run(["run", "--json"]);
//! assert_eq!(out.status, 0, "{out}");
//! h.assert_one_ticket_per_alert();
//! ```
//!
//! Secrets reach the child through environment variables named by `*_env` keys, never inline, so
//! the config the tests write is the kind users are told to write.

// Each test binary uses a different part of the harness and of its re-exports.
#![allow(dead_code, unused_imports)]

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The fake AbuseIPDB's route names.
pub use mcas2jira_fakes::abuseipdb::route as abuseipdb_route;
pub use mcas2jira_fakes::graph::route as graph_route;
/// The fake Jira's route names, for `harness.jira.fail_next(route::CREATE, ..)`.
pub use mcas2jira_fakes::jira::route;
/// The fake MCAS's route names.
pub use mcas2jira_fakes::mcas::route as mcas_route;
pub use mcas2jira_fakes::{
    ALL_ISSUE_TYPES, Deployment, FakeAbuseIpdb, FakeAbuseIpdbOptions, FakeGraph, FakeGraphOptions, FakeJira,
    FakeJiraOptions, FakeMcas, FakeMcasOptions, FaultKind, GraphTenant, IssueSnapshot, Permission,
    ValueRefusal, scenario,
};
use serde_json::Value;

/// How long a run of the binary may take before the test fails (and the child is killed).
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variable that carries the Jira API token to the child.
pub const JIRA_TOKEN_ENV: &str = "MCAS2JIRA_TEST_JIRA_TOKEN";
/// The environment variable that carries the AbuseIPDB key to the child.
pub const ABUSEIPDB_KEY_ENV: &str = "MCAS2JIRA_TEST_ABUSEIPDB_KEY";

/// The directory (tenant) id of the Entra application tenants sign in with ([`HarnessOptions::entra`]).
pub const ENTRA_TENANT_ID: &str = "8f2b1d4e-0000-4000-8000-00000000c0de";
/// Its application (client) id.
pub const ENTRA_CLIENT_ID: &str = "3c1e5a7b-0000-4000-8000-0000000a9911";

/// The environment variable that carries the client secret of the Entra application every Graph
/// tenant shares (`[entra_apps.mssp]`).
pub const GRAPH_SECRET_ENV: &str = "MCAS2JIRA_TEST_GRAPH_SECRET";

/// The directory id of the Graph tenant named `name` in the harness.
pub fn graph_tenant_id(name: &str) -> String {
    format!("{name}.onmicrosoft.com")
}

/// The environment variable that carries the MCAS token (or, with [`HarnessOptions::entra`], the
/// Entra client secret) of tenant number `index` to the child.
pub fn mcas_token_env(index: usize) -> String {
    format!("MCAS2JIRA_TEST_MCAS_TOKEN_{index}")
}

/// `n` realistic alerts of `tenant` (the oldest `n` of the fakes' weekend scenario), all within
/// the last 60 hours, so inside the default first look-back.
pub fn alerts(tenant: &str, n: usize) -> Vec<Value> {
    let all = scenario::demo_alerts(tenant, jiff::Timestamp::now());
    assert!(n <= all.len(), "the scenario has only {} alerts for {tenant}", all.len());
    all.into_iter().take(n).collect()
}

/// The `_id` of an alert.
pub fn alert_id(alert: &Value) -> String {
    match &alert["_id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One fake MCAS tenant to start.
#[derive(Debug, Clone)]
pub struct TenantSpec {
    /// Its name in the config.
    pub name: String,
    /// The alerts it serves.
    pub alerts: Vec<Value>,
}

/// What [`Harness::start`] starts and how it writes the config.
#[derive(Debug, Clone)]
pub struct HarnessOptions {
    /// The MCAS tenants, in config order.
    pub tenants: Vec<TenantSpec>,
    /// Cloud (REST v3, ADF) or Server (REST v2, wiki).
    pub deployment: Deployment,
    /// Whether to start a fake AbuseIPDB and configure `[abuseipdb]`.
    pub abuseipdb: bool,
    /// The fake AbuseIPDB's daily quota.
    pub abuseipdb_quota: u32,
    /// Whether to map the custom fields (`[jira.fields]`: alert URL by id, affected user by name,
    /// IP reputation by id).
    pub fields: bool,
    /// TOML appended to the generated config (extra tables such as `[pipeline]`).
    pub extra_config: String,
    /// Sign the tenants in as a Microsoft Entra application whose tokens carry these application
    /// permissions, instead of with a legacy API token.
    pub entra_roles: Option<Vec<String>>,
    /// How the fake Jira is started (its `deployment` is [`HarnessOptions::deployment`]'s).
    pub jira: FakeJiraOptions,
    /// The tenants read through Microsoft Graph (`source = "graph"`), after the MCAS ones, all
    /// on one fake Graph and sharing one application.
    pub graph_tenants: Vec<TenantSpec>,
    /// The fake Graph's throttle per tenant and minute.
    pub graph_requests_per_minute: Option<u32>,
}

impl Default for HarnessOptions {
    fn default() -> Self {
        HarnessOptions {
            tenants: Vec::new(),
            deployment: Deployment::Cloud,
            abuseipdb: true,
            abuseipdb_quota: 1000,
            fields: true,
            extra_config: String::new(),
            entra_roles: None,
            jira: FakeJiraOptions::default(),
            graph_tenants: Vec::new(),
            graph_requests_per_minute: None,
        }
    }
}

impl HarnessOptions {
    /// Adds a tenant with these alerts.
    #[must_use]
    pub fn tenant(mut self, name: &str, alerts: Vec<Value>) -> Self {
        self.tenants.push(TenantSpec { name: name.to_owned(), alerts });
        self
    }

    /// Adds a tenant read through Microsoft Graph, with these alerts (Graph's JSON).
    #[must_use]
    pub fn graph_tenant(mut self, name: &str, alerts: Vec<Value>) -> Self {
        self.graph_tenants.push(TenantSpec { name: name.to_owned(), alerts });
        self
    }

    /// Plays Jira Server/Data Center instead of Cloud.
    #[must_use]
    pub fn server(mut self) -> Self {
        self.deployment = Deployment::Server;
        self
    }

    /// Leaves `[abuseipdb]` out (and starts no fake AbuseIPDB).
    #[must_use]
    pub fn without_abuseipdb(mut self) -> Self {
        self.abuseipdb = false;
        self
    }

    /// Sets the fake AbuseIPDB's daily quota.
    #[must_use]
    pub fn abuseipdb_quota(mut self, quota: u32) -> Self {
        self.abuseipdb_quota = quota;
        self
    }

    /// Signs the tenants in as an Entra application with these permissions (`roles` claim).
    #[must_use]
    pub fn entra(mut self, roles: &[&str]) -> Self {
        self.entra_roles = Some(roles.iter().map(|r| (*r).to_owned()).collect());
        self
    }

    /// Changes how the fake Jira is started: what its project allows, what it refuses.
    #[must_use]
    pub fn jira(mut self, edit: impl FnOnce(&mut FakeJiraOptions)) -> Self {
        edit(&mut self.jira);
        self
    }

    /// Appends TOML to the config.
    #[must_use]
    pub fn extra_config(mut self, toml: &str) -> Self {
        self.extra_config.push_str(toml);
        self.extra_config.push('\n');
        self
    }
}

/// What one run of the binary did.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The exit status (-1 if killed by a signal).
    pub status: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error (logs and error messages).
    pub stderr: String,
    /// With `--json`: every stdout line that is a JSON object, parsed.
    pub events: Vec<Value>,
}

impl RunOutput {
    /// The events whose `"event"` is `kind`.
    pub fn events_of(&self, kind: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["event"] == kind).collect()
    }

    /// How many events of each kind, for assertion messages and quick checks.
    pub fn event_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for event in &self.events {
            let kind = event["event"].as_str().unwrap_or("?").to_owned();
            *counts.entry(kind).or_insert(0) += 1;
        }
        counts
    }

    /// The `alert_id`s of the events of `kind`, sorted.
    pub fn alert_ids_of(&self, kind: &str) -> Vec<String> {
        let mut ids: Vec<String> =
            self.events_of(kind).iter().filter_map(|e| e["alert_id"].as_str().map(str::to_owned)).collect();
        ids.sort();
        ids
    }
}

impl fmt::Display for RunOutput {
    /// Everything, for assertion messages: `assert_eq!(out.status, 0, "{out}")`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.status, self.stdout, self.stderr)
    }
}

/// Running fakes, a config pointing at them, and the binary to run.
pub struct Harness {
    /// One fake per tenant, in config order.
    pub mcas: Vec<FakeMcas>,
    /// The fake Jira.
    pub jira: FakeJira,
    /// The fake AbuseIPDB, when configured.
    pub abuseipdb: Option<FakeAbuseIpdb>,
    /// The fake Graph, when there are Graph tenants.
    pub graph: Option<FakeGraph>,
    /// The tenants as started (names and the alerts they were given).
    pub tenants: Vec<TenantSpec>,
    /// The Graph tenants as started.
    pub graph_tenants: Vec<TenantSpec>,
    /// The config file.
    pub config_path: PathBuf,
    /// The state store the config names.
    pub state_path: PathBuf,
    env: BTreeMap<String, String>,
    // Dropped after the fakes (fields drop in declaration order), so that their servers stop on a
    // live runtime.
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl Harness {
    /// Starts the fakes and writes the config. Panics on failure (it is a test helper).
    pub fn start(options: HarnessOptions) -> Harness {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime");
        let dir = tempfile::tempdir().expect("temporary directory");
        let (mcas, jira, abuseipdb, graph) = runtime.block_on(async {
            let mut mcas = Vec::new();
            for (index, tenant) in options.tenants.iter().enumerate() {
                let fake = FakeMcas::start(FakeMcasOptions {
                    tenant: tenant.name.clone(),
                    token: format!("mcas-token-{index}"),
                    alerts: tenant.alerts.clone(),
                    entra: options.entra_roles.as_ref().map(|_| mcas2jira_fakes::mcas::EntraApp {
                        tenant_id: ENTRA_TENANT_ID.to_owned(),
                        client_id: ENTRA_CLIENT_ID.to_owned(),
                        client_secret: format!("mcas-token-{index}"),
                    }),
                    entra_roles: options.entra_roles.clone().unwrap_or_default(),
                    ..FakeMcasOptions::default()
                })
                .await
                .expect("fake MCAS");
                mcas.push(fake);
            }
            let jira =
                FakeJira::start(FakeJiraOptions { deployment: options.deployment, ..options.jira.clone() })
                    .await
                    .expect("fake Jira");
            let abuseipdb = if options.abuseipdb {
                Some(
                    FakeAbuseIpdb::start(FakeAbuseIpdbOptions {
                        daily_quota: options.abuseipdb_quota,
                        ..FakeAbuseIpdbOptions::default()
                    })
                    .await
                    .expect("fake AbuseIPDB"),
                )
            } else {
                None
            };
            let graph = if options.graph_tenants.is_empty() {
                None
            } else {
                let tenants = options
                    .graph_tenants
                    .iter()
                    .map(|t| GraphTenant::new(graph_tenant_id(&t.name), t.alerts.clone()))
                    .collect();
                let options = FakeGraphOptions {
                    tenants,
                    requests_per_minute: options.graph_requests_per_minute,
                    ..FakeGraphOptions::default()
                };
                Some(FakeGraph::start(options).await.expect("fake Graph"))
            };
            (mcas, jira, abuseipdb, graph)
        });

        let mut env = BTreeMap::new();
        env.insert(JIRA_TOKEN_ENV.to_owned(), jira.options().token.clone());
        if abuseipdb.is_some() {
            env.insert(ABUSEIPDB_KEY_ENV.to_owned(), FakeAbuseIpdbOptions::default().key);
        }
        for index in 0..mcas.len() {
            env.insert(mcas_token_env(index), format!("mcas-token-{index}"));
        }
        if graph.is_some() {
            env.insert(
                GRAPH_SECRET_ENV.to_owned(),
                FakeGraphOptions::default().apps[0].client_secret.clone(),
            );
        }

        let config_path = dir.path().join("mcas2jira.toml");
        let state_path = dir.path().join("state.db");
        let harness = Harness {
            mcas,
            jira,
            abuseipdb,
            graph,
            tenants: options.tenants.clone(),
            graph_tenants: options.graph_tenants.clone(),
            config_path,
            state_path,
            env,
            runtime,
            dir,
        };
        let text = harness.config_text(&options);
        harness.write_config(&text);
        harness
    }

    /// The config the harness writes for these options.
    fn config_text(&self, options: &HarnessOptions) -> String {
        let deployment = match options.deployment {
            Deployment::Server => "server",
            _ => "cloud",
        };
        let jira = self.jira.options();
        let mut text = format!(
            r#"[jira]
url = "{url}"
deployment = "{deployment}"
project = "{project}"
issue_type = "Task"
labels = ["mcas"]

[jira.auth]
user = "{user}"
token_env = "{JIRA_TOKEN_ENV}"

[jira.priorities]
high = "High"
medium = "Medium"
low = "Low"
informational = "Lowest"
"#,
            url = self.jira.url(),
            project = jira.project,
            user = jira.user,
        );
        if options.fields {
            text.push_str(
                r#"
[jira.fields]
alert_url = "customfield_10109"
affected_user = "Affected user"
ip_reputation = "customfield_10108"
"#,
            );
        }
        if let Some(abuse) = &self.abuseipdb {
            text.push_str(&format!(
                "\n[abuseipdb]\nkey_env = \"{ABUSEIPDB_KEY_ENV}\"\nmax_age_days = 90\nurl = \"{}\"\n",
                abuse.api_url()
            ));
        }
        text.push_str(&format!(
            r#"
[fetch]
first_lookback = "7d"
min_severity = "informational"
only_open = false
requests_per_minute = 0

[state]
path = "{}"
"#,
            toml_path(&self.state_path)
        ));
        for (index, (tenant, fake)) in options.tenants.iter().zip(&self.mcas).enumerate() {
            let auth = if options.entra_roles.is_some() {
                format!(
                    "entra = {{ tenant_id = \"{ENTRA_TENANT_ID}\", client_id = \"{ENTRA_CLIENT_ID}\", client_secret_env = \"{}\", authority = \"{}\" }}",
                    mcas_token_env(index),
                    fake.url()
                )
            } else {
                format!("token_env = \"{}\"", mcas_token_env(index))
            };
            text.push_str(&format!(
                "\n[[tenants]]\nname = \"{}\"\nurl = \"{}\"\n{auth}\n",
                tenant.name,
                fake.url(),
            ));
        }
        if let Some(graph) = &self.graph {
            let app = &FakeGraphOptions::default().apps[0];
            text.push_str(&format!(
                "\n[graph]\nurl = \"{url}\"\nrequests_per_minute = 0\n\n[entra_apps.mssp]\nclient_id = \"{}\"\nclient_secret_env = \"{GRAPH_SECRET_ENV}\"\nauthority = \"{url}\"\n",
                app.client_id,
                url = graph.url(),
            ));
            for tenant in &options.graph_tenants {
                text.push_str(&format!(
                    "\n[[tenants]]\nname = \"{}\"\nsource = \"graph\"\ntenant_id = \"{}\"\napp = \"mssp\"\n",
                    tenant.name,
                    graph_tenant_id(&tenant.name),
                ));
            }
        }
        if !options.extra_config.is_empty() {
            text.push('\n');
            text.push_str(&options.extra_config);
        }
        text
    }

    /// The temporary directory holding the config and the state store.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The config file's current text.
    pub fn config(&self) -> String {
        std::fs::read_to_string(&self.config_path).expect("read config")
    }

    /// Replaces the config file's text.
    pub fn write_config(&self, text: &str) {
        std::fs::write(&self.config_path, text).expect("write config");
    }

    /// Edits the config file's text in place (for the error cases).
    pub fn edit_config(&self, edit: impl FnOnce(&mut String)) {
        let mut text = self.config();
        edit(&mut text);
        self.write_config(&text);
    }

    /// Sets an environment variable for the runs that follow.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.insert(name.to_owned(), value.to_owned());
    }

    /// Leaves an environment variable out of the runs that follow.
    pub fn remove_env(&mut self, name: &str) {
        self.env.remove(name);
    }

    /// Runs a future on the harness's runtime (for the fakes' async methods).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Deletes the state store (and its WAL files), as a user might.
    pub fn delete_state(&self) {
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let mut path = self.state_path.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(path));
        }
    }

    /// Runs `mcas2jira --config <config> <args..>` in the harness's directory.
    pub fn run<I, S>(&self, args: I) -> RunOutput
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut full: Vec<std::ffi::OsString> = vec!["--config".into(), self.config_path.clone().into()];
        full.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self.run_raw(full)
    }

    /// Runs `mcas2jira <args..>` (no `--config` added) in the harness's directory, with the
    /// harness's environment and [`RUN_TIMEOUT`].
    pub fn run_raw<I, S>(&self, args: I) -> RunOutput
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        run_with_timeout(self.command(args), RUN_TIMEOUT)
    }

    /// The command [`run_raw`](Self::run_raw) runs, not started: for a test that drives a
    /// long-running child itself (`watch`, then a signal).
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mcas2jira"));
        command.args(args);
        self.prepare(&mut command);
        command
    }

    /// [`command`](Self::command) with `--config` added, under a limit of `open_files` (`ulimit
    /// -n`, soft and hard), as systemd and most crons start it: the shell sets the limit, then
    /// becomes the binary (same process id).
    pub fn command_with_open_files<I, S>(&self, open_files: u32, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg("ulimit -n \"$1\" && shift && exec \"$@\"")
            .arg("sh")
            .arg(open_files.to_string())
            .arg(env!("CARGO_BIN_EXE_mcas2jira"))
            .arg("--config")
            .arg(&self.config_path)
            .args(args);
        self.prepare(&mut command);
        command
    }

    /// The directory and environment every run of the binary gets.
    fn prepare(&self, command: &mut Command) {
        command.current_dir(self.dir.path());
        command.env_clear();
        // Only what a run needs: a PATH for `*_command` secrets, and the harness's variables.
        // No proxies (the fakes are on loopback), no MCAS2JIRA_CONFIG, no RUST_LOG surprises.
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command.env("RUST_BACKTRACE", "1");
        command.envs(&self.env);
    }

    /// Every alert of every tenant, with its tenant's name.
    pub fn all_alerts(&self) -> Vec<(String, Value)> {
        self.mcas
            .iter()
            .zip(&self.tenants)
            .flat_map(|(fake, spec)| fake.alerts().into_iter().map(|a| (spec.name.clone(), a)))
            .collect()
    }

    /// The issue of the fake Jira that carries `mcas-<alert_id>`. Panics unless exactly one does.
    pub fn ticket_of(&self, alert_id: &str) -> IssueSnapshot {
        let label = format!("mcas-{alert_id}");
        let found: Vec<IssueSnapshot> =
            self.jira.issues().into_iter().filter(|i| i.labels.contains(&label)).collect();
        assert_eq!(found.len(), 1, "issues labelled {label}: {:?}", keys(&found));
        found.into_iter().next().expect("one issue")
    }

    /// The ids of every Graph tenant's Defender for Cloud Apps alerts, with their tenant's name.
    pub fn graph_alert_ids(&self) -> Vec<(String, String)> {
        let Some(graph) = &self.graph else { return Vec::new() };
        self.graph_tenants
            .iter()
            .flat_map(|spec| {
                graph
                    .alerts(&graph_tenant_id(&spec.name))
                    .into_iter()
                    // The config reads only Defender for Cloud Apps alerts (the default).
                    .filter(|a| a["serviceSource"] == "microsoftDefenderForCloudApps")
                    .filter_map(|a| a["id"].as_str().map(|id| (spec.name.clone(), id.to_owned())))
            })
            .collect()
    }

    /// Asserts that every alert of every tenant, MCAS and Graph, has exactly one ticket in the
    /// fake Jira, and that Jira holds no other issue.
    #[track_caller]
    pub fn assert_one_ticket_per_alert(&self) {
        let mut labels: Vec<String> =
            self.all_alerts().iter().map(|(_, a)| format!("mcas-{}", alert_id(a))).collect();
        labels.extend(self.graph_alert_ids().into_iter().map(|(_, id)| format!("graph-{id}")));
        self.assert_tickets_labelled(&labels);
    }

    /// Asserts that each of `alert_ids` (MCAS alerts) has exactly one ticket, and that Jira holds
    /// no other issue.
    #[track_caller]
    pub fn assert_tickets_for(&self, alert_ids: &[String]) {
        self.assert_tickets_labelled(&alert_ids.iter().map(|id| format!("mcas-{id}")).collect::<Vec<_>>());
    }

    /// Asserts that each of `labels` is on exactly one ticket, and that Jira holds no other issue.
    #[track_caller]
    pub fn assert_tickets_labelled(&self, labels: &[String]) {
        let mut problems = Vec::new();
        for label in labels {
            let n = self.jira.count_with_label(label);
            if n != 1 {
                problems.push(format!("{label}: {n} tickets"));
            }
        }
        let total = self.jira.issue_count();
        if total != labels.len() {
            problems.push(format!("{total} issues in Jira for {} alerts", labels.len()));
        }
        assert!(problems.is_empty(), "not one ticket per alert:\n{}", problems.join("\n"));
    }
}

/// The keys of some issues, for messages.
pub fn keys(issues: &[IssueSnapshot]) -> Vec<&str> {
    issues.iter().map(|i| i.key.as_str()).collect()
}

/// A path as a TOML basic-string body (backslashes and quotes escaped).
fn toml_path(path: &Path) -> String {
    path.display().to_string().replace('\\', "\\\\").replace('"', "\\\"")
}

/// Runs `command`, capturing its output, killing it (and failing the test) after `timeout`.
pub fn run_with_timeout(command: Command, timeout: Duration) -> RunOutput {
    run_sampling(command, timeout, |_| {})
}

/// [`run_with_timeout`], calling `sample` with the child's process id every few milliseconds
/// while it runs (to read what /proc says of it).
pub fn run_sampling(mut command: Command, timeout: Duration, mut sample: impl FnMut(u32)) -> RunOutput {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn mcas2jira");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    // Readers on their own threads so that a chatty child never blocks on a full pipe.
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for mcas2jira") {
            break status;
        }
        sample(child.id());
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = out_reader.join().unwrap_or_default();
            let stderr = err_reader.join().unwrap_or_default();
            panic!(
                "mcas2jira did not finish within {timeout:?}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let events = stdout
        .lines()
        .filter(|line| line.trim_start().starts_with('{'))
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .collect();
    RunOutput { status: status.code().unwrap_or(-1), stdout, stderr, events }
}
