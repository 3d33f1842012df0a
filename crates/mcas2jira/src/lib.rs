//! The library half of the `mcas2jira` binary: its config and its state store.
//!
//! `mcas2jira` reads the alerts of several Microsoft Defender for Cloud Apps tenants, looks up
//! the public IPs in them on AbuseIPDB, and creates one Jira ticket per alert. The binary's commands
//! are built on these modules:
//!
//! - [`config`]: the TOML config file, found, read, checked into ready-to-use values, with secrets
//!   resolved from environment variables, files or commands;
//! - [`state`]: the SQLite state store that remembers which alerts have tickets, where each tenant
//!   stopped, what failed and will be retried, and cached IP reputations.
//!
//! Errors are typed ([`config::ConfigError`], [`state::StateError`]); the binary wraps them with
//! context at its edges.

pub mod config;
pub mod state;
