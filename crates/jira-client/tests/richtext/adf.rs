//! ADF rendering: exact output for each construct, and schema validity of each.

use jira_client::richtext::{Block, Document, Inline, Table};
use serde_json::{Value, json};

use crate::assert_valid_adf;

/// Renders `doc`, checks it against the schema and compares its content with `expected`.
#[track_caller]
fn check(doc: Document, expected: Value) {
    let adf = doc.to_adf();
    assert_valid_adf(&adf);
    assert_eq!(adf["type"], "doc");
    assert_eq!(adf["version"], 1);
    assert_eq!(adf["content"], expected, "full document: {adf}");
}

fn text(s: &str) -> Value {
    json!({ "type": "text", "text": s })
}

fn marked(s: &str, mark: Value) -> Value {
    json!({ "type": "text", "text": s, "marks": [mark] })
}

fn para(content: Value) -> Value {
    json!({ "type": "paragraph", "content": content })
}

const BR: fn() -> Value = || json!({ "type": "hardBreak" });

#[test]
fn empty_document() {
    check(Document::new(), json!([]));
}

#[test]
fn paragraphs_and_breaks() {
    check(Document::new().text_paragraph("Hello"), json!([para(json!([text("Hello")]))]));
    check(Document::new().text_paragraph("a\nb"), json!([para(json!([text("a"), BR(), text("b")]))]));
    // Newlines inside text become hard breaks; empty lines leave no empty text node.
    check(
        Document::new().paragraph(vec![Inline::text("x\n\ny\n")]),
        json!([para(json!([text("x"), BR(), BR(), text("y"), BR()]))]),
    );
    check(
        Document::new().paragraph(vec![Inline::text("a\r\nb\rc")]),
        json!([para(json!([text("a"), BR(), text("b"), BR(), text("c")]))]),
    );
}

#[test]
fn empty_text_is_dropped() {
    check(Document::new().text_paragraph(""), json!([para(json!([]))]));
    check(
        Document::new().paragraph(vec![
            Inline::text(""),
            Inline::strong(""),
            Inline::code(""),
            Inline::text("\u{202E}\u{0000}"),
        ]),
        json!([para(json!([]))]),
    );
}

#[test]
fn adjacent_text_is_merged() {
    check(
        Document::new().paragraph(vec![Inline::text("a"), Inline::text(""), Inline::text("b")]),
        json!([para(json!([text("ab")]))]),
    );
}

#[test]
fn marks() {
    check(
        Document::new().paragraph(vec![
            Inline::text("User "),
            Inline::strong("alice"),
            Inline::text(" ran "),
            Inline::code("rm -rf /"),
        ]),
        json!([para(json!([
            text("User "),
            marked("alice", json!({ "type": "strong" })),
            text(" ran "),
            marked("rm -rf /", json!({ "type": "code" })),
        ]))]),
    );
}

#[test]
fn links() {
    let link = |href: &str| json!({ "type": "link", "attrs": { "href": href } });
    check(
        Document::new().paragraph(vec![Inline::link("the alert", "https://example.com/a?b=c")]),
        json!([para(json!([marked("the alert", link("https://example.com/a?b=c"))]))]),
    );
    check(
        Document::new().paragraph(vec![Inline::link("mail", "mailto:soc@example.com")]),
        json!([para(json!([marked("mail", link("mailto:soc@example.com"))]))]),
    );
    // Without text the URL is the text.
    check(
        Document::new().paragraph(vec![Inline::link("", "http://example.com")]),
        json!([para(json!([marked("http://example.com/", link("http://example.com/"))]))]),
    );
    // A link over two lines keeps the mark on both.
    check(
        Document::new().paragraph(vec![Inline::link("a\nb", "https://x.test/")]),
        json!([para(json!([
            marked("a", link("https://x.test/")),
            BR(),
            marked("b", link("https://x.test/")),
        ]))]),
    );
}

#[test]
fn unsafe_links_are_plain_text() {
    for href in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>",
        "file:///etc/passwd",
        "ftp://example.com/",
        "/relative/path",
        "//example.com/x",
        "http://",
        "not a url",
        "",
    ] {
        check(
            Document::new().paragraph(vec![Inline::link("click", href)]),
            json!([para(json!([text("click")]))]),
        );
    }
    check(
        Document::new().paragraph(vec![Inline::link("", "javascript:alert(1)")]),
        json!([para(json!([text("javascript:alert(1)")]))]),
    );
}

#[test]
fn bidi_and_control_characters_are_removed() {
    check(
        Document::new().paragraph(vec![Inline::text(
            "a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{202E}f\u{2066}g\u{2067}h\u{2068}i\u{2069}j",
        )]),
        json!([para(json!([text("abcdefghij")]))]),
    );
    check(
        Document::new()
            .paragraph(vec![Inline::text("a\u{0000}b\u{0007}c\u{001B}[31md\u{007F}e\u{0085}f\tg")]),
        json!([para(json!([text("abc[31mdef\tg")]))]),
    );
    check(
        Document::new().paragraph(vec![Inline::strong("x\u{2028}y")]),
        json!([para(json!([
            marked("x", json!({ "type": "strong" })),
            BR(),
            marked("y", json!({ "type": "strong" })),
        ]))]),
    );
}

