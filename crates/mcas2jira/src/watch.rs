//! `watch`: a pass every interval, until SIGINT or SIGTERM, for running as a service.
//!
//! The config is read once. The services are connected once; when connecting fails (Jira
//! unreachable for its field list, say) the attempt is repeated at the next tick rather than
//! ending the service, except for a config error, which no retry can fix. Each pass runs under
//! the state store's pass lock ([`app::run_locked`]), followed, with `[sync] enabled = true`, by a
//! slice of the two-way sync under the sync lock ([`sync_slice`] long at most); a pass that fails, even for want of the
//! lock, is logged and the next one still happens. A signal during a pass lets it finish its
//! creates and state writes; the watch then exits with status 0. A signal while waiting ends the
//! wait at once.
//!
//! Output: one summary line per pass on stdout; with `--json`, every event of the pass as for
//! `run --json`, then one `{"event":"pass_summary",...}` object.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Serialize;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::app;
use crate::cli::WatchArgs;
use crate::config::{self, Config};
use crate::events::{Event, EventSink, Printer};
use crate::pipeline::{PassOptions, PassReport};
use crate::services::{ConfigProblem, Services};

/// The shortest interval accepted: a pass a second is already far more than MCAS's 30 requests a
/// minute per tenant allow.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// The longest jitter added to a wait, whatever the interval.
const MAX_JITTER: Duration = Duration::from_secs(30);

/// The one JSON object `watch --json` prints after each pass.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PassSummary {
    /// Always `"pass_summary"`.
    pub event: &'static str,
    /// The pass number, from 1.
    pub pass: u64,
    /// Whether the pass ran (`false`: the services could not be connected, or the pass lock was
    /// held by another process; see `error`).
    pub ok: bool,
    /// Alerts read from MCAS.
    pub seen: u64,
    /// Tickets created.
    pub created: u64,
    /// Alerts found already ticketed in Jira.
    pub already_ticketed: u64,
    /// Alerts skipped by a rule.
    pub skipped: u64,
    /// Alerts that could not be ticketed (retried next pass).
    pub failed: u64,
    /// Tenants that could not be read.
    pub tenants_failed: u64,
    /// Seconds the pass took.
    pub elapsed_secs: f64,
    /// Seconds until the next pass starts.
    pub next_in_secs: f64,
    /// Why the pass did not run, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl PassSummary {
    fn of(pass: u64, report: &PassReport) -> Self {
        let sum = |f: fn(&crate::events::TenantSummary) -> u64| report.tenants.iter().map(f).sum();
        Self {
            event: "pass_summary",
            pass,
            ok: true,
            seen: sum(|t| t.seen),
            created: report.created(),
            already_ticketed: sum(|t| t.already_ticketed),
            skipped: sum(|t| t.skipped),
            failed: report.failed(),
            tenants_failed: report.tenants.iter().filter(|t| t.tenant_failed).count() as u64,
            elapsed_secs: report.elapsed.as_secs_f64(),
            next_in_secs: 0.0,
            error: None,
        }
    }

    fn failed_pass(pass: u64, elapsed: Duration, error: &anyhow::Error) -> Self {
        Self {
            event: "pass_summary",
            pass,
            ok: false,
            seen: 0,
            created: 0,
            already_ticketed: 0,
            skipped: 0,
            failed: 0,
            tenants_failed: 0,
            elapsed_secs: elapsed.as_secs_f64(),
            next_in_secs: 0.0,
            error: Some(format!("{error:#}")),
        }
    }

    /// The human line: `pass 3: 2 created, 0 already ticketed, 0 skipped, 0 failed of 14 seen in
    /// 1.2s; next in 5m 03s`.
    #[must_use]
    pub fn human(&self) -> String {
        // Whole seconds: a casting float-to-int saturates, and the value is never negative.
        let next = config::format_duration(Duration::from_secs(self.next_in_secs.max(0.0).round() as u64));
        match &self.error {
            Some(error) => format!("pass {}: did not run: {error}; next in {next}", self.pass),
            None => {
                let tenants = if self.tenants_failed > 0 {
                    format!(", {} tenant(s) failed", self.tenants_failed)
                } else {
                    String::new()
                };
                format!(
                    "pass {}: {} created, {} already ticketed, {} skipped, {} failed of {} seen{tenants} in {:.1}s; next in {next}",
                    self.pass,
                    self.created,
                    self.already_ticketed,
                    self.skipped,
                    self.failed,
                    self.seen,
                    self.elapsed_secs
                )
            }
        }
    }
}

