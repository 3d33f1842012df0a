//! What a pass reads and writes: which alerts are handled, each page's outcome, checkpoints and
//! pending failures.

use std::collections::HashSet;

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::{PageOutcome, Pending, Result, StateStore, json_array, timestamp, to_json};

/// The longest error text kept for a pending failure.
pub(super) const MAX_ERROR_CHARS: usize = 2_000;

impl StateStore {
    /// Which of these alert ids of the tenant are already handled (ticketed or skipped): one query
    /// for the whole page.
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
    /// let known = store.known_alerts("contoso", &["5f0c1a2b3c4d5e6f7a8b9c0d"])?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn known_alerts(&self, tenant: &str, alert_ids: &[&str]) -> Result<HashSet<String>> {
        if alert_ids.is_empty() {
            return Ok(HashSet::new());
        }
        let ids = json_array(alert_ids);
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT alert_id FROM tickets
                  WHERE tenant = ?1 AND alert_id IN (SELECT value FROM json_each(?2))
                 UNION
                 SELECT alert_id FROM skipped
                  WHERE tenant = ?1 AND alert_id IN (SELECT value FROM json_each(?2))",
            )?;
            let rows = statement.query_map(params![tenant, ids], |row| row.get(0))?;
            rows.collect()
        })
    }

    /// Which of these alert ids of the tenant the store knows at all: handled (ticketed or
    /// skipped) or waiting for a retry. What the reconcile sweep compares MCAS with.
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
    /// let seen = store.seen_alerts("contoso", &["5f0c1a2b3c4d5e6f7a8b9c0d"])?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn seen_alerts(&self, tenant: &str, alert_ids: &[&str]) -> Result<HashSet<String>> {
        let mut seen = self.known_alerts(tenant, alert_ids)?;
        if alert_ids.is_empty() {
            return Ok(seen);
        }
        let ids = json_array(alert_ids);
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT alert_id FROM pending
                  WHERE tenant = ?1 AND alert_id IN (SELECT value FROM json_each(?2))",
            )?;
            for id in statement.query_map(params![tenant, ids], |row| row.get(0))? {
                seen.insert(id?);
            }
            Ok(())
        })?;
        Ok(seen)
    }

    /// Writes what one page of a tenant came to, in one transaction: tickets and skips recorded
    /// (clearing their pending failures), failures added or counted, cleared failures removed, and
    /// the checkpoint set. Applying the same outcome twice changes nothing more.
    ///
    /// A ticket already recorded for an alert is kept as it is: the first key recorded is the
    /// alert's ticket.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be written; nothing of the page is written then.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::{PageOutcome, StateStore};
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let now = jiff::Timestamp::now();
    /// let mut outcome = PageOutcome::new(now);
    /// outcome.checkpoint = Some(now);
    /// store.apply_page("contoso", &outcome)?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn apply_page(&self, tenant: &str, page: &PageOutcome) -> Result<()> {
        let now = page.now.as_millisecond();
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                // Failures first: a ticket for the same alert on the same page then clears it.
                let mut fail = tx.prepare_cached(
                    "INSERT INTO pending (tenant, alert_id, alert_time, attempts, last_error,
                                          next_try, first_seen, last_failed_at, severity, title)
                     VALUES (?1, ?2, ?3, ?9, ?4, ?5, ?6, ?6, ?7, ?8)
                     ON CONFLICT (tenant, alert_id) DO UPDATE SET
                         attempts = attempts + excluded.attempts,
                         alert_time = excluded.alert_time,
                         last_error = excluded.last_error,
                         next_try = excluded.next_try,
                         last_failed_at = excluded.last_failed_at,
                         severity = coalesce(excluded.severity, pending.severity),
                         title = coalesce(excluded.title, pending.title)
                     WHERE excluded.last_failed_at > pending.last_failed_at",
                )?;
                for failure in &page.failures {
                    fail.execute(params![
                        tenant,
                        failure.alert_id,
                        failure.alert_time.as_millisecond(),
                        truncate(&failure.error, MAX_ERROR_CHARS),
                        failure.next_try.as_millisecond(),
                        now,
                        failure.severity,
                        failure.title,
                        u32::from(failure.attempt),
                    ])?;
                }
                let mut ticket = tx.prepare_cached(
                    "INSERT INTO tickets (tenant, alert_id, jira_key, created_at, origin, severity,
                                          title, alert_time, alert_type, policy, users, ips,
                                          created_at_exact, degraded)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT (tenant, alert_id) DO NOTHING",
                )?;
                let mut clear =
                    tx.prepare_cached("DELETE FROM pending WHERE tenant = ?1 AND alert_id = ?2")?;
                for record in &page.tickets {
                    ticket.execute(params![
                        tenant,
                        record.alert_id,
                        record.jira_key,
                        record.created_at.as_millisecond(),
                        record.origin.as_str(),
                        record.severity,
                        record.title,
                        record.alert_time.as_millisecond(),
                        record.alert_type,
                        record.policy,
                        to_json(&record.users)?,
                        to_json(&record.ips)?,
                        record.created_at_exact,
                        if record.degraded.is_empty() { None } else { Some(to_json(&record.degraded)?) },
                    ])?;
                    clear.execute(params![tenant, record.alert_id])?;
                }
                let mut skip = tx.prepare_cached(
                    "INSERT INTO skipped (tenant, alert_id, alert_time, severity, title, rule,
                                          skipped_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (tenant, alert_id) DO NOTHING",
                )?;
                for alert in &page.skipped {
                    skip.execute(params![
                        tenant,
                        alert.alert_id,
                        alert.alert_time.as_millisecond(),
                        alert.severity,
                        alert.title,
                        alert.rule,
                        now,
                    ])?;
                    clear.execute(params![tenant, alert.alert_id])?;
                }
                for alert_id in &page.cleared {
                    clear.execute(params![tenant, alert_id])?;
                }
                if let Some(checkpoint) = page.checkpoint {
                    tx.prepare_cached(
                        "INSERT INTO checkpoints (tenant, alert_time, updated_at) VALUES (?1, ?2, ?3)
                         ON CONFLICT (tenant) DO UPDATE SET
                             alert_time = excluded.alert_time, updated_at = excluded.updated_at",
                    )?
                    .execute(params![tenant, checkpoint.as_millisecond(), now])?;
                }
            }
            tx.commit()
        })
    }

    /// The tenant's checkpoint: the alert time up to which every alert is fully handled; `None`
    /// before its first pass.
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
    /// if let Some(at) = store.checkpoint("contoso")? {
    ///     println!("contoso is done up to {at}");
    /// }
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn checkpoint(&self, tenant: &str) -> Result<Option<Timestamp>> {
        self.with_conn(|conn| {
            conn.prepare_cached("SELECT alert_time FROM checkpoints WHERE tenant = ?1")?
                .query_row([tenant], |row| timestamp(row, 0))
                .optional()
        })
    }

    /// The tenant's pending failures whose `next_try` has come, oldest alert first.
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
    /// for pending in store.due_pending("contoso", jiff::Timestamp::now())? {
    ///     println!("retrying {} (attempt {})", pending.alert_id, pending.attempts + 1);
    /// }
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn due_pending(&self, tenant: &str, now: Timestamp) -> Result<Vec<Pending>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT tenant, alert_id, alert_time, attempts, last_error, next_try, first_seen,
                        last_failed_at, severity, title
                   FROM pending WHERE tenant = ?1 AND next_try <= ?2
                  ORDER BY alert_time, alert_id",
            )?;
            let rows = statement.query_map(params![tenant, now.as_millisecond()], pending_row)?;
            rows.collect()
        })
    }

    /// Every pending failure, of one tenant or (with `None`) of all, oldest alert first.
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
    /// println!("{} alerts wait for a retry", store.pending(None)?.len());
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn pending(&self, tenant: Option<&str>) -> Result<Vec<Pending>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT tenant, alert_id, alert_time, attempts, last_error, next_try, first_seen,
                        last_failed_at, severity, title
                   FROM pending WHERE ?1 IS NULL OR tenant = ?1
                  ORDER BY alert_time, tenant, alert_id",
            )?;
            let rows = statement.query_map([tenant], pending_row)?;
            rows.collect()
        })
    }
}

fn pending_row(row: &Row<'_>) -> rusqlite::Result<Pending> {
    Ok(Pending {
        tenant: row.get(0)?,
        alert_id: row.get(1)?,
        alert_time: timestamp(row, 2)?,
        attempts: row.get(3)?,
        last_error: row.get(4)?,
        next_try: timestamp(row, 5)?,
        first_seen: timestamp(row, 6)?,
        last_failed_at: timestamp(row, 7)?,
        severity: row.get(8)?,
        title: row.get(9)?,
    })
}

fn truncate(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}
