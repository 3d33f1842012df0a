//! What `watch` counts and serves (`--metrics-addr`): `/metrics` in the Prometheus text format and
//! `/healthz`.
//!
//! One [`Recorder`] per process holds every figure. The scheduler hands it each tenant pass's
//! summary ([`Recorder::tenant_pass`]); the clients tell it of their requests through the
//! observers it makes ([`Recorder::observer`]); the listener (`serve.rs`) reads it. Nothing else
//! writes metrics, so the pipeline stays free of them and testable as it is.
//!
//! The metrics, all prefixed `mcas2jira_`:
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `tenant_passes_total` | tenant, outcome (`ok`, `failed`, `interrupted`) | tenant passes ended |
//! | `alerts_seen_total` | tenant | alerts read from the source |
//! | `tickets_created_total` | tenant | tickets created |
//! | `tickets_found_total` | tenant | alerts found already ticketed in Jira, by label |
//! | `alerts_skipped_total` | tenant | alerts a rule chose not to ticket |
//! | `alerts_failed_total` | tenant | alerts that could not be ticketed (retried) |
//! | `tickets_degraded_total` | tenant | tickets created without a field Jira refused for their alert |
//! | `alerts_late_total` | tenant | alerts the reconcile sweep found late (behind the overlap) |
//! | `alerts_held_total` | tenant | alerts held back, not attempted, while Jira refused the config |
//! | `alerts_pending` | tenant | alerts awaiting a retry, after the tenant's last pass |
//! | `alerts_stuck` | tenant | of those, alerts that failed `[pipeline] stuck_after` times or more |
//! | `tenant_last_success_timestamp_seconds` | tenant | end of the tenant's last successful pass |
//! | `tenant_pass_duration_seconds` | | how long tenant passes take (histogram) |
//! | `requests_total` | service, status (`200`..., `error`, `abandoned`) | HTTP attempts |
//! | `request_duration_seconds` | service | attempt to answer (histogram) |
//! | `wait_seconds_total` | service, reason (`pacing`, `throttled`, `backoff`) | time waited before requests |
//! | `abuseipdb_quota_remaining` | | AbuseIPDB checks left today, as its last answer said |
//! | `build_info` | version | 1 |
//!
//! A tenant pass is successful when its tenant could be read and no alert of it failed, was held
//! for a config Jira refuses, or is stuck.

mod observe;
mod serve;

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;
use tokio::time::Instant;

pub use observe::{Fanout, RequestMetrics};
pub use serve::{Listener, listen};

use crate::events::TenantSummary;

