//! The state store: an embedded SQLite database that remembers which alerts have tickets, where
//! each tenant stopped, which alerts failed and will be retried, and cached IP reputations.
//!
//! The schema and its migrations are described in `migrations.rs`. [`StateStore`] is synchronous
//! and `Send + Sync` (one connection behind a mutex); async code calls it through
//! `tokio::task::spawn_blocking`. Every write of a page of alerts is one transaction
//! ([`StateStore::apply_page`]), so a crash leaves either all of a page's outcome or none of it.
//! [`StateStore::lock_pass`] keeps two processes from running a pass on one file at once.

mod error;
mod lock;
mod migrations;
mod records;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::types::Type;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::{Result, StateError};
pub use lock::PassLock;
pub use records::{
    Failure, IpScore, Origin, PageOutcome, Pending, SkippedAlert, StoredSkip, StoredTicket, TicketRecord,
};

use migrations::MigrationFailure;

/// How long a statement waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest error text kept for a pending failure.
const MAX_ERROR_CHARS: usize = 2_000;

/// The state database of one config.
#[derive(Debug)]
pub struct StateStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl StateStore {
    /// Opens the database, creating it if needed, in WAL mode with foreign keys on, and brings its
    /// schema up to date.
    ///
    /// # Errors
    ///
    /// [`StateError::Open`] when the file cannot be opened or created, [`StateError::ReadOnly`]
    /// when it cannot be written, [`StateError::Corrupt`] when it is not a SQLite database,
    /// [`StateError::NewerSchema`] when a newer mcas2jira wrote it, [`StateError::Migration`] when
    /// upgrading it fails.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use mcas2jira::state::StateStore;
    ///
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let _lock = store.lock_pass()?;
    /// println!("{:?}", store.checkpoint("contoso")?);
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with_flags(path, OpenFlags::default())
    }

    fn open_with_flags(path: &Path, flags: OpenFlags) -> Result<Self> {
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|source| StateError::Open { path: path.to_owned(), source })?;
        let store = Self { path: path.to_owned(), conn: Mutex::new(conn) };
        store.prepare()?;
        Ok(store)
    }

    fn prepare(&self) -> Result<()> {
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        // SQLite opens a file it may not write read-only without complaint; say so at once
        // rather than at the first write of the first pass.
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(|e| self.classify(e))? {
            return Err(StateError::ReadOnly { path: self.path.clone() });
        }
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| self.classify(e))?;
        // The first read of the file: a file that is not a database fails here.
        let _mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|e| self.classify(e))?;
        // FULL: a ticket recorded must survive a power cut, or the next pass would search Jira for
        // it again. The volume of writes is tiny.
        conn.pragma_update(None, "synchronous", "FULL").map_err(|e| self.classify(e))?;
        conn.pragma_update(None, "foreign_keys", true).map_err(|e| self.classify(e))?;
        migrations::migrate(&mut conn).map_err(|failure| match failure {
            MigrationFailure::Newer { found } => StateError::NewerSchema {
                path: self.path.clone(),
                found,
                supported: migrations::supported_version(),
            },
            MigrationFailure::Script { version, source } => match self.classify(source) {
                StateError::Sqlite(source) => StateError::Migration { version, source },
                other => other,
            },
            MigrationFailure::Sqlite(source) => self.classify(source),
        })
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the database (after [`StateStore::open`], the newest this build
    /// knows).
    ///
    /// # Errors
    ///
    /// [`StateError`] when the database cannot be read.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// println!("schema version {}", store.schema_version()?);
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn schema_version(&self) -> Result<u32> {
        self.with_conn(|conn| migrations::current_version(conn))
    }

    /// Takes the pass lock: an exclusive lock on `<db path>.lock`, held until the guard is
    /// dropped. Another process (or another call in this one) gets [`StateError::Locked`] until
    /// then.
    ///
    /// # Errors
    ///
    /// [`StateError::Locked`] when another pass holds it, [`StateError::LockFile`] when the lock
    /// file cannot be created or locked.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let lock = store.lock_pass()?; // "another mcas2jira is running on this state file ..."
    /// // ... the pass ...
    /// drop(lock);
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn lock_pass(&self) -> Result<PassLock> {
        lock::acquire(&self.path)
    }

    /// Which of these alert ids of the tenant are already handled (ticketed or skipped): one query
    /// for the whole page.
    ///
    /// # Errors
    ///
    /// [`StateError`] when the database cannot be read.
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

    /// Writes what one page of a tenant came to, in one transaction: tickets and skips recorded
    /// (clearing their pending failures), failures added or counted, cleared failures removed, and
    /// the checkpoint set. Applying the same outcome twice changes nothing more.
    ///
    /// A ticket already recorded for an alert is kept as it is: the first key recorded is the
    /// alert's ticket.
    ///
    /// # Errors
    ///
    /// [`StateError`] when the database cannot be written; nothing of the page is written then.
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
                                          next_try, first_seen, last_failed_at)
                     VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?6)
                     ON CONFLICT (tenant, alert_id) DO UPDATE SET
                         attempts = attempts + 1,
                         alert_time = excluded.alert_time,
                         last_error = excluded.last_error,
                         next_try = excluded.next_try,
                         last_failed_at = excluded.last_failed_at
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
                    ])?;
                }
                let mut ticket = tx.prepare_cached(
                    "INSERT INTO tickets (tenant, alert_id, jira_key, created_at, origin, severity,
                                          title, alert_time, alert_type, policy, users, ips)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
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
    /// [`StateError`] when the database cannot be read.
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
    /// [`StateError`] when the database cannot be read.
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
                        last_failed_at
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
    /// [`StateError`] when the database cannot be read.
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
                        last_failed_at
                   FROM pending WHERE ?1 IS NULL OR tenant = ?1
                  ORDER BY alert_time, tenant, alert_id",
            )?;
            let rows = statement.query_map([tenant], pending_row)?;
            rows.collect()
        })
    }

    /// The cached reputations of these IPs fetched less than `ttl` before `now`. An entry that no
    /// longer decodes as `T` (written by another version) counts as missing.
    ///
    /// # Errors
    ///
    /// [`StateError`] when the database cannot be read.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use std::{net::IpAddr, time::Duration};
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let ip: IpAddr = "203.0.113.7".parse().unwrap();
    /// let cached = store.reputations::<serde_json::Value>(
    ///     &[ip],
    ///     jiff::Timestamp::now(),
    ///     Duration::from_secs(86_400),
    /// )?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn reputations<T: DeserializeOwned>(
        &self,
        ips: &[IpAddr],
        now: Timestamp,
        ttl: Duration,
    ) -> Result<HashMap<IpAddr, T>> {
        if ips.is_empty() {
            return Ok(HashMap::new());
        }
        let texts: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
        let cutoff = cutoff(now, ttl);
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT ip, json FROM ip_reputation
                  WHERE ip IN (SELECT value FROM json_each(?1)) AND fetched_at > ?2",
            )?;
            let mut rows = statement.query(params![json_array(&texts), cutoff])?;
            let mut found = HashMap::new();
            while let Some(row) = rows.next()? {
                let ip: String = row.get(0)?;
                let json: String = row.get(1)?;
                if let (Ok(ip), Ok(value)) = (ip.parse(), serde_json::from_str(&json)) {
                    found.insert(ip, value);
                }
            }
            Ok(found)
        })
    }

    /// Caches reputations fetched at `now`, replacing older entries of the same IPs.
    ///
    /// # Errors
    ///
    /// [`StateError`] when the database cannot be written, or a value cannot be serialized to
    /// JSON.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use std::net::IpAddr;
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let ip: IpAddr = "203.0.113.7".parse().unwrap();
    /// let report = serde_json::json!({"abuseConfidenceScore": 87});
    /// store.put_reputations(&[(ip, report)], jiff::Timestamp::now())?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn put_reputations<T: Serialize>(&self, entries: &[(IpAddr, T)], now: Timestamp) -> Result<()> {
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut put = tx.prepare_cached(
                    "INSERT INTO ip_reputation (ip, json, fetched_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (ip) DO UPDATE SET
                         json = excluded.json, fetched_at = excluded.fetched_at",
                )?;
                for (ip, value) in entries {
                    put.execute(params![ip.to_string(), to_json(value)?, now.as_millisecond()])?;
                }
            }
            tx.commit()
        })
    }

    /// Removes cached reputations fetched `ttl` or longer before `now`; returns how many.
    ///
    /// # Errors
    ///
    /// [`StateError`] when the database cannot be written.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// store.prune_reputations(jiff::Timestamp::now(), Duration::from_secs(86_400))?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn prune_reputations(&self, now: Timestamp, ttl: Duration) -> Result<usize> {
        let cutoff = cutoff(now, ttl);
        self.with_conn(|conn| {
            conn.prepare_cached("DELETE FROM ip_reputation WHERE fetched_at <= ?1")?.execute([cutoff])
        })
    }

    /// The tickets of alerts whose alert time is in `[from, to)`, of the given tenants (all when
    /// `tenants` is empty), by alert time.
    ///
    /// # Errors
    ///
    /// [`StateError`] when the database cannot be read, [`StateError::Corrupt`] when a row does
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
    /// [`StateError`] when the database cannot be read.
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

    /// The ticket recorded for an alert, if any.
    ///
    /// # Errors
    ///
    /// [`StateError`] when the database cannot be read, [`StateError::Corrupt`] when the row does
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

    fn with_conn<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        // A panic while the lock was held cannot leave a transaction open (its guard rolls back
        // on unwind), so the connection is still sound.
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut conn).map_err(|err| self.classify(err))
    }

    /// Gives the errors a user can act on their own variant.
    fn classify(&self, err: rusqlite::Error) -> StateError {
        let path = self.path.clone();
        match err.sqlite_error_code() {
            Some(ErrorCode::ReadOnly) => return StateError::ReadOnly { path },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                return StateError::Corrupt { path, source: err };
            }
            _ => {}
        }
        match err {
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..) => StateError::Corrupt { path, source: err },
            other => StateError::Sqlite(other),
        }
    }
}

