//! Text hygiene and structural clean-up shared by both renderings.
//!
//! Whatever reaches Jira goes through here first, so the two renderings agree on what untrusted
//! text loses (bidi controls, control characters), which links survive, and how blocks that a
//! list item cannot hold are flattened.

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
pub(crate) fn clean_text(s: &str) -> String {
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
    out
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
    allowed.then(|| url.to_string())
}

/// Cleans the text of every inline, turns unsafe links into plain text, drops empty text and
/// merges adjacent plain text.
///
/// Merging matters for the wiki rendering: line-start markup such as `h1.` must be recognised
/// even when the caller split it over several text inlines.
pub(crate) fn normalize_inlines(inlines: &[Inline]) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        let item = match inline {
            Inline::Text(text) => Inline::Text(clean_text(text)),
            Inline::Strong(text) => Inline::Strong(clean_text(text)),
            Inline::Code(text) => Inline::Code(clean_text(text)),
            Inline::Link { text, href } => {
                let text = clean_text(text);
                match safe_href(href) {
                    Some(href) if text.trim().is_empty() => Inline::Link { text: href.clone(), href },
                    Some(href) => Inline::Link { text, href },
                    None if text.is_empty() => Inline::Text(clean_text(href)),
                    None => Inline::Text(text),
                }
            }
            Inline::HardBreak => Inline::HardBreak,
        };
        match item {
            Inline::Text(text) | Inline::Strong(text) | Inline::Code(text) if text.is_empty() => {}
            Inline::Text(text) => {
                if let Some(Inline::Text(previous)) = out.last_mut() {
                    previous.push_str(&text);
                } else {
                    out.push(Inline::Text(text));
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The blocks of a list item in a shape both formats accept: a paragraph first, then
/// paragraphs, code blocks and non-empty nested lists only.
///
/// Headings become bold paragraphs, tables one paragraph per row (cells separated by ` | `),
/// and rules are dropped, since a list item can hold none of them.
pub(crate) fn list_item_blocks(item: &[Block]) -> Vec<Block> {
    let mut out = Vec::with_capacity(item.len() + 1);
    for block in item {
        match block {
            Block::Paragraph(_) | Block::CodeBlock { .. } => out.push(block.clone()),
            Block::Heading { content, .. } => {
                out.push(Block::Paragraph(content.iter().map(embolden).collect()));
            }
            Block::BulletList(items) | Block::OrderedList(items) => {
                if !items.is_empty() {
                    out.push(block.clone());
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
                    out.push(Block::Paragraph(inlines));
                }
            }
            Block::Rule => {}
        }
    }
    if !matches!(out.first(), Some(Block::Paragraph(_))) {
        out.insert(0, Block::Paragraph(Vec::new()));
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
