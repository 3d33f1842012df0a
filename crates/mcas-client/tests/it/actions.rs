//! Get, close and mark read/unread: the exact requests and what their answers become.

use mcas_client::{AlertId, BenignReason, Error, FalsePositiveReason};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TOKEN_HEADER, client, fixture, mount_catch_all};

const IDS: [&str; 2] = ["55af7415f8a0a7a29eef2e1f", "5f8d70bfc1ffb25b0a541c7d"];

fn ids() -> Vec<AlertId> {
    IDS.iter().map(|id| AlertId::new(*id)).collect()
}

async fn serve_close(route: &str, body: serde_json::Value, answer: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api/v1/alerts/{route}/")))
        .and(header("authorization", TOKEN_HEADER))
        .and(header("content-type", "application/json"))
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture(answer), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    server
}

#[tokio::test]
async fn close_benign() {
    let body = json!({"filters": {"id": {"eq": IDS}}, "comment": "pen test", "reasonId": 6});
    let server = serve_close("close_benign", body, "close_benign_answer.json").await;
    let outcome =
        client(&server).close_benign(&ids(), "pen test", BenignReason::TriggeredByTest).await.unwrap();
    assert_eq!(outcome.closed, 1);
    assert_eq!(outcome.not_found, [AlertId::new("5f843e9cfe3f6d80fe58a962")]);
}

#[tokio::test]
async fn close_false_positive() {
    let body = json!({"filters": {"id": {"eq": IDS}}, "comment": "known VPN", "reasonId": 3});
    let server = serve_close("close_false_positive", body, "close_false_positive_answer.json").await;
    let outcome = client(&server)
        .close_false_positive(&ids(), "known VPN", FalsePositiveReason::AlertNotAccurate)
        .await
        .unwrap();
    assert_eq!((outcome.closed, outcome.not_found), (2, Vec::new()));
}

#[tokio::test]
async fn close_true_positive_sends_no_reason() {
    let body = json!({"filters": {"id": {"eq": IDS}}, "comment": "see SEC-1"});
    let server = serve_close("close_true_positive", body, "close_true_positive_answer.json").await;
    let outcome = client(&server).close_true_positive(&ids(), "see SEC-1").await.unwrap();
    assert_eq!(outcome.closed, 0);
    assert_eq!(outcome.not_found, [AlertId::new("invalidAlert1"), AlertId::new("invalidAlert2")]);
}

#[test]
fn documented_reason_ids() {
    let benign: Vec<u32> = [
        BenignReason::ActualSeverityLower,
        BenignReason::Other,
        BenignReason::ConfirmedWithEndUser,
        BenignReason::TriggeredByTest,
        BenignReason::Code(9),
    ]
    .map(BenignReason::reason_id)
    .into();
    assert_eq!(benign, [2, 4, 5, 6, 9]);
    let false_positive: Vec<u32> = [
        FalsePositiveReason::NotOfInterest,
        FalsePositiveReason::TooManySimilarAlerts,
        FalsePositiveReason::AlertNotAccurate,
        FalsePositiveReason::Other,
        FalsePositiveReason::Code(7),
    ]
    .map(FalsePositiveReason::reason_id)
    .into();
    assert_eq!(false_positive, [0, 1, 3, 4, 7]);
}

#[tokio::test]
async fn closing_nothing_sends_nothing() {
    let server = MockServer::start().await;
    mount_catch_all(&server).await;
    let client = client(&server);
    let error = client.close_true_positive(&[], "nothing").await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    let error = client.close_benign(&[AlertId::new("")], "empty", BenignReason::Other).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(matches!(client.get_alert(&AlertId::new(" ")).await, Err(Error::InvalidInput { .. })));
}

#[tokio::test]
async fn mark_read_and_unread() {
    let server = MockServer::start().await;
    for action in ["read", "unread"] {
        Mock::given(method("POST"))
            .and(path(format!("/api/v1/alerts/{}/{action}/", IDS[0])))
            .and(header("authorization", TOKEN_HEADER))
            .respond_with(ResponseTemplate::new(200).set_body_raw("{}", "application/json"))
            .expect(1)
            .mount(&server)
            .await;
    }
    mount_catch_all(&server).await;
    let client = client(&server);
    client.mark_read(&AlertId::new(IDS[0])).await.unwrap();
    client.mark_unread(&AlertId::new(IDS[0])).await.unwrap();
    // The mark requests carry no body.
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|request| request.body.is_empty()));
}

#[tokio::test]
async fn ids_are_escaped_in_paths_and_base_paths_are_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/tenant/api/v1/alerts/a%2Fb%3Fc/"))
        .respond_with(
            ResponseTemplate::new(404).set_body_raw(r#"{"detail":"Not found."}"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let base = format!("{}/tenant/", server.uri());
    let client = mcas_client::Client::builder(
        base.parse().unwrap(),
        mcas_client::Auth::token(mcas_client::SecretString::from("t")),
    )
    .requests_per_minute(0)
    .build()
    .unwrap();
    let error = client.get_alert(&AlertId::new("a/b?c")).await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    // The message names the URL requested, so that a base URL with a wrong path shows.
    let requested = format!("not found at {}/tenant/api/v1/alerts/a%2Fb%3Fc/", server.uri());
    assert!(error.to_string().starts_with(&requested), "{error}");
}
