//! The alert model: what `GET /security/alerts_v2/{id}` and each element of a list page's
//! `value` decode into.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{
    AlertStatus, Classification, DetectionSource, Determination, Error, Evidence, ServiceSource, Severity,
    lenient,
};

/// The id of an alert in Graph (`id`): opaque text, e.g. `da637551227677560813_-961444813`.
///
/// It is not the id of the alert in the product that raised it ([`Alert::provider_alert_id`]),
/// nor the 24-hex `_id` of the Defender for Cloud Apps REST API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlertId(String);

impl AlertId {
    /// Wraps an id.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AlertId {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl From<String> for AlertId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for AlertId {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl AsRef<str> for AlertId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A comment on an alert (`alertComment`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlertComment {
    /// The text.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Who wrote it.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub created_by_display_name: Option<String>,
    /// When.
    #[serde(default, deserialize_with = "lenient::time", skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<Timestamp>,
}

/// One Graph security alert (`microsoft.graph.security.alert`).
///
/// Decoding is tolerant: only `id` and `createdDateTime` are required. Optional fields that are
/// missing, `null`, or of an unexpected type are `None` (or empty); enum values this crate does
/// not know are kept ([`Severity::Other`] and the like); evidence of an unknown kind is kept raw
/// ([`Evidence::Other`]); fields this crate does not model are kept in [`Alert::extra`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Alert {
    /// The alert's id in Graph.
    #[serde(deserialize_with = "lenient::id")]
    pub id: AlertId,
    /// The alert's id in the product that raised it.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub provider_alert_id: Option<String>,
    /// The incident the alert belongs to.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    /// Where the alert is in its handling.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub status: Option<AlertStatus>,
    /// How severe it is; [`Severity::Unknown`] when the alert says nothing.
    #[serde(default, deserialize_with = "severity")]
    pub severity: Severity,
    /// Whether it is a true threat.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    /// The result of the investigation.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub determination: Option<Determination>,
    /// The product that raised it.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub service_source: Option<ServiceSource>,
    /// The detection technology that raised it.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub detection_source: Option<DetectionSource>,
    /// The id of the detector (the kind of detection), e.g. `ImpossibleTravel` or a GUID.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub detector_id: Option<String>,
    /// The Microsoft Entra tenant the alert was raised in.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The title.
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: String,
    /// The description, plain text.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What to do about it, plain text (often several lines).
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub recommended_actions: Option<String>,
    /// The MITRE ATT&CK tactic (kill-chain category), e.g. `InitialAccess`.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The MITRE ATT&CK techniques, e.g. `T1078`.
    #[serde(default, deserialize_with = "lenient::list")]
    pub mitre_techniques: Vec<String>,
    /// The owner of the alert.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// The alert's page in the Microsoft Defender portal.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub alert_web_url: Option<String>,
    /// The incident's page in the Microsoft Defender portal.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub incident_web_url: Option<String>,
    /// The adversary or activity group.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub actor_display_name: Option<String>,
    /// The threat.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub threat_display_name: Option<String>,
    /// The threat family.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub threat_family_name: Option<String>,
    /// When Microsoft 365 Defender created the alert.
    #[serde(deserialize_with = "lenient::required_time")]
    pub created_date_time: Timestamp,
    /// When the alert last changed.
    #[serde(default, deserialize_with = "lenient::time", skip_serializing_if = "Option::is_none")]
    pub last_update_date_time: Option<Timestamp>,
    /// When it was resolved.
    #[serde(default, deserialize_with = "lenient::time", skip_serializing_if = "Option::is_none")]
    pub resolved_date_time: Option<Timestamp>,
    /// The first activity it is about.
    #[serde(default, deserialize_with = "lenient::time", skip_serializing_if = "Option::is_none")]
    pub first_activity_date_time: Option<Timestamp>,
    /// The last activity it is about.
    #[serde(default, deserialize_with = "lenient::time", skip_serializing_if = "Option::is_none")]
    pub last_activity_date_time: Option<Timestamp>,
    /// The comments of the security team.
    #[serde(default, deserialize_with = "lenient::list")]
    pub comments: Vec<AlertComment>,
    /// The evidence: users, mailboxes, IPs, apps, devices, files…
    #[serde(default, deserialize_with = "lenient::list")]
    pub evidence: Vec<Evidence>,
    /// The system tags, e.g. `Defender Experts`.
    #[serde(default, deserialize_with = "lenient::list")]
    pub system_tags: Vec<String>,
    /// Every field this crate does not model, as sent (`@odata.type` among them).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn severity<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Severity, D::Error> {
    Ok(lenient::option::<D, Severity>(deserializer)?.unwrap_or_default())
}

impl Alert {
    /// Decodes one alert from its JSON.
    ///
    /// ```
    /// use graph_security_client::{Alert, ServiceSource, Severity};
    ///
    /// let alert = Alert::from_json(&serde_json::json!({
    ///     "id": "da637551227677560813_-961444813",
    ///     "createdDateTime": "2026-11-30T08:14:22.1234567Z",
    ///     "severity": "somethingNew",
    ///     "serviceSource": "microsoftDefenderForCloudApps",
    /// }))?;
    /// assert_eq!(alert.severity, Severity::Other("somethingNew".into()));
    /// assert_eq!(alert.service_source, Some(ServiceSource::MicrosoftDefenderForCloudApps));
    /// # Ok::<(), graph_security_client::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::MalformedAlert`] when `id` or `createdDateTime` is missing or unusable, or the
    /// value is not an object; the error carries whatever id could be read.
    pub fn from_json(value: &Value) -> Result<Alert, Error> {
        Alert::deserialize(value)
            .map_err(|source| Error::from(crate::MalformedAlert::describe(value, &source)))
    }

    /// Whether the alert is resolved (its `status` is `resolved`).
    pub fn is_resolved(&self) -> bool {
        self.status == Some(AlertStatus::Resolved)
    }
}
