//! The alert model: what `GET /api/v1/alerts/<id>/` and each element of a list page's `data`
//! decode into.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{Entity, Error, MalformedAlert, lenient};

/// The id of an alert (`_id`, a 24-hex-digit string in practice).
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

/// Implements the integer wire form of an enum with an `Unknown(i64)` variant, so that a value
/// Microsoft adds later is kept rather than rejected.
macro_rules! integer_enum {
    ($name:ident { $($variant:ident = $value:literal),* $(,)? }) => {
        impl $name {
            /// The number MCAS uses for this value.
            pub fn value(self) -> i64 {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(value) => value,
                }
            }

            /// The value for MCAS's number; numbers it does not know are kept as `Unknown`.
            pub fn from_value(value: i64) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // Numbers sent as text ("2") are accepted too.
                let number = match Value::deserialize(deserializer)? {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse::<i64>().ok(),
                    _ => None,
                };
                number
                    .map(Self::from_value)
                    .ok_or_else(|| serde::de::Error::custom(concat!("expected an integer ", stringify!($name))))
            }
        }
    };
}

/// How severe an alert is (`severityValue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// `0`.
    Low,
    /// `1`.
    Medium,
    /// `2`.
    High,
    /// `3`.
    Informational,
    /// A value this crate does not know, kept as sent. An alert without a `severityValue` has
    /// [`Severity::ABSENT`].
    Unknown(i64),
}

integer_enum!(Severity { Low = 0, Medium = 1, High = 2, Informational = 3 });

impl Severity {
    /// The severity of an alert that carries no `severityValue`.
    pub const ABSENT: Severity = Severity::Unknown(-1);

    /// The known severities, from the least to the most severe.
    pub const KNOWN: [Severity; 4] =
        [Severity::Informational, Severity::Low, Severity::Medium, Severity::High];

    /// The order of severities: informational (0) < low (1) < medium (2) < high (3).
    ///
    /// An unknown severity ranks above high (4), so that a minimum-severity threshold never
    /// silently drops an alert whose severity this crate cannot judge.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Informational => 0,
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
            Severity::Unknown(_) => 4,
        }
    }

    /// The lowercase name: `low`, `medium`, `high`, `informational` or `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Informational => "informational",
            Severity::Unknown(_) => "unknown",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Severity::Unknown(value) => write!(f, "unknown ({value})"),
            known => f.write_str(known.name()),
        }
    }
}

impl FromStr for Severity {
    type Err = Error;

    /// Parses `low`, `medium`, `high` or `informational` (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::KNOWN.into_iter().find(|known| known.name().eq_ignore_ascii_case(s.trim())).ok_or_else(
            || {
                Error::invalid(
                    "severity",
                    format!("unknown {s:?} (expected low, medium, high or informational)"),
                )
            },
        )
    }
}

/// Whether an alert was read (`statusValue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertStatus {
    /// `0`.
    Unread,
    /// `1`.
    Read,
    /// `2`.
    Archived,
    /// A value this crate does not know, kept as sent.
    Unknown(i64),
}

integer_enum!(AlertStatus { Unread = 0, Read = 1, Archived = 2 });

/// How an alert was closed, if it was (`resolutionStatusValue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResolutionStatus {
    /// `0`: not closed.
    Open,
    /// `1`: dismissed (legacy status).
    Dismissed,
    /// `2`: resolved (legacy status).
    Resolved,
    /// `3`: closed as false positive.
    FalsePositive,
    /// `4`: closed as benign.
    Benign,
    /// `5`: closed as true positive.
    TruePositive,
    /// A value this crate does not know, kept as sent.
    Unknown(i64),
}

integer_enum!(ResolutionStatus {
    Open = 0,
    Dismissed = 1,
    Resolved = 2,
    FalsePositive = 3,
    Benign = 4,
    TruePositive = 5,
});

impl ResolutionStatus {
    /// Whether the alert is still open. Only [`ResolutionStatus::Open`] is: an unknown status is
    /// not assumed to be open.
    pub fn is_open(self) -> bool {
        self == ResolutionStatus::Open
    }
}

/// The policy that raised an alert (`policy`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PolicyRef {
    /// The policy id.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The policy name.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The kind of policy, e.g. `FILE` or `ANOMALY_DETECTION`.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub policy_type: Option<String>,
    /// The entity type of the reference (`policyRule`).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient::text",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
}

