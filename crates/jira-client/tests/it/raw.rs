//! The raw request methods: any endpoint of the site, with the client's auth, retries, error
//! mapping and body cap, and never another host.

use jira_client::Error;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{self, BASIC, BEARER, catch_all, json};

#[tokio::test]
async fn get_sends_the_auth_and_the_query_and_decodes_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/project/SEC"))
        .and(query_param("expand", "lead"))
        .and(header("authorization", BASIC))
        .and(header("accept", "application/json"))
        .respond_with(json(200, json!({ "key": "SEC", "lead": { "displayName": "Alice" } })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let project: Value =
        support::cloud(&server).get("/rest/api/3/project/SEC", &[("expand", "lead")]).await.unwrap();
    assert_eq!(project["lead"]["displayName"], "Alice");
}

#[tokio::test]
async fn paths_go_under_the_context_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jira/rest/agile/1.0/board"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, json!({ "values": [] })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let boards: Value = support::server(&server).get("/rest/agile/1.0/board", &[]).await.unwrap();
    assert_eq!(boards, json!({ "values": [] }));
}

#[tokio::test]
async fn post_sends_json_once_even_after_a_server_error() {
    let server = MockServer::start().await;
    let link = json!({ "type": { "name": "Relates" }, "inwardIssue": { "key": "SEC-1" } });
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issueLink"))
        .and(header("authorization", BASIC))
        .and(header("content-type", "application/json"))
        .and(body_json(&link))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = support::cloud(&server).post::<_, ()>("/rest/api/3/issueLink", &link).await.unwrap_err();
    assert!(matches!(err, Error::Status { .. }), "{err:?}");
    assert!(err.outcome_unknown(), "a POST may have been acted on");
}

#[tokio::test]
async fn put_and_delete_are_retried_and_read_an_empty_answer_as_unit() {
    let server = MockServer::start().await;
    let body = json!({ "accountId": null });
    Mock::given(method("PUT"))
        .and(path("/rest/api/3/issue/SEC-42/assignee"))
        .and(body_json(&body))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/rest/api/3/issue/SEC-42/assignee"))
        .and(body_json(&body))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/rest/api/3/issue/SEC-42"))
        .and(query_param("deleteSubtasks", "true"))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let jira = support::cloud(&server);
    let () = jira.put("/rest/api/3/issue/SEC-42/assignee", &body).await.unwrap();
    let () = jira.delete("/rest/api/3/issue/SEC-42", &[("deleteSubtasks", "true")]).await.unwrap();
}

#[tokio::test]
async fn errors_are_mapped_as_for_the_typed_calls() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/project/NOPE"))
        .respond_with(json(404, json!({ "errorMessages": ["No project could be found with key 'NOPE'."] })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/huge"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(2048)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/text"))
        .respond_with(ResponseTemplate::new(200).set_body_string("not json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let jira = support::cloud(&server);
    let err = jira.get::<Value>("/rest/api/3/project/NOPE", &[]).await.unwrap_err();
    assert!(matches!(&err, Error::NotFound { details } if details.error_messages.len() == 1), "{err:?}");

    let capped = jira_client::Client::builder(
        server.uri().parse().unwrap(),
        jira_client::Deployment::Cloud,
        jira_client::Auth::basic(support::USER, secrecy::SecretString::from(support::TOKEN)),
    )
    .max_body(1024)
    .build()
    .unwrap();
    let err = capped.get::<Value>("/rest/api/3/huge", &[]).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 1024 }), "{err:?}");

    let err = jira.get::<Value>("/rest/api/3/text", &[]).await.unwrap_err();
    assert!(matches!(err, Error::Decode { what: "GET request", .. }), "{err:?}");
}

#[tokio::test]
async fn a_path_off_the_site_is_refused_before_sending() {
    let server = MockServer::start().await;
    // Nothing may be sent, least of all the credentials to another host.
    catch_all(&server).await;
    let jira = support::cloud(&server);
    for path in
        ["//evil.example.com/steal", "https://evil.example.com/", "rest/api/3/x", "/rest/../../x", "/x?y=1"]
    {
        let err = jira.get::<Value>(path, &[]).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { parameter: "path", .. }), "{path}: {err:?}");
    }
}
