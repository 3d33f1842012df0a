//! Integration tests of graph-security-client against local wiremock servers. No test reaches
//! the internet.

mod actions;
mod auth;
mod errors;
mod models;
mod paging;
mod support;

#[test]
fn public_types_are_send_sync_static() {
    fn check<T: Send + Sync + 'static>() {}
    check::<graph_security_client::Client>();
    check::<graph_security_client::Error>();
    check::<graph_security_client::Alert>();
    check::<graph_security_client::AlertsPage>();
    check::<graph_security_client::AlertQuery>();
    check::<graph_security_client::Auth>();
    check::<graph_security_client::EntraApp>();
}

/// The futures of the public async methods and the streams are `Send`, so that they can be
/// spawned on a multi-threaded runtime.
#[allow(dead_code, clippy::let_underscore_future)]
fn futures_and_streams_are_send(client: graph_security_client::Client) {
    fn check<T: Send>(_: T) {}
    let id = graph_security_client::AlertId::new("a");
    let query = graph_security_client::AlertQuery::default();
    check(client.alerts_page(&query));
    check(client.alerts_page_at("https://graph.microsoft.com/v1.0/security/alerts_v2"));
    check(client.get_alert(&id));
    check(client.update_alert(&id, &graph_security_client::AlertUpdate::default()));
    check(client.add_comment(&id, "c"));
    check(client.alert_pages(query.clone()));
    check(client.alerts(query));
}
