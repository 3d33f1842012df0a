//! The retry loop: one place that decides whether to try again, and how long to wait first.

use std::time::Duration;

use http::StatusCode;
#[cfg(feature = "client")]
use reqwest::{RequestBuilder, Response};

use crate::DEFAULT_MAX_ERROR_BODY;
#[cfg(feature = "client")]
use crate::observe::AttemptGuard;
#[cfg(feature = "client")]
use crate::{ErrorResponse, HttpError, Observer, Outcome, Pacer, TransportError, Wait, retry_after};

/// Whether repeating a request is harmless.
///
/// A request that the server may have acted on (a `5xx` after it started work, a timeout, a
/// dropped connection) is repeated only when it is idempotent. A `429` is repeated either way,
/// since the server turned it away without acting on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Safe to repeat: reads, and writes that converge (closing an alert, marking it read).
    Idempotent,
    /// Not safe to repeat: creating an issue, posting a comment, reporting an IP.
    NonIdempotent,
}

/// How often and how patiently `send` retries.
///
/// The defaults: 3 retries, backoff from 500 ms doubling up to 30 s with jitter, and waits asked
/// for by `Retry-After` honoured up to 120 s; a longer wait is returned as
/// [`HttpError::RateLimited`](crate::HttpError::RateLimited) for the caller to schedule (an
/// AbuseIPDB daily quota resets in hours, and a pass must not sleep through it).
///
/// Each setting has a setter named after it (`max_retries(3)`, consuming and returning the
/// policy) and a getter with a `get_` prefix (`get_max_retries()`), as `std::process::Command`
/// names its own.
///
/// ```
/// use std::time::Duration;
/// use http_support::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_retries(5).max_wait(Duration::from_secs(60));
/// assert_eq!(policy.get_max_retries(), 5);
/// assert_eq!(policy.get_max_wait(), Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_wait: Duration,
    max_error_body: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_wait: Duration::from_secs(120),
            max_error_body: DEFAULT_MAX_ERROR_BODY,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    /// Sets how many times a request is retried after its first attempt.
    #[must_use]
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the first backoff; each further one doubles, up to [`Self::max_backoff`].
    #[must_use]
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Sets the longest backoff between two attempts.
    #[must_use]
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Sets the longest server-requested wait that is slept through; a longer one becomes
    /// [`HttpError::RateLimited`](crate::HttpError::RateLimited) at once.
    #[must_use]
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// Sets how many bytes of an error body are kept.
    #[must_use]
    pub fn max_error_body(mut self, bytes: usize) -> Self {
        self.max_error_body = bytes;
        self
    }

    /// How many times a request is retried after its first attempt.
    pub fn get_max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The first backoff.
    pub fn get_initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest backoff between two attempts.
    pub fn get_max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest server-requested wait that is slept through.
    pub fn get_max_wait(&self) -> Duration {
        self.max_wait
    }

    /// How many bytes of an error body are kept.
    pub fn get_max_error_body(&self) -> usize {
        self.max_error_body
    }

    /// The backoff before retry number `attempt + 1`: exponential, capped, with "equal jitter"
    /// (a random point in the upper half) so that many clients do not retry in step.
    #[cfg(feature = "client")]
    fn backoff(&self, attempt: u32) -> Duration {
        let exp =
            self.initial_backoff.saturating_mul(2u32.saturating_pow(attempt.min(31))).min(self.max_backoff);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Whether a retry may cure an answer with this status: `408` and the `5xx` answers but `501` and
/// `505`, which will not change. The retry loop repeats idempotent requests on these, and the
/// clients' `Error::is_transient` answers by the same rule.
pub fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 500 | 502 | 503 | 504)
}

/// Sends the request made by `build` (called once per attempt), retrying as `policy` and
/// `idempotency` allow, after waiting for `pacer` before each attempt.
///
/// `is_throttled` lets a client treat an answer other than `429` as throttling (Defender for
/// Cloud Apps does not document its throttled answer). Returns the first answer with a status
/// below 400, body unread.
///
/// # Errors
/// - [`HttpError::Status`] for a final answer of 400 or above that is not throttling;
/// - [`HttpError::RateLimited`] when the server asked for a wait over the cap, or throttled every
///   attempt;
/// - [`HttpError::Transport`] when the request could not be sent or read.
#[cfg(feature = "client")]
pub async fn send<F, T>(
    policy: &RetryPolicy,
    idempotency: Idempotency,
    pacer: Option<&Pacer>,
    build: F,
    is_throttled: T,
) -> Result<Response, HttpError>
where
    F: FnMut() -> RequestBuilder,
    T: Fn(&ErrorResponse) -> bool,
{
    send_observed(policy, idempotency, pacer, None, build, is_throttled).await
}

