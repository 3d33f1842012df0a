//! The clients' side of the metrics: an [`Observer`] per service that counts its requests,
//! latencies, waits and (for AbuseIPDB) the quota its answers announce.

use std::sync::Arc;
use std::time::Duration;

use http_support::{Attempt, Idempotency, Observer, Outcome, Wait};

use super::{Recorder, RequestLabels, ServiceLabel, WaitLabels};

/// Counts the requests of one service into a [`Recorder`].
#[derive(Debug)]
pub struct RequestMetrics {
    service: &'static str,
    recorder: Arc<Recorder>,
}

impl RequestMetrics {
    pub(super) fn new(service: &'static str, recorder: Arc<Recorder>) -> Self {
        Self { service, recorder }
    }
}

impl Observer for RequestMetrics {
    fn ended(&self, attempt: &Attempt<'_>) {
        let status = match attempt.outcome() {
            Outcome::Answered(status, _) => status.as_str().to_owned(),
            Outcome::Abandoned => "abandoned".to_owned(),
            _ => "error".to_owned(),
        };
        let recorder = &self.recorder;
        recorder.requests.get_or_create(&RequestLabels { service: self.service, status }).inc();
        if !matches!(attempt.outcome(), Outcome::Abandoned) {
            recorder
                .request_duration
                .get_or_create(&ServiceLabel { service: self.service })
                .observe(attempt.elapsed().as_secs_f64());
        }
        // AbuseIPDB says on every answer how many checks are left today.
        if self.service == "abuseipdb"
            && let Some(left) = attempt
                .headers()
                .and_then(|h| h.get("x-ratelimit-remaining"))
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
        {
            recorder.quota_remaining.get_or_create(&Vec::new()).set(left);
        }
    }

    fn waited(&self, reason: Wait, waited: Duration) {
        self.recorder
            .waits
            .get_or_create(&WaitLabels { service: self.service, reason: reason.as_str() })
            .inc_by(waited.as_secs_f64());
    }
}

/// Tells several observers (the metrics, and the shutdown's count of Jira requests in flight).
pub struct Fanout(pub Vec<Arc<dyn Observer>>);

impl Observer for Fanout {
    fn started(&self, idempotency: Idempotency) {
        self.0.iter().for_each(|o| o.started(idempotency));
    }

    fn ended(&self, attempt: &Attempt<'_>) {
        self.0.iter().for_each(|o| o.ended(attempt));
    }

    fn waited(&self, reason: Wait, waited: Duration) {
        self.0.iter().for_each(|o| o.waited(reason, waited));
    }
}
