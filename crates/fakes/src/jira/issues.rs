//! The fake Jira's issues: validation of create and edit requests the way Jira answers them,
//! storage with a label index, the workflow, and rendering to JSON.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::jql::{Clause, OrderField, Query, StatusCategory};
use super::{Deployment, FakeJiraOptions, FieldKind};

/// Jira's limit on rich-text fields.
pub(super) const TEXT_LIMIT: usize = 32_767;
/// Jira's limit on the summary.
const SUMMARY_LIMIT: usize = 255;

const ADF_NODES: [&str; 42] = [
    "blockCard",
    "blockTaskItem",
    "blockquote",
    "bodiedExtension",
    "bodiedSyncBlock",
    "bulletList",
    "caption",
    "codeBlock",
    "date",
    "decisionItem",
    "decisionList",
    "doc",
    "embedCard",
    "emoji",
    "expand",
    "extension",
    "hardBreak",
    "heading",
    "inlineCard",
    "inlineExtension",
    "layoutColumn",
    "layoutSection",
    "listItem",
    "media",
    "mediaGroup",
    "mediaInline",
    "mediaSingle",
    "mention",
    "nestedExpand",
    "orderedList",
    "panel",
    "paragraph",
    "placeholder",
    "rule",
    "status",
    "syncBlock",
    "table",
    "tableCell",
    "tableHeader",
    "tableRow",
    "taskItem",
    "taskList",
];
const ADF_MARKS: [&str; 17] = [
    "alignment",
    "annotation",
    "backgroundColor",
    "border",
    "breakout",
    "code",
    "dataConsumer",
    "em",
    "fontSize",
    "fragment",
    "indentation",
    "link",
    "strike",
    "strong",
    "subsup",
    "textColor",
    "underline",
];

/// A comment on an issue.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FakeComment {
    /// The comment id.
    pub id: String,
    /// The body as sent: an ADF document on Cloud, a string on Server.
    pub body: Value,
    /// When it was added.
    pub created: Timestamp,
}

/// A snapshot of one issue of the fake Jira.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IssueSnapshot {
    /// The numeric id, as a string like Jira's.
    pub id: String,
    /// The key, like `SEC-1`.
    pub key: String,
    /// The summary.
    pub summary: String,
    /// The issue type name.
    pub issue_type: String,
    /// The priority name, if set.
    pub priority: Option<String>,
    /// The labels.
    pub labels: Vec<String>,
    /// The component names.
    pub components: Vec<String>,
    /// The description as sent (ADF on Cloud, a string on Server), unless content is not kept.
    pub description: Option<Value>,
    /// Custom field values by field id, as sent, unless content is not kept.
    pub custom_fields: BTreeMap<String, Value>,
    /// The status name (`To Do`, `In Progress`, `Done`).
    pub status: String,
    /// The status category.
    pub status_category: StatusCategory,
    /// The resolution name, set when the issue is done.
    pub resolution: Option<String>,
    /// When the issue was created.
    pub created: Timestamp,
    /// When the issue was resolved.
    pub resolved: Option<Timestamp>,
    /// The comments, unless content is not kept.
    pub comments: Vec<FakeComment>,
}

/// What an issue holds beyond its key, labels and status; dropped (never allocated) when the
/// options say not to keep content, so that 100,000 issues fit in a few tens of megabytes.
#[derive(Default)]
struct Content {
    components: Vec<String>,
    description: Option<Value>,
    custom: BTreeMap<String, Value>,
    comments: Vec<FakeComment>,
}

static NO_CONTENT: Content =
    Content { components: Vec::new(), description: None, custom: BTreeMap::new(), comments: Vec::new() };

pub(super) struct Issue {
    id: u64,
    summary: Box<str>,
    issue_type: usize,
    priority: Option<usize>,
    labels: Vec<String>,
    content: Option<Box<Content>>,
    category: StatusCategory,
    resolution: Option<String>,
    created: Timestamp,
    updated: Timestamp,
    resolved: Option<Timestamp>,
}

impl Issue {
    fn key(&self, project: &str) -> String {
        format!("{project}-{}", self.id - ISSUE_ID_BASE)
    }

    fn content(&self) -> &Content {
        self.content.as_deref().unwrap_or(&NO_CONTENT)
    }

