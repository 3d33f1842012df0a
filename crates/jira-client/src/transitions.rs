//! Workflow transitions: listing those available to an issue, and performing one.

use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use crate::client::{Body, Bytes, Client, Idempotency, Method};
#[cfg(feature = "client")]
use crate::{IssueKey, IssueUpdate, Result};
use crate::{Status, TransitionId, lenient};

/// A transition the issue can take now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Transition {
    /// The id to pass to [`Client::transition`].
    pub id: TransitionId,
    /// The name (`"Start Progress"`, `"Close Issue"`).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub name: String,
    /// The status the issue moves to.
    #[serde(default)]
    pub to: Option<Status>,
    /// Whether the transition has a screen (fields that may be set with it).
    #[serde(default)]
    pub has_screen: Option<bool>,
}

#[cfg(feature = "client")]
#[derive(Deserialize)]
struct Transitions {
    #[serde(default, deserialize_with = "lenient::null_default")]
    transitions: Vec<Transition>,
}

#[cfg(feature = "client")]
impl Client {
    /// Lists the transitions the issue can take now (`GET /issue/{key}/transitions`).
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let key = "SEC-42".parse()?;
    /// for t in jira.transitions(&key).await? {
    ///     println!("{} -> {:?}", t.name, t.to.map(|s| s.name));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] when the issue does not exist; the transport, status and
    /// decoding errors of any call.
    pub async fn transitions(&self, key: &IssueKey) -> Result<Vec<Transition>> {
        let url = self.api_url(&["issue", key.as_str(), "transitions"])?;
        let answer: Transitions = self.get_json(&url, "list transitions").await?;
        Ok(answer.transitions)
    }

    /// Moves the issue through a transition (`POST /issue/{key}/transitions`), setting the
    /// fields, labels and comment of `with` on the way (pass `&IssueUpdate::default()` for none).
    ///
    /// Not retried after the request may have reached Jira: the issue may have moved on, and a
    /// second attempt would fail or add the comment twice.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use jira_client::IssueUpdate;
    /// let key = "SEC-42".parse()?;
    /// let done = jira.transitions(&key).await?.into_iter().find(|t| t.name == "Done");
    /// if let Some(done) = done {
    ///     jira.transition(&key, &done.id, &IssueUpdate::default()).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::Status`] when the transition is not available or a field is refused; the
    /// transport and status errors of any call.
    pub async fn transition(&self, key: &IssueKey, id: &TransitionId, with: &IssueUpdate) -> Result<()> {
        let url = self.api_url(&["issue", key.as_str(), "transitions"])?;
        let body = Bytes::from(with.write_request(self.deployment(), Some(id)));
        self.send(Idempotency::NonIdempotent, Method::POST, &url, Body::JsonText(body)).await?;
        Ok(())
    }
}
