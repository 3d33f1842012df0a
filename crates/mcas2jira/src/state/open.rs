//! Why a state database cannot be used where the config puts it, found out before SQLite tries:
//! SQLite says `unable to open database file` for a missing directory, a permission denied and a
//! read-only file system alike, and an operator needs to know which, and what to do.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::error::{Result, StateError};
use super::lock::lock_path;

/// `EPERM`, "operation not permitted" (1 on Linux and the BSDs), which an immutable file answers.
const EPERM: i32 = 1;

/// Checks that the directory of `path` exists, and that the database (if it exists) and its
/// directory can be written by this process: the checks [`super::StateStore::open`] makes first.
/// SQLite's in-memory and URI names are left to SQLite.
pub(super) fn check_writable(path: &Path) -> Result<()> {
    let text = path.as_os_str().to_string_lossy();
    if text == ":memory:" || text.starts_with("file:") {
        return Ok(());
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let denied = |denied: PathBuf| StateError::PermissionDenied {
        path: path.to_owned(),
        denied,
        uid: effective_uid(),
    };
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(StateError::NotADirectory { path: path.to_owned(), dir }),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => return Err(denied(dir)),
        Err(_) => return Err(missing_directory(path, &dir)),
    }
    // An existing database must be writable.
    if path.exists() {
        match OpenOptions::new().read(true).write(true).open(path) {
            Ok(_) => {}
            // EPERM rather than EACCES: the file is immutable (`chattr +i`), which binds root too;
            // no permission would help, the file is read-only.
            Err(e) if e.raw_os_error() == Some(EPERM) => {
                return Err(StateError::ReadOnly { path: path.to_owned(), file_system: false });
            }
            Err(e) if e.kind() == ErrorKind::PermissionDenied => return Err(denied(path.to_owned())),
            Err(e) if e.kind() == ErrorKind::ReadOnlyFilesystem => {
                return Err(StateError::ReadOnly { path: path.to_owned(), file_system: true });
            }
            // Anything else (a directory where the file should be, say) is for SQLite to report.
            Err(_) => {}
        }
    }
    // The directory must take new files: SQLite's `-wal` and `-shm`, and the lock file, which is
    // the probe (created as the pass lock would create it, never truncated).
    let lock = lock_path(path);
    match OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&lock) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            Err(denied(if lock.exists() { lock } else { dir }))
        }
        Err(e) if e.kind() == ErrorKind::ReadOnlyFilesystem => {
            Err(StateError::ReadOnly { path: path.to_owned(), file_system: true })
        }
        Err(_) => Ok(()),
    }
}

/// The error for a directory that does not exist: named at the first ancestor that is missing,
/// or the file that stands where a directory should be.
fn missing_directory(path: &Path, dir: &Path) -> StateError {
    for ancestor in dir.ancestors().skip(1) {
        if let Ok(meta) = std::fs::metadata(ancestor) {
            if !meta.is_dir() {
                return StateError::NotADirectory { path: path.to_owned(), dir: ancestor.to_owned() };
            }
            break;
        }
    }
    StateError::DirectoryMissing { path: path.to_owned(), dir: dir.to_owned() }
}

/// The effective user id of this process, for the messages (read from `/proc`, where there is
/// one: no `unsafe` call to `geteuid`).
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StateStore;

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/state.db");
        let err = StateStore::open(&path).unwrap_err();
        let StateError::DirectoryMissing { dir: missing, .. } = &err else { panic!("{err:?}") };
        assert_eq!(missing, &dir.path().join("no/such"));
        assert!(err.to_string().contains("does not exist; create it"), "{err}");
        assert!(!dir.path().join("no").exists(), "nothing is created");
    }

    #[test]
    fn a_file_where_the_directory_should_be_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), "x").unwrap();
        let err = StateStore::open(&dir.path().join("file/sub/state.db")).unwrap_err();
        let StateError::NotADirectory { dir: file, .. } = &err else { panic!("{err:?}") };
        assert_eq!(file, &dir.path().join("file"));
        assert!(err.is_setup_problem());
    }

    #[test]
    fn an_unwritable_directory_is_permission_denied() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
        // root writes anyway: only an unprivileged user can see this (the CLI test runs the binary
        // as one).
        if std::fs::write(locked.join("probe"), "").is_ok() {
            return;
        }
        let err = StateStore::open(&locked.join("state.db")).unwrap_err();
        let StateError::PermissionDenied { denied, uid, .. } = &err else { panic!("{err:?}") };
        assert_eq!(denied, &locked);
        assert!(uid.is_some());
    }

    #[test]
    fn the_uid_is_read() {
        assert!(effective_uid().is_some());
    }
}
