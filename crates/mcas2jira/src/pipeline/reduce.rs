//! The reduced form of a ticket Jira refused for its alert's content: the draft without what was
//! refused, saying so at the top of its description.

use alert_mapping::TicketDraft;
use jira_client::richtext::{Block, Document, Inline};
use jira_client::{NewIssue, ProjectRef, sanitize_summary};

use super::refusal::Reduction;
use crate::state::LeftOut;

/// What stands in for a refused summary or description: plain, made of the alert's id, tenant and
/// link only, which Jira has no reason to refuse.
#[derive(Debug, Clone)]
pub struct Fallback {
    /// The summary: `[contoso] Defender for Cloud Apps alert 5f06…`.
    pub summary: String,
    /// The description: the alert's id and its link.
    pub description: Document,
}

impl Fallback {
    /// The fallback of an alert of `tenant` with this id and portal link.
    #[must_use]
    pub fn new(tenant: &str, alert_id: &str, url: &str) -> Self {
        let summary = sanitize_summary(&format!("[{tenant}] Defender for Cloud Apps alert {alert_id}"));
        let description = Document::new().paragraph(vec![
            Inline::text(format!("Defender for Cloud Apps alert {alert_id} of tenant {tenant}: ")),
            Inline::link("open it in the portal", url),
        ]);
        Self { summary, description }
    }
}

