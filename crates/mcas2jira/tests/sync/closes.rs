//! Tickets resolved in Jira: their alerts closed through the mapped call, a note on each ticket,
//! unmapped resolutions reported once, a lost state neither repeated nor echoed.

use crate::{MARKER, actions, comment_texts, resolution_status, sorted, summary, ticketed, transition};

#[test]
fn resolved_tickets_close_their_alerts_with_the_mapped_call_once_and_are_noted() {
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
    assert!(comment_texts(&h, &key(0)).is_empty());

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
    assert_eq!(summary(&out)["notes"], 3);

    // Each resolved ticket says what happened to its alert, once.
    let notes = comment_texts(&h, &key(1));
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("resolved as Won't Do"), "{}", notes[0]);
    assert!(
        notes[0].contains("closed its alert in Defender for Cloud Apps (tenant contoso) as benign"),
        "{}",
        notes[0]
    );
    assert!(notes[0].contains(&format!("{MARKER} {}", ids[1])), "{}", notes[0]);

    // A rerun does nothing new.
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(actions(&out).is_empty(), "{out}");
    assert_eq!(h.mcas[0].close_calls().len(), 3);
    assert_eq!(comment_texts(&h, &key(1)).len(), 1);

    // Human output says what it did.
    let out = h.run(["sync"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.stdout.contains("sync: 0 alerts closed, 0 tickets commented"), "{out}");
}

#[test]
fn a_note_that_failed_is_posted_on_a_later_sync() {
    let (h, ids) = ticketed(1, "");
    let key = h.ticket_of(&ids[0]).key;
    assert!(h.jira.resolve(&key, "Done"));
    h.jira.fail_next(crate::support::route::ADD_COMMENT, 1, crate::support::FaultKind::Status(400));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 3, "the note failed: {out}");
    assert_eq!(out.alert_ids_of("alert_closed"), [ids[0].clone()]);
    assert!(comment_texts(&h, &key).is_empty());

    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(h.mcas[0].close_calls().len(), 1, "the alert is not closed twice");
    assert_eq!(comment_texts(&h, &key).len(), 1);
    assert_eq!(summary(&out)["notes"], 1);
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
    assert_eq!(h.jira.comments(&ours).len(), 1, "the note on the resolved ticket");

    // The state file is lost and the resolved ticket reopened; the tickets are found again by
    // their labels, and the sync neither comments twice nor tells the reopened ticket about the
    // close it made itself.
    h.delete_state();
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h.block_on(transition(&h, &ours, "41"));
    assert_eq!(h.jira.issue(&ours).unwrap().status, "To Do");
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(h.jira.comments(&portal).len(), 1, "{out}");
    assert_eq!(h.jira.comments(&ours).len(), 1, "{out}");
    assert_eq!(h.mcas[0].close_calls().len(), 1);
}

#[test]
fn an_unmapped_resolution_is_reported_once_then_counted_and_closes_once_mapped() {
    let (h, ids) = ticketed(1, "[sync.resolutions]\n\"Done\" = \"true_positive\"\n");
    let key = h.ticket_of(&ids[0]).key;
    assert!(h.jira.resolve(&key, "Duplicate"));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    let unmapped = out.events_of("unmapped_resolution");
    assert_eq!(unmapped.len(), 1, "{out}");
    assert_eq!(unmapped[0]["resolution"], "Duplicate");
    assert_eq!(unmapped[0]["key"], key.as_str());
    assert_eq!(summary(&out)["unmapped"], 1);

    // Later syncs count it without reporting it again; the alert stays open.
    for _ in 0..2 {
        let out = h.run(["sync", "--json"]);
        assert_eq!(out.status, 0, "{out}");
        assert!(out.events_of("unmapped_resolution").is_empty(), "{out}");
        assert_eq!(summary(&out)["unmapped"], 1, "{out}");
        assert!(h.mcas[0].close_calls().is_empty());
        assert_eq!(resolution_status(&h, &ids[0]), 0);
    }
    let out = h.run(["sync"]);
    assert!(out.stdout.contains("1 unmapped resolutions"), "{out}");

    // The report lists it, with a link to the ticket.
    let out = h.run(["report", "--format", "json", "--from", "2000-01-01"]);
    assert_eq!(out.status, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let listed = &report["unmapped_resolutions"];
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["key"], key.as_str());
    assert_eq!(listed[0]["resolution"], "Duplicate");
    assert!(listed[0]["url"].as_str().unwrap().ends_with(&format!("/browse/{key}")), "{listed}");

    // Once the map names the resolution, the next sync closes the alert.
    h.edit_config(|text| text.push_str("\"Duplicate\" = \"false_positive\"\n"));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(out.alert_ids_of("alert_closed"), [ids[0].clone()], "{out}");
    assert_eq!(resolution_status(&h, &ids[0]), 3);
}

#[test]
fn an_unmapped_ticket_reopened_and_resolved_again_is_compared_afresh() {
    let (h, ids) = ticketed(1, "[sync.resolutions]\n\"Done\" = \"true_positive\"\n");
    let key = h.ticket_of(&ids[0]).key;
    assert!(h.jira.resolve(&key, "Duplicate"));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.events_of("unmapped_resolution").len(), 1, "{out}");
    h.block_on(transition(&h, &key, "41"));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(actions(&out).is_empty(), "{out}");
    assert_eq!(summary(&out)["unmapped"], 0, "{out}");
    assert!(h.jira.resolve(&key, "Done"));
    let out = h.run(["sync", "--json"]);
    assert_eq!(out.alert_ids_of("alert_closed"), [ids[0].clone()], "{out}");
}
