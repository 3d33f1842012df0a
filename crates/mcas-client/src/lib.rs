//! A typed async client for the alerts API of Microsoft Defender for Cloud Apps (formerly
//! Microsoft Cloud App Security, "MCAS").
//!
//! - [`Client`]: one per tenant, built with [`Client::builder`] from the tenant's portal URL and
//!   its credentials ([`Auth::token`] for a legacy API token, [`Auth::entra`] for a Microsoft
//!   Entra app with client credentials, whose access token is cached and refreshed). Cheap to
//!   clone.
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
//! [`RetryPolicy`] says, and errors come back as a typed [`Error`]
//! carrying MCAS's own error body.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use mcas_client::{AlertQuery, Auth, Client, EntraApp, Severity};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> mcas_client::Result<()> {
//! let app = EntraApp::new("tenant-id", "client-id", SecretString::from("client-secret"));
//! let client = Client::builder(
//!     "https://contoso.eu2.portal.cloudappsecurity.com".parse().unwrap(),
//!     Auth::entra(app),
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

mod alerts;
mod auth;
mod client;
mod close;
mod entity;
mod error;
mod lenient;
mod models;
mod page;
mod pagination;
mod permissions;
mod query;

pub use auth::{Auth, DEFAULT_AUTHORITY, DEFAULT_SCOPE, EntraApp};
pub use client::{Client, ClientBuilder, DEFAULT_REQUESTS_PER_MINUTE};
pub use close::{BenignReason, CloseOutcome, FalsePositiveReason};
pub use entity::{Entity, EntityData, EntityId};
pub use error::{ApiErrorBody, Error, FilterError, Result};
pub use models::{Alert, AlertId, AlertStatus, PolicyRef, ResolutionStatus, Severity};
pub use page::{AlertsPage, MalformedAlert};
pub use permissions::CLOSE_ROLES;
pub use query::{AlertQuery, MAX_PAGE_SIZE, SortDirection};

// Re-exported so that callers name the same versions as this crate's API.
pub use http_support::RetryPolicy;
pub use jiff::Timestamp;
pub use secrecy::SecretString;
pub use url::Url;
