//! Creating (one at a time and in bulk), reading and editing issues.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use http_support::{HttpError, Idempotency};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use crate::client::Body;
use crate::error::details_or_default;
use crate::json_text::{Object, parse, write_array, write_single, write_str, write_value};
use crate::richtext::{DESCRIPTION_MAX_LEN, Document};
use crate::{
    Client, Deployment, Error, ErrorDetails, Issue, IssueId, IssueKey, NameOrId, ProjectRef, Result,
    TransitionId,
};
use crate::{lenient, sanitize_summary};

/// Jira's limit on the issues of one bulk create request.
pub const BULK_CREATE_LIMIT: usize = 50;

/// The longest label Jira accepts, in characters.
const MAX_LABEL_CHARS: usize = 255;

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
/// The summary is made safe with [`sanitize_summary`] (one line, at most 255 characters); the
/// description is rendered for the client's deployment when the request is sent.
///
/// ```
/// use jira_client::{NameOrId, NewIssue, ProjectRef};
/// let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "Impossible travel: alice")
///     .priority(NameOrId::name("High"))
///     .labels(["mcas", "mcas-5f0c1e2d3a4b5c6d7e8f9a0b"])
///     .field("customfield_10109", serde_json::json!("https://portal.example/alert/1"));
/// let body = issue.to_request_body(jira_client::Deployment::Cloud).unwrap();
/// assert_eq!(body["fields"]["labels"][0], "mcas");
/// let text = issue.to_request_json(jira_client::Deployment::Cloud).unwrap();
/// assert!(text.starts_with(r#"{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"}"#));
/// ```
#[derive(Debug, Clone)]
pub struct NewIssue {
    project: ProjectRef,
    issue_type: NameOrId,
    summary: String,
    description: Option<Document>,
    priority: Option<NameOrId>,
    labels: Vec<String>,
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

    /// Adds labels. A label may not contain whitespace (Jira refuses it); that is checked when
    /// the request is built.
    #[must_use]
    pub fn labels<I, S>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.labels.extend(labels.into_iter().map(Into::into));
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
    pub fn label_list(&self) -> &[String] {
        &self.labels
    }

    /// The JSON body Jira is sent for this issue on `deployment` (`{"fields": {...}}`), for
    /// showing what would be created: [`NewIssue::to_request_json`] parsed, so that the two
    /// never disagree.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when a label is invalid.
    pub fn to_request_body(&self, deployment: Deployment) -> Result<Value> {
        Ok(parse(&self.to_request_json(deployment)?))
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
    ///     .labels(["mcas"])
    ///     .field("summary", serde_json::json!("Set by id"));
    /// assert_eq!(
    ///     issue.to_request_json(Deployment::Cloud).unwrap(),
    ///     r#"{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"labels":["mcas"],"summary":"Set by id"}}"#
    /// );
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when a label is invalid.
    pub fn to_request_json(&self, deployment: Deployment) -> Result<String> {
        for label in &self.labels {
            check_label(label)?;
        }
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
            write_array(fields.key("labels"), &self.labels, |out, label| write_str(out, label));
        }
        if !self.components.is_empty() && typed("components") {
            write_array(fields.key("components"), &self.components, |out, component| {
                component.write_json(out)
            });
        }
        write_fields_by_id(&mut fields, by_id, deployment);
        fields.end();
        out.push('}');
        Ok(out)
    }
}

/// Checks a label the way Jira does, so that a bad one fails before anything is sent.
fn check_label(label: &str) -> Result<()> {
    if label.is_empty() {
        return Err(Error::InvalidInput("a label is empty".into()));
    }
    if label.chars().any(char::is_whitespace) {
        return Err(Error::InvalidInput(format!("the label {label:?} contains whitespace")));
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(Error::InvalidInput(format!("a label is longer than {MAX_LABEL_CHARS} characters")));
    }
    Ok(())
}

