//! Tolerant field decoders.
//!
//! Defender for Cloud Apps data is loosely typed: ids are strings or integers, absent values are
//! sometimes the string `"null"`, and fields appear, vanish or change type between tenants and
//! over the years. One odd optional field must not cost a whole alert, so optional fields are
//! decoded through these helpers, which turn a value of the wrong shape into `None` instead of an
//! error. Only the fields an alert cannot do without (`_id`, `timestamp`) are strict.

use jiff::Timestamp;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

use crate::Severity;

/// An optional field: null, a missing field, or a value that does not decode become `None`.
pub(crate) fn option<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).ok())
}

/// An optional text field: a string (except the literal `"null"` that MCAS writes for "no
/// value"), or a number or boolean in its text form; anything else is `None`.
pub(crate) fn text<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(text_of(Value::deserialize(deserializer)?))
}

/// An optional number, also when sent as text (`"42"`); anything else is `None`.
pub(crate) fn number<'de, D>(deserializer: D) -> Result<Option<f64>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    })
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
        Value::String(s) if s != "null" => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list field whose elements decode one by one; elements of the wrong shape are dropped, and a
/// value that is not a list at all is an empty list.
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

/// `severityValue`: an unknown number is kept; a missing or non-numeric value is
/// [`Severity::ABSENT`].
pub(crate) fn severity<'de, D>(deserializer: D) -> Result<Severity, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(option::<D, Severity>(deserializer)?.unwrap_or(Severity::ABSENT))
}

/// Reads epoch milliseconds given as an integer, a float or a numeric string (or, failing that,
/// an RFC 3339 string).
pub(crate) fn timestamp_of(value: &Value) -> Option<Timestamp> {
    let ms = match value {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.is_finite() && f.abs() < 1e17).map(|f| f as i64))?
        }
        Value::String(s) => match s.trim().parse::<i64>() {
            Ok(ms) => ms,
            Err(_) => return s.trim().parse::<Timestamp>().ok(),
        },
        _ => return None,
    };
    Timestamp::from_millisecond(ms).ok()
}

/// Epoch milliseconds (MCAS's `timestamp`): strict, since an alert without a time cannot be paged.
pub(crate) mod millis {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(timestamp: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(timestamp.as_millisecond())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let value = Value::deserialize(deserializer)?;
        timestamp_of(&value).ok_or_else(|| D::Error::custom("timestamp is not in epoch milliseconds"))
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
    use super::*;

    #[track_caller]
    fn check_timestamp(value: Value, expected: Option<i64>) {
        assert_eq!(timestamp_of(&value).map(|t| t.as_millisecond()), expected, "{value}");
    }

    #[test]
    fn timestamps() {
        check_timestamp(serde_json::json!(1594283802753_i64), Some(1594283802753));
        check_timestamp(serde_json::json!(1594283802753.0), Some(1594283802753));
        check_timestamp(serde_json::json!("1594283802753"), Some(1594283802753));
        check_timestamp(serde_json::json!("2020-07-09T08:36:42.753Z"), Some(1594283802753));
        check_timestamp(serde_json::json!("yesterday"), None);
        check_timestamp(serde_json::json!(null), None);
        check_timestamp(serde_json::json!(1e300), None);
    }

    #[test]
    fn shortening() {
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("ééé", 2), "éé…");
    }
}
