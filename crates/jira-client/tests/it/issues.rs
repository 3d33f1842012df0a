//! Creating (single and bulk), reading, editing, commenting, transitions and attachments, on
//! both deployments.

use jira_client::richtext::{Document, Inline};
use jira_client::{
    BulkFailure, Error, IssueKey, IssueUpdate, Label, LabelError, NameOrId, NewIssue, ProjectRef,
    TransitionId,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{self, BASIC, BEARER, catch_all, fixture, json, label};

fn key(text: &str) -> IssueKey {
    text.parse().unwrap()
}

fn description() -> Document {
    Document::new().text_paragraph("Sign-ins from two countries within an hour.")
}

fn draft(summary: &str) -> NewIssue {
    NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), summary)
        .description(description())
        .priority(NameOrId::name("High"))
        .labels([label("mcas"), label("mcas-5f0c1e2d3a4b5c6d7e8f9a0b")])
        .components([NameOrId::id("10500")])
        .field("customfield_10109", json!("https://contoso.portal.cloudappsecurity.com/#/alerts/1"))
}

fn created(n: u32) -> Value {
    json!({ "id": format!("{}", 10000 + n), "key": format!("SEC-{n}"), "self": format!("https://x/rest/api/3/issue/{n}") })
}

#[tokio::test]
async fn create_on_cloud_sends_adf_and_a_sanitized_summary() {
    let server = MockServer::start().await;
    let expected = json!({
        "fields": {
            "project": { "key": "SEC" },
            "issuetype": { "name": "Task" },
            "summary": "Impossible travel: alice",
            "description": {
                "type": "doc",
                "version": 1,
                "content": [{ "type": "paragraph", "content": [
                    { "type": "text", "text": "Sign-ins from two countries within an hour." }
                ] }]
            },
            "priority": { "name": "High" },
            "labels": ["mcas", "mcas-5f0c1e2d3a4b5c6d7e8f9a0b"],
            "components": [{ "id": "10500" }],
            "customfield_10109": "https://contoso.portal.cloudappsecurity.com/#/alerts/1"
        }
    });
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .and(header("authorization", BASIC))
        .and(header("content-type", "application/json"))
        .and(body_json(expected))
        .respond_with(json(201, created(42)))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let issue =
        support::cloud(&server).create_issue(&draft("Impossible\ntravel: \u{202E}alice ")).await.unwrap();
    assert_eq!(issue.key, key("SEC-42"));
    assert_eq!(issue.id.as_str(), "10042");
}

#[tokio::test]
async fn create_on_server_sends_wiki_markup() {
    let server = MockServer::start().await;
    let doc = Document::new().paragraph(vec![Inline::text("Seen from "), Inline::strong("203.0.113.7")]);
    let expected = json!({
        "fields": {
            "project": { "id": "10000" },
            "issuetype": { "id": "3" },
            "summary": "Impossible travel",
            "description": doc.to_wiki(),
            "customfield_10108": "203.0.113.7: 97% abuse confidence",
        }
    });
    Mock::given(method("POST"))
        .and(path("/jira/rest/api/2/issue"))
        .and(header("authorization", BEARER))
        .and(body_json(expected))
        .respond_with(json(201, created(7)))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let issue = NewIssue::new(ProjectRef::id("10000"), NameOrId::id("3"), "Impossible travel")
        .description(doc.clone())
        .field("customfield_10108", json!("203.0.113.7: 97% abuse confidence"));
    assert!(doc.to_wiki().contains("203.0.113.7"));
    support::server(&server).create_issue(&issue).await.unwrap();
}

#[tokio::test]
async fn rich_text_fields_are_rendered_per_deployment() {
    let doc = Document::new().text_paragraph("line one\nline two");
    let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "x")
        .field_document("customfield_10108", doc.clone());
    let cloud = issue.to_request_body(jira_client::Deployment::Cloud);
    assert_eq!(cloud["fields"]["customfield_10108"], doc.to_adf());
    let server = issue.to_request_body(jira_client::Deployment::Server);
    assert_eq!(server["fields"]["customfield_10108"], json!(doc.to_wiki()));
}

