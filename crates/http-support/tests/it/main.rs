//! Integration tests of the retry rules against a local wiremock server, and of the pacer's
//! window on tokio's paused clock.

mod observe;
mod pacing;
mod retry;
mod settings;