/// The line a reduced ticket starts its description with: what was left out and Jira's reasons.
#[must_use]
pub fn note(reduction: &Reduction) -> String {
    let names: Vec<&str> = reduction.left_out.iter().map(|l| l.name.as_str()).collect();
    let mut reasons: Vec<String> = Vec::new();
    for left in &reduction.left_out {
        let reason = format!("{}: {}", left.name, left.reason);
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    format!(
        "Jira refused this ticket as the alert made it, and accepted it without {}. Jira's reasons: {}",
        names.join(", "),
        reasons.join("; ")
    )
}

/// The draft as a request without what `reduction` leaves out, and with the note on top.
#[must_use]
pub fn reduced_issue(
    mut draft: TicketDraft,
    reduction: &Reduction,
    fallback: &Fallback,
    project: ProjectRef,
    default_issue_type: &str,
) -> NewIssue {
    if reduction.only_essentials {
        draft.fields.clear();
        draft.priority = None;
        draft.components.clear();
    } else {
        draft.fields.retain(|(id, _)| !reduction.leaves_out(id));
        if reduction.leaves_out("priority") {
            draft.priority = None;
        }
        if reduction.leaves_out("components") {
            draft.components.clear();
        }
    }
    if reduction.leaves_out("labels") {
        // The alert's own label comes first, and is what makes the ticket its alert's.
        draft.labels.truncate(1);
    }
    if reduction.leaves_out("summary") {
        draft.summary.clone_from(&fallback.summary);
    }
    if reduction.leaves_out("description") {
        draft.description = fallback.description.clone();
    }
    let note = Block::Paragraph(vec![Inline::strong("mcas2jira: "), Inline::text(note(reduction))]);
    draft.description.blocks.insert(0, note);
    draft.into_new_issue(project, default_issue_type)
}

/// The last reduction: only what every ticket needs, with the plain summary, description and
/// label, naming everything that was left out with the reasons Jira gave.
pub fn plainest_reduction(first: Reduction, second: Reduction, reason: &str) -> Reduction {
    let mut left_out = first.left_out;
    for left in second.left_out {
        if !left_out.iter().any(|l| l.field == left.field) {
            left_out.push(left);
        }
    }
    for (field, name) in [("summary", "Summary"), ("description", "Description"), ("labels", "Labels")] {
        if !left_out.iter().any(|l| l.field == field) {
            left_out.push(LeftOut {
                field: field.to_owned(),
                name: name.to_owned(),
                reason: reason.to_owned(),
            });
        }
    }
    Reduction { left_out, only_essentials: true }
}

#[cfg(test)]
mod tests {
    use alert_mapping::FieldValue;
    use jira_client::Deployment;
    use serde_json::json;

    use super::*;

    fn draft() -> TicketDraft {
        let mapper = alert_mapping::Mapper::new(
            alert_mapping::MappingConfig::new(Deployment::Cloud)
                .labels(["mcas".to_owned()])
                .field(
                    alert_mapping::TicketAttribute::AffectedUser,
                    String::from("customfield_10107"),
                    jira_client::FieldShape::Text,
                )
                .field(
                    alert_mapping::TicketAttribute::AlertUrl,
                    String::from("customfield_10109"),
                    jira_client::FieldShape::Url,
                ),
        )
        .unwrap();
        let alert: mcas_client::Alert = serde_json::from_value(json!({
            "_id": "5f06d71dba4289d0602ba5ac", "timestamp": 1594283802753_i64, "title": "Mass download",
            "severityValue": 2, "entities": [{"type": "user", "id": "mallory@example.com"}],
        }))
        .unwrap();
        let tenant = alert_mapping::TenantContext::new("contoso")
            .portal_url("https://contoso.us3.portal.cloudappsecurity.com".parse().unwrap());
        let facts = alert_mapping::extract(&alert, &tenant);
        match mapper.map(&facts, &Default::default()).unwrap() {
            alert_mapping::Mapped::Ticket(draft) => draft,
            other => panic!("{other:?}"),
        }
    }

    fn left(field: &str, name: &str) -> LeftOut {
        LeftOut { field: field.into(), name: name.into(), reason: format!("{name} refused") }
    }

    fn fallback() -> Fallback {
        Fallback::new("contoso", "5f06d71dba4289d0602ba5ac", "https://contoso.portal.example/#/alerts/5f06")
    }

    #[test]
    fn only_the_refused_fields_are_left_out() {
        let draft = draft();
        assert!(draft.field("customfield_10107").is_some() && draft.field("customfield_10109").is_some());
        let reduction =
            Reduction { left_out: vec![left("customfield_10107", "Affected user")], only_essentials: false };
        let body = reduced_issue(draft, &reduction, &fallback(), ProjectRef::key("SEC"), "Task")
            .to_request_body(Deployment::Cloud);
        let fields = &body["fields"];
        assert!(fields.get("customfield_10107").is_none(), "{body}");
        // What Jira did not refuse stays.
        assert!(
            fields["customfield_10109"].as_str().is_some_and(|url| url.starts_with("https://")),
            "{body}"
        );
        assert_eq!(fields["labels"], json!(["mcas-5f06d71dba4289d0602ba5ac", "mcas"]));
        assert_eq!(fields["summary"], "[contoso] Mass download");
        let first = fields["description"]["content"][0].to_string();
        assert!(first.contains("mcas2jira: ") && first.contains("without Affected user"), "{first}");
        assert!(first.contains("Affected user: Affected user refused"), "{first}");
    }

    #[test]
    fn a_refused_summary_description_or_label_is_replaced_by_the_plain_fallback() {
        let reduction = Reduction {
            left_out: vec![
                left("summary", "Summary"),
                left("description", "Description"),
                left("labels", "Labels"),
            ],
            only_essentials: false,
        };
        let body = reduced_issue(draft(), &reduction, &fallback(), ProjectRef::key("SEC"), "Task")
            .to_request_body(Deployment::Cloud);
        let fields = &body["fields"];
        assert_eq!(fields["summary"], "[contoso] Defender for Cloud Apps alert 5f06d71dba4289d0602ba5ac");
        assert_eq!(fields["labels"], json!(["mcas-5f06d71dba4289d0602ba5ac"]));
        let description = fields["description"].to_string();
        assert!(
            description.contains("open it in the portal") && !description.contains("Mass download"),
            "{description}"
        );
        // The custom fields Jira did not refuse stay.
        assert!(fields.get("customfield_10107").is_some());
    }

    #[test]
    fn only_essentials_keeps_summary_description_and_labels() {
        let mut draft = draft();
        draft.priority = Some("High".into());
        draft.components = vec!["SOC".into()];
        draft.fields.push(("customfield_1".into(), FieldValue::Json(json!("x"))));
        let reduction = Reduction { left_out: vec![left("customfield_1", "x")], only_essentials: true };
        let body = reduced_issue(draft, &reduction, &fallback(), ProjectRef::key("SEC"), "Task")
            .to_request_body(Deployment::Cloud);
        let keys: Vec<&String> = body["fields"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["description", "issuetype", "labels", "project", "summary"]);
    }
}
