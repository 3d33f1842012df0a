//! The mapper: facts and reputations in, a ticket draft (or a skip) out.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use jira_client::richtext::Document;
use jira_client::{Deployment, FieldShape, Label, NameOrId, NewIssue, ProjectRef, sanitize_summary};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::extract::format_time;
use crate::facts::Facts;
use crate::labels::source_label;
use crate::render;
use crate::reputation::Reputation;
use crate::rules::Rules;
use crate::severity::Severity;
use crate::template::{DEFAULT_SUMMARY_TEMPLATE, SummaryTemplate};

/// Jira's limit on a single-line text field, in UTF-16 code units.
const TEXT_FIELD_MAX_LEN: usize = 255;

/// Jira's limit on a multi-line text field, in characters.
const LONG_TEXT_MAX_CHARS: usize = 32_767;

/// A piece of an alert that can be written to a Jira field of its own, as named in the config's
/// `[jira.fields]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketAttribute {
    /// The link to the alert in the portal.
    AlertUrl,
    /// The affected users.
    AffectedUser,
    /// The IP addresses.
    Ips,
    /// The IP addresses with their reputation, one per line.
    IpReputation,
    /// The first sentence of the description (or the title).
    AlertSummary,
    /// The description as plain text.
    AlertDescription,
    /// The severity.
    Severity,
    /// The tenant's name.
    Tenant,
    /// The policy's name.
    Policy,
    /// The alert's time.
    AlertTime,
    /// The alert's id.
    AlertId,
}

impl TicketAttribute {
    /// Every attribute, in the order of the docs.
    pub const ALL: [TicketAttribute; 11] = [
        Self::AlertUrl,
        Self::AffectedUser,
        Self::Ips,
        Self::IpReputation,
        Self::AlertSummary,
        Self::AlertDescription,
        Self::Severity,
        Self::Tenant,
        Self::Policy,
        Self::AlertTime,
        Self::AlertId,
    ];

    /// The name used in the config: `alert_url`, `affected_user`...
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::AlertUrl => "alert_url",
            Self::AffectedUser => "affected_user",
            Self::Ips => "ips",
            Self::IpReputation => "ip_reputation",
            Self::AlertSummary => "alert_summary",
            Self::AlertDescription => "alert_description",
            Self::Severity => "severity",
            Self::Tenant => "tenant",
            Self::Policy => "policy",
            Self::AlertTime => "alert_time",
            Self::AlertId => "alert_id",
        }
    }

    /// Whether the attribute is a list of values (users, IPs), which a labels or multi-value
    /// field takes item by item.
    fn is_list(self) -> bool {
        matches!(self, Self::AffectedUser | Self::Ips)
    }
}

impl fmt::Display for TicketAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An attribute name that is not one of [`TicketAttribute::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ticket attribute {0:?}")]
pub struct UnknownAttribute(pub String);

impl FromStr for TicketAttribute {
    type Err = UnknownAttribute;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|a| a.name() == s).ok_or_else(|| UnknownAttribute(s.to_owned()))
    }
}

/// The Jira priority for each severity: the config's `[jira.priorities]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityPriorities {
    /// For high-severity alerts.
    pub high: Option<String>,
    /// For medium-severity alerts.
    pub medium: Option<String>,
    /// For low-severity alerts.
    pub low: Option<String>,
    /// For informational alerts.
    pub informational: Option<String>,
}

impl SeverityPriorities {
    /// The priority for a severity; `None` when none is configured (Jira then applies the
    /// project's default priority, as it does for an alert of an unknown severity).
    #[must_use]
    pub fn get(&self, severity: Severity) -> Option<&str> {
        match severity {
            Severity::High => self.high.as_deref(),
            Severity::Medium => self.medium.as_deref(),
            Severity::Low => self.low.as_deref(),
            Severity::Informational => self.informational.as_deref(),
        }
    }
}

/// Everything the mapper needs from the config, ready to use: field names resolved to ids and
/// shapes, rules compiled.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MappingConfig {
    /// The Jira deployment, which decides how rich-text field values are written.
    pub deployment: Deployment,
    /// The summary template; see [`PLACEHOLDERS`](crate::PLACEHOLDERS). Default
    /// [`DEFAULT_SUMMARY_TEMPLATE`](crate::DEFAULT_SUMMARY_TEMPLATE).
    pub summary_template: String,
    /// Labels every ticket carries, besides the alert's own (`mcas-<id>` or `graph-<id>`).
    pub labels: Vec<String>,
    /// The priority for each severity, used when no rule sets one.
    pub priorities: SeverityPriorities,
    /// Which attribute goes in which field: (attribute, field id, the field's shape).
    pub fields: Vec<(TicketAttribute, String, FieldShape)>,
    /// The rules.
    pub rules: Rules,
    /// The issue type, used when no rule sets one; `None` leaves it to the caller.
    pub issue_type: Option<String>,
}

