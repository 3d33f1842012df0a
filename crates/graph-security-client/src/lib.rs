//! A typed async client for Microsoft Graph security alerts (`alerts_v2`, the
//! `microsoft.graph.security.alert` resource), built for one Microsoft Entra application that
//! reaches many customer tenants.
//!
//! - [`EntraApp`]: the application (client id and secret), built once; its clones share a token
//!   cache that holds a token per tenant, fetched once however many callers ask.
//! - [`Client`]: one per tenant, built with [`Client::builder`] from [`Auth::app`] (the app and
//!   the tenant id). Cheap to clone; its requests are paced at Graph's documented 150 a minute
//!   per app per tenant.
//! - Listing: [`Client::alerts_page`] with an [`AlertQuery`] (a safe OData [`Filter`], `$top`),
//!   [`Client::alerts_page_at`] for a next link, and the streams [`Client::alert_pages`] and
//!   [`Client::alerts`], which follow the links with guards against loops and other hosts.
//! - One alert: [`Client::get_alert`], [`Client::update_alert`] (status, classification,
//!   determination, owner), [`Client::add_comment`].
//! - Permissions: [`Client::granted_roles`] reads the application permissions the tenant granted
//!   from the access token ([`READ_ROLES`], [`WRITE_PERMISSION`]), without calling Graph.
//! - Models that survive real data: [`Alert`] with its [`Evidence`] (users, IPs, cloud and OAuth
//!   apps, mailboxes typed; any other kind kept as raw JSON), and evolvable enums
//!   ([`Severity`], [`ServiceSource`]…) that keep `unknownFutureValue` and names this crate does
//!   not know. One alert that does not decode never fails a page ([`MalformedAlert`]).
//!
//! Every request goes through `http_support::send` (retries, backoff, `Retry-After`, pacing) and
//! errors come back as one typed [`Error`]; a `403` names the permission the call needs. The
//! error's common variants (`Transport`, `Unauthorized`, `RateLimited`, `Status`, `Decode`,
//! `InvalidInput`, `Paging`...) and its helpers (`status`, `retry_after`, `is_transient`) are the
//! same in `mcas-client`, `abuseipdb-client` and `jira-client`.
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! # mod demo {
//! use futures_util::StreamExt;
//! use graph_security_client::{AlertQuery, Auth, Client, Comparison, EntraApp, Filter, SecretString, ServiceSource};
//!
//! async fn print_alerts() -> graph_security_client::Result<()> {
//!     let app = EntraApp::builder("client-id", SecretString::from("client-secret")).build()?;
//!     let client = Client::builder(Auth::app(app, "0b6e2d4f-8a1c-4e3b-9d5f-7a2c4e6b8d0f")).build()?;
//!
//!     let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
//!     let query = AlertQuery::default().filter(
//!         Filter::service_source(ServiceSource::MicrosoftDefenderForCloudApps)
//!             .and(Filter::created(Comparison::Ge, since)),
//!     );
//!     let mut alerts = std::pin::pin!(client.alerts(query));
//!     while let Some(alert) = alerts.next().await {
//!         match alert {
//!             Ok(alert) => println!("{} [{}] {}", alert.id, alert.severity, alert.title),
//!             Err(error) => eprintln!("{error}"),
//!         }
//!     }
//!     Ok(())
//! }
//! # }
//! ```
//!
//! # Features
//!
//! - `client` (default): the HTTP client ([`Client`], [`Auth`], [`EntraApp`]) on reqwest and
//!   tokio. Without it the crate is its models, the [`Filter`] builder and the [`Error`] type,
//!   with no HTTP stack: what code that only maps or stores alerts needs.
//! - `rustls` (default) or `native-tls`: the TLS backend. Each implies `client`; to use
//!   native-tls, turn the default features off.
//!
//! # Types from other crates
//!
//! The API names few types it does not own: `jiff::Timestamp`, `url::Url`, `http::StatusCode`
//! (re-exported), `secrecy::SecretString` for credentials, and the family's shared
//! `RetryPolicy`, `TransportError` and Entra token source (`EntraApp`) from `http-support`,
//! which is published in lockstep with this crate. reqwest's types are deliberately absent but
//! one: the builder's `http_client` takes a `reqwest::Client`, so that a caller can share one
//! connection pool between the clients of many tenants. Transport failures carry the opaque
//! `TransportError`, which keeps the underlying error as its source.
//!
//! # What the crate relies on, and where it comes from
//!
//! Checked against Microsoft's Graph v1.0 reference (the pages in the
//! `microsoftgraph/microsoft-graph-docs-contrib` repository, December 2026):
//!
//! - List alerts_v2: `GET /security/alerts_v2`; `$count`, `$filter`, `$skip`, `$top`; `$filter`
//!   on assignedTo, classification, determination, createdDateTime, lastUpdateDateTime,
//!   severity, serviceSource and status; `@odata.nextLink` for paging; "the most recent alerts
//!   are displayed at the top of the list". Permission `SecurityAlert.Read.All` (application),
//!   `SecurityAlert.ReadWrite.All` also accepted.
//! - Update alert: `PATCH /security/alerts_v2/{alertId}` with status, classification,
//!   determination, assignedTo; `200 OK` with the alert; permission `SecurityAlert.ReadWrite.All`.
//! - Create comment for alert: `POST /security/alerts_v2/{alertId}/comments` with
//!   `{"@odata.type": "microsoft.graph.security.alertComment", "comment": ...}`; `200 OK` with
//!   the alert's comments as `{"value": [...]}`.
//! - The alert resource's properties and enums (status also has `unknown`; the determination
//!   table's members, which differ from some prose on the same pages: see [`Determination`]),
//!   `Prefer: include-unknown-enum-members` for the members added later (e.g.
//!   `microsoftDefenderForCloud`), and the evidence types `alertEvidence`, `userEvidence`,
//!   `userAccount`, `ipEvidence`, `cloudApplicationEvidence` (ids are Int64),
//!   `oauthApplicationEvidence` and `mailboxEvidence` (which also has `upn`).
//! - Throttling: "any operation on `alert`": 150 requests per minute per app per tenant; 130,000
//!   requests per 10 seconds per app across all tenants.
//! - Errors: `{"error": {"code", "message", "innerError": {"request-id", "date"}}}`.
//!
//! Not checked against a Microsoft page, and handled defensively instead:
//!
//! - The permissions table of Create comment could not be read; the Update alert page's
//!   (`SecurityAlert.ReadWrite.All`) is assumed for it.
//! - The largest `$top` of `alerts_v2` and its default page size are not documented; the crate
//!   sends `$top` only when asked and does not cap it.
//! - OData string literals double a quote inside (the OData v4 ABNF; Graph's query-parameter
//!   page only says to percent-encode), and date-times are written unquoted in UTC.
//! - The exact body of a `403` for a missing permission is not documented; the error names the
//!   permission the call needs whatever the body says. Users report a `403` for tenants not
//!   onboarded to Microsoft Defender XDR even with the permission granted, and that `alerts_v2`
//!   stops giving next links after a few hundred alerts (see [`Client::alert_pages`]); neither
//!   is confirmed by Microsoft.

