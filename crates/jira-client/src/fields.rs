//! Field metadata: the site's fields, resolving a display name to a field id, and the shape of
//! value each field takes, so that callers can set a custom field from text without knowing its
//! type in advance.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::richtext::{DESCRIPTION_MAX_LEN, Document};
use crate::{Deployment, Error, Result, lenient};

/// A field of the site, from [`crate::Client::fields`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Field {
    /// The id used in requests (`summary`, `customfield_10109`).
    pub id: String,
    /// The key (usually the id; Cloud only).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub key: Option<String>,
    /// The display name (`"Alert URL"`).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub name: String,
    /// Whether it is a custom field.
    #[serde(default)]
    pub custom: bool,
    /// The names JQL knows it by.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub clause_names: Vec<String>,
    /// The type of its values; absent for a few system fields.
    #[serde(default)]
    pub schema: Option<FieldSchema>,
}

impl Field {
    /// The shape of value this field takes; [`FieldShape::Other`] without a schema.
    pub fn shape(&self) -> FieldShape {
        self.schema.as_ref().map_or_else(|| FieldShape::Other(String::new()), FieldSchema::shape)
    }
}

/// The type of a field's values, as Jira describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FieldSchema {
    /// The type: `string`, `number`, `option`, `user`, `array`, `datetime`, `date`, ...
    #[serde(rename = "type", default, deserialize_with = "lenient::null_default")]
    pub type_name: String,
    /// For an `array`, the type of its items.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub items: Option<String>,
    /// For a system field, its name (`labels`, `description`).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub system: Option<String>,
    /// For a custom field, its type's key
    /// (`com.atlassian.jira.plugin.system.customfieldtypes:textarea`).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub custom: Option<String>,
    /// For a custom field, the number in `customfield_<n>`.
    #[serde(default)]
    pub custom_id: Option<i64>,
}

impl FieldSchema {
    /// The shape of value fields of this schema take.
    pub fn shape(&self) -> FieldShape {
        let custom = self.custom.as_deref().unwrap_or("");
        let custom_kind = custom.rsplit(':').next().unwrap_or("");
        let system = self.system.as_deref().unwrap_or("");
        match self.type_name.as_str() {
            _ if custom.contains(':') && custom_kind == "textarea" => FieldShape::RichText,
            "string" if matches!(system, "description" | "environment") => FieldShape::RichText,
            "string" if custom.contains(':') && custom_kind == "url" => FieldShape::Url,
            "string" => FieldShape::Text,
            "array" if system == "labels" || custom_kind == "labels" => FieldShape::Labels,
            "array" => FieldShape::Array(Box::new(item_shape(self.items.as_deref().unwrap_or("")))),
            other => item_shape(other),
        }
    }
}

fn item_shape(type_name: &str) -> FieldShape {
    match type_name {
        "string" => FieldShape::Text,
        "number" => FieldShape::Number,
        "option" | "option-with-child" => FieldShape::Option,
        "user" => FieldShape::User,
        "datetime" => FieldShape::DateTime,
        "date" => FieldShape::Date,
        other => FieldShape::Other(other.to_owned()),
    }
}

/// The shape of value a field takes in a create or edit request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldShape {
    /// One line of text: `"text"`.
    Text,
    /// A number: `42`.
    Number,
    /// A select list option: `{"value": "text"}`.
    Option,
    /// Labels: `["a", "b"]`, no whitespace inside a label.
    Labels,
    /// A URL: `"https://..."`.
    Url,
    /// A user: `{"accountId": ".."}` on Cloud, `{"name": ".."}` on Server/Data Center.
    User,
    /// Multi-line rich text: ADF on Cloud, wiki markup on Server/Data Center.
    RichText,
    /// A timestamp: `"2024-01-31T10:00:00.000+0000"`.
    DateTime,
    /// A date: `"2024-01-31"`.
    Date,
    /// A list of values of the inner shape.
    Array(Box<FieldShape>),
    /// Any other type (named as Jira names it); not settable from text.
    Other(String),
}

