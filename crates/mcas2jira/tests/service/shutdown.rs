//! SIGTERM and SIGINT: acknowledged at once, nothing new started, a create in flight answered and
//! recorded, waits dropped, status 0 within seconds; nothing lost or repeated by the next run.

use std::time::{Duration, Instant};

use crate::child::Running;
use crate::support::{FaultKind, Harness, HarnessOptions, alerts, route};

/// Waits until the fake Jira has received `n` requests on `route`.
#[track_caller]
fn wait_for_requests(h: &Harness, route: &str, n: u64) {
    let started = Instant::now();
    while h.jira.stats().get(route) < n {
        assert!(started.elapsed() < Duration::from_secs(30), "no {route} request came");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stops `child` with `signal` once Jira has answered a bulk create with `429` and
/// `Retry-After: 60`, and returns how long the child took to exit, and its status.
fn stop_during_retry_after(h: &Harness, child: &mut Running, signal: &str) -> (Duration, i32) {
    wait_for_requests(h, route::BULK_CREATE, 1);
    // Now sleeping through the Retry-After.
    std::thread::sleep(Duration::from_millis(300));
    let stopping = Instant::now();
    child.signal(signal);
    let status = child.wait();
    (stopping.elapsed(), status)
}

#[test]
fn sigterm_during_a_60s_retry_after_stops_watch_within_5s_and_a_rerun_completes() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 5)));
    h.jira.fail_next(route::BULK_CREATE, 1, FaultKind::RateLimit { retry_after_secs: 60 });
    let mut watch = Running::start(&h, &["watch", "--every", "1m", "--json"]);
    let (took, status) = stop_during_retry_after(&h, &mut watch, "TERM");
    assert_eq!(status, 0, "{:?}", watch.err);
    assert!(took < Duration::from_secs(5), "took {took:?} to stop");
    assert!(watch.err.iter().any(|l| l.contains("SIGTERM received: stopping")), "{:?}", watch.err);
    assert_eq!(h.jira.issue_count(), 0, "the throttled create was never repeated");
    // Nothing lost: the next run creates every ticket, once.
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.events_of("ticket_created").len(), 5, "{out}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn sigint_during_a_60s_retry_after_stops_run_within_5s() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 5)));
    h.jira.fail_next(route::BULK_CREATE, 1, FaultKind::RateLimit { retry_after_secs: 60 });
    let mut run = Running::start(&h, &["run"]);
    let (took, status) = stop_during_retry_after(&h, &mut run, "INT");
    assert_eq!(status, 0, "{:?}", run.err);
    assert!(took < Duration::from_secs(5), "took {took:?} to stop");
    // Its summary says it was stopped, and where the next run goes on.
    let line = run.out.last().unwrap();
    assert!(
        line.starts_with("pass (stopped by SIGINT: the next run goes on from here): 0 created"),
        "{line}"
    );
    let out = h.run(["run"]);
    assert_eq!(out.status, 0, "{out}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_create_in_flight_when_the_signal_comes_is_answered_and_recorded() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 4)));
    // Jira takes 1.5 s to answer the bulk create: the signal comes while it is in flight.
    h.jira.fail_next(route::BULK_CREATE, 1, FaultKind::Delay(Duration::from_millis(1500)));
    let mut watch = Running::start(&h, &["watch", "--every", "1m", "--json"]);
    wait_for_requests(&h, route::BULK_CREATE, 1);
    let stopping = Instant::now();
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert!(stopping.elapsed() < Duration::from_secs(5), "took {:?}", stopping.elapsed());
    assert_eq!(watch.events("ticket_created").len(), 4, "the answer was awaited: {:?}", watch.out);
    h.assert_one_ticket_per_alert();
    // And recorded: the next run neither creates nor has to find anything.
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.events_of("ticket_created").len(), 0, "{out}");
    assert_eq!(out.events_of("already_ticketed").len(), 0, "{out}");
}

#[test]
fn a_signal_during_a_slow_read_stops_at_once_and_the_next_run_finishes() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 5)));
    h.mcas[0].set_latency(Duration::from_secs(20));
    let mut watch = Running::start(&h, &["watch", "--every", "1h", "--json"]);
    watch.wait_stderr("watching");
    std::thread::sleep(Duration::from_millis(500));
    let stopping = Instant::now();
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert!(stopping.elapsed() < Duration::from_secs(5), "took {:?}", stopping.elapsed());
    h.mcas[0].set_latency(Duration::ZERO);
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.events_of("ticket_created").len(), 5, "{out}");
    h.assert_one_ticket_per_alert();
}

/// A signal while Jira's field list (read when connecting) or the Jira check that starts each
/// pass (and each tenant pass of `watch`) sleeps through a `Retry-After: 60` stops the command
/// within seconds as well, with status 0; the next run checks again and tickets every alert once.
#[test]
fn a_signal_during_a_throttled_jira_check_stops_run_and_watch_within_5s() {
    let commands = [(&["run"][..], "INT"), (&["watch", "--every", "1m"][..], "TERM")];
    // The field list read when connecting, and the check of the project's issue types.
    let cases = commands.into_iter().flat_map(|c| [(c, route::FIELD), (c, route::CREATEMETA_TYPES)]);
    for ((command, signal), throttled) in cases {
        let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
        h.jira.fail_next(throttled, 1, FaultKind::RateLimit { retry_after_secs: 60 });
        let mut child = Running::start(&h, command);
        wait_for_requests(&h, throttled, 1);
        std::thread::sleep(Duration::from_millis(300));
        let stopping = Instant::now();
        child.signal(signal);
        let status = child.wait();
        let took = stopping.elapsed();
        assert_eq!(status, 0, "{command:?}: {:?}", child.err);
        assert!(took < Duration::from_secs(5), "{command:?} took {took:?} to stop");
        assert_eq!(h.jira.issue_count(), 0, "{command:?}");
        let out = h.run(["run", "--json"]);
        assert_eq!(out.status, 0, "{out}");
        h.assert_one_ticket_per_alert();
    }
}