    /// The content to change, or `None` when content is not kept.
    fn content_mut(&mut self) -> Option<&mut Content> {
        self.content.as_deref_mut()
    }
}

/// Jira's `{"errorMessages":[..],"errors":{..}}`.
#[derive(Debug, Default)]
pub(super) struct Problems {
    pub(super) messages: Vec<String>,
    pub(super) fields: BTreeMap<String, String>,
}

impl Problems {
    pub(super) fn field(name: &str, message: impl Into<String>) -> Problems {
        let mut p = Problems::default();
        p.fields.insert(name.to_owned(), message.into());
        p
    }

    pub(super) fn message(message: impl Into<String>) -> Problems {
        Problems { messages: vec![message.into()], fields: BTreeMap::new() }
    }

    pub(super) fn add(&mut self, name: &str, message: impl Into<String>) {
        self.fields.entry(name.to_owned()).or_insert_with(|| message.into());
    }

    fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.fields.is_empty()
    }

    pub(super) fn to_json(&self) -> Value {
        json!({ "errorMessages": self.messages, "errors": self.fields })
    }
}

/// A validated create request.
pub(super) struct NewIssue {
    summary: String,
    issue_type: usize,
    priority: Option<usize>,
    labels: Vec<String>,
    components: Vec<String>,
    description: Option<Value>,
    custom: BTreeMap<String, Value>,
}

/// Counts the text characters of an ADF document, or says why it is not one.
fn adf_text_len(value: &Value, top: bool) -> Result<usize, ()> {
    let node = value.as_object().ok_or(())?;
    let kind = node.get("type").and_then(Value::as_str).ok_or(())?;
    if top && (kind != "doc" || node.get("version").and_then(Value::as_i64) != Some(1)) {
        return Err(());
    }
    if !top && kind == "doc" {
        return Err(());
    }
    if kind == "text" {
        let text = node.get("text").and_then(Value::as_str).ok_or(())?;
        // Jira refuses empty text nodes.
        if text.is_empty() {
            return Err(());
        }
        if let Some(marks) = node.get("marks") {
            for mark in marks.as_array().ok_or(())? {
                let name = mark.get("type").and_then(Value::as_str).ok_or(())?;
                if !ADF_MARKS.contains(&name) {
                    return Err(());
                }
                if name == "link" && mark.pointer("/attrs/href").and_then(Value::as_str).is_none() {
                    return Err(());
                }
            }
        }
        return Ok(text.chars().count());
    }
    if !ADF_NODES.contains(&kind) {
        return Err(());
    }
    let mut total = 0;
    match node.get("content") {
        None => {}
        Some(Value::Array(children)) => {
            for child in children {
                total += adf_text_len(child, false)?;
            }
        }
        Some(_) => return Err(()),
    }
    Ok(total)
}

/// Checks a rich-text value (description or textarea) for the deployment.
fn check_rich_text(deployment: Deployment, value: &Value) -> Result<(), String> {
    let len = match (deployment, value) {
        (_, Value::Null) => 0,
        (Deployment::Cloud, value) => adf_text_len(value, true).map_err(|()| {
            "Operation value must be an Atlassian Document (see the Atlassian Document Format)".to_owned()
        })?,
        (Deployment::Server, Value::String(text)) => text.chars().count(),
        (Deployment::Server, _) => return Err("Operation value must be a string".to_owned()),
    };
    if len > TEXT_LIMIT {
        return Err(
            "The entered text is too long. It exceeds the allowed limit of 32,767 characters.".to_owned()
        );
    }
    Ok(())
}

fn by_name_or_id(value: &Value, names: &[String], id_base: u64) -> Option<usize> {
    if let Some(name) = value.get("name").and_then(Value::as_str) {
        return names.iter().position(|n| n == name);
    }
    let id = value
        .get("id")
        .and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string())))?;
    (0..names.len()).find(|i| (id_base + *i as u64).to_string() == id)
}

fn label_problem(label: &Value) -> Option<String> {
    match label.as_str() {
        None => Some("The label must be a string.".to_owned()),
        Some("") => Some("The label can't be empty.".to_owned()),
        Some(l) if l.chars().any(char::is_whitespace) => {
            Some(format!("The label '{l}' contains spaces which is invalid."))
        }
        Some(l) if l.chars().count() > 255 => Some("The label must not exceed 255 characters.".to_owned()),
        Some(_) => None,
    }
}

