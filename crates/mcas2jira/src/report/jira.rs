//! `report --jira`: the current status and resolution of each ticket, read through Jira's search
//! in batches of keys.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use jiff::Timestamp;
use jira_client::{Issue, SearchQuery, jql};

use crate::state::StoredTicket;

/// How many keys one search asks for: one JQL of 100 keys stays far below URL and JQL limits,
/// and one page holds the whole answer.
pub const BATCH_SIZE: usize = 100;

/// The fields the report reads.
const FIELDS: [&str; 5] = ["status", "resolution", "created", "resolutiondate", "labels"];

/// What Jira says of one ticket now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketStatus {
    /// The workflow status name (`"In Progress"`).
    pub status: String,
    /// Whether it is done: its status category is `done`, or (without a category) it has a
    /// resolution.
    pub closed: bool,
    /// The resolution name, when resolved.
    pub resolution: Option<String>,
    /// When Jira created it.
    pub created: Option<Timestamp>,
    /// When it was resolved.
    pub resolved: Option<Timestamp>,
}

impl TicketStatus {
    fn of(issue: &Issue) -> Self {
        let fields = &issue.fields;
        let resolution = fields.resolution.as_ref().map(|r| r.name.clone()).filter(|n| !n.is_empty());
        let category = fields.status.as_ref().and_then(|s| s.status_category.as_ref());
        let closed = match category {
            Some(category) => category.is_done(),
            None => resolution.is_some(),
        };
        Self {
            status: fields
                .status
                .as_ref()
                .map(|s| s.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "(unknown)".to_owned()),
            closed,
            resolution,
            created: fields.created,
            resolved: fields.resolution_date,
        }
    }
}

/// The status of each ticket, by the Jira key the state store holds for it. A ticket Jira does
/// not show (deleted, or the account may not see it) is absent from the map.
///
/// Tickets are searched `key in (...)`, [`BATCH_SIZE`] keys at a time. Jira refuses a whole
/// search when one of its keys no longer exists, so a refused batch is searched again by the
/// tickets' `mcas-<alert id>` labels, which also finds a ticket moved to another project under
/// its new key.
///
/// # Errors
///
/// When Jira cannot be searched.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(jira: jira_client::Client, store: mcas2jira::state::StateStore) -> anyhow::Result<()> {
/// let to = jiff::Timestamp::now();
/// let tickets = store.tickets_between(to - jiff::SignedDuration::from_hours(24), to, &[])?;
/// let statuses = mcas2jira::report::ticket_statuses(&jira, &tickets).await?;
/// println!("{} of {} tickets found in Jira", statuses.len(), tickets.len());
/// # Ok(())
/// # }
/// ```
pub async fn ticket_statuses(
    jira: &jira_client::Client,
    tickets: &[StoredTicket],
) -> jira_client::Result<HashMap<String, TicketStatus>> {
    let mut statuses = HashMap::with_capacity(tickets.len());
    for batch in tickets.chunks(BATCH_SIZE) {
        let keys: Vec<&str> = batch.iter().map(|t| t.ticket.jira_key.as_str()).collect();
        match search(jira, jql::keys_in(&keys)).await {
            Ok(issues) => {
                for issue in issues {
                    statuses.insert(issue.key.as_str().to_owned(), TicketStatus::of(&issue));
                }
            }
            // Jira refuses the whole search, with its error document, when a key is gone.
            Err(error) if error.status().is_some_and(|s| s.as_u16() == 400) && error.details().is_some() => {
                tracing::debug!("a key search was refused (a ticket was deleted?); searching by labels");
                let by_label: HashMap<String, &str> = batch
                    .iter()
                    .map(|t| (format!("mcas-{}", t.ticket.alert_id), t.ticket.jira_key.as_str()))
                    .collect();
                let labels: Vec<&str> = by_label.keys().map(String::as_str).collect();
                for issue in search(jira, jql::labels_in(&labels)).await? {
                    let status = TicketStatus::of(&issue);
                    for label in &issue.fields.labels {
                        if let Some(key) = by_label.get(label) {
                            statuses.insert((*key).to_owned(), status.clone());
                        }
                    }
                }
            }
            Err(error) => return Err(error),
        }
    }
    Ok(statuses)
}

async fn search(jira: &jira_client::Client, jql: String) -> jira_client::Result<Vec<Issue>> {
    let query = SearchQuery::new(jql).fields(FIELDS).max_results(BATCH_SIZE as u32);
    jira.search(query).try_collect().await
}
