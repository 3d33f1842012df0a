//! What an `Observer` is told: each attempt's start and end (answered, failed or abandoned) and
//! each wait.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_support::{Attempt, ClientSettings, Idempotency, Observer, Outcome, Redirects, RetryPolicy, Wait};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Everything the observer heard, as short strings in order.
#[derive(Default)]
struct Log(Mutex<Vec<String>>);

impl Log {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl Observer for Log {
    fn started(&self, idempotency: Idempotency) {
        self.0.lock().unwrap().push(format!("started {idempotency:?}"));
    }

    fn ended(&self, attempt: &Attempt<'_>) {
        let line = match attempt.outcome() {
            Outcome::Answered(status, headers) => format!(
                "answered {} {}",
                status.as_u16(),
                headers.get("x-ratelimit-remaining").and_then(|v| v.to_str().ok()).unwrap_or("-")
            ),
            Outcome::Failed => "failed".to_owned(),
            Outcome::Abandoned => "abandoned".to_owned(),
            _ => "other".to_owned(),
        };
        self.0.lock().unwrap().push(line);
    }

    fn waited(&self, reason: Wait, waited: Duration) {
        // Whole seconds: the retry adds up to 250 ms of jitter to the server's wait.
        self.0.lock().unwrap().push(format!("waited {} {}s", reason.as_str(), waited.as_secs()));
    }
}

fn http(log: &Arc<Log>) -> http_support::HttpClient {
    ClientSettings::default()
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .timeout(Duration::from_secs(5))
        .observer(Arc::clone(log) as Arc<dyn Observer>)
        .build("observe-tests", "0", Redirects::None)
        .unwrap()
}

#[tokio::test]
async fn attempts_and_waits_are_reported_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).insert_header("X-RateLimit-Remaining", "41"))
        .mount(&server)
        .await;
    let log = Arc::new(Log::default());
    let http = http(&log);
    let url: url::Url = server.uri().parse().unwrap();
    let response = http
        .send(
            Idempotency::NonIdempotent,
            None,
            || http.request(reqwest::Method::POST, url.clone()),
            |_| false,
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        log.lines(),
        [
            "started NonIdempotent",
            "answered 429 -",
            "waited throttled 1s",
            "started NonIdempotent",
            "answered 201 41",
        ]
    );
}

#[tokio::test]
async fn a_dropped_request_is_reported_abandoned() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let log = Arc::new(Log::default());
    let http = http(&log);
    let url: url::Url = server.uri().parse().unwrap();
    let send = http.send(
        Idempotency::Idempotent,
        None,
        || http.request(reqwest::Method::GET, url.clone()),
        |_| false,
    );
    assert!(tokio::time::timeout(Duration::from_millis(200), send).await.is_err());
    assert_eq!(log.lines(), ["started Idempotent", "abandoned"]);
}

#[tokio::test]
async fn a_failed_connection_is_reported_with_its_backoff() {
    // A port nothing listens on: the connection is refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log = Arc::new(Log::default());
    let http = ClientSettings::default()
        .retry_policy(RetryPolicy::default().max_retries(1).initial_backoff(Duration::from_millis(5)))
        .observer(Arc::clone(&log) as Arc<dyn Observer>)
        .build("observe-tests", "0", Redirects::None)
        .unwrap();
    let url: url::Url = format!("http://127.0.0.1:{port}/").parse().unwrap();
    let error = http
        .send(Idempotency::Idempotent, None, || http.request(reqwest::Method::GET, url.clone()), |_| false)
        .await
        .unwrap_err();
    assert!(matches!(error, http_support::HttpError::Transport { attempts: 2, .. }), "{error:?}");
    assert_eq!(
        log.lines(),
        ["started Idempotent", "failed", "waited backoff 0s", "started Idempotent", "failed"]
    );
}
