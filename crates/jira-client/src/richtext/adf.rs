//! Atlassian Document Format (ADF) rendering, for Jira Cloud's REST API v3.
//!
//! The output must validate against the ADF JSON schema (contracts/jira/adf-schema-v1.json):
//! text nodes are never empty, lists and table cells are never empty, a list item starts with a
//! paragraph and holds only what the schema allows there, and marks are `strong`, `code` and
//! `link` (with `attrs.href`), never `strong` and `code` together.
//!
//! The document is written as compact JSON text directly, with no `serde_json::Value` tree in
//! between: building the tree, measuring it, serialising it and dropping it node by node was
//! most of the CPU a ticket cost. The bytes are those `serde_json` wrote for that tree: keys in
//! sorted order (`attrs`, `content`, `marks`, `text`, `type`, `version`), since its maps are
//! sorted, and its string escapes.

use super::normalize::{
    Normal, clean_text, column_count, language_hint, list_item_blocks, normalize_inlines,
};
use super::{Block, Inline, Table};
use crate::json_text::write_str;

/// Writes blocks as an ADF `doc` node, appending to `out`.
pub(super) fn write<'a>(blocks: impl IntoIterator<Item = &'a Block>, out: &mut String) {
    out.push_str(r#"{"content":["#);
    let mut items = Items::default();
    for block in blocks {
        self::block(out, &mut items, block);
    }
    out.push_str(r#"],"type":"doc","version":1}"#);
}

/// About how long the ADF of `blocks` is, a little more for most documents: reserved before
/// writing, since growing the buffer step by step cost as much as writing it (every step copies
/// what was written, and large steps make the allocator consolidate its free lists).
pub(super) fn estimated_len(blocks: &[Block]) -> usize {
    /// The JSON around a text node with a mark, and around a small block.
    const NODE: usize = 64;
    let inlines = |content: &[Inline]| -> usize {
        content
            .iter()
            .map(|inline| match inline {
                Inline::Text(text) | Inline::Strong(text) | Inline::Code(text) => text.len() + NODE,
                Inline::Link { text, href } => text.len() + 2 * href.len() + 2 * NODE,
                Inline::HardBreak => NODE / 2,
            })
            .sum()
    };
    let list = |items: &[Vec<Block>]| -> usize { items.iter().map(|item| estimated_len(item) + NODE).sum() };
    let rows = |rows: &[Vec<Vec<Inline>>]| -> usize {
        rows.iter().map(|row| NODE + row.iter().map(|cell| 2 * NODE + inlines(cell)).sum::<usize>()).sum()
    };
    NODE + blocks
        .iter()
        .map(|block| {
            NODE + match block {
                Block::Paragraph(content) | Block::Heading { content, .. } => inlines(content),
                Block::BulletList(items) | Block::OrderedList(items) => list(items),
                Block::Table(table) => rows(std::slice::from_ref(&table.header)) + rows(&table.rows),
                Block::CodeBlock { text, .. } => text.len() + NODE,
                Block::Rule => 0,
            }
        })
        .sum::<usize>()
}

/// The items of a JSON array being written: puts the comma before every item but the first.
#[derive(Default)]
struct Items {
    any: bool,
}

impl Items {
    /// Starts the next item.
    fn next(&mut self, out: &mut String) {
        if self.any {
            out.push(',');
        }
        self.any = true;
    }
}

/// Writes a block as the next item, or nothing for a block that would be empty.
fn block(out: &mut String, items: &mut Items, block: &Block) {
    match block {
        Block::Paragraph(content) => {
            items.next(out);
            paragraph(out, content);
        }
        Block::Heading { level, content } => {
            let mut content = normalize_inlines(content).peekable();
            // An empty heading is valid ADF, but the wiki rendering cannot express one; both
            // renderings drop it so that they show the same document. Every normalised inline
            // writes at least one node, so no inline means no content.
            if content.peek().is_none() {
                return;
            }
            items.next(out);
            out.push_str(r#"{"attrs":{"level":"#);
            out.push(char::from(b'0' + (*level).clamp(1, 6)));
            out.push_str(r#"},"content":["#);
            inlines(out, content);
            out.push_str(r#"],"type":"heading"}"#);
        }
        Block::BulletList(list_items) => list(out, items, "bulletList", list_items),
        Block::OrderedList(list_items) => list(out, items, "orderedList", list_items),
        Block::Table(table) => self::table(out, items, table),
        Block::CodeBlock { language, text } => {
            items.next(out);
            code_block(out, language.as_deref(), text);
        }
        Block::Rule => {
            items.next(out);
            out.push_str(r#"{"type":"rule"}"#);
        }
    }
}

fn paragraph(out: &mut String, content: &[Inline]) {
    out.push_str(r#"{"content":["#);
    inlines(out, normalize_inlines(content));
    out.push_str(r#"],"type":"paragraph"}"#);
}

fn list(out: &mut String, items: &mut Items, kind: &str, list_items: &[Vec<Block>]) {
    // The schema wants at least one item.
    if list_items.is_empty() {
        return;
    }
    items.next(out);
    out.push_str(r#"{"content":["#);
    for (i, item) in list_items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        list_item(out, item);
    }
    out.push_str(r#"],"type":""#);
    out.push_str(kind);
    out.push_str(r#""}"#);
}

fn list_item(out: &mut String, item: &[Block]) {
    out.push_str(r#"{"content":["#);
    let mut items = Items::default();
    for block in list_item_blocks(item) {
        match block.as_ref() {
            Block::Paragraph(content) => {
                items.next(out);
                paragraph(out, content);
            }
            Block::BulletList(list_items) => list(out, &mut items, "bulletList", list_items),
            Block::OrderedList(list_items) => list(out, &mut items, "orderedList", list_items),
            Block::CodeBlock { language, text } => {
                items.next(out);
                code_block(out, language.as_deref(), text);
            }
            // `list_item_blocks` has already flattened everything else.
            _ => {}
        }
    }
    out.push_str(r#"],"type":"listItem"}"#);
}

fn table(out: &mut String, items: &mut Items, table: &Table) {
    let columns = column_count(&table.header, &table.rows);
    // The schema wants at least one row.
    if columns == 0 {
        return;
    }
    items.next(out);
    out.push_str(r#"{"content":["#);
    let header = (!table.header.is_empty()).then_some(("tableHeader", &table.header));
    let rows = table.rows.iter().map(|row| ("tableCell", row));
    for (i, (cell_kind, cells)) in header.into_iter().chain(rows).enumerate() {
        if i > 0 {
            out.push(',');
        }
        table_row(out, cell_kind, cells, columns);
    }
    out.push_str(r#"],"type":"table"}"#);
}

fn table_row(out: &mut String, cell_kind: &str, cells: &[Vec<Inline>], columns: usize) {
    out.push_str(r#"{"content":["#);
    for i in 0..columns {
        if i > 0 {
            out.push(',');
        }
        // A cell needs at least one block; an empty paragraph is the schema's "nothing".
        out.push_str(r#"{"content":["#);
        paragraph(out, cells.get(i).map_or(&[][..], Vec::as_slice));
        out.push_str(r#"],"type":""#);
        out.push_str(cell_kind);
        out.push_str(r#""}"#);
    }
    out.push_str(r#"],"type":"tableRow"}"#);
}

fn code_block(out: &mut String, language: Option<&str>, text: &str) {
    out.push('{');
    if let Some(language) = language_hint(language) {
        out.push_str(r#""attrs":{"language":"#);
        write_str(out, language);
        out.push_str("},");
    }
    out.push_str(r#""content":["#);
    let text = clean_text(text);
    if !text.is_empty() {
        text_node(out, &text, None);
    }
    out.push_str(r#"],"type":"codeBlock"}"#);
}

/// Inline nodes: text split at newlines into text nodes and hard breaks, with marks.
fn inlines<'a>(out: &mut String, content: impl Iterator<Item = Normal<'a>>) {
    let mut items = Items::default();
    for inline in content {
        match inline {
            Normal::Text(text) => push_text(out, &mut items, &text, None),
            Normal::Strong(text) => push_text(out, &mut items, &text, Some(Mark::Strong)),
            Normal::Code(text) => push_text(out, &mut items, &text, Some(Mark::Code)),
            Normal::Link { text, href } => push_text(out, &mut items, &text, Some(Mark::Link(&href))),
            Normal::HardBreak => {
                items.next(out);
                out.push_str(HARD_BREAK);
            }
        }
    }
}

const HARD_BREAK: &str = r#"{"type":"hardBreak"}"#;

/// The mark of a text node.
#[derive(Clone, Copy)]
enum Mark<'a> {
    Strong,
    Code,
    Link(&'a str),
}

/// A text node; `text` must not be empty.
fn text_node(out: &mut String, text: &str, mark: Option<Mark<'_>>) {
    out.push('{');
    match mark {
        None => {}
        Some(Mark::Strong) => out.push_str(r#""marks":[{"type":"strong"}],"#),
        Some(Mark::Code) => out.push_str(r#""marks":[{"type":"code"}],"#),
        Some(Mark::Link(href)) => {
            out.push_str(r#""marks":[{"attrs":{"href":"#);
            write_str(out, href);
            out.push_str(r#"},"type":"link"}],"#);
        }
    }
    out.push_str(r#""text":"#);
    write_str(out, text);
    out.push_str(r#","type":"text"}"#);
}

fn push_text(out: &mut String, items: &mut Items, text: &str, mark: Option<Mark<'_>>) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            items.next(out);
            out.push_str(HARD_BREAK);
        }
        // The schema forbids empty text nodes.
        if line.is_empty() {
            continue;
        }
        items.next(out);
        text_node(out, line, mark);
    }
}
