//! Each tenant on its own schedule: a slow tenant delays only itself.

use std::time::{Duration, Instant};

use crate::child::Running;
use crate::support::{Harness, HarnessOptions, alert_id, alerts};

#[test]
fn a_slow_tenant_does_not_delay_another_tenants_ticket_beyond_one_interval() {
    let quick_alerts = alerts("quick", 3);
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("slow", alerts("slow", 2))
            .tenant("quick", quick_alerts[..2].to_vec())
            .without_abuseipdb(),
    );
    // Every request to the slow tenant takes 30 s: its first pass is still reading when the
    // quick tenant's new alert comes.
    h.mcas[0].set_latency(Duration::from_secs(30));
    let mut watch = Running::start(&h, &["watch", "--every", "1s", "--json"]);
    let first = watch.wait_json("the quick tenant's first pass", |v| {
        v["event"] == "tenant_summary" && v["tenant"] == "quick"
    });
    assert_eq!(first["created"], 2, "{first}");
    h.mcas[1].add_alerts(quick_alerts[2..].to_vec());
    let added = Instant::now();
    let id = alert_id(&quick_alerts[2]);
    watch.wait_json("the new alert's ticket", |v| {
        v["event"] == "ticket_created" && v["alert_id"] == id.as_str()
    });
    let waited = added.elapsed();
    // One interval (1 s) and its jitter (0.1 s), the pass itself, and slack for a busy machine;
    // far less than the slow tenant's 30 s.
    assert!(waited < Duration::from_secs(5), "the quick tenant's ticket waited {waited:?}");
    assert!(
        !watch.events("tenant_summary").iter().any(|v| v["tenant"] == "slow"),
        "the slow tenant's first pass is still under way"
    );
    // The stop does not wait for the slow tenant's read: reading is safe to abandon.
    let stopping = Instant::now();
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert!(stopping.elapsed() < Duration::from_secs(5), "took {:?} to stop", stopping.elapsed());
    let slow = watch.events("tenant_summary").into_iter().find(|v| v["tenant"] == "slow").unwrap();
    assert_eq!(slow["interrupted"], true, "{slow}");
    h.assert_tickets_for(&quick_alerts.iter().map(alert_id).collect::<Vec<_>>());
}
