//! The ticket draft: summary template, labels, priority, issue type, skip, description, fields.

use std::collections::HashMap;
use std::net::IpAddr;

use alert_mapping::{
    Error, Facts, FieldValue, Mapped, Mapper, MappingConfig, Reputation, RuleSpec, Rules, SeverityPriorities,
    TicketAttribute, TicketDraft,
};
use jira_client::richtext::DESCRIPTION_MAX_LEN;
use jira_client::{Deployment, FieldShape, ProjectRef};
use serde_json::{Value, json};

use crate::{
    adf_text, assert_valid_adf, default_mapper, draft_with, facts_of, reputation_fixture, sample_alert,
};

/// The impossible-travel sample (Medium; IPs 1.2.3.4 and 1.2.3.5 from entities, 1.2.3.6 from text).
fn travel() -> Facts {
    facts_of(&sample_alert("alerts_sample_extended.json", 2))
}

fn bare() -> Facts {
    facts_of(&json!({"_id": "x1", "timestamp": 0}))
}

pub(crate) fn rules(toml_text: &str) -> Rules {
    #[derive(serde::Deserialize)]
    struct Config {
        rules: Vec<RuleSpec>,
    }
    let config: Config = toml::from_str(toml_text).unwrap();
    Rules::try_from(&config.rules).unwrap()
}

#[track_caller]
pub(crate) fn check_summary(template: &str, facts: &Facts, expected: &str) {
    let mapper = Mapper::new(MappingConfig::new(Deployment::Cloud).summary_template(template)).unwrap();
    assert_eq!(draft_with(&mapper, facts, &HashMap::new()).summary, expected, "template {template:?}");
}

#[test]
fn summary_template() {
    let t = travel();
    check_summary("[{tenant}] {title}", &t, "[contoso] Impossible travel activity");
    check_summary("{title}", &t, "Impossible travel activity");
    check_summary(
        "[{tenant}] {severity}: {title} ({user})",
        &t,
        "[contoso] Medium: Impossible travel activity (john@example.onmicrosoft.com)",
    );
    check_summary("{alert_id}", &t, "60edead2cdbeaf0b87e13377");
    check_summary("{ip} / {ips}", &t, "1.2.3.4 / 1.2.3.4, 1.2.3.5, 1.2.3.6");
    check_summary("{time} {date}", &t, "2021-07-13 16:18:15 UTC 2021-07-13");
    check_summary(
        "{policy}|{service}|{country}|{alert_type}",
        &t,
        "Impossible travel|Microsoft Exchange Online|IL|15859716",
    );
    check_summary("{users}", &t, "john@example.onmicrosoft.com");
    check_summary("{{literal}} { title }", &t, "{literal} Impossible travel activity");
    check_summary("{summary}", &t, &{
        let s = t.summary_sentence.clone();
        assert!(s.chars().count() < 255);
        s
    });
    // Values an alert lacks are empty, and an empty summary is never sent.
    check_summary("{policy}{user}{ip}{service}{country}", &bare(), "(no title)");
    check_summary("  [{tenant}]\n\t{title}  ", &bare(), "[contoso] (untitled alert)");
    let long = format!("{{title}} {}", "x".repeat(400));
    let mapper = Mapper::new(MappingConfig::new(Deployment::Cloud).summary_template(long)).unwrap();
    let summary = draft_with(&mapper, &t, &HashMap::new()).summary;
    assert_eq!(summary.chars().count(), 255);
    assert!(summary.ends_with('…'));
}

#[track_caller]
fn check_template_error(template: &str, expected: &str) {
    let err = Mapper::new(MappingConfig::new(Deployment::Cloud).summary_template(template)).unwrap_err();
    assert!(matches!(err, Error::Template { .. }), "{err:?}");
    assert!(err.to_string().contains(expected), "{err} should contain {expected:?}");
}

#[test]
fn template_errors() {
    check_template_error("{nope}", "unknown placeholder `{nope}`; known: tenant, title,");
    check_template_error("[{tenant}] {title", "unclosed `{` at character 11");
    check_template_error("title}", "lone `}` at character 5");
    check_template_error("{}", "unknown placeholder `{}`");
    assert_eq!(alert_mapping::DEFAULT_SUMMARY_TEMPLATE, "[{tenant}] {title}");
    assert!(alert_mapping::PLACEHOLDERS.iter().any(|(name, _)| *name == "ip"));
}

