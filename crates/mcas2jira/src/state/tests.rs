use std::net::IpAddr;

use jiff::SignedDuration;

use super::pass::MAX_ERROR_CHARS;
use super::*;
use std::collections::{HashMap, HashSet};

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + seconds).unwrap()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A store in a fresh directory (kept alive by the returned guard).
fn store() -> (tempfile::TempDir, StateStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::open(&dir.path().join("state.db")).unwrap();
    (dir, store)
}

fn ticket(alert_id: &str, jira_key: &str, alert_time: Timestamp) -> TicketRecord {
    TicketRecord {
        alert_id: alert_id.to_owned(),
        jira_key: jira_key.to_owned(),
        created_at: alert_time + SignedDuration::from_secs(30),
        created_at_exact: true,
        degraded: Vec::new(),
        origin: Origin::Created,
        severity: "high".to_owned(),
        title: format!("Alert {alert_id}"),
        alert_time,
        alert_type: Some("ALERT_IMPOSSIBLE_TRAVEL".to_owned()),
        policy: None,
        users: vec!["alice@contoso.com".to_owned()],
        ips: vec![
            IpScore { ip: ip("203.0.113.7"), score: Some(87) },
            IpScore { ip: ip("2001:db8::1"), score: None },
        ],
    }
}

/// A ticket carried over from before version 5 is a whole ticket.
fn ticket_degraded_is_empty(store: &StateStore) -> bool {
    store.ticket_for_alert("contoso", "a1").unwrap().unwrap().degraded.is_empty()
}

fn failure(alert_id: &str, error: &str, next_try: Timestamp) -> Failure {
    Failure {
        alert_id: alert_id.to_owned(),
        alert_time: at(0),
        error: error.to_owned(),
        next_try,
        severity: Some("medium".to_owned()),
        title: Some(format!("Alert {alert_id}")),
        attempt: true,
    }
}

#[test]
fn opening_migrates_once_and_reopening_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = StateStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), migrations::supported_version());
    let mut page = PageOutcome::new(at(100));
    page.tickets.push(ticket("a1", "SEC-1", at(10)));
    store.apply_page("contoso", &page).unwrap();
    drop(store);

    let store = StateStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), migrations::supported_version());
    assert!(store.ticket_for_alert("contoso", "a1").unwrap().is_some());
    let conn = store.conn.lock().unwrap();
    let mode: String = conn.pragma_query_value(None, "journal_mode", |row| row.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let foreign_keys: bool = conn.pragma_query_value(None, "foreign_keys", |row| row.get(0)).unwrap();
    assert!(foreign_keys);
}