pub(super) const ISSUE_TYPE_ID_BASE: u64 = 10001;
pub(super) const PRIORITY_ID_BASE: u64 = 1;
pub(super) const COMPONENT_ID_BASE: u64 = 10100;
pub(super) const PROJECT_ID: u64 = 10000;
const ISSUE_ID_BASE: u64 = 10000;

/// The system fields a create or edit may set.
const SETTABLE: [&str; 8] =
    ["project", "issuetype", "summary", "description", "priority", "labels", "components", "duedate"];

/// Validates the `fields` value of a custom field.
fn check_custom(options: &FakeJiraOptions, kind: FieldKind, value: &Value) -> Result<(), String> {
    match (kind, value) {
        (_, Value::Null) => Ok(()),
        (FieldKind::Url, Value::String(url)) => {
            if url.starts_with("http://") || url.starts_with("https://") || url.starts_with("mailto:") {
                Ok(())
            } else {
                Err(format!("Not a valid URL: {url}"))
            }
        }
        (FieldKind::Text, Value::String(text)) => {
            if text.chars().count() > 255 {
                Err("The entered text is too long. It exceeds the allowed limit of 255 characters."
                    .to_owned())
            } else {
                Ok(())
            }
        }
        (FieldKind::Textarea, value) => check_rich_text(options.deployment, value),
        (_, _) => Err("Operation value must be a string".to_owned()),
    }
}

/// Jira's answer to a field a create or edit may not set.
fn not_on_screen(name: &str) -> String {
    format!("Field '{name}' cannot be set. It is not on the appropriate screen, or unknown.")
}

/// Checks the `fields` of a create (`creating`, of the issue type named `issue_type` when it is
/// valid) or edit request; returns the problems found.
fn check_fields(
    options: &FakeJiraOptions,
    fields: &Map<String, Value>,
    creating: Option<Option<&str>>,
    p: &mut Problems,
) {
    let creating_type = creating.map(|issue_type| issue_type.unwrap_or(super::ALL_ISSUE_TYPES));
    for (name, value) in fields {
        let always_there = ["project", "issuetype", "summary"].contains(&name.as_str());
        if let Some(issue_type) = creating_type
            && !always_there
            && !options.on_screen(issue_type, name)
        {
            p.add(name, not_on_screen(name));
            continue;
        }
        if let Some(custom) = options.custom_fields.iter().find(|c| c.id == *name) {
            if let Err(message) = check_custom(options, custom.kind, value) {
                p.add(name, message);
            }
            continue;
        }
        if !SETTABLE.contains(&name.as_str()) {
            p.add(name, not_on_screen(name));
            continue;
        }
        match name.as_str() {
            "project" if creating.is_none() => p.add(name, not_on_screen(name)),
            "project" => {
                let key_ok = value
                    .get("key")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.eq_ignore_ascii_case(&options.project));
                let id_ok = value
                    .get("id")
                    .and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string())))
                    .is_some_and(|id| id == PROJECT_ID.to_string());
                if !(key_ok || id_ok) {
                    p.add(name, "valid project is required");
                }
            }
            "issuetype" if by_name_or_id(value, &options.issue_types, ISSUE_TYPE_ID_BASE).is_none() => {
                p.add(name, "valid issue type is required");
            }
            "summary" => match value.as_str() {
                None => p.add(name, "Operation value must be a string"),
                Some(s) if s.trim().is_empty() => p.add(name, "You must specify a summary of the issue."),
                Some(s) if s.contains(['\n', '\r']) => {
                    p.add(name, "Field 'summary' cannot contain line breaks.")
                }
                // Java's length: UTF-16 code units, an emoji counts twice.
                Some(s) if s.encode_utf16().count() > SUMMARY_LIMIT => {
                    p.add(name, "Summary must be less than 255 characters.")
                }
                Some(_) => {}
            },
            "description" => {
                if let Err(message) = check_rich_text(options.deployment, value) {
                    p.add(name, message);
                }
            }
            "priority" => match by_name_or_id(value, &options.priorities, PRIORITY_ID_BASE) {
                None => p.add(name, "Specify a valid 'id' or 'name' for Priority"),
                Some(index) if !options.priority_allowed(&options.priorities[index]) => {
                    p.add(name, "The priority selected is invalid.");
                }
                Some(_) => {}
            },
            "labels" => match value.as_array() {
                None => p.add(name, "Operation value must be an array of strings"),
                Some(labels) => {
                    if let Some(problem) = labels.iter().find_map(label_problem) {
                        p.add(name, problem);
                    }
                }
            },
            "components" => match value.as_array() {
                None => p.add(name, "Operation value must be an array"),
                Some(items) => {
                    for item in items {
                        if by_name_or_id(item, &options.components, COMPONENT_ID_BASE).is_none() {
                            let shown = item
                                .get("name")
                                .and_then(Value::as_str)
                                .map_or_else(|| item.to_string(), str::to_owned);
                            p.add(name, format!("Component name '{shown}' is not valid"));
                        }
                    }
                }
            },
            _ => {}
        }
    }
}

