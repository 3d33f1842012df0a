//! A tenant's pass: its new alerts read, enriched, mapped, ticketed and recorded; and a pass over
//! every tenant, which `run` makes once. `watch` runs each tenant's pass on its own schedule
//! instead ([`PassContext::run_tenant`]), so that a slow tenant delays only itself.
//!
//! A tenant's pass:
//! 1. alerts whose ticket failed on an earlier pass and are due are fetched again by id;
//! 2. alerts are read from the checkpoint minus the overlap window, oldest first, up to the time
//!    the pass started, one MCAS page at a time (the next page is fetched while this one is
//!    handled);
//! 3. for each page (`page.rs`): alerts the state store knows are skipped; the others are looked
//!    for in Jira by their `mcas-<id>` label in one search; the rest are enriched, mapped, created
//!    and recorded, all in one state transaction that also moves the checkpoint. That write
//!    syncs to disk while the next page is read and prepared; each write waits for the one
//!    before, so pages are recorded in order, and a failed write stops the tenant at the next
//!    page (whose tickets are then found by label on the next pass, like after a crash).
//!
//! Off the critical path as well: the IP reputation cache writes, waited for at the end of a pass
//! ([`Enricher::flush`]).
//!
//! Tenants run `[pipeline] concurrency` at a time (lowered at start-up to what the open-file limit
//! carries). MCAS is paced per tenant by the tenant's client, its window seeded from the state
//! store at the start of the pass and kept at its end (`pacing.rs`); Jira and AbuseIPDB, shared by
//! all tenants, are reached through the process's budgets (`budget.rs`), each tenant in turn.
//!
//! The checkpoint moves past a page only once every alert of it is either ticketed, skipped by a
//! rule, or recorded as pending (retried on the next pass by id). A crash at any point leaves the
//! checkpoint at the last page fully recorded; tickets created after it are found again by their
//! label, so no alert is ticketed twice. For the same reason a pass may be dropped at any await
//! (a [`Shutdown`]): it starts no new page once a stop is requested, and what it leaves undone
//! the next pass does.

mod budget;
mod create;
mod enrich;
mod graph_source;
mod pacing;
mod page;
mod reduce;
mod refusal;
mod source;
mod stuck;
mod sweep;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, stream};
use jiff::{SignedDuration, Timestamp};
use mcas_client::{AlertQuery, AlertsPage};
use serde_json::json;

pub use budget::{Budget, Budgets, Permit, TenantBudgets, TenantShare};
pub use enrich::{EnrichStats, Enricher};
pub use pacing::{keep as keep_pacing, seed as seed_pacing};

use crate::events::{Event, EventSink, TenantSummary};
use crate::preflight::Problem;
use crate::services::{Services, Tenant, TenantClient};
use crate::shutdown::Shutdown;
use crate::state::{Failure, PageOutcome, Pending};
use page::PageKind;

/// How a pass runs.
#[derive(Debug, Clone, Default)]
pub struct PassOptions {
    /// Show what would be created; create nothing and write nothing to the state store.
    pub dry_run: bool,
    /// Only these tenants (by name); empty means all.
    pub tenants: Vec<String>,
    /// Read alerts from this far back instead of from the checkpoint.
    pub since: Option<Duration>,
}

/// What a pass did.
#[derive(Debug, Clone, Default)]
pub struct PassReport {
    /// What Jira refuses (or would) of the config: found before the pass (then no tenant was
    /// handled) or by a refused create (then every create stopped). Empty when none.
    pub config_problems: Vec<Problem>,
    /// One summary per tenant, in config order.
    pub tenants: Vec<TenantSummary>,
    /// IP reputation figures.
    pub enrichment: EnrichStats,
    /// How long the pass took.
    pub elapsed: Duration,
    /// The signal that stopped the pass before every tenant was done, if one did.
    pub stopped_by: Option<&'static str>,
}

