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
