//! Microsoft Graph alerts: extraction from evidence, the same ticket draft as an MCAS alert
//! gives, rules on the service source and the detector, and the new summary placeholders.

use std::collections::HashMap;

use alert_mapping::{AlertSource, Facts, Mapped, Mapper, MappingConfig, SeverityPriorities, source_label};
use jira_client::Deployment;
use serde_json::{Value, json};

use crate::extract::describe;
use crate::mapping::{check_summary, rules};
use crate::rules::compile;
use crate::{
    adf_text, assert_valid_adf, default_mapper, draft_with, facts_of, fixture, graph_facts_of, sample_alert,
};

fn forwarding() -> Facts {
    graph_facts_of(&fixture("graph_inbox_forwarding.json"))
}

/// A minimal Graph alert with `extra` fields merged in.
fn alert(extra: Value) -> Value {
    let mut base = json!({"id": "ga-1", "createdDateTime": "2026-11-30T06:40:41.7215518Z"});
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        base.extend(extra);
    }
    base
}

fn evidence(odata_type: &str, fields: Value) -> Value {
    let mut item = json!({"@odata.type": format!("#microsoft.graph.security.{odata_type}")});
    if let (Value::Object(item), Value::Object(fields)) = (&mut item, fields) {
        item.extend(fields);
    }
    item
}

/// Extracts the facts of a Graph alert and compares the named fields.
#[track_caller]
fn check(alert: Value, expected: &[(&str, &str)]) {
    let described = describe(&graph_facts_of(&alert));
    for (key, want) in expected {
        let got = described.get(key).unwrap_or_else(|| panic!("no field {key}"));
        assert_eq!(got, want, "field {key} of {alert}");
    }
}

#[test]
fn a_defender_for_cloud_apps_alert_through_graph() {
    check(
        fixture("graph_inbox_forwarding.json"),
        &[
            ("source", "graph"),
            ("id", "da638682390417215518_-210447319"),
            ("tenant", "tailspin"),
            ("title", "Suspicious inbox forwarding"),
            ("severity", "Medium"),
            ("time", "2026-11-30T06:40:41.7215518Z"),
            (
                "url",
                "https://security.microsoft.com/alerts/da638682390417215518_-210447319?tid=4a7c1e90-3b2d-4f6a-8e15-9c0d2b7a6f31",
            ),
            (
                "summary",
                "A forwarding rule that sends every message to an external address was created on the mailbox of \
                 Kenji Arakawa (kenji.arakawa@tailspintoys.com) from 185.220.101.34.",
            ),
            // The mailbox's primary address, then the user's principal name; the text's address
            // is the mailbox's again.
            ("users", "kenji.arakawa@tailspintoys.com, kenji.arakawa@tailspintoys.onmicrosoft.com"),
            // IPv4-mapped in the evidence, given as IPv4, with its country; the text names it too.
            ("ips", "185.220.101.34 public entity NL"),
            ("lookup", "185.220.101.34"),
            ("services", "Office 365 Exchange Online, Microsoft Exchange Online"),
            ("countries", "NL"),
            ("devices", "kenji-laptop.tailspintoys.local"),
            ("service_source", "microsoftDefenderForCloudApps"),
            ("detector", "SuspiciousInboxForwarding"),
            ("category", "Collection"),
            ("techniques", "T1114.003, T1564.008"),
            ("incident", "5131"),
            (
                "incident_url",
                "https://security.microsoft.com/incidents/5131?tid=4a7c1e90-3b2d-4f6a-8e15-9c0d2b7a6f31",
            ),
            (
                "actions",
                "Remove the rule if the user did not create it.\nReset the user's password and revoke their sessions.",
            ),
            ("policy", ""),
            ("alert_type", ""),
            (
                "entities",
                "mailbox: kenji.arakawa@tailspintoys.com (Kenji Arakawa, role compromised); \
                 user: kenji.arakawa@tailspintoys.onmicrosoft.com (Kenji Arakawa, role compromised); \
                 ip: 185.220.101.34 (country NL, role attacker); \
                 oauthApplication: Office 365 Exchange Online (publisher Microsoft, app id 00000002-0000-0ff1-ce00-000000000000, role contextual); \
                 cloudApplication: Microsoft Exchange Online (app id 20893); \
                 device: kenji-laptop.tailspintoys.local (verdict unknown, role source); \
                 mailCluster: (unnamed) (verdict unknown)",
            ),
        ],
    );
}

