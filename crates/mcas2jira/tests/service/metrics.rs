//! `watch --metrics-addr`: `/metrics` in the Prometheus text format, counting what the run did,
//! and `/healthz`, which fails once a tenant has had no successful pass for too long.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::child::Running;
use crate::http;
use crate::support::{FaultKind, Harness, HarnessOptions, alerts};
use mcas2jira_fakes::ANY_ROUTE;

/// One sample of the text format: name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the Prometheus text format (version 0.0.4) strictly: every line is a `# HELP`, a
/// `# TYPE` or a sample with a valid name, well-formed labels and a number; every sample's family
/// has a `TYPE`. Panics on the first line that is not.
fn parse(text: &str) -> Vec<Sample> {
    let valid_name = |name: &str| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    let mut typed: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = Vec::new();
    assert!(text.ends_with('\n'), "the text ends with a newline");
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kind, name) = (parts.next().unwrap(), parts.next().unwrap_or(""));
            assert!(valid_name(name), "bad name in {line:?}");
            match kind {
                "HELP" => {}
                "TYPE" => {
                    let kind = parts.next().unwrap_or("");
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                        "bad type in {line:?}"
                    );
                    typed.insert(name.to_owned(), kind.to_owned());
                }
                other => panic!("unknown comment {other:?} in {line:?}"),
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value in {line:?}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                (name, rest.strip_suffix('}').unwrap_or_else(|| panic!("unclosed labels in {line:?}")))
            }
            None => (series, ""),
        };
        assert!(valid_name(name), "bad name in {line:?}");
        let mut parsed = BTreeMap::new();
        let mut rest = labels;
        while !rest.is_empty() {
            let (key, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("bad label in {line:?}"));
            assert!(valid_name(key), "bad label name in {line:?}");
            // The value ends at the first quote not escaped.
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices() {
                match (escaped, c) {
                    (false, '\\') => escaped = true,
                    (false, '"') => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let end = end.unwrap_or_else(|| panic!("unclosed label value in {line:?}"));
            parsed.insert(key.to_owned(), after[..end].to_owned());
            rest = after[end + 1..].strip_prefix(',').unwrap_or(&after[end + 1..]);
        }
        let family = ["_total", "_bucket", "_sum", "_count", "_info"]
            .iter()
            .find_map(|suffix| {
                name.strip_suffix(suffix).filter(|base| {
                    typed.contains_key(&format!("{base}{suffix}")) || typed.contains_key(*base)
                })
            })
            .map_or(name.to_owned(), str::to_owned);
        assert!(typed.contains_key(name) || typed.contains_key(&family), "no TYPE for {line:?}");
        samples.push(Sample { name: name.to_owned(), labels: parsed, value });
    }
    samples
}

