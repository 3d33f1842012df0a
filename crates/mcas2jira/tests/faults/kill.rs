//! Signals at seeded random moments: `run` is killed (by `kill -KILL <pid>`, no `unsafe`) while it
//! reads, tickets and records, and `watch` is stopped (`kill -TERM`) the same way, over and over,
//! with new alerts arriving between runs; then rerun until a run completes. Exactly one ticket
//! per alert, none missing; and a `watch` stopped by SIGTERM exits with status 0 within seconds.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::suite::{Ctx, Outcome, page_size};
use crate::support::{
    ABUSEIPDB_KEY_ENV, FakeAbuseIpdbOptions, FaultKind, Harness, HarnessOptions, JIRA_TOKEN_ENV,
    mcas_token_env, route, scenario,
};

/// Runs of the binary with a kill aimed at them.
const ROUNDS: u64 = 24;
/// The most runs when too few of the first ROUNDS kills hit a run mid-work.
const MAX_ROUNDS: u64 = 48;
/// New alerts per tenant before each round.
const PER_ROUND: usize = 5;
/// The seed of the kill moments and of the extra faults; change it to explore other moments.
const SEED: u64 = 0x5EED_2026;

/// splitmix64: a few lines of seeded randomness, so the moments are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// How long a `watch` may take to exit after SIGTERM.
const STOP_WITHIN: Duration = Duration::from_secs(5);

/// `mcas2jira --config <config> <args>` as a child with nothing captured, so it never blocks on a
/// pipe, with the harness's secrets in its environment.
fn spawn(h: &Harness, args: &[&str]) -> std::process::Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mcas2jira"));
    command.arg("--config").arg(&h.config_path).args(args).current_dir(h.dir());
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command.env(JIRA_TOKEN_ENV, &h.jira.options().token);
    command.env(ABUSEIPDB_KEY_ENV, FakeAbuseIpdbOptions::default().key);
    for i in 0..h.mcas.len() {
        command.env(mcas_token_env(i), format!("mcas-token-{i}"));
    }
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    command.spawn().expect("spawn mcas2jira")
}

pub fn sigkill_rounds() -> Outcome {
    rounds("SIGKILL at random moments", "KILL", &["run", "--json"])
}

pub fn sigterm_rounds() -> Outcome {
    rounds("SIGTERM to watch at random moments", "TERM", &["watch", "--every", "1s", "--json"])
}

/// Rounds of `args` stopped by `signal` (`KILL`, `TERM`) at random moments.
fn rounds(name: &'static str, signal: &str, args: &[&str]) -> Outcome {
    let names = ["contoso", "fabrikam"];
    let pools: Vec<Vec<serde_json::Value>> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            scenario::bulk_alerts(SEED + i as u64, PER_ROUND as u64 * (MAX_ROUNDS + 2), name, 12)
        })
        .collect();
    let mut options = HarnessOptions::default();
    for (name, pool) in names.iter().zip(&pools) {
        options = options.tenant(name, pool[..PER_ROUND].to_vec());
    }
    let mut c = Ctx::new(name, Harness::start(options));
    // Small pages make many transactions per run; latency makes each step last long enough to
    // be killed in.
    page_size(&c.h, 3);
    c.h.jira.set_latency(Duration::from_millis(10));
    for mcas in &c.h.mcas {
        mcas.set_latency(Duration::from_millis(5));
    }

    // How long a run takes on this machine now (shared CI machines vary several-fold): the kill
    // moments are spread over one and a half times that.
    let started = Instant::now();
    c.run(&[0]);
    let window = (started.elapsed() * 3 / 2).max(Duration::from_millis(300));
    let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);

    let mut rng = Rng(SEED);
    let (mut landed, mut finished, mut lost_answers) = (0u64, 0u64, 0u32);
    // Kills that hit a run after it had created some of its tickets: the moments that matter.
    let mut mid_run = 0u64;
    // At least ROUNDS runs; more (up to MAX_ROUNDS) while too few kills have hit a run mid-work,
    // since on a loaded machine the start-up of a run can swallow many of the moments.
    let mut round = 0usize;
    while round < ROUNDS as usize || (mid_run < ROUNDS / 4 && round < MAX_ROUNDS as usize) {
        round += 1;
        for (mcas, pool) in c.h.mcas.iter().zip(&pools) {
            mcas.add_alerts(pool[round * PER_ROUND..(round + 1) * PER_ROUND].to_vec());
        }
        // One round in four also loses a create answer.
        if rng.below(4) == 0 {
            c.h.jira.fail_next(route::BULK_CREATE, 1, FaultKind::LoseResponse);
            lost_answers += 1;
        }
        let before = c.h.jira.issue_count();
        let mut child = spawn(&c.h, args);
        // A SIGTERM before the process handles it ends the process the default way, which is
        // harmless but not what is tested here: its moments count from when it handles SIGTERM.
        if signal == "TERM" {
            wait_until_handled(child.id(), Duration::from_secs(10));
        }
        std::thread::sleep(Duration::from_millis(rng.below(window_ms)));
        let mut signalled = None;
        if child.try_wait().expect("wait").is_none() {
            let _ = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
            signalled = Some(Instant::now());
        }
        let status = wait_at_most(&mut child, STOP_WITHIN * 4);
        c.totals.runs += 1;
        match (signal, signalled) {
            ("KILL", _) if status.signal() == Some(9) => {
                landed += 1;
                mid_run += u64::from(c.h.jira.issue_count() > before);
            }
            ("TERM", Some(at)) => {
                landed += 1;
                mid_run += u64::from(c.h.jira.issue_count() > before);
                if status.code() != Some(0) {
                    c.problems.push(format!("round {round}: SIGTERM gave {status}, not status 0"));
                }
                if at.elapsed() > STOP_WITHIN {
                    c.problems.push(format!("round {round}: {:?} to stop after SIGTERM", at.elapsed()));
                }
            }
            _ => finished += 1,
        }
    }
    let unused = c.h.jira.pending_faults();
    c.totals.faults += landed + u64::from(lost_answers) - unused;
    eprintln!(
        "{name}: {round} runs signalled within {window_ms} ms of their start: {landed} stopped ({mid_run} after creating some tickets), {finished} finished first; \
         {lost_answers} lost create answers queued (seed {SEED:#x})"
    );
    if landed < ROUNDS / 2 || mid_run < ROUNDS / 4 {
        c.problems.push(format!(
            "only {landed} of {round} kills landed, {mid_run} mid-run: the moments miss the work"
        ));
    }
    c.h.jira.set_latency(Duration::ZERO);
    c.h.jira.clear_faults();
    c.settle();
    c.finish()
}

/// Waits until process `pid` catches SIGTERM (its `SigCgt` mask in `/proc/<pid>/status` has
/// signal 15's bit), or it has ended, or `limit` has passed.
fn wait_until_handled(pid: u32, limit: Duration) {
    const SIGTERM_BIT: u64 = 1 << (15 - 1);
    let started = Instant::now();
    while started.elapsed() < limit {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else { return };
        let caught = status
            .lines()
            .find_map(|line| line.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok());
        match caught {
            Some(mask) if mask & SIGTERM_BIT != 0 => return,
            // A zombie has no mask line worth reading: it has ended.
            None => return,
            Some(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

/// Waits for `child`, killing it after `limit` (a `watch` that would not stop), so that the suite
/// reports the problem rather than hang.
fn wait_at_most(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            return child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
