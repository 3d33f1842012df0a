//! Tenants read through Microsoft Graph beside MCAS tenants, one Entra application shared by the
//! Graph tenants: each guarantee of the MCAS source, through the real binary and the fake Graph.

use std::process::Stdio;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use mcas2jira_fakes::graph::generated_alerts;
use serde_json::{Value, json};

use crate::support::{
    FaultKind, Harness, HarnessOptions, Permission, alerts, graph_route, graph_tenant_id, route,
    run_with_timeout,
};

/// `n` Graph alerts, one every `spacing` up to a minute ago.
fn graph_alerts(tenant: &str, n: u64, spacing: SignedDuration) -> Vec<Value> {
    let end = Timestamp::now() - SignedDuration::from_mins(1);
    generated_alerts(&graph_tenant_id(tenant), n, spacing, end)
}

/// A mixed config: one MCAS tenant, two Graph tenants sharing the application.
fn mixed() -> Harness {
    Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 3))
            .graph_tenant("tailspin", graph_alerts("tailspin", 12, SignedDuration::from_mins(37)))
            .graph_tenant("wingtip", graph_alerts("wingtip", 9, SignedDuration::from_mins(53))),
    )
}

/// A Graph alert in Graph's shape, with the given overrides.
fn one_alert(id: &str, created: Timestamp, overrides: Value) -> Value {
    let mut alert = json!({
        "id": id,
        "status": "new",
        "severity": "high",
        "serviceSource": "microsoftDefenderForCloudApps",
        "title": format!("Impossible travel activity {id}"),
        "createdDateTime": created.to_string(),
        "evidence": [
            {"@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "185.220.101.34", "countryLetterCode": "DE"}
        ],
    });
    if let (Some(alert), Some(overrides)) = (alert.as_object_mut(), overrides.as_object()) {
        alert.extend(overrides.clone());
    }
    alert
}

#[test]
fn mixed_tenants_get_one_ticket_per_alert_and_reruns_add_none() {
    let h = mixed();
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 0, "{first}");
    h.assert_one_ticket_per_alert();
    let graph = h.graph.as_ref().unwrap();
    // Each Graph ticket carries its `graph-<id>` label; the MCAS ones keep theirs.
    let labels: Vec<String> = h.jira.issues().into_iter().flat_map(|i| i.labels).collect();
    assert!(labels.iter().any(|l| l.starts_with("graph-")), "{labels:?}");
    assert!(labels.iter().any(|l| l.starts_with("mcas-")), "{labels:?}");
    // One token per tenant, from the one application, for the whole run.
    for tenant in ["tailspin", "wingtip"] {
        assert_eq!(graph.tokens_issued(&graph_tenant_id(tenant)), 1, "{tenant}");
    }

    let again = h.run(["run", "--json"]);
    assert_eq!(again.status, 0, "{again}");
    assert!(again.events_of("ticket_created").is_empty(), "{again}");
    let overlap = h.run(["run", "--json", "--since", "7d"]);
    assert_eq!(overlap.status, 0, "{overlap}");
    assert!(overlap.events_of("ticket_created").is_empty(), "{overlap}");
    h.assert_one_ticket_per_alert();

    // `check` signs in to each Graph tenant.
    let check = h.run(["check"]);
    assert_eq!(check.status, 0, "{check}");
    assert!(check.stdout.contains("tenant tailspin"), "{check}");
    assert!(check.stdout.contains("may read alerts"), "{check}");
}

