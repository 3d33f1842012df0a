//! The fake AbuseIPDB.

use std::net::IpAddr;

use mcas2jira_fakes::abuseipdb::{reputation, route};
use mcas2jira_fakes::{FakeAbuseIpdb, FakeAbuseIpdbOptions};
use serde_json::json;

use crate::{http, status_json};

const KEY: &str = "abuse-key";

async fn start(daily_quota: u32) -> FakeAbuseIpdb {
    FakeAbuseIpdb::start(FakeAbuseIpdbOptions {
        key: KEY.into(),
        daily_quota,
        ..FakeAbuseIpdbOptions::default()
    })
    .await
    .unwrap()
}

async fn check(fake: &FakeAbuseIpdb, query: &[(&str, &str)]) -> reqwest::Response {
    http()
        .get(format!("{}check", fake.api_url()))
        .header("Key", KEY)
        .header("Accept", "application/json")
        .query(query)
        .send()
        .await
        .unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[tokio::test]
async fn the_key_header_is_required() {
    let fake = start(1000).await;
    let response = http()
        .get(format!("{}check", fake.api_url()))
        .header("Key", "wrong")
        .header("Accept", "application/json")
        .query(&[("ipAddress", "8.8.8.8")])
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["status"], 401);
    assert!(body["errors"][0]["detail"].as_str().unwrap().starts_with("Authentication failed"));
    // Without `Accept: application/json` errors come back as HTML, as the real API does.
    let html = http()
        .get(format!("{}check", fake.api_url()))
        .query(&[("ipAddress", "8.8.8.8")])
        .send()
        .await
        .unwrap();
    assert_eq!(html.status().as_u16(), 401);
    assert!(html.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(fake.lookups(ip("8.8.8.8")), 2);
}

#[tokio::test]
async fn reputations_are_deterministic_and_shaped_like_the_real_ones() {
    let fake = start(1000).await;
    let response = check(&fake, &[("ipAddress", "185.220.101.34"), ("maxAgeInDays", "90")]).await;
    assert_eq!(response.headers()["x-ratelimit-limit"], "1000");
    assert_eq!(response.headers()["x-ratelimit-remaining"], "999");
    assert!(response.headers().contains_key("x-ratelimit-reset"));
    let (status, body) = status_json(response).await;
    assert_eq!(status, 200);
    let data = &body["data"];
    assert_eq!((data["isTor"].as_bool(), data["abuseConfidenceScore"].as_u64()), (Some(true), Some(100)));
    assert_eq!((data["isPublic"].as_bool(), data["ipVersion"].as_u64()), (Some(true), Some(4)));
    assert!(data.get("countryName").is_none() && data.get("reports").is_none());
    for field in [
        "ipAddress",
        "isWhitelisted",
        "countryCode",
        "usageType",
        "isp",
        "domain",
        "hostnames",
        "totalReports",
        "numDistinctUsers",
        "lastReportedAt",
    ] {
        assert!(data.get(field).is_some(), "{field} missing");
    }
    let again =
        status_json(check(&fake, &[("ipAddress", "185.220.101.34"), ("maxAgeInDays", "90")]).await).await.1;
    assert_eq!(again["data"]["abuseConfidenceScore"], data["abuseConfidenceScore"]);
    assert_eq!(again["data"]["isp"], data["isp"]);

    let (_, verbose) =
        status_json(check(&fake, &[("ipAddress", "2a01:4f8::1"), ("verbose", "")]).await).await;
    assert_eq!(verbose["data"]["ipVersion"], 6);
    assert!(verbose["data"]["countryName"].is_string());
    assert!(verbose["data"]["reports"].is_array());
    let (_, private) = status_json(check(&fake, &[("ipAddress", "10.1.2.3")]).await).await;
    assert_eq!(
        (private["data"]["isPublic"].as_bool(), private["data"]["abuseConfidenceScore"].as_u64()),
        (Some(false), Some(0))
    );
    // The free function gives what the server answers.
    assert_eq!(reputation(ip("10.1.2.3"), 30, false), private["data"]);
    assert_eq!(fake.lookups(ip("185.220.101.34")), 2);
    assert_eq!(fake.checks_today(), 4);
    assert_eq!(fake.stats().get(route::CHECK), 4);
}

#[tokio::test]
async fn invalid_parameters_get_422() {
    let fake = start(1000).await;
    for query in [
        vec![("ipAddress", "not-an-ip")],
        vec![("ipAddress", "")],
        vec![("maxAgeInDays", "30")],
        vec![("ipAddress", "8.8.8.8"), ("maxAgeInDays", "0")],
        vec![("ipAddress", "8.8.8.8"), ("maxAgeInDays", "366")],
        vec![("ipAddress", "8.8.8.8"), ("maxAgeInDays", "ninety")],
    ] {
        let (status, body) = status_json(check(&fake, &query).await).await;
        assert_eq!(status, 422, "{query:?}");
        assert_eq!(body["errors"][0]["status"], 422, "{query:?}");
        assert!(body["errors"][0]["source"]["parameter"].is_string(), "{query:?}");
    }
    assert_eq!(fake.checks_today(), 0);
}

#[tokio::test]
async fn the_daily_quota_ends_in_429_with_retry_after_in_hours() {
    let fake = start(2).await;
    for _ in 0..2 {
        assert_eq!(check(&fake, &[("ipAddress", "1.1.1.1")]).await.status().as_u16(), 200);
    }
    let response = check(&fake, &[("ipAddress", "1.1.1.1")]).await;
    assert_eq!(response.status().as_u16(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry_after));
    assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
    let (_, body) = status_json(response).await;
    assert_eq!(
        body["errors"][0]["detail"],
        "Daily rate limit of 2 requests exceeded for this endpoint. See headers for additional details."
    );
    fake.reset_quota();
    assert_eq!(check(&fake, &[("ipAddress", "1.1.1.1")]).await.status().as_u16(), 200);
    fake.set_daily_quota(1);
    assert_eq!(check(&fake, &[("ipAddress", "1.1.1.1")]).await.status().as_u16(), 429);
    assert_eq!(fake.lookups(ip("1.1.1.1")), 5);
}

#[tokio::test]
async fn presets_pin_a_reputation() {
    let fake = start(1000).await;
    let pinned = json!({"ipAddress": "8.8.8.8", "abuseConfidenceScore": 0, "isWhitelisted": true, "isp": "Google LLC"});
    fake.preset(ip("8.8.8.8"), pinned.clone());
    let (_, body) = status_json(check(&fake, &[("ipAddress", "8.8.8.8"), ("verbose", "true")]).await).await;
    assert_eq!(body["data"], pinned);
    assert_eq!(fake.all_lookups().len(), 1);
}
