//! A backlog of resolved tickets: the sync holds its own lock, never the pass lock, so ticketing
//! goes on while it works; `--max-time` bounds one sync, and the next goes on with the rest.

use std::time::{Duration, Instant};

use crate::support::run_with_timeout;
use crate::{resolution_status, summary, ticketed};

#[test]
fn a_long_sync_never_keeps_a_pass_from_running() {
    let (h, ids) = ticketed(12, "");
    for id in &ids {
        assert!(h.jira.resolve(&h.ticket_of(id).key, "Done"));
    }
    // Each MCAS request now takes a while: the sync's twelve closes take seconds.
    h.mcas[0].set_latency(Duration::from_millis(400));
    let mut sync = h.command(["--config", h.config_path.to_str().unwrap(), "sync", "--json"]);
    sync.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    let mut child = sync.spawn().unwrap();
    let started = Instant::now();
    while h.mcas[0].close_calls().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "the sync never started closing");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A pass while the sync is busy: it takes the pass lock and runs.
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(!out.stderr.contains("another mcas2jira is running"), "{out}");
    // A second sync meanwhile is refused: two syncs never act on the same tickets.
    let second = run_with_timeout(
        h.command(["--config", h.config_path.to_str().unwrap(), "sync"]),
        Duration::from_secs(60),
    );
    assert_eq!(second.status, 1, "{second}");
    assert!(second.stderr.contains("sync.lock"), "{second}");
    assert!(child.wait().unwrap().success());
    assert!(ids.iter().all(|id| resolution_status(&h, id) == 5));
    assert_eq!(h.mcas[0].close_calls().len(), ids.len(), "each alert closed once");
}

#[test]
fn max_time_bounds_a_sync_and_the_next_goes_on() {
    let (h, ids) = ticketed(10, "");
    for id in &ids {
        assert!(h.jira.resolve(&h.ticket_of(id).key, "Done"));
    }
    h.mcas[0].set_latency(Duration::from_millis(300));
    let out = h.run(["sync", "--json", "--max-time", "1s"]);
    assert_eq!(out.status, 0, "a bounded sync is not a failure: {out}");
    let first = summary(&out);
    let closed = first["alerts_closed"].as_u64().unwrap();
    let deferred = first["deferred"].as_u64().unwrap();
    assert!(closed >= 1 && deferred >= 1, "{first}");
    assert_eq!(closed + deferred, ids.len() as u64, "{first}");
    let out = h.run(["sync", "--max-time", "1s"]);
    assert!(
        out.stdout.contains("left for the next sync (--max-time reached)")
            || out.stdout.contains("alerts closed"),
        "{out}"
    );

    h.mcas[0].set_latency(Duration::ZERO);
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(summary(&out)["deferred"], 0, "{out}");
    assert!(ids.iter().all(|id| resolution_status(&h, id) == 5));
    assert_eq!(h.mcas[0].close_calls().len(), ids.len(), "each alert closed once");

    let out = h.run(["sync", "--max-time", "soon"]);
    assert_eq!(out.status, 2, "{out}");
}