impl PassReport {
    /// Whether anything failed: an alert that could not be ticketed, a tenant that could not be
    /// read, or an alert stuck after many attempts. Either way the work is retried on the next
    /// pass.
    pub fn has_failures(&self) -> bool {
        self.failed() > 0 || self.tenants_failed() > 0 || self.total(|t| t.stuck) > 0
    }

    /// The figure `f` summed over the tenants.
    pub fn total(&self, f: impl Fn(&TenantSummary) -> u64) -> u64 {
        self.tenants.iter().map(f).sum()
    }

    /// Tickets created in this pass.
    pub fn created(&self) -> u64 {
        self.tenants.iter().map(|t| t.created).sum()
    }

    /// Alerts that failed in this pass.
    pub fn failed(&self) -> u64 {
        self.tenants.iter().map(|t| t.failed).sum()
    }

    /// Tenants that could not be read in this pass.
    pub fn tenants_failed(&self) -> u64 {
        self.tenants.iter().filter(|t| t.tenant_failed).count() as u64
    }
}

/// What the tenant passes of one `run`, or of a whole `watch`, share.
pub struct PassContext<'a> {
    /// The clients, the mapper, the state store.
    pub services: &'a Services,
    /// The IP reputations (single flight across tenants, the state store's cache behind it).
    pub enricher: &'a Enricher,
    /// Dry run, tenants, `--since`.
    pub options: &'a PassOptions,
    /// Where each alert's outcome is reported.
    pub sink: &'a dyn EventSink,
    /// The stop signal: no new page once requested.
    pub stop: &'a Shutdown,
}

impl PassContext<'_> {
    /// The reputations of a pass over the config's settings: `read_only` for a dry run, which
    /// writes nothing to the state store, not even the reputations it looked up.
    pub fn enricher(services: &Services, read_only: bool) -> Enricher {
        let config = &services.config;
        Enricher::new(
            services.clients.abuseipdb.clone(),
            config.abuseipdb.as_ref().map_or(90, |a| a.max_age_days),
            Arc::clone(&services.store),
            config.abuseipdb.as_ref().map_or(Duration::from_secs(86_400), |a| a.cache_ttl),
        )
        .read_only(read_only)
    }

    /// The tenants the options select, in config order.
    pub fn selected(&self) -> Vec<&Tenant> {
        let names = &self.options.tenants;
        self.services
            .clients
            .tenants
            .iter()
            .filter(|t| names.is_empty() || names.iter().any(|n| n.eq_ignore_ascii_case(&t.name)))
            .collect()
    }

    /// One pass of one tenant, counted in `summary` as it goes, so that the figures of a pass
    /// dropped half-way (a [`Shutdown`]) are still there. A tenant that cannot be read is
    /// reported ([`Event::TenantFailed`]) and marked in the summary; a stop requested during the
    /// pass ends it at the next page, with `interrupted` set.
    ///
    /// The caller holds the state store's pass lock (except for a dry run, which writes nothing).
    pub async fn run_tenant(&self, tenant: &Tenant, summary: &mut TenantSummary) {
        let mut run = TenantRun::new(self, tenant, summary);
        run.run().await;
    }
}

/// Runs one pass over the tenants `options` selects, reporting each alert to `sink`.
///
/// The caller holds the state store's pass lock (except for a dry run, which writes nothing).
pub async fn run_pass(services: &Services, options: &PassOptions, sink: &dyn EventSink) -> PassReport {
    run_pass_until(services, options, sink, &Shutdown::new()).await
}

