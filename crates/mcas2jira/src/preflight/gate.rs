//! The gate every create passes: whether Jira accepts the config, as last checked (and kept in the
//! state store for `[jira] recheck_after`), or as the first create Jira refused for the config's
//! sake showed. One gate serves every tenant of the process: a refusal met by one tenant stops
//! the creates of all, since they share one Jira config, rather than letting a thousand tenants
//! each meet it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jira_client::{NameOrId, ProjectRef};

use super::{Problem, check_jira};
use crate::config::Config;
use crate::events::EventSink;
use crate::services::{MappedField, Services};

/// What the gate says before a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Jira accepts the config, as far as can be checked.
    Ready,
    /// Jira would refuse these: no ticket can be created until they are fixed.
    Refused(Vec<Problem>),
    /// Jira refused the config at a check less than [`REFUSED_RECHECK`] ago (these problems): it
    /// is not asked again yet, nor are the problems reported again.
    StillRefused(Vec<Problem>),
    /// Jira could not be asked (why, in one line); the pass goes on, and its creates find out.
    Unknown(String),
}

/// Where the alternatives to a refused value are listed, to name them in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offers {
    /// Nothing to list.
    Nothing,
    /// The issue types of the project.
    IssueTypes,
    /// The allowed values of a field (`components`, `priority`) on the create screen of an
    /// issue type.
    FieldValues {
        /// The field id.
        field: &'static str,
        /// The issue type's name.
        issue_type: String,
    },
}

/// How long a check that found problems is trusted: the tenants of a `watch`, each asking the
/// gate before its pass, then ask Jira about once a minute between them rather than once each,
/// and a fix made in Jira (a component added) is seen within the minute.
pub const REFUSED_RECHECK: Duration = Duration::from_secs(60);

/// Whether Jira accepts the config; see the module documentation.
#[derive(Debug)]
pub struct JiraGate {
    /// The hash of the config keys the check depends on: a change to them is checked at once.
    hash: String,
    /// How long a sound check is trusted.
    ttl: Duration,
    /// When this process last found the config sound; held during a check, so that tenants
    /// starting together wait for one check rather than each making their own.
    sound_since: tokio::sync::Mutex<Option<Instant>>,
    /// The config refusal a create met, once one did: every create stops.
    refused: Mutex<Option<Problem>>,
    /// When a check last found problems, and which.
    last_refusal: Mutex<Option<(Instant, Vec<Problem>)>>,
}

impl JiraGate {
    /// A gate for this config, with nothing checked yet.
    #[must_use]
    pub fn new(config: &Config, fields: &[MappedField]) -> Self {
        Self {
            hash: config_hash(config, fields),
            ttl: config.jira.recheck_after,
            sound_since: tokio::sync::Mutex::new(None),
            refused: Mutex::new(None),
            last_refusal: Mutex::new(None),
        }
    }

    /// Whether the pass may create: a sound check younger than the TTL (in this process, or in
    /// the state store for this config) is trusted; otherwise Jira is asked again. `dry_run`
    /// records nothing.
    pub async fn ready(&self, services: &Services, dry_run: bool) -> Readiness {
        let mut sound_since = self.sound_since.lock().await;
        if let Some((at, problems)) = &*self.last_refusal.lock().unwrap_or_else(PoisonError::into_inner)
            && at.elapsed() < REFUSED_RECHECK
        {
            return Readiness::StillRefused(problems.clone());
        }
        let refused = self.refused().is_some();
        if !refused && sound_since.is_some_and(|at| at.elapsed() < self.ttl) {
            return Readiness::Ready;
        }
        if !refused
            && let Some(age) = self.stored_age(services).await
            && age < self.ttl
        {
            *sound_since = Instant::now().checked_sub(age);
            return Readiness::Ready;
        }
        match check_jira(&services.config, &services.clients.jira, &services.fields).await {
            Ok(problems) if problems.is_empty() => {
                *sound_since = Some(Instant::now());
                *self.last_refusal.lock().unwrap_or_else(PoisonError::into_inner) = None;
                *self.refused.lock().unwrap_or_else(PoisonError::into_inner) = None;
                if !dry_run {
                    self.store_sound(services).await;
                }
                Readiness::Ready
            }
            Ok(problems) => {
                *sound_since = None;
                *self.last_refusal.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some((Instant::now(), problems.clone()));
                Readiness::Refused(problems)
            }
            Err(error) => Readiness::Unknown(crate::chain(&error)),
        }
    }

    /// Asks [`JiraGate::ready`] before a pass, and reports what Jira would refuse to `sink`, each
    /// once; returns it (empty: the pass goes on). A Jira that cannot be asked is logged, and
    /// the pass goes on: its creates will tell.
    pub async fn before_pass(
        &self,
        services: &Services,
        dry_run: bool,
        sink: &dyn EventSink,
    ) -> Vec<Problem> {
        match self.ready(services, dry_run).await {
            Readiness::Ready => Vec::new(),
            Readiness::Unknown(reason) => {
                tracing::warn!(
                    "could not check the Jira config before the pass (its creates will tell): {reason}"
                );
                Vec::new()
            }
            Readiness::Refused(problems) => {
                for problem in &problems {
                    tracing::error!("jira would refuse the config: {problem}");
                    sink.emit(problem.event("check"));
                }
                problems
            }
            Readiness::StillRefused(problems) => problems,
        }
    }

