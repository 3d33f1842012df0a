//! ADF as compact JSON text, byte for byte.
//!
//! The expected strings were produced by the renderer that built a `serde_json::Value` tree
//! (`to_adf().to_string()` before the text writer replaced it), so the writer is checked
//! against that renderer's output rather than against itself: keys sorted, nothing but
//! serde_json's escapes. `to_adf` must be the same document.

use jira_client::richtext::{Block, Document, Inline, Table};
use serde_json::Value;

use crate::assert_valid_adf;

#[track_caller]
fn check(doc: Document, expected: &str) {
    assert_eq!(doc.to_adf_json(), expected);
    let parsed: Value = serde_json::from_str(expected).unwrap();
    assert_valid_adf(&parsed);
    assert_eq!(doc.to_adf(), parsed);
}

#[track_caller]
fn check_limited(doc: Document, max_len: usize, expected: &str) {
    assert_eq!(doc.to_adf_json_limited(max_len), expected);
    let parsed: Value = serde_json::from_str(expected).unwrap();
    assert_valid_adf(&parsed);
    assert_eq!(doc.to_adf_limited(max_len), parsed);
}

#[test]
fn paragraphs_marks_and_breaks() {
    check(Document::new(), r#"{"content":[],"type":"doc","version":1}"#);
    check(
        Document::new().text_paragraph(""),
        r#"{"content":[{"content":[],"type":"paragraph"}],"type":"doc","version":1}"#,
    );
    check(
        Document::new().text_paragraph("a\nb"),
        concat!(
            r#"{"content":[{"content":[{"text":"a","type":"text"},{"type":"hardBreak"},{"text":"b","#,
            r#""type":"text"}],"type":"paragraph"}],"type":"doc","version":1}"#,
        ),
    );
    check(
        Document::new().paragraph(vec![Inline::text("x\n\ny\n"), Inline::text(""), Inline::text("z")]),
        concat!(
            r#"{"content":[{"content":[{"text":"x","type":"text"},{"type":"hardBreak"},"#,
            r#"{"type":"hardBreak"},{"text":"y","type":"text"},{"type":"hardBreak"},{"text":"z","#,
            r#""type":"text"}],"type":"paragraph"}],"type":"doc","version":1}"#,
        ),
    );
    check(
        Document::new().paragraph(vec![
            Inline::text("User "),
            Inline::strong("alice"),
            Inline::HardBreak,
            Inline::code("rm -rf /"),
            Inline::strong(""),
        ]),
        concat!(
            r#"{"content":[{"content":[{"text":"User ","type":"text"},{"marks":[{"type":"strong"}],"#,
            r#""text":"alice","type":"text"},{"type":"hardBreak"},{"marks":[{"type":"code"}],"#,
            r#""text":"rm -rf /","type":"text"}],"type":"paragraph"}],"type":"doc","version":1}"#,
        ),
    );
}

#[test]
fn links() {
    check(
        Document::new().paragraph(vec![
            Inline::link("the alert", "https://example.com/a?b=\"c\"&d=<e>#f g"),
            Inline::link("", "http://EXAMPLE.com"),
            Inline::link("a\nb", "mailto:soc@example.com"),
            Inline::link("click", "javascript:alert(1)"),
            Inline::link("", " javascript:alert(\"x\")"),
        ]),
        concat!(
            r#"{"content":[{"content":[{"marks":[{"attrs":{"href":"https://example.com/a?b=%22c%22&d=%3Ce"#,
            r#"%3E#f%20g"},"type":"link"}],"text":"the alert","type":"text"},"#,
            r#"{"marks":[{"attrs":{"href":"http://example.com/"},"type":"link"}],"#,
            r#""text":"http://example.com/","type":"text"},"#,
            r#"{"marks":[{"attrs":{"href":"mailto:soc@example.com"},"type":"link"}],"text":"a","#,
            r#""type":"text"},{"type":"hardBreak"},{"marks":[{"attrs":{"href":"mailto:soc@example.com"},"#,
            r#""type":"link"}],"text":"b","type":"text"},{"text":"click javascript:alert(\"x\")","#,
            r#""type":"text"}],"type":"paragraph"}],"type":"doc","version":1}"#,
        ),
    );
}

#[test]
fn escaping_and_cleaning() {
    check(
        Document::new().paragraph(vec![Inline::text(
            "quote \" backslash \\ slash / tab\there del\u{7f} é ü € 𝄞 🙂 中文 </script> \u{2028}next",
        )]),
        concat!(
            r#"{"content":[{"content":[{"text":"quote \" backslash \\ slash / tab\there del é ü € 𝄞 🙂 中文 "#,
            r#"</script> ","type":"text"},{"type":"hardBreak"},{"text":"next","type":"text"}],"#,
            r#""type":"paragraph"}],"type":"doc","version":1}"#,
        ),
    );
    check(
        Document::new()
            .paragraph(vec![Inline::text(
                "a\u{0000}b\u{0007}c\u{001B}[31md\u{0085}e\u{001F}f\u{0008}\u{000C}g",
            )])
            .paragraph(vec![Inline::strong("bidi \u{202E}evil\u{202C} \u{2066}isolate\u{2069}\r\nend\r")]),
        concat!(
            r#"{"content":[{"content":[{"text":"abc[31mdefg","type":"text"}],"type":"paragraph"},"#,
            r#"{"content":[{"marks":[{"type":"strong"}],"text":"bidi evil isolate","type":"text"},"#,
            r#"{"type":"hardBreak"},{"marks":[{"type":"strong"}],"text":"end","type":"text"},"#,
            r#"{"type":"hardBreak"}],"type":"paragraph"}],"type":"doc","version":1}"#,
        ),
    );
}

#[test]
fn headings_code_blocks_and_rules() {
    check(
        Document::new()
            .heading(0, "low")
            .heading(3, "Tab\there \"quoted\" \\ 🙂")
            .heading(200, "high")
            .heading(2, "")
            .heading(2, "\u{202E}")
            .rule(),
        concat!(
            r#"{"content":[{"attrs":{"level":1},"content":[{"text":"low","type":"text"}],"#,
            r#""type":"heading"},{"attrs":{"level":3},"content":[{"text":"Tab\there \"quoted\" \\ 🙂","#,
            r#""type":"text"}],"type":"heading"},{"attrs":{"level":6},"content":[{"text":"high","#,
            r#""type":"text"}],"type":"heading"},{"type":"rule"}],"type":"doc","version":1}"#,
        ),
    );
    check(
        Document::new()
            .code_block(Some("json"), "{\"a\": 1}\r\n\t\\n")
            .code_block(None, "")
            .code_block(Some("x\" onload=\"y"), "a\u{202E}b\u{0000}")
            .code_block(Some(" c++ "), "line 1\nline 2\n"),
        concat!(
            r#"{"content":[{"attrs":{"language":"json"},"content":[{"text":"{\"a\": 1}\n\t\\n","#,
            r#""type":"text"}],"type":"codeBlock"},{"content":[],"type":"codeBlock"},"#,
            r#"{"content":[{"text":"ab","type":"text"}],"type":"codeBlock"},{"attrs":{"language":"c++"},"#,
            r#""content":[{"text":"line 1\nline 2\n","type":"text"}],"type":"codeBlock"}],"type":"doc","#,
            r#""version":1}"#,
        ),
    );
}

#[test]
fn lists() {
    check(
        Document::new()
            .bullet_list([vec![Inline::text("one")], vec![Inline::strong("two"), Inline::text(": \"2\"")]])
            .ordered_list([vec![]])
            .push(Block::BulletList(vec![]))
            .push(Block::OrderedList(vec![])),
        concat!(
            r#"{"content":[{"content":[{"content":[{"content":[{"text":"one","type":"text"}],"#,
            r#""type":"paragraph"}],"type":"listItem"},"#,
            r#"{"content":[{"content":[{"marks":[{"type":"strong"}],"text":"two","type":"text"},"#,
            r#"{"text":": \"2\"","type":"text"}],"type":"paragraph"}],"type":"listItem"}],"#,
            r#""type":"bulletList"},{"content":[{"content":[{"content":[],"type":"paragraph"}],"#,
            r#""type":"listItem"}],"type":"orderedList"}],"type":"doc","version":1}"#,
        ),
    );
    check(
        Document::new().push(Block::BulletList(vec![
            vec![Block::OrderedList(vec![vec![Block::Paragraph(vec![Inline::text("n")])]])],
            vec![
                Block::Heading { level: 1, content: vec![Inline::text("H"), Inline::code("c")] },
                Block::Rule,
                Block::Table(Table::facts([("k", "v")])),
                Block::CodeBlock { language: Some("sh".into()), text: "ls".into() },
                Block::BulletList(vec![]),
            ],
        ])),
        concat!(
            r#"{"content":[{"content":[{"content":[{"content":[],"type":"paragraph"},"#,
            r#"{"content":[{"content":[{"content":[{"text":"n","type":"text"}],"type":"paragraph"}],"#,
            r#""type":"listItem"}],"type":"orderedList"}],"type":"listItem"},"#,
            r#"{"content":[{"content":[{"marks":[{"type":"strong"}],"text":"H","type":"text"},"#,
            r#"{"marks":[{"type":"code"}],"text":"c","type":"text"}],"type":"paragraph"},"#,
            r#"{"content":[{"marks":[{"type":"strong"}],"text":"k","type":"text"},{"text":" | v","#,
            r#""type":"text"}],"type":"paragraph"},{"attrs":{"language":"sh"},"content":[{"text":"ls","#,
            r#""type":"text"}],"type":"codeBlock"}],"type":"listItem"}],"type":"bulletList"}],"#,
            r#""type":"doc","version":1}"#,
        ),
    );
}

#[test]
fn tables() {
    check(
        Document::new()
            .table(
                Table::new(vec![vec![Inline::text("Key")], vec![Inline::text("Value")]])
                    .row(vec![vec![Inline::text("a")], vec![Inline::text("1\n2")]])
                    .row(vec![vec![Inline::text("")]]),
            )
            .table(Table::default())
            .table(Table::default().row(vec![]).row(vec![]))
            .table(Table::facts([("User", "alice@example.com"), ("IP", "203.0.113.7")])),
        concat!(
            r#"{"content":[{"content":[{"content":[{"content":[{"content":[{"text":"Key","type":"text"}],"#,
            r#""type":"paragraph"}],"type":"tableHeader"},{"content":[{"content":[{"text":"Value","#,
            r#""type":"text"}],"type":"paragraph"}],"type":"tableHeader"}],"type":"tableRow"},"#,
            r#"{"content":[{"content":[{"content":[{"text":"a","type":"text"}],"type":"paragraph"}],"#,
            r#""type":"tableCell"},{"content":[{"content":[{"text":"1","type":"text"},"#,
            r#"{"type":"hardBreak"},{"text":"2","type":"text"}],"type":"paragraph"}],"#,
            r#""type":"tableCell"}],"type":"tableRow"},{"content":[{"content":[{"content":[],"#,
            r#""type":"paragraph"}],"type":"tableCell"},{"content":[{"content":[],"type":"paragraph"}],"#,
            r#""type":"tableCell"}],"type":"tableRow"}],"type":"table"},"#,
            r#"{"content":[{"content":[{"content":[{"content":[{"marks":[{"type":"strong"}],"#,
            r#""text":"User","type":"text"}],"type":"paragraph"}],"type":"tableCell"},"#,
            r#"{"content":[{"content":[{"text":"alice@example.com","type":"text"}],"type":"paragraph"}],"#,
            r#""type":"tableCell"}],"type":"tableRow"},"#,
            r#"{"content":[{"content":[{"content":[{"marks":[{"type":"strong"}],"text":"IP","#,
            r#""type":"text"}],"type":"paragraph"}],"type":"tableCell"},"#,
            r#"{"content":[{"content":[{"text":"203.0.113.7","type":"text"}],"type":"paragraph"}],"#,
            r#""type":"tableCell"}],"type":"tableRow"}],"type":"table"}],"type":"doc","version":1}"#,
        ),
    );
}

/// Text of the kind the property tests generate: dense in markup, entities and line ends.
#[test]
fn generated_looking_text() {
    let hostile =
        "h1.{noformat}[~admin]\u{2066}\n[x|javascript:y]&#123;\\\\:)(y)----||\u{2028}x \u{0000}mailto:b";
    check(
        Document::new()
            .heading(7, hostile)
            .paragraph(vec![Inline::code(hostile), Inline::link(hostile, hostile), Inline::HardBreak])
            .code_block(Some(hostile), hostile)
            .table(Table::facts([(hostile, hostile)]))
            .bullet_list([vec![Inline::text(hostile)]]),
        concat!(
            r#"{"content":[{"attrs":{"level":6},"content":[{"text":"h1.{noformat}[~admin]","#,
            r#""type":"text"},{"type":"hardBreak"},{"text":"[x|javascript:y]&#123;\\\\:)(y)----||","#,
            r#""type":"text"},{"type":"hardBreak"},{"text":"x mailto:b","type":"text"}],"#,
            r#""type":"heading"},{"content":[{"marks":[{"type":"code"}],"text":"h1.{noformat}[~admin]","#,
            r#""type":"text"},{"type":"hardBreak"},{"marks":[{"type":"code"}],"#,
            r#""text":"[x|javascript:y]&#123;\\\\:)(y)----||","type":"text"},{"type":"hardBreak"},"#,
            r#"{"marks":[{"type":"code"}],"text":"x mailto:b","type":"text"},"#,
            r#"{"text":"h1.{noformat}[~admin]","type":"text"},{"type":"hardBreak"},"#,
            r#"{"text":"[x|javascript:y]&#123;\\\\:)(y)----||","type":"text"},{"type":"hardBreak"},"#,
            r#"{"text":"x mailto:b","type":"text"},{"type":"hardBreak"}],"type":"paragraph"},"#,
            r#"{"content":[{"text":"h1.{noformat}[~admin]\n[x|javascript:y]&#123;\\\\:)(y)----||\nx mailt"#,
            r#"o:b","type":"text"}],"type":"codeBlock"},"#,
            r#"{"content":[{"content":[{"content":[{"content":[{"marks":[{"type":"strong"}],"#,
            r#""text":"h1.{noformat}[~admin]","type":"text"},{"type":"hardBreak"},"#,
            r#"{"marks":[{"type":"strong"}],"text":"[x|javascript:y]&#123;\\\\:)(y)----||","#,
            r#""type":"text"},{"type":"hardBreak"},{"marks":[{"type":"strong"}],"text":"x mailto:b","#,
            r#""type":"text"}],"type":"paragraph"}],"type":"tableCell"},"#,
            r#"{"content":[{"content":[{"text":"h1.{noformat}[~admin]","type":"text"},"#,
            r#"{"type":"hardBreak"},{"text":"[x|javascript:y]&#123;\\\\:)(y)----||","type":"text"},"#,
            r#"{"type":"hardBreak"},{"text":"x mailto:b","type":"text"}],"type":"paragraph"}],"#,
            r#""type":"tableCell"}],"type":"tableRow"}],"type":"table"},"#,
            r#"{"content":[{"content":[{"content":[{"text":"h1.{noformat}[~admin]","type":"text"},"#,
            r#"{"type":"hardBreak"},{"text":"[x|javascript:y]&#123;\\\\:)(y)----||","type":"text"},"#,
            r#"{"type":"hardBreak"},{"text":"x mailto:b","type":"text"}],"type":"paragraph"}],"#,
            r#""type":"listItem"}],"type":"bulletList"}],"type":"doc","version":1}"#,
        ),
    );
}

#[test]
fn cut_documents() {
    let long = "0123456789 \"quoted\" \\ 🙂\n".repeat(40);
    check_limited(
        Document::new().heading(2, "Alert").text_paragraph(&long).bullet_list([vec![Inline::text("x")]]),
        600,
        concat!(
            r#"{"content":[{"attrs":{"level":2},"content":[{"text":"Alert","type":"text"}],"#,
            r#""type":"heading"},{"content":[{"text":"0123456789 \"quoted\" \\ 🙂","type":"text"},"#,
            r#"{"type":"hardBreak"},{"text":"0123456789 \"quoted\" \\ 🙂","type":"text"},"#,
            r#"{"type":"hardBreak"},{"text":"0123456789 \"quoted\" \\ 🙂","type":"text"},"#,
            r#"{"type":"hardBreak"},{"text":"0123456789 \"quoted\" \\ 🙂","type":"text"},"#,
            r#"{"type":"hardBreak"},{"text":"…","type":"text"}],"type":"paragraph"},"#,
            r#"{"content":[{"marks":[{"type":"strong"}],"text":"(description cut to fit Jira's limit)","#,
            r#""type":"text"}],"type":"paragraph"}],"type":"doc","version":1}"#,
        ),
    );
    check_limited(
        Document::new().code_block(None, long.clone()),
        400,
        concat!(
            r#"{"content":[{"content":[{"text":"0123456789 \"quoted\" \\ 🙂\n0123456789 \"quoted\" \\ 🙂\n0"#,
            r#"123456789 \"quoted\" \\ 🙂\n0123456789 \"quoted\" \\ 🙂\n0123456789 \"quoted\" \\ 🙂\n0123456"#,
            r#"789 \"quoted\" \\ 🙂\n0123…","type":"text"}],"type":"codeBlock"},"#,
            r#"{"content":[{"marks":[{"type":"strong"}],"text":"(description cut to fit Jira's limit)","#,
            r#""type":"text"}],"type":"paragraph"}],"type":"doc","version":1}"#,
        ),
    );
    check_limited(
        Document::new().text_paragraph(&long),
        5,
        concat!(
            r#"{"content":[{"content":[{"marks":[{"type":"strong"}],"#,
            r#""text":"(description cut to fit Jira's limit)","type":"text"}],"type":"paragraph"}],"#,
            r#""type":"doc","version":1}"#,
        ),
    );
}

/// Deeper than serde_json's recursion limit (128 levels, 4 per nested list): `to_adf` parses the
/// text without it, as it built such a document before.
#[test]
fn deeply_nested_lists() {
    let mut block = Block::Paragraph(vec![Inline::text("deep")]);
    for _ in 0..40 {
        block = Block::BulletList(vec![vec![block]]);
    }
    let doc = Document::from(vec![block]);
    let json = doc.to_adf_json();
    assert_eq!(json.matches(r#""type":"bulletList""#).count(), 40);
    assert_eq!(doc.to_adf().to_string(), json);
    assert_eq!(doc.to_adf_limited(1_000_000).to_string(), json);
}
