//! Tolerant deserializers for Jira's answers: `null` where a collection is expected, numbers where
//! a string is expected, and timestamps in whichever form the endpoint happens to use.
//!
//! Jira is not consistent: the same `created` is `"2021-01-17T12:34:00.000+0000"` in one answer
//! and epoch milliseconds in another, and fields that are usually lists come back as `null`. One
//! odd value must not make a whole page of issues undecodable.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `null` or missing becomes `T::default()`.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A list of messages: strings are kept, other values are kept as their JSON text.
pub(crate) fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.into_iter().map(text_of).collect(),
        Value::Null => Vec::new(),
        other => vec![text_of(other)],
    })
}

/// A map of messages: string values are kept, others are kept as their JSON text; anything but
/// an object becomes an empty map.
pub(crate) fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => map.into_iter().map(|(k, v)| (k, text_of(v))).collect(),
        _ => BTreeMap::new(),
    })
}

/// A string, or a number given where Jira documents a string (ids in some answers).
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("expected a string or a number, found {other}"))),
    }
}

/// An optional string: a number is kept as its text, any other kind of value becomes `None`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// An optional timestamp in any of Jira's forms; a value that is none of them becomes `None`
/// rather than failing the whole answer.
pub(crate) fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => parse_timestamp(&s),
        Value::Number(n) => n.as_i64().and_then(|ms| Timestamp::from_millisecond(ms).ok()),
        _ => None,
    })
}

/// Parses Jira's timestamp text: ISO 8601 with an offset, with or without a colon in it
/// (`2021-01-17T12:34:00.000+0000`, `2021-01-17T12:34:00Z`).
pub(crate) fn parse_timestamp(text: &str) -> Option<Timestamp> {
    text.trim().parse().ok()
}

fn text_of(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Option<&str>) {
        let expected = expected.map(|e| e.parse::<Timestamp>().unwrap());
        assert_eq!(parse_timestamp(text), expected, "{text:?}");
    }

    #[test]
    fn jira_timestamps() {
        check("2021-01-17T12:34:00.000+0000", Some("2021-01-17T12:34:00Z"));
        check("2021-01-17T12:34:00.000+1000", Some("2021-01-17T02:34:00Z"));
        check("2021-01-17T12:34:00.123-05:30", Some("2021-01-17T18:04:00.123Z"));
        check("2021-01-17T12:34:00Z", Some("2021-01-17T12:34:00Z"));
        check("2021-01-17", None);
        check("yesterday", None);
    }

    #[test]
    fn numbers_are_epoch_milliseconds() {
        #[derive(Deserialize)]
        struct T {
            #[serde(deserialize_with = "timestamp")]
            at: Option<Timestamp>,
        }
        let t: T = serde_json::from_str(r#"{"at": 1651316514000}"#).unwrap();
        assert_eq!(t.at, Some("2022-04-30T11:01:54Z".parse().unwrap()));
        let t: T = serde_json::from_str(r#"{"at": {"odd": true}}"#).unwrap();
        assert_eq!(t.at, None);
    }
}
