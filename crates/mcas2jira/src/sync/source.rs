//! The alert's side of the sync, for either source: reading a batch's alerts (MCAS: one request
//! by ids; Graph, which cannot filter by id: one read per alert), what the sync needs to know of
//! an alert ([`SeenAlert`]), and closing one.
//!
//! A Graph alert is resolved in two calls, the comment naming the ticket first and then the
//! `PATCH`: the comment carries the marker, so that a crash or a lost answer between the two
//! leaves a trace the next sync reads on the alert. It then neither comments again (the alert
//! already holds the marked comment) nor takes the resolution for an analyst's (the marked
//! comment says this tool made it). Only the `PATCH` is repeated, and repeating it changes
//! nothing more.

use std::collections::HashMap;

use graph_security_client::{AlertStatus, AlertUpdate, Classification};
use mcas_client::{AlertId, AlertQuery, ResolutionStatus};
use serde_json::json;

use super::actions::needs_alert;
use super::notes::{marker_for, status_name};
use super::{BATCH, MARKER, TenantSync};
use crate::config::{CloseAs, GraphResolve};
use crate::services::TenantClient;
use crate::state::SyncCandidate;

/// An alert as its API returned it, or why it could not be decoded.
pub(super) enum AlertState {
    Read(Box<SeenAlert>),
    Unreadable(String),
}

/// What the sync needs of an alert, whichever API it came from.
pub(super) struct SeenAlert {
    /// Whether it is open: MCAS's resolution status is open; Graph's status is not `resolved`.
    pub(super) open: bool,
    /// Its resolution as MCAS numbers it (`resolutionStatusValue`; Graph's classification
    /// translated by [`graph_status_value`]), as the sync table records it.
    pub(super) status: i64,
    /// How it was closed, as the events name it: MCAS's status (`benign`, ...), or Graph's
    /// classification (`truePositive`, ...; `resolved` when it has none).
    pub(super) status_name: String,
    /// How it was closed, in words for the ticket's comment.
    pub(super) status_words: String,
    /// Who closed it (MCAS), or whom it is assigned to (Graph), as a phrase that follows
    /// `status_words`.
    pub(super) by: Option<String>,
    /// The portal's comment: MCAS's close comment, or Graph's latest comment not this tool's.
    pub(super) comment: Option<String>,
    /// Whether it carries this tool's marked comment: closed by this tool (the record of which
    /// was lost), or, for Graph, commented on before a resolution that may not have happened.
    pub(super) ours: bool,
}

/// How a ticket's resolution closes its alert.
#[derive(Debug, Clone)]
pub(super) enum Closing {
    /// One of MCAS's close calls.
    Mcas(CloseAs),
    /// Graph's `PATCH` to `resolved` with this classification and determination.
    Graph(GraphResolve),
}

impl Closing {
    /// `true_positive`, `benign` or `false_positive`.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Closing::Mcas(close) => close.kind(),
            Closing::Graph(resolve) => resolve.kind(),
        }
    }

    /// MCAS's close reason, for benign and false positive.
    pub(super) fn reason(&self) -> Option<String> {
        match self {
            Closing::Mcas(close) => close.reason(),
            Closing::Graph(_) => None,
        }
    }

    /// Graph's classification and determination.
    pub(super) fn graph(&self) -> (Option<String>, Option<String>) {
        match self {
            Closing::Mcas(_) => (None, None),
            Closing::Graph(r) => {
                (Some(r.classification.as_str().to_owned()), Some(r.determination.as_str().to_owned()))
            }
        }
    }
}

/// What came of closing an alert.
pub(super) enum Closed {
    Done,
    /// The alert no longer exists.
    Gone,
    /// It failed; tried again on the next sync.
    Failed(String),
}

/// Graph's classification as MCAS's resolution status numbers it: true positive 5, benign
/// (informational, expected activity) 4, false positive 3, resolved without one 2; open 0.
pub(super) fn graph_status_value(resolved: bool, classification: Option<&Classification>) -> i64 {
    match (resolved, classification) {
        (false, _) => 0,
        (true, Some(Classification::TruePositive)) => 5,
        (true, Some(Classification::InformationalExpectedActivity)) => 4,
        (true, Some(Classification::FalsePositive)) => 3,
        (true, _) => 2,
    }
}

/// A Graph enum member in words: `compromisedAccount` -> `compromised account`.
pub(super) fn graph_words(name: &str) -> String {
    let mut words = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            words.push(' ');
            words.push(c.to_ascii_lowercase());
        } else {
            words.push(c);
        }
    }
    words
}