impl MappingConfig {
    /// A configuration with the default template and no labels, priorities, fields or rules.
    #[must_use]
    pub fn new(deployment: Deployment) -> Self {
        Self {
            deployment,
            summary_template: DEFAULT_SUMMARY_TEMPLATE.to_owned(),
            labels: Vec::new(),
            priorities: SeverityPriorities::default(),
            fields: Vec::new(),
            rules: Rules::none(),
            issue_type: None,
        }
    }

    /// Sets the summary template.
    #[must_use]
    pub fn summary_template(mut self, template: impl Into<String>) -> Self {
        self.summary_template = template.into();
        self
    }

    /// Sets the labels every ticket carries.
    #[must_use]
    pub fn labels<I, S>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.labels = labels.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the priority for each severity.
    #[must_use]
    pub fn priorities(mut self, priorities: SeverityPriorities) -> Self {
        self.priorities = priorities;
        self
    }

    /// Writes `attribute` to the field `field_id` of the given shape.
    #[must_use]
    pub fn field(
        mut self,
        attribute: TicketAttribute,
        field_id: impl Into<String>,
        shape: FieldShape,
    ) -> Self {
        self.fields.push((attribute, field_id.into(), shape));
        self
    }

    /// Sets the rules.
    #[must_use]
    pub fn rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    /// Sets the default issue type.
    #[must_use]
    pub fn issue_type(mut self, issue_type: impl Into<String>) -> Self {
        self.issue_type = Some(issue_type.into());
        self
    }
}

/// What to do with an alert.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Mapped {
    /// Make this ticket.
    Ticket(TicketDraft),
    /// Make no ticket: a rule with `skip = true` matched.
    Skip {
        /// The rule's position in the config, counted from 1.
        rule: usize,
    },
}

/// A ticket ready to be created, for any deployment.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TicketDraft {
    /// One line of at most 255 UTF-16 code units, as Jira counts them ([`jira_client::sanitize_summary`]).
    pub summary: String,
    /// The description.
    pub description: Document,
    /// The priority's name.
    pub priority: Option<String>,
    /// The labels: the alert's own (`mcas-<alert id>` or `graph-<alert id>`) first, then the
    /// configured ones, then the rule's; no duplicates.
    pub labels: Vec<Label>,
    /// Component names.
    pub components: Vec<String>,
    /// The issue type's name; `None` when neither the config nor a rule names one.
    pub issue_type: Option<String>,
    /// Values of the configured fields, by field id (each id once, in the config's order),
    /// shaped for the field and the deployment.
    pub fields: Vec<(String, FieldValue)>,
    /// The rule that matched, counted from 1.
    pub rule: Option<usize>,
}

/// The value of a configured field in a [`TicketDraft`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FieldValue {
    /// JSON of the field's shape, sent as it is.
    Json(Value),
    /// Rich text, for a multi-line text field: `jira-client` renders it when the request is
    /// built, as ADF for Jira Cloud or wiki markup for Server/Data Center, cut to Jira's size
    /// limit like the description.
    RichText(Document),
}

impl FieldValue {
    /// The JSON value, when the value is JSON rather than rich text.
    #[must_use]
    pub fn as_json(&self) -> Option<&Value> {
        match self {
            FieldValue::Json(value) => Some(value),
            FieldValue::RichText(_) => None,
        }
    }
}

