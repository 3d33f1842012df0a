//! Jira's refusals, each kind through the real binary: the config's (stopped once, exit 2, the
//! alerts waiting for the fix), the alert's (ticketed without the refused field), and the
//! summary Jira counts in UTF-16 code units; each followed by a rerun after the fix, with no
//! alert lost and none ticketed twice.

use serde_json::{Value, json};

use crate::support::{
    ALL_ISSUE_TYPES, Harness, HarnessOptions, RunOutput, ValueRefusal, alert_id, alerts, route,
};

/// A rule matching every alert, setting components.
fn components_rule(components: &str) -> String {
    format!("[[rules]]\nname = \"all\"\nmatch = {{ title = \".\" }}\ncomponents = [{components}]\n")
}

/// Asserts the run stopped for the config: status 2, one `jira_config_refused` naming `key` =
/// `value`, found by `found_by`, and its human line names the key (in the human run).
#[track_caller]
fn assert_config_refused(out: &RunOutput, found_by: &str, key: &str, value: &str) -> Value {
    assert_eq!(out.status, 2, "{out}");
    let refused = out.events_of("jira_config_refused");
    assert_eq!(refused.len(), 1, "reported once: {out}");
    let event = refused[0].clone();
    assert_eq!((event["key"].as_str(), event["value"].as_str()), (Some(key), Some(value)), "{out}");
    assert_eq!(event["found_by"], found_by, "{out}");
    assert!(out.events_of("failed").is_empty(), "no alert fails for the config's sake: {out}");
    event
}

#[test]
fn a_component_the_project_lacks_stops_the_run_before_any_alert_and_waits_for_the_fix() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 4))
            .extra_config(&components_rule("\"SOC\"")),
    );
    let out = h.run(["run", "--json"]);
    let event = assert_config_refused(&out, "check", "rules[0].components", "SOC");
    assert_eq!(event["offers"], json!(["Identity", "Email", "Endpoint"]), "{out}");
    assert_eq!(h.jira.issue_count(), 0);
    assert_eq!(h.jira.stats().get(route::CREATE) + h.jira.stats().get(route::BULK_CREATE), 0);
    // No alert was read: the checkpoint did not move, the next run starts where this one would.
    assert_eq!(h.mcas[0].stats().get(crate::support::mcas_route::LIST), 0, "{out}");

    let human = h.run(["run"]);
    assert_eq!(human.status, 2, "{human}");
    assert!(
        human.stdout.contains(
            "jira would refuse the config: rules[0].components = \"SOC\": not a component of project SEC \
             (Jira offers: Identity, Email, Endpoint)"
        ),
        "{human}"
    );

    h.edit_config(|text| *text = text.replace("components = [\"SOC\"]", "components = [\"Identity\"]"));
    let fixed = h.run(["run", "--json"]);
    assert_eq!(fixed.status, 0, "{fixed}");
    h.assert_one_ticket_per_alert();
    assert!(h.jira.issues().iter().all(|i| i.components == ["Identity"]));
    let again = h.run(["run", "--json"]);
    assert_eq!(again.status, 0, "{again}");
    h.assert_one_ticket_per_alert();
}

/// A refusal the check cannot foresee (a component Jira refuses at create time, as after one is
/// deleted): creates stop at the first for every tenant, the refusal is said once, the alerts
/// wait without counting attempts, and all are ticketed once the config is fixed.
#[test]
fn a_refused_create_stops_every_tenant_once_and_the_alerts_wait_uncounted() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 6))
            .tenant("fabrikam", alerts("fabrikam", 5))
            .jira(|jira| {
                jira.components.push("SOC".into());
                jira.refuse_values.push(ValueRefusal::new(
                    "components",
                    "SOC",
                    "Component name 'SOC' is not valid",
                ));
            })
            .extra_config(&components_rule("\"SOC\""))
            // One tenant at a time: the second must not even try.
            .extra_config("[pipeline]\nconcurrency = 1"),
    );
    let out = h.run(["run", "--json"]);
    let event = assert_config_refused(&out, "create", "rules[0].components", "SOC");
    assert_eq!(event["reason"], "Component name 'SOC' is not valid");
    assert_eq!(h.jira.issue_count(), 0);
    let creates = h.jira.stats().get(route::CREATE) + h.jira.stats().get(route::BULK_CREATE);
    assert_eq!(creates, 1, "one refused create for both tenants: {out}");
    let held: u64 = out.events_of("tenant_summary").iter().map(|s| s["held"].as_u64().unwrap()).sum();
    assert_eq!(held, 11, "{out}");

    // The alerts wait; however often the run is repeated, they never count an attempt.
    for _ in 0..2 {
        let again = h.run(["run", "--json"]);
        assert_eq!(again.status, 2, "{again}");
        assert_eq!(again.events_of("jira_config_refused").len(), 1, "{again}");
    }
    let report = h.run(["report", "--format", "json", "--from", "2000-01-01", "--to", "2100-01-01"]);
    assert!(report.stdout.contains("held while Jira refuses the config"), "{report}");
    let store = mcas2jira::state::StateStore::open(&h.state_path).unwrap();
    assert!(store.pending(None).unwrap().iter().all(|p| p.attempts == 0));
    drop(store);

    h.edit_config(|text| *text = text.replace("components = [\"SOC\"]", "components = [\"Email\"]"));
    let fixed = h.run(["run", "--json"]);
    assert_eq!(fixed.status, 0, "{fixed}");
    h.assert_one_ticket_per_alert();
    assert_eq!(
        fixed.events_of("tenant_summary").iter().map(|s| s["pending"].as_u64().unwrap()).sum::<u64>(),
        0
    );
}

