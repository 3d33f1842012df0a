//! Exactly one ticket per alert: reruns, overlapping windows, a deleted state file, a lost answer.

use crate::support::{Harness, HarnessOptions, alert_id, alerts};

#[test]
fn reruns_and_overlapping_windows_create_each_ticket_once() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 4))
            .tenant("fabrikam", alerts("fabrikam", 3)),
    );
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 0, "{first}");
    assert_eq!(first.events_of("ticket_created").len(), 7, "{first}");
    h.assert_one_ticket_per_alert();

    // The checkpoint now skips everything; a window reaching back over all of it (`--since`)
    // meets every alert again, and the state store knows each one.
    let again = h.run(["run", "--json"]);
    assert_eq!(again.status, 0, "{again}");
    let overlap = h.run(["run", "--json", "--since", "7d"]);
    assert_eq!(overlap.status, 0, "{overlap}");
    for out in [&again, &overlap] {
        assert!(out.events_of("ticket_created").is_empty(), "{out}");
        assert!(out.events_of("failed").is_empty(), "{out}");
    }
    let known: u64 = overlap.events_of("tenant_summary").iter().map(|s| s["known"].as_u64().unwrap()).sum();
    assert_eq!(known, 7, "{overlap}");
    h.assert_one_ticket_per_alert();

    // New alerts arrive: only they get tickets.
    let newer = alerts("contoso", 6).split_off(4);
    h.mcas[0].add_alerts(newer.clone());
    let third = h.run(["run", "--json", "--since", "7d"]);
    assert_eq!(third.status, 0, "{third}");
    let mut expected: Vec<String> = newer.iter().map(alert_id).collect();
    expected.sort();
    assert_eq!(third.alert_ids_of("ticket_created"), expected, "{third}");
    h.assert_one_ticket_per_alert();
}
