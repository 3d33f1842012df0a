//! The one error type of this crate.

use jira_client::LabelError;

use crate::mapper::TicketAttribute;

/// Everything that can go wrong when building the mapping from the config, or mapping an alert.
///
/// Construction errors ([`Error::RulePattern`], [`Error::Rule`], [`Error::Template`],
/// [`Error::Label`], [`Error::Field`]) come from the config and are reported once at start-up;
/// mapping itself only fails with [`Error::FieldValue`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rule's pattern is not a valid regular expression.
    #[error("rule {rule}: invalid `{matcher}` pattern {pattern:?}")]
    RulePattern {
        /// The rule's position in the config, counted from 1.
        rule: usize,
        /// The condition the pattern is for (`title`, `user`...).
        matcher: &'static str,
        /// The pattern as written.
        pattern: String,
        /// Why it is invalid.
        #[source]
        source: Box<regex::Error>,
    },
    /// A rule is invalid for another reason: an unknown severity, an invalid label...
    #[error("rule {rule}: {reason}")]
    Rule {
        /// The rule's position in the config, counted from 1.
        rule: usize,
        /// What is wrong.
        reason: String,
    },
    /// The summary template is invalid.
    #[error("invalid summary template {template:?}: {reason}")]
    Template {
        /// The template as written.
        template: String,
        /// What is wrong.
        reason: String,
    },
    /// A configured label is not a valid Jira label.
    #[error("invalid label {label:?}: {reason}")]
    Label {
        /// The label as written.
        label: String,
        /// What is wrong.
        reason: LabelError,
    },
    /// A ticket attribute is mapped to a field that cannot hold it.
    #[error("ticket attribute `{attribute}` cannot go in field {field_id}: {reason}")]
    Field {
        /// The attribute.
        attribute: TicketAttribute,
        /// The Jira field id.
        field_id: String,
        /// Why not.
        reason: String,
    },
    /// The value of a ticket field could not be built for this alert.
    #[error("cannot build the value of field {field_id} (`{attribute}`): {reason}")]
    FieldValue {
        /// The attribute.
        attribute: TicketAttribute,
        /// The Jira field id.
        field_id: String,
        /// Why not.
        reason: String,
    },
}

/// The error of [`Mapper::map`](crate::Mapper::map); the crate's one [`Error`] type.
pub type MapError = Error;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
