//! Many tenants and the limits around them: more tenants than a 1,024 open-file limit, and the
//! MCAS pacing window held across two runs started one right after the other.

use std::time::Duration;

use crate::support::{Harness, HarnessOptions, alerts, route, run_sampling};

/// More tenants than the open-file limit: each fake tenant listens on its own port, so to the
/// binary's connection pool each is its own host, as each MCAS tenant has its own portal.
const TENANTS: usize = 1_500;
const OPEN_FILES: u32 = 1_024;

/// The open files of process `pid` right now (0 once it is gone).
fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

#[test]
fn more_tenants_than_a_1024_open_file_limit_all_get_their_tickets() {
    // The fakes live in this process: a listening socket per tenant, and the connections the
    // binary makes to them. The process raises its own soft limit for them, up to the hard one.
    let needed = TENANTS as u64 + 512;
    let limit = rlimit::increase_nofile_limit(needed).expect("raise the open-file limit");
    assert!(
        limit >= needed,
        "this test runs {TENANTS} fake tenants in the test process and needs {needed} open files \
         there, but the hard limit allows only {limit} (ulimit -Hn)"
    );
    let options = (0..TENANTS).fold(HarnessOptions::default(), |options, i| {
        options.tenant(&format!("tenant{i:04}"), alerts(&format!("tenant{i:04}"), 1))
    });
    let h = Harness::start(options);

    let mut peak = 0;
    let first = run_sampling(
        h.command_with_open_files(OPEN_FILES, ["run", "--json"]),
        Duration::from_secs(240),
        |pid| peak = peak.max(open_files(pid)),
    );
    assert_eq!(first.status, 0, "{first}");
    assert!(!first.stderr.contains("Too many open files"), "{first}");
    assert_eq!(first.events_of("ticket_created").len(), TENANTS, "{first}");
    assert!(first.events_of("failed").is_empty() && first.events_of("tenant_failed").is_empty(), "{first}");
    h.assert_one_ticket_per_alert();
    assert!(peak < OPEN_FILES as usize, "peak of {peak} open files");
    eprintln!("{TENANTS} tenants under ulimit -n {OPEN_FILES}: peak {peak} open files seen");

    // A second pass with nothing new: every tenant read once more, nothing else.
    for fake in &h.mcas {
        fake.reset_stats();
    }
    h.jira.reset_stats();
    let second = run_sampling(
        h.command_with_open_files(OPEN_FILES, ["run", "--json"]),
        Duration::from_secs(240),
        |pid| peak = peak.max(open_files(pid)),
    );
    assert_eq!(second.status, 0, "{second}");
    assert!(second.events_of("ticket_created").is_empty(), "{second}");
    // Nothing new: Jira is asked for its field list at start-up, and for nothing else.
    let jira = h.jira.stats();
    assert_eq!((jira.total, jira.get(route::FIELD)), (1, 1), "{jira:?}");
    assert!(h.mcas.iter().all(|fake| fake.stats().total == 1), "one read per tenant");
    h.assert_one_ticket_per_alert();
}

#[test]
fn the_pacing_window_holds_across_two_runs_one_right_after_the_other() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
    // The first run, with room to spare: how many requests does reading three alerts one a page
    // take? They all go at once.
    h.edit_config(|text| {
        *text = text.replace(
            "requests_per_minute = 0",
            "requests_per_minute = 100\npacing_window = \"6s\"\npage_size = 1",
        );
    });
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 0, "{first}");
    let reads = h.mcas[0].arrivals().len();
    assert!(reads >= 2, "{reads} requests");

    // The second run, at once, allowed one more request than the first made in the same 6 s
    // window, and re-reading everything (`--since`): the state store tells it about the first
    // run's requests, so all but one of its own wait for the window to pass.
    h.edit_config(|text| {
        *text = text.replace("requests_per_minute = 100", &format!("requests_per_minute = {}", reads + 1));
    });
    let second = h.run(["run", "--json", "--since", "7d"]);
    assert_eq!(second.status, 0, "{second}");
    let arrivals = h.mcas[0].arrivals();
    assert!(arrivals.len() >= reads + 2, "{} requests in both runs", arrivals.len());

    // What MCAS would count: no window holds more than the limit. Requests arrive a little after
    // they start (how long varies, more on a busy machine), so the check allows them half a
    // second of it; without the first run's times the second run's requests would all arrive
    // within a second or two of the first run's.
    let window = Duration::from_millis(5_500);
    let limit = reads + 1;
    for pair in arrivals.windows(limit + 1) {
        assert!(
            pair[limit] - pair[0] >= window,
            "{} requests within {:?}: {:?}",
            limit + 1,
            pair[limit] - pair[0],
            arrivals.iter().map(|at| *at - arrivals[0]).collect::<Vec<_>>()
        );
    }
}
