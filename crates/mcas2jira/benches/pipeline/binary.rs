//! The real binary over many tenants, as an MSSP runs it: `mcas2jira run` (the release build
//! cargo made for this benchmark) as a child process under an open-file limit, the default config
//! (MCAS pacing on), stderr to a file, two passes one after the other, the second finding nothing
//! new. The fakes run here, in the benchmark's process; the child's peak resident set (`VmHWM`)
//! and open files are read from /proc while it runs, and its start-up time is the time from its
//! start to the first request any fake receives.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::bounds::{Bound, Work};
use crate::memory::vm_hwm;
use crate::setup::{Fakes, Knobs, Scenario};

pub async fn run(scenario: &Scenario, knobs: &Knobs, work: &Work, open_files: u32, dir: &Path) {
    let binary = env!("CARGO_BIN_EXE_mcas2jira");
    let knobs = Knobs { pacing: true, ..knobs.clone() };
    let started = Instant::now();
    let fakes = Fakes::start(&scenario.generators(), scenario.latency).await;
    println!("fakes started in {:.1} s ({} MCAS tenants)", started.elapsed().as_secs_f64(), fakes.mcas.len());
    let config = dir.join("binary.toml");
    let state = dir.join("binary.db");
    std::fs::write(&config, fakes.config_toml(&knobs, &state)).expect("config written");
    println!(
        "binary: `{binary} run`, default config (MCAS pacing on), ulimit -n {open_files}, stderr to a file"
    );

    let sequential = scenario.latency * u32::try_from(work.sequential_requests()).unwrap_or(u32::MAX);
    let first_bound = work.critical_path(&knobs, scenario.latency);
    // With nothing new, a pass is one MCAS read per tenant, `concurrency` tenants at a time.
    let reads = work.tenants.len().div_ceil(knobs.concurrency().max(1)) as u64;
    let second_bound = Bound { rounds: reads, windows: 0, latency: scenario.latency };

    let passes = [("first pass", first_bound), ("second pass, nothing new", second_bound)];
    for (index, (pass, bound)) in passes.into_iter().enumerate() {
        fakes.reset_stats();
        let stderr_path = dir.join(format!("binary-{index}.stderr"));
        let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
        let started = Instant::now();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("ulimit -n \"$1\" && shift && exec \"$@\"")
            .arg("sh")
            .arg(open_files.to_string())
            .arg(binary)
            .arg("run")
            .arg("--config")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("mcas2jira starts");
        let pid = child.id();
        let (mut peak_kib, mut peak_files, mut cpu_ticks) = (0, 0, 0);
        let status = loop {
            // Both only matter while the child runs; VmHWM only grows, so its last reading is
            // the peak (up to the last few milliseconds, the end of the process).
            if let Some(kib) =
                std::fs::read_to_string(format!("/proc/{pid}/status")).ok().as_deref().and_then(vm_hwm)
            {
                peak_kib = peak_kib.max(kib);
            }
            if let Ok(files) = std::fs::read_dir(format!("/proc/{pid}/fd")) {
                peak_files = peak_files.max(files.count());
            }
            if let Some(ticks) =
                std::fs::read_to_string(format!("/proc/{pid}/stat")).ok().as_deref().and_then(cpu)
            {
                cpu_ticks = cpu_ticks.max(ticks);
            }
            if let Some(status) = child.try_wait().expect("child status") {
                break status;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let wall = started.elapsed();
        let start_up = fakes.first_arrival().map(|first| first.saturating_duration_since(started));
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        println!();
        println!("{pass}:");
        println!("  wall time: {:.2} s, exit status {}", wall.as_secs_f64(), status.code().unwrap_or(-1));
        // Clock ticks are 1/100 s on Linux; the last reading misses the process's final moments.
        println!("  CPU time of the binary: about {} ms", cpu_ticks * 10);
        println!(
            "  start-up (start to the first request a fake received): {}",
            start_up.map_or("no request".to_owned(), |d| format!("{:.0} ms", d.as_secs_f64() * 1e3))
        );
        println!(
            "  peak RSS: {:.1} MiB; peak open files: {peak_files} (limit {open_files})",
            peak_kib as f64 / 1024.0
        );
        println!("  requests: {}; issues in the fake Jira: {}", fakes.requests(), fakes.jira.issue_count());
        println!("  critical-path bound: {bound}");
        println!("  wall time / critical-path bound: {:.2}", wall.as_secs_f64() / bound.time().as_secs_f64());
        if index == 0 {
            println!(
                "  speed-up over the sequential cost: {:.1}x (target >= 40x)",
                sequential.as_secs_f64() / wall.as_secs_f64()
            );
        }
        let lines: Vec<&str> = stderr.lines().collect();
        println!("  stderr: {} lines{}", lines.len(), if lines.is_empty() { "" } else { ", the first:" });
        for line in lines.iter().take(5) {
            println!("    {line}");
        }
    }
}

/// User plus system CPU time, in clock ticks, from /proc/<pid>/stat (fields 14 and 15, counted
/// after the command name, which may hold spaces but ends with the last `)`).
fn cpu(stat: &str) -> Option<u64> {
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}