#[test]
fn users_from_user_and_mailbox_evidence() {
    let user = |account: Value| evidence("userEvidence", json!({"userAccount": account}));
    let mailbox = |fields: Value| evidence("mailboxEvidence", fields);
    let cases: &[(Value, &str)] = &[
        (user(json!({"userPrincipalName": "a@x.com", "accountName": "a", "domainName": "x.com"})), "a@x.com"),
        (user(json!({"accountName": "bob", "domainName": "contoso.local"})), "bob@contoso.local"),
        (user(json!({"accountName": "SYSTEM", "domainName": "NT AUTHORITY"})), "SYSTEM"),
        (user(json!({"displayName": "Carol Diaz"})), "Carol Diaz"),
        (user(json!({})), ""),
        (mailbox(json!({"primaryAddress": "d@x.com", "upn": "d@x.onmicrosoft.com"})), "d@x.com"),
        (mailbox(json!({"upn": "e@x.onmicrosoft.com"})), "e@x.onmicrosoft.com"),
        (mailbox(json!({"userAccount": {"userPrincipalName": "f@x.com"}})), "f@x.com"),
        (mailbox(json!({"displayName": "Shared: Finance"})), "Shared: Finance"),
        (mailbox(json!({"primaryAddress": " g@x.com\n"})), "g@x.com"),
    ];
    for (item, users) in cases {
        check(alert(json!({"evidence": [item]})), &[("users", users)]);
    }
    // The same user by two kinds of evidence, in another case: once.
    check(
        alert(json!({"evidence": [
            user(json!({"userPrincipalName": "Ana@X.com"})),
            mailbox(json!({"primaryAddress": "ana@x.com"})),
        ]})),
        &[("users", "Ana@X.com")],
    );
}

#[test]
fn ips_apps_and_kinds_this_crate_does_not_type() {
    let ip = |address: Value, country: Value| {
        evidence("ipEvidence", json!({"ipAddress": address, "countryLetterCode": country}))
    };
    let cases: &[(Value, &str, &str)] = &[
        (ip(json!("45.33.32.156"), json!("DE")), "45.33.32.156 public entity DE", "DE"),
        (ip(json!("203.0.113.7"), json!("DE")), "203.0.113.7 private entity DE", "DE"),
        (ip(json!("10.1.2.3"), json!(null)), "10.1.2.3 private entity", ""),
        (ip(json!("[2001:db8::1]"), json!("us")), "2001:db8::1 private entity US", "US"),
        (ip(json!("2a00:1450:4001::1"), json!("Germany")), "2a00:1450:4001::1 public entity", ""),
        (ip(json!("999.1.1.1"), json!("FR")), "", "FR"),
        (ip(json!(42), json!(["x"])), "", ""),
    ];
    for (item, ips, countries) in cases {
        check(alert(json!({"evidence": [item]})), &[("ips", ips), ("countries", countries)]);
    }
    // The evidence first; an address only the text names comes after, without a country.
    check(
        alert(json!({
            "description": "Sign-ins from 118.25.6.39 and 45.33.32.156.",
            "evidence": [ip(json!("45.33.32.156"), json!("NZ"))],
        })),
        &[("ips", "45.33.32.156 public entity NZ, 118.25.6.39 public text")],
    );
    check(
        alert(json!({"evidence": [
            evidence("cloudApplicationEvidence", json!({"appId": "11161", "instanceName": "Office 365 (contoso)"})),
            evidence("oauthApplicationEvidence", json!({"appId": "7f3d2a91"})),
            evidence("fileEvidence", json!({"fileDetails": {"fileName": "payroll.xlsx"}})),
            evidence("processEvidence", json!({"imageFile": {"fileName": "powershell.exe"}})),
            evidence("urlEvidence", json!({"url": "https://phish.example/login"})),
            {"verdict": "malicious"},
        ]})),
        &[
            ("services", "Office 365 (contoso), 7f3d2a91"),
            ("files", "payroll.xlsx, powershell.exe"),
            (
                "entities",
                "cloudApplication: Office 365 (contoso) (app id 11161); oauthApplication: 7f3d2a91; \
                 file: payroll.xlsx; process: powershell.exe; url: https://phish.example/login; \
                 evidence: (unnamed) (verdict malicious)",
            ),
        ],
    );
}