#[test]
fn many_alerts_are_walked_in_slices_while_more_arrive() {
    // 10 alerts a page: the walk must halve its slices to stay under four pages each.
    let h = Harness::start(
        HarnessOptions::default()
            .graph_tenant("tailspin", graph_alerts("tailspin", 300, SignedDuration::from_mins(9))),
    );
    h.edit_config(|text| *text = text.replace("[fetch]\n", "[fetch]\npage_size = 10\n"));
    let graph = h.graph.as_ref().unwrap();
    graph.set_latency(Duration::from_millis(15));
    let tenant = graph_tenant_id("tailspin");
    // While the walk pages: new alerts at the head of the list, and late ones inside its window.
    let first = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(400));
            let now = Timestamp::now();
            graph.add_alerts(
                &tenant,
                vec![
                    one_alert("arrived-new", now - SignedDuration::from_secs(5), json!({})),
                    one_alert("arrived-late", now - SignedDuration::from_hours(20), json!({})),
                ],
            );
        });
        h.run(["run", "--json"])
    });
    assert_eq!(first.status, 0, "{first}");
    assert!(graph.stats().get(graph_route::LIST) > 30, "the walk paged: {:?}", graph.stats());
    graph.set_latency(Duration::ZERO);
    // The next pass reads what arrived during the first behind its checkpoint's overlap... or,
    // for the late one, with a window that reaches back over it.
    let second = h.run(["run", "--json", "--since", "2d"]);
    assert_eq!(second.status, 0, "{second}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_lost_create_answer_is_found_by_its_graph_label() {
    let h = Harness::start(
        HarnessOptions::default()
            .graph_tenant("tailspin", graph_alerts("tailspin", 4, SignedDuration::from_mins(30))),
    );
    h.jira.fail_next(route::BULK_CREATE, 1, FaultKind::LoseResponse);
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 3, "{first}");
    let second = h.run(["run", "--json"]);
    assert_eq!(second.status, 0, "{second}");
    assert!(second.events_of("ticket_created").is_empty(), "{second}");
    assert_eq!(second.events_of("already_ticketed").len(), first.events_of("failed").len(), "{second}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn sigkill_mid_pass_loses_and_repeats_nothing() {
    let h = Harness::start(
        HarnessOptions::default()
            .graph_tenant("tailspin", graph_alerts("tailspin", 60, SignedDuration::from_mins(20))),
    );
    h.edit_config(|text| *text = text.replace("[fetch]\n", "[fetch]\npage_size = 5\n"));
    h.jira.set_latency(Duration::from_millis(40));
    let mut command = h.command(["--config", h.config_path.to_str().unwrap(), "run"]);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while h.jira.issue_count() < 8 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = h.jira.issue_count();
    assert!((8..60).contains(&partial), "killed after {partial} tickets, not mid-pass");
    h.jira.set_latency(Duration::ZERO);
    let rerun = h.run(["run", "--json"]);
    assert_eq!(rerun.status, 0, "{rerun}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_missing_permission_names_it_and_the_tenant_and_spares_the_others() {
    let h = mixed();
    let graph = h.graph.as_ref().unwrap();
    graph.set_permission(&graph_tenant_id("wingtip"), Permission::None);
    let check = h.run(["check"]);
    assert_eq!(check.status, 1, "{check}");
    let line = check.stdout.lines().find(|l| l.contains("tenant wingtip")).unwrap_or_default();
    assert!(line.starts_with("FAIL"), "{check}");
    assert!(line.contains("SecurityAlert.Read.All") && line.contains("wingtip.onmicrosoft.com"), "{line}");

    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 3, "{out}");
    let failed = out.events_of("tenant_failed");
    assert_eq!(failed.len(), 1, "{out}");
    assert_eq!(failed[0]["tenant"], "wingtip");
    assert!(failed[0]["reason"].as_str().unwrap().contains("SecurityAlert.Read.All"), "{out}");
    // Granted, the next run tickets wingtip's alerts and nothing twice.
    graph.set_permission(&graph_tenant_id("wingtip"), Permission::ReadWrite);
    let rerun = h.run(["run", "--json"]);
    assert_eq!(rerun.status, 0, "{rerun}");
    h.assert_one_ticket_per_alert();

    // With the sync on, a read-only grant is named as missing the write permission.
    graph.set_permission(&graph_tenant_id("tailspin"), Permission::Read);
    h.edit_config(|text| text.push_str("\n[sync]\nenabled = true\n"));
    let check = h.run(["check"]);
    let line = check.stdout.lines().find(|l| l.contains("sync tenant tailspin")).unwrap_or_default();
    assert!(line.starts_with("FAIL") && line.contains("SecurityAlert.ReadWrite.All"), "{check}");
}

