//! What the config will ask of Jira, by issue type: the keys naming each issue type in use, and
//! the priorities and components tickets of each type may get, each with the key that sets it.

use alert_mapping::Severity;

use crate::config::Config;

/// One rule's actions, as far as Jira is concerned.
struct RuleUse {
    index: usize,
    issue_type: Option<String>,
    priority: Option<String>,
    components: Vec<String>,
}

/// What the config asks of Jira.
pub(super) struct Uses {
    /// `[jira] issue_type`.
    default_type: String,
    /// The rules that make tickets (not `skip = true`).
    rules: Vec<RuleUse>,
    /// `[jira.priorities]`: key and priority, for each severity given one.
    by_severity: Vec<(String, String)>,
}

impl Uses {
    pub(super) fn of(config: &Config) -> Self {
        let rules = config
            .rules
            .specs()
            .iter()
            .enumerate()
            .filter(|(_, rule)| !rule.skip)
            .map(|(index, rule)| RuleUse {
                index,
                issue_type: rule.issue_type.clone(),
                priority: rule.priority.clone(),
                components: rule.components.clone(),
            })
            .collect();
        let by_severity = Severity::ALL
            .iter()
            .filter_map(|&severity| {
                let priority = config.jira.priorities.get(severity)?;
                Some((format!("jira.priorities.{}", severity.as_str()), priority.to_owned()))
            })
            .collect();
        Self { default_type: config.jira.issue_type.clone(), rules, by_severity }
    }

    /// The issue type a rule's tickets get.
    fn type_of<'a>(&'a self, rule: &'a RuleUse) -> &'a str {
        rule.issue_type.as_deref().unwrap_or(&self.default_type)
    }

    /// Each issue type in use, once (names compared without case, as Jira does), with the keys
    /// that name it: `[jira] issue_type` first, then the rules'.
    pub(super) fn issue_types(&self) -> Vec<(&str, Vec<String>)> {
        let mut types: Vec<(&str, Vec<String>)> =
            vec![(&self.default_type, vec!["jira.issue_type".to_owned()])];
        for rule in &self.rules {
            let Some(name) = rule.issue_type.as_deref() else { continue };
            let key = format!("rules[{}].issue_type", rule.index);
            match types.iter_mut().find(|(known, _)| known.eq_ignore_ascii_case(name)) {
                Some((_, keys)) => keys.push(key),
                None => types.push((name, vec![key])),
            }
        }
        types
    }

    /// The keys naming the issue type `name`.
    pub(super) fn keys_of_type(&self, name: &str) -> Vec<String> {
        self.issue_types()
            .into_iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, keys)| keys)
            .unwrap_or_default()
    }

    /// Whether the severity priorities apply to tickets of `issue_type`: those of the default
    /// type (alerts no rule matches), and of a rule's type when the rule sets no priority.
    fn severity_priorities_apply(&self, issue_type: &str) -> bool {
        issue_type.eq_ignore_ascii_case(&self.default_type)
            || self
                .rules
                .iter()
                .any(|r| r.priority.is_none() && self.type_of(r).eq_ignore_ascii_case(issue_type))
    }

    /// The priorities tickets of `issue_type` may get, each with the key that sets it.
    pub(super) fn priorities_of(&self, issue_type: &str) -> Vec<(String, &str)> {
        let mut uses: Vec<(String, &str)> = Vec::new();
        if self.severity_priorities_apply(issue_type) {
            uses.extend(self.by_severity.iter().map(|(key, priority)| (key.clone(), priority.as_str())));
        }
        for rule in &self.rules {
            if let Some(priority) = &rule.priority
                && self.type_of(rule).eq_ignore_ascii_case(issue_type)
            {
                uses.push((format!("rules[{}].priority", rule.index), priority));
            }
        }
        uses
    }

    /// Whether every ticket of `issue_type` gets a priority: the severity priorities name one for
    /// each severity, or do not apply to the type (its rules all set one).
    pub(super) fn priority_always_set(&self, issue_type: &str) -> bool {
        !self.severity_priorities_apply(issue_type) || self.by_severity.len() == Severity::ALL.len()
    }

    /// The components tickets of `issue_type` may get, each with the key that sets it.
    pub(super) fn components_of(&self, issue_type: &str) -> Vec<(String, &str)> {
        self.rules
            .iter()
            .filter(|rule| self.type_of(rule).eq_ignore_ascii_case(issue_type))
            .flat_map(|rule| {
                rule.components.iter().map(move |c| (format!("rules[{}].components", rule.index), c.as_str()))
            })
            .collect()
    }
}
