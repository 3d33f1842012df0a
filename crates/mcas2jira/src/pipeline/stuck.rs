//! After a tenant's pass: how many of its alerts await a retry, and which of them are stuck
//! (failed `[pipeline] stuck_after` times or more), reported on every pass until ticketed.

use std::sync::Arc;

use super::TenantRun;
use crate::events::Event;

impl TenantRun<'_> {
    /// Counts the tenant's pending alerts into its summary and reports the stuck ones. A state
    /// store that cannot be read here costs only these figures: it is logged.
    pub(super) async fn report_pending(&mut self) {
        let store = Arc::clone(&self.services.store);
        let tenant = self.tenant.name.clone();
        let pending = match tokio::task::spawn_blocking(move || store.pending(Some(&tenant))).await {
            Ok(Ok(pending)) => pending,
            Ok(Err(error)) => {
                tracing::warn!(tenant = %self.tenant.name, "cannot count the alerts awaiting a retry: {}", crate::chain(&error));
                return;
            }
            Err(error) => {
                tracing::warn!(tenant = %self.tenant.name, "cannot count the alerts awaiting a retry: {error}");
                return;
            }
        };
        let stuck_after = self.services.config.pipeline.stuck_after;
        self.summary.pending = pending.len() as u64;
        for alert in pending.into_iter().filter(|p| p.attempts >= stuck_after) {
            self.summary.stuck += 1;
            tracing::warn!(
                tenant = %self.tenant.name,
                alert = %alert.alert_id,
                attempts = alert.attempts,
                "stuck: the alert's ticket failed {} times; last: {}",
                alert.attempts,
                alert.last_error
            );
            self.sink.emit(Event::Stuck {
                tenant: self.tenant.name.clone(),
                alert_id: alert.alert_id,
                severity: alert.severity,
                title: alert.title,
                attempts: alert.attempts,
                since: alert.first_seen.to_string(),
                last_error: alert.last_error,
            });
        }
    }
}
