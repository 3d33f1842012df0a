//! Rules from the config: which alerts get which priority, labels, components or issue type, and
//! which are skipped.
//!
//! A rule is one `[[rules]]` table of the config, read as a [`RuleSpec`] and compiled once into
//! [`Rules`]. Every condition a rule states must hold (they are and-ed); a rule without conditions
//! matches every alert. Rules are tried in order and the first that matches wins, so put narrow
//! rules first:
//!
//! ```toml
//! [[rules]]
//! match = { title = "(?i)leaked credentials", user_domain = "(?i)^staff\\.example\\.com$" }
//! priority = "Highest"
//! labels = ["leaked-credentials"]
//!
//! [[rules]]
//! match = { severities = ["informational"], tenant = "^lab$" }
//! skip = true
//!
//! [[rules]]
//! match = { service_source = "^microsoftDefenderForCloudApps$", detector_id = "^ImpossibleTravel$" }
//! labels = ["impossible-travel"]
//! ```

use std::collections::HashMap;
use std::net::IpAddr;

use jira_client::Label;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::facts::Facts;
use crate::reputation::Reputation;
use crate::severity::Severity;

/// One `[[rules]]` table of the config, as written; [`Rules`] checks and compiles them.
///
/// Unknown keys are rejected, so that a misspelt condition is an error rather than a rule that
/// matches more than it should.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// A name for people reading the config, logs and reports; matching ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The conditions; all of them must hold. Missing: the rule matches every alert.
    #[serde(rename = "match", default)]
    pub conditions: MatchSpec,
    /// The Jira priority name to set, instead of the one the severity maps to.
    pub priority: Option<String>,
    /// Labels to add to the ticket (valid Jira labels: no spaces).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Components to set on the ticket, by name.
    #[serde(default)]
    pub components: Vec<String>,
    /// The issue type to create instead of the configured one.
    pub issue_type: Option<String>,
    /// Make no ticket for a matching alert.
    #[serde(default)]
    pub skip: bool,
}

/// The `match = { ... }` conditions of a rule. Text conditions are regular expressions (Rust
/// `regex` syntax: add `(?i)` for a case-insensitive match, `^...$` for a whole-value match).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    /// Matches the alert's title.
    pub title: Option<String>,
    /// Matches the alert's description, as plain text (HTML removed).
    pub description: Option<String>,
    /// Matches any affected user (e-mail address or name).
    pub user: Option<String>,
    /// Matches the domain (the part after `@`) of any affected user's e-mail address.
    pub user_domain: Option<String>,
    /// Matches the tenant's name from the config.
    pub tenant: Option<String>,
    /// Matches the name of the policy that raised the alert.
    pub policy: Option<String>,
    /// Matches the alert's type.
    pub alert_type: Option<String>,
    /// Matches the product that raised the alert, as Graph names it (`serviceSource`, e.g.
    /// `microsoftDefenderForCloudApps`). Alerts read from the Defender for Cloud Apps API are
    /// that product's.
    pub service_source: Option<String>,
    /// Matches the kind of detection, Graph's `detectorId` (e.g. `ImpossibleTravel`). Alerts read
    /// from the Defender for Cloud Apps API have none, so they never match.
    pub detector_id: Option<String>,
    /// The alert's severity is one of these: `informational`, `low`, `medium`, `high` (any case;
    /// see [`Severity`]'s `FromStr`).
    #[serde(default)]
    pub severities: Vec<String>,
    /// The alert's severity is this one (a shorthand for a one-element `severities`).
    pub severity: Option<String>,
    /// The highest AbuseIPDB confidence score (0–100) among the alert's IPs is at least this.
    /// IPs without a known reputation do not count, so an alert whose IPs could not be looked up
    /// never matches.
    pub min_ip_score: Option<u8>,
}

/// What a matching rule does to the ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleAction {
    /// The priority to set.
    pub priority: Option<String>,
    /// Labels to add.
    pub labels: Vec<Label>,
    /// Components to set.
    pub components: Vec<String>,
    /// The issue type to use.
    pub issue_type: Option<String>,
    /// Whether to make no ticket.
    pub skip: bool,
}

/// A rule that matched an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMatch<'a> {
    /// The rule's position in the config, counted from 1.
    pub position: usize,
    /// What the rule does.
    pub action: &'a RuleAction,
}

#[derive(Debug, Clone)]
struct Rule {
    title: Option<Regex>,
    description: Option<Regex>,
    user: Option<Regex>,
    user_domain: Option<Regex>,
    tenant: Option<Regex>,
    policy: Option<Regex>,
    alert_type: Option<Regex>,
    service_source: Option<Regex>,
    detector_id: Option<Regex>,
    severities: Vec<Severity>,
    min_ip_score: Option<u8>,
    action: RuleAction,
}

/// The config's rules, compiled: regular expressions built and names checked once. The specs
/// they came from stay readable ([`Rules::specs`]).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
    specs: Vec<RuleSpec>,
}

impl TryFrom<&[RuleSpec]> for Rules {
    type Error = Error;

    /// Compiles the rules, in order.
    ///
    /// # Errors
    ///
    /// [`Error::RulePattern`] for a pattern that is not a valid regular expression and
    /// [`Error::Rule`] for an unknown severity name or an invalid label; both name the rule's
    /// position, counted from 1.
    fn try_from(specs: &[RuleSpec]) -> Result<Self> {
        let rules =
            specs.iter().enumerate().map(|(i, spec)| Rule::compile(i + 1, spec)).collect::<Result<_>>()?;
        Ok(Self { rules, specs: specs.to_vec() })
    }
}

