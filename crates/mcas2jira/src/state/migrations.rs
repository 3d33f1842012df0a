//! The schema of the state database, and the migrations that build it.
//!
//! # Schema (version 1)
//!
//! One SQLite file (WAL mode, foreign keys on), written only by `mcas2jira`. Times are integer
//! milliseconds since the Unix epoch, UTC. Tenants are the `name`s of `[[tenants]]`; alert ids are
//! MCAS `_id`s; Jira keys look like `SEC-123`. Secrets are never stored.
//!
//! - `tickets`: one row per alert that has a Jira ticket. Key `(tenant, alert_id)`. Columns:
//!   `jira_key`; `created_at` (when mcas2jira created the ticket, or found it);
//!   `origin` (`created` by this tool, or `found` by the `mcas-<alert id>` label search, after a
//!   lost response or a deleted state file); `severity` (`informational`, `low`, `medium`,
//!   `high`); `title`; `alert_time` (the alert's own timestamp); `alert_type`, `policy` (nullable);
//!   `users` (JSON array of strings); `ips` (JSON array of `{"ip": "203.0.113.7", "score": 87}`,
//!   `score` null when the reputation was unavailable). Indexed by `alert_time` for reports and by
//!   `jira_key` for the later two-way sync.
//! - `skipped`: alerts a rule with `skip = true` chose not to ticket, so that they count as handled
//!   and as seen in reports. Key `(tenant, alert_id)`; `alert_time`, `severity`, `title`, `rule`
//!   (the rule's name, nullable), `skipped_at`.
//! - `checkpoints`: per tenant, `alert_time` of the newest alert up to which every alert is fully
//!   handled, and `updated_at`. The next pass reads from there minus the `[fetch] overlap`.
//! - `pending`: alerts whose ticket could not be made yet, retried on later passes. Key
//!   `(tenant, alert_id)`; `alert_time`, `attempts`, `last_error`, `next_try`, `first_seen`,
//!   `last_failed_at`. A failure only counts as a new attempt when it is later than the last one,
//!   so applying the same page twice changes nothing. Recording a ticket or a skip for the alert
//!   removes its row.
//! - `ip_reputation`: the AbuseIPDB cache. Key `ip` (canonical text form); `json` (the answer as
//!   the caller serialized it), `fetched_at`. Entries older than the caller's TTL are ignored on
//!   read and removed by `prune_reputations`.
//!
//! # Version 2: the two-way sync
//!
//! - `sync`: one row per ticket whose alert and ticket are settled with each other, so that the
//!   sync never acts on them again. Key `(tenant, alert_id)`; `jira_key`; `action`: `closed_alert`
//!   (the ticket was resolved and this tool closed the alert), `commented` (the alert was closed in
//!   the portal and this tool commented on the ticket), `both_closed` (both were found closed: by
//!   hand, or by this tool before a lost state write), `gone` (the ticket or the alert no longer
//!   exists); `jira_resolution` and `close_kind` (`true_positive`, `benign`, `false_positive`) of a
//!   close; `alert_status` (MCAS `resolutionStatusValue` seen); `transition` (the transition a
//!   `commented` ticket is to take) and `transitioned_at` (when it took it; null while it is still
//!   to be tried); `mirrored_at`.
//!
//! # Version 3: true creation times, retried alerts in reports, a sync that is re-read
//!
//! - `tickets.created_at_exact`: 1 when `created_at` is the time Jira created the ticket (for a
//!   ticket this tool created: the moment Jira answered the create; for one found by its label:
//!   the `created` time Jira gives), 0 when it is only an estimate. Rows written before version 3
//!   hold the start of the pass that recorded them (a `created` ticket was made up to a pass's
//!   length later; a `found` one was made earlier): nothing in the file tells the true time, so
//!   they keep that value, marked 0. Reports leave estimates out of "time from alert to ticket",
//!   except with `--jira`, which reads the true time from Jira.
//! - `pending.severity`, `pending.title` (nullable): what reports show of an alert awaiting a
//!   retry. Null for rows written before version 3 (until their next failure) and for alerts that
//!   could not be read at all.
//! - `sync` is rebuilt (SQLite cannot change a `CHECK` constraint in place), every row kept:
//!   - `action` may also be `unmapped`: the ticket is done with a resolution `[sync.resolutions]`
//!     does not name (`jira_resolution`); reported once, then only counted, and looked at again
//!     on each sync (the map or the resolution may change).
//!   - `transition` is now the name of the transition the ticket *took* (null until it took
//!     one); `transition_due` (0/1) says a transition is still to be made. Its name is read from
//!     the config when it is made, so a corrected or removed `transition_on_alert_closed` takes
//!     effect. A version-2 row still due keeps `transition_due = 1` and loses the stored name.
//!   - `note_due` (0/1): the ticket is still to get the note that its alert was closed from
//!     Jira (the close succeeded, the note did not).
//!   - `ticket_done_at`: when the ticket was first seen done after its alert was closed (for
//!     `closed_alert` and `both_closed`, the time recorded; version-2 rows take `mirrored_at`, or
//!     `transitioned_at` for a transitioned `commented` row). While it is recent, the ticket is
//!     watched for being reopened.
//!   - `reopened_at`: when the sync found the ticket reopened after its alert was closed, and
//!     said so on the ticket (once).
//!
//! # Version 4: the MCAS pacing window across runs
//!
//! - `pacing`: per tenant, the start times of its most recent MCAS requests (`starts`, a JSON
//!   array of integer milliseconds, oldest first; at most the configured requests per minute, all
//!   within the pacing window when written) and `updated_at`. The next run seeds the tenant's
//!   pacer with them, so that a run started right after another (cron every minute, `run` after
//!   `watch` stopped) never puts more requests into one rolling minute than the limit. A row
//!   whose times have all left the window is as good as none; a row that does not decode is
//!   ignored, which at worst lets one run start as if the tenant had been quiet.
//!
//! # Version 5: refusals, late alerts, the Jira facts a run relies on
//!
//! - `tickets.degraded` (nullable JSON): for a ticket Jira accepted only without some of what the
//!   alert gave it (a value Jira refused for this alert), what was left out and why:
//!   `[{"field": "customfield_10107", "name": "Affected user", "reason": "..."}]`. Null for a
//!   whole ticket.
//! - `sweeps`: per tenant, `swept_at`, the time of its last reconcile sweep (the pass that read
//!   its `[fetch] reconcile_window` again for alerts that reached MCAS late), and `window_from`,
//!   where that sweep's window started.
//! - `jira_checks`: the Jira facts a run checks before creating (project, issue types,
//!   components, priorities, create screens), as last found sound: `config_hash` (a hash of the
//!   config keys they were checked against) and `checked_at`. At most one row; a run trusts it
//!   for `[jira] recheck_after`, and a config refusal met while creating removes it.
//!
//! Version 5 also changes what `pending.attempts` counts: an alert held back because Jira refused
//! the config (not the alert) keeps its count, so that fixing the config never leaves it stuck.
//!
//! # Version 6: where a tenant's Graph reading began
//!
//! - `graph_starts`: per tenant read through Microsoft Graph, `floor` (nullable) and
//!   `started_at`. A row says the tenant's Graph walk has begun, so its checkpoint is a Graph
//!   one. `floor` is the MCAS checkpoint the tenant had when it moved from `source = "mcas"` to
//!   `"graph"`: no Graph window reaches before it (not the overlap, not `--since`), because the
//!   alerts before it were ticketed under their MCAS ids, which Graph's ids cannot be matched
//!   with. Null for a tenant read through Graph from the start.
//!
//! # Migrations
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each migration is one SQL script,
//! applied in its own `BEGIN IMMEDIATE` transaction together with the new `user_version`, so that a
//! crash leaves the database at one version or the next, and two processes starting at once do
//! not both apply it. A database with a higher version than this build knows is refused, never
//! downgraded. Migrations are append-only: never edit one that has shipped.

