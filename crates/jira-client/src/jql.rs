//! Building JQL from untrusted values without letting them change the query.
//!
//! A value such as an alert id, a label or a user name is always written as a JQL string
//! literal by [`quote`]: in double quotes, with `"` and `\` escaped and every control, line or
//! format character written as an escape sequence, so that no value can end the literal and add
//! `) OR project = X` to a query. The helpers build the few clauses callers need.
//!
//! ```
//! use jira_client::jql;
//!
//! let query = format!(
//!     "{} AND {}",
//!     jql::field_eq("project", "SEC"),
//!     jql::labels_in(&["mcas", "alert-5f1\" OR 1=1"]),
//! );
//! assert_eq!(query, r#"project = "SEC" AND labels in ("mcas", "alert-5f1\" OR 1=1")"#);
//! ```

use std::fmt::Write as _;

/// Words reserved by the JQL grammar: a field with one of these names must be quoted.
#[rustfmt::skip]
const RESERVED_WORDS: &[&str] = &[
    "abort", "access", "add", "after", "alias", "all", "alter", "and", "any", "as", "asc", "audit",
    "avg", "before", "begin", "between", "boolean", "break", "by", "byte", "catch", "cf", "changed",
    "char", "character", "check", "checkpoint", "collate", "collation", "column", "commit",
    "connect", "continue", "count", "create", "current", "date", "decimal", "declare", "decrement",
    "default", "defaults", "define", "delete", "delimiter", "desc", "difference", "distinct",
    "divide", "do", "double", "drop", "else", "empty", "encoding", "end", "equals", "escape",
    "exclusive", "exec", "execute", "exists", "explain", "false", "fetch", "file", "field", "first",
    "float", "for", "from", "function", "go", "goto", "grant", "greater", "group", "having",
    "identified", "if", "immediate", "in", "increment", "index", "initial", "inner", "inout",
    "input", "insert", "int", "integer", "intersect", "intersection", "into", "is", "isempty",
    "isnull", "join", "last", "left", "less", "like", "limit", "lock", "long", "max", "min",
    "minus", "mode", "modify", "modulo", "more", "multiply", "next", "noaudit", "not", "notin",
    "nowait", "null", "number", "object", "of", "on", "option", "or", "order", "outer", "output",
    "power", "previous", "prior", "privileges", "public", "raise", "raw", "remainder", "rename",
    "resource", "return", "returns", "revoke", "right", "row", "rowid", "rownum", "rows", "select",
    "session", "set", "share", "size", "sqrt", "start", "strict", "string", "subtract", "sum",
    "synonym", "table", "then", "to", "trans", "transaction", "trigger", "true", "uid", "union",
    "unique", "update", "user", "validate", "values", "view", "was", "when", "whenever", "where",
    "while", "with",
];

/// Writes `value` as a JQL string literal that matches exactly `value`.
///
/// `"` and `\` are escaped with a backslash; newline, carriage return and tab become `\n`, `\r`
/// and `\t`; every other control character, line or paragraph separator, and bidi or other
/// format character becomes a `\uXXXX` escape, so the literal stays on one line and reads the
/// same in a log as it does to Jira.
///
/// ```
/// assert_eq!(jira_client::jql::quote(r#"a"b\c"#), r#""a\"b\\c""#);
/// assert_eq!(jira_client::jql::quote("x\ny"), r#""x\ny""#);
/// ```
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_unicode_escape(c) => {
                // JQL's `\u` takes four hex digits, so a character beyond the BMP is written
                // as its UTF-16 surrogate pair (only format characters such as tag characters
                // get here).
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Control characters, line/paragraph separators and invisible format characters (bidi
/// controls, zero-width characters, the BOM, tag characters).
fn needs_unicode_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Writes a field name for a clause: `customfield_10109` becomes `cf[10109]`, `cf[10109]` and
/// plain names (`labels`, `project`) stay as they are, and anything else (names with spaces such
/// as `Alert URL`, reserved words, odd characters) is quoted.
///
/// ```
/// use jira_client::jql::field;
///
/// assert_eq!(field("labels"), "labels");
/// assert_eq!(field("customfield_10109"), "cf[10109]");
/// assert_eq!(field("Alert URL"), r#""Alert URL""#);
/// ```
pub fn field(name: &str) -> String {
    if let Some(id) = name.strip_prefix("customfield_").filter(|id| is_digits(id)) {
        return format!("cf[{id}]");
    }
    if name.strip_prefix("cf[").and_then(|rest| rest.strip_suffix(']')).is_some_and(is_digits) {
        return name.to_owned();
    }
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED_WORDS.contains(&name.to_ascii_lowercase().as_str());
    if plain { name.to_owned() } else { quote(name) }
}

/// `field = "value"`, with the field written by [`field`] and the value by [`quote`].
///
/// ```
/// assert_eq!(jira_client::jql::field_eq("project", "SEC"), r#"project = "SEC""#);
/// ```
pub fn field_eq(name: &str, value: &str) -> String {
    format!("{} = {}", field(name), quote(value))
}

/// `field in ("a", "b")`, with the field written by [`field`] and each value by [`quote`].
///
/// With no values the clause is `field in ()`, which Jira rejects as invalid JQL: check for an
/// empty list first if that can happen.
pub fn field_in<S: AsRef<str>>(name: &str, values: &[S]) -> String {
    let values: Vec<String> = values.iter().map(|v| quote(v.as_ref())).collect();
    format!("{} in ({})", field(name), values.join(", "))
}

/// `labels in ("a", "b")`: issues with any of the labels (see [`field_in`] for no labels).
///
/// ```
/// assert_eq!(jira_client::jql::labels_in(&["mcas", "high"]), r#"labels in ("mcas", "high")"#);
/// ```
pub fn labels_in<S: AsRef<str>>(labels: &[S]) -> String {
    field_in("labels", labels)
}

/// `key in (SEC-1, SEC-2)`: issues with any of the keys. A value that is not an issue key
/// (`[A-Z][A-Z0-9_]+-<digits>`) is quoted rather than trusted (see [`field_in`] for no keys).
///
/// ```
/// assert_eq!(
///     jira_client::jql::keys_in(&["SEC-1", "x) OR (1=1"]),
///     r#"key in (SEC-1, "x) OR (1=1")"#,
/// );
/// ```
pub fn keys_in<S: AsRef<str>>(keys: &[S]) -> String {
    let keys: Vec<String> = keys
        .iter()
        .map(|key| {
            let key = key.as_ref();
            if is_issue_key(key) { key.to_owned() } else { quote(key) }
        })
        .collect();
    format!("key in ({})", keys.join(", "))
}

/// `[A-Z][A-Z0-9_]+-\d+`: a project key of at least two characters, a dash and a number.
fn is_issue_key(key: &str) -> bool {
    let Some((project, number)) = key.rsplit_once('-') else {
        return false;
    };
    let mut project_chars = project.chars();
    project_chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && project.len() >= 2
        && project_chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && is_digits(number)
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}
