//! `mcas2jira demo`, run as the real binary: its output, its files and its exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn mcas2jira(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcas2jira"))
        .args(args)
        // The demo must not depend on the caller's config or log settings.
        .env_remove("MCAS2JIRA_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[track_caller]
fn assert_status(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The value after `label` on the line that starts with it.
fn line_value(text: &str, label: &str) -> String {
    text.lines().find_map(|l| l.strip_prefix(label)).map(|v| v.trim().to_owned()).unwrap()
}

#[test]
fn demo_tickets_every_alert_once_and_cleans_up() {
    let output = mcas2jira(&["demo"]);
    assert_status(&output, 0);
    let text = stdout(&output);
    for expected in [
        "MCAS tenant contoso",
        "MCAS tenant fabrikam",
        "MCAS tenant northwind",
        "== pass 1",
        "-> SEC-1 created",
        "-> skipped by rule 3",
        "== pass 2",
        "nothing was duplicated",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let pass2 = text.lines().find(|l| l.starts_with("pass 2:")).unwrap();
    assert!(pass2.contains(" 0 created,") && pass2.contains(" 0 failed"), "{pass2}");
    assert!(!text.contains("failed:"), "{text}");

    // Without --dir the files are removed as the demo ends.
    let config = PathBuf::from(line_value(&text, "config:"));
    let state = PathBuf::from(line_value(&text, "state database:"));
    assert!(config.is_absolute() && state.is_absolute(), "{text}");
    assert!(!config.exists() && !state.exists());
    assert!(!config.parent().unwrap().exists(), "the temporary directory is left behind");
}

#[test]
fn demo_json_lines_add_up_and_dir_keeps_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("demo");
    let output = mcas2jira(&["demo", "--json", "--dir", kept.to_str().unwrap()]);
    assert_status(&output, 0);
    let events: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let of_kind = |kind: &'static str| events.iter().filter(move |e| e["event"] == kind);
    assert!(events.iter().all(|e| e["event"].is_string()));

    let passes: Vec<&Value> = of_kind("demo_pass").collect();
    assert_eq!(passes.len(), 2);
    let (first, second) = (passes[0], passes[1]);
    let created = of_kind("ticket_created").count() as u64;
    assert!(created > 50, "a weekend over three tenants has more alerts than {created}");
    assert_eq!(first["created"], created);
    assert_eq!(first["failed"], 0);
    assert!(first["ip_lookups"].as_u64().unwrap() > 0);
    assert!(first["skipped"].as_u64().unwrap() > 0);
    // The second pass reads the same alerts and knows every one from the state store.
    assert_eq!(second["created"], 0);
    assert_eq!(second["already_ticketed"], 0);
    assert_eq!(second["seen"], first["seen"]);
    assert_eq!(second["known"], first["seen"]);
    let tenants: Vec<&str> = of_kind("tenant_summary").map(|e| e["tenant"].as_str().unwrap()).collect();
    assert_eq!(tenants.len(), 8, "three MCAS tenants and a Graph one, two passes: {tenants:?}");
    // The Graph tenant's tickets are there, labelled graph-<id>.
    assert!(of_kind("ticket_created").any(|e| e["tenant"] == "tailspin"));

    let checked = of_kind("demo_checked").next().unwrap();
    assert_eq!(checked["jira_issues"], created);
    assert_eq!(checked["duplicated"], 0);
    let sample = of_kind("demo_sample_ticket").next().unwrap();
    assert!(sample["labels"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().starts_with("mcas-")));

    let files = of_kind("demo_files").next().unwrap();
    assert_eq!(files["kept"], true);
    let config = Path::new(files["config"].as_str().unwrap());
    assert!(config.starts_with(&kept) && config.is_file());
    assert!(Path::new(files["state"].as_str().unwrap()).is_file());
    // Secrets are files next to the config, never written into it.
    let text = std::fs::read_to_string(config).unwrap();
    assert!(text.contains("token_file = \"secrets/jira-token\""), "{text}");
    assert!(!text.contains("demo-jira-token"), "{text}");
    let (loaded, warnings) = mcas2jira::config::Config::load_with_env(config, &|_| None).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(loaded.tenants.len(), 4);
    assert_eq!(loaded.tenant("tailspin").map(|t| t.source_name()), Some("graph"));

    // A second demo into the same directory would meet the first one's state: refused.
    let again = mcas2jira(&["demo", "--dir", kept.to_str().unwrap()]);
    assert_status(&again, 2);
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    assert!(again.stdout.is_empty());
}

#[test]
fn demo_is_listed_in_help() {
    let output = mcas2jira(&["--help"]);
    assert_status(&output, 0);
    assert!(stdout(&output).contains("demo"));
    let output = mcas2jira(&["demo", "--help"]);
    assert_status(&output, 0);
    let text = stdout(&output);
    assert!(text.contains("--json") && text.contains("--dir <DIR>"), "{text}");
}