/// The interval of `--every`, checked.
///
/// # Errors
///
/// [`ConfigProblem`] (exit status 2) for a malformed duration or one below [`MIN_INTERVAL`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// assert_eq!(mcas2jira::watch::interval("5m").unwrap(), Duration::from_secs(300));
/// assert!(mcas2jira::watch::interval("0s").is_err());
/// ```
pub fn interval(every: &str) -> Result<Duration, ConfigProblem> {
    let problem = |reason: String| ConfigProblem { key: "--every".into(), reason };
    let every = config::parse_duration(every).map_err(|e| problem(e.to_string()))?;
    if every < MIN_INTERVAL {
        return Err(problem(format!("must be at least {}", config::format_duration(MIN_INTERVAL))));
    }
    Ok(every)
}

/// A random extra wait of up to a tenth of the interval (at most 30 s), so that several
/// instances started together (one per config, say) do not hit the APIs in step.
fn jitter(every: Duration) -> Duration {
    let max = (every / 10).min(MAX_JITTER);
    let millis = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=millis))
}

/// A flag raised by the first SIGINT or SIGTERM.
///
/// # Errors
///
/// When the signal handlers cannot be installed.
fn stop_on_signals() -> Result<watch::Receiver<bool>> {
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let (sender, receiver) = watch::channel(false);
    tokio::spawn(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        };
        tracing::info!("{name} received: stopping after the pass in flight");
        let _ = sender.send(true);
    });
    Ok(receiver)
}

/// Where the events of a pass go in human mode: the per-pass summary line is the output, so the
/// alerts are logged rather than printed (failures as warnings).
struct LogSink;

impl EventSink for LogSink {
    fn emit(&self, event: Event) {
        match &event {
            Event::JiraConfigRefused { .. } => tracing::error!("{}", crate::events::human(&event)),
            Event::Failed { .. }
            | Event::TenantFailed { .. }
            | Event::Stuck { .. }
            | Event::TicketDegraded { .. }
            | Event::LateAlert { .. } => {
                tracing::warn!("{}", crate::events::human(&event));
            }
            _ => tracing::info!("{}", crate::events::human(&event)),
        }
    }
}

/// The longest a sync slice after a pass may take: a quarter of the interval, between 5 seconds
/// and 2 minutes, so that a backlog of resolved tickets delays the next pass by a bounded time.
#[must_use]
pub fn sync_slice(every: Duration) -> Duration {
    (every / 4).clamp(Duration::from_secs(5), Duration::from_secs(120))
}

/// What runs after every pass that ran, before the wait: housekeeping of the state store, and a
/// slice of the two-way sync (`[sync] enabled = true`) of at most `sync_budget`, going on where
/// the previous slice stopped (`cursor`). The sync runs here rather than beside the pass so that
/// it sees the tickets the pass just created and never competes with it for MCAS's pacing.
///
/// # Errors
///
/// When the housekeeping fails, or another process holds the sync lock; the watch logs it and
/// goes on.
pub async fn after_pass(
    services: &Services,
    sync_budget: Duration,
    cursor: &Arc<crate::sync::SyncCursor>,
) -> Result<()> {
    // Expired reputations are never read again; a service running for months would otherwise
    // keep every IP it ever looked up.
    if let Some(abuse) = &services.config.abuseipdb {
        let store = Arc::clone(&services.store);
        let ttl = abuse.cache_ttl;
        let pruned =
            tokio::task::spawn_blocking(move || store.prune_reputations(jiff::Timestamp::now(), ttl))
                .await
                .context("the pruning task failed")?
                .context("pruning expired reputations")?;
        if pruned > 0 {
            tracing::debug!(pruned, "expired IP reputations removed");
        }
    }
    if services.config.sync.enabled {
        let store = Arc::clone(&services.store);
        let _lock =
            tokio::task::spawn_blocking(move || store.lock_sync()).await.context("lock task failed")??;
        let options = crate::sync::SyncOptions {
            budget: Some(sync_budget),
            cursor: Some(Arc::clone(cursor)),
            ..crate::sync::SyncOptions::default()
        };
        let report = crate::sync::run_sync(services, &options, &crate::sync::SyncLogSink).await;
        tracing::info!(
            closed = report.total(|t| t.alerts_closed),
            commented = report.total(|t| t.tickets_commented),
            failed = report.total(|t| t.failed + u64::from(t.tenant_failed)),
            left_for_next_pass = report.total(|t| t.deferred),
            "sync slice done"
        );
    }
    Ok(())
}

