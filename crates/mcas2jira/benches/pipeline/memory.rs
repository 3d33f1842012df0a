//! Peak memory of the real binary: `mcas2jira run` (the release build cargo made for this
//! benchmark) as a child process over one fake tenant of N alerts, pacing off, no latency, the
//! fake Jira keeping no issue content. The fakes run here, in the benchmark's process; the child's
//! `VmHWM` (peak resident set) is read from /proc while it runs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mcas2jira_fakes::scenario::BulkAlerts;

use crate::setup::{Fakes, Knobs, tenant_name};

/// Distinct public IPs of the memory runs: fixed, so that only the number of alerts grows.
const UNIQUE_IPS: u64 = 1_000;

pub async fn run(sizes: &[u64], seed: u64, dir: &Path) {
    let binary = env!("CARGO_BIN_EXE_mcas2jira");
    println!("memory: peak RSS of `{binary} run`, one tenant, {UNIQUE_IPS} distinct public IPs");
    for &n in sizes {
        let generator = BulkAlerts::new(seed, n, &tenant_name(0), UNIQUE_IPS);
        let fakes = Fakes::start(&[generator], Duration::ZERO).await;
        let config = dir.join(format!("memory-{n}.toml"));
        let state = dir.join(format!("memory-{n}.db"));
        std::fs::write(&config, fakes.config_toml(&Knobs::default(), &state)).expect("config written");
        let started = Instant::now();
        let mut child = Command::new(binary)
            .arg("run")
            .arg("--quiet")
            .arg("--config")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("mcas2jira starts");
        let status_file = format!("/proc/{}/status", child.id());
        let mut peak_kib = 0;
        let status = loop {
            // VmHWM only grows, so the last reading before the exit is the peak (up to the last
            // few milliseconds, which are the drop of the pass).
            if let Some(kib) = std::fs::read_to_string(&status_file).ok().as_deref().and_then(vm_hwm) {
                peak_kib = peak_kib.max(kib);
            }
            if let Some(status) = child.try_wait().expect("child status") {
                break status;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let wall = started.elapsed();
        println!(
            "  {n:>7} alerts: peak RSS {:>6.1} MiB, {:.1} s, exit {}, {} issues in the fake Jira, {}",
            peak_kib as f64 / 1024.0,
            wall.as_secs_f64(),
            status.code().unwrap_or(-1),
            fakes.jira.issue_count(),
            fakes.requests()
        );
    }
}

/// The `VmHWM:` line of /proc/<pid>/status, in KiB.
pub fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
