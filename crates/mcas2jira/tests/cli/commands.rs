//! `check`, `init`, and `demo` in a binary built with or without it.

use crate::support::{
    ABUSEIPDB_KEY_ENV, Harness, HarnessOptions, JIRA_TOKEN_ENV, alerts, mcas_token_env, route,
};

#[test]
fn check_passes_against_the_fakes_and_creates_nothing() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 2))
            .tenant("fabrikam", alerts("fabrikam", 1)),
    );
    let out = h.run(["check"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(!out.stdout.contains("FAIL"), "{out}");
    for name in
        ["config", "jira credentials", "jira project", "abuseipdb", "tenant contoso", "tenant fabrikam"]
    {
        assert!(
            out.stdout.lines().any(|l| l.starts_with("ok") && l.contains(name)),
            "no ok line for {name}:\n{out}"
        );
    }
    assert_eq!(h.jira.issue_count(), 0);
    let stats = h.jira.stats();
    assert_eq!(stats.get(route::CREATE) + stats.get(route::BULK_CREATE), 0, "{stats:?}");

    let json = h.run(["check", "--json"]);
    assert_eq!(json.status, 0, "{json}");
    assert!(json.events.len() >= 8, "{json}");
    for line in &json.events {
        assert_eq!(line["ok"], true, "{line}");
        assert!(line["check"].is_string() && line["detail"].is_string(), "{line}");
    }
}

#[test]
fn check_with_a_wrong_jira_token_fails_with_the_reason() {
    let mut h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 1)));
    h.set_env(JIRA_TOKEN_ENV, "not-the-token");
    let out = h.run(["check"]);
    assert_ne!(out.status, 0, "{out}");
    let line = out.stdout.lines().find(|l| l.contains("jira credentials")).unwrap_or_default();
    assert!(line.starts_with("FAIL"), "{out}");
    assert!(line.contains("401") || line.to_lowercase().contains("auth"), "no reason given: {line}");
    // The other services are still checked, and pass.
    assert!(out.stdout.lines().any(|l| l.starts_with("ok") && l.contains("tenant contoso")), "{out}");
    assert!(!out.stdout.contains("not-the-token") && !out.stderr.contains("not-the-token"), "{out}");
    // One refusal, one line: the Jira checks that would repeat it are not made.
    let failed: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(failed.len(), 1, "{out}");
    assert_eq!(h.jira.stats().get(route::MYSELF), 1);
    assert_eq!(h.jira.stats().total, 1, "{:?}", h.jira.stats());
}

/// Everything a run would meet in Jira, found by `check` at once, without creating anything.
#[test]
fn check_finds_every_config_problem_jira_would_refuse_and_creates_nothing() {
    let h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 2))
            .jira(|jira| {
                // The project's scheme has no "Lowest", its Bug screen no Alert URL, and it requires
                // the MCAS tenant field, which the config does not map.
                jira.allowed_priorities =
                    Some(vec!["Highest".into(), "High".into(), "Medium".into(), "Low".into()]);
                jira.off_screen.insert("Bug".into(), vec!["customfield_10109".into()]);
                jira.required_fields.push("customfield_10110".into());
            })
            .extra_config(
                "[[rules]]\nmatch = { title = \"(?i)travel\" }\nissue_type = \"Incident\"\n\n\
                 [[rules]]\nmatch = { title = \"(?i)download\" }\ncomponents = [\"SOC\", \"Email\"]\n\n\
                 [[rules]]\nmatch = { severity = \"high\" }\nissue_type = \"Bug\"\npriority = \"Urgent\"\n",
            ),
    );
    let out = h.run(["check"]);
    assert_eq!(out.status, 1, "{out}");
    let failed: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    let expected = [
        "rules[0].issue_type = \"Incident\": project SEC has no issue type \"Incident\" (Jira offers: Task, Bug)",
        "jira.priorities.informational = \"Lowest\": not a priority of Task in SEC (Jira offers: Highest, High, Medium, Low)",
        "rules[1].components = \"SOC\": not a component of project SEC (Jira offers: Identity, Email, Endpoint)",
        "jira.fields = \"MCAS tenant (customfield_10110)\": Jira requires this field for Task in SEC",
        "rules[2].priority = \"Urgent\": not a priority of Bug in SEC (Jira offers: Highest, High, Medium, Low)",
        "jira.fields.alert_url = \"customfield_10109\": the field Alert URL (customfield_10109) is not on the create screen of Bug in SEC",
        "jira.fields = \"MCAS tenant (customfield_10110)\": Jira requires this field for Bug in SEC",
    ];
    for want in expected {
        assert_eq!(failed.iter().filter(|l| l.contains(want)).count(), 1, "{want}\n{out}");
    }
    assert_eq!(failed.len(), expected.len(), "{out}");
    // "Email" is a component of the project: not reported.
    assert!(!out.stdout.contains("\"Email\""), "{out}");
    assert_eq!(h.jira.issue_count(), 0);
    assert_eq!(h.jira.stats().get(route::CREATE) + h.jira.stats().get(route::BULK_CREATE), 0);

    // `run` stops on the same problems before any alert, and `--dry-run` too.
    for args in [&["run", "--json", "--dry-run"][..], &["run", "--json"][..]] {
        let run = h.run(args);
        assert_eq!(run.status, 2, "{run}");
        assert_eq!(run.events_of("jira_config_refused").len(), expected.len(), "{run}");
        assert!(
            run.events_of("would_create").is_empty() && run.events_of("ticket_created").is_empty(),
            "{run}"
        );
    }
    assert_eq!(h.jira.issue_count(), 0);
}