/// `watch`: passes every `--every` until SIGINT or SIGTERM. Returns 0 when stopped by a signal.
///
/// # Errors
///
/// A bad `--every` or pass flag, or a config the services refuse (exit status 2); signal handlers
/// that cannot be installed. Errors of a pass are logged, never returned.
pub async fn run(config: Config, args: &WatchArgs) -> Result<u8> {
    let every = interval(&args.every)?;
    let options = app::pass_options(&config, &args.run)?;
    let mut stop = stop_on_signals()?;
    let json = args.run.json;
    let printer = Printer::new(json);
    let sink: &dyn EventSink = if json { &printer } else { &LogSink };
    let mut services: Option<Services> = None;
    let cursor = Arc::new(crate::sync::SyncCursor::default());
    let slice = sync_slice(every);
    tracing::info!(every = %config::format_duration(every), "watching");
    for pass in 1u64.. {
        let started = Instant::now();
        let summary = match one_pass(&config, &mut services, &options, sink, slice, &cursor).await {
            Ok(report) => PassSummary::of(pass, &report),
            Err(error) if is_config_error(&error) => return Err(error),
            Err(error) => {
                tracing::error!("pass {pass} did not run: {error:#}");
                PassSummary::failed_pass(pass, started.elapsed(), &error)
            }
        };
        let next = started + every + jitter(every);
        let mut summary = summary;
        summary.next_in_secs = next.saturating_duration_since(Instant::now()).as_secs_f64();
        print_summary(&summary, json);
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep_until(next.into()) => {}
            _ = stop.changed() => break,
        }
    }
    tracing::info!("stopped");
    Ok(app::EXIT_OK)
}

/// Connects the services if they are not yet, then runs a pass and what follows it.
async fn one_pass(
    config: &Config,
    services: &mut Option<Services>,
    options: &PassOptions,
    sink: &dyn EventSink,
    sync_budget: Duration,
    cursor: &Arc<crate::sync::SyncCursor>,
) -> Result<PassReport> {
    let services = match services {
        Some(services) => services,
        None => services.insert(Services::connect(config.clone()).await.context("connecting the services")?),
    };
    let report = app::run_locked(services, options, sink).await?;
    if !options.dry_run
        && let Err(error) = after_pass(services, sync_budget, cursor).await
    {
        tracing::warn!("after the pass: {error:#}");
    }
    Ok(report)
}

/// A config problem found on connecting: retrying cannot fix it.
fn is_config_error(error: &anyhow::Error) -> bool {
    app::exit_code_of(error) == app::EXIT_USAGE
}

fn print_summary(summary: &PassSummary, json: bool) {
    use std::io::Write;
    let line = if json {
        serde_json::to_string(summary).unwrap_or_else(|e| format!(r#"{{"event":"error","reason":"{e}"}}"#))
    } else {
        summary.human()
    };
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::TenantSummary;

    #[test]
    fn intervals_are_checked() {
        assert_eq!(interval("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(interval("1h30m").unwrap(), Duration::from_secs(5400));
        for bad in ["0s", "", "5", "soon"] {
            let error = interval(bad).unwrap_err();
            assert_eq!(error.key, "--every", "{bad}");
        }
    }

    #[test]
    fn sync_slices_are_bounded() {
        assert_eq!(sync_slice(Duration::from_secs(300)), Duration::from_secs(75));
        assert_eq!(sync_slice(Duration::from_secs(3600)), Duration::from_secs(120));
        assert_eq!(sync_slice(Duration::from_secs(1)), Duration::from_secs(5));
    }

    #[test]
    fn jitter_is_small() {
        for _ in 0..100 {
            assert!(jitter(Duration::from_secs(60)) <= Duration::from_secs(6));
            assert!(jitter(Duration::from_secs(3600)) <= MAX_JITTER);
            assert!(jitter(Duration::from_secs(1)) <= Duration::from_millis(100));
        }
    }

    #[test]
    fn a_summary_is_one_line_and_one_json_object() {
        let report = PassReport {
            tenants: vec![
                TenantSummary {
                    tenant: "a".into(),
                    seen: 5,
                    created: 3,
                    skipped: 1,
                    failed: 1,
                    ..Default::default()
                },
                TenantSummary { tenant: "b".into(), tenant_failed: true, ..Default::default() },
            ],
            elapsed: Duration::from_millis(1500),
            ..PassReport::default()
        };
        let mut summary = PassSummary::of(2, &report);
        summary.next_in_secs = 299.6;
        assert_eq!(
            summary.human(),
            "pass 2: 3 created, 0 already ticketed, 1 skipped, 1 failed of 5 seen, 1 tenant(s) failed in 1.5s; next in 5m"
        );
        let value = serde_json::to_value(&summary).unwrap();
        assert_eq!(value["event"], "pass_summary");
        assert_eq!(value["created"], 3);
        assert_eq!(value["tenants_failed"], 1);
        assert!(value.get("error").is_none());

        let failed = PassSummary::failed_pass(3, Duration::ZERO, &anyhow::anyhow!("jira: down"));
        assert!(failed.human().starts_with("pass 3: did not run: jira: down"), "{}", failed.human());
        assert_eq!(serde_json::to_value(&failed).unwrap()["ok"], false);
    }
}
