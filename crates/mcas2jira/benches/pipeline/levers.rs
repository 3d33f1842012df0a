//! Each lever measured with and without: pipeline passes with a config knob changed, and direct
//! measurements for the levers that are not knobs of the pipeline (label search per alert,
//! a fresh HTTP client per request, a state transaction per alert).

use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use futures_util::future::join_all;
use jira_client::{SearchQuery, jql};
use mcas2jira::pipeline::{PassOptions, run_pass};
use mcas2jira::state::{Origin, PageOutcome, StateStore, TicketRecord};

use crate::bounds::Work;
use crate::setup::{Fakes, Knobs, Pass, Quiet, Scenario, fresh_pass, tenant_name, timed_pass};

pub async fn run(scenario: &Scenario, base: &Knobs, work: &Work, dir: &Path) {
    println!();
    println!("levers (one pass each, fresh fakes and state; the bound is in rounds of the latency):");
    let variants: Vec<(&str, Knobs)> = vec![
        ("as configured", base.clone()),
        ("bulk_create = false", Knobs { bulk_create: Some(false), ..base.clone() }),
        ("concurrency = 1 (tenants one at a time)", Knobs { concurrency: Some(1), ..base.clone() }),
        ("lookup_concurrency = 1", Knobs { lookup_concurrency: Some(1), ..base.clone() }),
        ("lookup_concurrency = 32", Knobs { lookup_concurrency: Some(32), ..base.clone() }),
        ("create_concurrency = 1", Knobs { create_concurrency: Some(1), ..base.clone() }),
        ("jira_concurrency = 1", Knobs { jira_concurrency: Some(1), ..base.clone() }),
        (
            "everything one at a time, no bulk",
            Knobs {
                concurrency: Some(1),
                jira_concurrency: Some(1),
                lookup_concurrency: Some(1),
                create_concurrency: Some(1),
                bulk_create: Some(false),
                pacing: false,
            },
        ),
    ];
    for (i, (name, knobs)) in variants.iter().enumerate() {
        let pass = fresh_pass(scenario, knobs, dir, &format!("lever{i}")).await;
        let bound = work.critical_path(knobs, scenario.latency).rounds;
        println!("  {name:<40} bound {bound:>4}  {}", pass.line());
    }

    single_flight(scenario, base, dir).await;
    cache(scenario, base, dir).await;
    label_search(scenario, work.alerts).await;
    connection_reuse(scenario).await;
    state_writes(dir, work.alerts);
}

/// Single flight across tenants off: one pass per tenant, all at once, each with its own
/// enricher (so its own single-flight map), against the same fakes and state store.
async fn single_flight(scenario: &Scenario, knobs: &Knobs, dir: &Path) {
    let fakes = Fakes::start(&scenario.generators(), scenario.latency).await;
    let services = fakes.services(knobs, dir, "no-single-flight").await;
    fakes.reset_stats();
    let started = Instant::now();
    let options: Vec<PassOptions> = (0..scenario.tenants)
        .map(|t| PassOptions { tenants: vec![tenant_name(t)], ..PassOptions::default() })
        .collect();
    let reports = join_all(options.iter().map(|o| run_pass(&services, o, &Quiet))).await;
    let wall = started.elapsed();
    let lookups: u64 = reports.iter().map(|r| r.enrichment.lookups).sum();
    let created: u64 = reports.iter().map(|r| r.created()).sum();
    println!(
        "  {:<40}            {:>8.1} ms  {created} created; {}; {lookups} look-ups",
        "single flight across tenants off",
        wall.as_secs_f64() * 1e3,
        fakes.requests()
    );
}

/// The reputation cache: a second pass over new alerts carrying the same IPs, with the cache the
/// first pass filled, then with it cleared (what `--no-cache` would do).
async fn cache(scenario: &Scenario, knobs: &Knobs, dir: &Path) {
    for clear in [false, true] {
        let name = if clear { "cache-cleared" } else { "cache-warm" };
        let first = Fakes::start(&scenario.generators(), scenario.latency).await;
        let services = first.services(knobs, dir, name).await;
        timed_pass(&first, &services).await;
        drop(services);
        let next = Scenario { seed: scenario.seed + 1, ..scenario.clone() };
        let second = Fakes::start(&next.generators(), scenario.latency).await;
        let services = second.services(knobs, dir, name).await;
        if clear {
            services.store.prune_reputations(jiff::Timestamp::now(), Duration::ZERO).expect("cache cleared");
        }
        let pass: Pass = timed_pass(&second, &services).await;
        let label = if clear { "2nd pass, IP cache cleared" } else { "2nd pass, IP cache warm" };
        println!("  {label:<40}            {}", pass.line());
    }
}