#[test]
fn a_wrong_project_or_issue_type_names_the_key_and_the_value() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)));
    h.edit_config(|text| *text = text.replace("project = \"SEC\"", "project = \"OPS\""));
    let out = h.run(["run", "--json"]);
    assert_config_refused(&out, "check", "jira.project", "OPS");
    let human = h.run(["run"]);
    assert!(human.stdout.contains("jira.project = \"OPS\": no such project"), "{human}");

    h.edit_config(|text| {
        *text = text
            .replace("project = \"OPS\"", "project = \"SEC\"")
            .replace("issue_type = \"Task\"", "issue_type = \"Incident\"")
    });
    let out = h.run(["run", "--json"]);
    let event = assert_config_refused(&out, "check", "jira.issue_type", "Incident");
    assert_eq!(event["offers"], json!(["Task", "Bug"]));
    assert_eq!(h.jira.issue_count(), 0);

    h.edit_config(|text| *text = text.replace("issue_type = \"Incident\"", "issue_type = \"Bug\""));
    let fixed = h.run(["run", "--json"]);
    assert_eq!(fixed.status, 0, "{fixed}");
    h.assert_one_ticket_per_alert();
    assert!(h.jira.issues().iter().all(|i| i.issue_type == "Bug"));
}

#[test]
fn a_mapped_field_off_the_create_screen_names_its_key() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 3)).jira(|jira| {
        jira.off_screen.insert(ALL_ISSUE_TYPES.into(), vec!["customfield_10109".into()]);
    }));
    let out = h.run(["run", "--json"]);
    let event = assert_config_refused(&out, "check", "jira.fields.alert_url", "customfield_10109");
    assert_eq!(
        event["reason"],
        "the field Alert URL (customfield_10109) is not on the create screen of Task in SEC"
    );
    assert_eq!(h.jira.issue_count(), 0);

    h.edit_config(|text| *text = text.replace("alert_url = \"customfield_10109\"\n", ""));
    let fixed = h.run(["run", "--json"]);
    assert_eq!(fixed.status, 0, "{fixed}");
    h.assert_one_ticket_per_alert();
}

/// A value Jira refuses for one alert only: that ticket is created without it, says so, and is
/// recorded as such; the others are whole.
#[test]
fn a_value_refused_for_one_alert_is_left_out_of_its_ticket_only() {
    let a = alerts("contoso", 4);
    let odd = alert_id(&a[2]);
    let h = Harness::start(HarnessOptions::default().tenant("contoso", a.clone()).jira(|jira| {
        jira.refuse_values.push(ValueRefusal::new("customfield_10109", &odd, "Not a valid URL"))
    }));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h.assert_one_ticket_per_alert();
    let degraded = out.events_of("ticket_degraded");
    assert_eq!(degraded.len(), 1, "{out}");
    assert_eq!(degraded[0]["alert_id"], odd.as_str());
    assert_eq!(degraded[0]["left_out"], json!(["Alert URL"]));
    assert_eq!(degraded[0]["reason"], "Alert URL: Not a valid URL");
    let ticket = h.ticket_of(&odd);
    assert!(!ticket.custom_fields.contains_key("customfield_10109"), "{ticket:?}");
    let description = ticket.description.unwrap().to_string();
    assert!(description.contains("accepted it without Alert URL"), "{description}");
    for other in a.iter().map(alert_id).filter(|id| *id != odd) {
        assert!(h.ticket_of(&other).custom_fields.contains_key("customfield_10109"));
    }
    let store = mcas2jira::state::StateStore::open(&h.state_path).unwrap();
    let record = store.ticket_for_alert("contoso", &odd).unwrap().unwrap();
    assert_eq!(record.degraded[0].field, "customfield_10109");
    drop(store);

    let again = h.run(["run", "--json"]);
    assert_eq!(again.status, 0, "{again}");
    assert!(again.events_of("ticket_created").is_empty(), "{again}");
    h.assert_one_ticket_per_alert();
}

