//! `watch`: tenant passes on their schedule, a summary every interval, failures survived, the
//! sync in slices beside the passes.

use std::time::{Duration, Instant};

use crate::child::Running;
use crate::support::{FaultKind, Harness, HarnessOptions, alerts, mcas_route, route};

#[test]
fn two_intervals_then_sigterm_exits_0_and_the_second_creates_nothing() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 6)));
    let mut watch = Running::start(&h, &["watch", "--every", "1s", "--json"]);
    let first = watch.wait_json("the first pass summary", |v| v["event"] == "pass_summary" && v["pass"] == 1);
    let second =
        watch.wait_json("the second pass summary", |v| v["event"] == "pass_summary" && v["pass"] == 2);
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert_eq!(first["ok"], true, "{first}");
    assert_eq!(first["created"], 6, "{first}");
    assert_eq!(first["tenant_passes"], 1, "{first}");
    assert_eq!(second["ok"], true, "{second}");
    assert_eq!(second["created"], 0, "{second}");
    assert_eq!(second["failed"], 0, "{second}");
    // Every alert's events are printed as for `run --json`, once.
    assert_eq!(watch.events("ticket_created").len(), 6);
    // The last summary says the watch was stopped, and by what.
    let last = watch.events("pass_summary").pop().unwrap();
    assert_eq!(last["stopped_by"], "SIGTERM", "{last}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_failed_connection_and_a_failed_tenant_are_survived() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 4)));
    // Connecting reads Jira's field list: refused once, the services are connected on the next
    // tick. Then the tenant's first read is refused: it fails, and its next pass succeeds.
    h.jira.fail_next(route::FIELD, 1, FaultKind::Status(401));
    h.mcas[0].fail_next(mcas_route::LIST, 1, FaultKind::Status(401));
    let mut watch = Running::start(&h, &["watch", "--every", "1s", "--json"]);
    let first = watch.wait_json("the first pass summary", |v| v["event"] == "pass_summary" && v["pass"] == 1);
    assert_eq!(first["ok"], false, "{first}");
    assert!(first["error"].as_str().unwrap().contains("connecting the services"), "{first}");
    let failed = watch.wait_json("the failed tenant pass", |v| v["event"] == "tenant_summary");
    assert_eq!(failed["tenant_failed"], true, "{failed}");
    let good = watch.wait_json("the next tenant pass", |v| v["event"] == "tenant_summary");
    assert_eq!(good["created"], 4, "{good}");
    watch.wait_json("the summary after it", |v| v["event"] == "pass_summary");
    let summaries = watch.events("pass_summary");
    let counted =
        summaries.iter().find(|v| v["tenants_failed"] == 1).expect("a summary counts the failed tenant");
    assert_eq!(counted["ok"], true, "{counted}");
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert_eq!(watch.events("tenant_failed").len(), 1);
    h.assert_one_ticket_per_alert();
}

#[test]
fn human_output_is_one_summary_line_per_interval_and_an_audit_line_per_ticket() {
    let a = alerts("contoso", 3);
    let h = Harness::start(HarnessOptions::default().tenant("contoso", a.clone()));
    let mut watch = Running::start(&h, &["watch", "--every", "1s"]);
    watch.wait_lines(2);
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert!(
        watch.out[0].starts_with("pass 1: 3 created, 0 already ticketed, 0 skipped, 0 failed of 3 seen in 1 tenant pass; next in 1s"),
        "{:?}",
        watch.out
    );
    assert!(watch.out[1].starts_with("pass 2: 0 created"), "{:?}", watch.out);
    assert!(watch.out.last().unwrap().contains("stopped by SIGTERM"), "{:?}", watch.out);
    // The audit trail, at the default level: one line per ticket, naming tenant, alert and key.
    for alert in &a {
        let id = crate::support::alert_id(alert);
        let key = h.ticket_of(&id).key;
        let line = watch.err.iter().find(|l| l.contains(&format!("alert_id={id}"))).unwrap_or_else(|| {
            panic!("no audit line for {id}:\n{}", watch.err.join("\n"));
        });
        assert!(line.contains("INFO ticket created"), "{line}");
        assert!(line.contains("tenant=contoso"), "{line}");
        assert!(line.contains(&format!("key={key}")), "{line}");
    }
    // The signal is acknowledged at once, and the stop logged.
    assert!(watch.err.iter().any(|l| l.contains("SIGTERM received: stopping")), "{:?}", watch.err);
}

