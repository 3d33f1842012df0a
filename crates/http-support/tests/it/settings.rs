//! `ClientSettings`: what a built client sends, with its own `reqwest::Client` or a caller's.

use std::time::Duration;

use http_support::{ClientSettings, Idempotency, Redirects, SettingsError};
use reqwest::Method;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn get(settings: &ClientSettings, server: &MockServer) -> u16 {
    let http = settings.build("some-client", "1.2.3", Redirects::Follow).unwrap();
    let url: url::Url = format!("{}/thing", server.uri()).parse().unwrap();
    let response =
        http.send(Idempotency::Idempotent, None, || http.request(Method::GET, url.clone()), |_| false).await;
    response.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_built_client_names_the_crate() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/thing"))
        .and(header("user-agent", "some-client/1.2.3"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(get(&ClientSettings::default(), &server).await, 204);
}

#[tokio::test]
async fn a_callers_client_gets_the_user_agent_and_timeout_on_each_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/thing"))
        .and(header("user-agent", "secops/9"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/slow"))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(5)))
        .expect(1)
        .mount(&server)
        .await;
    let settings = ClientSettings::default()
        .http_client(reqwest::Client::new())
        .user_agent("secops/9")
        .timeout(Duration::from_millis(200))
        .retry_policy(http_support::RetryPolicy::none());
    assert!(settings.has_http_client());
    assert_eq!(get(&settings, &server).await, 204);

    let http = settings.build("some-client", "1.2.3", Redirects::Follow).unwrap();
    let url: url::Url = format!("{}/slow", server.uri()).parse().unwrap();
    let err = http
        .send(Idempotency::Idempotent, None, || http.request(Method::GET, url.clone()), |_| false)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, http_support::HttpError::Transport { source, .. } if source.is_timeout()),
        "{err:?}"
    );
}

#[test]
fn a_user_agent_that_cannot_be_a_header_is_refused() {
    let settings = ClientSettings::default().user_agent("bad\nagent");
    assert!(matches!(settings.build("c", "1", Redirects::None), Err(SettingsError::UserAgent)));
}

/// A server answering `204` to every request, counting the connections it accepted.
async fn counting_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = std::sync::Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                // One answer per request head read (the requests here have no body).
                while let Ok(n) = socket.read(&mut buffer).await {
                    if n == 0 || socket.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (url, accepted)
}

#[tokio::test]
async fn no_idle_connection_kept_means_one_connection_per_request() {
    use std::sync::atomic::Ordering;

    for (kept, expected) in [(None, 1), (Some(0), 3)] {
        let (url, accepted) = counting_server().await;
        let mut options = http_support::ClientOptions::new("pool-test/1");
        if let Some(kept) = kept {
            options = options.max_idle_per_host(kept).idle_timeout(Duration::from_secs(5));
        }
        let client = options.build().unwrap();
        for _ in 0..3 {
            let response = client.get(&url).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 204);
        }
        assert_eq!(accepted.load(Ordering::SeqCst), expected, "max idle per host {kept:?}");
    }
}
