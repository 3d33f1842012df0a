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
                let eventful = s.created + s.already_ticketed + s.skipped + s.failed + s.would_create > 0
                    || s.tenant_failed
                    || s.interrupted;
                if eventful {
                    tracing::info!(
                        target: "mcas2jira::audit",
                        tenant = %s.tenant, seen = s.seen, created = s.created, found = s.already_ticketed,
                        skipped = s.skipped, failed = s.failed, interrupted = s.interrupted,
                        "tenant pass done"
                    );
                } else {
                    tracing::debug!(target: "mcas2jira::audit", tenant = %s.tenant, seen = s.seen, "tenant pass done");
                }
            }
        }
    }
}
