//! Comments on issues.

use http_support::Idempotency;
use jiff::Timestamp;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::Body;
use crate::issues::render_document;
use crate::richtext::Document;
use crate::{Client, CommentId, IssueKey, Result, User, lenient};

/// A comment, as Jira returns it after adding one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Comment {
    /// The comment id.
    pub id: CommentId,
    /// The API URL of the comment.
    #[serde(rename = "self", default, deserialize_with = "lenient::opt_string")]
    pub self_url: Option<String>,
    /// The body as Jira stores it: an ADF document on Cloud, wiki markup text on Server/DC.
    #[serde(default)]
    pub body: Value,
    /// Who wrote it.
    #[serde(default)]
    pub author: Option<User>,
    /// When it was written.
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub created: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub updated: Option<Timestamp>,
}

impl Client {
    /// Adds a comment to an issue (`POST /issue/{key}/comment`), rendered for the deployment.
    /// Not retried once the request may have reached Jira.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client, note: jira_client::richtext::Document) -> jira_client::Result<()> {
    /// let key = "SEC-42".parse()?;
    /// let comment = jira.add_comment(&key, &note).await?;
    /// println!("comment {}", comment.id);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] when the issue does not exist; the transport, status and
    /// decoding errors of any call.
    pub async fn add_comment(&self, key: &IssueKey, body: &Document) -> Result<Comment> {
        let url = self.api_url(&["issue", key.as_str(), "comment"])?;
        let body = json!({ "body": render_document(body, self.deployment()) });
        self.send_json(Idempotency::NonIdempotent, Method::POST, &url, Body::Json(&body), "add comment").await
    }
}
