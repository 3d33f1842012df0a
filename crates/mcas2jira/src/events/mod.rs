//! What a pass reports as it goes: one [`Event`] per alert and per tenant, printed either as
//! human lines or, with `--json`, as one JSON object per line on stdout.
//!
//! The JSON form is part of the tool's interface: every object has an `"event"` key naming its
//! kind; the other keys are listed on each variant. New kinds and keys may be added; existing ones
//! are not renamed. A pass ends with a [`PassSummary`] (`"pass_summary"`); `watch` logs each
//! event as an audit line instead of printing it ([`AuditLog`]).

mod audit;
mod summary;

use std::io::Write;
use std::sync::Mutex;

use serde::Serialize;

pub use audit::AuditLog;
pub use summary::PassSummary;

/// One thing that happened during a pass.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Jira refuses the config, or would: checked before the pass created anything (`found_by`
    /// `check`), or refused a create (`create`). No ticket is created until it is fixed; the
    /// alerts wait (their failures are not counted as attempts) and are ticketed by the first
    /// pass after the fix. Reported once per pass.
    JiraConfigRefused {
        /// The config key at fault (`rules[1].components`).
        key: String,
        /// Its value (empty for a table).
        value: String,
        /// Jira's reason, or what the check found.
        reason: String,
        /// What Jira offers instead, when it lists it.
        offers: Vec<String>,
        /// `check` or `create`.
        found_by: &'static str,
    },
    /// A ticket was created for an alert.
    TicketCreated {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// `informational`, `low`, `medium` or `high`.
        severity: String,
        /// The alert's title.
        title: String,
        /// The new Jira issue key.
        key: String,
    },
    /// The ticket just created (its `ticket_created` came first) lacks what Jira refused for this
    /// alert: Jira refused the ticket as the alert made it, and accepted it without these fields.
    /// The ticket's description says so too.
    TicketDegraded {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// Severity name.
        severity: String,
        /// The alert's title.
        title: String,
        /// The new Jira issue key.
        key: String,
        /// The fields left out, by name.
        left_out: Vec<String>,
        /// Jira's reasons, in one line.
        reason: String,
    },
    /// An alert the reconcile sweep found without a ticket, behind the overlap window: it reached
    /// MCAS late. It is ticketed now (its `ticket_created` or `already_ticketed` follows).
    LateAlert {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// Severity name.
        severity: String,
        /// The alert's title.
        title: String,
        /// The alert's own time, RFC 3339.
        alert_time: String,
    },
    /// An alert whose ticket failed `[pipeline] stuck_after` times or more; reported on every pass
    /// until it is ticketed.
    Stuck {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// Severity name, when known.
        severity: Option<String>,
        /// The alert's title, when known.
        title: Option<String>,
        /// How many passes failed on it.
        attempts: u32,
        /// When it first failed, RFC 3339.
        since: String,
        /// The last failure's reason.
        last_error: String,
    },
    /// The alert already had a ticket: found in Jira by its `mcas-<id>` label (the state store did
    /// not know it, e.g. after a crash or a deleted state file).
    AlreadyTicketed {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// Severity name.
        severity: String,
        /// The alert's title.
        title: String,
        /// The existing Jira issue key.
        key: String,
    },
    /// `--dry-run`: the ticket that would be created.
    WouldCreate {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// Severity name.
        severity: String,
        /// The alert's title.
        title: String,
        /// The ticket's summary.
        summary: String,
        /// The ticket's priority, if set.
        priority: Option<String>,
        /// The ticket's labels.
        labels: Vec<String>,
    },
    /// A rule said to skip this alert.
    Skipped {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`.
        alert_id: String,
        /// Severity name.
        severity: String,
        /// The alert's title.
        title: String,
        /// The 1-based position of the rule in the config.
        rule: usize,
    },
    /// The alert could not be ticketed this time; it is retried on the next run.
    Failed {
        /// Tenant name.
        tenant: String,
        /// The alert's `_id`, when it could be read.
        alert_id: Option<String>,
        /// Severity name, when known.
        severity: Option<String>,
        /// The alert's title, when known.
        title: Option<String>,
        /// Why, in one line.
        reason: String,
    },
    /// A tenant could not be processed at all this time (its alerts could not be fetched).
    TenantFailed {
        /// Tenant name.
        tenant: String,
        /// Why, in one line.
        reason: String,
    },
    /// A tenant's pass is over.
    TenantSummary(TenantSummary),
}

/// The figures of one tenant's pass.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TenantSummary {
    /// Tenant name.
    pub tenant: String,
    /// Alerts read from MCAS (after de-duplication).
    pub seen: u64,
    /// Alerts skipped because the state store already records their ticket.
    pub known: u64,
    /// Tickets created.
    pub created: u64,
    /// Alerts found already ticketed in Jira by their label.
    pub already_ticketed: u64,
    /// Tickets that `--dry-run` would have created.
    pub would_create: u64,
    /// Alerts skipped by a rule.
    pub skipped: u64,
    /// Alerts that could not be ticketed (retried next run).
    pub failed: u64,
    /// Tickets created without some field Jira refused for their alert (counted in `created`).
    pub degraded: u64,
    /// Alerts the reconcile sweep found without a ticket (they reached MCAS late).
    pub late: u64,
    /// Alerts held back because Jira refuses the config: retried once it is fixed, not counted
    /// as failed attempts.
    pub held: u64,
    /// Alerts waiting for a retry after the pass (failed or held, now or before).
    pub pending: u64,
    /// Of those, alerts that failed `[pipeline] stuck_after` times or more.
    pub stuck: u64,
    /// Whether the tenant itself failed (fetching its alerts).
    pub tenant_failed: bool,
    /// Whether the pass was stopped by a signal before it was done (what it left is read again
    /// on the next pass). Present only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

/// Where events go.
pub trait EventSink: Send + Sync {
    /// Reports one event.
    fn emit(&self, event: Event);
}

/// Prints events to stdout, as human lines or JSON lines.
#[derive(Debug)]
pub struct Printer {
    json: bool,
}

impl Printer {
    /// A printer of JSON lines (`json`) or human lines.
    pub fn new(json: bool) -> Self {
        Self { json }
    }
}

impl EventSink for Printer {
    fn emit(&self, event: Event) {
        print_event(self.json, &event, human);
    }
}

/// Prints one event on stdout: its JSON form (`json`) or its `human` line.
///
/// The line is written under stdout's lock in one call, so lines from concurrent tenants never
/// interleave. A closed stdout (a pipe into `head`) must not abort the work: the state store still
/// records everything, so write errors are ignored.
pub fn print_event<E: Serialize>(json: bool, event: &E, human: impl FnOnce(&E) -> String) {
    let line = if json {
        serde_json::to_string(event).unwrap_or_else(|e| format!(r#"{{"event":"error","reason":"{e}"}}"#))
    } else {
        human(event)
    };
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// Collects events in memory (tests, the demo's summary).
#[derive(Debug, Default)]
pub struct Collector(Mutex<Vec<Event>>);

impl Collector {
    /// The events so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl EventSink for Collector {
    fn emit(&self, event: Event) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    }
}

/// Sends every event to two sinks.
pub struct Tee<'a>(pub &'a dyn EventSink, pub &'a dyn EventSink);

impl EventSink for Tee<'_> {
    fn emit(&self, event: Event) {
        self.0.emit(event.clone());
        self.1.emit(event);
    }
}

/// The one-line human form of an event: tenant, severity, title, what became of the alert, and
/// the alert's id, so that each line can be followed to the portal and to the ticket.
pub fn human(event: &Event) -> String {
    fn head(tenant: &str, severity: &str, title: &str) -> String {
        format!("{tenant:<12} {severity:<13} {}", one_line(title, 70))
    }
    match event {
        Event::JiraConfigRefused { key, value, reason, offers, found_by } => {
            let problem = crate::preflight::Problem {
                key: key.clone(),
                value: value.clone(),
                reason: reason.clone(),
                offers: offers.clone(),
            };
            let verb = if *found_by == "check" { "would refuse" } else { "refused" };
            format!(
                "jira {verb} the config: {}; no ticket is created until it is fixed (the alerts wait, and are \
                 ticketed by the first run after the fix)",
                one_line(&problem.to_string(), 600)
            )
        }
        Event::TicketCreated { tenant, alert_id, severity, title, key } => {
            format!("{}  -> {key} created (alert {alert_id})", head(tenant, severity, title))
        }
        Event::TicketDegraded { tenant, alert_id, severity, title, key, left_out, reason } => format!(
            "{}  -> {key} created without {}: {} (alert {alert_id})",
            head(tenant, severity, title),
            left_out.join(", "),
            one_line(reason, 200)
        ),
        Event::LateAlert { tenant, severity, title, alert_time, .. } => format!(
            "{}  -> late alert (raised {alert_time}, behind the overlap window): ticketing it",
            head(tenant, severity, title)
        ),
        Event::Stuck { tenant, alert_id, severity, title, attempts, since, last_error } => format!(
            "{}  -> stuck: failed {attempts} times since {since}; last: {}",
            head(tenant, severity.as_deref().unwrap_or("?"), title.as_deref().unwrap_or(alert_id)),
            one_line(last_error, 200)
        ),
        Event::AlreadyTicketed { tenant, alert_id, severity, title, key } => {
            format!("{}  -> {key} already ticketed (alert {alert_id})", head(tenant, severity, title))
        }
        Event::WouldCreate { tenant, alert_id, severity, title, summary, priority, .. } => format!(
            "{}  -> would create \"{}\"{} (alert {alert_id})",
            head(tenant, severity, title),
            one_line(summary, 80),
            priority.as_ref().map(|p| format!(" (priority {p})")).unwrap_or_default()
        ),
        Event::Skipped { tenant, alert_id, severity, title, rule } => {
            format!("{}  -> skipped by rule {rule} (alert {alert_id})", head(tenant, severity, title))
        }
        Event::Failed { tenant, alert_id, severity, title, reason } => format!(
            "{}  -> failed: {}{}",
            head(
                tenant,
                severity.as_deref().unwrap_or("?"),
                title.as_deref().unwrap_or("(unreadable alert)")
            ),
            one_line(reason, 200),
            alert_id.as_ref().map(|id| format!(" (alert {id})")).unwrap_or_default()
        ),
        Event::TenantFailed { tenant, reason } => {
            format!("{tenant:<12} tenant failed: {}", one_line(reason, 300))
        }
        Event::TenantSummary(s) => {
            let mut parts = vec![format!("{} seen", s.seen), format!("{} created", s.created)];
            for (n, what) in [
                (s.would_create, "would be created"),
                (s.degraded, "created without a refused field"),
                (s.late, "late"),
                (s.already_ticketed, "already ticketed"),
                (s.known, "known"),
                (s.skipped, "skipped"),
                (s.failed, "failed"),
                (s.held, "held (Jira refuses the config)"),
                (s.pending, "awaiting a retry"),
                (s.stuck, "stuck"),
            ] {
                if n > 0 {
                    parts.push(format!("{n} {what}"));
                }
            }
            let status = match (s.tenant_failed, s.interrupted) {
                (true, _) => " (tenant failed)",
                (false, true) => " (stopped by a signal)",
                (false, false) => "",
            };
            format!("{:<12} summary: {}{status}", s.tenant, parts.join(", "))
        }
    }
}

/// `text` on one line, cut to `max` characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let mut out: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_events_are_tagged() {
        let e = Event::TicketCreated {
            tenant: "contoso".into(),
            alert_id: "a1".into(),
            severity: "high".into(),
            title: "Impossible travel".into(),
            key: "SEC-1".into(),
        };
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(v["event"], "ticket_created");
        assert_eq!(v["key"], "SEC-1");
        let s = Event::TenantSummary(TenantSummary { tenant: "c".into(), created: 2, ..Default::default() });
        assert_eq!(serde_json::to_value(&s).unwrap()["event"], "tenant_summary");
    }

    #[test]
    fn refusals_late_and_stuck_alerts_read_as_one_line_each() {
        let refused = Event::JiraConfigRefused {
            key: "rules[1].components".into(),
            value: "SOC".into(),
            reason: "Component name 'SOC' is not valid".into(),
            offers: vec!["Identity".into(), "Email".into()],
            found_by: "create",
        };
        assert_eq!(
            human(&refused),
            "jira refused the config: rules[1].components = \"SOC\": Component name 'SOC' is not valid \
             (Jira offers: Identity, Email); no ticket is created until it is fixed (the alerts wait, and are \
             ticketed by the first run after the fix)"
        );
        assert_eq!(serde_json::to_value(&refused).unwrap()["event"], "jira_config_refused");
        let degraded = Event::TicketDegraded {
            tenant: "contoso".into(),
            alert_id: "a1".into(),
            severity: "high".into(),
            title: "Mass download".into(),
            key: "SEC-7".into(),
            left_out: vec!["Affected user".into()],
            reason: "Affected user: User 'mallory' does not exist.".into(),
        };
        assert!(
            human(&degraded).ends_with(
                "-> SEC-7 created without Affected user: Affected user: User 'mallory' does not exist. (alert a1)"
            ),
            "{}",
            human(&degraded)
        );
        let stuck = Event::Stuck {
            tenant: "contoso".into(),
            alert_id: "a2".into(),
            severity: None,
            title: None,
            attempts: 12,
            since: "2026-11-30T08:00:00Z".into(),
            last_error: "jira down\nfor hours".into(),
        };
        assert!(
            human(&stuck)
                .ends_with("-> stuck: failed 12 times since 2026-11-30T08:00:00Z; last: jira down for hours")
        );
    }

    #[test]
    fn human_lines_are_one_line() {
        let e = Event::Failed {
            tenant: "t".into(),
            alert_id: None,
            severity: None,
            title: Some("multi\nline\ttitle".into()),
            reason: "x\ny".into(),
        };
        let line = human(&e);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("multi line title"));
    }

    #[test]
    fn human_lines_name_the_alert_and_the_ticket() {
        let e = Event::TicketCreated {
            tenant: "contoso".into(),
            alert_id: "5f0c1a2b3c4d5e6f7a8b9c0d".into(),
            severity: "high".into(),
            title: "Impossible travel".into(),
            key: "SEC-12".into(),
        };
        assert_eq!(
            human(&e),
            "contoso      high          Impossible travel  -> SEC-12 created (alert 5f0c1a2b3c4d5e6f7a8b9c0d)"
        );
    }
}