#[tokio::test]
async fn an_invalid_label_is_refused_before_sending() {
    let server = MockServer::start().await;
    // Nothing reaches the server: a label Jira would refuse cannot even be made.
    catch_all(&server).await;
    assert_eq!(Label::new("two words"), Err(LabelError::Whitespace));
    let err: Error = Label::new("tab\there").unwrap_err().into();
    assert!(matches!(err, Error::InvalidInput { parameter: "label", .. }), "{err:?}");
}

#[tokio::test]
async fn a_failed_create_is_not_repeated() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = support::cloud(&server).create_issue(&draft("x")).await.unwrap_err();
    assert!(matches!(err, Error::Status { .. }), "{err:?}");
    assert!(err.outcome_unknown(), "a 503 may come after jira acted");
}

fn bulk_body(drafts: &[NewIssue]) -> Value {
    let updates: Vec<Value> =
        drafts.iter().map(|d| d.to_request_body(jira_client::Deployment::Cloud)).collect();
    json!({ "issueUpdates": updates })
}

/// The bulk body as Jira receives it, spelled out rather than built from `to_request_body`
/// (which is now the same text parsed): each issue's fields, in one `issueUpdates` array.
#[tokio::test]
async fn bulk_create_sends_one_document_with_every_issue() {
    let server = MockServer::start().await;
    let issue = |summary: &str| {
        json!({
            "fields": {
                "project": { "key": "SEC" },
                "issuetype": { "name": "Task" },
                "summary": summary,
                "description": {
                    "type": "doc",
                    "version": 1,
                    "content": [{ "type": "paragraph", "content": [
                        { "type": "text", "text": "Sign-ins from two countries within an hour." }
                    ] }]
                },
                "priority": { "name": "High" },
                "labels": ["mcas", "mcas-5f0c1e2d3a4b5c6d7e8f9a0b"],
                "components": [{ "id": "10500" }],
                "customfield_10109": "https://contoso.portal.cloudappsecurity.com/#/alerts/1"
            }
        })
    };
    let expected = json!({ "issueUpdates": [issue("alert \"a\""), issue("alert b")] });
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .and(header("authorization", BASIC))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(json(201, json!({ "issues": [created(1), created(2)], "errors": [] })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let results =
        support::cloud(&server).create_issues(&[draft("alert \"a\""), draft("alert b")]).await.unwrap();
    assert_eq!(results.len(), 2);
    let requests = server.received_requests().await.unwrap();
    let received: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(received, expected);
}

#[tokio::test]
async fn bulk_create_maps_partial_failure_to_positions() {
    let server = MockServer::start().await;
    let drafts = vec![draft("a"), draft("b").priority(NameOrId::name("Nope")), draft("c")];
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .and(header("authorization", BASIC))
        .and(body_json(bulk_body(&drafts)))
        .respond_with(json(201, fixture("bulk_partial.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let results = support::cloud(&server).create_issues(&drafts).await.unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().key, key("SEC-10"));
    match &results[1] {
        Err(BulkFailure::Rejected { status, details }) => {
            assert_eq!(status.map(|s| s.as_u16()), Some(400));
            assert_eq!(details.errors["priority"], "Specify a valid value for priority");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(results[2].as_ref().unwrap().key, key("SEC-12"));
}

#[tokio::test]
async fn bulk_create_reads_the_400_when_all_failed() {
    let server = MockServer::start().await;
    let drafts = vec![draft("a"), draft("b")];
    Mock::given(method("POST"))
        .and(path("/jira/rest/api/2/issue/bulk"))
        .and(header("authorization", BEARER))
        .respond_with(json(400, fixture("bulk_all_failed.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let results = support::server(&server).create_issues(&drafts).await.unwrap();
    let messages: Vec<String> = results.iter().map(|r| r.as_ref().unwrap_err().to_string()).collect();
    assert_eq!(
        messages,
        [
            "jira refused the issue (HTTP 400 Bad Request): issuetype: The issue type selected is invalid.",
            "jira refused the issue (HTTP 400 Bad Request): Field 'priority' is required",
        ]
    );
}

#[tokio::test]
async fn bulk_create_sends_chunks_of_fifty() {
    let server = MockServer::start().await;
    let drafts: Vec<NewIssue> = (0..120).map(|n| draft(&format!("alert {n}"))).collect();
    for (chunk_no, chunk) in drafts.chunks(50).enumerate() {
        let issues: Vec<Value> = (0..chunk.len()).map(|i| created((chunk_no * 50 + i) as u32 + 1)).collect();
        Mock::given(method("POST"))
            .and(path("/rest/api/3/issue/bulk"))
            .and(header("authorization", BASIC))
            .and(body_json(bulk_body(chunk)))
            .respond_with(json(201, json!({ "issues": issues, "errors": [] })))
            .expect(1)
            .mount(&server)
            .await;
    }
    catch_all(&server).await;
    let results = support::cloud(&server).create_issues(&drafts).await.unwrap();
    let keys: Vec<String> = results.into_iter().map(|r| r.unwrap().key.to_string()).collect();
    let expected: Vec<String> = (1..=120).map(|n| format!("SEC-{n}")).collect();
    assert_eq!(keys, expected);
}

#[tokio::test]
async fn bulk_create_keeps_earlier_results_when_a_later_chunk_fails() {
    let server = MockServer::start().await;
    let drafts: Vec<NewIssue> = (0..120).map(|n| draft(&format!("alert {n}"))).collect();
    let chunks: Vec<&[NewIssue]> = drafts.chunks(50).collect();
    let first: Vec<Value> = (1..=50).map(created).collect();
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .and(body_json(bulk_body(chunks[0])))
        .respond_with(json(201, json!({ "issues": first })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .and(body_json(bulk_body(chunks[1])))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html><body>Bad gateway</body></html>"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let results = support::cloud(&server).create_issues(&drafts).await.unwrap();
    assert_eq!(results.len(), 120);
    assert!(results[..50].iter().all(Result::is_ok));
    for failed in &results[50..100] {
        let failure = failed.as_ref().unwrap_err();
        assert!(matches!(failure, BulkFailure::RequestFailed { .. }), "{failure:?}");
        assert!(failure.maybe_created(), "a 502 may come after jira acted");
    }
    assert!(results[100..].iter().all(|r| matches!(r, Err(BulkFailure::NotSent))));
}

#[tokio::test]
async fn bulk_create_returns_the_error_of_a_failed_first_chunk() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .respond_with(json(401, json!({ "errorMessages": ["You are not authenticated."], "errors": {} })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = support::cloud(&server).create_issues(&[draft("a")]).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
}

#[tokio::test]
async fn get_issue_with_fields() {
    let server = MockServer::start().await;
    let issue = fixture("cloud_search_page1.json")["issues"][1].clone();
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/SEC-2"))
        .and(query_param("fields", "summary,status,resolution,resolutiondate,customfield_10109"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, issue))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let fields = ["summary", "status", "resolution", "resolutiondate", "customfield_10109"];
    let issue = support::cloud(&server).get_issue(&key("SEC-2"), &fields).await.unwrap();
    assert_eq!(issue.fields.summary, "Mass download by a single user");
    let status = issue.fields.status.unwrap();
    assert!(status.status_category.unwrap().is_done());
    assert_eq!(issue.fields.resolution.unwrap().name, "Done");
    assert_eq!(issue.fields.resolution_date, Some("2024-05-03T06:00:00Z".parse().unwrap()));
}

#[tokio::test]
async fn update_adds_and_removes_labels_and_comments() {
    let server = MockServer::start().await;
    let note = Document::new().text_paragraph("Closed in MCAS as benign.");
    let expected = json!({
        "fields": { "customfield_10109": "https://x.example/a" },
        "update": {
            "labels": [{ "add": "triaged" }, { "remove": "new" }],
            "comment": [{ "add": { "body": note.to_wiki() } }]
        }
    });
    Mock::given(method("PUT"))
        .and(path("/jira/rest/api/2/issue/SOC-101"))
        .and(header("authorization", BEARER))
        .and(header("content-type", "application/json"))
        .and(body_json(expected))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let update = IssueUpdate::default()
        .field("customfield_10109", json!("https://x.example/a"))
        .add_label(label("triaged"))
        .remove_label(label("new"))
        .comment(note);
    support::server(&server).update_issue(&key("SOC-101"), &update).await.unwrap();
    let err =
        support::server(&server).update_issue(&key("SOC-101"), &IssueUpdate::default()).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[tokio::test]
async fn comments_are_adf_on_cloud_and_wiki_on_server() {
    let server = MockServer::start().await;
    let note = Document::new().text_paragraph("Closed in MCAS");
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/SEC-1/comment"))
        .and(header("authorization", BASIC))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({ "body": note.to_adf() })))
        .respond_with(json(201, fixture("comment_cloud.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut server_comment = fixture("comment_cloud.json");
    server_comment["body"] = json!("Closed in MCAS");
    Mock::given(method("POST"))
        .and(path("/jira/rest/api/2/issue/SOC-1/comment"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({ "body": note.to_wiki() })))
        .respond_with(json(201, server_comment))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let comment = support::cloud(&server).add_comment(&key("SEC-1"), &note).await.unwrap();
    assert_eq!(comment.id.as_str(), "10100");
    assert_eq!(comment.created, Some("2024-05-02T10:00:00Z".parse().unwrap()));
    let comment = support::server(&server).add_comment(&key("SOC-1"), &note).await.unwrap();
    assert_eq!(comment.body, json!("Closed in MCAS"));
}

#[tokio::test]
async fn transitions_are_listed_and_performed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/SEC-1/transitions"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, fixture("transitions.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/SEC-1/transitions"))
        .and(header("authorization", BASIC))
        .and(body_json(
            json!({ "transition": { "id": "31" }, "fields": { "resolution": { "name": "Done" } } }),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let jira = support::cloud(&server);
    let transitions = jira.transitions(&key("SEC-1")).await.unwrap();
    let names: Vec<&str> = transitions.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Start Progress", "Done"]);
    let done = &transitions[1];
    assert_eq!(done.id, TransitionId::new("31"));
    assert!(done.to.as_ref().unwrap().status_category.as_ref().unwrap().is_done());
    let with = IssueUpdate::default().field("resolution", json!({ "name": "Done" }));
    jira.transition(&key("SEC-1"), &done.id, &with).await.unwrap();
}

#[tokio::test]
async fn attachments_are_multipart_with_the_xsrf_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/SEC-1/attachments"))
        .and(header("authorization", BASIC))
        .and(header("x-atlassian-token", "no-check"))
        .respond_with(json(200, fixture("attachments.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let attached = support::cloud(&server)
        .add_attachment(&key("SEC-1"), "alert.json", br#"{"_id":"1"}"#.to_vec())
        .await
        .unwrap();
    assert_eq!(attached[0].filename, "alert.json");
    assert_eq!(attached[0].created, Some("2022-04-30T11:01:54Z".parse().unwrap()));

    let requests = server.received_requests().await.unwrap();
    let request = &requests[0];
    let content_type = request.headers.get("content-type").unwrap().to_str().unwrap();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect(content_type);
    let body = String::from_utf8_lossy(&request.body);
    assert!(body.starts_with(&format!("--{boundary}\r\n")), "{body}");
    assert!(
        body.contains("Content-Disposition: form-data; name=\"file\"; filename=\"alert.json\""),
        "{body}"
    );
    assert!(body.contains("Content-Type: application/json\r\n\r\n{\"_id\":\"1\"}\r\n"), "{body}");
}

#[tokio::test]
async fn an_unsafe_file_name_is_refused() {
    let server = MockServer::start().await;
    catch_all(&server).await;
    let err = support::cloud(&server)
        .add_attachment(&key("SEC-1"), "../../etc/passwd", vec![1, 2])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

#[tokio::test]
async fn server_get_transitions_and_attachments_use_rest_v2() {
    let server = MockServer::start().await;
    let issue = fixture("server_search_page1.json")["issues"][0].clone();
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/issue/SOC-101"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, issue))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/issue/SOC-101/transitions"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, fixture("transitions.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/jira/rest/api/2/issue/SOC-101/transitions"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({ "transition": { "id": "11" } })))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/jira/rest/api/2/issue/SOC-101/attachments"))
        .and(header("authorization", BEARER))
        .and(header("x-atlassian-token", "no-check"))
        .respond_with(json(200, fixture("attachments.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let jira = support::server(&server);
    let soc = key("SOC-101");
    let issue = jira.get_issue(&soc, &[]).await.unwrap();
    assert_eq!(issue.fields.status.unwrap().name, "Open");
    let transitions = jira.transitions(&soc).await.unwrap();
    jira.transition(&soc, &transitions[0].id, &IssueUpdate::default()).await.unwrap();
    let attached = jira.add_attachment(&soc, "trace.log", "line\n").await.unwrap();
    assert_eq!(attached.len(), 1);
}
