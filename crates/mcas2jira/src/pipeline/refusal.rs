//! What a failed create means for mcas2jira, and so what to do about it.
//!
//! jira-client reads Jira's refusal field by field ([`jira_client::Refusal`]); this module decides,
//! from which config key set each refused field, which of three kinds the failure is:
//!
//! - **transient** (a `5xx`, a `429`, a timeout, a lost answer): the alert stays pending and is
//!   retried on the next pass, as any failure was before;
//! - **the config's** (the project, an issue type, a component, a priority, a mapped field not on
//!   the create screen, a field Jira requires, the user's permissions): no create can succeed
//!   until the config (or Jira's) is fixed, so creates stop for every tenant, the refusal is
//!   reported once naming the key, and the alerts wait without counting attempts;
//! - **the alert's** (a value Jira refuses for this alert only: a text too long, a user Jira does
//!   not know): the ticket is created again without what was refused, and says so.
//!
//! A message read with no confidence (a general message, a body that is not Jira's document) is
//! settled by trying: the ticket is created again with only what every ticket needs (summary,
//! description, labels); if Jira refuses that too on something the config sets, it is the config.

use jira_client::StatusCode;
use jira_client::{BulkFailure, Refusal, RefusalKind};

use crate::preflight::{Offers, Problem};
use crate::services::MappedField;
use crate::state::LeftOut;

/// Why a create failed, as far as the pipeline acts on it.
#[derive(Debug, Clone)]
pub enum CreateError {
    /// A later pass may succeed (or the issue may exist after all: the label search will tell).
    Retry(String),
    /// Jira refused the credentials or does not serve the endpoint (`401`, `404`, `410`).
    Access(String),
    /// Jira read the issue and refused it: nothing was created.
    Refused {
        /// Its reasons, read field by field; empty when its answer was not Jira's document.
        refusals: Vec<Refusal>,
        /// The whole answer, on one line.
        text: String,
    },
}

impl From<&jira_client::Error> for CreateError {
    fn from(error: &jira_client::Error) -> Self {
        use jira_client::Error as E;
        let text = crate::chain(error);
        if error.is_transient() || error.outcome_unknown() {
            return Self::Retry(text);
        }
        if let Some(refusals) = error.refusals() {
            return Self::Refused { refusals, text };
        }
        match error {
            E::Unauthorized { .. } | E::NotFound { .. } | E::Gone { .. } => Self::Access(text),
            // A refusal whose body was not Jira's document (a proxy's page), or a request that
            // could not be built from this alert: tried again in the reduced form.
            E::Status { status, .. } if status.is_client_error() => {
                Self::Refused { refusals: Vec::new(), text }
            }
            E::InvalidInput { .. } => Self::Refused { refusals: Vec::new(), text },
            _ => Self::Retry(text),
        }
    }
}

impl From<BulkFailure> for CreateError {
    fn from(failure: BulkFailure) -> Self {
        let text = crate::chain(&failure);
        match failure {
            BulkFailure::Rejected { status, details } => match status {
                Some(status) if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS => {
                    Self::Retry(text)
                }
                Some(StatusCode::UNAUTHORIZED) => Self::Access(text),
                Some(StatusCode::FORBIDDEN) => {
                    let error = jira_client::Error::Forbidden { details: Box::new(details) };
                    Self::Refused { refusals: error.refusals().unwrap_or_default(), text }
                }
                _ => Self::Refused { refusals: details.refusals(), text },
            },
            BulkFailure::RequestFailed { error } => Self::from(&*error),
            _ => Self::Retry(text),
        }
    }
}

/// What was sent for one alert: enough to name the config key behind each field.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The matching rule's index in `[[rules]]` (0-based), if one matched.
    pub rule: Option<usize>,
    /// Whether that rule set the issue type.
    pub rule_issue_type: bool,
    /// Whether that rule set the priority.
    pub rule_priority: bool,
    /// The issue type sent.
    pub issue_type: String,
    /// The priority sent, if any.
    pub priority: Option<String>,
    /// The components sent.
    pub components: Vec<String>,
    /// The alert's severity (`high`), which chose the priority when no rule did.
    pub severity: String,
    /// The custom fields sent, by id.
    pub fields: Vec<String>,
}

/// The decision on a failed create.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Pending, retried next pass.
    Retry(String),
    /// The config: stop creating, report once.
    Config(Problem, Offers),
    /// The alert: create it again without these.
    Reduce(Reduction),
}

/// What a reduced create leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reduction {
    /// Each field left out, with Jira's reason.
    pub left_out: Vec<LeftOut>,
    /// Whether to leave out every field a ticket can do without (custom fields, priority,
    /// components), because Jira's answer did not say which it refused.
    pub only_essentials: bool,
}

impl Reduction {
    /// Whether the field `id` is left out.
    #[must_use]
    pub fn leaves_out(&self, id: &str) -> bool {
        self.left_out.iter().any(|l| l.field == id)
    }
}

