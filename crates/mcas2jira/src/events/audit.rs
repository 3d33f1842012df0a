//! The audit trail of `watch`: one log line per alert handled (ticket created, found, skipped,
//! failed), with the tenant, the alert id and the ticket key as fields, at the default log level.
//! In `--log-format json` each is one JSON object whose fields a collector can index.
//!
//! The lines go to the log target `mcas2jira::audit`, so that `RUST_LOG` can single them out
//! (`RUST_LOG=warn,mcas2jira::audit=info`).

use super::{Event, EventSink, one_line};

/// Logs every event as an audit line (see the module documentation).
#[derive(Debug, Default)]
pub struct AuditLog;

impl EventSink for AuditLog {
    fn emit(&self, event: Event) {
        match &event {
            Event::TicketCreated { tenant, alert_id, severity, title, key } => tracing::info!(
                target: "mcas2jira::audit",
                tenant = %tenant, alert_id = %alert_id, key = %key, severity = %severity, title = %one_line(title, 120),
                "ticket created"
            ),
            Event::TicketDegraded { tenant, alert_id, severity, title, key, left_out, reason } => {
                tracing::warn!(
                    target: "mcas2jira::audit",
                    tenant = %tenant, alert_id = %alert_id, key = %key, severity = %severity, title = %one_line(title, 120),
                    left_out = %left_out.join(", "), reason = %one_line(reason, 300),
                    "ticket created without fields Jira refused for this alert"
                )
            }
            Event::LateAlert { tenant, alert_id, severity, title, alert_time } => tracing::warn!(
                target: "mcas2jira::audit",
                tenant = %tenant, alert_id = %alert_id, severity = %severity, title = %one_line(title, 120),
                alert_time = %alert_time,
                "late alert found by the reconcile sweep (behind the overlap window): ticketing it"
            ),
            Event::Stuck { tenant, alert_id, attempts, since, last_error, .. } => tracing::error!(
                target: "mcas2jira::audit",
                tenant = %tenant, alert_id = %alert_id, attempts = attempts, since = %since,
                last_error = %one_line(last_error, 300),
                "alert stuck: its ticket has failed on every pass (retried again on the next)"
            ),
            Event::JiraConfigRefused { key, value, reason, offers, found_by } => tracing::error!(
                target: "mcas2jira::audit",
                key = %key, value = %one_line(value, 200), reason = %one_line(reason, 300),
                offers = %one_line(&offers.join(", "), 300), found_by = found_by,
                "jira refuses the config: no ticket is created until it is fixed (the alerts wait)"
            ),
            Event::AlreadyTicketed { tenant, alert_id, severity, title, key } => tracing::info!(
                target: "mcas2jira::audit",
                tenant = %tenant, alert_id = %alert_id, key = %key, severity = %severity, title = %one_line(title, 120),
                "ticket found (created before, found by its label)"
            ),
            Event::WouldCreate { tenant, alert_id, severity, title, .. } => tracing::info!(
                target: "mcas2jira::audit",
                tenant = %tenant, alert_id = %alert_id, severity = %severity, title = %one_line(title, 120),
                "ticket would be created (dry run)"
            ),
            Event::Skipped { tenant, alert_id, severity, title, rule } => tracing::info!(
                target: "mcas2jira::audit",
                tenant = %tenant, alert_id = %alert_id, rule = rule, severity = %severity, title = %one_line(title, 120),
                "alert skipped by a rule"
            ),
            Event::Failed { tenant, alert_id, reason, .. } => tracing::warn!(
                target: "mcas2jira::audit",
                tenant = %tenant, alert_id = alert_id.as_deref().unwrap_or("?"), reason = %one_line(reason, 300),
                "ticket failed (retried on the next pass)"
            ),
            Event::TenantFailed { tenant, reason } => tracing::warn!(
                target: "mcas2jira::audit",
                tenant = %tenant, reason = %one_line(reason, 300),
                "tenant failed (read again on the next pass)"
            ),
            Event::TenantSummary(s) => {
                // A pass that did nothing is routine: shown with -v only.
                let eventful =
                    s.created + s.already_ticketed + s.skipped + s.failed + s.would_create + s.held + s.late
                        > 0
                        || s.tenant_failed
                        || s.interrupted;
                if eventful {
                    tracing::info!(
                        target: "mcas2jira::audit",
                        tenant = %s.tenant, seen = s.seen, created = s.created, found = s.already_ticketed,
                        skipped = s.skipped, failed = s.failed, degraded = s.degraded, late = s.late,
                        held = s.held, pending = s.pending, stuck = s.stuck, interrupted = s.interrupted,
                        "tenant pass done"
                    );
                } else {
                    tracing::debug!(target: "mcas2jira::audit", tenant = %s.tenant, seen = s.seen, "tenant pass done");
                }
            }
        }
    }
}