/// A version-2 database, as mcas2jira wrote it before version 3, is upgraded with every row kept:
/// creation times marked as estimates, a due transition kept due without its stored name.
#[test]
fn a_version_2_database_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        for (version, script) in [(1, migrations::V1), (2, migrations::V2)] {
            let tx = conn.transaction().unwrap();
            tx.execute_batch(script).unwrap();
            tx.pragma_update(None, "user_version", version).unwrap();
            tx.commit().unwrap();
        }
        conn.execute_batch(
            "INSERT INTO tickets (tenant, alert_id, jira_key, created_at, origin, severity, title, alert_time)
             VALUES ('contoso', 'a1', 'SEC-1', 5000, 'created', 'high', 'T', 1000),
                    ('contoso', 'a2', 'SEC-2', 5000, 'created', 'low', 'T', 2000),
                    ('contoso', 'a3', 'SEC-3', 5000, 'created', 'low', 'T', 3000);
             INSERT INTO pending (tenant, alert_id, alert_time, attempts, last_error, next_try, first_seen,
                                  last_failed_at)
             VALUES ('contoso', 'a4', 4000, 1, 'down', 6000, 6000, 6000);
             INSERT INTO sync (tenant, alert_id, jira_key, action, transition, transitioned_at, mirrored_at)
             VALUES ('contoso', 'a1', 'SEC-1', 'commented', 'Old name', NULL, 7000),
                    ('contoso', 'a2', 'SEC-2', 'commented', 'Done', 7500, 7000),
                    ('contoso', 'a3', 'SEC-3', 'closed_alert', NULL, NULL, 8000);",
        )
        .unwrap();
    }
    let store = StateStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), migrations::supported_version());
    assert!(ticket_degraded_is_empty(&store));
    let ticket = store.ticket_for_alert("contoso", "a1").unwrap().unwrap();
    assert_eq!(ticket.created_at.as_millisecond(), 5000);
    assert!(!ticket.created_at_exact, "a version-2 creation time is the pass's start: an estimate");
    let pending = store.pending(None).unwrap();
    assert_eq!((pending[0].severity.as_deref(), pending[0].title.as_deref()), (None, None));
    let rows: HashMap<String, Mirrored> =
        store.mirrored(None).unwrap().into_iter().map(|(_, row)| (row.alert_id.clone(), row)).collect();
    assert!(rows["a1"].transition_due);
    assert_eq!(rows["a1"].transition, None, "the name is read from the config when it is made");
    assert_eq!(rows["a1"].ticket_done_at, None);
    assert!(!rows["a2"].transition_due);
    assert_eq!(rows["a2"].transition.as_deref(), Some("Done"));
    assert_eq!(rows["a2"].ticket_done_at.map(Timestamp::as_millisecond), Some(7500));
    assert_eq!(rows["a3"].ticket_done_at.map(Timestamp::as_millisecond), Some(8000));
    let since = Timestamp::from_millisecond(7600).unwrap();
    let candidates: Vec<String> =
        store.sync_candidates("contoso", since).unwrap().into_iter().map(|c| c.alert_id).collect();
    assert_eq!(candidates, ["a1", "a3"], "a1 has its transition due, a3's ticket is watched");
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    drop(StateStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = StateStore::open(&path).unwrap_err();
    let supported = migrations::supported_version();
    assert!(
        matches!(err, StateError::NewerSchema { found: 99, supported: s, .. } if s == supported),
        "{err:?}"
    );
    let expected = format!("schema version 99, newer than the {supported} this mcas2jira knows");
    assert!(err.to_string().contains(&expected), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    std::fs::write(&path, "this is not a database, but it is long enough to have a header").unwrap();
    let err = StateStore::open(&path).unwrap_err();
    assert!(matches!(err, StateError::Corrupt { .. }), "{err:?}");
}

#[test]
fn a_missing_directory_cannot_be_opened() {
    let dir = tempfile::tempdir().unwrap();
    let err = StateStore::open(&dir.path().join("no/such/dir/state.db")).unwrap_err();
    assert!(matches!(err, StateError::DirectoryMissing { .. }), "{err:?}");
}

#[test]
fn a_read_only_database_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    drop(StateStore::open(&path).unwrap());
    // SQLite opens a file it may not write read-only; this is what it does then.
    let err = StateStore::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap_err();
    assert!(matches!(err, StateError::ReadOnly { .. }), "{err:?}");
    assert!(err.to_string().contains("is read-only"), "{err}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        // root may write anyway; only an unprivileged user sees the file as read-only.
        if std::fs::OpenOptions::new().write(true).open(&path).is_err() {
            let err = StateStore::open(&path).unwrap_err();
            assert!(matches!(err, StateError::ReadOnly { .. }), "{err:?}");
        }
    }
}

#[test]
fn a_write_refused_by_sqlite_as_read_only_maps_to_read_only() {
    let (_dir, store) = store();
    store.conn.lock().unwrap().pragma_update(None, "query_only", true).unwrap();
    let mut page = PageOutcome::new(at(0));
    page.checkpoint = Some(at(0));
    let err = store.apply_page("contoso", &page).unwrap_err();
    assert!(matches!(err, StateError::ReadOnly { .. }), "{err:?}");
}

#[test]
fn tickets_round_trip_and_are_known() {
    let (_dir, store) = store();
    let mut page = PageOutcome::new(at(100));
    page.tickets.push(ticket("a1", "SEC-1", at(10)));
    let mut found = ticket("a2", "SEC-2", at(20));
    found.origin = Origin::Found;
    found.alert_type = None;
    found.users.clear();
    page.tickets.push(found.clone());
    page.skipped.push(SkippedAlert {
        alert_id: "a3".to_owned(),
        alert_time: at(30),
        severity: "informational".to_owned(),
        title: "noise".to_owned(),
        rule: Some("lab noise".to_owned()),
    });
    store.apply_page("contoso", &page).unwrap();

    assert_eq!(store.ticket_for_alert("contoso", "a1").unwrap(), Some(ticket("a1", "SEC-1", at(10))));
    assert_eq!(store.ticket_for_alert("contoso", "a2").unwrap(), Some(found));
    assert_eq!(store.ticket_for_alert("fabrikam", "a1").unwrap(), None);

    let known = store.known_alerts("contoso", &["a1", "a2", "a3", "a4"]).unwrap();
    assert_eq!(known, HashSet::from(["a1".to_owned(), "a2".to_owned(), "a3".to_owned()]));
    assert!(store.known_alerts("fabrikam", &["a1"]).unwrap().is_empty());
    assert!(store.known_alerts("contoso", &[]).unwrap().is_empty());
}