/// Decides what a failed create means, naming the config keys through `keys`.
#[must_use]
pub fn judge(error: &CreateError, sent: &Sent, keys: &Keys<'_>) -> Verdict {
    let (refusals, text) = match error {
        CreateError::Retry(reason) => return Verdict::Retry(reason.clone()),
        CreateError::Access(reason) => {
            let problem =
                Problem::new(keys.auth_key.clone(), "", format!("Jira refused the create: {reason}"));
            return Verdict::Config(problem, Offers::Nothing);
        }
        CreateError::Refused { refusals, text } => (refusals, text),
    };
    let mut reduction = Reduction::default();
    for refusal in refusals {
        match config_problem(refusal, sent, keys) {
            Some((problem, offers)) => return Verdict::Config(problem, offers),
            None => match refusal.field.as_deref().filter(|f| is_content_field(f, sent)) {
                Some(field) if refusal.kind.is_about_value() => reduction.left_out.push(LeftOut {
                    field: field.to_owned(),
                    name: keys.field_name(field),
                    reason: refusal.message.clone(),
                }),
                // A general message, or one about a field this tool did not send.
                _ => reduction.only_essentials = true,
            },
        }
    }
    if refusals.is_empty() {
        reduction.only_essentials = true;
    }
    if reduction.only_essentials {
        // Every optional field goes; each is named, with Jira's answer as the reason.
        let reason = one_line(text);
        let optional = sent
            .fields
            .iter()
            .map(String::as_str)
            .chain(sent.priority.as_ref().map(|_| "priority"))
            .chain((!sent.components.is_empty()).then_some("components"));
        for field in optional {
            if !reduction.leaves_out(field) {
                reduction.left_out.push(LeftOut {
                    field: field.to_owned(),
                    name: keys.field_name(field),
                    reason: reason.clone(),
                });
            }
        }
    }
    Verdict::Reduce(reduction)
}

/// The keys of the config a verdict names.
#[derive(Debug, Clone)]
pub struct Keys<'a> {
    /// `jira.project`'s value.
    pub project: &'a str,
    /// The key of the Jira credentials (`jira.auth.token_env`).
    pub auth_key: String,
    /// The key naming the Jira user (`jira.auth.user`), and its value.
    pub user: (&'static str, String),
    /// `[jira.fields]`, resolved.
    pub fields: &'a [MappedField],
}

impl Keys<'_> {
    /// A field's name for people: the custom field's Jira name, else the id.
    fn field_name(&self, id: &str) -> String {
        match id {
            "summary" => "Summary".to_owned(),
            "description" => "Description".to_owned(),
            "labels" => "Labels".to_owned(),
            "priority" => "Priority".to_owned(),
            "components" => "Components".to_owned(),
            _ => self.fields.iter().find(|f| f.id == id).map_or_else(|| id.to_owned(), |f| f.name.clone()),
        }
    }

    /// The config key that set the priority sent.
    fn priority_key(sent: &Sent) -> String {
        match sent.rule.filter(|_| sent.rule_priority) {
            Some(rule) => format!("rules[{rule}].priority"),
            None => format!("jira.priorities.{}", sent.severity),
        }
    }

    /// The config key that set the issue type sent.
    fn issue_type_key(sent: &Sent) -> String {
        match sent.rule.filter(|_| sent.rule_issue_type) {
            Some(rule) => format!("rules[{rule}].issue_type"),
            None => "jira.issue_type".to_owned(),
        }
    }
}

/// Whether a refused field holds what the alert gave (so that leaving it out is safe): the
/// summary, the description, the labels, or a custom field sent.
fn is_content_field(field: &str, sent: &Sent) -> bool {
    matches!(field, "summary" | "description" | "labels") || sent.fields.iter().any(|f| f == field)
}

/// The config problem a refusal shows, if it shows one.
fn config_problem(refusal: &Refusal, sent: &Sent, keys: &Keys<'_>) -> Option<(Problem, Offers)> {
    let reason = refusal.message.clone();
    let field = refusal.field.as_deref();
    let issue_type = || (Keys::issue_type_key(sent), sent.issue_type.clone());
    let components = || {
        let key = sent.rule.map_or_else(|| "rules".to_owned(), |rule| format!("rules[{rule}].components"));
        (key, sent.components.join(", "))
    };
    let field_values =
        |field: &'static str| Offers::FieldValues { field, issue_type: sent.issue_type.clone() };
    let ((key, value), offers) = match &refusal.kind {
        RefusalKind::InvalidProject => {
            (("jira.project".to_owned(), keys.project.to_owned()), Offers::Nothing)
        }
        RefusalKind::NoPermission => ((keys.user.0.to_owned(), keys.user.1.clone()), Offers::Nothing),
        RefusalKind::InvalidIssueType => (issue_type(), Offers::IssueTypes),
        RefusalKind::InvalidComponent { name } => {
            let (key, all) = components();
            ((key, name.clone().unwrap_or(all)), field_values("components"))
        }
        RefusalKind::InvalidPriority => {
            ((Keys::priority_key(sent), sent.priority.clone().unwrap_or_default()), field_values("priority"))
        }
        RefusalKind::NotOnScreen | RefusalKind::Required => {
            let problem = match field {
                Some("priority") => (Keys::priority_key(sent), sent.priority.clone().unwrap_or_default()),
                Some("components") => components(),
                Some("labels" | "summary" | "description" | "issuetype") | None => issue_type(),
                Some("project") => ("jira.project".to_owned(), keys.project.to_owned()),
                Some(id) => match keys.fields.iter().find(|f| f.id == id) {
                    Some(mapped) => (mapped.key(), mapped.configured.clone()),
                    None => ("jira.fields".to_owned(), keys.field_name(id)),
                },
            };
            (problem, Offers::Nothing)
        }
        // The value the alert gave, or a message not understood: not the config's, as far as
        // this refusal shows.
        _ => return None,
    };
    Some((Problem::new(key, value, reason), offers))
}

/// Text on one line, cut to a length a log line can carry.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(500) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line,
    }
}

#[cfg(test)]
mod tests;
