//! The fakes of one run, the config that points the real pipeline at them, and one pass timed.

use std::path::Path;
use std::time::{Duration, Instant};

use mcas2jira::config::Config;
use mcas2jira::events::{Event, EventSink};
use mcas2jira::pipeline::{PassOptions, PassReport, run_pass};
use mcas2jira::services::Services;
use mcas2jira_fakes::scenario::BulkAlerts;
use mcas2jira_fakes::{
    FakeAbuseIpdb, FakeAbuseIpdbOptions, FakeJira, FakeJiraOptions, FakeMcas, FakeMcasOptions,
};

/// What the fakes serve.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Alerts in all.
    pub alerts: u64,
    /// Tenants they are spread over.
    pub tenants: u64,
    /// Latency of every fake request.
    pub latency: Duration,
    /// Distinct public IPs of each tenant's alerts.
    pub unique_ips: u64,
    /// Where each tenant's addresses start: tenant `t` at address number `t * ip_stride`. With
    /// 0 every tenant's alerts carry the same addresses.
    pub ip_stride: u64,
    /// Generator seed.
    pub seed: u64,
}

impl Scenario {
    /// The generator of each tenant: the alerts split as evenly as they go.
    pub fn generators(&self) -> Vec<BulkAlerts> {
        let t = self.tenants.max(1);
        (0..t)
            .map(|i| {
                let n = self.alerts / t + u64::from(i < self.alerts % t);
                BulkAlerts::new(self.seed, n, &tenant_name(i), self.unique_ips)
                    .first_public_ip(i * self.ip_stride)
            })
            .collect()
    }
}

/// The pipeline settings of one run; `None` keeps the config's default.
#[derive(Debug, Clone, Default)]
pub struct Knobs {
    pub concurrency: Option<usize>,
    pub jira_concurrency: Option<usize>,
    pub lookup_concurrency: Option<usize>,
    pub create_concurrency: Option<usize>,
    pub bulk_create: Option<bool>,
    /// MCAS pacing as the default config has it (30 requests in any 62 s per tenant) instead of
    /// off.
    pub pacing: bool,
}

/// The defaults of `[pipeline]` (config/check.rs), for the bound.
pub const DEFAULT_CONCURRENCY: usize = 64;
pub const DEFAULT_JIRA_CONCURRENCY: usize = 10;
pub const DEFAULT_LOOKUP_CONCURRENCY: usize = 16;
pub const DEFAULT_CREATE_CONCURRENCY: usize = 4;
/// The default limits per minute: `[fetch] requests_per_minute` (per tenant) and
/// `[jira] requests_per_minute` (the process), counted in windows of 62 s.
pub const DEFAULT_MCAS_PER_MINUTE: u64 = 30;
pub const DEFAULT_JIRA_PER_MINUTE: u64 = 3_000;
pub const PACING_WINDOW: Duration = Duration::from_secs(62);

impl Knobs {
    pub fn concurrency(&self) -> usize {
        self.concurrency.unwrap_or(DEFAULT_CONCURRENCY)
    }
    pub fn jira_concurrency(&self) -> usize {
        self.jira_concurrency.unwrap_or(DEFAULT_JIRA_CONCURRENCY)
    }
    pub fn lookup_concurrency(&self) -> usize {
        self.lookup_concurrency.unwrap_or(DEFAULT_LOOKUP_CONCURRENCY)
    }
    pub fn create_concurrency(&self) -> usize {
        self.create_concurrency.unwrap_or(DEFAULT_CREATE_CONCURRENCY)
    }
    pub fn bulk_create(&self) -> bool {
        self.bulk_create.unwrap_or(true)
    }
}

pub fn tenant_name(i: u64) -> String {
    format!("tenant{i}")
}

/// The three fakes, one MCAS per tenant.
pub struct Fakes {
    pub mcas: Vec<FakeMcas>,
    pub jira: FakeJira,
    pub abuse: FakeAbuseIpdb,
}

/// Requests each service answered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Requests {
    pub mcas: u64,
    pub jira: u64,
    pub abuse: u64,
}

impl Requests {
    pub fn total(&self) -> u64 {
        self.mcas + self.jira + self.abuse
    }
}

