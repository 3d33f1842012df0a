//! Text hygiene and structural clean-up shared by both renderings.
//!
//! Whatever reaches Jira goes through here first, so the two renderings agree on what untrusted
//! text loses (bidi controls, control characters), which links survive, and how blocks that a
//! list item cannot hold are flattened.

use std::borrow::Cow;

use super::{Block, Inline};

/// Whether `c` is a bidi embedding, override or isolate control ("Trojan Source" characters):
/// they make text display in a different order from the one it is stored in.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Removes bidi controls and control characters other than newline and tab, and turns every
/// line terminator (`\r\n`, `\r`, U+2028, U+2029) into `\n`.
///
/// The Unicode line and paragraph separators count as line ends for Java regular expressions,
/// which Jira's wiki renderer uses, so they must be newlines here for the line-start escaping
/// of the wiki rendering to see them.
///
/// Most text needs none of this, so it is borrowed unchanged rather than copied.
pub(crate) fn clean_text(s: &str) -> Cow<'_, str> {
    if !needs_any_cleaning(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether [`clean_text`] has anything to do in `s`.
///
/// Only control bytes, DEL, and characters whose UTF-8 starts with 0xC2 (the C1 controls
/// U+0080..U+009F) or 0xE2 (U+2028, U+2029 and the bidi controls, all in U+2000..U+2FFF) can
/// need cleaning, and each of those bytes starts a character. The bytes are scanned for them a
/// block at a time, and only the characters they start are decoded: accented letters cost
/// nothing, and a dash or an ellipsis (also 0xE2) one look, where decoding the whole text once
/// one was found cost as much as all the rest of the rendering.
fn needs_any_cleaning(s: &str) -> bool {
    let suspect = |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') || matches!(b, 0x7F | 0xC2 | 0xE2);
    s.as_bytes().chunks(SCAN_BLOCK).enumerate().any(|(n, block)| {
        any_byte(block, suspect)
            && block.iter().enumerate().any(|(i, &b)| {
                // A suspect byte is ASCII or a lead byte, so it starts a character.
                suspect(b) && s[n * SCAN_BLOCK + i..].chars().next().is_some_and(needs_cleaning)
            })
    })
}

/// Whether any byte of `bytes` is one `pred` holds for.
///
/// Checked a block at a time without a branch per byte, which the compiler turns into vector
/// instructions: this runs over every byte of every ticket, and an early exit at each byte
/// would keep it to one byte at a time.
pub(crate) fn any_byte(bytes: &[u8], pred: impl Fn(u8) -> bool) -> bool {
    bytes.chunks(SCAN_BLOCK).any(|block| block.iter().fold(0u8, |any, &b| any | u8::from(pred(b))) != 0)
}

/// The bytes [`any_byte`] checks at once: long enough for vector instructions to pay, short
/// enough to stop soon after a hit.
pub(crate) const SCAN_BLOCK: usize = 64;

/// Whether [`clean_text`] changes or removes `c`.
fn needs_cleaning(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\r' | '\u{2028}' | '\u{2029}' => true,
        c => c.is_control() || is_bidi_control(c),
    }
}

/// The normalised URL when `href` is an absolute `http`/`https` URL with a host, or a `mailto`
/// URL; `None` for anything else (`javascript:`, `data:`, relative paths, garbage).
pub(crate) fn safe_href(href: &str) -> Option<String> {
    let url = url::Url::parse(clean_text(href).trim()).ok()?;
    let allowed = match url.scheme() {
        "http" | "https" => url.host_str().is_some_and(|host| !host.is_empty()),
        "mailto" => !url.path().is_empty(),
        _ => false,
    };
    // The URL's own string, moved rather than copied.
    allowed.then(|| url.into())
}

/// An inline after [`normalize_inlines`]: its text clean, borrowed from the document whenever
/// cleaning changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Normal<'a> {
    /// Plain text, never empty.
    Text(Cow<'a, str>),
    /// Bold text, never empty.
    Strong(Cow<'a, str>),
    /// Inline code, never empty.
    Code(Cow<'a, str>),
    /// A link whose target is a safe URL; the text is never blank.
    Link {
        /// The link text.
        text: Cow<'a, str>,
        /// The normalised URL.
        href: String,
    },
    /// A line break.
    HardBreak,
}

/// Cleans the text of every inline, turns unsafe links into plain text, drops empty text and
/// merges adjacent plain text.
///
/// Merging matters for the wiki rendering: line-start markup such as `h1.` must be recognised
/// even when the caller split it over several text inlines.
///
/// An iterator rather than a `Vec`: the renderings go through the inlines once, and a `Vec` per
/// paragraph and table cell was an allocation for nothing.
pub(crate) fn normalize_inlines(inlines: &[Inline]) -> Normalized<'_> {
    Normalized { inlines: inlines.iter(), pending: None }
}

/// The iterator of [`normalize_inlines`].
pub(crate) struct Normalized<'a> {
    inlines: std::slice::Iter<'a, Inline>,
    /// An inline taken while looking for more text to merge, to be given next.
    pending: Option<Normal<'a>>,
}

impl<'a> Iterator for Normalized<'a> {
    type Item = Normal<'a>;

