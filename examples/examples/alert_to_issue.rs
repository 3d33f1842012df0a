//! Turns a Defender for Cloud Apps alert into a Jira ticket draft with `alert-mapping`, and
//! prints the draft with its description rendered both ways: Atlassian Document Format (Jira
//! Cloud) and wiki markup (Jira Server/Data Center). No network, no credentials.
//!
//! ```sh
//! cargo run -p mcas2jira-examples --example alert_to_issue                 # a sample alert
//! cargo run -p mcas2jira-examples --example alert_to_issue -- alert.json   # yours
//! ```
//!
//! The file may hold one alert or a list answer (`{"data": [...]}`, the first alert is used).
//! Without one, the "Impossible travel activity" alert of `fixtures/samples/mcas/` is used.
//! Where the tool would look the public IPs up on AbuseIPDB, this example gives each of them
//! the answer of AbuseIPDB's documentation example, so that the reputation shows.

use std::collections::HashMap;
use std::error::Error;
use std::process::ExitCode;

use abuseipdb_client::CheckResult;
use alert_mapping::{
    FieldValue, Mapped, Mapper, MappingConfig, Reputation, RuleSpec, Rules, SeverityPriorities, TenantContext,
};
use jira_client::{Deployment, FieldShape, ProjectRef};
use mcas_client::Alert;
use serde_json::Value;

/// Public sample alerts (see fixtures/samples/README.md).
const SAMPLE_ALERTS: &str = include_str!("../../fixtures/samples/mcas/alerts_sample_extended.json");
/// The sample alert shown by default: impossible travel, with two IPs, a user and countries.
const SAMPLE_ID: &str = "60edead2cdbeaf0b87e13377";
/// AbuseIPDB's documentation example of a check answer.
const SAMPLE_CHECK: &str = include_str!("../../fixtures/samples/abuseipdb/check_verbose_official_docs.json");

fn main() -> ExitCode {
    // Errors are shown with their causes on one line, as the mcas2jira binary shows them.
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut line = format!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                line.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("{line}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let alert = match std::env::args().nth(1) {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
            first_alert(&serde_json::from_str(&text)?, None)?
        }
        None => first_alert(&serde_json::from_str(SAMPLE_ALERTS)?, Some(SAMPLE_ID))?,
    };
    // Tolerant decoding: missing and null fields, ids as strings or numbers, unknown entities.
    let alert = Alert::from_json(&alert)?;

    // 1. The facts of the alert: users, IPs (public or not), apps, countries, the text.
    let tenant =
        TenantContext::new("contoso").portal_url("https://contoso.us3.portal.cloudappsecurity.com".parse()?);
    let facts = alert_mapping::extract(&alert, &tenant);

    // 2. Reputations: what the tool would look up (only public addresses).
    let sample: Value = serde_json::from_str(SAMPLE_CHECK)?;
    let check: CheckResult = serde_json::from_value(sample["response"]["data"].clone())?;
    let mut reputations = HashMap::new();
    for found in &facts.ips {
        let reputation = if found.public {
            Reputation::from(&check)
        } else {
            Reputation::not_looked_up("private address")
        };
        reputations.insert(found.ip, reputation);
    }

    // 3. The mapping, configured as the [jira] section and [[rules]] of a config would.
    let rules: Vec<RuleSpec> = serde_json::from_value(serde_json::json!([
        { "match": { "title": "(?i)impossible travel" }, "priority": "High", "labels": ["impossible-travel"] }
    ]))?;
    let priorities = SeverityPriorities {
        high: Some("Highest".into()),
        medium: Some("High".into()),
        low: Some("Medium".into()),
        informational: Some("Low".into()),
    };
    let mut drafts = Vec::new();
    for deployment in [Deployment::Cloud, Deployment::Server] {
        let config = MappingConfig::new(deployment)
            .labels(["mcas"])
            .priorities(priorities.clone())
            .rules(Rules::try_from(rules.as_slice())?)
            .field(alert_mapping::TicketAttribute::AlertUrl, "customfield_10109", FieldShape::Url)
            .field(alert_mapping::TicketAttribute::IpReputation, "customfield_10108", FieldShape::RichText);
        match Mapper::new(config)?.map(&facts, &reputations)? {
            Mapped::Ticket(draft) => drafts.push((deployment, draft)),
            Mapped::Skip { .. } => return Err("a rule skipped the alert".into()),
            _ => return Err("the mapping gave neither a ticket nor a skip".into()),
        }
    }

    let (_, cloud) = &drafts[0];
    println!("alert     {} [{}] {}", alert.id, alert.severity, alert.title);
    let or_none = |items: Vec<String>| if items.is_empty() { "(none)".to_owned() } else { items.join(", ") };
    println!("users     {}", or_none(facts.users.clone()));
    let ips: Vec<String> = facts
        .ips
        .iter()
        .map(|f| format!("{}{}", f.ip, if f.public { "" } else { " (not public)" }))
        .collect();
    println!("ips       {}", or_none(ips));
    println!();
    println!("summary   {}", cloud.summary);
    println!("priority  {}", cloud.priority.as_deref().unwrap_or("(project default)"));
    println!("labels    {}", cloud.labels.join(", "));
    for (id, value) in &cloud.fields {
        match value {
            FieldValue::Json(value) => println!("field     {id} = {value}"),
            FieldValue::RichText(doc) => println!("field     {id} = {}", doc.to_adf()),
            _ => println!("field     {id} = {value:?}"),
        }
    }
    for (deployment, draft) in &drafts {
        match deployment {
            Deployment::Cloud => {
                println!("\n== description as ADF (Jira Cloud, REST v3)");
                print_adf(&draft.description.to_adf());
            }
            _ => {
                println!("\n== description as wiki markup (Jira Server/Data Center, REST v2)");
                println!("{}", draft.description.to_wiki());
            }
        }
    }
    // The request body the tool would send to Jira Cloud.
    let body = cloud.to_new_issue(ProjectRef::key("SEC"), "Task").to_request_body(Deployment::Cloud);
    println!("\n== POST /rest/api/3/issue body: {} bytes", serde_json::to_vec(&body)?.len());
    Ok(())
}

/// An ADF document, one top-level block a line.
fn print_adf(doc: &Value) {
    let blocks = doc["content"].as_array().map(Vec::as_slice).unwrap_or_default();
    println!(r#"{{"type":"doc","version":{},"content":["#, doc["version"]);
    for (i, block) in blocks.iter().enumerate() {
        println!("  {block}{}", if i + 1 < blocks.len() { "," } else { "" });
    }
    println!("]}}");
}

/// The alert with `id` (or the first) of an alert list answer, or the alert itself.
fn first_alert(value: &Value, id: Option<&str>) -> Result<Value, String> {
    let Some(list) = value.get("data").and_then(Value::as_array) else {
        return Ok(value.clone());
    };
    list.iter()
        .find(|alert| id.is_none_or(|id| alert.get("_id").and_then(Value::as_str) == Some(id)))
        .cloned()
        .ok_or_else(|| "no alert in the file".to_owned())
}
