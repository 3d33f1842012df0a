//! Wiki markup rendering: exact output for each construct and for hostile text.

use jira_client::richtext::{Block, Document, Inline, Table};

#[track_caller]
fn check(doc: Document, expected: &str) {
    assert_eq!(doc.to_wiki(), expected);
}

/// A document of one paragraph of plain text.
#[track_caller]
fn check_text(text: &str, expected: &str) {
    check(Document::new().paragraph(vec![Inline::text(text)]), expected);
}

#[test]
fn plain_text_is_unchanged() {
    check_text("Hello world", "Hello world");
    check_text(
        "Impossible travel (from US and FR), 42 % sure.",
        "Impossible travel (from US and FR), 42 % sure.",
    );
    check_text(
        "12:30, a; b. <b>x</b> \"q\" 'q' @alice $1 = 2/3",
        "12:30, a; b. <b>x</b> \"q\" 'q' @alice $1 = 2/3",
    );
    check_text("Zürich 東京 🙂", "Zürich 東京 🙂");
}

#[test]
fn markup_characters_are_escaped() {
    check_text(
        "*bold* _it_ {code} [~admin] -x- +u+ ^s^ ~t~ ??c?? #1 !img.png!",
        r"\*bold\* \_it\_ \{code\} \[\~admin\] \-x\- \+u\+ \^s\^ \~t\~ \?\?c\?\? \#1 \!img.png\!",
    );
    check_text("----", r"\-\-\-\-");
    check_text("a -- b --- c", r"a \-\- b \-\-\- c");
    check_text("{color:red}x{color}", r"\{color:red\}x\{color\}");
    check_text("{{mono}}", r"\{\{mono\}\}");
    check_text("[SEC-1] [^file.txt] [#anchor]", r"\[SEC\-1\] \[\^file.txt\] \[\#anchor\]");
    check_text("{noformat}x{noformat}", r"\{noformat\}x\{noformat\}");
}

#[test]
fn backslash_and_pipe_become_entities() {
    // `\\` is a forced line break in Jira, so a backslash cannot escape a backslash.
    check_text(r"C:\Windows\System32", "C:&#92;Windows&#92;System32");
    check_text(r"a\\b \{", r"a&#92;&#92;b &#92;\{");
    check_text("a|b||c", "a&#124;b&#124;&#124;c");
}

#[test]
fn line_start_markup_becomes_entities() {
    check_text("h1. Title", "&#104;1. Title");
    check_text("H6.x", "&#72;6.x");
    check_text("  bq. quoted", "  &#98;q. quoted");
    check_text("BQ.", "&#66;Q.");
    check_text("see h1. here", "see h1. here");
    check_text("h7. no", "h7. no");
    check_text("first\nh2. second\n\tbq. third", "first\n&#104;2. second\n\t&#98;q. third");
    // Split over several inlines, or hidden behind an unsafe link, it is still caught.
    check(
        Document::new().paragraph(vec![
            Inline::text("h"),
            Inline::strong(""),
            Inline::text("1"),
            Inline::link(". x", "javascript:void(0)"),
        ]),
        "&#104;1. x",
    );
    // Unicode line separators count as line ends in Jira's (Java) regular expressions.
    check_text("a\u{2028}h1. b\u{2029}bq. c\rh2. d", "a\n&#104;1. b\n&#98;q. c\n&#104;2. d");
}

#[test]
fn emoticons_and_autolinks_are_defused() {
    check_text(":) :( :P :D ;)", "&#58;&#41; &#58;( &#58;P &#58;D &#59;&#41;");
    check_text("|) \\)", "&#124;&#41; &#92;&#41;");
    check_text(
        "(y) (n) (i) (/) (x) (on) (flagoff)",
        "&#40;y) &#40;n) &#40;i) &#40;/) &#40;x) &#40;on) &#40;flagoff)",
    );
    check_text("(!) (?) (*)", r"&#40;\!) &#40;\?) &#40;\*)");
    check_text("http://evil.example/x", "http&#58;//evil.example/x");
    check_text("file:///etc/passwd", "file&#58;///etc/passwd");
    check_text("MailTo:a@b.c", "MailTo&#58;a@b.c");
}

#[test]
fn ampersands_before_entities_are_escaped() {
    check_text("&lt;b&gt; &#123; AT&T & co", r"&amp;lt;b&amp;gt; &amp;\#123; AT&amp;T & co");
}

#[test]
fn bidi_and_control_characters_are_removed() {
    check_text("ab\u{202E}cd\u{2066}e\u{0007}f\u{001B}g\u{0000}", "abcdefg");
    check_text("a\r\nb", "a\nb");
}

#[test]
fn strong_and_code() {
    check(
        Document::new().paragraph(vec![
            Inline::text("User"),
            Inline::strong(" alice_b "),
            Inline::text("ran"),
            Inline::code(" {cmd} "),
            Inline::text("."),
        ]),
        r"User *alice\_b* ran {{\{cmd\}}} .",
    );
    // Whitespace moves outside the delimiters: `* y*` at a line start would be a list item.
    check(Document::new().paragraph(vec![Inline::text("x\n"), Inline::strong(" y")]), "x\n *y*");
    check(Document::new().paragraph(vec![Inline::strong("  ")]), "");
    check(Document::new().paragraph(vec![Inline::strong("a\nb")]), "*a b*");
}

#[test]
fn links() {
    check(
        Document::new().paragraph(vec![Inline::link("the alert", "https://example.com/a?b=c#d")]),
        "[the alert|https://example.com/a?b=c#d]",
    );
    check(
        Document::new().paragraph(vec![Inline::link("mail", "mailto:soc@example.com")]),
        "[mail|mailto:soc@example.com]",
    );
    // Text that could end the link early is escaped; so is a URL.
    check(
        Document::new().paragraph(vec![Inline::link("a]b|c\nd", "https://x.test/p|q[r]{s}")]),
        r"[a\]b&#124;c d|https://x.test/p%7Cq%5Br%5D%7Bs%7D]",
    );
    check(
        Document::new().paragraph(vec![Inline::link("", "https://x.test")]),
        "[https&#58;//x.test/|https://x.test/]",
    );
}