/// [`run_pass`] that stops when `stop` says: no tenant pass or page is started once it is
/// requested, and what is still under way is dropped once it is abandoned (see
/// [`crate::shutdown`]). The tenants that were stopped are in the report with `interrupted` set.
pub async fn run_pass_until(
    services: &Services,
    options: &PassOptions,
    sink: &dyn EventSink,
    stop: &Shutdown,
) -> PassReport {
    let started = std::time::Instant::now();
    // What Jira refuses of the config stops the pass before any alert is handled: they would only
    // wait, and the refusal is said once rather than per alert.
    // It is a Jira request like any other: a signal does not wait for it (a `Retry-After` of a
    // minute, say), and the next run checks again.
    let problems = tokio::select! {
        problems = services.gate.before_pass(services, options.dry_run, sink) => problems,
        () = stop.abandoned() => {
            return PassReport {
                elapsed: started.elapsed(),
                stopped_by: stop.requested_by(),
                ..PassReport::default()
            };
        }
    };
    if !problems.is_empty() {
        return PassReport { config_problems: problems, elapsed: started.elapsed(), ..PassReport::default() };
    }
    let enricher = PassContext::enricher(services, options.dry_run);
    let context = PassContext { services, enricher: &enricher, options, sink, stop };
    let selected = context.selected();
    pacing::seed(services, &selected).await;
    let context = &context;
    let mut summaries: Vec<(usize, TenantSummary)> = stream::iter(selected.iter().copied().enumerate())
        .map(|(index, tenant)| async move {
            // A tenant not started when the stop came is left for the next pass.
            if stop.is_requested() {
                return None;
            }
            let mut summary = TenantSummary { tenant: tenant.name.clone(), ..TenantSummary::default() };
            tokio::select! {
                () = context.run_tenant(tenant, &mut summary) => {}
                () = stop.abandoned() => summary.interrupted = true,
            }
            sink.emit(Event::TenantSummary(summary.clone()));
            Some((index, summary))
        })
        .buffer_unordered(services.concurrency.max(1))
        .filter_map(std::future::ready)
        .collect()
        .await;
    summaries.sort_by_key(|(index, _)| *index);
    // A dry run writes nothing to the state store, not even the MCAS requests it made.
    if !options.dry_run {
        pacing::keep(services, &selected).await;
    }
    enricher.flush().await;
    PassReport {
        config_problems: services.gate.refused().into_iter().collect(),
        tenants: summaries.into_iter().map(|(_, s)| s).collect(),
        enrichment: enricher.stats(),
        elapsed: started.elapsed(),
        stopped_by: stop.requested_by(),
    }
}

/// One tenant's pass.
struct TenantRun<'a> {
    services: &'a Services,
    tenant: &'a Tenant,
    enricher: &'a Enricher,
    /// The tenant's places in the process's Jira and AbuseIPDB budgets.
    budgets: TenantBudgets,
    options: &'a PassOptions,
    sink: &'a dyn EventSink,
    stop: &'a Shutdown,
    /// When the pass started: the upper bound of the walk and the time of the state writes.
    now: Timestamp,
    /// The checkpoint the walk started from (none with `--since`): a page that ends at or before
    /// it, and has nothing else to record, is not written at all, so that a pass with nothing new
    /// costs the MCAS reads and no disk sync per tenant.
    checkpoint: Option<Timestamp>,
    /// The alerts retried by id in this pass, so that one also in the walk's window is handled
    /// once. Only these: the walk itself never yields an alert twice, so the set stays as small
    /// as the retry queue however many alerts the walk reads.
    retried: HashSet<String>,
    /// The state write of the last page, still under way: the next page is prepared while it
    /// syncs to disk. Writes stay in page order (each waits for the one before), so the
    /// checkpoint never passes a page not yet recorded.
    write: Option<tokio::task::JoinHandle<Result<(), String>>>,
    /// The caller's, so that it keeps the figures of a pass it drops.
    summary: &'a mut TenantSummary,
}

impl<'a> TenantRun<'a> {
    fn new(context: &PassContext<'a>, tenant: &'a Tenant, summary: &'a mut TenantSummary) -> Self {
        Self {
            services: context.services,
            tenant,
            enricher: context.enricher,
            budgets: context.services.budgets.tenant(),
            options: context.options,
            sink: context.sink,
            stop: context.stop,
            now: Timestamp::now(),
            checkpoint: None,
            retried: HashSet::new(),
            write: None,
            summary,
        }
    }

    /// Whether a stop was requested: the pass starts no new page and ends as interrupted.
    fn stopping(&mut self) -> bool {
        let stopping = self.stop.is_requested();
        self.summary.interrupted |= stopping;
        stopping
    }

