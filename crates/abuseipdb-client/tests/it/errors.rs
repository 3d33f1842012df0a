use std::net::IpAddr;
use std::time::{Duration, Instant};

use abuseipdb_client::{CheckParams, Error, RetryPolicy};
use wiremock::ResponseTemplate;

use crate::{api, client, client_with, fast_policy, fixture, json, server};

fn ip() -> IpAddr {
    "118.25.6.39".parse().unwrap()
}

const QUERY: &str = "ipAddress=118.25.6.39";

/// Sends one `check` against a server answering `response` to it `times` times.
async fn check_answered(response: ResponseTemplate, times: u64) -> Error {
    let server = server().await;
    api("GET", "check", QUERY).respond_with(response).expect(times).mount(&server).await;
    client(&server).check(ip(), &CheckParams::default()).await.unwrap_err()
}

#[tokio::test]
async fn status_401_is_unauthorized_with_the_detail() {
    let err = check_answered(json(401, "error_401.json"), 1).await;
    let Error::Unauthorized { errors } = &err else { panic!("{err:?}") };
    assert_eq!(errors[0].status, Some(401));
    assert!(errors[0].detail.as_deref().unwrap().starts_with("Authentication failed."));
    assert_eq!(err.to_string(), "the API key was refused (HTTP 401)");
}

#[tokio::test]
async fn status_402_is_payment_required() {
    let err = check_answered(json(402, "error_402.json"), 1).await;
    assert!(matches!(err, Error::PaymentRequired { .. }), "{err:?}");
}

#[tokio::test]
async fn status_422_is_unprocessable_with_the_detail_in_the_message() {
    let err = check_answered(json(422, "error_422.json"), 1).await;
    assert!(matches!(err, Error::Unprocessable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the request was rejected as invalid (HTTP 422): The max age in days must be between 1 and 365"
    );
}

#[tokio::test]
async fn status_422_with_a_string_status_and_a_source_parameter() {
    let err = check_answered(json(422, "error_422_legacy.json"), 1).await;
    let errors = err.api_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].status, Some(422), "\"422\" as a string");
    assert_eq!(errors[0].parameter(), Some("network"));
    assert_eq!(errors[0].detail.as_deref(), Some("Invalid CIDR format."));
    assert!(err.to_string().ends_with(": Invalid CIDR format (parameter network)"), "{err}");
}

#[tokio::test]
async fn status_429_for_the_daily_quota_is_quota_exceeded_at_once() {
    let answer = json(429, "error_429.json")
        .insert_header("Retry-After", "29241")
        .insert_header("X-RateLimit-Limit", "1000")
        .insert_header("X-RateLimit-Remaining", "0")
        .insert_header("X-RateLimit-Reset", "1545973200");
    let start = Instant::now();
    // Asked once only: a wait of eight hours is not slept through, nor retried.
    let err = check_answered(answer, 1).await;
    assert!(start.elapsed() < Duration::from_secs(60));
    let Error::QuotaExceeded { reset_at, retry_after, limit } = &err else { panic!("{err:?}") };
    assert_eq!(*reset_at, Some("2018-12-28T05:00:00Z".parse().unwrap()));
    assert_eq!(*retry_after, Some(Duration::from_secs(29241)));
    assert_eq!(*limit, Some(1000));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(err.to_string(), "the daily request quota is exhausted (resets at 2018-12-28T05:00:00Z)");
}

#[tokio::test]
async fn status_429_without_retry_after_but_nothing_left_until_a_far_reset_is_the_quota() {
    let reset = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(5)).as_second();
    let answer = json(429, "error_429.json")
        .insert_header("X-RateLimit-Remaining", "0")
        .insert_header("X-RateLimit-Reset", reset.to_string().as_str());
    // Without Retry-After the shared policy retries with backoff (3 retries), then gives up.
    let err = check_answered(answer, 4).await;
    assert!(matches!(err, Error::QuotaExceeded { retry_after: None, .. }), "{err:?}");
}

