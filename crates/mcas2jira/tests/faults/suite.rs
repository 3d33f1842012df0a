//! The fault suite: each scenario injects its faults into the fakes, runs the binary, reruns it
//! until a run completes, and counts tickets; one test runs them all and prints the totals.

use std::fs::File;
use std::path::PathBuf;
use std::time::Duration;

use crate::support::{
    FaultKind, Harness, HarnessOptions, RunOutput, abuseipdb_route, alerts, mcas_route, route, scenario,
};
use crate::totals::{HEADER, Totals};

/// What one scenario found.
pub struct Outcome {
    pub name: &'static str,
    pub totals: Totals,
    pub problems: Vec<String>,
}

/// A scenario in progress: its harness, its figures and what went wrong.
pub struct Ctx {
    pub name: &'static str,
    pub h: Harness,
    pub totals: Totals,
    pub problems: Vec<String>,
}

impl Ctx {
    pub fn new(name: &'static str, h: Harness) -> Ctx {
        Ctx { name, h, totals: Totals::default(), problems: Vec::new() }
    }

    /// Counts `n` injected faults.
    pub fn faults(&mut self, n: u32) {
        self.totals.faults += u64::from(n);
    }

    /// `mcas2jira run --json`, which must end with one of `expected`.
    pub fn run(&mut self, expected: &[i32]) -> RunOutput {
        let out = self.h.run(["run", "--json"]);
        self.totals.runs += 1;
        if !expected.contains(&out.status) {
            self.problems.push(format!(
                "run {}: status {}, expected {expected:?}\n{}",
                self.totals.runs,
                out.status,
                tail(&out)
            ));
        }
        out
    }

    /// Reruns until a run completes (status 0), at most three times.
    pub fn settle(&mut self) {
        let mut last = None;
        for _ in 0..3 {
            let out = self.h.run(["run", "--json"]);
            self.totals.runs += 1;
            if out.status == 0 {
                return;
            }
            if out.status != 3 {
                self.problems.push(format!("rerun: status {}\n{}", out.status, tail(&out)));
            }
            last = Some(out);
        }
        let last = last.map(|out| tail(&out)).unwrap_or_default();
        self.problems.push(format!("no rerun completed within three runs; the last one:\n{last}"));
    }

    /// Counts the tickets; faults queued but never reached are taken back off the count.
    pub fn finish(mut self) -> Outcome {
        let mut pending = self.h.jira.pending_faults();
        pending += self.h.mcas.iter().map(|m| m.pending_faults()).sum::<u64>();
        pending += self.h.abuseipdb.as_ref().map_or(0, |a| a.pending_faults());
        self.totals.faults = self.totals.faults.saturating_sub(pending);
        self.totals.count(&self.h);
        if self.totals.duplicates > 0 || self.totals.missing > 0 {
            self.problems.push(format!(
                "{} duplicate and {} missing tickets",
                self.totals.duplicates, self.totals.missing
            ));
        }
        Outcome { name: self.name, totals: self.totals, problems: self.problems }
    }
}

/// The end of a run's output, for problem reports.
fn tail(out: &RunOutput) -> String {
    let lines: Vec<&str> = out.stderr.lines().collect();
    let from = lines.len().saturating_sub(8);
    format!(
        "stdout: {}\nstderr (end): {}",
        out.stdout.lines().last().unwrap_or_default(),
        lines[from..].join("\n")
    )
}

/// Sets `[fetch] page_size`, so that a few alerts make several pages.
pub fn page_size(h: &Harness, size: u32) {
    h.edit_config(|text| {
        *text =
            text.replace("requests_per_minute = 0", &format!("requests_per_minute = 0\npage_size = {size}"))
    });
}

fn one_tenant(n: usize) -> HarnessOptions {
    HarnessOptions::default().tenant("contoso", alerts("contoso", n))
}

fn mcas_page_error_mid_stream() -> Outcome {
    let mut c = Ctx::new("MCAS 500 on the second page", Harness::start(one_tenant(12)));
    page_size(&c.h, 4);
    // The first page is served; the second fails on the first try and on every retry.
    c.h.mcas[0].fail_next(mcas_route::LIST, 1, FaultKind::Delay(Duration::ZERO));
    c.h.mcas[0].fail_next(mcas_route::LIST, 4, FaultKind::Status(500));
    c.faults(4);
    let out = c.run(&[3]);
    if out.events_of("tenant_failed").len() != 1 || out.events_of("ticket_created").len() != 4 {
        c.problems.push(format!(
            "first run: expected the first page ticketed and the tenant failed: {:?}",
            out.event_counts()
        ));
    }
    c.settle();
    c.finish()
}