/// How a Graph resolution reads: `true positive (determination: compromised account)`.
pub(super) fn graph_resolve_words(classification: &str, determination: Option<&str>) -> String {
    let informational = Classification::InformationalExpectedActivity.as_str();
    let mut words = if classification == informational {
        "informational, expected activity".to_owned()
    } else {
        graph_words(classification)
    };
    if let Some(determination) = determination.filter(|d| !d.is_empty() && *d != "unknown") {
        words.push_str(&format!(" (determination: {})", graph_words(determination)));
    }
    words
}

impl SeenAlert {
    pub(super) fn of_mcas(alert: &mcas_client::Alert) -> Self {
        let status = alert.resolution_status.unwrap_or(ResolutionStatus::Open);
        let name = status_name(status);
        SeenAlert {
            open: status.is_open(),
            status: status.value(),
            status_words: name.replace('_', " "),
            status_name: name,
            by: alert.handled_by_user.as_deref().filter(|b| !b.trim().is_empty()).map(|b| format!(" by {b}")),
            comment: alert.comment.clone().filter(|c| !c.trim().is_empty()),
            ours: alert.comment.as_deref().is_some_and(|c| c.contains(MARKER)),
        }
    }

    pub(super) fn of_graph(alert: &graph_security_client::Alert) -> Self {
        let marker = marker_for(alert.id.as_str());
        let resolved = alert.status == Some(AlertStatus::Resolved);
        let classification =
            alert.classification.as_ref().filter(|c| **c != Classification::Unknown && c.is_known());
        let status_name = classification.map_or_else(|| "resolved".to_owned(), |c| c.as_str().to_owned());
        let status_words = match classification {
            Some(c) => graph_resolve_words(c.as_str(), alert.determination.as_ref().map(|d| d.as_str())),
            None => "resolved, without a classification".to_owned(),
        };
        let theirs =
            alert.comments.iter().rev().find(|c| !c.comment.as_deref().unwrap_or("").contains(MARKER));
        let comment = theirs.and_then(|c| {
            let text = c.comment.as_deref().filter(|t| !t.trim().is_empty())?;
            Some(match c.created_by_display_name.as_deref().filter(|n| !n.trim().is_empty()) {
                Some(by) => format!("{text} ({by})"),
                None => text.to_owned(),
            })
        });
        SeenAlert {
            open: !resolved,
            status: graph_status_value(resolved, classification),
            status_name,
            status_words,
            by: alert
                .assigned_to
                .as_deref()
                .filter(|a| !a.trim().is_empty())
                .map(|a| format!(", assigned to {a}")),
            comment,
            ours: alert.comments.iter().any(|c| c.comment.as_deref().is_some_and(|t| t.contains(&marker))),
        }
    }
}

