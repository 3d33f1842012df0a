//! Rules: each condition, first match wins, config errors naming the rule.

use std::collections::HashMap;
use std::net::IpAddr;

use alert_mapping::{Error, Facts, Reputation, ReputationFacts, RuleSpec, Rules};
use serde::Deserialize;
use serde_json::json;

use crate::{facts_of, sample_alert};

#[derive(Debug, Deserialize)]
struct Config {
    rules: Vec<RuleSpec>,
}

/// Parses `[[rules]]` tables as the binary does.
#[track_caller]
fn specs(toml_text: &str) -> Vec<RuleSpec> {
    toml::from_str::<Config>(toml_text).unwrap().rules
}

#[track_caller]
pub(crate) fn compile(toml_text: &str) -> Result<Rules, Error> {
    Rules::try_from(specs(toml_text).as_slice())
}

/// The impossible-travel sample: tenant contoso, Medium, user john@example.onmicrosoft.com,
/// IPs 1.2.3.4, 1.2.3.5 (entities) and 1.2.3.6 (text), policy "Impossible travel".
fn travel() -> Facts {
    facts_of(&sample_alert("alerts_sample_extended.json", 2))
}

fn known(score: u8) -> Reputation {
    let mut facts = ReputationFacts::default();
    facts.score = Some(score);
    Reputation::Known(facts)
}

fn scores(pairs: &[(&str, Reputation)]) -> HashMap<IpAddr, Reputation> {
    pairs.iter().map(|(ip, rep)| (ip.parse().unwrap(), rep.clone())).collect()
}

/// Which rule (1-based) matches the travel alert, given the IP reputations.
#[track_caller]
fn check_with(match_table: &str, reputations: &HashMap<IpAddr, Reputation>, expected: Option<usize>) {
    let rules = compile(&format!("[[rules]]\nmatch = {match_table}\nlabels = [\"hit\"]\n")).unwrap();
    let got = rules.first_match(&travel(), reputations).map(|m| m.position);
    assert_eq!(got, expected, "match = {match_table}");
}

#[track_caller]
fn check(match_table: &str, matches: bool) {
    check_with(match_table, &HashMap::new(), matches.then_some(1));
}

#[test]
fn each_condition() {
    check("{}", true);
    check("{ title = \"(?i)impossible travel\" }", true);
    check("{ title = \"^travel\" }", false);
    check("{ description = \"96 minutes\" }", true);
    check("{ description = \"<p>\" }", false);
    check("{ user = \"^john@\" }", true);
    check("{ user = \"^jane@\" }", false);
    check("{ user_domain = \"^example\\\\.onmicrosoft\\\\.com$\" }", true);
    check("{ user_domain = \"^contoso\\\\.com$\" }", false);
    check("{ tenant = \"^contoso$\" }", true);
    check("{ tenant = \"fabrikam\" }", false);
    check("{ policy = \"Impossible\" }", true);
    check("{ policy = \"Mass download\" }", false);
    check("{ alert_type = \"^15859716$\" }", true);
    check("{ alert_type = \"^1$\" }", false);
    check("{ severities = [\"medium\", \"high\"] }", true);
    check("{ severities = [\"HIGH\"] }", false);
    check("{ severity = \"Medium\" }", true);
    check("{ severity = \"low\" }", false);
    check("{ title = \"travel\", tenant = \"contoso\", severity = \"medium\" }", true);
    check("{ title = \"travel\", tenant = \"fabrikam\" }", false);
    // No reputation known: a score condition never matches.
    check("{ min_ip_score = 0 }", false);
}

#[test]
fn ip_score() {
    let some = scores(&[
        ("1.2.3.4", known(10)),
        ("1.2.3.6", known(85)),
        ("1.2.3.5", Reputation::unavailable("quota")),
    ]);
    check_with("{ min_ip_score = 80 }", &some, Some(1));
    check_with("{ min_ip_score = 85 }", &some, Some(1));
    check_with("{ min_ip_score = 86 }", &some, None);
    // A reputation for an IP that is not in the alert does not count.
    check_with("{ min_ip_score = 50 }", &scores(&[("9.9.9.9", known(100))]), None);
    check_with(
        "{ min_ip_score = 50 }",
        &scores(&[("1.2.3.5", Reputation::not_looked_up("enrichment off"))]),
        None,
    );
}

