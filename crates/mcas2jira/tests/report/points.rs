//! What issue 18 asked of `report`, through the real binary after real passes: the period named,
//! true creation times, alerts awaiting retry seen, a title, the tickets linked, no secret read
//! without `--jira` (and only Jira's with it), and unknown tenants refused.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use mcas2jira::state::StateStore;
use serde_json::Value;

use crate::support::{Harness, HarnessOptions, JIRA_TOKEN_ENV, alerts, route};

fn json(out: &crate::support::RunOutput) -> Value {
    assert_eq!(out.status, 0, "{out}");
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn today() -> jiff::civil::Date {
    Timestamp::now().to_zoned_datetime(TimeZone::UTC).date()
}

#[test]
fn a_report_without_flags_is_yesterday_named_daily() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
    assert_eq!(h.run(["run"]).status, 0);
    let yesterday = today().checked_sub(1.day()).unwrap();
    let report = json(&h.run(["report", "--format", "json"]));
    assert_eq!(report["period"], "daily");
    assert_eq!(report["title"], format!("Daily report {yesterday}"));
    let out = h.run(["report", "--format", "csv", "--to", &today().to_string()]);
    assert!(out.stdout.contains("report,,,period,daily\r\n"), "{out}");
    assert!(out.stdout.contains(&format!("report,,,title,Daily report {}\r\n", today())), "{out}");
    let report = json(&h.run(["report", "--format", "json", "--period", "weekly"]));
    assert_eq!(report["period"], "weekly");
    assert!(report["title"].as_str().unwrap().starts_with("Weekly report "), "{report}");
    let out = h.run(["report", "--period", "weekly", "--from", "2026-01-01", "--to", "2026-01-03"]);
    assert_eq!(out.status, 2, "{out}");
    assert!(out.stderr.contains("--period"), "{out}");
}

#[test]
fn tickets_carry_the_time_jira_created_them() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 12)));
    // Each create takes a while, so that the last ticket is made well after the pass began.
    h.jira.set_latency(std::time::Duration::from_millis(150));
    let started = Timestamp::now();
    assert_eq!(h.run(["run", "--json"]).status, 0);
    let store = StateStore::open(&h.state_path).unwrap();
    let from = started - jiff::SignedDuration::from_hours(24 * 10);
    let tickets = store.tickets_between(from, Timestamp::now(), &[]).unwrap();
    assert_eq!(tickets.len(), 12);
    let mut latest = started;
    for stored in &tickets {
        let t = &stored.ticket;
        assert!(t.created_at_exact, "{t:?}");
        let issue = h.jira.issue(&t.jira_key).unwrap();
        // Recorded when Jira answered: after Jira made it, within the answer's round trip.
        let lag = t.created_at.duration_since(issue.created);
        assert!(lag >= jiff::SignedDuration::ZERO && lag < jiff::SignedDuration::from_secs(5), "{lag:?}");
        latest = latest.max(t.created_at);
    }
    assert!(latest - jiff::SignedDuration::from_millis(150) > started, "not the pass's start time");
}

#[test]
fn alerts_awaiting_a_retry_are_seen_and_shown() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 6)));
    // Jira refuses every create of this pass: all six wait for a retry.
    h.jira.fail_next(route::BULK_CREATE, 10, crate::support::FaultKind::Status(503));
    h.jira.fail_next(route::CREATE, 10, crate::support::FaultKind::Status(503));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 3, "{out}");
    let report = json(&h.run(["report", "--format", "json", "--from", "2000-01-01"]));
    let totals = &report["totals"];
    assert_eq!(totals["awaiting_retry"], 6, "{totals}");
    assert_eq!(totals["seen"], 6, "awaiting a retry is seen all the same: {totals}");
    assert_eq!(report["awaiting_retry"], 6);
    let per_day: u64 =
        report["per_day"].as_array().unwrap().iter().map(|d| d["total"].as_u64().unwrap()).sum();
    assert_eq!(per_day, 6);
    let severities: u64 = report["by_severity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["counts"]["awaiting_retry"].as_u64().unwrap())
        .sum();
    assert_eq!(severities, 6);
    assert!(report["by_severity"].as_array().unwrap().iter().all(|s| s["severity"] != "unknown"), "{report}");
}

#[test]
fn the_title_comes_from_the_flag_or_the_config() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 2))
            .extra_config("[report]\ntitle = \"Contoso SOC\"\n"),
    );
    assert_eq!(h.run(["run"]).status, 0);
    let out = h.run(["report", "--period", "monthly"]);
    assert!(out.stdout.starts_with("Contoso SOC: Monthly report "), "{out}");
    let out = h.run(["report", "--format", "markdown", "--title", "Fabrikam MSSP"]);
    assert!(out.stdout.starts_with("# Fabrikam MSSP: Daily report "), "{out}");
    let html = h.run(["report", "--format", "html"]).stdout;
    assert!(html.contains("<title>Contoso SOC: Daily report "), "{html}");
}

