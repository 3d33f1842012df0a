//! The crate's error type, and how answers of Graph and of Microsoft Entra become one.

use std::time::Duration;

use http::StatusCode;
#[cfg(feature = "client")]
use http_support::entra::EntraError;
#[cfg(feature = "client")]
use http_support::{HttpError, SettingsError};
use http_support::{TransportError, wait_suffix};

/// The result of this crate's calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The application permission Graph needs to read alerts.
pub const READ_PERMISSION: &str = "SecurityAlert.Read.All";

/// The application permission Graph needs to update alerts and add comments.
pub const WRITE_PERMISSION: &str = "SecurityAlert.ReadWrite.All";

/// Why a call to Microsoft Graph (or to Microsoft Entra for a token) failed.
///
/// The variants common to the family's clients come first, with the same names and meanings in
/// each (`Transport` to `Paging`); Graph's own follow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
    /// The HTTP client could not be set up (its TLS backend failed to initialise).
    #[error("could not set up the HTTP client")]
    ClientSetup {
        /// What the HTTP stack said.
        #[source]
        source: TransportError,
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
    #[error("rate limited{}", wait_suffix(*.retry_after))]
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
    /// An argument or a setting cannot be used (an empty alert id, a filter value that is not an
    /// enum member, a base URL that is plain HTTP to a remote host…); nothing was sent.
    #[error("invalid {parameter}: {reason}")]
    InvalidInput {
        /// The argument or setting at fault, by its name in this crate's API (`base_url`,
        /// `tenant_id`, `id`, `filter`…).
        parameter: &'static str,
        /// What is wrong with it.
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

    /// Whether trying again later may succeed: rate limiting, transport failures, and answers
    /// whose status a retry may cure (`408`, most `5xx`). A refused token, a missing permission
    /// or a bad request will not cure itself.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Transport { .. } => true,
            Error::Status { status, .. } | Error::Token { status: Some(status), .. } => {
                http_support::is_transient_status(*status)
            }
            _ => false,
        }
    }

    pub(crate) fn invalid(parameter: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput { parameter, reason: reason.into() }
    }

    /// The error for a client whose settings cannot be used.
    #[cfg(feature = "client")]
    pub(crate) fn from_settings(error: SettingsError) -> Self {
        match error {
            SettingsError::UserAgent => Error::invalid("user_agent", error.to_string()),
            SettingsError::Setup(source) => Error::ClientSetup { source },
        }
    }

    /// The error for a failed Graph call; `required` is the permission a `403` names.
    #[cfg(feature = "client")]
    pub(crate) fn from_http(error: HttpError, required: &'static str) -> Self {
        match error {
            HttpError::Transport { source, attempts } => Error::Transport { source, attempts },
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
        }
    }
}

#[cfg(feature = "client")]
impl From<EntraError> for Error {
    /// The error for a token that could not be had: refusals carry the OAuth `error` and
    /// `error_description`, never the request (which holds the secret).
    fn from(error: EntraError) -> Self {
        match error {
            EntraError::Refused { status, error, description } => {
                Error::Token { status: Some(status), error, description }
            }
            // A refusal is `Refused`, so what comes through here has no permission to name.
            EntraError::Http(http) => Error::from_http(http, READ_PERMISSION),
            EntraError::InvalidInput { parameter, reason } => Error::InvalidInput { parameter, reason },
            EntraError::ClientSetup(source) => Error::ClientSetup { source },
            other @ EntraError::Redirected { status, .. } => {
                Error::Token { status: Some(status), error: None, description: Some(other.to_string()) }
            }
            other => Error::Token { status: None, error: None, description: Some(other.to_string()) },
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
