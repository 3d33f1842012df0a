//! What a ticket is made of: the facts read from one alert, whichever API it came from, and
//! what the mapping needs to know about its tenant.

use std::fmt;
use std::net::IpAddr;

use jiff::Timestamp;
use mcas_client::AlertId;
use url::Url;

use crate::severity::Severity;

/// What the mapping needs to know about the tenant an alert came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantContext {
    /// The tenant's name, as in the config.
    pub name: String,
    /// The tenant's portal, `https://<tenant>.<region>.portal.cloudappsecurity.com`, used to build
    /// the link to an alert that carries no usable `URL` of its own.
    pub portal_url: Option<Url>,
}

impl TenantContext {
    /// A tenant without a portal URL.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), portal_url: None }
    }

    /// Sets the portal URL.
    #[must_use]
    pub fn portal_url(mut self, url: Url) -> Self {
        self.portal_url = Some(url);
        self
    }
}

/// The API an alert was read from. It decides the alert's label (`mcas-<id>` or `graph-<id>`)
/// and how the ticket points back to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlertSource {
    /// The Defender for Cloud Apps REST API (`mcas-client`).
    Mcas,
    /// Microsoft Graph security alerts, `alerts_v2` (`graph-security-client`).
    Graph,
}

impl AlertSource {
    /// `mcas` or `graph`, the prefix of the alert's label.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            AlertSource::Mcas => "mcas",
            AlertSource::Graph => "graph",
        }
    }
}

impl fmt::Display for AlertSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An ISO 3166 two-letter country code, in upper case: `DE`, `NZ`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// The code in `text` (surrounding white space and case ignored), if it is two ASCII letters.
    ///
    /// ```
    /// use alert_mapping::CountryCode;
    /// assert_eq!(CountryCode::parse(" de").map(|c| c.to_string()).as_deref(), Some("DE"));
    /// assert_eq!(CountryCode::parse("DEU"), None);
    /// assert_eq!(CountryCode::parse("1A"), None);
    /// ```
    #[must_use]
    pub fn parse(text: &str) -> Option<CountryCode> {
        match text.trim().as_bytes() {
            &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Some(CountryCode([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    /// The code as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Two ASCII letters, by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

/// An IP address found in an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FoundIp {
    /// The address; IPv4-mapped IPv6 addresses are given as IPv4.
    pub ip: IpAddr,
    /// Whether it is a public address, worth an AbuseIPDB lookup.
    pub public: bool,
    /// Whether an `ip` entity or IP evidence named it (otherwise it was found in the text).
    pub from_entity: bool,
    /// The country the alert places the address in (Graph's IP evidence says; MCAS's `ip`
    /// entities do not).
    pub country: Option<CountryCode>,
}

/// One entity of an alert, for the ticket's entities section.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntityFact {
    /// The entity type as MCAS names it: `user`, `account`, `ip`, `service`, `policyRule`...
    pub kind: String,
    /// Its display name (the label, or the id when there is no label).
    pub name: String,
    /// More about it when the name does not say it all: the id, an account's e-mail, the role.
    pub detail: Option<String>,
}

/// Everything a ticket is made of, read from one alert, from either API.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Facts {
    /// The API the alert was read from.
    pub source: AlertSource,
    /// The alert id: MCAS's `_id`, or Graph's `id`.
    pub alert_id: AlertId,
    /// The tenant's name.
    pub tenant: String,
    /// The title as one clean line; never empty.
    pub title: String,
    /// The severity, on the scale every source shares; `None` when the alert has none, or a value
    /// its API does not document (such an alert matches no rule's severity condition and maps
    /// to no priority).
    pub severity: Option<Severity>,
    /// The severity as the ticket shows it: `High`, `Medium`, `Low`, `Informational`, `Unknown`,
    /// or `Unknown (…)` with the value the API sent that this crate does not know (`Unknown (7)`
    /// from MCAS, `Unknown (critical)` from Graph).
    pub severity_text: String,
    /// When the alert was raised.
    pub time: Timestamp,
    /// The link to the alert in the portal: the alert's own `URL` (MCAS) or `alertWebUrl`
    /// (Graph) when it is an `http(s)` URL, otherwise (MCAS) built from the tenant's portal URL;
    /// empty when none is available.
    pub url: String,
    /// The first sentence of the description, or the title.
    pub summary_sentence: String,
    /// The description as plain text (an MCAS description's HTML through
    /// [`html_to_text`](crate::html_to_text); a Graph description is plain text already); may be
    /// empty.
    pub description_text: String,
    /// The name of the policy that raised the alert.
    pub policy: Option<String>,
    /// The alert's type: its `alertType` when present, otherwise its `idValue` (the number the
    /// API's `alertType` filter takes).
    pub alert_type: Option<String>,
    /// The threat score, 0 to 100.
    pub threat_score: Option<f64>,
    /// The product that raised the alert, as Graph names it (`serviceSource`, e.g.
    /// `microsoftDefenderForCloudApps`). Alerts read from the Defender for Cloud Apps API are
    /// that product's, so they have `microsoftDefenderForCloudApps` too.
    pub service_source: Option<String>,
    /// The kind of detection (Graph's `detectorId`, e.g. `ImpossibleTravel`).
    pub detector_id: Option<String>,
    /// The MITRE ATT&CK tactic (Graph's `category`, e.g. `InitialAccess`).
    pub category: Option<String>,
    /// The MITRE ATT&CK techniques (Graph's `mitreTechniques`, e.g. `T1078`).
    pub mitre_techniques: Vec<String>,
    /// The incident the alert belongs to (Graph's `incidentId`).
    pub incident_id: Option<String>,
    /// The link to that incident in the portal, when it is an `http(s)` URL; may be empty.
    pub incident_url: String,
    /// What to do about the alert, as plain text (Graph's `recommendedActions`); may be empty.
    pub recommended_actions: String,
    /// Affected users: e-mail addresses or names, from the entities first and the text second,
    /// without duplicates (compared case-insensitively).
    pub users: Vec<String>,
    /// IP addresses, from the entities first and the text second, without duplicates.
    pub ips: Vec<FoundIp>,
    /// Apps and services.
    pub services: Vec<String>,
    /// Countries (ISO codes as MCAS gives them).
    pub countries: Vec<String>,
    /// Devices.
    pub devices: Vec<String>,
    /// Files.
    pub files: Vec<String>,
    /// Every entity, in the alert's order.
    pub entities: Vec<EntityFact>,
}

/// The product's name for people, for Graph's `serviceSource` name: `Microsoft Defender for
/// Cloud Apps` for `microsoftDefenderForCloudApps`; a name Graph adds later is shown as it is.
pub(crate) fn service_source_name(service_source: &str) -> String {
    graph_security_client::ServiceSource::from_wire(service_source).display_name().to_owned()
}

impl Facts {
    /// The public addresses to look up, without duplicates, entities' first.
    #[must_use]
    pub fn lookup_ips(&self) -> Vec<IpAddr> {
        // `ips` has no duplicates already.
        self.ips.iter().filter(|found| found.public).map(|found| found.ip).collect()
    }
}
