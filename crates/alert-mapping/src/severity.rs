//! The severity of an alert, whatever its source: the four levels Defender for Cloud Apps and
//! Microsoft Graph's security alerts share.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An alert's severity, ordered from least to most severe: informational < low < medium < high.
///
/// The source's own type is converted into it ([`Severity::from_mcas`],
/// [`Severity::from_graph`]), so that the config's
/// rules, `min_severity` and priorities speak of one severity whatever the alerts come from. In
/// serde it is the lowercase name (`"medium"`); [`FromStr`] is more lenient (any case, `info`).
///
/// ```
/// use alert_mapping::Severity;
///
/// assert!(Severity::Informational < Severity::Low && Severity::Medium < Severity::High);
/// assert_eq!("High".parse::<Severity>(), Ok(Severity::High));
/// assert_eq!(Severity::from_mcas(mcas_client::Severity::Medium), Some(Severity::Medium));
/// assert_eq!(Severity::from_mcas(mcas_client::Severity::Unknown(7)), None);
/// assert_eq!(Severity::from_graph(&graph_security_client::Severity::High), Some(Severity::High));
/// assert_eq!(Severity::from_graph(&graph_security_client::Severity::Unknown), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational (MCAS `severityValue` 3, Graph `informational`).
    Informational,
    /// Low (MCAS 0).
    Low,
    /// Medium (MCAS 1).
    Medium,
    /// High (MCAS 2).
    High,
}

impl Severity {
    /// Every severity, from least to most severe.
    pub const ALL: [Severity; 4] = [Severity::Informational, Severity::Low, Severity::Medium, Severity::High];

    /// The lowercase name used in the config and the state store.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// The name as a ticket shows it: `Informational`, `Low`, `Medium`, `High`.
    #[must_use]
    pub fn display_name(self) -> &'static str {
        match self {
            Severity::Informational => "Informational",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
        }
    }

    /// The severity of a Microsoft Graph security alert; `None` for `unknown`,
    /// `unknownFutureValue` and names Graph adds later, which no rule or priority can judge.
    #[must_use]
    pub fn from_graph(severity: &graph_security_client::Severity) -> Option<Self> {
        match severity {
            graph_security_client::Severity::Informational => Some(Severity::Informational),
            graph_security_client::Severity::Low => Some(Severity::Low),
            graph_security_client::Severity::Medium => Some(Severity::Medium),
            graph_security_client::Severity::High => Some(Severity::High),
            _ => None,
        }
    }

    /// The severity of a Defender for Cloud Apps alert; `None` for a value MCAS does not
    /// document.
    #[must_use]
    pub fn from_mcas(severity: mcas_client::Severity) -> Option<Self> {
        match severity {
            mcas_client::Severity::Informational => Some(Severity::Informational),
            mcas_client::Severity::Low => Some(Severity::Low),
            mcas_client::Severity::Medium => Some(Severity::Medium),
            mcas_client::Severity::High => Some(Severity::High),
            mcas_client::Severity::Unknown(_) => None,
        }
    }
}

impl From<Severity> for mcas_client::Severity {
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Informational => mcas_client::Severity::Informational,
            Severity::Low => mcas_client::Severity::Low,
            Severity::Medium => mcas_client::Severity::Medium,
            Severity::High => mcas_client::Severity::High,
        }
    }
}

impl From<Severity> for graph_security_client::Severity {
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Informational => graph_security_client::Severity::Informational,
            Severity::Low => graph_security_client::Severity::Low,
            Severity::Medium => graph_security_client::Severity::Medium,
            Severity::High => graph_security_client::Severity::High,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity name that is none of `informational` (or `info`), `low`, `medium`, `high`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {0:?}; expected informational, low, medium or high")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    /// Parses `informational` (or `info`), `low`, `medium`, `high`, in any case.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "info" | "informational" => Ok(Severity::Informational),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            _ => Err(UnknownSeverity(name.to_owned())),
        }
    }
}
