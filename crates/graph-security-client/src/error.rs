//! The crate's error type.

use std::fmt;
use std::time::Duration;

use http::StatusCode;

/// The result of this crate's calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The application permission Graph needs to read alerts.
pub const READ_PERMISSION: &str = "SecurityAlert.Read.All";

/// The application permission Graph needs to update alerts and add comments.
pub const WRITE_PERMISSION: &str = "SecurityAlert.ReadWrite.All";

/// Why a call to Microsoft Graph (or to Microsoft Entra for a token) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or its answer could not be read (connection, TLS, timeout),
    /// after `attempts` tries.
    #[error("request failed after {attempts} attempt(s)")]
    Transport {
        /// What went wrong.
        #[source]
        source: TransportError,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The HTTP client could not be set up (its TLS backend failed to initialise).
    #[error("could not set up the HTTP client")]
    ClientSetup {
        /// What went wrong.
        #[source]
        source: TransportError,
    },
    /// Microsoft Entra did not issue an access token: a wrong secret (`invalid_client`), an app
    /// not consented in the tenant (`unauthorized_client`), an unknown tenant, a redirect…
    #[error("could not get an access token from Microsoft Entra{}{}{}", suffix(.error), suffix(.description), match .status { Some(s) => format!(" (HTTP {s})"), None => String::new() })]
    Token {
        /// The HTTP status of the token endpoint's answer, if there was one.
        status: Option<StatusCode>,
        /// The OAuth `error` code, e.g. `invalid_client`.
        error: Option<String>,
        /// The OAuth `error_description` (Entra's `AADSTS…` message) or what else went wrong.
        description: Option<String>,
    },
    /// `401`: Graph refused the access token (expired, revoked, or for another resource).
    #[error("authentication refused{}", .body.suffix())]
    Unauthorized {
        /// Graph's error document.
        body: Box<GraphErrorBody>,
    },
    /// `403`: the application lacks the permission for this call in this tenant.
    #[error(
        "permission denied: the application needs the Microsoft Graph application permission {required}, \
         with admin consent in this tenant (a tenant not onboarded to Microsoft Defender XDR is also \
         reported to answer 403 with the permission granted){}",
        .body.suffix()
    )]
    Forbidden {
        /// The permission the call needs: [`READ_PERMISSION`] or [`WRITE_PERMISSION`].
        required: &'static str,
        /// Graph's error document.
        body: Box<GraphErrorBody>,
    },
    /// `404`: no such alert.
    #[error("not found{}", .body.suffix())]
    NotFound {
        /// Graph's error document.
        body: Box<GraphErrorBody>,
    },
    /// `429`: Graph throttled the calls and either asked for a wait longer than the retry policy
    /// allows or kept throttling until the retries ran out.
    #[error("rate limited{}", match .retry_after { Some(wait) => format!(" (asked to wait {}s)", wait.as_secs()), None => String::new() })]
    RateLimited {
        /// The wait Graph asked for (`Retry-After`), if it said.
        retry_after: Option<Duration>,
        /// Graph's error document.
        body: Box<GraphErrorBody>,
    },
    /// Another answer that is not a success.
    #[error("Microsoft Graph answered HTTP {status}{}", .body.suffix())]
    Status {
        /// The HTTP status.
        status: StatusCode,
        /// Graph's error document.
        body: Box<GraphErrorBody>,
    },
    /// A success answer could not be decoded.
    #[error("could not decode the {what}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// An answer was larger than the client's limit.
    #[error("answer exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// An argument or a setting cannot be used: an empty alert id, a filter value that is not an
    /// enum member, a base URL that is plain HTTP to a remote host…
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong.
        reason: String,
    },
    /// The paging went wrong: a next link to another host (which would receive the token), a
    /// repeated next link, or pages that stopped bringing new alerts. The walk stopped rather
    /// than loop or leak.
    #[error("paging stopped: {reason}")]
    Paging {
        /// What went wrong.
        reason: String,
    },
    /// One alert of a page could not be decoded. [`Client::alerts`](crate::Client::alerts)
    /// yields this and goes on with the next alert.
    #[error("alert {} could not be decoded: {reason}", .id.as_deref().unwrap_or("without a usable id"))]
    MalformedAlert {
        /// Its `id`, if readable.
        id: Option<String>,
        /// Why it could not be decoded.
        reason: String,
    },
}

fn suffix(text: &Option<String>) -> String {
    match text {
        Some(text) if !text.is_empty() => format!(": {text}"),
        _ => String::new(),
    }
}

impl Error {
    /// The HTTP status of the answer this error came from, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Error::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            Error::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::Status { status, .. } => Some(*status),
            Error::Token { status, .. } => *status,
            _ => None,
        }
    }

    /// The wait Graph asked for, for [`Error::RateLimited`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether trying again later may succeed: transport errors, throttling, and `5xx`/`408`
    /// answers. A refused token, a missing permission or a bad request will not cure itself.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::RateLimited { .. } => true,
            Error::Status { status, .. } => {
                status.is_server_error() || *status == StatusCode::REQUEST_TIMEOUT
            }
            Error::Token { status, .. } => status.is_some_and(|s| s.is_server_error()),
            _ => false,
        }
    }
}

/// Graph's error document, `{"error": {"code": "...", "message": "...", "innerError": {...}}}`,
/// or what could be read of a body in another shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GraphErrorBody {
    /// The error code, e.g. `Forbidden` or `InvalidAuthenticationToken`.
    pub code: Option<String>,
    /// The message, for developers.
    pub message: Option<String>,
    /// The `request-id` of the inner error, which Microsoft support asks for.
    pub request_id: Option<String>,
    /// The start of the body as text, white space collapsed, when it was not Graph's document.
    pub snippet: Option<String>,
}