/// Applies `update.labels` operations (`add`, `remove`, `set`) to `labels`.
fn apply_label_ops(ops: &Value, labels: &mut Vec<String>, p: &mut Problems) {
    let Some(ops) = ops.as_array() else {
        p.add("labels", "Operation value must be an array");
        return;
    };
    for op in ops {
        let Some(op) = op.as_object() else {
            p.add("labels", "Operation must be an object");
            continue;
        };
        for (verb, value) in op {
            match verb.as_str() {
                "add" => match label_problem(value) {
                    Some(problem) => p.add("labels", problem),
                    None => {
                        let label = value.as_str().unwrap_or_default().to_owned();
                        if !labels.contains(&label) {
                            labels.push(label);
                        }
                    }
                },
                "remove" => {
                    let label = value.as_str().unwrap_or_default();
                    labels.retain(|l| l != label);
                }
                "set" => match value.as_array() {
                    Some(items) => match items.iter().find_map(label_problem) {
                        Some(problem) => p.add("labels", problem),
                        None => *labels = items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    },
                    None => p.add("labels", "Operation value must be an array of strings"),
                },
                other => p.add("labels", format!("Operation '{other}' is not supported for labels")),
            }
        }
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Validates a create request body (`{"fields":{..},"update":{..}}`).
pub(super) fn validate_create(options: &FakeJiraOptions, body: &Value) -> Result<NewIssue, Problems> {
    let Some(fields) = body.get("fields").and_then(Value::as_object) else {
        return Err(Problems::message(
            "Can not instantiate value of type [simple type, class com.atlassian.jira.rest.v2.issue.IssueUpdateBean] from JSON: the request has no 'fields' object",
        ));
    };
    let mut p = Problems::default();
    if !fields.contains_key("project") {
        p.add("project", "Specify a valid project ID or key");
    }
    if !fields.contains_key("issuetype") {
        p.add("issuetype", "Specify an issue type");
    }
    if !fields.contains_key("summary") {
        p.add("summary", "You must specify a summary of the issue.");
    }
    for required in &options.required_fields {
        if fields.get(required).is_none_or(Value::is_null) {
            let name = options
                .custom_fields
                .iter()
                .find(|c| c.id == *required)
                .map_or(required.as_str(), |c| c.name.as_str());
            p.add(required, format!("{name} is required."));
        }
    }
    let issue_type = fields
        .get("issuetype")
        .and_then(|v| by_name_or_id(v, &options.issue_types, ISSUE_TYPE_ID_BASE))
        .map(|i| options.issue_types[i].as_str());
    check_fields(options, fields, Some(issue_type), &mut p);
    options.refuse_values(fields, &mut p);
    let mut labels = strings(fields.get("labels"));
    if let Some(update) = body.get("update").and_then(Value::as_object) {
        for (name, ops) in update {
            if !options.on_screen(issue_type.unwrap_or(super::ALL_ISSUE_TYPES), name) {
                p.add(name, not_on_screen(name));
            } else if name == "labels" {
                apply_label_ops(ops, &mut labels, &mut p);
            } else {
                p.add(name, not_on_screen(name));
            }
        }
    }
    if !p.is_empty() {
        return Err(p);
    }
    let issue_type = fields
        .get("issuetype")
        .and_then(|v| by_name_or_id(v, &options.issue_types, ISSUE_TYPE_ID_BASE))
        .unwrap_or(0);
    let priority =
        fields.get("priority").and_then(|v| by_name_or_id(v, &options.priorities, PRIORITY_ID_BASE));
    let components = fields
        .get("components")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|c| by_name_or_id(c, &options.components, COMPONENT_ID_BASE))
                .filter_map(|i| options.components.get(i).cloned())
                .collect()
        })
        .unwrap_or_default();
    let custom = fields
        .iter()
        .filter(|(k, _)| k.starts_with("customfield_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(NewIssue {
        summary: fields.get("summary").and_then(Value::as_str).unwrap_or_default().to_owned(),
        issue_type,
        priority,
        labels,
        components,
        description: fields.get("description").filter(|v| !v.is_null()).cloned(),
        custom,
    })
}

