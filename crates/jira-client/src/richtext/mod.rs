//! One rich-text model for issue descriptions and comments, rendered for either deployment.
//!
//! Jira Cloud takes rich text as Atlassian Document Format ([`Document::to_adf`], or as the JSON
//! text sent, [`Document::to_adf_json`]); Jira Server/Data Center takes wiki markup
//! ([`Document::to_wiki`]). Callers build a [`Document`] once and the client renders whichever
//! the deployment wants.
//!
//! Every string in the model is treated as untrusted: alert titles, user names and descriptions
//! come from outside and must never turn into markup, macros, mentions or links. Both renderings
//! therefore remove bidi embedding/override/isolate characters and control characters (other
//! than newline and tab), keep links only for `http`, `https` and `mailto` targets, and never
//! produce an empty text node. The wiki rendering escapes every markup character, and puts code
//! blocks in `{noformat}` with any `{noformat` inside them broken.
//!
//! ```
//! use jira_client::richtext::{Document, Inline, Table};
//!
//! let doc = Document::new()
//!     .heading(2, "Impossible travel activity")
//!     .table(Table::facts([("User", "alice@example.com"), ("IP", "203.0.113.7")]))
//!     .paragraph(vec![
//!         Inline::text("See "),
//!         Inline::link("the alert", "https://contoso.portal.cloudappsecurity.com/#/alerts/1"),
//!     ]);
//! let adf = doc.to_adf();
//! assert_eq!(adf["type"], "doc");
//! assert!(doc.to_wiki().starts_with("h2. Impossible travel activity"));
//! ```

mod adf;
mod limit;
mod normalize;
mod wiki;

pub(crate) use limit::utf16_len;
pub use limit::{CUT_NOTE, DESCRIPTION_MAX_LEN};
pub(crate) use normalize::{SCAN_BLOCK, any_byte, is_bidi_control};

/// A rich-text document: a sequence of blocks.
///
/// Built with the chaining methods ([`Document::heading`], [`Document::paragraph`], ...) or
/// directly from a `Vec<Block>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The blocks, in reading order.
    pub blocks: Vec<Block>,
}

/// A block-level element of a [`Document`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Block {
    /// A paragraph of inline content.
    Paragraph(Vec<Inline>),
    /// A heading; levels outside 1..=6 are clamped when rendered.
    Heading {
        /// Heading level, 1 (largest) to 6.
        level: u8,
        /// The heading text.
        content: Vec<Inline>,
    },
    /// A bulleted list; each item is a sequence of blocks.
    ///
    /// Inside list items, headings become bold paragraphs, tables become one paragraph per
    /// row and rules are dropped, since neither format allows them there.
    BulletList(Vec<Vec<Block>>),
    /// A numbered list; each item is a sequence of blocks (see [`Block::BulletList`]).
    OrderedList(Vec<Vec<Block>>),
    /// A table.
    Table(Table),
    /// Preformatted text, shown verbatim (`{noformat}` in wiki markup).
    CodeBlock {
        /// A language hint for highlighting (ADF only); ignored unless it is a plain token.
        language: Option<String>,
        /// The text, possibly over several lines.
        text: String,
    },
    /// A horizontal rule.
    Rule,
}

/// One table cell: inline content.
pub type Cell = Vec<Inline>;

/// A table: an optional header row and body rows.
///
/// Rows shorter than the widest row (or the header) are padded with empty cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Header cells; empty for a table without a header row.
    pub header: Vec<Cell>,
    /// Body rows, each a list of cells.
    pub rows: Vec<Vec<Cell>>,
}

/// An inline element of a paragraph, heading or table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Inline {
    /// Plain text; a newline in it is rendered as a line break.
    Text(String),
    /// Bold text.
    Strong(String),
    /// Inline code (monospace).
    Code(String),
    /// A link; rendered as plain text unless `href` is an `http`, `https` or `mailto` URL.
    Link {
        /// The link text; the URL is shown when it is empty.
        text: String,
        /// The target URL.
        href: String,
    },
    /// A line break within the block.
    HardBreak,
}

impl Inline {
    /// Plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    /// Bold text.
    pub fn strong(text: impl Into<String>) -> Self {
        Self::Strong(text.into())
    }

    /// Inline code.
    pub fn code(text: impl Into<String>) -> Self {
        Self::Code(text.into())
    }

    /// A link to `href` showing `text`.
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self::Link { text: text.into(), href: href.into() }
    }
}

impl Table {
    /// A table with the given header cells and no rows yet.
    pub fn new(header: Vec<Cell>) -> Self {
        Self { header, rows: Vec::new() }
    }

    /// Adds a body row.
    #[must_use]
    pub fn row(mut self, cells: Vec<Cell>) -> Self {
        self.rows.push(cells);
        self
    }