#[test]
fn labels_priority_issue_type_components() {
    let config = MappingConfig::new(Deployment::Cloud)
        .labels(["mcas", "soc"])
        .priorities(SeverityPriorities { medium: Some("Medium".into()), ..Default::default() })
        .issue_type("Task");
    let plain = Mapper::new(config.clone()).unwrap();
    let draft = draft_with(&plain, &travel(), &HashMap::new());
    assert_eq!(draft.labels, ["mcas-60edead2cdbeaf0b87e13377", "mcas", "soc"]);
    assert_eq!(draft.priority.as_deref(), Some("Medium"));
    assert_eq!(draft.issue_type.as_deref(), Some("Task"));
    assert!(draft.components.is_empty());
    assert_eq!(draft.rule, None);
    // Unknown severity: no priority, Jira's default applies.
    assert_eq!(draft_with(&plain, &bare(), &HashMap::new()).priority, None);

    let with_rule = Mapper::new(config.rules(rules(
        r#"
        [[rules]]
        match = { title = "travel" }
        priority = "Highest"
        labels = ["travel", "mcas"]
        components = ["SOC", "Identity"]
        issue_type = "Incident"
        "#,
    )))
    .unwrap();
    let draft = draft_with(&with_rule, &travel(), &HashMap::new());
    assert_eq!(draft.labels, ["mcas-60edead2cdbeaf0b87e13377", "mcas", "soc", "travel"]);
    assert_eq!(draft.priority.as_deref(), Some("Highest"));
    assert_eq!(draft.issue_type.as_deref(), Some("Incident"));
    assert_eq!(draft.components, ["SOC", "Identity"]);
    assert_eq!(draft.rule, Some(1));
    // A rule without a priority leaves the severity's.
    let quiet = Mapper::new(
        MappingConfig::new(Deployment::Cloud)
            .priorities(SeverityPriorities { medium: Some("Medium".into()), ..Default::default() })
            .rules(rules("[[rules]]\nlabels = [\"all\"]\n")),
    )
    .unwrap();
    assert_eq!(draft_with(&quiet, &travel(), &HashMap::new()).priority.as_deref(), Some("Medium"));

    let err = Mapper::new(MappingConfig::new(Deployment::Cloud).labels(["two words"])).unwrap_err();
    assert_eq!(err.to_string(), "invalid label \"two words\": a label cannot contain white space");
}

#[test]
fn priorities_from_config() {
    let priorities: SeverityPriorities =
        toml::from_str("high = \"High\"\nmedium = \"Medium\"\nlow = \"Low\"\ninformational = \"Lowest\"\n")
            .unwrap();
    assert_eq!(priorities.get(alert_mapping::Severity::Informational), Some("Lowest"));
    let unknown = alert_mapping::Severity::from_mcas(mcas_client::Severity::Unknown(9));
    assert_eq!(unknown.and_then(|severity| priorities.get(severity)), None);
    assert!(toml::from_str::<SeverityPriorities>("critical = \"Highest\"\n").is_err());
}

#[test]
fn skip() {
    let mapper = Mapper::new(MappingConfig::new(Deployment::Cloud).rules(rules(
        r#"
        [[rules]]
        match = { tenant = "other" }
        skip = true

        [[rules]]
        match = { severity = "medium" }
        skip = true
        "#,
    )))
    .unwrap();
    assert_eq!(mapper.map(&travel(), &HashMap::new()).unwrap(), Mapped::Skip { rule: 2 });
    assert_eq!(mapper.rules().len(), 2);
}

fn travel_reputations() -> HashMap<IpAddr, Reputation> {
    HashMap::from([
        ("1.2.3.4".parse().unwrap(), reputation_fixture("check_verbose.json")),
        ("1.2.3.5".parse().unwrap(), Reputation::unavailable("daily quota exhausted")),
    ])
}

