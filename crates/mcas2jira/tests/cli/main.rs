//! The binary's guarantees (DESIGN.md), each proven by running the real `mcas2jira` against fake
//! MCAS tenants, a fake AbuseIPDB and a fake Jira on loopback (see `tests/support`).

#[path = "../support/mod.rs"]
mod support;

mod commands;
mod config_errors;
mod exactly_once;
mod faults;
mod flags;
mod graph;
mod late_and_stuck;
mod refusals;
mod scale;