#[test]
fn what_a_graph_alert_may_lack_or_garble() {
    check(
        alert(json!({})),
        &[
            ("title", "(untitled alert)"),
            ("summary", "(untitled alert)"),
            ("severity", "Unknown"),
            ("url", ""),
            ("users", ""),
            ("entities", ""),
            ("service_source", ""),
            ("incident_url", ""),
            ("actions", ""),
        ],
    );
    check(
        alert(json!({
            "title": "  Mass\tdownload \u{202E}by\n a user ",
            "severity": "criticalNew",
            "alertWebUrl": "javascript:alert(1)",
            "incidentWebUrl": "not a url",
            "serviceSource": "microsoftDefenderForSomethingNew",
            "mitreTechniques": ["T1530", " ", "T1078\n"],
            "recommendedActions": "Step\u{0}one",
        })),
        &[
            ("title", "Mass download by a user"),
            ("severity", "Unknown (criticalNew)"),
            ("url", ""),
            ("incident_url", ""),
            ("service_source", "microsoftDefenderForSomethingNew"),
            ("techniques", "T1530, T1078"),
            ("actions", "Stepone"),
        ],
    );
}

#[test]
fn the_same_ticket_draft_as_an_mcas_alert() {
    let config = MappingConfig::new(Deployment::Cloud)
        .labels(["soc"])
        .priorities(SeverityPriorities { medium: Some("Medium".into()), ..Default::default() });
    let mapper = Mapper::new(config).unwrap();
    let draft = draft_with(&mapper, &forwarding(), &HashMap::new());
    assert_eq!(draft.summary, "[tailspin] Suspicious inbox forwarding");
    assert_eq!(draft.labels, ["graph-da638682390417215518_-210447319", "soc"]);
    assert_eq!(draft.priority.as_deref(), Some("Medium"));

    let adf = draft.description.to_adf();
    assert_valid_adf(&adf);
    let text = adf_text(&adf);
    for expected in [
        "Open the alert in the Microsoft Defender portal",
        "Product\nMicrosoft Defender for Cloud Apps",
        "Detector\nSuspiciousInboxForwarding",
        "MITRE ATT&CK\nCollection: T1114.003, T1564.008",
        "Incident\nIncident 5131",
        "185.220.101.34 (NL) — not looked up",
        "Recommended actions\nRemove the rule if the user did not create it.\nReset the user's password",
        "Evidence\nmailbox: kenji.arakawa@tailspintoys.com (Kenji Arakawa, role compromised)",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let wiki = draft.description.to_wiki();
    assert!(wiki.contains("Recommended actions"), "{wiki}");

    // An MCAS alert's ticket is unchanged: its label, its link, no Graph rows.
    let mcas = facts_of(&sample_alert("alerts_sample_extended.json", 2));
    let draft = draft_with(&default_mapper(), &mcas, &HashMap::new());
    assert_eq!(draft.labels, ["mcas-60edead2cdbeaf0b87e13377"]);
    let text = adf_text(&draft.description.to_adf());
    assert!(text.contains("Open the alert in Defender for Cloud Apps"));
    assert!(!text.contains("Product") && !text.contains("Recommended actions") && text.contains("Entities"));
}

#[test]
fn labels_by_source() {
    assert_eq!(source_label(AlertSource::Graph, "ca638_-1"), "graph-ca638_-1");
    assert_eq!(source_label(AlertSource::Mcas, "5f06"), "mcas-5f06");
    assert_eq!(source_label(AlertSource::Graph, "a b\tc"), "graph-a_b_c");
    let long = source_label(AlertSource::Graph, &"x".repeat(400));
    assert_eq!(long.as_str().encode_utf16().count(), jira_client::MAX_LABEL_LEN);
}

#[test]
fn summary_placeholders_graph_adds() {
    let f = forwarding();
    check_summary("{service_source}", &f, "Microsoft Defender for Cloud Apps");
    check_summary(
        "[{tenant}] {detector}: {title}",
        &f,
        "[tailspin] SuspiciousInboxForwarding: Suspicious inbox forwarding",
    );
    check_summary("{category} ({techniques})", &f, "Collection (T1114.003, T1564.008)");
    check_summary("#{incident_id} {title}", &f, "#5131 Suspicious inbox forwarding");
    check_summary(
        "{user} from {ip} ({country})",
        &f,
        "kenji.arakawa@tailspintoys.com from 185.220.101.34 (NL)",
    );
    // An MCAS alert is a Defender for Cloud Apps alert; it has no detector, category or incident.
    let mcas = facts_of(&sample_alert("alerts_sample_extended.json", 2));
    check_summary(
        "{service_source}|{detector}|{category}|{techniques}|{incident_id}",
        &mcas,
        "Microsoft Defender for Cloud Apps||||",
    );
    assert!(alert_mapping::PLACEHOLDERS.iter().any(|(name, _)| *name == "techniques"));
}

#[test]
fn rules_match_the_service_source_and_the_detector() {
    let rules = rules(
        r#"
        [[rules]]
        match = { detector_id = "^ImpossibleTravel$" }
        labels = ["travel"]

        [[rules]]
        match = { service_source = "(?i)cloudapps", detector_id = "Inbox" }
        labels = ["mailbox-rules"]

        [[rules]]
        match = { service_source = "^microsoftDefenderForCloudApps$" }
        labels = ["mda"]

        [[rules]]
        match = { service_source = "Identity" }
        skip = true
        "#,
    );
    let mapper = Mapper::new(MappingConfig::new(Deployment::Cloud).rules(rules)).unwrap();
    #[track_caller]
    fn rule_of(mapper: &Mapper, facts: &Facts) -> Option<usize> {
        match mapper.map(facts, &HashMap::new()).unwrap() {
            Mapped::Ticket(draft) => draft.rule,
            Mapped::Skip { rule } => Some(rule),
            other => panic!("{other:?}"),
        }
    }
    let graph = |detector: &str, source: &str| {
        graph_facts_of(&alert(json!({"detectorId": detector, "serviceSource": source})))
    };
    assert_eq!(rule_of(&mapper, &forwarding()), Some(2));
    assert_eq!(rule_of(&mapper, &graph("ImpossibleTravel", "microsoftDefenderForCloudApps")), Some(1));
    assert_eq!(rule_of(&mapper, &graph("MassDownload", "microsoftDefenderForCloudApps")), Some(3));
    assert_eq!(rule_of(&mapper, &graph("x", "microsoftDefenderForIdentity")), Some(4));
    assert_eq!(rule_of(&mapper, &graph("x", "microsoftDefenderForEndpoint")), None);
    assert_eq!(
        rule_of(&mapper, &graph_facts_of(&alert(json!({})))),
        None,
        "no source, no detector: no match"
    );
    // An MCAS alert matches on its product, never on a detector.
    let mcas = facts_of(&sample_alert("alerts_sample_extended.json", 2));
    assert_eq!(rule_of(&mapper, &mcas), Some(3));

    let error = compile("[[rules]]\nmatch = { detector_id = \"(\" }").unwrap_err();
    assert!(error.to_string().starts_with("rule 1: invalid `detector_id` pattern"), "{error}");
}
