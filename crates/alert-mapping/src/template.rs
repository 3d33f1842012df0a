//! The ticket summary template.
//!
//! A template is text with `{placeholder}`s, parsed once when the [`Mapper`](crate::Mapper) is
//! built so that a typo in the config is an error at start-up, not an odd summary on every ticket.
//! `{{` and `}}` stand for literal braces.

use std::fmt::Write as _;

use crate::error::{Error, Result};
use crate::facts::Facts;

/// The summary template used when the config gives none.
pub const DEFAULT_SUMMARY_TEMPLATE: &str = "[{tenant}] {title}";

/// The placeholders a summary template may use, with what each stands for. A value that the alert
/// does not have (no policy, no user...) is replaced by nothing.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("tenant", "the tenant's name from the config"),
    ("title", "the alert's title"),
    ("severity", "the alert's severity: High, Medium, Low or Informational"),
    ("alert_id", "the alert's id (`_id`)"),
    ("policy", "the name of the policy that raised the alert"),
    ("alert_type", "the alert's type, when the alert says"),
    ("user", "the first affected user"),
    ("users", "every affected user, separated by commas"),
    ("ip", "the first IP address"),
    ("ips", "every IP address, separated by commas"),
    ("service", "the first app or service"),
    ("country", "the first country"),
    ("summary", "the alert's first sentence (or its title)"),
    ("time", "the alert's time in UTC, `2021-07-13 16:18:15 UTC`"),
    ("date", "the alert's date in UTC, `2021-07-13`"),
    ("service_source", "the product that raised the alert, e.g. `Microsoft Defender for Cloud Apps`"),
    ("detector", "the kind of detection, Graph's detector id, e.g. `ImpossibleTravel` (Graph alerts only)"),
    ("category", "the MITRE ATT&CK tactic, e.g. `InitialAccess` (Graph alerts only)"),
    ("techniques", "the MITRE ATT&CK techniques, separated by commas, e.g. `T1078` (Graph alerts only)"),
    ("incident_id", "the id of the incident the alert belongs to (Graph alerts only)"),
];

/// A placeholder of the summary template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholder {
    Tenant,
    Title,
    Severity,
    AlertId,
    Policy,
    AlertType,
    User,
    Users,
    Ip,
    Ips,
    Service,
    Country,
    Summary,
    Time,
    Date,
    ServiceSource,
    Detector,
    Category,
    Techniques,
    IncidentId,
}

impl Placeholder {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "tenant" => Self::Tenant,
            "title" => Self::Title,
            "severity" => Self::Severity,
            "alert_id" => Self::AlertId,
            "policy" => Self::Policy,
            "alert_type" => Self::AlertType,
            "user" => Self::User,
            "users" => Self::Users,
            "ip" => Self::Ip,
            "ips" => Self::Ips,
            "service" => Self::Service,
            "country" => Self::Country,
            "summary" => Self::Summary,
            "time" => Self::Time,
            "date" => Self::Date,
            "service_source" => Self::ServiceSource,
            "detector" => Self::Detector,
            "category" => Self::Category,
            "techniques" => Self::Techniques,
            "incident_id" => Self::IncidentId,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Placeholder(Placeholder),
}

/// A parsed summary template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SummaryTemplate {
    segments: Vec<Segment>,
}

impl SummaryTemplate {
    /// Parses a template.
    ///
    /// # Errors
    ///
    /// [`Error::Template`] for an unknown placeholder, an unclosed `{` or a lone `}`.
    pub(crate) fn parse(template: &str) -> Result<Self> {
        let err = |reason: String| Error::Template { template: template.to_owned(), reason };
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut chars = template.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().is_some_and(|&(_, n)| n == '}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let rest = &template[i + 1..];
                    let end = rest.find('}').ok_or_else(|| err(format!("unclosed `{{` at character {i}")))?;
                    let name = &rest[..end];
                    let placeholder = Placeholder::from_name(name.trim()).ok_or_else(|| {
                        let known: Vec<&str> = PLACEHOLDERS.iter().map(|(n, _)| *n).collect();
                        err(format!("unknown placeholder `{{{name}}}`; known: {}", known.join(", ")))
                    })?;
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(std::mem::take(&mut literal)));
                    }
                    segments.push(Segment::Placeholder(placeholder));
                    // Skip the placeholder's name and its closing brace.
                    while chars.next_if(|&(j, _)| j <= i + 1 + end).is_some() {}
                }
                '}' => return Err(err(format!("lone `}}` at character {i}; write `}}}}` for a brace"))),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        Ok(Self { segments })
    }

    /// Fills the template in from an alert's facts. The result is raw: the caller passes it
    /// through the summary sanitiser.
    pub(crate) fn render(&self, facts: &Facts) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Placeholder(p) => push_value(&mut out, *p, facts),
            }
        }
        out
    }
}

fn push_value(out: &mut String, placeholder: Placeholder, facts: &Facts) {
    let first = |items: &[String]| items.first().cloned().unwrap_or_default();
    match placeholder {
        Placeholder::Tenant => out.push_str(&facts.tenant),
        Placeholder::Title => out.push_str(&facts.title),
        Placeholder::Severity => out.push_str(&facts.severity_text),
        Placeholder::AlertId => out.push_str(facts.alert_id.as_str()),
        Placeholder::Policy => out.push_str(facts.policy.as_deref().unwrap_or_default()),
        Placeholder::AlertType => out.push_str(facts.alert_type.as_deref().unwrap_or_default()),
        Placeholder::User => out.push_str(&first(&facts.users)),
        Placeholder::Users => out.push_str(&facts.users.join(", ")),
        Placeholder::Ip => {
            if let Some(ip) = facts.ips.first() {
                let _ = write!(out, "{}", ip.ip);
            }
        }
        Placeholder::Ips => {
            for (n, ip) in facts.ips.iter().enumerate() {
                let sep = if n == 0 { "" } else { ", " };
                let _ = write!(out, "{sep}{}", ip.ip);
            }
        }
        Placeholder::Service => out.push_str(&first(&facts.services)),
        Placeholder::Country => out.push_str(&first(&facts.countries)),
        Placeholder::Summary => out.push_str(&facts.summary_sentence),
        Placeholder::Time => out.push_str(&crate::extract::format_time(facts.time)),
        Placeholder::Date => out.push_str(&facts.time.strftime("%Y-%m-%d").to_string()),
        Placeholder::ServiceSource => {
            if let Some(source) = &facts.service_source {
                out.push_str(&crate::facts::service_source_name(source));
            }
        }
        Placeholder::Detector => out.push_str(facts.detector_id.as_deref().unwrap_or_default()),
        Placeholder::Category => out.push_str(facts.category.as_deref().unwrap_or_default()),
        Placeholder::Techniques => out.push_str(&facts.mitre_techniques.join(", ")),
        Placeholder::IncidentId => out.push_str(facts.incident_id.as_deref().unwrap_or_default()),
    }
}
