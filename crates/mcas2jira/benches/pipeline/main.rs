//! The pipeline benchmark (issues 9 and 20): the real pass against the latency-injecting fakes
//! on loopback. It prints the wall time, the requests each service answered, the sequential cost
//! of the same work done the way the original script did it, the critical-path bound of the
//! configured concurrency and limits, and both ratios, with MCAS pacing off and as the default
//! config has it, the runs alternating; `--levers` measures each lever with and without;
//! `--memory` measures the peak RSS of the real `mcas2jira run` binary over one large tenant;
//! `--binary` runs the real binary over many tenants under an open-file limit (peak RSS, peak
//! open files, start-up time, and a second pass with nothing new).
//!
//! ```text
//! cargo bench -p mcas2jira --bench pipeline -- --alerts 600 --tenants 3 --latency-ms 15 --unique-ips 300
//! cargo bench -p mcas2jira --bench pipeline -- --levers
//! cargo bench -p mcas2jira --bench pipeline -- --memory 10000,50000,100000
//! cargo bench -p mcas2jira --bench pipeline -- --binary --tenants 1000 --alerts 8000 --unique-ips 8 --ip-stride 4
//! cargo bench -p mcas2jira --bench pipeline -- --sweep 500,2400,10000
//! ```
//!
//! BENCHMARKS.md at the repository root has the figures and how the bounds are derived. Nothing
//! here runs in CI.

#![allow(missing_docs)]

mod binary;
mod bounds;
mod levers;
mod memory;
mod serve;
mod setup;
mod sweep;

use std::time::Duration;

use clap::Parser;

use crate::bounds::Work;
use crate::setup::{Knobs, Scenario, fresh_pass};

/// Benchmark of one mcas2jira pass against the fakes.
#[derive(Debug, Parser)]
struct Args {
    /// Alerts in all, spread over the tenants.
    #[arg(long, default_value_t = 600)]
    alerts: u64,
    /// Tenants (one fake MCAS each).
    #[arg(long, default_value_t = 3)]
    tenants: u64,
    /// Latency of every request to every fake, in milliseconds.
    #[arg(long, default_value_t = 15)]
    latency_ms: u64,
    /// Distinct public IPs of each tenant's alerts.
    #[arg(long, default_value_t = 300)]
    unique_ips: u64,
    /// Tenant `t`'s addresses start at address number `t * ip_stride` (0: every tenant's alerts
    /// carry the same addresses).
    #[arg(long, default_value_t = 0)]
    ip_stride: u64,
    /// Seed of the alert generator.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Timed passes of the main run (fresh fakes and state each); the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// `[pipeline] concurrency` (tenants at once); default: the config's default.
    #[arg(long)]
    concurrency: Option<usize>,
    /// `[pipeline] jira_concurrency` (Jira requests in flight).
    #[arg(long)]
    jira_concurrency: Option<usize>,
    /// `[pipeline] lookup_concurrency`.
    #[arg(long)]
    lookup_concurrency: Option<usize>,
    /// `[pipeline] create_concurrency`.
    #[arg(long)]
    create_concurrency: Option<usize>,
    /// `[pipeline] bulk_create = false`: one create request per ticket.
    #[arg(long)]
    no_bulk: bool,
    /// Also measure each lever with and without.
    #[arg(long)]
    levers: bool,
    /// Instead: peak RSS of `mcas2jira run` over one tenant of each of these alert counts.
    #[arg(long, value_delimiter = ',', value_name = "N,N,..")]
    memory: Vec<u64>,
    /// Instead: the real `mcas2jira run` binary, default config (pacing on), over the scenario,
    /// under `--open-files`, twice (the second pass finds nothing new).
    #[arg(long)]
    binary: bool,
    /// The open-file limit (`ulimit -n`) the binary runs under with `--binary`.
    #[arg(long, default_value_t = 1024)]
    open_files: u32,
    /// With `--binary`: then run this other build of `mcas2jira` over the same scenario, and
    /// compare.
    #[arg(long)]
    baseline: Option<std::path::PathBuf>,
    /// Instead: serve the scenario's fakes for this many seconds, with a config and secrets file
    /// in the work directory, to run the binary against by hand.
    #[arg(long, value_name = "SECONDS")]
    serve: Option<u64>,
    /// Keep the configs, state files and the binary's stderr in this directory instead of a
    /// temporary one.
    #[arg(long)]
    work_dir: Option<std::path::PathBuf>,
    /// Instead: the cost of one reconcile sweep of a tenant with each of these alert counts in
    /// its window, under MCAS pacing.
    #[arg(long, value_delimiter = ',', value_name = "N,N,..")]
    sweep: Vec<u64>,
    /// MCAS requests a minute for `--sweep` (the documented throttle).
    #[arg(long, default_value_t = 30)]
    pace: u32,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(run(args));
}