#[test]
fn headings() {
    let heading =
        |level: u8, s: &str| json!({ "type": "heading", "attrs": { "level": level }, "content": [text(s)] });
    check(Document::new().heading(2, "Alert"), json!([heading(2, "Alert")]));
    check(Document::new().heading(0, "low"), json!([heading(1, "low")]));
    check(Document::new().heading(200, "high"), json!([heading(6, "high")]));
    // An empty heading is dropped, as in the wiki rendering.
    check(Document::new().heading(2, "").heading(3, "\u{202E}"), json!([]));
}

#[test]
fn code_blocks() {
    check(
        Document::new().code_block(Some("json"), "{\"a\": 1}\n"),
        json!([{
            "type": "codeBlock",
            "attrs": { "language": "json" },
            "content": [text("{\"a\": 1}\n")],
        }]),
    );
    check(Document::new().code_block(None, ""), json!([{ "type": "codeBlock", "content": [] }]));
    // A language hint that is not a plain token is dropped.
    check(
        Document::new().code_block(Some("x\" onload=\"y"), "a\u{202E}b\u{0000}"),
        json!([{ "type": "codeBlock", "content": [text("ab")] }]),
    );
}

#[test]
fn rule() {
    check(Document::new().rule(), json!([{ "type": "rule" }]));
}

#[test]
fn lists() {
    let item = |content: Value| json!({ "type": "listItem", "content": content });
    check(
        Document::new().bullet_list([vec![Inline::text("one")], vec![Inline::strong("two")]]),
        json!([{
            "type": "bulletList",
            "content": [
                item(json!([para(json!([text("one")]))])),
                item(json!([para(json!([marked("two", json!({ "type": "strong" }))]))])),
            ],
        }]),
    );
    check(
        Document::new().ordered_list([vec![]]),
        json!([{ "type": "orderedList", "content": [item(json!([para(json!([]))]))] }]),
    );
    // Empty lists are dropped: the schema wants at least one item.
    check(Document::new().push(Block::BulletList(vec![])).push(Block::OrderedList(vec![])), json!([]));
}

#[test]
fn list_items_hold_only_what_the_schema_allows() {
    let item = |content: Value| json!({ "type": "listItem", "content": content });
    let strong = json!({ "type": "strong" });
    check(
        Document::new().push(Block::BulletList(vec![
            // Starts with a nested list: an empty paragraph goes first.
            vec![Block::OrderedList(vec![vec![Block::Paragraph(vec![Inline::text("n")])]])],
            // A heading, a rule, a table, a code block and an empty nested list.
            vec![
                Block::Heading { level: 1, content: vec![Inline::text("H"), Inline::code("c")] },
                Block::Rule,
                Block::Table(Table::facts([("k", "v")])),
                Block::CodeBlock { language: None, text: "ls".into() },
                Block::BulletList(vec![]),
            ],
        ])),
        json!([{
            "type": "bulletList",
            "content": [
                item(json!([
                    para(json!([])),
                    {
                        "type": "orderedList",
                        "content": [item(json!([para(json!([text("n")]))]))],
                    },
                ])),
                item(json!([
                    para(json!([marked("H", strong.clone()), marked("c", json!({ "type": "code" }))])),
                    para(json!([marked("k", strong), text(" | v")])),
                    { "type": "codeBlock", "content": [text("ls")] },
                ])),
            ],
        }]),
    );
}

#[test]
fn tables() {
    let cell = |kind: &str, content: Value| json!({ "type": kind, "content": [para(content)] });
    let row = |cells: Vec<Value>| json!({ "type": "tableRow", "content": cells });
    check(
        Document::new().table(
            Table::new(vec![vec![Inline::text("Key")], vec![Inline::text("Value")]])
                .row(vec![vec![Inline::text("a")], vec![Inline::text("1\n2")]])
                // A short row is padded; an empty cell still holds a paragraph.
                .row(vec![vec![Inline::text("")]]),
        ),
        json!([{
            "type": "table",
            "content": [
                row(vec![cell("tableHeader", json!([text("Key")])), cell("tableHeader", json!([text("Value")]))]),
                row(vec![
                    cell("tableCell", json!([text("a")])),
                    cell("tableCell", json!([text("1"), BR(), text("2")])),
                ]),
                row(vec![cell("tableCell", json!([])), cell("tableCell", json!([]))]),
            ],
        }]),
    );
    check(
        Document::new().table(Table::facts([("User", "alice")])),
        json!([{
            "type": "table",
            "content": [row(vec![
                cell("tableCell", json!([marked("User", json!({ "type": "strong" }))])),
                cell("tableCell", json!([text("alice")])),
            ])],
        }]),
    );
    // Tables without any cell are dropped: the schema wants at least one row.
    check(Document::new().table(Table::default()).table(Table::default().row(vec![]).row(vec![])), json!([]));
}

#[test]
fn hostile_text_stays_text() {
    let hostile =
        "{code}x{code} {noformat} [~admin] [click|javascript:alert(1)] <script>alert(1)</script> h1. *b*";
    check(Document::new().paragraph(vec![Inline::text(hostile)]), json!([para(json!([text(hostile)]))]));
}

#[test]
fn huge_text_is_valid() {
    let doc = Document::new()
        .text_paragraph(&"line with {markup} and \u{202E}bidi\n".repeat(5_000))
        .code_block(None, "x".repeat(100_000));
    assert_valid_adf(&doc.to_adf());
}