#[tokio::test]
async fn short_429_is_waited_out_and_retried() {
    let server = server().await;
    api("GET", "check", QUERY)
        .respond_with(json(429, "error_429.json").insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "check", QUERY).respond_with(json(200, "check_verbose.json")).expect(1).mount(&server).await;

    let start = Instant::now();
    let answer = client(&server).check(ip(), &CheckParams::default()).await.unwrap();

    assert!(start.elapsed() >= Duration::from_secs(1), "waited only {:?}", start.elapsed());
    assert_eq!(answer.data.abuse_confidence_score, Some(100));
}

#[tokio::test]
async fn short_429_every_time_is_rate_limited_after_the_retries() {
    let server = server().await;
    api("GET", "check", QUERY)
        .respond_with(json(429, "error_429.json").insert_header("Retry-After", "0"))
        .expect(2)
        .mount(&server)
        .await;

    let err = client_with(&server, fast_policy().max_retries(1))
        .check(ip(), &CheckParams::default())
        .await
        .unwrap_err();

    let Error::RateLimited { retry_after, rate_limit } = &err else { panic!("{err:?}") };
    assert_eq!(*retry_after, Some(Duration::ZERO));
    assert_eq!(rate_limit.retry_after, Some(Duration::ZERO));
}

#[tokio::test]
async fn html_error_page_gives_the_status_and_a_short_snippet() {
    let server = server().await;
    api("GET", "check", QUERY)
        .respond_with(ResponseTemplate::new(503).set_body_raw(fixture("error_503.html"), "text/html"))
        .expect(1)
        .mount(&server)
        .await;

    let err =
        client_with(&server, RetryPolicy::none()).check(ip(), &CheckParams::default()).await.unwrap_err();

    let Error::Status { status, errors, snippet } = &err else { panic!("{err:?}") };
    assert_eq!(status.as_u16(), 503);
    assert!(errors.is_empty());
    let snippet = snippet.as_deref().unwrap();
    // The page's text, not its markup.
    assert_eq!(snippet, "503 Service Temporarily Unavailable 503 Service Temporarily Unavailable nginx");
    assert!(snippet.len() <= 210, "{snippet}");
    assert!(!err.to_string().contains('\n'), "{err}");
}

#[tokio::test]
async fn html_401_is_still_unauthorized() {
    let err =
        check_answered(ResponseTemplate::new(401).set_body_raw("<html>Unauthorized</html>", "text/html"), 1)
            .await;
    assert!(matches!(err, Error::Unauthorized { ref errors } if errors.is_empty()), "{err:?}");
}

#[tokio::test]
async fn server_errors_of_reads_are_retried() {
    let server = server().await;
    api("GET", "check", QUERY)
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    api("GET", "check", QUERY).respond_with(json(200, "check_verbose.json")).expect(1).mount(&server).await;

    client(&server).check(ip(), &CheckParams::default()).await.unwrap();
}

#[tokio::test]
async fn a_success_that_is_not_json_is_a_decode_error() {
    let err =
        check_answered(ResponseTemplate::new(200).set_body_raw("<html>hi</html>", "text/html"), 1).await;
    assert!(matches!(err, Error::Decode { what: "check", .. }), "{err:?}");
}

#[tokio::test]
async fn a_success_body_over_the_cap_is_refused() {
    let server = server().await;
    api("GET", "check", QUERY).respond_with(json(200, "check_verbose.json")).expect(1).mount(&server).await;
    let client = abuseipdb_client::Client::builder(crate::KEY.into())
        .base_url(format!("{}/api/v2", server.uri()).parse().unwrap())
        .max_body(100)
        .build()
        .unwrap();

    let err = client.check(ip(), &CheckParams::default()).await.unwrap_err();

    assert!(matches!(err, Error::BodyTooLarge { limit: 100 }), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    // A port nobody listens on: bind one, note it, close it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = abuseipdb_client::Client::builder(crate::KEY.into())
        .base_url(format!("http://127.0.0.1:{port}/api/v2/").parse().unwrap())
        .retry_policy(fast_policy().max_retries(1))
        .build()
        .unwrap();

    let err = client.check(ip(), &CheckParams::default()).await.unwrap_err();

    assert!(matches!(err, Error::Transport { attempts: 2, .. }), "{err:?}");
    assert!(!format!("{err:?}").contains(crate::KEY));
}