fn mcas_throttled() -> Outcome {
    let mut c = Ctx::new("MCAS 429 (Retry-After 1 s)", Harness::start(one_tenant(6)));
    c.h.mcas[0].fail_next(mcas_route::LIST, 2, FaultKind::RateLimit { retry_after_secs: 1 });
    c.faults(2);
    c.run(&[0]);
    c.finish()
}

fn abuseipdb_answers_lost() -> Outcome {
    // A transport error mid-answer, as a timeout gives: the binary's AbuseIPDB timeout is the
    // client's 30 s default, too long for a suite run on every CI pass.
    let mut c = Ctx::new("AbuseIPDB answers lost", Harness::start(one_tenant(6)));
    c.h.abuseipdb.as_ref().unwrap().fail_next(abuseipdb_route::CHECK, 12, FaultKind::LoseResponse);
    c.faults(12);
    c.run(&[0]);
    c.finish()
}

fn abuseipdb_timeouts() -> Outcome {
    // Real timeouts: every look-up of the first round hangs past the configured 1 s timeout; the
    // look-ups are retried (they are idempotent) and those still hanging end "unavailable". The
    // tickets are made all the same.
    let mut c = Ctx::new("AbuseIPDB timeouts (1 s timeout, 3 s delays)", Harness::start(one_tenant(6)));
    c.h.edit_config(|text| *text = text.replace("[abuseipdb]\n", "[abuseipdb]\ntimeout = \"1s\"\n"));
    c.h.abuseipdb.as_ref().unwrap().fail_next(
        abuseipdb_route::CHECK,
        8,
        FaultKind::Delay(Duration::from_secs(3)),
    );
    c.faults(8);
    c.run(&[0]);
    c.finish()
}

fn abuseipdb_quota() -> Outcome {
    let mut c = Ctx::new("AbuseIPDB quota exhausted", Harness::start(one_tenant(6).abuseipdb_quota(1)));
    c.faults(1);
    c.run(&[0]);
    c.finish()
}

fn abuseipdb_503() -> Outcome {
    let mut c = Ctx::new("AbuseIPDB 503", Harness::start(one_tenant(6)));
    c.h.abuseipdb.as_ref().unwrap().fail_next(abuseipdb_route::CHECK, 8, FaultKind::Status(503));
    c.faults(8);
    c.run(&[0]);
    c.finish()
}

fn jira(
    name: &'static str,
    options: HarnessOptions,
    at: &'static str,
    fault: FaultKind,
    n: u32,
    first: &[i32],
) -> Outcome {
    let mut c = Ctx::new(name, Harness::start(options));
    c.h.jira.fail_next(at, n, fault);
    c.faults(n);
    c.run(first);
    c.settle();
    c.finish()
}

fn single(options: HarnessOptions) -> HarnessOptions {
    options.extra_config("[pipeline]\nbulk_create = false")
}

fn pass_locked() -> Outcome {
    let mut c = Ctx::new("state store locked by another pass", Harness::start(one_tenant(4)));
    let lock_path = PathBuf::from(format!("{}.lock", c.h.state_path.display()));
    let lock = File::create(&lock_path).unwrap();
    lock.try_lock().unwrap();
    c.faults(1);
    let out = c.run(&[1]);
    if !out.stderr.contains("lock") || c.h.jira.issue_count() != 0 {
        c.problems.push(format!("a locked store must stop the pass before any ticket: {}", tail(&out)));
    }
    drop(lock);
    c.settle();
    c.finish()
}

fn sqlite_busy() -> Outcome {
    let all = alerts("contoso", 8);
    let mut c = Ctx::new(
        "state store busy (write lock 1.5 s)",
        Harness::start(HarnessOptions::default().tenant("contoso", all[..4].to_vec())),
    );
    c.run(&[0]);
    c.h.mcas[0].add_alerts(all[4..].to_vec());
    let conn = rusqlite::Connection::open(&c.h.state_path).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let holder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        conn.execute_batch("COMMIT").unwrap();
    });
    c.faults(1);
    // The store waits for the lock (busy timeout) rather than failing.
    c.run(&[0]);
    holder.join().unwrap();
    c.finish()
}

/// Makes a file read-only for this process, even as root (immutable attribute), until dropped.
struct ReadOnly {
    path: PathBuf,
    immutable: bool,
}

impl ReadOnly {
    fn set(path: PathBuf) -> Option<ReadOnly> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).ok()?;
        if std::fs::OpenOptions::new().append(true).open(&path).is_err() {
            return Some(ReadOnly { path, immutable: false });
        }
        // Root ignores permission bits; the immutable attribute binds it too.
        let ok =
            std::process::Command::new("chattr").arg("+i").arg(&path).status().is_ok_and(|s| s.success());
        (ok && std::fs::OpenOptions::new().append(true).open(&path).is_err())
            .then_some(ReadOnly { path, immutable: true })
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.immutable {
            let _ = std::process::Command::new("chattr").arg("-i").arg(&self.path).status();
        }
        let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o644));
    }
}

