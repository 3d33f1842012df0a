//! Why no access token could be had.

use http::StatusCode;
use serde_json::Value;

use crate::{HttpError, TransportError};

/// Why no access token could be had.
///
/// Like the clients' errors, it names no type of the HTTP stack: transport failures are the
/// opaque [`TransportError`] (inside [`HttpError`]), statuses are `http` 1.x types.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EntraError {
    /// The token endpoint refused: the OAuth error answer, e.g. `invalid_client` (a wrong
    /// secret) or `unauthorized_client` (the app is not consented in the tenant).
    #[error("Microsoft Entra refused to issue a token{}{} (HTTP {status})", suffix(.error), suffix(.description))]
    Refused {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The OAuth `error` code.
        error: Option<String>,
        /// The OAuth `error_description` (Entra's `AADSTS…` message), or a snippet of the body.
        description: Option<String>,
    },
    /// The token endpoint answered with a redirect, which is not followed so that the client
    /// secret stays with the authority.
    #[error("the token endpoint answered a redirect (HTTP {status}){}; it is not followed, so that the secret is sent only to the authority", match .location_host { Some(host) => format!(" to {host}"), None => String::new() })]
    Redirected {
        /// The redirect status.
        status: StatusCode,
        /// The host the redirect pointed to, if it named one.
        location_host: Option<String>,
    },
    /// The token request failed on the way: transport, throttling, an oversized answer.
    #[error("token request failed")]
    Http(#[source] HttpError),
    /// The answer was not a token answer.
    #[error("the token answer cannot be used: {reason}")]
    Decode {
        /// What is wrong with it.
        reason: String,
    },
    /// A setting or an argument cannot be used: an empty client id or secret, a malformed tenant
    /// id, a plain-http authority, an empty scope…; nothing was sent.
    #[error("invalid {parameter}: {reason}")]
    InvalidInput {
        /// The setting or argument at fault: `client_id`, `client_secret`, `authority`,
        /// `tenant_id`, `scope` or `access_token`.
        parameter: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client for token requests could not be set up (its TLS backend failed to
    /// initialise).
    #[error("could not set up the HTTP client for token requests")]
    ClientSetup(#[source] TransportError),
}

impl EntraError {
    pub(crate) fn invalid(parameter: &'static str, reason: impl Into<String>) -> Self {
        EntraError::InvalidInput { parameter, reason: reason.into() }
    }
}

fn suffix(text: &Option<String>) -> String {
    match text {
        Some(text) if !text.is_empty() => format!(": {text}"),
        _ => String::new(),
    }
}

/// The OAuth error answer of a refusal: its `error` and `error_description`, never the request
/// (which holds the secret).
pub(super) fn refusal(response: &crate::ErrorResponse) -> EntraError {
    let json: Option<Value> = serde_json::from_slice(&response.body).ok();
    let field = |key: &str| {
        json.as_ref().and_then(|json| json.get(key)).and_then(Value::as_str).map(|text| shorten(text, 500))
    };
    let description =
        field("error_description").or_else(|| Some(response.snippet(300)).filter(|s| !s.is_empty()));
    EntraError::Refused { status: response.status, error: field("error"), description }
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
