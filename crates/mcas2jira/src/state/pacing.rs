//! The recent MCAS request times of each tenant, kept between runs for its pacer.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::{TransactionBehavior, params};

use super::{Result, StateStore, json_array, to_json};

impl StateStore {
    /// The recent request start times kept for these tenants, oldest first; a tenant with none
    /// kept is absent. A row that does not decode (written by hand, or by another version) is
    /// taken as absent: the worst that follows is one run that starts as if the tenant had been
    /// quiet, which the server's `Retry-After` still covers.
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
    /// let recent = store.pacing(&["contoso"])?;
    /// println!("{:?}", recent.get("contoso"));
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn pacing(&self, tenants: &[&str]) -> Result<HashMap<String, Vec<Timestamp>>> {
        if tenants.is_empty() {
            return Ok(HashMap::new());
        }
        self.with_conn(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT tenant, starts FROM pacing WHERE tenant IN (SELECT value FROM json_each(?1))",
            )?;
            let mut rows = statement.query([json_array(tenants)])?;
            let mut found = HashMap::new();
            while let Some(row) = rows.next()? {
                let tenant: String = row.get(0)?;
                let text: String = row.get(1)?;
                let Ok(millis) = serde_json::from_str::<Vec<i64>>(&text) else { continue };
                let times: Vec<Timestamp> =
                    millis.into_iter().filter_map(|ms| Timestamp::from_millisecond(ms).ok()).collect();
                found.insert(tenant, times);
            }
            Ok(found)
        })
    }

    /// Keeps each tenant's recent request start times, replacing what was kept for it, in one
    /// transaction; a tenant given no times has its row removed.
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
    /// store.put_pacing(&[("contoso".to_owned(), vec![now])], now)?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn put_pacing(&self, entries: &[(String, Vec<Timestamp>)], now: Timestamp) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut put = tx.prepare_cached(
                    "INSERT INTO pacing (tenant, starts, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (tenant) DO UPDATE SET
                         starts = excluded.starts, updated_at = excluded.updated_at",
                )?;
                let mut remove = tx.prepare_cached("DELETE FROM pacing WHERE tenant = ?1")?;
                for (tenant, times) in entries {
                    if times.is_empty() {
                        remove.execute([tenant])?;
                    } else {
                        let millis: Vec<i64> = times.iter().copied().map(Timestamp::as_millisecond).collect();
                        put.execute(params![tenant, to_json(&millis)?, now.as_millisecond()])?;
                    }
                }
            }
            tx.commit()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_times_come_back_and_an_empty_list_removes_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("state.db")).unwrap();
        let at = |ms| Timestamp::from_millisecond(ms).unwrap();
        let now = at(10_000);
        store
            .put_pacing(
                &[
                    ("contoso".to_owned(), vec![at(1_000), at(1_000), at(2_500)]),
                    ("fabrikam".to_owned(), vec![]),
                ],
                now,
            )
            .unwrap();
        let kept = store.pacing(&["contoso", "fabrikam", "unknown"]).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept["contoso"], [at(1_000), at(1_000), at(2_500)], "a burst keeps every start");

        store.put_pacing(&[("contoso".to_owned(), vec![])], now).unwrap();
        assert!(store.pacing(&["contoso"]).unwrap().is_empty());
    }

    #[test]
    fn a_row_that_does_not_decode_counts_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("state.db")).unwrap();
        store
            .with_conn(|conn| {
                conn.execute(
                    "INSERT INTO pacing (tenant, starts, updated_at) VALUES ('contoso', 'nope', 0)",
                    [],
                )
            })
            .unwrap();
        assert!(store.pacing(&["contoso"]).unwrap().is_empty());
    }
}
