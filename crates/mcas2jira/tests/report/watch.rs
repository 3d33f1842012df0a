//! `watch`: passes at an interval, a signal honoured after the pass in flight, failures survived.

use std::time::Duration;

use crate::child::Running;
use crate::support::{FaultKind, Harness, HarnessOptions, alerts, mcas_route, route};

#[test]
fn two_passes_then_sigterm_exits_0_and_the_second_pass_creates_nothing() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 6)));
    let mut watch = Running::start(&h, &["watch", "--every", "1s", "--json"]);
    let first = watch.wait_json("the first pass summary", |v| v["event"] == "pass_summary" && v["pass"] == 1);
    let second =
        watch.wait_json("the second pass summary", |v| v["event"] == "pass_summary" && v["pass"] == 2);
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert_eq!(first["ok"], true, "{first}");
    assert_eq!(first["created"], 6, "{first}");
    assert_eq!(second["ok"], true, "{second}");
    assert_eq!(second["created"], 0, "{second}");
    assert_eq!(second["failed"], 0, "{second}");
    // Every alert's events are printed as for `run --json`, once.
    assert_eq!(watch.events("ticket_created").len(), 6);
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_signal_during_a_pass_lets_it_finish() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 5)));
    // Slow MCAS answers keep the first pass in flight when the signal comes.
    h.mcas[0].set_latency(Duration::from_millis(1500));
    let mut watch = Running::start(&h, &["-v", "watch", "--every", "1h", "--json"]);
    // Logged once the signal handlers are in place, just before the first pass.
    watch.wait_stderr("watching");
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    let passes = watch.events("pass_summary");
    assert_eq!(passes.len(), 1, "{passes:?}");
    assert_eq!(passes[0]["created"], 5, "{:?}", passes[0]);
    h.assert_one_ticket_per_alert();
    // And everything was recorded: a run afterwards has nothing to do.
    h.mcas[0].set_latency(Duration::ZERO);
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.events_of("ticket_created").is_empty(), "{out}");
    assert!(out.events_of("already_ticketed").is_empty(), "{out}");
}

#[test]
fn failed_passes_are_logged_and_the_next_one_still_runs() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 4)));
    // Connecting reads Jira's field list: refused once, the services are connected on the next tick.
    h.jira.fail_next(route::FIELD, 1, FaultKind::Status(401));
    let mut watch = Running::start(&h, &["watch", "--every", "1s", "--json"]);
    let first = watch.wait_json("the first pass summary", |v| v["event"] == "pass_summary" && v["pass"] == 1);
    assert_eq!(first["ok"], false, "{first}");
    assert!(first["error"].as_str().unwrap().contains("connecting the services"), "{first}");
    // Then a pass whose tenant cannot be read: the pass runs, the tenant fails, the watch goes on.
    h.mcas[0].fail_next(mcas_route::LIST, 1, FaultKind::Status(401));
    let second =
        watch.wait_json("the second pass summary", |v| v["event"] == "pass_summary" && v["pass"] == 2);
    let third = watch.wait_json("the third pass summary", |v| v["event"] == "pass_summary" && v["pass"] == 3);
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    let created = second["created"].as_u64().unwrap() + third["created"].as_u64().unwrap();
    assert_eq!(created, 4, "{second}\n{third}");
    assert!(
        second["tenants_failed"] == 1 || third["tenants_failed"] == 1,
        "the failed tenant read shows in a summary:\n{second}\n{third}"
    );
    h.assert_one_ticket_per_alert();
}

#[test]
fn human_output_is_one_line_per_pass() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
    let mut watch = Running::start(&h, &["watch", "--every", "1s"]);
    watch.wait_lines(2);
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert!(
        watch.out[0].starts_with("pass 1: 3 created, 0 already ticketed, 0 skipped, 0 failed of 3 seen in "),
        "{:?}",
        watch.out
    );
    assert!(watch.out[1].starts_with("pass 2: 0 created"), "{:?}", watch.out);
}

#[test]
fn a_bad_interval_is_a_usage_error() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 1)));
    let out = h.run(["watch", "--every", "0s"]);
    assert_eq!(out.status, 2, "{out}");
    assert!(out.stderr.contains("--every"), "{out}");
    assert_eq!(h.jira.issue_count(), 0);
}

#[test]
fn a_backlog_of_resolved_tickets_is_synced_in_slices_between_passes() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 8))
            .without_abuseipdb()
            .extra_config("[sync]\nenabled = true\n"),
    );
    assert_eq!(h.run(["run"]).status, 0);
    for issue in h.jira.issues() {
        assert!(h.jira.resolve(&issue.key, "Done"));
    }
    // Each MCAS request takes 1.5 s: the eight closes take 12 s or more, and a pass every second
    // syncs for 5 s at most (its slice).
    h.mcas[0].set_latency(Duration::from_millis(1500));
    let mut watch = Running::start(&h, &["watch", "--every", "1s", "--json"]);
    watch.wait_json("the second pass summary", |v| v["event"] == "pass_summary" && v["pass"] == 2);
    let closed_between = h.mcas[0].close_calls().len();
    assert!(closed_between >= 1, "the first slice closed some alerts");
    assert!(closed_between < 8, "the second pass came before the backlog was done: {closed_between} closed");
    let started = std::time::Instant::now();
    while h.mcas[0].close_calls().len() < 8 {
        assert!(started.elapsed() < Duration::from_secs(90), "the backlog was never finished");
        std::thread::sleep(Duration::from_millis(100));
    }
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert_eq!(h.mcas[0].close_calls().len(), 8, "each alert closed once");
}
