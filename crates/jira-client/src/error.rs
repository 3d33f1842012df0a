//! The crate's error type, and the mapping from the shared HTTP layer's errors and from Jira's
//! error documents (`{"errorMessages": [...], "errors": {field: message}}`) into it.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use http::StatusCode;
#[cfg(feature = "client")]
use http_support::{ErrorResponse, HttpError, SettingsError};
use http_support::{TransportError, wait_suffix};
#[cfg(feature = "client")]
use serde::Deserializer;
use serde::{Deserialize, Serialize};

/// `Result` with this crate's [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many characters of a non-JSON error body are kept for [`Error::Status`].
#[cfg(feature = "client")]
const SNIPPET_CHARS: usize = 200;

/// Everything that can go wrong talking to Jira.
///
/// The variants common to the family's clients come first, with the same names and meanings in
/// each (`Transport` to `Paging`); Jira's own follow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or its answer could not be read (connection, TLS, timeout).
    #[error("could not reach jira (after {attempts} attempt(s))")]
    Transport {
        /// The transport error.
        #[source]
        source: TransportError,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The HTTP client could not be set up (its TLS backend failed to initialise).
    #[error("could not set up the http client")]
    ClientSetup {
        /// What the HTTP stack said.
        #[source]
        source: TransportError,
    },
    /// Jira did not accept the credentials (`401`).
    #[error("jira did not accept the credentials (HTTP 401){details}")]
    Unauthorized {
        /// Jira's error document, empty when the body was not one.
        details: Box<ErrorDetails>,
    },
    /// The credentials are valid but lack a permission (`403`).
    #[error("jira denied the request: missing permission (HTTP 403){details}")]
    Forbidden {
        /// Jira's error document, empty when the body was not one.
        details: Box<ErrorDetails>,
    },
    /// The issue, project or endpoint does not exist, or the user may not see it (`404`).
    #[error("not found in jira (HTTP 404){details}")]
    NotFound {
        /// Jira's error document, empty when the body was not one.
        details: Box<ErrorDetails>,
    },
    /// Jira is rate limiting us and asked for a wait longer than the retry policy sleeps through,
    /// or kept throttling until the retries ran out.
    #[error("rate limited by jira{}", wait_suffix(*.retry_after))]
    RateLimited {
        /// The wait Jira asked for in `Retry-After`, if it said.
        retry_after: Option<Duration>,
    },
    /// Another error status. When the body is Jira's error document (most often a `400` naming
    /// the fields it did not accept) its messages are in `details`; otherwise (an HTML page from a
    /// proxy, say) `snippet` holds the start of the body.
    #[error("{}", StatusMessage(*.status, .details, .snippet))]
    Status {
        /// The HTTP status.
        status: StatusCode,
        /// Jira's `errorMessages` and field `errors`; empty when the body was not its document.
        details: Box<ErrorDetails>,
        /// The start of a body that is not Jira's document, as readable text (empty otherwise,
        /// and when there was no body).
        snippet: String,
    },
    /// Jira's answer was not the JSON document expected.
    #[error("could not decode jira's answer to {what}")]
    Decode {
        /// What was being decoded (`"create issue"`, `"search page"`).
        what: &'static str,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// An answer was larger than the client's body limit.
    #[error("jira's answer exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// An argument or a setting cannot be sent as it is (an invalid issue key, a number field
    /// given text that is not a number, a base URL that is not https); nothing was sent.
    #[error("invalid {parameter}: {reason}")]
    InvalidInput {
        /// The argument or setting at fault, by its name in this crate's API (`base_url`,
        /// `issue_key`, `label`).
        parameter: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Jira's paging made no progress: an empty page that claims more results, a repeated page
    /// token, or "more results" without a way to fetch them. Stopping beats looping forever.
    #[error("jira's paging made no progress: {reason}")]
    Paging {
        /// What went wrong.
        reason: String,
    },
    /// Jira has removed the endpoint (`410`), as Cloud did with `/rest/api/3/search` in 2025.
    #[error("jira has removed the endpoint {endpoint} (HTTP 410){details}")]
    Gone {
        /// The removed endpoint, as method and path (`"POST /rest/api/3/search"`).
        endpoint: String,
        /// Jira's error document, usually naming the replacement.
        details: Box<ErrorDetails>,
    },
    /// No field has this id or name (see [`crate::FieldResolver`]).
    #[error("no jira field is named {name:?}")]
    UnknownField {
        /// The name or id asked for.
        name: String,
    },
    /// Several fields share this name; refer to one by its id.
    #[error("several jira fields are named {name:?}: use one of the ids {}", .candidates.join(", "))]
    AmbiguousField {
        /// The name asked for.
        name: String,
        /// The ids of the fields with that name.
        candidates: Vec<String>,
    },
}

impl Error {
    /// The HTTP status of Jira's answer, when the error came from one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Status { status, .. } => Some(*status),
            Error::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Error::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            Error::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Error::Gone { .. } => Some(StatusCode::GONE),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            _ => None,
        }
    }

    /// The wait Jira asked for, for [`Error::RateLimited`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// Jira's error document, when the error carries one: always for the refusals by status
    /// (`Unauthorized`, `Forbidden`, `NotFound`, `Gone`; empty when the body was not one), and
    /// for [`Error::Status`] when its body was Jira's document.
    pub fn details(&self) -> Option<&ErrorDetails> {
        match self {
            Error::Status { details, .. } => Some(&**details).filter(|details| !details.is_empty()),
            Error::Unauthorized { details }
            | Error::Forbidden { details }
            | Error::NotFound { details }
            | Error::Gone { details, .. } => Some(details),
            _ => None,
        }
    }

    /// Whether Jira may have carried out a write despite this error: the request may have
    /// reached it (a transport failure, a `5xx`), or it answered with success and the answer
    /// could not be read. A caller that creates issues should look for the issue (by label)
    /// before trying again.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Decode { .. } | Error::BodyTooLarge { .. } => true,
            Error::Status { status, .. } => status.is_server_error(),
            _ => false,
        }
    }

    /// Whether trying again later may succeed: rate limiting, transport failures, and answers
    /// whose status a retry may cure (`408`, most `5xx`).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Transport { .. } => true,
            Error::Status { status, .. } => http_support::is_transient_status(*status),
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

    /// Maps an error of the shared HTTP layer; `endpoint` ("GET /rest/api/3/field") names a
    /// removed endpoint in [`Error::Gone`].
    #[cfg(feature = "client")]
    pub(crate) fn from_http(error: HttpError, endpoint: impl FnOnce() -> String) -> Self {
        match error {
            HttpError::Transport { source, attempts } => Error::Transport { source, attempts },
            HttpError::RateLimited { retry_after, .. } => Error::RateLimited { retry_after },
            HttpError::BodyTooLarge { limit } => Error::BodyTooLarge { limit },
            HttpError::Status(response) => Self::from_response(&response, endpoint),
        }
    }

    /// Builds the error for a non-success answer from its status and body.
    #[cfg(feature = "client")]
    pub(crate) fn from_response(response: &ErrorResponse, endpoint: impl FnOnce() -> String) -> Self {
        let parsed = ErrorDetails::parse(&response.body);
        let details = || Box::new(parsed.clone().unwrap_or_default());
        match response.status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized { details: details() },
            StatusCode::FORBIDDEN => Error::Forbidden { details: details() },
            StatusCode::NOT_FOUND => Error::NotFound { details: details() },
            StatusCode::GONE => Error::Gone { endpoint: endpoint(), details: details() },
            StatusCode::TOO_MANY_REQUESTS => {
                Error::RateLimited { retry_after: http_support::retry_after(&response.headers) }
            }
            status => match parsed {
                Some(details) => Error::Status { status, details: Box::new(details), snippet: String::new() },
                None => Error::Status {
                    status,
                    details: Box::default(),
                    snippet: response.snippet(SNIPPET_CHARS),
                },
            },
        }
    }
}