#[test]
fn unsafe_links_are_plain_text() {
    check(Document::new().paragraph(vec![Inline::link("click", "javascript:alert(1)")]), "click");
    check(
        Document::new().paragraph(vec![Inline::link("", "javascript:alert(1)")]),
        "javascript:alert&#40;1)",
    );
    check(Document::new().paragraph(vec![Inline::link("x", "file:///etc/passwd")]), "x");
    // Hostile wiki link syntax in text stays text.
    check_text("[link|javascript:alert(1)]", r"\[link&#124;javascript:alert&#40;1)\]");
}

#[test]
fn headings() {
    check(Document::new().heading(2, "Alert *x*"), r"h2. Alert \*x\*");
    check(Document::new().heading(0, "t"), "h1. t");
    check(Document::new().heading(9, "t"), "h6. t");
    check(Document::new().heading(3, "a\nh1. b"), r"h3. a \\ h1. b");
    check(Document::new().heading(2, "").heading(2, " \u{202E} "), "");
}

#[test]
fn lists() {
    check(
        Document::new().bullet_list([vec![Inline::text("one")], vec![Inline::text("two\nlines")]]),
        "* one\n* two \\\\ lines",
    );
    check(Document::new().ordered_list([vec![Inline::text("# x")]]), r"# \# x");
    check(Document::new().bullet_list([vec![]]), "* &nbsp;");
    check(Document::new().push(Block::BulletList(vec![])), "");
    check(
        Document::new().push(Block::BulletList(vec![vec![
            Block::Paragraph(vec![Inline::text("a")]),
            Block::OrderedList(vec![
                vec![Block::Paragraph(vec![Inline::text("b")])],
                vec![Block::BulletList(vec![vec![Block::Paragraph(vec![Inline::text("c")])]])],
            ]),
        ]])),
        "* a\n*# b\n*# &nbsp;\n*#* c",
    );
}

#[test]
fn list_items_flatten_what_wiki_lists_cannot_hold() {
    check(
        Document::new().push(Block::BulletList(vec![vec![
            Block::Heading { level: 2, content: vec![Inline::text("H")] },
            Block::Rule,
            Block::Table(Table::facts([("k", "v|w")])),
            Block::CodeBlock { language: None, text: "ls -la\n\nrm *\n".into() },
        ]])),
        r"* *H* \\ *k* &#124; v&#124;w \\ {{ls \-la}} \\ {{rm \*}}",
    );
}

#[test]
fn tables() {
    check(
        Document::new().table(
            Table::new(vec![vec![Inline::text("Key")], vec![Inline::text("Value")]])
                .row(vec![vec![Inline::text("a|b")], vec![Inline::text("line1\nline2")]])
                .row(vec![vec![Inline::text("")]]),
        ),
        "||Key||Value||\n|a&#124;b|line1 \\\\ line2|\n| | |",
    );
    check(
        Document::new().table(Table::facts([("User", "alice_x"), ("IP", "203.0.113.7")])),
        "|*User*|alice\\_x|\n|*IP*|203.0.113.7|",
    );
    check(Document::new().table(Table::default().row(vec![])), "");
}

#[test]
fn code_blocks_use_noformat() {
    check(
        Document::new().code_block(Some("json"), "{\"a\": [1]}\n*not bold*\n"),
        "{noformat}\n{\"a\": [1]}\n*not bold*\n{noformat}",
    );
    // Nothing inside can close the block, in any case or with parameters.
    check(
        Document::new().code_block(None, "x{noformat}y\n{NoFormat:title=t}\n{noformat"),
        "{noformat}\nx{\u{200B}noformat}y\n{\u{200B}NoFormat:title=t}\n{\u{200B}noformat\n{noformat}",
    );
    check(Document::new().code_block(None, "a\u{202E}b\u{0000}c\r\nd"), "{noformat}\nabc\nd\n{noformat}");
    check(Document::new().code_block(None, ""), "{noformat}\n\n{noformat}");
}

#[test]
fn blocks_are_separated_by_blank_lines() {
    check(
        Document::new().heading(1, "T").paragraph(vec![]).text_paragraph("a\nb").rule().text_paragraph("c"),
        "h1. T\n\na\nb\n\n----\n\nc",
    );
}

#[test]
fn huge_text() {
    let text = "{x}|".repeat(50_000);
    let wiki = Document::new().text_paragraph(&text).to_wiki();
    assert_eq!(wiki, r"\{x\}&#124;".repeat(50_000));
}

#[test]
fn a_typical_alert_description() {
    check(
        Document::new()
            .heading(2, "Impossible travel activity")
            .table(Table::facts([("User", "alice@contoso.com"), ("IPs", "203.0.113.7, 2001:db8::1")]))
            .paragraph(vec![
                Inline::text("Open "),
                Inline::link("the alert", "https://contoso.portal.cloudappsecurity.com/#/alerts/5f0c"),
            ])
            .code_block(None, "<p>User signed in from __siteIcon__ FR</p>\n"),
        "h2. Impossible travel activity\n\n\
         |*User*|alice@contoso.com|\n\
         |*IPs*|203.0.113.7, 2001&#58;db8::1|\n\n\
         Open [the alert|https://contoso.portal.cloudappsecurity.com/#/alerts/5f0c]\n\n\
         {noformat}\n<p>User signed in from __siteIcon__ FR</p>\n{noformat}",
    );
}
