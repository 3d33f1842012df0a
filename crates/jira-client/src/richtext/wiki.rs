//! Jira wiki markup rendering, for Jira Server/Data Center's REST API v2.
//!
//! Untrusted text must never create markup. The escapes used:
//!
//! - the markup characters `{ } [ ] * _ - + ^ ~ ? # !` get a backslash, Jira's documented
//!   escape (`\X`); this also defuses macros (`{code}`, `{color}`), links and mentions
//!   (`[~user]`), images, text effects, lists, dashes and rules;
//! - a backslash itself cannot be escaped with a backslash (`\\` is a forced line break), so it
//!   becomes the entity `&#92;`; `|` becomes `&#124;`: pipes separate table cells and the parts of
//!   a link, and an entity holds no pipe for those to split on;
//! - context-dependent markup becomes a numeric entity, which no renderer rule matches:
//!   `h1.`..`h6.` and `bq.` at the start of a line, emoticons such as `:)`, `;)` and `(y)`, and
//!   the `:` of `://` and `mailto:` that would turn text into an automatic link; a `)` after
//!   an entity (which ends in `;`); `&` before something that looks like an entity becomes
//!   `&amp;`;
//! - code blocks go into `{noformat}`, where nothing is interpreted except the closing
//!   `{noformat}`: a zero-width space after every `{` that starts `noformat` (in any case)
//!   keeps the text from closing the block.
//!
//! Outside a top-level paragraph a newline would end the list item, table row or heading, so
//! line breaks there are written as ` \\ ` (Jira's forced line break).

use std::fmt::Write as _;

use super::normalize::{Normal, clean_text, column_count, list_item_blocks, normalize_inlines};
use super::{Block, Inline, Table};

/// A forced line break that does not end the current list item, table row or heading.
const NESTED_BREAK: &str = " \\\\ ";

/// Renders blocks as wiki markup, separated by blank lines.
pub(super) fn render(blocks: &[Block]) -> String {
    let mut parts = Vec::with_capacity(blocks.len());
    for block in blocks {
        let rendered = self::block(block);
        if !rendered.trim().is_empty() {
            parts.push(rendered);
        }
    }
    parts.join("\n\n")
}

fn block(block: &Block) -> String {
    match block {
        Block::Paragraph(content) => inlines(content, Context::TopLevel),
        Block::Heading { level, content } => {
            let text = inlines(content, Context::Nested);
            if text.trim().is_empty() { String::new() } else { format!("h{}. {text}", (*level).clamp(1, 6)) }
        }
        Block::BulletList(items) => list(items, "*"),
        Block::OrderedList(items) => list(items, "#"),
        Block::Table(table) => self::table(table),
        Block::CodeBlock { text, .. } => noformat(text),
        Block::Rule => "----".to_owned(),
    }
}

fn list(items: &[Vec<Block>], marker: &str) -> String {
    let mut lines = Vec::new();
    list_lines(&mut lines, items, marker);
    lines.join("\n")
}

/// One line per item (its paragraphs and code joined by forced line breaks, since a newline
/// would end the item), followed by its nested lists with a longer marker.
fn list_lines(lines: &mut Vec<String>, items: &[Vec<Block>], marker: &str) {
    for item in items {
        let mut pieces = Vec::new();
        let mut nested = Vec::new();
        let blocks = list_item_blocks(item);
        for block in &blocks {
            match block.as_ref() {
                Block::Paragraph(content) => {
                    let text = inlines(content, Context::Nested);
                    if !text.trim().is_empty() {
                        pieces.push(text);
                    }
                }
                Block::CodeBlock { text, .. } => {
                    for line in clean_text(text).lines() {
                        let code = inlines(&[Inline::Code(line.to_owned())], Context::Nested);
                        if !code.trim().is_empty() {
                            pieces.push(code);
                        }
                    }
                }
                Block::BulletList(sub) => nested.push((sub, '*')),
                Block::OrderedList(sub) => nested.push((sub, '#')),
                // `list_item_blocks` has already flattened everything else.
                _ => {}
            }
        }
        let text = if pieces.is_empty() {
            // A bare marker is not recognised as an item; a non-breaking space keeps it one.
            "&nbsp;".to_owned()
        } else {
            pieces.join(NESTED_BREAK)
        };
        lines.push(format!("{marker} {text}"));
        for (sub, sub_marker) in nested {
            list_lines(lines, sub, &format!("{marker}{sub_marker}"));
        }
    }
}

fn table(table: &Table) -> String {
    let columns = column_count(&table.header, &table.rows);
    if columns == 0 {
        return String::new();
    }
    let mut lines = Vec::with_capacity(table.rows.len() + 1);
    if !table.header.is_empty() {
        lines.push(table_row("||", &table.header, columns));
    }
    for row in &table.rows {
        lines.push(table_row("|", row, columns));
    }
    lines.join("\n")
}

fn table_row(separator: &str, cells: &[Vec<Inline>], columns: usize) -> String {
    let mut line = String::from(separator);
    for i in 0..columns {
        let text = cells.get(i).map(|cell| inlines(cell, Context::Nested)).unwrap_or_default();
        // An empty cell would put two separators together, and `||` starts a header cell.
        if text.trim().is_empty() {
            line.push(' ');
        } else {
            line.push_str(&text);
        }
        line.push_str(separator);
    }
    line
}

fn noformat(text: &str) -> String {
    let text = clean_text(text);
    let text = text.trim_end_matches('\n');
    let mut out = String::with_capacity(text.len() + 24);
    out.push_str("{noformat}\n");
    for (i, c) in text.char_indices() {
        out.push(c);
        let rest = &text[i + c.len_utf8()..];
        if c == '{' && rest.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("noformat")) {
            out.push('\u{200B}');
        }
    }
    out.push_str("\n{noformat}");
    out
}

