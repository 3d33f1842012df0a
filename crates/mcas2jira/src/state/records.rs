//! The rows of the state store, as Rust values.

use std::fmt;
use std::net::IpAddr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// An alert that has a Jira ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecord {
    /// The MCAS alert `_id`.
    pub alert_id: String,
    /// The Jira issue key, e.g. `SEC-123`.
    pub jira_key: String,
    /// When Jira created the ticket (see [`TicketRecord::created_at_exact`]).
    pub created_at: Timestamp,
    /// Whether `created_at` is the time Jira created the ticket. `false` for rows recorded before
    /// schema version 3, which hold the start of their pass, and for a found ticket whose
    /// creation time Jira did not give.
    pub created_at_exact: bool,
    /// Whether this tool created the ticket or found it by its label.
    pub origin: Origin,
    /// The alert severity, lowercase (`informational`, `low`, `medium`, `high`, as
    /// [`alert_mapping::Severity::as_str`] names them, or `unknown`).
    pub severity: String,
    /// The alert title.
    pub title: String,
    /// The alert's own timestamp.
    pub alert_time: Timestamp,
    /// The alert type, when known.
    pub alert_type: Option<String>,
    /// The policy that raised the alert, when known.
    pub policy: Option<String>,
    /// The affected users.
    pub users: Vec<String>,
    /// The alert's IPs with their AbuseIPDB score.
    pub ips: Vec<IpScore>,
    /// What Jira refused of the ticket, which it was created without; empty for a whole ticket.
    pub degraded: Vec<LeftOut>,
}

/// A part of a ticket Jira refused for one alert, which the ticket was created without.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LeftOut {
    /// The Jira field id (`customfield_10107`, `components`, `summary`).
    pub field: String,
    /// The field's name for people (`Affected user`), or the id when it has none.
    pub name: String,
    /// Jira's reason, as it wrote it.
    pub reason: String,
}

/// How the ticket of an alert came to be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// This tool created it.
    Created,
    /// It existed already and was found by its `mcas-<alert id>` label (after a lost response, a
    /// crash, or a deleted state file).
    Found,
}

impl Origin {
    /// The text stored in the `origin` column.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Found => "found",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "created" => Some(Self::Created),
            "found" => Some(Self::Found),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An IP of an alert and its AbuseIPDB abuse confidence score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IpScore {
    /// The address.
    pub ip: IpAddr,
    /// 0..=100, or `None` when the reputation was unavailable (or the IP is not public).
    pub score: Option<u8>,
}

/// A ticket with the tenant it belongs to, as the read queries return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTicket {
    /// The tenant name.
    pub tenant: String,
    /// The ticket.
    pub ticket: TicketRecord,
}

/// An alert that a rule with `skip = true` chose not to ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedAlert {
    /// The MCAS alert `_id`.
    pub alert_id: String,
    /// The alert's own timestamp.
    pub alert_time: Timestamp,
    /// The alert severity, lowercase.
    pub severity: String,
    /// The alert title.
    pub title: String,
    /// The name of the rule that skipped it, when it has one.
    pub rule: Option<String>,
}

/// A skipped alert with its tenant and when it was skipped, as the read queries return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSkip {
    /// The tenant name.
    pub tenant: String,
    /// The alert.
    pub alert: SkippedAlert,
    /// When the pass skipped it.
    pub skipped_at: Timestamp,
}

/// An alert whose ticket could not be made on this pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The MCAS alert `_id`.
    pub alert_id: String,
    /// The alert's own timestamp.
    pub alert_time: Timestamp,
    /// Why, on one line (cut to 2,000 characters when stored).
    pub error: String,
    /// The earliest time to try again.
    pub next_try: Timestamp,
    /// The alert severity, lowercase, when the alert could be read.
    pub severity: Option<String>,
    /// The alert title, when the alert could be read.
    pub title: Option<String>,
    /// Whether this counts as an attempt: `false` for an alert held back because Jira refused the
    /// config rather than the alert, so that a config error never makes alerts stuck.
    pub attempt: bool,
}

/// A failure kept for a later pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The tenant name.
    pub tenant: String,
    /// The MCAS alert `_id`.
    pub alert_id: String,
    /// The alert's own timestamp.
    pub alert_time: Timestamp,
    /// How many passes failed on it.
    pub attempts: u32,
    /// The error of the last attempt.
    pub last_error: String,
    /// The earliest time to try again.
    pub next_try: Timestamp,
    /// When it first failed.
    pub first_seen: Timestamp,
    /// When it last failed.
    pub last_failed_at: Timestamp,
    /// The alert severity, lowercase; `None` when the alert could not be read, or for a row
    /// recorded before schema version 3.
    pub severity: Option<String>,
    /// The alert title, as for `severity`.
    pub title: Option<String>,
}

/// What one page of alerts of one tenant came to; written by
/// [`StateStore::apply_page`](super::StateStore::apply_page) in one transaction.
///
/// Applying the same outcome twice changes nothing more than applying it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOutcome {
    /// The time of the pass: the `skipped_at`, failure times and checkpoint `updated_at`.
    pub now: Timestamp,
    /// Tickets created or found on this page. Each clears the alert's pending failure.
    pub tickets: Vec<TicketRecord>,
    /// Alerts a rule skipped. Each clears the alert's pending failure.
    pub skipped: Vec<SkippedAlert>,
    /// Alerts that failed: a new pending row, or one more attempt on an existing one.
    pub failures: Vec<Failure>,
    /// Alert ids whose pending failure no longer applies (e.g. the alert is gone or now filtered
    /// out).
    pub cleared: Vec<String>,
    /// The tenant's new checkpoint, when it moves: the alert time up to which every alert is
    /// fully handled. Stored as given.
    pub checkpoint: Option<Timestamp>,
}

impl PageOutcome {
    /// An empty outcome at `now`.
    #[must_use]
    pub fn new(now: Timestamp) -> Self {
        Self {
            now,
            tickets: Vec::new(),
            skipped: Vec::new(),
            failures: Vec::new(),
            cleared: Vec::new(),
            checkpoint: None,
        }
    }

    /// Whether there is nothing to write.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
            && self.skipped.is_empty()
            && self.failures.is_empty()
            && self.cleared.is_empty()
            && self.checkpoint.is_none()
    }
}
