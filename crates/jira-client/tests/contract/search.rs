//! Search on `/rest/api/3/search/jql`, both pages and the stream, and the approximate count.

use futures_util::TryStreamExt;
use jira_client::{PageCursor, SearchQuery};

use crate::{jira, valid};

fn query() -> SearchQuery {
    SearchQuery::new(jira_client::jql::labels_in(&["mcas-5f0c1e2d3a4b5c6d7e8f9a0b"]))
        .fields(["summary", "labels", "status", "customfield_10109"])
        .max_results(50)
        .reconcile_issues(["10001", "10002"])
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn first_page() {
    let page = valid("search page", jira().await.search_page(&query(), None).await);
    assert_eq!(page.issues[0].key.as_str(), "ED-1");
    assert!(page.next.is_none(), "the example is the last page");
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn next_page() {
    let cursor = PageCursor::token("CAEaAggD");
    let page = valid("search next page", jira().await.search_page(&query(), Some(cursor)).await);
    assert!(!page.issues.is_empty());
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn stream_with_default_fields() {
    let jira = jira().await;
    let issues: Vec<_> =
        valid("search stream", jira.search(SearchQuery::new("project = SEC")).try_collect().await);
    assert_eq!(issues.len(), 1);
}

#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn approximate_count() {
    let count = valid("approximate count", jira().await.approximate_count("project = SEC").await);
    assert_eq!(count, 153);
}
