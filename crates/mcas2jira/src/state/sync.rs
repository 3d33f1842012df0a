//! What the two-way sync reads and writes: the tickets still to compare with their alerts, and
//! what was mirrored between them (the `sync` table of schema version 2).

use std::fmt;

use jiff::Timestamp;
use rusqlite::{TransactionBehavior, params};

use super::{Result, StateStore, timestamp};

/// A ticket the sync still has to look at: its alert is not known to be settled with it, or the
/// transition due after its alert was closed in the portal has not been made yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCandidate {
    /// The MCAS alert `_id`.
    pub alert_id: String,
    /// The Jira issue key.
    pub jira_key: String,
    /// The transition still to make (the alert was closed in the portal and the ticket was
    /// commented on already); `None` when nothing was mirrored yet.
    pub transition_due: Option<String>,
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
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "closed_alert" => Some(Self::ClosedAlert),
            "commented" => Some(Self::Commented),
            "both_closed" => Some(Self::BothClosed),
            "gone" => Some(Self::Gone),
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
    /// The Jira resolution that closed the alert, for [`MirrorAction::ClosedAlert`].
    pub jira_resolution: Option<String>,
    /// `true_positive`, `benign` or `false_positive`, for [`MirrorAction::ClosedAlert`].
    pub close_kind: Option<String>,
    /// The alert's `resolutionStatusValue` as last seen, when read.
    pub alert_status: Option<i64>,
    /// The transition the ticket is to take, for [`MirrorAction::Commented`].
    pub transition: Option<String>,
    /// When the ticket took that transition; `None` while it is still due.
    pub transitioned_at: Option<Timestamp>,
    /// When this was recorded.
    pub mirrored_at: Timestamp,
}

