//! The sync of a tenant read through Microsoft Graph, beside an MCAS tenant: resolved tickets
//! resolve their alerts with the mapped classification and determination and a comment naming
//! the ticket, alerts resolved in the Defender portal comment on (and transition) their tickets,
//! reruns and lost answers do nothing twice, an unmapped resolution is reported once, and a
//! missing write permission is named once with the tenant.

use jiff::{SignedDuration, Timestamp};
use mcas2jira_fakes::graph::generated_alerts;
use serde_json::{Value, json};

use crate::support::{
    FaultKind, Harness, HarnessOptions, Permission, alert_id, alerts, graph_route, graph_tenant_id,
};
use crate::{MARKER, actions, comment_texts};

/// One MCAS tenant (`contoso`, two alerts) and one Graph tenant (`tailspin`, four Defender for
/// Cloud Apps alerts), every alert ticketed by a first `run`. Returns the Graph alert ids and
/// the MCAS ones.
fn mixed(extra_config: &str) -> (Harness, Vec<String>, Vec<String>) {
    let end = Timestamp::now() - SignedDuration::from_mins(1);
    let graph_alerts: Vec<Value> =
        generated_alerts(&graph_tenant_id("tailspin"), 4, SignedDuration::from_mins(41), end)
            .into_iter()
            .map(|mut alert| {
                // The generator varies the products; the config tickets Defender for Cloud Apps only.
                alert["serviceSource"] = json!("microsoftDefenderForCloudApps");
                alert["status"] = json!("new");
                alert["classification"] = json!("unknown");
                alert["comments"] = json!([]);
                alert
            })
            .collect();
    let mcas = alerts("contoso", 2);
    let mcas_ids: Vec<String> = mcas.iter().map(alert_id).collect();
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", mcas)
            .graph_tenant("tailspin", graph_alerts)
            .without_abuseipdb()
            .extra_config(extra_config),
    );
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    let mut graph_ids: Vec<String> = h.graph_alert_ids().into_iter().map(|(_, id)| id).collect();
    graph_ids.sort();
    assert_eq!(graph_ids.len(), 4);
    (h, graph_ids, mcas_ids)
}

/// The key of the ticket labelled `graph-<id>`.
fn graph_key(h: &Harness, id: &str) -> String {
    let label = format!("graph-{id}");
    let found: Vec<String> =
        h.jira.issues().into_iter().filter(|i| i.labels.contains(&label)).map(|i| i.key).collect();
    assert_eq!(found.len(), 1, "issues labelled {label}: {found:?}");
    found[0].clone()
}

fn graph_alert(h: &Harness, id: &str) -> Value {
    h.graph.as_ref().unwrap().alert(&graph_tenant_id("tailspin"), id).unwrap()
}

/// The comments Graph holds for an alert, as the API added them.
fn graph_comments(h: &Harness, id: &str) -> Vec<String> {
    h.graph.as_ref().unwrap().comments().into_iter().filter(|c| c.alert_id == id).map(|c| c.comment).collect()
}

fn updates(h: &Harness) -> usize {
    h.graph.as_ref().unwrap().updates().len()
}

fn summary_of<'a>(out: &'a crate::support::RunOutput, tenant: &str) -> &'a Value {
    out.events_of("sync_summary").into_iter().find(|s| s["tenant"] == tenant).unwrap()
}

