//! Graph's evolvable enumerations: the values of an alert's status, severity, classification,
//! determination, service source and detection source, and of an evidence's verdict,
//! remediation status and roles.
//!
//! Graph adds members to these enums over time. A client that does not send
//! `Prefer: include-unknown-enum-members` gets `unknownFutureValue` for the members added after
//! the enum was published; one that does gets their names. Either way nothing here rejects a
//! value: `unknownFutureValue` has its own variant, and a name this crate does not know is kept
//! as [`Other`](Severity::Other), so that it can be shown, stored and sent back as it came.

use crate::evolvable::evolvable_enum;

evolvable_enum! {
    /// Where an alert is in its handling (`status`).
    AlertStatus {
        /// `unknown`.
        Unknown = "unknown",
        /// `new`: nobody has worked on it.
        New = "new",
        /// `inProgress`.
        InProgress = "inProgress",
        /// `resolved`.
        Resolved = "resolved",
    }
}

evolvable_enum! {
    /// How severe an alert is (`severity`).
    Severity {
        /// `unknown`.
        Unknown = "unknown",
        /// `informational`.
        Informational = "informational",
        /// `low`.
        Low = "low",
        /// `medium`.
        Medium = "medium",
        /// `high`.
        High = "high",
    }
}

impl Default for Severity {
    /// [`Severity::Unknown`], for an alert that says nothing.
    fn default() -> Self {
        Severity::Unknown
    }
}

impl Severity {
    /// The order of severities: informational (0) < low (1) < medium (2) < high (3).
    ///
    /// Any other value (`unknown`, `unknownFutureValue`, a name this crate does not know) ranks
    /// above high (4), so that a minimum-severity threshold never silently drops an alert whose
    /// severity cannot be judged.
    pub fn rank(&self) -> u8 {
        match self {
            Severity::Informational => 0,
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
            _ => 4,
        }
    }
}

evolvable_enum! {
    /// Whether an alert is a true threat (`classification`).
    Classification {
        /// `unknown`: not classified yet.
        Unknown = "unknown",
        /// `falsePositive`: no malicious activity.
        FalsePositive = "falsePositive",
        /// `truePositive`: malicious activity.
        TruePositive = "truePositive",
        /// `informationalExpectedActivity`: benign positive, e.g. security testing.
        InformationalExpectedActivity = "informationalExpectedActivity",
    }
}

evolvable_enum! {
    /// The result of an investigation (`determination`).
    ///
    /// These are the members of Graph's `alertDetermination` enum (as its resource page's table
    /// and Microsoft's generated SDKs have them). Some prose on the same pages names
    /// `compromisedUser`, `clean`, `insufficientData` and `confirmedUserActivity` instead; should
    /// the service send those, they are kept as [`Determination::Other`].
    Determination {
        /// `unknown`: not determined yet.
        Unknown = "unknown",
        /// `apt`: an advanced persistent threat.
        Apt = "apt",
        /// `malware`.
        Malware = "malware",
        /// `securityPersonnel`: suspicious activity by the customer's security team.
        SecurityPersonnel = "securityPersonnel",
        /// `securityTesting`: part of known security testing.
        SecurityTesting = "securityTesting",
        /// `unwantedSoftware`.
        UnwantedSoftware = "unwantedSoftware",
        /// `other`: another determination.
        OtherDetermination = "other",
        /// `multiStagedAttack`: several kill-chain stages.
        MultiStagedAttack = "multiStagedAttack",
        /// `compromisedAccount`: the user's credentials were compromised.
        CompromisedAccount = "compromisedAccount",
        /// `phishing`.
        Phishing = "phishing",
        /// `maliciousUserActivity`: the signed-in user acts maliciously.
        MaliciousUserActivity = "maliciousUserActivity",
        /// `notMalicious`: a false alert.
        NotMalicious = "notMalicious",
        /// `notEnoughDataToValidate`: a false alert, without enough information to say otherwise.
        NotEnoughDataToValidate = "notEnoughDataToValidate",
        /// `confirmedActivity`: true but known, accepted user activity.
        ConfirmedActivity = "confirmedActivity",
        /// `lineOfBusinessApplication`: true but a known internal application.
        LineOfBusinessApplication = "lineOfBusinessApplication",
    }
}