    async fn run(&mut self) {
        let outcome = self.run_inner().await;
        // The last page's write, whatever happened after it.
        let written = self.written().await;
        if let Err(reason) = outcome.and(written) {
            self.summary.tenant_failed = true;
            tracing::error!(tenant = %self.tenant.name, "{reason}");
            self.sink.emit(Event::TenantFailed { tenant: self.tenant.name.clone(), reason });
        }
        self.report_pending().await;
    }

    async fn run_inner(&mut self) -> Result<(), String> {
        let tenant = self.tenant;
        let client = match &tenant.client {
            TenantClient::Mcas(client) => client,
            TenantClient::Graph(client) => return self.run_graph(client).await,
        };
        self.retry_pending(client).await?;
        if self.stopping() {
            return Ok(());
        }
        let start = self.start().await?;
        self.sweep(start).await?;
        let query = sweep::alert_query(&self.services.config.fetch, start, self.now);
        tracing::debug!(tenant = %self.tenant.name, from = %start, to = %self.now, "reading alerts");
        // The walk runs ahead by one page: MCAS is paced, so the next page is on its way while
        // this one is enriched, ticketed and recorded.
        let (sender, mut pages) = tokio::sync::mpsc::channel::<mcas_client::Result<AlertsPage>>(1);
        let walk = client.alert_pages(query);
        let reader = tokio::spawn(async move {
            futures_util::pin_mut!(walk);
            while let Some(page) = walk.next().await {
                let last = page.is_err();
                if sender.send(page).await.is_err() || last {
                    break;
                }
            }
        });
        let mut outcome = Ok(());
        while let Some(page) = pages.recv().await {
            if self.stopping() {
                break;
            }
            match page {
                Ok(page) => {
                    if let Err(e) = self.handle_page(page).await {
                        outcome = Err(e);
                        break;
                    }
                }
                Err(error) => {
                    outcome = Err(format!("reading alerts failed: {}", crate::chain(&error)));
                    break;
                }
            }
        }
        reader.abort();
        outcome
    }

