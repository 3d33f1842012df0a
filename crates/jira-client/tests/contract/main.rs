//! The contract suite: jira-client's Cloud requests against the Stoplight Prism mock server
//! serving Atlassian's official Jira Cloud OpenAPI document (`contracts/jira/`).
//!
//! Prism validates every request against the document and answers 400 or 422 to one it does
//! not allow; otherwise it answers with the document's example, which must decode. So each test
//! passing means: our request is one the official document allows, and we can read the
//! official example answer.
//!
//! Every test here is `#[ignore]`d, so that `cargo test` passes on a machine with only Rust.
//! `scripts/test.sh` installs Prism, starts it, sets `JIRA_PRISM_URL` and runs the ignored tests
//! of this binary (nextest's `--run-ignored only`); it fails when Prism is missing. Run by hand
//! without Prism (`--ignored`), they fail, on purpose: a contract suite that skips itself
//! proves nothing.

mod issues;
mod metadata;
mod search;

use std::time::Duration;

use jira_client::{Auth, Client, Deployment, Error, RetryPolicy};
use secrecy::SecretString;

const HOW_TO_RUN: &str =
    "run the suite with scripts/test.sh, which starts the Prism mock server and sets JIRA_PRISM_URL";

/// A Cloud client for the Prism server, after checking that the server answers.
pub async fn jira() -> Client {
    let url = match std::env::var("JIRA_PRISM_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!("JIRA_PRISM_URL is not set: {HOW_TO_RUN}"),
    };
    let probe = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    if let Err(err) = probe.get(&url).send().await {
        panic!("the Prism mock server at {url} does not answer ({err}): {HOW_TO_RUN}");
    }
    let auth = Auth::basic("contract@example.com", SecretString::from("not-a-real-token"));
    // No retries: a 5xx from Prism is a finding, not something to paper over.
    Client::builder(url.parse().expect("JIRA_PRISM_URL is a url"), Deployment::Cloud, auth)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Unwraps a result, failing with a useful message: a 400 or 422 from Prism means the request
/// broke the official document, and Prism's log says how.
#[track_caller]
pub fn valid<T>(what: &str, result: Result<T, Error>) -> T {
    match result {
        Ok(value) => value,
        Err(err) => {
            let verdict = match err.status().map(|s| s.as_u16()) {
                Some(400 | 422) => "Prism found the request invalid against the official document",
                _ => "the call failed",
            };
            panic!("{what}: {verdict}: {err:#?}\n{}", prism_log_tail());
        }
    }
}

/// The end of Prism's log, where it explains each violation.
fn prism_log_tail() -> String {
    let Ok(path) = std::env::var("JIRA_PRISM_LOG") else {
        return "(set JIRA_PRISM_LOG to see Prism's log here)".into();
    };
    match std::fs::read_to_string(&path) {
        Ok(log) => {
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            format!("last lines of Prism's log ({path}):\n{tail}")
        }
        Err(err) => format!("(could not read Prism's log {path}: {err})"),
    }
}

/// The canary: Prism must refuse a request the document forbids, or every other test here
/// proves nothing. `startAt` is not a property of the `/search/jql` body (it was the removed
/// `/search`'s paging).
#[tokio::test]
#[ignore = "needs the Prism mock server: scripts/test.sh starts it and runs this suite"]
async fn prism_refuses_a_request_the_document_forbids() {
    let jira = jira().await;
    let url = jira.base_url().join("rest/api/3/search/jql").unwrap();
    let answer = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "jql": "project = SEC", "startAt": 50 }))
        .send()
        .await
        .unwrap();
    assert!(
        matches!(answer.status().as_u16(), 400 | 422),
        "Prism accepted an invalid request (HTTP {}): is request validation off?",
        answer.status()
    );
}
