//! Atlassian Document Format (ADF) rendering, for Jira Cloud's REST API v3.
//!
//! The output must validate against the ADF JSON schema (contracts/jira/adf-schema-v1.json):
//! text nodes are never empty, lists and table cells are never empty, a list item starts with a
//! paragraph and holds only what the schema allows there, and marks are `strong`, `code` and
//! `link` (with `attrs.href`), never `strong` and `code` together.
//!
//! Nodes are built as JSON maps directly: `json!` with an existing value serialises it again,
//! which made every level of nesting copy the whole subtree below it.

use serde_json::{Map, Value};

use super::normalize::{
    Normal, clean_text, column_count, language_hint, list_item_blocks, normalize_inlines,
};
use super::{Block, Inline, Table};

/// Renders blocks as an ADF `doc` node.
pub(super) fn render(blocks: &[Block]) -> Value {
    let content: Vec<Value> = blocks.iter().filter_map(block).collect();
    let mut doc = node("doc");
    doc.insert("version".to_owned(), Value::from(1));
    doc.insert("content".to_owned(), Value::Array(content));
    Value::Object(doc)
}

/// A node of type `kind` with nothing else yet.
fn node(kind: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("type".to_owned(), Value::String(kind.to_owned()));
    map
}

/// A node of type `kind` with `content`.
fn parent(kind: &str, content: Vec<Value>) -> Value {
    let mut map = node(kind);
    map.insert("content".to_owned(), Value::Array(content));
    Value::Object(map)
}

/// `{"key": value}`, for `attrs`.
fn single(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    Value::Object(map)
}

fn block(block: &Block) -> Option<Value> {
    match block {
        Block::Paragraph(inlines) => Some(paragraph(inlines)),
        Block::Heading { level, content } => {
            let content = inlines(content);
            // An empty heading is valid ADF, but the wiki rendering cannot express one; both
            // renderings drop it so that they show the same document.
            (!content.is_empty()).then(|| {
                let mut heading = node("heading");
                heading.insert("attrs".to_owned(), single("level", Value::from((*level).clamp(1, 6))));
                heading.insert("content".to_owned(), Value::Array(content));
                Value::Object(heading)
            })
        }
        Block::BulletList(items) => list("bulletList", items),
        Block::OrderedList(items) => list("orderedList", items),
        Block::Table(table) => self::table(table),
        Block::CodeBlock { language, text } => Some(code_block(language.as_deref(), text)),
        Block::Rule => Some(Value::Object(node("rule"))),
    }
}

fn paragraph(content: &[Inline]) -> Value {
    parent("paragraph", inlines(content))
}

fn list(kind: &str, items: &[Vec<Block>]) -> Option<Value> {
    // The schema wants at least one item.
    if items.is_empty() {
        return None;
    }
    let items: Vec<Value> = items.iter().map(|item| list_item(item)).collect();
    Some(parent(kind, items))
}

fn list_item(item: &[Block]) -> Value {
    let content: Vec<Value> = list_item_blocks(item)
        .iter()
        .filter_map(|block| match block.as_ref() {
            Block::Paragraph(inlines) => Some(paragraph(inlines)),
            Block::BulletList(items) => list("bulletList", items),
            Block::OrderedList(items) => list("orderedList", items),
            Block::CodeBlock { language, text } => Some(code_block(language.as_deref(), text)),
            // `list_item_blocks` has already flattened everything else.
            _ => None,
        })
        .collect();
    parent("listItem", content)
}

fn table(table: &Table) -> Option<Value> {
    let columns = column_count(&table.header, &table.rows);
    if columns == 0 {
        return None;
    }
    let mut rows = Vec::with_capacity(table.rows.len() + 1);
    if !table.header.is_empty() {
        rows.push(table_row("tableHeader", &table.header, columns));
    }
    for row in &table.rows {
        rows.push(table_row("tableCell", row, columns));
    }
    Some(parent("table", rows))
}

fn table_row(cell_kind: &str, cells: &[Vec<Inline>], columns: usize) -> Value {
    let cells: Vec<Value> = (0..columns)
        .map(|i| {
            let content = cells.get(i).map_or(&[][..], Vec::as_slice);
            // A cell needs at least one block; an empty paragraph is the schema's "nothing".
            parent(cell_kind, vec![paragraph(content)])
        })
        .collect();
    parent("tableRow", cells)
}

fn code_block(language: Option<&str>, text: &str) -> Value {
    let text = clean_text(text);
    let content: Vec<Value> = if text.is_empty() { Vec::new() } else { vec![text_node(&text, None)] };
    let mut code = node("codeBlock");
    if let Some(language) = language_hint(language) {
        code.insert("attrs".to_owned(), single("language", Value::String(language.to_owned())));
    }
    code.insert("content".to_owned(), Value::Array(content));
    Value::Object(code)
}

/// Inline nodes: text split at newlines into text nodes and hard breaks, with marks.
fn inlines(content: &[Inline]) -> Vec<Value> {
    let mut out = Vec::with_capacity(content.len());
    for inline in normalize_inlines(content) {
        match inline {
            Normal::Text(text) => push_text(&mut out, &text, None),
            Normal::Strong(text) => push_text(&mut out, &text, Some(Mark::Strong)),
            Normal::Code(text) => push_text(&mut out, &text, Some(Mark::Code)),
            Normal::Link { text, href } => push_text(&mut out, &text, Some(Mark::Link(&href))),
            Normal::HardBreak => out.push(Value::Object(node("hardBreak"))),
        }
    }
    out
}

/// The mark of a text node.
#[derive(Clone, Copy)]
enum Mark<'a> {
    Strong,
    Code,
    Link(&'a str),
}

impl Mark<'_> {
    fn to_value(self) -> Value {
        match self {
            Mark::Strong => Value::Object(node("strong")),
            Mark::Code => Value::Object(node("code")),
            Mark::Link(href) => {
                let mut link = node("link");
                link.insert("attrs".to_owned(), single("href", Value::String(href.to_owned())));
                Value::Object(link)
            }
        }
    }
}

/// A text node; `text` must not be empty.
fn text_node(text: &str, mark: Option<Mark<'_>>) -> Value {
    let mut map = node("text");
    map.insert("text".to_owned(), Value::String(text.to_owned()));
    if let Some(mark) = mark {
        map.insert("marks".to_owned(), Value::Array(vec![mark.to_value()]));
    }
    Value::Object(map)
}

fn push_text(out: &mut Vec<Value>, text: &str, mark: Option<Mark<'_>>) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(Value::Object(node("hardBreak")));
        }
        // The schema forbids empty text nodes.
        if line.is_empty() {
            continue;
        }
        out.push(text_node(line, mark));
    }
}
