//! Bounded reading of response bodies.

use bytes::Bytes;
#[cfg(feature = "client")]
use bytes::BytesMut;
use http::{HeaderMap, StatusCode};
#[cfg(feature = "client")]
use reqwest::Response;

#[cfg(feature = "client")]
use crate::{HttpError, TransportError};

/// The default cap on a success body: 16 MiB, far above any page these APIs return.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;

/// The default cap on a captured error body: 64 KiB, enough for any JSON error document.
pub const DEFAULT_MAX_ERROR_BODY: usize = 64 * 1024;

/// A non-success answer, with its body captured up to [`DEFAULT_MAX_ERROR_BODY`] bytes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers (rate-limit headers among them).
    pub headers: HeaderMap,
    /// The body, up to the cap.
    pub body: Bytes,
    /// Whether the body was cut at the cap.
    pub truncated: bool,
}

impl ErrorResponse {
    /// Reads the error body of `response`, keeping at most `max` bytes. A body that cannot be
    /// read (the connection dropped) is kept as empty: the status alone still tells what happened.
    #[cfg(feature = "client")]
    pub async fn capture(mut response: Response, max: usize) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = BytesMut::new();
        let mut truncated = false;
        while let Ok(Some(chunk)) = response.chunk().await {
            let room = max - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Self { status, headers, body: body.freeze(), truncated }
    }

    /// Builds an error response from parts (for tests and for fakes).
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self { status, headers, body: body.into(), truncated: false }
    }

    /// The body as text, lossily decoded, cut to at most `max_chars` characters and with control
    /// characters replaced, for error messages: an HTML error page becomes a short readable snippet.
    pub fn snippet(&self, max_chars: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let mut out = String::new();
        let mut last_space = true;
        for (count, c) in text.chars().enumerate() {
            if count >= max_chars {
                out.push('…');
                break;
            }
            let c = if c.is_control() || c.is_whitespace() { ' ' } else { c };
            if c == ' ' {
                if last_space {
                    continue;
                }
                last_space = true;
            } else {
                last_space = false;
            }
            out.push(c);
        }
        out.trim_end().to_owned()
    }
}

/// Reads a success body, failing with [`HttpError::BodyTooLarge`] past `max` bytes rather than
/// holding an unbounded answer in memory.
///
/// # Errors
/// [`HttpError::BodyTooLarge`] past the cap; [`HttpError::Transport`] when the body cannot be read.
#[cfg(feature = "client")]
pub async fn read_body(mut response: Response, max: usize) -> Result<Bytes, HttpError> {
    if let Some(len) = response.content_length()
        && len > max as u64
    {
        return Err(HttpError::BodyTooLarge { limit: max });
    }
    let mut body = BytesMut::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max {
                    return Err(HttpError::BodyTooLarge { limit: max });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body.freeze()),
            Err(source) => {
                return Err(HttpError::Transport {
                    source: TransportError::from_reqwest(source),
                    attempts: 1,
                });
            }
        }
    }
}
