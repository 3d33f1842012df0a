//! What the two-way sync reads and writes: the tickets still to compare with their alerts, and
//! what was mirrored between them (the `sync` table; its columns are described in
//! `migrations.rs`).

use std::fmt;

use jiff::Timestamp;
use rusqlite::{Row, TransactionBehavior, params};

use super::{Result, StateStore, StoredTicket, json_array, timestamp};

/// A ticket the sync has to look at: its alert is not settled with it yet, or something about
/// the pair is still due (a transition, a note, a resolution to map, a reopening to notice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCandidate {
    /// The MCAS alert `_id`.
    pub alert_id: String,
    /// The Jira issue key.
    pub jira_key: String,
    /// The alert's own timestamp (the order candidates come in).
    pub alert_time: Timestamp,
    /// What was recorded for the pair so far; `None` when nothing was mirrored yet.
    pub mirrored: Option<Mirrored>,
}

/// What the sync did with a ticket and its alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MirrorAction {
    /// The ticket was resolved; the alert was closed by this tool.
    ClosedAlert,
    /// The alert was closed in the portal; the ticket got a comment (and maybe a transition).
    Commented,
    /// Both were already closed: nothing to do now or later.
    BothClosed,
    /// The ticket or the alert no longer exists.
    Gone,
    /// The ticket is done with a resolution `[sync.resolutions]` does not name: its alert stays
    /// open, and the pair is looked at again on every sync.
    Unmapped,
}

impl MirrorAction {
    /// The text stored in the `action` column.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClosedAlert => "closed_alert",
            Self::Commented => "commented",
            Self::BothClosed => "both_closed",
            Self::Gone => "gone",
            Self::Unmapped => "unmapped",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "closed_alert" => Some(Self::ClosedAlert),
            "commented" => Some(Self::Commented),
            "both_closed" => Some(Self::BothClosed),
            "gone" => Some(Self::Gone),
            "unmapped" => Some(Self::Unmapped),
            _ => None,
        }
    }
}

impl fmt::Display for MirrorAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the `sync` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirrored {
    /// The MCAS alert `_id`.
    pub alert_id: String,
    /// The Jira issue key.
    pub jira_key: String,
    /// What was done.
    pub action: MirrorAction,
    /// The ticket's resolution: the one that closed the alert ([`MirrorAction::ClosedAlert`]), or
    /// the one the map does not name ([`MirrorAction::Unmapped`]).
    pub jira_resolution: Option<String>,
    /// `true_positive`, `benign` or `false_positive`, for [`MirrorAction::ClosedAlert`].
    pub close_kind: Option<String>,
    /// The alert's `resolutionStatusValue` as last seen, when read.
    pub alert_status: Option<i64>,
    /// The transition the ticket took (its name in the config at the time), once it took one.
    pub transition: Option<String>,
    /// When the ticket took that transition.
    pub transitioned_at: Option<Timestamp>,
    /// Whether the ticket is still to take the configured transition.
    pub transition_due: bool,
    /// Whether the ticket is still to get the note that its alert was closed from Jira.
    pub note_due: bool,
    /// When the ticket was first seen done after its alert was closed.
    pub ticket_done_at: Option<Timestamp>,
    /// When the sync found the ticket reopened after its alert was closed, and said so on it.
    pub reopened_at: Option<Timestamp>,
    /// When the row was last written.
    pub mirrored_at: Timestamp,
}

impl Mirrored {
    /// A row of `action` for a pair, at `now`, with nothing else set.
    #[must_use]
    pub fn new(alert_id: &str, jira_key: &str, action: MirrorAction, now: Timestamp) -> Self {
        Self {
            alert_id: alert_id.to_owned(),
            jira_key: jira_key.to_owned(),
            action,
            jira_resolution: None,
            close_kind: None,
            alert_status: None,
            transition: None,
            transitioned_at: None,
            transition_due: false,
            note_due: false,
            ticket_done_at: None,
            reopened_at: None,
            mirrored_at: now,
        }
    }
}