#[test]
fn applying_a_page_twice_changes_nothing_more() {
    let (_dir, store) = store();
    let mut page = PageOutcome::new(at(100));
    page.tickets.push(ticket("a1", "SEC-1", at(10)));
    page.failures.push(failure("a2", "jira answered 503", at(400)));
    page.checkpoint = Some(at(10));
    store.apply_page("contoso", &page).unwrap();
    store.apply_page("contoso", &page).unwrap();

    let pending = store.pending(Some("contoso")).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].attempts, 1);
    assert_eq!(pending[0].first_seen, at(100));
    let tickets = store.tickets_between(at(0), at(1_000), &[]).unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(store.checkpoint("contoso").unwrap(), Some(at(10)));

    // The first key recorded for an alert stays its ticket.
    let mut again = PageOutcome::new(at(200));
    again.tickets.push(ticket("a1", "SEC-999", at(10)));
    store.apply_page("contoso", &again).unwrap();
    assert_eq!(store.ticket_for_alert("contoso", "a1").unwrap().unwrap().jira_key, "SEC-1");
}

#[test]
fn failures_count_attempts_and_clear_when_ticketed() {
    let (_dir, store) = store();
    let mut first = PageOutcome::new(at(100));
    first.failures.push(failure("a1", "jira answered 503", at(400)));
    first.failures.push(failure("a2", "bad alert", at(10_000)));
    store.apply_page("contoso", &first).unwrap();

    let mut second = PageOutcome::new(at(500));
    second.failures.push(failure("a1", "jira answered 429", at(900)));
    store.apply_page("contoso", &second).unwrap();

    assert!(store.due_pending("contoso", at(899)).unwrap().is_empty());
    let due = store.due_pending("contoso", at(900)).unwrap();
    assert_eq!(
        due,
        [Pending {
            tenant: "contoso".to_owned(),
            alert_id: "a1".to_owned(),
            alert_time: at(0),
            attempts: 2,
            last_error: "jira answered 429".to_owned(),
            next_try: at(900),
            first_seen: at(100),
            last_failed_at: at(500),
            severity: Some("medium".to_owned()),
            title: Some("Alert a1".to_owned()),
        }]
    );
    assert_eq!(store.due_pending("contoso", at(20_000)).unwrap().len(), 2);
    assert!(store.due_pending("fabrikam", at(20_000)).unwrap().is_empty());

    let mut third = PageOutcome::new(at(1_000));
    third.tickets.push(ticket("a1", "SEC-1", at(0)));
    third.cleared.push("a2".to_owned());
    store.apply_page("contoso", &third).unwrap();
    assert!(store.pending(None).unwrap().is_empty());
}

#[test]
fn a_failure_and_a_ticket_on_one_page_leave_the_ticket() {
    let (_dir, store) = store();
    let mut page = PageOutcome::new(at(100));
    page.failures.push(failure("a1", "first try failed", at(400)));
    page.tickets.push(ticket("a1", "SEC-1", at(0)));
    store.apply_page("contoso", &page).unwrap();
    assert!(store.pending(None).unwrap().is_empty());
}

#[test]
fn long_errors_are_cut() {
    let (_dir, store) = store();
    let mut page = PageOutcome::new(at(100));
    page.failures.push(failure("a1", &"é".repeat(MAX_ERROR_CHARS + 10), at(400)));
    store.apply_page("contoso", &page).unwrap();
    let pending = store.pending(None).unwrap();
    assert_eq!(pending[0].last_error.chars().count(), MAX_ERROR_CHARS);
}

#[test]
fn checkpoints_round_trip_per_tenant() {
    let (_dir, store) = store();
    assert_eq!(store.checkpoint("contoso").unwrap(), None);
    for checkpoint in [at(50), at(80), at(60)] {
        let mut page = PageOutcome::new(at(100));
        page.checkpoint = Some(checkpoint);
        store.apply_page("contoso", &page).unwrap();
        // Set by the caller, as given: the pipeline decides how it moves.
        assert_eq!(store.checkpoint("contoso").unwrap(), Some(checkpoint));
    }
    assert_eq!(store.checkpoint("fabrikam").unwrap(), None);
    // A page without a checkpoint leaves it alone.
    store.apply_page("contoso", &PageOutcome::new(at(200))).unwrap();
    assert_eq!(store.checkpoint("contoso").unwrap(), Some(at(60)));
}

