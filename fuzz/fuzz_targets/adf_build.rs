//! ADF building: any text in any block gives a document with no empty or bidi-controlled text
//! node and links only to `http`, `https` and `mailto` targets; the limited rendering fits.
#![no_main]

use jira_client::richtext::{Document, Inline, Table};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(2));
    let text = String::from_utf8_lossy(rest);
    let level = head.first().map_or(1, |b| b % 8);
    let max = head.get(1).map_or(0, |b| usize::from(*b) * 16);
    let doc = Document::new()
        .heading(level, text.as_ref())
        .text_paragraph(&text)
        .paragraph(vec![Inline::strong(text.as_ref()), Inline::code(text.as_ref()), Inline::link(text.as_ref(), text.as_ref())])
        .bullet_list([vec![Inline::text(text.as_ref())]])
        .table(Table::facts([(text.as_ref(), text.as_ref())]))
        .code_block(Some(text.as_ref()), text.as_ref());
    let adf = doc.to_adf();
    assert_eq!(adf["type"], "doc");
    assert_eq!(adf["version"], 1);
    check_nodes(&adf);
    let limited = doc.to_adf_limited(max);
    check_nodes(&limited);
});

fn check_nodes(node: &Value) {
    if node["type"] == "text" {
        let text = node["text"].as_str().unwrap_or_default();
        assert!(!text.is_empty(), "empty text node");
        assert!(!text.contains(|c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')), "{text:?}");
        for mark in node["marks"].as_array().into_iter().flatten() {
            if mark["type"] == "link" {
                let href = mark["attrs"]["href"].as_str().unwrap_or_default().to_ascii_lowercase();
                assert!(
                    href.starts_with("http://") || href.starts_with("https://") || href.starts_with("mailto:"),
                    "{href:?}"
                );
            }
        }
    }
    for child in node["content"].as_array().into_iter().flatten() {
        check_nodes(child);
    }
}