/// The labels of a per-tenant figure.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TenantLabel {
    tenant: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PassLabels {
    tenant: String,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    service: &'static str,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabel {
    service: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WaitLabels {
    service: &'static str,
    reason: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabel {
    version: &'static str,
}

type PerTenant = Family<TenantLabel, Counter>;

/// Every figure of a `watch`, and what `/healthz` answers; see the module documentation.
pub struct Recorder {
    registry: Registry,
    passes: Family<PassLabels, Counter>,
    seen: PerTenant,
    created: PerTenant,
    found: PerTenant,
    skipped: PerTenant,
    failed: PerTenant,
    degraded: PerTenant,
    late: PerTenant,
    held: PerTenant,
    pending: Family<TenantLabel, Gauge>,
    stuck: Family<TenantLabel, Gauge>,
    last_success: Family<TenantLabel, Gauge<f64, AtomicU64>>,
    pass_duration: Histogram,
    requests: Family<RequestLabels, Counter>,
    request_duration: Family<ServiceLabel, Histogram>,
    waits: Family<WaitLabels, Counter<f64, AtomicU64>>,
    /// A family without labels, so that the gauge appears only once AbuseIPDB has said how many
    /// checks are left: a 0 before that would read as a spent quota.
    quota_remaining: Family<Vec<(String, String)>, Gauge>,
    health: Mutex<Health>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder for these tenants, whose `/healthz` fails when one of them has had no
    /// successful pass for `healthy_within` (counted from now for a tenant yet to have one).
    pub fn new(tenants: &[String], healthy_within: Duration) -> Self {
        let mut registry = Registry::with_prefix("mcas2jira");
        let passes = Family::<PassLabels, Counter>::default();
        registry.register("tenant_passes", "Tenant passes ended, by outcome", passes.clone());
        let per_tenant = |registry: &mut Registry, name: &str, help: &str| {
            let family = PerTenant::default();
            registry.register(name, help, family.clone());
            family
        };
        let seen = per_tenant(&mut registry, "alerts_seen", "Alerts read from the tenant's source");
        let created = per_tenant(&mut registry, "tickets_created", "Tickets created");
        let found = per_tenant(
            &mut registry,
            "tickets_found",
            "Alerts found already ticketed in Jira by their label",
        );
        let skipped = per_tenant(&mut registry, "alerts_skipped", "Alerts a rule chose not to ticket");
        let failed = per_tenant(
            &mut registry,
            "alerts_failed",
            "Alerts that could not be ticketed (retried on a later pass)",
        );
        let degraded = per_tenant(
            &mut registry,
            "tickets_degraded",
            "Tickets created without a field Jira refused for their alert",
        );
        let late = per_tenant(
            &mut registry,
            "alerts_late",
            "Alerts the reconcile sweep found late, behind the overlap window",
        );
        let held = per_tenant(
            &mut registry,
            "alerts_held",
            "Alerts held back, not attempted, while Jira refused the config",
        );
        let stuck = Family::<TenantLabel, Gauge>::default();
        registry.register(
            "alerts_stuck",
            "Alerts that failed [pipeline] stuck_after times or more, after the tenant's last pass",
            stuck.clone(),
        );
        let pending = Family::<TenantLabel, Gauge>::default();
        registry.register(
            "alerts_pending",
            "Alerts awaiting a retry after the tenant's last pass",
            pending.clone(),
        );
        let last_success = Family::<TenantLabel, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "tenant_last_success_timestamp_seconds",
            "When the tenant's last successful pass ended (Unix time)",
            last_success.clone(),
        );
        let pass_duration = Histogram::new(exponential_buckets(0.1, 2.0, 12));
        registry.register(
            "tenant_pass_duration_seconds",
            "How long tenant passes take",
            pass_duration.clone(),
        );
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "HTTP attempts by service and status (error: no answer)",
            requests.clone(),
        );
        let request_duration = Family::<ServiceLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.025, 2.0, 12))
        });
        registry.register(
            "request_duration_seconds",
            "From sending an HTTP attempt to its answer",
            request_duration.clone(),
        );
        let waits = Family::<WaitLabels, Counter<f64, AtomicU64>>::default();
        registry.register(
            "wait_seconds",
            "Time waited before requests: pacing, throttling by the service, backoff after a failure",
            waits.clone(),
        );
        let quota_remaining = Family::<Vec<(String, String)>, Gauge>::default();
        registry.register(
            "abuseipdb_quota_remaining",
            "AbuseIPDB checks left today, as its last answer said",
            quota_remaining.clone(),
        );
        registry.register(
            "build",
            "The version of mcas2jira",
            Info::new(VersionLabel { version: env!("CARGO_PKG_VERSION") }),
        );
        let started = Instant::now();
        let health = Health {
            healthy_within,
            started,
            tenants: tenants.iter().map(|name| (name.clone(), None)).collect(),
        };
        Self {
            registry,
            passes,
            seen,
            created,
            found,
            skipped,
            failed,
            degraded,
            late,
            held,
            pending,
            stuck,
            last_success,
            pass_duration,
            requests,
            request_duration,
            waits,
            quota_remaining,
            health: Mutex::new(health),
        }
    }

    /// Counts a tenant pass that ended (or was stopped) after `elapsed`.
    pub fn tenant_pass(&self, summary: &TenantSummary, elapsed: Duration) {
        let tenant = TenantLabel { tenant: summary.tenant.clone() };
        let outcome = pass_outcome(summary);
        self.passes.get_or_create(&PassLabels { tenant: summary.tenant.clone(), outcome }).inc();
        for (family, n) in [
            (&self.seen, summary.seen),
            (&self.created, summary.created),
            (&self.found, summary.already_ticketed),
            (&self.skipped, summary.skipped),
            (&self.failed, summary.failed),
            (&self.degraded, summary.degraded),
            (&self.late, summary.late),
            (&self.held, summary.held),
        ] {
            // Created even at 0, so that every tenant's series exists from its first pass.
            family.get_or_create(&tenant).inc_by(n);
        }
        // A pass stopped half-way has not counted them.
        if !summary.interrupted {
            self.pending.get_or_create(&tenant).set(i64::try_from(summary.pending).unwrap_or(i64::MAX));
            self.stuck.get_or_create(&tenant).set(i64::try_from(summary.stuck).unwrap_or(i64::MAX));
        }
        self.pass_duration.observe(elapsed.as_secs_f64());
        if outcome == "ok" {
            let now = jiff::Timestamp::now().as_millisecond() as f64 / 1000.0;
            self.last_success.get_or_create(&tenant).set(now);
            let mut health = self.health.lock().unwrap_or_else(PoisonError::into_inner);
            health.tenants.insert(summary.tenant.clone(), Some(Instant::now()));
        }
    }

    /// The observer to give the clients of `service` (`mcas`, `jira`, `abuseipdb`).
    pub fn observer(self: &Arc<Self>, service: &'static str) -> Arc<RequestMetrics> {
        Arc::new(RequestMetrics::new(service, Arc::clone(self)))
    }

    /// Everything, in the Prometheus text format (version 0.0.4).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail; an encoder error would be a bug in the crate.
        if let Err(e) = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry) {
            tracing::error!("cannot encode the metrics: {e}");
        }
        text
    }

    /// Whether the service is healthy, and the JSON body that says why.
    pub fn health(&self) -> (bool, String) {
        self.health.lock().unwrap_or_else(PoisonError::into_inner).check(Instant::now())
    }
}

