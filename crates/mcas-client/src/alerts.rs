//! Reading alerts (a page, one alert) and marking them read or unread.

use reqwest::Method;
use serde_json::Value;

use crate::{Alert, AlertId, AlertQuery, AlertsPage, Client, Error, Result};

impl Client {
    /// Lists one page of alerts: `POST /api/v1/alerts/` with `query`'s filters, starting at
    /// `skip`.
    ///
    /// Each alert is decoded separately: one that does not decode lands in
    /// [`AlertsPage::malformed`] and the others are returned. To walk every matching alert, use
    /// [`Client::alert_pages`] or [`Client::alerts`], which page safely while alerts keep
    /// arriving.
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// use mcas_client::{AlertQuery, Severity};
    ///
    /// let query = AlertQuery::default().min_severity(Severity::High).open_only(true);
    /// let page = client.alerts_page(&query, 0).await?;
    /// for alert in &page.alerts {
    ///     println!("{} {} {}", alert.id, alert.severity, alert.title);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::FilterValidation`] when MCAS refuses a filter; [`Error::Unauthorized`],
    /// [`Error::Forbidden`], [`Error::RateLimited`], [`Error::Status`] for refusals;
    /// [`Error::Transport`]; [`Error::Decode`] when the answer is not a page at all;
    /// [`Error::BodyTooLarge`].
    pub async fn alerts_page(&self, query: &AlertQuery, skip: u64) -> Result<AlertsPage> {
        let url = self.alerts_url(&[])?;
        let body = self.call(Method::POST, url, Some(&query.request_body(skip))).await?;
        AlertsPage::from_slice(&body)
    }

    /// Fetches one alert: `GET /api/v1/alerts/<id>/`.
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// let alert = client.get_alert(&"5f06d71dba4289d0602ba5ac".into()).await?;
    /// println!("{}: {}", alert.id, alert.title);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such alert; [`Error::MalformedAlert`] when it does
    /// not decode; [`Error::InvalidInput`] for an empty id; the errors of
    /// [`Client::alerts_page`].
    pub async fn get_alert(&self, id: &AlertId) -> Result<Alert> {
        let url = self.alerts_url(&[non_empty(id)?])?;
        let body = self.call(Method::GET, url, None).await?;
        let value: Value =
            serde_json::from_slice(&body).map_err(|source| Error::Decode { what: "alert", source })?;
        Alert::from_json(&value)
    }

    /// Marks an alert as read: `POST /api/v1/alerts/<id>/read/`.
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// client.mark_read(&"5f06d71dba4289d0602ba5ac".into()).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::InvalidInput`] for an empty id, and the errors of
    /// [`Client::alerts_page`].
    pub async fn mark_read(&self, id: &AlertId) -> Result<()> {
        let url = self.alerts_url(&[non_empty(id)?, "read"])?;
        self.call(Method::POST, url, None).await.map(drop)
    }

    /// Marks an alert as unread: `POST /api/v1/alerts/<id>/unread/`.
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// client.mark_unread(&"5f06d71dba4289d0602ba5ac".into()).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Client::mark_read`].
    pub async fn mark_unread(&self, id: &AlertId) -> Result<()> {
        let url = self.alerts_url(&[non_empty(id)?, "unread"])?;
        self.call(Method::POST, url, None).await.map(drop)
    }
}

/// An id for a URL path: an empty one would address the alerts collection instead.
pub(crate) fn non_empty(id: &AlertId) -> Result<&str> {
    let id = id.as_str();
    if id.trim().is_empty() {
        return Err(Error::InvalidInput { reason: "the alert id is empty".to_owned() });
    }
    Ok(id)
}
