//! The two-way sync between Jira tickets and the alerts they were made for, in MCAS or in
//! Microsoft Graph (`source.rs` holds what differs: reading, closing, the words).
//!
//! For every ticket in the state store that still has something to settle with its alert, in
//! batches of 100: the alerts that must be read are read by id (MCAS: one request; Graph: one
//! per alert), the
//! tickets' status and resolution from Jira by key (one search; a key Jira no longer knows falls
//! back to reading the tickets one by one). Then, per pair:
//! - ticket done, alert open: the alert is closed through the close call that
//!   `[sync.resolutions]` maps the ticket's resolution to (Graph: resolved with the
//!   classification and determination `[sync.graph_resolutions]` gives), with a comment naming
//!   the ticket, and
//!   the ticket gets a note saying so; a resolution the map does not name is reported once, then
//!   only counted, and the alert left open (the pair is looked at again: the map or the
//!   resolution may change);
//! - alert closed in the portal, ticket open: the ticket gets one comment, and the transition
//!   `transition_on_alert_closed` names *now* (with the resolution `transition_resolution` gives),
//!   if any; a transition that failed is tried again on later syncs under the name then
//!   configured, and dropped if the key was removed;
//! - both closed: recorded;
//! - both open: nothing.
//!
//! A ticket reopened after its alert was closed (by either side) is noticed while the close is
//! recent ([`REOPEN_WATCH`]): it gets one note saying that the alert stays closed (the API cannot
//! reopen an alert) and that mcas2jira will not move it again; it is never transitioned again.
//!
//! Loop-free and idempotent: what was mirrored is recorded in the state store (`sync` table), so
//! a rerun does nothing new. The tool's own comments, in MCAS and in Jira, carry [`MARKER`] and
//! the alert id: an alert closed with that marker was closed by this tool (the ticket is not told
//! about its own doing), and a ticket that already holds the marked comment (a crash after
//! commenting, before recording) is not commented on twice.
//!
//! The sync holds the state store's sync lock, never the pass lock: a long sync never keeps a
//! pass from running. With a budget ([`SyncOptions::budget`]) it starts no new work once the
//! budget is spent, and the next sync goes on where it stopped ([`SyncCursor`]): `watch` syncs
//! in such slices after each pass, so that a backlog of resolved tickets never delays ticketing
//! by more than a slice.

mod actions;
mod events;
mod notes;
mod pair;
mod source;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use jiff::Timestamp;

pub use events::{SyncCollector, SyncEvent, SyncLogSink, SyncPrinter, SyncSink, SyncSummary, human};
pub use notes::marker_for;

use crate::pipeline::TenantShare;
use crate::services::{Services, Tenant, TenantClient};
use crate::state::{Mirrored, SyncCandidate};

/// The text every comment of the sync carries, in MCAS and in Jira, followed by ` alert <id>`.
/// Letters, digits and spaces only, so that no rich-text format escapes it.
pub const MARKER: &str = "mcas2jira sync";

/// How long after an alert was closed its ticket is watched for being reopened: 30 days.
pub const REOPEN_WATCH: Duration = Duration::from_secs(30 * 24 * 3600);

/// Tickets compared per batch: one MCAS request (its page limit) and one Jira search.
const BATCH: usize = 100;

/// How a sync runs.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Show what would be closed or commented; change nothing and write nothing.
    pub dry_run: bool,
    /// Only these tenants (by name); empty means all.
    pub tenants: Vec<String>,
    /// Start no new work after this long (what was started finishes); the rest is left for the
    /// next sync. `None`: until everything is done.
    pub budget: Option<Duration>,
    /// Where each tenant's previous sync stopped, for a sync that runs in slices.
    pub cursor: Option<Arc<SyncCursor>>,
}

/// Where a sliced sync stopped, per tenant: the next slice starts after that ticket (in alert
/// order) and wraps around, so that every ticket gets its turn however large the backlog.
#[derive(Debug, Default)]
pub struct SyncCursor(Mutex<HashMap<String, (Timestamp, String)>>);

