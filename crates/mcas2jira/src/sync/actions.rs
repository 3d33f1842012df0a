//! What the sync reads and does through Jira: the batch's tickets, a ticket commented on or
//! moved, and the bookkeeping of each outcome (the alert's side is `source.rs`).

use std::collections::HashMap;

use futures_util::TryStreamExt;
use jira_client::richtext::Document;
use jira_client::{Issue, IssueKey, IssueUpdate, SearchQuery, jql};
use serde_json::json;

use super::events::SyncEvent;
use super::notes::close_kind_of;
use super::{BATCH, TenantSync};
use crate::state::{MirrorAction, Mirrored, SyncCandidate};

/// The Jira fields the sync reads.
const FIELDS: [&str; 2] = ["status", "resolution"];

/// What Jira says of a ticket.
pub(super) enum TicketState {
    Found(Box<Issue>),
    Gone,
    Unreadable(String),
}

/// Whether a ticket is done: its status is in the `done` category.
pub(super) fn is_done(issue: &Issue) -> bool {
    issue.fields.status.as_ref().and_then(|s| s.status_category.as_ref()).is_some_and(|c| c.is_done())
}

/// Whether the pair still has to be compared with its alert (nothing settled yet, or a
/// resolution the map did not name): only those need the alert read.
pub(super) fn needs_alert(candidate: &SyncCandidate) -> bool {
    candidate.mirrored.as_ref().is_none_or(|row| row.action == MirrorAction::Unmapped)
}

