//! What a run will ask of Jira, checked before it asks: the project, the issue type of `[jira]`
//! and of every rule, each rule's components and priorities, the severity priorities, every
//! `[jira.fields]` field on the create screen of each issue type in use, and the fields Jira
//! requires that mcas2jira does not set.
//!
//! `check` prints what [`check_jira`] finds; `run` and `watch` ask it through [`JiraGate`], which
//! keeps a sound result in the state store for `[jira] recheck_after`, so that a config broken
//! since the last look stops a run with status 2 before any alert is handled, at the cost of a
//! few requests an hour. What the check cannot see (a workflow validator, a value Jira refuses
//! for one alert) is caught when Jira refuses a create (`pipeline/refusal.rs`).

mod gate;
mod uses;

use std::fmt;

use jira_client::{CreateMeta, Error as JiraError, IssueType, ProjectRef};
use serde::Serialize;

pub use gate::{JiraGate, Offers, REFUSED_RECHECK, Readiness};
use uses::Uses;

use crate::config::{Config, JiraAuth};
use crate::events::Event;
use crate::services::MappedField;

/// Something in the config Jira would refuse, named by its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The config key (`rules[1].components`, `jira.fields.alert_url`, `jira.project`).
    pub key: String,
    /// Its value, as the config gives it (empty when the key is a table).
    pub value: String,
    /// What Jira says or would say, in one line.
    pub reason: String,
    /// What Jira offers instead (the project's components, the allowed priorities, the issue
    /// types), when it lists them.
    pub offers: Vec<String>,
}

impl Problem {
    pub(crate) fn new(key: impl Into<String>, value: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { key: key.into(), value: value.into(), reason: reason.into(), offers: Vec::new() }
    }

    #[must_use]
    pub(crate) fn offering(mut self, offers: Vec<String>) -> Self {
        self.offers = offers;
        self
    }

    /// The event reporting it, found by `check` (before the pass) or `create` (a refused create).
    #[must_use]
    pub fn event(&self, found_by: &'static str) -> Event {
        Event::JiraConfigRefused {
            key: self.key.clone(),
            value: self.value.clone(),
            reason: self.reason.clone(),
            offers: self.offers.clone(),
            found_by,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}: {}", self.key, self.reason)?;
        } else {
            write!(f, "{} = {:?}: {}", self.key, self.value, self.reason)?;
        }
        if !self.offers.is_empty() {
            write!(f, " (Jira offers: {})", self.offers.join(", "))?;
        }
        Ok(())
    }
}

/// The fields every ticket sets, whatever the config: a required field among them is never
/// missing.
const ALWAYS_SET: [&str; 5] = ["project", "issuetype", "summary", "description", "labels"];

/// Checks what a run will ask of Jira against what Jira allows, reading the project, its create
/// metadata and that of each issue type in use (2 + one request per issue type). Returns every
/// problem found, each once; an empty list when Jira would accept everything.
///
/// # Errors
///
/// Jira's error when it could not be asked (unreachable, an unexpected answer): no verdict either
/// way. Refused credentials are a [`Problem`] of `jira.auth`, not an error.
pub async fn check_jira(
    config: &Config,
    jira: &jira_client::Client,
    fields: &[MappedField],
) -> Result<Vec<Problem>, JiraError> {
    let project_key = &config.jira.project;
    let project = ProjectRef::key(project_key.clone());
    if let Err(error) = jira.project(&project).await {
        return refused_access(config, error).map(|problem| vec![problem]);
    }
    let types = match jira.create_issue_types(&project).await {
        Ok(types) => types,
        Err(error) => return refused_access(config, error).map(|problem| vec![problem]),
    };
    if types.is_empty() {
        return Ok(vec![Problem::new(
            user_key(config),
            user_value(config),
            format!(
                "may not create issues in project {project_key}: Jira lists no issue type it may create there"
            ),
        )]);
    }
    let uses = Uses::of(config);
    let mut problems = Vec::new();
    for (name, keys) in uses.issue_types() {
        let Some(issue_type) = types.iter().find(|t| t.name.eq_ignore_ascii_case(name)) else {
            let offers: Vec<String> = types.iter().filter(|t| !t.subtask).map(|t| t.name.clone()).collect();
            for key in keys {
                problems.push(
                    Problem::new(key, name, format!("project {project_key} has no issue type {name:?}"))
                        .offering(offers.clone()),
                );
            }
            continue;
        };
        let meta = jira.create_meta_of(&project, issue_type.clone()).await?;
        problems.extend(check_issue_type(config, &uses, fields, &meta, issue_type));
    }
    Ok(problems)
}

