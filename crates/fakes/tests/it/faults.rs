//! The shared knobs: faults, latency and counters.

use std::time::{Duration, Instant};

use mcas2jira_fakes::{
    ANY_ROUTE, FakeJira, FakeJiraOptions, FakeMcas, FakeMcasOptions, FaultKind, jira, mcas,
};
use serde_json::json;

use crate::{http, status_json};

async fn mcas() -> FakeMcas {
    FakeMcas::start(FakeMcasOptions { token: "t".into(), ..FakeMcasOptions::default() }).await.unwrap()
}

async fn list(fake: &FakeMcas) -> reqwest::Response {
    http()
        .post(format!("{}/api/v1/alerts/", fake.url()))
        .header("Authorization", "Token t")
        .json(&json!({}))
        .send()
        .await
        .unwrap()
}

fn create_body() -> serde_json::Value {
    json!({"fields": {"project": {"key": "SEC"}, "issuetype": {"name": "Task"}, "summary": "s", "labels": ["mcas-1"]}})
}

async fn create(fake: &FakeJira) -> Result<reqwest::Response, reqwest::Error> {
    let options = fake.options();
    http()
        .post(format!("{}/issue", fake.api_url()))
        .basic_auth(&options.user, Some(&options.token))
        .json(&create_body())
        .send()
        .await
}

#[tokio::test]
async fn status_faults_are_consumed_one_per_request() {
    let fake = mcas().await;
    fake.fail_next(mcas::route::LIST, 2, FaultKind::Status(503));
    fake.fail_next(mcas::route::GET, 1, FaultKind::Status(500));
    assert_eq!(fake.pending_faults(), 3);
    for _ in 0..2 {
        let (status, body) = status_json(list(&fake).await).await;
        assert_eq!((status, body["detail"].is_string()), (503, true));
    }
    assert_eq!(list(&fake).await.status().as_u16(), 200);
    assert_eq!(fake.pending_faults(), 1);
    fake.clear_faults();
    assert_eq!(fake.pending_faults(), 0);
    assert_eq!(fake.stats().get(mcas::route::LIST), 3);
}

#[tokio::test]
async fn rate_limits_carry_retry_after() {
    let fake = mcas().await;
    fake.fail_next(ANY_ROUTE, 1, FaultKind::RateLimit { retry_after_secs: 7 });
    let response = list(&fake).await;
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "7");

    let jira = FakeJira::start(FakeJiraOptions::default()).await.unwrap();
    jira.fail_next(jira::route::CREATE, 1, FaultKind::RateLimit { retry_after_secs: 3 });
    let response = create(&jira).await.unwrap();
    assert_eq!(response.headers()["retry-after"], "3");
    let (status, body) = status_json(response).await;
    assert_eq!((status, body["errorMessages"].is_array()), (429, true));
    assert_eq!(jira.issue_count(), 0);
    jira.fail_next(jira::route::CREATE, 1, FaultKind::Status(503));
    let response = create(&jira).await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(jira.issue_count(), 0);
}

#[tokio::test]
async fn a_lost_create_response_still_creates_the_issue() {
    let jira = FakeJira::start(FakeJiraOptions::default()).await.unwrap();
    jira.fail_next(jira::route::CREATE, 1, FaultKind::LoseResponse);
    // Either the send or the body read fails, never both succeed.
    let outcome = match create(&jira).await {
        Ok(response) => response.bytes().await.map(|_| ()),
        Err(error) => Err(error),
    };
    assert!(outcome.is_err(), "the response should have been lost");
    assert_eq!(jira.issue_count(), 1);
    assert_eq!(jira.count_with_label("mcas-1"), 1);
    // The next create is answered normally.
    let (status, body) = status_json(create(&jira).await.unwrap()).await;
    assert_eq!((status, body["key"].as_str()), (201, Some("SEC-2")));
}

#[tokio::test]
async fn a_delay_trips_a_client_timeout_then_the_server_answers_again() {
    let fake = mcas().await;
    fake.fail_next(mcas::route::LIST, 1, FaultKind::Delay(Duration::from_secs(30)));
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(200)).build().unwrap();
    let result = impatient
        .post(format!("{}/api/v1/alerts/", fake.url()))
        .header("Authorization", "Token t")
        .json(&json!({}))
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
    assert_eq!(list(&fake).await.status().as_u16(), 200);
}

#[tokio::test]
async fn latency_is_added_to_every_request_and_can_change() {
    let fake = mcas().await;
    fake.set_latency(Duration::from_millis(150));
    assert_eq!(fake.latency(), Duration::from_millis(150));
    let started = Instant::now();
    assert_eq!(list(&fake).await.status().as_u16(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    fake.set_latency(Duration::ZERO);
    fake.reset_stats();
    assert!(fake.arrivals().is_empty());
    assert_eq!(list(&fake).await.status().as_u16(), 200);
    assert_eq!(fake.stats().total, 1);
    // The arrival is taken before the latency, when the request reaches the server.
    let arrivals = fake.arrivals();
    assert_eq!(arrivals.len(), 1);
    assert!(arrivals[0] >= started);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let fake = mcas().await;
    let url = format!("{}/api/v1/alerts/", fake.url());
    fake.shutdown().await;
    assert!(http().post(&url).json(&json!({})).send().await.is_err());
}