fn read_only_state() -> Outcome {
    let all = alerts("contoso", 8);
    let mut c = Ctx::new(
        "state store read-only",
        Harness::start(HarnessOptions::default().tenant("contoso", all[..4].to_vec())),
    );
    c.run(&[0]);
    c.h.mcas[0].add_alerts(all[4..].to_vec());
    let before = c.h.jira.issue_count();
    match ReadOnly::set(c.h.state_path.clone()) {
        Some(guard) => {
            c.faults(1);
            // A state file that cannot be written is for the operator to fix: status 2.
            let out = c.run(&[2]);
            if !out.stderr.contains("read-only") && !out.stderr.contains("readonly") {
                c.problems.push(format!("a read-only store must be named: {}", tail(&out)));
            }
            if c.h.jira.issue_count() != before {
                c.problems.push("tickets were created although the store could not record them".to_owned());
            }
            drop(guard);
        }
        None => eprintln!(
            "state store read-only: skipped, this machine cannot make a file read-only for this user"
        ),
    }
    c.settle();
    c.finish()
}

const RATE_LIMIT: FaultKind = FaultKind::RateLimit { retry_after_secs: 1 };

fn two_tenants_bulk(n: u64) -> HarnessOptions {
    HarnessOptions::default()
        .tenant("contoso", scenario::bulk_alerts(11, n, "contoso", 8))
        .tenant("fabrikam", scenario::bulk_alerts(12, n, "fabrikam", 8))
}

/// Every scenario, with the totals printed and any problem failing the test.
#[test]
fn fault_suite() {
    let scenarios: Vec<fn() -> Outcome> = vec![
        mcas_page_error_mid_stream,
        mcas_throttled,
        abuseipdb_answers_lost,
        abuseipdb_timeouts,
        abuseipdb_quota,
        abuseipdb_503,
        || {
            jira(
                "Jira 500 on the label search",
                one_tenant(6),
                route::SEARCH,
                FaultKind::Status(500),
                4,
                &[3],
            )
        },
        || {
            jira(
                "Jira 503 on bulk create",
                two_tenants_bulk(30),
                route::BULK_CREATE,
                FaultKind::Status(503),
                2,
                &[3],
            )
        },
        || jira("Jira 429 on bulk create", one_tenant(6), route::BULK_CREATE, RATE_LIMIT, 1, &[0]),
        || {
            jira(
                "Jira 500 on single creates",
                single(one_tenant(6)),
                route::CREATE,
                FaultKind::Status(500),
                3,
                &[3],
            )
        },
        || {
            jira(
                "Jira 503 at start-up (fields)",
                one_tenant(4),
                route::FIELD,
                FaultKind::Status(503),
                4,
                &[1],
            )
        },
        || {
            jira(
                "Jira bulk create answer lost",
                two_tenants_bulk(30),
                route::BULK_CREATE,
                FaultKind::LoseResponse,
                1,
                &[3],
            )
        },
        || {
            jira(
                "Jira create answers lost",
                single(one_tenant(6)),
                route::CREATE,
                FaultKind::LoseResponse,
                2,
                &[3],
            )
        },
        pass_locked,
        sqlite_busy,
        read_only_state,
        crate::kill::sigkill_rounds,
        crate::kill::sigterm_rounds,
    ];
    // Two workers: the scenarios are independent, each with its own fakes and files.
    let (left, right): (Vec<_>, Vec<_>) = scenarios.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let mut outcomes: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = [left, right]
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(|(i, f)| (i, f())).collect::<Vec<_>>()))
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("a scenario panicked")).collect()
    });
    outcomes.sort_by_key(|(i, _)| *i);

    let mut total = Totals::default();
    let mut report = format!("fault suite\n{:<40}{HEADER}\n", "scenario");
    let mut problems = Vec::new();
    for (_, outcome) in &outcomes {
        total.add(&outcome.totals);
        report.push_str(&format!("{:<40}{}\n", outcome.name, outcome.totals));
        problems.extend(outcome.problems.iter().map(|p| format!("{}: {p}", outcome.name)));
    }
    report.push_str(&format!("{:<40}{}\n", "TOTAL", total));
    eprintln!("{report}");
    assert!(problems.is_empty(), "{report}\n{}", problems.join("\n\n"));
    assert_eq!((total.duplicates, total.missing), (0, 0));
}
