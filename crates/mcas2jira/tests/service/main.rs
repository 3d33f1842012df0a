//! `watch` as a service and `run` from cron, as an operator meets them: the real binary against
//! the fake services, with signals, logs, metrics, state-file and URL mistakes.

#[path = "../support/mod.rs"]
mod support;

mod child;
mod http;
mod logging;
mod metrics;
mod scheduling;
mod setup;
mod shutdown;
mod watch;
