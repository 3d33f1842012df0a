//! Refusals become typed errors: a 403 that names the permission, throttling with `Retry-After`,
//! Graph's error document, and answers in other shapes.

use std::time::{Duration, Instant};

use graph_security_client::{
    AlertId, AlertQuery, AlertStatus, AlertUpdate, Error, READ_PERMISSION, WRITE_PERMISSION,
};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{
    ALERTS_PATH, TAILSPIN, app, builder, client, fixture, mount_answer, mount_catch_all, mount_token,
    page_json,
};

const ALERT: &str = "da638681154220931147_-1306548972";

/// Graph's throttled answer, asking for a wait of `retry_after` seconds.
fn throttled(retry_after: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("retry-after", retry_after)
        .set_body_string(fixture("error_429.json"))
}

#[tokio::test]
async fn a_403_names_the_permission_the_call_needs() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    mount_answer(
        &server,
        "GET",
        ALERTS_PATH,
        ResponseTemplate::new(403).set_body_string(fixture("error_403.json")),
        1,
    )
    .await;
    mount_answer(
        &server,
        "PATCH",
        format!("{ALERTS_PATH}/{ALERT}"),
        ResponseTemplate::new(403).set_body_string(fixture("error_403.json")),
        1,
    )
    .await;
    mount_catch_all(&server).await;
    let client = client(&server);

    let error = client.alerts_page(&AlertQuery::default()).await.unwrap_err();
    let Error::Forbidden { required, body } = &error else { panic!("{error:?}") };
    assert_eq!(*required, READ_PERMISSION);
    assert_eq!(body.request_id.as_deref(), Some("0f4c7a2e-5b19-4d83-a6e0-2c8b1f7d9e35"));
    assert_eq!(
        error.to_string(),
        "permission denied: the application needs the Microsoft Graph application permission \
         SecurityAlert.Read.All, with admin consent in this tenant (a tenant not onboarded to Microsoft \
         Defender XDR is also reported to answer 403 with the permission granted): Forbidden: Missing \
         application roles. API required roles: SecurityAlert.Read.All, SecurityAlert.ReadWrite.All. \
         Application roles: ."
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert!(!error.is_transient());

    let update = AlertUpdate::default().status(AlertStatus::Resolved);
    let error = client.update_alert(&AlertId::new(ALERT), &update).await.unwrap_err();
    assert!(matches!(error, Error::Forbidden { required: WRITE_PERMISSION, .. }), "{error:?}");
    assert!(error.to_string().contains("permission SecurityAlert.ReadWrite.All,"));
}

#[tokio::test]
async fn a_429_is_retried_after_the_wait_graph_asks_for() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    mount_answer(&server, "GET", ALERTS_PATH, throttled("1"), 1).await;
    mount_answer(
        &server,
        "GET",
        ALERTS_PATH,
        ResponseTemplate::new(200).set_body_json(page_json(vec![], None)),
        1,
    )
    .await;
    mount_catch_all(&server).await;

    let started = Instant::now();
    client(&server).alerts_page(&AlertQuery::default()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "the Retry-After wait was not honoured");
}

#[tokio::test]
async fn a_wait_beyond_the_policy_comes_back_as_rate_limited() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    mount_answer(&server, "GET", ALERTS_PATH, throttled("300"), 1).await;
    mount_catch_all(&server).await;

    let error = client(&server).alerts_page(&AlertQuery::default()).await.unwrap_err();
    let Error::RateLimited { retry_after, body } = &error else { panic!("{error:?}") };
    assert_eq!(*retry_after, Some(Duration::from_secs(300)));
    assert_eq!(body.code.as_deref(), Some("TooManyRequests"));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(300)));
    assert!(error.is_transient());
    assert_eq!(error.to_string(), "rate limited (asked to wait 300s)");
}

#[tokio::test]
async fn a_read_is_retried_after_a_server_error_and_a_comment_is_not() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    mount_answer(
        &server,
        "GET",
        format!("{ALERTS_PATH}/{ALERT}"),
        ResponseTemplate::new(503).set_body_string("<html><body>Service Unavailable</body></html>"),
        1,
    )
    .await;
    mount_answer(
        &server,
        "GET",
        format!("{ALERTS_PATH}/{ALERT}"),
        ResponseTemplate::new(200).set_body_string(fixture("alert_impossible_travel.json")),
        1,
    )
    .await;
    mount_answer(
        &server,
        "POST",
        format!("{ALERTS_PATH}/{ALERT}/comments"),
        ResponseTemplate::new(503).set_body_string("<html><body>Service Unavailable</body></html>"),
        1,
    )
    .await;
    mount_catch_all(&server).await;
    let client = client(&server);
    client.get_alert(&AlertId::new(ALERT)).await.unwrap();

    let error = client.add_comment(&AlertId::new(ALERT), "seen").await.unwrap_err();
    let Error::Status { status, body } = &error else { panic!("{error:?}") };
    assert_eq!(status.as_u16(), 503);
    assert_eq!(body.snippet.as_deref(), Some("<html><body>Service Unavailable</body></html>"));
    assert!(error.is_transient());
}

#[tokio::test]
async fn a_missing_alert_and_an_unreadable_answer() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    mount_answer(
        &server,
        "GET",
        format!("{ALERTS_PATH}/gone"),
        ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "error": {"code": "NotFound", "message": "Alert gone not found"}
        })),
        1,
    )
    .await;
    mount_answer(
        &server,
        "GET",
        ALERTS_PATH,
        ResponseTemplate::new(200).set_body_string("{\"values\": []}"),
        1,
    )
    .await;
    mount_catch_all(&server).await;
    let client = builder(&server, &app(&server), TAILSPIN).max_body(1 << 20).build().unwrap();

    let error = client.get_alert(&AlertId::new("gone")).await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(error.to_string(), "not found: NotFound: Alert gone not found");
    let error = client.alerts_page(&AlertQuery::default()).await.unwrap_err();
    assert!(matches!(error, Error::Decode { what: "alerts page", .. }), "{error:?}");
    let error = client.get_alert(&AlertId::new(" ")).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
}

#[tokio::test]
async fn an_answer_over_the_limit_is_refused() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    mount_answer(
        &server,
        "GET",
        format!("{ALERTS_PATH}/{ALERT}"),
        ResponseTemplate::new(200).set_body_string(fixture("alert_impossible_travel.json")),
        1,
    )
    .await;
    mount_catch_all(&server).await;
    let client = builder(&server, &app(&server), TAILSPIN).max_body(1024).build().unwrap();
    let error = client.get_alert(&AlertId::new(ALERT)).await.unwrap_err();
    assert!(matches!(error, Error::BodyTooLarge { limit: 1024 }), "{error:?}");
}