/// The columns `ticket_row` reads, `tenant` first.
const TICKET_COLUMNS: &str = "tenant, alert_id, jira_key, created_at, origin, severity, title, \
                              alert_time, alert_type, policy, users, ips";

fn ticket_row(row: &Row<'_>) -> rusqlite::Result<TicketRecord> {
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
    })
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
    })
}

fn timestamp(row: &Row<'_>, index: usize) -> rusqlite::Result<Timestamp> {
    let millis: i64 = row.get(index)?;
    Timestamp::from_millisecond(millis)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(index, Type::Integer, err.into()))
}

fn from_json<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, err.into()))
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|err| rusqlite::Error::ToSqlConversionFailure(err.into()))
}

fn bad_value(index: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, format!("unknown {what}").into())
}

/// A JSON array of strings, for `json_each` (one bound parameter, however many values).
fn json_array<S: AsRef<str>>(values: &[S]) -> String {
    serde_json::Value::from(values.iter().map(|value| value.as_ref().to_owned()).collect::<Vec<_>>())
        .to_string()
}

/// `now - ttl` in milliseconds, saturating: entries fetched after it are fresh.
fn cutoff(now: Timestamp, ttl: Duration) -> i64 {
    let ttl = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    now.as_millisecond().saturating_sub(ttl)
}

fn truncate(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests;
