//! `[sync.graph_resolutions]`: how a resolved ticket resolves its alert in Microsoft Graph (the
//! classification and determination sent with `status = resolved`).
//!
//! Without the table, each resolution `[sync.resolutions]` names resolves a Graph alert the way it
//! closes an MCAS one, translated into Graph's words ([`GraphResolve::from_close`]), so that one
//! map serves both sources and a resolution means the same whatever the tenant's source.

use graph_security_client::{Classification, Determination};

use super::ConfigError;
use super::check::toml_key;
use super::model::CloseAs;

/// How a Graph alert is resolved: `status = resolved` with this classification and determination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphResolve {
    /// `truePositive`, `falsePositive` or `informationalExpectedActivity`.
    pub classification: Classification,
    /// One of Graph's determinations, e.g. `other`, `securityTesting`, `notMalicious`.
    pub determination: Determination,
}

impl GraphResolve {
    /// The Graph resolution of an MCAS close: a true positive stays one (determination `other`:
    /// the ticket does not say which attack it was); benign is Graph's "informational, expected
    /// activity" (the Defender portal's former "benign positive"), with `securityTesting` for a
    /// test and `confirmedActivity` for one confirmed with the user; a false positive stays one,
    /// `notMalicious` when the alert was not accurate.
    #[must_use]
    pub fn from_close(close: CloseAs) -> Self {
        use mcas_client::{BenignReason as B, FalsePositiveReason as F};
        let (classification, determination) = match close {
            CloseAs::TruePositive => (Classification::TruePositive, Determination::OtherDetermination),
            CloseAs::Benign(reason) => (
                Classification::InformationalExpectedActivity,
                match reason {
                    B::TriggeredByTest => Determination::SecurityTesting,
                    B::ConfirmedWithEndUser => Determination::ConfirmedActivity,
                    _ => Determination::OtherDetermination,
                },
            ),
            CloseAs::FalsePositive(reason) => (
                Classification::FalsePositive,
                match reason {
                    F::AlertNotAccurate => Determination::NotMalicious,
                    _ => Determination::OtherDetermination,
                },
            ),
        };
        Self { classification, determination }
    }

    /// The kind of close it amounts to, as `[sync] transition_resolution` and the state store
    /// name it: `true_positive`, `benign` or `false_positive`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self.classification {
            Classification::TruePositive => "true_positive",
            Classification::InformationalExpectedActivity => "benign",
            _ => "false_positive",
        }
    }
}

/// The classifications a resolution may set (`unknown` would resolve an alert unclassified).
const CLASSIFICATIONS: [Classification; 3] = [
    Classification::TruePositive,
    Classification::InformationalExpectedActivity,
    Classification::FalsePositive,
];

/// Checks `[sync.graph_resolutions]`: resolution name = classification, or a table
/// `{ classification = .., determination = .. }` (determination `other` when left out).
pub(super) fn check_graph_resolutions(
    map: std::collections::BTreeMap<String, toml::Value>,
) -> Result<Vec<(String, GraphResolve)>, ConfigError> {
    let mut resolutions: Vec<(String, GraphResolve)> = Vec::with_capacity(map.len());
    for (name, value) in map {
        let key = format!("sync.graph_resolutions.{}", toml_key(&name));
        if name.trim().is_empty() {
            return Err(ConfigError::invalid(key, "empty resolution name"));
        }
        if resolutions.iter().any(|(seen, _)| seen.eq_ignore_ascii_case(name.trim())) {
            return Err(ConfigError::invalid(
                key,
                "the same resolution is named twice (names are compared without case)",
            ));
        }
        let (classification, determination) = match &value {
            toml::Value::String(classification) => (classification.as_str(), None),
            toml::Value::Table(table) => {
                if let Some(unknown) =
                    table.keys().find(|k| !["classification", "determination"].contains(&k.as_str()))
                {
                    return Err(ConfigError::invalid(
                        format!("{key}.{unknown}"),
                        "unknown key (an entry takes classification and determination)",
                    ));
                }
                let text = |field: &str| match table.get(field) {
                    None => Ok(None),
                    Some(toml::Value::String(text)) => Ok(Some(text.as_str())),
                    Some(_) => Err(ConfigError::invalid(format!("{key}.{field}"), "expected a string")),
                };
                let Some(classification) = text("classification")? else {
                    return Err(ConfigError::invalid(
                        format!("{key}.classification"),
                        "missing: truePositive, informationalExpectedActivity or falsePositive",
                    ));
                };
                (classification, text("determination")?)
            }
            _ => {
                return Err(ConfigError::invalid(
                    key,
                    "expected a classification (\"truePositive\", \"informationalExpectedActivity\", \
                     \"falsePositive\") or a table { classification = .., determination = .. }",
                ));
            }
        };
        let classification = Classification::from_wire(classification.trim());
        if !CLASSIFICATIONS.contains(&classification) {
            return Err(ConfigError::invalid(
                format!("{key}.classification"),
                format!(
                    "unknown classification {:?} (use truePositive, informationalExpectedActivity or falsePositive)",
                    classification.as_str()
                ),
            ));
        }
        let determination = match determination.map(|d| Determination::from_wire(d.trim())) {
            None => Determination::OtherDetermination,
            Some(d) if d.is_known() && d != Determination::Unknown => d,
            Some(d) => {
                let known: Vec<&str> = Determination::KNOWN
                    .iter()
                    .filter(|d| **d != Determination::Unknown)
                    .map(Determination::as_str)
                    .collect();
                return Err(ConfigError::invalid(
                    format!("{key}.determination"),
                    format!("unknown determination {:?} (use one of {})", d.as_str(), known.join(", ")),
                ));
            }
        };
        resolutions.push((name.trim().to_owned(), GraphResolve { classification, determination }));
    }
    Ok(resolutions)
}
