//! Integration tests of the retry rules against a local wiremock server.

mod retry;
mod settings;