    /// A two-column table without header: one row per fact, the key in bold, the value as
    /// plain text.
    pub fn facts<K, V>(facts: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        facts
            .into_iter()
            .fold(Self::default(), |table, (key, value)| table.fact(key, vec![Inline::Text(value.into())]))
    }

    /// Adds a fact row (bold key, rich value) to a two-column facts table.
    #[must_use]
    pub fn fact(self, key: impl Into<String>, value: Cell) -> Self {
        self.row(vec![vec![Inline::Strong(key.into())], value])
    }
}

impl Document {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a block.
    #[must_use]
    pub fn push(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }

    /// Appends a heading of plain text.
    #[must_use]
    pub fn heading(self, level: u8, text: impl Into<String>) -> Self {
        self.push(Block::Heading { level, content: vec![Inline::Text(text.into())] })
    }

    /// Appends a paragraph.
    #[must_use]
    pub fn paragraph(self, inlines: Vec<Inline>) -> Self {
        self.push(Block::Paragraph(inlines))
    }

    /// Appends a paragraph of plain text, its lines separated by hard breaks.
    #[must_use]
    pub fn text_paragraph(self, text: &str) -> Self {
        let mut inlines = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                inlines.push(Inline::HardBreak);
            }
            inlines.push(Inline::Text(line.to_owned()));
        }
        self.paragraph(inlines)
    }

    /// Appends a bulleted list with one paragraph per item.
    #[must_use]
    pub fn bullet_list(self, items: impl IntoIterator<Item = Vec<Inline>>) -> Self {
        self.push(Block::BulletList(paragraph_items(items)))
    }

    /// Appends a numbered list with one paragraph per item.
    #[must_use]
    pub fn ordered_list(self, items: impl IntoIterator<Item = Vec<Inline>>) -> Self {
        self.push(Block::OrderedList(paragraph_items(items)))
    }

    /// Appends a table.
    #[must_use]
    pub fn table(self, table: Table) -> Self {
        self.push(Block::Table(table))
    }

    /// Appends a code block (preformatted text) with an optional language hint.
    #[must_use]
    pub fn code_block(self, language: Option<&str>, text: impl Into<String>) -> Self {
        self.push(Block::CodeBlock { language: language.map(str::to_owned), text: text.into() })
    }

    /// Appends a horizontal rule.
    #[must_use]
    pub fn rule(self) -> Self {
        self.push(Block::Rule)
    }

    /// Renders the document as Atlassian Document Format (version 1), for Jira Cloud.
    ///
    /// The result is always valid against the ADF JSON schema: empty text is dropped, tables
    /// and list items get the paragraphs the schema requires, unsafe links become plain text.
    ///
    /// This is [`Document::to_adf_json`] parsed; use that when the JSON text is what is wanted.
    pub fn to_adf(&self) -> serde_json::Value {
        crate::json_text::parse(&self.to_adf_json())
    }

    /// Renders the document as Atlassian Document Format (version 1) in compact JSON text, as
    /// Jira Cloud is sent it.
    ///
    /// The text is what `serde_json` writes for [`Document::to_adf`] (keys in sorted order, no
    /// spaces), written directly without building the `Value`.
    ///
    /// ```
    /// use jira_client::richtext::Document;
    ///
    /// let json = Document::new().text_paragraph("Hello").to_adf_json();
    /// assert_eq!(
    ///     json,
    ///     r#"{"content":[{"content":[{"text":"Hello","type":"text"}],"type":"paragraph"}],"type":"doc","version":1}"#
    /// );
    /// ```
    pub fn to_adf_json(&self) -> String {
        let mut out = String::with_capacity(adf::estimated_len(&self.blocks));
        adf::write(&self.blocks, &mut out);
        out
    }

    /// Renders the document as Jira wiki markup, for Jira Server/Data Center.
    ///
    /// Text can never create markup: markup characters are escaped, code blocks are put in
    /// `{noformat}`, and links are made only for `http`, `https` and `mailto` URLs.
    pub fn to_wiki(&self) -> String {
        wiki::render(&self.blocks)
    }
}

impl From<Vec<Block>> for Document {
    fn from(blocks: Vec<Block>) -> Self {
        Self { blocks }
    }
}

impl FromIterator<Block> for Document {
    fn from_iter<I: IntoIterator<Item = Block>>(iter: I) -> Self {
        Self { blocks: iter.into_iter().collect() }
    }
}

impl Extend<Block> for Document {
    fn extend<I: IntoIterator<Item = Block>>(&mut self, iter: I) {
        self.blocks.extend(iter);
    }
}

fn paragraph_items(items: impl IntoIterator<Item = Vec<Inline>>) -> Vec<Vec<Block>> {
    items.into_iter().map(|inlines| vec![Block::Paragraph(inlines)]).collect()
}
