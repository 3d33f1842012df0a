//! Compile-time promises of the public API: the types a caller shares between tasks are
//! `Send + Sync + 'static`, and every future and stream the client returns is `Send`, so that it
//! can run on a multi-threaded runtime (`tokio::spawn`). A regression fails the build.

use mcas_client::{
    Alert, AlertId, AlertQuery, AlertsPage, Auth, BenignReason, Client, Error, FalsePositiveReason,
    SecretString,
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
    assert_send_sync_static::<Auth>();
}

/// Each public async method's future and each stream, built and dropped without being polled:
/// nothing is sent.
#[test]
fn futures_and_streams_are_send() {
    let client = Client::builder(
        "https://contoso.portal.cloudappsecurity.com".parse().unwrap(),
        Auth::token(SecretString::from("token")),
    )
    .build()
    .unwrap();
    let (query, id, ids) = (AlertQuery::default(), AlertId::new("a"), [AlertId::new("a")]);
    assert_send(client.alerts_page(&query, 0));
    assert_send(client.get_alert(&id));
    assert_send(client.mark_read(&id));
    assert_send(client.mark_unread(&id));
    assert_send(client.close_benign(&ids, "c", BenignReason::Other));
    assert_send(client.close_false_positive(&ids, "c", FalsePositiveReason::Other));
    assert_send(client.close_true_positive(&ids, "c"));
    assert_send(client.alert_pages(query.clone()));
    assert_send(client.alerts(query));
    assert_send(client.granted_roles());
}