evolvable_enum! {
    /// The product that raised an alert (`serviceSource`).
    ServiceSource {
        /// `unknown`.
        Unknown = "unknown",
        /// `microsoftDefenderForEndpoint`.
        MicrosoftDefenderForEndpoint = "microsoftDefenderForEndpoint",
        /// `microsoftDefenderForIdentity`.
        MicrosoftDefenderForIdentity = "microsoftDefenderForIdentity",
        /// `microsoftDefenderForCloudApps`: Defender for Cloud Apps (formerly MCAS).
        MicrosoftDefenderForCloudApps = "microsoftDefenderForCloudApps",
        /// `microsoftDefenderForOffice365`.
        MicrosoftDefenderForOffice365 = "microsoftDefenderForOffice365",
        /// `microsoft365Defender`.
        Microsoft365Defender = "microsoft365Defender",
        /// `azureAdIdentityProtection`: Microsoft Entra ID Protection.
        AzureAdIdentityProtection = "azureAdIdentityProtection",
        /// `microsoftAppGovernance`.
        MicrosoftAppGovernance = "microsoftAppGovernance",
        /// `dataLossPrevention`: Microsoft Purview Data Loss Prevention.
        DataLossPrevention = "dataLossPrevention",
        /// `microsoftDefenderForCloud` (named only with `Prefer: include-unknown-enum-members`).
        MicrosoftDefenderForCloud = "microsoftDefenderForCloud",
    }
}

impl ServiceSource {
    /// The product's name for people, e.g. `Microsoft Defender for Cloud Apps`; for a value this
    /// crate does not know, its wire name.
    pub fn display_name(&self) -> &str {
        match self {
            ServiceSource::Unknown => "unknown product",
            ServiceSource::MicrosoftDefenderForEndpoint => "Microsoft Defender for Endpoint",
            ServiceSource::MicrosoftDefenderForIdentity => "Microsoft Defender for Identity",
            ServiceSource::MicrosoftDefenderForCloudApps => "Microsoft Defender for Cloud Apps",
            ServiceSource::MicrosoftDefenderForOffice365 => "Microsoft Defender for Office 365",
            ServiceSource::Microsoft365Defender => "Microsoft 365 Defender",
            ServiceSource::AzureAdIdentityProtection => "Microsoft Entra ID Protection",
            ServiceSource::MicrosoftAppGovernance => "Microsoft app governance",
            ServiceSource::DataLossPrevention => "Microsoft Purview Data Loss Prevention",
            ServiceSource::MicrosoftDefenderForCloud => "Microsoft Defender for Cloud",
            other => other.as_str(),
        }
    }
}

evolvable_enum! {
    /// The detection technology or sensor that raised an alert (`detectionSource`).
    DetectionSource {
        /// `unknown`.
        Unknown = "unknown",
        /// `microsoftDefenderForEndpoint`.
        MicrosoftDefenderForEndpoint = "microsoftDefenderForEndpoint",
        /// `antivirus`.
        Antivirus = "antivirus",
        /// `smartScreen`.
        SmartScreen = "smartScreen",
        /// `customTi`: custom threat intelligence.
        CustomTi = "customTi",
        /// `microsoftDefenderForOffice365`.
        MicrosoftDefenderForOffice365 = "microsoftDefenderForOffice365",
        /// `automatedInvestigation`.
        AutomatedInvestigation = "automatedInvestigation",
        /// `microsoftThreatExperts`.
        MicrosoftThreatExperts = "microsoftThreatExperts",
        /// `customDetection`.
        CustomDetection = "customDetection",
        /// `microsoftDefenderForIdentity`.
        MicrosoftDefenderForIdentity = "microsoftDefenderForIdentity",
        /// `cloudAppSecurity`: Defender for Cloud Apps.
        CloudAppSecurity = "cloudAppSecurity",
        /// `microsoft365Defender`.
        Microsoft365Defender = "microsoft365Defender",
        /// `azureAdIdentityProtection`.
        AzureAdIdentityProtection = "azureAdIdentityProtection",
        /// `manual`.
        Manual = "manual",
        /// `microsoftDataLossPrevention`.
        MicrosoftDataLossPrevention = "microsoftDataLossPrevention",
        /// `appGovernancePolicy`.
        AppGovernancePolicy = "appGovernancePolicy",
        /// `appGovernanceDetection`.
        AppGovernanceDetection = "appGovernanceDetection",
        /// `microsoftDefenderForCloud`.
        MicrosoftDefenderForCloud = "microsoftDefenderForCloud",
    }
}