/// Turns facts and reputations into ticket drafts; built once from the config.
#[derive(Debug, Clone)]
pub struct Mapper {
    deployment: Deployment,
    template: SummaryTemplate,
    labels: Vec<Label>,
    priorities: SeverityPriorities,
    fields: Vec<(TicketAttribute, String, FieldShape)>,
    rules: Rules,
    issue_type: Option<String>,
}

impl Mapper {
    /// Checks the configuration and builds the mapper.
    ///
    /// # Errors
    ///
    /// [`Error::Template`] for an invalid summary template (unknown placeholder, unbalanced
    /// braces), [`Error::Label`] for a configured label Jira would refuse, and [`Error::Field`]
    /// for an attribute mapped to a field whose shape cannot hold it.
    pub fn new(config: MappingConfig) -> Result<Self> {
        let template = SummaryTemplate::parse(&config.summary_template)?;
        let labels = config
            .labels
            .iter()
            .map(|label| {
                Label::new(label.as_str()).map_err(|reason| Error::Label { label: label.clone(), reason })
            })
            .collect::<Result<_>>()?;
        for (attribute, field_id, shape) in &config.fields {
            check_shape(*attribute, shape).map_err(|reason| Error::Field {
                attribute: *attribute,
                field_id: field_id.clone(),
                reason,
            })?;
        }
        Ok(Self {
            deployment: config.deployment,
            template,
            labels,
            priorities: config.priorities,
            fields: config.fields,
            rules: config.rules,
            issue_type: config.issue_type,
        })
    }

    /// The compiled rules.
    #[must_use]
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Maps one alert.
    ///
    /// `reputations` holds what is known about the alert's IPs; an IP missing from it is shown
    /// as not looked up. A failed lookup never stops the ticket.
    ///
    /// # Errors
    ///
    /// [`Error::FieldValue`] when a configured field's value cannot be built from this alert.
    pub fn map(&self, facts: &Facts, reputations: &HashMap<IpAddr, Reputation>) -> Result<Mapped, Error> {
        let matched = self.rules.first_match(facts, reputations);
        if let Some(m) = matched
            && m.action.skip
        {
            return Ok(Mapped::Skip { rule: m.position });
        }
        let action = matched.map(|m| m.action);

        let mut labels = Vec::with_capacity(1 + self.labels.len());
        let mut push_label = |label: Label| {
            if !labels.contains(&label) {
                labels.push(label);
            }
        };
        push_label(source_label(facts.source, facts.alert_id.as_str()));
        self.labels.iter().cloned().for_each(&mut push_label);
        action.iter().flat_map(|a| a.labels.iter().cloned()).for_each(&mut push_label);

        let priority = action
            .and_then(|a| a.priority.clone())
            .or_else(|| facts.severity.and_then(|s| self.priorities.get(s)).map(str::to_owned));
        let issue_type = action.and_then(|a| a.issue_type.clone()).or_else(|| self.issue_type.clone());
        let components = action.map(|a| a.components.clone()).unwrap_or_default();

        // What the ticket says of each IP's reputation, worked out once for the description and
        // the reputation field.
        let reputation = render::reputation_texts(facts, reputations);
        let mut fields: Vec<(String, FieldValue)> = Vec::with_capacity(self.fields.len());
        for (attribute, field_id, shape) in &self.fields {
            let value = self.field_value(*attribute, shape, facts, &reputation).map_err(|reason| {
                Error::FieldValue { attribute: *attribute, field_id: field_id.clone(), reason }
            })?;
            // Two attributes mapped to one field: the later one wins, as a map would have it.
            fields.retain(|(id, _)| id != field_id);
            if let Some(value) = value {
                fields.push((field_id.clone(), value));
            }
        }

        Ok(Mapped::Ticket(TicketDraft {
            summary: sanitize_summary(&self.template.render(facts)),
            description: render::description(facts, &reputation),
            priority,
            labels,
            components,
            issue_type,
            fields,
            rule: matched.map(|m| m.position),
        }))
    }

