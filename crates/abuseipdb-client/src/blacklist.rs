//! `GET blacklist`: the most reported addresses, as JSON or as plain text.

use std::net::IpAddr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use crate::client::{Client, Idempotency, Method};
use crate::de;
#[cfg(feature = "client")]
use crate::{Error, Rated, Result};

/// Which address family a blacklist holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpVersion {
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

/// Parameters of [`Client::blacklist`] and [`Client::blacklist_plaintext`]. Filters other than
/// the limit need a subscription: without one the service answers
/// [`Error::PaymentRequired`].
///
/// ```
/// use abuseipdb_client::{BlacklistParams, IpVersion};
/// let params = BlacklistParams::default().confidence_minimum(90).limit(500).ip_version(IpVersion::V4);
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlacklistParams {
    confidence_minimum: Option<u8>,
    limit: Option<u32>,
    only_countries: Vec<String>,
    except_countries: Vec<String>,
    ip_version: Option<IpVersion>,
}

impl BlacklistParams {
    /// Only addresses with at least this confidence of abuse, 25 to 100 (default 100).
    #[must_use]
    pub fn confidence_minimum(mut self, minimum: u8) -> Self {
        self.confidence_minimum = Some(minimum);
        self
    }

    /// At most this many addresses (default and ceiling depend on the plan).
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Only addresses from these countries (ISO 3166-1 alpha-2 codes).
    #[must_use]
    pub fn only_countries<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.only_countries = codes.into_iter().map(Into::into).collect();
        self
    }

    /// No addresses from these countries (ISO 3166-1 alpha-2 codes).
    #[must_use]
    pub fn except_countries<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.except_countries = codes.into_iter().map(Into::into).collect();
        self
    }

    /// Only addresses of one family.
    #[must_use]
    pub fn ip_version(mut self, version: IpVersion) -> Self {
        self.ip_version = Some(version);
        self
    }

    #[cfg(feature = "client")]
    fn query(&self) -> Result<Vec<(&'static str, String)>> {
        let mut query = Vec::new();
        if let Some(minimum) = self.confidence_minimum {
            if !(25..=100).contains(&minimum) {
                return Err(Error::invalid(
                    "confidenceMinimum",
                    format!("{minimum} is not between 25 and 100"),
                ));
            }
            query.push(("confidenceMinimum", minimum.to_string()));
        }
        if let Some(limit) = self.limit {
            if limit == 0 {
                return Err(Error::invalid("limit", "must be at least 1"));
            }
            query.push(("limit", limit.to_string()));
        }
        for (name, codes) in
            [("onlyCountries", &self.only_countries), ("exceptCountries", &self.except_countries)]
        {
            if codes.is_empty() {
                continue;
            }
            if let Some(bad) =
                codes.iter().find(|c| c.len() != 2 || !c.chars().all(|c| c.is_ascii_alphabetic()))
            {
                return Err(Error::invalid(name, format!("{bad:?} is not a two-letter country code")));
            }
            query.push((name, codes.join(",")));
        }
        if let Some(version) = self.ip_version {
            let value = match version {
                IpVersion::V4 => "4",
                IpVersion::V6 => "6",
            };
            query.push(("ipVersion", value.to_owned()));
        }
        Ok(query)
    }
}

/// The blacklist: its entries and when it was generated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Blacklist {
    /// When the service generated the list (`meta.generatedAt`).
    pub generated_at: Option<Timestamp>,
    /// The addresses, most reported first.
    pub entries: Vec<BlacklistEntry>,
}

/// One address of the [`Blacklist`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BlacklistEntry {
    /// The address.
    pub ip_address: IpAddr,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default)]
    pub country_code: Option<String>,
    /// The confidence of abuse, 0 to 100.
    #[serde(default, alias = "abuseConfidencePercentage", deserialize_with = "de::score")]
    pub abuse_confidence_score: Option<u8>,
    /// The most recent report.
    #[serde(default, deserialize_with = "de::timestamp")]
    pub last_reported_at: Option<Timestamp>,
}

#[cfg(feature = "client")]
/// The JSON answer: unlike the other endpoints it has a `meta` beside `data`.
#[derive(Deserialize)]
struct BlacklistDocument {
    #[serde(default)]
    meta: Option<Meta>,
    #[serde(default, deserialize_with = "de::null_as_default")]
    data: Vec<BlacklistEntry>,
}

#[cfg(feature = "client")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    #[serde(default, deserialize_with = "de::timestamp")]
    generated_at: Option<Timestamp>,
}

#[cfg(feature = "client")]
/// An invalid line of a plaintext blacklist.
#[derive(Debug, thiserror::Error)]
#[error("line {line} is not an IP address")]
struct InvalidLine {
    line: usize,
}

#[cfg(feature = "client")]
impl Client {
    /// Downloads the blacklist as JSON (`GET blacklist`), with each address's score and last
    /// report.
    ///
    /// ```no_run
    /// # async fn demo(client: abuseipdb_client::Client) -> abuseipdb_client::Result<()> {
    /// use abuseipdb_client::BlacklistParams;
    /// let list = client.blacklist(&BlacklistParams::default().limit(1000)).await?.data;
    /// println!("{} addresses, generated at {:?}", list.entries.len(), list.generated_at);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for parameters out of range, before anything is sent;
    /// [`Error::PaymentRequired`] for filters the plan lacks; the other [`Error`] variants for
    /// what the service or the network did.
    pub async fn blacklist(&self, params: &BlacklistParams) -> Result<Rated<Blacklist>> {
        let query = params.query()?;
        let (response, rate_limit) =
            self.send(Method::GET, "blacklist", Idempotency::Idempotent, |r| r.query(&query)).await?;
        let body = self.body(response).await?;
        let document: BlacklistDocument =
            serde_json::from_slice(&body).map_err(|e| Error::decode("blacklist", e))?;
        let blacklist =
            Blacklist { generated_at: document.meta.and_then(|m| m.generated_at), entries: document.data };
        Ok(Rated::new(blacklist, rate_limit))
    }

    /// Downloads the blacklist as plain text (`GET blacklist?plaintext`), one address a line:
    /// the smallest answer when only the addresses matter.
    ///
    /// ```no_run
    /// # async fn demo(client: abuseipdb_client::Client) -> abuseipdb_client::Result<()> {
    /// use abuseipdb_client::BlacklistParams;
    /// let addresses = client.blacklist_plaintext(&BlacklistParams::default()).await?.data;
    /// println!("{} addresses to block", addresses.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Decode`] when a line is not an IP address (an HTML page served with a success
    /// status, say); otherwise as [`Client::blacklist`].
    pub async fn blacklist_plaintext(&self, params: &BlacklistParams) -> Result<Rated<Vec<IpAddr>>> {
        let mut query = params.query()?;
        // The documented form is the bare flag (`-d plaintext`), i.e. present with no value.
        query.push(("plaintext", String::new()));
        let (response, rate_limit) =
            self.send(Method::GET, "blacklist", Idempotency::Idempotent, |r| r.query(&query)).await?;
        let body = self.body(response).await?;
        let text = std::str::from_utf8(&body).map_err(|e| Error::decode("blacklist", e))?;
        let addresses = text
            .lines()
            .enumerate()
            .map(|(index, line)| (index, line.trim()))
            .filter(|(_, line)| !line.is_empty())
            .map(|(index, line)| {
                line.parse::<IpAddr>()
                    .map_err(|_| Error::decode("blacklist", InvalidLine { line: index + 1 }))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Rated::new(addresses, rate_limit))
    }
}
