//! Hostile text from alerts, end to end through the binary into both Jira renderings: nothing in
//! an alert can become markup, a link to a dangerous scheme, a bidi trick, or a JQL clause.

use serde_json::Value;

use crate::support::{Harness, HarnessOptions, alert_id, alerts};

const TITLE: &str =
    "Leaked credentials \u{202E}gnp.exe\u{202C} {noformat} *bold* [x|javascript:alert(1)]\r\nh1. second line";

/// Markup of every kind wiki and HTML know, bidi and control characters, and dangerous links.
const DESCRIPTION: &str = "<p>User <b>alice@contoso.com</b> signed in from 203.0.113.7</p>\
<script>alert('x')</script>\
<p>{noformat}</p><p>{code}still text{code}</p>\
<p>[click here|javascript:alert(1)] [data|data:text/html;base64,PHNjcmlwdD4=] !http://evil.example/x.png!</p>\
<p>{color:red}red{color} *bold* _em_ -struck- +ins+ ^sup^ ~sub~ ?? cite ?? :) (y) (x) |a|b|</p>\
<p>h1. not a heading</p><p>bq. not a quote</p><p>----</p>\
<p>\u{202E}evil\u{2066}isolate\u{2069} nul\u{0000} bell\u{0007} sep\u{2028}line</p>\
<a href=\"javascript:alert(2)\">link</a> <a href=\"vbscript:x\">vb</a>";

fn hostile_alerts(tenant: &str) -> Vec<Value> {
    let mut list = alerts(tenant, 2);
    list[0]["title"] = Value::from(TITLE);
    list[0]["description"] = Value::from(DESCRIPTION);
    list
}

#[track_caller]
fn check_summary(summary: &str) {
    assert!(summary.chars().count() <= 255, "{summary:?}");
    assert!(
        !summary.contains(
            |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        ),
        "{summary:?}"
    );
}

#[test]
fn cloud_adf_is_inert() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", hostile_alerts("contoso")));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h.assert_one_ticket_per_alert();
    let issue = h.ticket_of(&alert_id(&h.tenants[0].alerts[0]));
    check_summary(&issue.summary);
    let adf = issue.description.expect("a description");
    assert_eq!(adf["type"], "doc", "{adf}");
    let mut texts = String::new();
    walk_adf(&adf, &mut texts);
    assert!(
        texts.contains("alice@contoso.com") && texts.contains("{noformat}"),
        "the text itself is kept: {texts}"
    );
}

fn walk_adf(node: &Value, texts: &mut String) {
    if node["type"] == "text" {
        let text = node["text"].as_str().expect("text");
        assert!(!text.is_empty(), "empty text node");
        assert!(
            !text.contains(|c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{0000}' | '\u{0007}')),
            "{text:?}"
        );
        for mark in node["marks"].as_array().into_iter().flatten() {
            if mark["type"] == "link" {
                let href = mark["attrs"]["href"].as_str().unwrap_or_default().to_ascii_lowercase();
                assert!(
                    ["http://", "https://", "mailto:"].iter().any(|s| href.starts_with(s)),
                    "link to {href}"
                );
            }
        }
        texts.push_str(text);
    }
    for child in node["content"].as_array().into_iter().flatten() {
        walk_adf(child, texts);
    }
}

#[test]
fn server_wiki_is_inert() {
    let h = Harness::start(HarnessOptions::default().server().tenant("contoso", hostile_alerts("contoso")));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h.assert_one_ticket_per_alert();
    let issue = h.ticket_of(&alert_id(&h.tenants[0].alerts[0]));
    check_summary(&issue.summary);
    let wiki = issue.description.expect("a description");
    let wiki = wiki.as_str().expect("wiki markup is a string");
    assert!(wiki.contains("alice@contoso.com"), "{wiki}");
    for live in [
        "{noformat}",
        "{code}",
        "[click here|",
        "|javascript:",
        "|data:",
        "!http://",
        "{color:red}",
        "*bold*",
        "_em_",
        "|a|b|",
        ":)",
        "(y)",
        "\u{202E}",
        "\u{2066}",
        "\u{0000}",
        "\u{2028}",
        "\r",
    ] {
        assert!(!wiki.contains(live), "{live:?} survives in {wiki}");
    }
    for line in wiki.lines() {
        let start = line.trim_start();
        assert!(
            !start.starts_with("h1.") && !start.starts_with("bq.") && start != "----",
            "line-start markup: {line:?}"
        );
    }
}

/// An alert id written to break out of the label search: were it to, the search would match
/// other tickets and the pass would take new alerts for ticketed ones.
#[test]
fn a_hostile_alert_id_cannot_change_the_label_search() {
    let mut list = alerts("contoso", 3);
    let h = Harness::start(HarnessOptions::default().tenant("contoso", list[..1].to_vec()));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    list[1]["_id"] = Value::from("x\" OR labels is not EMPTY OR labels = \"y");
    h.mcas[0].add_alerts(list[1..].to_vec());
    let out = h.run(["run", "--json"]);
    let normal = alert_id(&list[2]);
    // The hostile alert is ticketed under a label that cannot be a clause, or fails on its own.
    assert!(out.alert_ids_of("ticket_created").contains(&normal), "{out}");
    assert!(out.alert_ids_of("already_ticketed").is_empty(), "{out}");
    assert_eq!(h.jira.count_with_label(&format!("mcas-{normal}")), 1);
}
