//! The library half of the `mcas2jira` binary.
//!
//! `mcas2jira` reads the alerts of several Microsoft Defender for Cloud Apps tenants, looks up
//! the public IPs in them on AbuseIPDB, and creates one Jira ticket per alert. The binary is a
//! few lines over these modules:
//!
//! - [`config`]: the TOML config file, found, read, checked into ready-to-use values, with secrets
//!   resolved from environment variables, files or commands;
//! - [`state`]: the SQLite state store that remembers which alerts have tickets, where each tenant
//!   stopped, what failed and will be retried, and cached IP reputations;
//! - [`services`]: the clients (one connection pool per service, shared by all tenants), the
//!   mapper, the store and the budgets, built from the config;
//! - [`limits`]: the open-file limit, and the tenant concurrency that fits in it;
//! - [`pipeline`]: a tenant's pass, and one pass over the tenants: the exactly-once heart of the
//!   tool;
//! - [`shutdown`]: stopping on a signal within seconds, losing and repeating nothing;
//! - [`preflight`]: what a run will ask of Jira, checked before it asks (by `check`, and by
//!   `run` and `watch` through a cached gate);
//! - [`events`]: what a pass reports, as human lines or JSON lines;
//! - [`watch`]: `watch`, each tenant's pass on its own schedule until a signal, for running as a
//!   service;
//! - [`metrics`]: what `watch` counts, served as Prometheus metrics and a health check;
//! - [`report`]: `report`, daily, weekly and monthly figures in five formats;
//! - [`sync`]: the two-way sync between tickets and alerts;
//! - [`check`]: `check`, everything a run will need verified without creating anything;
//! - [`cli`] and [`app`]: the command line and its commands;
//! - `demo` (with the default `demo` feature): the whole pipeline against fake services on
//!   loopback, no accounts needed.
//!
//! Errors are typed in the modules ([`config::ConfigError`], [`state::StateError`]); the commands
//! wrap them with `anyhow` context at the edges.

/// `println!` that ignores a closed stdout (`mcas2jira run | head`) rather than panicking: the
/// state store still records everything a pass did.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub mod app;
pub mod check;
pub mod cli;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod events;
pub mod limits;
pub mod metrics;
pub mod pipeline;
pub mod preflight;
pub mod report;
pub mod services;
pub mod shutdown;
pub mod state;
pub mod sync;
pub mod watch;

/// An error and its sources on one line, `outer: inner: innermost`, the way `{:#}` shows an
/// `anyhow::Error`, for the typed errors of the libraries.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let next = inner.to_string();
        // Some errors repeat their source in their own message; don't say it twice.
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = inner.source();
    }
    text
}

// The README is what crates.io shows, the crate documentation above what docs.rs shows; compiling
// the README's examples with the doctests keeps them from going stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
