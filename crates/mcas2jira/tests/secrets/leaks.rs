//! The binary with trace logging through its error paths: no secret in stdout, stderr, the
//! `--json` events or the state database (the file and its write-ahead log).

use crate::base64;
use crate::support::{
    ABUSEIPDB_KEY_ENV, FakeAbuseIpdbOptions, FaultKind, Harness, HarnessOptions, JIRA_TOKEN_ENV, RunOutput,
    abuseipdb_route, alerts, mcas_route, mcas_token_env,
};

/// Every secret the harness gives the binary, as it would appear if leaked (the Jira token also
/// as the `Authorization: Basic` value).
fn secrets(h: &Harness, jira_token: &str) -> Vec<String> {
    let user = &h.jira.options().user;
    let mut secrets = vec![
        jira_token.to_owned(),
        base64(format!("{user}:{jira_token}").as_bytes()),
        FakeAbuseIpdbOptions::default().key,
    ];
    secrets.extend((0..h.mcas.len()).map(|i| format!("mcas-token-{i}")));
    secrets
}

/// Runs the binary twice, once with `-vv` and once with `RUST_LOG=trace`, and asserts no secret
/// shows anywhere. Returns the `-vv` run.
#[track_caller]
fn run_and_check(h: &mut Harness, args: &[&str], secrets: &[String]) -> RunOutput {
    let mut verbose = vec!["-vv"];
    verbose.extend_from_slice(args);
    let out = h.run(&verbose);
    assert_clean(h, &out, secrets);
    h.set_env("RUST_LOG", "trace");
    let traced = h.run(args);
    h.remove_env("RUST_LOG");
    assert_clean(h, &traced, secrets);
    // The logs are really there (once past the config, which is read before anything is
    // logged): a quiet run would prove nothing.
    if out.status != 2 {
        assert!(out.stderr.lines().count() > 5 && traced.stderr.contains("TRACE"), "{traced}");
    }
    out
}

#[track_caller]
fn assert_clean(h: &Harness, out: &RunOutput, secrets: &[String]) {
    for secret in secrets {
        assert!(!out.stdout.contains(secret.as_str()), "stdout shows {secret:?}:\n{out}");
        assert!(!out.stderr.contains(secret.as_str()), "stderr shows {secret:?}:\n{out}");
    }
    for suffix in ["", "-wal"] {
        let mut path = h.state_path.clone().into_os_string();
        path.push(suffix);
        if let Ok(bytes) = std::fs::read(&path) {
            for secret in secrets {
                let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
                assert!(!found, "{} holds {secret:?}", path.to_string_lossy());
            }
        }
    }
}

fn harness() -> Harness {
    // Alerts with public IPs, so that AbuseIPDB is asked.
    Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 6)))
}

#[test]
fn a_successful_run_leaks_nothing() {
    let mut h = harness();
    let secrets = secrets(&h, "fake-jira-token");
    let out = run_and_check(&mut h, &["run", "--json"], &secrets);
    assert_eq!(out.status, 0, "{out}");
    assert!(h.jira.issue_count() > 0);
}

#[test]
fn jira_401_leaks_nothing() {
    let mut h = harness();
    let secrets = secrets(&h, "fake-jira-token");
    // Injected (the right token was sent, Jira said no) and real (a wrong token).
    h.jira.fail_next(mcas2jira_fakes::ANY_ROUTE, 1000, FaultKind::Status(401));
    let out = run_and_check(&mut h, &["run", "--json"], &secrets);
    assert_ne!(out.status, 0, "{out}");
    let out = run_and_check(&mut h, &["check", "--json"], &secrets);
    assert_eq!(out.status, 1, "{out}");
    h.jira.clear_faults();

    let wrong = "wrong-jira-token-5f3a";
    h.set_env(JIRA_TOKEN_ENV, wrong);
    let secrets = secrets_with(&h, wrong);
    let out = run_and_check(&mut h, &["run", "--json"], &secrets);
    assert!(out.stderr.contains("401"), "{out}");
    run_and_check(&mut h, &["check", "--json"], &secrets);
}

fn secrets_with(h: &Harness, jira_token: &str) -> Vec<String> {
    let mut all = secrets(h, jira_token);
    all.extend(secrets(h, "fake-jira-token"));
    all
}

#[test]
fn mcas_401_leaks_nothing() {
    let mut h = harness();
    let secrets = secrets(&h, "fake-jira-token");
    h.mcas[0].fail_next(mcas_route::LIST, 1000, FaultKind::Status(401));
    let out = run_and_check(&mut h, &["run", "--json"], &secrets);
    assert_eq!(out.status, 3, "{out}");
    assert_eq!(out.events_of("tenant_failed").len(), 1, "{out}");
    run_and_check(&mut h, &["check", "--json"], &secrets);
    h.mcas[0].clear_faults();

    let wrong = "wrong-mcas-token-77c1";
    h.set_env(&mcas_token_env(0), wrong);
    let mut secrets = secrets;
    secrets.push(wrong.to_owned());
    let out = run_and_check(&mut h, &["run", "--json"], &secrets);
    assert_eq!(out.status, 3, "{out}");
}

#[test]
fn abuseipdb_401_and_422_leak_nothing() {
    for status in [401, 422] {
        let mut h = harness();
        let secrets = secrets(&h, "fake-jira-token");
        let abuse = h.abuseipdb.as_ref().unwrap();
        abuse.fail_next(abuseipdb_route::CHECK, 1000, FaultKind::Status(status));
        let out = run_and_check(&mut h, &["run", "--json"], &secrets);
        // Enrichment never blocks a ticket.
        assert_eq!(out.status, 0, "{out}");
        run_and_check(&mut h, &["check", "--json"], &secrets);
    }
    let mut h = harness();
    let wrong = "wrong-abuseipdb-key-90ab";
    h.set_env(ABUSEIPDB_KEY_ENV, wrong);
    let mut secrets = secrets(&h, "fake-jira-token");
    secrets.push(wrong.to_owned());
    let out = run_and_check(&mut h, &["run", "--json"], &secrets);
    assert_eq!(out.status, 0, "{out}");
}

/// A `*_command` that fails after printing part of the secret: the error names the key, the
/// exit status and the command's standard error, never its standard output. And one that works:
/// the secret it prints is used, and shown nowhere.
#[test]
fn a_failing_secret_command_leaks_nothing() {
    let mut h = harness();
    let partial = "cmd-secret-part-31d7";
    h.edit_config(|text| {
        *text = text.replace(
            &format!("token_env = \"{JIRA_TOKEN_ENV}\""),
            &format!("token_command = \"printf {partial}; echo vault is sealed >&2; exit 3\""),
        );
    });
    let mut secrets = secrets(&h, "fake-jira-token");
    secrets.push(partial.to_owned());
    for args in [&["run", "--json"][..], &["check", "--json"]] {
        let out = run_and_check(&mut h, args, &secrets);
        assert_eq!(out.status, 2, "{out}");
        let text = format!("{}{}", out.stdout, out.stderr);
        assert!(text.contains("jira.auth.token_command") && text.contains("vault is sealed"), "{out}");
    }

    h.edit_config(|text| {
        *text = text.replace(
            "printf cmd-secret-part-31d7; echo vault is sealed >&2; exit 3",
            "printf fake-jira-token",
        );
    });
    h.remove_env(JIRA_TOKEN_ENV);
    let out = run_and_check(&mut h, &["run", "--json"], &secrets);
    assert_eq!(out.status, 0, "{out}");
    assert!(h.jira.issue_count() > 0);
}
