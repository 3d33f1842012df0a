//! What closing alerts takes and gives: the documented reasons of each close call, and the
//! outcome. The calls themselves are in `alerts.rs`.

use crate::AlertId;

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
