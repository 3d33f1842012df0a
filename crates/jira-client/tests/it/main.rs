//! Tests of the jira-client REST client against wiremock, for Cloud and Server/Data Center, and of
//! the reading of Jira's refusals.
//!
//! Every mock matches the whole request (method, path, query, auth header, body) and expects an
//! exact number of calls; a catch-all answering 500 is mounted last, so any request the test did
//! not plan fails it.

mod api;
mod client;
mod comments;
mod errors;
mod issues;
mod metadata;
mod models;
mod raw;
mod refusals;
mod search;
mod support;
