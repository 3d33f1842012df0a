//! Reading Jira's refusal of a create or edit: which field it names, and what its message says.
//!
//! Jira answers a request it will not carry out with `{"errorMessages": [...], "errors": {field:
//! message}}`. The messages are for people, and differ a little between Cloud and Data Center and
//! between versions, so they are read by the phrases Jira has used for years rather than matched
//! whole; a message none of them fits is [`RefusalKind::Unrecognised`] (a general message) or
//! [`RefusalKind::InvalidValue`] (one tied to a field), never guessed at.

use std::fmt;

use crate::{Error, ErrorDetails};

/// One thing Jira refused, from its error document: [`ErrorDetails::refusals`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refusal {
    /// The field it is about, by id (`project`, `components`, `customfield_10109`): the key of a
    /// field error, or the field a general message names (`Field 'customfield_10109' cannot be
    /// set ...`). `None` for a general message that names none.
    pub field: Option<String>,
    /// What the message says.
    pub kind: RefusalKind,
    /// Jira's message as it wrote it.
    pub message: String,
}

/// What a refusal says, as far as its message tells.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalKind {
    /// The project does not exist or the user cannot see it (`valid project is required`,
    /// `Specify a valid project ID or key`).
    InvalidProject,
    /// The project has no such issue type (`valid issue type is required`, `The issue type
    /// selected is invalid.`).
    InvalidIssueType,
    /// A component that is not one of the project's (`Component name 'SOC' is not valid`).
    InvalidComponent {
        /// The component's name, when the message gives it.
        name: Option<String>,
    },
    /// A priority that does not exist or is not in the project's priority scheme (`The priority
    /// selected is invalid.`, `Specify a valid 'id' or 'name' for Priority`).
    InvalidPriority,
    /// The field cannot be set on create: it is not on the create screen of the project and
    /// issue type, or does not exist (`Field 'customfield_10109' cannot be set. It is not on
    /// the appropriate screen, or unknown.`).
    NotOnScreen,
    /// A field the project requires was not given (`Team is required.`, `You must specify a
    /// summary of the issue.`).
    Required,
    /// The user may not create issues there (`You do not have permission to create issues in
    /// this project.`).
    NoPermission,
    /// A value longer than the field takes (`Summary must be less than 255 characters.`, `...
    /// exceeds the allowed limit of 32,767 characters.`).
    TooLong,
    /// Another message about the value of a field (an invalid URL, an unknown user, a label with
    /// spaces).
    InvalidValue,
    /// A general message that none of the above fits.
    Unrecognised,
}

