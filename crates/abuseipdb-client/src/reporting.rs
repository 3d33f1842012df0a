//! The write endpoints: `POST report`, `POST bulk-report` and `DELETE clear-address`.

use std::net::IpAddr;

#[cfg(feature = "client")]
use jiff::Timestamp;
#[cfg(feature = "client")]
use jiff::tz::Offset;
#[cfg(feature = "client")]
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
#[cfg(feature = "client")]
use reqwest::multipart::{Form, Part};
use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use crate::client::{Client, Idempotency, Method};
use crate::de;
#[cfg(feature = "client")]
use crate::{Category, Error, Rated, Result, category};

/// The answer to [`Client::report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReportResult {
    /// The address reported.
    #[serde(default)]
    pub ip_address: Option<IpAddr>,
    /// The address's confidence of abuse after the report, 0 to 100.
    #[serde(default, alias = "abuseConfidencePercentage", deserialize_with = "de::score")]
    pub abuse_confidence_score: Option<u8>,
}

/// The answer to [`Client::bulk_report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkReportResult {
    /// How many rows were saved as reports.
    #[serde(default, deserialize_with = "de::count")]
    pub saved_reports: Option<u64>,
    /// The rows that were refused, with the reason.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub invalid_reports: Vec<InvalidReport>,
}

/// A row of a bulk report that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InvalidReport {
    /// Why, e.g. "Duplicate IP" or "Invalid Category".
    #[serde(default)]
    pub error: Option<String>,
    /// The row's address as written in the CSV.
    #[serde(default)]
    pub input: Option<String>,
    /// The row number in the CSV.
    #[serde(default, deserialize_with = "de::count")]
    pub row_number: Option<u64>,
}

/// The answer to [`Client::clear_address`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClearAddressResult {
    /// How many of the account's reports were deleted.
    #[serde(default, deserialize_with = "de::count")]
    pub num_reports_deleted: Option<u64>,
}

#[cfg(feature = "client")]
impl Client {
    /// Reports `ip` for abuse (`POST report`), with at least one category, an optional comment
    /// (log lines; strip personal data first) and the time of the attack (default: now).
    ///
    /// Not repeated after a server error or a timeout, since the report may have been saved; a
    /// `429` is retried, since the service did not act on it.
    ///
    /// ```no_run
    /// # async fn demo(client: abuseipdb_client::Client) -> abuseipdb_client::Result<()> {
    /// use abuseipdb_client::Category;
    /// let answer = client
    ///     .report(
    ///         "192.0.2.7".parse().unwrap(),
    ///         &[Category::BruteForce, Category::Ssh],
    ///         Some("sshd: 40 failed logins for root in 1 minute"),
    ///         Some(jiff::Timestamp::now()),
    ///     )
    ///     .await?;
    /// println!("score now {:?}", answer.data.abuse_confidence_score);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty category list, before anything is sent;
    /// [`Error::AlreadyReported`] when this account reported `ip` in the last 15 minutes;
    /// [`Error::Unprocessable`] for parameters the service refuses; the other [`Error`] variants for what the service or the network did.
    pub async fn report(
        &self,
        ip: IpAddr,
        categories: &[Category],
        comment: Option<&str>,
        timestamp: Option<Timestamp>,
    ) -> Result<Rated<ReportResult>> {
        if categories.is_empty() {
            return Err(Error::invalid("categories", "at least one category is required"));
        }
        let mut form = vec![("ip", ip.to_string()), ("categories", category::join(categories))];
        if let Some(comment) = comment {
            form.push(("comment", comment.to_owned()));
        }
        if let Some(at) = timestamp {
            // ISO 8601 with a numeric offset, as in the documentation's examples.
            form.push(("timestamp", at.display_with_offset(Offset::UTC).to_string()));
        }
        self.data(Method::POST, "report", Idempotency::NonIdempotent, |r| r.form(&form)).await
    }

    /// Sends many reports at once as a CSV file (`POST bulk-report`, multipart field `csv`), in
    /// the format of AbuseIPDB's bulk report page: a header line `IP,Categories,ReportDate,Comment`
    /// and one report a row. Rows the service refuses are listed in the answer rather than
    /// failing the call.
    ///
    /// ```no_run
    /// # async fn demo(client: abuseipdb_client::Client) -> abuseipdb_client::Result<()> {
    /// let csv = "IP,Categories,ReportDate,Comment\n192.0.2.7,\"18,22\",2024-01-01T00:00:00Z,ssh\n";
    /// let answer = client.bulk_report(csv).await?.data;
    /// println!("saved {:?}, refused {}", answer.saved_reports, answer.invalid_reports.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty file; [`Error::Unprocessable`] for a file the service
    /// cannot read at all; the other [`Error`] variants for what the service or the network did.
    pub async fn bulk_report(&self, csv: impl Into<Vec<u8>>) -> Result<Rated<BulkReportResult>> {
        let csv = csv.into();
        if csv.is_empty() {
            return Err(Error::invalid("csv", "the file is empty"));
        }
        let mut part_headers = HeaderMap::new();
        part_headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/csv"));
        self.data(Method::POST, "bulk-report", Idempotency::NonIdempotent, |r| {
            // A form is consumed by sending, so each attempt builds its own.
            let part = Part::bytes(csv.clone()).file_name("report.csv").headers(part_headers.clone());
            r.multipart(Form::new().part("csv", part))
        })
        .await
    }

    /// Deletes the account's own reports of `ip` (`DELETE clear-address`).
    ///
    /// ```no_run
    /// # async fn demo(client: abuseipdb_client::Client) -> abuseipdb_client::Result<()> {
    /// let answer = client.clear_address("192.0.2.7".parse().unwrap()).await?;
    /// println!("{:?} reports deleted", answer.data.num_reports_deleted);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The [`Error`] variants for what the service or the network did.
    pub async fn clear_address(&self, ip: IpAddr) -> Result<Rated<ClearAddressResult>> {
        let query = [("ipAddress", ip.to_string())];
        // Deleting what is already deleted changes nothing, so retries are safe.
        self.data(Method::DELETE, "clear-address", Idempotency::Idempotent, |r| r.query(&query)).await
    }
}
