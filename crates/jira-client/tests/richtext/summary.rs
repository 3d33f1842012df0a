//! The summary sanitiser.

use jira_client::sanitize_summary;

#[track_caller]
fn check(raw: &str, expected: &str) {
    assert_eq!(sanitize_summary(raw), expected);
}

#[test]
fn one_line_with_collapsed_whitespace() {
    check("Impossible travel", "Impossible travel");
    check("  a\r\n\tb  \n c ", "a b c");
    check("a\u{0000}b\u{0007}c\u{001B}d", "a b c d");
    check("a\u{2028}b\u{2029}c\u{0085}d\u{00A0}e", "a b c d e");
}

#[test]
fn bidi_controls_are_removed() {
    check("invoice\u{202E}fdp.exe", "invoicefdp.exe");
    check("a\u{2066}b\u{2069}c", "abc");
}

#[test]
fn never_empty() {
    check("", "(no title)");
    check(" \n\t\u{202E} ", "(no title)");
}

#[test]
fn markup_is_kept_verbatim() {
    // A summary is plain text to Jira: nothing in it is markup, so nothing is removed.
    let hostile = "Suspicious {html}<script>alert(1)</script>{html} [~admin] h1. activity";
    check(hostile, hostile);
    check("*bold* _em_ {noformat}x{noformat} &amp; <b>", "*bold* _em_ {noformat}x{noformat} &amp; <b>");
}

#[test]
fn at_most_255_characters() {
    let exact = "x".repeat(255);
    check(&exact, &exact);

    let long = sanitize_summary(&"x".repeat(256));
    assert_eq!(long.chars().count(), 255);
    assert!(long.ends_with("x…"));

    // Characters, not bytes: multi-byte text is cut on a character boundary.
    let wide = sanitize_summary(&"東".repeat(1000));
    assert_eq!(wide.chars().count(), 255);
    assert_eq!(wide, format!("{}…", "東".repeat(254)));

    // No space before the ellipsis.
    let spaced = sanitize_summary(&format!("{} tail", "y".repeat(253)));
    assert_eq!(spaced, format!("{}…", "y".repeat(253)));
}

/// Jira (Java) counts UTF-16 code units: a character outside the Basic Multilingual Plane, like an
/// emoji, counts twice.
#[test]
fn at_most_255_utf16_code_units() {
    // 129 emoji are 258 units: the summary Jira refused with "Summary must be less than 255
    // characters" when the limit was counted in characters.
    let emoji = sanitize_summary(&"🚨".repeat(129));
    assert_eq!(emoji.encode_utf16().count(), 255);
    assert_eq!(emoji, format!("{}…", "🚨".repeat(127)));

    // Exactly at the limit: kept whole.
    let exact = format!("{}x", "🚨".repeat(127));
    check(&exact, &exact);

    // One unit left for the ellipsis, and the next character needs two: it is not split.
    let odd = sanitize_summary(&format!("x{}", "🚨".repeat(200)));
    assert_eq!(odd, format!("x{}…", "🚨".repeat(126)));
    assert_eq!(odd.encode_utf16().count(), 254);

    // Mixed widths, with a space before the cut.
    let mixed = sanitize_summary(&format!("{} 😀😀", "a".repeat(252)));
    assert_eq!(mixed, format!("{}…", "a".repeat(252)));
    assert!(mixed.encode_utf16().count() <= 255);
    assert_eq!(jira_client::jira_len(&mixed), mixed.encode_utf16().count());
}
