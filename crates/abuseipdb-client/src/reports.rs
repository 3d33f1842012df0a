//! `GET reports`: the individual reports filed against an address, page by page or as a stream.

#[cfg(feature = "client")]
use std::net::IpAddr;

#[cfg(feature = "client")]
use futures_util::{Stream, TryStreamExt, stream};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use crate::check::check_max_age;
#[cfg(feature = "client")]
use crate::client::{Client, Idempotency, Method};
use crate::{Category, de};
#[cfg(feature = "client")]
use crate::{Error, Rated, Result};

/// One abuse report, as listed by `reports` and by a verbose `check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Report {
    /// When it was reported.
    #[serde(default, deserialize_with = "de::timestamp")]
    pub reported_at: Option<Timestamp>,
    /// The reporter's comment, usually log lines. Untrusted text.
    #[serde(default)]
    pub comment: Option<String>,
    /// The abuse categories.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub categories: Vec<Category>,
    /// The reporter's user id.
    #[serde(default, deserialize_with = "de::count")]
    pub reporter_id: Option<u64>,
    /// The reporter's country code.
    #[serde(default)]
    pub reporter_country_code: Option<String>,
    /// The reporter's country name.
    #[serde(default)]
    pub reporter_country_name: Option<String>,
}

/// Parameters of [`Client::reports`] and [`Client::reports_stream`].
///
/// ```
/// use abuseipdb_client::ReportsParams;
/// let params = ReportsParams::default().max_age_days(30).per_page(100);
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportsParams {
    max_age_days: Option<u16>,
    page: Option<u32>,
    per_page: Option<u8>,
}

impl ReportsParams {
    /// Only reports of the last `days` days (1 to 365; the service's default is 30).
    #[must_use]
    pub fn max_age_days(mut self, days: u16) -> Self {
        self.max_age_days = Some(days);
        self
    }

    /// The page to fetch, from 1; a stream starts there.
    #[must_use]
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Reports per page, 1 to 100 (the service's default is 25).
    #[must_use]
    pub fn per_page(mut self, per_page: u8) -> Self {
        self.per_page = Some(per_page);
        self
    }

    #[cfg(feature = "client")]
    fn query(&self, ip: IpAddr, page: Option<u32>) -> Result<Vec<(&'static str, String)>> {
        let mut query = vec![("ipAddress", ip.to_string())];
        if let Some(days) = self.max_age_days {
            check_max_age(days)?;
            query.push(("maxAgeInDays", days.to_string()));
        }
        if let Some(page) = page {
            if page == 0 {
                return Err(Error::invalid("page", "pages are numbered from 1"));
            }
            query.push(("page", page.to_string()));
        }
        if let Some(per_page) = self.per_page {
            if !(1..=100).contains(&per_page) {
                return Err(Error::invalid("perPage", format!("{per_page} is not between 1 and 100")));
            }
            query.push(("perPage", per_page.to_string()));
        }
        Ok(query)
    }
}

/// One page of reports: the `data` of a `reports` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReportsPage {
    /// Reports in all pages.
    #[serde(default, deserialize_with = "de::count")]
    pub total: Option<u64>,
    /// This page's number, from 1.
    #[serde(default, deserialize_with = "de::count")]
    pub page: Option<u64>,
    /// Reports on this page.
    #[serde(default, deserialize_with = "de::count")]
    pub count: Option<u64>,
    /// The page size.
    #[serde(default, deserialize_with = "de::count")]
    pub per_page: Option<u64>,
    /// The number of the last page.
    #[serde(default, deserialize_with = "de::count")]
    pub last_page: Option<u64>,
    /// The URL of the next page, `None` on the last. It repeats the query, never the key.
    #[serde(default)]
    pub next_page_url: Option<String>,
    /// The URL of the previous page, `None` on the first.
    #[serde(default)]
    pub previous_page_url: Option<String>,
    /// The reports, newest first.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub results: Vec<Report>,
}

impl ReportsPage {
    /// Whether a page follows this one. `lastPage` is trusted when present, `nextPageUrl`
    /// otherwise.
    pub fn has_next(&self) -> bool {
        match (self.page, self.last_page) {
            (Some(page), Some(last)) => page < last,
            _ => self.next_page_url.is_some(),
        }
    }
}

#[cfg(feature = "client")]
impl Client {
    /// Fetches one page of the reports filed against `ip` (`GET reports`).
    ///
    /// ```no_run
    /// # async fn demo(client: abuseipdb_client::Client) -> abuseipdb_client::Result<()> {
    /// use abuseipdb_client::ReportsParams;
    /// let page = client.reports("118.25.6.39".parse().unwrap(), &ReportsParams::default().page(2)).await?;
    /// println!("{:?} reports in all", page.data.total);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for parameters out of range, before anything is sent; the other
    /// [`Error`] variants for what the service or the network did.
    pub async fn reports(&self, ip: IpAddr, params: &ReportsParams) -> Result<Rated<ReportsPage>> {
        let query = params.query(ip, params.page)?;
        self.data(Method::GET, "reports", Idempotency::Idempotent, |r| r.query(&query)).await
    }

    /// All the reports filed against `ip`, fetched page by page as the stream is read, from
    /// [`ReportsParams::page`] (or 1) on.
    ///
    /// The stream ends after the last page, and also, rather than loop, on an empty page or
    /// when the service answers with a page other than the one asked for. Each page costs one
    /// request of the daily quota.
    ///
    /// ```no_run
    /// # async fn demo(client: abuseipdb_client::Client) -> abuseipdb_client::Result<()> {
    /// use abuseipdb_client::ReportsParams;
    /// use futures_util::TryStreamExt;
    ///
    /// let params = ReportsParams::default().per_page(100);
    /// let reports: Vec<_> = client.reports_stream("118.25.6.39".parse().unwrap(), &params).try_collect().await?;
    /// println!("{} reports", reports.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The stream yields the error of a failed page, then ends.
    pub fn reports_stream(
        &self,
        ip: IpAddr,
        params: &ReportsParams,
    ) -> impl Stream<Item = Result<crate::Report>> + Send + 'static {
        let client = self.clone();
        let params = params.clone();
        let first = params.page.unwrap_or(1);
        stream::try_unfold(Some(first), move |next| {
            let client = client.clone();
            let params = params.clone();
            async move {
                let Some(number) = next else { return Ok(None) };
                let query = params.query(ip, Some(number))?;
                let page = client
                    .data::<ReportsPage, _>(Method::GET, "reports", Idempotency::Idempotent, |r| {
                        r.query(&query)
                    })
                    .await?
                    .data;
                // No progress: nothing on the page, or not the page asked for (a service that
                // clamps an out-of-range page would otherwise repeat its last page forever).
                if page.results.is_empty() || page.page.is_some_and(|p| p != u64::from(number)) {
                    return Ok(None);
                }
                let following = page.has_next().then(|| number.checked_add(1)).flatten();
                Ok(Some((page.results, following)))
            }
        })
        .map_ok(|reports| stream::iter(reports.into_iter().map(Ok)))
        .try_flatten()
    }
}