impl TenantSync<'_> {
    /// `request`, sent once the sync's turn in the process's Jira budget comes.
    async fn jira_call<T>(&self, request: impl Future<Output = T>) -> T {
        let permit = self.jira_share.acquire().await;
        let answer = request.await;
        drop(permit);
        answer
    }

    /// The batch's tickets by the key they were asked for.
    pub(super) async fn tickets(
        &mut self,
        batch: &[SyncCandidate],
    ) -> Result<HashMap<String, TicketState>, String> {
        let jira = &self.services.clients.jira;
        let keys: Vec<&str> = batch.iter().map(|c| c.jira_key.as_str()).collect();
        let query = SearchQuery::new(jql::keys_in(&keys)).fields(FIELDS).max_results(BATCH as u32);
        let mut tickets: HashMap<String, TicketState> = HashMap::new();
        let permit = self.jira_share.acquire().await;
        let found = jira.search(query).try_collect::<Vec<Issue>>().await;
        drop(permit);
        match found {
            Ok(issues) => {
                for issue in issues {
                    tickets.insert(issue.key.as_str().to_owned(), TicketState::Found(Box::new(issue)));
                }
            }
            // Jira refuses the whole search when one key no longer exists (or is not visible):
            // the tickets are then read one by one below.
            Err(error @ jira_client::Error::Status { .. }) if error.details().is_some() => {}
            Err(e) => return Err(format!("reading tickets failed: {}", crate::chain(&e))),
        }
        // A key the search did not answer for: deleted, moved to another project (a new key), or
        // the search refused. Reading it by key follows a move and tells a deletion apart.
        for key in keys.into_iter().filter(|k| !tickets.contains_key(*k)).collect::<Vec<_>>() {
            let state = match key.parse::<IssueKey>() {
                Err(e) => TicketState::Unreadable(crate::chain(&e)),
                Ok(parsed) => match self.jira_call(jira.get_issue(&parsed, &FIELDS)).await {
                    Ok(issue) => TicketState::Found(Box::new(issue)),
                    Err(jira_client::Error::NotFound { .. }) => TicketState::Gone,
                    Err(e) => TicketState::Unreadable(crate::chain(&e)),
                },
            };
            tickets.insert(key.to_owned(), state);
        }
        Ok(tickets)
    }

    /// Posts `document` on the ticket unless it already holds a comment with `marker` (posted
    /// before a crash whose record was lost). Returns whether the ticket now holds it; a failure
    /// is reported.
    pub(super) async fn post_once(
        &mut self,
        candidate: &SyncCandidate,
        marker: &str,
        document: &Document,
        what: &str,
    ) -> bool {
        let jira = &self.services.clients.jira;
        let key = match candidate.jira_key.parse::<IssueKey>() {
            Ok(key) => key,
            Err(e) => {
                self.fail(candidate, crate::chain(&e));
                return false;
            }
        };
        let already = match self.jira_call(jira.comments(&key)).await {
            Ok(comments) => comments.iter().any(|c| c.body.to_string().contains(marker)),
            Err(e) => {
                self.fail(candidate, format!("reading the ticket's comments failed: {}", crate::chain(&e)));
                return false;
            }
        };
        if !already && let Err(e) = self.jira_call(jira.add_comment(&key, document)).await {
            self.fail(candidate, format!("{what} failed: {}", crate::chain(&e)));
            return false;
        }
        true
    }

    /// Moves the ticket through the transition the config names now, with the resolution it
    /// gives for how the alert was closed; updates `row` once it did. With no transition
    /// configured any more, the transition due is dropped.
    pub(super) async fn transition(&mut self, candidate: &SyncCandidate, row: &mut Mirrored) {
        let sync = &self.services.config.sync;
        let Some(name) = sync.transition_on_alert_closed.clone() else {
            row.transition_due = false;
            self.summary.transitions_cancelled += 1;
            tracing::info!(
                tenant = %self.tenant.name,
                key = %candidate.jira_key,
                "sync: transition_on_alert_closed is no longer set; the transition due is dropped"
            );
            return;
        };
        if self.options.dry_run {
            return;
        }
        let resolution = sync.resolution_on_alert_closed(close_kind_of(row.alert_status.unwrap_or(0)));
        let jira = &self.services.clients.jira;
        let Ok(key) = candidate.jira_key.parse::<IssueKey>() else { return };
        let result = match self.jira_call(jira.transitions(&key)).await {
            Ok(transitions) => match transitions
                .iter()
                .find(|t| t.name.trim().eq_ignore_ascii_case(name.trim()))
            {
                Some(t) => {
                    let mut update = IssueUpdate::default();
                    if let Some(resolution) = resolution {
                        update = update.field("resolution", json!({ "name": resolution }));
                    }
                    let to_done =
                        t.to.as_ref().and_then(|s| s.status_category.as_ref()).is_some_and(|c| c.is_done());
                    self.jira_call(jira.transition(&key, &t.id, &update))
                        .await
                        .map(|()| to_done)
                        .map_err(|e| crate::chain(&e))
                }
                None => {
                    let names: Vec<&str> = transitions.iter().map(|t| t.name.as_str()).collect();
                    Err(format!(
                        "the transition {name:?} is not available now (available: {})",
                        names.join(", ")
                    ))
                }
            },
            Err(e) => Err(crate::chain(&e)),
        };
        match result {
            Ok(to_done) => {
                self.summary.transitions += 1;
                self.sink.emit(SyncEvent::TicketTransitioned {
                    tenant: self.tenant.name.clone(),
                    alert_id: candidate.alert_id.clone(),
                    key: candidate.jira_key.clone(),
                    transition: name.clone(),
                });
                row.transition = Some(name);
                row.transitioned_at = Some(self.now);
                row.transition_due = false;
                if to_done {
                    row.ticket_done_at = Some(self.now);
                }
            }
            Err(reason) => self.fail(candidate, format!("transition failed: {reason}")),
        }
    }

    /// Records that the ticket or the alert no longer exists.
    pub(super) fn gone(&mut self, candidate: &SyncCandidate, missing: &str, status: Option<i64>) {
        self.summary.gone += 1;
        self.sink.emit(SyncEvent::SyncGone {
            tenant: self.tenant.name.clone(),
            alert_id: candidate.alert_id.clone(),
            key: candidate.jira_key.clone(),
            missing: missing.to_owned(),
        });
        let row = Mirrored { alert_status: status, ..self.row(candidate, MirrorAction::Gone) };
        self.put.push(row);
    }

    pub(super) fn fail(&mut self, candidate: &SyncCandidate, reason: String) {
        self.summary.failed += 1;
        tracing::warn!(tenant = %self.tenant.name, key = %candidate.jira_key, "sync: {reason}");
        self.sink.emit(SyncEvent::SyncFailed {
            tenant: self.tenant.name.clone(),
            alert_id: Some(candidate.alert_id.clone()),
            key: Some(candidate.jira_key.clone()),
            reason,
        });
    }

    /// A fresh row of `action` for the pair, now.
    pub(super) fn row(&self, candidate: &SyncCandidate, action: MirrorAction) -> Mirrored {
        Mirrored::new(&candidate.alert_id, &candidate.jira_key, action, self.now)
    }
}
