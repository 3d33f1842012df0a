//! Jira labels: the rule Jira holds them to, checked once, in a type.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::Error;
use crate::richtext::utf16_len;

/// The longest label Jira accepts: 255, counted in UTF-16 code units as Java counts a string's
/// length (a character outside the Basic Multilingual Plane, an emoji say, counts two).
pub const MAX_LABEL_LEN: usize = 255;

/// A label Jira accepts.
///
/// Jira refuses a label with a space in it ("The label 'a b' contains spaces which is invalid.")
/// or longer than [`MAX_LABEL_LEN`] ("... exceeds the maximum length for a single label of 255
/// characters"), and its screens split labels on white space. A `Label` is therefore non-empty,
/// holds no white space of any kind (tabs, line breaks, no-break spaces) and no control
/// character, and fits the limit, so that a request carrying it is never refused for it.
///
/// ```
/// use jira_client::{Label, LabelError};
///
/// let label = Label::new("mcas-5f06d71dba4289d0602ba5ac")?;
/// assert_eq!(label, "mcas-5f06d71dba4289d0602ba5ac");
/// assert_eq!(Label::new("two words"), Err(LabelError::Whitespace));
/// assert_eq!(Label::new("😀".repeat(128)), Err(LabelError::TooLong));
/// assert_eq!(Label::replacing_invalid("leaked credentials\n")?, "leaked_credentials_");
/// # Ok::<(), LabelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Label(String);

/// Why a text is not a [`Label`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum LabelError {
    /// The text is empty.
    #[error("a label cannot be empty")]
    Empty,
    /// The text holds white space (Jira refuses spaces, and its screens split on any).
    #[error("a label cannot contain white space")]
    Whitespace,
    /// The text holds a control character.
    #[error("a label cannot contain control characters")]
    Control,
    /// The text is longer than [`MAX_LABEL_LEN`] UTF-16 code units.
    #[error("a label cannot be longer than 255 characters")]
    TooLong,
}

impl Label {
    /// The label `text`, if Jira accepts it.
    ///
    /// # Errors
    /// The [`LabelError`] that says why Jira would refuse it.
    pub fn new(text: impl Into<String>) -> Result<Self, LabelError> {
        let text = text.into();
        if text.is_empty() {
            Err(LabelError::Empty)
        } else if text.chars().any(char::is_whitespace) {
            Err(LabelError::Whitespace)
        } else if text.chars().any(char::is_control) {
            Err(LabelError::Control)
        } else if utf16_len(&text) > MAX_LABEL_LEN {
            Err(LabelError::TooLong)
        } else {
            Ok(Self(text))
        }
    }

    /// A label made of `text` whatever it holds: each white-space or control character becomes
    /// `_`, and the end is cut to fit [`MAX_LABEL_LEN`] (never inside a character).
    ///
    /// # Errors
    /// [`LabelError::Empty`] for an empty `text`, the one text nothing can be made of.
    pub fn replacing_invalid(text: &str) -> Result<Self, LabelError> {
        let mut label = String::with_capacity(text.len().min(4 * MAX_LABEL_LEN));
        let mut units = 0;
        for c in text.chars() {
            let c = if c.is_whitespace() || c.is_control() { '_' } else { c };
            units += c.len_utf16();
            if units > MAX_LABEL_LEN {
                break;
            }
            label.push(c);
        }
        if label.is_empty() { Err(LabelError::Empty) } else { Ok(Self(label)) }
    }

    /// The label as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The label as an owned `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Label {
    type Err = LabelError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text)
    }
}

impl TryFrom<String> for Label {
    type Error = LabelError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl TryFrom<&str> for Label {
    type Error = LabelError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl From<Label> for String {
    fn from(label: Label) -> Self {
        label.0
    }
}

impl AsRef<str> for Label {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Label {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Label {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Label {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl From<LabelError> for Error {
    fn from(error: LabelError) -> Self {
        Error::invalid("label", error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Result<(), LabelError>) {
        assert_eq!(Label::new(text).map(drop), expected, "{text:?}");
    }

    #[test]
    fn jiras_rule() {
        check("mcas-5f0c1e2d3a4b5c6d7e8f9a0b", Ok(()));
        check("ünïcödé-ラベル", Ok(()));
        check(&"x".repeat(255), Ok(()));
        // 127 emoji are 254 UTF-16 units; one more is over.
        check(&format!("{}x", "😀".repeat(127)), Ok(()));
        check(&"😀".repeat(128), Err(LabelError::TooLong));
        check(&"x".repeat(256), Err(LabelError::TooLong));
        check("", Err(LabelError::Empty));
        check("two words", Err(LabelError::Whitespace));
        check("tab\there", Err(LabelError::Whitespace));
        check("line\nbreak", Err(LabelError::Whitespace));
        check("no\u{a0}break", Err(LabelError::Whitespace));
        check("bell\u{7}", Err(LabelError::Control));
    }

    #[test]
    fn replacing_invalid_always_gives_a_label() {
        assert_eq!(Label::replacing_invalid("a b\tc\u{7}").unwrap(), "a_b_c_");
        assert_eq!(Label::replacing_invalid("").unwrap_err(), LabelError::Empty);
        let long = Label::replacing_invalid(&"😀".repeat(200)).unwrap();
        assert_eq!(utf16_len(long.as_str()), 254);
        assert!(Label::new(long.as_str()).is_ok());
        assert_eq!(Label::replacing_invalid(&"y".repeat(300)).unwrap().as_str().len(), 255);
    }

    #[test]
    fn serde_checks_the_rule() {
        let label: Label = serde_json::from_str(r#""mcas""#).unwrap();
        assert_eq!(serde_json::to_string(&label).unwrap(), r#""mcas""#);
        let err = serde_json::from_str::<Label>(r#""two words""#).unwrap_err();
        assert!(err.to_string().contains("white space"), "{err}");
    }
}
