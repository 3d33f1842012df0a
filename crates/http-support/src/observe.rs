//! What [`send`](crate::send) tells an observer about the requests it makes: every attempt's
//! start and end, and every wait it sits out. A service counts requests, latencies and throttling
//! with it, and learns whether a request is in flight (to let it be answered before shutting
//! down), without the clients knowing anything of metrics.

use std::time::Duration;

use http::{HeaderMap, StatusCode};

use crate::Idempotency;

/// Told about each attempt and each wait of the requests of the clients it was given to
/// (`.observer(...)` on any client builder of the family).
///
/// The methods are called on the request's task, in the middle of sending: they must be quick
/// and must not block (update counters, not a database). Each has a default that does nothing.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use http_support::{Attempt, Observer};
///
/// /// Counts the answers with a 5xx status.
/// #[derive(Default)]
/// struct ServerErrors(AtomicU64);
///
/// impl Observer for ServerErrors {
///     fn ended(&self, attempt: &Attempt<'_>) {
///         if attempt.status().is_some_and(|s| s.is_server_error()) {
///             self.0.fetch_add(1, Ordering::Relaxed);
///         }
///     }
/// }
/// ```
pub trait Observer: Send + Sync {
    /// An attempt is about to be sent.
    fn started(&self, idempotency: Idempotency) {
        let _ = idempotency;
    }

    /// An attempt ended: answered, failed, or abandoned (its future dropped). Called exactly once
    /// for each [`started`](Observer::started).
    fn ended(&self, attempt: &Attempt<'_>) {
        let _ = attempt;
    }

    /// `send` waited this long before an attempt, for this reason. A wait cut short by dropping
    /// the request's future is not reported.
    fn waited(&self, reason: Wait, waited: Duration) {
        let _ = (reason, waited);
    }
}

/// How one attempt ended, for [`Observer::ended`].
#[derive(Debug)]
pub struct Attempt<'a> {
    idempotency: Idempotency,
    outcome: Outcome<'a>,
    elapsed: Duration,
}

/// What became of an attempt.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Outcome<'a> {
    /// The server answered with this status and these headers (the body is read later).
    Answered(StatusCode, &'a HeaderMap),
    /// The request could not be sent or its answer not read (connection, TLS, timeout).
    Failed,
    /// The request's future was dropped before an answer came (the caller gave up on it).
    Abandoned,
}

impl<'a> Attempt<'a> {
    /// Whether the request may be repeated safely.
    pub fn idempotency(&self) -> Idempotency {
        self.idempotency
    }

    /// What became of the attempt.
    pub fn outcome(&self) -> Outcome<'a> {
        self.outcome
    }

    /// The answer's status, when there was an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self.outcome {
            Outcome::Answered(status, _) => Some(status),
            Outcome::Failed | Outcome::Abandoned => None,
        }
    }

    /// The answer's headers (rate-limit headers among them), when there was an answer.
    pub fn headers(&self) -> Option<&'a HeaderMap> {
        match self.outcome {
            Outcome::Answered(_, headers) => Some(headers),
            Outcome::Failed | Outcome::Abandoned => None,
        }
    }

    /// From sending the request to its answer's headers (or to the failure).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// Why `send` waited before an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Wait {
    /// The client's own pacing (requests per minute).
    Pacing,
    /// The server throttled the request (`429` or the like) and asked for this wait, or none, in
    /// which case the backoff was waited.
    Throttled,
    /// The backoff before repeating an idempotent request after a transient failure.
    Backoff,
}

impl Wait {
    /// `pacing`, `throttled` or `backoff`: a name for logs and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Wait::Pacing => "pacing",
            Wait::Throttled => "throttled",
            Wait::Backoff => "backoff",
        }
    }
}

/// The attempt under way: tells the observer how it ended, and that it was abandoned when it is
/// dropped unanswered, so that every `started` has its `ended` even when the caller drops the
/// request's future.
#[cfg(feature = "client")]
pub(crate) struct AttemptGuard<'o> {
    observer: Option<&'o dyn Observer>,
    idempotency: Idempotency,
    started: tokio::time::Instant,
}

#[cfg(feature = "client")]
impl<'o> AttemptGuard<'o> {
    pub(crate) fn start(observer: Option<&'o dyn Observer>, idempotency: Idempotency) -> Self {
        if let Some(observer) = observer {
            observer.started(idempotency);
        }
        Self { observer, idempotency, started: tokio::time::Instant::now() }
    }

    /// Reports the end; the guard then reports nothing more.
    pub(crate) fn end(mut self, outcome: Outcome<'_>) {
        if let Some(observer) = self.observer.take() {
            observer.ended(&Attempt {
                idempotency: self.idempotency,
                outcome,
                elapsed: self.started.elapsed(),
            });
        }
    }
}

#[cfg(feature = "client")]
impl Drop for AttemptGuard<'_> {
    fn drop(&mut self) {
        if let Some(observer) = self.observer.take() {
            observer.ended(&Attempt {
                idempotency: self.idempotency,
                outcome: Outcome::Abandoned,
                elapsed: self.started.elapsed(),
            });
        }
    }
}
