use std::time::{Duration, Instant};

use http::StatusCode;
use http_support::{ClientOptions, HttpError, Idempotency, Pacer, RetryPolicy, send};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client() -> reqwest::Client {
    ClientOptions::new("http-support-tests/0").timeout(Duration::from_millis(500)).build().unwrap()
}

/// A policy with tiny backoffs so that tests of retries without `Retry-After` stay fast.
fn fast_policy() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(5)).max_backoff(Duration::from_millis(20))
}

async fn get(
    server: &MockServer,
    policy: &RetryPolicy,
    idem: Idempotency,
) -> Result<reqwest::Response, HttpError> {
    let client = client();
    let url = format!("{}/thing", server.uri());
    send(policy, idem, None, || client.post(&url).body("x"), |_| false).await
}

/// Mounts `first` for the first `times` requests, then `then` for the rest.
async fn sequence(
    server: &MockServer,
    first: ResponseTemplate,
    times: u64,
    then: ResponseTemplate,
    expect_then: u64,
) {
    Mock::given(method("POST"))
        .and(path("/thing"))
        .respond_with(first)
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/thing"))
        .respond_with(then)
        .expect(expect_then)
        .mount(server)
        .await;
}

#[tokio::test]
async fn rate_limited_with_retry_after_seconds_waits_then_retries_once() {
    let server = MockServer::start().await;
    sequence(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        1,
        ResponseTemplate::new(200).set_body_string("ok"),
        1,
    )
    .await;
    let start = Instant::now();
    // A non-idempotent request: a 429 is retried all the same, since the server did not act on it.
    let response = get(&server, &fast_policy(), Idempotency::NonIdempotent).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(start.elapsed() >= Duration::from_secs(1), "waited only {:?}", start.elapsed());
}

#[tokio::test]
async fn rate_limited_with_http_date_retry_after() {
    let server = MockServer::start().await;
    // Two seconds from now, in IMF-fixdate form. Whole seconds: the wait is 1 to 2 s.
    let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    let date = jiff::fmt::rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&at).unwrap();
    sequence(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", date.as_str()),
        1,
        ResponseTemplate::new(200),
        1,
    )
    .await;
    let start = Instant::now();
    get(&server, &fast_policy(), Idempotency::Idempotent).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(900), "waited only {:?}", start.elapsed());
}

#[tokio::test]
async fn wait_over_the_cap_is_an_error_carrying_the_wait() {
    let server = MockServer::start().await;
    sequence(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "3600").set_body_string("quota"),
        1,
        ResponseTemplate::new(200),
        0,
    )
    .await;
    let start = Instant::now();
    let err = get(&server, &fast_policy().max_wait(Duration::from_secs(60)), Idempotency::Idempotent)
        .await
        .unwrap_err();
    match err {
        HttpError::RateLimited { retry_after, response } => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)));
            assert_eq!(&response.body[..], b"quota");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(5), "it slept");
}

#[tokio::test]
async fn server_error_on_non_idempotent_request_is_not_retried() {
    let server = MockServer::start().await;
    sequence(&server, ResponseTemplate::new(503), 1, ResponseTemplate::new(200), 0).await;
    let err = get(&server, &fast_policy(), Idempotency::NonIdempotent).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
}

