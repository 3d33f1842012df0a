//! Properties over arbitrary alert JSON, from either API: extraction and mapping never panic, the summary is always
//! one line of at most 255 characters, labels are valid, the description is valid ADF.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::LazyLock;

use alert_mapping::{
    Mapped, Mapper, MappingConfig, Reputation, ReputationFacts, RuleSpec, Rules, TicketAttribute, extract,
};
use jira_client::richtext::DESCRIPTION_MAX_LEN;
use jira_client::{Deployment, FieldShape};
use mcas_client::Alert;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::{assert_valid_adf, tenant};

/// Text with what hostile alerts carry: markup, entities, addresses, bidi and control characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 .:@<>&;#/_{}|\\[\\]*~-]{0,60}",
        prop::collection::vec(
            prop_oneof![
                Just("1.2.3.4".to_owned()),
                Just("999.1.1.1".to_owned()),
                Just("10.0.0.1".to_owned()),
                Just("::ffff:8.8.8.8".to_owned()),
                Just("2001:db8::1".to_owned()),
                Just("a@b.example".to_owned()),
                Just("<p>".to_owned()),
                Just("<br>".to_owned()),
                Just("&amp;".to_owned()),
                Just("&#x202E;".to_owned()),
                Just("__siteIcon__".to_owned()),
                Just("\u{202E}".to_owned()),
                Just("\n".to_owned()),
                Just("\t".to_owned()),
                Just("\u{0000}".to_owned()),
                Just("{noformat}".to_owned()),
                Just(" ".to_owned()),
                "[a-z]{1,8}",
            ],
            0..24,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ]
}

fn entity() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just("user"),
        Just("account"),
        Just("ip"),
        Just("service"),
        Just("file"),
        Just("policyRule"),
        Just("country"),
        Just("device"),
        Just("groupTag"),
        Just("mailbox"),
    ];
    (kind, leaf(), prop::option::of(leaf()), prop::option::of(leaf()), prop::option::of(leaf())).prop_map(
        |(kind, id, label, em, pa)| {
            let mut map = Map::new();
            map.insert("type".into(), json!(kind));
            map.insert("id".into(), id);
            for (key, value) in [("label", label), ("em", em), ("pa", pa)] {
                if let Some(value) = value {
                    map.insert(key.into(), value);
                }
            }
            Value::Object(map)
        },
    )
}

/// Alert-shaped JSON: a usable `_id` and `timestamp` most of the time, anything elsewhere.
fn alert_json() -> impl Strategy<Value = Value> {
    (
        prop_oneof![3 => text().prop_map(Value::String), 1 => leaf()],
        prop_oneof![3 => (0_i64..4_102_444_800_000).prop_map(Value::from), 1 => leaf()],
        prop::option::of(text()),
        prop::option::of(prop_oneof![text().prop_map(Value::String), leaf()]),
        prop::option::of(prop_oneof![(0_i64..5).prop_map(Value::from), leaf()]),
        prop::option::of(leaf()),
        prop::option::of(prop_oneof![leaf(), text().prop_map(|label| json!({ "label": label }))]),
        prop::collection::vec(prop_oneof![4 => entity(), 1 => leaf()], 0..8),
        prop::option::of(leaf()),
    )
        .prop_map(|(id, timestamp, title, description, severity, url, policy, entities, alert_type)| {
            let mut map = Map::new();
            map.insert("_id".into(), id);
            map.insert("timestamp".into(), timestamp);
            let optional = [
                ("title", title.map(Value::String)),
                ("description", description),
                ("severityValue", severity),
                ("URL", url),
                ("policy", policy),
                ("alertType", alert_type),
            ];
            for (key, value) in optional {
                if let Some(value) = value {
                    map.insert(key.into(), value);
                }
            }
            map.insert("entities".into(), Value::Array(entities));
            Value::Object(map)
        })
}

