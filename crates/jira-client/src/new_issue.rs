//! The bodies of the issue requests: a new issue and an update, written as the JSON text Jira
//! is sent, for either deployment.

use serde_json::Value;

use crate::json_text::{Object, parse, write_array, write_single, write_str, write_value};
use crate::richtext::{DESCRIPTION_MAX_LEN, Document};
use crate::{Deployment, Label, NameOrId, ProjectRef, TransitionId, sanitize_summary};

/// A field value set by field id: JSON as it is, or rich text rendered for the deployment.
#[derive(Debug, Clone)]
enum FieldValue {
    Json(Value),
    Rich(Document),
}

impl FieldValue {
    fn write(&self, out: &mut String, deployment: Deployment) {
        match self {
            FieldValue::Json(value) => write_value(out, value),
            FieldValue::Rich(doc) => write_document(out, doc, deployment),
        }
    }
}

/// Writes rich text as the deployment wants it: an ADF document on Cloud, a string of wiki
/// markup on Server/DC. Cut to Jira's size limit for rich-text fields so that a huge alert
/// cannot make the request fail.
pub(crate) fn write_document(out: &mut String, doc: &Document, deployment: Deployment) {
    match deployment {
        Deployment::Cloud => doc.write_adf_limited(DESCRIPTION_MAX_LEN, out),
        Deployment::Server => write_str(out, &doc.to_wiki_limited(DESCRIPTION_MAX_LEN)),
    }
}

/// The fields set by id, written as members of `fields`.
///
/// They used to be inserted into a map after the typed fields, so a field set by id replaces a
/// typed field of the same key (the caller leaves that one out, see [`set_by_id`]) and a field
/// set twice keeps its last value: only the last of each id is written, so that the object never
/// holds a key twice.
fn write_fields_by_id(fields: &mut Object<'_>, by_id: &[(String, FieldValue)], deployment: Deployment) {
    for (i, (id, value)) in by_id.iter().enumerate() {
        if by_id[i + 1..].iter().all(|(later, _)| later != id) {
            value.write(fields.key(id), deployment);
        }
    }
}

/// Whether a field set by id replaces the typed field `key`.
fn set_by_id(by_id: &[(String, FieldValue)], key: &str) -> bool {
    by_id.iter().any(|(id, _)| id == key)
}

/// An issue to create.
///
/// The summary is made safe with [`sanitize_summary`] (one line, at most 255 UTF-16 code units); the
/// description is rendered for the client's deployment when the request is sent.
///
/// ```
/// use jira_client::{Label, NameOrId, NewIssue, ProjectRef};
/// let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "Impossible travel: alice")
///     .priority(NameOrId::name("High"))
///     .labels([Label::new("mcas")?, Label::new("mcas-5f0c1e2d3a4b5c6d7e8f9a0b")?])
///     .field("customfield_10109", serde_json::json!("https://portal.example/alert/1"));
/// let body = issue.to_request_body(jira_client::Deployment::Cloud);
/// assert_eq!(body["fields"]["labels"][0], "mcas");
/// let text = issue.to_request_json(jira_client::Deployment::Cloud);
/// assert!(text.starts_with(r#"{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"}"#));
/// # Ok::<(), jira_client::LabelError>(())
/// ```
#[derive(Debug, Clone)]
pub struct NewIssue {
    project: ProjectRef,
    issue_type: NameOrId,
    summary: String,
    description: Option<Document>,
    priority: Option<NameOrId>,
    labels: Vec<Label>,
    components: Vec<NameOrId>,
    fields: Vec<(String, FieldValue)>,
}

