//! When the periodic re-checks were last made: each tenant's reconcile sweep (the re-reading of
//! a longer window for alerts that reached MCAS late), and the Jira facts a run relies on.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{Result, StateStore, timestamp};

impl StateStore {
    /// When the tenant was last swept, `None` before its first sweep.
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
    /// if let Some(at) = store.last_sweep("contoso")? {
    ///     println!("contoso was swept at {at}");
    /// }
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn last_sweep(&self, tenant: &str) -> Result<Option<Timestamp>> {
        self.with_conn(|conn| {
            conn.prepare_cached("SELECT swept_at FROM sweeps WHERE tenant = ?1")?
                .query_row([tenant], |row| timestamp(row, 0))
                .optional()
        })
    }

    /// Records that the tenant was swept at `at`, over a window starting at `window_from`.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be written.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let now = jiff::Timestamp::now();
    /// store.record_sweep("contoso", now, now - jiff::SignedDuration::from_hours(24))?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn record_sweep(&self, tenant: &str, at: Timestamp, window_from: Timestamp) -> Result<()> {
        self.with_conn(|conn| {
            conn.prepare_cached(
                "INSERT INTO sweeps (tenant, swept_at, window_from) VALUES (?1, ?2, ?3)
                 ON CONFLICT (tenant) DO UPDATE SET
                     swept_at = excluded.swept_at, window_from = excluded.window_from",
            )?
            .execute(params![tenant, at.as_millisecond(), window_from.as_millisecond()])
            .map(drop)
        })
    }

    /// When the Jira facts were last found sound for the config whose relevant keys hash to
    /// `config_hash`; `None` when never, or for another config.
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
    /// println!("{:?}", store.jira_checked("6c1f0e1d2b3a4958")?);
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn jira_checked(&self, config_hash: &str) -> Result<Option<Timestamp>> {
        self.with_conn(|conn| {
            conn.prepare_cached("SELECT checked_at FROM jira_checks WHERE config_hash = ?1")?
                .query_row([config_hash], |row| timestamp(row, 0))
                .optional()
        })
    }

    /// Records that the Jira facts were found sound at `at` for the config hashing to
    /// `config_hash`, forgetting any other config's.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be written.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// store.record_jira_check("6c1f0e1d2b3a4958", jiff::Timestamp::now())?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn record_jira_check(&self, config_hash: &str, at: Timestamp) -> Result<()> {
        self.with_conn(|conn| {
            let tx = conn.transaction()?;
            tx.execute("DELETE FROM jira_checks", [])?;
            tx.execute(
                "INSERT INTO jira_checks (config_hash, checked_at) VALUES (?1, ?2)",
                params![config_hash, at.as_millisecond()],
            )?;
            tx.commit()
        })
    }

    /// Forgets the Jira facts found sound: Jira refused the config since, so the next run reads
    /// them again.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be written.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// store.forget_jira_check()?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn forget_jira_check(&self) -> Result<()> {
        self.with_conn(|conn| conn.execute("DELETE FROM jira_checks", []).map(drop))
    }
}
