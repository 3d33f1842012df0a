//! The fake Jira, Cloud and Server.

use mcas2jira_fakes::jira::{StatusCategory, route};
use mcas2jira_fakes::{ALL_ISSUE_TYPES, Deployment, FakeJira, FakeJiraOptions, ValueRefusal};
use serde_json::{Value, json};

use crate::{http, status_json};

const USER: &str = "secops@example.com";
const TOKEN: &str = "jira-token";

async fn start(deployment: Deployment) -> FakeJira {
    FakeJira::start(FakeJiraOptions {
        deployment,
        user: USER.into(),
        token: TOKEN.into(),
        ..FakeJiraOptions::default()
    })
    .await
    .unwrap()
}

fn adf(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]})
}

fn issue(summary: &str, label: &str, description: Value) -> Value {
    json!({
        "fields": {
            "project": {"key": "SEC"},
            "issuetype": {"name": "Task"},
            "summary": summary,
            "description": description,
            "priority": {"name": "High"},
            "labels": ["mcas", label],
            "customfield_10109": "https://contoso.portal.cloudappsecurity.com/#/alerts/5f06d71dba4289d0602ba5ac",
            "customfield_10107": "john@example.com",
        }
    })
}

async fn call(fake: &FakeJira, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request =
        http().request(method, format!("{}{path}", fake.api_url())).basic_auth(USER, Some(TOKEN));
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_json(request.send().await.unwrap()).await
}

async fn post(fake: &FakeJira, path: &str, body: Value) -> (u16, Value) {
    call(fake, reqwest::Method::POST, path, Some(body)).await
}

async fn get(fake: &FakeJira, path: &str) -> (u16, Value) {
    call(fake, reqwest::Method::GET, path, None).await
}

#[tokio::test]
async fn auth_basic_everywhere_bearer_pat_on_server_only() {
    let cloud = start(Deployment::Cloud).await;
    let server = start(Deployment::Server).await;
    for (fake, bearer_status) in [(&cloud, 401), (&server, 200)] {
        let url = format!("{}/myself", fake.api_url());
        let none = http().get(&url).send().await.unwrap();
        assert_eq!(none.status().as_u16(), 401);
        let (status, body) =
            status_json(http().get(&url).basic_auth(USER, Some("wrong")).send().await.unwrap()).await;
        assert_eq!((status, body["errorMessages"].is_array()), (401, true));
        let ok = http().get(&url).basic_auth(USER, Some(TOKEN)).send().await.unwrap();
        assert_eq!(ok.status().as_u16(), 200);
        let pat = http().get(&url).bearer_auth(TOKEN).send().await.unwrap();
        assert_eq!(pat.status().as_u16(), bearer_status);
    }
    assert!(cloud.api_url().ends_with("/rest/api/3"));
    assert!(server.api_url().ends_with("/rest/api/2"));
}

#[tokio::test]
async fn metadata_per_deployment() {
    let cloud = start(Deployment::Cloud).await;
    let server = start(Deployment::Server).await;
    assert_eq!(get(&cloud, "/serverInfo").await.1["deploymentType"], "Cloud");
    assert_eq!(get(&server, "/serverInfo").await.1["deploymentType"], "Server");
    let (_, fields) = get(&cloud, "/field").await;
    let alert_url = fields.as_array().unwrap().iter().find(|f| f["name"] == "Alert URL").unwrap();
    assert_eq!(alert_url["id"], "customfield_10109");
    assert_eq!(alert_url["schema"]["custom"], "com.atlassian.jira.plugin.system.customfieldtypes:url");
    let (_, project) = get(&cloud, "/project/SEC").await;
    assert_eq!(project["issueTypes"].as_array().unwrap().len(), 2);
    assert_eq!(get(&cloud, "/project/NOPE").await.0, 404);
    let (_, priorities) = get(&cloud, "/priority").await;
    let names: Vec<&str> =
        priorities.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Highest", "High", "Medium", "Low", "Lowest"]);
    // Cloud pages create metadata under `issueTypes`/`fields`, Server under `values`.
    let (_, cloud_types) = get(&cloud, "/issue/createmeta/SEC/issuetypes").await;
    assert_eq!(cloud_types["issueTypes"][0]["name"], "Task");
    let (_, server_types) = get(&server, "/issue/createmeta/SEC/issuetypes").await;
    assert_eq!(
        (server_types["values"][1]["name"].as_str(), server_types["isLast"].as_bool()),
        (Some("Bug"), Some(true))
    );
    let (_, cloud_fields) = get(&cloud, "/issue/createmeta/SEC/issuetypes/10001").await;
    let summary =
        cloud_fields["fields"].as_array().unwrap().iter().find(|f| f["fieldId"] == "summary").unwrap();
    assert_eq!(summary["required"], true);
    assert_eq!(get(&server, "/issue/createmeta/SEC/issuetypes/99").await.0, 404);
}