/// Jira counts the summary in UTF-16 code units: 129 emoji are 258, and the fake refuses more
/// than 255 as Jira does. The title is kept verbatim, markup included.
#[test]
fn emoji_and_hostile_titles_are_ticketed_verbatim_within_jiras_limit() {
    let mut a = alerts("contoso", 2);
    a[0]["title"] = json!("🚨".repeat(129));
    let hostile = "Suspicious {html}<script>alert(1)</script>{html} [~admin] h1. activity";
    a[1]["title"] = json!(hostile);
    let h = Harness::start(HarnessOptions::default().tenant("contoso", a.clone()));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.events_of("ticket_degraded").is_empty(), "{out}");
    h.assert_one_ticket_per_alert();
    let emoji = h.ticket_of(&alert_id(&a[0])).summary;
    assert!(
        emoji.encode_utf16().count() <= 255 && emoji.starts_with("[contoso] 🚨") && emoji.ends_with('…'),
        "{emoji}"
    );
    assert_eq!(h.ticket_of(&alert_id(&a[1])).summary, format!("[contoso] {hostile}"));
}

/// A refusal that names no field (a workflow validator's general message) is settled by trying:
/// the ticket is made with only its summary, description and labels; and when Jira refuses that
/// too (here, for the summary), with the plain summary and description that no value of the
/// alert's can spoil. Either way the alert is ticketed once, and says what it lacks.
#[test]
fn a_general_refusal_for_one_alert_is_settled_by_the_essentials_then_the_plainest_ticket() {
    let a = alerts("contoso", 4);
    let (odd, odder) = (alert_id(&a[1]), alert_id(&a[3]));
    let title = a[3]["title"].as_str().unwrap().to_owned();
    let h = Harness::start(HarnessOptions::default().tenant("contoso", a.clone()).jira(|jira| {
        jira.refuse_values.push(ValueRefusal::general(
            "customfield_10109",
            &odd,
            "We can't create this issue for you right now, it could be due to unsupported content you've entered into one or more of the issue fields.",
        ));
        jira.refuse_values.push(ValueRefusal::general("summary", &title, "The summary is not allowed by the project's validator."));
    }));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h.assert_one_ticket_per_alert();
    let degraded = out.events_of("ticket_degraded");
    assert_eq!(degraded.len(), 2, "{out}");
    let first = degraded.iter().find(|d| d["alert_id"] == odd.as_str()).unwrap();
    let left: Vec<&str> = first["left_out"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(left.contains(&"Alert URL") && left.contains(&"Priority"), "{first}");
    let plain = h.ticket_of(&odd);
    assert!(plain.custom_fields.is_empty() && plain.priority.is_none(), "{plain:?}");
    assert!(plain.summary.starts_with("[contoso] "), "{plain:?}");

    let plainest = h.ticket_of(&odder);
    assert_eq!(plainest.summary, format!("[contoso] Defender for Cloud Apps alert {odder}"));
    let description = plainest.description.unwrap().to_string();
    assert!(description.contains("The summary is not allowed by the project's validator."), "{description}");
    assert_eq!(plainest.labels, [format!("mcas-{odder}")]);

    let again = h.run(["run", "--json"]);
    assert_eq!(again.status, 0, "{again}");
    assert!(again.events_of("ticket_created").is_empty(), "{again}");
    h.assert_one_ticket_per_alert();
}

/// A summary Jira refuses for the alert's content is replaced by the plain one.
#[test]
fn a_summary_refused_for_one_alert_is_replaced_by_the_plain_one() {
    let a = alerts("contoso", 3);
    let odd = alert_id(&a[0]);
    let title = a[0]["title"].as_str().unwrap().to_owned();
    let h = Harness::start(HarnessOptions::default().tenant("contoso", a.clone()).jira(|jira| {
        jira.refuse_values.push(ValueRefusal::new(
            "summary",
            &title,
            "Summary must be less than 255 characters.",
        ))
    }));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h.assert_one_ticket_per_alert();
    let ticket = h.ticket_of(&odd);
    assert_eq!(ticket.summary, format!("[contoso] Defender for Cloud Apps alert {odd}"));
    assert!(ticket.custom_fields.contains_key("customfield_10109"), "what Jira accepted stays: {ticket:?}");
    assert_eq!(out.events_of("ticket_degraded")[0]["left_out"], json!(["Summary"]));
}
