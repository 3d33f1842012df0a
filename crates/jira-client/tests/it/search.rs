//! Search paging on both deployments, the guards against paging that makes no progress, and
//! the approximate count.

use futures_util::TryStreamExt;
use jira_client::{DEFAULT_SEARCH_FIELDS, Error, Issue, SearchQuery};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer};

use crate::support::{self, BASIC, BEARER, catch_all, fixture, json};

const JQL: &str = r#"project = "SEC" AND labels in ("mcas")"#;

async fn collect(jira: &jira_client::Client, query: SearchQuery) -> Result<Vec<Issue>, Error> {
    jira.search(query).try_collect().await
}

fn keys(issues: &[Issue]) -> Vec<&str> {
    issues.iter().map(|i| i.key.as_str()).collect()
}

#[tokio::test]
async fn cloud_pages_by_token_on_search_jql() {
    let server = MockServer::start().await;
    let fields = json!(["summary", "labels", "customfield_10109"]);
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(header("authorization", BASIC))
        .and(body_json(json!({
            "jql": JQL, "fields": fields, "maxResults": 2, "reconcileIssues": [10001, 10002]
        })))
        .respond_with(json(200, fixture("cloud_search_page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(header("authorization", BASIC))
        .and(body_json(json!({
            "jql": JQL, "fields": fields, "maxResults": 2, "nextPageToken": "CAEaAggD",
            "reconcileIssues": [10001, 10002]
        })))
        .respond_with(json(200, fixture("cloud_search_page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let query = SearchQuery::new(JQL)
        .fields(["summary", "labels", "customfield_10109"])
        .max_results(2)
        .reconcile_issues(["10001", "10002"]);
    let issues = collect(&support::cloud(&server), query).await.unwrap();
    assert_eq!(keys(&issues), ["SEC-1", "SEC-2", "SEC-3"]);
    let first = &issues[0].fields;
    assert_eq!(first.labels, ["mcas", "mcas-5f0c1e2d3a4b5c6d7e8f9a0b"]);
    assert_eq!(first.status.as_ref().unwrap().status_category.as_ref().unwrap().key, "new");
    assert_eq!(first.created, Some("2024-05-02T09:15:27.123Z".parse().unwrap()));
    assert_eq!(
        first.other["customfield_10109"],
        "https://contoso.us3.portal.cloudappsecurity.com/#/alerts/5f0c1e2d3a4b5c6d7e8f9a0b"
    );
    // `labels: null` and epoch-millisecond timestamps are tolerated.
    assert!(issues[2].fields.labels.is_empty());
    assert_eq!(issues[2].fields.created, Some("2024-05-02T08:55:27Z".parse().unwrap()));
}

#[tokio::test]
async fn the_default_fields_are_the_typed_ones() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(body_json(json!({ "jql": JQL, "fields": DEFAULT_SEARCH_FIELDS })))
        .respond_with(json(200, fixture("cloud_search_page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let page = support::cloud(&server).search_page(&SearchQuery::new(JQL), None).await.unwrap();
    assert_eq!(keys(&page.issues), ["SEC-3"]);
    assert!(page.next.is_none());
}

#[tokio::test]
async fn server_pages_by_start_at_until_total() {
    let server = MockServer::start().await;
    for (start_at, page) in [(0, "server_search_page1.json"), (2, "server_search_page2.json")] {
        Mock::given(method("POST"))
            .and(path("/jira/rest/api/2/search"))
            .and(header("authorization", BEARER))
            .and(body_json(json!({
                "jql": JQL, "startAt": start_at, "maxResults": 2, "fields": DEFAULT_SEARCH_FIELDS
            })))
            .respond_with(json(200, fixture(page)))
            // The first page is read twice: once alone, once by the stream.
            .expect(if start_at == 0 { 2 } else { 1 })
            .mount(&server)
            .await;
    }
    catch_all(&server).await;
    // reconcileIssues is a Cloud feature: it is not sent to Server/Data Center.
    let query = SearchQuery::new(JQL).max_results(2).reconcile_issues(["20001"]);
    let jira = support::server(&server);
    let first = jira.search_page(&query, None).await.unwrap();
    assert_eq!(first.total, Some(3));
    let issues = collect(&jira, query).await.unwrap();
    assert_eq!(keys(&issues), ["SOC-101", "SOC-102", "SOC-103"]);
    assert_eq!(issues[1].fields.resolution.as_ref().unwrap().name, "Fixed");
    assert_eq!(issues[0].fields.created, Some("2024-05-02T09:15:27.123Z".parse().unwrap()));
}

#[tokio::test]
async fn an_empty_page_that_claims_more_stops_the_search() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .respond_with(json(200, json!({ "issues": [], "nextPageToken": "more", "isLast": false })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = collect(&support::cloud(&server), SearchQuery::new(JQL)).await.unwrap_err();
    assert!(matches!(err, Error::Paging { .. }), "{err:?}");
}

#[tokio::test]
async fn a_server_page_short_of_total_but_empty_stops_the_search() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/jira/rest/api/2/search"))
        .respond_with(json(200, json!({ "startAt": 0, "maxResults": 50, "total": 9, "issues": [] })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = collect(&support::server(&server), SearchQuery::new(JQL)).await.unwrap_err();
    assert!(matches!(err, Error::Paging { .. }), "{err:?}");
}

#[tokio::test]
async fn a_repeated_token_stops_the_search() {
    let server = MockServer::start().await;
    let page = |token: &str| {
        let mut page = fixture("cloud_search_page2.json");
        page["isLast"] = json!(false);
        page["nextPageToken"] = json!(token);
        page
    };
    let fields = DEFAULT_SEARCH_FIELDS;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(body_json(json!({ "jql": JQL, "fields": fields })))
        .respond_with(json(200, page("A")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(body_json(json!({ "jql": JQL, "fields": fields, "nextPageToken": "A" })))
        .respond_with(json(200, page("B")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(body_json(json!({ "jql": JQL, "fields": fields, "nextPageToken": "B" })))
        .respond_with(json(200, page("A")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let jira = support::cloud(&server);
    let mut stream = std::pin::pin!(jira.search(SearchQuery::new(JQL)));
    let mut seen = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => seen += 1,
            Ok(None) => panic!("the search should not end normally"),
            Err(err) => break err,
        }
    };
    assert_eq!(seen, 2, "the issues before the loop are delivered");
    assert!(matches!(err, Error::Paging { .. }), "{err:?}");
    assert!(stream.try_next().await.unwrap().is_none(), "the stream ends after its error");
}

#[tokio::test]
async fn too_many_reconcile_ids_are_refused() {
    let server = MockServer::start().await;
    catch_all(&server).await;
    let ids: Vec<String> = (0..51).map(|n| n.to_string()).collect();
    let query = SearchQuery::new(JQL).reconcile_issues(ids);
    let err = support::cloud(&server).search_page(&query, None).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    let query = SearchQuery::new(JQL).reconcile_issues(["SEC-1"]);
    let err = support::cloud(&server).search_page(&query, None).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

#[tokio::test]
async fn approximate_count_on_both_deployments() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/approximate-count"))
        .and(header("authorization", BASIC))
        .and(body_json(json!({ "jql": JQL })))
        .respond_with(json(200, json!({ "count": 153 })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/jira/rest/api/2/search"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({ "jql": JQL, "startAt": 0, "maxResults": 0, "fields": ["id"] })))
        .respond_with(json(200, json!({ "startAt": 0, "maxResults": 0, "total": 42, "issues": [] })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    assert_eq!(support::cloud(&server).approximate_count(JQL).await.unwrap(), 153);
    assert_eq!(support::server(&server).approximate_count(JQL).await.unwrap(), 42);
}
