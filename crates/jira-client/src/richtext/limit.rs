//! Cutting a document to fit Jira's size limit for rich-text fields.
//!
//! Jira rejects a description or comment longer than 32,767 characters. Rather than fail to
//! create a ticket, the renderings here keep as many whole blocks as fit, then as much of the
//! next block (characters of a paragraph or code block, items of a list, rows of a table) as
//! fits, and end with a visible note saying the text was cut.

use std::fmt::{self, Write as _};

use serde_json::Value;

use super::{Block, Document, Inline};

/// Jira's limit for a rich-text field such as the description or a comment.
pub const DESCRIPTION_MAX_LEN: usize = 32_767;

/// The note that ends a document cut by [`Document::to_wiki_limited`] or
/// [`Document::to_adf_limited`].
pub const CUT_NOTE: &str = "(description cut to fit Jira's limit)";

impl Document {
    /// Renders wiki markup of at most `max_len` UTF-16 code units (Jira counts Java `char`s),
    /// cutting the document and appending [`CUT_NOTE`] when the whole does not fit.
    ///
    /// Use [`DESCRIPTION_MAX_LEN`] for a description or comment. A `max_len` too small for the
    /// note itself yields just the note.
    pub fn to_wiki_limited(&self, max_len: usize) -> String {
        let full = self.to_wiki();
        if utf16_len(&full) <= max_len {
            return full;
        }
        self.cut_to_fit(max_len, |doc| utf16_len(&doc.to_wiki())).to_wiki()
    }

    /// Renders ADF whose compact JSON is at most `max_len` UTF-16 code units, cutting the
    /// document and appending [`CUT_NOTE`] when the whole does not fit.
    ///
    /// The JSON is measured rather than the text because that is the larger of the two, so a
    /// document that fits here fits however Jira counts. A `max_len` too small for the note
    /// itself yields just the note.
    pub fn to_adf_limited(&self, max_len: usize) -> Value {
        let full = self.to_adf();
        if json_utf16_len(&full) <= max_len {
            return full;
        }
        self.cut_to_fit(max_len, |doc| json_utf16_len(&doc.to_adf())).to_adf()
    }

    /// The longest prefix of the document (whole blocks, then part of the next one) that fits
    /// `max_len` by `measure` together with the cut note.
    ///
    /// Both searches are binary searches that only ever keep a candidate that was measured to
    /// fit, so the result fits even where the measure is not strictly monotonic.
    fn cut_to_fit(&self, max_len: usize, measure: impl Fn(&Document) -> usize) -> Document {
        let with_note = |mut blocks: Vec<Block>| {
            blocks.push(Block::Paragraph(vec![Inline::Strong(CUT_NOTE.to_owned())]));
            Document { blocks }
        };
        let fits = |blocks: Vec<Block>| measure(&with_note(blocks)) <= max_len;

        let (mut low, mut high) = (0, self.blocks.len());
        while low < high {
            let mid = low + (high - low).div_ceil(2);
            if fits(self.blocks[..mid].to_vec()) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        let mut kept = self.blocks[..low].to_vec();

        if let Some(next) = self.blocks.get(low) {
            // Rendered text is at least as long as its characters, so more than `max_len` units
            // of a paragraph or code block can never fit: no need to search beyond that.
            let (mut low_units, mut high_units) = (0, units(next).saturating_sub(1).min(max_len));
            let with_part = |n: usize| {
                let mut blocks = kept.clone();
                blocks.push(truncate(next, n));
                blocks
            };
            while low_units < high_units {
                let mid = low_units + (high_units - low_units).div_ceil(2);
                if fits(with_part(mid)) {
                    low_units = mid;
                } else {
                    high_units = mid - 1;
                }
            }
            if low_units > 0 {
                kept.push(truncate(next, low_units));
            }
        }
        with_note(kept)
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The length in UTF-16 units of `value` written as compact JSON (`value.to_string()`), counted
/// without writing it: measuring every ticket's description that way cost more than building it.
fn json_utf16_len(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(number) => {
            let mut counter = Utf8Counter(0);
            // Numbers are ASCII, so bytes are UTF-16 units; writing to a counter cannot fail.
            let _ = write!(counter, "{number}");
            counter.0
        }
        Value::String(text) => json_string_utf16_len(text),
        // Brackets, and a comma between items.
        Value::Array(items) => {
            2 + items.len().saturating_sub(1) + items.iter().map(json_utf16_len).sum::<usize>()
        }
        // Braces, a comma between entries, and a colon in each.
        Value::Object(map) => {
            2 + map.len().saturating_sub(1)
                + map
                    .iter()
                    .map(|(key, value)| json_string_utf16_len(key) + 1 + json_utf16_len(value))
                    .sum::<usize>()
        }
    }
}

/// The length in UTF-16 units of `text` as a JSON string with its quotes, escaped the way
/// `serde_json` escapes: `\"`, `\\` and the short forms of backspace, form feed, newline,
/// carriage return and tab take two units, other control characters six (`\u001f`), and
/// everything else is written as it is.
fn json_string_utf16_len(text: &str) -> usize {
    2 + text.bytes().map(|byte| usize::from(JSON_UTF16_UNITS[usize::from(byte)])).sum::<usize>()
}

/// The UTF-16 units each byte of a string adds to its JSON form (see [`json_string_utf16_len`]).
/// A table rather than a `match`, since this runs over every byte of every ticket.
static JSON_UTF16_UNITS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match byte as u8 {
            b'"' | b'\\' | 0x08 | 0x0C | b'\n' | b'\r' | b'\t' => 2,
            0x00..=0x1F => 6,
            0x20..=0x7F => 1,
            // UTF-8 continuation bytes add nothing: the lead byte counts the character.
            0x80..=0xBF => 0,
            // The lead byte of a two- or three-byte sequence: one UTF-16 unit.
            0xC0..=0xEF => 1,
            // The lead byte of a four-byte sequence: a surrogate pair.
            0xF0..=0xFF => 2,
        };
        byte += 1;
    }
    table
};

