//! Listing comments page by page, and the user's permissions.

use jira_client::{IssueKey, ProjectRef};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer};

use crate::support::{self, BASIC, BEARER, catch_all, fixture, json};

fn key(text: &str) -> IssueKey {
    text.parse().unwrap()
}

#[tokio::test]
async fn comments_are_read_page_by_page() {
    let server = MockServer::start().await;
    let comment = fixture("comment_cloud.json");
    let mut second = comment.clone();
    second["id"] = json!("10101");
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/SEC-1/comment"))
        .and(query_param("startAt", "0"))
        .and(query_param("maxResults", "100"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, json!({ "startAt": 0, "maxResults": 1, "total": 2, "comments": [comment] })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/SEC-1/comment"))
        .and(query_param("startAt", "1"))
        .and(query_param("maxResults", "100"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, json!({ "startAt": 1, "maxResults": 1, "total": 2, "comments": [second] })))
        .expect(1)
        .mount(&server)
        .await;
    // A page that claims more but brings nothing ends the walk instead of looping.
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/issue/SOC-1/comment"))
        .and(query_param("startAt", "0"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, json!({ "startAt": 0, "maxResults": 100, "total": 7, "comments": [] })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let comments = support::cloud(&server).comments(&key("SEC-1")).await.unwrap();
    let ids: Vec<&str> = comments.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["10100", "10101"]);
    assert!(comments[0].body.to_string().contains("Closed in MCAS"));
    assert!(support::server(&server).comments(&key("SOC-1")).await.unwrap().is_empty());
}

#[tokio::test]
async fn my_permissions_in_a_project() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/mypermissions"))
        .and(query_param("projectKey", "SEC"))
        .and(query_param("permissions", "ADD_COMMENTS,TRANSITION_ISSUES"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, fixture("mypermissions.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/mypermissions"))
        .and(query_param("projectId", "10000"))
        .and(query_param("permissions", "BROWSE_PROJECTS"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, json!({ "permissions": { "BROWSE_PROJECTS": { "key": "BROWSE_PROJECTS", "havePermission": null } } })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let granted = support::cloud(&server)
        .my_permissions(Some(&ProjectRef::key("SEC")), &["ADD_COMMENTS", "TRANSITION_ISSUES"])
        .await
        .unwrap();
    assert!(granted.has("ADD_COMMENTS"));
    assert!(!granted.has("TRANSITION_ISSUES"));
    assert!(!granted.has("BROWSE_PROJECTS"), "not reported means not granted");
    assert_eq!(granted.permissions["ADD_COMMENTS"].name.as_deref(), Some("Add Comments"));
    let server_side = support::server(&server)
        .my_permissions(Some(&ProjectRef::id("10000")), &["BROWSE_PROJECTS"])
        .await
        .unwrap();
    assert!(!server_side.has("BROWSE_PROJECTS"), "a null havePermission is no permission");
}
