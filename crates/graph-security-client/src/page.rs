//! A page of the alerts listing, decoded alert by alert.

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::{Alert, Error, lenient};

/// An alert in a page that could not be decoded, with what could be read of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MalformedAlert {
    /// Its `id`, if readable.
    pub id: Option<String>,
    /// Its `createdDateTime`, if readable.
    pub created: Option<Timestamp>,
    /// Why it could not be decoded (the decoder's message, shortened).
    pub reason: String,
}

impl MalformedAlert {
    pub(crate) fn describe(value: &Value, source: &serde_json::Error) -> MalformedAlert {
        MalformedAlert {
            id: value.get("id").cloned().and_then(lenient::text_of).filter(|id| !id.trim().is_empty()),
            created: value.get("createdDateTime").and_then(lenient::timestamp_of),
            reason: lenient::shorten(&source.to_string(), 200),
        }
    }
}

impl From<MalformedAlert> for Error {
    fn from(alert: MalformedAlert) -> Self {
        Error::MalformedAlert { id: alert.id, reason: alert.reason }
    }
}

/// One page of `GET /security/alerts_v2`: `{"value": [...], "@odata.nextLink": "..."}`.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct AlertsPage {
    /// The alerts that decoded, in the service's order (newest first).
    pub alerts: Vec<Alert>,
    /// The alerts that did not; one bad alert never fails the page.
    pub malformed: Vec<MalformedAlert>,
    /// The link to the next page (`@odata.nextLink`), an absolute URL to follow as it is.
    pub next_link: Option<String>,
    /// The number of matching alerts (`@odata.count`), when asked for with `$count=true`.
    pub count: Option<u64>,
}

impl AlertsPage {
    /// Decodes a page from the answer's JSON, each alert separately.
    ///
    /// ```
    /// let page = graph_security_client::AlertsPage::from_slice(br#"{
    ///     "value": [{"id": "a1", "createdDateTime": "2026-11-30T08:14:22Z"}, {"title": "no id"}],
    ///     "@odata.nextLink": "https://graph.microsoft.com/v1.0/security/alerts_v2?$skip=2"
    /// }"#)?;
    /// assert_eq!(page.alerts.len(), 1);
    /// assert_eq!(page.malformed.len(), 1);
    /// assert!(page.next_link.is_some());
    /// # Ok::<(), graph_security_client::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Decode`] when the body is not JSON or has no `value` list.
    pub fn from_slice(body: &[u8]) -> Result<AlertsPage, Error> {
        let value: Value =
            serde_json::from_slice(body).map_err(|source| Error::Decode { what: "alerts page", source })?;
        let Some(items) = value.get("value").and_then(Value::as_array) else {
            return Err(Error::Decode {
                what: "alerts page",
                source: serde::de::Error::custom("the answer has no `value` list"),
            });
        };
        let mut page = AlertsPage {
            next_link: value
                .get("@odata.nextLink")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|link| !link.is_empty())
                .map(str::to_owned),
            count: value.get("@odata.count").and_then(Value::as_u64),
            ..AlertsPage::default()
        };
        page.alerts.reserve(items.len());
        for raw in items {
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
