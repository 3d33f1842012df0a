//! Closing alerts as benign, false positive or true positive.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{AlertId, Client, Error, Result};

/// Why alerts are closed as benign (an alert on suspicious but not malicious activity, such as a
/// penetration test): the documented `reasonId` values of `close_benign`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BenignReason {
    /// `2`: the actual severity is lower.
    ActualSeverityLower,
    /// `4`: other.
    Other,
    /// `5`: confirmed with the end user.
    ConfirmedWithEndUser,
    /// `6`: triggered by a test.
    TriggeredByTest,
    /// Any other `reasonId`, sent as given.
    Code(u32),
}

impl BenignReason {
    /// The `reasonId` sent.
    pub fn reason_id(self) -> u32 {
        match self {
            BenignReason::ActualSeverityLower => 2,
            BenignReason::Other => 4,
            BenignReason::ConfirmedWithEndUser => 5,
            BenignReason::TriggeredByTest => 6,
            BenignReason::Code(id) => id,
        }
    }
}

/// Why alerts are closed as false positive (an alert on non-malicious activity): the documented
/// `reasonId` values of `close_false_positive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FalsePositiveReason {
    /// `0`: not of interest.
    NotOfInterest,
    /// `1`: too many similar alerts.
    TooManySimilarAlerts,
    /// `3`: the alert is not accurate.
    AlertNotAccurate,
    /// `4`: other.
    Other,
    /// Any other `reasonId`, sent as given.
    Code(u32),
}

impl FalsePositiveReason {
    /// The `reasonId` sent.
    pub fn reason_id(self) -> u32 {
        match self {
            FalsePositiveReason::NotOfInterest => 0,
            FalsePositiveReason::TooManySimilarAlerts => 1,
            FalsePositiveReason::AlertNotAccurate => 3,
            FalsePositiveReason::Other => 4,
            FalsePositiveReason::Code(id) => id,
        }
    }
}

/// What a close request did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CloseOutcome {
    /// How many alerts were closed (`closed_benign`, `closed_false_positive`,
    /// `closed_true_positive`).
    pub closed: u64,
    /// The ids MCAS did not find (`alertsNotFound`).
    pub not_found: Vec<AlertId>,
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
            return Err(Error::InvalidInput { reason: "no alert ids to close".to_owned() });
        }
        let ids = ids.iter().map(crate::alerts::non_empty).collect::<Result<Vec<_>>>()?;
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
