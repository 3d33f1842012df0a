//! What a sync reports: one [`SyncEvent`] per ticket it acts on and per tenant, printed as human
//! lines or, with `--json`, as one JSON object per line (an `"event"` key names the kind, as for
//! the events of a pass).

use std::sync::Mutex;

use serde::Serialize;

/// One thing the sync did, or would do.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SyncEvent {
    /// The ticket was resolved; its alert was closed (MCAS) or resolved (Graph).
    AlertClosed {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// The Jira issue key.
        key: String,
        /// The ticket's resolution.
        resolution: String,
        /// `true_positive`, `benign` or `false_positive`.
        close: String,
        /// The close reason, for benign and false positive (MCAS).
        reason: Option<String>,
        /// The classification the alert was resolved with (Graph).
        #[serde(skip_serializing_if = "Option::is_none")]
        classification: Option<String>,
        /// The determination the alert was resolved with (Graph).
        #[serde(skip_serializing_if = "Option::is_none")]
        determination: Option<String>,
    },
    /// `--dry-run`: the alert that would be closed.
    WouldCloseAlert {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// The Jira issue key.
        key: String,
        /// The ticket's resolution.
        resolution: String,
        /// `true_positive`, `benign` or `false_positive`.
        close: String,
        /// The close reason, for benign and false positive (MCAS).
        reason: Option<String>,
        /// The classification the alert was resolved with (Graph).
        #[serde(skip_serializing_if = "Option::is_none")]
        classification: Option<String>,
        /// The determination the alert was resolved with (Graph).
        #[serde(skip_serializing_if = "Option::is_none")]
        determination: Option<String>,
    },
    /// The alert was closed in the portal; its ticket got a comment.
    TicketCommented {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// The Jira issue key.
        key: String,
        /// How the alert was closed (`benign`, `false_positive`, `true_positive`, ...).
        alert_status: String,
    },
    /// `--dry-run`: the ticket that would get a comment (and the transition, if configured).
    WouldComment {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// The Jira issue key.
        key: String,
        /// How the alert was closed.
        alert_status: String,
        /// The transition it would take.
        transition: Option<String>,
    },
    /// The ticket of an alert closed in the portal took the configured transition.
    TicketTransitioned {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// The Jira issue key.
        key: String,
        /// The transition's name.
        transition: String,
    },
    /// A ticket was reopened after its alert was closed: it got a note that the alert stays
    /// closed, and is not moved again.
    TicketReopened {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// The Jira issue key.
        key: String,
        /// How the alert was closed.
        alert_status: String,
    },
    /// The ticket is done with a resolution the `[sync.resolutions]` map does not name (or none):
    /// its alert is left open. Reported once per ticket and resolution; later syncs count it in
    /// the summary's `unmapped`.
    UnmappedResolution {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// The Jira issue key.
        key: String,
        /// The ticket's resolution, if it has one.
        resolution: Option<String>,
    },
    /// The ticket or the alert no longer exists: nothing is left to mirror.
    SyncGone {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// The Jira issue key.
        key: String,
        /// `ticket` or `alert`.
        missing: String,
    },
    /// Something could not be mirrored this time; it is tried again on the next sync.
    SyncFailed {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: Option<String>,
        /// The Jira issue key.
        key: Option<String>,
        /// Why, in one line.
        reason: String,
    },
    /// A tenant's sync is over.
    SyncSummary(SyncSummary),
}

/// The figures of one tenant's sync.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SyncSummary {
    /// Tenant name.
    pub tenant: String,
    /// Tickets compared with their alerts.
    pub checked: u64,
    /// Alerts closed (MCAS) or resolved (Graph) because their ticket was resolved.
    pub alerts_closed: u64,
    /// Notes put on tickets whose resolution closed their alert.
    pub notes: u64,
    /// Tickets commented on because their alert was closed in the portal.
    pub tickets_commented: u64,
    /// Tickets moved through the configured transition.
    pub transitions: u64,
    /// Transitions due that were dropped because `transition_on_alert_closed` is no longer set.
    pub transitions_cancelled: u64,
    /// Tickets found reopened after their alert was closed (each noted once).
    pub reopened: u64,
    /// Pairs found closed on both sides, recorded so that they are not looked at again.
    pub settled: u64,
    /// Tickets done with a resolution the map does not name (reported or not before).
    pub unmapped: u64,
    /// Tickets or alerts that no longer exist.
    pub gone: u64,
    /// Alerts `--dry-run` would close.
    pub would_close: u64,
    /// Tickets `--dry-run` would comment on.
    pub would_comment: u64,
    /// Things that failed (tried again next time).
    pub failed: u64,
    /// Whether the tenant itself failed (its tickets or alerts could not be read).
    pub tenant_failed: bool,
    /// Tickets left for the next sync because the sync's time budget was spent (`watch` syncs in
    /// slices).
    pub deferred: u64,
}

/// Where sync events go.
pub trait SyncSink: Send + Sync {
    /// Reports one event.
    fn emit(&self, event: SyncEvent);
}

/// Prints sync events to stdout, as human lines or JSON lines.
#[derive(Debug)]
pub struct SyncPrinter {
    json: bool,
}

impl SyncPrinter {
    /// A printer of JSON lines (`json`) or human lines.
    #[must_use]
    pub fn new(json: bool) -> Self {
        Self { json }
    }
}