#[test]
fn optional_values_never_match_when_missing() {
    let bare = facts_of(&json!({"_id": "x", "timestamp": 0}));
    for table in
        ["{ policy = \".*\" }", "{ user = \".*\" }", "{ user_domain = \".*\" }", "{ alert_type = \".*\" }"]
    {
        let rules = compile(&format!("[[rules]]\nmatch = {table}\n")).unwrap();
        assert_eq!(rules.first_match(&bare, &HashMap::new()), None, "{table}");
    }
    let rules = compile("[[rules]]\nmatch = { title = \"untitled\", description = \"^$\" }\n").unwrap();
    assert!(rules.first_match(&bare, &HashMap::new()).is_some());
}

#[test]
fn first_match_wins() {
    let rules = compile(
        r#"
        [[rules]]
        match = { tenant = "fabrikam" }
        priority = "Lowest"

        [[rules]]
        match = { title = "(?i)travel" }
        priority = "Highest"
        labels = ["travel"]
        components = ["SOC"]
        issue_type = "Incident"

        [[rules]]
        match = { severity = "medium" }
        priority = "Low"
        "#,
    )
    .unwrap();
    assert_eq!(rules.len(), 3);
    let m = rules.first_match(&travel(), &HashMap::new()).unwrap();
    assert_eq!(m.position, 2);
    assert_eq!(m.action.priority.as_deref(), Some("Highest"));
    assert_eq!(m.action.labels, ["travel"]);
    assert_eq!(m.action.components, ["SOC"]);
    assert_eq!(m.action.issue_type.as_deref(), Some("Incident"));
    assert!(!m.action.skip);
    assert!(Rules::none().first_match(&travel(), &HashMap::new()).is_none());
}

/// Compiling fails with exactly this message (the whole chain on one line).
#[track_caller]
fn check_error(toml_text: &str, expected: &str) {
    let err = compile(toml_text).unwrap_err();
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(s.to_string().lines().next().unwrap_or_default());
        source = s.source();
    }
    assert!(message.starts_with(expected), "got {message:?}, expected it to start with {expected:?}");
}

#[test]
fn errors_name_the_rule() {
    let ok = "[[rules]]\nmatch = { title = \"a\" }\n";
    check_error(
        &format!("{ok}{ok}[[rules]]\nmatch = {{ user = \"(unclosed\" }}\n"),
        "rule 3: invalid `user` pattern \"(unclosed\": regex parse error",
    );
    check_error("[[rules]]\nmatch = { title = \"[z-a]\" }\n", "rule 1: invalid `title` pattern \"[z-a]\"");
    check_error(
        &format!("{ok}[[rules]]\nmatch = {{ severities = [\"critical\"] }}\n"),
        "rule 2: unknown severity \"critical\"",
    );
    check_error("[[rules]]\nmatch = { min_ip_score = 101 }\n", "rule 1: min_ip_score 101 is above 100");
    check_error(
        "[[rules]]\nlabels = [\"two words\"]\n",
        "rule 1: invalid label \"two words\": a label cannot contain white space",
    );
    check_error("[[rules]]\npriority = \" \"\n", "rule 1: empty priority");
    check_error("[[rules]]\ncomponents = [\"\"]\n", "rule 1: empty component name");
}

#[test]
fn unknown_keys_are_rejected() {
    let err = toml::from_str::<Config>("[[rules]]\nmatch = { titel = \"x\" }\n").unwrap_err();
    assert!(err.to_string().contains("unknown field `titel`"), "{err}");
    let err = toml::from_str::<Config>("[[rules]]\npriorty = \"High\"\n").unwrap_err();
    assert!(err.to_string().contains("unknown field `priorty`"), "{err}");
    let err = toml::from_str::<Config>("[[rules]]\nmatch = { min_ip_score = 300 }\n").unwrap_err();
    assert!(err.to_string().contains("min_ip_score"), "{err}");
}
