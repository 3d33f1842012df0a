//! Stopping on SIGTERM or SIGINT within seconds, whatever the remote services do, and without
//! losing or repeating anything.
//!
//! One [`Shutdown`] is made per process and handed to every tenant task. A signal sets it in two
//! steps:
//!
//! 1. **requested**, at once: the signal is acknowledged in the log, and the tenant passes start
//!    nothing new (no new page, no new tenant pass, no new interval);
//! 2. **abandoned**, a moment later: whatever is still under way is dropped, pacing waits,
//!    retry sleeps and `Retry-After` waits included. Before that, a request to Jira that may
//!    create something (a create, a comment) and is already sent gets up to [`GRACE`] to be
//!    answered and recorded; with none in flight, the drop comes after [`SETTLE`], the time a
//!    ticket just answered takes to be written to the state store.
//!
//! Dropping is safe by design: the checkpoint moves only with a page's recorded outcome, so an
//! abandoned page is read again by the next pass, and an abandoned create, if Jira made the
//! ticket, is found by its label before anything is created again. State writes already started
//! run on the blocking pool and finish before the process exits (the runtime waits for them).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use http_support::{Attempt, Idempotency, Observer};

/// The longest a request already sent to Jira is waited for once a signal came.
pub const GRACE: Duration = Duration::from_secs(3);

/// How long nothing may be in flight before what is left is dropped: enough for an answer just
/// received to become a state write.
pub const SETTLE: Duration = Duration::from_millis(250);

/// How often the grace period looks at what is in flight.
const TICK: Duration = Duration::from_millis(25);

/// The stop signal of a process, cheap to clone; see the module documentation.
#[derive(Debug, Clone)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// `Some(why)` once a stop was requested.
    requested: watch::Sender<Option<&'static str>>,
    /// Set when the grace is over: everything still under way is to be dropped.
    abandoned: watch::Sender<bool>,
    in_flight: Arc<InFlight>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A shutdown not yet requested.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                requested: watch::channel(None).0,
                abandoned: watch::channel(false).0,
                in_flight: Arc::new(InFlight::default()),
            }),
        }
    }

    /// Requests the stop on the first SIGTERM or SIGINT, and acknowledges it in the log at once.
    /// A second signal changes nothing: the stop is already as quick as it can safely be.
    ///
    /// # Errors
    ///
    /// When the signal handlers cannot be installed.
    pub fn on_signals(&self) -> std::io::Result<()> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let this = self.clone();
        tokio::spawn(async move {
            let name = tokio::select! {
                _ = interrupt.recv() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            };
            tracing::warn!(
                "{name} received: stopping (starting nothing new; a Jira request already sent gets up to {}s)",
                GRACE.as_secs()
            );
            this.request(name);
        });
        Ok(())
    }

    /// Requests the stop (`why` names the cause, e.g. `SIGTERM`), and starts the grace period.
    pub fn request(&self, why: &'static str) {
        let first = self.inner.requested.send_if_modified(|state| {
            let first = state.is_none();
            if first {
                *state = Some(why);
            }
            first
        });
        if first {
            let this = self.clone();
            tokio::spawn(async move { this.grace().await });
        }
    }

    /// Why the stop was requested, once it was.
    pub fn requested_by(&self) -> Option<&'static str> {
        *self.inner.requested.borrow()
    }

    /// Whether the stop was requested: start nothing new.
    pub fn is_requested(&self) -> bool {
        self.requested_by().is_some()
    }

    /// Resolves when the stop is requested (at once if it was).
    pub async fn requested(&self) {
        let mut receiver = self.inner.requested.subscribe();
        let _ = receiver.wait_for(Option::is_some).await;
    }

    /// Resolves when the grace is over: drop what is still under way.
    pub async fn abandoned(&self) {
        let mut receiver = self.inner.abandoned.subscribe();
        let _ = receiver.wait_for(|abandoned| *abandoned).await;
    }

    /// Whether the grace is over.
    pub fn is_abandoned(&self) -> bool {
        *self.inner.abandoned.borrow()
    }

    /// What counts the requests in flight that the grace waits for: give it to the Jira client
    /// (it is an [`Observer`]).
    pub fn in_flight(&self) -> Arc<InFlight> {
        Arc::clone(&self.inner.in_flight)
    }

    /// Waits while a request that may create something is in flight, at most [`GRACE`], then
    /// abandons the rest.
    async fn grace(&self) {
        let started = Instant::now();
        let in_flight = &self.inner.in_flight;
        while started.elapsed() < GRACE {
            if in_flight.creating() == 0 && in_flight.quiet_for() >= SETTLE {
                break;
            }
            tokio::time::sleep(TICK).await;
        }
        if in_flight.creating() > 0 {
            tracing::warn!(
                "{} Jira request(s) still unanswered after {}s: dropped (the next pass finds any ticket they made by its label)",
                in_flight.creating(),
                GRACE.as_secs()
            );
        }
        self.inner.abandoned.send_replace(true);
    }
}

/// Counts the requests in flight that may change something in Jira (creates, comments,
/// transitions: the ones that are not idempotent), and when the last one ended.
#[derive(Debug)]
pub struct InFlight {
    creating: AtomicI64,
    /// Milliseconds since `epoch` when the last such request ended.
    last_ended: AtomicU64,
    epoch: Instant,
}

impl Default for InFlight {
    fn default() -> Self {
        Self { creating: AtomicI64::new(0), last_ended: AtomicU64::new(0), epoch: Instant::now() }
    }
}

impl InFlight {
    /// Requests in flight that may change something.
    pub fn creating(&self) -> i64 {
        self.creating.load(Ordering::SeqCst)
    }

    /// How long since the last such request ended (since the start, if none did).
    pub fn quiet_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_ended.load(Ordering::SeqCst));
        self.epoch.elapsed().saturating_sub(last)
    }
}

impl Observer for InFlight {
    fn started(&self, idempotency: Idempotency) {
        if idempotency == Idempotency::NonIdempotent {
            self.creating.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn ended(&self, attempt: &Attempt<'_>) {
        if attempt.idempotency() == Idempotency::NonIdempotent {
            let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
            self.last_ended.store(now, Ordering::SeqCst);
            self.creating.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn with_nothing_in_flight_the_rest_is_dropped_after_the_settle_time() {
        let stop = Shutdown::new();
        assert!(!stop.is_requested());
        let started = tokio::time::Instant::now();
        stop.request("SIGTERM");
        stop.requested().await;
        assert_eq!(stop.requested_by(), Some("SIGTERM"));
        stop.abandoned().await;
        assert!(started.elapsed() < GRACE, "{:?}", started.elapsed());
        // A second request changes nothing.
        stop.request("SIGINT");
        assert_eq!(stop.requested_by(), Some("SIGTERM"));
    }

    #[tokio::test]
    async fn a_create_in_flight_is_waited_for_up_to_the_grace() {
        let stop = Shutdown::new();
        let in_flight = stop.in_flight();
        in_flight.started(Idempotency::NonIdempotent);
        // An idempotent request (a search) is not waited for.
        in_flight.started(Idempotency::Idempotent);
        let started = Instant::now();
        stop.request("SIGTERM");
        stop.abandoned().await;
        assert!(started.elapsed() >= GRACE, "{:?}", started.elapsed());
        assert!(started.elapsed() < GRACE + Duration::from_secs(1), "{:?}", started.elapsed());
    }
}