use rusqlite::{Connection, TransactionBehavior};

/// The migrations, in order; `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6];

pub(super) const V1: &str = "
CREATE TABLE tickets (
    tenant     TEXT    NOT NULL,
    alert_id   TEXT    NOT NULL,
    jira_key   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    origin     TEXT    NOT NULL CHECK (origin IN ('created', 'found')),
    severity   TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    alert_time INTEGER NOT NULL,
    alert_type TEXT,
    policy     TEXT,
    users      TEXT    NOT NULL DEFAULT '[]',
    ips        TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant, alert_id)
) WITHOUT ROWID;
CREATE INDEX tickets_by_alert_time ON tickets (alert_time);
CREATE INDEX tickets_by_jira_key ON tickets (jira_key);

CREATE TABLE skipped (
    tenant     TEXT    NOT NULL,
    alert_id   TEXT    NOT NULL,
    alert_time INTEGER NOT NULL,
    severity   TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    rule       TEXT,
    skipped_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, alert_id)
) WITHOUT ROWID;
CREATE INDEX skipped_by_alert_time ON skipped (alert_time);

CREATE TABLE checkpoints (
    tenant     TEXT    NOT NULL PRIMARY KEY,
    alert_time INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE pending (
    tenant         TEXT    NOT NULL,
    alert_id       TEXT    NOT NULL,
    alert_time     INTEGER NOT NULL,
    attempts       INTEGER NOT NULL,
    last_error     TEXT    NOT NULL,
    next_try       INTEGER NOT NULL,
    first_seen     INTEGER NOT NULL,
    last_failed_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, alert_id)
) WITHOUT ROWID;
CREATE INDEX pending_by_next_try ON pending (tenant, next_try);

