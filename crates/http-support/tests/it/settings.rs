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
