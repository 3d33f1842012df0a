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
    /// characters replaced, for error messages. An HTML page (a proxy's or a login page) is
    /// reduced to its text, without tags, scripts or styles: `502 Bad Gateway nginx` rather than
    /// the start of its markup.
    pub fn snippet(&self, max_chars: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text = if self.is_html(&text) { html_text(&text) } else { text.into_owned() };
        let mut out = String::new();
        let mut last_space = true;
        let mut count = 0;
        for c in text.chars() {
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
            count += 1;
        }
        out.trim_end().to_owned()
    }

    /// Whether the body is an HTML page: said so by its `Content-Type`, or looking like one.
    fn is_html(&self, text: &str) -> bool {
        let declared = self
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("html"));
        let head: String = text.trim_start().chars().take(200).collect::<String>().to_ascii_lowercase();
        declared || head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head")
    }
}

/// The text of an HTML page: tags, comments, scripts and styles dropped, the common entities
/// decoded. Not a parser: enough to show a person what an error page says, never markup.
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(4096));
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..open]));
        out.push(' ');
        let tag = &rest[open..];
        let lower: String = tag.chars().take(8).collect::<String>().to_ascii_lowercase();
        // What a script, a style or a comment holds is not for reading: skip to its end.
        let end = if lower.starts_with("<!--") {
            tag.find("-->").map(|i| i + 3)
        } else if lower.starts_with("<script") || lower.starts_with("<style") {
            let close = if lower.starts_with("<script") { "</script" } else { "</style" };
            tag.to_ascii_lowercase().find(close).and_then(|i| tag[i..].find('>').map(|j| i + j + 1))
        } else {
            tag.find('>').map(|i| i + 1)
        };
        match end {
            Some(end) => rest = &tag[end..],
            None => return out,
        }
    }
    out.push_str(&decode_entities(rest));
    out
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(content_type: Option<&str>, body: &str, max: usize) -> String {
        let mut headers = HeaderMap::new();
        if let Some(value) = content_type {
            headers.insert(http::header::CONTENT_TYPE, value.parse().unwrap());
        }
        ErrorResponse::new(StatusCode::BAD_GATEWAY, headers, body.to_owned()).snippet(max)
    }

    #[test]
    fn an_html_page_becomes_its_text() {
        let nginx = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>";
        assert_eq!(snippet(Some("text/html"), nginx, 300), "502 Bad Gateway 502 Bad Gateway nginx");
        // Recognised without a content type as well.
        assert_eq!(snippet(None, nginx, 15), "502 Bad Gateway…");
        let page = "<!DOCTYPE html><html><head><style>body{color:red}</style><script>var a = '<b>';</script>\
                    <!-- a <comment> --></head><body><p>Sign in &amp; retry &lt;now&gt;</p></body></html>";
        assert_eq!(snippet(None, page, 300), "Sign in & retry <now>");
    }

    #[test]
    fn other_bodies_are_kept_as_they_are() {
        assert_eq!(snippet(Some("application/json"), "{\"a\":\n 1}", 300), "{\"a\": 1}");
        assert_eq!(snippet(None, "a < b and c > d", 300), "a < b and c > d");
        assert_eq!(snippet(None, "<unclosed", 300), "<unclosed");
    }
}
