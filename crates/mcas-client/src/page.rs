//! A page of the alerts listing, decoded alert by alert.

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::{Alert, Error, lenient};

/// An alert in a page that could not be decoded, with what could be read of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MalformedAlert {
    /// Its `_id`, if that was a string or a number.
    pub id: Option<String>,
    /// Its `timestamp`, if that was readable.
    pub timestamp: Option<Timestamp>,
    /// Why it could not be decoded (the decoder's message, shortened).
    pub reason: String,
}

impl MalformedAlert {
    pub(crate) fn describe(value: &Value, source: &serde_json::Error) -> MalformedAlert {
        MalformedAlert {
            id: value.get("_id").cloned().and_then(lenient::text_of),
            timestamp: value.get("timestamp").and_then(lenient::timestamp_of),
            reason: lenient::shorten(&source.to_string(), 200),
        }
    }
}

impl From<MalformedAlert> for Error {
    fn from(alert: MalformedAlert) -> Self {
        Error::MalformedAlert { id: alert.id, timestamp: alert.timestamp, reason: alert.reason }
    }
}

/// One page of `POST /api/v1/alerts/`.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct AlertsPage {
    /// The alerts that decoded.
    pub alerts: Vec<Alert>,
    /// The alerts that did not; one bad alert never fails the page.
    pub malformed: Vec<MalformedAlert>,
    /// Whether the server has more alerts after this page (`hasNext`).
    pub has_next: bool,
    /// The number of alerts matching the filters, when the server says (`total`).
    pub total: Option<u64>,
}

impl AlertsPage {
    /// Decodes a page from the answer's JSON, each alert separately.
    ///
    /// # Errors
    /// [`Error::FilterValidation`] for MCAS's filter error shape; [`Error::Decode`] when the
    /// body is not JSON or has no `data` list.
    pub fn from_slice(body: &[u8]) -> Result<AlertsPage, Error> {
        let value: Value =
            serde_json::from_slice(body).map_err(|source| Error::Decode { what: "alerts page", source })?;
        if let Some(errors) = crate::error::filter_errors(&value) {
            return Err(Error::FilterValidation { errors });
        }
        let Some(data) = value.get("data").and_then(Value::as_array) else {
            return Err(Error::Decode {
                what: "alerts page",
                source: serde::de::Error::custom("the answer has no `data` list"),
            });
        };
        let mut page = AlertsPage {
            has_next: value.get("hasNext").and_then(Value::as_bool).unwrap_or(false),
            total: value.get("total").and_then(Value::as_u64),
            ..AlertsPage::default()
        };
        for raw in data {
            match Alert::deserialize(raw) {
                Ok(alert) => page.alerts.push(alert),
                Err(source) => page.malformed.push(MalformedAlert::describe(raw, &source)),
            }
        }
        Ok(page)
    }

    /// The number of alerts in the page, decoded or not.
    pub fn len(&self) -> usize {
        self.alerts.len() + self.malformed.len()
    }

    /// Whether the page holds no alert at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