mod alert;
#[cfg(feature = "client")]
mod alerts;
#[cfg(feature = "client")]
mod auth;
#[cfg(feature = "client")]
mod client;
mod enums;
mod error;
mod evidence;
mod evolvable;
mod filter;
mod lenient;
mod page;
#[cfg(feature = "client")]
mod pagination;
#[cfg(feature = "client")]
mod permissions;
mod query;
mod update;

pub use alert::{Alert, AlertComment, AlertId};
pub use enums::{
    AlertStatus, Classification, DetectionSource, Determination, EvidenceRole, EvidenceVerdict,
    RemediationStatus, ServiceSource, Severity,
};
pub use error::{Error, GraphErrorBody, READ_PERMISSION, Result, WRITE_PERMISSION};
pub use evidence::{
    CLOUD_APPLICATION_EVIDENCE, CloudApplicationEvidence, Evidence, EvidenceCommon, IP_EVIDENCE, IpEvidence,
    MAILBOX_EVIDENCE, MailboxEvidence, OAUTH_APPLICATION_EVIDENCE, OauthApplicationEvidence, OtherEvidence,
    USER_EVIDENCE, UserAccount, UserEvidence,
};
pub use filter::{Comparison, Filter};
pub use page::{AlertsPage, MalformedAlert};
pub use query::AlertQuery;
pub use update::AlertUpdate;

#[cfg(feature = "client")]
pub use auth::Auth;
#[cfg(feature = "client")]
pub use client::{
    API_VERSION, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_SCOPE,
};
#[cfg(feature = "client")]
pub use permissions::READ_ROLES;

// Re-exported so that callers name the same versions as this crate's API: the family's shared
// types from http-support (published in lockstep with this crate), and the 1.x crates whose types
// appear in its signatures.
pub use http::StatusCode;
pub use http_support::TransportError;
#[cfg(feature = "client")]
pub use http_support::entra::{DEFAULT_AUTHORITY, EntraApp, EntraAppBuilder, EntraError};
#[cfg(feature = "client")]
pub use http_support::{PACING_WINDOW, Pacer, RetryPolicy};
pub use jiff::Timestamp;
#[cfg(feature = "client")]
pub use secrecy::SecretString;
#[cfg(feature = "client")]
pub use url::Url;

// The README is what crates.io shows, the crate documentation above what docs.rs shows; compiling
// the README's examples with the doctests keeps them from going stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
