//! Integration tests of graph-security-client against local wiremock servers. No test reaches
//! the internet.

mod actions;
mod api;
mod auth;
mod errors;
mod models;
mod paging;
mod permissions;
mod support;
