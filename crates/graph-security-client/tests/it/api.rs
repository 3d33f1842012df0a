//! Compile-time promises of the public API: the types a caller shares between tasks are
//! `Send + Sync + 'static`, and every future and stream the client returns is `Send`, so that it
//! can run on a multi-threaded runtime (`tokio::spawn`). A regression fails the build.

use graph_security_client::{
    Alert, AlertId, AlertQuery, AlertUpdate, AlertsPage, Auth, Client, EntraApp, EntraError, Error, Filter,
    RetryPolicy, SecretString,
};

fn assert_send_sync_static<T: Send + Sync + 'static>() {}

fn assert_send<T: Send>(_: T) {}

#[test]
fn public_types_are_send_sync_static() {
    assert_send_sync_static::<Client>();
    assert_send_sync_static::<Error>();
    assert_send_sync_static::<Alert>();
    assert_send_sync_static::<AlertsPage>();
    assert_send_sync_static::<AlertQuery>();
    assert_send_sync_static::<AlertUpdate>();
    assert_send_sync_static::<Filter>();
    assert_send_sync_static::<Auth>();
    assert_send_sync_static::<EntraApp>();
    assert_send_sync_static::<EntraError>();
}

/// Each public async method's future and each stream, built and dropped without being polled:
/// nothing is sent.
#[test]
fn futures_and_streams_are_send() {
    let app = EntraApp::builder("client-id", SecretString::from("secret")).build().unwrap();
    let client = Client::builder(Auth::app(app.clone(), "contoso.onmicrosoft.com")).build().unwrap();
    let (query, id) = (AlertQuery::default(), AlertId::new("a"));
    assert_send(client.alerts_page(&query));
    assert_send(client.alerts_page_at("https://graph.microsoft.com/v1.0/security/alerts_v2"));
    assert_send(client.get_alert(&id));
    assert_send(client.update_alert(&id, &AlertUpdate::default()));
    assert_send(client.add_comment(&id, "c"));
    assert_send(client.granted_roles());
    assert_send(client.alert_pages(query.clone()));
    assert_send(client.alerts(query));

    // The Entra app's own futures, which every client's requests await.
    let policy = RetryPolicy::default();
    let token = app.token("contoso.onmicrosoft.com", graph_security_client::DEFAULT_SCOPE, &policy);
    assert_send(token);
}
