//! The pass lock and the sync lock: one pass, and one sync, at a time per state file, across
//! processes. A pass and a sync may run at the same time: they write different rows, and SQLite
//! keeps each transaction whole.
//!
//! An exclusive advisory lock on `<db path>.lock` (`<db path>.sync.lock` for the sync), held by an open file in [`PassLock`] and
//! released by the operating system when the file is closed: on drop, on exit, and on a crash, so
//! a killed process never leaves a stale lock behind. The file itself stays; it holds the holder's
//! process id and command line (`1234 mcas2jira watch --every 5m`) for the message the next
//! process shows.

use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::error::{Result, StateError};

/// Held while a pass runs; dropping it lets the next pass start.
#[derive(Debug)]
#[must_use = "the lock is released when the guard is dropped"]
pub struct PassLock {
    path: PathBuf,
    // Held for its lock; never read after acquiring.
    _file: File,
}

impl PassLock {
    /// The lock file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `<db path>.lock`.
pub(crate) fn lock_path(db: &Path) -> PathBuf {
    with_suffix(db, ".lock")
}

/// `<db path>.sync.lock`.
pub(crate) fn sync_lock_path(db: &Path) -> PathBuf {
    with_suffix(db, ".sync.lock")
}

fn with_suffix(db: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(db.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Takes the lock held by the file at `path`.
pub(crate) fn acquire(path: PathBuf) -> Result<PassLock> {
    let lock_file_error = |source| StateError::LockFile { path: path.clone(), source };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(lock_file_error)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let (pid, command) = holder(&text);
            return Err(StateError::Locked { path, pid, command });
        }
        Err(TryLockError::Error(source)) => return Err(lock_file_error(source)),
    }
    // Only for the message of a process that finds the lock taken; the lock does not depend on it.
    let _ = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| writeln!(file, "{} {}", std::process::id(), command_line()));
    Ok(PassLock { path, _file: file })
}

/// This process's command line on one line, its program by file name (`mcas2jira watch --every
/// 5m`), cut short. mcas2jira takes no secret on its command line, so it can be shown.
fn command_line() -> String {
    let mut args = std::env::args();
    let program = args
        .next()
        .map(|p| Path::new(&p).file_name().map_or(p.clone(), |name| name.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let line: String = std::iter::once(program).chain(args).collect::<Vec<_>>().join(" ");
    line.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// The process id and command line a holder wrote (an older mcas2jira wrote the id alone).
fn holder(text: &str) -> (Option<u32>, Option<String>) {
    let text = text.trim();
    let (pid, command) = text.split_once(' ').unwrap_or((text, ""));
    let command = command.trim();
    (pid.parse().ok(), (!command.is_empty()).then(|| command.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_old_and_new() {
        assert_eq!(holder("1234\n"), (Some(1234), None));
        assert_eq!(
            holder("1234 mcas2jira watch --every 5m\n"),
            (Some(1234), Some("mcas2jira watch --every 5m".into()))
        );
        assert_eq!(holder(""), (None, None));
    }
}