    /// Where the walk starts: `--since`, else the checkpoint minus the overlap, else the first
    /// look-back.
    async fn start(&mut self) -> Result<Timestamp, String> {
        let fetch = &self.services.config.fetch;
        let back = |d: Duration| self.now - SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX);
        if let Some(since) = self.options.since {
            return Ok(back(since));
        }
        let store = Arc::clone(&self.services.store);
        let name = self.tenant.name.clone();
        let checkpoint = tokio::task::spawn_blocking(move || store.checkpoint(&name))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: {}", crate::chain(&e)))?;
        self.checkpoint = checkpoint;
        Ok(match checkpoint {
            Some(at) => at - SignedDuration::try_from(fetch.overlap).unwrap_or(SignedDuration::ZERO),
            None => back(fetch.first_lookback),
        })
    }

    /// Fetches, by id, the alerts whose ticket failed before and are due again, and handles them.
    async fn retry_pending(&mut self, client: &mcas_client::Client) -> Result<(), String> {
        let store = Arc::clone(&self.services.store);
        let (name, now) = (self.tenant.name.clone(), self.now);
        let due = tokio::task::spawn_blocking(move || store.due_pending(&name, now))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: {}", crate::chain(&e)))?;
        for chunk in due.chunks(mcas_client::MAX_PAGE_SIZE as usize) {
            if self.stopping() {
                return Ok(());
            }
            match reread(client, &self.tenant.name, chunk).await {
                Ok(page) => self.handle_retried(chunk, page).await?,
                // MCAS refuses the whole id filter when one id in it is not a valid alert id (an
                // alert that was malformed may carry any id): ask for each alone, so that one bad
                // id neither holds back the others nor fails the tenant on every pass.
                Err(mcas_client::Error::FilterValidation { .. }) if chunk.len() > 1 => {
                    for one in chunk.chunks(1) {
                        match reread(client, &self.tenant.name, one).await {
                            Ok(page) => self.handle_retried(one, page).await?,
                            Err(error @ mcas_client::Error::FilterValidation { .. }) => {
                                self.still_pending(&one[0], &error).await?;
                            }
                            Err(error) => {
                                return Err(format!("re-reading failed alerts: {}", crate::chain(&error)));
                            }
                        }
                    }
                }
                Err(error @ mcas_client::Error::FilterValidation { .. }) => {
                    self.still_pending(&chunk[0], &error).await?;
                }
                Err(error) => return Err(format!("re-reading failed alerts: {}", crate::chain(&error))),
            }
        }
        Ok(())
    }

    /// Handles the page of re-read alerts; those of `pending` it lacks no longer exist in MCAS.
    async fn handle_retried(&mut self, pending: &[Pending], page: AlertsPage) -> Result<(), String> {
        let found: HashSet<&str> = page.alerts.iter().map(|a| a.id.as_str()).collect();
        let gone: Vec<String> = pending
            .iter()
            .map(|p| p.alert_id.as_str())
            .filter(|id| !found.contains(id))
            .map(str::to_owned)
            .collect();
        if !gone.is_empty() {
            tracing::warn!(tenant = %self.tenant.name, ?gone, "alerts pending a retry no longer exist in MCAS; dropping them");
        }
        self.handle_page_with(page.into(), PageKind::Retry, gone).await
    }

    /// Reports an alert MCAS would not give back by id, and keeps it pending.
    async fn still_pending(
        &mut self,
        pending: &Pending,
        error: &(dyn std::error::Error + Send + Sync + 'static),
    ) -> Result<(), String> {
        let reason = format!("re-reading the alert failed: {}", crate::chain(error));
        self.retried.insert(pending.alert_id.clone());
        self.summary.failed += 1;
        tracing::warn!(tenant = %self.tenant.name, alert = %pending.alert_id, "{reason}");
        self.sink.emit(Event::Failed {
            tenant: self.tenant.name.clone(),
            alert_id: Some(pending.alert_id.clone()),
            severity: None,
            title: None,
            reason: reason.clone(),
        });
        if self.options.dry_run {
            return Ok(());
        }
        let mut outcome = PageOutcome::new(self.now);
        outcome.failures.push(Failure {
            alert_id: pending.alert_id.clone(),
            alert_time: pending.alert_time,
            error: reason,
            next_try: self.now,
            severity: pending.severity.clone(),
            title: pending.title.clone(),
            attempt: true,
        });
        self.apply_now(outcome, "the failure").await
    }

    /// Records `outcome` now, outside the page writes (the caller has waited for those it must
    /// follow); `what` names it in the error.
    async fn apply_now(&self, outcome: PageOutcome, what: &'static str) -> Result<(), String> {
        let store = Arc::clone(&self.services.store);
        let tenant = self.tenant.name.clone();
        tokio::task::spawn_blocking(move || store.apply_page(&tenant, &outcome))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: could not record {what}: {}", crate::chain(&e)))
    }

    async fn handle_page(&mut self, page: AlertsPage) -> Result<(), String> {
        self.handle_page_with(page.into(), PageKind::Walk, Vec::new()).await
    }

    /// Waits for the state write under way, if any.
    async fn written(&mut self) -> Result<(), String> {
        match self.write.take() {
            Some(write) => write.await.map_err(|e| format!("state store: {e}"))?,
            None => Ok(()),
        }
    }
}

/// One request for the MCAS alerts of `pending`, by id.
async fn reread(
    client: &mcas_client::Client,
    tenant: &str,
    pending: &[Pending],
) -> mcas_client::Result<AlertsPage> {
    let ids: Vec<&str> = pending.iter().map(|p| p.alert_id.as_str()).collect();
    tracing::debug!(tenant, count = ids.len(), "retrying alerts that failed before");
    let query = AlertQuery::default().raw_filter("id", json!({ "eq": ids }));
    client.alerts_page(&query, 0).await
}
