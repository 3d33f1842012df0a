//! Tolerant field decoders.
//!
//! Graph documents its types, but alerts come from many products behind it, and a field that is
//! `null`, of another type, or in another time format must not cost a whole alert. Optional
//! fields are decoded through these helpers, which turn a value of the wrong shape into `None`
//! (or an empty list) instead of an error. Only what an alert cannot do without is strict: its
//! `id` and its `createdDateTime`.

use jiff::Timestamp;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// An optional field: null, missing, or a value that does not decode become `None`.
pub(crate) fn option<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).ok())
}

/// An optional text field: a string, or a number or boolean in its text form; anything else is
/// `None`.
pub(crate) fn text<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(text_of(Value::deserialize(deserializer)?))
}

/// Like [`text`], for a field that is always present in practice: absent becomes empty.
pub(crate) fn string<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(text(deserializer)?.unwrap_or_default())
}

pub(crate) fn text_of(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An optional integer, also when sent as text (`"11161"`).
pub(crate) fn integer<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A list whose elements decode one by one; elements of the wrong shape are dropped, and a value
/// that is not a list at all is an empty list.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items.into_iter().filter_map(|item| T::deserialize(item).ok()).collect(),
        _ => Vec::new(),
    })
}

/// An optional time: ISO 8601 with an offset (Graph's `DateTimeOffset`, up to seven fractional
/// digits), or without one, read as UTC.
pub(crate) fn time<'de, D>(deserializer: D) -> Result<Option<Timestamp>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(timestamp_of(&Value::deserialize(deserializer)?))
}

/// `createdDateTime`: strict, since an alert without a creation time cannot be placed in a walk.
pub(crate) fn required_time<'de, D>(deserializer: D) -> Result<Timestamp, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    timestamp_of(&value).ok_or_else(|| D::Error::custom("createdDateTime is not an ISO 8601 date-time"))
}

pub(crate) fn timestamp_of(value: &Value) -> Option<Timestamp> {
    let text = value.as_str()?.trim();
    text.parse::<Timestamp>().ok().or_else(|| {
        // Some products omit the offset; Graph's times are UTC.
        let civil: jiff::civil::DateTime = text.parse().ok()?;
        jiff::tz::Offset::UTC.to_timestamp(civil).ok()
    })
}

/// An alert id: a string, or a number in its text form.
pub(crate) fn id<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    match text_of(Value::deserialize(deserializer)?) {
        Some(id) if !id.trim().is_empty() => Ok(T::from(id)),
        _ => Err(D::Error::custom("id is missing or empty")),
    }
}

/// Cuts a message to at most `max` characters, for reasons carried in errors.
pub(crate) fn shorten(message: &str, max: usize) -> String {
    match message.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check_time(value: Value, expected: Option<&str>) {
        let expected = expected.map(|e| e.parse::<Timestamp>().unwrap());
        assert_eq!(timestamp_of(&value), expected, "{value}");
    }

    #[test]
    fn times() {
        check_time(json!("2026-11-30T08:14:22.1234567Z"), Some("2026-11-30T08:14:22.1234567Z"));
        check_time(json!("2026-11-30T08:14:22Z"), Some("2026-11-30T08:14:22Z"));
        check_time(json!("2026-11-30T09:14:22+01:00"), Some("2026-11-30T08:14:22Z"));
        check_time(json!("2026-11-30T08:14:22.5"), Some("2026-11-30T08:14:22.5Z"));
        check_time(json!("yesterday"), None);
        check_time(json!(1_700_000_000), None);
        check_time(json!(null), None);
    }

    #[test]
    fn shortening() {
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("ééé", 2), "éé…");
        assert_eq!(shorten("abc", 3), "abc");
    }
}
