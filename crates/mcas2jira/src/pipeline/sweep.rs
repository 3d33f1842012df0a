//! The reconcile sweep: alerts can reach MCAS long after their own time, behind the overlap the
//! walk re-reads. Once every `[fetch] reconcile_every`, a tenant's last `[fetch]
//! reconcile_window` is read again up to where the walk starts, its ids compared with the state
//! store (handled or pending), and any alert it never saw is ticketed as a late alert, after the
//! usual label search.
//!
//! When and what to sweep is decided by [`plan`], from times alone, whatever the source of the
//! alerts; reading the window is [`TenantRun::read_window`], the one part that speaks MCAS.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use jiff::{SignedDuration, Timestamp};
use mcas_client::AlertQuery;

use super::TenantRun;
use super::page::PageKind;
use super::source::SourceAlert;
use crate::config::FetchConfig;
use crate::events::Event;
use crate::services::TenantClient;

/// What a pass does about the sweep of one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
    /// Not due, or turned off: nothing.
    Skip,
    /// Due, but the walk's own window reaches back over the whole sweep window (a tenant's first
    /// pass, a long `--since`): recorded as swept, nothing read.
    Covered {
        /// The start of the sweep window.
        from: Timestamp,
    },
    /// Read `[from, to]` (inclusive; `to` is just before the walk's start).
    Sweep {
        /// The start of the sweep window.
        from: Timestamp,
        /// Its end.
        to: Timestamp,
    },
}

/// Whether and what to sweep at `now`, for a walk starting at `walk_start`, after a last sweep
/// at `last` (`None`: never swept).
pub(super) fn plan(
    now: Timestamp,
    walk_start: Timestamp,
    last: Option<Timestamp>,
    window: Duration,
    every: Duration,
) -> Plan {
    if window.is_zero() {
        return Plan::Skip;
    }
    let since_last = last.map(|at| now.duration_since(at));
    let every = SignedDuration::try_from(every).unwrap_or(SignedDuration::MAX);
    if since_last.is_some_and(|elapsed| elapsed < every) {
        return Plan::Skip;
    }
    let from = now - SignedDuration::try_from(window).unwrap_or(SignedDuration::MAX);
    // Up to the millisecond before the walk's start: the two windows never share an alert.
    let to = walk_start - SignedDuration::from_millis(1);
    if to < from { Plan::Covered { from } } else { Plan::Sweep { from, to } }
}

impl TenantRun<'_> {
    /// Sweeps the tenant if it is due (see [`plan`]); records the sweep once it is done (not in a
    /// dry run). `--since` reads a window of its own choosing: no sweep with it.
    pub(super) async fn sweep(&mut self, walk_start: Timestamp) -> Result<(), String> {
        let fetch = &self.services.config.fetch;
        if self.options.since.is_some() || fetch.reconcile_window.is_zero() {
            return Ok(());
        }
        let store = Arc::clone(&self.services.store);
        let tenant = self.tenant.name.clone();
        let last = tokio::task::spawn_blocking(move || store.last_sweep(&tenant))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: {}", crate::chain(&e)))?;
        let from = match plan(self.now, walk_start, last, fetch.reconcile_window, fetch.reconcile_every) {
            Plan::Skip => return Ok(()),
            Plan::Covered { from } => from,
            Plan::Sweep { from, to } => {
                tracing::debug!(tenant = %self.tenant.name, %from, %to, "reconcile sweep");
                self.read_window(from, to).await?;
                // The pages' writes, before the sweep is recorded as done.
                self.written().await?;
                from
            }
        };
        if self.options.dry_run {
            return Ok(());
        }
        let store = Arc::clone(&self.services.store);
        let (tenant, now) = (self.tenant.name.clone(), self.now);
        tokio::task::spawn_blocking(move || store.record_sweep(&tenant, now, from))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: could not record the sweep: {}", crate::chain(&e)))
    }

    /// Reads the window `[from, to]` of the tenant's alerts, page by page, each handled as a
    /// sweep page.
    async fn read_window(&mut self, from: Timestamp, to: Timestamp) -> Result<(), String> {
        let tenant = self.tenant;
        let client = match &tenant.client {
            TenantClient::Mcas(client) => client,
            TenantClient::Graph(client) => return self.sweep_graph(client, from, to).await,
        };
        let query = alert_query(&self.services.config.fetch, from, to);
        let pages = client.alert_pages(query);
        futures_util::pin_mut!(pages);
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| format!("reconcile sweep: reading alerts failed: {}", crate::chain(&e)))?;
            self.handle_page_with(page.into(), PageKind::Sweep, Vec::new()).await?;
        }
        Ok(())
    }

    /// Reports alerts the sweep found without a ticket.
    pub(super) fn late<A: SourceAlert>(&mut self, alerts: &[A]) {
        for alert in alerts {
            self.summary.late += 1;
            tracing::warn!(
                tenant = %self.tenant.name,
                alert = %alert.id(),
                time = %alert.time(),
                "late alert: it reached MCAS after the overlap window; ticketing it now"
            );
            self.sink.emit(Event::LateAlert {
                tenant: self.tenant.name.clone(),
                alert_id: alert.id().to_owned(),
                severity: alert.severity_name().to_owned(),
                title: alert.title().to_owned(),
                alert_time: alert.time().to_string(),
            });
        }
    }
}

/// The MCAS query of the tenant's alerts in `[from, to]`, with the `[fetch]` filters: the walk's
/// and the sweep's.
pub(super) fn alert_query(fetch: &FetchConfig, from: Timestamp, to: Timestamp) -> AlertQuery {
    let query = AlertQuery::default()
        .date_from(from)
        .date_to(to)
        .min_severity(fetch.min_severity.into())
        .page_size(fetch.page_size);
    if fetch.only_open { query.open_only(true) } else { query }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn at(hours: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + hours * 3600).unwrap()
    }

    #[test]
    fn sweeps_are_planned_from_times_alone() {
        let (window, every) = (24 * HOUR, HOUR);
        let now = at(100);
        let walk = now - SignedDuration::from_mins(15);
        let millisecond = SignedDuration::from_millis(1);
        // Never swept: the window behind the walk.
        assert_eq!(
            plan(now, walk, None, window, every),
            Plan::Sweep { from: at(76), to: walk - millisecond }
        );
        // Swept 30 minutes ago: not due; an hour ago: due.
        assert_eq!(plan(now, walk, Some(now - SignedDuration::from_mins(30)), window, every), Plan::Skip);
        assert!(matches!(plan(now, walk, Some(at(99)), window, every), Plan::Sweep { .. }));
        // `0s` sweeps every pass.
        assert!(matches!(plan(now, walk, Some(now), window, Duration::ZERO), Plan::Sweep { .. }));
        // A walk reaching back over the whole window (a first pass of 7 days): nothing to read.
        assert_eq!(plan(now, at(0), None, window, every), Plan::Covered { from: at(76) });
        // Turned off.
        assert_eq!(plan(now, walk, None, Duration::ZERO, every), Plan::Skip);
    }
}