/// Changes to an existing issue: fields to set, labels to add or remove, a comment to add.
///
/// ```
/// use jira_client::IssueUpdate;
/// let update = IssueUpdate::default().add_label("triaged").remove_label("new");
/// let body = update.to_request_body(jira_client::Deployment::Server).unwrap();
/// assert_eq!(body["update"]["labels"][0]["add"], "triaged");
/// assert_eq!(
///     update.to_request_json(jira_client::Deployment::Server).unwrap(),
///     r#"{"update":{"labels":[{"add":"triaged"},{"remove":"new"}]}}"#
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct IssueUpdate {
    summary: Option<String>,
    description: Option<Document>,
    priority: Option<NameOrId>,
    fields: Vec<(String, FieldValue)>,
    add_labels: Vec<String>,
    remove_labels: Vec<String>,
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
    pub fn add_label(mut self, label: impl Into<String>) -> Self {
        self.add_labels.push(label.into());
        self
    }

    /// Removes a label, keeping the issue's other labels.
    #[must_use]
    pub fn remove_label(mut self, label: impl Into<String>) -> Self {
        self.remove_labels.push(label.into());
        self
    }

    /// Adds a comment with the change (also accepted by [`Client::transition`]).
    #[must_use]
    pub fn comment(mut self, body: Document) -> Self {
        self.comment = Some(body);
        self
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
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid label.
    pub fn to_request_body(&self, deployment: Deployment) -> Result<Value> {
        Ok(parse(&self.to_request_json(deployment)?))
    }

    /// The JSON body sent for this update, `{"fields": {...}, "update": {...}}` (either left out
    /// when empty), as compact JSON text. As for [`NewIssue::to_request_json`], a field set by
    /// id replaces a typed setter's field of the same key, and no key is written twice.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid label.
    pub fn to_request_json(&self, deployment: Deployment) -> Result<String> {
        self.write_request(deployment, None)
    }

    /// The body, with `"transition": {"id": ...}` when moving the issue through a transition.
    pub(crate) fn write_request(
        &self,
        deployment: Deployment,
        transition: Option<&TransitionId>,
    ) -> Result<String> {
        for label in self.add_labels.iter().chain(&self.remove_labels) {
            check_label(label)?;
        }
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
                    write_single(out, op, label);
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
        Ok(out)
    }
}

/// The answer to a create: the new issue's id, key and API URL.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CreatedIssue {
    /// The numeric id.
    pub id: IssueId,
    /// The key (`SEC-42`).
    pub key: IssueKey,
    /// The API URL of the issue.
    #[serde(rename = "self", default, deserialize_with = "lenient::null_default")]
    pub self_url: String,
}

/// Why one issue of a bulk create was not created (or may not have been).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum BulkFailure {
    /// Jira refused this issue; the others were not affected.
    #[error("jira refused the issue{}{details}", .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Rejected {
        /// The status Jira gave for this issue.
        status: Option<StatusCode>,
        /// Jira's messages for this issue.
        details: ErrorDetails,
    },
    /// The request carrying this issue failed as a whole (a later chunk of 50; the failure of
    /// the first chunk is returned as the call's error).
    #[error("the bulk request carrying the issue failed")]
    RequestFailed {
        /// The request's error.
        #[source]
        error: Arc<Error>,
    },
    /// Not sent: an earlier request of the same call failed as a whole.
    #[error("not sent: an earlier bulk request failed")]
    NotSent,
    /// Jira's answer did not say what became of this issue; it may have been created.
    #[error("jira's bulk answer did not account for the issue")]
    Unaccounted,
}

impl BulkFailure {
    /// Whether the issue may exist despite the failure, so that it must be looked for (by
    /// label) before it is created again.
    pub fn maybe_created(&self) -> bool {
        match self {
            BulkFailure::RequestFailed { error } => error.outcome_unknown(),
            BulkFailure::Unaccounted => true,
            BulkFailure::Rejected { .. } | BulkFailure::NotSent => false,
        }
    }
}

