//! The alert generators' invariants.

use std::collections::HashSet;
use std::net::IpAddr;

use jiff::Timestamp;
use mcas2jira_fakes::abuseipdb::is_public;
use mcas2jira_fakes::scenario::{BulkAlerts, bulk_alerts, demo_alerts, public_ip};
use serde_json::Value;

fn ips(alert: &Value) -> Vec<IpAddr> {
    alert["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "ip")
        .map(|e| e["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

fn is_object_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn demo_alerts_look_like_a_weekend() {
    let now: Timestamp = "2025-03-10T07:00:00Z".parse().unwrap();
    let mut all_ids = HashSet::new();
    for tenant in ["contoso", "fabrikam", "woodgrove"] {
        let alerts = demo_alerts(tenant, now);
        assert!((20..=40).contains(&alerts.len()), "{tenant}: {}", alerts.len());
        assert_eq!(alerts, demo_alerts(tenant, now), "deterministic");
        let stamps: Vec<i64> = alerts.iter().map(|a| a["timestamp"].as_i64().unwrap()).collect();
        assert!(stamps.windows(2).all(|w| w[0] <= w[1]));
        let window = now.as_millisecond() - 60 * 3_600_000..now.as_millisecond();
        assert!(stamps.iter().all(|t| window.contains(t)));
        for alert in &alerts {
            let id = alert["_id"].as_str().unwrap();
            assert!(is_object_id(id) && all_ids.insert(id.to_owned()), "{id}");
            assert!(alert["URL"].as_str().unwrap().ends_with(id));
            assert!((0..=3).contains(&alert["severityValue"].as_i64().unwrap()));
        }
        let titles: HashSet<&str> = alerts.iter().map(|a| a["title"].as_str().unwrap()).collect();
        for kind in [
            "Impossible travel activity",
            "Leaked credentials",
            "Suspicious inbox manipulation rule",
            "Activity from a Tor IP address",
        ] {
            assert!(titles.contains(kind), "{tenant}: {kind}");
        }
        assert!(titles.iter().any(|t| t.starts_with("Mass download")));
        let all_ips: Vec<IpAddr> = alerts.iter().flat_map(ips).collect();
        assert!(all_ips.iter().any(|ip| is_public(*ip)));
        assert!(all_ips.iter().any(|ip| !is_public(*ip)));
        assert!(all_ips.iter().any(IpAddr::is_ipv6));
        let users: HashSet<&str> = alerts
            .iter()
            .flat_map(|a| a["entities"].as_array().unwrap())
            .filter(|e| e["type"] == "user")
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert!(users.len() >= 3, "{users:?}");
        let entity_ids: Vec<&Value> =
            alerts.iter().flat_map(|a| a["entities"].as_array().unwrap()).map(|e| &e["id"]).collect();
        assert!(entity_ids.iter().any(|id| id.is_u64()) && entity_ids.iter().any(|id| id.is_string()));
        assert!(alerts.iter().any(|a| a["description"].as_str().unwrap().contains("__siteIcon__")));
        assert!(alerts.iter().any(|a| a["description"].as_str().unwrap().contains("<br>")));
    }
}

#[track_caller]
fn check_bulk(n: u64, unique: u64) {
    let alerts = bulk_alerts(42, n, "contoso", unique);
    assert_eq!(alerts.len() as u64, n);
    let ids: HashSet<&str> = alerts.iter().map(|a| a["_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len() as u64, n, "unique ids");
    assert!(ids.iter().all(|id| is_object_id(id)));
    let stamps: Vec<i64> = alerts.iter().map(|a| a["timestamp"].as_i64().unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "ascending");
    let public: HashSet<IpAddr> = alerts.iter().flat_map(ips).filter(|ip| is_public(*ip)).collect();
    // No alerts can carry no addresses.
    let expected = if n == 0 { 0 } else { unique };
    assert_eq!(public.len() as u64, expected, "n={n} unique={unique}");
    let private = alerts.iter().flat_map(ips).filter(|ip| !is_public(*ip)).count();
    if n >= 20 {
        assert!(private > 0);
    }
}

#[test]
fn bulk_alerts_cover_exactly_the_unique_ips() {
    check_bulk(600, 300);
    check_bulk(600, 1);
    check_bulk(100, 250);
    check_bulk(50, 0);
    check_bulk(1, 1);
    check_bulk(0, 10);
}

#[test]
fn tenants_numbered_apart_see_addresses_of_their_own() {
    let public = |first: u64| -> HashSet<IpAddr> {
        let bulk = BulkAlerts::new(42, 8, "contoso", 8).first_public_ip(first);
        (0..8).flat_map(|i| bulk.public_ips(i)).collect()
    };
    let (a, b, c) = (public(0), public(4), public(8));
    assert_eq!((a.len(), b.len(), c.len()), (8, 8, 8));
    assert_eq!(a.intersection(&b).count(), 4, "neighbours share the overlap");
    assert!(a.is_disjoint(&c));
    assert_eq!(a, (0..8).map(public_ip).collect());
}

#[test]
fn bulk_alerts_are_lazy_sized_and_deterministic() {
    let end: Timestamp = "2025-03-10T07:00:00Z".parse().unwrap();
    let bulk = BulkAlerts::new(9, 100_000, "contoso", 5_000).ending_at(end);
    assert_eq!(bulk.len(), 100_000);
    assert_eq!(bulk.get(99_999)["timestamp"].as_i64().unwrap(), bulk.timestamp(99_999));
    assert!(bulk.timestamp(99_999) <= end.as_millisecond());
    assert_eq!(bulk.get(12_345), BulkAlerts::new(9, 100_000, "contoso", 5_000).ending_at(end).get(12_345));
    // Alerts sharing a millisecond, as real ones sometimes do.
    assert_eq!(bulk.timestamp(49), bulk.timestamp(50));
    let sizes: Vec<usize> = (0..500).map(|i| serde_json::to_vec(&bulk.get(i * 200)).unwrap().len()).collect();
    let average = sizes.iter().sum::<usize>() / sizes.len();
    assert!((1_200..=2_000).contains(&average), "average alert size {average}");
    let ids: HashSet<String> = (0..100_000).map(|i| bulk.id(i)).collect();
    assert_eq!(ids.len(), 100_000);
}

#[test]
fn public_ip_numbers_are_distinct_and_public() {
    let ips: HashSet<IpAddr> = (0..200_000).map(public_ip).collect();
    assert_eq!(ips.len(), 200_000);
    assert!(ips.iter().all(|ip| is_public(*ip)));
}
