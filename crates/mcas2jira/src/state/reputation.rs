//! The AbuseIPDB cache: reputations by IP, fresh for a caller-given TTL.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Result, StateStore, json_array, to_json};

impl StateStore {
    /// The cached reputations of these IPs fetched less than `ttl` before `now`. An entry that no
    /// longer decodes as `T` (written by another version) counts as missing.
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be read.
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
    /// [`StateError`](super::StateError) when the database cannot be written, or a value cannot be serialized to
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
    /// [`StateError`](super::StateError) when the database cannot be written.
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
}

/// `now - ttl` in milliseconds, saturating: entries fetched after it are fresh.
fn cutoff(now: Timestamp, ttl: Duration) -> i64 {
    let ttl = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    now.as_millisecond().saturating_sub(ttl)
}