/// One label search per page of 100 against one per alert, one request at a time (how the
/// pipeline would search if it asked per alert).
async fn label_search(scenario: &Scenario, alerts: u64) {
    let fakes = Fakes::start(&[], scenario.latency).await;
    let jira = jira_client::Client::builder(
        fakes.jira.url().parse().expect("url"),
        jira_client::Deployment::Cloud,
        jira_client::Auth::basic(
            fakes.jira.options().user.clone(),
            fakes.jira.options().token.clone().into(),
        ),
    )
    .build()
    .expect("jira client");
    let labels: Vec<String> = (0..alerts).map(|i| format!("mcas-{i:024x}")).collect();
    for per_page in [true, false] {
        fakes.reset_stats();
        let started = Instant::now();
        let groups: Vec<&[String]> =
            if per_page { labels.chunks(100).collect() } else { labels.chunks(1).collect() };
        for group in groups {
            let query = SearchQuery::new(jql::labels_in(group)).fields(["labels"]).max_results(100);
            let found: Vec<jira_client::Issue> = jira.search(query).try_collect().await.expect("search");
            assert!(found.is_empty());
        }
        let label =
            if per_page { "label search, one per page of 100" } else { "label search, one per alert" };
        println!(
            "  {label:<40}            {:>8.1} ms  {} searches for {alerts} alerts",
            started.elapsed().as_secs_f64() * 1e3,
            fakes.jira.stats().total
        );
    }
}

/// One HTTP client per service against a fresh client per request (a new connection, and a new
/// TLS configuration, each time), measured with the Jira client over reqwest directly.
async fn connection_reuse(scenario: &Scenario) {
    const REQUESTS: u32 = 200;
    for latency in [Duration::ZERO, scenario.latency] {
        let fakes = Fakes::start(&[], latency).await;
        let options = fakes.jira.options().clone();
        let build = || {
            jira_client::Client::builder(
                fakes.jira.url().parse().expect("url"),
                jira_client::Deployment::Cloud,
                jira_client::Auth::basic(options.user.clone(), options.token.clone().into()),
            )
            .http_client(reqwest::Client::new())
            .build()
            .expect("jira client")
        };
        let shared = build();
        for reuse in [true, false] {
            let started = Instant::now();
            for _ in 0..REQUESTS {
                let client = if reuse { shared.clone() } else { build() };
                client.myself().await.expect("myself");
            }
            let per = started.elapsed().as_secs_f64() * 1e3 / f64::from(REQUESTS);
            let label = format!(
                "{} client, {} ms latency",
                if reuse { "one shared" } else { "a fresh" },
                latency.as_millis()
            );
            println!("  {label:<40}            {per:>8.3} ms a request ({REQUESTS} sequential requests)");
        }
    }
}

/// The state store's writes for `alerts` tickets: one transaction per page of 100 against one
/// per alert, on a real file (WAL, `synchronous = FULL`, as the binary opens it).
fn state_writes(dir: &Path, alerts: u64) {
    let now = jiff::Timestamp::now();
    let records: Vec<TicketRecord> = (0..alerts)
        .map(|i| TicketRecord {
            alert_id: format!("{i:024x}"),
            jira_key: format!("SEC-{}", i + 1),
            created_at: now,
            created_at_exact: true,
            degraded: Vec::new(),
            origin: Origin::Created,
            severity: "high".to_owned(),
            title: "Impossible travel activity".to_owned(),
            alert_time: now,
            alert_type: Some("ALERT_IMPOSSIBLE_TRAVEL".to_owned()),
            policy: None,
            users: vec!["alice@example.com".to_owned()],
            ips: Vec::new(),
        })
        .collect();
    for per_page in [true, false] {
        let path = dir.join(if per_page { "writes-page.db" } else { "writes-alert.db" });
        let store = StateStore::open(&path).expect("store");
        let size = if per_page { 100 } else { 1 };
        let started = Instant::now();
        for chunk in records.chunks(size) {
            let mut outcome = PageOutcome::new(now);
            outcome.tickets = chunk.to_vec();
            outcome.checkpoint = Some(now);
            store.apply_page("tenant0", &outcome).expect("write");
        }
        let label =
            if per_page { "state writes, one per page of 100" } else { "state writes, one per alert" };
        println!(
            "  {label:<40}            {:>8.1} ms  {} transactions for {alerts} tickets",
            started.elapsed().as_secs_f64() * 1e3,
            records.len().div_ceil(size)
        );
    }
}
