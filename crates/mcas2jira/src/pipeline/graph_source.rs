//! A Graph tenant's pass: its alerts read from Microsoft Graph (`alerts_v2`) with the guarantees
//! of the MCAS walk, although Graph lists alerts newest first and pages by opaque next links.
//!
//! # The walk
//!
//! A checkpoint cannot be "the last page seen": a next link is a position in a list that grows
//! at its head, and links may stop after a few hundred alerts (users report it). So the window
//! from the start (the checkpoint minus the overlap, or the first look-back) to the pass's start
//! is cut into `createdDateTime` slices `[lo, hi)`, walked oldest slice first:
//!
//! 1. the slice's first page is asked for with `$count=true`; when Graph counts more alerts in
//!    it than [`MAX_SLICE_PAGES`] pages hold, the slice is halved (down to [`MIN_SLICE`]) and
//!    asked for again, before any alert of it is handled;
//! 2. otherwise its pages are followed to the end (the client drops the repeats a new alert
//!    pushes down the list), each page handled like an MCAS page (known alerts skipped, label
//!    search, enrich, create, record), without moving the checkpoint;
//! 3. when the walk gave fewer alerts than Graph counted (links that stopped early, or an alert
//!    gone from the list), the slice is halved and walked again: what was handled is known by
//!    then, and a slice at the minimum width fails the tenant for this pass rather than lose an
//!    alert;
//! 4. only when every alert of the slice is recorded (ticketed, skipped or pending) does the
//!    checkpoint move, to `hi`; the next slice is twice as wide.
//!
//! A crash at any point leaves the checkpoint at the end of the last whole slice; the alerts of
//! the slice in hand are found again by the state store or by their `graph-<id>` label. Alerts
//! Graph shows late (raised before the pass, listed after it) are read by the next pass's
//! overlap, or later by the reconcile sweep (`sweep.rs`), which reads its window in the same
//! slices.
//!
//! # From MCAS to Graph
//!
//! On a tenant's first Graph pass, the checkpoint it has (from its MCAS passes) becomes its Graph
//! floor (`StateStore::begin_graph`): no Graph window reaches before it, not even the overlap,
//! because Graph's alert ids cannot be matched with MCAS's and an alert of the overlap would get
//! a second ticket.

use futures_util::StreamExt;
use graph_security_client::{AlertId, AlertQuery, AlertStatus, Comparison, Filter};
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;

use super::TenantRun;
use super::page::PageKind;
use super::source::SourcePage;
use crate::state::{PageOutcome, Pending};

/// The most pages a slice may take before it is halved: a slice of fewer alerts than users
/// report Graph's next links to stop at (100 or 500), with the default page of 100.
pub(super) const MAX_SLICE_PAGES: u64 = 4;

/// The narrowest slice: one this narrow is walked whole however many alerts Graph counts in it.
pub(super) const MIN_SLICE: SignedDuration = SignedDuration::from_secs(1);