impl NewIssue {
    /// An issue with the required parts: project, issue type and summary.
    pub fn new(project: ProjectRef, issue_type: NameOrId, summary: impl Into<String>) -> Self {
        Self {
            project,
            issue_type,
            summary: summary.into(),
            description: None,
            priority: None,
            labels: Vec::new(),
            components: Vec::new(),
            fields: Vec::new(),
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: Document) -> Self {
        self.description = Some(description);
        self
    }

    /// Sets the priority.
    #[must_use]
    pub fn priority(mut self, priority: NameOrId) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Adds labels.
    #[must_use]
    pub fn labels(mut self, labels: impl IntoIterator<Item = Label>) -> Self {
        self.labels.extend(labels);
        self
    }

    /// Adds components.
    #[must_use]
    pub fn components(mut self, components: impl IntoIterator<Item = NameOrId>) -> Self {
        self.components.extend(components);
        self
    }

    /// Sets a field by id (`customfield_10109`) to a JSON value of the field's shape (see
    /// [`crate::FieldShape::value_from_text`]). Set last, it wins over the typed setters.
    #[must_use]
    pub fn field(mut self, id: impl Into<String>, value: Value) -> Self {
        self.fields.push((id.into(), FieldValue::Json(value)));
        self
    }

    /// Sets a rich-text field (a multi-line text custom field) by id to a document, rendered for
    /// the deployment like the description.
    #[must_use]
    pub fn field_document(mut self, id: impl Into<String>, value: Document) -> Self {
        self.fields.push((id.into(), FieldValue::Rich(value)));
        self
    }

    /// The labels set so far.
    pub fn label_list(&self) -> &[Label] {
        &self.labels
    }

    /// The JSON body Jira is sent for this issue on `deployment` (`{"fields": {...}}`), for
    /// showing what would be created: [`NewIssue::to_request_json`] parsed, so that the two
    /// never disagree.
    pub fn to_request_body(&self, deployment: Deployment) -> Value {
        parse(&self.to_request_json(deployment))
    }

    /// The JSON body Jira is sent for this issue on `deployment`, `{"fields": {...}}`, as the
    /// compact JSON text that is sent.
    ///
    /// Written directly, without building a `serde_json::Value`: the description and rich-text
    /// fields as ADF text (see [`Document::to_adf_json_limited`]) or wiki markup, other fields
    /// as their JSON. A field set by id ([`NewIssue::field`], [`NewIssue::field_document`])
    /// replaces a typed setter's field of the same key, and a field set twice keeps its last
    /// value: no key is written twice.
    ///
    /// ```
    /// use jira_client::{Deployment, NameOrId, NewIssue, ProjectRef};
    /// let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "Impossible\ntravel")
    ///     .labels(["mcas".parse()?])
    ///     .field("summary", serde_json::json!("Set by id"));
    /// assert_eq!(
    ///     issue.to_request_json(Deployment::Cloud),
    ///     r#"{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"labels":["mcas"],"summary":"Set by id"}}"#
    /// );
    /// # Ok::<(), jira_client::LabelError>(())
    /// ```
    pub fn to_request_json(&self, deployment: Deployment) -> String {
        let by_id = self.fields.as_slice();
        let typed = |key: &str| !set_by_id(by_id, key);
        let mut out = String::with_capacity(512);
        out.push_str(r#"{"fields":"#);
        let mut fields = Object::start(&mut out);
        if typed("project") {
            self.project.write_json(fields.key("project"));
        }
        if typed("issuetype") {
            self.issue_type.write_json(fields.key("issuetype"));
        }
        if typed("summary") {
            write_str(fields.key("summary"), &sanitize_summary(&self.summary));
        }
        if let Some(description) = self.description.as_ref().filter(|_| typed("description")) {
            write_document(fields.key("description"), description, deployment);
        }
        if let Some(priority) = self.priority.as_ref().filter(|_| typed("priority")) {
            priority.write_json(fields.key("priority"));
        }
        if !self.labels.is_empty() && typed("labels") {
            write_array(fields.key("labels"), &self.labels, |out, label| write_str(out, label.as_str()));
        }
        if !self.components.is_empty() && typed("components") {
            write_array(fields.key("components"), &self.components, |out, component| {
                component.write_json(out)
            });
        }
        write_fields_by_id(&mut fields, by_id, deployment);
        fields.end();
        out.push('}');
        out
    }
}

/// Changes to an existing issue: fields to set, labels to add or remove, a comment to add.
///
/// ```
/// use jira_client::IssueUpdate;
/// let update = IssueUpdate::default().add_label("triaged".parse()?).remove_label("new".parse()?);
/// let body = update.to_request_body(jira_client::Deployment::Server);
/// assert_eq!(body["update"]["labels"][0]["add"], "triaged");
/// assert_eq!(
///     update.to_request_json(jira_client::Deployment::Server),
///     r#"{"update":{"labels":[{"add":"triaged"},{"remove":"new"}]}}"#
/// );
/// # Ok::<(), jira_client::LabelError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct IssueUpdate {
    summary: Option<String>,
    description: Option<Document>,
    priority: Option<NameOrId>,
    fields: Vec<(String, FieldValue)>,
    add_labels: Vec<Label>,
    remove_labels: Vec<Label>,
    comment: Option<Document>,
}

impl IssueUpdate {
    /// Sets the summary (sanitized like a new issue's).
    #[must_use]
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = Some(summary.into());
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: Document) -> Self {
        self.description = Some(description);
        self
    }

    /// Sets the priority.
    #[must_use]
    pub fn priority(mut self, priority: NameOrId) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Sets a field by id to a JSON value of the field's shape.
    #[must_use]
    pub fn field(mut self, id: impl Into<String>, value: Value) -> Self {
        self.fields.push((id.into(), FieldValue::Json(value)));
        self
    }

    /// Sets a rich-text field by id to a document, rendered for the deployment.
    #[must_use]
    pub fn field_document(mut self, id: impl Into<String>, value: Document) -> Self {
        self.fields.push((id.into(), FieldValue::Rich(value)));
        self
    }

    /// Adds a label, keeping the issue's other labels.
    #[must_use]
    pub fn add_label(mut self, label: Label) -> Self {
        self.add_labels.push(label);
        self
    }

