//! How answers that are not successes become typed errors, and which ones are retried.

use std::time::{Duration, Instant};

use mcas_client::{AlertId, Client, Error, RetryPolicy};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TOKEN_HEADER, builder, fixture, mount_catch_all};

const ALERT: &str = "603f704aaf7417985bbf3b22";

/// Mounts `answers` in order, each answered once, for `GET` of the alert.
async fn serve(answers: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    for answer in answers {
        Mock::given(method("GET"))
            .and(path(format!("/api/v1/alerts/{ALERT}/")))
            .and(header("authorization", TOKEN_HEADER))
            .respond_with(answer)
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
    }
    mount_catch_all(&server).await;
    server
}

async fn get(client: &Client) -> Result<mcas_client::Alert, Error> {
    client.get_alert(&AlertId::new(ALERT)).await
}

fn json(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
}

fn ok() -> ResponseTemplate {
    json(200, "alert_by_id.json")
}

#[tokio::test]
async fn refusals_are_typed_with_mcas_error_body() {
    #[track_caller]
    fn check(error: &Error, expected: &str) {
        assert_eq!(error.to_string(), expected, "{error:?}");
    }
    let cases: Vec<(ResponseTemplate, &str)> = vec![
        (json(401, "unauthorized.json"), "authentication refused: Invalid token"),
        (
            ResponseTemplate::new(403)
                .set_body_raw(r#"{"detail":"You do not have permission"}"#, "application/json"),
            "permission denied: You do not have permission",
        ),
        (
            ResponseTemplate::new(404).set_body_raw(r#"{"detail":"Not found."}"#, "application/json"),
            "not found at {server}/api/v1/alerts/603f704aaf7417985bbf3b22/: Not found.",
        ),
        (json(400, "filter_error.json"), "filters rejected: <alert_id> is not valid"),
        (
            ResponseTemplate::new(502).set_body_raw(fixture("bad_gateway.html"), "text/html"),
            "server answered HTTP 502 Bad Gateway: 502 Bad Gateway 502 Bad Gateway Microsoft-Azure-Application-Gateway/v2",
        ),
        (ResponseTemplate::new(500), "server answered HTTP 500 Internal Server Error"),
        (
            ResponseTemplate::new(200).set_body_raw("{\"_id\": ", "application/json"),
            "could not decode the alert",
        ),
    ];
    for (answer, expected) in cases {
        let server = serve(vec![answer]).await;
        let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
        check(&get(&client).await.unwrap_err(), &expected.replace("{server}", &server.uri()));
    }
}

#[tokio::test]
async fn error_details_are_structured() {
    let server = serve(vec![json(400, "filter_error.json")]).await;
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let Error::FilterValidation { errors } = get(&client).await.unwrap_err() else { panic!() };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].error_message_code.as_deref(), Some("CONSOLE_FORMS_NOT_VALID_VALUE"));

    let server =
        serve(vec![ResponseTemplate::new(503).set_body_raw(r#"{"detail":"down"}"#, "application/json")])
            .await;
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let Error::Status { status, body } = get(&client).await.unwrap_err() else { panic!() };
    assert_eq!(status.as_u16(), 503);
    assert_eq!(body.detail.as_deref(), Some("down"));
    assert_eq!(body.json.as_ref().unwrap()["detail"], "down");
}

#[tokio::test]
async fn server_errors_are_retried() {
    let server = serve(vec![ResponseTemplate::new(500), ResponseTemplate::new(503), ok()]).await;
    get(&builder(&server).build().unwrap()).await.unwrap();
}

#[tokio::test]
async fn too_many_requests_without_retry_after_backs_off_and_retries() {
    let server = serve(vec![ResponseTemplate::new(429), ok()]).await;
    get(&builder(&server).build().unwrap()).await.unwrap();
}

#[tokio::test]
async fn too_many_requests_with_retry_after_waits_as_asked() {
    let server = serve(vec![ResponseTemplate::new(429).insert_header("Retry-After", "1"), ok()]).await;
    let start = Instant::now();
    get(&builder(&server).build().unwrap()).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_wait_over_the_cap_is_returned_not_slept() {
    let server = serve(vec![ResponseTemplate::new(429).insert_header("Retry-After", "3600")]).await;
    let error = get(&builder(&server).build().unwrap()).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(3600))
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(error.to_string(), "rate limited (asked to wait 3600s)");
}

#[tokio::test]
async fn throttled_bodies_count_as_rate_limiting() {
    // MCAS does not document its throttled answer: any status whose body says so is retried.
    let throttled = || {
        ResponseTemplate::new(403).set_body_raw(r#"{"detail":"Request was Throttled."}"#, "application/json")
    };
    let server = serve(vec![throttled(), ok()]).await;
    get(&builder(&server).build().unwrap()).await.unwrap();

    let server = serve(vec![throttled(), throttled()]).await;
    let client = builder(&server).retry_policy(RetryPolicy::none().max_retries(1)).build().unwrap();
    assert!(matches!(get(&client).await.unwrap_err(), Error::RateLimited { retry_after: None }));
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let server = serve(vec![ok()]).await;
    let client = builder(&server).max_body(100).build().unwrap();
    assert!(matches!(get(&client).await.unwrap_err(), Error::BodyTooLarge { limit: 100 }));
}

#[tokio::test]
async fn requests_are_paced() {
    let server = serve(vec![ok(), ok(), ok()]).await;
    // Two in any 150 ms: the first two at once, the third when the window has passed.
    let client =
        builder(&server).requests_per_minute(2).pacing_window(Duration::from_millis(150)).build().unwrap();
    let start = Instant::now();
    for _ in 0..2 {
        get(&client).await.unwrap();
    }
    assert!(start.elapsed() < Duration::from_millis(150));
    get(&client).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(150));
    // The pacer the requests waited for is the client's own.
    assert_eq!(client.pacer().map(|p| (p.limit(), p.window())), Some((2, Duration::from_millis(150))));
}
