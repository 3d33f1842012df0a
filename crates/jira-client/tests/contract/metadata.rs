//! Fields, create metadata, priorities, the signed-in user, projects, server info.

use jira_client::{FieldResolver, NameOrId, ProjectRef};

use crate::{jira, valid};

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn fields() {
    let fields = FieldResolver::new(valid("fields", jira().await.fields().await));
    assert_eq!(fields.resolve("summary").unwrap().name, "Summary");
    assert_eq!(fields.resolve("Description").unwrap().shape(), jira_client::FieldShape::RichText);
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn create_meta() {
    let meta = valid(
        "create metadata",
        jira().await.create_meta(&ProjectRef::key("SEC"), &NameOrId::name("Bug")).await,
    );
    assert_eq!(meta.issue_type.id, "1");
    let required: Vec<&str> = meta.required_fields().map(|f| f.field_id.as_str()).collect();
    assert_eq!(required, ["assignee"]);
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn priorities_myself_project_server_info() {
    let jira = jira().await;
    assert!(!valid("priorities", jira.priorities().await).is_empty());
    assert!(valid("myself", jira.myself().await).account_id.is_some());
    assert!(!valid("project", jira.project(&ProjectRef::key("SEC")).await).key.is_empty());
    let info = valid("server info", jira.server_info().await);
    assert!(info.version.is_some());
}
