//! Compile-time promises of the public API: the types a caller shares between tasks are
//! `Send + Sync + 'static`, and every future and stream the client returns is `Send`, so that it
//! can run on a multi-threaded runtime (`tokio::spawn`). A regression fails the build.

use jira_client::richtext::Document;
use jira_client::{
    Auth, BulkFailure, Client, Deployment, Error, IssueKey, IssueUpdate, NameOrId, NewIssue, ProjectRef,
    SearchQuery, TransitionId,
};
use secrecy::SecretString;
use serde_json::{Value, json};

fn assert_send_sync_static<T: Send + Sync + 'static>() {}

fn assert_send<T: Send>(_: T) {}

#[test]
fn client_and_error_are_send_sync_static() {
    assert_send_sync_static::<Client>();
    assert_send_sync_static::<Error>();
    assert_send_sync_static::<BulkFailure>();
    assert_send_sync_static::<NewIssue>();
}

/// Each public async method's future and each stream, built and dropped without being polled:
/// nothing is sent.
#[test]
fn futures_and_streams_are_send() {
    let url: url::Url = "https://example.atlassian.net".parse().unwrap();
    let auth = Auth::basic("me@example.com", SecretString::from("token"));
    let jira = Client::builder(url.clone(), Deployment::Cloud, auth.clone()).build().unwrap();
    let key: IssueKey = "SEC-1".parse().unwrap();
    let project = ProjectRef::key("SEC");
    let issue = NewIssue::new(project.clone(), NameOrId::name("Task"), "summary");
    let (update, doc, body) = (IssueUpdate::default(), Document::new(), json!({}));

    assert_send(jira.create_issue(&issue));
    assert_send(jira.create_issues(std::slice::from_ref(&issue)));
    assert_send(jira.get_issue(&key, &["summary"]));
    assert_send(jira.update_issue(&key, &update));
    assert_send(jira.add_comment(&key, &doc));
    assert_send(jira.comments(&key));
    assert_send(jira.transitions(&key));
    assert_send(jira.transition(&key, &TransitionId::new("31"), &update));
    assert_send(jira.add_attachment(&key, "alert.json", b"{}".to_vec()));
    assert_send(jira.search_page(&SearchQuery::new("project = SEC"), None));
    assert_send(jira.search(SearchQuery::new("project = SEC")));
    assert_send(jira.approximate_count("project = SEC"));
    assert_send(jira.fields());
    assert_send(jira.create_meta(&project, &NameOrId::name("Task")));
    assert_send(jira.priorities());
    assert_send(jira.myself());
    assert_send(jira.project(&project));
    assert_send(jira.server_info());
    assert_send(jira.my_permissions(Some(&project), &["CREATE_ISSUES"]));
    assert_send(Client::detect_deployment(url, auth));
    assert_send(jira.get::<Value>("/rest/api/3/project/SEC", &[]));
    assert_send(jira.post::<_, Value>("/rest/api/3/issueLink", &body));
    assert_send(jira.put::<_, ()>("/rest/api/3/issue/SEC-1/assignee", &body));
    assert_send(jira.delete::<()>("/rest/api/3/issue/SEC-1", &[]));
}
