//! The error of [`crate::send`] and [`crate::read_body`], which each client maps into its own.

use std::time::Duration;

use crate::ErrorResponse;

/// Why a request sent through [`crate::send`] did not give a usable answer.
///
/// Clients turn this into their own typed error; it is public so that they can match on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The request could not be sent or its answer could not be read (connection, TLS, timeout),
    /// after `attempts` tries.
    #[error("request failed after {attempts} attempt(s)")]
    Transport {
        /// The last transport error.
        #[source]
        source: reqwest::Error,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The server answered with a status that is not a success and not retried further.
    #[error("server answered HTTP {}", .0.status)]
    Status(Box<ErrorResponse>),
    /// The server is rate limiting us and either asked for a wait longer than the policy's cap or
    /// kept doing so until the retries ran out. `retry_after` is the server's last requested wait.
    #[error("rate limited by the server{}", match .retry_after { Some(d) => format!(" (asked to wait {}s)", d.as_secs()), None => String::new() })]
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
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        match self {
            HttpError::Status(r) | HttpError::RateLimited { response: r, .. } => Some(r.status),
            _ => None,
        }
    }
}
