//! The body of `PATCH /security/alerts_v2/{id}`.

use serde::Serialize;
use serde_json::Value;

use crate::{AlertStatus, Classification, Determination, Error};

/// The changes to make to an alert: any of its status, classification, determination and owner.
///
/// ```
/// use graph_security_client::{AlertStatus, AlertUpdate, Classification, Determination};
///
/// let update = AlertUpdate::default()
///     .status(AlertStatus::Resolved)
///     .classification(Classification::TruePositive)
///     .determination(Determination::CompromisedAccount);
/// assert_eq!(
///     update.to_json()?,
///     r#"{"classification":"truePositive","determination":"compromisedAccount","status":"resolved"}"#,
/// );
/// # Ok::<(), graph_security_client::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlertUpdate {
    /// The new status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<AlertStatus>,
    /// The new classification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    /// The new determination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub determination: Option<Determination>,
    /// The new owner (an e-mail address or a name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

impl AlertUpdate {
    /// Sets the status.
    #[must_use]
    pub fn status(mut self, status: AlertStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the classification.
    #[must_use]
    pub fn classification(mut self, classification: Classification) -> Self {
        self.classification = Some(classification);
        self
    }

    /// Sets the determination.
    #[must_use]
    pub fn determination(mut self, determination: Determination) -> Self {
        self.determination = Some(determination);
        self
    }

    /// Sets the owner.
    #[must_use]
    pub fn assigned_to(mut self, owner: impl Into<String>) -> Self {
        self.assigned_to = Some(owner.into());
        self
    }

    /// Checks the update and writes the request body.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an update that changes nothing, or an enum value that is
    /// `unknownFutureValue` or not a plain identifier (Graph would refuse it).
    pub fn to_json(&self) -> Result<String, Error> {
        if *self == AlertUpdate::default() {
            return Err(Error::invalid("update", "it changes nothing"));
        }
        let members = [
            ("status", self.status.as_ref().map(AlertStatus::as_str)),
            ("classification", self.classification.as_ref().map(Classification::as_str)),
            ("determination", self.determination.as_ref().map(Determination::as_str)),
        ];
        // Written by hand rather than through `Serialize`, which cannot fail here but says it
        // might: each field only when set.
        let mut body = serde_json::Map::new();
        for (property, name) in members {
            let Some(name) = name else { continue };
            if name == "unknownFutureValue"
                || name.is_empty()
                || !name.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(Error::invalid("update", format!("{name:?} cannot be sent as the {property}")));
            }
            body.insert(property.to_owned(), Value::String(name.to_owned()));
        }
        if let Some(owner) = &self.assigned_to {
            body.insert("assignedTo".to_owned(), Value::String(owner.clone()));
        }
        Ok(Value::Object(body).to_string())
    }
}
