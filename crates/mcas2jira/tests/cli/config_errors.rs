//! A bad config is exit status 2 with the key at fault named on stderr, before anything is
//! created.

use crate::support::{Harness, HarnessOptions, JIRA_TOKEN_ENV, RunOutput, alerts};

fn harness() -> Harness {
    Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 1)))
}

/// Runs `run` on the harness's (edited) config and checks that it is refused with status 2 and
/// a message containing each of `expected`, with no request to Jira.
#[track_caller]
fn check_refused(h: &Harness, expected: &[&str]) -> RunOutput {
    let out = h.run(["run"]);
    assert_eq!(out.status, 2, "{out}");
    for text in expected {
        assert!(out.stderr.contains(text), "stderr lacks {text:?}:\n{out}");
    }
    assert_eq!(h.jira.issue_count(), 0);
    out
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let h = harness();
    h.edit_config(|text| {
        *text = text.replace("only_open = false\n", "only_open = false\ncolour = \"blue\"\n")
    });
    let line = h.config().lines().position(|l| l.starts_with("colour")).unwrap() + 1;
    check_refused(&h, &["colour", &format!("line {line}")]);
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused() {
    let h = harness();
    let jira_url = h.jira.url().to_owned();
    h.edit_config(|text| *text = text.replace(&jira_url, "http://jira.example.com"));
    check_refused(&h, &["jira.url", "http://", "loopback"]);
}

#[test]
fn a_duplicate_tenant_name_is_refused() {
    let h = harness();
    let url = h.mcas[0].url().to_owned();
    h.edit_config(|text| {
        text.push_str(&format!(
            "\n[[tenants]]\nname = \"contoso\"\nurl = \"{url}\"\ntoken_env = \"OTHER\"\n"
        ));
    });
    check_refused(&h, &["tenants[1]", "duplicate tenant name \"contoso\""]);
}

#[test]
fn a_missing_environment_secret_is_named() {
    let mut h = harness();
    h.remove_env(JIRA_TOKEN_ENV);
    let out = check_refused(&h, &["jira.auth.token_env", JIRA_TOKEN_ENV]);
    assert_eq!(h.mcas[0].stats().total, 0, "{out}");
}

#[test]
fn an_unknown_jira_field_name_is_a_config_error() {
    let h = harness();
    h.edit_config(|text| {
        *text = text.replace("affected_user = \"Affected user\"", "affected_user = \"Afected user\"")
    });
    check_refused(&h, &["jira.fields.affected_user", "Afected user"]);
}
