//! The logs: no escape codes unless on a terminal or forced, JSON lines for a collector, and the
//! summary that agrees with the exit status.

use crate::child::Running;
use crate::support::{FaultKind, Harness, HarnessOptions, alerts, mcas_route};

/// A harness whose second tenant cannot be read: its run logs warnings and exits with status 3.
fn failing() -> Harness {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 2))
            .tenant("fabrikam", alerts("fabrikam", 2)),
    );
    h.mcas[1].fail_next(mcas_route::LIST, 10, FaultKind::Status(401));
    h
}

#[test]
fn no_escape_codes_when_stderr_is_not_a_terminal_unless_forced() {
    let mut h = failing();
    let out = h.run(["run"]);
    assert_eq!(out.status, 3, "{out}");
    assert!(out.stderr.contains("ERROR"), "the failed tenant is logged: {out}");
    assert!(!out.stderr.contains('\u{1b}'), "escape codes in a pipe: {out}");
    assert!(!out.stdout.contains('\u{1b}'), "{out}");

    h.set_env("CLICOLOR_FORCE", "1");
    let forced = h.run(["run"]);
    assert!(forced.stderr.contains("\u{1b}["), "CLICOLOR_FORCE=1 colours: {forced}");
    h.set_env("NO_COLOR", "1");
    let none = h.run(["run"]);
    assert!(!none.stderr.contains('\u{1b}'), "NO_COLOR wins over CLICOLOR_FORCE: {none}");
}

#[test]
fn the_summary_counts_failed_tenants_and_agrees_with_the_exit_status() {
    let h = failing();
    let out = h.run(["run"]);
    assert_eq!(out.status, 3, "{out}");
    let line = out.stdout.lines().last().unwrap();
    assert!(
        line.starts_with(
            "pass: 2 created, 0 already ticketed, 0 skipped, 0 failed of 2 seen, 1 tenant failed;"
        ),
        "{line}"
    );
    let json = h.run(["run", "--json"]);
    assert_eq!(json.status, 3, "{json}");
    let summary = json.events_of("pass_summary")[0];
    assert_eq!(summary["tenants_failed"], 1, "{summary}");
    assert_eq!(summary["tenant_passes"], 2, "{summary}");
    // Once the tenant can be read again, everything is done: status 0, and the line says so.
    h.mcas[1].clear_faults();
    let out = h.run(["run"]);
    assert_eq!(out.status, 0, "{out}");
    let line = out.stdout.lines().last().unwrap();
    assert!(line.starts_with("pass: 2 created, 0 already ticketed, 0 skipped, 0 failed of "), "{line}");
    assert!(!line.contains("tenant"), "{line}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn json_logs_are_one_object_per_line_with_the_audit_fields() {
    let a = alerts("contoso", 2);
    let h = Harness::start(HarnessOptions::default().tenant("contoso", a.clone()));
    let mut watch = Running::start(&h, &["--log-format", "json", "watch", "--every", "1s"]);
    watch.wait_lines(1);
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    let records: Vec<serde_json::Value> = watch
        .err
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let created: Vec<&serde_json::Value> =
        records.iter().filter(|r| r["message"] == "ticket created").collect();
    assert_eq!(created.len(), 2, "{records:?}");
    for record in created {
        assert_eq!(record["level"], "INFO", "{record}");
        assert_eq!(record["target"], "mcas2jira::audit", "{record}");
        assert_eq!(record["tenant"], "contoso", "{record}");
        let id = record["alert_id"].as_str().unwrap();
        assert_eq!(record["key"].as_str().unwrap(), h.ticket_of(id).key, "{record}");
        assert!(record["timestamp"].is_string(), "{record}");
    }
}
