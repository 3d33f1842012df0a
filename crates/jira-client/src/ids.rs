//! Identifier newtypes, so that an issue key, an issue id and a transition id cannot be mixed up,
//! and the "by name or by id" references Jira accepts for projects, issue types and priorities.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::Error;
use crate::json_text::write_single;

/// An issue key such as `SEC-42`: a project key, a dash, and the issue's number.
///
/// Checked when parsed: the project part is a letter followed by letters, digits or
/// underscores, the number is decimal digits.
///
/// ```
/// let key: jira_client::IssueKey = "SEC-42".parse().unwrap();
/// assert_eq!(key.project(), "SEC");
/// assert_eq!(key.number(), 42);
/// assert!("SEC 42".parse::<jira_client::IssueKey>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct IssueKey(String);

impl IssueKey {
    /// Parses and checks an issue key.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `key` is not of the form `PROJECT-123`.
    pub fn parse(key: &str) -> Result<Self, Error> {
        let invalid = || Error::invalid("issue_key", format!("{key:?} is not one like SEC-42"));
        let (project, number) = key.rsplit_once('-').ok_or_else(invalid)?;
        let mut chars = project.chars();
        let project_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        let number_ok =
            !number.is_empty() && number.len() <= 18 && number.bytes().all(|b| b.is_ascii_digit());
        if project_ok && number_ok { Ok(Self(key.to_owned())) } else { Err(invalid()) }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The project key part (`SEC` of `SEC-42`).
    pub fn project(&self) -> &str {
        self.0.rsplit_once('-').map_or("", |(p, _)| p)
    }

    /// The issue number part (`42` of `SEC-42`).
    pub fn number(&self) -> u64 {
        self.0.rsplit_once('-').and_then(|(_, n)| n.parse().ok()).unwrap_or(0)
    }
}

impl FromStr for IssueKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl fmt::Display for IssueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for IssueKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for IssueKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as Jira gives it.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            // Jira documents ids as strings but some answers give numbers; accept both.
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::lenient::string_or_number(d).map(Self)
            }
        }
    };
}

string_id!(
    /// An issue's numeric id (`"10000"`), stable when the issue moves to another project.
    IssueId
);
string_id!(
    /// A workflow transition's id, from [`crate::Client::transitions`].
    TransitionId
);
string_id!(
    /// A comment's id.
    CommentId
);
string_id!(
    /// An attachment's id.
    AttachmentId
);

/// A reference to a project: by key (`SEC`) or by numeric id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProjectRef {
    /// The project key, such as `SEC`.
    Key(String),
    /// The project's numeric id.
    Id(String),
}

impl ProjectRef {
    /// A project by key.
    pub fn key(key: impl Into<String>) -> Self {
        Self::Key(key.into())
    }

    /// A project by id.
    pub fn id(id: impl Into<String>) -> Self {
        Self::Id(id.into())
    }

    /// The key or id as text, as it goes into a URL path.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Key(s) | Self::Id(s) => s,
        }
    }

    /// Writes `{"key": ...}` or `{"id": ...}`, as Jira's create body takes a project.
    pub(crate) fn write_json(&self, out: &mut String) {
        let (field, value) = match self {
            Self::Key(key) => ("key", key),
            Self::Id(id) => ("id", id),
        };
        write_single(out, field, value);
    }
}

impl From<&str> for ProjectRef {
    /// A project by key.
    fn from(key: &str) -> Self {
        Self::Key(key.to_owned())
    }
}

/// A reference by name or by id, as Jira accepts for issue types, priorities and components.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameOrId {
    /// By display name (`"Task"`, `"High"`).
    Name(String),
    /// By id (`"10001"`).
    Id(String),
}

impl NameOrId {
    /// A reference by name.
    pub fn name(name: impl Into<String>) -> Self {
        Self::Name(name.into())
    }

    /// A reference by id.
    pub fn id(id: impl Into<String>) -> Self {
        Self::Id(id.into())
    }

    /// The name or id as text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Name(s) | Self::Id(s) => s,
        }
    }

    /// Whether this refers to the item with the given id and name (names compared without
    /// regard to case, as Jira does).
    pub fn matches(&self, id: &str, name: &str) -> bool {
        match self {
            Self::Id(wanted) => wanted == id,
            Self::Name(wanted) => wanted.to_lowercase() == name.to_lowercase(),
        }
    }

    /// Writes `{"name": ...}` or `{"id": ...}`, as Jira takes an issue type, a priority or a
    /// component.
    pub(crate) fn write_json(&self, out: &mut String) {
        let (field, value) = match self {
            Self::Name(name) => ("name", name),
            Self::Id(id) => ("id", id),
        };
        write_single(out, field, value);
    }
}

impl From<&str> for NameOrId {
    /// A reference by name.
    fn from(name: &str) -> Self {
        Self::Name(name.to_owned())
    }
}

impl fmt::Display for NameOrId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => write!(f, "{name:?}"),
            Self::Id(id) => write!(f, "id {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(key: &str, valid: bool) {
        assert_eq!(IssueKey::parse(key).is_ok(), valid, "{key:?}");
    }

    #[test]
    fn issue_keys() {
        check("SEC-1", true);
        check("A_B2-1234567", true);
        check("sec-1", true);
        check("SEC-", false);
        check("-1", false);
        check("1SEC-1", false);
        check("SEC-1/../2", false);
        check("SEC-1?x", false);
        check("SEC-01a", false);
        check("", false);
        check("SEC-99999999999999999999", false);
    }
}
