//! The calls on alerts: reading (a page, one alert), marking read or unread, and closing as
//! benign, false positive or true positive.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    Alert, AlertId, AlertQuery, AlertsPage, BenignReason, Client, CloseOutcome, Error, FalsePositiveReason,
    Result,
};

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
        return Err(Error::invalid("id", "empty"));
    }
    Ok(id)
}

impl Client {
    /// Closes alerts as benign: `POST /api/v1/alerts/close_benign/`.
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// use mcas_client::{AlertId, BenignReason};
    ///
    /// let ids = [AlertId::new("5f06d71dba4289d0602ba5ac")];
    /// let outcome = client.close_benign(&ids, "authorized pen test", BenignReason::TriggeredByTest).await?;
    /// println!("closed {}, not found {:?}", outcome.closed, outcome.not_found);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty id list or an empty id (never sent: a filter on no
    /// ids could match more than meant); [`Error::FilterValidation`] for ids MCAS refuses; the
    /// errors of [`Client::alerts_page`].
    pub async fn close_benign(
        &self,
        ids: &[AlertId],
        comment: &str,
        reason: BenignReason,
    ) -> Result<CloseOutcome> {
        self.close("close_benign", "closed_benign", ids, comment, Some(reason.reason_id())).await
    }

    /// Closes alerts as false positive: `POST /api/v1/alerts/close_false_positive/`.
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// use mcas_client::{AlertId, FalsePositiveReason};
    ///
    /// let ids = [AlertId::new("5f06d71dba4289d0602ba5ac")];
    /// client.close_false_positive(&ids, "known VPN egress", FalsePositiveReason::AlertNotAccurate).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Client::close_benign`].
    pub async fn close_false_positive(
        &self,
        ids: &[AlertId],
        comment: &str,
        reason: FalsePositiveReason,
    ) -> Result<CloseOutcome> {
        self.close("close_false_positive", "closed_false_positive", ids, comment, Some(reason.reason_id()))
            .await
    }

    /// Closes alerts as true positive: `POST /api/v1/alerts/close_true_positive/` (no reason).
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// use mcas_client::AlertId;
    ///
    /// let ids = [AlertId::new("5f06d71dba4289d0602ba5ac")];
    /// client.close_true_positive(&ids, "account reset, see SEC-123").await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Client::close_benign`].
    pub async fn close_true_positive(&self, ids: &[AlertId], comment: &str) -> Result<CloseOutcome> {
        self.close("close_true_positive", "closed_true_positive", ids, comment, None).await
    }

    async fn close(
        &self,
        route: &str,
        count_key: &str,
        ids: &[AlertId],
        comment: &str,
        reason_id: Option<u32>,
    ) -> Result<CloseOutcome> {
        if ids.is_empty() {
            return Err(Error::invalid("ids", "no alert ids to close"));
        }
        let ids = ids.iter().map(non_empty).collect::<Result<Vec<_>>>()?;
        let mut body = json!({
            "filters": { "id": { "eq": ids } },
            "comment": comment,
        });
        if let (Some(reason_id), Value::Object(map)) = (reason_id, &mut body) {
            map.insert("reasonId".to_owned(), json!(reason_id));
        }
        let url = self.alerts_url(&[route])?;
        let answer = self.call(Method::POST, url, Some(&body)).await?;
        close_outcome(&answer, count_key)
    }
}

fn close_outcome(body: &[u8], count_key: &str) -> Result<CloseOutcome> {
    let value: Value =
        serde_json::from_slice(body).map_err(|source| Error::Decode { what: "close answer", source })?;
    if let Some(errors) = crate::error::filter_errors(&value) {
        return Err(Error::FilterValidation { errors });
    }
    // The count's key names the kind of close; accept any `closed…` key in case it changes.
    let closed = value.get(count_key).and_then(Value::as_u64).or_else(|| {
        value.as_object()?.iter().find(|(key, _)| key.starts_with("closed")).and_then(|(_, v)| v.as_u64())
    });
    let not_found = value
        .get("alertsNotFound")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter().filter_map(|id| crate::lenient::text_of(id.clone())).map(AlertId::from).collect()
        })
        .unwrap_or_default();
    Ok(CloseOutcome { closed: closed.unwrap_or(0), not_found })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(body: &str, key: &str, closed: u64, not_found: &[&str]) {
        let outcome = close_outcome(body.as_bytes(), key).unwrap();
        assert_eq!(outcome.closed, closed);
        assert_eq!(outcome.not_found, not_found.iter().map(|id| AlertId::from(*id)).collect::<Vec<_>>());
    }

    #[test]
    fn outcomes() {
        check(r#"{"closed_benign": 2}"#, "closed_benign", 2, &[]);
        check(r#"{"closed_benign": 0, "alertsNotFound": ["a", "b"]}"#, "closed_benign", 0, &["a", "b"]);
        check(r#"{"closed_false_positive": 1}"#, "closed_false_positive", 1, &[]);
        check(r#"{"closedTruePositive": 3}"#, "closed_true_positive", 3, &[]);
        check(r#"{}"#, "closed_true_positive", 0, &[]);
    }
}
