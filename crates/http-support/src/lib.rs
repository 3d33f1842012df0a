//! Shared HTTP plumbing for the mcas2jira client crates, and the vocabulary they share.
//!
//! Every client in this workspace (`mcas-client`, `abuseipdb-client`, `jira-client`) sends its
//! requests through [`send`]. That is the one place that retries, backs off, honours
//! `Retry-After`, paces, and sleeps, so the rules are the same for every service:
//!
//! - a `429 Too Many Requests` (or an answer the caller classifies as throttled) is always retried
//!   after the wait the server asked for, since the server did not act on the request — unless that
//!   wait is longer than [`RetryPolicy::get_max_wait`], in which case [`HttpError::RateLimited`]
//!   carries the wait back to the caller instead of sleeping for it;
//! - `5xx` answers, timeouts and connection errors are retried only for
//!   [`Idempotency::Idempotent`] requests: creating a Jira issue twice is worse than failing once;
//! - backoff is exponential with jitter and capped at [`RetryPolicy::get_max_backoff`];
//! - error bodies are captured up to a bound ([`ErrorResponse`]) so that each client can build its
//!   own typed error from the service's error body, and success bodies are read with a cap
//!   ([`read_body`]) so that a hostile or broken server cannot exhaust memory;
//! - credentials only go to `https` URLs, or plain `http` to loopback ([`check_base_url`]);
//! - one Microsoft Entra application gets client-credentials tokens for many tenants, cached per
//!   tenant and scope and fetched once for many callers ([`entra::EntraApp`]): the one
//!   implementation of that flow in the family.
//! - an [`Observer`] given to a client (`.observer(...)` on its builder) is told of every attempt
//!   and every wait, for metrics, without the clients knowing of any.
//!
//! # The family's shared vocabulary
//!
//! This crate is published in lockstep with the clients (same version, released together), and
//! its public types are the words the family shares: [`RetryPolicy`], [`ClientSettings`] (the
//! setters every builder offers, written once by [`client_settings_setters!`]),
//! [`TransportError`], [`check_base_url`]. Each client re-exports just the types its own API
//! needs, so that its users never depend on this crate directly.
//!
//! reqwest is not re-exported: its types change with every minor version, and a client's API
//! promises only what it names. The clients' one deliberate reqwest type is `reqwest::Client`,
//! accepted by each builder's `http_client(...)` so that callers can share one connection pool.
//! Errors carry statuses and headers as [`http`] 1.x types and transport failures as the opaque
//! [`TransportError`].
//!
//! # Features
//!
//! - `client` (default): the HTTP side ([`send`], [`read_body`], [`ClientSettings`],
//!   [`ClientOptions`], [`Pacer`]: at most N request starts in any rolling window, the Entra token
//!   source [`entra`]), with reqwest and tokio. Without it the crate holds only the shared types,
//!   for the clients' models and errors.
//! - `rustls` (default) and `native-tls`: the TLS backend, forwarded to reqwest; each implies
//!   `client`. With both, reqwest uses native-tls.
//!
//! ```no_run
//! use http_support::{ClientOptions, Idempotency, RetryPolicy};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = ClientOptions::new("my-tool/1.0").build()?;
//! let policy = RetryPolicy::default();
//! let response = http_support::send(
//!     &policy,
//!     Idempotency::Idempotent,
//!     None,
//!     || client.get("https://example.com/api/thing"),
//!     |_| false,
//! )
//! .await?;
//! let body = http_support::read_body(response, http_support::DEFAULT_MAX_BODY).await?;
//! # let _ = body;
//! # Ok(())
//! # }
//! ```

mod base_url;
mod body;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
pub mod entra;
mod error;
mod observe;
#[cfg(feature = "client")]
mod pacing;
mod retry;
mod retry_after;
#[cfg(feature = "client")]
mod settings;

pub use base_url::{BaseUrlError, check_base_url};
#[cfg(feature = "client")]
pub use body::read_body;
pub use body::{DEFAULT_MAX_BODY, DEFAULT_MAX_ERROR_BODY, ErrorResponse};
#[cfg(feature = "client")]
pub use client::{ClientOptions, Redirects, user_agent};
pub use error::{HttpError, TransportError, wait_suffix};
pub use observe::{Attempt, Observer, Outcome, Wait};
#[cfg(feature = "client")]
pub use pacing::{PACING_WINDOW, Pacer};
pub use retry::{Idempotency, RetryPolicy, is_transient_status};
#[cfg(feature = "client")]
pub use retry::{send, send_observed};
pub use retry_after::{parse_retry_after, retry_after};
#[cfg(feature = "client")]
pub use settings::{ClientSettings, HttpClient, SettingsError};

// The README is what crates.io shows, the crate documentation above what docs.rs shows; compiling
// the README's examples with the doctests keeps them from going stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
