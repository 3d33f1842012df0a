//! Alerts closed in the portal: one comment on the ticket, the transition the config names when
//! it is made (with its resolution), and a ticket reopened afterwards noted once and left alone.

use crate::{MARKER, actions, comment_texts, summary, ticketed, transition};

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
    let comments = comment_texts(&h, &key);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].contains(&format!("{MARKER} {}", ids[0])), "{}", comments[0]);
    assert!(comments[0].contains("as benign"), "{}", comments[0]);
    let ticket = h.jira.issue(&key).unwrap();
    assert_eq!(ticket.status, "Done");
    assert_eq!(ticket.resolution.as_deref(), Some("Done"), "the workflow's default, none configured");
    assert_eq!(h.jira.issue(&h.ticket_of(&ids[1]).key).unwrap().status, "To Do");

    // The ticket is now done too: no close call goes back, no second comment.
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(actions(&out).is_empty(), "{out}");
    assert!(h.mcas[0].close_calls().is_empty());
    assert_eq!(h.jira.comments(&key).len(), 1);
}

#[test]
fn the_transition_sets_the_resolution_configured_for_how_the_alert_was_closed() {
    let config = "[sync]\ntransition_on_alert_closed = \"Done\"\n\
                  transition_resolution = { benign = \"Won't Do\", false_positive = \"Duplicate\" }\n";
    let (h, ids) = ticketed(3, config);
    let key = |i: usize| h.ticket_of(&ids[i]).key;
    assert!(h.mcas[0].close_alert(&ids[0], 4));
    assert!(h.mcas[0].close_alert(&ids[1], 3));
    assert!(h.mcas[0].close_alert(&ids[2], 5));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.events_of("ticket_transitioned").len(), 3, "{out}");
    assert_eq!(h.jira.issue(&key(0)).unwrap().resolution.as_deref(), Some("Won't Do"));
    assert_eq!(h.jira.issue(&key(1)).unwrap().resolution.as_deref(), Some("Duplicate"));
    // A kind the table does not list gets the workflow's own resolution.
    assert_eq!(h.jira.issue(&key(2)).unwrap().resolution.as_deref(), Some("Done"));
}

#[test]
fn a_corrected_transition_is_made_under_the_new_name_and_a_removed_one_is_dropped() {
    let (h, ids) = ticketed(2, "[sync]\ntransition_on_alert_closed = \"Close\"\n");
    let key = |i: usize| h.ticket_of(&ids[i]).key;
    assert!(h.mcas[0].close_alert(&ids[0], 4));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 3, "the workflow has no \"Close\": {out}");
    assert!(out.stdout.contains("\\\"Close\\\" is not available now"), "{out}");
    assert_eq!(h.jira.comments(&key(0)).len(), 1, "commented all the same");

    // The config is corrected: the transition still due is made under the new name.
    h.edit_config(|text| *text = text.replace("\"Close\"", "\"Done\""));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.alert_ids_of("ticket_transitioned"), [ids[0].clone()], "{out}");
    assert_eq!(h.jira.issue(&key(0)).unwrap().status, "Done");
    assert_eq!(h.jira.comments(&key(0)).len(), 1, "no second comment");

    // Another alert closed under a wrong name; then the key is removed: the transition due is
    // dropped and the sync is clean again.
    h.edit_config(|text| *text = text.replace("\"Done\"", "\"Close\""));
    assert!(h.mcas[0].close_alert(&ids[1], 5));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 3, "{out}");
    h.edit_config(|text| *text = text.replace("transition_on_alert_closed = \"Close\"\n", ""));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(summary(&out)["transitions_cancelled"], 1, "{out}");
    assert_eq!(h.jira.issue(&key(1)).unwrap().status, "To Do");
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(actions(&out).is_empty(), "{out}");
}

#[test]
fn a_ticket_reopened_after_its_alert_was_closed_is_noted_once_and_never_moved_again() {
    let (h, ids) = ticketed(1, "[sync]\ntransition_on_alert_closed = \"Done\"\n");
    let key = h.ticket_of(&ids[0]).key;
    assert!(h.mcas[0].close_alert(&ids[0], 3));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(h.jira.issue(&key).unwrap().status, "Done");

    // An analyst reopens it: one note says the alert stays closed; it is not moved back to done.
    h.block_on(transition(&h, &key, "41"));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.alert_ids_of("ticket_reopened"), [ids[0].clone()], "{out}");
    assert_eq!(out.events_of("ticket_reopened")[0]["alert_status"], "false_positive");
    let comments = comment_texts(&h, &key);
    assert_eq!(comments.len(), 2, "{comments:?}");
    assert!(comments[1].contains("reopened, but its alert stays closed"), "{}", comments[1]);
    assert_eq!(h.jira.issue(&key).unwrap().status, "To Do");
    assert!(h.mcas[0].close_calls().is_empty());

    for _ in 0..2 {
        let out = h.run(["sync", "--json"]);
        assert_eq!(out.status, 0, "{out}");
        assert!(actions(&out).is_empty(), "{out}");
    }
    assert_eq!(h.jira.comments(&key).len(), 2);
    assert_eq!(h.jira.issue(&key).unwrap().status, "To Do");

    // Resolved again by the analyst: nothing more to do; the alert is already closed.
    h.block_on(transition(&h, &key, "31"));
    let out = h.run(["sync", "--json"]);
    assert!(actions(&out).is_empty(), "{out}");
    assert!(h.mcas[0].close_calls().is_empty());
}
