//! Between dotted key paths (`tenants[1].entra.client_id`) and places in the config text.
//!
//! toml's own error shows the line of a bad key but not the path of tables leading to it, and the
//! checks that run after deserializing know the path but not the line. Both are read off the
//! document as parsed by toml, whose keys and values carry their byte spans.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The config text, with its parse tree when it is valid TOML.
pub(crate) struct Document<'a> {
    text: &'a str,
    root: Option<Spanned<DeTable<'a>>>,
}

impl<'a> Document<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, root: DeTable::parse(text).ok() }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// The dotted path of the key at a byte offset: the key whose name, or whose value (other than
    /// a `[table]`, whose span is only its header), covers the offset.
    pub(crate) fn key_at(&self, offset: usize) -> Option<String> {
        let root = self.root.as_ref()?;
        let mut path = String::new();
        find_in_table(root.get_ref(), offset, &mut path).then_some(path)
    }

    /// The 1-based line of the deepest part of a dotted path that is written in the file.
    pub(crate) fn line_of(&self, path: &str) -> Option<usize> {
        let root = self.root.as_ref()?;
        let mut table = root.get_ref();
        let mut found: Option<Range<usize>> = None;
        for segment in path.split('.') {
            let (name, indexes) = split_indexes(segment);
            let Some((key, value)) = table.iter().find(|(key, _)| key.get_ref() == name) else {
                break;
            };
            found = Some(key.span());
            let mut value = value;
            for index in indexes {
                let DeValue::Array(items) = value.get_ref() else {
                    break;
                };
                let Some(item) = items.get(index) else { break };
                found = Some(item.span());
                value = item;
            }
            match value.get_ref() {
                DeValue::Table(inner) => table = inner,
                _ => break,
            }
        }
        found.map(|span| self.line_column(span.start).0)
    }
}

/// Searches the whole tree: the span of a `[table]` or `[[array]]` element covers only its header,
/// not the keys under it, so containment cannot guide the descent.
fn find_in_table(table: &DeTable<'_>, offset: usize, path: &mut String) -> bool {
    for (key, value) in table.iter() {
        let before = path.len();
        push_key(path, key.get_ref());
        // A `[table]` header, e.g. where a required key is missing.
        let on_header = matches!(value.get_ref(), DeValue::Table(_)) && contains(&value.span(), offset);
        if contains(&key.span(), offset) || find_in_value(value, offset, path) || on_header {
            return true;
        }
        path.truncate(before);
    }
    false
}

fn find_in_value(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut String) -> bool {
    match value.get_ref() {
        DeValue::Table(table) => find_in_table(table, offset, path),
        DeValue::Array(items) => items.iter().enumerate().any(|(index, item)| {
            let before = path.len();
            path.push_str(&format!("[{index}]"));
            let found = match item.get_ref() {
                DeValue::Table(_) | DeValue::Array(_) => find_in_value(item, offset, path),
                _ => false,
            } || contains(&item.span(), offset) && !matches!(item.get_ref(), DeValue::Table(_));
            if !found {
                path.truncate(before);
            }
            found
        }),
        _ => contains(&value.span(), offset),
    }
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset < span.end.max(span.start + 1)
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// `tenants[1]` -> (`tenants`, [1]).
fn split_indexes(segment: &str) -> (&str, Vec<usize>) {
    let name_end = segment.find('[').unwrap_or(segment.len());
    let indexes = segment[name_end..].split(['[', ']']).filter_map(|part| part.parse().ok()).collect();
    (&segment[..name_end], indexes)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[jira]
url = "https://x"

[jira.auth]
user = "me"

[[tenants]]
name = "a"

[[tenants]]
name = "b"
entra = { tenant_id = "t", client_id = "c" }
"#;

    #[test]
    fn finds_lines_of_paths() {
        let doc = Document::new(TEXT);
        assert_eq!(doc.line_of("jira.url"), Some(3));
        assert_eq!(doc.line_of("jira.auth.user"), Some(6));
        assert_eq!(doc.line_of("jira.auth.token_env"), Some(5));
        assert_eq!(doc.line_of("tenants[1].name"), Some(12));
        assert_eq!(doc.line_of("tenants[1].entra.client_id"), Some(13));
        assert_eq!(doc.line_of("nothing"), None);
    }

    #[test]
    fn finds_paths_at_offsets() {
        let doc = Document::new(TEXT);
        let at = |needle: &str| doc.key_at(TEXT.find(needle).unwrap());
        assert_eq!(at("user").as_deref(), Some("jira.auth.user"));
        assert_eq!(at("name = \"b\"").as_deref(), Some("tenants[1].name"));
        assert_eq!(at("client_id").as_deref(), Some("tenants[1].entra.client_id"));
        assert_eq!(doc.line_column(TEXT.find("client_id").unwrap()), (13, 28));
    }
}