impl RefusalKind {
    /// Whether the refusal is about the value sent for the field (too long, or invalid for
    /// another reason), rather than about the project, its screens or the user's rights.
    pub fn is_about_value(&self) -> bool {
        matches!(self, RefusalKind::TooLong | RefusalKind::InvalidValue)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            // A general message that names its field already says which.
            Some(field) if !self.message.contains(field.as_str()) => write!(f, "{field}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl ErrorDetails {
    /// Each message of the document read as a [`Refusal`]: the field errors first, by field id,
    /// then the general messages.
    ///
    /// ```
    /// use jira_client::{ErrorDetails, RefusalKind};
    ///
    /// let details: ErrorDetails = serde_json::from_str(
    ///     r#"{"errorMessages": [], "errors": {"components": "Component name 'SOC' is not valid"}}"#,
    /// )?;
    /// let refusals = details.refusals();
    /// assert_eq!(refusals[0].field.as_deref(), Some("components"));
    /// assert_eq!(refusals[0].kind, RefusalKind::InvalidComponent { name: Some("SOC".into()) });
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn refusals(&self) -> Vec<Refusal> {
        let by_field = self.errors.iter().map(|(field, message)| Refusal {
            kind: classify(Some(field), message),
            field: Some(field.clone()),
            message: message.clone(),
        });
        let general = self.error_messages.iter().map(|message| {
            let field = named_field(message);
            Refusal { kind: classify(field.as_deref(), message), field, message: message.clone() }
        });
        by_field.chain(general).collect()
    }
}

impl Error {
    /// What Jira refused, when the error is a refusal of the request's content: a `4xx` answer
    /// other than `401`, `404`, `410` and `429` that carries Jira's error document, read by
    /// [`ErrorDetails::refusals`]; a `403` is read the same way, with a [`RefusalKind::NoPermission`]
    /// when its document says nothing more. `None` for every other error, including a `4xx`
    /// whose body was not Jira's document.
    ///
    /// ```
    /// # fn demo(error: jira_client::Error) {
    /// for refusal in error.refusals().unwrap_or_default() {
    ///     eprintln!("jira refused {}: {}", refusal.field.as_deref().unwrap_or("the issue"), refusal.message);
    /// }
    /// # }
    /// ```
    pub fn refusals(&self) -> Option<Vec<Refusal>> {
        match self {
            Error::Status { status, details, .. } if status.is_client_error() && !details.is_empty() => {
                Some(details.refusals())
            }
            Error::Forbidden { details } => {
                let mut refusals = details.refusals();
                if !refusals.iter().any(|r| r.kind == RefusalKind::NoPermission) {
                    refusals.push(Refusal {
                        field: None,
                        kind: RefusalKind::NoPermission,
                        message: "jira denied the request: missing permission (HTTP 403)".to_owned(),
                    });
                }
                Some(refusals)
            }
            _ => None,
        }
    }
}

/// The field a general message names: `Field 'customfield_10109' cannot be set ...`, `The value
/// 'X' does not exist for the field 'project'.`
fn named_field(message: &str) -> Option<String> {
    let quoted_after = |marker: &str| {
        let start = find_ignoring_case(message, marker)? + marker.len();
        let rest = &message[start..];
        let end = rest.find('\'')?;
        Some(rest[..end].to_owned()).filter(|name| !name.is_empty())
    };
    quoted_after("field '")
}

/// What `message`, about `field` when it names one, says.
fn classify(field: Option<&str>, message: &str) -> RefusalKind {
    let has = |phrase: &str| find_ignoring_case(message, phrase).is_some();
    // Whatever the field, these say the same.
    if has("not on the appropriate screen") || has("cannot be set") {
        return RefusalKind::NotOnScreen;
    }
    if has("do not have permission to create issue")
        || has("does not have permission to create issue")
        || has("not have the permission to create")
    {
        return RefusalKind::NoPermission;
    }
    match field.map(str::to_ascii_lowercase).as_deref() {
        Some("project" | "pid") => return RefusalKind::InvalidProject,
        Some("issuetype") => return RefusalKind::InvalidIssueType,
        _ => {}
    }
    if is_required(message) {
        return RefusalKind::Required;
    }
    match field.map(str::to_ascii_lowercase).as_deref() {
        Some("components") => {
            return RefusalKind::InvalidComponent { name: quoted_after_phrase(message, "component name '") };
        }
        Some("priority") => return RefusalKind::InvalidPriority,
        _ => {}
    }
    if has("must be less than")
        || has("exceeds the allowed limit")
        || has("too long")
        || has("maximum length")
    {
        return RefusalKind::TooLong;
    }
    match field {
        Some(_) => RefusalKind::InvalidValue,
        None if has("component name '") => {
            RefusalKind::InvalidComponent { name: quoted_after_phrase(message, "component name '") }
        }
        None if has("priority selected is invalid") || has("priority is not available") => {
            RefusalKind::InvalidPriority
        }
        None if has("issue type selected is invalid") || has("valid issue type is required") => {
            RefusalKind::InvalidIssueType
        }
        None if has("valid project is required") || has("valid project id or key") => {
            RefusalKind::InvalidProject
        }
        None => RefusalKind::Unrecognised,
    }
}

/// Whether the message says a field was required and not given: `Team is required.`, `Component/s
/// is required.`, `You must specify a summary of the issue.`, `Please provide Component`. Not
/// `valid project is required`, which says the value given is wrong.
fn is_required(message: &str) -> bool {
    let has = |phrase: &str| find_ignoring_case(message, phrase).is_some();
    if has("valid ") {
        return false;
    }
    has(" is required") || has("you must specify") || has("please provide")
}

/// The text after `phrase` (found without regard to case) up to the next `'`.
fn quoted_after_phrase(message: &str, phrase: &str) -> Option<String> {
    let start = find_ignoring_case(message, phrase)? + phrase.len();
    let rest = &message[start..];
    rest.find('\'').map(|end| rest[..end].to_owned())
}

/// The byte offset of `needle` (ASCII) in `haystack`, ignoring ASCII case.
fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack.as_bytes().windows(needle.len()).position(|window| window.eq_ignore_ascii_case(needle))
}
