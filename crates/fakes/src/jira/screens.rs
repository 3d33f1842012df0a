//! What the fake project's configuration allows a create: its create screens (which fields can
//! be set, per issue type), its priority scheme, and values refused for some issues only.

use serde_json::Value;

use super::FakeJiraOptions;
use super::issues::Problems;

/// The key of [`FakeJiraOptions::off_screen`] that hides fields on the create screen of every
/// issue type.
pub const ALL_ISSUE_TYPES: &str = "*";

/// A value the fake Jira refuses in one field, for the issues whose value holds a text: a knob
/// for a refusal that depends on an alert's content (a user Jira does not know, a URL a
/// validator rejects), not on the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueRefusal {
    /// The field id (`customfield_10107`, `summary`, `labels`).
    pub field: String,
    /// The text that makes the value refused: a substring of the value's JSON text.
    pub contains: String,
    /// The message the refusal carries in `errors`, as Jira would word it.
    pub message: String,
    /// Whether the refusal comes as a general message (`errorMessages`), as from a workflow
    /// validator, which names no field, rather than under the field in `errors`.
    pub general: bool,
}

impl ValueRefusal {
    /// Refuses values of `field` containing `contains`, with `message`.
    pub fn new(field: &str, contains: &str, message: &str) -> Self {
        ValueRefusal {
            field: field.to_owned(),
            contains: contains.to_owned(),
            message: message.to_owned(),
            general: false,
        }
    }

    /// Like [`ValueRefusal::new`], refused with a general message that names no field.
    pub fn general(field: &str, contains: &str, message: &str) -> Self {
        ValueRefusal { general: true, ..ValueRefusal::new(field, contains, message) }
    }
}

impl FakeJiraOptions {
    /// Whether `field` is on the create screen of the issue type named `issue_type`.
    pub(super) fn on_screen(&self, issue_type: &str, field: &str) -> bool {
        let hidden =
            |key: &str| self.off_screen.get(key).is_some_and(|fields| fields.iter().any(|f| f == field));
        !hidden(ALL_ISSUE_TYPES) && !hidden(issue_type)
    }

    /// Whether the project's priority scheme allows the site's priority `name`.
    pub(super) fn priority_allowed(&self, name: &str) -> bool {
        self.allowed_priorities.as_ref().is_none_or(|allowed| allowed.iter().any(|p| p == name))
    }

    /// Adds the refusals of [`FakeJiraOptions::refuse_values`] that `fields` (a create's) meet.
    pub(super) fn refuse_values(&self, fields: &serde_json::Map<String, Value>, p: &mut Problems) {
        for refusal in &self.refuse_values {
            if let Some(value) = fields.get(&refusal.field)
                && value.to_string().contains(&refusal.contains)
            {
                if refusal.general {
                    p.messages.push(refusal.message.clone());
                } else {
                    p.add(&refusal.field, refusal.message.clone());
                }
            }
        }
    }
}
