//! `GET check` and `GET check-block`: what AbuseIPDB knows about one address or one network.

use std::fmt;
use std::net::IpAddr;

#[cfg(feature = "client")]
use ipnet::IpNet;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[cfg(feature = "client")]
use crate::client::{Client, Idempotency, Method};
#[cfg(feature = "client")]
use crate::{Error, Rated, Result};
use crate::{Report, de};

/// The range of `maxAgeInDays` the API accepts.
#[cfg(feature = "client")]
pub(crate) const MAX_AGE_DAYS: std::ops::RangeInclusive<u16> = 1..=365;

#[cfg(feature = "client")]
pub(crate) fn check_max_age(days: u16) -> Result<()> {
    if MAX_AGE_DAYS.contains(&days) {
        Ok(())
    } else {
        Err(Error::invalid("maxAgeInDays", format!("{days} is not between 1 and 365")))
    }
}

/// Parameters of [`Client::check`].
///
/// ```
/// use abuseipdb_client::CheckParams;
/// let params = CheckParams::default().max_age_days(90).verbose(true);
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckParams {
    max_age_days: Option<u16>,
    verbose: bool,
}

impl CheckParams {
    /// Only reports of the last `days` days count (1 to 365; the service's default is 30).
    #[must_use]
    pub fn max_age_days(mut self, days: u16) -> Self {
        self.max_age_days = Some(days);
        self
    }

    /// Asks for the country name and the individual reports as well.
    #[must_use]
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }
}

/// What AbuseIPDB knows about one address: the `data` of a `check` answer.
///
/// Most fields may be `null` in real answers and are `Option`s; `country_name` and `reports`
/// come only with [`CheckParams::verbose`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CheckResult {
    /// The address looked up.
    pub ip_address: IpAddr,
    /// Whether the address is publicly routable.
    #[serde(default)]
    pub is_public: Option<bool>,
    /// 4 or 6.
    #[serde(default)]
    pub ip_version: Option<u8>,
    /// Whether AbuseIPDB lists the address as known-good (a large service's address, say).
    #[serde(default)]
    pub is_whitelisted: Option<bool>,
    /// How confident AbuseIPDB is that the address is abusive, 0 to 100. Older answers call it
    /// `abuseConfidencePercentage`.
    #[serde(default, alias = "abuseConfidencePercentage", deserialize_with = "de::score")]
    pub abuse_confidence_score: Option<u8>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default)]
    pub country_code: Option<String>,
    /// Country name; only with `verbose`.
    #[serde(default)]
    pub country_name: Option<String>,
    /// What kind of network the address belongs to.
    #[serde(default)]
    pub usage_type: Option<UsageType>,
    /// The network operator.
    #[serde(default)]
    pub isp: Option<String>,
    /// The operator's domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// Reverse DNS names.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub hostnames: Vec<String>,
    /// Whether the address is a Tor exit node.
    #[serde(default)]
    pub is_tor: Option<bool>,
    /// Reports within the age window.
    #[serde(default, deserialize_with = "de::count")]
    pub total_reports: Option<u64>,
    /// Distinct users who reported within the age window.
    #[serde(default, deserialize_with = "de::count")]
    pub num_distinct_users: Option<u64>,
    /// The most recent report.
    #[serde(default, deserialize_with = "de::timestamp")]
    pub last_reported_at: Option<Timestamp>,
    /// The individual reports; only with `verbose`.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub reports: Vec<Report>,
}

/// The `usageType` of an address, as AbuseIPDB names it; names it does not document are kept
/// in [`UsageType::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UsageType {
    /// "Commercial".
    Commercial,
    /// "Organization".
    Organization,
    /// "Government".
    Government,
    /// "Military".
    Military,
    /// "University/College/School".
    UniversityCollegeSchool,
    /// "Library".
    Library,
    /// "Content Delivery Network".
    ContentDeliveryNetwork,
    /// "Fixed Line ISP".
    FixedLineIsp,
    /// "Mobile ISP".
    MobileIsp,
    /// "Data Center/Web Hosting/Transit".
    DataCenterWebHostingTransit,
    /// "Search Engine Spider".
    SearchEngineSpider,
    /// "Reserved".
    Reserved,
    /// A name this version does not know, as sent.
    Other(String),
}

/// The documented names, in one table so that parsing and printing cannot disagree.
const USAGE_TYPES: [(UsageType, &str); 12] = [
    (UsageType::Commercial, "Commercial"),
    (UsageType::Organization, "Organization"),
    (UsageType::Government, "Government"),
    (UsageType::Military, "Military"),
    (UsageType::UniversityCollegeSchool, "University/College/School"),
    (UsageType::Library, "Library"),
    (UsageType::ContentDeliveryNetwork, "Content Delivery Network"),
    (UsageType::FixedLineIsp, "Fixed Line ISP"),
    (UsageType::MobileIsp, "Mobile ISP"),
    (UsageType::DataCenterWebHostingTransit, "Data Center/Web Hosting/Transit"),
    (UsageType::SearchEngineSpider, "Search Engine Spider"),
    (UsageType::Reserved, "Reserved"),
];

