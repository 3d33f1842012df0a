//! `check`, `init`, and `demo` in a binary built with or without it.

use crate::support::{Harness, HarnessOptions, JIRA_TOKEN_ENV, alerts, route};

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
