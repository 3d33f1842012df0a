//! `watch`: each tenant's pass on its own schedule, until SIGINT or SIGTERM, for running as a
//! service.
//!
//! The model:
//! - **One loop per tenant.** Each tenant reads, tickets and records its alerts
//!   ([`PassContext::run_tenant`]), then waits for its own next tick (`--every` after its pass
//!   started, plus a little jitter). A tenant that is slow, throttled or failing delays only
//!   itself; at most `[pipeline] concurrency` tenant passes run at once.
//! - **Shared per process**: the clients, the state store, the IP reputations (renewed every
//!   interval, so that the in-memory single flight stays small and a spent AbuseIPDB quota is
//!   tried again), the metrics.
//! - **The state file is the service's**: the pass lock is held for the whole life of the watch;
//!   a `run` or a second `watch` on the same file is told who holds it, and exits with status 1.
//! - **Housekeeping on its own schedule**: every interval, expired reputations are pruned and,
//!   with `[sync] enabled = true`, a slice of the two-way sync runs (at most [`sync_slice`] long,
//!   going on where the previous one stopped), beside the tenants' passes, never before them.
//! - **A summary every interval**: one line (or `pass_summary` object) for the tenant passes that
//!   ended in it; the alerts themselves are the audit trail, logged as they happen ([`AuditLog`]).
//! - **Shutdown** ([`Shutdown`]): a signal is acknowledged at once; nothing new starts; a Jira
//!   create already sent gets a moment to be answered and recorded; the rest is dropped; the
//!   watch exits with status 0 within seconds.
//!
//! Connecting the services (Jira's field list is read) is retried every interval until it works,
//! except for a config error, which no retry can fix.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::app;
use crate::cli::WatchArgs;
use crate::config::{self, Config};
use crate::events::{AuditLog, Event, EventSink, PassSummary, Printer, TenantSummary};
use crate::metrics::{self, Fanout, Recorder};
use crate::pipeline::{Enricher, PassContext, PassOptions};
use crate::services::{ConfigProblem, Observers, Services, Tenant};
use crate::shutdown::Shutdown;
use crate::state::{PassLock, StateStore};

/// The shortest interval accepted: a pass a second is already far more than MCAS's 30 requests a
/// minute per tenant allow.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// The longest jitter added to a wait, whatever the interval.
const MAX_JITTER: Duration = Duration::from_secs(30);

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

/// A random extra wait of up to a tenth of the interval (at most 30 s), so that tenants, and
/// several instances started together, do not hit the APIs in step.
fn jitter(every: Duration) -> Duration {
    let max = (every / 10).min(MAX_JITTER);
    let millis = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=millis))
}

/// The longest a sync slice may take: a quarter of the interval, between 5 seconds and 2
/// minutes, so that a backlog of resolved tickets is worked through in bounded steps.
#[must_use]
pub fn sync_slice(every: Duration) -> Duration {
    (every / 4).clamp(Duration::from_secs(5), Duration::from_secs(120))
}

/// What `watch` runs with: its flags checked, and the config's `[watch]` under them.
#[derive(Debug, Clone)]
struct Settings {
    every: Duration,
    options: PassOptions,
    metrics_addr: Option<SocketAddr>,
    healthy_within: Duration,
    json: bool,
}

impl Settings {
    fn of(config: &Config, args: &WatchArgs) -> Result<Self> {
        let every = interval(&args.every)?;
        let options = app::pass_options(config, &args.run)?;
        let metrics_addr = match &args.metrics_addr {
            Some(text) => Some(
                config::listen_addr(text)
                    .map_err(|reason| ConfigProblem { key: "--metrics-addr".into(), reason })?,
            ),
            None => config.watch.metrics_addr,
        };
        let healthy_within = match &args.healthy_within {
            Some(text) => {
                let problem = |reason: String| ConfigProblem { key: "--healthy-within".into(), reason };
                let age = config::parse_duration(text).map_err(|e| problem(e.to_string()))?;
                if age.is_zero() {
                    return Err(problem("must be more than 0s".into()).into());
                }
                age
            }
            None => config.watch.healthy_within.unwrap_or(every * 3),
        };
        Ok(Self { every, options, metrics_addr, healthy_within, json: args.run.json })
    }
}

