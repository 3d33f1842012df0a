//! Fault injection: the real binary against the fakes, with every failure DESIGN.md promises to
//! survive (MCAS, AbuseIPDB and Jira errors, throttling, lost answers, a locked or read-only state
//! store, SIGKILL at random moments, SIGTERM to `watch` at random moments), then rerun: exactly one ticket per alert, none missing.
//! Also the bounds (body caps, Jira's description limit) and property tests of config parsing.
//!
//! `cargo nextest run -p mcas2jira --test faults --no-capture` shows the suite's totals.

#[path = "../support/mod.rs"]
mod support;

mod bounds;
mod kill;
mod props;
mod suite;
mod totals;
