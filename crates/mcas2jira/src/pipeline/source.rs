//! What the page steps need of an alert, whichever API it was read from: the seam between the
//! two sources (`mcas-client`'s alerts and `graph-security-client`'s) and the steps they share
//! (`page.rs`: known alerts skipped, label search, enrichment, mapping, creation, records).

use alert_mapping::{Facts, TenantContext, extract, extract_graph, graph_alert_label};
use jiff::Timestamp;
use jira_client::Label;

/// An alert of either source, as the page steps see it.
pub(super) trait SourceAlert: Send + Sync {
    /// Its id in its API (MCAS's `_id`, Graph's `id`): the state store's key.
    fn id(&self) -> &str;
    /// The label of its ticket: `mcas-<id>` or `graph-<id>`.
    fn label(&self) -> Label;
    /// Its severity as the state store and the events name it (`high`, ..., `unknown`).
    fn severity_name(&self) -> &'static str;
    /// Its title as the API gave it.
    fn title(&self) -> &str;
    /// When it was raised: MCAS's `timestamp`, Graph's `createdDateTime`.
    fn time(&self) -> Timestamp;
    /// What the mapping reads of it.
    fn facts(&self, tenant: &TenantContext) -> Facts;
}

impl SourceAlert for mcas_client::Alert {
    fn id(&self) -> &str {
        self.id.as_str()
    }

    fn label(&self) -> Label {
        alert_mapping::alert_label(&self.id)
    }

    fn severity_name(&self) -> &'static str {
        self.severity.name()
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn time(&self) -> Timestamp {
        self.timestamp
    }

    fn facts(&self, tenant: &TenantContext) -> Facts {
        extract(self, tenant)
    }
}

impl SourceAlert for graph_security_client::Alert {
    fn id(&self) -> &str {
        self.id.as_str()
    }

    fn label(&self) -> Label {
        graph_alert_label(&self.id)
    }

    fn severity_name(&self) -> &'static str {
        // The names MCAS alerts are stored with, so that reports count both sources alike; a
        // value Graph may add later is stored as `unknown` (the ticket shows it as it came).
        alert_mapping::Severity::from_graph(&self.severity).map_or("unknown", alert_mapping::Severity::as_str)
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn time(&self) -> Timestamp {
        self.created_date_time
    }

    fn facts(&self, tenant: &TenantContext) -> Facts {
        extract_graph(self, tenant)
    }
}

/// An alert of a page that could not be decoded, with what could be read of it.
pub(super) struct Unreadable {
    /// Its id, when readable: then it is retried by id.
    pub(super) id: Option<String>,
    /// When it was raised, when readable.
    pub(super) time: Option<Timestamp>,
    /// Why it could not be decoded.
    pub(super) reason: String,
}

/// A page of either source: the alerts that decoded and those that did not.
pub(super) struct SourcePage<A> {
    pub(super) alerts: Vec<A>,
    pub(super) malformed: Vec<Unreadable>,
}

impl From<mcas_client::AlertsPage> for SourcePage<mcas_client::Alert> {
    fn from(page: mcas_client::AlertsPage) -> Self {
        let malformed = page
            .malformed
            .into_iter()
            .map(|m| Unreadable { id: m.id, time: m.timestamp, reason: m.reason })
            .collect();
        Self { alerts: page.alerts, malformed }
    }
}

impl From<graph_security_client::AlertsPage> for SourcePage<graph_security_client::Alert> {
    fn from(page: graph_security_client::AlertsPage) -> Self {
        let malformed = page
            .malformed
            .into_iter()
            .map(|m| Unreadable { id: m.id, time: m.created, reason: m.reason })
            .collect();
        Self { alerts: page.alerts, malformed }
    }
}