/// A `fmt::Write` that only counts bytes.
struct Utf8Counter(usize);

impl fmt::Write for Utf8Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// How finely a block can be cut: characters of text, list items or table rows.
fn units(block: &Block) -> usize {
    match block {
        Block::Paragraph(content) | Block::Heading { content, .. } => content.iter().map(inline_len).sum(),
        Block::CodeBlock { text, .. } => text.chars().count(),
        Block::BulletList(items) | Block::OrderedList(items) => items.len(),
        Block::Table(table) => table.rows.len(),
        Block::Rule => 1,
    }
}

fn inline_len(inline: &Inline) -> usize {
    match inline {
        Inline::Text(text) | Inline::Strong(text) | Inline::Code(text) => text.chars().count(),
        Inline::Link { text, .. } => text.chars().count(),
        Inline::HardBreak => 1,
    }
}

/// The first `n` units of `block`, with an ellipsis where text was cut.
fn truncate(block: &Block, n: usize) -> Block {
    match block {
        Block::Paragraph(content) => Block::Paragraph(truncate_inlines(content, n)),
        Block::Heading { level, content } => {
            Block::Heading { level: *level, content: truncate_inlines(content, n) }
        }
        Block::CodeBlock { language, text } => Block::CodeBlock {
            language: language.clone(),
            text: text.chars().take(n).chain(['…']).collect(),
        },
        Block::BulletList(items) => Block::BulletList(items.iter().take(n).cloned().collect()),
        Block::OrderedList(items) => Block::OrderedList(items.iter().take(n).cloned().collect()),
        Block::Table(table) => Block::Table(super::Table {
            header: table.header.clone(),
            rows: table.rows.iter().take(n).cloned().collect(),
        }),
        Block::Rule => Block::Rule,
    }
}

fn truncate_inlines(content: &[Inline], n: usize) -> Vec<Inline> {
    let mut left = n;
    let mut out = Vec::new();
    for inline in content {
        let len = inline_len(inline);
        if len <= left {
            out.push(inline.clone());
            left -= len;
            continue;
        }
        let cut = |text: &str| text.chars().take(left).collect::<String>();
        match inline {
            Inline::Text(text) => out.push(Inline::Text(cut(text))),
            Inline::Strong(text) => out.push(Inline::Strong(cut(text))),
            Inline::Code(text) => out.push(Inline::Code(cut(text))),
            Inline::Link { text, href } => out.push(Inline::Link { text: cut(text), href: href.clone() }),
            Inline::HardBreak => {}
        }
        break;
    }
    out.push(Inline::Text("…".to_owned()));
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(value: Value) {
        assert_eq!(json_utf16_len(&value), utf16_len(&value.to_string()), "{value}");
    }

    #[test]
    fn json_length_is_counted_exactly() {
        check(json!(null));
        check(json!([true, false, 0, 1, 18_446_744_073_709_551_615_u64, -42, 1.5, 1e300]));
        check(json!({}));
        check(json!([]));
        check(json!({ "a": [], "b": {}, "c": [[], [{}]] }));
        check(json!("plain"));
        check(json!("quote \" backslash \\ slash / del \u{7f}"));
        check(json!("\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f} \u{80}\u{9f}"));
        check(json!("é ü € 𝄞 🙂 \u{2028}\u{202e} 中文"));
        check(json!({ "ké\n🙂": "v", "type": "doc", "content": [{ "type": "text", "text": "x" }] }));
    }

    #[test]
    fn documents_are_measured_exactly() {
        let doc = Document::new()
            .heading(2, "Tab\there \"quoted\" \\ 🙂")
            .table(super::super::Table::facts([("Key", "value\u{1}"), ("Ünïcode", "𝄞")]))
            .bullet_list([vec![Inline::link("x", "https://example.com/a?b=\"c\"")]])
            .code_block(Some("json"), "{\"a\": 1}\r\n");
        check(doc.to_adf());
    }
}