    /// Removes a label, keeping the issue's other labels.
    #[must_use]
    pub fn remove_label(mut self, label: Label) -> Self {
        self.remove_labels.push(label);
        self
    }

    /// Adds a comment with the change (also accepted by `Client::transition`).
    #[must_use]
    pub fn comment(mut self, body: Document) -> Self {
        self.comment = Some(body);
        self
    }

    /// Whether a comment is added, which makes the request unsafe to repeat.
    #[cfg(feature = "client")]
    pub(crate) fn has_comment(&self) -> bool {
        self.comment.is_some()
    }

    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.summary.is_none()
            && self.description.is_none()
            && self.priority.is_none()
            && self.fields.is_empty()
            && self.add_labels.is_empty()
            && self.remove_labels.is_empty()
            && self.comment.is_none()
    }

    /// The JSON body (`{"fields": {...}, "update": {...}}`) sent for this update:
    /// [`IssueUpdate::to_request_json`] parsed.
    pub fn to_request_body(&self, deployment: Deployment) -> Value {
        parse(&self.to_request_json(deployment))
    }

    /// The JSON body sent for this update, `{"fields": {...}, "update": {...}}` (either left out
    /// when empty), as compact JSON text. As for [`NewIssue::to_request_json`], a field set by
    /// id replaces a typed setter's field of the same key, and no key is written twice.
    pub fn to_request_json(&self, deployment: Deployment) -> String {
        self.write_request(deployment, None)
    }

    /// The body, with `"transition": {"id": ...}` when moving the issue through a transition.
    pub(crate) fn write_request(&self, deployment: Deployment, transition: Option<&TransitionId>) -> String {
        let by_id = self.fields.as_slice();
        let typed = |key: &str| !set_by_id(by_id, key);
        let mut out = String::with_capacity(256);
        let mut body = Object::start(&mut out);
        let has_fields = self.summary.is_some()
            || self.description.is_some()
            || self.priority.is_some()
            || !self.fields.is_empty();
        if has_fields {
            let mut fields = Object::start(body.key("fields"));
            if let Some(summary) = self.summary.as_ref().filter(|_| typed("summary")) {
                write_str(fields.key("summary"), &sanitize_summary(summary));
            }
            if let Some(description) = self.description.as_ref().filter(|_| typed("description")) {
                write_document(fields.key("description"), description, deployment);
            }
            if let Some(priority) = self.priority.as_ref().filter(|_| typed("priority")) {
                priority.write_json(fields.key("priority"));
            }
            write_fields_by_id(&mut fields, by_id, deployment);
            fields.end();
        }
        if let Some(transition) = transition {
            write_single(body.key("transition"), "id", transition.as_str());
        }
        let has_label_ops = !self.add_labels.is_empty() || !self.remove_labels.is_empty();
        if has_label_ops || self.comment.is_some() {
            let mut update = Object::start(body.key("update"));
            if has_label_ops {
                let adds = self.add_labels.iter().map(|label| ("add", label));
                let removes = self.remove_labels.iter().map(|label| ("remove", label));
                write_array(update.key("labels"), adds.chain(removes), |out, (op, label)| {
                    write_single(out, op, label.as_str());
                });
            }
            if let Some(comment) = &self.comment {
                // `[{"add": {"body": ...}}]`
                let out = update.key("comment");
                out.push_str(r#"[{"add":{"body":"#);
                write_document(out, comment, deployment);
                out.push_str("}}]");
            }
            update.end();
        }
        body.end();
        out
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn label(text: &str) -> Label {
        Label::new(text).unwrap()
    }

    #[test]
    fn a_field_set_by_id_replaces_the_typed_one_and_no_key_is_written_twice() {
        let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "typed")
            .priority(NameOrId::name("High"))
            .labels([label("a")])
            .field("summary", json!("by id"))
            .field("customfield_1", json!(1))
            .field("priority", json!({ "id": "1" }))
            .field("customfield_1", json!(2));
        assert_eq!(
            issue.to_request_json(Deployment::Server),
            concat!(
                r#"{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"labels":["a"],"#,
                r#""summary":"by id","priority":{"id":"1"},"customfield_1":2}}"#
            )
        );

        let update = IssueUpdate::default()
            .summary("typed")
            .field("summary", json!("by id"))
            .add_label(label("x"))
            .remove_label(label("y"))
            .comment(Document::new().text_paragraph("c"));
        assert_eq!(
            update.to_request_json(Deployment::Server),
            concat!(
                r#"{"fields":{"summary":"by id"},"#,
                r#""update":{"labels":[{"add":"x"},{"remove":"y"}],"comment":[{"add":{"body":"c"}}]}}"#
            )
        );
        let transition = TransitionId::new("31");
        let body = IssueUpdate::default().write_request(Deployment::Cloud, Some(&transition));
        assert_eq!(body, r#"{"transition":{"id":"31"}}"#);
        assert_eq!(IssueUpdate::default().to_request_json(Deployment::Cloud), "{}");
    }
}