impl TryFrom<&Vec<RuleSpec>> for Rules {
    type Error = Error;

    /// Compiles the rules, in order; see the `&[RuleSpec]` conversion.
    fn try_from(specs: &Vec<RuleSpec>) -> Result<Self> {
        Self::try_from(specs.as_slice())
    }
}

impl Rules {
    /// No rules at all: every alert gets a ticket with the configured defaults.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// How many rules there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules as written, in order: the specs they were compiled from.
    #[must_use]
    pub fn specs(&self) -> &[RuleSpec] {
        &self.specs
    }

    /// The first rule that matches the alert, given the reputations of its IPs.
    #[must_use]
    pub fn first_match<'a>(
        &'a self,
        facts: &Facts,
        reputations: &HashMap<IpAddr, Reputation>,
    ) -> Option<RuleMatch<'a>> {
        // Computed at most once, and only if some rule asks for it.
        let mut max_score: Option<Option<u8>> = None;
        self.rules.iter().enumerate().find_map(|(i, rule)| {
            rule.matches(facts, || *max_score.get_or_insert_with(|| highest_score(facts, reputations)))
                .then_some(RuleMatch { position: i + 1, action: &rule.action })
        })
    }
}

/// The highest known abuse score among the alert's IPs.
fn highest_score(facts: &Facts, reputations: &HashMap<IpAddr, Reputation>) -> Option<u8> {
    facts
        .ips
        .iter()
        .filter_map(|found| match reputations.get(&found.ip) {
            Some(Reputation::Known(known)) => known.score,
            _ => None,
        })
        .max()
}

impl Rule {
    fn compile(position: usize, spec: &RuleSpec) -> Result<Self> {
        let regex = |matcher: &'static str, pattern: &Option<String>| -> Result<Option<Regex>> {
            pattern
                .as_deref()
                .map(|p| {
                    Regex::new(p).map_err(|source| Error::RulePattern {
                        rule: position,
                        matcher,
                        pattern: p.to_owned(),
                        source: Box::new(source),
                    })
                })
                .transpose()
        };
        let rule_error = |reason: String| Error::Rule { rule: position, reason };
        let m = &spec.conditions;
        let mut severities = Vec::new();
        for name in m.severities.iter().chain(&m.severity) {
            severities.push(name.parse::<Severity>().map_err(|e| rule_error(e.to_string()))?);
        }
        if let Some(score) = m.min_ip_score
            && score > 100
        {
            return Err(rule_error(format!("min_ip_score {score} is above 100")));
        }
        let labels = spec
            .labels
            .iter()
            .map(|label| {
                Label::new(label.as_str())
                    .map_err(|reason| rule_error(format!("invalid label {label:?}: {reason}")))
            })
            .collect::<Result<_>>()?;
        let non_empty = |what: &str, value: &Option<String>| -> Result<()> {
            match value {
                Some(v) if v.trim().is_empty() => Err(rule_error(format!("empty {what}"))),
                _ => Ok(()),
            }
        };
        non_empty("priority", &spec.priority)?;
        non_empty("issue_type", &spec.issue_type)?;
        if spec.components.iter().any(|c| c.trim().is_empty()) {
            return Err(rule_error("empty component name".to_owned()));
        }
        Ok(Self {
            title: regex("title", &m.title)?,
            description: regex("description", &m.description)?,
            user: regex("user", &m.user)?,
            user_domain: regex("user_domain", &m.user_domain)?,
            tenant: regex("tenant", &m.tenant)?,
            policy: regex("policy", &m.policy)?,
            alert_type: regex("alert_type", &m.alert_type)?,
            service_source: regex("service_source", &m.service_source)?,
            detector_id: regex("detector_id", &m.detector_id)?,
            severities,
            min_ip_score: m.min_ip_score,
            action: RuleAction {
                priority: spec.priority.clone(),
                labels,
                components: spec.components.clone(),
                issue_type: spec.issue_type.clone(),
                skip: spec.skip,
            },
        })
    }

    fn matches(&self, facts: &Facts, max_score: impl FnOnce() -> Option<u8>) -> bool {
        let text = |re: &Option<Regex>, value: &str| re.as_ref().is_none_or(|re| re.is_match(value));
        let optional = |re: &Option<Regex>, value: Option<&str>| {
            re.as_ref().is_none_or(|re| value.is_some_and(|v| re.is_match(v)))
        };
        let any_user = |re: &Option<Regex>, part: fn(&str) -> Option<&str>| {
            re.as_ref().is_none_or(|re| facts.users.iter().filter_map(|u| part(u)).any(|u| re.is_match(u)))
        };
        text(&self.title, &facts.title)
            && text(&self.tenant, &facts.tenant)
            && optional(&self.policy, facts.policy.as_deref())
            && optional(&self.alert_type, facts.alert_type.as_deref())
            && optional(&self.service_source, facts.service_source.as_deref())
            && optional(&self.detector_id, facts.detector_id.as_deref())
            && (self.severities.is_empty() || facts.severity.is_some_and(|s| self.severities.contains(&s)))
            && any_user(&self.user, |user| Some(user))
            && any_user(&self.user_domain, |u| u.rsplit_once('@').map(|(_, domain)| domain))
            // The costlier conditions last.
            && text(&self.description, &facts.description_text)
            && self.min_ip_score.is_none_or(|min| max_score().is_some_and(|score| score >= min))
    }
}
