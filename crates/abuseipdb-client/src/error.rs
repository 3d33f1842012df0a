//! The crate's error type, and the parsing of AbuseIPDB's error documents into it.

use std::fmt;
use std::time::Duration;

use http::StatusCode;
use http_support::TransportError;
#[cfg(feature = "client")]
use http_support::{ErrorResponse, HttpError, RetryPolicy, SettingsError};
use jiff::Timestamp;
use serde::{Deserialize, Deserializer};

use http_support::wait_suffix;

use crate::RateLimit;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many characters of a non-JSON error body (an HTML error page) are kept in [`Error::Status`].
#[cfg(feature = "client")]
const SNIPPET_CHARS: usize = 200;

/// How many characters of the service's error details are shown in an error message.
const DETAIL_CHARS: usize = 300;

/// Why a call to AbuseIPDB failed.
///
/// The variants common to the family's clients come first, with the same names and meanings in
/// each (`Transport` to `InvalidInput`); AbuseIPDB's own follow. (Its reports stream has no
/// paging failure to report: an empty page, or a page other than the one asked for, ends it.)
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or its answer not read (connection, TLS, timeout).
    #[error("could not reach the service after {attempts} attempt(s)")]
    Transport {
        /// The last transport error.
        #[source]
        source: TransportError,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The built-in HTTP client could not be set up (the TLS backend failed to initialise).
    #[error("could not set up the HTTP client")]
    ClientSetup {
        /// What the HTTP stack said.
        #[source]
        source: TransportError,
    },
    /// The API key was refused (HTTP 401): missing, wrong, revoked, or an APIv1 key.
    #[error("the API key was refused (HTTP 401)")]
    Unauthorized {
        /// The service's error entries, if the body had any.
        errors: Vec<ApiError>,
    },
    /// The service refused the request (HTTP 403), e.g. a firewall in front of it.
    #[error("the service refused the request (HTTP 403){}", Details(.errors))]
    Forbidden {
        /// The service's error entries, if the body had any.
        errors: Vec<ApiError>,
    },
    /// No such endpoint (HTTP 404): a base URL that is not AbuseIPDB's APIv2.
    #[error("no such endpoint (HTTP 404){}", Details(.errors))]
    NotFound {
        /// The service's error entries, if the body had any.
        errors: Vec<ApiError>,
    },
    /// The service kept throttling after the retries the policy allows (a short-term limit, not
    /// the daily quota).
    #[error("rate limited by the service{}", wait_suffix(*.retry_after))]
    RateLimited {
        /// The wait the service last asked for, if it said.
        retry_after: Option<Duration>,
        /// The rate-limit headers of the throttled answer.
        rate_limit: RateLimit,
    },
    /// Any other non-success answer. An answer whose body is not AbuseIPDB's JSON error document
    /// (an HTML error page from a proxy, say) has no `errors` and a short `snippet` of the body.
    #[error("the service answered HTTP {status}{}", StatusDetails(.errors, .snippet))]
    Status {
        /// The HTTP status.
        status: StatusCode,
        /// The service's error entries, if the body had any.
        errors: Vec<ApiError>,
        /// The start of a body that is not a JSON error document, made printable.
        snippet: Option<String>,
    },
    /// A success answer could not be decoded into the expected shape.
    #[error("could not decode the answer of {what}")]
    Decode {
        /// The endpoint whose answer it was, e.g. `"check"`.
        what: &'static str,
        /// What went wrong (a JSON error, or an invalid line of a plaintext blacklist).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A success answer was larger than the client accepts.
    #[error("the answer exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// An argument or a setting cannot be used (a parameter out of the range the API accepts, a
    /// base URL that is not https); nothing was sent.
    #[error("invalid {parameter}: {reason}")]
    InvalidInput {
        /// The parameter, by its API name (e.g. `maxAgeInDays`), or the setting (`base_url`).
        parameter: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The account's plan does not include this request (HTTP 402), e.g. a blacklist filter that
    /// needs a subscription.
    #[error("the account's plan does not allow this request (HTTP 402)")]
    PaymentRequired {
        /// The service's error entries, if the body had any.
        errors: Vec<ApiError>,
    },
    /// The service rejected a parameter (HTTP 422); the entries say which and why.
    #[error("the request was rejected as invalid (HTTP 422){}", Details(.errors))]
    Unprocessable {
        /// The service's error entries: `detail` and, when given, `source.parameter`.
        errors: Vec<ApiError>,
    },
    /// The daily quota of this endpoint is used up: the service asked for a wait longer than the
    /// retry policy's cap (see `RetryPolicy::max_wait`). Schedule the next call after `reset_at`
    /// rather than sleeping.
    #[error("the daily request quota is exhausted{}", QuotaReset(.reset_at, .retry_after))]
    QuotaExceeded {
        /// When the quota resets (`X-RateLimit-Reset`), if the service said.
        reset_at: Option<Timestamp>,
        /// The wait the service asked for (`Retry-After`), if it said.
        retry_after: Option<Duration>,
        /// The daily limit (`X-RateLimit-Limit`), if the service said.
        limit: Option<u32>,
    },
    /// The account reported this address less than 15 minutes ago; the service refuses a repeat
    /// with a `429` about the `ip` parameter. Not a quota problem: other calls go on working.
    #[error("the address was already reported in the last 15 minutes")]
    AlreadyReported {
        /// The service's error entries.
        errors: Vec<ApiError>,
    },
}

impl Error {
    /// The HTTP status of the answer this error came from, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Error::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            Error::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Error::PaymentRequired { .. } => Some(StatusCode::PAYMENT_REQUIRED),
            Error::Unprocessable { .. } => Some(StatusCode::UNPROCESSABLE_ENTITY),
            Error::QuotaExceeded { .. } | Error::RateLimited { .. } | Error::AlreadyReported { .. } => {
                Some(StatusCode::TOO_MANY_REQUESTS)
            }
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The wait the service asked for: for [`Error::RateLimited`], and for
    /// [`Error::QuotaExceeded`] (hours, typically: schedule rather than sleep).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } | Error::QuotaExceeded { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether trying again later may succeed: rate limiting and an exhausted quota (once it
    /// resets), transport failures, and answers whose status a retry may cure (`408`, most
    /// `5xx`).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::QuotaExceeded { .. } | Error::Transport { .. } => true,
            Error::Status { status, .. } => http_support::is_transient_status(*status),
            _ => false,
        }
    }

    /// The service's error entries, for the variants that carry them.
    pub fn api_errors(&self) -> &[ApiError] {
        match self {
            Error::Unauthorized { errors }
            | Error::PaymentRequired { errors }
            | Error::Unprocessable { errors }
            | Error::AlreadyReported { errors }
            | Error::Forbidden { errors }
            | Error::NotFound { errors }
            | Error::Status { errors, .. } => errors,
            _ => &[],
        }
    }

    #[cfg(feature = "client")]
    pub(crate) fn invalid(parameter: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput { parameter, reason: reason.into() }
    }

    #[cfg(feature = "client")]
    pub(crate) fn decode(
        what: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Error::Decode { what, source: source.into() }
    }

    /// The error for a client whose settings cannot be used.
    #[cfg(feature = "client")]
    pub(crate) fn from_settings(error: SettingsError) -> Self {
        match error {
            SettingsError::UserAgent => Error::invalid("user_agent", error.to_string()),
            SettingsError::Setup(source) => Error::ClientSetup { source },
        }
    }

    /// Maps the shared crate's error into ours. `policy` tells a daily quota (a wait beyond the
    /// policy's cap) from ordinary throttling.
    #[cfg(feature = "client")]
    pub(crate) fn from_http(error: HttpError, policy: &RetryPolicy) -> Self {
        match error {
            HttpError::Transport { source, attempts } => Error::Transport { source, attempts },
            HttpError::BodyTooLarge { limit } => Error::BodyTooLarge { limit },
            HttpError::RateLimited { retry_after, response } => {
                let errors = serde_json::from_slice::<ErrorDocument>(&response.body)
                    .map(|doc| doc.errors)
                    .unwrap_or_default();
                if errors.iter().any(|e| e.parameter() == Some("ip")) {
                    return Error::AlreadyReported { errors };
                }
                let rate_limit = RateLimit::from_headers(&response.headers);
                if is_quota(retry_after, &rate_limit, policy) {
                    Error::QuotaExceeded {
                        reset_at: rate_limit.reset_at,
                        retry_after: retry_after.or(rate_limit.retry_after),
                        limit: rate_limit.limit,
                    }
                } else {
                    Error::RateLimited { retry_after, rate_limit }
                }
            }
            HttpError::Status(response) => Self::from_response(&response),
        }
    }

    /// Builds the typed error of a non-success answer from its status and body.
    #[cfg(feature = "client")]
    pub(crate) fn from_response(response: &ErrorResponse) -> Self {
        let parsed = serde_json::from_slice::<ErrorDocument>(&response.body).ok();
        let snippet = match &parsed {
            Some(_) => None,
            None if response.body.is_empty() => None,
            None => Some(response.snippet(SNIPPET_CHARS)),
        };
        let errors = parsed.map(|doc| doc.errors).unwrap_or_default();
        match response.status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized { errors },
            StatusCode::FORBIDDEN => Error::Forbidden { errors },
            StatusCode::NOT_FOUND => Error::NotFound { errors },
            StatusCode::PAYMENT_REQUIRED => Error::PaymentRequired { errors },
            StatusCode::UNPROCESSABLE_ENTITY => Error::Unprocessable { errors },
            status => Error::Status { status, errors, snippet },
        }
    }
}