impl std::fmt::Display for Requests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MCAS {}, Jira {}, AbuseIPDB {} ({} in all)",
            self.mcas,
            self.jira,
            self.abuse,
            self.total()
        )
    }
}

impl Fakes {
    /// Starts the fakes for `generators`, with `latency` on every request. The fake Jira keeps no
    /// issue content (only what a label search needs), so 100,000 issues stay small.
    pub async fn start(generators: &[BulkAlerts], latency: Duration) -> Fakes {
        let mut mcas = Vec::with_capacity(generators.len());
        for generator in generators {
            let options = FakeMcasOptions {
                tenant: generator.tenant().to_owned(),
                bulk: Some(generator.clone()),
                latency,
                ..FakeMcasOptions::default()
            };
            mcas.push(FakeMcas::start(options).await.expect("fake MCAS starts"));
        }
        let jira =
            FakeJira::start(FakeJiraOptions { keep_content: false, latency, ..FakeJiraOptions::default() })
                .await
                .expect("fake Jira starts");
        // A quota no benchmark reaches: the quota lever is not what is measured here.
        let abuse = FakeAbuseIpdb::start(FakeAbuseIpdbOptions {
            daily_quota: u32::MAX,
            latency,
            ..FakeAbuseIpdbOptions::default()
        })
        .await
        .expect("fake AbuseIPDB starts");
        Fakes { mcas, jira, abuse }
    }

    pub fn requests(&self) -> Requests {
        Requests {
            mcas: self.mcas.iter().map(|m| m.stats().total).sum(),
            jira: self.jira.stats().total,
            abuse: self.abuse.stats().total,
        }
    }

    /// When the first request reached any of the fakes since their counters were reset.
    pub fn first_arrival(&self) -> Option<Instant> {
        let mcas = self.mcas.iter().flat_map(|m| m.arrivals().first().copied());
        let others = [self.jira.arrivals().first().copied(), self.abuse.arrivals().first().copied()];
        mcas.chain(others.into_iter().flatten()).min()
    }

    pub fn reset_stats(&self) {
        for mcas in &self.mcas {
            mcas.reset_stats();
        }
        self.jira.reset_stats();
        self.abuse.reset_stats();
    }

    /// The config of a pass over every tenant, with its state in `state`. MCAS pacing is off
    /// unless `knobs.pacing`: the pacing-off runs measure round trips alone.
    pub fn config_toml(&self, knobs: &Knobs, state: &Path) -> String {
        self.config_toml_with(knobs, state, if knobs.pacing { "" } else { "requests_per_minute = 0" })
    }

    /// [`Fakes::config_toml`] with these `[fetch]` lines instead of the pacing line.
    pub fn config_toml_with(&self, knobs: &Knobs, state: &Path, fetch: &str) -> String {
        let jira = self.jira.options();
        let mut toml = format!(
            r#"
[jira]
url = "{jira_url}"
deployment = "cloud"
project = "{project}"
issue_type = "Task"
labels = ["mcas"]
[jira.auth]
user = "{user}"
token = "{token}"

[abuseipdb]
key = "fake-abuseipdb-key"
url = "{abuse_url}"

[fetch]
first_lookback = "3650d"
{fetch}

[state]
path = "{state}"

[pipeline]
"#,
            jira_url = self.jira.url(),
            project = jira.project,
            user = jira.user,
            token = jira.token,
            abuse_url = self.abuse.api_url(),
            fetch = fetch,
            state = state.display(),
        );
        let mut line = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                toml.push_str(&format!("{key} = {value}\n"));
            }
        };
        line("concurrency", knobs.concurrency.map(|v| v.to_string()));
        line("jira_concurrency", knobs.jira_concurrency.map(|v| v.to_string()));
        line("lookup_concurrency", knobs.lookup_concurrency.map(|v| v.to_string()));
        line("create_concurrency", knobs.create_concurrency.map(|v| v.to_string()));
        line("bulk_create", knobs.bulk_create.map(|v| v.to_string()));
        for (i, mcas) in self.mcas.iter().enumerate() {
            toml.push_str(&format!(
                "\n[[tenants]]\nname = \"{}\"\nurl = \"{}\"\ntoken = \"fake-mcas-token\"\n",
                tenant_name(i as u64),
                mcas.url()
            ));
        }
        toml
    }

    /// Writes the config into `dir` and connects the real services to the fakes.
    pub async fn services(&self, knobs: &Knobs, dir: &Path, name: &str) -> Services {
        self.services_with(knobs, dir, name, "requests_per_minute = 0").await
    }

    /// [`Fakes::services`] with these `[fetch]` lines; the state file is `<name>.db` in `dir`, so
    /// that passes of one name share it.
    pub async fn services_with(&self, knobs: &Knobs, dir: &Path, name: &str, fetch: &str) -> Services {
        let path = dir.join(format!("{name}.toml"));
        let state = dir.join(format!("{name}.db"));
        std::fs::write(&path, self.config_toml_with(knobs, &state, fetch)).expect("config written");
        // Inline secrets give a warning; for fakes on loopback that is what we want.
        let (config, _warnings) = Config::load(&path).expect("the benchmark's config is valid");
        Services::connect(config).await.expect("services connect")
    }
}