    /// The value of one configured field; `None` when the alert has nothing for it (the field
    /// is then left out rather than set to an empty value).
    fn field_value(
        &self,
        attribute: TicketAttribute,
        shape: &FieldShape,
        facts: &Facts,
        reputation: &[String],
    ) -> Result<Option<FieldValue>, String> {
        let items: Vec<String> = match attribute {
            TicketAttribute::AlertUrl => vec![facts.url.clone()],
            TicketAttribute::AffectedUser => facts.users.clone(),
            TicketAttribute::Ips => facts.ips.iter().map(|f| f.ip.to_string()).collect(),
            TicketAttribute::IpReputation => vec![render::reputation_lines(facts, reputation)],
            TicketAttribute::AlertSummary => vec![facts.summary_sentence.clone()],
            TicketAttribute::AlertDescription => vec![facts.description_text.clone()],
            TicketAttribute::Severity => vec![facts.severity_text.clone()],
            TicketAttribute::Tenant => vec![facts.tenant.clone()],
            TicketAttribute::Policy => facts.policy.iter().cloned().collect(),
            TicketAttribute::AlertTime => vec![format_time(facts.time)],
            TicketAttribute::AlertId => vec![facts.alert_id.to_string()],
        };
        let items: Vec<String> = items.into_iter().filter(|i| !i.trim().is_empty()).collect();
        if items.is_empty() {
            return Ok(None);
        }
        if matches!(shape, FieldShape::RichText) {
            // Kept as a document, rendered with the request like the description.
            return Ok(Some(FieldValue::RichText(Document::new().text_paragraph(&rich_text(&items)))));
        }
        shape_value(attribute, shape, &items, facts, self.deployment)
            .map(|value| Some(FieldValue::Json(value)))
    }
}

/// Whether `attribute` can be written to a field of `shape`; the error says why not.
fn check_shape(attribute: TicketAttribute, shape: &FieldShape) -> Result<(), String> {
    match shape {
        FieldShape::Text | FieldShape::Option | FieldShape::Labels | FieldShape::RichText => Ok(()),
        FieldShape::Url if attribute == TicketAttribute::AlertUrl => Ok(()),
        FieldShape::Url => Err("a URL field takes only alert_url".to_owned()),
        FieldShape::DateTime | FieldShape::Date if attribute == TicketAttribute::AlertTime => Ok(()),
        FieldShape::DateTime | FieldShape::Date => Err("a date field takes only alert_time".to_owned()),
        FieldShape::Number => Err("a number field cannot hold it".to_owned()),
        FieldShape::User => {
            Err("a user field takes a Jira account, and alerts name users by e-mail address".to_owned())
        }
        FieldShape::Array(inner) => check_shape(attribute, inner),
        FieldShape::Other(type_name) => Err(format!("fields of type {type_name:?} cannot be set")),
        _ => Err("fields of this type cannot be set".to_owned()),
    }
}

