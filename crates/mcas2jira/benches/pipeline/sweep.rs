//! `--sweep N,N,..`: the cost of one reconcile sweep of a tenant whose window holds N alerts,
//! under MCAS pacing (`--pace`, default the documented 30 requests a minute).
//!
//! For each N: one tenant's alerts, spread evenly over the 21 hours before the last two (behind
//! the checkpoint and its overlap, inside the default 24-hour window), are ticketed by an unpaced
//! pass; then two paced
//! passes on the same state file, one without the sweep (`reconcile_window = "0s"`) and one with
//! it (`reconcile_every = "0s"`). The difference is the sweep: its MCAS requests and its time.
//! Nothing was missed, so Jira is not asked anything more; a late alert costs what any new alert
//! costs (a label search for its page, a create).

use std::path::Path;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use mcas2jira_fakes::scenario::BulkAlerts;

use crate::setup::{Fakes, Knobs, tenant_name, timed_pass};

/// The span the alerts of a window are spread over: a day's alerts, less the two most recent hours
/// (the walk's) and a margin to the window's start.
const SPREAD: Duration = Duration::from_secs(21 * 3600);

pub async fn run(sizes: &[u64], pace: u32, latency: Duration, seed: u64, dir: &Path) {
    println!(
        "reconcile sweep: one tenant, MCAS paced at {pace} requests a minute, {} ms per request",
        latency.as_millis()
    );
    let knobs = Knobs::default();
    for &n in sizes {
        let generator = BulkAlerts::new(seed, n, &tenant_name(0), 50)
            .ending_at(Timestamp::now() - SignedDuration::from_hours(2))
            .every(SPREAD / u32::try_from(n.max(1)).unwrap_or(u32::MAX));
        let fakes = Fakes::start(&[generator], latency).await;
        let name = format!("sweep{n}");
        let setup = fakes.services_with(&knobs, dir, &name, "requests_per_minute = 0").await;
        let first = timed_pass(&fakes, &setup).await;
        assert_eq!(first.report.created(), n, "every alert ticketed first");
        drop(setup);
        let paced = format!("requests_per_minute = {pace}");
        let without =
            fakes.services_with(&knobs, dir, &name, &format!("{paced}\nreconcile_window = \"0s\"")).await;
        let walk = timed_pass(&fakes, &without).await;
        drop(without);
        let with =
            fakes.services_with(&knobs, dir, &name, &format!("{paced}\nreconcile_every = \"0s\"")).await;
        let swept = timed_pass(&fakes, &with).await;
        assert_eq!(swept.report.created(), 0, "nothing missed, nothing created");
        let requests = swept.requests.mcas.saturating_sub(walk.requests.mcas);
        let seconds = swept.wall.as_secs_f64() - walk.wall.as_secs_f64();
        println!(
            "  {n:>6} alerts in the window: sweep {requests} MCAS requests, {seconds:.1} s \
             (pass without the sweep: {} MCAS, {} Jira, {:.1} s; with it: {} MCAS, {} Jira, {:.1} s)",
            walk.requests.mcas,
            walk.requests.jira,
            walk.wall.as_secs_f64(),
            swept.requests.mcas,
            swept.requests.jira,
            swept.wall.as_secs_f64(),
        );
    }
}
