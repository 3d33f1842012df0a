//! Compile-time promises of the public API: the types a caller shares between tasks are
//! `Send + Sync + 'static`, and every future and stream the client returns is `Send`, so that it
//! can run on a multi-threaded runtime (`tokio::spawn`). A regression fails the build.

use abuseipdb_client::{BlacklistParams, Category, CheckParams, Client, ClientBuilder, Error, ReportsParams};
use secrecy::SecretString;

fn assert_send_sync_static<T: Send + Sync + 'static>() {}

fn assert_send<T: Send>(_: T) {}

#[test]
fn client_and_error_are_send_sync_static() {
    assert_send_sync_static::<Client>();
    assert_send_sync_static::<Error>();
    assert_send_sync_static::<ClientBuilder>();
}

/// Each public async method's future and each stream, built and dropped without being polled:
/// nothing is sent.
#[test]
fn futures_and_streams_are_send() {
    let client = Client::builder(SecretString::from("key")).build().unwrap();
    let ip = "192.0.2.7".parse().unwrap();
    assert_send(client.check(ip, &CheckParams::default()));
    assert_send(client.check_block("192.0.2.0/24".parse().unwrap(), 30));
    assert_send(client.reports(ip, &ReportsParams::default()));
    assert_send(client.reports_stream(ip, &ReportsParams::default()));
    assert_send(client.blacklist(&BlacklistParams::default()));
    assert_send(client.blacklist_plaintext(&BlacklistParams::default()));
    assert_send(client.report(ip, &[Category::Ssh], Some("comment"), None));
    assert_send(client.bulk_report("IP,Categories,ReportDate,Comment\n"));
    assert_send(client.clear_address(ip));
}
