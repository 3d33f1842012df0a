//! JQL quoting and clause helpers, with hostile values.

use jira_client::jql;

#[track_caller]
fn check(actual: String, expected: &str) {
    assert_eq!(actual, expected);
}

#[test]
fn quote() {
    check(jql::quote(""), r#""""#);
    check(jql::quote("plain value"), r#""plain value""#);
    check(jql::quote(r#"a"b"#), r#""a\"b""#);
    check(jql::quote(r"a\b"), r#""a\\b""#);
    check(jql::quote(r#"x\"#), r#""x\\""#);
    check(jql::quote(r#"x\" OR project = X OR "#), r#""x\\\" OR project = X OR ""#);
    check(jql::quote(r#"") OR project = X --"#), r#""\") OR project = X --""#);
    check(jql::quote("a\nb\rc\td"), r#""a\nb\rc\td""#);
    check(jql::quote("a\u{0000}b\u{001B}c\u{007F}"), r#""a\u0000b\u001bc\u007f""#);
    check(jql::quote("a\u{202E}b\u{2028}c\u{200B}"), r#""a\u202eb\u2028c\u200b""#);
    check(jql::quote("x\u{E0041}"), r#""x\udb40\udc41""#);
    check(jql::quote("Zürich 東京 🙂 'single'"), r#""Zürich 東京 🙂 'single'""#);
}

#[test]
fn field_names() {
    check(jql::field("labels"), "labels");
    check(jql::field("issuetype"), "issuetype");
    check(jql::field("customfield_10109"), "cf[10109]");
    check(jql::field("cf[10109]"), "cf[10109]");
    check(jql::field("customfield_x"), "customfield_x");
    check(jql::field("Alert URL"), r#""Alert URL""#);
    check(jql::field("order"), r#""order""#);
    check(jql::field("AND"), r#""AND""#);
    check(jql::field(""), r#""""#);
    check(jql::field("x = 1 OR y"), r#""x = 1 OR y""#);
}

#[test]
fn field_eq() {
    check(jql::field_eq("project", "SEC"), r#"project = "SEC""#);
    check(jql::field_eq("Alert URL", "https://x.test/\"a"), r#""Alert URL" = "https://x.test/\"a""#);
    check(
        jql::field_eq("summary", "x\" OR reporter = admin OR summary ~ \""),
        r#"summary = "x\" OR reporter = admin OR summary ~ \"""#,
    );
}

#[test]
fn field_in_and_labels_in() {
    check(jql::labels_in(&["a", "b"]), r#"labels in ("a", "b")"#);
    check(jql::labels_in(&[String::from("mcas")]), r#"labels in ("mcas")"#);
    check(
        jql::labels_in(&[r#"") OR project = X OR labels in (""#]),
        r#"labels in ("\") OR project = X OR labels in (\"")"#,
    );
    check(jql::labels_in::<&str>(&[]), "labels in ()");
    check(
        jql::field_in("customfield_10107", &["alice@example.com"]),
        r#"cf[10107] in ("alice@example.com")"#,
    );
}

#[test]
fn keys_in() {
    check(jql::keys_in(&["SEC-1", "AB_2-99"]), "key in (SEC-1, AB_2-99)");
    check(
        jql::keys_in(&["sec-1", "S-1", "SEC-", "SEC-1a", "-1", "SEC-1) OR (key = X-1", "SEC-1\n"]),
        r#"key in ("sec-1", "S-1", "SEC-", "SEC-1a", "-1", "SEC-1) OR (key = X-1", "SEC-1\n")"#,
    );
}
