//! Pure mapping from a security alert, and the reputation of its IP addresses, to a Jira ticket
//! draft. The alert comes from either API: Defender for Cloud Apps (`mcas-client`) or Microsoft
//! Graph security alerts (`graph-security-client`, models only); both give the same [`Facts`],
//! and so the same kind of ticket.
//!
//! Three steps, each a plain function of its inputs:
//!
//! 1. [`extract`] reads the [`Facts`] of an [`Alert`](mcas_client::Alert): users, IPs (marked
//!    public or not), policy, apps, countries, devices, files, the description as plain text, the
//!    link to the alert. Entities first, the text second. [`extract_graph`] does the same for a
//!    Graph [`Alert`](graph_security_client::Alert) from its evidence, and adds what Graph knows:
//!    the product ([`Facts::service_source`]), the detector, MITRE ATT&CK, the incident, the
//!    recommended actions, each IP's country.
//! 2. The caller looks up [`Facts::lookup_ips`] (on AbuseIPDB, in a cache...) and hands in one
//!    [`Reputation`] per address: known, not looked up, or unavailable with the reason.
//! 3. [`Mapper::map`] applies the config's [`Rules`] (first match wins), the summary template,
//!    the severity-to-priority table and the field mapping, and returns a [`TicketDraft`], or
//!    [`Mapped::Skip`] when a rule says so. The draft's first label is the alert's own:
//!    `mcas-<id>` ([`alert_label`]) or `graph-<id>` ([`graph_alert_label`]).
//!
//! This crate does no I/O: no network, no files, no clock, no environment. Bad input (missing
//! fields, HTML, hostile or huge text) never panics; it gives emptier facts.
//!
//! ```
//! use std::collections::HashMap;
//!
//! use alert_mapping::{Mapped, Mapper, MappingConfig, TenantContext, extract};
//! use jira_client::Deployment;
//! use mcas_client::Alert;
//!
//! let alert = Alert::from_json(&serde_json::json!({
//!     "_id": "60eda688cdbeaf0b87f5a41e",
//!     "timestamp": 1626187297290_i64,
//!     "title": "Risky sign-in",
//!     "severityValue": 2,
//!     "description": "<p>Sign-in by alice@example.com from 203.0.113.7.</p>",
//! }))?;
//! let facts = extract(&alert, &TenantContext::new("contoso"));
//! assert_eq!(facts.users, ["alice@example.com"]);
//!
//! let mapper = Mapper::new(MappingConfig::new(Deployment::Cloud).labels(["mcas"]))?;
//! let Mapped::Ticket(draft) = mapper.map(&facts, &HashMap::new())? else { unreachable!() };
//! assert_eq!(draft.summary, "[contoso] Risky sign-in");
//! assert_eq!(draft.labels, ["mcas-60eda688cdbeaf0b87f5a41e", "mcas"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod extract;
mod facts;
mod graph;
mod html;
mod labels;
mod mapper;
mod names;
mod render;
mod reputation;
mod rules;
mod scan;
mod severity;
mod template;

pub use error::{Error, MapError, Result};
pub use extract::{MAX_FROM_TEXT, extract, severity_name};
pub use facts::{AlertSource, CountryCode, EntityFact, Facts, FoundIp, TenantContext};
pub use graph::extract_graph;
pub use html::html_to_text;
pub use labels::{alert_label, graph_alert_label, source_label};
pub use mapper::{
    FieldValue, Mapped, Mapper, MappingConfig, SeverityPriorities, TicketAttribute, TicketDraft,
    UnknownAttribute,
};
pub use reputation::{Reputation, ReputationFacts};
pub use rules::{MatchSpec, RuleAction, RuleMatch, RuleSpec, Rules};
pub use severity::{Severity, UnknownSeverity};
pub use template::{DEFAULT_SUMMARY_TEMPLATE, PLACEHOLDERS};

// The README is what crates.io shows, the crate documentation above what docs.rs shows; compiling
// the README's examples with the doctests keeps them from going stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
