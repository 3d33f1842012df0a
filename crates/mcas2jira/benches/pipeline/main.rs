//! The pipeline benchmark (issue 9): the real pass against the latency-injecting fakes on
//! loopback. It prints the wall time, the requests each service answered, the sequential cost of
//! the same work done the way the original script did it, the critical-path bound of the
//! configured concurrency, and both ratios; `--levers` measures each lever with and without;
//! `--memory` measures the peak RSS of the real `mcas2jira run` binary over one large tenant.
//!
//! ```text
//! cargo bench -p mcas2jira --bench pipeline -- --alerts 600 --tenants 3 --latency-ms 15 --unique-ips 300
//! cargo bench -p mcas2jira --bench pipeline -- --levers
//! cargo bench -p mcas2jira --bench pipeline -- --memory 10000,50000,100000
//! cargo bench -p mcas2jira --bench pipeline -- --sweep 500,2400,10000
//! ```
//!
//! BENCHMARKS.md at the repository root has the figures and how the bounds are derived. Nothing
//! here runs in CI.

#![allow(missing_docs)]

mod bounds;
mod levers;
mod memory;
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
    /// Distinct public IPs over all alerts.
    #[arg(long, default_value_t = 300)]
    unique_ips: u64,
    /// Seed of the alert generator.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Timed passes of the main run (fresh fakes and state each); the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// `[pipeline] concurrency` (tenants at once); default: the config's default.
    #[arg(long)]
    concurrency: Option<usize>,
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
    let dir = tempfile::tempdir().expect("temporary directory");
    print_machine();
    if !args.memory.is_empty() {
        memory::run(&args.memory, args.seed, dir.path()).await;
        return;
    }
    if !args.sweep.is_empty() {
        sweep::run(&args.sweep, args.pace, Duration::from_millis(args.latency_ms), args.seed, dir.path())
            .await;
        return;
    }
    let scenario = Scenario {
        alerts: args.alerts,
        tenants: args.tenants,
        latency: Duration::from_millis(args.latency_ms),
        unique_ips: args.unique_ips,
        seed: args.seed,
    };
    let knobs = Knobs {
        concurrency: args.concurrency,
        lookup_concurrency: args.lookup_concurrency,
        create_concurrency: args.create_concurrency,
        bulk_create: args.no_bulk.then_some(false),
    };
    let work = Work::of(&scenario.generators());
    println!(
        "scenario: {} alerts over {} tenants, {} distinct public IPs ({} occurrences), {} ms per request",
        work.alerts, scenario.tenants, work.unique_ips, work.ip_occurrences, args.latency_ms
    );
    println!(
        "pipeline: concurrency {}, lookup_concurrency {}, create_concurrency {}, bulk_create {}",
        knobs.concurrency(),
        knobs.lookup_concurrency(),
        knobs.create_concurrency(),
        knobs.bulk_create()
    );

    let mut passes = Vec::new();
    for run in 0..args.runs.max(1) {
        let pass = fresh_pass(&scenario, &knobs, dir.path(), &format!("main{run}")).await;
        println!("  run {}: {}", run + 1, pass.line());
        passes.push(pass);
    }
    passes.sort_by_key(|p| p.wall);
    let median = &passes[passes.len() / 2];
    let latency = scenario.latency.as_secs_f64();
    let sequential = work.sequential_requests();
    let sequential_s = sequential as f64 * latency;
    let bound = work.critical_path(&knobs);
    let bound_s = bound as f64 * latency;
    let wall = median.wall.as_secs_f64();
    println!();
    println!("wall time (median of {}): {:.1} ms", passes.len(), wall * 1e3);
    println!(
        "CPU time of the process during the pass: {:.0} ms; threads waiting for a core: {:.0} ms",
        median.cpu.as_secs_f64() * 1e3,
        median.run_queue.as_secs_f64() * 1e3
    );
    println!("requests: {}", median.requests);
    println!(
        "sequential cost (original script): {sequential} requests ({} pages, {} look-ups, {} creates) x {} ms = {:.2} s",
        work.tenants.iter().map(Vec::len).sum::<usize>(),
        2 * work.ip_occurrences,
        work.alerts,
        args.latency_ms,
        sequential_s
    );
    println!("critical-path bound: {bound} rounds x {} ms = {:.1} ms", args.latency_ms, bound_s * 1e3);
    println!("speed-up over the sequential cost: {:.1}x (target >= 25x)", sequential_s / wall);
    println!("wall time / critical-path bound: {:.2} (target <= 2)", wall / bound_s);

    if args.levers {
        levers::run(&scenario, &knobs, &work, dir.path()).await;
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