/// One piece of Graph evidence: a known or unknown kind, with leaves where its fields go.
fn graph_evidence() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just("userEvidence"),
        Just("ipEvidence"),
        Just("cloudApplicationEvidence"),
        Just("oauthApplicationEvidence"),
        Just("mailboxEvidence"),
        Just("deviceEvidence"),
        Just("fileEvidence"),
        Just("somethingNewEvidence"),
    ];
    let field = prop_oneof![
        Just("userAccount"),
        Just("ipAddress"),
        Just("countryLetterCode"),
        Just("displayName"),
        Just("primaryAddress"),
        Just("upn"),
        Just("appId"),
        Just("publisher"),
        Just("deviceDnsName"),
        Just("roles"),
        Just("verdict"),
    ];
    let value = prop_oneof![
        leaf(),
        text().prop_map(|upn| json!({ "userPrincipalName": upn, "displayName": upn })),
        prop::collection::vec(text().prop_map(Value::String), 0..3).prop_map(Value::Array),
    ];
    (kind, prop::collection::vec((field, value), 0..5)).prop_map(|(kind, fields)| {
        let mut map = Map::new();
        map.insert("@odata.type".into(), json!(format!("#microsoft.graph.security.{kind}")));
        for (name, value) in fields {
            map.insert(name.into(), value);
        }
        Value::Object(map)
    })
}

/// Graph-alert-shaped JSON: a usable `id` and `createdDateTime` most of the time.
fn graph_alert_json() -> impl Strategy<Value = Value> {
    let string = || prop_oneof![3 => text().prop_map(Value::String), 1 => leaf()];
    (
        string(),
        prop_oneof![3 => Just(json!("2026-11-30T08:14:22.1234567Z")), 1 => leaf()],
        prop::collection::vec(
            (
                prop_oneof![
                    Just("title"),
                    Just("description"),
                    Just("severity"),
                    Just("serviceSource"),
                    Just("detectorId"),
                    Just("category"),
                    Just("mitreTechniques"),
                    Just("incidentId"),
                    Just("incidentWebUrl"),
                    Just("alertWebUrl"),
                    Just("recommendedActions"),
                ],
                prop_oneof![string(), prop::collection::vec(string(), 0..3).prop_map(Value::Array)],
            ),
            0..8,
        ),
        prop::collection::vec(prop_oneof![6 => graph_evidence(), 1 => leaf()], 0..8),
    )
        .prop_map(|(id, created, fields, evidence)| {
            let mut map = Map::new();
            map.insert("id".into(), id);
            map.insert("createdDateTime".into(), created);
            for (name, value) in fields {
                map.insert(name.into(), value);
            }
            map.insert("evidence".into(), Value::Array(evidence));
            Value::Object(map)
        })
}

static MAPPERS: LazyLock<Vec<Mapper>> = LazyLock::new(|| {
    let rules: Vec<RuleSpec> = toml::from_str::<toml::Table>(
        r#"
        [[rules]]
        match = { title = "(?i)skip", severity = "low" }
        skip = true
        [[rules]]
        match = { min_ip_score = 50, user_domain = "example" }
        labels = ["hot"]
        priority = "Highest"
        "#,
    )
    .unwrap()["rules"]
        .clone()
        .try_into()
        .unwrap();
    let rules = Rules::try_from(rules.as_slice()).unwrap();
    [Deployment::Cloud, Deployment::Server]
        .into_iter()
        .map(|deployment| {
            let mut config = MappingConfig::new(deployment)
                .summary_template(
                    "[{tenant}] {severity} {title} {user} {ip} {policy} {service_source} {detector} {category} \
                     {techniques} {incident_id}",
                )
                .labels(["mcas"])
                .rules(rules.clone());
            for (n, (attribute, shape)) in [
                (TicketAttribute::AlertUrl, FieldShape::Url),
                (TicketAttribute::AffectedUser, FieldShape::Labels),
                (TicketAttribute::Ips, FieldShape::Array(Box::new(FieldShape::Text))),
                (TicketAttribute::IpReputation, FieldShape::RichText),
                (TicketAttribute::AlertDescription, FieldShape::Text),
                (TicketAttribute::Severity, FieldShape::Option),
                (TicketAttribute::AlertTime, FieldShape::DateTime),
                (TicketAttribute::Policy, FieldShape::Labels),
            ]
            .into_iter()
            .enumerate()
            {
                config = config.field(attribute, format!("customfield_{n}"), shape);
            }
            Mapper::new(config).unwrap()
        })
        .collect()
});

