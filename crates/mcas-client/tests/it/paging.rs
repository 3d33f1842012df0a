//! Paging: the three-page walk with exact requests, alerts arriving mid-walk, many alerts in one
//! millisecond, and servers whose pages stop making sense.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::{StreamExt, TryStreamExt};
use mcas_client::{Alert, AlertQuery, Error, RetryPolicy, Timestamp};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{TOKEN_HEADER, alert_json, builder, client, ids, mount_catch_all, page_json};

async fn collect(client: &mcas_client::Client, query: AlertQuery) -> Vec<Alert> {
    let pages: Vec<_> = client.alert_pages(query).try_collect().await.unwrap();
    pages.into_iter().flat_map(|page| page.alerts).collect()
}

#[tokio::test]
async fn three_page_walk_sends_exact_requests() {
    let server = MockServer::start().await;
    let from = 1_714_521_600_000_i64;
    let to = 1_714_608_000_000_i64;
    let query = AlertQuery::default()
        .date_from(Timestamp::from_millisecond(from).unwrap())
        .date_to(Timestamp::from_millisecond(to).unwrap())
        .open_only(true)
        .page_size(2);
    // Page n starts at the newest timestamp of page n-1, so the alert at that millisecond comes
    // back and is dropped.
    let pages = [
        (from, vec![alert_json("a", from + 1), alert_json("b", from + 2)], true),
        (from + 2, vec![alert_json("b", from + 2), alert_json("c", from + 3)], true),
        (from + 3, vec![alert_json("c", from + 3), alert_json("d", from + 4)], false),
    ];
    for (gte, alerts, has_next) in pages {
        Mock::given(method("POST"))
            .and(path("/api/v1/alerts/"))
            .and(header("authorization", TOKEN_HEADER))
            .and(body_json(json!({
                "filters": {"date": {"gte": gte, "lte": to}, "alertOpen": {"eq": true}},
                "skip": 0,
                "limit": 2,
                "sortField": "date",
                "sortDirection": "asc",
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(page_json(alerts, has_next)))
            .expect(1)
            .mount(&server)
            .await;
    }
    mount_catch_all(&server).await;

    let alerts = collect(&client(&server), query).await;
    assert_eq!(ids(&alerts), ["a", "b", "c", "d"]);
}

/// A fake MCAS alert store that honours `date.gte`, `date.lte`, `skip` and `limit` the way the
/// real one does, and lets alerts arrive after each request.
struct FakeStore {
    alerts: Mutex<Vec<(i64, String)>>,
    /// Alerts that arrive after request n (index n).
    arrivals: Mutex<Vec<Vec<(i64, String)>>>,
    requests: AtomicUsize,
    /// The `date.lte` of every request.
    upper_bounds: Mutex<Vec<Option<i64>>>,
    /// Whether to honour the filters at all (a broken server does not).
    honour_filters: bool,
}

impl FakeStore {
    fn new(alerts: &[(i64, &str)], arrivals: Vec<Vec<(i64, &str)>>) -> Self {
        let own =
            |list: &[(i64, &str)]| list.iter().map(|(ts, id)| (*ts, (*id).to_owned())).collect::<Vec<_>>();
        FakeStore {
            alerts: Mutex::new(own(alerts)),
            arrivals: Mutex::new(arrivals.iter().map(|batch| own(batch)).collect()),
            requests: AtomicUsize::new(0),
            upper_bounds: Mutex::new(Vec::new()),
            honour_filters: true,
        }
    }
}

impl Respond for &'static FakeStore {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = request.body_json().unwrap();
        assert_eq!(body["sortField"], "date");
        assert_eq!(body["sortDirection"], "asc");
        let date = &body["filters"]["date"];
        let gte = date["gte"].as_i64().unwrap_or(i64::MIN);
        let lte = date["lte"].as_i64();
        self.upper_bounds.lock().unwrap().push(lte);
        let (skip, limit) = if self.honour_filters {
            (body["skip"].as_u64().unwrap() as usize, body["limit"].as_u64().unwrap() as usize)
        } else {
            (0, body["limit"].as_u64().unwrap() as usize)
        };
        let mut alerts = self.alerts.lock().unwrap();
        let mut matching: Vec<(i64, String)> = alerts
            .iter()
            .filter(|(ts, _)| !self.honour_filters || (*ts >= gte && lte.is_none_or(|lte| *ts <= lte)))
            .cloned()
            .collect();
        matching.sort();
        let page: Vec<Value> =
            matching.iter().skip(skip).take(limit).map(|(ts, id)| alert_json(id, *ts)).collect();
        let has_next = skip + limit < matching.len();
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        if let Some(batch) = self.arrivals.lock().unwrap().get(n) {
            alerts.extend(batch.iter().cloned());
        }
        ResponseTemplate::new(200).set_body_json(page_json(page, has_next))
    }
}

async fn serve(store: &'static FakeStore) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/alerts/"))
        .and(header("authorization", TOKEN_HEADER))
        .respond_with(store)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    server
}

#[tokio::test]
async fn alerts_arriving_mid_walk_are_neither_skipped_nor_repeated() {
    let future = Timestamp::now().as_millisecond() + 3_600_000;
    let store: &'static FakeStore = Box::leak(Box::new(FakeStore::new(
        &[(1000, "a1"), (2000, "a2"), (2000, "a3"), (3000, "a4"), (4000, "a5"), (5000, "a6"), (6000, "a7")],
        vec![
            // After page 1 (a1 a2 a3; the walk now stands at 2000): one at the boundary
            // millisecond, one ahead, one behind the walk, one after its window.
            vec![(2000, "n1"), (2500, "n2"), (500, "late1"), (future, "future")],
            // After page 2 (a2 a3 n1, all at 2000: the walk steps over them with skip).
            vec![(3500, "n3")],
            // After page 3 (n2 a4 n3; the walk stands at 3500): one more at 3500.
            vec![(3500, "z4")],
            // After page 4: one behind the walk.
            vec![(3000, "late2")],
        ],
    )));
    let server = serve(store).await;

    let alerts = collect(&client(&server), AlertQuery::default().page_size(3)).await;
    assert_eq!(ids(&alerts), ["a1", "a2", "a3", "n1", "n2", "a4", "n3", "z4", "a5", "a6", "a7"]);
    assert_eq!(store.requests.load(Ordering::SeqCst), 5);
    // The window's upper end was fixed at the start and never moved.
    let upper_bounds = store.upper_bounds.lock().unwrap();
    assert!(
        upper_bounds.iter().all(|bound| *bound == upper_bounds[0] && bound.is_some()),
        "{upper_bounds:?}"
    );
}

