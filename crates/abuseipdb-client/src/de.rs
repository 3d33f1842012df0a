//! Tolerant field decoders for the response models.
//!
//! Real AbuseIPDB answers send `null` where the documentation shows a list, omit fields that
//! depend on `verbose`, and may change a number's type. A reputation lookup is enrichment: one
//! odd field must not throw away the whole answer, so these decoders fall back to "unknown".

use jiff::Timestamp;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Decodes `null` as the type's default (an empty list), as `#[serde(default)]` does for a
/// missing field.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Decodes an RFC 3339 timestamp (`2018-12-20T20:55:14+00:00`); `null`, a missing field or an
/// unreadable value give `None`.
pub(crate) fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Decodes a count sent as a number or a numeric string; anything else gives `None`. Large
/// networks make `numPossibleHosts` exceed what a JSON number holds exactly, hence the care.
pub(crate) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Decodes a score of 0 to 100 sent as a number or a numeric string; anything else gives `None`.
pub(crate) fn score<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    Ok(count(d)?.and_then(|n| u8::try_from(n).ok()))
}
