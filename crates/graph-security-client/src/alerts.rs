//! The alerts endpoints: list a page, follow a next link, get, update, comment.

use bytes::Bytes;
use http_support::Idempotency;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::{
    Alert, AlertComment, AlertId, AlertQuery, AlertUpdate, AlertsPage, Client, Error, READ_PERMISSION,
    Result, WRITE_PERMISSION,
};

impl Client {
    /// Lists the first page of alerts matching `query`: `GET /v1.0/security/alerts_v2` with
    /// `$filter`, `$top` and `$count` as the query says. Graph lists the newest alerts first.
    ///
    /// Each alert is decoded separately: one that does not decode lands in
    /// [`AlertsPage::malformed`]. Follow [`AlertsPage::next_link`] with
    /// [`Client::alerts_page_at`], or let [`Client::alert_pages`] walk every page.
    ///
    /// ```no_run
    /// # async fn demo(client: graph_security_client::Client) -> graph_security_client::Result<()> {
    /// use graph_security_client::{AlertQuery, Filter, ServiceSource};
    ///
    /// let query = AlertQuery::default()
    ///     .filter(Filter::service_source(ServiceSource::MicrosoftDefenderForCloudApps))
    ///     .top(50);
    /// let page = client.alerts_page(&query).await?;
    /// for alert in &page.alerts {
    ///     println!("{} {} {}", alert.created_date_time, alert.severity, alert.title);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a query that does not check; [`Error::Token`] when no token
    /// can be had; [`Error::Unauthorized`], [`Error::Forbidden`] (naming
    /// [`SecurityAlert.Read.All`](crate::READ_PERMISSION)), [`Error::RateLimited`],
    /// [`Error::Status`] for refusals; [`Error::Transport`]; [`Error::Decode`] when the answer
    /// is not a page; [`Error::BodyTooLarge`].
    pub async fn alerts_page(&self, query: &AlertQuery) -> Result<AlertsPage> {
        let mut url = self.alerts_url(&[]);
        let parameters = query.parameters()?;
        if !parameters.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(parameters.iter().map(|(name, value)| (*name, value.as_str())));
        }
        let body = self.call(Method::GET, url, None, Idempotency::Idempotent, READ_PERMISSION).await?;
        AlertsPage::from_slice(&body)
    }

    /// Lists the page a previous page's [`AlertsPage::next_link`] names, following the link as
    /// it is.
    ///
    /// The link must point to the configured Graph endpoint (the same scheme, host and port):
    /// the request carries the tenant's access token, which must not go anywhere else.
    ///
    /// ```no_run
    /// # async fn demo(client: graph_security_client::Client) -> graph_security_client::Result<()> {
    /// let mut page = client.alerts_page(&Default::default()).await?;
    /// while let Some(link) = page.next_link.take() {
    ///     page = client.alerts_page_at(&link).await?;
    ///     println!("{} more alerts", page.alerts.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Paging`] for a link that is not a URL or points to another host; the errors of
    /// [`Client::alerts_page`].
    pub async fn alerts_page_at(&self, next_link: &str) -> Result<AlertsPage> {
        let url = Url::parse(next_link)
            .map_err(|e| Error::Paging { reason: format!("the next link is not a URL ({e})") })?;
        if !self.may_follow(&url) {
            return Err(Error::Paging {
                reason: format!(
                    "the next link points to {}, not to the configured Graph endpoint {}; it is not followed, so \
                     that the access token is not sent there",
                    origin(&url),
                    origin(self.base_url()),
                ),
            });
        }
        let body = self.call(Method::GET, url, None, Idempotency::Idempotent, READ_PERMISSION).await?;
        AlertsPage::from_slice(&body)
    }

    /// Fetches one alert: `GET /v1.0/security/alerts_v2/{id}`.
    ///
    /// ```no_run
    /// # async fn demo(client: graph_security_client::Client) -> graph_security_client::Result<()> {
    /// let alert = client.get_alert(&"da637551227677560813_-961444813".into()).await?;
    /// println!("{}: {} ({} evidence)", alert.id, alert.title, alert.evidence.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such alert; [`Error::MalformedAlert`] when it does
    /// not decode; [`Error::InvalidInput`] for an empty id; the errors of
    /// [`Client::alerts_page`].
    pub async fn get_alert(&self, id: &AlertId) -> Result<Alert> {
        let url = self.alerts_url(&[non_empty(id)?]);
        let body = self.call(Method::GET, url, None, Idempotency::Idempotent, READ_PERMISSION).await?;
        let value: Value =
            serde_json::from_slice(&body).map_err(|source| Error::Decode { what: "alert", source })?;
        Alert::from_json(&value)
    }

    /// Changes an alert's status, classification, determination or owner:
    /// `PATCH /v1.0/security/alerts_v2/{id}`. Returns the updated alert, or `None` if Graph
    /// answered without a body.
    ///
    /// Repeating the same update leaves the alert as one update does, so a failed attempt is
    /// retried like a read.
    ///
    /// ```no_run
    /// # async fn demo(client: graph_security_client::Client) -> graph_security_client::Result<()> {
    /// use graph_security_client::{AlertStatus, AlertUpdate, Classification, Determination};
    ///
    /// let update = AlertUpdate::default()
    ///     .status(AlertStatus::Resolved)
    ///     .classification(Classification::TruePositive)
    ///     .determination(Determination::CompromisedAccount);
    /// client.update_alert(&"da637551227677560813_-961444813".into(), &update).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty id or an update that does not check
    /// ([`AlertUpdate::to_json`]); [`Error::Forbidden`] naming
    /// [`SecurityAlert.ReadWrite.All`](crate::WRITE_PERMISSION); the errors of
    /// [`Client::get_alert`].
    pub async fn update_alert(&self, id: &AlertId, update: &AlertUpdate) -> Result<Option<Alert>> {
        let body = Bytes::from(update.to_json()?);
        let url = self.alerts_url(&[non_empty(id)?]);
        let answer =
            self.call(Method::PATCH, url, Some(body), Idempotency::Idempotent, WRITE_PERMISSION).await?;
        if answer.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let value: Value = serde_json::from_slice(&answer)
            .map_err(|source| Error::Decode { what: "updated alert", source })?;
        Alert::from_json(&value).map(Some)
    }

    /// Adds a comment to an alert: `POST /v1.0/security/alerts_v2/{id}/comments`. Returns the
    /// alert's comments, the new one last, as Graph answers.
    ///
    /// Posting twice makes two comments, so a failed attempt is not repeated unless Graph
    /// turned it away (`429`) without acting on it.
    ///
    /// ```no_run
    /// # async fn demo(client: graph_security_client::Client) -> graph_security_client::Result<()> {
    /// let comments = client
    ///     .add_comment(&"da637551227677560813_-961444813".into(), "Ticket SEC-4182 resolved as Done.")
    ///     .await?;
    /// println!("{} comments", comments.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty id or comment; the errors of
    /// [`Client::update_alert`].
    pub async fn add_comment(&self, id: &AlertId, comment: &str) -> Result<Vec<AlertComment>> {
        if comment.trim().is_empty() {
            return Err(Error::invalid("comment", "empty"));
        }
        let body = serde_json::json!({
            "@odata.type": "microsoft.graph.security.alertComment",
            "comment": comment,
        });
        let url = self.alerts_url(&[non_empty(id)?, "comments"]);
        let answer = self
            .call(
                Method::POST,
                url,
                Some(Bytes::from(body.to_string())),
                Idempotency::NonIdempotent,
                WRITE_PERMISSION,
            )
            .await?;
        if answer.iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        let value: Value = serde_json::from_slice(&answer)
            .map_err(|source| Error::Decode { what: "comment list", source })?;
        // Documented as `{"value": [...]}`; a bare list is read too.
        let list = value.get("value").unwrap_or(&value);
        Ok(list
            .as_array()
            .map(|items| items.iter().filter_map(|item| AlertComment::deserialize(item).ok()).collect())
            .unwrap_or_default())
    }
}

/// An id for a URL path: an empty one would address the alerts collection instead.
fn non_empty(id: &AlertId) -> Result<&str> {
    let id = id.as_str();
    if id.trim().is_empty() {
        return Err(Error::invalid("id", "empty"));
    }
    Ok(id)
}

/// `scheme://host:port` of a URL, for messages (never its path or query).
fn origin(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
        (Some(host), None) => format!("{}://{host}", url.scheme()),
        (None, _) => url.scheme().to_owned(),
    }
}
