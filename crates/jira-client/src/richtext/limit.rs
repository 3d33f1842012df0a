//! Cutting a document to fit Jira's size limit for rich-text fields.
//!
//! Jira rejects a description or comment longer than 32,767 characters. Rather than fail to
//! create a ticket, the renderings here keep as many whole blocks as fit, then as much of the
//! next block (characters of a paragraph or code block, items of a list, rows of a table) as
//! fits, and end with a visible note saying the text was cut.

use serde_json::Value;

use super::{Block, Document, Inline, adf};

/// Jira's limit for a rich-text field such as the description or a comment.
pub const DESCRIPTION_MAX_LEN: usize = 32_767;

/// The note that ends a document cut by [`Document::to_wiki_limited`] or
/// [`Document::to_adf_json_limited`].
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
    /// This is [`Document::to_adf_json_limited`] parsed; use that when the JSON text is what is
    /// wanted.
    pub fn to_adf_limited(&self, max_len: usize) -> Value {
        crate::json_text::parse(&self.to_adf_json_limited(max_len))
    }

    /// Renders ADF as compact JSON text (see [`Document::to_adf_json`]) of at most `max_len`
    /// UTF-16 code units, cutting the document and appending [`CUT_NOTE`] when the whole does
    /// not fit.
    ///
    /// Use [`DESCRIPTION_MAX_LEN`] for a description or comment. The JSON is measured rather
    /// than the text because that is the larger of the two, so a document that fits here fits
    /// however Jira counts. A `max_len` too small for the note itself yields just the note.
    ///
    /// ```
    /// use jira_client::richtext::{CUT_NOTE, Document};
    ///
    /// let doc = Document::new().text_paragraph(&"All work and no play. ".repeat(100));
    /// let json = doc.to_adf_json_limited(1_000);
    /// assert!(json.encode_utf16().count() <= 1_000);
    /// assert!(json.contains(CUT_NOTE));
    /// ```
    pub fn to_adf_json_limited(&self, max_len: usize) -> String {
        let mut out = String::new();
        self.write_adf_limited(max_len, &mut out);
        out
    }

    /// Appends [`Document::to_adf_json_limited`] to `out`, so that a request body can be written
    /// in one buffer.
    pub(crate) fn write_adf_limited(&self, max_len: usize, out: &mut String) {
        let start = out.len();
        out.reserve(adf::estimated_len(&self.blocks));
        adf::write(&self.blocks, out);
        if utf16_len(&out[start..]) <= max_len {
            return;
        }
        out.truncate(start);
        // Every candidate is written into the same scratch buffer, only to be measured.
        let mut scratch = String::new();
        let cut = self.cut_to_fit(max_len, |doc| {
            scratch.clear();
            adf::write(&doc.blocks, &mut scratch);
            utf16_len(&scratch)
        });
        adf::write(&cut.blocks, out);
    }

    /// The longest prefix of the document (whole blocks, then part of the next one) that fits
    /// `max_len` by `measure` together with the cut note.
    ///
    /// Both searches are binary searches that only ever keep a candidate that was measured to
    /// fit, so the result fits even where the measure is not strictly monotonic.
    fn cut_to_fit(&self, max_len: usize, mut measure: impl FnMut(&Document) -> usize) -> Document {
        let with_note = |mut blocks: Vec<Block>| {
            blocks.push(Block::Paragraph(vec![Inline::Strong(CUT_NOTE.to_owned())]));
            Document { blocks }
        };
        let mut fits = |blocks: Vec<Block>| measure(&with_note(blocks)) <= max_len;

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

/// The length of `s` in UTF-16 code units, as Jira (Java) counts it: one per character, two
/// for a character outside the Basic Multilingual Plane.
///
/// Counted over the bytes, since this runs over every byte of every ticket: every byte but a
/// UTF-8 continuation byte (`0b10xx_xxxx`) starts a character, and a lead byte from `0xF0` starts
/// one of four bytes, a surrogate pair in UTF-16. The counts are kept in 32 lanes of a `u8`
/// each, which the compiler turns into vector instructions, and summed before they can overflow.
pub(crate) fn utf16_len(s: &str) -> usize {
    let units = |byte: u8| u8::from(byte & 0xC0 != 0x80) + u8::from(byte >= 0xF0);
    let (chunks, tail) = s.as_bytes().as_chunks::<32>();
    let mut total: usize = tail.iter().map(|&byte| usize::from(units(byte))).sum();
    // A lane gains at most 2 per chunk: 127 chunks cannot overflow it.
    for block in chunks.chunks(127) {
        let mut lanes = [0u8; 32];
        for chunk in block {
            for (lane, &byte) in lanes.iter_mut().zip(chunk) {
                *lane += units(byte);
            }
        }
        total += lanes.iter().map(|&n| usize::from(n)).sum::<usize>();
    }
    total
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

/// The first `n` characters of `text` (all of it when it has fewer), found without pushing
/// them one by one: the cut search takes thousands of characters per candidate.
fn first_chars(text: &str, n: usize) -> &str {
    let mut chars = text.chars();
    match n.checked_sub(1).map(|last| chars.nth(last)) {
        Some(Some(_)) => &text[..text.len() - chars.as_str().len()],
        Some(None) => text,
        None => "",
    }
}

/// The first `n` units of `block`, with an ellipsis where text was cut.
fn truncate(block: &Block, n: usize) -> Block {
    match block {
        Block::Paragraph(content) => Block::Paragraph(truncate_inlines(content, n)),
        Block::Heading { level, content } => {
            Block::Heading { level: *level, content: truncate_inlines(content, n) }
        }
        Block::CodeBlock { language, text } => {
            Block::CodeBlock { language: language.clone(), text: [first_chars(text, n), "…"].concat() }
        }
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
        let cut = |text: &str| first_chars(text, left).to_owned();
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
    use super::*;

    #[test]
    fn first_characters() {
        for text in ["", "abc", "é🙂x", &"0123456789 🙂".repeat(100)] {
            for n in [0, 1, 2, 3, 4, 50, 1_000, 2_000] {
                let expected: String = text.chars().take(n).collect();
                assert_eq!(first_chars(text, n), expected, "{text:?} {n}");
            }
        }
    }

    #[test]
    fn utf16_length_is_counted_exactly() {
        for text in
            ["", "plain", "é ü € 中文", "𝄞 🙂 and \u{10FFFF}", "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}"]
        {
            assert_eq!(utf16_len(text), text.encode_utf16().count(), "{text:?}");
        }
    }
}
