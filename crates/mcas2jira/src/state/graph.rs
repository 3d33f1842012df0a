//! What a Graph tenant's walk keeps beside its checkpoint: where its Graph reading began
//! (`graph_starts`), so that a tenant moved from the Defender for Cloud Apps API to Graph never
//! reads, under Graph's ids, the alerts it already ticketed under MCAS's.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Result, StateStore};

impl StateStore {
    /// The floor of the tenant's Graph walk, recording on its first Graph pass that Graph
    /// reading began: `Some(t)` when the tenant had a checkpoint then (one from its MCAS
    /// passes: no Graph window reaches before `t`), `None` when it had none, or when its Graph
    /// reading had already begun without one. Only the first call for a tenant writes, and only
    /// with `record` (a dry run writes nothing).
    ///
    /// # Errors
    ///
    /// [`StateError`](super::StateError) when the database cannot be read or written.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let store = mcas2jira::state::StateStore::open(std::path::Path::new("mcas2jira.db"))?;
    /// let floor = store.begin_graph("tailspin", jiff::Timestamp::now(), true)?;
    /// # Ok::<(), mcas2jira::state::StateError>(())
    /// ```
    pub fn begin_graph(&self, tenant: &str, now: Timestamp, record: bool) -> Result<Option<Timestamp>> {
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let started: Option<Option<i64>> = tx
                .prepare_cached("SELECT floor FROM graph_starts WHERE tenant = ?1")?
                .query_row([tenant], |row| row.get(0))
                .optional()?;
            let floor = match started {
                Some(floor) => floor,
                None => {
                    let checkpoint: Option<i64> = tx
                        .prepare_cached("SELECT alert_time FROM checkpoints WHERE tenant = ?1")?
                        .query_row([tenant], |row| row.get(0))
                        .optional()?;
                    if record {
                        tx.prepare_cached(
                            "INSERT INTO graph_starts (tenant, floor, started_at) VALUES (?1, ?2, ?3)",
                        )?
                        .execute(params![
                            tenant,
                            checkpoint,
                            now.as_millisecond()
                        ])?;
                    }
                    checkpoint
                }
            };
            tx.commit()?;
            floor
                .map(|ms| {
                    Timestamp::from_millisecond(ms).map_err(|err| {
                        rusqlite::Error::FromSqlConversionFailure(
                            0,
                            rusqlite::types::Type::Integer,
                            err.into(),
                        )
                    })
                })
                .transpose()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::PageOutcome;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap()
    }

    #[test]
    fn the_mcas_checkpoint_becomes_the_floor_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("state.db")).unwrap();
        let mut outcome = PageOutcome::new(at(100));
        outcome.checkpoint = Some(at(90));
        store.apply_page("moved", &outcome).unwrap();

        // A dry run sees the floor but records nothing.
        assert_eq!(store.begin_graph("moved", at(100), false).unwrap(), Some(at(90)));
        assert_eq!(store.begin_graph("fresh", at(100), false).unwrap(), None);

        assert_eq!(store.begin_graph("moved", at(100), true).unwrap(), Some(at(90)));
        assert_eq!(store.begin_graph("fresh", at(100), true).unwrap(), None);
        // The Graph walk moves the checkpoint on; the floor stays where the move happened, and a
        // tenant that began on Graph gets no floor from its own checkpoint.
        outcome.checkpoint = Some(at(200));
        store.apply_page("moved", &outcome).unwrap();
        store.apply_page("fresh", &outcome).unwrap();
        assert_eq!(store.begin_graph("moved", at(300), true).unwrap(), Some(at(90)));
        assert_eq!(store.begin_graph("fresh", at(300), true).unwrap(), None);
    }
}
