//! Paging: exact requests, next links followed as they are while alerts arrive, and the guards
//! against repeated links, other hosts and pages that bring nothing new.

use std::sync::Mutex;

use futures_util::{StreamExt, TryStreamExt};
use graph_security_client::{
    Alert, AlertQuery, AlertStatus, Comparison, Error, Filter, ServiceSource, Timestamp,
};
use serde_json::Value;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{
    ALERTS_PATH, GraphHeaders, TAILSPIN, alert_json, client, ids, mount_catch_all, mount_token, page_json,
};

async fn collect(client: &graph_security_client::Client, query: AlertQuery) -> Vec<Alert> {
    let pages: Vec<_> = client.alert_pages(query).try_collect().await.unwrap();
    pages.into_iter().flat_map(|page| page.alerts).collect()
}

/// Matches the raw query string exactly, as encoded on the wire.
struct RawQuery(&'static str);

impl Match for RawQuery {
    fn matches(&self, request: &Request) -> bool {
        request.url.query() == Some(self.0)
    }
}

#[tokio::test]
async fn the_first_request_carries_the_filter_quoted_and_encoded() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    Mock::given(method("GET"))
        .and(path(ALERTS_PATH))
        .and(GraphHeaders("tok-1"))
        .and(query_param(
            "$filter",
            "serviceSource eq 'microsoftDefenderForCloudApps' and createdDateTime ge 2026-11-01T00:00:00Z \
             and assignedTo eq 'o''brien@tailspintoys.com'",
        ))
        .and(query_param("$top", "2"))
        .and(RawQuery(
            "%24filter=serviceSource+eq+%27microsoftDefenderForCloudApps%27+and+createdDateTime+ge+\
             2026-11-01T00%3A00%3A00Z+and+assignedTo+eq+%27o%27%27brien%40tailspintoys.com%27&%24top=2",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(vec![], None)))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let since: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
    let query = AlertQuery::default()
        .filter(
            Filter::service_source(ServiceSource::MicrosoftDefenderForCloudApps)
                .and(Filter::created(Comparison::Ge, since))
                .and(Filter::assigned_to("o'brien@tailspintoys.com")),
        )
        .top(2);
    assert!(collect(&client(&server), query).await.is_empty());
}

#[tokio::test]
async fn a_filter_that_does_not_check_sends_nothing() {
    let server = MockServer::start().await;
    mount_catch_all(&server).await;
    let query = AlertQuery::default().filter(Filter::status(AlertStatus::Other("new' or 1 eq 1".into())));
    let error = client(&server).alerts_page(&query).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    let error = client(&server).alerts_page(&AlertQuery::default().top(0)).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
}

/// A newest-first alert list paged by `$skip`, as Graph's next links do, where alerts can arrive
/// at the head between two requests.
struct NewestFirst {
    base: String,
    alerts: Mutex<Vec<Value>>,
    /// Alerts that arrive after request n (index n).
    arrivals: Mutex<Vec<Vec<Value>>>,
    requests: Mutex<Vec<String>>,
}

impl Respond for NewestFirst {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut requests = self.requests.lock().unwrap();
        requests.push(request.url.query().unwrap_or_default().to_owned());
        let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let top: usize = get("$top").and_then(|t| t.parse().ok()).unwrap_or(2);
        let skip: usize = get("$skip").and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut alerts = self.alerts.lock().unwrap();
        let page: Vec<Value> = alerts.iter().skip(skip).take(top).cloned().collect();
        let next = (skip + top < alerts.len())
            .then(|| format!("{}{ALERTS_PATH}?$top={top}&$skip={}", self.base, skip + top));
        // What arrives now is seen by the next request.
        let mut arrivals = self.arrivals.lock().unwrap();
        if let Some(batch) = arrivals.get_mut(requests.len() - 1) {
            for alert in batch.drain(..).rev() {
                alerts.insert(0, alert);
            }
        }
        ResponseTemplate::new(200).set_body_json(page_json(page, next))
    }
}

