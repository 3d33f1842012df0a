//! What the fakes' Microsoft Entra token endpoints share.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::json;

/// An error in the shape Microsoft Entra's token endpoint uses.
pub(crate) fn entra_error(status: StatusCode, error: &str, code: u32, message: &str) -> Response {
    let now = Timestamp::now();
    let trace = format!(
        "{:08x}-{:04x}-4000-8000-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u64(..) >> 16
    );
    (
        status,
        axum::Json(        json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {message} Trace ID: {trace} Correlation ID: {trace} Timestamp: {now}"),
            "error_codes": [code],
            "timestamp": now.to_string(),
            "trace_id": trace,
            "correlation_id": trace,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        })),
    )
        .into_response()
}

/// Entra's answer to a token request whose body is not a form.
pub(crate) fn not_a_form() -> Response {
    entra_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
    )
}

/// Checks a client-credentials token request as Entra does, in its order: the tenant, the grant
/// type, the application, its secret, the scope. `secret_of` gives the secret of a client id the
/// tenant knows. Returns the client id, or Entra's refusal.
pub(crate) fn check_grant<'a>(
    form: &'a std::collections::HashMap<String, String>,
    tenant_id: &str,
    tenant_known: bool,
    secret_of: impl Fn(&str) -> Option<&'a str>,
    scope: &str,
) -> Result<&'a str, Response> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if !tenant_known {
        return Err(entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant_id}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        ));
    }
    if field("grant_type") != "client_credentials" {
        return Err(entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        ));
    }
    let client_id = field("client_id");
    let Some(secret) = secret_of(client_id) else {
        return Err(entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant_id}'."
            ),
        ));
    };
    if field("client_secret") != secret {
        return Err(entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
        ));
    }
    if field("scope") != scope {
        return Err(entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!("The provided value for scope {} is not valid.", field("scope")),
        ));
    }
    Ok(client_id)
}

/// A new access token in a JWT's shape: a real header, `claims` (which a client may read, e.g.
/// `roles`), and a random stand-in for the signature, which makes each token unique.
pub(crate) fn new_token(claims: &serde_json::Value) -> String {
    use base64::Engine as _;
    format!(
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.{}.{:016x}{:016x}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string()),
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

/// The token endpoint's answer for `token`, valid for `lifetime`.
pub(crate) fn token_answer(token: &str, lifetime: std::time::Duration) -> Response {
    (
        StatusCode::OK,
        axum::Json(json!({
            "token_type": "Bearer",
            "expires_in": lifetime.as_secs(),
            "ext_expires_in": lifetime.as_secs(),
            "access_token": token,
        })),
    )
        .into_response()
}
