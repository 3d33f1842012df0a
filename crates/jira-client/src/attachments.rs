//! Attachments: uploading a file to an issue.

use jiff::Timestamp;
#[cfg(feature = "client")]
use reqwest::multipart::{Form, Part};
use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use crate::client::{Body, Bytes, Client, Idempotency, Method};
use crate::{AttachmentId, lenient};
#[cfg(feature = "client")]
use crate::{Error, IssueKey, Result};

/// The longest file name accepted, in characters.
#[cfg(feature = "client")]
const MAX_FILENAME_CHARS: usize = 255;

/// An attachment, as Jira returns it after an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Attachment {
    /// The attachment id (Jira always sends it, but its own documentation has an example
    /// without one).
    #[serde(default)]
    pub id: Option<AttachmentId>,
    /// The file name.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub filename: String,
    /// The size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// The media type Jira recorded.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub mime_type: Option<String>,
    /// The URL of the content.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub content: Option<String>,
    /// When it was uploaded (Jira gives text or epoch milliseconds here).
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub created: Option<Timestamp>,
}

/// Checks a file name before it goes into a `Content-Disposition` header.
#[cfg(feature = "client")]
fn check_filename(filename: &str) -> Result<()> {
    if filename.trim().is_empty() {
        return Err(Error::invalid("filename", "empty"));
    }
    if filename.chars().any(|c| c.is_control() || c == '/' || c == '\\' || c == '"') {
        return Err(Error::invalid(
            "filename",
            format!("{filename:?} contains a control character, a quote or a path separator"),
        ));
    }
    if filename.chars().count() > MAX_FILENAME_CHARS {
        return Err(Error::invalid("filename", format!("longer than {MAX_FILENAME_CHARS} characters")));
    }
    Ok(())
}

/// The media type of a file, from its extension; `application/octet-stream` when unknown.
#[cfg(feature = "client")]
fn media_type(filename: &str) -> &'static str {
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "json" => "application/json",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(feature = "client")]
impl Client {
    /// Uploads a file to an issue (`POST /issue/{key}/attachments`, multipart field `file`,
    /// header `X-Atlassian-Token: no-check`). Not retried once the request may have reached
    /// Jira: the file would be attached twice.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let key = "SEC-42".parse()?;
    /// let attached = jira.add_attachment(&key, "alert.json", br#"{"_id":"1"}"#.to_vec()).await?;
    /// println!("attached {} file(s)", attached.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unusable file name; [`Error::Status`] (`413`) when the file
    /// is over the site's limit; the transport, status and decoding errors of any call.
    pub async fn add_attachment(
        &self,
        key: &IssueKey,
        filename: &str,
        content: impl Into<Bytes>,
    ) -> Result<Vec<Attachment>> {
        check_filename(filename)?;
        let content: Bytes = content.into();
        let url = self.api_url(&["issue", key.as_str(), "attachments"])?;
        let mime = media_type(filename);
        let filename = filename.to_owned();
        // A multipart form is consumed by sending it, so one is built per attempt; `Bytes`
        // clones share the content.
        let form = move || {
            let len = content.len() as u64;
            let part = Part::stream_with_length(content.clone(), len).file_name(filename.clone());
            // Every part gets a Content-Type: Jira records it as the attachment's type, and some
            // multipart parsers (Prism's among them) fail on a part without one.
            let part = match part.mime_str(mime) {
                Ok(typed) => typed,
                Err(_) => Part::stream_with_length(content.clone(), len).file_name(filename.clone()),
            };
            Form::new().part("file", part)
        };
        let response =
            self.send(Idempotency::NonIdempotent, Method::POST, &url, Body::Multipart(&form)).await?;
        self.read_json(response, "add attachment").await
    }
}

#[cfg(all(test, feature = "client"))]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(media_type("alert.JSON"), "application/json");
        assert_eq!(media_type("trace.log"), "text/plain");
        assert_eq!(media_type("archive.tar.gz"), "application/octet-stream");
        assert_eq!(media_type("README"), "application/octet-stream");
    }

    #[test]
    fn filenames() {
        assert!(check_filename("alert 1.json").is_ok());
        assert!(check_filename("résumé.pdf").is_ok());
        for bad in ["", "  ", "a/b", "a\\b", "a\"b", "a\r\nX-Evil: 1", &"x".repeat(256)] {
            assert!(matches!(check_filename(bad), Err(Error::InvalidInput { .. })), "{bad:?}");
        }
    }
}