/// `watch`: see the module documentation. Returns 0 once stopped by a signal.
///
/// # Errors
///
/// A bad flag, or a config the services refuse (exit status 2); a state file that cannot be used
/// (status 2) or that another mcas2jira holds (status 1); a metrics address that cannot be
/// listened on (status 2). Errors of a pass are logged and counted, never returned.
pub async fn run(config: Config, args: &WatchArgs, stop: &Shutdown) -> Result<u8> {
    let settings = Settings::of(&config, args)?;
    // The service owns the state file for as long as it runs (a dry run writes nothing).
    let _lock = if settings.options.dry_run { None } else { Some(lock_state(&config).await?) };
    let names: Vec<String> = config
        .tenants
        .iter()
        .map(|t| t.name.clone())
        .filter(|name| {
            settings.options.tenants.is_empty()
                || settings.options.tenants.iter().any(|n| n.eq_ignore_ascii_case(name))
        })
        .collect();
    let recorder = Arc::new(Recorder::new(&names, settings.healthy_within));
    let listener = match settings.metrics_addr {
        Some(addr) => {
            let listener = metrics::listen(addr, Arc::clone(&recorder), stop.clone()).await.map_err(|e| {
                ConfigProblem {
                    key: "--metrics-addr".into(),
                    reason: format!("cannot listen on {addr}: {e}"),
                }
            })?;
            tracing::info!("serving /metrics and /healthz on http://{}", listener.addr);
            Some(listener)
        }
        None => None,
    };
    let observers = Observers {
        mcas: Some(recorder.observer("mcas")),
        graph: Some(recorder.observer("graph")),
        // Jira's requests are also counted in flight, for the shutdown's grace.
        jira: Some(Arc::new(Fanout(vec![recorder.observer("jira"), stop.in_flight()]))),
        abuseipdb: Some(recorder.observer("abuseipdb")),
    };
    let sink: Arc<dyn EventSink> =
        if settings.json { Arc::new(Printer::new(true)) } else { Arc::new(AuditLog) };
    let tally = Arc::new(Tally::new(settings.every));
    tracing::info!(
        every = %config::format_duration(settings.every),
        tenants = names.len(),
        healthy_within = %config::format_duration(settings.healthy_within),
        "watching"
    );
    let reporter = tokio::spawn(report_every_interval(Arc::clone(&tally), settings.json, stop.clone()));

    if let Some(services) = connect(&config, &observers, &settings, stop, &tally).await? {
        services.gate.recheck_refusals_within(settings.every.min(crate::preflight::REFUSED_RECHECK));
        let shared = Arc::new(Shared {
            enrichers: Enrichers::new(PassContext::enricher(&services, settings.options.dry_run)),
            permits: Semaphore::new(services.concurrency.max(1)),
            services,
            settings: settings.clone(),
            sink,
            stop: stop.clone(),
            recorder,
            tally: Arc::clone(&tally),
        });
        let mut tasks = JoinSet::new();
        let tenants: Vec<Tenant> = {
            let options = &shared.settings.options;
            let context = PassContext {
                services: &shared.services,
                enricher: &shared.enrichers.current(),
                options,
                sink: &*shared.sink,
                stop,
            };
            context.selected().into_iter().cloned().collect()
        };
        // The MCAS windows of the process before (a `run`, or the watch before a restart) count
        // for this one too; the watch keeps its own at its end, for the process after it.
        let paced: Vec<&Tenant> = tenants.iter().collect();
        crate::pipeline::seed_pacing(&shared.services, &paced).await;
        for tenant in tenants.iter().cloned() {
            tasks.spawn(tenant_loop(Arc::clone(&shared), tenant));
        }
        // The loops end only once a stop is requested. The housekeeping runs on this task rather
        // than a spawned one: the sync's future is not provably `Send` (a limit of the compiler
        // with streams of borrowing closures), and it needs no thread of its own.
        let housekeeping = async {
            if !settings.options.dry_run {
                housekeeping_loop(&shared).await;
            }
        };
        let tenants_kept = &tenants;
        let tenants = async {
            while let Some(ended) = tasks.join_next().await {
                if let Err(e) = ended
                    && e.is_panic()
                {
                    tracing::error!("a task of the watch panicked: {e}");
                }
            }
        };
        tokio::join!(housekeeping, tenants);
        shared.enrichers.current().flush().await;
        if !settings.options.dry_run {
            let paced: Vec<&Tenant> = tenants_kept.iter().collect();
            crate::pipeline::keep_pacing(&shared.services, &paced).await;
        }
    }
    reporter.abort();
    let why = stop.requested_by().unwrap_or("a signal");
    tally.report(true, settings.json, Some(why));
    if let Some(listener) = listener {
        listener.stop();
    }
    tracing::info!("stopped");
    Ok(app::EXIT_OK)
}

