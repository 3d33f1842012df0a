//! What the sync writes on tickets: the comment on a ticket whose alert was closed in the portal,
//! the note on a ticket whose resolution closed its alert, and the note on a ticket reopened after
//! its alert was closed. Each ends with a marked line, so that a crash between posting and
//! recording never makes the sync post it twice.

use jira_client::richtext::{Document, Inline};
use mcas_client::{Alert, ResolutionStatus};

use super::MARKER;

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

/// The comment put on a ticket whose alert was closed in the portal.
pub(super) fn portal_close_comment(tenant: &str, alert: &Alert, status: &str, marker: &str) -> Document {
    let mut text = format!(
        "The alert of this ticket was closed in Defender for Cloud Apps (tenant {tenant}) as {}",
        status.replace('_', " ")
    );
    if let Some(by) = alert.handled_by_user.as_deref().filter(|b| !b.trim().is_empty()) {
        text.push_str(&format!(" by {by}"));
    }
    text.push('.');
    let mut document = Document::new().paragraph(vec![Inline::text(text)]);
    if let Some(comment) = alert.comment.as_deref().filter(|c| !c.trim().is_empty()) {
        let comment: String = comment.chars().take(1_000).collect();
        document = document.paragraph(vec![Inline::text("Comment in the portal: "), Inline::text(comment)]);
    }
    document.paragraph(vec![Inline::text(marker.to_owned())])
}

/// The note put on a ticket whose resolution closed its alert.
pub(super) fn closed_from_jira_note(
    tenant: &str,
    resolution: &str,
    close: &str,
    reason: Option<&str>,
    marker: &str,
) -> Document {
    let how = match reason {
        Some(reason) => format!("{} (reason: {})", close.replace('_', " "), reason.replace('_', " ")),
        None => close.replace('_', " "),
    };
    let text = format!(
        "This ticket was resolved as {resolution}, so mcas2jira closed its alert in Defender for Cloud Apps \
         (tenant {tenant}) as {how}."
    );
    Document::new().paragraph(vec![Inline::text(text)]).paragraph(vec![Inline::text(marker.to_owned())])
}

/// The note put, once, on a ticket reopened after its alert was closed.
pub(super) fn reopened_note(tenant: &str, status: &str, marker: &str) -> Document {
    let text = format!(
        "This ticket was reopened, but its alert stays closed in Defender for Cloud Apps (tenant {tenant}, \
         closed as {}): the portal's API cannot reopen an alert. mcas2jira will not move this ticket again; \
         to change how the alert is classified, do it in the portal.",
        status.replace('_', " ")
    );
    Document::new().paragraph(vec![Inline::text(text)]).paragraph(vec![Inline::text(marker.to_owned())])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_markers_survive_both_rich_text_formats() {
        let alert: Alert = Alert::from_json(&json!({
            "_id": "5f06d71dba4289d0602ba5ac",
            "timestamp": 1_700_000_000_000_i64,
            "title": "Impossible travel",
            "severityValue": 2,
            "resolutionStatusValue": 4,
            "comment": "pen test [approved] {noformat}",
            "handledByUser": "analyst@example.com"
        }))
        .unwrap();
        let marker = marker_for("5f06d71dba4289d0602ba5ac");
        for document in [
            portal_close_comment("contoso", &alert, "benign", &marker),
            closed_from_jira_note("contoso", "Won't Do", "benign", Some("other"), &marker),
            reopened_note("contoso", "benign", &reopened_marker_for("5f06d71dba4289d0602ba5ac")),
        ] {
            let wiki = document.to_wiki();
            assert!(wiki.contains(MARKER), "{wiki}");
            assert!(document.to_adf().to_string().contains(MARKER));
        }
        let wiki = portal_close_comment("contoso", &alert, "benign", &marker).to_wiki();
        assert!(wiki.contains("as benign by analyst@example.com."), "{wiki}");
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
