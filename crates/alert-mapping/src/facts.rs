//! What a ticket is made of: the facts read from one alert, whichever API it came from, and
//! what the mapping needs to know about its tenant.

use std::net::IpAddr;

use jiff::Timestamp;
use mcas_client::{AlertId, Severity};
use url::Url;

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

/// An IP address found in an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FoundIp {
    /// The address; IPv4-mapped IPv6 addresses are given as IPv4.
    pub ip: IpAddr,
    /// Whether it is a public address, worth an AbuseIPDB lookup.
    pub public: bool,
    /// Whether an `ip` entity named it (otherwise it was found in the text).
    pub from_entity: bool,
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

/// Everything a ticket is made of, read from one alert.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Facts {
    /// The alert id.
    pub alert_id: AlertId,
    /// The tenant's name.
    pub tenant: String,
    /// The title as one clean line; never empty.
    pub title: String,
    /// The severity.
    pub severity: Severity,
    /// When the alert was raised.
    pub time: Timestamp,
    /// The link to the alert in the portal: the alert's own `URL` when it is an `http(s)` URL,
    /// otherwise built from the tenant's portal URL; empty when neither is available.
    pub url: String,
    /// The first sentence of the description, or the title.
    pub summary_sentence: String,
    /// The description as plain text (see [`html_to_text`]); may be empty.
    pub description_text: String,
    /// The name of the policy that raised the alert.
    pub policy: Option<String>,
    /// The alert's type: its `alertType` when present, otherwise its `idValue` (the number the
    /// API's `alertType` filter takes).
    pub alert_type: Option<String>,
    /// The threat score, 0 to 100.
    pub threat_score: Option<f64>,
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

impl Facts {
    /// The public addresses to look up, without duplicates, entities' first.
    #[must_use]
    pub fn lookup_ips(&self) -> Vec<IpAddr> {
        // `ips` has no duplicates already.
        self.ips.iter().filter(|found| found.public).map(|found| found.ip).collect()
    }
}
