//! The models serialize as well as deserialize, and a serialized model reads back the same, so
//! that callers can store and forward what Jira answered.

use jira_client::{Attachment, Comment, CreatedIssue, Field, Issue, Permissions, Priority, ServerInfo, User};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::fixture;

#[track_caller]
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(answer: Value) -> T {
    let model: T = serde_json::from_value(answer).unwrap();
    let written = serde_json::to_value(&model).unwrap();
    let again: T = serde_json::from_value(written.clone()).unwrap();
    assert_eq!(again, model, "{written:#}");
    model
}

#[test]
fn models_round_trip() {
    let page = fixture("cloud_search_page1.json");
    for issue in page["issues"].as_array().unwrap() {
        let issue: Issue = round_trip(issue.clone());
        assert!(!issue.key.as_str().is_empty());
    }
    let user: User = round_trip(fixture("myself_cloud.json"));
    assert!(!user.display_name.is_empty());
    round_trip::<User>(fixture("myself_server.json"));
    round_trip::<ServerInfo>(fixture("server_info_server.json"));
    round_trip::<Vec<Field>>(fixture("fields.json"));
    round_trip::<Vec<Priority>>(fixture("priorities.json"));
    round_trip::<Vec<Attachment>>(fixture("attachments.json"));
    round_trip::<Comment>(fixture("comment_cloud.json"));
    round_trip::<Permissions>(fixture("mypermissions.json"));
    round_trip::<CreatedIssue>(
        json!({ "id": "10000", "key": "SEC-1", "self": "https://x/rest/api/3/issue/10000" }),
    );
}
