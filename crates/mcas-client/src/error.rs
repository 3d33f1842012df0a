//! The crate's error type, and how answers of the service become one.

use std::time::Duration;

use http::StatusCode;
#[cfg(feature = "client")]
use http_support::entra::EntraError;
#[cfg(feature = "client")]
use http_support::{ErrorResponse, HttpError, SettingsError};
use http_support::{TransportError, wait_suffix};
use jiff::Timestamp;
use serde_json::Value;

/// The result of this crate's calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a call to Defender for Cloud Apps (or to Microsoft Entra for a token) failed.
///
/// The variants common to the family's clients come first, with the same names and meanings in
/// each (`Transport` to `Paging`); MCAS's own follow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or its answer could not be read (connection, TLS, timeout).
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
    /// `401`: the API token or the Entra access token was refused.
    #[error("authentication refused{}", suffix(.detail))]
    Unauthorized {
        /// MCAS's `detail`, e.g. `Invalid token`, or a snippet of the body.
        detail: Option<String>,
    },
    /// `403`: the credentials lack the permission for this call.
    #[error("permission denied{}", suffix(.detail))]
    Forbidden {
        /// MCAS's `detail`, or a snippet of the body.
        detail: Option<String>,
    },
    /// `404`: no such alert (or a base URL that is not an MCAS portal's: the URL requested says
    /// which).
    #[error("not found{}{}", at(.url), suffix(.detail))]
    NotFound {
        /// MCAS's `detail`, or a snippet of the body.
        detail: Option<String>,
        /// The URL requested, so that a base URL with a path too many (`…/api/v1/alerts/` pasted
        /// whole) shows in the message. It holds no secret: MCAS credentials go in a header.
        url: Option<url::Url>,
    },
    /// The service throttled us (`429`, or an answer that says it throttled) and either asked
    /// for a wait longer than the retry policy allows or kept throttling until the retries ran
    /// out.
    #[error("rate limited{}", wait_suffix(*.retry_after))]
    RateLimited {
        /// The wait the service asked for, if it said.
        retry_after: Option<Duration>,
    },
    /// Another non-success answer, with what its body said.
    #[error("server answered HTTP {status}{}", suffix(&.body.detail))]
    Status {
        /// The HTTP status.
        status: StatusCode,
        /// What the body said.
        body: Box<ApiErrorBody>,
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
    /// An argument or a setting cannot be used (an empty id list, a base URL that cannot take a
    /// path, plain HTTP to a remote host…); nothing was sent.
    #[error("invalid {parameter}: {reason}")]
    InvalidInput {
        /// The argument or setting at fault, by its name in this crate's API (`base_url`, `ids`).
        parameter: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The server's paging made no progress (it repeated the same alerts), so the walk stopped
    /// rather than loop.
    #[error("paging stopped: {reason}")]
    Paging {
        /// What went wrong.
        reason: String,
    },
    /// Microsoft Entra refused to issue an access token.
    #[error("could not get an access token from Microsoft Entra{}{}", suffix(.error), match .status { Some(s) => format!(" (HTTP {s})"), None => String::new() })]
    Token {
        /// The HTTP status of the token endpoint's answer.
        status: Option<StatusCode>,
        /// The OAuth `error` code, e.g. `invalid_client`.
        error: Option<String>,
        /// The OAuth `error_description`.
        description: Option<String>,
    },
    /// MCAS refused the filters of a request (`{"filters":[{"error":…}],"error":true}`).
    #[error("filters rejected{}", suffix(&.errors.first().and_then(|e| e.error.clone())))]
    FilterValidation {
        /// One entry per refused filter.
        errors: Vec<FilterError>,
    },
    /// One alert of a page could not be decoded. `Client::alerts` yields this and goes on with
    /// the next alert.
    #[error("alert {} could not be decoded: {reason}", .id.as_deref().unwrap_or("without a usable id"))]
    MalformedAlert {
        /// Its `_id`, if readable.
        id: Option<String>,
        /// Its `timestamp`, if readable.
        timestamp: Option<Timestamp>,
        /// Why it could not be decoded.
        reason: String,
    },
}

fn at(url: &Option<url::Url>) -> String {
    url.as_ref().map(|url| format!(" at {url}")).unwrap_or_default()
}

fn suffix(detail: &Option<String>) -> String {
    match detail {
        Some(detail) if !detail.is_empty() => format!(": {detail}"),
        _ => String::new(),
    }
}

/// The body of a non-success answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// MCAS's `detail` (or another message field), or else a short snippet of the body.
    pub detail: Option<String>,
    /// The body, when it was JSON.
    pub json: Option<Value>,
    /// The start of the body as text, whitespace collapsed (an HTML error page becomes a short
    /// readable line).
    pub snippet: String,
}

