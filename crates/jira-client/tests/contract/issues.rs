//! Create, bulk create, get, edit, comment, transitions and attachments.

use jira_client::richtext::{Document, Inline, Table};
use jira_client::{IssueKey, IssueUpdate, Label, NameOrId, NewIssue, ProjectRef};
use serde_json::json;

use crate::{jira, valid};

fn label(text: &str) -> Label {
    Label::new(text).unwrap()
}

fn key() -> IssueKey {
    "SEC-1".parse().unwrap()
}

/// A description using every kind of block, with hostile text in it.
fn description() -> Document {
    Document::new()
        .heading(2, "Impossible travel activity")
        .table(Table::facts([("User", "alice@contoso.com"), ("IP", "203.0.113.7")]))
        .paragraph(vec![
            Inline::text("See "),
            Inline::link("the alert", "https://contoso.portal.cloudappsecurity.com/#/alerts/1"),
            Inline::HardBreak,
            Inline::strong("{noformat}[~admin]\u{202E}"),
        ])
        .bullet_list([vec![Inline::text("one")], vec![Inline::code("two")]])
        .code_block(None, "line 1\nline 2")
}

fn draft(n: u32) -> NewIssue {
    NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), format!("Alert {n}\nwith a second line"))
        .description(description())
        .priority(NameOrId::name("High"))
        .labels([label("mcas"), label("mcas-5f0c1e2d3a4b5c6d7e8f9a0b")])
        .components([NameOrId::name("SOC")])
        .field("customfield_10109", json!("https://contoso.portal.cloudappsecurity.com/#/alerts/1"))
        .field_document("customfield_10108", Document::new().text_paragraph("203.0.113.7: 97%"))
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn create_issue() {
    let created = valid("create issue", jira().await.create_issue(&draft(1)).await);
    assert_eq!(created.key.as_str(), "ED-24");
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn bulk_create() {
    let results = valid("bulk create", jira().await.create_issues(&[draft(1), draft(2)]).await);
    let keys: Vec<String> = results.into_iter().map(|r| r.unwrap().key.to_string()).collect();
    assert_eq!(keys, ["ED-24", "ED-25"]);
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn get_issue() {
    let issue = valid("get issue", jira().await.get_issue(&key(), &["summary", "labels", "status"]).await);
    assert_eq!(issue.key.as_str(), "ED-1");
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn update_issue() {
    let update = IssueUpdate::default()
        .summary("Completed")
        .field("customfield_10109", json!("https://x.example/a"))
        .add_label(label("triaged"))
        .remove_label(label("new"))
        .comment(Document::new().text_paragraph("Closed in MCAS"));
    valid("update issue", jira().await.update_issue(&key(), &update).await);
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn comment() {
    let comment = valid("add comment", jira().await.add_comment(&key(), &description()).await);
    assert_eq!(comment.id.as_str(), "10000");
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn transitions() {
    let jira = jira().await;
    let transitions = valid("list transitions", jira.transitions(&key()).await);
    assert!(!transitions.is_empty());
    let with = IssueUpdate::default()
        .field("resolution", json!({ "name": "Done" }))
        .comment(Document::new().text_paragraph("Done"));
    valid("transition", jira.transition(&key(), &transitions[0].id, &with).await);
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn attachment() {
    let content = br#"{"_id":"5f0c1e2d3a4b5c6d7e8f9a0b"}"#.to_vec();
    let attached = valid("add attachment", jira().await.add_attachment(&key(), "alert.json", content).await);
    assert_eq!(attached[0].filename, "picture.jpg");
    assert!(attached[0].created.is_some(), "the example's epoch-millisecond date decodes");
}