/// What the create screen of one issue type lacks or refuses.
fn check_issue_type(
    config: &Config,
    uses: &Uses,
    fields: &[MappedField],
    meta: &CreateMeta,
    issue_type: &IssueType,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let screen = format!("the create screen of {} in {}", issue_type.name, config.jira.project);
    let type_keys = uses.keys_of_type(&issue_type.name);
    let type_key = type_keys.first().cloned().unwrap_or_else(|| "jira.issue_type".to_owned());
    for (field, what) in [
        ("labels", "the Labels field, which carries each ticket's mcas-<alert id> label"),
        ("description", "the Description field"),
    ] {
        if meta.field(field).is_none() {
            problems.push(Problem::new(&type_key, &issue_type.name, format!("{screen} lacks {what}")));
        }
    }

    let allowed_priorities = meta.allowed_names("priority");
    for (key, priority) in uses.priorities_of(&issue_type.name) {
        match &allowed_priorities {
            None => problems.push(Problem::new(key, priority, format!("{screen} has no Priority field"))),
            Some(allowed) if !allowed.iter().any(|p| p.eq_ignore_ascii_case(priority)) => problems.push(
                Problem::new(
                    key,
                    priority,
                    format!("not a priority of {} in {}", issue_type.name, config.jira.project),
                )
                .offering(allowed.clone()),
            ),
            Some(_) => {}
        }
    }

    let allowed_components = meta.allowed_names("components");
    for (key, component) in uses.components_of(&issue_type.name) {
        match &allowed_components {
            None => problems.push(Problem::new(key, component, format!("{screen} has no Components field"))),
            Some(allowed) if !allowed.iter().any(|c| c.eq_ignore_ascii_case(component)) => problems.push(
                Problem::new(key, component, format!("not a component of project {}", config.jira.project))
                    .offering(allowed.clone()),
            ),
            Some(_) => {}
        }
    }

    for field in fields {
        if meta.field(&field.id).is_none() {
            problems.push(Problem::new(
                field.key(),
                &field.configured,
                format!("the field {} ({}) is not on {screen}", field.name, field.id),
            ));
        }
    }

    for required in meta.required_fields() {
        let id = required.field_id.as_str();
        if ALWAYS_SET.contains(&id) || fields.iter().any(|f| f.id == id) {
            continue;
        }
        let name = if required.name.is_empty() { id } else { required.name.as_str() };
        let problem = match id {
            "priority" if uses.priority_always_set(&issue_type.name) => continue,
            "priority" => Problem::new(
                "jira.priorities",
                "",
                format!(
                    "Jira requires a priority for {} in {}, and not every alert gets one: give a priority for \
                     each severity",
                    issue_type.name, config.jira.project
                ),
            ),
            "components" => Problem::new(
                "rules",
                "",
                format!(
                    "Jira requires components for {} in {}, and only alerts matching a rule with components get \
                     some",
                    issue_type.name, config.jira.project
                ),
            ),
            _ => Problem::new(
                "jira.fields",
                format!("{name} ({id})"),
                format!(
                    "Jira requires this field for {} in {}, and mcas2jira does not set it: map an attribute to it \
                     in [jira.fields], or make it optional in Jira",
                    issue_type.name, config.jira.project
                ),
            ),
        };
        problems.push(problem);
    }
    problems
}

/// A refusal of the project or of its create metadata as a [`Problem`]; other errors are
/// returned as they are (no verdict).
fn refused_access(config: &Config, error: JiraError) -> Result<Problem, JiraError> {
    let project = &config.jira.project;
    match error {
        JiraError::Unauthorized { .. } => Ok(Problem::new(
            auth_key(config),
            "",
            format!("Jira did not accept the credentials of {} (HTTP 401)", user_value(config)),
        )),
        JiraError::Forbidden { .. } => Ok(Problem::new(
            user_key(config),
            user_value(config),
            format!("may not see project {project} (HTTP 403)"),
        )),
        JiraError::NotFound { .. } => Ok(Problem::new(
            "jira.project",
            project,
            "no such project, or the Jira user may not see it (HTTP 404)",
        )),
        other => Err(other),
    }
}

/// The key that names the Jira user: `jira.auth.user`, or `jira.auth` for a token without one.
pub(crate) fn user_key(config: &Config) -> &'static str {
    match &config.jira.auth {
        JiraAuth::Basic { .. } => "jira.auth.user",
        JiraAuth::Bearer(_) => "jira.auth",
    }
}

/// The Jira user, as the config names it.
pub(crate) fn user_value(config: &Config) -> String {
    match &config.jira.auth {
        JiraAuth::Basic { user, .. } => user.clone(),
        JiraAuth::Bearer(_) => "the personal access token's user".to_owned(),
    }
}

/// The key of the credentials themselves.
pub(crate) fn auth_key(config: &Config) -> String {
    match &config.jira.auth {
        JiraAuth::Basic { token, .. } => token.key().to_owned(),
        JiraAuth::Bearer(pat) => pat.key().to_owned(),
    }
}
