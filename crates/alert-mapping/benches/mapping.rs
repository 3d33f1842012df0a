//! Mapping throughput for typical alerts (the public samples and a weekend of the demo
//! scenario's alerts), with reputations known for every public IP. Two measurements:
//!
//! - **mapping**: extract + map to a `TicketDraft`, alert-mapping's own work;
//! - **mapping + request body**: also `TicketDraft::into_new_issue` and
//!   `NewIssue::to_request_json` for Jira Cloud (the create request's body as the JSON text that
//!   is sent, the description and rich-text fields written as ADF cut to Jira's limit), which is
//!   what the pipeline does to each alert before sending it.
//!
//! Decoding the JSON is not measured: it is the client's work. Prints alerts per second on one
//! core for each at the end.
//!
//! `cargo bench -p alert-mapping --bench mapping` runs criterion, then the plain figures.
//! `MAPPING_BENCH_ROUNDS=n` sets the rounds of the plain figures (default 2,000). To count
//! instructions instead of time, which a loaded machine does not disturb, skip criterion with a
//! filter that matches nothing and collect only inside one of the two measured functions,
//! `map_only` (mapping) or `map_and_render` (mapping + request body):
//! `MAPPING_BENCH_ROUNDS=20 valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect='*map_and_render*' <bench binary> --bench none`, then divide the
//! instructions by rounds × alerts.

use std::collections::HashMap;
use std::hint::black_box;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use alert_mapping::{
    Mapped, Mapper, MappingConfig, Reputation, ReputationFacts, RuleSpec, Rules, SeverityPriorities,
    TenantContext, TicketAttribute, TicketDraft, extract,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jira_client::{Deployment, FieldShape, ProjectRef};
use mcas_client::Alert;
use serde_json::Value;

fn alerts() -> Vec<Alert> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/samples/mcas/");
    let mut alerts = Vec::new();
    for file in ["alerts_sample_extended.json", "xsoar_test_data_alert_by_id_raw.json"] {
        let text = std::fs::read_to_string(format!("{dir}{file}")).expect("sample file");
        let value: Value = serde_json::from_str(&text).expect("sample JSON");
        let items = match value.get("data") {
            Some(Value::Array(items)) => items.clone(),
            _ => vec![value],
        };
        alerts.extend(items.iter().map(|item| Alert::from_json(item).expect("sample alert")));
    }
    // A fixed time keeps the scenario, and so the figures, the same from run to run.
    let now = "2024-06-03T08:00:00Z".parse().expect("time");
    let demo = mcas2jira_fakes::scenario::demo_alerts("contoso", now);
    alerts.extend(demo.iter().map(|item| Alert::from_json(item).expect("demo alert")));
    alerts
}

fn mapper() -> Mapper {
    #[derive(serde::Deserialize)]
    struct Config {
        rules: Vec<RuleSpec>,
    }
    let config: Config = toml::from_str(
        r#"
        [[rules]]
        match = { title = "(?i)leaked credentials", user_domain = "(?i)^staff\\.example\\.com$" }
        priority = "Highest"
        labels = ["leaked-credentials"]
        [[rules]]
        match = { min_ip_score = 90 }
        labels = ["bad-ip"]
        [[rules]]
        match = { severities = ["informational"], tenant = "^lab$" }
        skip = true
        "#,
    )
    .expect("rules");
    let priorities = SeverityPriorities {
        high: Some("High".into()),
        medium: Some("Medium".into()),
        low: Some("Low".into()),
        informational: Some("Lowest".into()),
    };
    Mapper::new(
        MappingConfig::new(Deployment::Cloud)
            .labels(["mcas"])
            .priorities(priorities)
            .issue_type("Task")
            .rules(Rules::try_from(config.rules.as_slice()).expect("rules compile"))
            .field(TicketAttribute::AlertUrl, "customfield_10109", FieldShape::Url)
            .field(TicketAttribute::AffectedUser, "customfield_10107", FieldShape::Text)
            .field(TicketAttribute::IpReputation, "customfield_10108", FieldShape::RichText),
    )
    .expect("mapper")
}

fn reputations(alerts: &[Alert], tenant: &TenantContext) -> HashMap<IpAddr, Reputation> {
    let mut out = HashMap::new();
    for alert in alerts {
        for ip in extract(alert, tenant).lookup_ips() {
            let mut facts = ReputationFacts::default();
            facts.score = Some(87);
            facts.country_code = Some("NL".into());
            facts.isp = Some("Example Hosting B.V.".into());
            facts.total_reports = Some(12);
            facts.distinct_users = Some(5);
            facts.is_tor = Some(false);
            out.insert(ip, Reputation::Known(facts));
        }
    }
    out
}