#[test]
fn a_bad_interval_is_a_usage_error() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 1)));
    let out = h.run(["watch", "--every", "0s"]);
    assert_eq!(out.status, 2, "{out}");
    assert!(out.stderr.contains("--every"), "{out}");
    let out = h.run(["watch", "--metrics-addr", "localhost"]);
    assert_eq!(out.status, 2, "{out}");
    assert!(out.stderr.contains("--metrics-addr: \"localhost\" is not a listening address"), "{out}");
    assert_eq!(h.jira.issue_count(), 0);
}

#[test]
fn the_sync_works_through_a_backlog_in_slices_without_holding_up_new_tickets() {
    let all = alerts("contoso", 9);
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", all[..8].to_vec())
            .without_abuseipdb()
            .extra_config("[sync]\nenabled = true\n"),
    );
    assert_eq!(h.run(["run"]).status, 0);
    for issue in h.jira.issues() {
        assert!(h.jira.resolve(&issue.key, "Done"));
    }
    // Each MCAS request takes a second: the eight closes take 8 s or more, in slices of 5 s.
    h.mcas[0].set_latency(Duration::from_millis(1000));
    let mut watch = Running::start(&h, &["watch", "--every", "1s", "--json"]);
    watch.wait_json("a first tenant pass", |v| v["event"] == "tenant_summary");
    // A new alert meanwhile is ticketed by the tenant's next pass, whatever the sync's backlog.
    h.mcas[0].add_alerts(all[8..].to_vec());
    let new_id = crate::support::alert_id(&all[8]);
    watch.wait_json("the new alert's ticket", |v| {
        v["event"] == "ticket_created" && v["alert_id"] == new_id.as_str()
    });
    let closed_then = h.mcas[0].close_calls().len();
    assert!(closed_then < 8, "the new ticket came before the backlog was done: {closed_then} closed");
    let started = Instant::now();
    while h.mcas[0].close_calls().len() < 8 {
        assert!(started.elapsed() < Duration::from_secs(90), "the backlog was never finished");
        std::thread::sleep(Duration::from_millis(100));
    }
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    assert_eq!(h.mcas[0].close_calls().len(), 8, "each alert closed once");
}

/// A config Jira refuses (a rule's component the project lacks): `watch` says so naming the key,
/// creates nothing, reads no alert, keeps running, and asks Jira about once an interval for all
/// its tenants together rather than once per tenant pass; a SIGTERM still ends it with status 0,
/// and once the config is fixed every alert is ticketed once.
#[test]
fn a_config_jira_refuses_holds_every_tenant_until_fixed_and_jira_is_asked_once_an_interval() {
    let names = ["contoso", "fabrikam", "tailspin"];
    let mut options = HarnessOptions::default()
        .extra_config("[[rules]]\nname = \"all\"\nmatch = { title = \".\" }\ncomponents = [\"SOC\"]\n");
    for name in names {
        options = options.tenant(name, alerts(name, 3));
    }
    let h = Harness::start(options);
    let started = Instant::now();
    let mut watch = Running::start(&h, &["watch", "--every", "1s", "--json"]);
    let refused = watch.wait_json("the refusal", |v| v["event"] == "jira_config_refused");
    assert_eq!(refused["key"], "rules[0].components", "{refused}");
    assert_eq!(refused["value"], "SOC", "{refused}");
    // Three intervals of three tenants: nine tenant passes held.
    watch.wait_json("the third summary", |v| v["event"] == "pass_summary" && v["pass"] == 3);
    watch.terminate();
    assert_eq!(watch.wait(), 0, "{:?}", watch.err);
    let elapsed = started.elapsed().as_secs() + 1;
    let checks = h.jira.stats().get(route::CREATEMETA_TYPES);
    assert!(
        checks <= elapsed + 1,
        "{checks} checks of the project's issue types in {elapsed} s: more than one an interval"
    );
    assert_eq!(h.jira.issue_count(), 0);
    for mcas in &h.mcas {
        assert_eq!(mcas.stats().get(mcas_route::LIST), 0, "no alert is read while Jira refuses the config");
    }

    h.edit_config(|text| *text = text.replace("components = [\"SOC\"]", "components = [\"Identity\"]"));
    let fixed = h.run(["run", "--json"]);
    assert_eq!(fixed.status, 0, "{fixed}");
    h.assert_one_ticket_per_alert();
}
