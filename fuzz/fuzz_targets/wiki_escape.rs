//! Wiki escaping: untrusted text in a paragraph, a table cell or a code block never becomes
//! markup, and a code block cannot be closed early.
#![no_main]

use jira_client::richtext::{Document, Inline, Table};
use libfuzzer_sys::fuzz_target;

/// Characters wiki markup escapes with a backslash.
const ESCAPED: &str = "{}[]*_-+^~?#!";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let paragraph = Document::new().text_paragraph(&text).to_wiki();
    assert_inert(&paragraph);
    let cell = Document::new().table(Table::new(vec![vec![Inline::text(text.as_ref())]])).to_wiki();
    // A cell's text can never open a new cell or row.
    assert_eq!(cell.matches("||").count(), 2, "{cell:?}");

    let code = Document::new().code_block(None, text.as_ref()).to_wiki();
    assert_eq!(code.matches("{noformat}").count(), 2, "{code:?}");

    // A link is made only to a safe target. The check reads the rendered target rather than the
    // input: schemes are case-insensitive and URLs are normalised (the first run of this target
    // "found" `HTTPS://..` linked, which is right).
    let link = Document::new().paragraph(vec![Inline::link("x", text.as_ref())]).to_wiki();
    if let Some(start) = link.find("[x|") {
        let target = link[start + 3..].to_ascii_lowercase();
        assert!(
            ["http://", "https://", "mailto:"].iter().any(|scheme| target.starts_with(scheme)),
            "{link:?}"
        );
    }
});

#[track_caller]
fn assert_inert(wiki: &str) {
    let mut chars = wiki.chars();
    while let Some(c) = chars.next() {
        if c == '&' && chars.as_str().starts_with('#') {
            // Numeric entities are the renderer's own: `&#NN;`.
            let rest = &chars.as_str()[1..];
            let digits = rest.len() - rest.trim_start_matches(|d: char| d.is_ascii_digit()).len();
            assert!(digits > 0 && rest[digits..].starts_with(';'), "bad entity in {wiki:?}");
            chars = rest[digits + 1..].chars();
        } else if c == '\\' {
            let next = chars.next();
            assert!(next.is_some_and(|n| ESCAPED.contains(n) || n == '\\'), "stray backslash in {wiki:?}");
        } else {
            assert!(!ESCAPED.contains(c) && c != '|', "unescaped {c:?} in {wiki:?}");
        }
    }
    let lower = wiki.to_lowercase();
    assert!(!lower.contains("://") && !lower.contains("mailto:"), "autolink in {wiki:?}");
}
