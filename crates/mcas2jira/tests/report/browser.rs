//! The HTML report in a real browser: made by the real binary from a state store filled by real
//! passes and a sync against the fakes, then rendered by Debian's Chromium headless through
//! `scripts/browser-check.mjs` (playwright-core): no console error, no request beyond the file,
//! every chart's bars and labels drawn. The screenshots of the first screen and of the print
//! layout, and the report itself, are kept in `target/browser-check/`.
//!
//! Ignored by a plain `cargo test` (it needs Node.js, `npm ci` and Chromium); `scripts/test.sh`
//! runs it, and fails when Chromium is missing unless `MCAS2JIRA_SKIP_BROWSER_CHECK=1` says to
//! skip it.

use std::path::PathBuf;
use std::process::Command;

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde_json::Value;

use crate::support::{FaultKind, Harness, HarnessOptions, alerts, route};

/// `target/browser-check` of the workspace.
fn artefact_dir() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from)
        .join("browser-check")
}

#[test]
#[ignore = "needs Node.js (npm ci) and Chromium: scripts/test.sh runs it"]
fn the_html_report_renders_in_chromium_with_every_chart_drawn() {
    let options = HarnessOptions::default()
        .tenant("contoso", alerts("contoso", 14))
        .tenant("fabrikam", alerts("fabrikam", 9))
        .tenant("northwind-traders", alerts("northwind-traders", 6))
        .extra_config("[[rules]]\nname = \"noise\"\nmatch = { title = \"(?i)failed login\" }\nskip = true\n")
        .extra_config("[sync.resolutions]\n\"Done\" = \"true_positive\"\n")
        .extra_config("[report]\ntitle = \"Contoso SOC\"\n");
    let h = Harness::start(options);
    // The last tenant's tickets fail this pass: they wait for a retry, as during an outage.
    let out = h.run(["run", "--json", "--tenant", "contoso", "--tenant", "fabrikam"]);
    assert_eq!(out.status, 0, "{out}");
    h.jira.fail_next(route::BULK_CREATE, 5, FaultKind::Status(503));
    h.jira.fail_next(route::CREATE, 20, FaultKind::Status(503));
    let out = h.run(["run", "--json", "--tenant", "northwind-traders"]);
    assert_eq!(out.status, 3, "{out}");
    // Some tickets worked: resolved, one with a resolution the sync does not map.
    let open: Vec<String> = h
        .jira
        .issues()
        .into_iter()
        .filter(|issue| {
            let id = issue.labels.iter().find_map(|l| l.strip_prefix("mcas-")).unwrap_or_default();
            h.mcas
                .iter()
                .filter_map(|m| m.alert(id))
                .any(|a| a["resolutionStatusValue"].as_i64().unwrap_or(0) == 0)
        })
        .map(|issue| issue.key)
        .collect();
    assert!(h.jira.resolve(&open[0], "Done"));
    assert!(h.jira.resolve(&open[1], "Won't Do"));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.events_of("unmapped_resolution").len(), 1, "{out}");

    let dir = artefact_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("report.html");
    let today = Timestamp::now().to_zoned_datetime(TimeZone::UTC).date();
    let from = today.checked_sub(3.days()).unwrap().to_string();
    let out = h.run([
        "report",
        "--format",
        "html",
        "--jira",
        "--from",
        &from,
        "--to",
        &today.to_string(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 0, "{out}");

    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let check = Command::new("node")
        .arg(workspace.join("scripts/browser-check.mjs"))
        .arg(&html)
        .arg(&dir)
        .current_dir(&workspace)
        .output()
        .expect("node (Node.js 20 or later) runs scripts/browser-check.mjs");
    let stdout = String::from_utf8_lossy(&check.stdout);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success(), "the browser check failed ({}):\n{stderr}\n{stdout}", check.status);
    let found: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));

    assert!(found["title"].as_str().unwrap().starts_with("Contoso SOC: Report "), "{found}");
    let charts = found["charts"].as_array().unwrap();
    let chart = |id: &str| charts.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{id}: {found}"));
    // Four days of alerts, each day's bar split by severity; three tenants.
    assert!(chart("chart-per-day")["bars"].as_u64().unwrap() >= 4, "{found}");
    assert_eq!(
        chart("chart-per-tenant")["labels"].as_u64().unwrap(),
        6,
        "a name and a total per tenant: {found}"
    );
    for section in ["by-tenant", "top-ips", "tickets", "unmapped-resolutions", "jira-status"] {
        assert!(found["sections"].as_array().unwrap().iter().any(|s| s == section), "{section}: {found}");
    }
    let tickets = h.jira.issue_count() as u64;
    assert_eq!(found["links"], tickets + 1, "a link per ticket, and the unmapped one again: {found}");
    for shot in ["first-screen.png", "print.png"] {
        let size = std::fs::metadata(dir.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{shot}: {size} bytes");
    }
    eprintln!("browser check: report, first screen and print layout kept in {}", dir.display());
}