#[test]
fn the_tickets_are_listed_with_links_in_every_format() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 4)));
    assert_eq!(h.run(["run"]).status, 0);
    let keys: Vec<String> = h.jira.issues().into_iter().map(|i| i.key).collect();
    let link = |key: &str| format!("{}/browse/{key}", h.jira.url().trim_end_matches('/'));
    let range = ["--from", "2000-01-01"];
    let report = json(&h.run(["report", "--format", "json"].iter().chain(&range)));
    let listed: Vec<&str> =
        report["tickets"].as_array().unwrap().iter().map(|t| t["url"].as_str().unwrap()).collect();
    assert_eq!(listed.len(), 4);
    for key in &keys {
        assert!(listed.contains(&link(key).as_str()), "{key}: {listed:?}");
    }
    let csv = h.run(["report", "--format", "csv"].iter().chain(&range)).stdout;
    let html = h.run(["report", "--format", "html"].iter().chain(&range)).stdout;
    let markdown = h.run(["report", "--format", "markdown"].iter().chain(&range)).stdout;
    for key in &keys {
        assert!(csv.contains(&format!(",{key},{}\r\n", link(key))), "{csv}");
        assert!(html.contains(&format!("<a href=\"{}\">{key}</a>", link(key))), "{html}");
        assert!(markdown.contains(&format!("[{key}]({})", link(key))), "{markdown}");
    }
}

#[test]
fn a_report_reads_no_secret_unless_jira_and_then_only_jira_s() {
    let mut h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 2)));
    assert_eq!(h.run(["run"]).status, 0);
    // The other secrets now come from commands that leave a trace when they run.
    h.edit_config(|text| {
        *text = text
            .replace(
                "token_env = \"MCAS2JIRA_TEST_MCAS_TOKEN_0\"",
                "token_command = \"touch tenant-secret-ran; echo t\"",
            )
            .replace(
                "key_env = \"MCAS2JIRA_TEST_ABUSEIPDB_KEY\"",
                "key_command = \"touch abuseipdb-secret-ran; echo k\"",
            );
    });
    let jira_token = h.jira.options().token.clone();
    h.remove_env(JIRA_TOKEN_ENV);
    let out = h.run(["report", "--from", "2000-01-01"]);
    assert_eq!(out.status, 0, "no secret is needed to read the state store: {out}");
    assert!(!h.dir().join("tenant-secret-ran").exists());
    assert!(!h.dir().join("abuseipdb-secret-ran").exists());

    // `--jira` needs the Jira secret, and only it.
    let out = h.run(["report", "--jira", "--from", "2000-01-01"]);
    assert_eq!(out.status, 2, "{out}");
    assert!(out.stderr.contains(JIRA_TOKEN_ENV), "{out}");
    h.set_env(JIRA_TOKEN_ENV, &jira_token);
    let report = json(&h.run(["report", "--jira", "--format", "json", "--from", "2000-01-01"]));
    assert_eq!(report["totals"]["open"], 2);
    assert!(!h.dir().join("tenant-secret-ran").exists());
    assert!(!h.dir().join("abuseipdb-secret-ran").exists());

    // A secret given two ways is still a config error, read or not.
    h.edit_config(|text| *text = text.replace("token_command =", "token_env = \"X\"\ntoken_command ="));
    let out = h.run(["report"]);
    assert_eq!(out.status, 2, "{out}");

    // `run` does read them (and the fake tenant refuses the command's token: status 3).
    h.edit_config(|text| *text = text.replace("token_env = \"X\"\n", ""));
    let out = h.run(["run"]);
    assert_eq!(out.status, 3, "{out}");
    assert!(h.dir().join("tenant-secret-ran").exists());
    assert!(h.dir().join("abuseipdb-secret-ran").exists());
}

#[test]
fn an_unknown_tenant_exits_2_and_a_removed_one_is_still_reported() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 2))
            .tenant("fabrikam", alerts("fabrikam", 2)),
    );
    assert_eq!(h.run(["run"]).status, 0);
    let out = h.run(["report", "--tenant", "nope"]);
    assert_eq!(out.status, 2, "{out}");
    assert!(out.stderr.contains("no tenant named \"nope\""), "{out}");

    // fabrikam leaves the config; its history is still in the state store.
    h.edit_config(|text| {
        let start = text.rfind("[[tenants]]").unwrap();
        text.truncate(start);
    });
    let report = json(&h.run(["report", "--format", "json", "--tenant", "FABRIKAM", "--from", "2000-01-01"]));
    assert_eq!(report["tenant_filter"][0], "fabrikam");
    assert_eq!(report["totals"]["tickets"], 2);
}