/// The bulk create answer, on success (`201`) and when every element failed (`400`).
#[derive(Debug, Deserialize)]
struct BulkAnswer {
    #[serde(default, deserialize_with = "lenient::null_default")]
    issues: Vec<CreatedIssue>,
    #[serde(default, deserialize_with = "lenient::null_default")]
    errors: Vec<BulkError>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BulkError {
    #[serde(default)]
    status: Option<u16>,
    #[serde(default, deserialize_with = "details_or_default")]
    element_errors: ErrorDetails,
    #[serde(default)]
    failed_element_number: Option<usize>,
}

/// Maps a bulk answer back to the positions of the `len` issues sent.
///
/// Jira lists the created issues in the order they were sent, leaving out the failed ones, and
/// names each failed one by its position. When the counts do not add up the created issues
/// cannot be matched to positions, and every position without a reported failure is
/// [`BulkFailure::Unaccounted`].
fn map_bulk_answer(answer: BulkAnswer, len: usize) -> Vec<Result<CreatedIssue, BulkFailure>> {
    let mut failed: BTreeMap<usize, BulkFailure> = BTreeMap::new();
    for error in answer.errors {
        if let Some(position) = error.failed_element_number.filter(|&n| n < len) {
            let status = error.status.and_then(|s| StatusCode::from_u16(s).ok());
            failed.entry(position).or_insert(BulkFailure::Rejected { status, details: error.element_errors });
        }
    }
    let succeeded = len - failed.len();
    let mut created = (answer.issues.len() == succeeded).then(|| answer.issues.into_iter());
    (0..len)
        .map(|position| match failed.remove(&position) {
            Some(failure) => Err(failure),
            None => match created.as_mut().and_then(Iterator::next) {
                Some(issue) => Ok(issue),
                None => Err(BulkFailure::Unaccounted),
            },
        })
        .collect()
}

/// The bulk create body, `{"issueUpdates": [...]}`, from the issues' own bodies.
fn bulk_body(bodies: &[String]) -> Bytes {
    const START: &str = r#"{"issueUpdates":["#;
    let mut body = String::with_capacity(START.len() + bodies.iter().map(|b| b.len() + 1).sum::<usize>() + 2);
    body.push_str(START);
    for (i, issue) in bodies.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(issue);
    }
    body.push_str("]}");
    Bytes::from(body)
}

impl Client {
    /// Creates an issue (`POST /issue`). Not retried once the request may have reached Jira.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use jira_client::{NameOrId, NewIssue, ProjectRef};
    /// let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "Impossible travel")
    ///     .labels(["mcas"]);
    /// let created = jira.create_issue(&issue).await?;
    /// println!("created {}", created.key);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before sending for an invalid issue; [`Error::Api`] with Jira's
    /// field errors when it refuses the issue; the transport and status errors of any call. When
    /// [`Error::outcome_unknown`] is true the issue may have been created.
    pub async fn create_issue(&self, issue: &NewIssue) -> Result<CreatedIssue> {
        let body = Bytes::from(issue.to_request_json(self.deployment())?);
        let url = self.api_url(&["issue"])?;
        self.send_json(Idempotency::NonIdempotent, Method::POST, &url, Body::JsonText(body), "create issue")
            .await
    }