/// Counts events instead of keeping them.
#[derive(Debug, Default)]
pub struct Quiet;

impl EventSink for Quiet {
    fn emit(&self, event: Event) {
        if let Event::Failed { reason, .. } | Event::TenantFailed { reason, .. } = &event {
            eprintln!("  unexpected failure: {reason}");
        }
    }
}

/// One timed pass.
#[derive(Debug, Clone)]
pub struct Pass {
    pub wall: Duration,
    pub requests: Requests,
    pub report: PassReport,
    /// CPU time of this process (pipeline and fakes) during the pass.
    pub cpu: Duration,
    /// Time this process's threads were runnable but waiting for a core: on a busy machine, the
    /// part of the wall time no code change can remove.
    pub run_queue: Duration,
}

/// CPU time and run-queue wait of every thread of this process so far, from
/// /proc/self/task/*/schedstat (nanoseconds on the CPU, nanoseconds waiting to run). Threads that
/// ended are missing: the figures are for the long-lived runtime workers and blocking threads.
pub fn sched() -> (Duration, Duration) {
    let (mut cpu, mut wait) = (0u64, 0u64);
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            if let Ok(text) = std::fs::read_to_string(task.path().join("schedstat")) {
                let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().unwrap_or(0));
                cpu += fields.next().unwrap_or(0);
                wait += fields.next().unwrap_or(0);
            }
        }
    }
    (Duration::from_nanos(cpu), Duration::from_nanos(wait))
}

impl Pass {
    pub fn line(&self) -> String {
        let e = self.report.enrichment;
        format!(
            "{:>8.1} ms (CPU {:.0} ms, run-queue wait {:.0} ms)  {} created, {} failed; {}; {} look-ups, {} from cache",
            self.wall.as_secs_f64() * 1e3,
            self.cpu.as_secs_f64() * 1e3,
            self.run_queue.as_secs_f64() * 1e3,
            self.report.created(),
            self.report.failed(),
            self.requests,
            e.lookups,
            e.cache_hits,
        )
    }
}

/// Runs one pass of `services` over every tenant and times it; the fakes' counters are reset first.
pub async fn timed_pass(fakes: &Fakes, services: &Services) -> Pass {
    fakes.reset_stats();
    let (cpu, wait) = sched();
    let started = Instant::now();
    let report = run_pass(services, &PassOptions::default(), &Quiet).await;
    let wall = started.elapsed();
    let (cpu_after, wait_after) = sched();
    Pass {
        wall,
        requests: fakes.requests(),
        report,
        cpu: cpu_after.saturating_sub(cpu),
        run_queue: wait_after.saturating_sub(wait),
    }
}

/// Fresh fakes and a fresh state file, one pass with `knobs`.
pub async fn fresh_pass(scenario: &Scenario, knobs: &Knobs, dir: &Path, name: &str) -> Pass {
    let fakes = Fakes::start(&scenario.generators(), scenario.latency).await;
    let services = fakes.services(knobs, dir, name).await;
    timed_pass(&fakes, &services).await
}
