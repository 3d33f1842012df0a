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
    /// Another process holds the pass lock (or the sync lock).
    #[error(
        "another mcas2jira is running on this state file ({path} is locked{}); wait for it to finish, or stop it \
         (a `watch` holds the lock for as long as it runs)",
        holder(*.pid, .command.as_deref())
    )]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The process id written in the lock file by the holder, when readable.
        pid: Option<u32>,
        /// The holder's command line, as it wrote it in the lock file, when readable.
        command: Option<String>,
    },
    /// The directory of the state database does not exist.
    #[error(
        "state database {path}: the directory {dir} does not exist; create it for the user mcas2jira runs as \
         (under systemd, StateDirectory=mcas2jira makes /var/lib/mcas2jira), or set [state] path to a file \
         in a directory that exists"
    )]
    DirectoryMissing {
        /// The database file.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
    },
    /// What should be the directory of the state database is a file.
    #[error("state database {path}: {dir} is not a directory; set [state] path to a file in a directory")]
    NotADirectory {
        /// The database file.
        path: PathBuf,
        /// What should be its directory.
        dir: PathBuf,
    },
    /// The database file, or its directory, may not be written by this user.
    #[error(
        "state database {path}: permission denied writing {denied}{}; give that user write access to it \
         (chown or chmod), or set [state] path to a directory it owns (under systemd, StateDirectory=mcas2jira \
         and path = \"/var/lib/mcas2jira/mcas2jira.db\")",
        uid_note(*.uid)
    )]
    PermissionDenied {
        /// The database file.
        path: PathBuf,
        /// What may not be written: the file, or its directory (where SQLite also writes its
        /// `-wal` and `-shm` files and mcas2jira its lock file).
        denied: PathBuf,
        /// The user id the process runs as, when known.
        uid: Option<u32>,
    },
    /// SQLite could not get the database's lock in time: another program holds it.
    #[error(
        "state database {path} is locked by another program (an sqlite3 shell or a backup holding a \
         transaction?); close it and try again"
    )]
    Busy {
        /// The database file.
        path: PathBuf,
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
        "state database {path} is read-only{}; mcas2jira needs to write it and its directory (for the -wal and \
         -shm files): set [state] path to a writable place (under systemd, StateDirectory=mcas2jira and \
         path = \"/var/lib/mcas2jira/mcas2jira.db\")",
        if *.file_system { " (on a read-only file system)" } else { "" }
    )]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// Whether the whole file system is mounted read-only.
        file_system: bool,
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

impl StateError {
    /// Whether the state file is unusable where the config puts it (a directory missing, no
    /// permission, read-only, locked by another program): fixed by the operator, not by waiting,
    /// so the binary exits with status 2 as for a config error. Another mcas2jira holding the pass
    /// lock is not one of these: it is a run that will end.
    pub fn is_setup_problem(&self) -> bool {
        matches!(
            self,
            StateError::DirectoryMissing { .. }
                | StateError::NotADirectory { .. }
                | StateError::PermissionDenied { .. }
                | StateError::ReadOnly { .. }
                | StateError::Busy { .. }
        )
    }
}

/// ` by process 1234 (mcas2jira watch --every 5m)`, or what of it is known.
fn holder(pid: Option<u32>, command: Option<&str>) -> String {
    match (pid, command) {
        (Some(pid), Some(command)) => format!(" by process {pid}: {command}"),
        (Some(pid), None) => format!(" by process {pid}"),
        _ => String::new(),
    }
}

fn uid_note(uid: Option<u32>) -> String {
    uid.map(|uid| format!(" (mcas2jira runs as uid {uid})")).unwrap_or_default()
}

/// `Result` with [`StateError`].
pub type Result<T, E = StateError> = std::result::Result<T, E>;
