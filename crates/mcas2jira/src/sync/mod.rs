//! The two-way sync between Jira tickets and the MCAS alerts they were made for.
//!
//! For every ticket in the state store that is not yet settled with its alert, in batches of 100:
//! the alerts are read from MCAS by id (one request), the tickets' status and resolution from Jira
//! by key (one search; a key Jira no longer knows falls back to reading the tickets one by one).
//! Then, per pair:
//! - ticket done, alert open: the alert is closed through the close call that
//!   `[sync.resolutions]` maps the ticket's resolution to, with a comment naming the ticket; a
//!   resolution the map does not name is reported and the alert left open;
//! - alert closed in the portal, ticket open: the ticket gets one comment, and the configured
//!   transition if there is one;
//! - both closed: recorded, so that the pair is never looked at again;
//! - both open: nothing.
//!
//! Loop-free and idempotent: what was mirrored is recorded in the state store (`sync` table), so
//! a rerun does nothing new. The tool's own comments, in MCAS and in Jira, carry
//! [`MARKER`] and the alert id: an alert closed with that marker was closed by this tool (the
//! ticket is not told about its own doing), and a ticket that already holds the marked comment
//! (a crash after commenting, before recording) is not commented on twice.

mod events;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt, stream};
use jiff::Timestamp;
use jira_client::richtext::{Document, Inline};
use jira_client::{Issue, IssueKey, IssueUpdate, SearchQuery, jql};
use mcas_client::{Alert, AlertId, AlertQuery, ResolutionStatus};
use serde_json::json;

pub use events::{SyncCollector, SyncEvent, SyncLogSink, SyncPrinter, SyncSink, SyncSummary, human};

use crate::config::CloseAs;
use crate::services::{Services, Tenant};
use crate::state::{MirrorAction, Mirrored, SyncCandidate};

/// The text every comment of the sync carries, in MCAS and in Jira, followed by ` alert <id>`.
/// Letters, digits and spaces only, so that no rich-text format escapes it.
pub const MARKER: &str = "mcas2jira sync";

/// Tickets compared per batch: one MCAS request (its page limit) and one Jira search.
const BATCH: usize = 100;

/// The Jira fields the sync reads.
const FIELDS: [&str; 2] = ["status", "resolution"];

/// How a sync runs.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Show what would be closed or commented; change nothing and write nothing.
    pub dry_run: bool,
    /// Only these tenants (by name); empty means all.
    pub tenants: Vec<String>,
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

/// The marked line of the sync's comments about this alert.
#[must_use]
pub fn marker_for(alert_id: &str) -> String {
    format!("{MARKER} alert {alert_id}")
}

/// Runs the sync over the tenants `options` selects, reporting to `sink`.
///
/// The caller holds the state store's pass lock (except for a dry run, which writes nothing).
pub async fn run_sync(services: &Services, options: &SyncOptions, sink: &dyn SyncSink) -> SyncReport {
    let started = std::time::Instant::now();
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
                options,
                sink,
                summary: SyncSummary { tenant: tenant.name.clone(), ..SyncSummary::default() },
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
        .buffer_unordered(services.config.pipeline.concurrency.max(1))
        .collect()
        .await;
    summaries.sort_by_key(|(index, _)| *index);
    SyncReport { tenants: summaries.into_iter().map(|(_, s)| s).collect(), elapsed: started.elapsed() }
}

/// One tenant's share of a sync.
struct TenantSync<'a> {
    services: &'a Services,
    tenant: &'a Tenant,
    options: &'a SyncOptions,
    sink: &'a dyn SyncSink,
    summary: SyncSummary,
}

/// What Jira says of a ticket.
enum TicketState {
    Found(Box<Issue>),
    Gone,
    Unreadable(String),
}