impl ApiErrorBody {
    #[cfg(feature = "client")]
    fn from_response(response: &ErrorResponse) -> Self {
        let json: Option<Value> = serde_json::from_slice(&response.body).ok();
        let snippet = response.snippet(300);
        let detail = json
            .as_ref()
            .and_then(|json| {
                ["detail", "message", "error_description", "error"]
                    .iter()
                    .find_map(|key| json.get(key).and_then(Value::as_str))
            })
            .map(|detail| crate::lenient::shorten(detail, 300))
            .or_else(|| (!snippet.is_empty()).then(|| snippet.clone()));
        Self { detail, json, snippet }
    }
}

/// One refused filter, from MCAS's filter validation error.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FilterError {
    /// The message, e.g. `<id> is not valid`.
    #[serde(default, deserialize_with = "crate::lenient::text")]
    pub error: Option<String>,
    /// The code, e.g. `CONSOLE_FORMS_NOT_VALID_VALUE`.
    #[serde(default, deserialize_with = "crate::lenient::text")]
    pub error_message_code: Option<String>,
    /// The parameters of the message.
    #[serde(default)]
    pub error_message_params: Option<Value>,
}

/// MCAS's filter validation shape, `{"filters":[{"error":…,"errorMessageCode":…}],"error":true}`.
pub(crate) fn filter_errors(value: &Value) -> Option<Vec<FilterError>> {
    if value.get("error").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    let filters = value.get("filters")?.as_array()?;
    Some(filters.iter().filter_map(|item| serde_json::from_value(item.clone()).ok()).collect())
}

/// Whether an answer is MCAS throttling us. How that looks is not documented, so besides `429`
/// (which `http_support::send` knows) any answer whose body mentions throttling counts.
#[cfg(feature = "client")]
pub(crate) fn is_throttled(response: &ErrorResponse) -> bool {
    String::from_utf8_lossy(&response.body).to_ascii_lowercase().contains("throttl")
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

    /// The wait the service asked for, for [`Error::RateLimited`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// Whether trying again later may succeed: rate limiting, transport failures, and answers
    /// whose status a retry may cure (`408`, most `5xx`).
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

    /// The error for a failed MCAS call.
    #[cfg(feature = "client")]
    pub(crate) fn from_http(error: HttpError) -> Self {
        match error {
            HttpError::Transport { source, attempts } => Error::Transport { source, attempts },
            HttpError::RateLimited { retry_after, .. } => Error::RateLimited { retry_after },
            HttpError::BodyTooLarge { limit } => Error::BodyTooLarge { limit },
            HttpError::Status(response) => Error::from_response(&response),
        }
    }

    #[cfg(feature = "client")]
    fn from_response(response: &ErrorResponse) -> Self {
        let body = ApiErrorBody::from_response(response);
        if let Some(errors) = body.json.as_ref().and_then(filter_errors) {
            return Error::FilterValidation { errors };
        }
        match response.status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized { detail: body.detail },
            StatusCode::FORBIDDEN => Error::Forbidden { detail: body.detail },
            StatusCode::NOT_FOUND => Error::NotFound { detail: body.detail, url: None },
            status => Error::Status { status, body: Box::new(body) },
        }
    }

    /// The error for a failed call to `url`: a `404` names it.
    #[cfg(feature = "client")]
    pub(crate) fn from_http_at(error: HttpError, url: &url::Url) -> Self {
        match Error::from_http(error) {
            Error::NotFound { detail, .. } => Error::NotFound { detail, url: Some(url.clone()) },
            other => other,
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
            EntraError::Http(http) => Error::from_http(http),
            EntraError::InvalidInput { parameter, reason } => Error::InvalidInput { parameter, reason },
            EntraError::ClientSetup(source) => Error::ClientSetup { source },
            other @ EntraError::Redirected { status, .. } => {
                Error::Token { status: Some(status), error: None, description: Some(other.to_string()) }
            }
            other => Error::Token { status: None, error: None, description: Some(other.to_string()) },
        }
    }
}