impl GraphErrorBody {
    /// Reads an error body: Graph's document if it is one, else a snippet of the text.
    ///
    /// ```
    /// let body = graph_security_client::GraphErrorBody::from_slice(
    ///     br#"{"error":{"code":"Forbidden","message":"Missing role","innerError":{"request-id":"r-1"}}}"#,
    /// );
    /// assert_eq!(body.code.as_deref(), Some("Forbidden"));
    /// assert_eq!(body.request_id.as_deref(), Some("r-1"));
    /// ```
    pub fn from_slice(body: &[u8]) -> GraphErrorBody {
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let error = json.as_ref().and_then(|json| json.get("error")).filter(|e| e.is_object());
        let text = |value: Option<&serde_json::Value>| {
            value.and_then(serde_json::Value::as_str).map(|text| crate::lenient::shorten(text.trim(), 500))
        };
        match error {
            Some(error) => {
                let inner = error.get("innerError").or_else(|| error.get("innererror"));
                GraphErrorBody {
                    code: text(error.get("code")),
                    message: text(error.get("message")),
                    request_id: text(inner.and_then(|inner| inner.get("request-id"))),
                    snippet: None,
                }
            }
            None => {
                let lossy = String::from_utf8_lossy(body);
                let collapsed = lossy.split_whitespace().collect::<Vec<_>>().join(" ");
                GraphErrorBody {
                    snippet: Some(crate::lenient::shorten(&collapsed, 300)).filter(|s| !s.is_empty()),
                    ..GraphErrorBody::default()
                }
            }
        }
    }

    /// `": code: message"`, for error messages.
    fn suffix(&self) -> String {
        let mut out = String::new();
        for part in [&self.code, &self.message, &self.snippet].into_iter().flatten() {
            if !part.is_empty() {
                out.push_str(": ");
                out.push_str(part);
            }
        }
        out
    }
}

/// A request that failed on the way: the connection, TLS, a timeout, or reading the answer.
///
/// Opaque, so that the HTTP library underneath is not part of this crate's API; its
/// [`source`](std::error::Error::source) is the underlying error.
pub struct TransportError {
    kind: TransportKind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TransportKind {
    Timeout,
    Connect,
    Other,
}

impl TransportError {
    /// Wraps an error of the HTTP stack.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self { kind: TransportKind::Other, source: source.into() }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportKind::Timeout
    }

    /// Whether no connection could be made.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportKind::Connect
    }
}

#[cfg(feature = "client")]
impl From<reqwest::Error> for TransportError {
    fn from(error: reqwest::Error) -> Self {
        let kind = if error.is_timeout() {
            TransportKind::Timeout
        } else if error.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        };
        Self { kind, source: Box::new(error) }
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError").field("kind", &self.kind).field("source", &self.source).finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The underlying error is the source, so it is not repeated here.
        f.write_str(match self.kind {
            TransportKind::Timeout => "the request timed out",
            TransportKind::Connect => "could not connect",
            TransportKind::Other => "the HTTP exchange failed",
        })
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

#[cfg(feature = "client")]
use http_support::HttpError;

#[cfg(feature = "client")]
/// The error for a failed Graph call; `required` is the permission a `403` names.
pub(crate) fn from_http(error: HttpError, required: &'static str) -> Error {
    match error {
        HttpError::Transport { source, attempts } => Error::Transport { source: source.into(), attempts },
        HttpError::RateLimited { retry_after, response } => {
            Error::RateLimited { retry_after, body: Box::new(GraphErrorBody::from_slice(&response.body)) }
        }
        HttpError::BodyTooLarge { limit } => Error::BodyTooLarge { limit },
        HttpError::Status(response) => {
            let body = Box::new(GraphErrorBody::from_slice(&response.body));
            match response.status {
                StatusCode::UNAUTHORIZED => Error::Unauthorized { body },
                StatusCode::FORBIDDEN => Error::Forbidden { required, body },
                StatusCode::NOT_FOUND => Error::NotFound { body },
                StatusCode::TOO_MANY_REQUESTS => Error::RateLimited { retry_after: None, body },
                status => Error::Status { status, body },
            }
        }
        // `HttpError` is non-exhaustive: a kind added later keeps its status if it has one,
        // and is kept whole as the source otherwise.
        other => match other.status() {
            Some(status) => Error::Status {
                status,
                body: Box::new(GraphErrorBody {
                    message: Some(other.to_string()),
                    ..GraphErrorBody::default()
                }),
            },
            None => Error::Transport { source: crate::TransportError::new(other), attempts: 1 },
        },
    }
}

#[cfg(feature = "client")]
impl From<http_support::entra::EntraError> for Error {
    /// The error for a token that could not be had.
    fn from(error: http_support::entra::EntraError) -> Self {
        use http_support::entra::EntraError;
        match error {
            EntraError::Refused { status, error, description } => {
                Error::Token { status: Some(status), error, description }
            }
            EntraError::Http(http) => from_http(http, crate::READ_PERMISSION),
            EntraError::InvalidInput { reason } => Error::InvalidInput { reason },
            EntraError::ClientSetup(source) => Error::ClientSetup { source: source.into() },
            other @ EntraError::Redirected { status, .. } => {
                Error::Token { status: Some(status), error: None, description: Some(other.to_string()) }
            }
            other => Error::Token { status: None, error: None, description: Some(other.to_string()) },
        }
    }
}
