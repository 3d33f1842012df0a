//! Alerts that would otherwise go unnoticed: one that reaches MCAS behind the overlap window
//! (ticketed by the reconcile sweep), and one that keeps failing (reported as stuck on every run,
//! listed by `report`, until it is ticketed).

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::support::{FaultKind, Harness, HarnessOptions, alert_id, alerts, route};

#[test]
fn an_alert_behind_the_overlap_window_is_ticketed_by_the_sweep() {
    // Three alerts of the last hour: the checkpoint ends up an hour ago.
    let mut a = alerts("contoso", 3);
    for (i, alert) in a.iter_mut().enumerate() {
        let minutes = 60 + 10 * i64::try_from(i).unwrap();
        alert["timestamp"] = json!((Timestamp::now() - SignedDuration::from_mins(minutes)).as_millisecond());
    }
    let h = Harness::start(HarnessOptions::default().tenant("contoso", a.clone()));
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 0, "{first}");
    h.assert_one_ticket_per_alert();

    // An alert raised three hours ago shows up now: far behind the checkpoint and its 10 minutes
    // of overlap.
    let mut late = a[0].clone();
    late["_id"] = json!("64f0c0ffee00000000000001");
    late["timestamp"] = json!((Timestamp::now() - SignedDuration::from_hours(3)).as_millisecond());
    late["title"] = json!("Mass download by a user who left (reported late)");
    h.mcas[0].add_alerts(vec![late.clone()]);

    // The first pass swept the tenant (its first walk covered the window): not due for an hour.
    let not_due = h.run(["run", "--json"]);
    assert_eq!(not_due.status, 0, "{not_due}");
    assert!(not_due.events_of("late_alert").is_empty(), "{not_due}");
    assert_eq!(h.jira.issue_count(), 3);

    // Sweeping every pass: found, reported, ticketed once.
    h.edit_config(|text| {
        *text = text.replace("requests_per_minute = 0", "requests_per_minute = 0\nreconcile_every = \"0s\"")
    });
    let swept = h.run(["run", "--json"]);
    assert_eq!(swept.status, 0, "{swept}");
    assert_eq!(swept.alert_ids_of("late_alert"), [alert_id(&late)], "{swept}");
    assert_eq!(swept.alert_ids_of("ticket_created"), [alert_id(&late)], "{swept}");
    assert_eq!(swept.events_of("tenant_summary")[0]["late"], 1);
    h.assert_one_ticket_per_alert();
    let human = h.run(["run"]);
    assert_eq!(human.status, 0, "{human}");
    assert!(human.stdout.contains("0 created"), "{human}");

    // Deleting the state file loses nothing: the sweep's label search finds the tickets.
    h.delete_state();
    let rebuilt = h.run(["run", "--json"]);
    assert_eq!(rebuilt.status, 0, "{rebuilt}");
    assert!(rebuilt.events_of("ticket_created").is_empty(), "{rebuilt}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn an_alert_that_keeps_failing_is_reported_stuck_until_it_is_ticketed() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 2))
            .extra_config("[pipeline]\nstuck_after = 2"),
    );
    h.jira.fail_next(route::BULK_CREATE, 2, FaultKind::Status(500));
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 3, "{first}");
    assert!(first.events_of("stuck").is_empty(), "{first}");
    assert_eq!(first.events_of("tenant_summary")[0]["pending"], 2);

    let second = h.run(["run", "--json"]);
    assert_eq!(second.status, 3, "{second}");
    let stuck = second.events_of("stuck");
    assert_eq!(stuck.len(), 2, "{second}");
    assert_eq!(stuck[0]["attempts"], 2);
    assert!(stuck[0]["last_error"].as_str().unwrap().contains("500"), "{second}");
    assert_eq!(second.events_of("tenant_summary")[0]["stuck"], 2);

    let report = h.run(["report", "--from", "2000-01-01", "--to", "2100-01-01"]);
    assert_eq!(report.status, 0, "{report}");
    assert!(report.stdout.contains("Alerts awaiting a retry"), "{report}");
    let rows: Vec<&str> = report
        .stdout
        .lines()
        .filter(|l| l.contains(" 2 ") && l.contains("creating the ticket failed"))
        .collect();
    assert_eq!(rows.len(), 2, "{report}");
    // The whole reason, in a format without a cell width.
    let csv = h.run(["report", "--from", "2000-01-01", "--to", "2100-01-01", "--format", "csv"]);
    let reasons: Vec<&str> = csv.stdout.lines().filter(|l| l.starts_with("awaiting_retry_reason,")).collect();
    assert_eq!(reasons.len(), 2, "{csv}");
    assert!(reasons.iter().all(|l| l.contains("HTTP 500")), "{csv}");

    // Jira is back: both are ticketed once, and nothing is stuck any more.
    let third = h.run(["run", "--json"]);
    assert_eq!(third.status, 0, "{third}");
    assert!(third.events_of("stuck").is_empty(), "{third}");
    assert_eq!(third.events_of("tenant_summary")[0]["pending"], 0);
    h.assert_one_ticket_per_alert();
    let human = h.run(["run"]);
    assert!(!human.stdout.contains("stuck"), "{human}");
}
