//! `run`'s flags: `--dry-run`, `--tenant`, and the shapes of the `--json` events.

use crate::support::{Harness, HarnessOptions, alert_id, alerts, route};

#[test]
fn dry_run_creates_nothing_and_writes_no_state() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
    let out = h.run(["run", "--dry-run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.events_of("would_create").len(), 3, "{out}");
    assert_eq!(h.jira.issue_count(), 0);
    let stats = h.jira.stats();
    assert_eq!(stats.get(route::CREATE) + stats.get(route::BULK_CREATE), 0, "{stats:?}");
    assert!(!h.state_path.exists(), "a dry run created the state store");

    // Nothing was recorded: the real run creates every ticket.
    let real = h.run(["run", "--json"]);
    assert_eq!(real.status, 0, "{real}");
    assert_eq!(real.alert_ids_of("ticket_created"), out.alert_ids_of("would_create"), "{real}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn human_dry_run_says_what_it_would_create() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 2)));
    let out = h.run(["run", "--dry-run"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.stdout.matches("would create").count(), 2, "{out}");
    assert!(out.stdout.contains("2 would be created"), "{out}");
    assert_eq!(h.jira.issue_count(), 0);
}

#[test]
fn tenant_flag_runs_only_the_named_tenants() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 2))
            .tenant("fabrikam", alerts("fabrikam", 3))
            .tenant("northwind", alerts("northwind", 1)),
    );
    let out = h.run(["run", "--json", "--tenant", "fabrikam", "--tenant", "NORTHWIND"]);
    assert_eq!(out.status, 0, "{out}");
    let tenants: Vec<&str> =
        out.events_of("ticket_created").iter().map(|e| e["tenant"].as_str().unwrap()).collect();
    assert_eq!(tenants.iter().filter(|t| **t == "fabrikam").count(), 3, "{out}");
    assert_eq!(tenants.iter().filter(|t| **t == "northwind").count(), 1, "{out}");
    assert!(!tenants.contains(&"contoso"), "{out}");
    assert_eq!(h.mcas[0].stats().total, 0, "contoso was not asked");

    let unknown = h.run(["run", "--tenant", "tailspin"]);
    assert_eq!(unknown.status, 2, "{unknown}");
    assert!(unknown.stderr.contains("--tenant") && unknown.stderr.contains("tailspin"), "{unknown}");

    // The rest later: contoso's tickets, nobody else's twice.
    let rest = h.run(["run", "--json"]);
    assert_eq!(rest.status, 0, "{rest}");
    assert_eq!(rest.events_of("ticket_created").len(), 2, "{rest}");
    h.assert_one_ticket_per_alert();
}

/// The keys of a JSON object, sorted.
fn keys(value: &serde_json::Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

#[test]
fn json_events_have_their_documented_shapes() {
    let a = alerts("contoso", 2);
    let h = Harness::start(HarnessOptions::default().tenant("contoso", a.clone()));
    let dry = h.run(["run", "--json", "--dry-run"]);
    assert_eq!(dry.status, 0, "{dry}");
    // Every stdout line is one JSON object with an "event".
    assert_eq!(dry.stdout.lines().count(), dry.events.len(), "{dry}");
    let would = &dry.events_of("would_create")[0];
    assert_eq!(
        keys(would),
        ["alert_id", "event", "labels", "priority", "severity", "summary", "tenant", "title"]
    );
    let label = format!("mcas-{}", would["alert_id"].as_str().unwrap());
    assert!(would["labels"].as_array().unwrap().iter().any(|l| l == label.as_str()), "{would}");
    assert!(would["labels"].as_array().unwrap().iter().any(|l| l == "mcas"), "{would}");

    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.stdout.lines().count(), out.events.len(), "{out}");
    assert_eq!(
        out.event_counts().into_iter().collect::<Vec<_>>(),
        [("pass_summary".to_owned(), 1), ("tenant_summary".to_owned(), 1), ("ticket_created".to_owned(), 2)]
    );
    // The pass ends with its summary, the same object `watch` prints every interval.
    let pass = out.events.last().unwrap();
    assert_eq!(pass["event"], "pass_summary", "{out}");
    assert_eq!(
        keys(pass),
        [
            "already_ticketed",
            "created",
            "elapsed_secs",
            "event",
            "failed",
            "ok",
            "pass",
            "seen",
            "skipped",
            "tenant_passes",
            "tenants_failed"
        ]
    );
    assert_eq!(
        (pass["created"].as_u64(), pass["seen"].as_u64(), pass["ok"].as_bool()),
        (Some(2), Some(2), Some(true))
    );
    for created in out.events_of("ticket_created") {
        assert_eq!(keys(created), ["alert_id", "event", "key", "severity", "tenant", "title"]);
        assert_eq!(created["tenant"], "contoso");
        let alert = a.iter().find(|x| alert_id(x) == created["alert_id"].as_str().unwrap()).unwrap();
        assert_eq!(created["title"], alert["title"]);
        assert!(["informational", "low", "medium", "high"].contains(&created["severity"].as_str().unwrap()));
        assert!(created["key"].as_str().unwrap().starts_with("SEC-"), "{created}");
    }
    let summary = out.events_of("tenant_summary")[0];
    assert_eq!(
        keys(summary),
        [
            "already_ticketed",
            "created",
            "degraded",
            "event",
            "failed",
            "held",
            "known",
            "late",
            "pending",
            "seen",
            "skipped",
            "stuck",
            "tenant",
            "tenant_failed",
            "would_create"
        ]
    );
    assert_eq!(summary["seen"], 2);
    assert_eq!(summary["created"], 2);
    assert_eq!(summary["tenant_failed"], false);
}