#[test]
fn description_document() {
    let draft = draft_with(&default_mapper(), &travel(), &travel_reputations());
    let adf = draft.description.to_adf();
    assert_valid_adf(&adf);
    let text = adf_text(&adf);
    for expected in [
        "Tenant\ncontoso\n",
        "Severity\nMedium\n",
        "Time (UTC)\n2021-07-13 16:18:15 UTC\n",
        "Alert\nOpen the alert in Defender for Cloud Apps\n",
        "Alert id\n60edead2cdbeaf0b87e13377\n",
        "Policy\nImpossible travel\n",
        "Threat score\n33\n",
        "Affected users\njohn@example.onmicrosoft.com\n",
        "IP addresses\n1.2.3.4 — score 100/100, China (CN), Data Center/Web Hosting/Transit, \
         ISP Tencent Cloud Computing (Beijing) Co. Ltd (tencent.com), 1 report from 1 user, Tor: no, \
         last reported 2018-12-20 20:55:14 UTC\n\
         1.2.3.5 — unavailable: daily quota exhausted\n\
         1.2.3.6 — not looked up (found in the text)\n",
        "Apps\nMicrosoft Exchange Online, Office 365, Microsoft Azure\n",
        "Countries\nIL, NL\n",
        "Description\nThe user John Example (john@example.onmicrosoft.com) perform failed",
        "within 96 minutes.\nIf these are IP addresses",
        "Entities\npolicyRule: Impossible travel (id 5e6fa96cb5172297ca756554)\n",
        "account: John Example (john@example.onmicrosoft.com)\n",
        "ip: 1.2.3.5\ncountry: IL\ncountry: NL\n",
    ] {
        assert!(text.contains(expected), "description lacks {expected:?}:\n{text}");
    }
    let link = adf.to_string();
    assert!(link.contains(
        r#""href":"https://example.portal.cloudappsecurity.com/#/alerts/60edead2cdbeaf0b87e13377""#
    ));
    let wiki = draft.description.to_wiki();
    assert!(wiki.contains("score 100/100"), "{wiki}");
    assert!(wiki.contains("[Open the alert in Defender for Cloud Apps|https://example.portal.cloudappsecurity.com/#/alerts/60edead2cdbeaf0b87e13377]"), "{wiki}");
}

#[test]
fn reputation_texts() {
    let private = facts_of(&json!({"_id": "p", "timestamp": 0, "entities": [
        {"type": "ip", "id": "10.1.1.1"}, {"type": "ip", "id": "220.253.27.156"}, {"type": "ip", "id": "8.8.8.8"}
    ]}));
    let reputations = HashMap::from([
        ("220.253.27.156".parse().unwrap(), reputation_fixture("check_nulls.json")),
        ("8.8.8.8".parse().unwrap(), Reputation::not_looked_up("enrichment off")),
    ]);
    let text = adf_text(&draft_with(&default_mapper(), &private, &reputations).description.to_adf());
    assert!(text.contains("10.1.1.1 — not looked up: not a public address\n"), "{text}");
    assert!(
        text.contains("220.253.27.156 — score 0/100, ISP iiNET Limited, 0 reports from 0 users\n"),
        "{text}"
    );
    assert!(text.contains("8.8.8.8 — not looked up: enrichment off\n"), "{text}");
    let none = adf_text(&draft_with(&default_mapper(), &bare(), &HashMap::new()).description.to_adf());
    assert!(none.contains("Affected users\nnone found\nIP addresses\nnone found\n"), "{none}");
    assert!(none.contains("Description\n(no description)\n"), "{none}");
    assert!(!none.contains("Entities"), "{none}");
}

#[test]
fn reputation_serde_round_trip() {
    for reputation in [
        reputation_fixture("check_verbose.json"),
        Reputation::unavailable("quota"),
        Reputation::not_looked_up("off"),
    ] {
        let json = serde_json::to_value(&reputation).unwrap();
        assert!(json.get("status").is_some(), "{json}");
        assert_eq!(serde_json::from_value::<Reputation>(json).unwrap(), reputation);
    }
    assert_eq!(
        serde_json::to_value(Reputation::unavailable("q")).unwrap(),
        json!({"status": "unavailable", "reason": "q"})
    );
    assert_eq!(reputation_fixture("check_verbose.json").score(), Some(100));
}

/// The value written to a field of `shape` for `attribute`, for the travel alert.
#[track_caller]
fn check_field(
    attribute: TicketAttribute,
    shape: FieldShape,
    deployment: Deployment,
    expected: Option<Value>,
) {
    check_field_of(&travel(), attribute, shape, deployment, expected);
}

#[track_caller]
fn check_field_of(
    facts: &Facts,
    attribute: TicketAttribute,
    shape: FieldShape,
    deployment: Deployment,
    expected: Option<Value>,
) {
    let mapper =
        Mapper::new(MappingConfig::new(deployment).field(attribute, "customfield_1", shape.clone())).unwrap();
    let draft = draft_with(&mapper, facts, &travel_reputations());
    assert_eq!(sent_field(&draft, "customfield_1", deployment), expected, "{attribute} as {shape:?}");
}

/// The value Jira is sent for the field `id` of the draft's ticket on `deployment`.
fn sent_field(draft: &TicketDraft, id: &str, deployment: Deployment) -> Option<Value> {
    let body = draft.to_new_issue(ProjectRef::key("SEC"), "Task").to_request_body(deployment);
    body["fields"].get(id).cloned()
}