    /// Creates many issues with `POST /issue/bulk`, in requests of at most
    /// [`BULK_CREATE_LIMIT`] (50). The answer has one entry per input issue, at its position.
    ///
    /// Jira creates the valid issues of a request even when others fail; each failure is
    /// reported at its position. If the first request fails as a whole its error is returned; if
    /// a later one does, the results so far are kept, its issues get
    /// [`BulkFailure::RequestFailed`] and those after it [`BulkFailure::NotSent`].
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client, drafts: Vec<jira_client::NewIssue>) -> jira_client::Result<()> {
    /// for (draft, result) in drafts.iter().zip(jira.create_issues(&drafts).await?) {
    ///     match result {
    ///         Ok(created) => println!("created {}", created.key),
    ///         Err(failure) => eprintln!("not created: {failure}"),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) when any issue is invalid; the first request's
    /// error when it fails as a whole.
    pub async fn create_issues(&self, issues: &[NewIssue]) -> Result<Vec<Result<CreatedIssue, BulkFailure>>> {
        let deployment = self.deployment();
        let bodies =
            issues.iter().map(|issue| issue.to_request_json(deployment)).collect::<Result<Vec<_>>>()?;
        let url = self.api_url(&["issue", "bulk"])?;
        let mut results = Vec::with_capacity(issues.len());
        let mut chunks = bodies.chunks(BULK_CREATE_LIMIT);
        while let Some(chunk) = chunks.next() {
            match self.create_chunk(&url, chunk).await {
                Ok(mapped) => results.extend(mapped),
                Err(error) if results.is_empty() => return Err(error),
                Err(error) => {
                    let error = Arc::new(error);
                    results.extend(
                        chunk.iter().map(|_| Err(BulkFailure::RequestFailed { error: error.clone() })),
                    );
                    results.extend(chunks.flatten().map(|_| Err(BulkFailure::NotSent)));
                    break;
                }
            }
        }
        Ok(results)
    }

    async fn create_chunk(
        &self,
        url: &url::Url,
        chunk: &[String],
    ) -> Result<Vec<Result<CreatedIssue, BulkFailure>>> {
        let body = bulk_body(chunk);
        let outcome =
            self.send_raw(Idempotency::NonIdempotent, Method::POST, url, Body::JsonText(body)).await?;
        match outcome {
            Ok(response) => {
                let answer: BulkAnswer = self.read_json(response, "bulk create").await?;
                Ok(map_bulk_answer(answer, chunk.len()))
            }
            // Jira answers 400 with the usual bulk document when every element failed.
            Err(HttpError::Status(response)) if response.status == StatusCode::BAD_REQUEST => {
                match serde_json::from_slice::<BulkAnswer>(&response.body) {
                    Ok(answer) if !answer.errors.is_empty() => Ok(map_bulk_answer(answer, chunk.len())),
                    _ => Err(Error::from_response(&response, || format!("POST {}", url.path()))),
                }
            }
            Err(error) => Err(Error::from_http(error, || format!("POST {}", url.path()))),
        }
    }

    /// Reads an issue (`GET /issue/{key}`) with the given fields; an empty list asks for Jira's
    /// default (all fields).
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let key = "SEC-42".parse()?;
    /// let issue = jira.get_issue(&key, &["summary", "status", "labels"]).await?;
    /// println!("{}: {}", issue.key, issue.fields.summary);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] when the issue does not exist or is not visible; the transport,
    /// status and decoding errors of any call.
    pub async fn get_issue(&self, key: &IssueKey, fields: &[&str]) -> Result<Issue> {
        let mut url = self.api_url(&["issue", key.as_str()])?;
        if !fields.is_empty() {
            url.query_pairs_mut().append_pair("fields", &fields.join(","));
        }
        self.get_json(&url, "get issue").await
    }

    /// Edits an issue (`PUT /issue/{key}`): sets fields, adds and removes labels, adds a comment.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use jira_client::IssueUpdate;
    /// let key = "SEC-42".parse()?;
    /// jira.update_issue(&key, &IssueUpdate::default().add_label("triaged")).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty update or an invalid label; [`Error::Api`] when Jira
    /// refuses a field; the transport and status errors of any call.
    pub async fn update_issue(&self, key: &IssueKey, update: &IssueUpdate) -> Result<()> {
        if update.is_empty() {
            return Err(Error::InvalidInput("the issue update changes nothing".into()));
        }
        let body = Bytes::from(update.to_request_json(self.deployment())?);
        let url = self.api_url(&["issue", key.as_str()])?;
        // Setting fields converges, but a comment would be added twice.
        let idempotency =
            if update.comment.is_some() { Idempotency::NonIdempotent } else { Idempotency::Idempotent };
        self.send(idempotency, Method::PUT, &url, Body::JsonText(body)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn answer(json: Value) -> BulkAnswer {
        serde_json::from_value(json).unwrap()
    }

    fn created(n: u32) -> Value {
        json!({ "id": format!("{n}"), "key": format!("SEC-{n}"), "self": "x" })
    }

    #[track_caller]
    fn check(answer_json: Value, len: usize, expected: &[Option<&str>]) {
        let mapped = map_bulk_answer(answer(answer_json), len);
        let keys: Vec<Option<String>> =
            mapped.iter().map(|r| r.as_ref().ok().map(|c| c.key.to_string())).collect();
        let expected: Vec<Option<String>> = expected.iter().map(|e| e.map(str::to_owned)).collect();
        assert_eq!(keys, expected);
    }

    fn failure(n: usize) -> Value {
        json!({ "status": 400, "failedElementNumber": n, "elementErrors": { "errors": { "summary": "bad" } } })
    }

    #[test]
    fn bulk_positions() {
        check(
            json!({ "issues": [created(1), created(2)], "errors": [] }),
            2,
            &[Some("SEC-1"), Some("SEC-2")],
        );
        check(
            json!({ "issues": [created(1), created(3)], "errors": [failure(1)] }),
            3,
            &[Some("SEC-1"), None, Some("SEC-3")],
        );
        check(json!({ "issues": [], "errors": [failure(0), failure(1)] }), 2, &[None, None]);
        // Counts that do not add up: nothing can be matched.
        check(json!({ "issues": [created(1)], "errors": [] }), 2, &[None, None]);
        // An out-of-range position is ignored.
        check(json!({ "issues": [created(1)], "errors": [failure(7)] }), 1, &[Some("SEC-1")]);
        check(json!({ "issues": null, "errors": null }), 0, &[]);
    }

    #[test]
    fn bulk_failures_say_whether_the_issue_may_exist() {
        let mapped = map_bulk_answer(answer(json!({ "issues": [created(1)], "errors": [] })), 2);
        assert!(mapped.iter().all(|r| r.as_ref().is_err_and(BulkFailure::maybe_created)));
        let mapped = map_bulk_answer(answer(json!({ "errors": [failure(0)] })), 1);
        let failure = mapped[0].as_ref().unwrap_err();
        assert!(!failure.maybe_created());
        assert_eq!(failure.to_string(), "jira refused the issue (HTTP 400 Bad Request): summary: bad");
    }

    #[test]
    fn a_field_set_by_id_replaces_the_typed_one_and_no_key_is_written_twice() {
        let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "typed")
            .priority(NameOrId::name("High"))
            .labels(["a"])
            .field("summary", json!("by id"))
            .field("customfield_1", json!(1))
            .field("priority", json!({ "id": "1" }))
            .field("customfield_1", json!(2));
        assert_eq!(
            issue.to_request_json(Deployment::Server).unwrap(),
            concat!(
                r#"{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"labels":["a"],"#,
                r#""summary":"by id","priority":{"id":"1"},"customfield_1":2}}"#
            )
        );

        let update = IssueUpdate::default()
            .summary("typed")
            .field("summary", json!("by id"))
            .add_label("x")
            .remove_label("y")
            .comment(Document::new().text_paragraph("c"));
        assert_eq!(
            update.to_request_json(Deployment::Server).unwrap(),
            concat!(
                r#"{"fields":{"summary":"by id"},"#,
                r#""update":{"labels":[{"add":"x"},{"remove":"y"}],"comment":[{"add":{"body":"c"}}]}}"#
            )
        );
        let transition = TransitionId::new("31");
        let body = IssueUpdate::default().write_request(Deployment::Cloud, Some(&transition)).unwrap();
        assert_eq!(body, r#"{"transition":{"id":"31"}}"#);
        assert_eq!(IssueUpdate::default().to_request_json(Deployment::Cloud).unwrap(), "{}");
    }

    #[track_caller]
    fn check_label_err(label: &str) {
        assert!(matches!(check_label(label), Err(Error::InvalidInput(_))), "{label:?}");
    }

    #[test]
    fn labels() {
        assert!(check_label("mcas-5f0c1e2d3a4b5c6d7e8f9a0b").is_ok());
        check_label_err("");
        check_label_err("two words");
        check_label_err("tab\there");
        check_label_err("line\nbreak");
        check_label_err(&"x".repeat(256));
    }
}