/// Where the issues live, with indexes by key and by label so that label searches cost the size
/// of their answer rather than the number of issues.
#[derive(Default)]
pub(super) struct Store {
    issues: Vec<Issue>,
    by_label: HashMap<String, Vec<usize>>,
    next_comment: u64,
}

/// Which fields to render.
pub(super) enum Selection {
    /// Only the id (Cloud's `/search/jql` default).
    IdOnly,
    /// Every field but the excluded ones (`*all`, `*navigable`).
    All { navigable: bool, except: Vec<String> },
    /// These fields.
    Only(Vec<String>),
}

impl Selection {
    /// Parses a `fields` parameter (a list of names, `*all`, `*navigable`, `-name`).
    pub(super) fn parse(names: &[String], default: Selection) -> Selection {
        let names: Vec<&str> =
            names.iter().flat_map(|n| n.split(',')).map(str::trim).filter(|n| !n.is_empty()).collect();
        if names.is_empty() {
            return default;
        }
        let except: Vec<String> =
            names.iter().filter_map(|n| n.strip_prefix('-')).map(str::to_owned).collect();
        if names.contains(&"*all") {
            return Selection::All { navigable: false, except };
        }
        if names.contains(&"*navigable") {
            return Selection::All { navigable: true, except };
        }
        let only: Vec<String> =
            names.iter().filter(|n| !n.starts_with('-')).map(|n| (*n).to_owned()).collect();
        if only.iter().all(|n| n == "id") {
            return Selection::IdOnly;
        }
        Selection::Only(only)
    }

    fn wants(&self, field: &str, navigable: bool) -> bool {
        match self {
            Selection::IdOnly => false,
            Selection::All { navigable: only_navigable, except } => {
                (navigable || !only_navigable) && !except.iter().any(|e| e == field)
            }
            Selection::Only(names) => names.iter().any(|n| n == field),
        }
    }
}

