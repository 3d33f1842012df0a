//! `Retry-After` parsing: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).

use std::time::Duration;

use http::HeaderMap;
use http::header::RETRY_AFTER;
use jiff::Timestamp;

/// The wait a response's `Retry-After` header asks for, if it has a valid one.
///
/// An HTTP-date in the past means "now" (a zero wait).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, Timestamp::now())
}

/// Parses a `Retry-After` value as seconds (`"120"`) or as an HTTP-date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), relative to `now`.
///
/// ```
/// use std::time::Duration;
/// let now = "2015-10-21T07:27:00Z".parse().unwrap();
/// assert_eq!(http_support::parse_retry_after("5", now), Some(Duration::from_secs(5)));
/// assert_eq!(
///     http_support::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
///     Some(Duration::from_secs(60)),
/// );
/// assert_eq!(http_support::parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // Some servers send fractional seconds; accept them rounded up, never negative ones.
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs(secs.min(1e9).ceil() as u64));
    }
    let date = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = date.duration_since(now);
    Some(if wait.is_negative() { Duration::ZERO } else { wait.unsigned_abs() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(value: &str, expected: Option<u64>) {
        let now: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(parse_retry_after(value, now), expected.map(Duration::from_secs), "{value:?}");
    }

    #[test]
    fn values() {
        check("0", Some(0));
        check(" 30 ", Some(30));
        check("1.5", Some(2));
        check("-1", None);
        check("", None);
        check("tomorrow", None);
        check("NaN", None);
        check("Mon, 01 Jan 2024 00:00:10 GMT", Some(10));
        check("Sun, 31 Dec 2023 23:00:00 GMT", Some(0));
        check("Mon, 01 Jan 2024 01:00:00 +0000", Some(3600));
    }
}