impl FieldShape {
    /// Builds the JSON value of this shape from text, for the given deployment.
    ///
    /// Text, URLs, options and users take the text as it is; a number must parse; labels are
    /// split on whitespace; an array is split on commas; a timestamp is any ISO 8601 instant;
    /// rich text becomes a paragraph (lines kept) rendered for the deployment and cut to Jira's
    /// size limit.
    ///
    /// ```
    /// use jira_client::{Deployment, FieldShape};
    /// use serde_json::json;
    /// let value = FieldShape::Option.value_from_text("High", Deployment::Cloud).unwrap();
    /// assert_eq!(value, json!({"value": "High"}));
    /// let value = FieldShape::RichText.value_from_text("line 1\nline 2", Deployment::Cloud).unwrap();
    /// assert_eq!(value["type"], "doc");
    /// assert!(FieldShape::Number.value_from_text("many", Deployment::Cloud).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the text does not fit the shape, or for
    /// [`FieldShape::Other`].
    pub fn value_from_text(&self, text: &str, deployment: Deployment) -> Result<Value> {
        Ok(match self {
            FieldShape::Text | FieldShape::Url => Value::String(text.to_owned()),
            FieldShape::Number => number(text)?,
            FieldShape::Option => json!({ "value": text }),
            FieldShape::User => match deployment {
                Deployment::Cloud => json!({ "accountId": text }),
                Deployment::Server => json!({ "name": text }),
            },
            FieldShape::Labels => Value::Array(text.split_whitespace().map(|l| json!(l)).collect()),
            FieldShape::RichText => {
                let doc = Document::new().text_paragraph(text);
                match deployment {
                    Deployment::Cloud => doc.to_adf_limited(DESCRIPTION_MAX_LEN),
                    Deployment::Server => Value::String(doc.to_wiki_limited(DESCRIPTION_MAX_LEN)),
                }
            }
            FieldShape::DateTime => {
                let at: Timestamp = lenient::parse_timestamp(text).ok_or_else(|| {
                    Error::invalid("value", format!("{text:?} is not an ISO 8601 timestamp"))
                })?;
                Value::String(at.strftime("%Y-%m-%dT%H:%M:%S%.3f%z").to_string())
            }
            FieldShape::Date => {
                let date: jiff::civil::Date = text.trim().parse().map_err(|_| {
                    Error::invalid("value", format!("{text:?} is not a date like 2024-01-31"))
                })?;
                Value::String(date.to_string())
            }
            FieldShape::Array(inner) => Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| inner.value_from_text(item, deployment))
                    .collect::<Result<_>>()?,
            ),
            FieldShape::Other(type_name) => {
                return Err(Error::invalid(
                    "value",
                    format!("fields of type {type_name:?} cannot be set from text"),
                ));
            }
        })
    }
}

fn number(text: &str) -> Result<Value> {
    let text = text.trim();
    let invalid = || Error::invalid("value", format!("{text:?} is not a number"));
    if let Ok(n) = text.parse::<i64>() {
        return Ok(json!(n));
    }
    let n: f64 = text.parse().map_err(|_| invalid())?;
    serde_json::Number::from_f64(n).map(Value::Number).ok_or_else(invalid)
}

/// Finds fields by id or by display name.
///
/// ```
/// use jira_client::{Field, FieldResolver};
/// let fields: Vec<Field> = serde_json::from_value(serde_json::json!([
///     {"id": "customfield_10109", "name": "Alert URL", "custom": true,
///      "schema": {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:url"}},
/// ])).unwrap();
/// let resolver = FieldResolver::new(fields);
/// assert_eq!(resolver.resolve("alert url").unwrap().id, "customfield_10109");
/// assert_eq!(resolver.resolve("customfield_10109").unwrap().name, "Alert URL");
/// assert_eq!(resolver.resolve("cf[10109]").unwrap().name, "Alert URL");
/// ```
#[derive(Debug, Clone, Default)]
pub struct FieldResolver {
    fields: Vec<Field>,
}