evolvable_enum! {
    /// The decision of an automated investigation about one piece of evidence (`verdict`).
    EvidenceVerdict {
        /// `unknown`.
        Unknown = "unknown",
        /// `suspicious`.
        Suspicious = "suspicious",
        /// `malicious`.
        Malicious = "malicious",
        /// `noThreatsFound`.
        NoThreatsFound = "noThreatsFound",
    }
}

evolvable_enum! {
    /// What was done about one piece of evidence (`remediationStatus`).
    RemediationStatus {
        /// `none`.
        None = "none",
        /// `remediated`.
        Remediated = "remediated",
        /// `prevented`.
        Prevented = "prevented",
        /// `blocked`.
        Blocked = "blocked",
        /// `notFound`.
        NotFound = "notFound",
    }
}

evolvable_enum! {
    /// The part a piece of evidence plays in an alert (`roles`).
    EvidenceRole {
        /// `unknown`.
        Unknown = "unknown",
        /// `contextual`.
        Contextual = "contextual",
        /// `scanned`.
        Scanned = "scanned",
        /// `source`.
        Source = "source",
        /// `destination`.
        Destination = "destination",
        /// `created`.
        Created = "created",
        /// `added`.
        Added = "added",
        /// `compromised`.
        Compromised = "compromised",
        /// `edited`.
        Edited = "edited",
        /// `attacked`.
        Attacked = "attacked",
        /// `attacker`.
        Attacker = "attacker",
        /// `commandAndControl`.
        CommandAndControl = "commandAndControl",
        /// `loaded`.
        Loaded = "loaded",
        /// `suspicious`.
        Suspicious = "suspicious",
        /// `policyViolator`.
        PolicyViolator = "policyViolator",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_kept() {
        assert_eq!(Severity::from_wire("high"), Severity::High);
        assert_eq!(Severity::from_wire("unknownFutureValue"), Severity::UnknownFutureValue);
        assert_eq!(Severity::from_wire("critical"), Severity::Other("critical".to_owned()));
        assert_eq!(Severity::from_wire("critical").as_str(), "critical");
        assert_eq!(Severity::from_wire("High"), Severity::Other("High".to_owned()), "names are exact");
        let json: Severity = serde_json::from_str("\"severe\"").unwrap();
        assert_eq!(serde_json::to_string(&json).unwrap(), "\"severe\"");
        assert_eq!(Determination::from_wire("other"), Determination::OtherDetermination);
        assert_eq!(Determination::from_wire("clean"), Determination::Other("clean".to_owned()));
    }

    #[test]
    fn every_known_name_round_trips() {
        fn check<T: PartialEq + std::fmt::Debug + Clone>(
            known: &[T],
            name: fn(&T) -> String,
            parse: fn(&str) -> T,
        ) {
            for value in known {
                assert_eq!(&parse(&name(value)), value);
            }
        }
        check(AlertStatus::KNOWN, |v| v.as_str().to_owned(), AlertStatus::from_wire);
        check(Severity::KNOWN, |v| v.as_str().to_owned(), Severity::from_wire);
        check(Classification::KNOWN, |v| v.as_str().to_owned(), Classification::from_wire);
        check(Determination::KNOWN, |v| v.as_str().to_owned(), Determination::from_wire);
        check(ServiceSource::KNOWN, |v| v.as_str().to_owned(), ServiceSource::from_wire);
        check(DetectionSource::KNOWN, |v| v.as_str().to_owned(), DetectionSource::from_wire);
        check(EvidenceVerdict::KNOWN, |v| v.as_str().to_owned(), EvidenceVerdict::from_wire);
        check(RemediationStatus::KNOWN, |v| v.as_str().to_owned(), RemediationStatus::from_wire);
        check(EvidenceRole::KNOWN, |v| v.as_str().to_owned(), EvidenceRole::from_wire);
    }

    #[test]
    fn severity_ranks() {
        let ranks: Vec<u8> = ["informational", "low", "medium", "high", "unknown", "unknownFutureValue", "x"]
            .into_iter()
            .map(|name| Severity::from_wire(name).rank())
            .collect();
        assert_eq!(ranks, [0, 1, 2, 3, 4, 4, 4]);
    }
}