/// Builds a field value of the right shape from the attribute's (non-empty) text items.
fn shape_value(
    attribute: TicketAttribute,
    shape: &FieldShape,
    items: &[String],
    facts: &Facts,
    deployment: Deployment,
) -> Result<Value, String> {
    // Lists read as "a, b" on one line; the reputation lines are already one text.
    let joined = || items.join(", ");
    let from_text =
        |shape: &FieldShape, text: &str| shape.value_from_text(text, deployment).map_err(|e| e.to_string());
    match shape {
        // Lines (of the reputation text) become "; "-separated parts of the one line.
        FieldShape::Text => Ok(Value::String(cut_line(&joined().replace('\n', "; "), TEXT_FIELD_MAX_LEN))),
        FieldShape::Option => Ok(serde_json::json!({ "value": cut_line(&joined(), TEXT_FIELD_MAX_LEN) })),
        FieldShape::Labels => {
            let labels: Vec<Value> = items
                .iter()
                .filter_map(|item| as_label(item))
                .map(|label| Value::String(label.into()))
                .collect();
            Ok(Value::Array(labels))
        }
        // Only inside an array: a rich-text field of its own keeps a `Document` (see
        // `Mapper::field_value`).
        FieldShape::RichText => from_text(shape, &rich_text(items)),
        FieldShape::DateTime => from_text(shape, &facts.time.to_string()),
        FieldShape::Date => from_text(shape, &facts.time.strftime("%Y-%m-%d").to_string()),
        FieldShape::Array(inner) => {
            // A list attribute gives one element per item; any other attribute one element.
            let elements: Vec<String> = if attribute.is_list() { items.to_vec() } else { vec![joined()] };
            elements
                .iter()
                .map(|item| shape_value(attribute, inner, std::slice::from_ref(item), facts, deployment))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        other => from_text(other, &joined()),
    }
}

/// The text of a multi-line field: one item a line, cut to Jira's limit.
fn rich_text(items: &[String]) -> String {
    let joined = items.join("\n");
    let cut = match render::cut_chars(&joined, LONG_TEXT_MAX_CHARS, "(cut)") {
        Cow::Owned(cut) => Some(cut),
        // Nearly always: the text fits, and is kept without a copy.
        Cow::Borrowed(_) => None,
    };
    cut.unwrap_or(joined)
}

/// Text as one line of at most `max` UTF-16 code units (Jira counts as Java does: an emoji is
/// two), cut on a character boundary with "…".
fn cut_line(text: &str, max: usize) -> String {
    let mut line = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if jira_client::jira_len(&line) <= max {
        return line;
    }
    // Room for the ellipsis, one unit.
    let budget = max.saturating_sub(1);
    let mut units = 0;
    let mut end = 0;
    for (at, c) in line.char_indices() {
        units += c.len_utf16();
        if units > budget {
            break;
        }
        end = at + c.len_utf8();
    }
    format!("{}…", line[..end].trim_end())
}

/// A value as a Jira label: control characters dropped, white space replaced by `_`, cut to the
/// limit; `None` when nothing is left.
fn as_label(text: &str) -> Option<Label> {
    let kept: String = text.trim().chars().filter(|c| !c.is_control() || c.is_whitespace()).collect();
    Label::replacing_invalid(&kept).ok()
}

impl TicketDraft {
    /// The value of the field `id`, if the draft sets it.
    #[must_use]
    pub fn field(&self, id: &str) -> Option<&FieldValue> {
        self.fields.iter().find(|(field, _)| field == id).map(|(_, value)| value)
    }

    /// The draft as a request for `jira-client`: in `project`, of the draft's issue type or else
    /// `default_issue_type`, with every field of the draft.
    ///
    /// Copies the description and every field value; use [`TicketDraft::into_new_issue`] when
    /// the draft is not needed afterwards.
    #[must_use]
    pub fn to_new_issue(&self, project: ProjectRef, default_issue_type: &str) -> NewIssue {
        let issue_type = self.issue_type.as_deref().unwrap_or(default_issue_type);
        let mut issue = NewIssue::new(project, NameOrId::name(issue_type), self.summary.clone())
            .description(self.description.clone())
            .labels(self.labels.iter().cloned())
            .components(self.components.iter().map(NameOrId::name));
        if let Some(priority) = &self.priority {
            issue = issue.priority(NameOrId::name(priority.as_str()));
        }
        for (id, value) in &self.fields {
            issue = match value {
                FieldValue::Json(value) => issue.field(id.clone(), value.clone()),
                FieldValue::RichText(doc) => issue.field_document(id.clone(), doc.clone()),
            };
        }
        issue
    }

    /// The draft as a request for `jira-client`, like [`TicketDraft::to_new_issue`], moving the
    /// description and field values instead of copying them.
    #[must_use]
    pub fn into_new_issue(self, project: ProjectRef, default_issue_type: &str) -> NewIssue {
        let issue_type = match self.issue_type {
            Some(issue_type) => NameOrId::name(issue_type),
            None => NameOrId::name(default_issue_type),
        };
        let mut issue = NewIssue::new(project, issue_type, self.summary)
            .description(self.description)
            .labels(self.labels)
            .components(self.components.into_iter().map(NameOrId::name));
        if let Some(priority) = self.priority {
            issue = issue.priority(NameOrId::name(priority));
        }
        for (id, value) in self.fields {
            issue = match value {
                FieldValue::Json(value) => issue.field(id, value),
                FieldValue::RichText(doc) => issue.field_document(id, doc),
            };
        }
        issue
    }
}