/// The value of the sample `name` with these labels (0 when there is none).
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| {
            s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

#[test]
fn metrics_parse_as_prometheus_text_and_count_what_the_run_did() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 4))
            .tenant("fabrikam", alerts("fabrikam", 3))
            .extra_config("[[rules]]\nmatch = { title = \".\", tenant = \"fabrikam\" }\nskip = true\n"),
    );
    let mut watch =
        Running::start(&h, &["watch", "--every", "1s", "--metrics-addr", "127.0.0.1:0", "--json"]);
    let addr = watch.metrics_addr();
    watch.wait_json("the first summary", |v| v["event"] == "pass_summary" && v["tenant_passes"] == 2);
    let answer = http::get(&addr, "/metrics");
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.content_type, "text/plain; version=0.0.4; charset=utf-8");
    let samples = parse(&answer.body);
    let tenant = |name: &str, t: &str| value(&samples, name, &[("tenant", t)]);
    // What the events said, the metrics say.
    let created = watch.events("ticket_created");
    assert_eq!(created.len(), 4);
    assert_eq!(tenant("mcas2jira_tickets_created_total", "contoso"), 4.0, "{}", answer.body);
    assert_eq!(tenant("mcas2jira_alerts_seen_total", "contoso"), 4.0);
    assert_eq!(tenant("mcas2jira_alerts_skipped_total", "fabrikam"), 3.0);
    assert_eq!(tenant("mcas2jira_tickets_created_total", "fabrikam"), 0.0);
    assert_eq!(tenant("mcas2jira_alerts_failed_total", "contoso"), 0.0);
    assert_eq!(tenant("mcas2jira_alerts_pending", "contoso"), 0.0);
    assert!(
        value(&samples, "mcas2jira_tenant_passes_total", &[("tenant", "contoso"), ("outcome", "ok")]) >= 1.0
    );
    assert!(tenant("mcas2jira_tenant_last_success_timestamp_seconds", "contoso") > 1.7e9);
    // Requests by service and status: Jira's bulk create answered 201 once; MCAS was read.
    assert_eq!(value(&samples, "mcas2jira_requests_total", &[("service", "jira"), ("status", "201")]), 1.0);
    assert!(value(&samples, "mcas2jira_requests_total", &[("service", "mcas"), ("status", "200")]) >= 2.0);
    assert!(value(&samples, "mcas2jira_request_duration_seconds_count", &[("service", "jira")]) >= 3.0);
    // The fake AbuseIPDB announces its quota on every answer.
    let quota = value(&samples, "mcas2jira_abuseipdb_quota_remaining", &[]);
    assert!(quota > 0.0 && quota < 1000.0, "{quota}");
    let health = http::get(&addr, "/healthz");
    assert_eq!(health.status, 200, "{health:?}");
    assert_eq!(http::get(&addr, "/nothing").status, 404);
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
}

#[test]
fn healthz_turns_unhealthy_when_jira_is_down_longer_than_the_configured_age() {
    let all = alerts("contoso", 6);
    let h = Harness::start(HarnessOptions::default().tenant("contoso", all[..3].to_vec()));
    let mut watch = Running::start(
        &h,
        &["watch", "--every", "1s", "--healthy-within", "3s", "--metrics-addr", "127.0.0.1:0", "--json"],
    );
    let addr = watch.metrics_addr();
    watch.wait_json("a good pass", |v| v["event"] == "tenant_summary" && v["created"] == 3);
    assert_eq!(http::get(&addr, "/healthz").status, 200);
    // Jira goes down, and alerts keep coming: every pass fails them.
    h.jira.fail_next(ANY_ROUTE, 100_000, FaultKind::Status(503));
    h.mcas[0].add_alerts(all[3..].to_vec());
    let down = Instant::now();
    let unhealthy = loop {
        let answer = http::get(&addr, "/healthz");
        if answer.status == 503 {
            break answer;
        }
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(down.elapsed() < Duration::from_secs(30), "still healthy after {:?}", down.elapsed());
        std::thread::sleep(Duration::from_millis(200));
    };
    // Not before the configured age: the last success was when Jira went down, or a little later.
    assert!(down.elapsed() >= Duration::from_secs(2), "unhealthy after only {:?}", down.elapsed());
    let body: serde_json::Value = serde_json::from_str(&unhealthy.body).unwrap();
    assert_eq!(body["status"], "unhealthy", "{body}");
    assert_eq!(body["stale"][0]["tenant"], "contoso", "{body}");
    // Jira back: the failed alerts are ticketed, and the service is healthy again.
    h.jira.clear_faults();
    let back = Instant::now();
    while http::get(&addr, "/healthz").status != 200 {
        assert!(back.elapsed() < Duration::from_secs(30), "never healthy again");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The outage shows in the metrics: Jira's 503 answers (the passes themselves may have
    // outlasted it, retrying).
    let metrics = parse(&http::get(&addr, "/metrics").body);
    assert!(value(&metrics, "mcas2jira_requests_total", &[("service", "jira"), ("status", "503")]) >= 1.0);
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert_eq!(h.jira.issue_count(), 6);
    h.assert_one_ticket_per_alert();
}
