//! Integration tests of the retry rules against a local wiremock server.

mod observe;
mod retry;
mod settings;