impl SyncCursor {
    fn get(&self, tenant: &str) -> Option<(Timestamp, String)> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get(tenant).cloned()
    }

    fn set(&self, tenant: &str, at: Option<(Timestamp, String)>) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match at {
            Some(at) => map.insert(tenant.to_owned(), at),
            None => map.remove(tenant),
        };
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// One summary per tenant, in config order.
    pub tenants: Vec<SyncSummary>,
    /// How long it took.
    pub elapsed: Duration,
}

impl SyncReport {
    /// Whether anything failed (it is tried again on the next sync).
    #[must_use]
    pub fn has_failures(&self) -> bool {
        self.tenants.iter().any(|t| t.failed > 0 || t.tenant_failed)
    }

    /// The sum of one figure over the tenants.
    #[must_use]
    pub fn total(&self, figure: impl Fn(&SyncSummary) -> u64) -> u64 {
        self.tenants.iter().map(figure).sum()
    }
}

/// Runs the sync over the tenants `options` selects, reporting to `sink`.
///
/// The caller holds the state store's sync lock ([`crate::state::StateStore::lock_sync`]), except
/// for a dry run, which writes nothing.
pub async fn run_sync(services: &Services, options: &SyncOptions, sink: &dyn SyncSink) -> SyncReport {
    let started = Instant::now();
    let deadline = options.budget.map(|budget| started + budget);
    // Graph tenants are synced through Graph, MCAS tenants through MCAS.
    let selected: Vec<&Tenant> = services
        .clients
        .tenants
        .iter()
        .filter(|t| {
            options.tenants.is_empty() || options.tenants.iter().any(|n| n.eq_ignore_ascii_case(&t.name))
        })
        .collect();
    let mut summaries: Vec<(usize, SyncSummary)> = stream::iter(selected.into_iter().enumerate())
        .map(|(index, tenant)| async move {
            let mut run = TenantSync {
                services,
                tenant,
                client: &tenant.client,
                jira_share: services.budgets.tenant().jira,
                options,
                sink,
                deadline,
                now: Timestamp::now(),
                summary: SyncSummary { tenant: tenant.name.clone(), ..SyncSummary::default() },
                put: Vec::new(),
                forget: Vec::new(),
                refused: None,
            };
            if let Err(reason) = run.run().await {
                run.summary.tenant_failed = true;
                tracing::error!(tenant = %tenant.name, "sync: {reason}");
                sink.emit(SyncEvent::SyncFailed {
                    tenant: tenant.name.clone(),
                    alert_id: None,
                    key: None,
                    reason,
                });
            }
            sink.emit(SyncEvent::SyncSummary(run.summary.clone()));
            (index, run.summary)
        })
        // A tenant's sync makes its Jira and MCAS or Graph calls one at a time, so as many tenants at once
        // as Jira may have requests in flight, each request taking its turn in the process's Jira
        // budget, keeps the sync within it, beside `watch`'s passes.
        .buffer_unordered(services.concurrency.min(services.budgets.jira.in_flight()).max(1))
        .collect()
        .await;
    summaries.sort_by_key(|(index, _)| *index);
    SyncReport { tenants: summaries.into_iter().map(|(_, s)| s).collect(), elapsed: started.elapsed() }
}

/// Whether an alert id is an MCAS `_id` (24 hexadecimal digits).
fn is_mcas_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One tenant's share of a sync.
struct TenantSync<'a> {
    services: &'a Services,
    tenant: &'a Tenant,
    /// The tenant's MCAS or Graph client.
    client: &'a TenantClient,
    /// The tenant's sync's place in the process's Jira budget, shared with the passes of `watch`.
    jira_share: TenantShare,
    options: &'a SyncOptions,
    sink: &'a dyn SyncSink,
    deadline: Option<Instant>,
    now: Timestamp,
    summary: SyncSummary,
    /// Rows to record at the end of the batch.
    put: Vec<Mirrored>,
    /// Pairs whose row is to go.
    forget: Vec<String>,
    /// Why the tenant's API refuses the sync's changes (Graph's `403`): the tenant's sync stops
    /// after recording what it did, and says so once.
    refused: Option<String>,
}

