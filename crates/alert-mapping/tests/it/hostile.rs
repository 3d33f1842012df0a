//! Hostile alerts: markup, huge text, bidi and control characters, floods of entities and IPs.

use std::collections::HashMap;
use std::time::Instant;

use alert_mapping::{Facts, MAX_FROM_TEXT};
use jira_client::richtext::{CUT_NOTE, DESCRIPTION_MAX_LEN};
use serde_json::{Value, json};

use crate::{adf_text, assert_valid_adf, default_mapper, draft_with, facts_of};

fn alert(extra: Value) -> Value {
    let mut base = json!({"_id": "5f06d71dba4289d0602ba5ac", "timestamp": 1594283802753_i64});
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        base.extend(extra);
    }
    base
}

/// Maps a hostile alert and checks what must hold for any alert: a one-line summary of at most
/// 255 UTF-16 code units (Jira's count) without bidi controls, valid ADF within Jira's limit, wiki within the limit.
#[track_caller]
fn check(json: Value, expected_in_description: &[&str], absent: &[&str]) -> Facts {
    let facts = facts_of(&json);
    let draft = draft_with(&default_mapper(), &facts, &HashMap::new());
    assert!(!draft.summary.is_empty() && draft.summary.encode_utf16().count() <= 255, "{:?}", draft.summary);
    assert!(!draft.summary.contains(['\n', '\r', '\t', '\u{202E}', '\u{2066}']), "{:?}", draft.summary);
    assert!(draft.labels.iter().all(|l| !l.as_str().contains(char::is_whitespace)), "{:?}", draft.labels);
    let adf = draft.description.to_adf_limited(DESCRIPTION_MAX_LEN);
    assert_valid_adf(&adf);
    assert!(adf.to_string().encode_utf16().count() <= DESCRIPTION_MAX_LEN);
    assert!(
        draft.description.to_wiki_limited(DESCRIPTION_MAX_LEN).encode_utf16().count() <= DESCRIPTION_MAX_LEN
    );
    let text = adf_text(&adf);
    for want in expected_in_description {
        assert!(
            text.contains(want),
            "description lacks {want:?}:\n{}",
            &text[text.len().saturating_sub(600)..]
        );
    }
    for unwanted in absent {
        assert!(!text.contains(unwanted), "description has {unwanted:?}");
    }
    facts
}

#[test]
fn markup_and_scripts() {
    let facts = check(
        alert(json!({
            "title": "<script>alert(1)</script>Mass <b>download</b>",
            "description": "<div onclick=\"x()\">Hi <img src=x onerror=alert(1)>there</div><style>p{}</style><!-- c -->\
                            <a href=\"javascript:alert(1)\">click</a> &lt;b&gt;not bold&lt;/b&gt; {noformat} [~admin] *bold*",
        })),
        &["Hi there\nclick <b>not bold</b> {noformat} [~admin] *bold*"],
        &["<script>", "onerror", "javascript:", "<div"],
    );
    // A title is plain text: its markup is its own words, shown as written (and escaped where
    // the description renders it).
    assert_eq!(facts.title, "<script>alert(1)</script>Mass <b>download</b>");
}

#[test]
fn titles_are_verbatim_and_summaries_fit_jira() {
    let hostile = "Suspicious {html}<script>alert(1)</script>{html} [~admin] h1. activity";
    let facts = check(alert(json!({ "title": hostile })), &[], &[]);
    assert_eq!(facts.title, hostile);
    let draft = draft_with(&default_mapper(), &facts, &HashMap::new());
    assert!(draft.summary.ends_with(hostile), "{}", draft.summary);

    // 129 emoji: 258 UTF-16 code units, which Jira refused when the cut counted characters.
    let emoji = "🚨".repeat(129);
    let facts = check(alert(json!({ "title": emoji })), &[], &[]);
    let draft = draft_with(&default_mapper(), &facts, &HashMap::new());
    assert_eq!(draft.summary.encode_utf16().count(), 255, "{}", draft.summary);
    assert!(draft.summary.ends_with("🚨…"));
}

#[test]
fn bidi_and_control_characters() {
    let facts = check(
        alert(json!({
            "title": "Invoice\u{202E}fdp.exe\u{202C} for\u{0000}\u{0007} you\r\nnow",
            "description": "x\u{2066}y\u{2069}z \u{001B}[31mred",
            "entities": [{"type": "user", "id": "ev\u{202E}il@example.com"}],
        })),
        &["xyz [31mred", "Affected users\nevil@example.com\n"],
        &["\u{202E}", "\u{2066}", "\u{001B}"],
    );
    assert_eq!(facts.title, "Invoicefdp.exe for you now");
}