#[tokio::test]
async fn server_error_on_idempotent_request_is_retried() {
    let server = MockServer::start().await;
    sequence(&server, ResponseTemplate::new(503), 2, ResponseTemplate::new(200), 1).await;
    let response = get(&server, &fast_policy(), Idempotency::Idempotent).await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_keep_their_body() {
    let server = MockServer::start().await;
    sequence(
        &server,
        ResponseTemplate::new(400).set_body_string(r#"{"errorMessages":["bad"]}"#),
        1,
        ResponseTemplate::new(200),
        0,
    )
    .await;
    match get(&server, &fast_policy(), Idempotency::Idempotent).await.unwrap_err() {
        HttpError::Status(r) => {
            assert_eq!(r.status, 400);
            assert_eq!(r.snippet(100), r#"{"errorMessages":["bad"]}"#);
        }
        other => panic!("expected Status, got {other:?}"),
    }
}

#[tokio::test]
async fn retries_exhausted_on_server_errors() {
    let server = MockServer::start().await;
    // One attempt plus three retries, then the last answer is the error.
    sequence(&server, ResponseTemplate::new(500), 4, ResponseTemplate::new(200), 0).await;
    let err = get(&server, &fast_policy().max_retries(3), Idempotency::Idempotent).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
}

#[tokio::test]
async fn retries_exhausted_on_rate_limiting() {
    let server = MockServer::start().await;
    sequence(&server, ResponseTemplate::new(429), 3, ResponseTemplate::new(200), 0).await;
    let err = get(&server, &fast_policy().max_retries(2), Idempotency::Idempotent).await.unwrap_err();
    assert!(matches!(err, HttpError::RateLimited { retry_after: None, .. }), "{err:?}");
}

#[tokio::test]
async fn caller_classified_throttling_is_retried() {
    let server = MockServer::start().await;
    sequence(
        &server,
        ResponseTemplate::new(403).set_body_string("Request was throttled"),
        1,
        ResponseTemplate::new(200),
        1,
    )
    .await;
    let client = client();
    let url = format!("{}/thing", server.uri());
    let throttled = |r: &http_support::ErrorResponse| r.snippet(200).to_lowercase().contains("throttled");
    let response = send(&fast_policy(), Idempotency::NonIdempotent, None, || client.post(&url), throttled)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn timeouts_are_retried_only_when_idempotent() {
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(2));
    sequence(&server, slow.clone(), 1, ResponseTemplate::new(200), 1).await;
    let response = get(&server, &fast_policy(), Idempotency::Idempotent).await.unwrap();
    assert_eq!(response.status(), 200);

    let server = MockServer::start().await;
    sequence(&server, slow, 1, ResponseTemplate::new(200), 0).await;
    let err = get(&server, &fast_policy(), Idempotency::NonIdempotent).await.unwrap_err();
    assert!(matches!(&err, HttpError::Transport { attempts: 1, source } if source.is_timeout()), "{err:?}");
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported() {
    // A port nothing listens on: bind, note the port, drop the listener.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = client();
    let url = format!("http://127.0.0.1:{port}/");
    let err =
        send(&fast_policy().max_retries(2), Idempotency::Idempotent, None, || client.get(&url), |_| false)
            .await
            .unwrap_err();
    assert!(matches!(&err, HttpError::Transport { attempts: 3, source } if source.is_connect()), "{err:?}");
    // The opaque error keeps the chain: it displays as reqwest's error, and goes on with its
    // source (hyper's connect error), never repeating its own text.
    let HttpError::Transport { source, .. } = &err else { unreachable!() };
    let source_text = std::error::Error::source(source).map(ToString::to_string).unwrap_or_default();
    assert!(!source_text.is_empty() && source.to_string() != source_text, "{source}: {source_text}");
}

#[tokio::test]
async fn error_bodies_are_captured_up_to_the_bound() {
    let server = MockServer::start().await;
    sequence(
        &server,
        ResponseTemplate::new(400).set_body_string("x".repeat(10_000)),
        1,
        ResponseTemplate::new(200),
        0,
    )
    .await;
    let policy = fast_policy().max_error_body(100);
    match get(&server, &policy, Idempotency::Idempotent).await.unwrap_err() {
        HttpError::Status(r) => {
            assert_eq!(r.body.len(), 100);
            assert!(r.truncated);
        }
        other => panic!("expected Status, got {other:?}"),
    }
}

#[tokio::test]
async fn success_bodies_over_the_limit_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("y".repeat(2000)))
        .mount(&server)
        .await;
    let client = client();
    let response = client.get(server.uri()).send().await.unwrap();
    let err = http_support::read_body(response, 1000).await.unwrap_err();
    assert!(matches!(err, HttpError::BodyTooLarge { limit: 1000 }));
    let response = client.get(server.uri()).send().await.unwrap();
    assert_eq!(http_support::read_body(response, 2000).await.unwrap().len(), 2000);
}

#[tokio::test]
async fn send_waits_for_the_pacer() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(3).mount(&server).await;
    let client = client();
    // Two may start in any 200 ms: the third waits for the window.
    let pacer = Pacer::new(2, Duration::from_millis(200)).unwrap();
    let start = Instant::now();
    for _ in 0..3 {
        send(
            &RetryPolicy::none(),
            Idempotency::Idempotent,
            Some(&pacer),
            || client.get(server.uri()),
            |_| false,
        )
        .await
        .unwrap();
    }
    assert!(start.elapsed() >= Duration::from_millis(200));
}

#[test]
fn send_sync() {
    fn assert<T: Send + Sync + 'static>() {}
    assert::<HttpError>();
    assert::<http_support::TransportError>();
    assert::<RetryPolicy>();
    assert::<Pacer>();
    assert::<http_support::ClientSettings>();
    assert::<http_support::HttpClient>();
}