#[tokio::test]
async fn more_alerts_in_one_millisecond_than_a_page_holds() {
    let store: &'static FakeStore = Box::leak(Box::new(FakeStore::new(
        &[(7000, "e"), (7000, "a"), (7000, "c"), (7000, "b"), (7000, "d")],
        Vec::new(),
    )));
    let server = serve(store).await;

    let alerts = collect(&client(&server), AlertQuery::default().page_size(2)).await;
    assert_eq!(ids(&alerts), ["a", "b", "c", "d", "e"]);
    // a b | a b again (the keyset cannot move), then skip within the millisecond: c d | e.
    assert_eq!(store.requests.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_server_ignoring_the_filters_cannot_loop_the_walk() {
    let mut broken = FakeStore::new(&[(1000, "a"), (2000, "b"), (3000, "c")], Vec::new());
    broken.honour_filters = false;
    let store: &'static FakeStore = Box::leak(Box::new(broken));
    let server = serve(store).await;

    let results: Vec<_> = client(&server).alert_pages(AlertQuery::default().page_size(2)).collect().await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(ids(&results[0].as_ref().unwrap().alerts), ["a", "b"]);
    assert!(results[1].as_ref().unwrap().alerts.is_empty());
    assert!(matches!(results[2], Err(Error::Paging { .. })), "{:?}", results[2]);
    assert_eq!(store.requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_empty_page_with_has_next_ends_the_walk() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/alerts/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(Vec::new(), true)))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let pages: Vec<_> = client(&server).alert_pages(AlertQuery::default()).try_collect().await.unwrap();
    assert_eq!(pages.len(), 1);
    assert!(pages[0].is_empty());
}

#[tokio::test]
async fn alerts_stream_goes_on_after_a_malformed_alert_and_stops_at_an_http_error() {
    let server = MockServer::start().await;
    let bad = json!({"_id": "bad", "timestamp": "not a time", "title": "broken"});
    Mock::given(method("POST"))
        .and(path("/api/v1/alerts/"))
        .and(body_json(
            AlertQuery::default().date_to(Timestamp::from_millisecond(9000).unwrap()).request_body(0),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page_json(vec![alert_json("a", 1000), bad, alert_json("b", 2000)], true)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/alerts/"))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .expect(1)
        .mount(&server)
        .await;

    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let query = AlertQuery::default().date_to(Timestamp::from_millisecond(9000).unwrap());
    let results: Vec<_> = client.alerts(query).collect().await;
    assert_eq!(results.len(), 4, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().id.as_str(), "a");
    assert_eq!(results[1].as_ref().unwrap().id.as_str(), "b");
    assert!(
        matches!(&results[2], Err(Error::MalformedAlert { id: Some(id), .. }) if id == "bad"),
        "{:?}",
        results[2]
    );
    assert!(
        matches!(&results[3], Err(Error::Status { status, .. }) if status.as_u16() == 500),
        "{:?}",
        results[3]
    );
}