/// A 429 is the daily quota when the wait asked for is beyond what the policy sleeps through, or,
/// without a `Retry-After`, when nothing remains and the reset is that far away.
#[cfg(feature = "client")]
fn is_quota(retry_after: Option<Duration>, rate_limit: &RateLimit, policy: &RetryPolicy) -> bool {
    match retry_after {
        Some(wait) => wait > policy.get_max_wait(),
        None => {
            rate_limit.remaining == Some(0)
                && rate_limit.reset_at.is_some_and(|reset| {
                    let wait = reset.duration_since(Timestamp::now());
                    wait.is_positive() && wait.unsigned_abs() > policy.get_max_wait()
                })
        }
    }
}

/// AbuseIPDB's error document: `{"errors":[{"detail","status","source":{"parameter"}}]}`.
#[cfg(feature = "client")]
#[derive(Deserialize)]
struct ErrorDocument {
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    errors: Vec<ApiError>,
}

/// One entry of AbuseIPDB's `errors` array.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct ApiError {
    /// The explanation, e.g. "The max age in days must be between 1 and 365.".
    #[serde(default)]
    pub detail: Option<String>,
    /// The HTTP status the entry repeats; sent as a number or, by older versions, as a string.
    #[serde(default, deserialize_with = "status_number_or_string")]
    pub status: Option<u16>,
    /// Which request parameter the entry is about, if the service said.
    #[serde(default)]
    pub source: Option<ApiErrorSource>,
}