/// Takes the pass lock of the config's state file, for the life of the watch.
async fn lock_state(config: &Config) -> Result<PassLock> {
    let path = config.state.path.clone();
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || StateStore::open(&path)?.lock_pass())
        .await
        .context("the lock task failed")?
        .with_context(|| format!("state store {shown}"))
}

/// Connects the services, trying again every interval while it fails (a config error ends the
/// watch at once). `None` when stopped first.
async fn connect(
    config: &Config,
    observers: &Observers,
    settings: &Settings,
    stop: &Shutdown,
    tally: &Tally,
) -> Result<Option<Services>> {
    loop {
        let attempt = tokio::select! {
            connected = Services::connect_observed(config.clone(), observers) => connected,
            () = stop.requested() => return Ok(None),
        };
        match attempt.context("connecting the services") {
            Ok(services) => {
                tally.set_error(None);
                return Ok(Some(services));
            }
            Err(error) if app::exit_code_of(&error) == app::EXIT_USAGE => return Err(error),
            Err(error) => {
                let next = settings.every + jitter(settings.every);
                tracing::error!("{error:#}; trying again in {}", config::format_duration(next));
                tally.set_error(Some(format!("{error:#}")));
                tokio::select! {
                    () = tokio::time::sleep(next) => {}
                    () = stop.requested() => return Ok(None),
                }
            }
        }
    }
}

/// What the tasks of a watch share.
struct Shared {
    services: Services,
    settings: Settings,
    sink: Arc<dyn EventSink>,
    stop: Shutdown,
    recorder: Arc<Recorder>,
    tally: Arc<Tally>,
    enrichers: Enrichers,
    /// Tenant passes at the same time (`[pipeline] concurrency`).
    permits: Semaphore,
}

/// One tenant's schedule: a pass, then a wait until its next tick, until the stop.
async fn tenant_loop(shared: Arc<Shared>, tenant: Tenant) {
    let stop = &shared.stop;
    let every = shared.settings.every;
    while !stop.is_requested() {
        let permit = tokio::select! {
            permit = shared.permits.acquire() => permit,
            () = stop.requested() => break,
        };
        let started = Instant::now();
        // While Jira refuses the config, the tenant's alerts wait unread: the gate says so at the
        // check that found it (at most once an interval, or a minute, for all tenants together),
        // and the first check after a fix in Jira lets the passes go on.
        let check = shared.services.gate.before_pass(
            &shared.services,
            shared.settings.options.dry_run,
            &*shared.sink,
        );
        let refused = tokio::select! {
            refused = check => refused,
            () = stop.abandoned() => break,
        };
        if !refused.is_empty() {
            drop(permit);
            let next = started + every + jitter(every);
            tokio::select! {
                () = tokio::time::sleep_until(next) => continue,
                () = stop.requested() => break,
            }
        }
        let enricher = shared.enrichers.current();
        let mut summary = TenantSummary { tenant: tenant.name.clone(), ..TenantSummary::default() };
        {
            let context = PassContext {
                services: &shared.services,
                enricher: &enricher,
                options: &shared.settings.options,
                sink: &*shared.sink,
                stop,
            };
            tokio::select! {
                () = context.run_tenant(&tenant, &mut summary) => {}
                () = stop.abandoned() => summary.interrupted = true,
            }
        }
        drop(permit);
        shared.sink.emit(Event::TenantSummary(summary.clone()));
        shared.recorder.tenant_pass(&summary, started.elapsed());
        shared.tally.add(&summary);
        if summary.interrupted || stop.is_requested() {
            break;
        }
        let next = started + every + jitter(every);
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = stop.requested() => break,
        }
    }
}

/// Housekeeping every interval, beside the tenants' passes: the reputations renewed and pruned,
/// and a slice of the two-way sync.
async fn housekeeping_loop(shared: &Shared) {
    let stop = &shared.stop;
    let every = shared.settings.every;
    let cursor = Arc::new(crate::sync::SyncCursor::default());
    let slice = sync_slice(every);
    while !stop.is_requested() {
        let started = Instant::now();
        tokio::select! {
            () = housekeeping(shared, slice, &cursor) => {}
            () = stop.abandoned() => break,
        }
        tokio::select! {
            () = tokio::time::sleep_until(started + every + jitter(every)) => {}
            () = stop.requested() => break,
        }
    }
}

