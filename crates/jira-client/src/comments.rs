//! Comments on issues.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[cfg(feature = "client")]
use crate::client::{Body, Bytes, Client, Idempotency, Method};
use crate::{CommentId, User, lenient};
#[cfg(feature = "client")]
use crate::{IssueKey, Result, json_text::Object, new_issue::write_document, richtext::Document};

/// Comments asked for per page when listing them.
#[cfg(feature = "client")]
const COMMENT_PAGE: u32 = 100;

/// One page of `GET /issue/{key}/comment` (the same shape on both deployments).
#[cfg(feature = "client")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentPage {
    #[serde(default, deserialize_with = "lenient::null_default")]
    comments: Vec<Comment>,
    #[serde(default)]
    total: Option<u64>,
}

/// A comment, as Jira returns it after adding one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[cfg(feature = "client")]
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
        let mut text = String::new();
        let mut object = Object::start(&mut text);
        write_document(object.key("body"), body, self.deployment());
        object.end();
        let body = Body::JsonText(Bytes::from(text));
        self.send_json(Idempotency::NonIdempotent, Method::POST, &url, body, "add comment").await
    }

    /// Lists every comment of an issue, oldest first (`GET /issue/{key}/comment`, page by page).
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let key = "SEC-42".parse()?;
    /// for comment in jira.comments(&key).await? {
    ///     println!("{} by {:?}", comment.id, comment.author.map(|a| a.display_name));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] when the issue does not exist; the transport, status and
    /// decoding errors of any call.
    pub async fn comments(&self, key: &IssueKey) -> Result<Vec<Comment>> {
        let mut all: Vec<Comment> = Vec::new();
        loop {
            let mut url = self.api_url(&["issue", key.as_str(), "comment"])?;
            url.query_pairs_mut()
                .append_pair("startAt", &all.len().to_string())
                .append_pair("maxResults", &COMMENT_PAGE.to_string());
            let page: CommentPage = self.get_json(&url, "list comments").await?;
            let got = page.comments.len();
            all.extend(page.comments);
            // An empty page ends the walk even if `total` claims more, rather than looping.
            let more = page.total.is_some_and(|total| (all.len() as u64) < total);
            if !more || got == 0 {
                return Ok(all);
            }
        }
    }
}