    /// The config refusal a create met in this process since the last sound check, if any.
    #[must_use]
    pub fn refused(&self) -> Option<Problem> {
        self.refused.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Records that Jira refused a create for the config's sake: every create of every tenant
    /// stops, and the next pass checks again. The alternatives `offers` names are read from Jira
    /// to be named in the report. Returns the problem when it is the first (the one to report),
    /// `None` when another create met one already.
    pub async fn refuse(&self, services: &Services, problem: Problem, offers: Offers) -> Option<Problem> {
        if self.refused().is_some() {
            return None;
        }
        let problem = problem.offering(list_offers(services, &offers).await);
        {
            let mut refused = self.refused.lock().unwrap_or_else(PoisonError::into_inner);
            if refused.is_some() {
                return None;
            }
            *refused = Some(problem.clone());
        }
        *self.sound_since.lock().await = None;
        let store = Arc::clone(&services.store);
        let forgotten = tokio::task::spawn_blocking(move || store.forget_jira_check()).await;
        if !matches!(forgotten, Ok(Ok(()))) {
            tracing::warn!(
                "could not forget the Jira check in the state store; the next run trusts it until it expires"
            );
        }
        Some(problem)
    }

    /// How long ago the state store says this config was found sound.
    async fn stored_age(&self, services: &Services) -> Option<Duration> {
        let store = Arc::clone(&services.store);
        let hash = self.hash.clone();
        let checked = tokio::task::spawn_blocking(move || store.jira_checked(&hash)).await.ok()?.ok()??;
        let age = jiff::Timestamp::now().duration_since(checked);
        // A time in the future (a clock set back) is not trusted.
        Duration::try_from(age).ok()
    }

    async fn store_sound(&self, services: &Services) {
        let store = Arc::clone(&services.store);
        let hash = self.hash.clone();
        let stored =
            tokio::task::spawn_blocking(move || store.record_jira_check(&hash, jiff::Timestamp::now())).await;
        if !matches!(stored, Ok(Ok(()))) {
            tracing::warn!("could not record the Jira check in the state store; the next run checks again");
        }
    }
}

/// The names Jira offers instead of a refused value; empty when it cannot be asked.
async fn list_offers(services: &Services, offers: &Offers) -> Vec<String> {
    let jira = &services.clients.jira;
    let project = ProjectRef::key(services.config.jira.project.clone());
    match offers {
        Offers::Nothing => Vec::new(),
        Offers::IssueTypes => jira
            .create_issue_types(&project)
            .await
            .map(|types| types.into_iter().filter(|t| !t.subtask).map(|t| t.name).collect())
            .unwrap_or_default(),
        Offers::FieldValues { field, issue_type } => jira
            .create_meta(&project, &NameOrId::name(issue_type.clone()))
            .await
            .ok()
            .and_then(|meta| meta.allowed_names(field))
            .unwrap_or_default(),
    }
}

/// A hash of the config keys the Jira check depends on (FNV-1a, 64 bits, as hex): stable across
/// runs and builds, unlike the standard library's hasher, which it need not be faster than.
fn config_hash(config: &Config, fields: &[MappedField]) -> String {
    let jira = &config.jira;
    let user = match &jira.auth {
        crate::config::JiraAuth::Basic { user, .. } => user.as_str(),
        crate::config::JiraAuth::Bearer(pat) => pat.key(),
    };
    let mut text = format!(
        "{}\n{:?}\n{}\n{}\n{}\n{:?}\n",
        jira.url, jira.deployment, user, jira.project, jira.issue_type, jira.priorities
    );
    for field in fields {
        text.push_str(&format!("field {} {} {}\n", field.attribute, field.configured, field.id));
    }
    for rule in config.rules.specs() {
        text.push_str(&format!(
            "rule {:?} {:?} {:?} {}\n",
            rule.issue_type, rule.priority, rule.components, rule.skip
        ));
    }
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_follows_the_keys_jira_is_checked_against() {
        let (config, _) =
            Config::parse(crate::config::EXAMPLE, "/etc/mcas2jira/mcas2jira.toml".as_ref(), &|_| {
                Some("secret".into())
            })
            .unwrap();
        let base = config_hash(&config, &[]);
        assert_eq!(base, config_hash(&config, &[]), "stable");
        assert_eq!(base.len(), 16);
        let mut other = config.clone();
        other.jira.project = "OPS".into();
        assert_ne!(base, config_hash(&other, &[]));
        let mut other = config.clone();
        other.fetch.page_size = 10;
        assert_eq!(base, config_hash(&other, &[]), "a key Jira is not asked about changes nothing");
        let field = MappedField {
            attribute: "alert_url".into(),
            configured: "Alert URL".into(),
            id: "customfield_10109".into(),
            name: "Alert URL".into(),
        };
        assert_ne!(base, config_hash(&config, &[field]));
    }
}