#[test]
fn reputations_expire_after_their_ttl() {
    let (_dir, store) = store();
    let ttl = Duration::from_secs(3_600);
    let v4 = ip("203.0.113.7");
    let v6 = ip("2001:db8::1");
    store
        .put_reputations(
            &[
                (v4, serde_json::json!({"abuseConfidenceScore": 87})),
                (v6, serde_json::json!({"abuseConfidenceScore": 0})),
            ],
            at(0),
        )
        .unwrap();
    let fresh: HashMap<IpAddr, serde_json::Value> =
        store.reputations(&[v4, v6, ip("198.51.100.1")], at(3_599), ttl).unwrap();
    assert_eq!(fresh.len(), 2);
    assert_eq!(fresh[&v4]["abuseConfidenceScore"], 87);
    let stale: HashMap<IpAddr, serde_json::Value> = store.reputations(&[v4, v6], at(3_600), ttl).unwrap();
    assert!(stale.is_empty());

    // A new answer replaces the old one and is fresh again.
    store.put_reputations(&[(v4, serde_json::json!({"abuseConfidenceScore": 90}))], at(4_000)).unwrap();
    let again: HashMap<IpAddr, serde_json::Value> = store.reputations(&[v4, v6], at(4_001), ttl).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[&v4]["abuseConfidenceScore"], 90);

    // An entry that does not decode as the asked type is a miss, not an error.
    let typed: HashMap<IpAddr, u32> = store.reputations(&[v4], at(4_001), ttl).unwrap();
    assert!(typed.is_empty());

    assert_eq!(store.prune_reputations(at(4_001), ttl).unwrap(), 1);
    assert!(store.reputations::<serde_json::Value>(&[v6], at(0), ttl).unwrap().is_empty());
}

#[test]
fn report_queries_filter_by_time_and_tenant() {
    let (_dir, store) = store();
    let mut contoso = PageOutcome::new(at(1_000));
    contoso.tickets.push(ticket("a1", "SEC-1", at(10)));
    contoso.tickets.push(ticket("a2", "SEC-2", at(500)));
    contoso.skipped.push(SkippedAlert {
        alert_id: "a3".to_owned(),
        alert_time: at(20),
        severity: "low".to_owned(),
        title: "noise".to_owned(),
        rule: None,
    });
    store.apply_page("contoso", &contoso).unwrap();
    let mut fabrikam = PageOutcome::new(at(1_000));
    fabrikam.tickets.push(ticket("b1", "SEC-3", at(15)));
    store.apply_page("fabrikam", &fabrikam).unwrap();

    let keys = |tickets: Vec<StoredTicket>| {
        tickets
            .into_iter()
            .map(|stored| format!("{}:{}", stored.tenant, stored.ticket.jira_key))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(store.tickets_between(at(0), at(1_000), &[]).unwrap()),
        ["contoso:SEC-1", "fabrikam:SEC-3", "contoso:SEC-2"]
    );
    assert_eq!(
        keys(store.tickets_between(at(10), at(500), &[]).unwrap()),
        ["contoso:SEC-1", "fabrikam:SEC-3"]
    );
    assert_eq!(keys(store.tickets_between(at(0), at(1_000), &["fabrikam"]).unwrap()), ["fabrikam:SEC-3"]);
    let skipped = store.skipped_between(at(0), at(100), &["contoso"]).unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].alert.alert_id, "a3");
    assert_eq!(skipped[0].skipped_at, at(1_000));
    assert!(store.skipped_between(at(0), at(100), &["fabrikam"]).unwrap().is_empty());
}

#[test]
fn an_undecodable_row_is_reported_as_corrupt() {
    let (_dir, store) = store();
    let mut page = PageOutcome::new(at(100));
    page.tickets.push(ticket("a1", "SEC-1", at(10)));
    store.apply_page("contoso", &page).unwrap();
    store.conn.lock().unwrap().execute("UPDATE tickets SET ips = '[{\"ip\": \"not an ip\"}]'", []).unwrap();
    let err = store.ticket_for_alert("contoso", "a1").unwrap_err();
    assert!(matches!(err, StateError::Corrupt { .. }), "{err:?}");
}