/// One Defender for Cloud Apps alert.
///
/// Decoding is tolerant: only `_id` and `timestamp` are required. Optional fields that are
/// missing, `null`, the string `"null"`, or of an unexpected type are `None`; an entity that does
/// not decode is kept raw as [`Entity::Other`]; fields this crate does not model are kept in
/// [`Alert::extra`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Alert {
    /// The alert id (`_id`).
    #[serde(rename = "_id")]
    pub id: AlertId,
    /// When the alert was raised (epoch milliseconds on the wire).
    #[serde(with = "lenient::millis")]
    pub timestamp: Timestamp,
    /// The title.
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: String,
    /// The description: untrusted HTML, with `__siteIcon__` placeholders.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The severity (`severityValue`); [`Severity::ABSENT`] when the alert has none.
    #[serde(rename = "severityValue", default = "absent_severity", deserialize_with = "lenient::severity")]
    pub severity: Severity,
    /// Read or unread (`statusValue`).
    #[serde(
        rename = "statusValue",
        default,
        deserialize_with = "lenient::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<AlertStatus>,
    /// Open or how it was closed (`resolutionStatusValue`); older alerts may lack it.
    #[serde(
        rename = "resolutionStatusValue",
        default,
        deserialize_with = "lenient::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub resolution_status: Option<ResolutionStatus>,
    /// The link to the alert in the portal (`URL`).
    #[serde(
        rename = "URL",
        default,
        deserialize_with = "lenient::text",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
    /// The policy that raised the alert.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyRef>,
    /// The threat score (0–100).
    #[serde(default, deserialize_with = "lenient::number", skip_serializing_if = "Option::is_none")]
    pub threat_score: Option<f64>,
    /// Whether this is a system alert.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub is_system_alert: Option<bool>,
    /// Whether the detection is in preview.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub is_preview: Option<bool>,
    /// Whether the description is already HTML.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub is_markdown: Option<bool>,
    /// Who handled (closed) the alert.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub handled_by_user: Option<String>,
    /// The comment given when the alert was closed.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When the alert was closed.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub resolve_time: Option<Timestamp>,
    /// The tenant context the alert belongs to.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    /// `idValue`: an undocumented number that identifies the kind of detection. Public samples
    /// suggest it is what the `alertType` filter takes; treat it as opaque.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub id_value: Option<i64>,
    /// The risk categories (`stories`): 0 threat detection, 1 privileged account monitoring,
    /// 2 compliance, 3 DLP, 4 discovery, 5 sharing control, 7 access control, 8 configuration
    /// monitoring.
    #[serde(default, deserialize_with = "lenient::list")]
    pub stories: Vec<i64>,
    /// The MITRE ATT&CK tactics behind the alert (`intent`), as MCAS numbers them.
    #[serde(default, deserialize_with = "lenient::list")]
    pub intent: Vec<i64>,
    /// The users, accounts, IPs, apps, files and other entities involved.
    #[serde(default, deserialize_with = "crate::entity::list")]
    pub entities: Vec<Entity>,
    /// Every field this crate does not model, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn absent_severity() -> Severity {
    Severity::ABSENT
}

impl Alert {
    /// Decodes one alert from its JSON.
    ///
    /// # Errors
    /// [`Error::MalformedAlert`] when `_id` or `timestamp` is missing or unusable, or the value
    /// is not an object; the error carries whatever id and timestamp could be read.
    pub fn from_json(value: &Value) -> Result<Alert, Error> {
        Alert::deserialize(value).map_err(|source| Error::from(MalformedAlert::describe(value, &source)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_severity(value: i64, expected: Severity, rank: u8) {
        let severity = Severity::from_value(value);
        assert_eq!(severity, expected);
        assert_eq!(severity.rank(), rank);
        assert_eq!(severity.value(), value);
    }

    #[test]
    fn severities() {
        check_severity(0, Severity::Low, 1);
        check_severity(1, Severity::Medium, 2);
        check_severity(2, Severity::High, 3);
        check_severity(3, Severity::Informational, 0);
        check_severity(7, Severity::Unknown(7), 4);
        assert_eq!("HIGH".parse::<Severity>().ok(), Some(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
        assert_eq!(Severity::Unknown(7).to_string(), "unknown (7)");
    }

    #[test]
    fn resolution_statuses() {
        assert!(ResolutionStatus::from_value(0).is_open());
        assert_eq!(ResolutionStatus::from_value(4), ResolutionStatus::Benign);
        assert!(!ResolutionStatus::from_value(9).is_open());
    }
}
