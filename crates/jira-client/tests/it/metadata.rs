//! Fields and the resolver, create metadata on both deployments, priorities, projects.

use jira_client::{Deployment, Error, FieldResolver, FieldShape, NameOrId, ProjectRef};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer};

use crate::support::{self, BASIC, BEARER, catch_all, fixture, json};

#[tokio::test]
async fn fields_resolve_by_name_and_give_their_shape() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/field"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, fixture("fields.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let fields = FieldResolver::new(support::cloud(&server).fields().await.unwrap());
    let url = fields.resolve("alert url").unwrap();
    assert_eq!(url.id, "customfield_10109");
    assert_eq!(url.shape(), FieldShape::Url);
    let reputation = fields.resolve("IP Reputation").unwrap();
    assert_eq!(reputation.shape(), FieldShape::RichText);
    let value = reputation.shape().value_from_text("203.0.113.7: 97%", Deployment::Cloud).unwrap();
    assert_eq!(value["type"], "doc");
    assert_eq!(fields.resolve("customfield_10107").unwrap().shape(), FieldShape::Text);
    assert_eq!(fields.resolve("Labels").unwrap().shape(), FieldShape::Labels);
    assert_eq!(fields.resolve("Key").unwrap().shape(), FieldShape::Other(String::new()));
    match fields.resolve("team") {
        Err(err @ Error::AmbiguousField { .. }) => {
            assert_eq!(
                err.to_string(),
                "several jira fields are named \"team\": use one of the ids customfield_10110, customfield_10111"
            );
        }
        other => panic!("expected ambiguity, got {other:?}"),
    }
    assert!(matches!(fields.resolve("Alert Link"), Err(Error::UnknownField { .. })));
}

#[tokio::test]
async fn create_meta_on_cloud_by_issue_type_name() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/createmeta/SEC/issuetypes"))
        .and(query_param("startAt", "0"))
        .and(query_param("maxResults", "200"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, fixture("createmeta_issuetypes_cloud.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/createmeta/SEC/issuetypes/10001"))
        .and(query_param("startAt", "0"))
        .and(query_param("maxResults", "200"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, fixture("createmeta_fields_cloud.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let meta =
        support::cloud(&server).create_meta(&ProjectRef::key("SEC"), &NameOrId::name("task")).await.unwrap();
    assert_eq!(meta.issue_type.id, "10001");
    let required: Vec<&str> = meta.required_fields().map(|f| f.field_id.as_str()).collect();
    assert_eq!(required, ["summary", "customfield_10109"]);
    let priorities: Vec<String> = meta.allowed_priorities().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(priorities, ["Highest", "High", "Medium"]);
    assert_eq!(meta.allowed_names("components").unwrap(), ["Identity", "Email"]);
    assert_eq!(meta.allowed_names("priority").unwrap(), ["Highest", "High", "Medium"]);
    // On the screen, without a fixed set of values.
    assert_eq!(meta.allowed_names("customfield_10109").unwrap(), Vec::<String>::new());
    // Not on the create screen.
    assert_eq!(meta.allowed_names("labels"), None);
}

/// Mounts one `GET` of the Cloud API, with the Basic credentials, answered with a fixture, once.
async fn get_once(server: &MockServer, route: &str, answer: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .and(header("authorization", BASIC))
        .respond_with(json(200, fixture(answer)))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn create_meta_of_several_issue_types_reads_the_list_once() {
    let server = MockServer::start().await;
    get_once(&server, "/rest/api/3/issue/createmeta/SEC/issuetypes", "createmeta_issuetypes_cloud.json")
        .await;
    for id in ["10001", "10002", "10003"] {
        let route = format!("/rest/api/3/issue/createmeta/SEC/issuetypes/{id}");
        get_once(&server, &route, "createmeta_fields_cloud.json").await;
    }
    catch_all(&server).await;
    let jira = support::cloud(&server);
    let project = ProjectRef::key("SEC");
    let types = jira.create_issue_types(&project).await.unwrap();
    let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Task", "Bug", "Sub-task"]);
    for issue_type in types {
        let meta = jira.create_meta_of(&project, issue_type.clone()).await.unwrap();
        assert_eq!(meta.issue_type, issue_type);
        assert!(meta.field("components").is_some());
    }
}

#[tokio::test]
async fn create_meta_on_server_pages_through_values() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/issue/createmeta/SOC/issuetypes"))
        .and(query_param("startAt", "0"))
        .and(query_param("maxResults", "200"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, fixture("createmeta_issuetypes_server.json")))
        .expect(1)
        .mount(&server)
        .await;
    // The fields come in two pages.
    let mut first = fixture("createmeta_fields_server.json");
    let second_item = first["values"][1].clone();
    first["values"] = json!([first["values"][0].clone()]);
    first["isLast"] = json!(false);
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/issue/createmeta/SOC/issuetypes/10000"))
        .and(query_param("startAt", "0"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, first))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/issue/createmeta/SOC/issuetypes/10000"))
        .and(query_param("startAt", "1"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, json!({ "startAt": 1, "total": 2, "isLast": true, "values": [second_item] })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let meta =
        support::server(&server).create_meta(&ProjectRef::key("SOC"), &NameOrId::id("10000")).await.unwrap();
    assert_eq!(meta.issue_type.name, "Incident");
    let required: Vec<&str> = meta.required_fields().map(|f| f.field_id.as_str()).collect();
    assert_eq!(required, ["summary", "priority"]);
    let priorities: Vec<String> = meta.allowed_priorities().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(priorities, ["Blocker", "Major", "Trivial"]);
}

#[tokio::test]
async fn create_meta_names_the_available_issue_types() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/createmeta/SEC/issuetypes"))
        .respond_with(json(200, fixture("createmeta_issuetypes_cloud.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = support::cloud(&server)
        .create_meta(&ProjectRef::key("SEC"), &NameOrId::name("Incident"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid issue_type: project SEC has no issue type \"Incident\" (it has: Task, Bug, Sub-task)"
    );
}

#[tokio::test]
async fn priorities_and_projects() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/priority"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, fixture("priorities.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/project/SEC"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, fixture("project_cloud.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let jira = support::cloud(&server);
    let names: Vec<String> = jira.priorities().await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Highest", "High", "Lowest"]);
    let project = jira.project(&ProjectRef::key("SEC")).await.unwrap();
    assert_eq!(project.name, "Security Operations");
    assert_eq!(project.issue_types.len(), 2);
}

#[tokio::test]
async fn server_info_of_server() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/serverInfo"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, fixture("server_info_server.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let info = support::server(&server).server_info().await.unwrap();
    assert_eq!(info.version.as_deref(), Some("9.12.2"));
    assert_eq!(info.version_numbers, [9, 12, 2]);
    assert_eq!(info.deployment(), Deployment::Server);
}