    fn next(&mut self) -> Option<Normal<'a>> {
        let item = match self.pending.take() {
            Some(item) => item,
            None => self.next_non_empty()?,
        };
        let Normal::Text(mut text) = item else { return Some(item) };
        loop {
            match self.next_non_empty() {
                Some(Normal::Text(more)) => text.to_mut().push_str(&more),
                other => {
                    self.pending = other;
                    return Some(Normal::Text(text));
                }
            }
        }
    }
}

impl<'a> Normalized<'a> {
    /// The next inline, normalised, that is not empty text.
    fn next_non_empty(&mut self) -> Option<Normal<'a>> {
        loop {
            let item = normalize(self.inlines.next()?);
            match &item {
                Normal::Text(text) | Normal::Strong(text) | Normal::Code(text) if text.is_empty() => {}
                _ => return Some(item),
            }
        }
    }
}

/// One inline with its text cleaned and an unsafe link turned into plain text.
fn normalize(inline: &Inline) -> Normal<'_> {
    match inline {
        Inline::Text(text) => Normal::Text(clean_text(text)),
        Inline::Strong(text) => Normal::Strong(clean_text(text)),
        Inline::Code(text) => Normal::Code(clean_text(text)),
        Inline::Link { text, href } => {
            let text = clean_text(text);
            match safe_href(href) {
                Some(href) if text.trim().is_empty() => Normal::Link { text: Cow::Owned(href.clone()), href },
                Some(href) => Normal::Link { text, href },
                None if text.is_empty() => Normal::Text(clean_text(href)),
                None => Normal::Text(text),
            }
        }
        Inline::HardBreak => Normal::HardBreak,
    }
}

/// The blocks of a list item in a shape both formats accept: a paragraph first, then
/// paragraphs, code blocks and non-empty nested lists only.
///
/// Headings become bold paragraphs, tables one paragraph per row (cells separated by ` | `),
/// and rules are dropped, since a list item can hold none of them. Blocks that need no change,
/// the common case, are borrowed.
pub(crate) fn list_item_blocks(item: &[Block]) -> Vec<Cow<'_, Block>> {
    let mut out = Vec::with_capacity(item.len() + 1);
    for block in item {
        match block {
            Block::Paragraph(_) | Block::CodeBlock { .. } => out.push(Cow::Borrowed(block)),
            Block::Heading { content, .. } => {
                out.push(Cow::Owned(Block::Paragraph(content.iter().map(embolden).collect())));
            }
            Block::BulletList(items) | Block::OrderedList(items) => {
                if !items.is_empty() {
                    out.push(Cow::Borrowed(block));
                }
            }
            Block::Table(table) => {
                let rows = (!table.header.is_empty()).then_some(&table.header).into_iter().chain(&table.rows);
                for row in rows {
                    let mut inlines = Vec::new();
                    for (i, cell) in row.iter().enumerate() {
                        if i > 0 {
                            inlines.push(Inline::Text(" | ".to_owned()));
                        }
                        inlines.extend(cell.iter().cloned());
                    }
                    out.push(Cow::Owned(Block::Paragraph(inlines)));
                }
            }
            Block::Rule => {}
        }
    }
    if !matches!(out.first().map(AsRef::as_ref), Some(Block::Paragraph(_))) {
        out.insert(0, Cow::Owned(Block::Paragraph(Vec::new())));
    }
    out
}

fn embolden(inline: &Inline) -> Inline {
    match inline {
        Inline::Text(text) => Inline::Strong(text.clone()),
        other => other.clone(),
    }
}

/// Number of columns of a table: the widest of the header and the rows.
pub(crate) fn column_count(header: &[Vec<Inline>], rows: &[Vec<Vec<Inline>>]) -> usize {
    rows.iter().map(Vec::len).chain(std::iter::once(header.len())).max().unwrap_or(0)
}

/// A code block's language hint when it is a plain token such as `json` or `c++`; anything
/// else is dropped rather than passed to Jira.
pub(crate) fn language_hint(language: Option<&str>) -> Option<&str> {
    let language = language?.trim();
    let plain = !language.is_empty()
        && language.len() <= 32
        && language.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_' | '.'));
    plain.then_some(language)
}

#[cfg(test)]
mod tests {
    use super::{clean_text, needs_cleaning};

    /// The fast check of `clean_text` must never skip a character that needs cleaning.
    #[test]
    fn text_is_cleaned_whatever_its_bytes() {
        for text in [
            "plain ascii",
            "été — “quoted” 中文 🙂",
            "line\u{2028}separator",
            "para\u{2029}graph",
            "bidi \u{202E}evil\u{202C} and \u{2066}isolate\u{2069}",
            "c1 \u{85} next line, \u{9F} and \u{80}",
            "cr\r\nlf\rdel\u{7F}nul\u{0}",
            "keep\ttabs\nand newlines",
            &"— dash … ellipsis ".repeat(10),
            &format!("{}\u{2028}", "— ".repeat(40)),
            &format!("{}\u{202E}x", "é".repeat(100)),
            &format!("{}\u{1}", "a".repeat(127)),
        ] {
            let cleaned = clean_text(text);
            assert!(!cleaned.chars().any(needs_cleaning), "{text:?} -> {cleaned:?}");
            let expected_same = !text.chars().any(needs_cleaning);
            assert_eq!(cleaned == text, expected_same, "{text:?} -> {cleaned:?}");
        }
    }
}
