//! Error shapes: Jira's error document, authentication and permission, not found, a removed
//! endpoint, rate limiting with `Retry-After`, HTML bodies, undecodable and oversized answers,
//! an unreachable server.

use std::time::{Duration, Instant};

use jira_client::{Auth, Client, Deployment, Error, NameOrId, NewIssue, ProjectRef, SearchQuery};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{self, BASIC, TOKEN, catch_all, fixture, json};

/// Mounts one answer for `GET /rest/api/3/myself` and returns the error the client makes of it.
async fn error_for(response: ResponseTemplate, calls: u64) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .and(header("authorization", BASIC))
        .respond_with(response)
        .expect(calls)
        .mount(&server)
        .await;
    catch_all(&server).await;
    support::cloud(&server).myself().await.unwrap_err()
}

#[track_caller]
fn check_message(err: &Error, expected: &str) {
    assert_eq!(err.to_string(), expected, "{err:?}");
    assert!(!err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn jira_error_documents_are_kept() {
    let body = json!({
        "errorMessages": ["Field 'priority' is required"],
        "errors": { "labels": "The label 'a b' contains spaces which is invalid.", "customfield_10109": 7 }
    });
    let err = error_for(json(400, body), 1).await;
    let details = err.details().unwrap();
    assert_eq!(details.error_messages, ["Field 'priority' is required"]);
    assert_eq!(details.errors["customfield_10109"], "7");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    check_message(
        &err,
        "jira refused the request (HTTP 400 Bad Request): Field 'priority' is required; \
         customfield_10109: 7; labels: The label 'a b' contains spaces which is invalid.",
    );
    assert!(!err.is_transient() && !err.outcome_unknown());
}

#[tokio::test]
async fn authentication_permission_and_not_found() {
    let err = error_for(ResponseTemplate::new(401).set_body_string("<html>Unauthorized</html>"), 1).await;
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    check_message(&err, "jira did not accept the credentials (HTTP 401)");

    let body = json!({ "errorMessages": ["You do not have the permission to see the specified issue."], "errors": {} });
    let err = error_for(json(403, body), 1).await;
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");

    let body = json!({ "errorMessages": ["Issue does not exist or you do not have permission to see it."] });
    let err = error_for(json(404, body), 1).await;
    check_message(
        &err,
        "not found in jira (HTTP 404): Issue does not exist or you do not have permission to see it.",
    );
}

#[tokio::test]
async fn a_removed_endpoint_is_named() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/SEC-1"))
        .respond_with(json(410, fixture("error_removed_search.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = support::cloud(&server).get_issue(&"SEC-1".parse().unwrap(), &[]).await.unwrap_err();
    match &err {
        Error::Gone { endpoint, details } => {
            assert_eq!(endpoint, "GET /rest/api/3/issue/SEC-1");
            assert!(details.error_messages[0].contains("/rest/api/3/search/jql"));
        }
        other => panic!("expected Gone, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with("jira has removed the endpoint GET /rest/api/3/issue/SEC-1 (HTTP 410)")
    );
}

#[tokio::test]
async fn html_error_pages_become_a_short_snippet() {
    let page = format!(
        "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>{}</body></html>",
        "x".repeat(5000)
    );
    // A read is retried on 502: the policy allows 3 retries.
    let err = error_for(ResponseTemplate::new(502).set_body_string(page), 4).await;
    match &err {
        Error::Status { status, snippet, .. } => {
            assert_eq!(status.as_u16(), 502);
            // The page's text, not its markup.
            assert!(snippet.starts_with("502 Bad Gateway xxx"), "{snippet}");
            assert!(snippet.chars().count() <= 201, "{}", snippet.len());
        }
        other => panic!("expected Status, got {other:?}"),
    }
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_long_retry_after_is_returned_not_slept() {
    let err = error_for(ResponseTemplate::new(429).insert_header("retry-after", "3600"), 1).await;
    match err {
        Error::RateLimited { retry_after } => assert_eq!(retry_after, Some(Duration::from_secs(3600))),
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn a_short_retry_after_is_waited_for_even_on_create() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .and(header("authorization", BASIC))
        .respond_with(json(201, json!({ "id": "10000", "key": "SEC-1", "self": "x" })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let started = Instant::now();
    let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "x");
    let created = support::cloud(&server).create_issue(&issue).await.unwrap();
    assert_eq!(created.key.as_str(), "SEC-1");
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn an_undecodable_answer_names_the_operation() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = support::cloud(&server).search_page(&SearchQuery::new("x"), None).await.unwrap_err();
    check_message(&err, "could not decode jira's answer to search page");
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/field"))
        .respond_with(json(200, json!([{ "id": "x".repeat(2000), "name": "big" }])))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let auth = Auth::basic(support::USER, SecretString::from(TOKEN));
    let client = Client::builder(server.uri().parse().unwrap(), Deployment::Cloud, auth)
        .max_body(1024)
        .build()
        .unwrap();
    let err = client.fields().await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 1024 }), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    // Bind a port, then free it, so that nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let auth = Auth::basic(support::USER, SecretString::from(TOKEN));
    let url = format!("http://127.0.0.1:{port}").parse().unwrap();
    let client =
        Client::builder(url, Deployment::Cloud, auth).retry_policy(support::fast_retries()).build().unwrap();
    let err = client.myself().await.unwrap_err();
    match &err {
        Error::Transport { attempts, .. } => assert_eq!(*attempts, 4, "a read is retried"),
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(err.is_transient() && err.outcome_unknown());
    assert!(!format!("{err:?}").contains(TOKEN));
}

/// A refused create reads as one refusal per message, by field and kind, on its own and in bulk.
#[tokio::test]
async fn refused_creates_are_read_field_by_field() {
    use jira_client::{BulkFailure, RefusalKind};
    let server = MockServer::start().await;
    let refusal = json!({
        "errorMessages": [],
        "errors": {
            "components": "Component name 'SOC' is not valid",
            "customfield_10109": "Field 'customfield_10109' cannot be set. It is not on the appropriate screen, or unknown."
        }
    });
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .respond_with(json(400, refusal.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .respond_with(json(
            400,
            json!({ "issues": [], "errors": [
                { "status": 400, "elementErrors": refusal, "failedElementNumber": 0 },
                { "status": 400, "elementErrors": { "errorMessages": [], "errors": {
                    "summary": "Summary must be less than 255 characters." } }, "failedElementNumber": 1 }
            ] }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let jira = support::cloud(&server);
    let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "Impossible travel");

    let error = jira.create_issue(&issue).await.unwrap_err();
    let kinds: Vec<(Option<String>, RefusalKind)> =
        error.refusals().unwrap().into_iter().map(|r| (r.field, r.kind)).collect();
    assert_eq!(
        kinds,
        [
            (Some("components".to_owned()), RefusalKind::InvalidComponent { name: Some("SOC".to_owned()) }),
            (Some("customfield_10109".to_owned()), RefusalKind::NotOnScreen),
        ]
    );

    let results = jira.create_issues(&[issue.clone(), issue]).await.unwrap();
    let Err(BulkFailure::Rejected { details, .. }) = &results[1] else { panic!("{results:?}") };
    assert_eq!(details.refusals()[0].kind, RefusalKind::TooLong);
}