#[test]
fn throttling_with_retry_after_is_waited_out() {
    let h = Harness::start(
        HarnessOptions::default()
            .graph_tenant("tailspin", graph_alerts("tailspin", 5, SignedDuration::from_mins(30))),
    );
    let graph = h.graph.as_ref().unwrap();
    graph.fail_next(graph_route::LIST, 1, FaultKind::RateLimit { retry_after_secs: 1 });
    let started = Instant::now();
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was not honoured");
    h.assert_one_ticket_per_alert();
}

#[test]
fn unknown_evidence_and_enum_values_still_make_tickets() {
    let now = Timestamp::now();
    let odd = vec![
        one_alert(
            "odd-evidence",
            now - SignedDuration::from_mins(30),
            json!({"evidence": [
                {"@odata.type": "#microsoft.graph.security.quantumEntanglementEvidence", "qubits": 7},
                {"@odata.type": "#microsoft.graph.security.userEvidence", "userAccount": {"userPrincipalName": "maria.berg@contoso.com"}}
            ]}),
        ),
        one_alert(
            "odd-enums",
            now - SignedDuration::from_mins(20),
            json!({"severity": "critical", "status": "awaitingReview", "classification": "somethingNew"}),
        ),
    ];
    let h = Harness::start(HarnessOptions::default().graph_tenant("tailspin", odd));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h.assert_one_ticket_per_alert();
    let issues = h.jira.issues();
    let odd_evidence = issues.iter().find(|i| i.labels.iter().any(|l| l == "graph-odd-evidence")).unwrap();
    assert!(
        json!(odd_evidence.description).to_string().contains("maria.berg@contoso.com"),
        "{odd_evidence:?}"
    );
    let odd_enums = issues.iter().find(|i| i.labels.iter().any(|l| l == "graph-odd-enums")).unwrap();
    assert!(json!(odd_enums.description).to_string().contains("critical"), "{odd_enums:?}");
}

#[test]
fn a_tenant_moved_from_mcas_to_graph_starts_at_its_mcas_checkpoint() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
    let first = h.run(["run", "--json"]);
    assert_eq!(first.status, 0, "{first}");
    assert_eq!(h.jira.issue_count(), 3);
    // The checkpoint is the newest MCAS alert's time.
    let newest = h.mcas[0].alerts().iter().filter_map(|a| a["timestamp"].as_i64()).max().unwrap();
    let checkpoint = Timestamp::from_millisecond(newest).unwrap();
    // The newest alert and one raised since, seen through Graph after the move: only the new one
    // gets a ticket (Graph's ids differ from MCAS's, so the first would get a second one).
    let graph = Harness::start(HarnessOptions::default().graph_tenant(
        "contoso",
        vec![
            one_alert("seen-by-mcas", checkpoint, json!({})),
            one_alert("after-move", Timestamp::now() - SignedDuration::from_mins(1), json!({})),
        ],
    ));
    let graph_config = graph.config();
    let graph_tables = &graph_config[graph_config.find("\n[graph]").unwrap()..];
    h.edit_config(|text| {
        let at = text.find("\n[[tenants]]").unwrap();
        text.truncate(at);
        text.push_str(graph_tables);
    });
    let secret = mcas2jira_fakes::FakeGraphOptions::default().apps[0].client_secret.clone();
    let mut command = h.command(["--config", h.config_path.to_str().unwrap(), "run", "--json"]);
    command.env(crate::support::GRAPH_SECRET_ENV, secret);
    let moved = run_with_timeout(command, Duration::from_secs(60));
    assert_eq!(moved.status, 0, "{moved}");
    assert_eq!(moved.alert_ids_of("ticket_created"), ["after-move"], "{moved}");
    assert_eq!(h.jira.issue_count(), 4);
}
