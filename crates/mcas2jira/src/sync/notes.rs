//! What the sync writes on tickets: the comment on a ticket whose alert was closed in the portal,
//! the note on a ticket whose resolution closed its alert, and the note on a ticket reopened after
//! its alert was closed. Each ends with a marked line, so that a crash between posting and
//! recording never makes the sync post it twice.

use jira_client::richtext::{Document, Inline};
use mcas_client::ResolutionStatus;

use super::MARKER;
use super::source::SeenAlert;

/// The marked line of the sync's comments about this alert: on the ticket of an alert closed in
/// the portal, on the ticket whose resolution closed the alert, and in the alert's close comment.
#[must_use]
pub fn marker_for(alert_id: &str) -> String {
    format!("{MARKER} alert {alert_id}")
}

/// The marked line of the note on a ticket reopened after its alert was closed.
pub(super) fn reopened_marker_for(alert_id: &str) -> String {
    format!("{MARKER} reopened alert {alert_id}")
}

/// The name of a closed alert's resolution status.
pub(super) fn status_name(status: ResolutionStatus) -> String {
    match status {
        ResolutionStatus::Open => "open".to_owned(),
        ResolutionStatus::Dismissed => "dismissed".to_owned(),
        ResolutionStatus::Resolved => "resolved".to_owned(),
        ResolutionStatus::FalsePositive => "false_positive".to_owned(),
        ResolutionStatus::Benign => "benign".to_owned(),
        ResolutionStatus::TruePositive => "true_positive".to_owned(),
        ResolutionStatus::Unknown(value) => format!("status {value}"),
    }
}

/// How a closed alert is named in `[sync] transition_resolution`: `true_positive`, `benign`,
/// `false_positive`, or `other` (dismissed, resolved: the legacy statuses, or one unknown).
pub(super) fn close_kind_of(status: i64) -> &'static str {
    match status {
        5 => "true_positive",
        4 => "benign",
        3 => "false_positive",
        _ => "other",
    }
}

/// The `resolutionStatusValue` an alert has after the close call of `kind`.
pub(super) fn status_after_close(kind: &str) -> i64 {
    match kind {
        "true_positive" => 5,
        "benign" => 4,
        _ => 3,
    }
}

/// The comment put on a ticket whose alert was closed in the portal; `closed_in` says where
/// ("closed in Defender for Cloud Apps").
pub(super) fn portal_close_comment(
    tenant: &str,
    closed_in: &str,
    alert: &SeenAlert,
    marker: &str,
) -> Document {
    let mut text =
        format!("The alert of this ticket was {closed_in} (tenant {tenant}) as {}", alert.status_words);
    if let Some(by) = &alert.by {
        text.push_str(by);
    }
    text.push('.');
    let mut document = Document::new().paragraph(vec![Inline::text(text)]);
    if let Some(comment) = &alert.comment {
        let comment: String = comment.chars().take(1_000).collect();
        document = document.paragraph(vec![Inline::text("Comment in the portal: "), Inline::text(comment)]);
    }
    document.paragraph(vec![Inline::text(marker.to_owned())])
}

/// How an MCAS close reads on a ticket: `benign (reason: other)`.
pub(super) fn close_words(close: &str, reason: Option<&str>) -> String {
    match reason {
        Some(reason) => format!("{} (reason: {})", close.replace('_', " "), reason.replace('_', " ")),
        None => close.replace('_', " "),
    }
}

/// The note put on a ticket whose resolution closed its alert; `done` says what was done
/// ("closed its alert in Defender for Cloud Apps"), `how` how.
pub(super) fn closed_from_jira_note(
    tenant: &str,
    resolution: &str,
    done: &str,
    how: &str,
    marker: &str,
) -> Document {
    let text =
        format!("This ticket was resolved as {resolution}, so mcas2jira {done} (tenant {tenant}) as {how}.");
    Document::new().paragraph(vec![Inline::text(text)]).paragraph(vec![Inline::text(marker.to_owned())])
}

