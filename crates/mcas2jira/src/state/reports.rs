//! Read queries for reports and look-ups: tickets and skipped alerts by alert time, the ticket of
//! one alert.

use jiff::Timestamp;
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row, params};

use super::{
    Origin, Result, SkippedAlert, StateStore, StoredSkip, StoredTicket, TicketRecord, from_json, json_array,
    timestamp,
};

/// The columns `ticket_row` reads, `tenant` first.
const TICKET_COLUMNS: &str = "tenant, alert_id, jira_key, created_at, origin, severity, title, \
                              alert_time, alert_type, policy, users, ips, created_at_exact, degraded";

/// [`TICKET_COLUMNS`] of a table named `t`, for joins.
pub(super) const TICKET_COLUMNS_OF_T: &str = "t.tenant, t.alert_id, t.jira_key, t.created_at, t.origin, \
                                              t.severity, t.title, t.alert_time, t.alert_type, \
                                              t.policy, t.users, t.ips, t.created_at_exact, \
                                              t.degraded";

/// How many columns `ticket_row` reads.
pub(super) const TICKET_COLUMN_COUNT: usize = 14;

impl StateStore {
    /// The tickets of alerts whose alert time is in `[from, to)`, of the given tenants (all when
    /// `tenants` is empty), by alert time.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be read, [`StateError::Corrupt`](super::StateError::Corrupt) when a row does
    /// not decode.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let to = jiff::Timestamp::now();
    /// let from = to - jiff::SignedDuration::from_hours(24);
    /// for stored in store.tickets_between(from, to, &[])? {
    ///     println!("{} {} {}", stored.tenant, stored.ticket.jira_key, stored.ticket.title);
    /// }
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn tickets_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        tenants: &[&str],
    ) -> Result<Vec<StoredTicket>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {TICKET_COLUMNS} FROM tickets
                  WHERE alert_time >= ?1 AND alert_time < ?2
                    AND (?3 = '[]' OR tenant IN (SELECT value FROM json_each(?3)))
                  ORDER BY alert_time, tenant, alert_id"
            ))?;
            let rows = statement.query_map(
                params![from.as_millisecond(), to.as_millisecond(), json_array(tenants)],
                |row| Ok(StoredTicket { tenant: row.get(0)?, ticket: ticket_row(row)? }),
            )?;
            rows.collect()
        })
    }

    /// The alerts skipped by a rule whose alert time is in `[from, to)`, of the given tenants (all
    /// when `tenants` is empty), by alert time.
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
    /// let to = jiff::Timestamp::now();
    /// let from = to - jiff::SignedDuration::from_hours(24);
    /// println!("{} skipped", store.skipped_between(from, to, &["contoso"])?.len());
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn skipped_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        tenants: &[&str],
    ) -> Result<Vec<StoredSkip>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT tenant, alert_id, alert_time, severity, title, rule, skipped_at
                   FROM skipped
                  WHERE alert_time >= ?1 AND alert_time < ?2
                    AND (?3 = '[]' OR tenant IN (SELECT value FROM json_each(?3)))
                  ORDER BY alert_time, tenant, alert_id",
            )?;
            let rows = statement.query_map(
                params![from.as_millisecond(), to.as_millisecond(), json_array(tenants)],
                |row| {
                    Ok(StoredSkip {
                        tenant: row.get(0)?,
                        alert: SkippedAlert {
                            alert_id: row.get(1)?,
                            alert_time: timestamp(row, 2)?,
                            severity: row.get(3)?,
                            title: row.get(4)?,
                            rule: row.get(5)?,
                        },
                        skipped_at: timestamp(row, 6)?,
                    })
                },
            )?;
            rows.collect()
        })
    }

    /// The tenants the store holds anything for (tickets, skipped or pending alerts), by name.
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
    /// println!("{}", store.tenants()?.join(", "));
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn tenants(&self) -> Result<Vec<String>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT tenant FROM tickets UNION SELECT tenant FROM skipped
                 UNION SELECT tenant FROM pending ORDER BY 1",
            )?;
            let rows = statement.query_map([], |row| row.get(0))?;
            rows.collect()
        })
    }

    /// The ticket recorded for an alert, if any.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be read, [`StateError::Corrupt`](super::StateError::Corrupt) when the row does
    /// not decode.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// if let Some(ticket) = store.ticket_for_alert("contoso", "5f0c1a2b3c4d5e6f7a8b9c0d")? {
    ///     println!("already ticketed as {}", ticket.jira_key);
    /// }
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn ticket_for_alert(&self, tenant: &str, alert_id: &str) -> Result<Option<TicketRecord>> {
        self.with_conn(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {TICKET_COLUMNS} FROM tickets WHERE tenant = ?1 AND alert_id = ?2"
            ))?
            .query_row([tenant, alert_id], ticket_row)
            .optional()
        })
    }
}

pub(super) fn ticket_row(row: &Row<'_>) -> rusqlite::Result<TicketRecord> {
    let origin: String = row.get(4)?;
    Ok(TicketRecord {
        alert_id: row.get(1)?,
        jira_key: row.get(2)?,
        created_at: timestamp(row, 3)?,
        origin: Origin::parse(&origin).ok_or_else(|| bad_value(4, format!("origin {origin:?}")))?,
        severity: row.get(5)?,
        title: row.get(6)?,
        alert_time: timestamp(row, 7)?,
        alert_type: row.get(8)?,
        policy: row.get(9)?,
        users: from_json(row, 10)?,
        ips: from_json(row, 11)?,
        created_at_exact: row.get(12)?,
        degraded: match row.get::<_, Option<String>>(13)? {
            None => Vec::new(),
            Some(_) => from_json(row, 13)?,
        },
    })
}

fn bad_value(index: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, format!("unknown {what}").into())
}