#[tokio::test]
async fn create_validates_like_jira() {
    let cloud = start(Deployment::Cloud).await;
    let (status, created) =
        post(&cloud, "/issue", issue("Impossible travel: john", "mcas-5f06", adf("Details"))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["key"], "SEC-1");
    assert!(
        created["self"].as_str().unwrap().ends_with(&format!("/issue/{}", created["id"].as_str().unwrap()))
    );

    let mut cases: Vec<(Value, &str)> = vec![
        (issue("x", "l", json!("plain text on Cloud")), "description"),
        (
            issue(
                "x",
                "l",
                json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": ""}]}]}),
            ),
            "description",
        ),
        (
            issue("x", "l", json!({"type": "doc", "version": 1, "content": [{"type": "blink"}]})),
            "description",
        ),
        (issue("two\nlines", "l", Value::Null), "summary"),
        (issue(&"a".repeat(256), "l", Value::Null), "summary"),
        (issue("   ", "l", Value::Null), "summary"),
        (issue("x", "has space", Value::Null), "labels"),
        (issue("x", "l", adf(&"a".repeat(32_768))), "description"),
    ];
    let mut unknown = issue("x", "l", Value::Null);
    unknown["fields"]["reporter"] = json!({"name": "bob"});
    cases.push((unknown, "reporter"));
    let mut bad_type = issue("x", "l", Value::Null);
    bad_type["fields"]["issuetype"] = json!({"name": "Epic"});
    cases.push((bad_type, "issuetype"));
    let mut bad_priority = issue("x", "l", Value::Null);
    bad_priority["fields"]["priority"] = json!({"name": "Urgent"});
    cases.push((bad_priority, "priority"));
    let mut bad_url = issue("x", "l", Value::Null);
    bad_url["fields"]["customfield_10109"] = json!("javascript:alert(1)");
    cases.push((bad_url, "customfield_10109"));
    let mut textarea_string = issue("x", "l", Value::Null);
    textarea_string["fields"]["customfield_10108"] = json!("on Cloud a textarea takes ADF");
    cases.push((textarea_string, "customfield_10108"));
    let mut other_project = issue("x", "l", Value::Null);
    other_project["fields"]["project"] = json!({"key": "OPS"});
    cases.push((other_project, "project"));
    for (body, field) in cases {
        let (status, answer) = post(&cloud, "/issue", body).await;
        assert_eq!(status, 400, "{field}: {answer}");
        assert!(answer["errors"][field].is_string(), "{field}: {answer}");
        assert!(answer["errorMessages"].is_array());
    }
    assert_eq!(cloud.issue_count(), 1);

    let server = start(Deployment::Server).await;
    let (status, _) = post(&server, "/issue", issue("x", "l", adf("ADF on Server"))).await;
    assert_eq!(status, 400);
    let mut wiki = issue("x", "l", json!("h2. Wiki\n{noformat}text{noformat}"));
    wiki["fields"]["customfield_10108"] = json!("score 100");
    assert_eq!(post(&server, "/issue", wiki).await.0, 201);
}

