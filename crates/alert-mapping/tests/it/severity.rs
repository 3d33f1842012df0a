//! One severity scale for both sources: Graph's and MCAS's severities become the same
//! `alert_mapping::Severity`, which rules and priorities speak of; a value a source does not
//! document is no severity, and the ticket shows what the source sent.

use std::collections::HashMap;

use alert_mapping::{Mapper, MappingConfig, Severity, SeverityPriorities};
use jira_client::Deployment;
use serde_json::json;

use crate::mapping::rules;
use crate::{draft_with, facts_of, graph_facts_of};

fn graph(severity: &str) -> alert_mapping::Facts {
    graph_facts_of(&json!({
        "id": "ga-1",
        "createdDateTime": "2026-11-30T06:40:41.7215518Z",
        "severity": severity,
    }))
}

fn mcas(severity: i64) -> alert_mapping::Facts {
    facts_of(&json!({"_id": "x1", "timestamp": 0, "severityValue": severity}))
}

#[test]
fn both_sources_on_the_shared_scale() {
    for (graph_name, mcas_value, expected) in [
        ("informational", 3, Severity::Informational),
        ("low", 0, Severity::Low),
        ("medium", 1, Severity::Medium),
        ("high", 2, Severity::High),
    ] {
        let (from_graph, from_mcas) = (graph(graph_name), mcas(mcas_value));
        assert_eq!((from_graph.severity, from_mcas.severity), (Some(expected), Some(expected)));
        assert_eq!(from_graph.severity_text, from_mcas.severity_text);
        assert_eq!(from_graph.severity_text, expected.display_name());
    }
    for (facts, text) in [
        (graph("unknown"), "Unknown"),
        (graph("unknownFutureValue"), "Unknown (unknownFutureValue)"),
        (graph("critical"), "Unknown (critical)"),
        (mcas(9), "Unknown (9)"),
    ] {
        assert_eq!((facts.severity, facts.severity_text.as_str()), (None, text));
    }
}

#[test]
fn an_unknown_severity_gets_no_priority_and_matches_no_severity_condition() {
    let config = MappingConfig::new(Deployment::Cloud)
        .priorities(SeverityPriorities { high: Some("Highest".into()), ..Default::default() })
        .rules(rules(
            r#"
            [[rules]]
            match = { severities = ["informational", "low", "medium", "high"] }
            labels = ["judged"]

            [[rules]]
            labels = ["any"]
            "#,
        ));
    let mapper = Mapper::new(config).unwrap();
    let high = draft_with(&mapper, &graph("high"), &HashMap::new());
    assert_eq!((high.priority.as_deref(), high.labels[1].as_str()), (Some("Highest"), "judged"));
    let unknown = draft_with(&mapper, &graph("critical"), &HashMap::new());
    assert_eq!((unknown.priority.as_deref(), unknown.labels[1].as_str()), (None, "any"));
}
