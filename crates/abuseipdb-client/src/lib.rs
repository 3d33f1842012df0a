//! A typed async client for the [AbuseIPDB](https://www.abuseipdb.com) v2 API.
//!
//! All seven endpoints are covered: [`Client::check`], [`Client::check_block`],
//! [`Client::reports`] (and [`Client::reports_stream`]), [`Client::blacklist`] (and
//! [`Client::blacklist_plaintext`]), [`Client::report`], [`Client::bulk_report`] and
//! [`Client::clear_address`]. Each answer comes as a [`Rated`] value that carries the
//! endpoint's [`RateLimit`] beside the data, so that a caller can see its daily quota run down.
//!
//! The free plan allows 1,000 checks a day. [`is_worth_lookup`] tells which addresses are not
//! worth one (private, loopback, documentation, ...). When the quota is spent the service asks
//! for a wait of hours; rather than sleep, the client returns [`Error::QuotaExceeded`] with the
//! reset time. Short throttling waits are slept through by the shared retry policy.
//!
//! ```no_run
//! use abuseipdb_client::{CheckParams, Client, is_worth_lookup};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> abuseipdb_client::Result<()> {
//! let client = Client::builder(SecretString::from(std::env::var("ABUSEIPDB_API_KEY").unwrap_or_default()))
//!     .build()?;
//! let ip = "118.25.6.39".parse().unwrap();
//! if is_worth_lookup(ip) {
//!     let answer = client.check(ip, &CheckParams::default().max_age_days(90)).await?;
//!     println!("{ip}: score {:?}", answer.data.abuse_confidence_score);
//! }
//! # Ok(())
//! # }
//! ```

mod blacklist;
mod category;
mod check;
mod client;
mod de;
mod error;
mod lookup;
mod rate_limit;
mod reporting;
mod reports;

pub use blacklist::{Blacklist, BlacklistEntry, BlacklistParams, IpVersion};
pub use category::Category;
pub use check::{CheckBlockResult, CheckParams, CheckResult, ReportedAddress, UsageType};
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{ApiError, ApiErrorSource, Error, Result};
pub use lookup::is_worth_lookup;
pub use rate_limit::{RateLimit, Rated};
pub use reporting::{BulkReportResult, ClearAddressResult, InvalidReport, ReportResult};
pub use reports::{Report, ReportsPage, ReportsParams};

// Re-exported so that callers name the same versions as this crate's signatures.
pub use http_support::RetryPolicy;
pub use ipnet::IpNet;
pub use jiff::Timestamp;
pub use secrecy::SecretString;