/// What a project's configuration refuses, with Jira's own messages: a component not in the
/// project, a priority outside its scheme, a field off the create screen (of every issue type or
/// of one), a summary over 255 UTF-16 code units, an unknown project or issue type, a value
/// refused for some issues only. The create metadata says what is allowed.
#[tokio::test]
async fn create_refuses_what_the_project_does_not_allow() {
    let fake = FakeJira::start(FakeJiraOptions {
        user: USER.into(),
        token: TOKEN.into(),
        allowed_priorities: Some(vec!["High".into(), "Medium".into()]),
        off_screen: [
            (ALL_ISSUE_TYPES.to_owned(), vec!["customfield_10110".to_owned()]),
            ("Bug".to_owned(), vec!["customfield_10109".to_owned(), "labels".to_owned()]),
        ]
        .into(),
        refuse_values: vec![ValueRefusal::new(
            "customfield_10107",
            "mallory",
            "User 'mallory' does not exist.",
        )],
        ..FakeJiraOptions::default()
    })
    .await
    .unwrap();
    let refused = |field: &str, mutate: &dyn Fn(&mut Value)| {
        let mut body = issue("Impossible travel", "mcas-1", Value::Null);
        mutate(&mut body);
        (field.to_owned(), body)
    };
    let cases = [
        (
            refused("components", &|b| b["fields"]["components"] = json!([{"name": "SOC"}])),
            "Component name 'SOC' is not valid",
        ),
        (
            refused("priority", &|b| b["fields"]["priority"] = json!({"name": "Highest"})),
            "The priority selected is invalid.",
        ),
        (
            refused("priority", &|b| b["fields"]["priority"] = json!({"name": "Urgent"})),
            "Specify a valid 'id' or 'name' for Priority",
        ),
        (
            refused("customfield_10110", &|b| b["fields"]["customfield_10110"] = json!("contoso")),
            "Field 'customfield_10110' cannot be set. It is not on the appropriate screen, or unknown.",
        ),
        (
            refused("customfield_10109", &|b| b["fields"]["issuetype"] = json!({"name": "Bug"})),
            "Field 'customfield_10109' cannot be set. It is not on the appropriate screen, or unknown.",
        ),
        (
            refused("summary", &|b| b["fields"]["summary"] = json!("🚨".repeat(128))),
            "Summary must be less than 255 characters.",
        ),
        (
            refused("project", &|b| b["fields"]["project"] = json!({"key": "OPS"})),
            "valid project is required",
        ),
        (
            refused("issuetype", &|b| b["fields"]["issuetype"] = json!({"name": "Incident"})),
            "valid issue type is required",
        ),
        (
            refused("customfield_10107", &|b| {
                b["fields"]["customfield_10107"] = json!("mallory@example.com")
            }),
            "User 'mallory' does not exist.",
        ),
    ];
    for ((field, body), message) in cases {
        let (status, answer) = post(&fake, "/issue", body).await;
        assert_eq!(status, 400, "{field}: {answer}");
        assert_eq!(answer["errors"][&field], message, "{answer}");
    }
    // Bug's screen lacks the labels too, whether set or added.
    let mut bug = issue("x", "mcas-1", Value::Null);
    bug["fields"]["issuetype"] = json!({"name": "Bug"});
    bug["fields"].as_object_mut().unwrap().remove("customfield_10109");
    assert_eq!(
        post(&fake, "/issue", bug.clone()).await.1["errors"]["labels"]
            .as_str()
            .map(|m| m.contains("cannot be set")),
        Some(true)
    );
    bug["fields"].as_object_mut().unwrap().remove("labels");
    bug["update"] = json!({"labels": [{"add": "mcas-1"}]});
    assert!(post(&fake, "/issue", bug.clone()).await.1["errors"]["labels"].is_string());
    bug.as_object_mut().unwrap().remove("update");
    assert_eq!(post(&fake, "/issue", bug).await.0, 201);
    // 127 emoji and one letter: 255 units, accepted.
    let mut fits = issue("x", "mcas-2", Value::Null);
    fits["fields"]["summary"] = json!(format!("{}x", "🚨".repeat(127)));
    assert_eq!(post(&fake, "/issue", fits).await.0, 201);
    assert_eq!(fake.issue_count(), 2);

    // The create metadata: the scheme's priorities, the project's components, the screen's fields.
    let (_, task) = get(&fake, "/issue/createmeta/SEC/issuetypes/10001").await;
    let field = |meta: &Value, id: &str| {
        meta["fields"].as_array().unwrap().iter().find(|f| f["fieldId"] == id).cloned()
    };
    let names = |field: Option<Value>| -> Vec<String> {
        field.unwrap()["allowedValues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(field(&task, "priority")), ["High", "Medium"]);
    assert_eq!(names(field(&task, "components")), ["Identity", "Email", "Endpoint"]);
    assert!(field(&task, "customfield_10109").is_some());
    assert!(field(&task, "customfield_10110").is_none());
    let (_, bug) = get(&fake, "/issue/createmeta/SEC/issuetypes/10002").await;
    assert!(field(&bug, "customfield_10109").is_none() && field(&bug, "labels").is_none());
    assert!(field(&bug, "summary").is_some());
}

#[tokio::test]
async fn bulk_create_reports_partial_failure_with_201() {
    let fake = start(Deployment::Cloud).await;
    let good = |n: u32| issue(&format!("alert {n}"), &format!("mcas-{n}"), adf("d"));
    let (status, answer) = post(
        &fake,
        "/issue/bulk",
        json!({"issueUpdates": [good(1), issue("bad\nsummary", "x", Value::Null), good(3)]}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(answer["issues"].as_array().unwrap().len(), 2);
    assert_eq!(answer["errors"][0]["failedElementNumber"], 1);
    assert_eq!(answer["errors"][0]["status"], 400);
    assert!(answer["errors"][0]["elementErrors"]["errors"]["summary"].is_string());
    let (status, answer) =
        post(&fake, "/issue/bulk", json!({"issueUpdates": [issue("", "x", Value::Null)]})).await;
    assert_eq!((status, answer["issues"].as_array().map(Vec::len)), (400, Some(0)));
    let too_many: Vec<Value> = (0..51).map(good).collect();
    assert_eq!(post(&fake, "/issue/bulk", json!({"issueUpdates": too_many})).await.0, 400);
    let fifty: Vec<Value> = (100..150).map(good).collect();
    assert_eq!(post(&fake, "/issue/bulk", json!({"issueUpdates": fifty})).await.0, 201);
    assert_eq!(fake.issue_count(), 52);
    assert_eq!(fake.count_with_label("mcas"), 52);
    assert_eq!(fake.count_with_label("mcas-3"), 1);
}

#[tokio::test]
async fn cloud_search_jql_pages_with_tokens_and_the_old_search_is_gone() {
    let fake = start(Deployment::Cloud).await;
    for n in 0..7 {
        assert_eq!(
            post(&fake, "/issue", issue(&format!("alert {n}"), &format!("mcas-{n}"), Value::Null)).await.0,
            201
        );
    }
    let jql = r#"project = SEC AND labels in ("mcas-1", "mcas-3", "mcas-5", "mcas-6") ORDER BY key ASC"#;
    let (status, first) = post(&fake, "/search/jql", json!({"jql": jql, "maxResults": 3})).await;
    assert_eq!(status, 200, "{first}");
    // The default is only the id.
    assert_eq!(first["issues"][0], json!({"id": "10002"}));
    assert_eq!(first["isLast"], false);
    let token = first["nextPageToken"].as_str().unwrap();
    let (_, second) = post(
        &fake,
        "/search/jql",
        json!({"jql": jql, "maxResults": 3, "nextPageToken": token, "fields": ["labels", "status"]}),
    )
    .await;
    assert_eq!(second["isLast"], true);
    assert!(second.get("nextPageToken").is_none());
    assert_eq!(second["issues"][0]["key"], "SEC-7");
    assert_eq!(second["issues"][0]["fields"]["labels"], json!(["mcas", "mcas-6"]));
    assert_eq!(second["issues"][0]["fields"]["status"]["statusCategory"]["key"], "new");
    let (status, _) = post(&fake, "/search/jql", json!({"jql": "labels = x", "nextPageToken": token})).await;
    assert_eq!(status, 400);
    let (status, by_get) = get(&fake, "/search/jql?jql=labels%20%3D%20mcas-2&fields=key,summary").await;
    assert_eq!((status, by_get["issues"][0]["fields"]["summary"].as_str()), (200, Some("alert 2")));
    assert_eq!(post(&fake, "/search/jql", json!({"jql": "ORDER BY key"})).await.0, 400);
    let (_, count) = post(&fake, "/search/approximate-count", json!({"jql": "labels = mcas"})).await;
    assert_eq!(count["count"], 7);

    let (status, gone) = get(&fake, "/search?jql=project%3DSEC").await;
    assert_eq!((status, gone["errorMessages"].is_array()), (410, true));
    let v2 = http()
        .post(format!("{}/rest/api/2/search", fake.url()))
        .basic_auth(USER, Some(TOKEN))
        .json(&json!({"jql": "project = SEC"}))
        .send()
        .await
        .unwrap();
    assert_eq!(v2.status().as_u16(), 410);
    assert_eq!(fake.stats().get(route::SEARCH_REMOVED), 2);
}

#[tokio::test]
async fn server_search_pages_with_start_at() {
    let fake = start(Deployment::Server).await;
    for n in 0..5 {
        assert_eq!(post(&fake, "/issue", issue(&format!("alert {n}"), "batch", json!("text"))).await.0, 201);
    }
    let (status, page) = post(
        &fake,
        "/search",
        json!({"jql": "labels = batch ORDER BY created ASC", "startAt": 3, "maxResults": 2}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!((page["total"].as_u64(), page["startAt"].as_u64()), (Some(5), Some(3)));
    let keys: Vec<&str> =
        page["issues"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["SEC-4", "SEC-5"]);
    assert_eq!(page["issues"][0]["fields"]["description"], "text");
    let (_, count) =
        post(&fake, "/search", json!({"jql": "project = SEC", "maxResults": 0, "fields": ["id"]})).await;
    assert_eq!((count["total"].as_u64(), count["issues"].as_array().map(Vec::len)), (Some(5), Some(0)));
    let (status, error) = post(&fake, "/search", json!({"jql": "project = NOPE"})).await;
    assert_eq!((status, error["errorMessages"][0].as_str().unwrap().contains("NOPE")), (400, true));
}

#[tokio::test]
async fn hostile_jql_is_a_400_never_a_crash() {
    let fake = start(Deployment::Cloud).await;
    post(&fake, "/issue", issue("one", "mcas-1", Value::Null)).await;
    let long_list =
        format!("labels in ({})", (0..5000).map(|i| format!("\"l{i}\"")).collect::<Vec<_>>().join(","));
    let deep = format!("{}labels = x{}", "(".repeat(10_000), ")".repeat(10_000));
    let hostile = [
        "labels = \"",
        "labels = \"\\",
        "labels = \"\\u",
        "labels = \"\\uZZZZ\"",
        "labels = \"\\ud83d\\u0041\"",
        "labels in (",
        "labels in (,)",
        "labels = x AND",
        "AND",
        "labels = x OR 1=1",
        "labels = x; DROP TABLE issues",
        "summary ~ \"*\"",
        "labels = 'x",
        "labels = é AND key = ÉÉ-1",
        "key = SEC-99999999999999999999999",
        "statusCategory = \"\u{202e}Done\"",
        "\u{0}\u{1}\u{7f}",
        "labels = x ORDER BY",
        "labels = x ORDER BY created SIDEWAYS",
        "project = SEC AND (labels = a)",
        deep.as_str(),
    ];
    for jql in hostile {
        let (status, answer) = post(&fake, "/search/jql", json!({"jql": jql})).await;
        assert_eq!(status, 400, "{jql:.60}: {answer}");
        assert!(answer["errorMessages"][0].is_string(), "{jql:.60}");
    }
    // Odd but valid input is answered.
    for jql in [
        long_list.as_str(),
        "labels = \"\\\"quoted\\\\\" AND labels = mcas-1",
        "LABELS IN (mcas-1) and STATUSCATEGORY != done",
    ] {
        let (status, answer) = post(&fake, "/search/jql", json!({"jql": jql})).await;
        assert_eq!(status, 200, "{jql:.60}: {answer}");
    }
    assert_eq!(get(&fake, "/myself").await.0, 200);
}

#[tokio::test]
async fn workflow_edit_comments_and_helpers() {
    let fake = start(Deployment::Cloud).await;
    post(&fake, "/issue", issue("one", "mcas-1", adf("d"))).await;
    let (_, transitions) = get(&fake, "/issue/SEC-1/transitions").await;
    let names: Vec<&str> =
        transitions["transitions"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Start", "Done"]);
    assert_eq!(post(&fake, "/issue/SEC-1/transitions", json!({"transition": {"id": "11"}})).await.0, 204);
    assert_eq!(post(&fake, "/issue/SEC-1/transitions", json!({"transition": {"id": "11"}})).await.0, 400);
    let done = json!({"transition": {"id": "31"}, "fields": {"resolution": {"name": "Won't Do"}}});
    assert_eq!(post(&fake, "/issue/SEC-1/transitions", done).await.0, 204);
    let snapshot = fake.issue("SEC-1").unwrap();
    assert_eq!(
        (snapshot.status_category, snapshot.resolution.as_deref()),
        (StatusCategory::Done, Some("Won't Do"))
    );
    let (_, found) = post(
        &fake,
        "/search/jql",
        json!({"jql": "statusCategory = Done", "fields": ["resolution", "resolutiondate"]}),
    )
    .await;
    assert_eq!(found["issues"][0]["fields"]["resolution"]["name"], "Won't Do");
    assert!(found["issues"][0]["fields"]["resolutiondate"].is_string());

    let edit = json!({"update": {"labels": [{"add": "triaged"}, {"remove": "mcas"}]}, "fields": {"priority": {"name": "Low"}}});
    assert_eq!(call(&fake, reqwest::Method::PUT, "/issue/SEC-1", Some(edit)).await.0, 204);
    assert_eq!((fake.count_with_label("triaged"), fake.count_with_label("mcas")), (1, 0));
    let bad_edit = json!({"fields": {"summary": "a\nb"}});
    assert_eq!(call(&fake, reqwest::Method::PUT, "/issue/SEC-1", Some(bad_edit)).await.0, 400);

    let (status, comment) = post(&fake, "/issue/SEC-1/comment", json!({"body": adf("Seen again")})).await;
    assert_eq!((status, comment["id"].is_string()), (201, true));
    assert_eq!(post(&fake, "/issue/SEC-1/comment", json!({"body": "not ADF"})).await.0, 400);
    assert_eq!(fake.comments("SEC-1").len(), 1);
    let (_, full) = get(&fake, "/issue/SEC-1").await;
    assert_eq!(full["fields"]["comment"]["total"], 1);
    assert_eq!(full["fields"]["priority"]["name"], "Low");
    assert_eq!(get(&fake, "/issue/SEC-404").await.0, 404);

    post(&fake, "/issue", issue("two", "mcas-2", Value::Null)).await;
    assert!(fake.resolve("SEC-2", "Duplicate"));
    assert!(!fake.resolve("SEC-3", "Done"));
    assert_eq!(fake.issues().iter().filter(|i| i.status_category == StatusCategory::Done).count(), 2);
}

#[tokio::test]
async fn content_can_be_dropped_for_memory_benchmarks() {
    let fake = FakeJira::start(FakeJiraOptions {
        user: USER.into(),
        token: TOKEN.into(),
        keep_content: false,
        ..FakeJiraOptions::default()
    })
    .await
    .unwrap();
    assert_eq!(post(&fake, "/issue", issue("one", "mcas-1", adf("a long description"))).await.0, 201);
    let snapshot = fake.issue("SEC-1").unwrap();
    assert_eq!((snapshot.description, snapshot.custom_fields.len(), snapshot.labels.len()), (None, 0, 2));
}