#[test]
fn field_values() {
    use Deployment::{Cloud, Server};
    use FieldShape as S;
    use TicketAttribute as A;
    let url = "https://example.portal.cloudappsecurity.com/#/alerts/60edead2cdbeaf0b87e13377";
    check_field(A::AlertUrl, S::Url, Cloud, Some(json!(url)));
    check_field(A::AlertUrl, S::Text, Server, Some(json!(url)));
    check_field(A::AffectedUser, S::Text, Cloud, Some(json!("john@example.onmicrosoft.com")));
    check_field(A::AffectedUser, S::Labels, Cloud, Some(json!(["john@example.onmicrosoft.com"])));
    check_field(A::Ips, S::Text, Cloud, Some(json!("1.2.3.4, 1.2.3.5, 1.2.3.6")));
    check_field(A::Ips, S::Labels, Cloud, Some(json!(["1.2.3.4", "1.2.3.5", "1.2.3.6"])));
    check_field(A::Ips, S::Array(Box::new(S::Text)), Cloud, Some(json!(["1.2.3.4", "1.2.3.5", "1.2.3.6"])));
    check_field(
        A::Ips,
        S::Array(Box::new(S::Option)),
        Cloud,
        Some(json!([{"value": "1.2.3.4"}, {"value": "1.2.3.5"}, {"value": "1.2.3.6"}])),
    );
    check_field(A::Severity, S::Option, Cloud, Some(json!({"value": "Medium"})));
    check_field(A::Severity, S::Array(Box::new(S::Option)), Cloud, Some(json!([{"value": "Medium"}])));
    check_field(A::Tenant, S::Labels, Cloud, Some(json!(["contoso"])));
    check_field(A::Policy, S::Labels, Cloud, Some(json!(["Impossible_travel"])));
    check_field(A::Policy, S::Text, Cloud, Some(json!("Impossible travel")));
    check_field_of(&bare(), A::Policy, S::Text, Cloud, None);
    check_field_of(&bare(), A::Ips, S::Labels, Cloud, None);
    check_field(A::AlertTime, S::DateTime, Cloud, Some(json!("2021-07-13T16:18:15.126+0000")));
    check_field(A::AlertTime, S::Date, Server, Some(json!("2021-07-13")));
    check_field(A::AlertTime, S::Text, Cloud, Some(json!("2021-07-13 16:18:15 UTC")));
    check_field(A::AlertId, S::Text, Cloud, Some(json!("60edead2cdbeaf0b87e13377")));
    let one_line = |reputations: &HashMap<IpAddr, Reputation>| {
        let mapper =
            Mapper::new(MappingConfig::new(Cloud).field(A::IpReputation, "customfield_1", S::Text)).unwrap();
        let draft = draft_with(&mapper, &travel(), reputations);
        draft.field("customfield_1").and_then(FieldValue::as_json).unwrap().as_str().unwrap().to_owned()
    };
    let cut = one_line(&travel_reputations());
    assert!(cut.starts_with("1.2.3.4: score 100/100, China (CN), "), "{cut}");
    assert!(cut.ends_with(" UTC; 1.2.3.5: unavailable: daily quota exhausted; 1.2.3.6:…"), "{cut}");
    assert!(cut.chars().count() <= 255, "{cut}");
    assert_eq!(
        one_line(&HashMap::new()),
        "1.2.3.4: not looked up; 1.2.3.5: not looked up; 1.2.3.6: not looked up"
    );
    // Rich text on Server/Data Center is wiki markup (escaped by jira-client), one IP a line.
    let mapper =
        Mapper::new(MappingConfig::new(Server).field(A::IpReputation, "customfield_1", S::RichText)).unwrap();
    let draft = draft_with(&mapper, &travel(), &travel_reputations());
    assert!(matches!(draft.field("customfield_1"), Some(FieldValue::RichText(_))));
    let wiki = sent_field(&draft, "customfield_1", Server).unwrap();
    let wiki = wiki.as_str().unwrap();
    assert!(wiki.starts_with("1.2.3.4: score 100/100"), "{wiki}");
    assert!(
        wiki.ends_with("\n1.2.3.5: unavailable: daily quota exhausted\n1.2.3.6: not looked up"),
        "{wiki}"
    );

    // Rich text on Cloud is an ADF document.
    let mapper =
        Mapper::new(MappingConfig::new(Cloud).field(A::AlertDescription, "customfield_2", S::RichText))
            .unwrap();
    let draft = draft_with(&mapper, &travel(), &HashMap::new());
    let adf = sent_field(&draft, "customfield_2", Cloud).unwrap();
    assert_valid_adf(&adf);
    assert!(adf_text(&adf).contains("within 96 minutes.\nIf these"));

    // A single-line text field takes at most 255 characters.
    let long = facts_of(&json!({"_id": "l", "timestamp": 0, "description": "word ".repeat(200)}));
    let mapper =
        Mapper::new(MappingConfig::new(Cloud).field(A::AlertDescription, "customfield_3", S::Text)).unwrap();
    let draft = draft_with(&mapper, &long, &HashMap::new());
    let value = draft.field("customfield_3").and_then(FieldValue::as_json).unwrap().as_str().unwrap();
    assert!(value.chars().count() <= 255 && value.ends_with("word…"), "{value}");
}