fn jira_time(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// The transitions of the fake's workflow: `(id, name, from, to)`.
const TRANSITIONS: [(&str, &str, StatusCategory, StatusCategory); 5] = [
    ("11", "Start", StatusCategory::ToDo, StatusCategory::InProgress),
    ("31", "Done", StatusCategory::ToDo, StatusCategory::Done),
    ("31", "Done", StatusCategory::InProgress, StatusCategory::Done),
    ("21", "Stop", StatusCategory::InProgress, StatusCategory::ToDo),
    ("41", "Reopen", StatusCategory::Done, StatusCategory::ToDo),
];

impl Store {
    pub(super) fn len(&self) -> usize {
        self.issues.len()
    }

    fn index_labels(&mut self, index: usize) {
        if let Some(issue) = self.issues.get(index) {
            for label in &issue.labels {
                let list = self.by_label.entry(label.clone()).or_default();
                if !list.contains(&index) {
                    list.push(index);
                }
            }
        }
    }

    fn unindex_labels(&mut self, index: usize) {
        if let Some(issue) = self.issues.get(index) {
            for label in &issue.labels {
                if let Some(list) = self.by_label.get_mut(label) {
                    list.retain(|i| *i != index);
                }
            }
        }
    }

    /// Stores a validated issue; returns its id and key.
    pub(super) fn create(&mut self, options: &FakeJiraOptions, new: NewIssue) -> (String, String) {
        let index = self.issues.len();
        let number = index as u64 + 1;
        let now = Timestamp::now();
        let keep = options.keep_content;
        let content = keep.then(|| {
            Box::new(Content {
                components: new.components,
                description: new.description,
                custom: new.custom,
                comments: Vec::new(),
            })
        });
        let issue = Issue {
            id: ISSUE_ID_BASE + number,
            summary: if keep { new.summary.into() } else { "".into() },
            issue_type: new.issue_type,
            priority: new.priority,
            labels: new.labels,
            content,
            category: StatusCategory::ToDo,
            resolution: None,
            created: now,
            updated: now,
            resolved: None,
        };
        let answer = (issue.id.to_string(), issue.key(&options.project));
        self.issues.push(issue);
        self.index_labels(index);
        answer
    }

    /// Finds an issue by key (any case) or numeric id: keys and ids follow creation order, so
    /// no index is needed.
    pub(super) fn find(&self, project: &str, key_or_id: &str) -> Option<usize> {
        let number: u64 = match key_or_id.rsplit_once('-') {
            Some((prefix, number)) if prefix.eq_ignore_ascii_case(project) => number.parse().ok()?,
            Some(_) => return None,
            None => key_or_id.parse::<u64>().ok()?.checked_sub(ISSUE_ID_BASE)?,
        };
        let index = usize::try_from(number.checked_sub(1)?).ok()?;
        (index < self.issues.len()).then_some(index)
    }

    /// Applies an edit request (`PUT issue/{key}`).
    pub(super) fn edit(
        &mut self,
        options: &FakeJiraOptions,
        index: usize,
        body: &Value,
    ) -> Result<(), Problems> {
        let Some(issue) = self.issues.get(index) else {
            return Err(Problems::message("Issue does not exist"));
        };
        let mut p = Problems::default();
        let empty = Map::new();
        let fields = body.get("fields").and_then(Value::as_object).unwrap_or(&empty);
        check_fields(options, fields, None, &mut p);
        let mut labels =
            if fields.contains_key("labels") { strings(fields.get("labels")) } else { issue.labels.clone() };
        if let Some(update) = body.get("update").and_then(Value::as_object) {
            for (name, ops) in update {
                if name == "labels" {
                    apply_label_ops(ops, &mut labels, &mut p);
                } else {
                    p.add(
                        name,
                        format!(
                            "Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
                        ),
                    );
                }
            }
        }
        if !p.is_empty() {
            return Err(p);
        }
        self.unindex_labels(index);
        let keep = options.keep_content;
        if let Some(issue) = self.issues.get_mut(index) {
            issue.labels = labels;
            issue.updated = Timestamp::now();
            for (name, value) in fields {
                match name.as_str() {
                    "summary" if keep => issue.summary = value.as_str().unwrap_or_default().into(),
                    "issuetype" => {
                        issue.issue_type = by_name_or_id(value, &options.issue_types, ISSUE_TYPE_ID_BASE)
                            .unwrap_or(issue.issue_type)
                    }
                    "priority" => {
                        issue.priority = by_name_or_id(value, &options.priorities, PRIORITY_ID_BASE)
                    }
                    "description" => {
                        if let Some(content) = issue.content_mut() {
                            content.description = Some(value.clone()).filter(|v| !v.is_null());
                        }
                    }
                    "components" => {
                        let Some(content) = issue.content_mut() else { continue };
                        content.components = value
                            .as_array()
                            .map(|items| {
                                items
                                    .iter()
                                    .filter_map(|c| by_name_or_id(c, &options.components, COMPONENT_ID_BASE))
                                    .filter_map(|i| options.components.get(i).cloned())
                                    .collect()
                            })
                            .unwrap_or_default();
                    }
                    custom if custom.starts_with("customfield_") => {
                        if let Some(content) = issue.content_mut() {
                            content.custom.insert(custom.to_owned(), value.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        self.index_labels(index);
        Ok(())
    }

    /// Adds a comment; returns its JSON.
    pub(super) fn comment(
        &mut self,
        options: &FakeJiraOptions,
        base: &str,
        index: usize,
        body: &Value,
    ) -> Result<Value, Problems> {
        let Some(text) = body.get("body") else {
            return Err(Problems::field("comment", "Comment body can not be empty!"));
        };
        check_rich_text(options.deployment, text).map_err(|m| Problems::field("comment", m))?;
        if text.is_null() || text.as_str().is_some_and(|t| t.trim().is_empty()) {
            return Err(Problems::field("comment", "Comment body can not be empty!"));
        }
        self.next_comment += 1;
        let id = (10_000 + self.next_comment).to_string();
        let comment = FakeComment { id: id.clone(), body: text.clone(), created: Timestamp::now() };
        let Some(issue) = self.issues.get_mut(index) else {
            return Err(Problems::message("Issue does not exist"));
        };
        let rendered = comment_json(base, issue.id, &comment, &options.user);
        if let Some(content) = issue.content_mut() {
            content.comments.push(comment);
        }
        Ok(rendered)
    }

    pub(super) fn comments_json(&self, base: &str, index: usize, user: &str) -> Value {
        let comments: Vec<Value> = self
            .issues
            .get(index)
            .map(|issue| {
                issue.content().comments.iter().map(|c| comment_json(base, issue.id, c, user)).collect()
            })
            .unwrap_or_default();
        json!({ "startAt": 0, "maxResults": comments.len(), "total": comments.len(), "comments": comments })
    }

    /// The transitions available from the issue's status.
    pub(super) fn transitions(&self, index: usize) -> Vec<(&'static str, &'static str, StatusCategory)> {
        let Some(issue) = self.issues.get(index) else { return Vec::new() };
        TRANSITIONS.iter().filter(|t| t.2 == issue.category).map(|t| (t.0, t.1, t.3)).collect()
    }

    /// Moves the issue to `to`; a resolution is set when it reaches Done and cleared otherwise.
    pub(super) fn set_status(&mut self, index: usize, to: StatusCategory, resolution: Option<String>) {
        if let Some(issue) = self.issues.get_mut(index) {
            let now = Timestamp::now();
            issue.category = to;
            issue.updated = now;
            if to == StatusCategory::Done {
                issue.resolution = Some(resolution.unwrap_or_else(|| "Done".to_owned()));
                issue.resolved = Some(now);
            } else {
                issue.resolution = None;
                issue.resolved = None;
            }
        }
    }

    pub(super) fn snapshot(&self, options: &FakeJiraOptions, index: usize) -> Option<IssueSnapshot> {
        let issue = self.issues.get(index)?;
        Some(IssueSnapshot {
            id: issue.id.to_string(),
            key: issue.key(&options.project),
            summary: issue.summary.to_string(),
            issue_type: options.issue_types.get(issue.issue_type).cloned().unwrap_or_default(),
            priority: issue.priority.and_then(|p| options.priorities.get(p).cloned()),
            labels: issue.labels.clone(),
            components: issue.content().components.clone(),
            description: issue.content().description.clone(),
            custom_fields: issue.content().custom.clone(),
            status: status_name(issue.category).to_owned(),
            status_category: issue.category,
            resolution: issue.resolution.clone(),
            created: issue.created,
            resolved: issue.resolved,
            comments: issue.content().comments.clone(),
        })
    }

    pub(super) fn count_with_label(&self, label: &str) -> usize {
        self.by_label.get(label).map_or(0, Vec::len)
    }

    /// The indexes of the issues matching `query`, in its order (newest first by default).
    pub(super) fn search(&self, options: &FakeJiraOptions, query: &Query) -> Result<Vec<usize>, String> {
        for clause in &query.clauses {
            if let Clause::Project(project) = clause
                && !project.eq_ignore_ascii_case(&options.project)
                && project != &PROJECT_ID.to_string()
            {
                return Err(format!("The value '{project}' does not exist for the field 'project'."));
            }
        }
        // Start from the smallest index a clause offers, then check every clause.
        let mut candidates: Option<Vec<usize>> = None;
        for clause in &query.clauses {
            let from_index: Option<Vec<usize>> = match clause {
                Clause::Labels(labels) => {
                    Some(labels.iter().filter_map(|l| self.by_label.get(l)).flatten().copied().collect())
                }
                Clause::Keys(keys) => {
                    Some(keys.iter().filter_map(|k| self.find(&options.project, k)).collect())
                }
                _ => None,
            };
            if let Some(list) = from_index
                && candidates.as_ref().is_none_or(|c| list.len() < c.len())
            {
                candidates = Some(list);
            }
        }
        let mut found: Vec<usize> = match candidates {
            Some(mut list) => {
                list.sort_unstable();
                list.dedup();
                list.retain(|i| {
                    self.issues.get(*i).is_some_and(|issue| matches(issue, &options.project, &query.clauses))
                });
                list
            }
            None => (0..self.issues.len())
                .filter(|i| {
                    self.issues.get(*i).is_some_and(|issue| matches(issue, &options.project, &query.clauses))
                })
                .collect(),
        };
        let (field, ascending) = query.order.unwrap_or((OrderField::Created, false));
        if field == OrderField::Updated {
            found.sort_by_key(|i| self.issues.get(*i).map(|issue| issue.updated));
        }
        if !ascending {
            found.reverse();
        }
        Ok(found)
    }

    /// An issue as Jira renders it, with the fields `selection` asks for.
    pub(super) fn issue_json(
        &self,
        options: &FakeJiraOptions,
        base: &str,
        index: usize,
        selection: &Selection,
    ) -> Value {
        let Some(issue) = self.issues.get(index) else { return Value::Null };
        if matches!(selection, Selection::IdOnly) {
            return json!({ "id": issue.id.to_string() });
        }
        let mut fields = Map::new();
        let mut put = |name: &str, navigable: bool, value: &dyn Fn() -> Value| {
            if selection.wants(name, navigable) {
                fields.insert(name.to_owned(), value());
            }
        };
        put("summary", true, &|| json!(&*issue.summary));
        put("issuetype", true, &|| {
            let id = ISSUE_TYPE_ID_BASE + issue.issue_type as u64;
            json!({
                "self": format!("{base}/issuetype/{id}"),
                "id": id.to_string(),
                "name": options.issue_types.get(issue.issue_type).cloned().unwrap_or_default(),
                "subtask": false,
            })
        });
        put(
            "project",
            true,
            &|| json!({"self": format!("{base}/project/{PROJECT_ID}"), "id": PROJECT_ID.to_string(), "key": options.project, "name": options.project_name}),
        );
        put("priority", true, &|| match issue.priority {
            Some(p) => json!({
                "self": format!("{base}/priority/{}", PRIORITY_ID_BASE + p as u64),
                "id": (PRIORITY_ID_BASE + p as u64).to_string(),
                "name": options.priorities.get(p).cloned().unwrap_or_default(),
            }),
            None => Value::Null,
        });
        put("labels", true, &|| json!(issue.labels));
        put("components", true, &|| {
            json!(issue.content().components.iter().map(|c| json!({"name": c})).collect::<Vec<_>>())
        });
        put("description", true, &|| issue.content().description.clone().unwrap_or(Value::Null));
        put("status", true, &|| super::meta::status(base, issue.category));
        put("resolution", true, &|| match &issue.resolution {
            Some(name) => {
                json!({"self": format!("{base}/resolution/1"), "id": "10000", "name": name, "description": ""})
            }
            None => Value::Null,
        });
        put("created", true, &|| json!(jira_time(issue.created)));
        put("updated", true, &|| json!(jira_time(issue.updated)));
        put("resolutiondate", true, &|| issue.resolved.map_or(Value::Null, |t| json!(jira_time(t))));
        for custom in &options.custom_fields {
            put(&custom.id, true, &|| issue.content().custom.get(&custom.id).cloned().unwrap_or(Value::Null));
        }
        put("comment", false, &|| {
            let comments: Vec<Value> = issue
                .content()
                .comments
                .iter()
                .map(|c| comment_json(base, issue.id, c, &options.user))
                .collect();
            json!({ "comments": comments, "maxResults": comments.len(), "total": comments.len(), "startAt": 0 })
        });
        json!({
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue.id.to_string(),
            "self": format!("{base}/issue/{}", issue.id),
            "key": issue.key(&options.project),
            "fields": fields,
        })
    }
}

fn status_name(category: StatusCategory) -> &'static str {
    category.name()
}

fn comment_json(base: &str, issue_id: u64, comment: &FakeComment, user: &str) -> Value {
    json!({
        "self": format!("{base}/issue/{issue_id}/comment/{}", comment.id),
        "id": comment.id,
        "author": {"displayName": user, "active": true},
        "body": comment.body,
        "created": jira_time(comment.created),
        "updated": jira_time(comment.created),
    })
}

fn matches(issue: &Issue, project: &str, clauses: &[Clause]) -> bool {
    clauses.iter().all(|clause| match clause {
        // Checked against the one project before the search starts.
        Clause::Project(_) => true,
        Clause::Labels(labels) => labels.iter().any(|l| issue.labels.contains(l)),
        Clause::Keys(keys) => {
            let key = issue.key(project);
            keys.contains(&key)
        }
        Clause::StatusCategory { category, negated } => (issue.category == *category) != *negated,
    })
}