/// The note put, once, on a ticket reopened after its alert was closed; `graph` for a Graph
/// tenant, whose API could reopen the alert but which this tool leaves to the analyst.
pub(super) fn reopened_note(tenant: &str, status: &str, graph: bool, marker: &str) -> Document {
    let status = status.replace('_', " ");
    let text = if graph {
        format!(
            "This ticket was reopened, but its alert stays resolved in Microsoft Defender (tenant {tenant}, \
             resolved as {status}): mcas2jira does not reopen alerts, and will not move this ticket again; \
             to reopen the alert or change its classification, do it in the Microsoft Defender portal."
        )
    } else {
        format!(
            "This ticket was reopened, but its alert stays closed in Defender for Cloud Apps (tenant {tenant}, \
             closed as {status}): the portal's API cannot reopen an alert. mcas2jira will not move this ticket again; \
             to change how the alert is classified, do it in the portal."
        )
    };
    Document::new().paragraph(vec![Inline::text(text)]).paragraph(vec![Inline::text(marker.to_owned())])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_markers_survive_both_rich_text_formats() {
        let alert = mcas_client::Alert::from_json(&json!({
            "_id": "5f06d71dba4289d0602ba5ac",
            "timestamp": 1_700_000_000_000_i64,
            "title": "Impossible travel",
            "severityValue": 2,
            "resolutionStatusValue": 4,
            "comment": "pen test [approved] {noformat}",
            "handledByUser": "analyst@example.com"
        }))
        .unwrap();
        let alert = SeenAlert::of_mcas(&alert);
        let marker = marker_for("5f06d71dba4289d0602ba5ac");
        let closed_in = "closed in Defender for Cloud Apps";
        let how = close_words("benign", Some("other"));
        for document in [
            portal_close_comment("contoso", closed_in, &alert, &marker),
            closed_from_jira_note(
                "contoso",
                "Won't Do",
                "closed its alert in Defender for Cloud Apps",
                &how,
                &marker,
            ),
            reopened_note("contoso", "benign", false, &reopened_marker_for("5f06d71dba4289d0602ba5ac")),
            reopened_note("tailspin", "true positive", true, &reopened_marker_for("ca1f")),
        ] {
            let wiki = document.to_wiki();
            assert!(wiki.contains(MARKER), "{wiki}");
            assert!(document.to_adf().to_string().contains(MARKER));
        }
        let wiki = portal_close_comment("contoso", closed_in, &alert, &marker).to_wiki();
        assert!(wiki.contains("as benign by analyst@example.com."), "{wiki}");
        assert!(wiki.contains("pen test"), "{wiki}");
        assert!(!reopened_marker_for("x").contains(&marker_for("x")), "the two markers are told apart");
    }

    #[test]
    fn names_of_statuses_and_kinds() {
        assert_eq!(status_name(ResolutionStatus::Benign), "benign");
        assert_eq!(status_name(ResolutionStatus::Unknown(9)), "status 9");
        assert_eq!(close_kind_of(5), "true_positive");
        assert_eq!(close_kind_of(1), "other");
        for kind in ["true_positive", "benign", "false_positive"] {
            assert_eq!(close_kind_of(status_after_close(kind)), kind);
        }
    }
}

#[cfg(test)]
mod graph_tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_graph_alert_resolved_in_the_portal_reads_in_words_and_ours_is_told_apart() {
        let alert = graph_security_client::Alert::from_json(&json!({
            "id": "ca1f",
            "createdDateTime": "2026-11-30T08:14:22Z",
            "status": "resolved",
            "classification": "truePositive",
            "determination": "compromisedAccount",
            "assignedTo": "analyst@example.com",
            "comments": [
                {"comment": "Reset the password.", "createdByDisplayName": "Ana Lyst"},
                {"comment": "Resolved from Jira: SEC-9. mcas2jira sync alert other-id"}
            ]
        }))
        .unwrap();
        let seen = SeenAlert::of_graph(&alert);
        assert!(!seen.open);
        assert_eq!(seen.status, 5);
        assert_eq!(seen.status_name, "truePositive");
        assert!(!seen.ours, "the marked comment is about another alert");
        let wiki =
            portal_close_comment("tailspin", "resolved in Microsoft Defender", &seen, &marker_for("ca1f"))
                .to_wiki();
        assert!(
            wiki.contains(
                "as true positive (determination: compromised account), assigned to analyst@example.com."
            ),
            "{wiki}"
        );
        assert!(wiki.contains("Reset the password. (Ana Lyst)"), "the analyst's comment, not ours: {wiki}");

        let unclassified = graph_security_client::Alert::from_json(&json!({
            "id": "ca2f", "createdDateTime": "2026-11-30T08:14:22Z", "status": "resolved",
            "comments": [{"comment": "x mcas2jira sync alert ca2f"}]
        }))
        .unwrap();
        let seen = SeenAlert::of_graph(&unclassified);
        assert_eq!((seen.status, seen.status_name.as_str()), (2, "resolved"));
        assert!(seen.ours);
        assert_eq!(close_kind_of(seen.status), "other");
    }
}