impl TenantSync<'_> {
    async fn run(&mut self) -> Result<(), String> {
        let store = Arc::clone(&self.services.store);
        let name = self.tenant.name.clone();
        let watch_since = self.now - jiff::SignedDuration::try_from(REOPEN_WATCH).unwrap_or_default();
        let graph = self.tenant.graph().is_some();
        let now = self.now;
        let (mut candidates, floor) = tokio::task::spawn_blocking(move || {
            let candidates = store.sync_candidates(&name, watch_since)?;
            // Where the tenant's Graph reading began, for one moved from MCAS (nothing recorded).
            let floor = if graph { store.begin_graph(&name, now, false)? } else { None };
            Ok::<_, crate::state::StateError>((candidates, floor))
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("state store: {}", crate::chain(&e)))?;
        if let Some(floor) = floor {
            // The tickets made under MCAS's ids before the tenant moved to Graph: Graph cannot
            // find their alerts, and the MCAS API is no longer configured for the tenant.
            candidates
                .retain(|c| c.alert_time > floor || (c.alert_time == floor && !is_mcas_id(&c.alert_id)));
        }
        let cursor = self.options.cursor.as_deref();
        if let Some((at, id)) = cursor.and_then(|c| c.get(&self.tenant.name)) {
            let first_after =
                candidates.iter().position(|c| (c.alert_time, c.alert_id.as_str()) > (at, id.as_str()));
            candidates.rotate_left(first_after.unwrap_or(0));
        }
        let mut done = 0;
        for batch in candidates.chunks(BATCH) {
            let handled = if self.out_of_time() { 0 } else { self.batch(batch).await? };
            self.record().await?;
            if let Some(reason) = self.refused.take() {
                return Err(reason);
            }
            done += handled;
            if let (Some(cursor), Some(last)) = (cursor, handled.checked_sub(1).map(|i| &batch[i])) {
                cursor.set(&self.tenant.name, Some((last.alert_time, last.alert_id.clone())));
            }
            if handled < batch.len() {
                break;
            }
        }
        self.summary.deferred = (candidates.len() - done) as u64;
        if self.summary.deferred == 0
            && let Some(cursor) = cursor
        {
            cursor.set(&self.tenant.name, None);
        }
        Ok(())
    }

    /// Whether the budget is spent.
    fn out_of_time(&self) -> bool {
        self.deadline.is_some_and(|deadline| Instant::now() >= deadline)
    }

    /// Compares a batch of pairs; returns how many it handled (fewer when the budget ran out).
    async fn batch(&mut self, batch: &[SyncCandidate]) -> Result<usize, String> {
        let alerts = self.alerts(batch).await?;
        let tickets = self.tickets(batch).await?;
        for (index, candidate) in batch.iter().enumerate() {
            if self.out_of_time() || self.refused.is_some() {
                return Ok(index);
            }
            self.summary.checked += 1;
            self.pair(candidate, tickets.get(&candidate.jira_key), alerts.get(&candidate.alert_id)).await;
        }
        Ok(batch.len())
    }

    /// Writes the rows gathered so far (nothing on a dry run).
    async fn record(&mut self) -> Result<(), String> {
        let put = std::mem::take(&mut self.put);
        let forget = std::mem::take(&mut self.forget);
        if self.options.dry_run || (put.is_empty() && forget.is_empty()) {
            return Ok(());
        }
        let store = Arc::clone(&self.services.store);
        let name = self.tenant.name.clone();
        tokio::task::spawn_blocking(move || store.record_mirrored(&name, &put, &forget))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: {}", crate::chain(&e)))
    }
}