fn reputations(ips: &[IpAddr], seed: u8) -> HashMap<IpAddr, Reputation> {
    ips.iter()
        .enumerate()
        .map(|(n, ip)| {
            let reputation = match (n + usize::from(seed)) % 3 {
                0 => {
                    let mut facts = ReputationFacts::default();
                    facts.score = Some(seed % 101);
                    facts.country_name = Some("\u{202E}Nowhere".into());
                    Reputation::Known(facts)
                }
                1 => Reputation::unavailable("quota"),
                _ => Reputation::not_looked_up("off"),
            };
            (*ip, reputation)
        })
        .collect()
}

/// What holds for any alert's facts, mapped by every mapper: a ticket's summary is one line of
/// at most 255 characters, its labels are valid with the alert's own first, its description is
/// valid ADF; a failure is a field value's, with a reason.
fn check_mapping(facts: &alert_mapping::Facts, seed: u8, label_prefix: &str) -> Result<(), TestCaseError> {
    prop_assert!(!facts.title.is_empty());
    let reputations = reputations(&facts.lookup_ips(), seed);
    for mapper in MAPPERS.iter() {
        match mapper.map(facts, &reputations) {
            Ok(Mapped::Ticket(draft)) => {
                prop_assert!(!draft.summary.is_empty());
                prop_assert!(draft.summary.chars().count() <= 255, "{:?}", draft.summary);
                prop_assert!(!draft.summary.contains(|c: char| c.is_control()), "{:?}", draft.summary);
                prop_assert!(draft.labels[0].as_str().starts_with(label_prefix), "{:?}", draft.labels);
                prop_assert!(
                    draft
                        .labels
                        .iter()
                        .all(|l| !l.as_str().is_empty() && !l.as_str().contains(char::is_whitespace)),
                    "{:?}",
                    draft.labels
                );
                assert_valid_adf(&draft.description.to_adf_limited(DESCRIPTION_MAX_LEN));
                let _ = draft.description.to_wiki_limited(DESCRIPTION_MAX_LEN);
            }
            Ok(_) => {}
            // Only a field value can fail, and only with a reason.
            Err(err) => prop_assert!(!err.to_string().is_empty()),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_alert_maps_without_panicking(json in alert_json(), seed in any::<u8>()) {
        // Alerts that do not decode are the client's business (reported as malformed).
        let Ok(alert) = Alert::from_json(&json) else { return Ok(()) };
        check_mapping(&extract(&alert, &tenant()), seed, "mcas-")?;
    }

    #[test]
    fn any_graph_alert_maps_without_panicking(json in graph_alert_json(), seed in any::<u8>()) {
        let Ok(alert) = graph_security_client::Alert::from_json(&json) else { return Ok(()) };
        let facts = alert_mapping::extract_graph(&alert, &tenant());
        prop_assert!(facts.ips.iter().all(|found| found.country.is_none_or(|c| c.as_str().len() == 2)));
        check_mapping(&facts, seed, "graph-")?;
    }

    #[test]
    fn html_to_text_is_clean(input in text()) {
        let out = alert_mapping::html_to_text(&input);
        prop_assert!(!out.contains(['\u{202E}', '\u{2066}', '\u{0000}', '\t', '\r']), "{out:?}");
        prop_assert!(!out.contains("\n\n\n") && !out.starts_with('\n') && !out.ends_with('\n'));
        prop_assert!(out.lines().all(|line| line == line.trim() && !line.contains("  ")), "{out:?}");
    }
}
