//! The decision for one ticket and its alert: what to do, given what each side says now and what
//! was recorded before.

use jira_client::Issue;

use super::TenantSync;
use super::actions::{TicketState, is_done};
use super::events::SyncEvent;
use super::notes::{
    close_kind_of, close_words, closed_from_jira_note, marker_for, portal_close_comment, reopened_marker_for,
    reopened_note, status_after_close,
};
use super::source::{AlertState, Closed, Closing, SeenAlert, graph_resolve_words};
use crate::state::{MirrorAction, Mirrored, SyncCandidate};

impl TenantSync<'_> {
    /// Settles one ticket with its alert, gathering the row to record.
    pub(super) async fn pair(
        &mut self,
        candidate: &SyncCandidate,
        ticket: Option<&TicketState>,
        alert: Option<&AlertState>,
    ) {
        let issue = match ticket {
            Some(TicketState::Found(issue)) => issue,
            Some(TicketState::Unreadable(reason)) => {
                return self.fail(candidate, format!("reading the ticket failed: {reason}"));
            }
            Some(TicketState::Gone) | None => {
                let status = candidate.mirrored.as_ref().and_then(|row| row.alert_status);
                return self.gone(candidate, "ticket", status);
            }
        };
        match candidate.mirrored.as_ref() {
            Some(row) if row.action != MirrorAction::Unmapped => self.follow_up(candidate, row, issue).await,
            unmapped => {
                let alert = match alert {
                    Some(AlertState::Read(alert)) => alert,
                    Some(AlertState::Unreadable(reason)) => {
                        return self.fail(candidate, format!("the alert does not decode: {reason}"));
                    }
                    None => return self.gone(candidate, "alert", None),
                };
                self.settle(candidate, unmapped, issue, alert).await;
            }
        }
    }

    /// A pair not settled yet (or whose resolution the map did not name before).
    async fn settle(
        &mut self,
        candidate: &SyncCandidate,
        unmapped: Option<&Mirrored>,
        issue: &Issue,
        alert: &SeenAlert,
    ) {
        // This tool's own close, whose record was lost (a crash, a deleted state file).
        let ours = alert.ours;
        match (is_done(issue), alert.open) {
            (false, true) => {
                if unmapped.is_some() {
                    // Reopened since its resolution was reported: compared afresh from now on.
                    self.forget.push(candidate.alert_id.clone());
                }
            }
            (true, true) => self.close_alert(candidate, unmapped, issue, alert).await,
            (true, false) if ours => {
                // The note may be what the crash cut short.
                let resolution = resolution_of(issue).unwrap_or_default();
                let kind = close_kind_of(alert.status);
                let marker = marker_for(&candidate.alert_id);
                let how = if self.tenant.graph().is_some() {
                    alert.status_words.clone()
                } else {
                    close_words(kind, None)
                };
                let note = self.closed_note(&resolution, &how, &marker);
                self.summary.settled += 1;
                if self.options.dry_run {
                    return;
                }
                let noted = self.post_once(candidate, &marker, &note, "the note on the ticket").await;
                self.put.push(Mirrored {
                    jira_resolution: Some(resolution),
                    close_kind: Some(kind.to_owned()),
                    alert_status: Some(alert.status),
                    ticket_done_at: Some(self.now),
                    note_due: !noted,
                    ..self.row(candidate, MirrorAction::ClosedAlert)
                });
            }
            (true, false) => {
                self.summary.settled += 1;
                self.put.push(Mirrored {
                    alert_status: Some(alert.status),
                    ticket_done_at: Some(self.now),
                    ..self.row(candidate, MirrorAction::BothClosed)
                });
            }
            (false, false) if ours => {
                // This tool closed the alert (its ticket was resolved, then reopened, and the
                // record of that close was lost): not news for the ticket.
                self.summary.settled += 1;
                self.put.push(Mirrored {
                    alert_status: Some(alert.status),
                    ..self.row(candidate, MirrorAction::ClosedAlert)
                });
            }
            (false, false) => self.portal_closed(candidate, alert).await,
        }
    }

    /// The ticket is done and its alert open: close the alert as the resolution says.
    async fn close_alert(
        &mut self,
        candidate: &SyncCandidate,
        unmapped: Option<&Mirrored>,
        issue: &Issue,
        alert: &SeenAlert,
    ) {
        let status = alert.status;
        let resolution = resolution_of(issue);
        let closing = resolution.as_deref().and_then(|r| self.closing_for(r));
        let (Some(resolution), Some(closing)) = (resolution.clone(), closing) else {
            self.summary.unmapped += 1;
            // Reported once per ticket and resolution; later syncs only count it.
            if unmapped.is_some_and(|row| row.jira_resolution == resolution) {
                return;
            }
            self.sink.emit(SyncEvent::UnmappedResolution {
                tenant: self.tenant.name.clone(),
                alert_id: candidate.alert_id.clone(),
                key: candidate.jira_key.clone(),
                resolution: resolution.clone(),
            });
            self.put.push(Mirrored {
                jira_resolution: resolution,
                alert_status: Some(status),
                ..self.row(candidate, MirrorAction::Unmapped)
            });
            return;
        };
        let (classification, determination) = closing.graph();
        if self.options.dry_run {
            self.summary.would_close += 1;
            self.sink.emit(SyncEvent::WouldCloseAlert {
                tenant: self.tenant.name.clone(),
                alert_id: candidate.alert_id.clone(),
                key: candidate.jira_key.clone(),
                resolution,
                close: closing.kind().to_owned(),
                reason: closing.reason(),
                classification,
                determination,
            });
            return;
        }
        let marker = marker_for(&candidate.alert_id);
        let comment = match &self.tenant.graph() {
            // Graph's comment stands alone in the alert's history: it names the ticket by its link too.
            Some(_) => {
                let url =
                    crate::report::browse_url(Some(&self.services.config.jira.url), &candidate.jira_key)
                        .unwrap_or_default();
                format!(
                    "Resolved from Jira: {} ({url}) was resolved as {resolution}. {marker}",
                    candidate.jira_key
                )
            }
            None => {
                format!("Closed from Jira: {} was resolved as {resolution}. {marker}", candidate.jira_key)
            }
        };
        match self.close(candidate, alert, &closing, &comment).await {
            Closed::Gone => self.gone(candidate, "alert", Some(status)),
            Closed::Failed(reason) => {
                if self.refused.is_none() {
                    self.fail(candidate, reason);
                }
            }
            Closed::Done => {
                self.summary.alerts_closed += 1;
                self.sink.emit(SyncEvent::AlertClosed {
                    tenant: self.tenant.name.clone(),
                    alert_id: candidate.alert_id.clone(),
                    key: candidate.jira_key.clone(),
                    resolution: resolution.clone(),
                    close: closing.kind().to_owned(),
                    reason: closing.reason(),
                    classification,
                    determination,
                });
                let how = self.closing_words(&closing);
                let note = self.closed_note(&resolution, &how, &marker);
                let noted = self.post_once(candidate, &marker, &note, "the note on the ticket").await;
                if noted {
                    self.summary.notes += 1;
                }
                self.put.push(Mirrored {
                    jira_resolution: Some(resolution),
                    close_kind: Some(closing.kind().to_owned()),
                    alert_status: Some(status_after_close(closing.kind())),
                    ticket_done_at: Some(self.now),
                    note_due: !noted,
                    ..self.row(candidate, MirrorAction::ClosedAlert)
                });
            }
        }
    }

    /// The note on a ticket whose resolution closed its alert `how`.
    fn closed_note(&self, resolution: &str, how: &str, marker: &str) -> jira_client::richtext::Document {
        closed_from_jira_note(&self.tenant.name, resolution, self.closed_its_alert(), how, marker)
    }

    /// How a close reads on the ticket's note.
    fn closing_words(&self, closing: &Closing) -> String {
        match closing {
            Closing::Mcas(close) => close_words(close.kind(), close.reason().as_deref()),
            Closing::Graph(r) => {
                graph_resolve_words(r.classification.as_str(), Some(r.determination.as_str()))
            }
        }
    }

    /// The alert was closed in the portal and its ticket is open: one comment, and the
    /// configured transition.
    async fn portal_closed(&mut self, candidate: &SyncCandidate, alert: &SeenAlert) {
        let transition = self.services.config.sync.transition_on_alert_closed.clone();
        let alert_status = alert.status_name.clone();
        if self.options.dry_run {
            self.summary.would_comment += 1;
            self.sink.emit(SyncEvent::WouldComment {
                tenant: self.tenant.name.clone(),
                alert_id: candidate.alert_id.clone(),
                key: candidate.jira_key.clone(),
                alert_status,
                transition,
            });
            return;
        }
        let marker = marker_for(&candidate.alert_id);
        let document = portal_close_comment(&self.tenant.name, self.closed_in(), alert, &marker);
        if !self.post_once(candidate, &marker, &document, "commenting").await {
            return;
        }
        self.summary.tickets_commented += 1;
        self.sink.emit(SyncEvent::TicketCommented {
            tenant: self.tenant.name.clone(),
            alert_id: candidate.alert_id.clone(),
            key: candidate.jira_key.clone(),
            alert_status,
        });
        let mut row = Mirrored {
            alert_status: Some(alert.status),
            transition_due: transition.is_some(),
            ..self.row(candidate, MirrorAction::Commented)
        };
        if row.transition_due {
            // Recorded as commented either way; a failed transition stays due.
            self.transition(candidate, &mut row).await;
        }
        self.put.push(row);
    }

    /// A pair whose alert is closed: a note or a transition still due, a ticket resolved after
    /// its alert was closed in the portal, or one reopened since.
    async fn follow_up(&mut self, candidate: &SyncCandidate, recorded: &Mirrored, issue: &Issue) {
        let done = is_done(issue);
        let mut row = recorded.clone();
        if row.note_due && !self.options.dry_run {
            let resolution = row.jira_resolution.clone().unwrap_or_default();
            let kind = row.close_kind.clone().unwrap_or_default();
            let marker = marker_for(&candidate.alert_id);
            // The map as it is now says how a Graph alert was resolved (the row keeps only the kind).
            let how = match self.closing_for(&resolution) {
                Some(closing @ Closing::Graph(_)) if closing.kind() == kind => self.closing_words(&closing),
                _ => close_words(&kind, None),
            };
            let note = self.closed_note(&resolution, &how, &marker);
            if self.post_once(candidate, &marker, &note, "the note on the ticket").await {
                self.summary.notes += 1;
                row.note_due = false;
            }
        }
        if row.transition_due {
            if done {
                // Someone closed the ticket meanwhile: nothing left to move.
                row.transition_due = false;
                row.ticket_done_at.get_or_insert(self.now);
            } else {
                self.transition(candidate, &mut row).await;
            }
        } else if done && row.ticket_done_at.is_none() {
            row.ticket_done_at = Some(self.now);
        } else if !done && row.ticket_done_at.is_some() && row.reopened_at.is_none() {
            self.reopened(candidate, &mut row).await;
        }
        if row != *recorded && !self.options.dry_run {
            row.mirrored_at = self.now;
            self.put.push(row);
        }
    }

    /// The ticket was reopened after its alert was closed: said once on the ticket.
    async fn reopened(&mut self, candidate: &SyncCandidate, row: &mut Mirrored) {
        let status = self.recorded_status_words(row.alert_status);
        self.summary.reopened += 1;
        self.sink.emit(SyncEvent::TicketReopened {
            tenant: self.tenant.name.clone(),
            alert_id: candidate.alert_id.clone(),
            key: candidate.jira_key.clone(),
            alert_status: status.clone(),
        });
        if self.options.dry_run {
            return;
        }
        let marker = reopened_marker_for(&candidate.alert_id);
        let note = reopened_note(&self.tenant.name, &status, self.tenant.graph().is_some(), &marker);
        if self.post_once(candidate, &marker, &note, "the note on the reopened ticket").await {
            row.reopened_at = Some(self.now);
        }
    }
}

/// The ticket's resolution name, when it has one.
fn resolution_of(issue: &Issue) -> Option<String> {
    issue.fields.resolution.as_ref().map(|r| r.name.clone()).filter(|name| !name.trim().is_empty())
}
