//! The real binary over many tenants, as an MSSP runs it: `mcas2jira run` (the release build
//! cargo made for this benchmark) as a child process under an open-file limit, the default config
//! (MCAS pacing on), stderr to a file, two passes one after the other, the second finding nothing
//! new. The fakes run here, in the benchmark's process; the child's peak resident set (`VmHWM`),
//! open files and CPU time are read from /proc while it runs, and its start-up time is the time
//! from its start to the first request any fake receives.
//!
//! With `--baseline PATH`, another build of the binary (say, of the previous commit) then runs
//! the same scenario on fresh fakes and a fresh state file, and the two are compared.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::bounds::Work;
use crate::memory::vm_hwm;
use crate::setup::{Fakes, Knobs, Requests, Scenario};

/// What one pass of the binary cost.
#[derive(Debug, Clone)]
struct Figures {
    wall: Duration,
    cpu: Duration,
    start_up: Option<Duration>,
    peak_kib: u64,
    peak_files: usize,
    exit: i32,
    requests: Requests,
}

pub async fn run(
    scenario: &Scenario,
    knobs: &Knobs,
    work: &Work,
    open_files: u32,
    dir: &Path,
    baseline: Option<&Path>,
) {
    let ours = Path::new(env!("CARGO_BIN_EXE_mcas2jira"));
    let knobs = Knobs { pacing: true, ..knobs.clone() };
    let sequential = scenario.latency * u32::try_from(work.sequential_requests()).unwrap_or(u32::MAX);
    let first_bound = work.critical_path(&knobs, scenario.latency);
    let second_bound = work.reread_bound(&knobs, scenario.latency);
    let bounds = [first_bound, second_bound];

    let mine = passes(ours, scenario, &knobs, open_files, dir, "ours").await;
    for (index, (figures, bound)) in mine.iter().zip(&bounds).enumerate() {
        println!();
        println!("{}:", if index == 0 { "first pass" } else { "second pass, nothing new" });
        print_figures(figures, open_files);
        println!("  critical-path bound: {bound}");
        println!(
            "  wall time / critical-path bound: {:.2}",
            figures.wall.as_secs_f64() / bound.time().as_secs_f64()
        );
        if index == 0 {
            println!(
                "  speed-up over the sequential cost: {:.1}x (target >= 40x)",
                sequential.as_secs_f64() / figures.wall.as_secs_f64()
            );
        }
    }

    let Some(baseline) = baseline else { return };
    let theirs = passes(baseline, scenario, &knobs, open_files, dir, "baseline").await;
    println!();
    println!("baseline `{}`, same scenario, fresh fakes and state:", baseline.display());
    for (index, (figures, mine)) in theirs.iter().zip(&mine).enumerate() {
        println!();
        println!("{} (baseline):", if index == 0 { "first pass" } else { "second pass, nothing new" });
        print_figures(figures, open_files);
        println!(
            "  this build against the baseline: wall {:.2}x faster, peak RSS {:.2}x smaller, start-up {}",
            figures.wall.as_secs_f64() / mine.wall.as_secs_f64(),
            figures.peak_kib as f64 / mine.peak_kib.max(1) as f64,
            match (figures.start_up, mine.start_up) {
                (Some(theirs), Some(ours)) =>
                    format!("{:.1}x shorter", theirs.as_secs_f64() / ours.as_secs_f64()),
                _ => "not comparable".to_owned(),
            }
        );
    }
}

fn print_figures(figures: &Figures, open_files: u32) {
    println!("  wall time: {:.2} s, exit status {}", figures.wall.as_secs_f64(), figures.exit);
    println!("  CPU time of the binary: about {} ms", figures.cpu.as_millis());
    println!(
        "  start-up (start to the first request a fake received): {}",
        figures.start_up.map_or("no request".to_owned(), |d| format!("{:.0} ms", d.as_secs_f64() * 1e3))
    );
    println!(
        "  peak RSS: {:.1} MiB; peak open files: {} (limit {open_files})",
        figures.peak_kib as f64 / 1024.0,
        figures.peak_files
    );
    println!("  requests: {}", figures.requests);
}

/// Two passes of `binary` over fresh fakes and a fresh state file.
async fn passes(
    binary: &Path,
    scenario: &Scenario,
    knobs: &Knobs,
    open_files: u32,
    dir: &Path,
    name: &str,
) -> Vec<Figures> {
    let started = Instant::now();
    let fakes = Fakes::start(&scenario.generators(), scenario.latency).await;
    println!(
        "{name}: fakes started in {:.1} s ({} MCAS tenants); `{} run`, default config (MCAS pacing on), \
         ulimit -n {open_files}, stderr to a file",
        started.elapsed().as_secs_f64(),
        fakes.mcas.len(),
        binary.display()
    );
    let config = dir.join(format!("{name}.toml"));
    let state = dir.join(format!("{name}.db"));
    std::fs::write(&config, fakes.config_toml(knobs, &state)).expect("config written");
    let mut all = Vec::new();
    for pass in 0..2 {
        fakes.reset_stats();
        let stderr = dir.join(format!("{name}-{pass}.stderr"));
        let figures = one_pass(binary, &config, open_files, &stderr, &fakes).await;
        let lines = std::fs::read_to_string(&stderr).unwrap_or_default().lines().count();
        println!(
            "  pass {}: {:.2} s, exit {}, {} issues in the fake Jira, {lines} lines on stderr ({})",
            pass + 1,
            figures.wall.as_secs_f64(),
            figures.exit,
            fakes.jira.issue_count(),
            stderr.display()
        );
        all.push(figures);
    }
    all
}

async fn one_pass(binary: &Path, config: &Path, open_files: u32, stderr: &Path, fakes: &Fakes) -> Figures {
    let stderr = std::fs::File::create(stderr).expect("stderr file");
    let started = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n \"$1\" && shift && exec \"$@\"")
        .arg("sh")
        .arg(open_files.to_string())
        .arg(binary)
        .arg("run")
        .arg("--config")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("mcas2jira starts");
    let pid = child.id();
    let (mut peak_kib, mut peak_files, mut ticks) = (0, 0, 0);
    let status = loop {
        // All three only grow while the child runs, so the last readings are the peaks (up to
        // the last few milliseconds, the end of the process).
        if let Some(kib) = read(pid, "status").as_deref().and_then(vm_hwm) {
            peak_kib = peak_kib.max(kib);
        }
        if let Ok(files) = std::fs::read_dir(format!("/proc/{pid}/fd")) {
            peak_files = peak_files.max(files.count());
        }
        if let Some(now) = read(pid, "stat").as_deref().and_then(cpu_ticks) {
            ticks = ticks.max(now);
        }
        if let Some(status) = child.try_wait().expect("child status") {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    Figures {
        wall: started.elapsed(),
        // Clock ticks are 1/100 s on Linux.
        cpu: Duration::from_millis(ticks * 10),
        start_up: fakes.first_arrival().map(|first| first.saturating_duration_since(started)),
        peak_kib,
        peak_files,
        exit: status.code().unwrap_or(-1),
        requests: fakes.requests(),
    }
}

fn read(pid: u32, file: &str) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()
}

/// User plus system CPU time, in clock ticks, from /proc/<pid>/stat (fields 14 and 15, counted
/// after the command name, which may hold spaces but ends with the last `)`).
fn cpu_ticks(stat: &str) -> Option<u64> {
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}