impl FieldResolver {
    /// A resolver over the site's fields (from [`crate::Client::fields`]).
    pub fn new(fields: Vec<Field>) -> Self {
        Self { fields }
    }

    /// All the fields.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Finds a field by id (`customfield_10109`, or JQL's `cf[10109]`), else by display name
    /// without regard to case.
    ///
    /// # Errors
    /// [`Error::UnknownField`] when nothing matches; [`Error::AmbiguousField`], listing the
    /// candidate ids, when several fields have that name.
    pub fn resolve(&self, name_or_id: &str) -> Result<&Field> {
        let wanted = name_or_id.trim();
        let id = cf_id(wanted).unwrap_or_else(|| wanted.to_owned());
        if let Some(field) = self.fields.iter().find(|f| f.id.eq_ignore_ascii_case(&id)) {
            return Ok(field);
        }
        let lower = wanted.to_lowercase();
        let matches: Vec<&Field> =
            self.fields.iter().filter(|f| f.name.trim().to_lowercase() == lower).collect();
        match matches.as_slice() {
            [] => Err(Error::UnknownField { name: wanted.to_owned() }),
            [one] => Ok(one),
            many => Err(Error::AmbiguousField {
                name: wanted.to_owned(),
                candidates: many.iter().map(|f| f.id.clone()).collect(),
            }),
        }
    }
}