impl TenantRun<'_> {
    /// The pass of a tenant read through Microsoft Graph.
    pub(super) async fn run_graph(&mut self, client: &graph_security_client::Client) -> Result<(), String> {
        self.retry_graph_pending(client).await?;
        if self.stopping() {
            return Ok(());
        }
        let start = self.graph_start().await?;
        self.sweep(start).await?;
        if self.stopping() {
            return Ok(());
        }
        tracing::debug!(tenant = %self.tenant.name, from = %start, to = %self.now, "reading Graph alerts");
        self.walk_graph(client, start, self.now, PageKind::Retry).await
    }

    /// Where the walk starts: as for MCAS ([`TenantRun::start`]), but never before the floor
    /// the tenant's MCAS checkpoint left when it moved to Graph.
    async fn graph_start(&mut self) -> Result<Timestamp, String> {
        let floor = self.graph_floor().await?;
        let start = self.start().await?;
        Ok(match floor {
            // After the floor, not at it: the MCAS checkpoint is the time of an alert MCAS
            // ticketed, which Graph lists at the same time under another id.
            Some(floor) if floor >= start => {
                tracing::debug!(
                    tenant = %self.tenant.name, %floor,
                    "not reading before the checkpoint the tenant had when it moved from MCAS to Graph"
                );
                floor + SignedDuration::from_millis(1)
            }
            _ => start,
        })
    }

    /// The floor of the tenant's Graph windows (see [`crate::state::StateStore::begin_graph`]),
    /// recording that its Graph reading began (not in a dry run).
    async fn graph_floor(&self) -> Result<Option<Timestamp>, String> {
        let store = Arc::clone(&self.services.store);
        let (name, now, record) = (self.tenant.name.clone(), self.now, !self.options.dry_run);
        tokio::task::spawn_blocking(move || store.begin_graph(&name, now, record))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: {}", crate::chain(&e)))
    }

    /// The reconcile sweep's reading of `[from, to]` for a Graph tenant: the same slices as the
    /// walk, each page handled as a sweep page (only alerts the state store never saw are new),
    /// never before the tenant's floor, and the checkpoint left alone.
    pub(super) async fn sweep_graph(
        &mut self,
        client: &graph_security_client::Client,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<(), String> {
        let from = match self.graph_floor().await? {
            Some(floor) if floor >= from => floor + SignedDuration::from_millis(1),
            _ => from,
        };
        if from > to {
            return Ok(());
        }
        self.walk_graph(client, from, to + SignedDuration::from_millis(1), PageKind::Sweep).await
    }

    /// Walks `[start, end)` slice by slice, oldest first (see the module documentation), each
    /// page handled as `kind`: [`PageKind::Retry`] for the walk (remembered, so that a slice
    /// walked again handles none twice; the checkpoint moves by slice, here), or
    /// [`PageKind::Sweep`] for the reconcile sweep (which moves no checkpoint).
    async fn walk_graph(
        &mut self,
        client: &graph_security_client::Client,
        start: Timestamp,
        end: Timestamp,
        kind: PageKind,
    ) -> Result<(), String> {
        let page_size = self.services.config.fetch.page_size;
        let cap = u64::from(page_size) * MAX_SLICE_PAGES;
        let mut lo = start;
        let mut width = end.duration_since(start);
        while lo < end {
            if self.stopping() {
                return Ok(());
            }
            let hi = if width >= end.duration_since(lo) { end } else { lo + width };
            let narrowest = hi.duration_since(lo) <= MIN_SLICE;
            let query = self.slice_query(lo, hi, page_size);
            let mut pages = std::pin::pin!(client.alert_pages(query));
            let mut counted = None;
            let mut listed: u64 = 0;
            let mut first = true;
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| format!("reading alerts failed: {}", crate::chain(&e)))?;
                if first {
                    first = false;
                    counted = page.count;
                    if counted.is_some_and(|count| count > cap) && !narrowest {
                        break;
                    }
                }
                listed += (page.alerts.len() + page.malformed.len()) as u64;
                let page = self.wanted(SourcePage::from(page));
                self.handle_page_with(page, kind, Vec::new()).await?;
                if self.stopping() {
                    return Ok(());
                }
            }
            match counted {
                Some(count) if count > listed && !narrowest => {
                    // Too many alerts for one slice, or fewer listed than counted: halve it.
                    if listed > 0 {
                        tracing::debug!(
                            tenant = %self.tenant.name, %lo, %hi, count, listed,
                            "Graph listed fewer alerts than it counted; walking the slice in halves"
                        );
                    }
                    width = (hi.duration_since(lo) / 2).max(MIN_SLICE);
                    continue;
                }
                Some(count) if count > listed => {
                    return Err(format!(
                        "Graph counted {count} alerts created in [{lo}, {hi}) but listed {listed}; the \
                         checkpoint stays before them, and the next pass reads them again"
                    ));
                }
                _ => {}
            }
            if kind != PageKind::Sweep {
                self.graph_checkpoint(hi).await?;
            }
            lo = hi;
            width = width.saturating_mul(2);
        }
        Ok(())
    }

    /// The list request of one slice: the configured products, created in `[lo, hi)`.
    fn slice_query(&self, lo: Timestamp, hi: Timestamp, page_size: u32) -> AlertQuery {
        let mut filter = Filter::created(Comparison::Ge, lo).and(Filter::created(Comparison::Lt, hi));
        let sources = self.services.config.graph.service_sources.iter().cloned();
        if let Some(sources) = Filter::service_source_in(sources) {
            filter = filter.and(sources);
        }
        AlertQuery::default().filter(filter).top(page_size).count(true)
    }

    /// The alerts of a page the config wants: open ones only when `[fetch] only_open`, and none
    /// below `[fetch] min_severity`. Graph is not asked to filter on status or severity, which
    /// change: an alert resolved during the walk would leave the list and shift the alerts after
    /// it by one, past the walk's next link.
    fn wanted(
        &self,
        mut page: SourcePage<graph_security_client::Alert>,
    ) -> SourcePage<graph_security_client::Alert> {
        let fetch = &self.services.config.fetch;
        page.alerts.retain(|alert| {
            let open = !fetch.only_open || alert.status.as_ref() != Some(&AlertStatus::Resolved);
            // An alert with a severity Graph added later is kept: better a ticket to look at than
            // an alert lost.
            let severe =
                alert_mapping::Severity::from_graph(&alert.severity).is_none_or(|s| s >= fetch.min_severity);
            open && severe
        });
        page
    }

    /// Moves the checkpoint to the end of a slice whose every alert is recorded: after the
    /// writes of its pages.
    async fn graph_checkpoint(&mut self, at: Timestamp) -> Result<(), String> {
        if self.options.dry_run {
            return Ok(());
        }
        self.written().await?;
        let mut outcome = PageOutcome::new(self.now);
        outcome.checkpoint = Some(at);
        self.apply_now(outcome, "the checkpoint").await
    }

    /// Fetches, one by one, the Graph alerts whose ticket failed before and are due again, and
    /// handles them as one page; those Graph no longer has are forgotten.
    async fn retry_graph_pending(&mut self, client: &graph_security_client::Client) -> Result<(), String> {
        let store = Arc::clone(&self.services.store);
        let (name, now) = (self.tenant.name.clone(), self.now);
        let due: Vec<Pending> = tokio::task::spawn_blocking(move || store.due_pending(&name, now))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: {}", crate::chain(&e)))?;
        let page_size = self.services.config.fetch.page_size.max(1) as usize;
        for chunk in due.chunks(page_size) {
            if self.stopping() {
                return Ok(());
            }
            tracing::debug!(tenant = %self.tenant.name, count = chunk.len(), "retrying alerts that failed before");
            let mut page = SourcePage { alerts: Vec::new(), malformed: Vec::new() };
            let mut gone = Vec::new();
            for pending in chunk {
                match client.get_alert(&AlertId::new(pending.alert_id.clone())).await {
                    Ok(alert) => page.alerts.push(alert),
                    Err(graph_security_client::Error::NotFound { .. }) => gone.push(pending.alert_id.clone()),
                    Err(
                        error @ (graph_security_client::Error::MalformedAlert { .. }
                        | graph_security_client::Error::Decode { .. }),
                    ) => {
                        self.still_pending(pending, &error).await?;
                    }
                    Err(error) => return Err(format!("re-reading failed alerts: {}", crate::chain(&error))),
                }
            }
            if !gone.is_empty() {
                tracing::warn!(tenant = %self.tenant.name, ?gone, "alerts pending a retry no longer exist in Graph; dropping them");
            }
            if page.alerts.is_empty() && gone.is_empty() {
                continue;
            }
            self.handle_page_with(page, PageKind::Retry, gone).await?;
        }
        Ok(())
    }
}