impl UsageType {
    /// The name as AbuseIPDB writes it.
    pub fn as_str(&self) -> &str {
        match self {
            UsageType::Other(name) => name,
            known => USAGE_TYPES.iter().find(|(t, _)| t == known).map_or("", |(_, name)| name),
        }
    }

    /// Whether addresses of this kind are usually servers rather than people: hosting, CDNs and
    /// crawlers.
    pub fn is_infrastructure(&self) -> bool {
        matches!(
            self,
            UsageType::DataCenterWebHostingTransit
                | UsageType::ContentDeliveryNetwork
                | UsageType::SearchEngineSpider
        )
    }
}

impl From<&str> for UsageType {
    fn from(name: &str) -> Self {
        let trimmed = name.trim();
        USAGE_TYPES
            .iter()
            .find(|(_, known)| known.eq_ignore_ascii_case(trimmed))
            .map_or_else(|| UsageType::Other(name.to_owned()), |(t, _)| t.clone())
    }
}

impl fmt::Display for UsageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for UsageType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for UsageType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(UsageType::from(name.as_str()))
    }
}

/// What AbuseIPDB knows about a network: the `data` of a `check-block` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CheckBlockResult {
    /// The network's first address.
    #[serde(default)]
    pub network_address: Option<IpAddr>,
    /// The netmask, e.g. `255.255.255.0`.
    #[serde(default)]
    pub netmask: Option<String>,
    /// The lowest host address.
    #[serde(default)]
    pub min_address: Option<IpAddr>,
    /// The highest host address.
    #[serde(default)]
    pub max_address: Option<IpAddr>,
    /// How many hosts the network holds; `None` when the service sends a number too large to
    /// read (big IPv6 networks).
    #[serde(default, deserialize_with = "de::count")]
    pub num_possible_hosts: Option<u64>,
    /// The kind of address space, e.g. "Loopback" or "Internet".
    #[serde(default)]
    pub address_space_desc: Option<String>,
    /// The reported addresses in the network.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub reported_address: Vec<ReportedAddress>,
}

/// One reported address within a [`CheckBlockResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReportedAddress {
    /// The address.
    pub ip_address: IpAddr,
    /// Reports within the age window.
    #[serde(default, deserialize_with = "de::count")]
    pub num_reports: Option<u64>,
    /// The most recent report.
    #[serde(default, deserialize_with = "de::timestamp")]
    pub most_recent_report: Option<Timestamp>,
    /// The confidence of abuse, 0 to 100.
    #[serde(default, alias = "abuseConfidencePercentage", deserialize_with = "de::score")]
    pub abuse_confidence_score: Option<u8>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default)]
    pub country_code: Option<String>,
}

#[cfg(feature = "client")]
impl Client {
    /// Looks up one address (`GET check`).
    ///
    /// The address is sent URL-encoded in the query (IPv6 addresses have colons). Consider
    /// [`is_worth_lookup`](crate::is_worth_lookup) first: a private address costs a check and
    /// tells nothing.
    ///
    /// ```no_run
    /// # async fn demo(client: abuseipdb_client::Client) -> abuseipdb_client::Result<()> {
    /// use abuseipdb_client::CheckParams;
    /// let params = CheckParams::default().max_age_days(90).verbose(true);
    /// let answer = client.check("2001:db8::1".parse().unwrap(), &params).await?;
    /// for report in &answer.data.reports {
    ///     println!("{:?} {:?}", report.reported_at, report.categories);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a `max_age_days` outside 1..=365, before anything is sent;
    /// [`Error::QuotaExceeded`] when the day's checks are used up; the other [`Error`] variants
    /// for what the service or the network did.
    pub async fn check(&self, ip: IpAddr, params: &CheckParams) -> Result<Rated<CheckResult>> {
        let mut query = vec![("ipAddress", ip.to_string())];
        if let Some(days) = params.max_age_days {
            check_max_age(days)?;
            query.push(("maxAgeInDays", days.to_string()));
        }
        if params.verbose {
            // The documented form is the bare flag (`-d verbose`), i.e. present with no value.
            query.push(("verbose", String::new()));
        }
        self.data(Method::GET, "check", Idempotency::Idempotent, |r| r.query(&query)).await
    }

    /// Looks up a network in CIDR notation (`GET check-block`); the free plan accepts up to a
    /// /24.
    ///
    /// ```no_run
    /// # async fn demo(client: abuseipdb_client::Client) -> abuseipdb_client::Result<()> {
    /// let answer = client.check_block("192.0.2.0/24".parse().unwrap(), 30).await?;
    /// for address in &answer.data.reported_address {
    ///     println!("{} reported {:?} times", address.ip_address, address.num_reports);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a `max_age_days` outside 1..=365; [`Error::Unprocessable`]
    /// for a network larger than the plan allows; the other [`Error`] variants for what the
    /// service or the network did.
    pub async fn check_block(&self, network: IpNet, max_age_days: u16) -> Result<Rated<CheckBlockResult>> {
        check_max_age(max_age_days)?;
        let query = [("network", network.to_string()), ("maxAgeInDays", max_age_days.to_string())];
        self.data(Method::GET, "check-block", Idempotency::Idempotent, |r| r.query(&query)).await
    }
}