/// `cf[10109]` (JQL's name for a custom field) as `customfield_10109`.
fn cf_id(text: &str) -> Option<String> {
    let number = text.strip_prefix("cf[")?.strip_suffix(']')?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("customfield_{number}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(json: Value) -> FieldSchema {
        serde_json::from_value(json).unwrap()
    }

    const CF: &str = "com.atlassian.jira.plugin.system.customfieldtypes";

    #[track_caller]
    fn check(schema_json: Value, expected: FieldShape) {
        assert_eq!(schema(schema_json.clone()).shape(), expected, "{schema_json}");
    }

    #[test]
    fn shapes_from_schemas() {
        check(json!({"type": "string", "system": "summary"}), FieldShape::Text);
        check(json!({"type": "string", "system": "description"}), FieldShape::RichText);
        check(json!({"type": "string", "system": "environment"}), FieldShape::RichText);
        check(json!({"type": "string", "custom": format!("{CF}:textarea")}), FieldShape::RichText);
        check(json!({"type": "string", "custom": format!("{CF}:textfield")}), FieldShape::Text);
        check(json!({"type": "string", "custom": format!("{CF}:url")}), FieldShape::Url);
        check(json!({"type": "number", "custom": format!("{CF}:float")}), FieldShape::Number);
        check(json!({"type": "option", "custom": format!("{CF}:select")}), FieldShape::Option);
        check(json!({"type": "option-with-child"}), FieldShape::Option);
        check(json!({"type": "user", "system": "assignee"}), FieldShape::User);
        check(json!({"type": "datetime"}), FieldShape::DateTime);
        check(json!({"type": "date", "system": "duedate"}), FieldShape::Date);
        check(json!({"type": "array", "items": "string", "system": "labels"}), FieldShape::Labels);
        check(
            json!({"type": "array", "items": "string", "custom": format!("{CF}:labels")}),
            FieldShape::Labels,
        );
        check(
            json!({"type": "array", "items": "option", "custom": format!("{CF}:multiselect")}),
            FieldShape::Array(Box::new(FieldShape::Option)),
        );
        check(
            json!({"type": "array", "items": "component", "system": "components"}),
            FieldShape::Array(Box::new(FieldShape::Other("component".into()))),
        );
        check(json!({"type": "sd-customerrequesttype"}), FieldShape::Other("sd-customerrequesttype".into()));
        check(json!({"type": null}), FieldShape::Other(String::new()));
    }

    #[track_caller]
    fn value(shape: FieldShape, text: &str, deployment: Deployment, expected: Value) {
        assert_eq!(shape.value_from_text(text, deployment).unwrap(), expected, "{shape:?} {text:?}");
    }

    #[track_caller]
    fn invalid(shape: FieldShape, text: &str) {
        let result = shape.value_from_text(text, Deployment::Cloud);
        assert!(matches!(result, Err(Error::InvalidInput { .. })), "{shape:?} {text:?}: {result:?}");
    }

    #[test]
    fn values_from_text() {
        use Deployment::{Cloud, Server};
        value(FieldShape::Text, "a \"quoted\" text", Cloud, json!("a \"quoted\" text"));
        value(FieldShape::Url, "https://x.example/a?b=c", Server, json!("https://x.example/a?b=c"));
        value(FieldShape::Number, " 42 ", Cloud, json!(42));
        value(FieldShape::Number, "2.5", Cloud, json!(2.5));
        value(FieldShape::Option, "High", Cloud, json!({"value": "High"}));
        value(
            FieldShape::User,
            "5b10a2844c20165700ede21g",
            Cloud,
            json!({"accountId": "5b10a2844c20165700ede21g"}),
        );
        value(FieldShape::User, "alice", Server, json!({"name": "alice"}));
        value(FieldShape::Labels, " a  b\tc ", Cloud, json!(["a", "b", "c"]));
        value(FieldShape::DateTime, "2024-01-31T10:00:00Z", Cloud, json!("2024-01-31T10:00:00.000+0000"));
        value(
            FieldShape::DateTime,
            "2024-01-31T12:00:00.5+0200",
            Cloud,
            json!("2024-01-31T10:00:00.500+0000"),
        );
        value(FieldShape::Date, "2024-01-31", Cloud, json!("2024-01-31"));
        value(
            FieldShape::Array(Box::new(FieldShape::Option)),
            "red, blue,",
            Cloud,
            json!([{"value": "red"}, {"value": "blue"}]),
        );
        value(
            FieldShape::RichText,
            "{noformat}x",
            Server,
            json!(Document::new().text_paragraph("{noformat}x").to_wiki()),
        );
        let adf = FieldShape::RichText.value_from_text("one\ntwo", Cloud).unwrap();
        assert_eq!(adf["type"], "doc");
        invalid(FieldShape::Number, "12 apples");
        invalid(FieldShape::Number, "NaN");
        invalid(FieldShape::Number, "inf");
        invalid(FieldShape::DateTime, "yesterday");
        invalid(FieldShape::Date, "31/01/2024");
        invalid(FieldShape::Other("component".into()), "x");
    }

    fn resolver() -> FieldResolver {
        let fields: Vec<Field> = serde_json::from_value(json!([
            {"id": "summary", "name": "Summary", "schema": {"type": "string", "system": "summary"}},
            {"id": "customfield_10109", "name": "Alert URL", "custom": true},
            {"id": "customfield_10200", "name": "Severity", "custom": true},
            {"id": "customfield_10201", "name": "severity", "custom": true},
            {"id": "customfield_10300", "name": null, "schema": null, "clauseNames": null},
        ]))
        .unwrap();
        FieldResolver::new(fields)
    }

    #[test]
    fn resolving() {
        let r = resolver();
        assert_eq!(r.resolve("Alert URL").unwrap().id, "customfield_10109");
        assert_eq!(r.resolve("  ALERT url ").unwrap().id, "customfield_10109");
        assert_eq!(r.resolve("customfield_10109").unwrap().id, "customfield_10109");
        assert_eq!(r.resolve("cf[10109]").unwrap().id, "customfield_10109");
        assert_eq!(r.resolve("summary").unwrap().id, "summary");
        match r.resolve("SEVERITY") {
            Err(Error::AmbiguousField { candidates, .. }) => {
                assert_eq!(candidates, ["customfield_10200", "customfield_10201"]);
            }
            other => panic!("expected ambiguity, got {other:?}"),
        }
        assert!(matches!(r.resolve("Nope"), Err(Error::UnknownField { .. })));
        assert!(matches!(r.resolve("cf[]"), Err(Error::UnknownField { .. })));
        let err = r.resolve("severity").unwrap_err().to_string();
        assert!(err.contains("customfield_10200, customfield_10201"), "{err}");
    }
}
