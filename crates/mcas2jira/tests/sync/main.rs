//! The `sync` command through the real binary, against the fake MCAS and Jira: resolved tickets
//! close their alerts through the mapped close call, alerts closed in the portal comment on (and
//! transition) their tickets, reruns do nothing new, unmapped resolutions are reported and left
//! alone, `--dry-run` changes nothing, and `check` verifies the permissions.

#[path = "../support/mod.rs"]
mod support;

use serde_json::Value;
use support::{Harness, HarnessOptions, alert_id, alerts};

const MARKER: &str = "mcas2jira sync alert";

/// A harness with `n` alerts of one tenant, all ticketed by a first `run`.
fn ticketed(n: usize, extra_config: &str) -> (Harness, Vec<String>) {
    let alerts = alerts("contoso", n);
    let ids: Vec<String> = alerts.iter().map(alert_id).collect();
    let h = Harness::start(
        HarnessOptions::default().tenant("contoso", alerts).without_abuseipdb().extra_config(extra_config),
    );
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h.assert_tickets_for(&ids);
    (h, ids)
}

fn resolution_status(h: &Harness, id: &str) -> i64 {
    h.mcas[0].alert(id).unwrap()["resolutionStatusValue"].as_i64().unwrap_or(0)
}

/// The events other than the per-tenant summary.
fn actions(out: &support::RunOutput) -> Vec<&Value> {
    out.events.iter().filter(|e| e["event"] != "sync_summary").collect()
}

