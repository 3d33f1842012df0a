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
//! Errors are typed ([`Error`]); the variants common to the family (`Transport`,
//! `Unauthorized`, `RateLimited`, `Status`, `Decode`, `InvalidInput`...) and the helpers
//! (`status`, `retry_after`, `is_transient`) are the same in `mcas-client` and `jira-client`.
//!
//! # Features
//!
//! - `client` (default): [`Client`] and its builder, with reqwest and tokio. Without it the crate
//!   is the models and pure helpers alone ([`CheckResult`], [`UsageType`], [`Report`],
//!   [`RateLimit`], [`is_worth_lookup`], [`Error`]...): no HTTP stack is compiled.
//! - `rustls` (default) or `native-tls`: the TLS backend. Each implies `client`; to use
//!   native-tls, turn the default features off.
//!
//! # Types from other crates
//!
//! The API names few types it does not own: `jiff::Timestamp`, `ipnet::IpNet`, the `http` 1.x
//! crate's `StatusCode` and `HeaderMap` (re-exported), `secrecy::SecretString` for the key, and
//! the family's shared `RetryPolicy` and `TransportError` from `http-support`, which is
//! published in lockstep with this crate. reqwest's types are deliberately absent but one: the
//! builder's `http_client` takes a `reqwest::Client`, so that a caller can share one connection
//! pool between clients. Transport failures carry the opaque `TransportError`, which keeps the
//! underlying error as its source.
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
#[cfg(feature = "client")]
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
#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{ApiError, ApiErrorSource, Error, Result};
pub use lookup::is_worth_lookup;
pub use rate_limit::{RateLimit, Rated};
pub use reporting::{BulkReportResult, ClearAddressResult, InvalidReport, ReportResult};
pub use reports::{Report, ReportsPage, ReportsParams};

// Re-exported so that callers name the same versions as this crate's signatures: the family's
// shared types from http-support (published in lockstep with this crate), and the stable crates
// whose types appear in them. `http` is re-exported whole for `RateLimit::from_headers`.
pub use http;
pub use http::StatusCode;
#[cfg(feature = "client")]
pub use http_support::RetryPolicy;
pub use http_support::TransportError;
/// What the builder's `observer(...)` takes: told of every attempt and wait of the requests.
#[cfg(feature = "client")]
pub use http_support::{Attempt, Idempotency, Observer, Outcome, Wait};
pub use ipnet::IpNet;
pub use jiff::Timestamp;
#[cfg(feature = "client")]
pub use secrecy::SecretString;

// The README is what crates.io shows, the crate documentation above what docs.rs shows; compiling
// the README's examples with the doctests keeps them from going stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
