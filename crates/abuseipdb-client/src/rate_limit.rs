//! The rate-limit headers AbuseIPDB sends with every answer, and the wrapper that carries them
//! alongside each result.

use std::time::Duration;

use http::HeaderMap;
use jiff::Timestamp;

/// The state of the endpoint's daily quota, read from the headers of an answer.
///
/// AbuseIPDB counts requests per endpoint and per day. `remaining` tells how many calls are
/// left; when it reaches zero the next call fails with
/// [`Error::QuotaExceeded`](crate::Error::QuotaExceeded) until `reset_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RateLimit {
    /// `X-RateLimit-Limit`: the daily number of requests of this endpoint.
    pub limit: Option<u32>,
    /// `X-RateLimit-Remaining`: how many are left today.
    pub remaining: Option<u32>,
    /// `X-RateLimit-Reset`: when the count starts again (sent as epoch seconds).
    pub reset_at: Option<Timestamp>,
    /// `Retry-After`: the wait asked for, sent with a `429`.
    pub retry_after: Option<Duration>,
}

impl RateLimit {
    /// Reads the rate-limit headers. Absent or malformed headers leave their field `None`.
    ///
    /// ```
    /// use abuseipdb_client::RateLimit;
    /// use abuseipdb_client::http::{HeaderMap, HeaderValue};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("X-RateLimit-Limit", HeaderValue::from_static("1000"));
    /// headers.insert("X-RateLimit-Remaining", HeaderValue::from_static("0"));
    /// headers.insert("X-RateLimit-Reset", HeaderValue::from_static("1545973200"));
    /// let limit = RateLimit::from_headers(&headers);
    /// assert_eq!(limit.remaining, Some(0));
    /// assert_eq!(limit.reset_at.unwrap().to_string(), "2018-12-28T05:00:00Z");
    /// ```
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let number = |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let small = |name: &str| number(name).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        Self {
            limit: small("x-ratelimit-limit"),
            remaining: small("x-ratelimit-remaining"),
            reset_at: number("x-ratelimit-reset")
                .and_then(|secs| i64::try_from(secs).ok())
                .and_then(|secs| Timestamp::from_second(secs).ok()),
            retry_after: http_support::retry_after(headers),
        }
    }
}

/// A result together with the rate-limit state of the answer that brought it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rated<T> {
    /// The result.
    pub data: T,
    /// The rate-limit headers of the answer.
    pub rate_limit: RateLimit,
}

impl<T> Rated<T> {
    /// Wraps `data` with its rate-limit state.
    pub fn new(data: T, rate_limit: RateLimit) -> Self {
        Self { data, rate_limit }
    }

    /// The result, without the rate-limit state.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Transforms the result, keeping the rate-limit state.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Rated<U> {
        Rated { data: f(self.data), rate_limit: self.rate_limit }
    }
}
