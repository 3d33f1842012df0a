//! What can go wrong with the state database.

use std::io;
use std::path::PathBuf;

/// Errors of the state store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The database file could not be opened or created.
    #[error("cannot open state database {path}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// Another process holds the pass lock.
    #[error(
        "another mcas2jira is running on this state file ({path} is locked{}); wait for it to finish",
        .pid.map(|pid| format!(" by process {pid}")).unwrap_or_default()
    )]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The process id written in the lock file by the holder, when readable.
        pid: Option<u32>,
    },
    /// The lock file could not be created or locked.
    #[error("cannot lock {path}")]
    LockFile {
        /// The lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A migration script failed.
    #[error("cannot upgrade the state database to schema version {version}")]
    Migration {
        /// The version the failed migration leads to.
        version: u32,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer mcas2jira.
    #[error(
        "state database {path} has schema version {found}, newer than the {supported} this mcas2jira knows; use a newer mcas2jira"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest schema version this build knows.
        supported: u32,
    },
    /// The database file, or its directory, cannot be written.
    #[error(
        "state database {path} is read-only; mcas2jira needs to write it and its directory (for the -wal and -shm files)"
    )]
    ReadOnly {
        /// The database file.
        path: PathBuf,
    },
    /// The file is not a SQLite database, or holds data this build cannot read.
    #[error("state database {path} is corrupt or not an mcas2jira state file")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite or the decoder said.
        #[source]
        source: rusqlite::Error,
    },
    /// Any other SQLite error.
    #[error("state database error")]
    Sqlite(#[from] rusqlite::Error),
}

/// `Result` with [`StateError`].
pub type Result<T, E = StateError> = std::result::Result<T, E>;