#[tokio::test]
async fn next_links_are_followed_as_they_are_and_arrivals_are_not_repeated() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    let at = |minute: u32| format!("2026-11-30T08:{minute:02}:00Z");
    // Newest first: e d c b a.
    let store = NewestFirst {
        base: server.uri(),
        alerts: Mutex::new(
            ["e", "d", "c", "b", "a"]
                .iter()
                .zip([5, 4, 3, 2, 1])
                .map(|(id, m)| alert_json(id, &at(m)))
                .collect(),
        ),
        // Two alerts arrive after the first page, one after the second: each pushes the alerts
        // already seen down, so the next pages start with repeats.
        arrivals: Mutex::new(vec![
            vec![alert_json("g", &at(7)), alert_json("f", &at(6))],
            vec![alert_json("h", &at(8))],
        ]),
        requests: Mutex::new(Vec::new()),
    };
    Mock::given(method("GET"))
        .and(path(ALERTS_PATH))
        .and(GraphHeaders("tok-1"))
        .respond_with(store)
        .expect(4)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let pages: Vec<_> =
        client(&server).alert_pages(AlertQuery::default().top(2)).try_collect().await.unwrap();
    let per_page: Vec<Vec<&str>> = pages.iter().map(|page| ids(&page.alerts)).collect();
    // Page 1: e d. Page 2 (skip 2 of g f e d c b a): e d again, both dropped. Page 3 (skip 4 of
    // h g f e d c b a): d c, d dropped. Page 4: b a, and no next link. The arrivals are ahead of
    // the first page: the next walk's.
    assert_eq!(per_page, [vec!["e", "d"], vec![], vec!["c"], vec!["b", "a"]]);
    let requests = server.received_requests().await.unwrap();
    let queries: Vec<&str> = requests
        .iter()
        .filter(|r| r.url.path() == ALERTS_PATH)
        .map(|r| r.url.query().unwrap_or(""))
        .collect();
    // The first request is built from the query; the others are the links, byte for byte.
    assert_eq!(queries, ["%24top=2", "$top=2&$skip=2", "$top=2&$skip=4", "$top=2&$skip=6"]);
}

#[tokio::test]
async fn a_repeated_next_link_ends_the_walk() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    let link = format!("{}{ALERTS_PATH}?$skiptoken=abc", server.uri());
    Mock::given(method("GET"))
        .and(path(ALERTS_PATH))
        .and(RawQuery("%24top=1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page_json(vec![alert_json("a", "2026-11-30T08:00:00Z")], Some(link.clone()))),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ALERTS_PATH))
        .and(RawQuery("$skiptoken=abc"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page_json(vec![alert_json("b", "2026-11-30T07:00:00Z")], Some(link))),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let results: Vec<_> = client(&server).alerts(AlertQuery::default().top(1)).collect().await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().id.as_str(), "a");
    assert_eq!(results[1].as_ref().unwrap().id.as_str(), "b");
    let Err(Error::Paging { reason }) = &results[2] else { panic!("{:?}", results[2]) };
    assert!(reason.contains("repeated a next link"), "{reason}");
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    mount_catch_all(&elsewhere).await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    Mock::given(method("GET"))
        .and(path(ALERTS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            vec![alert_json("a", "2026-11-30T08:00:00Z")],
            Some(format!("{}{ALERTS_PATH}?$skip=1", elsewhere.uri())),
        )))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let results: Vec<_> = client(&server).alert_pages(AlertQuery::default()).collect().await;
    assert_eq!(results.len(), 2);
    let Err(error @ Error::Paging { .. }) = &results[1] else { panic!("{:?}", results[1]) };
    assert!(
        error.to_string().contains("not followed, so that the access token is not sent there"),
        "{error}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    let error = client(&server).alerts_page_at("not a url").await.unwrap_err();
    assert!(matches!(error, Error::Paging { .. }), "{error:?}");
}

/// Always the same alerts, under a new link each time.
struct Stuck {
    base: String,
    calls: Mutex<u32>,
}

impl Respond for Stuck {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut calls = self.calls.lock().unwrap();
        *calls += 1;
        let link = format!("{}{ALERTS_PATH}?$skip={}", self.base, *calls);
        ResponseTemplate::new(200)
            .set_body_json(page_json(vec![alert_json("a", "2026-11-30T08:00:00Z")], Some(link)))
    }
}

#[tokio::test]
async fn pages_that_bring_nothing_new_end_the_walk() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    Mock::given(method("GET"))
        .and(path(ALERTS_PATH))
        .respond_with(Stuck { base: server.uri(), calls: Mutex::new(0) })
        .expect(4)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let results: Vec<_> = client(&server).alert_pages(AlertQuery::default()).collect().await;
    let idle = results.iter().filter(|r| matches!(r, Ok(page) if page.is_empty())).count();
    assert_eq!(idle, 2, "the third idle page ends the walk: {results:?}");
    let Some(Err(Error::Paging { reason })) = results.last() else { panic!("{results:?}") };
    assert_eq!(reason, "3 pages in a row brought no new alert");
}

#[tokio::test]
async fn a_malformed_alert_is_reported_and_the_walk_goes_on() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    let mut broken = alert_json("b", "yesterday");
    broken["title"] = Value::from("no usable creation time");
    Mock::given(method("GET"))
        .and(path(ALERTS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            vec![
                alert_json("a", "2026-11-30T08:00:00Z"),
                broken,
                serde_json::json!(["not an object"]),
                alert_json("c", "2026-11-30T07:00:00Z"),
            ],
            None,
        )))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let results: Vec<_> = client(&server).alerts(AlertQuery::default()).collect().await;
    let good: Vec<&str> = results.iter().filter_map(|r| r.as_ref().ok()).map(|a| a.id.as_str()).collect();
    assert_eq!(good, ["a", "c"]);
    let bad: Vec<Option<&str>> = results
        .iter()
        .filter_map(|r| match r {
            Err(Error::MalformedAlert { id, .. }) => Some(id.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(bad, [Some("b"), None]);
}