#[test]
fn both_directions_for_a_graph_tenant_beside_an_mcas_tenant_once() {
    let (h, ids, mcas_ids) = mixed("[sync]\ntransition_on_alert_closed = \"Done\"\n");
    let key = |i: usize| graph_key(&h, &ids[i]);
    assert!(h.jira.resolve(&key(0), "Done"));
    assert!(h.jira.resolve(&key(1), "Won't Do"));
    assert!(h.jira.resolve(&key(2), "Duplicate"));
    let mcas_key = h.ticket_of(&mcas_ids[0]).key;
    assert!(h.jira.resolve(&mcas_key, "Done"));
    // An analyst resolves the fourth alert in the Defender portal.
    let graph = h.graph.as_ref().unwrap();
    assert!(graph.update_alert(
        &graph_tenant_id("tailspin"),
        &ids[3],
        json!({"status": "resolved", "classification": "falsePositive", "determination": "notMalicious",
               "assignedTo": "ana@tailspin.example"}),
    ));

    // A dry run shows what it would do, in Graph's words, and changes nothing.
    let out = h.run(["sync", "--dry-run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    let would: Vec<&Value> =
        out.events_of("would_close_alert").into_iter().filter(|e| e["tenant"] == "tailspin").collect();
    assert_eq!(would.len(), 3, "{out}");
    assert!(would.iter().any(|e| e["classification"] == "truePositive" && e["determination"] == "other"));
    assert_eq!(updates(&h), 0, "the analyst's change was not made through the API");
    assert!(graph.comments().is_empty());

    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    let closed = out.events_of("alert_closed");
    assert_eq!(closed.len(), 4, "three Graph alerts and the MCAS one: {out}");
    assert!(closed.iter().any(|e| e["tenant"] == "contoso" && e["alert_id"] == mcas_ids[0].as_str()));
    assert!(closed.iter().all(|e| e["tenant"] == "contoso" || e.get("classification").is_some()), "{out}");
    assert_eq!(h.mcas[0].close_calls().len(), 1);
    // Each resolution maps as [sync.resolutions] does for MCAS, in Graph's words.
    for (i, classification, determination) in [
        (0, "truePositive", "other"),
        (1, "informationalExpectedActivity", "other"),
        (2, "falsePositive", "other"),
    ] {
        let alert = graph_alert(&h, &ids[i]);
        assert_eq!(alert["status"], "resolved", "{alert}");
        assert_eq!(alert["classification"], classification, "{alert}");
        assert_eq!(alert["determination"], determination, "{alert}");
        // One comment on the alert, naming the ticket by key and link.
        let comments = graph_comments(&h, &ids[i]);
        assert_eq!(comments.len(), 1, "{comments:?}");
        assert!(comments[0].contains(&key(i)), "{}", comments[0]);
        assert!(comments[0].contains(&format!("/browse/{}", key(i))), "{}", comments[0]);
        assert!(comments[0].contains(&format!("{MARKER} {}", ids[i])), "{}", comments[0]);
    }
    let note = comment_texts(&h, &key(0));
    assert_eq!(note.len(), 1, "{note:?}");
    assert!(
        note[0].contains("resolved its alert in Microsoft Defender (tenant tailspin) as true positive"),
        "{}",
        note[0]
    );
    // The portal's resolution is told on its ticket, which takes the transition.
    let told = out.events_of("ticket_commented");
    assert_eq!(told.len(), 1, "{out}");
    assert_eq!(told[0]["alert_id"], ids[3].as_str());
    assert_eq!(told[0]["alert_status"], "falsePositive");
    let comment = comment_texts(&h, &key(3));
    assert_eq!(comment.len(), 1, "{comment:?}");
    assert!(
        comment[0].contains(
            "resolved in Microsoft Defender (tenant tailspin) as false positive (determination: not malicious), \
             assigned to ana@tailspin.example"
        ),
        "{}",
        comment[0]
    );
    assert_eq!(h.jira.issue(&key(3)).unwrap().status, "Done");
    assert!(graph_comments(&h, &ids[3]).is_empty(), "the sync does not comment on the analyst's resolution");

    // A rerun does nothing new, on either side.
    let (before_updates, before_comments) = (updates(&h), graph.comments().len());
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(actions(&out).is_empty(), "{out}");
    assert_eq!((updates(&h), graph.comments().len()), (before_updates, before_comments));
    for i in 0..4 {
        assert_eq!(comment_texts(&h, &key(i)).len(), 1);
    }

    // `--tenant` selects the Graph tenant alone; the human line says it did nothing.
    let out = h.run(["sync", "--tenant", "tailspin"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.stdout.contains("tailspin"), "{out}");
    assert!(!out.stdout.contains("contoso"), "{out}");
}

#[test]
fn a_lost_patch_answer_or_comment_answer_neither_doubles_the_comment_nor_echoes() {
    let (h, ids, _) = mixed("");
    let graph = h.graph.as_ref().unwrap();
    let patched = graph_key(&h, &ids[0]);
    assert!(h.jira.resolve(&patched, "Done"));
    // Graph resolves the alert each time but every answer is lost, retries included.
    graph.fail_next(graph_route::UPDATE, 4, FaultKind::LoseResponse);
    let out = h.run(["sync", "--json", "--tenant", "tailspin"]);
    assert_eq!(out.status, 3, "{out}");
    assert_eq!(graph_alert(&h, &ids[0])["status"], "resolved");
    assert_eq!(graph_comments(&h, &ids[0]).len(), 1);
    assert!(comment_texts(&h, &patched).is_empty(), "{out}");

    // The next sync finds its own resolution: the ticket gets its note, nothing else happens.
    let out = h.run(["sync", "--json", "--tenant", "tailspin"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.events_of("ticket_commented").is_empty(), "{out}");
    assert!(out.events_of("alert_closed").is_empty(), "{out}");
    assert_eq!(graph_comments(&h, &ids[0]).len(), 1);
    let note = comment_texts(&h, &patched);
    assert_eq!(note.len(), 1, "{note:?}");
    assert!(note[0].contains("as true positive"), "{}", note[0]);

    // The comment's answer is lost (it is not repeated), so the PATCH is not sent this time;
    // the next sync sees the marked comment, sends only the PATCH, and comments nothing more.
    let commented = graph_key(&h, &ids[1]);
    assert!(h.jira.resolve(&commented, "Done"));
    graph.fail_next(graph_route::COMMENT, 1, FaultKind::LoseResponse);
    let before = updates(&h);
    let out = h.run(["sync", "--json", "--tenant", "tailspin"]);
    assert_eq!(out.status, 3, "{out}");
    assert_eq!(updates(&h), before);
    assert_eq!(graph_alert(&h, &ids[1])["status"], "new");
    let out = h.run(["sync", "--json", "--tenant", "tailspin"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.alert_ids_of("alert_closed"), [ids[1].clone()], "{out}");
    assert_eq!(graph_alert(&h, &ids[1])["status"], "resolved");
    assert_eq!(graph_comments(&h, &ids[1]).len(), 1);
    assert_eq!(comment_texts(&h, &commented).len(), 1);

    // A lost state: the tickets are found by label again, and nothing is said twice.
    h.delete_state();
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.events_of("ticket_commented").is_empty(), "{out}");
    assert_eq!(graph.comments().len(), 2);
    assert_eq!(comment_texts(&h, &patched).len(), 1);
    assert_eq!(comment_texts(&h, &commented).len(), 1);
}

#[test]
fn graph_resolutions_map_a_resolution_and_an_unmapped_one_is_reported_once() {
    let config = "[sync.graph_resolutions]\n\"Done\" = { classification = \"truePositive\", determination = \"compromisedAccount\" }\n\"Pen test\" = { classification = \"informationalExpectedActivity\", determination = \"securityTesting\" }\n";
    let (h, ids, mcas_ids) = mixed(config);
    let done = graph_key(&h, &ids[0]);
    let duplicate = graph_key(&h, &ids[1]);
    assert!(h.jira.resolve(&done, "Done"));
    assert!(h.jira.resolve(&duplicate, "Duplicate"));
    // The MCAS tenant keeps its own map (the defaults), which names Duplicate.
    let mcas_duplicate = h.ticket_of(&mcas_ids[0]).key;
    assert!(h.jira.resolve(&mcas_duplicate, "Duplicate"));

    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(graph_alert(&h, &ids[0])["determination"], "compromisedAccount");
    let unmapped = out.events_of("unmapped_resolution");
    assert_eq!(unmapped.len(), 1, "{out}");
    assert_eq!(unmapped[0]["tenant"], "tailspin");
    assert_eq!(unmapped[0]["resolution"], "Duplicate");
    assert_eq!(graph_alert(&h, &ids[1])["status"], "new");
    assert!(graph_comments(&h, &ids[1]).is_empty());
    assert_eq!(h.mcas[0].close_calls().len(), 1, "{out}");

    for _ in 0..2 {
        let out = h.run(["sync", "--json"]);
        assert_eq!(out.status, 0, "{out}");
        assert!(out.events_of("unmapped_resolution").is_empty(), "{out}");
        assert_eq!(summary_of(&out, "tailspin")["unmapped"], 1, "{out}");
        assert_eq!(graph_alert(&h, &ids[1])["status"], "new");
    }
}

#[test]
fn a_missing_write_permission_is_named_once_with_the_tenant_and_the_others_go_on() {
    let (h, ids, mcas_ids) = mixed("");
    let graph = h.graph.as_ref().unwrap();
    graph.set_permission(&graph_tenant_id("tailspin"), Permission::Read);
    for id in &ids[..2] {
        assert!(h.jira.resolve(&graph_key(&h, id), "Done"));
    }
    let mcas_key = h.ticket_of(&mcas_ids[0]).key;
    assert!(h.jira.resolve(&mcas_key, "Done"));

    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 3, "{out}");
    let failed = out.events_of("sync_failed");
    assert_eq!(failed.len(), 1, "named once, not per ticket: {out}");
    assert_eq!(failed[0]["tenant"], "tailspin");
    let reason = failed[0]["reason"].as_str().unwrap();
    assert!(reason.contains("tenant tailspin"), "{reason}");
    assert!(reason.contains("SecurityAlert.ReadWrite.All"), "{reason}");
    assert_eq!(summary_of(&out, "tailspin")["tenant_failed"], true);
    assert_eq!(out.alert_ids_of("alert_closed"), [mcas_ids[0].clone()], "the MCAS tenant goes on: {out}");
    assert!(graph.updates().is_empty());

    // The human line names the tenant and the permission.
    let human = h.run(["sync", "--tenant", "tailspin"]);
    assert_eq!(human.status, 3, "{human}");
    assert!(
        human.stdout.contains("tailspin") && human.stdout.contains("SecurityAlert.ReadWrite.All"),
        "{human}"
    );

    // Once consented, the next sync resolves both.
    graph.set_permission(&graph_tenant_id("tailspin"), Permission::ReadWrite);
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    let mut closed = out.alert_ids_of("alert_closed");
    closed.sort();
    assert_eq!(closed, ids[..2].to_vec(), "{out}");
    for id in &ids[..2] {
        assert_eq!(graph_comments(&h, id).len(), 1);
    }
}