async fn housekeeping(shared: &Shared, slice: Duration, cursor: &Arc<crate::sync::SyncCursor>) {
    // A new generation of reputations: the tenant passes starting from now share it; the old one's
    // cache writes are waited for.
    let fresh = PassContext::enricher(&shared.services, shared.settings.options.dry_run);
    shared.enrichers.renew(fresh).flush().await;
    if let Err(error) = after_pass(&shared.services, slice, cursor).await {
        tracing::warn!("housekeeping: {error:#}");
    }
}

/// Housekeeping of the state store, and a slice of the two-way sync (`[sync] enabled = true`) of
/// at most `sync_budget`, going on where the previous slice stopped (`cursor`).
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
            left_for_next_slice = report.total(|t| t.deferred),
            "sync slice done"
        );
    }
    Ok(())
}

/// The reputations the tenant passes share, one generation per interval.
struct Enrichers(Mutex<Arc<Enricher>>);

impl Enrichers {
    fn new(first: Enricher) -> Self {
        Self(Mutex::new(Arc::new(first)))
    }

    fn current(&self) -> Arc<Enricher> {
        Arc::clone(&self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts `next` in place; returns the generation it replaces.
    fn renew(&self, next: Enricher) -> Arc<Enricher> {
        std::mem::replace(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner), Arc::new(next))
    }
}

/// The tenant passes ended since the last summary, and the interval's number.
struct Tally {
    every: Duration,
    state: Mutex<TallyState>,
}

struct TallyState {
    pass: u64,
    summary: PassSummary,
    failed_tenants: BTreeSet<String>,
    /// Why the services are not connected, while they are not.
    error: Option<String>,
    since: Instant,
}

impl Tally {
    fn new(every: Duration) -> Self {
        Self {
            every,
            state: Mutex::new(TallyState {
                pass: 1,
                summary: PassSummary::new(1),
                failed_tenants: BTreeSet::new(),
                error: None,
                since: Instant::now(),
            }),
        }
    }

    fn add(&self, tenant: &TenantSummary) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.summary.add(tenant);
        if tenant.tenant_failed {
            state.failed_tenants.insert(tenant.tenant.clone());
        }
    }

    fn set_error(&self, error: Option<String>) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).error = error;
    }

    /// Prints the summary of the interval that ends now and starts the next (`last`: the watch
    /// is stopping, `stopped_by` says why).
    fn report(&self, last: bool, json: bool, stopped_by: Option<&str>) {
        let summary = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let next_pass = state.pass + 1;
            let mut summary = std::mem::replace(&mut state.summary, PassSummary::new(next_pass));
            summary.tenants_failed = state.failed_tenants.len() as u64;
            state.failed_tenants.clear();
            summary.elapsed_secs = state.since.elapsed().as_secs_f64();
            if let Some(error) = &state.error
                && summary.tenant_passes == 0
            {
                summary.ok = false;
                summary.error = Some(error.clone());
            }
            summary.next_in_secs = (!last).then_some(self.every.as_secs_f64());
            summary.stopped_by = stopped_by.map(str::to_owned);
            state.pass = next_pass;
            state.since = Instant::now();
            summary
        };
        crate::events::print_event(json, &summary, PassSummary::watch_line);
    }
}

/// Prints a summary every interval, from the watch's start, until the stop.
async fn report_every_interval(tally: Arc<Tally>, json: bool, stop: Shutdown) {
    let mut next = Instant::now() + tally.every;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = stop.requested() => return,
        }
        tally.report(false, json, None);
        next += tally.every;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[tokio::test]
    async fn the_tally_counts_each_failed_tenant_once_and_starts_over() {
        let tally = Tally::new(Duration::from_secs(60));
        let failed = TenantSummary { tenant: "a".into(), tenant_failed: true, ..TenantSummary::default() };
        tally.add(&failed);
        tally.add(&failed);
        tally.add(&TenantSummary { tenant: "b".into(), seen: 2, created: 2, ..TenantSummary::default() });
        {
            let state = tally.state.lock().unwrap();
            assert_eq!(state.summary.tenant_passes, 3);
            assert_eq!(state.summary.created, 2);
            assert_eq!(state.failed_tenants.len(), 1);
        }
        tally.report(false, true, None);
        let state = tally.state.lock().unwrap();
        assert_eq!(state.pass, 2);
        assert_eq!(state.summary.tenant_passes, 0);
        assert!(state.failed_tenants.is_empty());
    }
}
