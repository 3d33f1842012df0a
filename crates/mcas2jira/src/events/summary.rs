//! The figures of a pass, as one line or one `pass_summary` JSON object: printed by `run` at its
//! end, and by `watch` once an interval for the tenant passes that ended in it.

use std::time::Duration;

use serde::Serialize;

use super::TenantSummary;
use crate::config::format_duration;

/// The one JSON object that ends a `run --json`, and that `watch --json` prints every interval.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PassSummary {
    /// Always `"pass_summary"`.
    pub event: &'static str,
    /// The pass number, from 1 (`watch`: the interval's number).
    pub pass: u64,
    /// Whether the pass ran (`false`: `watch` could not connect the services; see `error`).
    pub ok: bool,
    /// Alerts read from MCAS.
    pub seen: u64,
    /// Tickets created.
    pub created: u64,
    /// Alerts found already ticketed in Jira.
    pub already_ticketed: u64,
    /// Alerts skipped by a rule.
    pub skipped: u64,
    /// Alerts that could not be ticketed (retried next pass).
    pub failed: u64,
    /// Tickets created without a field Jira refused for their alert (counted in `created`).
    /// Present only when not 0, as are the four below.
    #[serde(skip_serializing_if = "is_zero")]
    pub degraded: u64,
    /// Alerts the reconcile sweep found without a ticket: they reached MCAS late.
    #[serde(skip_serializing_if = "is_zero")]
    pub late: u64,
    /// Alerts held back, not attempted, while Jira refuses the config.
    #[serde(skip_serializing_if = "is_zero")]
    pub held: u64,
    /// Alerts awaiting a retry at the end of the tenant passes counted here.
    #[serde(skip_serializing_if = "is_zero")]
    pub pending: u64,
    /// Of those, alerts that failed `[pipeline] stuck_after` times or more.
    #[serde(skip_serializing_if = "is_zero")]
    pub stuck: u64,
    /// Tenants that could not be read.
    pub tenants_failed: u64,
    /// Tenant passes counted here: every tenant's for `run`; for `watch`, those that ended in the
    /// interval.
    pub tenant_passes: u64,
    /// `--dry-run`: tickets that would have been created. Present only when not 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub would_create: u64,
    /// Seconds the pass took (`watch`: the interval's length).
    pub elapsed_secs: f64,
    /// `watch`: seconds until the next summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_in_secs: Option<f64>,
    /// The signal that stopped the pass before it was done, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<String>,
    /// Why the pass did not run, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl PassSummary {
    /// An empty summary of pass number `pass`.
    pub fn new(pass: u64) -> Self {
        Self {
            event: "pass_summary",
            pass,
            ok: true,
            seen: 0,
            created: 0,
            already_ticketed: 0,
            skipped: 0,
            failed: 0,
            degraded: 0,
            late: 0,
            held: 0,
            pending: 0,
            stuck: 0,
            tenants_failed: 0,
            tenant_passes: 0,
            would_create: 0,
            elapsed_secs: 0.0,
            next_in_secs: None,
            stopped_by: None,
            error: None,
        }
    }

    /// The summary of the tenant passes of `tenants`, which took `elapsed`.
    pub fn of<'a>(
        pass: u64,
        tenants: impl IntoIterator<Item = &'a TenantSummary>,
        elapsed: Duration,
    ) -> Self {
        let mut summary = Self::new(pass);
        for tenant in tenants {
            summary.add(tenant);
        }
        summary.elapsed_secs = elapsed.as_secs_f64();
        summary
    }

    /// A pass that did not run, and why.
    pub fn did_not_run(pass: u64, elapsed: Duration, error: &anyhow::Error) -> Self {
        Self {
            ok: false,
            elapsed_secs: elapsed.as_secs_f64(),
            error: Some(format!("{error:#}")),
            ..Self::new(pass)
        }
    }

    /// Adds one tenant's pass.
    pub fn add(&mut self, tenant: &TenantSummary) {
        self.seen += tenant.seen;
        self.created += tenant.created;
        self.already_ticketed += tenant.already_ticketed;
        self.skipped += tenant.skipped;
        self.failed += tenant.failed;
        self.degraded += tenant.degraded;
        self.late += tenant.late;
        self.held += tenant.held;
        self.pending += tenant.pending;
        self.stuck += tenant.stuck;
        self.would_create += tenant.would_create;
        self.tenants_failed += u64::from(tenant.tenant_failed);
        self.tenant_passes += 1;
    }

    /// Whether something failed: an alert, a tenant, or the pass itself. It is what makes `run`
    /// exit with status 3.
    pub fn has_failures(&self) -> bool {
        !self.ok || self.failed > 0 || self.tenants_failed > 0 || self.stuck > 0
    }

    /// The figures on one line: `3 created, 0 already ticketed, 0 skipped, 1 failed of 14 seen, 1
    /// tenant failed` (`would be created` instead of `created` for a dry run).
    pub fn figures(&self, dry_run: bool) -> String {
        let created = match (dry_run, self.degraded) {
            (true, _) => format!("{} would be created", self.would_create),
            (false, 0) => format!("{} created", self.created),
            (false, n) => format!("{} created ({n} without a field Jira refused)", self.created),
        };
        let mut extra = String::new();
        for (n, what) in [(self.late, "late"), (self.held, "held while Jira refuses the config")] {
            if n > 0 {
                extra.push_str(&format!(", {n} {what}"));
            }
        }
        let mut tail = match self.tenants_failed {
            0 => String::new(),
            1 => ", 1 tenant failed".to_owned(),
            n => format!(", {n} tenants failed"),
        };
        if self.pending > 0 {
            tail.push_str(&format!(", {} awaiting a retry", self.pending));
            if self.stuck > 0 {
                tail.push_str(&format!(" ({} stuck)", self.stuck));
            }
        }
        format!(
            "{created}, {} already ticketed, {} skipped{extra}, {} failed of {} seen{tail}",
            self.already_ticketed, self.skipped, self.failed, self.seen
        )
    }

    /// `watch`'s line: `pass 3: 2 created, ... of 14 seen in 3 tenant passes; next in 5m`.
    pub fn watch_line(&self) -> String {
        let mut tail = String::new();
        if let Some(signal) = &self.stopped_by {
            tail.push_str(&format!("; stopped by {signal}"));
        }
        if let Some(secs) = self.next_in_secs {
            let next = Duration::from_secs(secs.max(0.0).round() as u64);
            tail.push_str(&format!("; next in {}", format_duration(next)));
        }
        match &self.error {
            Some(error) => format!("pass {}: did not run: {error}{tail}", self.pass),
            None => {
                let passes = match self.tenant_passes {
                    1 => "1 tenant pass".to_owned(),
                    n => format!("{n} tenant passes"),
                };
                format!("pass {}: {} in {passes}{tail}", self.pass, self.figures(false))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_is_one_line_and_one_json_object() {
        let tenants = [
            TenantSummary {
                tenant: "a".into(),
                seen: 5,
                created: 3,
                skipped: 1,
                failed: 1,
                ..Default::default()
            },
            TenantSummary { tenant: "b".into(), tenant_failed: true, ..Default::default() },
        ];
        let mut summary = PassSummary::of(2, &tenants, Duration::from_millis(1500));
        assert!(summary.has_failures());
        summary.next_in_secs = Some(299.6);
        assert_eq!(
            summary.watch_line(),
            "pass 2: 3 created, 0 already ticketed, 1 skipped, 1 failed of 5 seen, 1 tenant failed in 2 tenant passes; next in 5m"
        );
        let value = serde_json::to_value(&summary).unwrap();
        assert_eq!(value["event"], "pass_summary");
        assert_eq!(value["created"], 3);
        assert_eq!(value["tenants_failed"], 1);
        assert_eq!(value["tenant_passes"], 2);
        assert!(value.get("error").is_none());
        assert!(value.get("would_create").is_none());

        let failed = PassSummary::did_not_run(3, Duration::ZERO, &anyhow::anyhow!("jira: down"));
        assert!(
            failed.watch_line().starts_with("pass 3: did not run: jira: down"),
            "{}",
            failed.watch_line()
        );
        assert_eq!(serde_json::to_value(&failed).unwrap()["ok"], false);
        assert!(failed.has_failures());
    }

    #[test]
    fn a_failed_tenant_alone_is_a_failure() {
        let tenants = [TenantSummary { tenant: "b".into(), tenant_failed: true, ..Default::default() }];
        let summary = PassSummary::of(1, &tenants, Duration::ZERO);
        assert!(summary.has_failures());
        assert_eq!(
            summary.figures(false),
            "0 created, 0 already ticketed, 0 skipped, 0 failed of 0 seen, 1 tenant failed"
        );
    }
}
