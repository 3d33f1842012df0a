//! Shared HTTP plumbing for the mcas2jira client crates.
//!
//! Every client in this workspace (`mcas-client`, `abuseipdb-client`, `jira-client`) sends its
//! requests through [`send`]. That is the one place that retries, backs off, honours
//! `Retry-After`, paces, and sleeps, so the rules are the same for every service:
//!
//! - a `429 Too Many Requests` (or an answer the caller classifies as throttled) is always retried
//!   after the wait the server asked for, since the server did not act on the request — unless that
//!   wait is longer than [`RetryPolicy::max_wait`], in which case [`HttpError::RateLimited`]
//!   carries the wait back to the caller instead of sleeping for it;
//! - `5xx` answers, timeouts and connection errors are retried only for
//!   [`Idempotency::Idempotent`] requests: creating a Jira issue twice is worse than failing once;
//! - backoff is exponential with jitter and capped at [`RetryPolicy::max_backoff`];
//! - error bodies are captured up to a bound ([`ErrorResponse`]) so that each client can build its
//!   own typed error from the service's error body, and success bodies are read with a cap
//!   ([`read_body`]) so that a hostile or broken server cannot exhaust memory.
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

mod body;
mod client;
mod error;
mod pacing;
mod retry;
mod retry_after;

pub use body::{DEFAULT_MAX_BODY, DEFAULT_MAX_ERROR_BODY, ErrorResponse, read_body};
pub use client::{ClientOptions, Redirects, user_agent};
pub use error::HttpError;
pub use pacing::Pacer;
pub use retry::{Idempotency, RetryPolicy, send};
pub use retry_after::{parse_retry_after, retry_after};

// Re-exported so that clients and their users name one version of these.
pub use reqwest;
