//! A typed async client for the alerts API of Microsoft Defender for Cloud Apps (formerly
//! Microsoft Cloud App Security, "MCAS").
//!
//! - [`Client`]: one per tenant, built with [`Client::builder`] from the tenant's portal URL and
//!   its credentials ([`Auth::token`] for a legacy API token, [`Auth::entra`] for a Microsoft
//!   Entra app with client credentials, whose access token is cached and refreshed). Cheap to
//!   clone. The [`EntraApp`] is the family's one client-credentials token source (from
//!   `http-support`): one app serves many tenants, here and in `graph-security-client`, with a
//!   token per tenant and scope fetched once however many callers ask.
//! - Listing: [`Client::alerts_page`] for one page of an [`AlertQuery`], and
//!   [`Client::alert_pages`] / [`Client::alerts`] for streams that walk every matching alert
//!   without skipping or repeating any while new ones arrive (the strategy is described on
//!   [`Client::alert_pages`]).
//! - One alert: [`Client::get_alert`], [`Client::mark_read`], [`Client::mark_unread`];
//!   closing: [`Client::close_benign`], [`Client::close_false_positive`],
//!   [`Client::close_true_positive`].
//! - Models that survive real data: [`Alert`], [`Severity`], [`ResolutionStatus`], [`Entity`]
//!   (typed by `type`, with ids that are strings or integers, and anything unknown kept raw).
//!   One alert that does not decode never fails a page: it is reported as a
//!   [`MalformedAlert`].
//!
//! Every request goes through `http_support::send`: requests are paced per tenant (30 a minute
//! by default, the documented throttle), `429` and "throttled" answers wait and retry as the
//! `RetryPolicy` says, and errors come back as a typed [`Error`] carrying MCAS's own error body.
//! The error's common variants (`Transport`, `Unauthorized`, `RateLimited`, `Status`, `Decode`,
//! `InvalidInput`, `Paging`...) and its helpers (`status`, `retry_after`, `is_transient`) are
//! the same in `abuseipdb-client` and `jira-client`.
//!
//! # Features
//!
//! - `client` (default): [`Client`] and its builder, with reqwest and tokio. Without it the crate
//!   is the models alone ([`Alert`], [`Entity`], [`Severity`], [`AlertId`], [`AlertQuery`],
//!   [`AlertsPage`], [`Error`]...), for code that reads or stores alerts without calling the
//!   API: no HTTP stack is compiled.
//! - `rustls` (default) or `native-tls`: the TLS backend. Each implies `client`; to use
//!   native-tls, turn the default features off.
//!
//! # Types from other crates
//!
//! The API names few types it does not own: `jiff::Timestamp`, `url::Url`, `http::StatusCode`
//! (all 1.x or 2.x, re-exported), `secrecy::SecretString` for credentials, and the family's
//! shared `RetryPolicy` and `TransportError` from `http-support`, which is published in lockstep
//! with this crate. reqwest's types are deliberately absent but one: the builder's
//! `http_client` takes a `reqwest::Client`, so that a caller can share one connection pool
//! between many clients (a thousand tenants need not mean a thousand pools). Transport failures
//! carry the opaque `TransportError`, which keeps the underlying error as its source.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use mcas_client::{AlertQuery, Auth, Client, EntraApp, Severity};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> mcas_client::Result<()> {
//! let app = EntraApp::builder("client-id", SecretString::from("client-secret")).build()?;
//! let client = Client::builder(
//!     "https://contoso.eu2.portal.cloudappsecurity.com".parse().unwrap(),
//!     Auth::entra(app, "0b6e2d4f-8a1c-4e3b-9d5f-7a2c4e6b8d0f"),
//! )
//! .build()?;
//!
//! let query = AlertQuery::default().min_severity(Severity::Medium).open_only(true);
//! let mut alerts = std::pin::pin!(client.alerts(query));
//! while let Some(alert) = alerts.next().await {
//!     match alert {
//!         Ok(alert) => println!("{} [{}] {}", alert.id, alert.severity, alert.title),
//!         Err(error) => eprintln!("{error}"),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "client")]
mod alerts;
#[cfg(feature = "client")]
mod auth;
#[cfg(feature = "client")]
mod client;
mod close;
mod entity;
mod error;
mod lenient;
mod models;
mod page;
#[cfg(feature = "client")]
mod pagination;
#[cfg(feature = "client")]
mod permissions;
mod query;

#[cfg(feature = "client")]
pub use auth::{Auth, DEFAULT_SCOPE};
#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder, DEFAULT_REQUESTS_PER_MINUTE};
pub use close::{BenignReason, CloseOutcome, FalsePositiveReason};
pub use entity::{Entity, EntityData, EntityId};
pub use error::{ApiErrorBody, Error, FilterError, Result};
pub use models::{Alert, AlertId, AlertStatus, PolicyRef, ResolutionStatus, Severity};
pub use page::{AlertsPage, MalformedAlert};
#[cfg(feature = "client")]
pub use permissions::CLOSE_ROLES;
pub use query::{AlertQuery, MAX_PAGE_SIZE, SortDirection};

// Re-exported so that callers name the same versions as this crate's API: the family's shared
// types from http-support (published in lockstep with this crate), and the 1.x crates whose types
// appear in its signatures.
pub use http::StatusCode;
pub use http_support::TransportError;
#[cfg(feature = "client")]
pub use http_support::entra::{DEFAULT_AUTHORITY, EntraApp, EntraAppBuilder, EntraError};
/// What the builder's `observer(...)` takes: told of every attempt and wait of the requests.
#[cfg(feature = "client")]
pub use http_support::{Attempt, Idempotency, Observer, Outcome, Wait};
#[cfg(feature = "client")]
pub use http_support::{PACING_WINDOW, Pacer, RetryPolicy};
pub use jiff::Timestamp;
#[cfg(feature = "client")]
pub use secrecy::SecretString;
pub use url::Url;

// The README is what crates.io shows, the crate documentation above what docs.rs shows; compiling
// the README's examples with the doctests keeps them from going stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