impl StateStore {
    /// The tenant's tickets that the sync still has to compare with their alerts, oldest alert
    /// first.
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
    /// for candidate in store.sync_candidates("contoso")? {
    ///     println!("{} <-> {}", candidate.jira_key, candidate.alert_id);
    /// }
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn sync_candidates(&self, tenant: &str) -> Result<Vec<SyncCandidate>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT t.alert_id, t.jira_key, s.transition
                   FROM tickets t
                   LEFT JOIN sync s ON s.tenant = t.tenant AND s.alert_id = t.alert_id
                  WHERE t.tenant = ?1
                    AND (s.alert_id IS NULL
                         OR (s.action = 'commented' AND s.transition IS NOT NULL
                             AND s.transitioned_at IS NULL))
                  ORDER BY t.alert_time, t.alert_id",
            )?;
            let rows = statement.query_map([tenant], |row| {
                Ok(SyncCandidate {
                    alert_id: row.get(0)?,
                    jira_key: row.get(1)?,
                    transition_due: row.get(2)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Records what the sync did, in one transaction. A row already recorded for an alert is
    /// kept, except that a due transition is marked done when a record of it says so; recording
    /// the same rows twice changes nothing more.
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
    /// let row = Mirrored {
    ///     alert_id: "5f0c1a2b3c4d5e6f7a8b9c0d".into(),
    ///     jira_key: "SEC-1".into(),
    ///     action: MirrorAction::BothClosed,
    ///     jira_resolution: None,
    ///     close_kind: None,
    ///     alert_status: Some(5),
    ///     transition: None,
    ///     transitioned_at: None,
    ///     mirrored_at: jiff::Timestamp::now(),
    /// };
    /// store.record_mirrored("contoso", &[row])?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn record_mirrored(&self, tenant: &str, rows: &[Mirrored]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO sync (tenant, alert_id, jira_key, action, jira_resolution, close_kind,
                                       alert_status, transition, transitioned_at, mirrored_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (tenant, alert_id) DO UPDATE SET
                         transitioned_at = excluded.transitioned_at
                     WHERE sync.transitioned_at IS NULL AND excluded.transitioned_at IS NOT NULL",
                )?;
                for row in rows {
                    insert.execute(params![
                        tenant,
                        row.alert_id,
                        row.jira_key,
                        row.action.as_str(),
                        row.jira_resolution,
                        row.close_kind,
                        row.alert_status,
                        row.transition,
                        row.transitioned_at.map(Timestamp::as_millisecond),
                        row.mirrored_at.as_millisecond(),
                    ])?;
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
            let mut statement = conn.prepare_cached(
                "SELECT tenant, alert_id, jira_key, action, jira_resolution, close_kind, alert_status,
                        transition, transitioned_at, mirrored_at
                   FROM sync WHERE ?1 IS NULL OR tenant = ?1
                  ORDER BY tenant, alert_id",
            )?;
            let rows = statement.query_map([tenant], |row| {
                let action: String = row.get(3)?;
                let action = MirrorAction::parse(&action).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(
                        3,
                        rusqlite::types::Type::Text,
                        format!("unknown sync action {action:?}").into(),
                    )
                })?;
                let transitioned_at: Option<i64> = row.get(8)?;
                let transitioned_at = match transitioned_at {
                    Some(_) => Some(timestamp(row, 8)?),
                    None => None,
                };
                Ok((
                    row.get(0)?,
                    Mirrored {
                        alert_id: row.get(1)?,
                        jira_key: row.get(2)?,
                        action,
                        jira_resolution: row.get(4)?,
                        close_kind: row.get(5)?,
                        alert_status: row.get(6)?,
                        transition: row.get(7)?,
                        transitioned_at,
                        mirrored_at: timestamp(row, 9)?,
                    },
                ))
            })?;
            rows.collect()
        })
    }
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

    fn row(alert_id: &str, key: &str, action: MirrorAction, transition: Option<&str>) -> Mirrored {
        Mirrored {
            alert_id: alert_id.into(),
            jira_key: key.into(),
            action,
            jira_resolution: None,
            close_kind: None,
            alert_status: Some(4),
            transition: transition.map(str::to_owned),
            transitioned_at: None,
            mirrored_at: at(10),
        }
    }

    #[test]
    fn candidates_are_the_unsettled_tickets_and_due_transitions() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("s.db")).unwrap();
        let mut page = PageOutcome::new(at(5));
        page.tickets = vec![ticket("a", "SEC-1", 3), ticket("b", "SEC-2", 2), ticket("c", "SEC-3", 1)];
        store.apply_page("contoso", &page).unwrap();
        store.apply_page("other", &page).unwrap();
        let keys = |tenant: &str| -> Vec<(String, Option<String>)> {
            store
                .sync_candidates(tenant)
                .unwrap()
                .into_iter()
                .map(|c| (c.jira_key, c.transition_due))
                .collect()
        };
        assert_eq!(keys("contoso"), [("SEC-3".into(), None), ("SEC-2".into(), None), ("SEC-1".into(), None)]);

        let closed = Mirrored {
            jira_resolution: Some("Done".into()),
            close_kind: Some("true_positive".into()),
            ..row("a", "SEC-1", MirrorAction::ClosedAlert, None)
        };
        let commented = row("b", "SEC-2", MirrorAction::Commented, Some("Done"));
        store.record_mirrored("contoso", &[closed.clone(), commented.clone()]).unwrap();
        store.record_mirrored("contoso", &[closed.clone(), commented.clone()]).unwrap();
        assert_eq!(keys("contoso"), [("SEC-3".into(), None), ("SEC-2".into(), Some("Done".into()))]);
        assert_eq!(keys("other").len(), 3, "tenants are apart");

        let done = Mirrored { transitioned_at: Some(at(20)), ..commented };
        store.record_mirrored("contoso", std::slice::from_ref(&done)).unwrap();
        assert_eq!(keys("contoso"), [("SEC-3".into(), None)]);
        let all = store.mirrored(Some("contoso")).unwrap();
        assert_eq!(all, [("contoso".to_owned(), closed), ("contoso".to_owned(), done)]);
    }
}
