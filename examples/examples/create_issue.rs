//! Creates one Jira issue with a rich-text description with `jira-client`.
//!
//! ```sh
//! export JIRA_URL=https://example.atlassian.net
//! export JIRA_PROJECT=SEC                     # a project you may create issues in
//! export JIRA_USER=secops@example.com JIRA_API_TOKEN=...   # Basic auth (Cloud: e-mail + API token)
//! # export JIRA_PAT=...                       # or a personal access token (Server/Data Center)
//! # export JIRA_DEPLOYMENT=server             # default: cloud
//! cargo run -p mcas2jira-examples --example create_issue
//! ```
//!
//! The same `Document` becomes Atlassian Document Format on Cloud (REST v3) and wiki markup on
//! Server/Data Center (REST v2). A create is not idempotent, so the client never retries it once
//! the request may have reached Jira. The issue is labelled `mcas2jira-example`: find it again
//! with JQL `labels = mcas2jira-example`.

use std::error::Error;
use std::process::ExitCode;

use jira_client::richtext::{Document, Inline, Table};
use jira_client::{Auth, Client, Deployment, Label, NameOrId, NewIssue, ProjectRef};
use secrecy::SecretString;

fn main() -> ExitCode {
    // Errors are shown with their causes on one line, as the mcas2jira binary shows them.
    match run_blocking() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut line = format!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                line.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("{line}");
            ExitCode::FAILURE
        }
    }
}

fn run_blocking() -> Result<(), Box<dyn Error>> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(run())
}

async fn run() -> Result<(), Box<dyn Error>> {
    let url = env("JIRA_URL")?.parse()?;
    let project = std::env::var("JIRA_PROJECT").unwrap_or_else(|_| "SEC".to_owned());
    let deployment = match std::env::var("JIRA_DEPLOYMENT").as_deref() {
        Ok("server") => Deployment::Server,
        Ok("cloud") | Err(_) => Deployment::Cloud,
        Ok(other) => return Err(format!("JIRA_DEPLOYMENT is cloud or server, not {other:?}").into()),
    };
    let auth = match std::env::var("JIRA_PAT") {
        Ok(pat) if !pat.is_empty() => Auth::bearer(SecretString::from(pat)),
        _ => Auth::basic(env("JIRA_USER")?, SecretString::from(env("JIRA_API_TOKEN")?)),
    };
    let jira = Client::builder(url, deployment, auth).build()?;

    let description = Document::new()
        .heading(2, "Created by the create_issue example")
        .paragraph(vec![
            Inline::text("This issue shows "),
            Inline::strong("jira-client"),
            Inline::text(" at work; see "),
            Inline::link("the repository", "https://github.com/mcas2jira/mcas2jira"),
            Inline::text("."),
        ])
        .table(Table::facts([("deployment", format!("{deployment:?}")), ("project", project.clone())]))
        .bullet_list([
            vec![Inline::text("Untrusted text is safe: "), Inline::code("{noformat} *bold* [link|x]")],
            vec![Inline::text("Delete this issue when you have seen it.")],
        ]);
    let issue = NewIssue::new(ProjectRef::key(project), NameOrId::name("Task"), "mcas2jira example issue")
        .description(description)
        .labels([Label::new("mcas2jira-example")?]);
    let created = jira.create_issue(&issue).await?;
    println!("created {} ({})", created.key, jira.browse_url(&created.key)?);
    Ok(())
}

/// An environment variable that must be set.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of examples/examples/create_issue.rs)"))
}