/// Every secret that cannot be read is named, not only the first.
#[test]
fn check_names_every_missing_secret() {
    let mut h = Harness::start(
        HarnessOptions::default()
            .tenant("contoso", alerts("contoso", 1))
            .tenant("fabrikam", alerts("fabrikam", 1)),
    );
    for var in [JIRA_TOKEN_ENV.to_owned(), ABUSEIPDB_KEY_ENV.to_owned(), mcas_token_env(1)] {
        h.remove_env(&var);
    }
    let out = h.run(["check"]);
    assert_eq!(out.status, 2, "{out}");
    let failed: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(failed.len(), 3, "{out}");
    for (key, var) in [
        ("jira.auth.token_env", JIRA_TOKEN_ENV.to_owned()),
        ("abuseipdb.key_env", ABUSEIPDB_KEY_ENV.to_owned()),
        ("tenants[1].token_env", mcas_token_env(1)),
    ] {
        let line = format!("{key}: environment variable {var} is not set");
        assert!(failed.iter().any(|l| l.contains(&line)), "{line}\n{out}");
    }
    let run = h.run(["run"]);
    assert_eq!(run.status, 2, "{run}");
    assert!(run.stderr.contains("3 secrets cannot be read"), "{run}");
}

#[test]
fn init_writes_the_example_and_refuses_to_overwrite() {
    let h = Harness::start(HarnessOptions::default());
    let path = h.dir().join("new.toml");
    let out = h.run_raw(["init".as_ref(), path.as_os_str()]);
    assert_eq!(out.status, 0, "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), mcas2jira::config::EXAMPLE);

    std::fs::write(&path, "# mine\n").unwrap();
    let again = h.run_raw(["init".as_ref(), path.as_os_str()]);
    assert_eq!(again.status, 2, "{again}");
    assert!(again.stderr.contains("exists") && again.stderr.contains("--force"), "{again}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n", "the file was overwritten");

    let forced = h.run_raw(["init".as_ref(), "--force".as_ref(), path.as_os_str()]);
    assert_eq!(forced.status, 0, "{forced}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), mcas2jira::config::EXAMPLE);

    // Without a path it writes ./mcas2jira.toml in the working directory (the harness's, which
    // already holds the harness's config): refused too.
    let default = h.run_raw(["init"]);
    assert_eq!(default.status, 2, "{default}");
}

/// `demo` is in `--help` however the binary was built; without the `demo` feature its line says
/// how to get it, and running it is a usage error that says the same.
#[test]
fn demo_is_listed_with_or_without_the_feature() {
    let h = Harness::start(HarnessOptions::default());
    let help = h.run_raw(["--help"]);
    assert_eq!(help.status, 0, "{help}");
    let line = help.stdout.lines().find(|l| l.trim_start().starts_with("demo ")).unwrap_or_default();
    if cfg!(feature = "demo") {
        assert!(line.contains("fake"), "demo is not described in --help:\n{help}");
    } else {
        assert!(line.contains("`demo` feature"), "demo does not say how to get it in --help:\n{help}");
        let out = h.run_raw(["demo"]);
        assert_eq!(out.status, 2, "{out}");
        assert!(out.stderr.contains("cargo install mcas2jira"), "{out}");
    }
}