/// The create request's body, as the Jira client writes it for Cloud and sends it.
fn render(draft: TicketDraft) -> String {
    draft.into_new_issue(ProjectRef::key("SEC"), "Task").to_request_json(Deployment::Cloud)
}

// Neither is inlined, so that callgrind can count the instructions inside each alone.

/// Mapping: extract + map.
#[inline(never)]
fn map_only(alerts: &[Alert], tenant: &TenantContext, mapper: &Mapper, reps: &HashMap<IpAddr, Reputation>) {
    for alert in alerts {
        let facts = extract(alert, tenant);
        black_box(mapper.map(&facts, reps).ok());
    }
}

/// Mapping + request body: extract, map, and the Cloud create request's body.
#[inline(never)]
fn map_and_render(
    alerts: &[Alert],
    tenant: &TenantContext,
    mapper: &Mapper,
    reps: &HashMap<IpAddr, Reputation>,
) {
    for alert in alerts {
        let facts = extract(alert, tenant);
        if let Ok(Mapped::Ticket(draft)) = mapper.map(&facts, reps) {
            black_box(render(draft));
        }
    }
}

fn bench(c: &mut Criterion) {
    let alerts = alerts();
    let tenant = TenantContext::new("contoso")
        .portal_url("https://contoso.us3.portal.cloudappsecurity.com".parse().expect("url"));
    let mapper = mapper();
    let reps = reputations(&alerts, &tenant);

    let mut group = c.benchmark_group("alerts");
    group.throughput(Throughput::Elements(alerts.len() as u64));
    group.bench_function("mapping", |b| b.iter(|| map_only(black_box(&alerts), &tenant, &mapper, &reps)));
    group.bench_function("mapping + request body", |b| {
        b.iter(|| map_and_render(black_box(&alerts), &tenant, &mapper, &reps))
    });
    group.finish();

    // Plain figures for the notes, independent of criterion's report format. CPU time of this
    // thread is used where Linux reports it, so that other work on a shared machine does not
    // count against the figures; wall time otherwise.
    let rounds: usize =
        std::env::var("MAPPING_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(2_000);
    let measure = |f: &dyn Fn()| {
        let (wall, cpu) = (Instant::now(), thread_cpu_time());
        for _ in 0..rounds {
            f();
        }
        match (cpu, thread_cpu_time()) {
            (Some(before), Some(after)) if after > before => after - before,
            _ => wall.elapsed(),
        }
        .max(Duration::from_nanos(1))
    };
    let count = (rounds * alerts.len()) as f64;
    let measurements: [(&str, &dyn Fn()); 2] = [
        ("mapping (extract + map)", &|| map_only(black_box(&alerts), &tenant, &mapper, &reps)),
        ("mapping + request body (+ into_new_issue + to_request_json(Cloud))", &|| {
            map_and_render(black_box(&alerts), &tenant, &mapper, &reps)
        }),
    ];
    println!("{} typical alerts, {rounds} rounds, CPU time of one thread:", alerts.len());
    for (name, run) in measurements {
        println!("  {name}: {:.0} alerts/second on one core", count / measure(run).as_secs_f64());
    }

    // Where the time goes.
    let facts: Vec<_> = alerts.iter().map(|a| extract(a, &tenant)).collect();
    let drafts: Vec<_> = facts
        .iter()
        .filter_map(|f| match mapper.map(f, &reps) {
            Ok(Mapped::Ticket(draft)) => Some(draft),
            _ => None,
        })
        .collect();
    let steps: [(&str, &dyn Fn()); 3] = [
        ("extract", &|| alerts.iter().for_each(|a| drop(black_box(extract(a, &tenant))))),
        ("map", &|| facts.iter().for_each(|f| drop(black_box(mapper.map(f, &reps))))),
        ("request body", &|| drafts.iter().for_each(|d| drop(black_box(render(d.clone()))))),
    ];
    println!("where the time goes (the request body's figure includes copying the draft):");
    for (name, step) in steps {
        let per_alert = measure(step).as_secs_f64() / count;
        println!("  {name}: {:.2} µs per alert", per_alert * 1e6);
    }
}

/// CPU time used by the current thread so far (Linux: `/proc/thread-self/schedstat`).
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

criterion_group!(benches, bench);
criterion_main!(benches);