/// [`send`], telling `observer` of each attempt and each wait (see [`Observer`]).
///
/// ```no_run
/// use http_support::{ClientOptions, Idempotency, Observer, RetryPolicy, Wait};
///
/// struct LogWaits;
/// impl Observer for LogWaits {
///     fn waited(&self, reason: Wait, waited: std::time::Duration) {
///         eprintln!("waited {waited:?} ({})", reason.as_str());
///     }
/// }
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let client = ClientOptions::new("my-tool/1.0").build()?;
/// let response = http_support::send_observed(
///     &RetryPolicy::default(),
///     Idempotency::Idempotent,
///     None,
///     Some(&LogWaits),
///     || client.get("https://example.com/api/thing"),
///     |_| false,
/// )
/// .await?;
/// # let _ = response;
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// As [`send`].
#[cfg(feature = "client")]
pub async fn send_observed<F, T>(
    policy: &RetryPolicy,
    idempotency: Idempotency,
    pacer: Option<&Pacer>,
    observer: Option<&dyn Observer>,
    mut build: F,
    is_throttled: T,
) -> Result<Response, HttpError>
where
    F: FnMut() -> RequestBuilder,
    T: Fn(&ErrorResponse) -> bool,
{
    let idempotent = idempotency == Idempotency::Idempotent;
    let mut attempt: u32 = 0;
    loop {
        if let Some(pacer) = pacer {
            let waiting = tokio::time::Instant::now();
            pacer.wait().await;
            report_wait(observer, Wait::Pacing, waiting.elapsed());
        }
        let can_retry = attempt < policy.max_retries;
        let guard = AttemptGuard::start(observer, idempotency);
        let (reason, wait) = match build().send().await {
            Ok(response) if response.status().as_u16() < 400 => {
                guard.end(Outcome::Answered(response.status(), response.headers()));
                return Ok(response);
            }
            Ok(response) => {
                guard.end(Outcome::Answered(response.status(), response.headers()));
                let error = ErrorResponse::capture(response, policy.max_error_body).await;
                let requested = retry_after(&error.headers);
                if error.status == StatusCode::TOO_MANY_REQUESTS || is_throttled(&error) {
                    match requested {
                        Some(wait) if wait > policy.max_wait => {
                            return Err(HttpError::RateLimited {
                                retry_after: Some(wait),
                                response: Box::new(error),
                            });
                        }
                        _ if !can_retry => {
                            return Err(HttpError::RateLimited {
                                retry_after: requested,
                                response: Box::new(error),
                            });
                        }
                        // The server's own wait, plus a little so that we arrive after it.
                        Some(wait) => (Wait::Throttled, wait + Duration::from_millis(fastrand::u64(0..=250))),
                        None => (Wait::Throttled, policy.backoff(attempt)),
                    }
                } else if idempotent && can_retry && is_transient_status(error.status) {
                    match requested {
                        Some(wait) if wait <= policy.max_wait => (Wait::Backoff, wait),
                        _ => (Wait::Backoff, policy.backoff(attempt)),
                    }
                } else {
                    return Err(HttpError::Status(Box::new(error)));
                }
            }
            Err(source) => {
                guard.end(Outcome::Failed);
                let transient = !(source.is_builder() || source.is_redirect() || source.is_decode());
                if !(idempotent && can_retry && transient) {
                    return Err(HttpError::Transport {
                        source: TransportError::from_reqwest(source),
                        attempts: attempt + 1,
                    });
                }
                (Wait::Backoff, policy.backoff(attempt))
            }
        };
        attempt += 1;
        tracing::debug!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            reason = reason.as_str(),
            "retrying request"
        );
        tokio::time::sleep(wait).await;
        report_wait(observer, reason, wait);
    }
}

/// Reports a wait that lasted (a pacer that let the request go at once did not make it wait).
#[cfg(feature = "client")]
fn report_wait(observer: Option<&dyn Observer>, reason: Wait, waited: Duration) {
    if let Some(observer) = observer
        && !waited.is_zero()
    {
        observer.waited(reason, waited);
    }
}

#[cfg(all(test, feature = "client"))]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1));
        for attempt in 0..40 {
            let exp =
                Duration::from_millis(100).saturating_mul(1 << attempt.min(20)).min(Duration::from_secs(1));
            let got = policy.backoff(attempt);
            assert!(
                got >= exp / 2 && got <= exp,
                "attempt {attempt}: {got:?} not in [{:?}, {exp:?}]",
                exp / 2
            );
        }
    }
}