#[track_caller]
fn check_field_error(attribute: TicketAttribute, shape: FieldShape, expected: &str) {
    let err = Mapper::new(MappingConfig::new(Deployment::Cloud).field(attribute, "customfield_9", shape))
        .unwrap_err();
    assert_eq!(err.to_string(), expected);
}

#[test]
fn field_shape_errors() {
    use FieldShape as S;
    use TicketAttribute as A;
    check_field_error(
        A::AffectedUser,
        S::User,
        "ticket attribute `affected_user` cannot go in field customfield_9: a user field takes a Jira account, and alerts name users by e-mail address",
    );
    check_field_error(
        A::Tenant,
        S::Number,
        "ticket attribute `tenant` cannot go in field customfield_9: a number field cannot hold it",
    );
    check_field_error(
        A::Tenant,
        S::Url,
        "ticket attribute `tenant` cannot go in field customfield_9: a URL field takes only alert_url",
    );
    check_field_error(
        A::Severity,
        S::DateTime,
        "ticket attribute `severity` cannot go in field customfield_9: a date field takes only alert_time",
    );
    check_field_error(
        A::Ips,
        S::Other("sd-servicelevelagreement".into()),
        "ticket attribute `ips` cannot go in field customfield_9: fields of type \"sd-servicelevelagreement\" cannot be set",
    );
    check_field_error(
        A::Ips,
        S::Array(Box::new(S::User)),
        "ticket attribute `ips` cannot go in field customfield_9: a user field takes a Jira account, and alerts name users by e-mail address",
    );
}

#[test]
fn attribute_names() {
    #[derive(serde::Deserialize)]
    struct Fields {
        #[serde(flatten)]
        fields: std::collections::BTreeMap<TicketAttribute, String>,
    }
    let parsed: Fields =
        toml::from_str("alert_url = \"customfield_10109\"\nip_reputation = \"IP reputation\"\n").unwrap();
    assert_eq!(
        parsed.fields.keys().copied().collect::<Vec<_>>(),
        [TicketAttribute::AlertUrl, TicketAttribute::IpReputation]
    );
    for attribute in TicketAttribute::ALL {
        assert_eq!(attribute.name().parse::<TicketAttribute>().unwrap(), attribute);
        assert_eq!(serde_json::to_value(attribute).unwrap(), json!(attribute.name()));
    }
    assert_eq!(
        "alert_urls".parse::<TicketAttribute>().unwrap_err().to_string(),
        "unknown ticket attribute \"alert_urls\""
    );
}

#[test]
fn new_issue_request() {
    let mapper = Mapper::new(
        MappingConfig::new(Deployment::Cloud)
            .labels(["mcas"])
            .priorities(SeverityPriorities { medium: Some("Medium".into()), ..Default::default() })
            .field(TicketAttribute::AlertUrl, "customfield_10109", FieldShape::Url),
    )
    .unwrap();
    let draft = draft_with(&mapper, &travel(), &HashMap::new());
    let body = draft.to_new_issue(ProjectRef::key("SEC"), "Task").to_request_body(Deployment::Cloud);
    let fields = &body["fields"];
    assert_eq!(fields["summary"], "[contoso] Impossible travel activity");
    assert_eq!(fields["issuetype"], json!({"name": "Task"}));
    assert_eq!(fields["priority"], json!({"name": "Medium"}));
    assert_eq!(fields["labels"], json!(["mcas-60edead2cdbeaf0b87e13377", "mcas"]));
    assert_eq!(
        fields["customfield_10109"],
        "https://example.portal.cloudappsecurity.com/#/alerts/60edead2cdbeaf0b87e13377"
    );
    assert_valid_adf(&fields["description"]);
    assert!(fields.to_string().chars().count() < DESCRIPTION_MAX_LEN);
}