async fn run(args: Args) {
    let temporary = tempfile::tempdir().expect("temporary directory");
    let dir = match &args.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).expect("work directory");
            dir.clone()
        }
        None => temporary.path().to_owned(),
    };
    print_machine();
    if !args.memory.is_empty() {
        memory::run(&args.memory, args.seed, &dir).await;
        return;
    }
    if !args.sweep.is_empty() {
        sweep::run(&args.sweep, args.pace, Duration::from_millis(args.latency_ms), args.seed, &dir).await;
        return;
    }
    let scenario = Scenario {
        alerts: args.alerts,
        tenants: args.tenants,
        latency: Duration::from_millis(args.latency_ms),
        unique_ips: args.unique_ips,
        ip_stride: args.ip_stride,
        seed: args.seed,
    };
    let knobs = Knobs {
        concurrency: args.concurrency,
        jira_concurrency: args.jira_concurrency,
        lookup_concurrency: args.lookup_concurrency,
        create_concurrency: args.create_concurrency,
        bulk_create: args.no_bulk.then_some(false),
        pacing: false,
    };
    let work = Work::of(&scenario.generators());
    println!(
        "scenario: {} alerts over {} tenants, {} distinct public IPs ({} occurrences), {} ms per request",
        work.alerts, scenario.tenants, work.unique_ips, work.ip_occurrences, args.latency_ms
    );
    println!(
        "pipeline: concurrency {}, jira_concurrency {}, lookup_concurrency {}, create_concurrency {}, bulk_create {}",
        knobs.concurrency(),
        knobs.jira_concurrency(),
        knobs.lookup_concurrency(),
        knobs.create_concurrency(),
        knobs.bulk_create()
    );
    let sequential = work.sequential_requests();
    let sequential_time = scenario.latency * u32::try_from(sequential).unwrap_or(u32::MAX);
    println!(
        "sequential cost (original script): {sequential} requests ({} pages, {} look-ups, {} creates) x {} ms = {:.2} s",
        work.tenants.iter().map(Vec::len).sum::<usize>(),
        2 * work.ip_occurrences,
        work.alerts,
        args.latency_ms,
        sequential_time.as_secs_f64()
    );
    if let Some(seconds) = args.serve {
        serve::run(&scenario, &knobs, &dir, seconds).await;
        return;
    }
    if args.binary {
        binary::run(&scenario, &knobs, &work, args.open_files, &dir, args.baseline.as_deref()).await;
        return;
    }

    // Pacing off and on, alternating, so that both see the same load on the machine.
    let paced = Knobs { pacing: true, ..knobs.clone() };
    let mut passes: [Vec<setup::Pass>; 2] = [Vec::new(), Vec::new()];
    for run in 0..args.runs.max(1) {
        for (which, knobs) in [&knobs, &paced].into_iter().enumerate() {
            let pass = fresh_pass(&scenario, knobs, &dir, &format!("main{run}-{which}")).await;
            let name = if knobs.pacing { "pacing on " } else { "pacing off" };
            println!("  run {} {name}: {}", run + 1, pass.line());
            passes[which].push(pass);
        }
    }
    for (which, knobs) in [&knobs, &paced].into_iter().enumerate() {
        let runs = &mut passes[which];
        runs.sort_by_key(|p| p.wall);
        let median = &runs[runs.len() / 2];
        let bound = work.critical_path(knobs, scenario.latency);
        let wall = median.wall.as_secs_f64();
        println!();
        println!(
            "MCAS pacing {}:",
            if knobs.pacing { "as the default config has it (30 in any 62 s per tenant)" } else { "off" }
        );
        println!("  wall time (median of {}): {:.1} ms", runs.len(), wall * 1e3);
        println!(
            "  CPU time of the process during the pass: {:.0} ms; threads waiting for a core: {:.0} ms",
            median.cpu.as_secs_f64() * 1e3,
            median.run_queue.as_secs_f64() * 1e3
        );
        println!("  requests: {}", median.requests);
        println!("  critical-path bound: {bound}");
        println!(
            "  speed-up over the sequential cost: {:.1}x (target >= 40x)",
            sequential_time.as_secs_f64() / wall
        );
        println!("  wall time / critical-path bound: {:.2}", wall / bound.time().as_secs_f64());
    }

    if args.levers {
        levers::run(&scenario, &knobs, &work, &dir).await;
    }
}

fn print_machine() {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    println!("machine: {cores} cores, {model}");
}
