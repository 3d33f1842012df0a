//! Extraction: data-driven cases over the public sample alerts and synthetic shapes.

use std::collections::BTreeMap;

use alert_mapping::Facts;
use serde_json::{Value, json};

use crate::{facts_of, sample_alert};

/// The facts as short text, one entry per field.
pub(crate) fn describe(f: &Facts) -> BTreeMap<&'static str, String> {
    let join = |items: &[String]| items.join(", ");
    let ips = f
        .ips
        .iter()
        .map(|ip| {
            let public = if ip.public { "public" } else { "private" };
            let from = if ip.from_entity { "entity" } else { "text" };
            match ip.country {
                Some(country) => format!("{} {public} {from} {country}", ip.ip),
                None => format!("{} {public} {from}", ip.ip),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let entities = f
        .entities
        .iter()
        .map(|e| match &e.detail {
            Some(d) => format!("{}: {} ({d})", e.kind, e.name),
            None => format!("{}: {}", e.kind, e.name),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let lookup = f.lookup_ips().iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    BTreeMap::from([
        ("id", f.alert_id.to_string()),
        ("tenant", f.tenant.clone()),
        ("title", f.title.clone()),
        ("severity", f.severity_text.clone()),
        ("time", f.time.to_string()),
        ("url", f.url.clone()),
        ("summary", f.summary_sentence.clone()),
        ("description", f.description_text.clone()),
        ("policy", f.policy.clone().unwrap_or_default()),
        ("alert_type", f.alert_type.clone().unwrap_or_default()),
        ("threat_score", f.threat_score.map(|s| s.to_string()).unwrap_or_default()),
        ("users", join(&f.users)),
        ("ips", ips),
        ("lookup", lookup),
        ("services", join(&f.services)),
        ("countries", join(&f.countries)),
        ("devices", join(&f.devices)),
        ("files", join(&f.files)),
        ("entities", entities),
        ("source", f.source.to_string()),
        ("service_source", f.service_source.clone().unwrap_or_default()),
        ("detector", f.detector_id.clone().unwrap_or_default()),
        ("category", f.category.clone().unwrap_or_default()),
        ("techniques", join(&f.mitre_techniques)),
        ("incident", f.incident_id.clone().unwrap_or_default()),
        ("incident_url", f.incident_url.clone()),
        ("actions", f.recommended_actions.clone()),
    ])
}

/// Extracts the facts of `alert` and compares the named fields.
#[track_caller]
fn check(alert: Value, expected: &[(&str, &str)]) {
    let described = describe(&facts_of(&alert));
    for (key, want) in expected {
        let got = described.get(key).unwrap_or_else(|| panic!("no field {key}"));
        assert_eq!(got, want, "field {key} of {alert}");
    }
}

/// A minimal alert with `extra` fields merged in.
fn alert(extra: Value) -> Value {
    let mut base = json!({"_id": "60eda688cdbeaf0b87f5a41e", "timestamp": 1626187297290_i64});
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        base.extend(extra);
    }
    base
}

fn ip_entity(id: Value) -> Value {
    json!({"type": "ip", "id": id, "label": id})
}

#[test]
fn documented_samples() {
    let png = || sample_alert("alerts_sample.json", 0);
    check(png(), &[("title", "block png files"), ("severity", "Low"), ("time", "2020-07-09T08:36:42.753Z")]);
    check(png(), &[("users", "dev@demistodev.onmicrosoft.com"), ("ips", ""), ("policy", "block png files")]);
    check(png(), &[("services", "Microsoft OneDrive for Business"), ("files", "image (2).png")]);
    check(png(), &[("description", "File policy 'block png files' was matched by 'image (2).png'")]);
    check(png(), &[("summary", "File policy 'block png files' was matched by 'image (2).png'")]);
    check(
        png(),
        &[("url", "https://demistodev.portal.cloudappsecurity.com/#/alerts/5f06d71dba4289d0602ba5ac")],
    );
    check(png(), &[("alert_type", "15728642"), ("threat_score", "19")]);
    check(
        png(),
        &[(
            "entities",
            "policyRule: block png files (id 5f01dce13de79160fbec4150); \
             service: Microsoft OneDrive for Business (id 15600); \
             file: image (2).png (id d10230e2-52db-4ec8-815b-c5484524d078|501f6179-e6f9-457c-9892-1590dee07ede); \
             account: demisto dev (dev@demistodev.onmicrosoft.com); \
             user: dev@demistodev.onmicrosoft.com",
        )],
    );
    check(
        sample_alert("xsoar_test_data_alert_by_id_raw.json", 0),
        &[("users", "dev@demistodev.onmicrosoft.com")],
    );

    let honeytoken = || sample_alert("alerts_sample.json", 1);
    check(
        honeytoken(),
        &[("severity", "Medium"), ("users", "user1@contoso.com"), ("policy", "Honeytoken activity")],
    );
    check(
        honeytoken(),
        &[("devices", "DC3, DC4, Client1, DC1"), ("services", "Active Directory"), ("ips", "")],
    );
    check(
        honeytoken(),
        &[(
            "summary",
            "Contoso user performed 11 suspicious activities MITRE Technique used Account Discovery (T1087) \
             and subtechnique used Domain Account (T1087.002)",
        )],
    );
    check(sample_alert("mda_docs_alerts_list_response.json", 0), &[("devices", "DC3, DC4, Client1, DC1")]);

    let travel = || sample_alert("alerts_sample_extended.json", 2);
    check(travel(), &[("users", "john@example.onmicrosoft.com"), ("countries", "IL, NL")]);
    check(travel(), &[("ips", "1.2.3.4 public entity, 1.2.3.5 public entity, 1.2.3.6 public text")]);
    check(travel(), &[("lookup", "1.2.3.4, 1.2.3.5, 1.2.3.6"), ("policy", "Impossible travel")]);
    check(travel(), &[("services", "Microsoft Exchange Online, Office 365, Microsoft Azure")]);
    check(
        travel(),
        &[(
            "summary",
            "The user John Example (john@example.onmicrosoft.com) perform failed sign in activities from remote \
             locations that are considered an impossible travel activity.",
        )],
    );
    check(
        travel(),
        &[(
            "description",
            "The user John Example (john@example.onmicrosoft.com) perform failed sign in activities from remote \
             locations that are considered an impossible travel activity.\n\
             The user performed failed sign in activities from 1.2.3.6 in Netherlands and 1.2.3.4 in Israel \
             within 96 minutes.\n\
             If these are IP addresses that are known and safe, add them in the IP address range page to \
             improve the accuracy of the alerts.",
        )],
    );

    let risky = || sample_alert("alerts_sample_extended.json", 3);
    check(risky(), &[("severity", "High"), ("summary", "John Example performed a risky sign-in.")]);
    check(
        risky(),
        &[(
            "description",
            "John Example performed a risky sign-in.\n\nUnfamiliar sign-in properties\n\
             Sign-in with properties we have not seen recently for the given user",
        )],
    );
    check(risky(), &[("ips", "1.2.3.6 public entity"), ("users", "john@example.onmicrosoft.com")]);
    check(
        sample_alert("alerts_sample_extended.json", 4),
        &[(
            "summary",
            "The user \"John Example (john@example.onmicrosoft.com)\" performed more than 214 administrative activities in a single session.",
        )],
    );
    check(sample_alert("xsoar_readme_alerts_reconstructed_raw.json", 0), &[("countries", "IL, NL")]);
}

#[test]
fn missing_and_odd_fields() {
    check(
        alert(json!({})),
        &[("title", "(untitled alert)"), ("summary", "(untitled alert)"), ("severity", "Unknown")],
    );
    check(
        alert(json!({})),
        &[("description", ""), ("users", ""), ("ips", ""), ("policy", ""), ("entities", "")],
    );
    check(
        alert(json!({})),
        &[("url", "https://contoso.us3.portal.cloudappsecurity.com/#/alerts/60eda688cdbeaf0b87f5a41e")],
    );
    check(alert(json!({"severityValue": 9})), &[("severity", "Unknown (9)")]);
    check(
        alert(json!({"severityValue": 3, "title": null, "description": null})),
        &[("severity", "Informational")],
    );
    check(
        alert(json!({"URL": "javascript:alert(1)"})),
        &[("url", "https://contoso.us3.portal.cloudappsecurity.com/#/alerts/60eda688cdbeaf0b87f5a41e")],
    );
    check(
        alert(json!({"URL": " https://x.example/#/alerts/1 "})),
        &[("url", "https://x.example/#/alerts/1")],
    );
    check(
        json!({"_id": "a b/c", "timestamp": 0}),
        &[("url", "https://contoso.us3.portal.cloudappsecurity.com/#/alerts/a%20b%2Fc")],
    );
    check(alert(json!({"entities": "not a list"})), &[("entities", "")]);
    check(
        alert(json!({"entities": [null, 3, {"type": "mailbox", "label": "box"}]})),
        &[("entities", ": (unnamed); : (unnamed); mailbox: box")],
    );
    check(alert(json!({"policy": {"label": "  Mass\ndownload "}})), &[("policy", "Mass download")]);
    check(
        alert(json!({"alertType": "ANUBIS_DETECTION", "idValue": 7})),
        &[("alert_type", "ANUBIS_DETECTION")],
    );
    check(alert(json!({"idValue": 7})), &[("alert_type", "7")]);
    // A title is plain text: what looks like markup or an entity is the title's own text.
    check(
        alert(json!({"title": "Title <b>bold</b> &amp; more"})),
        &[("title", "Title <b>bold</b> &amp; more")],
    );
    check(alert(json!({"title": " Two\r\nlines\u{202E} "})), &[("title", "Two lines")]);
}

#[test]
fn users() {
    let users = |entities: Value| alert(json!({ "entities": entities }));
    check(users(json!([{"type": "user", "id": "", "label": "Bob"}])), &[("users", "Bob")]);
    check(users(json!([{"type": "account", "id": "guid", "label": "Only Name"}])), &[("users", "Only Name")]);
    check(
        users(json!([{"type": "account", "id": "g", "em": "a@x.com", "pa": "a.upn@x.com", "label": "A"}])),
        &[("users", "a@x.com, a.upn@x.com")],
    );
    check(
        users(
            json!([{"type": "user", "id": "Alice@X.com"}, {"type": "account", "id": "g", "em": "alice@x.com"}]),
        ),
        &[("users", "Alice@X.com")],
    );
    check(
        alert(
            json!({"entities": [{"type": "user", "id": "a@x.com"}], "description": "<p>Mailbox of b@y.org and A@X.COM.</p>"}),
        ),
        &[("users", "a@x.com, b@y.org")],
    );
}

#[test]
fn ips() {
    let ips = |entities: Value| alert(json!({ "entities": entities }));
    check(ips(json!([ip_entity(json!("10.0.0.1"))])), &[("ips", "10.0.0.1 private entity"), ("lookup", "")]);
    check(
        ips(json!([ip_entity(json!("::ffff:8.8.8.8")), ip_entity(json!("8.8.8.8"))])),
        &[("ips", "8.8.8.8 public entity")],
    );
    check(
        ips(json!([{"type": "ip", "id": 16909060, "label": "1.2.3.4"}])),
        &[("ips", "1.2.3.4 public entity")],
    );
    check(ips(json!([ip_entity(json!("not an ip"))])), &[("ips", ""), ("entities", "ip: not an ip")]);
    check(
        ips(json!([ip_entity(json!("2001:4860:4860::8888"))])),
        &[("ips", "2001:4860:4860::8888 public entity")],
    );
    check(ips(json!([ip_entity(json!("fe80::1"))])), &[("ips", "fe80::1 private entity"), ("lookup", "")]);
    check(alert(json!({"title": "Activity from 198.51.100.7"})), &[("ips", "198.51.100.7 private text")]);
    check(
        alert(json!({"description": "from 999.1.1.1 and 1.2.3.4.5 and 8.8.4.4."})),
        &[("ips", "8.8.4.4 public text")],
    );
    check(
        alert(json!({"description": "v6 2001:4860:4860::8844, mapped ::ffff:9.9.9.9"})),
        &[("ips", "2001:4860:4860::8844 public text, 9.9.9.9 public text")],
    );
    check(
        alert(
            json!({"entities": [ip_entity(json!("8.8.8.8"))], "description": "seen 8.8.8.8 and 192.168.1.1"}),
        ),
        &[("ips", "8.8.8.8 public entity, 192.168.1.1 private text"), ("lookup", "8.8.8.8")],
    );
}

#[test]
fn summary_sentence() {
    let desc = |d: &str| alert(json!({"title": "The title", "description": d}));
    check(desc("Stop! Then more."), &[("summary", "Stop!")]);
    check(desc("Version 1.2.3 released. More"), &[("summary", "Version 1.2.3 released.")]);
    check(desc("\n\n  <p></p><p>First para</p><p>Second</p>"), &[("summary", "First para")]);
    check(desc(&"word ".repeat(100)), &[("summary", "The title")]);
    check(desc(""), &[("summary", "The title")]);
    check(desc("__siteIcon__"), &[("summary", "The title"), ("description", "")]);
}