impl ApiError {
    /// The name of the parameter the entry is about, if the service said.
    pub fn parameter(&self) -> Option<&str> {
        self.source.as_ref()?.parameter.as_deref()
    }
}

/// The `source` of an [`ApiError`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct ApiErrorSource {
    /// The request parameter at fault, e.g. `network`.
    #[serde(default)]
    pub parameter: Option<String>,
}

/// Accepts `422`, `"422"`, `null` or anything else (as `None`): the status inside an entry is a
/// repetition of the HTTP status and must not make the whole error unreadable.
fn status_number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Writes `: detail (parameter); detail` for an error message, bounded and made printable, since
/// the text comes from outside.
struct Details<'a>(&'a [ApiError]);

impl fmt::Display for Details<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        for entry in self.0 {
            let Some(detail) = entry.detail.as_deref().map(str::trim).filter(|d| !d.is_empty()) else {
                continue;
            };
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(detail.trim_end_matches('.'));
            if let Some(parameter) = entry.parameter() {
                text.push_str(&format!(" (parameter {parameter})"));
            }
        }
        if text.is_empty() {
            return Ok(());
        }
        f.write_str(": ")?;
        f.write_str(&printable(&text, DETAIL_CHARS))
    }
}

struct StatusDetails<'a>(&'a [ApiError], &'a Option<String>);

impl fmt::Display for StatusDetails<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(snippet) if !snippet.is_empty() => write!(f, ": {snippet}"),
            _ => Details(self.0).fmt(f),
        }
    }
}

struct QuotaReset<'a>(&'a Option<Timestamp>, &'a Option<Duration>);

impl fmt::Display for QuotaReset<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(reset), _) => write!(f, " (resets at {reset})"),
            (None, Some(wait)) => write!(f, " (resets in {}s)", wait.as_secs()),
            (None, None) => Ok(()),
        }
    }
}

/// Cuts `text` to `max` characters and replaces control characters, so that a hostile error
/// body cannot forge log lines.
fn printable(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}
