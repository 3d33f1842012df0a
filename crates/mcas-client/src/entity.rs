//! The entities of an alert: who and what it involves, typed by their `type` field.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::lenient;

/// An entity id, which MCAS sends as a string for most entities and as an integer for some
/// (the app id of a `service`). The form is kept so that it can be sent back as it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EntityId {
    /// An id sent as a JSON string.
    Text(String),
    /// An id sent as a JSON integer.
    Number(i64),
}

impl EntityId {
    /// The id if it was sent as a string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            EntityId::Text(text) => Some(text),
            EntityId::Number(_) => None,
        }
    }

    /// The id if it was sent as an integer.
    pub fn as_number(&self) -> Option<i64> {
        match self {
            EntityId::Text(_) => None,
            EntityId::Number(number) => Some(*number),
        }
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntityId::Text(text) => f.write_str(text),
            EntityId::Number(number) => write!(f, "{number}"),
        }
    }
}

/// What MCAS says about an entity of a known type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EntityData {
    /// The id: a user principal name, an IP address, an app id, a policy id, a country code…
    pub id: EntityId,
    /// The display name.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The e-mail address (accounts).
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub em: Option<String>,
    /// The principal account name, usually the UPN (accounts).
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub pa: Option<String>,
    /// The app id the account belongs to (accounts).
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub saas: Option<i64>,
    /// The app instance (accounts).
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub inst: Option<i64>,
    /// MCAS's numeric account kind (`entityType`).
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<i64>,
    /// The entity's part in the alert (`entityRole`), e.g. `Source` or `Related`.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub entity_role: Option<String>,
    /// The kind of policy (policy rules), e.g. `FILE` or `ANOMALY_DETECTION`.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub policy_type: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EntityData {
    /// Entity data with only an id, for building alerts in tests and fakes.
    pub fn new(id: EntityId) -> Self {
        Self {
            id,
            label: None,
            em: None,
            pa: None,
            saas: None,
            inst: None,
            entity_type: None,
            entity_role: None,
            policy_type: None,
            extra: Map::new(),
        }
    }

    /// Sets the display name.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

/// An entity of an alert, by its `type`.
///
/// An entity of a type this crate does not know, or one whose known type does not decode (no
/// `id`, say), is kept whole as [`Entity::Other`]: it never fails the alert.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Entity {
    /// `user`: the id is usually the user principal name.
    User(EntityData),
    /// `account`: an account in an app; `pa`/`em` hold the UPN and e-mail.
    Account(EntityData),
    /// `ip`: the id is the address.
    Ip(EntityData),
    /// `service`: an app; the id is the app id (an integer).
    Service(EntityData),
    /// `file`.
    File(EntityData),
    /// `policyRule`: the policy that matched.
    PolicyRule(EntityData),
    /// `country`: the id is the ISO 3166 code.
    Country(EntityData),
    /// `device`.
    Device(EntityData),
    /// `groupTag`: a user group.
    GroupTag(EntityData),
    /// Anything else, as sent.
    Other {
        /// The `type` field (empty when there was none).
        kind: String,
        /// The entity's JSON.
        raw: Value,
    },
}

impl Entity {
    /// Decodes an entity; never fails (see [`Entity::Other`]).
    pub fn from_json(value: &Value) -> Entity {
        let kind = value.get("type").and_then(Value::as_str).unwrap_or_default();
        let wrap: fn(EntityData) -> Entity = match kind {
            "user" => Entity::User,
            "account" => Entity::Account,
            "ip" => Entity::Ip,
            "service" => Entity::Service,
            "file" => Entity::File,
            "policyRule" => Entity::PolicyRule,
            "country" => Entity::Country,
            "device" => Entity::Device,
            "groupTag" => Entity::GroupTag,
            _ => return Entity::Other { kind: kind.to_owned(), raw: value.clone() },
        };
        match EntityData::deserialize(value) {
            Ok(mut data) => {
                // `type` lands in `extra` (it is not a field of the data); it is the variant now.
                data.extra.remove("type");
                wrap(data)
            }
            Err(_) => Entity::Other { kind: kind.to_owned(), raw: value.clone() },
        }
    }

    /// The `type` name: `user`, `ip`, …, or the unknown type of [`Entity::Other`].
    pub fn kind(&self) -> &str {
        match self {
            Entity::Other { kind, .. } => kind,
            Entity::User(_) => "user",
            Entity::Account(_) => "account",
            Entity::Ip(_) => "ip",
            Entity::Service(_) => "service",
            Entity::File(_) => "file",
            Entity::PolicyRule(_) => "policyRule",
            Entity::Country(_) => "country",
            Entity::Device(_) => "device",
            Entity::GroupTag(_) => "groupTag",
        }
    }

    /// The data of a typed entity; `None` for [`Entity::Other`].
    pub fn data(&self) -> Option<&EntityData> {
        match self {
            Entity::User(data)
            | Entity::Account(data)
            | Entity::Ip(data)
            | Entity::Service(data)
            | Entity::File(data)
            | Entity::PolicyRule(data)
            | Entity::Country(data)
            | Entity::Device(data)
            | Entity::GroupTag(data) => Some(data),
            Entity::Other { .. } => None,
        }
    }

    /// The id of a typed entity.
    pub fn id(&self) -> Option<&EntityId> {
        self.data().map(|data| &data.id)
    }

    /// The display name, for typed entities and for others that have a string `label`.
    pub fn label(&self) -> Option<&str> {
        match self {
            Entity::Other { raw, .. } => raw.get("label").and_then(Value::as_str),
            typed => typed.data().and_then(|data| data.label.as_deref()),
        }
    }
}

impl Serialize for Entity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Entity::Other { raw, .. } => raw.serialize(serializer),
            typed => {
                let mut value = serde_json::to_value(typed.data()).map_err(serde::ser::Error::custom)?;
                if let Value::Object(map) = &mut value {
                    map.insert("type".to_owned(), Value::String(typed.kind().to_owned()));
                }
                value.serialize(serializer)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Entity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Entity::from_json(&Value::deserialize(deserializer)?))
    }
}

/// The `entities` list: a value that is not a list is an empty list.
pub(crate) fn list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Entity>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items.iter().map(Entity::from_json).collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(value: Value, kind: &str, id: Option<&str>, typed: bool) {
        let entity = Entity::from_json(&value);
        assert_eq!(entity.kind(), kind, "{value}");
        assert_eq!(entity.id().map(ToString::to_string).as_deref(), id, "{value}");
        assert_eq!(entity.data().is_some(), typed, "{value}");
        // What came in goes out again.
        assert_eq!(serde_json::to_value(&entity).unwrap(), value);
    }

    #[test]
    fn kinds() {
        check(json!({"id": 15600, "label": "OneDrive", "type": "service"}), "service", Some("15600"), true);
        check(json!({"id": "1.2.3.4", "label": "1.2.3.4", "type": "ip"}), "ip", Some("1.2.3.4"), true);
        check(
            json!({"em": "a@b.c", "entityType": 2, "id": "x", "inst": 0, "pa": "a@b.c", "saas": 11161, "type": "account"}),
            "account",
            Some("x"),
            true,
        );
        check(json!({"id": "5f7", "label": "All Users", "type": "groupTag"}), "groupTag", Some("5f7"), true);
        check(json!({"id": "x", "type": "mailbox", "size": 3}), "mailbox", None, false);
        check(json!({"label": "no id", "type": "user"}), "user", None, false);
        check(json!({"id": 1.5, "type": "ip"}), "ip", None, false);
        check(json!({"id": "no type"}), "", None, false);
    }
}
