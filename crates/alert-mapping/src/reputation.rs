//! What is known about an IP address, as an input to the mapping.
//!
//! The binary looks addresses up (or finds them in its cache) and hands the mapping one
//! [`Reputation`] per address. The mapping never looks anything up itself, and a missing or failed
//! lookup never stops a ticket: the ticket says why the reputation is not there.

use std::fmt::{self, Write as _};

use abuseipdb_client::{CheckResult, UsageType};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The reputation of one IP address, or why there is none.
///
/// It serialises as a tagged object (`{"status":"known",...}`), so that a cache can keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reputation {
    /// What AbuseIPDB knows about the address.
    Known(ReputationFacts),
    /// The address was deliberately not looked up: it is not public, or enrichment is off.
    NotLookedUp {
        /// Why, in a few words ("not a public address", "enrichment off").
        reason: String,
    },
    /// The lookup was attempted and failed: quota exhausted, service down...
    Unavailable {
        /// Why, in a few words ("daily quota exhausted").
        reason: String,
    },
}

impl Reputation {
    /// An address that was not looked up, with the reason.
    #[must_use]
    pub fn not_looked_up(reason: impl Into<String>) -> Self {
        Self::NotLookedUp { reason: reason.into() }
    }

    /// An address whose lookup failed, with the reason.
    #[must_use]
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::Unavailable { reason: reason.into() }
    }

    /// The abuse confidence score, when known.
    #[must_use]
    pub fn score(&self) -> Option<u8> {
        match self {
            Self::Known(facts) => facts.score,
            _ => None,
        }
    }
}

impl From<ReputationFacts> for Reputation {
    fn from(facts: ReputationFacts) -> Self {
        Self::Known(facts)
    }
}

impl From<&CheckResult> for Reputation {
    fn from(check: &CheckResult) -> Self {
        Self::Known(ReputationFacts::from(check))
    }
}

/// The parts of an AbuseIPDB check that a ticket shows. Every field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReputationFacts {
    /// Abuse confidence score, 0 to 100.
    pub score: Option<u8>,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: Option<String>,
    /// Country name.
    pub country_name: Option<String>,
    /// What kind of network the address is in.
    pub usage_type: Option<UsageType>,
    /// The network operator.
    pub isp: Option<String>,
    /// The operator's domain.
    pub domain: Option<String>,
    /// Reports within the lookup's age window.
    pub total_reports: Option<u64>,
    /// Distinct reporters within the window.
    pub distinct_users: Option<u64>,
    /// Whether the address is a Tor exit node.
    pub is_tor: Option<bool>,
    /// Whether AbuseIPDB lists the address as known-good.
    pub is_whitelisted: Option<bool>,
    /// The most recent report.
    pub last_reported_at: Option<Timestamp>,
}

impl From<&CheckResult> for ReputationFacts {
    fn from(check: &CheckResult) -> Self {
        Self {
            score: check.abuse_confidence_score,
            country_code: check.country_code.clone(),
            country_name: check.country_name.clone(),
            usage_type: check.usage_type.clone(),
            isp: check.isp.clone(),
            domain: check.domain.clone(),
            total_reports: check.total_reports,
            distinct_users: check.num_distinct_users,
            is_tor: check.is_tor,
            is_whitelisted: check.is_whitelisted,
            last_reported_at: check.last_reported_at,
        }
    }
}

impl ReputationFacts {
    /// One line for a ticket: `score 100/100, China (CN), Data Center/Web Hosting/Transit, ISP
    /// Tencent (tencent.com), 1 report from 1 user, Tor: no, last reported 2018-12-20 20:55:14 UTC`.
    /// Unknown parts are left out.
    #[must_use]
    pub fn describe(&self) -> String {
        // Written into one string: every ticket describes each of its IPs twice (the description
        // and the reputation field), and a `String` per part showed in the mapping's profile.
        let mut out = String::with_capacity(128);
        let mut part = |args: fmt::Arguments<'_>| {
            if !out.is_empty() {
                out.push_str(", ");
            }
            // Writing to a `String` cannot fail.
            let _ = out.write_fmt(args);
        };
        match self.score {
            Some(score) => part(format_args!("score {score}/100")),
            None => part(format_args!("score unknown")),
        }
        match (&self.country_name, &self.country_code) {
            (Some(name), Some(code)) => part(format_args!("{name} ({code})")),
            (Some(only), None) | (None, Some(only)) => part(format_args!("{only}")),
            (None, None) => {}
        }
        if let Some(usage) = &self.usage_type {
            part(format_args!("{usage}"));
        }
        match (&self.isp, &self.domain) {
            (Some(isp), Some(domain)) => part(format_args!("ISP {isp} ({domain})")),
            (Some(isp), None) => part(format_args!("ISP {isp}")),
            (None, Some(domain)) => part(format_args!("domain {domain}")),
            (None, None) => {}
        }
        if let Some(reports) = self.total_reports {
            let plural = |n: u64| if n == 1 { "" } else { "s" };
            match self.distinct_users {
                Some(users) => {
                    part(format_args!(
                        "{reports} report{} from {users} user{}",
                        plural(reports),
                        plural(users)
                    ));
                }
                None => part(format_args!("{reports} report{}", plural(reports))),
            }
        }
        if let Some(tor) = self.is_tor {
            part(format_args!("Tor: {}", if tor { "yes" } else { "no" }));
        }
        if self.is_whitelisted == Some(true) {
            part(format_args!("whitelisted"));
        }
        if let Some(at) = self.last_reported_at {
            part(format_args!("last reported {}", crate::extract::format_time(at)));
        }
        out
    }
}