#[test]
fn huge_description_is_cut_with_a_note() {
    let line = "The user performed failed sign in activities from 1.2.3.6 in Netherlands. ";
    let huge = format!("<p>{}</p>", line.repeat(20_000)); // about 1.5 MB
    let started = Instant::now();
    let facts = check(
        alert(json!({ "description": huge })),
        &["in Netherlands. The user performed faile… (description cut)"],
        &[],
    );
    assert!(started.elapsed().as_secs() < 10, "took {:?}", started.elapsed());
    assert_eq!(facts.ips.len(), 1);
    let many_lines = "short line<br>".repeat(50_000);
    check(alert(json!({ "description": many_lines })), &["Tenant\ncontoso\n", CUT_NOTE], &[]);
}

#[test]
fn floods_are_bounded() {
    let ips: String = (0..5_000).map(|n| format!("8.{}.{}.1 ", n / 256, n % 256)).collect();
    let emails: String = (0..5_000).map(|n| format!("user{n}@example.com ")).collect();
    let facts = check(alert(json!({ "description": format!("{ips}{emails}") })), &[], &[]);
    assert_eq!(facts.ips.len(), MAX_FROM_TEXT);
    assert_eq!(facts.users.len(), MAX_FROM_TEXT);

    let entities: Vec<Value> =
        (0..3_000).map(|n| json!({"type": "ip", "id": format!("9.9.{}.{}", n / 256, n % 256)})).collect();
    let facts = check(alert(json!({ "entities": entities })), &["… and 2900 more"], &[]);
    // Entities are taken whole: they are what the alert is about.
    assert_eq!(facts.ips.len(), 3_000);
}

#[test]
fn odd_addresses() {
    let facts = check(
        alert(json!({
            "entities": [
                {"type": "ip", "id": "999.1.1.1"},
                {"type": "ip", "id": "2001:db8::1"},
                {"type": "ip", "id": "2606:4700:4700::1111"},
                {"type": "ip", "id": " 8.8.8.8 "},
                {"type": "ip", "id": "[2a00:1450::1]"},
            ],
            "description": "from 999.1.1.1, 1.2.3, 01.02.03.04, 256.1.1.1, 1.1.1.1.1, fe80::1%eth0 and 2606:4700:4700::1111",
        })),
        &["2001:db8::1 — not looked up: not a public address", "2606:4700:4700::1111 — not looked up\n"],
        &[],
    );
    let listed: Vec<String> = facts.ips.iter().map(|f| f.ip.to_string()).collect();
    assert_eq!(listed, ["2001:db8::1", "2606:4700:4700::1111", "8.8.8.8", "2a00:1450::1", "fe80::1"]);
    let lookup: Vec<String> = facts.lookup_ips().iter().map(ToString::to_string).collect();
    assert_eq!(lookup, ["2606:4700:4700::1111", "8.8.8.8", "2a00:1450::1"]);
}

#[test]
fn wrong_types_everywhere() {
    check(
        alert(json!({
            "title": 42, "description": ["a"], "severityValue": "high", "URL": {"x": 1}, "policy": "p",
            "threatScore": "NaN", "entities": [{"type": "user"}, {"type": "account", "id": null}, {"type": 5}],
        })),
        &["Severity\nUnknown\n"],
        &[],
    );
    check(
        alert(json!({"title": "\u{FEFF}\u{200B}", "description": "&#x202E;&#0;&#xD800;"})),
        &[],
        &["\u{202E}"],
    );
    check(alert(json!({"title": "x".repeat(100_000)})), &[], &[]);
}

#[test]
fn pathological_markup_is_linear() {
    // Each of these made an earlier version quadratic; 200,000 repetitions must take well under
    // a second each (the bound below is loose for slow CI machines).
    for unit in [
        "<script>x</script>",
        " <p>",
        "&nbsp;<p>",
        "<a href=\"https://e.com\">",
        "<",
        "&",
        "a@",
        "1.",
        "::",
        "::1 1.1.1.1 ",
    ] {
        let input = unit.repeat(200_000);
        let started = Instant::now();
        let _ = facts_of(&alert(json!({ "description": input })));
        assert!(started.elapsed().as_secs() < 5, "{unit:?} took {:?}", started.elapsed());
    }
}
