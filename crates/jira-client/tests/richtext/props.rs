//! Property tests: for arbitrary text, ADF is valid against the schema, wiki markup carries no
//! live markup, summaries are one short line, and JQL literals cannot be escaped from.

use jira_client::richtext::{Block, CUT_NOTE, Document, Inline, Table};
use jira_client::{jql, sanitize_summary};
use proptest::prelude::*;

use crate::assert_valid_adf;

/// Characters wiki markup escapes with a backslash.
const BACKSLASH_ESCAPED: &str = "{}[]*_-+^~?#!";

/// Emoticons Jira turns into icons; none may survive in rendered text.
const EMOTICONS: &[&str] = &[
    ":)",
    ":(",
    ":p",
    ":d",
    ";)",
    "(y)",
    "(n)",
    "(i)",
    "(/)",
    "(x)",
    "(!)",
    "(+)",
    "(-)",
    "(?)",
    "(on)",
    "(off)",
    "(*)",
    "(*r)",
    "(*g)",
    "(*b)",
    "(*y)",
    "(flag)",
    "(flagoff)",
];

/// Text that is arbitrary Unicode, or dense in markup characters, bidi controls and line ends.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 \n\r\t{}\\[\\]|*_+^~?#!\\\\:;()&.@/<>\"'=-]{0,48}",
        "(h[1-6]\\.|bq\\.|\\{noformat\\}|\\{code\\}|\\[~admin\\]|\\[x\\|javascript:y\\]|http://a|mailto:b|:\\)|\\(y\\)|&#123;|\u{202E}|\u{2066}|\u{2028}|\u{0000}|\n| |\\\\\\\\|----|\\|\\||x){0,12}",
    ]
}

fn href() -> impl Strategy<Value = String> {
    prop_oneof![
        text(),
        text().prop_map(|t| format!("https://example.com/{t}")),
        text().prop_map(|t| format!("mailto:{t}")),
        text().prop_map(|t| format!("javascript:{t}")),
    ]
}

fn inline() -> impl Strategy<Value = Inline> {
    prop_oneof![
        text().prop_map(Inline::Text),
        text().prop_map(Inline::Strong),
        text().prop_map(Inline::Code),
        (text(), href()).prop_map(|(text, href)| Inline::Link { text, href }),
        Just(Inline::HardBreak),
    ]
}

fn inlines() -> impl Strategy<Value = Vec<Inline>> {
    prop::collection::vec(inline(), 0..5)
}

fn block() -> impl Strategy<Value = Block> {
    let leaf = prop_oneof![
        inlines().prop_map(Block::Paragraph),
        (any::<u8>(), inlines()).prop_map(|(level, content)| Block::Heading { level, content }),
        (prop::option::of(text()), text()).prop_map(|(language, text)| Block::CodeBlock { language, text }),
        (
            prop::collection::vec(inlines(), 0..3),
            prop::collection::vec(prop::collection::vec(inlines(), 0..3), 0..3),
        )
            .prop_map(|(header, rows)| Block::Table(Table { header, rows })),
        Just(Block::Rule),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        let items = prop::collection::vec(prop::collection::vec(inner, 0..3), 0..3);
        prop_oneof![items.clone().prop_map(Block::BulletList), items.prop_map(Block::OrderedList),]
    })
}

fn document() -> impl Strategy<Value = Document> {
    prop::collection::vec(block(), 0..4).prop_map(Document::from)
}