CREATE TABLE ip_reputation (
    ip         TEXT    NOT NULL PRIMARY KEY,
    json       TEXT    NOT NULL,
    fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
";

pub(super) const V2: &str = "
CREATE TABLE sync (
    tenant          TEXT    NOT NULL,
    alert_id        TEXT    NOT NULL,
    jira_key        TEXT    NOT NULL,
    action          TEXT    NOT NULL
                    CHECK (action IN ('closed_alert', 'commented', 'both_closed', 'gone')),
    jira_resolution TEXT,
    close_kind      TEXT,
    alert_status    INTEGER,
    transition      TEXT,
    transitioned_at INTEGER,
    mirrored_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant, alert_id)
) WITHOUT ROWID;
";

const V3: &str = "
ALTER TABLE tickets ADD COLUMN created_at_exact INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pending ADD COLUMN severity TEXT;
ALTER TABLE pending ADD COLUMN title TEXT;

CREATE TABLE sync_v3 (
    tenant          TEXT    NOT NULL,
    alert_id        TEXT    NOT NULL,
    jira_key        TEXT    NOT NULL,
    action          TEXT    NOT NULL
                    CHECK (action IN ('closed_alert', 'commented', 'both_closed', 'gone', 'unmapped')),
    jira_resolution TEXT,
    close_kind      TEXT,
    alert_status    INTEGER,
    transition      TEXT,
    transitioned_at INTEGER,
    transition_due  INTEGER NOT NULL DEFAULT 0,
    note_due        INTEGER NOT NULL DEFAULT 0,
    ticket_done_at  INTEGER,
    reopened_at     INTEGER,
    mirrored_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant, alert_id)
) WITHOUT ROWID;
INSERT INTO sync_v3 (tenant, alert_id, jira_key, action, jira_resolution, close_kind, alert_status,
                     transition, transitioned_at, transition_due, note_due, ticket_done_at,
                     reopened_at, mirrored_at)
SELECT tenant, alert_id, jira_key, action, jira_resolution, close_kind, alert_status,
       CASE WHEN transitioned_at IS NULL THEN NULL ELSE transition END,
       transitioned_at,
       CASE WHEN action = 'commented' AND transition IS NOT NULL AND transitioned_at IS NULL
            THEN 1 ELSE 0 END,
       0,
       CASE WHEN action IN ('closed_alert', 'both_closed') THEN mirrored_at
            WHEN transitioned_at IS NOT NULL THEN transitioned_at END,
       NULL,
       mirrored_at
  FROM sync;
DROP TABLE sync;
ALTER TABLE sync_v3 RENAME TO sync;
";

const V4: &str = "
CREATE TABLE pacing (
    tenant     TEXT    NOT NULL PRIMARY KEY,
    starts     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
";

const V5: &str = "
ALTER TABLE tickets ADD COLUMN degraded TEXT;

CREATE TABLE sweeps (
    tenant      TEXT    NOT NULL PRIMARY KEY,
    swept_at    INTEGER NOT NULL,
    window_from INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE jira_checks (
    config_hash TEXT    NOT NULL PRIMARY KEY,
    checked_at  INTEGER NOT NULL
) WITHOUT ROWID;
";

const V6: &str = "
CREATE TABLE graph_starts (
    tenant     TEXT    NOT NULL PRIMARY KEY,
    floor      INTEGER,
    started_at INTEGER NOT NULL
) WITHOUT ROWID;
";

/// The schema version this build writes and reads.
pub(crate) fn supported_version() -> u32 {
    // A handful of migrations: the count always fits.
    u32::try_from(MIGRATIONS.len()).unwrap_or(u32::MAX)
}

/// What `PRAGMA user_version` says.
pub(crate) fn current_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Why migrating stopped.
pub(crate) enum MigrationFailure {
    /// The database is newer than this build.
    Newer { found: u32 },
    /// A migration script failed.
    Script { version: u32, source: rusqlite::Error },
    /// Starting or committing the transaction, or reading the version, failed.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrationFailure {
    fn from(err: rusqlite::Error) -> Self {
        Self::Sqlite(err)
    }
}

/// Brings the schema up to [`supported_version`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), MigrationFailure> {
    let supported = supported_version();
    let found = current_version(conn)?;
    if found > supported {
        return Err(MigrationFailure::Newer { found });
    }
    for (index, script) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have applied it between our look and our write lock.
        let now = current_version(&tx)?;
        if now > supported {
            return Err(MigrationFailure::Newer { found: now });
        }
        if now >= version {
            continue;
        }
        tx.execute_batch(script).map_err(|source| MigrationFailure::Script { version, source })?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}