/// Where inline content is written decides how a line break is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// A top-level paragraph: a newline is a line break, and each line can start block markup.
    TopLevel,
    /// A heading, list item or table cell: a newline would end it, so breaks are ` \\ `.
    Nested,
}

fn inlines(content: &[Inline], context: Context) -> String {
    let mut writer = Writer { out: String::new(), context, line_start: context == Context::TopLevel };
    for inline in normalize_inlines(content) {
        match inline {
            Normal::Text(text) => writer.text(&text),
            Normal::Strong(text) => writer.wrapped("*", &text, "*"),
            Normal::Code(text) => writer.wrapped("{{", &text, "}}"),
            Normal::Link { text, href } => writer.link(&text, &href),
            Normal::HardBreak => writer.line_break(),
        }
    }
    writer.out
}

struct Writer {
    out: String,
    context: Context,
    /// Whether the next character starts a line (only ever true at top level).
    line_start: bool,
}

impl Writer {
    fn line_break(&mut self) {
        match self.context {
            Context::TopLevel => {
                self.out.push('\n');
                self.line_start = true;
            }
            Context::Nested => self.out.push_str(NESTED_BREAK),
        }
    }

    /// Escaped text; newlines become line breaks.
    fn text(&mut self, text: &str) {
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.line_break();
            }
            self.escape_line(line);
        }
    }

    /// Text between markup delimiters (`*bold*`, `{{code}}`). Jira only recognises them when
    /// no space follows the opening or precedes the closing one, so surrounding whitespace is
    /// written outside; a leading `*` followed by a space would even start a list item.
    fn wrapped(&mut self, open: &str, text: &str, close: &str) {
        let core = text.trim();
        let start = text.len() - text.trim_start().len();
        let end = start + core.len();
        self.text(&text[..start]);
        if core.is_empty() {
            return;
        }
        self.out.push_str(open);
        self.line_start = false;
        // A line break inside the delimiters would leave them unbalanced on separate lines.
        self.escape_line(&core.replace('\n', " "));
        self.out.push_str(close);
        self.text(&text[end..]);
    }

    fn link(&mut self, text: &str, href: &str) {
        self.out.push('[');
        self.line_start = false;
        // A newline cannot occur inside `[text|url]`.
        self.escape_line(&text.replace('\n', " "));
        self.out.push('|');
        for c in href.chars() {
            // Characters that would end the link or its URL early, or start markup, are
            // percent-encoded; `safe_href` has already made the URL ASCII.
            match c {
                '|' | '[' | ']' | '{' | '}' | ' ' | '"' | '<' | '>' | '\\' | '`' => {
                    let _ = write!(self.out, "%{:02X}", u32::from(c));
                }
                c => self.out.push(c),
            }
        }
        self.out.push(']');
    }

    /// Escapes one line of text (no newlines in it).
    fn escape_line(&mut self, line: &str) {
        let chars: Vec<char> = line.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if self.line_start {
                if c == ' ' || c == '\t' {
                    self.out.push(c);
                    continue;
                }
                self.line_start = false;
                if starts_block_markup(&chars[i..]) {
                    self.entity(c);
                    continue;
                }
            }
            match c {
                '\\' | '|' => self.entity(c),
                '{' | '}' | '[' | ']' | '*' | '_' | '-' | '+' | '^' | '~' | '?' | '#' | '!' => {
                    self.out.push('\\');
                    self.out.push(c);
                }
                '&' if chars.get(i + 1).is_some_and(|&n| n == '#' || n.is_ascii_alphabetic()) => {
                    self.out.push_str("&amp;");
                }
                '(' if starts_emoticon(&chars[i + 1..]) => self.entity(c),
                ':' if colon_is_markup(&chars[..i], &chars[i + 1..]) => self.entity(c),
                ';' if chars.get(i + 1) == Some(&')') => self.entity(c),
                // An entity ends in `;`, and `;)` is an emoticon.
                ')' if self.out.ends_with(';') => self.entity(c),
                c => self.out.push(c),
            }
        }
    }

    fn entity(&mut self, c: char) {
        let _ = write!(self.out, "&#{};", u32::from(c));
    }
}

/// `h1.`..`h6.` or `bq.` (any case): a heading or quote when at the start of a line.
fn starts_block_markup(chars: &[char]) -> bool {
    let lower = |i: usize| chars.get(i).map(char::to_ascii_lowercase);
    matches!(
        (lower(0), lower(1), lower(2)),
        (Some('h'), Some('1'..='6'), Some('.')) | (Some('b'), Some('q'), Some('.'))
    )
}

/// Whether `(` followed by `rest` could be an emoticon such as `(y)`, `(on)` or `(flagoff)`:
/// a closing parenthesis within a few characters and no space before it.
fn starts_emoticon(rest: &[char]) -> bool {
    rest.iter().take(9).take_while(|c| !c.is_whitespace() && **c != '(').any(|&c| c == ')')
}

/// Whether a `:` between `before` and `after` could form an emoticon (`:)`, `:(`, `:P`, `:D`)
/// or an automatic link (`scheme://`, `mailto:`).
fn colon_is_markup(before: &[char], after: &[char]) -> bool {
    let emoticon = matches!(after.first(), Some(')' | '(' | 'P' | 'p' | 'D' | 'd'));
    let scheme = after.starts_with(&['/', '/']);
    let mailto = before.len() >= 6
        && before[before.len() - 6..].iter().map(char::to_ascii_lowercase).eq("mailto".chars());
    emoticon || scheme || mailto
}
