//! Fake Defender for Cloud Apps, Microsoft Graph security alerts, AbuseIPDB and Jira servers on
//! loopback, for the mcas2jira demo, the CLI and fault-injection tests, and the benchmark.
//!
//! Each fake is a real HTTP server bound to `127.0.0.1:0` that speaks the documented shapes of
//! its service (paging, authentication, error bodies), so the real clients run against it
//! unchanged. All of them share the same knobs:
//!
//! - `url()`: the base URL to configure a client with;
//! - `set_latency(Duration)`: a fixed delay added to every request, changeable at any time;
//! - `stats()`: request counters by route name (see each fake's `route` module) and in total;
//! - `fail_next(route, n, FaultKind)`: make the next `n` requests on a route fail with a status
//!   and the service's own error body, be throttled (`429` + `Retry-After`), be delayed past a
//!   client's timeout, or (for a Jira create) succeed and then lose the response;
//! - `shutdown()`, or drop.
//!
//! The fake Jira refuses a create the way Jira does, with Jira's messages: an unknown project or
//! issue type, a component not in the project, a priority outside the project's scheme
//! (`allowed_priorities`), a field off the create screen of its issue type (`off_screen`), a
//! required field left out, a summary over 255 UTF-16 code units, and values refused for some
//! issues only ([`ValueRefusal`]); its create metadata lists what each issue type allows.
//!
//! [`scenario`] generates realistic alerts: a weekend's worth per tenant for the demo, or any
//! number, lazily, for benchmarks; [`graph::demo_alerts`] and [`graph::generated_alerts`] do the
//! same for the fake Graph, with evidence of each kind.
//!
//! ```no_run
//! use mcas2jira_fakes::{FakeJira, FakeJiraOptions, FakeMcas, FakeMcasOptions, FaultKind, scenario};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let mcas = FakeMcas::start(FakeMcasOptions {
//!     alerts: scenario::demo_alerts("contoso", jiff::Timestamp::now()),
//!     ..FakeMcasOptions::default()
//! })
//! .await?;
//! let jira = FakeJira::start(FakeJiraOptions::default()).await?;
//! jira.fail_next(mcas2jira_fakes::jira::route::CREATE, 1, FaultKind::LoseResponse);
//! println!("MCAS at {}, Jira at {}", mcas.url(), jira.url());
//! # Ok(())
//! # }
//! ```

// Handlers return a ready `Response` as their error so that each early exit is the service's
// own error answer; boxing it would only add noise to code that runs once per request.
#![allow(clippy::result_large_err)]

mod entra;
mod hash;
mod server;

pub mod abuseipdb;
pub mod graph;
pub mod jira;
pub mod mcas;
pub mod scenario;

pub use abuseipdb::{FakeAbuseIpdb, FakeAbuseIpdbOptions};
pub use graph::{FakeGraph, FakeGraphOptions, GraphApp, GraphTenant, Permission};
pub use jira::{
    ALL_ISSUE_TYPES, CustomField, Deployment, FakeJira, FakeJiraOptions, FieldKind, IssueSnapshot,
    ValueRefusal,
};
pub use mcas::{CloseCall, EntraApp, FakeMcas, FakeMcasOptions};
pub use server::{ANY_ROUTE, FaultKind, Stats};

// The README is what crates.io shows, the crate documentation above what docs.rs shows; compiling
// the README's examples with the doctests keeps them from going stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