/// The message of [`Error::Status`]: Jira's refusal with its messages, or the status and the
/// start of a body that is not Jira's document.
struct StatusMessage<'a>(StatusCode, &'a ErrorDetails, &'a str);

impl fmt::Display for StatusMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let StatusMessage(status, details, snippet) = self;
        if !details.is_empty() {
            write!(f, "jira refused the request (HTTP {status}){details}")
        } else if snippet.is_empty() {
            write!(f, "jira answered HTTP {status}")
        } else {
            write!(f, "jira answered HTTP {status}: {snippet}")
        }
    }
}

/// Jira's error document: general messages and messages per field.
///
/// Its `Display` is empty when both are empty, and otherwise starts with `": "` so that it can
/// follow an error's own text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorDetails {
    /// Messages not tied to a field (`"Field 'priority' is required"`).
    #[serde(default, deserialize_with = "crate::lenient::strings")]
    pub error_messages: Vec<String>,
    /// Messages per field id (`"labels": "The label 'a b' contains spaces"`).
    #[serde(default, deserialize_with = "crate::lenient::string_map")]
    pub errors: BTreeMap<String, String>,
}

impl ErrorDetails {
    /// Whether the document holds no message at all.
    pub fn is_empty(&self) -> bool {
        self.error_messages.is_empty() && self.errors.is_empty()
    }

    /// Parses a body as a Jira error document; `None` when it is not one (HTML, empty, other
    /// JSON).
    #[cfg(feature = "client")]
    pub(crate) fn parse(body: &[u8]) -> Option<Self> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Probe {
            error_messages: Option<serde_json::Value>,
            errors: Option<serde_json::Value>,
        }
        // Only a JSON object with at least one of the two keys counts as Jira's document, so
        // that a proxy's `{"message": ...}` is reported by its snippet instead.
        let probe: Probe = serde_json::from_slice(body).ok()?;
        if probe.error_messages.is_none() && probe.errors.is_none() {
            return None;
        }
        serde_json::from_slice(body).ok()
    }
}

impl fmt::Display for ErrorDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = ": ";
        for message in &self.error_messages {
            write!(f, "{sep}{message}")?;
            sep = "; ";
        }
        for (field, message) in &self.errors {
            write!(f, "{sep}{field}: {message}")?;
            sep = "; ";
        }
        Ok(())
    }
}

/// Deserializes an [`ErrorDetails`] where it is nested in another answer (bulk create).
#[cfg(feature = "client")]
pub(crate) fn details_or_default<'de, D: Deserializer<'de>>(d: D) -> Result<ErrorDetails, D::Error> {
    Ok(Option::<ErrorDetails>::deserialize(d)?.unwrap_or_default())
}
