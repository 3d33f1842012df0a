//! Integration tests of mcas-client against local wiremock servers. No test reaches the internet.

mod actions;
mod auth;
mod errors;
mod filters;
mod models;
mod paging;
mod props;
mod support;

#[test]
fn public_types_are_send_sync_static() {
    fn check<T: Send + Sync + 'static>() {}
    check::<mcas_client::Client>();
    check::<mcas_client::Error>();
    check::<mcas_client::Alert>();
    check::<mcas_client::AlertsPage>();
    check::<mcas_client::AlertQuery>();
    check::<mcas_client::Auth>();
}