impl TenantSync<'_> {
    async fn run(&mut self) -> Result<(), String> {
        let store = Arc::clone(&self.services.store);
        let name = self.tenant.name.clone();
        let candidates = tokio::task::spawn_blocking(move || store.sync_candidates(&name))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: {}", crate::chain(&e)))?;
        for batch in candidates.chunks(BATCH) {
            self.batch(batch).await?;
        }
        Ok(())
    }

    async fn batch(&mut self, batch: &[SyncCandidate]) -> Result<(), String> {
        let alerts = self.alerts(batch).await?;
        let tickets = self.tickets(batch).await?;
        let mut rows = Vec::new();
        for candidate in batch {
            self.summary.checked += 1;
            let ticket = tickets.get(&candidate.jira_key);
            let alert = alerts.get(&candidate.alert_id);
            if let Some(row) = self.pair(candidate, ticket, alert).await {
                rows.push(row);
            }
        }
        if self.options.dry_run || rows.is_empty() {
            return Ok(());
        }
        let store = Arc::clone(&self.services.store);
        let name = self.tenant.name.clone();
        tokio::task::spawn_blocking(move || store.record_mirrored(&name, &rows))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("state store: {}", crate::chain(&e)))
    }

    /// The batch's alerts by id, read in one request. An alert MCAS does not return is missing
    /// from the map; one it returns but that does not decode is an error of its own.
    async fn alerts(&mut self, batch: &[SyncCandidate]) -> Result<HashMap<String, AlertState>, String> {
        let ids: Vec<&str> = batch.iter().map(|c| c.alert_id.as_str()).collect();
        let query = AlertQuery::default().raw_filter("id", json!({ "eq": ids })).page_size(BATCH as u32);
        let page = self
            .tenant
            .client
            .alerts_page(&query, 0)
            .await
            .map_err(|e| format!("reading alerts failed: {}", crate::chain(&e)))?;
        let mut alerts: HashMap<String, AlertState> = page
            .alerts
            .into_iter()
            .map(|a| (a.id.as_str().to_owned(), AlertState::Read(Box::new(a))))
            .collect();
        for malformed in page.malformed {
            if let Some(id) = malformed.id {
                alerts.insert(id, AlertState::Unreadable(malformed.reason));
            }
        }
        Ok(alerts)
    }

    /// The batch's tickets by the key they were asked for.
    async fn tickets(&mut self, batch: &[SyncCandidate]) -> Result<HashMap<String, TicketState>, String> {
        let jira = &self.services.clients.jira;
        let keys: Vec<&str> = batch.iter().map(|c| c.jira_key.as_str()).collect();
        let query = SearchQuery::new(jql::keys_in(&keys)).fields(FIELDS).max_results(BATCH as u32);
        let mut tickets: HashMap<String, TicketState> = HashMap::new();
        match jira.search(query).try_collect::<Vec<Issue>>().await {
            Ok(issues) => {
                for issue in issues {
                    tickets.insert(issue.key.as_str().to_owned(), TicketState::Found(Box::new(issue)));
                }
            }
            // Jira refuses the whole search when one key no longer exists (or is not visible):
            // the tickets are then read one by one below.
            Err(jira_client::Error::Api { .. }) => {}
            Err(e) => return Err(format!("reading tickets failed: {}", crate::chain(&e))),
        }
        // A key the search did not answer for: deleted, moved to another project (a new key), or
        // the search refused. Reading it by key follows a move and tells a deletion apart.
        for key in keys.into_iter().filter(|k| !tickets.contains_key(*k)).collect::<Vec<_>>() {
            let state = match key.parse::<IssueKey>() {
                Err(e) => TicketState::Unreadable(crate::chain(&e)),
                Ok(parsed) => match jira.get_issue(&parsed, &FIELDS).await {
                    Ok(issue) => TicketState::Found(Box::new(issue)),
                    Err(jira_client::Error::NotFound { .. }) => TicketState::Gone,
                    Err(e) => TicketState::Unreadable(crate::chain(&e)),
                },
            };
            tickets.insert(key.to_owned(), state);
        }
        Ok(tickets)
    }

    /// Settles one ticket with its alert; returns what to record.
    async fn pair(
        &mut self,
        candidate: &SyncCandidate,
        ticket: Option<&TicketState>,
        alert: Option<&AlertState>,
    ) -> Option<Mirrored> {
        let issue = match ticket {
            Some(TicketState::Found(issue)) => issue,
            Some(TicketState::Unreadable(reason)) => {
                self.fail(candidate, format!("reading the ticket failed: {reason}"));
                return None;
            }
            Some(TicketState::Gone) | None => return self.gone(candidate, "ticket", None),
        };
        let alert = match alert {
            Some(AlertState::Read(alert)) => alert,
            Some(AlertState::Unreadable(reason)) => {
                self.fail(candidate, format!("the alert does not decode: {reason}"));
                return None;
            }
            None => return self.gone(candidate, "alert", None),
        };
        let ticket_done = issue
            .fields
            .status
            .as_ref()
            .and_then(|s| s.status_category.as_ref())
            .is_some_and(|c| c.is_done());
        let status = alert.resolution_status.unwrap_or(ResolutionStatus::Open);
        let status_value = status.value();
        if let Some(transition) = &candidate.transition_due {
            // The ticket was commented on before; only its transition is left to make, unless
            // someone closed it meanwhile.
            if ticket_done {
                return Some(self.row(
                    candidate,
                    MirrorAction::Commented,
                    Some(status_value),
                    Some(transition),
                    true,
                ));
            }
            return self.transition(candidate, transition, status_value).await;
        }
        match (ticket_done, status.is_open()) {
            (false, true) => None,
            (true, true) => self.close_alert(candidate, issue, status_value).await,
            (true, false) => {
                self.summary.settled += 1;
                if self.options.dry_run {
                    return None;
                }
                Some(self.row(candidate, MirrorAction::BothClosed, Some(status_value), None, false))
            }
            (false, false) => {
                if alert.comment.as_deref().is_some_and(|c| c.contains(MARKER)) {
                    // This tool closed the alert (its ticket was resolved, then reopened, and the
                    // state of that close was lost): not news for the ticket.
                    self.summary.settled += 1;
                    if self.options.dry_run {
                        return None;
                    }
                    return Some(self.row(
                        candidate,
                        MirrorAction::BothClosed,
                        Some(status_value),
                        None,
                        false,
                    ));
                }
                self.comment(candidate, alert, status).await
            }
        }
    }

    async fn close_alert(
        &mut self,
        candidate: &SyncCandidate,
        issue: &Issue,
        status: i64,
    ) -> Option<Mirrored> {
        let resolution = issue.fields.resolution.as_ref().map(|r| r.name.clone());
        let close = resolution.as_deref().and_then(|r| self.services.config.sync.close_for(r));
        let (Some(resolution), Some(close)) = (resolution.clone(), close) else {
            self.summary.unmapped += 1;
            self.sink.emit(SyncEvent::UnmappedResolution {
                tenant: self.tenant.name.clone(),
                alert_id: candidate.alert_id.clone(),
                key: candidate.jira_key.clone(),
                resolution,
            });
            return None;
        };
        if self.options.dry_run {
            self.summary.would_close += 1;
            self.sink.emit(SyncEvent::WouldCloseAlert {
                tenant: self.tenant.name.clone(),
                alert_id: candidate.alert_id.clone(),
                key: candidate.jira_key.clone(),
                resolution,
                close: close.kind().to_owned(),
                reason: close.reason(),
            });
            return None;
        }
        let comment = format!(
            "Closed from Jira: {} was resolved as {resolution}. {}",
            candidate.jira_key,
            marker_for(&candidate.alert_id)
        );
        let ids = [AlertId::new(candidate.alert_id.clone())];
        let client = &self.tenant.client;
        let outcome = match close {
            CloseAs::TruePositive => client.close_true_positive(&ids, &comment).await,
            CloseAs::Benign(reason) => client.close_benign(&ids, &comment, reason).await,
            CloseAs::FalsePositive(reason) => client.close_false_positive(&ids, &comment, reason).await,
        };
        match outcome {
            Ok(outcome)
                if outcome.closed == 0
                    && outcome.not_found.iter().any(|id| id.as_str() == candidate.alert_id) =>
            {
                self.gone(candidate, "alert", Some(status))
            }
            Ok(_) => {
                self.summary.alerts_closed += 1;
                self.sink.emit(SyncEvent::AlertClosed {
                    tenant: self.tenant.name.clone(),
                    alert_id: candidate.alert_id.clone(),
                    key: candidate.jira_key.clone(),
                    resolution: resolution.clone(),
                    close: close.kind().to_owned(),
                    reason: close.reason(),
                });
                let mut row = self.row(candidate, MirrorAction::ClosedAlert, Some(status), None, false);
                row.jira_resolution = Some(resolution);
                row.close_kind = Some(close.kind().to_owned());
                Some(row)
            }
            Err(e) => {
                self.fail(candidate, format!("closing the alert failed: {}", crate::chain(&e)));
                None
            }
        }
    }

    async fn comment(
        &mut self,
        candidate: &SyncCandidate,
        alert: &Alert,
        status: ResolutionStatus,
    ) -> Option<Mirrored> {
        let transition = self.services.config.sync.transition_on_alert_closed.clone();
        let alert_status = status_name(status);
        if self.options.dry_run {
            self.summary.would_comment += 1;
            self.sink.emit(SyncEvent::WouldComment {
                tenant: self.tenant.name.clone(),
                alert_id: candidate.alert_id.clone(),
                key: candidate.jira_key.clone(),
                alert_status,
                transition,
            });
            return None;
        }
        let jira = &self.services.clients.jira;
        let key = match candidate.jira_key.parse::<IssueKey>() {
            Ok(key) => key,
            Err(e) => {
                self.fail(candidate, crate::chain(&e));
                return None;
            }
        };
        let marker = marker_for(&candidate.alert_id);
        // A comment posted before a crash, whose record was lost, is not posted twice.
        let already = match jira.comments(&key).await {
            Ok(comments) => comments.iter().any(|c| c.body.to_string().contains(&marker)),
            Err(e) => {
                self.fail(candidate, format!("reading the ticket's comments failed: {}", crate::chain(&e)));
                return None;
            }
        };
        if !already {
            let document = comment_document(&self.tenant.name, alert, &alert_status, &marker);
            if let Err(e) = jira.add_comment(&key, &document).await {
                self.fail(candidate, format!("commenting failed: {}", crate::chain(&e)));
                return None;
            }
        }
        self.summary.tickets_commented += 1;
        self.sink.emit(SyncEvent::TicketCommented {
            tenant: self.tenant.name.clone(),
            alert_id: candidate.alert_id.clone(),
            key: candidate.jira_key.clone(),
            alert_status,
        });
        match transition {
            None => Some(self.row(candidate, MirrorAction::Commented, Some(status.value()), None, false)),
            Some(transition) => {
                let done = self.transition(candidate, &transition, status.value()).await;
                // Recorded as commented either way; a failed transition stays due.
                Some(done.unwrap_or_else(|| {
                    self.row(
                        candidate,
                        MirrorAction::Commented,
                        Some(status.value()),
                        Some(&transition),
                        false,
                    )
                }))
            }
        }
    }

    /// Moves the ticket through the named transition; the row to record once it did.
    async fn transition(&mut self, candidate: &SyncCandidate, name: &str, status: i64) -> Option<Mirrored> {
        if self.options.dry_run {
            return None;
        }
        let jira = &self.services.clients.jira;
        let key = candidate.jira_key.parse::<IssueKey>().ok()?;
        let result = match jira.transitions(&key).await {
            Ok(transitions) => {
                match transitions.iter().find(|t| t.name.trim().eq_ignore_ascii_case(name.trim())) {
                    Some(t) => jira
                        .transition(&key, &t.id, &IssueUpdate::default())
                        .await
                        .map_err(|e| crate::chain(&e)),
                    None => {
                        let names: Vec<&str> = transitions.iter().map(|t| t.name.as_str()).collect();
                        Err(format!(
                            "the transition {name:?} is not available now (available: {})",
                            names.join(", ")
                        ))
                    }
                }
            }
            Err(e) => Err(crate::chain(&e)),
        };
        match result {
            Ok(()) => {
                self.summary.transitions += 1;
                self.sink.emit(SyncEvent::TicketTransitioned {
                    tenant: self.tenant.name.clone(),
                    alert_id: candidate.alert_id.clone(),
                    key: candidate.jira_key.clone(),
                    transition: name.to_owned(),
                });
                Some(self.row(candidate, MirrorAction::Commented, Some(status), Some(name), true))
            }
            Err(reason) => {
                self.fail(candidate, format!("transition failed: {reason}"));
                None
            }
        }
    }

    fn gone(&mut self, candidate: &SyncCandidate, missing: &str, status: Option<i64>) -> Option<Mirrored> {
        self.summary.gone += 1;
        self.sink.emit(SyncEvent::SyncGone {
            tenant: self.tenant.name.clone(),
            alert_id: candidate.alert_id.clone(),
            key: candidate.jira_key.clone(),
            missing: missing.to_owned(),
        });
        if self.options.dry_run {
            return None;
        }
        Some(self.row(candidate, MirrorAction::Gone, status, None, false))
    }

    fn fail(&mut self, candidate: &SyncCandidate, reason: String) {
        self.summary.failed += 1;
        tracing::warn!(tenant = %self.tenant.name, key = %candidate.jira_key, "sync: {reason}");
        self.sink.emit(SyncEvent::SyncFailed {
            tenant: self.tenant.name.clone(),
            alert_id: Some(candidate.alert_id.clone()),
            key: Some(candidate.jira_key.clone()),
            reason,
        });
    }

    fn row(
        &self,
        candidate: &SyncCandidate,
        action: MirrorAction,
        alert_status: Option<i64>,
        transition: Option<&str>,
        transitioned: bool,
    ) -> Mirrored {
        let now = Timestamp::now();
        Mirrored {
            alert_id: candidate.alert_id.clone(),
            jira_key: candidate.jira_key.clone(),
            action,
            jira_resolution: None,
            close_kind: None,
            alert_status,
            transition: transition.map(str::to_owned),
            transitioned_at: transitioned.then_some(now),
            mirrored_at: now,
        }
    }
}

