//! The state store: an embedded SQLite database that remembers which alerts have tickets, where
//! each tenant stopped, which alerts failed and will be retried, and cached IP reputations.
//!
//! The schema and its migrations are described in `migrations.rs`. [`StateStore`] is synchronous
//! and `Send + Sync` (one connection behind a mutex); async code calls it through
//! `tokio::task::spawn_blocking`. Every write of a page of alerts is one transaction
//! ([`StateStore::apply_page`]), so a crash leaves either all of a page's outcome or none of it.
//! [`StateStore::lock_pass`] keeps two processes from running a pass on one file at once, and
//! [`StateStore::lock_sync`] two syncs.

mod error;
mod freshness;
mod graph;
mod lock;
mod migrations;
mod open;
mod pacing;
mod pass;
mod records;
mod reports;
mod reputation;
mod sync;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::types::Type;
use rusqlite::{Connection, ErrorCode, OpenFlags, Row};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::{Result, StateError};
pub use lock::PassLock;
pub use records::{
    Failure, IpScore, LeftOut, Origin, PageOutcome, Pending, SkippedAlert, StoredSkip, StoredTicket,
    TicketRecord,
};

pub use sync::{MirrorAction, Mirrored, SyncCandidate};

use migrations::MigrationFailure;

/// How long a statement waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// [`StateError::DirectoryMissing`], [`StateError::NotADirectory`],
    /// [`StateError::PermissionDenied`] or [`StateError::ReadOnly`] when the file or its directory
    /// cannot be written (checked before SQLite tries, to name the cause), [`StateError::Busy`]
    /// when another program holds the database's lock, [`StateError::Open`] when the file cannot
    /// be opened for another reason, [`StateError::Corrupt`] when it is not a SQLite database,
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
        open::check_writable(path)?;
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
            return Err(StateError::ReadOnly { path: self.path.clone(), file_system: false });
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
        lock::acquire(lock::lock_path(&self.path))
    }

    /// Takes the sync lock: an exclusive lock on `<db path>.sync.lock`, so that two syncs never
    /// act on the same tickets at once. It is apart from the pass lock: a sync, however long,
    /// never keeps a pass from running.
    ///
    /// # Errors
    ///
    /// [`StateError::Locked`] when another sync holds it, [`StateError::LockFile`] when the lock
    /// file cannot be created or locked.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use mcas2jira::state::StateStore;
    /// let store = StateStore::open("mcas2jira.db".as_ref())?;
    /// let _sync = store.lock_sync()?;
    /// let _pass = store.lock_pass()?; // both at once
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn lock_sync(&self) -> Result<PassLock> {
        lock::acquire(lock::sync_lock_path(&self.path))
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
            Some(ErrorCode::ReadOnly) => return StateError::ReadOnly { path, file_system: false },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => return StateError::Busy { path },
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

/// A JSON array of strings, for `json_each` (one bound parameter, however many values).
fn json_array<S: AsRef<str>>(values: &[S]) -> String {
    serde_json::Value::from(values.iter().map(|value| value.as_ref().to_owned()).collect::<Vec<_>>())
        .to_string()
}

#[cfg(test)]
mod tests;