/// The columns `mirrored_row` reads, from `alert_id` on.
const SYNC_COLUMNS: &str = "s.alert_id, s.jira_key, s.action, s.jira_resolution, s.close_kind, \
                            s.alert_status, s.transition, s.transitioned_at, s.transition_due, \
                            s.note_due, s.ticket_done_at, s.reopened_at, s.mirrored_at";

impl StateStore {
    /// The tenant's tickets that the sync has to look at, oldest alert first: those not settled
    /// with their alert, those with a transition or a note due or an unmapped resolution, those
    /// whose alert was closed in the portal while the ticket is still open, and those whose
    /// ticket was done after their alert was closed at `watch_since` or later (to notice a
    /// reopening).
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be read.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let month_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(720);
    /// for candidate in store.sync_candidates("contoso", month_ago)? {
    ///     println!("{} <-> {}", candidate.jira_key, candidate.alert_id);
    /// }
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn sync_candidates(&self, tenant: &str, watch_since: Timestamp) -> Result<Vec<SyncCandidate>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT t.alert_id, t.jira_key, t.alert_time, s.alert_id IS NOT NULL, {SYNC_COLUMNS}
                   FROM tickets t
                   LEFT JOIN sync s ON s.tenant = t.tenant AND s.alert_id = t.alert_id
                  WHERE t.tenant = ?1
                    AND (s.alert_id IS NULL
                         OR s.action = 'unmapped'
                         OR s.transition_due = 1
                         OR s.note_due = 1
                         OR (s.action = 'commented' AND s.ticket_done_at IS NULL)
                         OR (s.action IN ('closed_alert', 'commented', 'both_closed')
                             AND s.reopened_at IS NULL AND s.ticket_done_at >= ?2))
                  ORDER BY t.alert_time, t.alert_id"
            ))?;
            let rows = statement.query_map(params![tenant, watch_since.as_millisecond()], |row| {
                let recorded: bool = row.get(3)?;
                Ok(SyncCandidate {
                    alert_id: row.get(0)?,
                    jira_key: row.get(1)?,
                    alert_time: timestamp(row, 2)?,
                    mirrored: if recorded { Some(mirrored_row(row, 4)?) } else { None },
                })
            })?;
            rows.collect()
        })
    }

    /// Records what the sync did, in one transaction: each row of `put` replaces what was
    /// recorded for its pair (the sync computes a pair's whole row from the one it read), and the
    /// pairs of `forget` lose their row, so that they are compared afresh (an unmapped ticket
    /// that was reopened). Recording the same rows twice changes nothing more.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be written; nothing is written then.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::{Mirrored, MirrorAction, StateStore};
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let now = jiff::Timestamp::now();
    /// let row = Mirrored {
    ///     alert_status: Some(5),
    ///     ticket_done_at: Some(now),
    ///     ..Mirrored::new("5f0c1a2b3c4d5e6f7a8b9c0d", "SEC-1", MirrorAction::BothClosed, now)
    /// };
    /// store.record_mirrored("contoso", &[row], &[])?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn record_mirrored(&self, tenant: &str, put: &[Mirrored], forget: &[String]) -> Result<()> {
        if put.is_empty() && forget.is_empty() {
            return Ok(());
        }
        let millis = |t: Option<Timestamp>| t.map(Timestamp::as_millisecond);
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO sync (tenant, alert_id, jira_key, action, jira_resolution, close_kind,
                                       alert_status, transition, transitioned_at, transition_due,
                                       note_due, ticket_done_at, reopened_at, mirrored_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT (tenant, alert_id) DO UPDATE SET
                         jira_key = excluded.jira_key,
                         action = excluded.action,
                         jira_resolution = excluded.jira_resolution,
                         close_kind = excluded.close_kind,
                         alert_status = excluded.alert_status,
                         transition = excluded.transition,
                         transitioned_at = excluded.transitioned_at,
                         transition_due = excluded.transition_due,
                         note_due = excluded.note_due,
                         ticket_done_at = excluded.ticket_done_at,
                         reopened_at = excluded.reopened_at,
                         mirrored_at = excluded.mirrored_at",
                )?;
                for row in put {
                    insert.execute(params![
                        tenant,
                        row.alert_id,
                        row.jira_key,
                        row.action.as_str(),
                        row.jira_resolution,
                        row.close_kind,
                        row.alert_status,
                        row.transition,
                        millis(row.transitioned_at),
                        row.transition_due,
                        row.note_due,
                        millis(row.ticket_done_at),
                        millis(row.reopened_at),
                        row.mirrored_at.as_millisecond(),
                    ])?;
                }
                let mut delete = tx.prepare_cached("DELETE FROM sync WHERE tenant = ?1 AND alert_id = ?2")?;
                for alert_id in forget {
                    delete.execute(params![tenant, alert_id])?;
                }
            }
            tx.commit()
        })
    }

    /// Everything the sync recorded for a tenant, or (with `None`) for all, by tenant and alert.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be read, or holds an action
    /// this build does not know.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// for (tenant, row) in store.mirrored(None)? {
    ///     println!("{tenant} {} {}: {}", row.jira_key, row.alert_id, row.action);
    /// }
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn mirrored(&self, tenant: Option<&str>) -> Result<Vec<(String, Mirrored)>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT s.tenant, {SYNC_COLUMNS}
                   FROM sync s WHERE ?1 IS NULL OR s.tenant = ?1
                  ORDER BY s.tenant, s.alert_id"
            ))?;
            let rows = statement.query_map([tenant], |row| Ok((row.get(0)?, mirrored_row(row, 1)?)))?;
            rows.collect()
        })
    }

    /// The tickets done with a resolution `[sync.resolutions]` does not name, as the last sync
    /// found them, of the given tenants (all when `tenants` is empty), oldest alert first.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be read.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// for (ticket, row) in store.unmapped_resolutions(&[])? {
    ///     println!("{} resolved as {:?}", ticket.ticket.jira_key, row.jira_resolution);
    /// }
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn unmapped_resolutions(&self, tenants: &[&str]) -> Result<Vec<(StoredTicket, Mirrored)>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {}, {SYNC_COLUMNS}
                   FROM sync s JOIN tickets t ON t.tenant = s.tenant AND t.alert_id = s.alert_id
                  WHERE s.action = 'unmapped'
                    AND (?1 = '[]' OR s.tenant IN (SELECT value FROM json_each(?1)))
                  ORDER BY t.alert_time, t.tenant, t.alert_id",
                super::reports::TICKET_COLUMNS_OF_T
            ))?;
            let rows = statement.query_map([json_array(tenants)], |row| {
                let ticket = StoredTicket { tenant: row.get(0)?, ticket: super::reports::ticket_row(row)? };
                Ok((ticket, mirrored_row(row, super::reports::TICKET_COLUMN_COUNT)?))
            })?;
            rows.collect()
        })
    }
}

