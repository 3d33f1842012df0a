//! Update and comment: exact request bodies, and the answers read.

use graph_security_client::{AlertId, AlertStatus, AlertUpdate, Classification, Determination, Error};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{ALERTS_PATH, GraphHeaders, TAILSPIN, client, fixture, mount_catch_all, mount_token};

const ALERT: &str = "da638681154220931147_-1306548972";

#[tokio::test]
async fn an_update_sends_only_what_it_changes() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    let mut answer: serde_json::Value =
        serde_json::from_str(&fixture("alert_impossible_travel.json")).unwrap();
    answer["status"] = json!("resolved");
    answer["classification"] = json!("truePositive");
    answer["determination"] = json!("compromisedAccount");
    answer["assignedTo"] = json!("soc@tailspintoys.com");
    Mock::given(method("PATCH"))
        .and(path(format!("{ALERTS_PATH}/{ALERT}")))
        .and(GraphHeaders("tok-1"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "status": "resolved",
            "classification": "truePositive",
            "determination": "compromisedAccount",
            "assignedTo": "soc@tailspintoys.com",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("{ALERTS_PATH}/{ALERT}")))
        .and(body_json(json!({"status": "inProgress"})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let client = client(&server);

    let update = AlertUpdate::default()
        .status(AlertStatus::Resolved)
        .classification(Classification::TruePositive)
        .determination(Determination::CompromisedAccount)
        .assigned_to("soc@tailspintoys.com");
    let updated = client.update_alert(&AlertId::new(ALERT), &update).await.unwrap().unwrap();
    assert!(updated.is_resolved());
    assert_eq!(updated.assigned_to.as_deref(), Some("soc@tailspintoys.com"));

    let answer = client
        .update_alert(&AlertId::new(ALERT), &AlertUpdate::default().status(AlertStatus::InProgress))
        .await;
    assert_eq!(answer.unwrap(), None, "an answer without a body");

    // Refused before anything is sent.
    for update in [
        AlertUpdate::default(),
        AlertUpdate::default().classification(Classification::UnknownFutureValue),
        AlertUpdate::default().determination(Determination::Other("a\"b".into())),
    ] {
        let error = client.update_alert(&AlertId::new(ALERT), &update).await.unwrap_err();
        assert!(matches!(error, Error::InvalidInput { .. }), "{update:?}: {error:?}");
    }
}

#[tokio::test]
async fn a_comment_is_posted_once_and_the_list_read_back() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    let text = "Resolved in Jira: SEC-4182 (Done). mcas2jira sync alert da638681154220931147_-1306548972";
    Mock::given(method("POST"))
        .and(path(format!("{ALERTS_PATH}/{ALERT}/comments")))
        .and(GraphHeaders("tok-1"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"@odata.type": "microsoft.graph.security.alertComment", "comment": text})))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("comments_answer.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let client = client(&server);

    let comments = client.add_comment(&AlertId::new(ALERT), text).await.unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[1].comment.as_deref(), Some(text));
    assert_eq!(comments[1].created_by_display_name.as_deref(), Some("mcas2jira"));
    let error = client.add_comment(&AlertId::new(ALERT), "  ").await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
}

#[tokio::test]
async fn ids_are_percent_encoded_in_the_path() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    Mock::given(method("GET"))
        .and(|request: &wiremock::Request| request.url.path() == format!("{ALERTS_PATH}/a%2Fb%3Fc"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("alert_impossible_travel.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    client(&server).get_alert(&AlertId::new("a/b?c")).await.unwrap();
}
