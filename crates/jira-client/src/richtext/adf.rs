//! Atlassian Document Format (ADF) rendering, for Jira Cloud's REST API v3.
//!
//! The output must validate against the ADF JSON schema (contracts/jira/adf-schema-v1.json):
//! text nodes are never empty, lists and table cells are never empty, a list item starts with a
//! paragraph and holds only what the schema allows there, and marks are `strong`, `code` and
//! `link` (with `attrs.href`), never `strong` and `code` together.

use serde_json::{Value, json};

use super::normalize::{clean_text, column_count, language_hint, list_item_blocks, normalize_inlines};
use super::{Block, Inline, Table};

/// Renders blocks as an ADF `doc` node.
pub(super) fn render(blocks: &[Block]) -> Value {
    let content: Vec<Value> = blocks.iter().filter_map(block).collect();
    json!({ "type": "doc", "version": 1, "content": content })
}

fn block(block: &Block) -> Option<Value> {
    match block {
        Block::Paragraph(inlines) => Some(paragraph(inlines)),
        Block::Heading { level, content } => {
            let content = inlines(content);
            // An empty heading is valid ADF, but the wiki rendering cannot express one; both
            // renderings drop it so that they show the same document.
            (!content.is_empty()).then(|| {
                json!({
                    "type": "heading",
                    "attrs": { "level": (*level).clamp(1, 6) },
                    "content": content,
                })
            })
        }
        Block::BulletList(items) => list("bulletList", items),
        Block::OrderedList(items) => list("orderedList", items),
        Block::Table(table) => self::table(table),
        Block::CodeBlock { language, text } => Some(code_block(language.as_deref(), text)),
        Block::Rule => Some(json!({ "type": "rule" })),
    }
}

fn paragraph(content: &[Inline]) -> Value {
    json!({ "type": "paragraph", "content": inlines(content) })
}

fn list(kind: &str, items: &[Vec<Block>]) -> Option<Value> {
    // The schema wants at least one item.
    if items.is_empty() {
        return None;
    }
    let items: Vec<Value> = items.iter().map(|item| list_item(item)).collect();
    Some(json!({ "type": kind, "content": items }))
}

fn list_item(item: &[Block]) -> Value {
    let content: Vec<Value> = list_item_blocks(item)
        .iter()
        .filter_map(|block| match block {
            Block::Paragraph(inlines) => Some(paragraph(inlines)),
            Block::BulletList(items) => list("bulletList", items),
            Block::OrderedList(items) => list("orderedList", items),
            Block::CodeBlock { language, text } => Some(code_block(language.as_deref(), text)),
            // `list_item_blocks` has already flattened everything else.
            _ => None,
        })
        .collect();
    json!({ "type": "listItem", "content": content })
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
    Some(json!({ "type": "table", "content": rows }))
}

fn table_row(cell_kind: &str, cells: &[Vec<Inline>], columns: usize) -> Value {
    let cells: Vec<Value> = (0..columns)
        .map(|i| {
            let content = cells.get(i).map_or(&[][..], Vec::as_slice);
            // A cell needs at least one block; an empty paragraph is the schema's "nothing".
            json!({ "type": cell_kind, "content": [paragraph(content)] })
        })
        .collect();
    json!({ "type": "tableRow", "content": cells })
}

fn code_block(language: Option<&str>, text: &str) -> Value {
    let text = clean_text(text);
    let content: Vec<Value> =
        if text.is_empty() { Vec::new() } else { vec![json!({ "type": "text", "text": text })] };
    match language_hint(language) {
        Some(language) => json!({
            "type": "codeBlock",
            "attrs": { "language": language },
            "content": content,
        }),
        None => json!({ "type": "codeBlock", "content": content }),
    }
}

/// Inline nodes: text split at newlines into text nodes and hard breaks, with marks.
fn inlines(content: &[Inline]) -> Vec<Value> {
    let mut out = Vec::new();
    for inline in normalize_inlines(content) {
        match inline {
            Inline::Text(text) => push_text(&mut out, &text, None),
            Inline::Strong(text) => push_text(&mut out, &text, Some(json!({ "type": "strong" }))),
            Inline::Code(text) => push_text(&mut out, &text, Some(json!({ "type": "code" }))),
            Inline::Link { text, href } => {
                push_text(&mut out, &text, Some(json!({ "type": "link", "attrs": { "href": href } })))
            }
            Inline::HardBreak => out.push(json!({ "type": "hardBreak" })),
        }
    }
    out
}

fn push_text(out: &mut Vec<Value>, text: &str, mark: Option<Value>) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(json!({ "type": "hardBreak" }));
        }
        // The schema forbids empty text nodes.
        if line.is_empty() {
            continue;
        }
        out.push(match &mark {
            Some(mark) => json!({ "type": "text", "text": line, "marks": [mark] }),
            None => json!({ "type": "text", "text": line }),
        });
    }
}
