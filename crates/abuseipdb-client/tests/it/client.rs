use abuseipdb_client::{CheckParams, Client, Error};
use secrecy::SecretString;
use wiremock::matchers::header;
use wiremock::{Mock, ResponseTemplate};

use crate::{KEY, api, client, json, server};

#[test]
fn debug_never_shows_the_key() {
    let builder = Client::builder(SecretString::from(KEY));
    assert!(!format!("{builder:?}").contains(KEY), "{builder:?}");
    let client = builder.build().unwrap();
    let text = format!("{client:?} {client:#?}");
    assert!(!text.contains(KEY), "{text}");
    assert!(text.contains("https://api.abuseipdb.com/api/v2/"), "{text}");
}

#[test]
fn base_url_gets_a_trailing_slash() {
    let client = Client::builder(SecretString::from(KEY))
        .base_url("http://127.0.0.1:9/api/v2".parse().unwrap())
        .build()
        .unwrap();
    assert_eq!(client.base_url().as_str(), "http://127.0.0.1:9/api/v2/");
}

#[test]
fn a_key_that_cannot_be_a_header_is_invalid_input_without_echoing_it() {
    let client = Client::builder(SecretString::from("bad\nkey-secret")).build().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err =
        runtime.block_on(client.check("192.0.2.1".parse().unwrap(), &CheckParams::default())).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { parameter: "key", .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("key-secret"));
}

#[tokio::test]
async fn user_agent_is_sent_and_can_be_set() {
    let server = server().await;
    let ua = concat!("abuseipdb-client/", env!("CARGO_PKG_VERSION"));
    api("GET", "check", "ipAddress=192.0.2.1")
        .and(header("User-Agent", ua))
        .respond_with(json(200, "check_ipv6.json"))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).check("192.0.2.1".parse().unwrap(), &CheckParams::default()).await.unwrap();

    let server = crate::server().await;
    api("GET", "check", "ipAddress=192.0.2.1")
        .and(header("User-Agent", "secops-tool/2"))
        .respond_with(json(200, "check_ipv6.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(SecretString::from(KEY))
        .base_url(format!("{}/api/v2/", server.uri()).parse().unwrap())
        .user_agent("secops-tool/2")
        .build()
        .unwrap();
    client.check("192.0.2.1".parse().unwrap(), &CheckParams::default()).await.unwrap();
}

#[tokio::test]
async fn redirects_are_not_followed_so_the_key_never_reaches_another_host() {
    let elsewhere = wiremock::MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(json(200, "check_ipv6.json"))
        .expect(0)
        .named("the redirect target must see no request")
        .mount(&elsewhere)
        .await;
    let server = server().await;
    api("GET", "check", "ipAddress=192.0.2.1")
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;

    let err = client(&server).check("192.0.2.1".parse().unwrap(), &CheckParams::default()).await.unwrap_err();

    assert!(matches!(err, Error::Status { status, .. } if status.as_u16() == 302), "{err:?}");
}

#[tokio::test]
async fn rate_limit_headers_are_read_on_success() {
    let server = server().await;
    api("DELETE", "clear-address", "ipAddress=192.0.2.1")
        .respond_with(
            json(200, "clear_address.json")
                .insert_header("X-RateLimit-Limit", "1000")
                .insert_header("X-RateLimit-Remaining", "998")
                .insert_header("X-RateLimit-Reset", "1545973200"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let limit = client(&server).clear_address("192.0.2.1".parse().unwrap()).await.unwrap().rate_limit;

    assert_eq!(limit.limit, Some(1000));
    assert_eq!(limit.remaining, Some(998));
    assert_eq!(limit.reset_at, Some("2018-12-28T05:00:00Z".parse().unwrap()));
    assert_eq!(limit.retry_after, None);
}