/// A `sync` row read from the columns of [`SYNC_COLUMNS`], starting at `first`.
fn mirrored_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Mirrored> {
    let at = |offset: usize| -> rusqlite::Result<Option<Timestamp>> {
        let value: Option<i64> = row.get(first + offset)?;
        value.map(|_| timestamp(row, first + offset)).transpose()
    };
    let action: String = row.get(first + 2)?;
    let action = MirrorAction::parse(&action).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            first + 2,
            rusqlite::types::Type::Text,
            format!("unknown sync action {action:?}").into(),
        )
    })?;
    Ok(Mirrored {
        alert_id: row.get(first)?,
        jira_key: row.get(first + 1)?,
        action,
        jira_resolution: row.get(first + 3)?,
        close_kind: row.get(first + 4)?,
        alert_status: row.get(first + 5)?,
        transition: row.get(first + 6)?,
        transitioned_at: at(7)?,
        transition_due: row.get(first + 8)?,
        note_due: row.get(first + 9)?,
        ticket_done_at: at(10)?,
        reopened_at: at(11)?,
        mirrored_at: timestamp(row, first + 12)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Origin, PageOutcome, TicketRecord};

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millisecond(ms).unwrap()
    }

    fn ticket(alert_id: &str, key: &str, alert_time: i64) -> TicketRecord {
        TicketRecord {
            alert_id: alert_id.into(),
            jira_key: key.into(),
            created_at: at(1),
            created_at_exact: true,
            degraded: Vec::new(),
            origin: Origin::Created,
            severity: "high".into(),
            title: "t".into(),
            alert_time: at(alert_time),
            alert_type: None,
            policy: None,
            users: Vec::new(),
            ips: Vec::new(),
        }
    }

    #[test]
    fn candidates_are_the_pairs_with_something_left_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("s.db")).unwrap();
        let mut page = PageOutcome::new(at(5));
        page.tickets = vec![
            ticket("a", "SEC-1", 6),
            ticket("b", "SEC-2", 5),
            ticket("c", "SEC-3", 4),
            ticket("d", "SEC-4", 3),
            ticket("e", "SEC-5", 2),
            ticket("f", "SEC-6", 1),
        ];
        store.apply_page("contoso", &page).unwrap();
        store.apply_page("other", &page).unwrap();
        let keys = |tenant: &str, since: i64| -> Vec<String> {
            store.sync_candidates(tenant, at(since)).unwrap().into_iter().map(|c| c.jira_key).collect()
        };
        assert_eq!(keys("contoso", 0), ["SEC-6", "SEC-5", "SEC-4", "SEC-3", "SEC-2", "SEC-1"]);

        let row = |id: &str, key: &str, action| Mirrored::new(id, key, action, at(10));
        let closed =
            Mirrored { ticket_done_at: Some(at(10)), ..row("a", "SEC-1", MirrorAction::ClosedAlert) };
        let due = Mirrored { transition_due: true, ..row("b", "SEC-2", MirrorAction::Commented) };
        let unmapped =
            Mirrored { jira_resolution: Some("Fixed".into()), ..row("c", "SEC-3", MirrorAction::Unmapped) };
        let gone = row("d", "SEC-4", MirrorAction::Gone);
        let reopened = Mirrored {
            ticket_done_at: Some(at(10)),
            reopened_at: Some(at(11)),
            ..row("e", "SEC-5", MirrorAction::Commented)
        };
        let put = [closed.clone(), due.clone(), unmapped.clone(), gone, reopened];
        store.record_mirrored("contoso", &put, &[]).unwrap();
        store.record_mirrored("contoso", &put, &[]).unwrap();
        // The closed pair is watched for a reopening while its close is recent.
        assert_eq!(keys("contoso", 10), ["SEC-6", "SEC-3", "SEC-2", "SEC-1"]);
        assert_eq!(keys("contoso", 11), ["SEC-6", "SEC-3", "SEC-2"]);
        assert_eq!(keys("other", 11).len(), 6, "tenants are apart");
        let candidates = store.sync_candidates("contoso", at(11)).unwrap();
        assert_eq!(candidates[1].mirrored.as_ref(), Some(&unmapped));
        assert_eq!(candidates[0].mirrored, None);

        // A row is replaced whole; a forgotten one is compared afresh.
        let done = Mirrored { transition_due: false, transition: Some("Done".into()), ..due };
        store.record_mirrored("contoso", std::slice::from_ref(&done), &["c".to_owned()]).unwrap();
        assert_eq!(keys("contoso", 11), ["SEC-6", "SEC-3", "SEC-2"], "SEC-2's ticket is still open");
        assert_eq!(store.sync_candidates("contoso", at(11)).unwrap()[1].mirrored, None);
        let all = store.mirrored(Some("contoso")).unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all[1], ("contoso".to_owned(), done));

        store.record_mirrored("other", std::slice::from_ref(&unmapped), &[]).unwrap();
        let listed = store.unmapped_resolutions(&[]).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0.tenant, "other");
        assert_eq!(listed[0].0.ticket.jira_key, "SEC-3");
        assert!(store.unmapped_resolutions(&["contoso"]).unwrap().is_empty());
    }
}
