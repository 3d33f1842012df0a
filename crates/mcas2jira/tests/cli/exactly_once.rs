//! Exactly one ticket per alert: reruns, overlapping windows, a deleted state file, a lost answer.

use crate::support::{FaultKind, Harness, HarnessOptions, alert_id, alerts, route};

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

#[test]
fn a_deleted_state_file_finds_the_existing_tickets_by_label() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 4)));
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 0, "{first}");
    let created = first.alert_ids_of("ticket_created");
    assert_eq!(created.len(), 4, "{first}");

    h.delete_state();
    assert!(!h.state_path.exists());
    let second = h.run(["run", "--json"]);
    assert_eq!(second.status, 0, "{second}");
    assert!(second.events_of("ticket_created").is_empty(), "{second}");
    assert_eq!(second.alert_ids_of("already_ticketed"), created, "{second}");
    // Each found ticket is reported with the key Jira gave it on the first run.
    for event in second.events_of("already_ticketed") {
        let id = event["alert_id"].as_str().unwrap();
        assert_eq!(event["key"], h.ticket_of(id).key.as_str(), "{event}");
    }
    h.assert_one_ticket_per_alert();

    // And the found tickets are recorded again: a third run has nothing to search for.
    let third = h.run(["run", "--json", "--since", "7d"]);
    assert_eq!(third.status, 0, "{third}");
    assert!(third.events_of("already_ticketed").is_empty(), "{third}");
    assert_eq!(third.events_of("tenant_summary")[0]["known"], 4, "{third}");
}

#[test]
fn a_lost_bulk_create_answer_is_found_by_label_on_the_rerun() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
    // Jira creates the three issues, but the answer breaks off.
    h.jira.fail_next(route::BULK_CREATE, 1, FaultKind::LoseResponse);
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 3, "{first}");
    assert_eq!(first.events_of("failed").len(), 3, "{first}");
    assert_eq!(h.jira.issue_count(), 3, "the fake created them");

    let second = h.run(["run", "--json"]);
    assert_eq!(second.status, 0, "{second}");
    assert!(second.events_of("ticket_created").is_empty(), "{second}");
    assert_eq!(second.alert_ids_of("already_ticketed"), first.alert_ids_of("failed"), "{second}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_lost_single_create_answer_is_found_by_label_on_the_rerun() {
    // Jira Server, one create request per ticket, so that exactly one answer is lost.
    let h = Harness::start(
        HarnessOptions::default()
            .server()
            .tenant("contoso", alerts("contoso", 3))
            .extra_config("[pipeline]\nbulk_create = false"),
    );
    h.jira.fail_next(route::CREATE, 1, FaultKind::LoseResponse);
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 3, "{first}");
    let lost = first.alert_ids_of("failed");
    assert_eq!(lost.len(), 1, "{first}");
    assert_eq!(first.events_of("ticket_created").len(), 2, "{first}");
    assert_eq!(h.jira.issue_count(), 3, "the lost one was created all the same");
    assert_eq!(h.jira.stats().get(route::BULK_CREATE), 0);

    let second = h.run(["run", "--json"]);
    assert_eq!(second.status, 0, "{second}");
    assert!(second.events_of("ticket_created").is_empty(), "{second}");
    assert_eq!(second.alert_ids_of("already_ticketed"), lost, "{second}");
    assert_eq!(second.events_of("already_ticketed")[0]["key"], h.ticket_of(&lost[0]).key.as_str());
    h.assert_one_ticket_per_alert();
}

#[test]
fn two_runs_at_once_do_not_both_run_a_pass() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 2)));
    // A slow Jira keeps the first pass running while the second starts.
    h.jira.set_latency(std::time::Duration::from_millis(700));
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| h.run(["run", "--json"]));
        let b = s.spawn(|| h.run(["run", "--json"]));
        (a.join().unwrap(), b.join().unwrap())
    });
    let (ok, refused) = if a.status == 0 { (a, b) } else { (b, a) };
    assert_eq!(ok.status, 0, "{ok}");
    assert_eq!(ok.events_of("ticket_created").len(), 2, "{ok}");
    assert_eq!(refused.status, 1, "{refused}");
    assert!(refused.stderr.contains("lock") || refused.stderr.contains("another"), "{refused}");
    assert!(refused.events.is_empty(), "{refused}");
    h.assert_one_ticket_per_alert();
}
