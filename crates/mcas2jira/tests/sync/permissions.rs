//! `check` with the sync enabled: the Jira permissions, and each tenant's right to close alerts,
//! verified without changing anything in Defender for Cloud Apps.

use serde_json::Value;

use crate::support::{HarnessOptions, RunOutput};
use crate::{ticketed, ticketed_with};

fn lines(out: &RunOutput) -> Vec<Value> {
    out.stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn line(out: &RunOutput, name: &str) -> Value {
    lines(out).into_iter().find(|l| l["check"] == name).unwrap_or_default()
}

#[test]
fn an_api_token_is_not_tested_by_closing_unless_asked() {
    let (h, _) = ticketed(1, "[sync]\nenabled = true\ntransition_on_alert_closed = \"Done\"\n");
    let out = h.run(["check", "--json"]);
    assert_eq!(out.status, 0, "a skipped check is not a failure: {out}");
    assert_eq!(line(&out, "sync jira permissions")["ok"], true, "{out}");
    assert!(line(&out, "sync jira permissions")["detail"].as_str().unwrap().contains("TRANSITION_ISSUES"));
    let tenant = line(&out, "sync tenant contoso");
    assert_eq!(tenant["skipped"], true, "{out}");
    assert!(tenant["detail"].as_str().unwrap().contains("no read-only way"), "{tenant}");
    assert!(h.mcas[0].close_calls().is_empty(), "nothing was closed, not even a test");
    let human = h.run(["check"]);
    assert!(human.stdout.contains("skip sync tenant contoso"), "{human}");

    // Asked for, the test closes an id no alert has.
    let out = h.run(["check", "--json", "--close-test"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(line(&out, "sync tenant contoso")["ok"], true, "{out}");
    let calls = h.mcas[0].close_calls();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].ids.is_empty(), "the permission test closes no alert: {calls:?}");
}

#[test]
fn an_entra_application_s_right_to_close_is_read_from_its_token() {
    let extra = "[sync]\nenabled = true\n";
    let (h, _) = ticketed_with(
        HarnessOptions::default().entra(&["Investigation.read", "Investigation.manage"]),
        1,
        extra,
    );
    let out = h.run(["check", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    let tenant = line(&out, "sync tenant contoso");
    assert_eq!(tenant["ok"], true, "{out}");
    assert!(tenant.get("skipped").is_none(), "{tenant}");
    assert!(tenant["detail"].as_str().unwrap().contains("Investigation.manage"), "{tenant}");
    assert!(h.mcas[0].close_calls().is_empty(), "read from the token, not tried");

    let (h, _) = ticketed_with(HarnessOptions::default().entra(&["Investigation.read"]), 1, extra);
    let out = h.run(["check", "--json"]);
    assert_eq!(out.status, 1, "{out}");
    let tenant = line(&out, "sync tenant contoso");
    assert_eq!(tenant["ok"], false, "{out}");
    assert!(tenant["detail"].as_str().unwrap().contains("may not close alerts"), "{tenant}");
    assert!(h.mcas[0].close_calls().is_empty());
}

#[test]
fn unknown_tenant_is_a_usage_error() {
    let (h, _) = ticketed(1, "");
    let out = h.run(["sync", "--tenant", "nope"]);
    assert_eq!(out.status, 2, "{out}");
}