impl TenantSync<'_> {
    /// Where an alert closed in the portal was closed, for the ticket's comment.
    pub(super) fn closed_in(&self) -> &'static str {
        match self.client {
            TenantClient::Mcas(_) => "closed in Defender for Cloud Apps",
            TenantClient::Graph(_) => "resolved in Microsoft Defender",
        }
    }

    /// What this tool did to the alert of a resolved ticket, for the ticket's note.
    pub(super) fn closed_its_alert(&self) -> &'static str {
        match self.client {
            TenantClient::Mcas(_) => "closed its alert in Defender for Cloud Apps",
            TenantClient::Graph(_) => "resolved its alert in Microsoft Defender",
        }
    }

    /// How the ticket's resolution closes its alert, by the map of the tenant's source.
    pub(super) fn closing_for(&self, resolution: &str) -> Option<Closing> {
        let sync = &self.services.config.sync;
        match self.client {
            TenantClient::Mcas(_) => sync.close_for(resolution).map(Closing::Mcas),
            TenantClient::Graph(_) => sync.graph_resolve_for(resolution).map(Closing::Graph),
        }
    }

    /// A recorded status (`alert_status`) in words.
    pub(super) fn recorded_status_words(&self, value: Option<i64>) -> String {
        let Some(value) = value else { return "closed".to_owned() };
        match self.client {
            TenantClient::Mcas(_) => status_name(ResolutionStatus::from_value(value)),
            TenantClient::Graph(_) => match value {
                5 => "true positive".to_owned(),
                4 => "informational, expected activity".to_owned(),
                3 => "false positive".to_owned(),
                _ => "resolved".to_owned(),
            },
        }
    }

    /// The alerts of the batch that need reading, by id. An alert the API does not return is
    /// missing from the map; one it returns but that does not decode is an error of its own.
    pub(super) async fn alerts(
        &mut self,
        batch: &[SyncCandidate],
    ) -> Result<HashMap<String, AlertState>, String> {
        let ids: Vec<&str> = batch.iter().filter(|c| needs_alert(c)).map(|c| c.alert_id.as_str()).collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        match self.client {
            TenantClient::Mcas(mcas) => {
                let query =
                    AlertQuery::default().raw_filter("id", json!({ "eq": ids })).page_size(BATCH as u32);
                let page = mcas
                    .alerts_page(&query, 0)
                    .await
                    .map_err(|e| format!("reading alerts failed: {}", crate::chain(&e)))?;
                let mut alerts: HashMap<String, AlertState> = page
                    .alerts
                    .iter()
                    .map(|a| (a.id.as_str().to_owned(), AlertState::Read(Box::new(SeenAlert::of_mcas(a)))))
                    .collect();
                for malformed in page.malformed {
                    if let Some(id) = malformed.id {
                        alerts.insert(id, AlertState::Unreadable(malformed.reason));
                    }
                }
                Ok(alerts)
            }
            TenantClient::Graph(graph) => {
                let mut alerts = HashMap::with_capacity(ids.len());
                for id in ids {
                    let state = match graph.get_alert(&id.into()).await {
                        Ok(alert) => AlertState::Read(Box::new(SeenAlert::of_graph(&alert))),
                        Err(graph_security_client::Error::NotFound { .. }) => continue,
                        Err(e @ graph_security_client::Error::MalformedAlert { .. }) => {
                            AlertState::Unreadable(crate::chain(&e))
                        }
                        Err(e) => return Err(format!("reading alert {id} failed: {}", crate::chain(&e))),
                    };
                    alerts.insert(id.to_owned(), state);
                }
                Ok(alerts)
            }
        }
    }

    /// Closes the pair's alert as `closing` says, with `comment` (which carries the marker).
    pub(super) async fn close(
        &mut self,
        candidate: &SyncCandidate,
        alert: &SeenAlert,
        closing: &Closing,
        comment: &str,
    ) -> Closed {
        match (self.client, closing) {
            (TenantClient::Mcas(client), Closing::Mcas(close)) => {
                let ids = [AlertId::new(candidate.alert_id.clone())];
                let outcome = match close {
                    CloseAs::TruePositive => client.close_true_positive(&ids, comment).await,
                    CloseAs::Benign(reason) => client.close_benign(&ids, comment, *reason).await,
                    CloseAs::FalsePositive(reason) => {
                        client.close_false_positive(&ids, comment, *reason).await
                    }
                };
                match outcome {
                    Ok(outcome)
                        if outcome.closed == 0
                            && outcome.not_found.iter().any(|id| id.as_str() == candidate.alert_id) =>
                    {
                        Closed::Gone
                    }
                    Ok(_) => Closed::Done,
                    Err(e) => Closed::Failed(format!("closing the alert failed: {}", crate::chain(&e))),
                }
            }
            (TenantClient::Graph(client), Closing::Graph(resolve)) => {
                let id = graph_security_client::AlertId::new(candidate.alert_id.clone());
                // The comment first (see the module's documentation), unless an earlier sync
                // posted it already.
                if !alert.ours
                    && let Err(e) = client.add_comment(&id, comment).await
                {
                    return self.graph_failure("commenting on the alert", e);
                }
                let update = AlertUpdate::default()
                    .status(AlertStatus::Resolved)
                    .classification(resolve.classification.clone())
                    .determination(resolve.determination.clone());
                match client.update_alert(&id, &update).await {
                    Ok(_) => Closed::Done,
                    Err(e) => self.graph_failure("resolving the alert", e),
                }
            }
            // `closing_for` gives the tenant's own kind of closing.
            _ => Closed::Failed("the close does not fit the tenant's source".to_owned()),
        }
    }

    /// A Graph write that failed. A refusal (`403`: the application may not change alerts in
    /// this tenant) stops the tenant's sync, named once, rather than failing every ticket.
    fn graph_failure(&mut self, what: &str, error: graph_security_client::Error) -> Closed {
        match error {
            graph_security_client::Error::NotFound { .. } => Closed::Gone,
            error @ graph_security_client::Error::Forbidden { .. } => {
                let reason = format!(
                    "Microsoft Graph refused {what} in tenant {}: {}",
                    self.tenant.name,
                    crate::chain(&error)
                );
                self.refused = Some(reason.clone());
                Closed::Failed(reason)
            }
            error => Closed::Failed(format!("{what} failed: {}", crate::chain(&error))),
        }
    }
}
