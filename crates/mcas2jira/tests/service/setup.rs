//! Mistakes of setting up: a state file where it cannot be written, a state file another
//! mcas2jira holds, a tenant URL pasted whole or without its scheme. Each error names the cause
//! and the fix.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::child::Running;
use crate::support::{Harness, HarnessOptions, RUN_TIMEOUT, RunOutput, alerts, run_with_timeout};

fn harness() -> Harness {
    Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 2)).without_abuseipdb())
}

/// Points `[state] path` at `path`.
fn state_at(h: &Harness, path: &Path) {
    let old = format!("path = \"{}\"", h.state_path.display());
    h.edit_config(|text| *text = text.replace(&old, &format!("path = \"{}\"", path.display())));
}

#[track_caller]
fn refused(out: &RunOutput, expected: &str) {
    assert_eq!(out.status, 2, "{out}");
    assert!(out.stderr.contains(expected), "expected {expected:?}:\n{out}");
    assert!(!out.stderr.contains("unable to open database file"), "SQLite's own words are no help: {out}");
}

#[test]
fn a_missing_state_directory_is_named_with_the_fix() {
    let h = harness();
    let missing = h.dir().join("var/lib/mcas2jira");
    state_at(&h, &missing.join("mcas2jira.db"));
    let out = h.run(["run"]);
    refused(&out, &format!("the directory {} does not exist; create it", missing.display()));
    assert!(out.stderr.contains("StateDirectory=mcas2jira"), "{out}");
    // `check` says so too, on the state store's line, and creates nothing.
    let check = h.run(["check"]);
    assert_eq!(check.status, 1, "{check}");
    let line = check.stdout.lines().find(|l| l.contains("state store")).unwrap();
    assert!(line.starts_with("FAIL") && line.contains("does not exist"), "{line}");
    assert!(!missing.exists());
    assert_eq!(h.jira.issue_count(), 0);
}

#[test]
fn a_state_path_under_a_file_is_named() {
    // A check that holds for root too: no permission bit is involved.
    let h = harness();
    let file = h.dir().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    state_at(&h, &file.join("mcas2jira.db"));
    refused(&h.run(["run"]), &format!("{} is not a directory", file.display()));
    refused(&h.run(["watch"]), &format!("{} is not a directory", file.display()));
}

/// Whether this process runs as root (whose writes no permission bit stops).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn a_state_directory_the_user_may_not_write_is_permission_denied() {
    let h = harness();
    let dir = h.dir().join("root-owned");
    std::fs::create_dir(&dir).unwrap();
    state_at(&h, &dir.join("mcas2jira.db"));
    let args = ["--config".to_owned(), h.config_path.display().to_string(), "run".to_owned()];
    let command = if is_root() {
        // As the README's unit does (`User=mcas2jira`): the binary runs as an unprivileged user,
        // here `nobody` through setpriv, in front of a directory only root may write.
        if std::process::Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("setpriv is not installed: skipping the unprivileged run");
            return;
        }
        for path in [h.dir(), dir.as_path()] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::set_permissions(&h.config_path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut command = std::process::Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_mcas2jira")])
            .args(&args)
            .current_dir("/")
            .env_clear();
        // The environment the harness gives its runs (the secrets' variables, PATH).
        for (name, value) in h.command(Vec::<String>::new()).get_envs() {
            if let Some(value) = value {
                command.env(name, value);
            }
        }
        command
    } else {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        h.command(args)
    };
    let out = run_with_timeout(command, RUN_TIMEOUT);
    refused(&out, &format!("permission denied writing {}", dir.display()));
    assert!(out.stderr.contains("(mcas2jira runs as uid"), "{out}");
    assert!(out.stderr.contains("StateDirectory=mcas2jira"), "{out}");
    assert_eq!(h.jira.issue_count(), 0);
}

#[test]
fn a_state_file_held_by_a_watch_names_the_watch() {
    let h = harness();
    let mut watch = Running::start(&h, &["watch", "--every", "1h"]);
    // Its first pass done (the tickets created), so that what follows does not race it.
    watch.wait_stderr("tenant pass done");
    let out = h.run(["run"]);
    assert_eq!(out.status, 1, "{out}");
    let expected = format!("is locked by process {}: mcas2jira --config", watch.id());
    assert!(out.stderr.contains("another mcas2jira is running on this state file"), "{out}");
    assert!(out.stderr.contains(&expected), "expected {expected:?}: {out}");
    assert!(out.stderr.contains(" watch --every 1h)"), "{out}");
    // A second watch is refused the same way, at once.
    let second = h.run(["watch", "--every", "1h"]);
    assert_eq!(second.status, 1, "{second}");
    assert!(second.stderr.contains(&expected), "{second}");
    watch.terminate();
    assert_eq!(watch.wait(), 0);
    // Once the watch has stopped, a run goes ahead (and has nothing left to do).
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.events_of("ticket_created").is_empty(), "{out}");
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_pasted_api_url_is_cut_to_its_base_with_a_warning() {
    let h = harness();
    let url = h.mcas[0].url().trim_end_matches('/').to_owned();
    let pasted = format!("{url}/api/v1/alerts/");
    h.edit_config(|text| {
        *text = text.replace(&format!("url = \"{}\"", h.mcas[0].url()), &format!("url = \"{pasted}\""))
    });
    let out = h.run(["run"]);
    assert_eq!(out.status, 0, "{out}");
    assert!(
        out.stderr.contains(&format!("tenants[0].url: using {url}/, the base of the API, for {pasted}")),
        "{out}"
    );
    h.assert_one_ticket_per_alert();
}

#[test]
fn a_url_without_a_scheme_is_refused_with_the_fix() {
    let h = harness();
    h.edit_config(|text| {
        *text = text.replace(
            &format!("url = \"{}\"", h.mcas[0].url()),
            "url = \"contoso.us3.portal.cloudappsecurity.com\"",
        )
    });
    let out = h.run(["run"]);
    assert_eq!(out.status, 2, "{out}");
    assert!(
        out.stderr.contains(
            "tenants[0].url: \"contoso.us3.portal.cloudappsecurity.com\" has no scheme: add https:// (https://contoso.us3.portal.cloudappsecurity.com)"
        ),
        "{out}"
    );
    assert!(!out.stderr.contains("relative URL without a base"), "{out}");
}

#[test]
fn a_tenant_that_answers_404_is_reported_with_the_url_requested() {
    let h = harness();
    // A base with a path the fake does not serve: every request answers 404.
    let base = format!("{}/wrong/", h.mcas[0].url().trim_end_matches('/'));
    h.edit_config(|text| {
        *text = text.replace(&format!("url = \"{}\"", h.mcas[0].url()), &format!("url = \"{base}\""))
    });
    let out = h.run(["run"]);
    assert_eq!(out.status, 3, "{out}");
    assert!(out.stdout.contains(&format!("not found at {base}api/v1/alerts/")), "{out}");
}