/// Panics when wiki markup rendered from text alone holds anything Jira would interpret: an
/// unescaped markup character, a backslash that is not an escape, a pipe, an emoticon, an
/// automatic link, a line terminator other than `\n`, or (when `lines` says the text starts
/// lines) line-start markup.
#[track_caller]
fn assert_inert(wiki: &str, lines: bool) {
    // The forced line break used in headings, list items and table cells is ours.
    let wiki = wiki.replace(" \\\\ ", " ");
    let mut chars = wiki.chars();
    while let Some(c) = chars.next() {
        // Numeric entities are ours: a `&` before `#` in text is written as `&amp;`.
        if c == '&' && chars.as_str().starts_with('#') {
            let rest = &chars.as_str()[1..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            assert!(digits > 0 && rest[digits..].starts_with(';'), "bad entity in {wiki:?}");
            chars = rest[digits + 1..].chars();
            continue;
        }
        if c == '\\' {
            let next = chars.next();
            assert!(
                next.is_some_and(|n| BACKSLASH_ESCAPED.contains(n)),
                "stray backslash before {next:?} in {wiki:?}"
            );
        } else {
            assert!(!BACKSLASH_ESCAPED.contains(c) && c != '|', "unescaped {c:?} in {wiki:?}");
            assert!(!matches!(c, '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}'), "line end {c:?} in {wiki:?}");
        }
    }
    for line in wiki.split('\n').filter(|_| lines) {
        let start = line.trim_start_matches([' ', '\t']).to_ascii_lowercase();
        let block_markup = start.len() >= 3
            && ((start.as_bytes()[0] == b'h' && (b'1'..=b'6').contains(&start.as_bytes()[1]))
                || start.starts_with("bq"))
            && start.as_bytes()[2] == b'.';
        assert!(!block_markup, "line-start markup in {wiki:?}");
    }
    let lower = wiki.to_lowercase();
    assert!(!lower.contains("://") && !lower.contains("mailto:"), "autolink in {wiki:?}");
    for emoticon in EMOTICONS {
        assert!(!lower.contains(emoticon), "emoticon {emoticon} in {wiki:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn adf_of_any_document_is_valid(doc in document()) {
        assert_valid_adf(&doc.to_adf());
    }

    #[test]
    fn adf_of_any_text_is_valid(text in text()) {
        let doc = Document::new()
            .heading(2, text.clone())
            .text_paragraph(&text)
            .paragraph(vec![Inline::strong(text.clone()), Inline::code(text.clone()), Inline::link(text.clone(), text.clone())])
            .code_block(Some(&text), text.clone())
            .table(Table::facts([(text.clone(), text.clone())]))
            .bullet_list([vec![Inline::text(text.clone())]]);
        assert_valid_adf(&doc.to_adf());
    }

    #[test]
    fn adf_text_has_no_bidi_or_control_characters(text in text()) {
        let adf = Document::new().text_paragraph(&text).code_block(None, text.clone()).to_adf().to_string();
        let parsed: serde_json::Value = serde_json::from_str(&adf).unwrap();
        let rendered = parsed.to_string();
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{0000}', '\u{001B}'] {
            prop_assert!(!rendered.contains(c));
        }
    }

    #[test]
    fn wiki_text_is_inert(text in text()) {
        assert_inert(&Document::new().paragraph(vec![Inline::text(text.clone())]).to_wiki(), true);
        // Headings and list items are one line after their marker, which is not text's.
        let heading = Document::new().heading(3, text.clone()).to_wiki();
        prop_assert!(!heading.contains('\n'));
        assert_inert(heading.strip_prefix("h3. ").unwrap_or(&heading), false);
        let item = Document::new().bullet_list([vec![Inline::text(text.clone())]]).to_wiki();
        prop_assert!(!item.contains('\n'));
        assert_inert(item.strip_prefix("* ").unwrap(), false);
    }

    #[test]
    fn wiki_table_cells_stay_in_their_cells(cells in prop::collection::vec(text(), 1..4)) {
        let row: Vec<Vec<Inline>> = cells.iter().map(|c| vec![Inline::text(c.clone())]).collect();
        let wiki = Document::new().table(Table::new(row.clone()).row(row)).to_wiki();
        let lines: Vec<&str> = wiki.split('\n').collect();
        prop_assert_eq!(lines.len(), 2);
        let header = lines[0].strip_prefix("||").and_then(|l| l.strip_suffix("||")).unwrap();
        let body = lines[1].strip_prefix('|').and_then(|l| l.strip_suffix('|')).unwrap();
        prop_assert_eq!(header.split("||").count(), cells.len());
        prop_assert_eq!(body.split('|').count(), cells.len());
        for cell in body.split('|') {
            assert_inert(cell, false);
        }
    }

    #[test]
    fn wiki_code_block_cannot_be_closed_early(text in text()) {
        let wiki = Document::new().code_block(None, text).to_wiki();
        let inner = wiki.strip_prefix("{noformat}\n").and_then(|w| w.strip_suffix("\n{noformat}")).unwrap();
        prop_assert!(!inner.to_lowercase().contains("{noformat"), "{:?}", wiki);
    }

    #[test]
    fn wiki_links_only_for_safe_urls(text in text(), href in href()) {
        let wiki = Document::new().paragraph(vec![Inline::link(text, href.clone())]).to_wiki();
        // What a URL parser sees: control characters, bidi controls and line separators gone.
        let seen: String = href
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'))
            .collect();
        let seen = seen.trim().to_lowercase();
        let safe = ["http://", "https://", "mailto:"].iter().any(|s| seen.starts_with(s));
        if let Some(rest) = wiki.strip_prefix('[') {
            prop_assert!(safe, "link for {:?}: {:?}", href, wiki);
            let inner = rest.strip_suffix(']').unwrap();
            let (label, url) = inner.rsplit_once('|').unwrap();
            assert_inert(label, false);
            prop_assert!(!url.contains(['|', '[', ']', '{', '}', ' ', '\n']), "{:?}", url);
        } else {
            assert_inert(&wiki, true);
        }
    }

    #[test]
    fn any_document_renders_to_wiki(doc in document()) {
        // No panics, and line ends are only ever `\n`.
        let wiki = doc.to_wiki();
        prop_assert!(!wiki.contains(['\r', '\u{2028}', '\u{2029}', '\u{202E}', '\u{0000}']), "{:?}", wiki);
    }

    #[test]
    fn summary_is_one_short_line(raw in text()) {
        let summary = sanitize_summary(&raw);
        prop_assert!(!summary.is_empty());
        prop_assert!(summary.encode_utf16().count() <= 255);
        prop_assert!(!summary.chars().any(|c| (c.is_whitespace() && c != ' ') || c.is_control()));
        prop_assert!(!summary.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')), "{:?}", summary);
        prop_assert!(!summary.starts_with(' ') && !summary.ends_with(' ') && !summary.contains("  "));
    }

    #[test]
    fn long_summaries_are_cut(raw in "([a-z]{2,6} ){100,200}") {
        let summary = sanitize_summary(&format!("x{raw}x"));
        prop_assert!(summary.chars().count() <= 255);
        prop_assert!(summary.ends_with('…'));
    }

    #[test]
    fn jql_literal_reads_back_as_the_value(value in text()) {
        let quoted = jql::quote(&value);
        prop_assert_eq!(unquote(&quoted), Some(value));
        prop_assert!(!quoted.chars().any(char::is_control));
    }

    #[test]
    fn limited_renderings_fit(doc in document(), max in 0usize..600) {
        // Below the size of the note alone, the note alone is the answer.
        let note = Document::new().paragraph(vec![Inline::strong(CUT_NOTE)]);
        let wiki = doc.to_wiki_limited(max);
        let wiki_max = max.max(note.to_wiki().encode_utf16().count());
        prop_assert!(wiki.encode_utf16().count() <= wiki_max, "{} > {}", wiki.len(), wiki_max);
        let adf = doc.to_adf_limited(max);
        assert_valid_adf(&adf);
        let adf_max = max.max(note.to_adf().to_string().encode_utf16().count());
        prop_assert!(adf.to_string().encode_utf16().count() <= adf_max);
    }
}

/// Reads a JQL string literal the way the JQL lexer does; `None` when the literal ends before
/// its last character (the value escaped from it) or holds an unknown escape.
fn unquote(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('"')?;
    // Collected as UTF-16 so that `\uXXXX` surrogate pairs join up.
    let mut units: Vec<u16> = Vec::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        let decoded = match c {
            '"' => return chars.next().is_none().then(|| String::from_utf16(&units).ok())?,
            '\\' => match chars.next()? {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                '"' => '"',
                '\\' => '\\',
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    units.push(u16::from_str_radix(&hex, 16).ok()?);
                    continue;
                }
                _ => return None,
            },
            c => c,
        };
        let mut buf = [0u16; 2];
        units.extend_from_slice(decoded.encode_utf16(&mut buf));
    }
    None
}
