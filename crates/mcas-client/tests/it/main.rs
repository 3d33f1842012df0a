//! Integration tests of mcas-client against local wiremock servers. No test reaches the internet.

mod actions;
mod api;
mod auth;
mod errors;
mod filters;
mod models;
mod paging;
mod props;
mod support;
