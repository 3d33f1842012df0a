//! Nothing lost: failures of Jira, AbuseIPDB and MCAS data become exit status 3 and a retry, or a
//! ticket that says what it could not learn, never a missing or duplicate ticket.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{FaultKind, Harness, HarnessOptions, alert_id, alerts, route};

#[test]
fn jira_503_on_create_fails_the_page_and_the_rerun_completes_it() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
    h.jira.fail_next(route::BULK_CREATE, 1, FaultKind::Status(503));
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 3, "{first}");
    assert_eq!(first.events_of("failed").len(), 3, "{first}");
    let reason = first.events_of("failed")[0]["reason"].as_str().unwrap().to_owned();
    assert!(reason.contains("503"), "{reason}");
    assert_eq!(h.jira.issue_count(), 0);
    // Creating is not idempotent: the failed request is not repeated within the run.
    assert_eq!(h.jira.stats().get(route::BULK_CREATE), 1);

    let second = h.run(["run", "--json"]);
    assert_eq!(second.status, 0, "{second}");
    assert_eq!(second.alert_ids_of("ticket_created"), first.alert_ids_of("failed"), "{second}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn jira_429_with_retry_after_is_waited_out_and_retried() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
    h.jira.fail_next(route::BULK_CREATE, 1, FaultKind::RateLimit { retry_after_secs: 1 });
    let started = Instant::now();
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was not honoured");
    assert_eq!(out.events_of("ticket_created").len(), 3, "{out}");
    assert_eq!(h.jira.stats().get(route::BULK_CREATE), 2, "one throttled request, one retry");
    h.assert_one_ticket_per_alert();
}

#[test]
fn an_exhausted_abuseipdb_quota_still_gives_tickets_that_say_reputation_is_unavailable() {
    // Both renderings: ADF on Cloud, wiki markup on Server.
    for options in [HarnessOptions::default(), HarnessOptions::default().server()] {
        let h = Harness::start(options.abuseipdb_quota(0).tenant("contoso", alerts("contoso", 4)));
        let out = h.run(["run", "--json"]);
        assert_eq!(out.status, 0, "{out}");
        assert_eq!(out.events_of("ticket_created").len(), 4, "{out}");
        h.assert_one_ticket_per_alert();
        let abuse = h.abuseipdb.as_ref().unwrap();
        assert!(abuse.stats().total > 0, "some public IP was looked up");

        // The tickets of alerts with a public IP say its reputation is unavailable, and none
        // claims a score.
        let mut unavailable = 0;
        for issue in h.jira.issues() {
            let body = json!({"description": issue.description, "fields": issue.custom_fields}).to_string();
            assert!(!body.contains("/100"), "{}: {body}", issue.key);
            if body.contains("unavailable") {
                unavailable += 1;
            }
        }
        assert!(unavailable > 0, "no ticket says the reputation is unavailable");
    }
}

#[test]
fn jira_503_on_the_label_search_is_retried() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 2)));
    // Searching is idempotent: the shared HTTP crate retries it after a backoff.
    h.jira.fail_next(route::SEARCH, 1, FaultKind::Status(503));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.events_of("ticket_created").len(), 2, "{out}");
    assert_eq!(h.jira.pending_faults(), 0);
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_search_that_keeps_failing_fails_the_alerts_not_the_run() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 2)));
    // Without the search the pipeline cannot prove the alerts new, so it creates nothing.
    h.jira.fail_next(route::SEARCH, 10, FaultKind::Status(400));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 3, "{out}");
    assert_eq!(out.events_of("failed").len(), 2, "{out}");
    assert_eq!(h.jira.issue_count(), 0);
    h.jira.clear_faults();
    let again = h.run(["run", "--json"]);
    assert_eq!(again.status, 0, "{again}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_malformed_alert_is_reported_and_the_others_are_ticketed() {
    let mut good = alerts("contoso", 3);
    let time = good[1]["timestamp"].clone();
    // An `_id` that is a number, not a string: readable enough to name, not an alert.
    let bad = json!({"_id": 4_242_424_242_u64, "timestamp": time, "title": "broken", "severityValue": 2});
    good.insert(2, bad);
    let h = Harness::start(HarnessOptions::default().tenant("contoso", good.clone()));

    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 3, "{out}");
    let failed = out.events_of("failed");
    assert_eq!(failed.len(), 1, "{out}");
    assert_eq!(failed[0]["alert_id"], "4242424242", "{out}");
    assert!(failed[0]["reason"].as_str().unwrap().contains("unreadable alert"), "{out}");
    let ids: Vec<String> = good.iter().filter(|a| a["_id"].is_string()).map(alert_id).collect();
    h.assert_tickets_for(&ids);

    // It stays pending: the next run reads it again, fails it again, and tickets nothing twice.
    let again = h.run(["run", "--json"]);
    assert_eq!(again.status, 3, "{again}");
    assert_eq!(again.alert_ids_of("failed"), ["4242424242"], "{again}");
    assert!(again.events_of("ticket_created").is_empty(), "{again}");
    h.assert_tickets_for(&ids);
}

#[test]
fn a_malformed_alert_pending_with_others_does_not_hold_them_back() {
    let mut good = alerts("contoso", 3);
    let time = good[0]["timestamp"].clone();
    good.push(json!({"_id": 77, "timestamp": time, "title": "broken"}));
    let h = Harness::start(HarnessOptions::default().tenant("contoso", good.clone()));
    // The good alerts fail too this time, so that all four are pending, in one retry request.
    h.jira.fail_next(route::BULK_CREATE, 1, FaultKind::Status(503));
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 3, "{first}");
    assert_eq!(first.events_of("failed").len(), 4, "{first}");
    assert_eq!(h.jira.issue_count(), 0);

    // MCAS refuses the id filter because of the bad id; the good alerts are read and ticketed
    // all the same, and the bad one is reported again.
    let second = h.run(["run", "--json"]);
    assert_eq!(second.status, 3, "{second}");
    assert!(second.events_of("tenant_failed").is_empty(), "{second}");
    assert_eq!(second.alert_ids_of("failed"), ["77"], "{second}");
    assert_eq!(second.events_of("ticket_created").len(), 3, "{second}");
    let ids: Vec<String> = good.iter().filter(|a| a["_id"].is_string()).map(alert_id).collect();
    h.assert_tickets_for(&ids);
}