/// An alert as MCAS returned it, or why it could not be decoded.
enum AlertState {
    Read(Box<Alert>),
    Unreadable(String),
}

/// The name of a closed alert's resolution status.
fn status_name(status: ResolutionStatus) -> String {
    match status {
        ResolutionStatus::Open => "open".to_owned(),
        ResolutionStatus::Dismissed => "dismissed".to_owned(),
        ResolutionStatus::Resolved => "resolved".to_owned(),
        ResolutionStatus::FalsePositive => "false_positive".to_owned(),
        ResolutionStatus::Benign => "benign".to_owned(),
        ResolutionStatus::TruePositive => "true_positive".to_owned(),
        ResolutionStatus::Unknown(value) => format!("status {value}"),
    }
}

/// The comment put on a ticket whose alert was closed in the portal.
fn comment_document(tenant: &str, alert: &Alert, status: &str, marker: &str) -> Document {
    let mut text = format!(
        "The alert of this ticket was closed in Defender for Cloud Apps (tenant {tenant}) as {}",
        status.replace('_', " ")
    );
    if let Some(by) = alert.handled_by_user.as_deref().filter(|b| !b.trim().is_empty()) {
        text.push_str(&format!(" by {by}"));
    }
    text.push('.');
    let mut document = Document::new().paragraph(vec![Inline::text(text)]);
    if let Some(comment) = alert.comment.as_deref().filter(|c| !c.trim().is_empty()) {
        let comment: String = comment.chars().take(1_000).collect();
        document = document.paragraph(vec![Inline::text("Comment in the portal: "), Inline::text(comment)]);
    }
    document.paragraph(vec![Inline::text(marker.to_owned())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_survives_both_rich_text_formats() {
        let alert: Alert = Alert::from_json(&json!({
            "_id": "5f06d71dba4289d0602ba5ac",
            "timestamp": 1_700_000_000_000_i64,
            "title": "Impossible travel",
            "severityValue": 2,
            "resolutionStatusValue": 4,
            "comment": "pen test [approved] {noformat}",
            "handledByUser": "analyst@example.com"
        }))
        .unwrap();
        let marker = marker_for("5f06d71dba4289d0602ba5ac");
        let document = comment_document("contoso", &alert, "benign", &marker);
        assert!(document.to_wiki().contains(&marker), "{}", document.to_wiki());
        assert!(document.to_adf().to_string().contains(&marker));
        assert!(document.to_wiki().contains("as benign by analyst@example.com."));
    }

    #[test]
    fn status_names() {
        assert_eq!(status_name(ResolutionStatus::Benign), "benign");
        assert_eq!(status_name(ResolutionStatus::Unknown(9)), "status 9");
    }
}