/// `ok`, `failed` or `interrupted`.
fn pass_outcome(summary: &TenantSummary) -> &'static str {
    if summary.interrupted {
        "interrupted"
    } else if summary.tenant_failed || summary.failed > 0 || summary.held > 0 || summary.stuck > 0 {
        // Held alerts wait for a config Jira refuses: not a success, though none failed.
        "failed"
    } else {
        "ok"
    }
}

/// What `/healthz` knows: when each tenant last had a successful pass.
#[derive(Debug)]
struct Health {
    healthy_within: Duration,
    started: Instant,
    tenants: BTreeMap<String, Option<Instant>>,
}

impl Health {
    fn check(&self, now: Instant) -> (bool, String) {
        let limit = self.healthy_within;
        let stale: Vec<serde_json::Value> = self
            .tenants
            .iter()
            .filter_map(|(tenant, last)| {
                let since = now.saturating_duration_since(last.unwrap_or(self.started));
                (since > limit).then(|| {
                    serde_json::json!({
                        "tenant": tenant,
                        "seconds_since_success": last.map(|_| since.as_secs()),
                    })
                })
            })
            .collect();
        let healthy = stale.is_empty();
        let body = serde_json::json!({
            "status": if healthy { "ok" } else { "unhealthy" },
            "healthy_within_secs": limit.as_secs(),
            "tenants": self.tenants.len(),
            "stale": stale,
        });
        (healthy, body.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(tenant: &str, created: u64, failed: u64) -> TenantSummary {
        TenantSummary {
            tenant: tenant.into(),
            seen: created + failed,
            created,
            failed,
            ..TenantSummary::default()
        }
    }

    #[test]
    fn passes_are_counted_by_tenant_and_outcome() {
        let recorder = Recorder::new(&["a".into(), "b".into()], Duration::from_secs(60));
        recorder.tenant_pass(&summary("a", 2, 0), Duration::from_millis(300));
        // Its failed alert awaits a retry: the pass counted it.
        recorder.tenant_pass(&TenantSummary { pending: 1, ..summary("b", 0, 1) }, Duration::from_millis(300));
        let text = recorder.encode();
        for line in [
            "mcas2jira_tenant_passes_total{tenant=\"a\",outcome=\"ok\"} 1",
            "mcas2jira_tenant_passes_total{tenant=\"b\",outcome=\"failed\"} 1",
            "mcas2jira_tickets_created_total{tenant=\"a\"} 2",
            "mcas2jira_alerts_failed_total{tenant=\"b\"} 1",
            "mcas2jira_alerts_pending{tenant=\"b\"} 1",
            "mcas2jira_tenant_pass_duration_seconds_count 2",
            "mcas2jira_build_info{version=\"",
        ] {
            assert!(text.contains(line), "no {line:?} in\n{text}");
        }
        assert!(text.contains("mcas2jira_tenant_last_success_timestamp_seconds{tenant=\"a\"}"), "{text}");
        assert!(!text.contains("mcas2jira_tenant_last_success_timestamp_seconds{tenant=\"b\"}"), "{text}");
        // No quota before AbuseIPDB has told it.
        assert!(!text.contains("mcas2jira_abuseipdb_quota_remaining "), "{text}");
    }

    #[tokio::test]
    async fn health_fails_for_a_tenant_without_a_success_for_too_long() {
        let recorder = Recorder::new(&["a".into(), "b".into()], Duration::from_secs(60));
        assert!(recorder.health().0, "healthy at the start");
        recorder.tenant_pass(&summary("a", 1, 0), Duration::ZERO);
        let later = Instant::now() + Duration::from_secs(61);
        let (healthy, body) = recorder.health.lock().unwrap().check(later);
        assert!(!healthy, "{body}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["status"], "unhealthy");
        assert_eq!(body["stale"].as_array().unwrap().len(), 2, "{body}");
        assert_eq!(body["stale"][0]["seconds_since_success"], 61, "{body}");
        assert_eq!(body["stale"][1]["seconds_since_success"], serde_json::Value::Null, "b never succeeded");
        // A failed pass is no success.
        recorder.tenant_pass(&summary("b", 0, 1), Duration::ZERO);
        assert!(!recorder.health.lock().unwrap().check(later).0);
        recorder.tenant_pass(&summary("b", 0, 0), Duration::ZERO);
        let (healthy, body) = recorder.health.lock().unwrap().check(later);
        assert!(!healthy, "a is still stale: {body}");
        recorder.tenant_pass(&summary("a", 0, 0), Duration::ZERO);
        assert!(recorder.health().0);
    }
}
