//! The open-file limit of the process, and the tenant concurrency that fits in it.
//!
//! systemd's default soft limit, and most crons', is 1,024 open files. Every connection is one,
//! so a process that kept a connection per tenant failed with "Too many open files" past about a
//! thousand tenants. What the process holds open now, whatever the number of tenants:
//!
//! - [`FIXED`]: standard streams, the async runtime, the state store (database, its WAL and
//!   shared-memory files, the pass and sync lock files), signal handling, the odd file read;
//! - per service shared by all tenants (Jira, AbuseIPDB): as many connections as its in-flight
//!   limit, kept idle for reuse, plus one for a name lookup;
//! - per tenant running: [`PER_TENANT`]: its MCAS connection (MCAS connections are not kept idle:
//!   each tenant's portal is another host, and a tenant reads a few pages and is done), a
//!   connection to Entra for a token, and a name lookup's socket.
//!
//! So the tenant concurrency is lowered, at start-up, to what the soft limit leaves for tenants.

use std::path::Path;

/// Open files the process holds whatever its work: see the module docs. Generous, since running
/// out is an error for one alert and a retry, while a margin costs a little concurrency.
pub const FIXED: u64 = 64;

/// Open files one running tenant may hold at once.
pub const PER_TENANT: u64 = 3;

/// The soft limit on open files (`ulimit -n`), read from `/proc/self/limits`; `None` where that
/// file does not exist (outside Linux) or cannot be read, or for "unlimited".
#[must_use]
pub fn open_files_soft_limit() -> Option<u64> {
    read_soft_limit(Path::new("/proc/self/limits"))
}

fn read_soft_limit(path: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    // "Max open files            1024                 524288               files"
    let line = text.lines().find(|line| line.starts_with("Max open files"))?;
    line["Max open files".len()..].split_whitespace().next()?.parse().ok()
}

/// The tenants that may run at once: `configured`, or fewer if the open files it would take do
/// not fit in `soft_limit` beside the shared services' `shared_connections` (Jira's and
/// AbuseIPDB's in-flight limits together). At least one.
#[must_use]
pub fn tenant_concurrency(configured: usize, soft_limit: Option<u64>, shared_connections: usize) -> usize {
    let Some(limit) = soft_limit else { return configured.max(1) };
    // Each shared connection may also need a name lookup's socket while it is made.
    let shared = 2 * u64::try_from(shared_connections).unwrap_or(u64::MAX);
    let room = limit.saturating_sub(FIXED).saturating_sub(shared) / PER_TENANT;
    let fits = usize::try_from(room).unwrap_or(usize::MAX).max(1);
    configured.clamp(1, fits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_soft_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("limits");
        std::fs::write(
            &path,
            "Limit                     Soft Limit           Hard Limit           Units     \n\
             Max cpu time              unlimited            unlimited            seconds   \n\
             Max open files            1024                 524288               files     \n",
        )
        .unwrap();
        assert_eq!(read_soft_limit(&path), Some(1024));
        std::fs::write(&path, "Max open files            unlimited            unlimited            files\n")
            .unwrap();
        assert_eq!(read_soft_limit(&path), None);
        assert_eq!(read_soft_limit(&dir.path().join("missing")), None);
        // On the machine running the tests, the real file reads.
        if Path::new("/proc/self/limits").exists() {
            assert!(open_files_soft_limit().is_some_and(|limit| limit > 0));
        }
    }

    #[test]
    fn concurrency_fits_the_limit() {
        // 1,024 files, Jira 10 and AbuseIPDB 16 in flight: (1024 - 64 - 52) / 3 = 302 tenants fit.
        assert_eq!(tenant_concurrency(64, Some(1024), 26), 64);
        assert_eq!(tenant_concurrency(1000, Some(1024), 26), 302);
        assert_eq!(tenant_concurrency(64, Some(256), 26), 46);
        // A limit too small for anything still runs one tenant at a time.
        assert_eq!(tenant_concurrency(64, Some(50), 26), 1);
        assert_eq!(tenant_concurrency(500, None, 26), 500);
    }
}
