//! Cutting documents to Jira's size limit.

use jira_client::richtext::{Block, CUT_NOTE, DESCRIPTION_MAX_LEN, Document, Inline, Table};
use serde_json::Value;

use crate::assert_valid_adf;

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The plain text of every text node in an ADF document, in order.
fn adf_text(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let own = map.get("text").and_then(Value::as_str).unwrap_or_default().to_owned();
            own + &map.get("content").map(adf_text).unwrap_or_default()
        }
        Value::Array(items) => items.iter().map(adf_text).collect(),
        _ => String::new(),
    }
}

#[test]
fn small_documents_are_unchanged() {
    let doc = Document::new().heading(1, "T").text_paragraph("body");
    assert_eq!(doc.to_wiki_limited(DESCRIPTION_MAX_LEN), doc.to_wiki());
    assert_eq!(doc.to_adf_limited(DESCRIPTION_MAX_LEN), doc.to_adf());
    // Exactly at the limit is still whole.
    let wiki = doc.to_wiki();
    assert_eq!(doc.to_wiki_limited(utf16_len(&wiki)), wiki);
}

#[test]
fn a_long_code_block_is_cut_with_a_note() {
    let doc = Document::new().heading(2, "Alert").code_block(None, "0123456789".repeat(10_000));

    let wiki = doc.to_wiki_limited(DESCRIPTION_MAX_LEN);
    assert!(utf16_len(&wiki) <= DESCRIPTION_MAX_LEN);
    assert!(utf16_len(&wiki) > DESCRIPTION_MAX_LEN - 100, "cut far too much: {}", wiki.len());
    assert!(wiki.starts_with("h2. Alert\n\n{noformat}\n0123"));
    assert!(wiki.ends_with(&format!("…\n{{noformat}}\n\n*{CUT_NOTE}*")));

    let adf = doc.to_adf_limited(DESCRIPTION_MAX_LEN);
    assert_valid_adf(&adf);
    assert!(utf16_len(&adf.to_string()) <= DESCRIPTION_MAX_LEN);
    assert!(utf16_len(&adf.to_string()) > DESCRIPTION_MAX_LEN - 100);
    assert!(adf_text(&adf).ends_with(&format!("…{CUT_NOTE}")));
}

#[test]
fn whole_blocks_are_kept_before_the_cut() {
    let paragraph = "p".repeat(1_000);
    let doc: Document = (0..100).map(|_| Block::Paragraph(vec![Inline::text(&paragraph)])).collect();
    let wiki = doc.to_wiki_limited(10_500);
    assert!(utf16_len(&wiki) <= 10_500);
    let parts: Vec<&str> = wiki.split("\n\n").collect();
    // Ten whole paragraphs (10 × 1,000 plus separators), part of the eleventh, then the note.
    assert_eq!(parts.len(), 12, "{parts:?}");
    assert!(parts[..10].iter().all(|p| *p == paragraph));
    assert!(parts[10].starts_with("ppp") && parts[10].ends_with('…'));
    assert_eq!(parts[11], format!("*{CUT_NOTE}*"));
}

#[test]
fn tables_and_lists_are_cut_by_rows_and_items() {
    let table = (0..2_000).fold(Table::new(vec![vec![Inline::text("n")]]), |table, i| {
        table.row(vec![vec![Inline::text(i.to_string())]])
    });
    let doc = Document::new().table(table);
    let wiki = doc.to_wiki_limited(1_000);
    assert!(utf16_len(&wiki) <= 1_000);
    assert!(wiki.starts_with("||n||\n|0|\n|1|"));
    assert!(wiki.ends_with(&format!("|\n\n*{CUT_NOTE}*")));

    let doc = Document::new().bullet_list((0..2_000).map(|i| vec![Inline::text(i.to_string())]));
    let adf = doc.to_adf_limited(5_000);
    assert_valid_adf(&adf);
    assert!(utf16_len(&adf.to_string()) <= 5_000);
    let items = adf["content"][0]["content"].as_array().unwrap().len();
    assert!(items > 10 && items < 2_000, "{items} items");
}

#[test]
fn the_limit_counts_utf16_units() {
    // Each emoji is two UTF-16 units, as Jira (Java) counts them.
    let doc = Document::new().text_paragraph(&"🙂".repeat(1_000));
    let wiki = doc.to_wiki_limited(1_000);
    assert!(utf16_len(&wiki) <= 1_000);
    assert!(wiki.ends_with(&format!("*{CUT_NOTE}*")));
}

#[test]
fn a_tiny_limit_yields_just_the_note() {
    let doc = Document::new().text_paragraph("some text that does not fit");
    assert_eq!(doc.to_wiki_limited(5), format!("*{CUT_NOTE}*"));
    let adf = doc.to_adf_limited(5);
    assert_valid_adf(&adf);
    assert_eq!(adf_text(&adf), CUT_NOTE);
}
