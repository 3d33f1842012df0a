use std::net::IpAddr;

use abuseipdb_client::{Category, Error, ReportsParams};
use futures_util::TryStreamExt;

use crate::{api, client, json, server};

fn ip() -> IpAddr {
    "180.126.219.126".parse().unwrap()
}

#[tokio::test]
async fn one_page_is_fetched_with_its_parameters() {
    let server = server().await;
    api("GET", "reports", "ipAddress=180.126.219.126&maxAgeInDays=30&page=1&perPage=2")
        .respond_with(json(200, "reports_page1.json").insert_header("X-RateLimit-Remaining", "41"))
        .expect(1)
        .mount(&server)
        .await;

    let params = ReportsParams::default().max_age_days(30).page(1).per_page(2);
    let answer = client(&server).reports(ip(), &params).await.unwrap();

    assert_eq!(answer.rate_limit.remaining, Some(41));
    let page = answer.data;
    assert_eq!(
        (page.total, page.page, page.count, page.per_page, page.last_page),
        (Some(3), Some(1), Some(2), Some(2), Some(2))
    );
    assert!(page.has_next());
    assert!(page.next_page_url.unwrap().ends_with("&page=2"));
    assert_eq!(page.previous_page_url, None);
    assert_eq!(page.results.len(), 2);
    assert_eq!(page.results[1].categories, [Category::BruteForce, Category::ExploitedHost]);
}

#[tokio::test]
async fn stream_walks_every_page_and_stops_after_the_last() {
    let server = server().await;
    api("GET", "reports", "ipAddress=180.126.219.126&page=1&perPage=2")
        .respond_with(json(200, "reports_page1.json"))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "reports", "ipAddress=180.126.219.126&page=2&perPage=2")
        .respond_with(json(200, "reports_page2.json"))
        .expect(1)
        .mount(&server)
        .await;

    let reports: Vec<_> = client(&server)
        .reports_stream(ip(), &ReportsParams::default().per_page(2))
        .try_collect()
        .await
        .unwrap();

    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0].comment.as_deref(), Some("ssh"));
    // Page 2 has a category as a string and one this version does not know.
    assert_eq!(reports[2].categories, [Category::BruteForce, Category::Ssh, Category::Other(99)]);
}

#[tokio::test]
async fn stream_stops_on_an_empty_page() {
    let server = server().await;
    api("GET", "reports", "ipAddress=180.126.219.126&page=1")
        .respond_with(json(200, "reports_empty.json"))
        .expect(1)
        .mount(&server)
        .await;

    let reports: Vec<_> =
        client(&server).reports_stream(ip(), &ReportsParams::default()).try_collect().await.unwrap();

    assert!(reports.is_empty());
}

#[tokio::test]
async fn stream_stops_when_the_service_answers_another_page_than_asked() {
    let server = server().await;
    // Asked for page 3, the service clamps to its last page, page 2: the stream must not yield
    // page 2 again and again.
    api("GET", "reports", "ipAddress=180.126.219.126&page=3&perPage=2")
        .respond_with(json(200, "reports_page2.json"))
        .expect(1)
        .mount(&server)
        .await;

    let reports: Vec<_> = client(&server)
        .reports_stream(ip(), &ReportsParams::default().page(3).per_page(2))
        .try_collect()
        .await
        .unwrap();

    assert!(reports.is_empty());
}

#[tokio::test]
async fn stream_yields_the_error_of_a_failed_page_then_ends() {
    let server = server().await;
    api("GET", "reports", "ipAddress=180.126.219.126&page=1&perPage=2")
        .respond_with(json(200, "reports_page1.json"))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "reports", "ipAddress=180.126.219.126&page=2&perPage=2")
        .respond_with(json(401, "error_401.json"))
        .expect(1)
        .mount(&server)
        .await;

    let stream = client(&server).reports_stream(ip(), &ReportsParams::default().per_page(2));
    let items: Vec<_> = futures_util::StreamExt::collect(stream).await;

    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert!(matches!(items[2], Err(Error::Unauthorized { .. })), "{:?}", items[2]);
}

#[tokio::test]
async fn parameters_out_of_range_are_refused_before_sending() {
    #[track_caller]
    fn check(result: Result<abuseipdb_client::Rated<abuseipdb_client::ReportsPage>, Error>, name: &str) {
        match result {
            Err(Error::InvalidInput { parameter, .. }) => assert_eq!(parameter, name),
            other => panic!("expected invalid {name}, got {other:?}"),
        }
    }
    let server = server().await;
    let client = client(&server);
    check(client.reports(ip(), &ReportsParams::default().per_page(0)).await, "perPage");
    check(client.reports(ip(), &ReportsParams::default().per_page(101)).await, "perPage");
    check(client.reports(ip(), &ReportsParams::default().page(0)).await, "page");
    check(client.reports(ip(), &ReportsParams::default().max_age_days(366)).await, "maxAgeInDays");
    let streamed: Result<Vec<_>, _> =
        client.reports_stream(ip(), &ReportsParams::default().per_page(200)).try_collect().await;
    assert!(matches!(streamed, Err(Error::InvalidInput { parameter: "perPage", .. })));
}
