//! Integration tests of alert-mapping: extraction over real and hostile alert shapes, rules, the
//! ticket draft, and properties that hold for any alert.

mod extract;
mod graph;
mod hostile;
mod mapping;
mod props;
mod rules;
mod severity;

use std::collections::HashMap;
use std::net::IpAddr;

use alert_mapping::{Facts, Mapped, Mapper, MappingConfig, Reputation, TenantContext, TicketDraft, extract};
use jira_client::Deployment;
use mcas_client::Alert;
use serde_json::Value;

/// The repository's public sample payloads (`tests/fixtures/mcas-samples` links to
/// `fixtures/samples/mcas`, so that the published package carries them).
fn sample(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/mcas-samples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// This crate's own fixtures.
fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The `index`th alert of a list answer (`data`) or of the reconstructed list (`alerts`).
fn sample_alert(name: &str, index: usize) -> Value {
    let page = sample(name);
    let list = page.get("data").or_else(|| page.get("alerts")).unwrap_or(&page);
    match list {
        Value::Array(items) => items[index].clone(),
        single => single.clone(),
    }
}

fn tenant() -> TenantContext {
    TenantContext::new("contoso")
        .portal_url("https://contoso.us3.portal.cloudappsecurity.com/".parse().unwrap())
}

/// Extracts the facts of a Graph alert, for the tenant `tailspin`.
#[track_caller]
fn graph_facts_of(json: &Value) -> Facts {
    let alert = graph_security_client::Alert::from_json(json)
        .unwrap_or_else(|e| panic!("Graph alert does not decode: {e:#}"));
    alert_mapping::extract_graph(&alert, &TenantContext::new("tailspin"))
}

#[track_caller]
fn facts_of(json: &Value) -> Facts {
    let alert = Alert::from_json(json).unwrap_or_else(|e| panic!("alert does not decode: {e:#}"));
    extract(&alert, &tenant())
}

/// Maps with `mapper`, expecting a ticket.
#[track_caller]
fn draft_with(mapper: &Mapper, facts: &Facts, reputations: &HashMap<IpAddr, Reputation>) -> TicketDraft {
    match mapper.map(facts, reputations).unwrap() {
        Mapped::Ticket(draft) => draft,
        other => panic!("expected a ticket, got {other:?}"),
    }
}

fn default_mapper() -> Mapper {
    Mapper::new(MappingConfig::new(Deployment::Cloud)).unwrap()
}

/// All the text of an ADF document, for "the ticket says X" assertions.
fn adf_text(adf: &Value) -> String {
    let mut out = String::new();
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(t)) = map.get("text") {
                    out.push_str(t);
                }
                if map.get("type").and_then(Value::as_str) == Some("hardBreak") {
                    out.push('\n');
                }
                if let Some(content) = map.get("content") {
                    walk(content, out);
                }
                if matches!(map.get("type").and_then(Value::as_str), Some("paragraph" | "heading")) {
                    out.push('\n');
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    walk(adf, &mut out);
    out
}

static ADF_SCHEMA: std::sync::LazyLock<jsonschema::Validator> = std::sync::LazyLock::new(|| {
    // A link to contracts/jira/adf-schema-v1.json, so that the published package carries it.
    let path = format!("{}/tests/fixtures/adf-schema-v1.json", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
});

/// Asserts that a rendered description is valid ADF.
#[track_caller]
fn assert_valid_adf(adf: &Value) {
    let errors: Vec<String> = ADF_SCHEMA.iter_errors(adf).take(3).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "invalid ADF: {errors:?}");
}

/// A reputation from one of this crate's AbuseIPDB check fixtures.
fn reputation_fixture(name: &str) -> Reputation {
    let check: abuseipdb_client::CheckResult = serde_json::from_value(fixture(name)).unwrap();
    Reputation::from(&check)
}
