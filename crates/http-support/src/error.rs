//! The error of [`crate::send`] and [`crate::read_body`], which each client maps into its own, and
//! the opaque transport error the clients' errors carry.

use std::fmt;
use std::time::Duration;

use http::StatusCode;

use crate::ErrorResponse;

/// Why a request sent through `send` did not give a usable answer.
///
/// Clients turn this into their own typed error. It is exhaustive on purpose: this crate is
/// published in lockstep with the clients, so a new kind is a compile error in their `match`
/// rather than a failure reported under a made-up status at run time.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The request could not be sent or its answer could not be read (connection, TLS, timeout),
    /// after `attempts` tries.
    #[error("request failed after {attempts} attempt(s)")]
    Transport {
        /// The last transport error.
        #[source]
        source: TransportError,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The server answered with a status that is not a success and not retried further.
    #[error("server answered HTTP {}", .0.status)]
    Status(Box<ErrorResponse>),
    /// The server is rate limiting us and either asked for a wait longer than the policy's cap or
    /// kept doing so until the retries ran out. `retry_after` is the server's last requested wait.
    #[error("rate limited by the server{}", wait_suffix(*.retry_after))]
    RateLimited {
        /// The wait the server asked for, if it said.
        retry_after: Option<Duration>,
        /// The throttled answer.
        response: Box<ErrorResponse>,
    },
    /// A response body was larger than the allowed maximum.
    #[error("response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl HttpError {
    /// The HTTP status of the answer this error came from, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            HttpError::Status(r) | HttpError::RateLimited { response: r, .. } => Some(r.status),
            HttpError::Transport { .. } | HttpError::BodyTooLarge { .. } => None,
        }
    }
}

/// ` (asked to wait 30s)` for a known wait, nothing otherwise: the tail of the rate-limit
/// messages of this crate and of the clients.
pub fn wait_suffix(wait: Option<Duration>) -> String {
    wait.map(|wait| format!(" (asked to wait {}s)", wait.as_secs())).unwrap_or_default()
}

/// A request that could not be sent or answered (connection refused, TLS failure, timeout, a
/// body cut short), or an HTTP client that could not be set up.
///
/// Opaque, so that the HTTP stack underneath (reqwest today) is no part of the clients' public
/// APIs: it can be upgraded without a breaking release. It displays as the underlying error and
/// hands on that error's own sources, so `{error:#}` shows the whole chain; [`is_timeout`] and
/// [`is_connect`] answer the questions callers ask of it.
///
/// [`is_timeout`]: TransportError::is_timeout
/// [`is_connect`]: TransportError::is_connect
pub struct TransportError {
    kind: TransportKind,
    inner: Box<dyn std::error::Error + Send + Sync + 'static>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Without the `client` feature nothing makes a transport error; the type is there for the
// clients' error enums, which are the same with and without it.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
enum TransportKind {
    Timeout,
    Connect,
    Other,
}

impl TransportError {
    /// Whether the request timed out (connecting, or waiting for the answer or its body).
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportKind::Timeout
    }

    /// Whether the connection could not be made (refused, unreachable, DNS, TLS handshake).
    pub fn is_connect(&self) -> bool {
        self.kind == TransportKind::Connect
    }

    #[cfg(feature = "client")]
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        let kind = if error.is_timeout() {
            TransportKind::Timeout
        } else if error.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        };
        Self { kind, inner: Box::new(error) }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError").field("kind", &self.kind).field("inner", &self.inner).finish()
    }
}

impl std::error::Error for TransportError {
    // The wrapper displays as the error it wraps, so the chain goes on with that error's source
    // rather than repeating its text.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}