#[test]
fn the_pass_lock_is_exclusive_until_dropped() {
    let (dir, store) = store();
    let lock = store.lock_pass().unwrap();
    assert_eq!(lock.path(), dir.path().join("state.db.lock"));

    // A second store on the same file stands for a second process.
    let other = StateStore::open(&dir.path().join("state.db")).unwrap();
    let err = other.lock_pass().unwrap_err();
    let StateError::Locked { path, pid, command } = &err else {
        panic!("expected Locked, got {err:?}");
    };
    assert_eq!(path, &dir.path().join("state.db.lock"));
    assert_eq!(*pid, Some(std::process::id()));
    // The holder's command line, for the message (here, the test binary's).
    assert!(command.as_deref().is_some_and(|c| !c.is_empty()), "{command:?}");
    assert!(err.to_string().starts_with("another mcas2jira is running on this state file"), "{err}");
    assert!(store.lock_pass().is_err());

    drop(lock);
    let again = other.lock_pass().unwrap();
    drop(again);
}

#[test]
fn store_and_errors_are_send_sync_static() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<StateStore>();
    assert_send_sync::<StateError>();
    assert_send_sync::<PassLock>();
}

#[test]
fn a_held_alert_keeps_its_attempts_and_a_degraded_ticket_says_what_it_lacks() {
    let store = StateStore::open(Path::new(":memory:")).unwrap();
    let mut page = PageOutcome::new(at(10));
    page.failures.push(failure("a1", "jira down", at(10)));
    store.apply_page("contoso", &page).unwrap();
    let mut held = PageOutcome::new(at(20));
    held.failures
        .push(Failure { attempt: false, ..failure("a1", "held while Jira refuses the config", at(20)) });
    held.failures
        .push(Failure { attempt: false, ..failure("a2", "held while Jira refuses the config", at(20)) });
    store.apply_page("contoso", &held).unwrap();
    let pending = store.pending(Some("contoso")).unwrap();
    let attempts: Vec<(&str, u32, &str)> =
        pending.iter().map(|p| (p.alert_id.as_str(), p.attempts, p.last_error.as_str())).collect();
    assert_eq!(
        attempts,
        [("a1", 1, "held while Jira refuses the config"), ("a2", 0, "held while Jira refuses the config")]
    );
    // The sweep sees pending alerts as seen, known ones too.
    let mut page = PageOutcome::new(at(30));
    let mut ticket = ticket("a3", "SEC-3", at(3));
    ticket.degraded = vec![LeftOut {
        field: "customfield_10107".into(),
        name: "Affected user".into(),
        reason: "User 'mallory' does not exist.".into(),
    }];
    page.tickets.push(ticket.clone());
    store.apply_page("contoso", &page).unwrap();
    assert_eq!(store.ticket_for_alert("contoso", "a3").unwrap().unwrap(), ticket);
    let seen = store.seen_alerts("contoso", &["a1", "a2", "a3", "a4"]).unwrap();
    assert_eq!(seen, ["a1", "a2", "a3"].into_iter().map(str::to_owned).collect());
    assert_eq!(
        store.known_alerts("contoso", &["a1", "a3"]).unwrap(),
        ["a3".to_owned()].into_iter().collect()
    );
}

#[test]
fn sweeps_and_jira_checks_are_remembered() {
    let store = StateStore::open(Path::new(":memory:")).unwrap();
    assert_eq!(store.last_sweep("contoso").unwrap(), None);
    store.record_sweep("contoso", at(100), at(76)).unwrap();
    store.record_sweep("contoso", at(200), at(176)).unwrap();
    assert_eq!(store.last_sweep("contoso").unwrap(), Some(at(200)));
    assert_eq!(store.last_sweep("fabrikam").unwrap(), None);

    assert_eq!(store.jira_checked("aaaa").unwrap(), None);
    store.record_jira_check("aaaa", at(1)).unwrap();
    assert_eq!(store.jira_checked("aaaa").unwrap(), Some(at(1)));
    // Another config's check replaces it.
    store.record_jira_check("bbbb", at(2)).unwrap();
    assert_eq!(store.jira_checked("aaaa").unwrap(), None);
    assert_eq!(store.jira_checked("bbbb").unwrap(), Some(at(2)));
    store.forget_jira_check().unwrap();
    assert_eq!(store.jira_checked("bbbb").unwrap(), None);
}