#[test]
fn resolved_tickets_close_their_alerts_with_the_mapped_call_once() {
    let (h, ids) = ticketed(4, "");
    let key = |i: usize| h.ticket_of(&ids[i]).key;
    assert!(h.jira.resolve(&key(0), "Done"));
    assert!(h.jira.resolve(&key(1), "Won't Do"));
    assert!(h.jira.resolve(&key(2), "Duplicate"));

    // A dry run shows the three closes and changes nothing.
    let out = h.run(["sync", "--dry-run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.alert_ids_of("would_close_alert"), sorted(&ids[..3]), "{out}");
    assert!(h.mcas[0].close_calls().is_empty());
    assert!(ids.iter().all(|id| resolution_status(&h, id) == 0));

    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.alert_ids_of("alert_closed"), sorted(&ids[..3]), "{out}");
    let calls = h.mcas[0].close_calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    for (i, (endpoint, reason, status)) in
        [("close_true_positive", None, 5), ("close_benign", Some(4), 4), ("close_false_positive", Some(4), 3)]
            .into_iter()
            .enumerate()
    {
        let call = calls.iter().find(|c| c.ids == [ids[i].clone()]).unwrap();
        assert_eq!(call.endpoint, endpoint);
        assert_eq!(call.reason_id, reason);
        let comment = call.comment.as_deref().unwrap();
        assert!(comment.contains(&key(i)), "{comment}");
        assert!(comment.contains(&format!("{MARKER} {}", ids[i])), "{comment}");
        assert_eq!(resolution_status(&h, &ids[i]), status);
    }
    assert_eq!(resolution_status(&h, &ids[3]), 0, "the open ticket's alert stays open");
    let closed = out.events_of("alert_closed");
    let benign = closed.iter().find(|e| e["alert_id"] == ids[1].as_str()).unwrap();
    assert_eq!(benign["close"], "benign");
    assert_eq!(benign["reason"], "other");
    assert_eq!(benign["resolution"], "Won't Do");
    // None of the closed alerts is news for its (resolved) ticket.
    assert!(h.jira.comments(&key(0)).is_empty());

    // A rerun does nothing new.
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(actions(&out).is_empty(), "{out}");
    assert_eq!(h.mcas[0].close_calls().len(), 3);

    // Human output says what it did.
    let out = h.run(["sync"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.stdout.contains("sync: 0 alerts closed, 0 tickets commented"), "{out}");
}

#[test]
fn an_alert_closed_in_the_portal_comments_once_and_transitions() {
    let (h, ids) = ticketed(2, "[sync]\ntransition_on_alert_closed = \"done\"\n");
    let key = h.ticket_of(&ids[0]).key;
    assert!(h.mcas[0].close_alert(&ids[0], 4));

    let out = h.run(["sync", "--dry-run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    let would = out.events_of("would_comment");
    assert_eq!(would.len(), 1, "{out}");
    assert_eq!(would[0]["key"], key.as_str());
    assert_eq!(would[0]["transition"], "done");
    assert!(h.jira.comments(&key).is_empty());

    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.alert_ids_of("ticket_commented"), [ids[0].clone()], "{out}");
    assert_eq!(out.alert_ids_of("ticket_transitioned"), [ids[0].clone()], "{out}");
    let comments = h.jira.comments(&key);
    assert_eq!(comments.len(), 1);
    let body = comments[0].body.to_string();
    assert!(body.contains(&format!("{MARKER} {}", ids[0])), "{body}");
    assert!(body.contains("as benign"), "{body}");
    let ticket = h.jira.issue(&key).unwrap();
    assert_eq!(ticket.status, "Done");
    assert_eq!(h.jira.issue(&h.ticket_of(&ids[1]).key).unwrap().status, "To Do");

    // The ticket is now done too (resolution Done): no close call goes back, no second comment.
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(actions(&out).is_empty(), "{out}");
    assert!(h.mcas[0].close_calls().is_empty());
    assert_eq!(h.jira.comments(&key).len(), 1);
}

#[test]
fn a_lost_state_neither_comments_twice_nor_reacts_to_its_own_close() {
    let (h, ids) = ticketed(2, "");
    let portal = h.ticket_of(&ids[0]).key;
    let ours = h.ticket_of(&ids[1]).key;
    assert!(h.mcas[0].close_alert(&ids[0], 3));
    assert!(h.jira.resolve(&ours, "Done"));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(h.jira.comments(&portal).len(), 1);

    // The state file is lost and the resolved ticket reopened; the tickets are found again by
    // their labels, and the sync neither comments twice nor tells the reopened ticket about the
    // close it made itself.
    h.delete_state();
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h.block_on(reopen(&h, &ours));
    assert_eq!(h.jira.issue(&ours).unwrap().status, "To Do");
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(h.jira.comments(&portal).len(), 1, "{out}");
    assert!(h.jira.comments(&ours).is_empty(), "{out}");
    assert_eq!(h.mcas[0].close_calls().len(), 1);
}

/// Reopens a done ticket the way an analyst would, through Jira's API (the fake's "Reopen",
/// transition 41).
async fn reopen(h: &Harness, key: &str) {
    let options = h.jira.options();
    let auth =
        jira_client::Auth::basic(options.user.clone(), secrecy::SecretString::from(options.token.clone()));
    let jira =
        jira_client::Client::builder(h.jira.url().parse().unwrap(), jira_client::Deployment::Cloud, auth)
            .build()
            .unwrap();
    let id = jira_client::TransitionId::new("41");
    jira.transition(&key.parse().unwrap(), &id, &jira_client::IssueUpdate::default()).await.unwrap();
}

#[test]
fn a_resolution_missing_from_the_map_is_reported_and_left_alone() {
    let (h, ids) = ticketed(1, "[sync.resolutions]\n\"Done\" = \"true_positive\"\n");
    let key = h.ticket_of(&ids[0]).key;
    assert!(h.jira.resolve(&key, "Duplicate"));
    for _ in 0..2 {
        let out = h.run(["sync", "--json"]);
        assert_eq!(out.status, 0, "{out}");
        let unmapped = out.events_of("unmapped_resolution");
        assert_eq!(unmapped.len(), 1, "{out}");
        assert_eq!(unmapped[0]["resolution"], "Duplicate");
        assert_eq!(unmapped[0]["key"], key.as_str());
        assert!(h.mcas[0].close_calls().is_empty());
        assert_eq!(resolution_status(&h, &ids[0]), 0);
    }
    let out = h.run(["sync"]);
    assert!(out.stdout.contains("[sync.resolutions] does not name"), "{out}");
}

#[test]
fn unknown_tenant_is_a_usage_error() {
    let (h, _) = ticketed(1, "");
    let out = h.run(["sync", "--tenant", "nope"]);
    assert_eq!(out.status, 2, "{out}");
}

#[test]
fn check_verifies_the_sync_permissions_when_enabled() {
    let (h, _) = ticketed(1, "[sync]\nenabled = true\ntransition_on_alert_closed = \"Done\"\n");
    let out = h.run(["check", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    let lines: Vec<Value> = out.stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let line = |name: &str| lines.iter().find(|l| l["check"] == name).cloned().unwrap_or_default();
    assert_eq!(line("sync jira permissions")["ok"], true, "{out}");
    assert!(line("sync jira permissions")["detail"].as_str().unwrap().contains("TRANSITION_ISSUES"));
    assert_eq!(line("sync tenant contoso")["ok"], true, "{out}");
    let calls = h.mcas[0].close_calls();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].ids.is_empty(), "the permission test closes no alert: {calls:?}");
}

fn sorted(ids: &[String]) -> Vec<String> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids
}