impl SyncSink for SyncPrinter {
    fn emit(&self, event: SyncEvent) {
        crate::events::print_event(self.json, &event, human);
    }
}

/// Logs sync events instead of printing them (`watch`, whose output is one line per pass):
/// failures and unmapped resolutions as warnings, the rest as information.
#[derive(Debug, Default)]
pub struct SyncLogSink;

impl SyncSink for SyncLogSink {
    fn emit(&self, event: SyncEvent) {
        match &event {
            SyncEvent::SyncFailed { .. } | SyncEvent::UnmappedResolution { .. } => {
                tracing::warn!("{}", human(&event));
            }
            _ => tracing::info!("{}", human(&event)),
        }
    }
}

/// Collects sync events in memory.
#[derive(Debug, Default)]
pub struct SyncCollector(Mutex<Vec<SyncEvent>>);

impl SyncCollector {
    /// The events so far.
    pub fn events(&self) -> Vec<SyncEvent> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl SyncSink for SyncCollector {
    fn emit(&self, event: SyncEvent) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    }
}

/// The one-line human form of a sync event.
pub fn human(event: &SyncEvent) -> String {
    fn close_text(close: &str, reason: Option<&String>, classification: Option<&String>) -> String {
        match (reason, classification) {
            (_, Some(classification)) => classification.clone(),
            (Some(reason), None) => format!("{close} ({reason})"),
            (None, None) => close.to_owned(),
        }
    }
    match event {
        SyncEvent::AlertClosed {
            tenant,
            alert_id,
            key,
            resolution,
            close,
            reason,
            classification,
            determination,
        }
        | SyncEvent::WouldCloseAlert {
            tenant,
            alert_id,
            key,
            resolution,
            close,
            reason,
            classification,
            determination,
        } => {
            let would = matches!(event, SyncEvent::WouldCloseAlert { .. });
            let verb = match (would, classification.is_some()) {
                (false, false) => "alert {} closed",
                (false, true) => "alert {} resolved",
                (true, false) => "would close alert {}",
                (true, true) => "would resolve alert {}",
            };
            format!(
                "{tenant:<12} {key} resolved as {:?} -> {} as {}{}",
                one_line(resolution),
                verb.replace("{}", alert_id),
                close_text(close, reason.as_ref(), classification.as_ref()),
                determination.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
            )
        }
        SyncEvent::TicketCommented { tenant, alert_id, key, alert_status } => {
            format!("{tenant:<12} alert {alert_id} closed as {alert_status} in the portal -> {key} commented")
        }
        SyncEvent::WouldComment { tenant, alert_id, key, alert_status, transition } => format!(
            "{tenant:<12} alert {alert_id} closed as {alert_status} in the portal -> would comment on {key}{}",
            transition
                .as_ref()
                .map(|t| format!(" and move it through {:?}", one_line(t)))
                .unwrap_or_default()
        ),
        SyncEvent::TicketTransitioned { tenant, key, transition, .. } => {
            format!("{tenant:<12} {key} moved through {:?}", one_line(transition))
        }
        SyncEvent::TicketReopened { tenant, alert_id, key, alert_status } => format!(
            "{tenant:<12} {key} was reopened; alert {alert_id} stays closed as {alert_status}: noted on the ticket"
        ),
        SyncEvent::UnmappedResolution { tenant, alert_id, key, resolution } => match resolution {
            Some(resolution) => format!(
                "{tenant:<12} {key} resolved as {:?}, which [sync.resolutions] does not name: alert {alert_id} left open",
                one_line(resolution)
            ),
            None => format!("{tenant:<12} {key} is done without a resolution: alert {alert_id} left open"),
        },
        SyncEvent::SyncGone { tenant, alert_id, key, missing } => {
            format!(
                "{tenant:<12} {key} / alert {alert_id}: the {missing} no longer exists; nothing to mirror"
            )
        }
        SyncEvent::SyncFailed { tenant, alert_id, key, reason } => format!(
            "{tenant:<12} {}{}failed: {}",
            key.as_ref().map(|k| format!("{k} ")).unwrap_or_default(),
            alert_id.as_ref().map(|a| format!("/ alert {a} ")).unwrap_or_default(),
            one_line(reason)
        ),
        SyncEvent::SyncSummary(s) => {
            let mut parts = vec![format!("{} checked", s.checked)];
            for (n, what) in [
                (s.alerts_closed, "alerts closed"),
                (s.notes, "tickets noted"),
                (s.tickets_commented, "tickets commented"),
                (s.transitions, "transitioned"),
                (s.transitions_cancelled, "transitions dropped"),
                (s.reopened, "reopened"),
                (s.would_close, "alerts would be closed"),
                (s.would_comment, "tickets would be commented"),
                (s.settled, "closed on both sides"),
                (s.unmapped, "unmapped resolutions"),
                (s.gone, "gone"),
                (s.failed, "failed"),
                (s.deferred, "left for the next sync"),
            ] {
                if n > 0 {
                    parts.push(format!("{n} {what}"));
                }
            }
            let status = if s.tenant_failed { " (tenant failed)" } else { "" };
            format!("{:<12} sync: {}{status}", s.tenant, parts.join(", "))
        }
    }
}

/// `text` on one line, cut to 200 characters.
fn one_line(text: &str) -> String {
    let mut out: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > 200 {
        out = out.chars().take(199).collect();
        out.push('…');
    }
    out
}
