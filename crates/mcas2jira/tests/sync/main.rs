//! The `sync` command through the real binary, against the fake MCAS and Jira: resolved tickets
//! close their alerts through the mapped close call and are noted, alerts closed in the portal
//! comment on (and transition) their tickets, reruns do nothing new, unmapped resolutions are
//! reported once and left alone, reopened tickets are noted once, `--dry-run` changes nothing, a
//! backlog never holds the pass lock, and `check` verifies the permissions without closing
//! anything.

#[path = "../support/mod.rs"]
mod support;

mod backlog;
mod closes;
mod graph;
mod permissions;
mod portal;

use serde_json::Value;
use support::{Harness, HarnessOptions, alert_id, alerts};

const MARKER: &str = "mcas2jira sync alert";

/// A harness with `n` alerts of one tenant, all ticketed by a first `run`.
fn ticketed(n: usize, extra_config: &str) -> (Harness, Vec<String>) {
    ticketed_with(HarnessOptions::default(), n, extra_config)
}

fn ticketed_with(options: HarnessOptions, n: usize, extra_config: &str) -> (Harness, Vec<String>) {
    let alerts = alerts("contoso", n);
    let ids: Vec<String> = alerts.iter().map(alert_id).collect();
    let h = Harness::start(options.tenant("contoso", alerts).without_abuseipdb().extra_config(extra_config));
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

/// The one `sync_summary` of a single-tenant run.
fn summary(out: &support::RunOutput) -> Value {
    let summaries = out.events_of("sync_summary");
    assert_eq!(summaries.len(), 1, "{out}");
    summaries[0].clone()
}

/// The text of a ticket's comments.
fn comment_texts(h: &Harness, key: &str) -> Vec<String> {
    h.jira.comments(key).iter().map(|c| c.body.to_string()).collect()
}

fn sorted(ids: &[String]) -> Vec<String> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids
}

/// Moves a ticket through a transition of the fake's workflow the way an analyst would, through
/// Jira's API ("Reopen" is 41, "Done" 31).
async fn transition(h: &Harness, key: &str, id: &str) {
    let options = h.jira.options();
    let auth =
        jira_client::Auth::basic(options.user.clone(), secrecy::SecretString::from(options.token.clone()));
    let jira =
        jira_client::Client::builder(h.jira.url().parse().unwrap(), jira_client::Deployment::Cloud, auth)
            .build()
            .unwrap();
    let id = jira_client::TransitionId::new(id);
    jira.transition(&key.parse().unwrap(), &id, &jira_client::IssueUpdate::default()).await.unwrap();
}
