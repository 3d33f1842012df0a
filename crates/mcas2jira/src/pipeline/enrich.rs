//! IP reputation for a pass: each public address looked up at most once per pass (single flight
//! across tenants), the state store's cache read first, look-ups within the process's AbuseIPDB
//! budget (`budget.rs`), and a daily quota that runs out turning the rest of the pass's look-ups
//! into "unavailable" at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use abuseipdb_client::CheckParams;
use alert_mapping::{Reputation, ReputationFacts};
use futures_util::future::join_all;
use jiff::Timestamp;
use tokio::sync::OnceCell;
use tokio::task::JoinSet;

use super::budget::TenantShare;
use crate::state::StateStore;

/// Look-ups and cache use of one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnrichStats {
    /// Look-ups sent to AbuseIPDB.
    pub lookups: u64,
    /// Addresses answered from the state store's cache.
    pub cache_hits: u64,
    /// Look-ups that failed.
    pub failures: u64,
}

/// The reputations of one pass.
pub struct Enricher {
    client: Option<abuseipdb_client::Client>,
    params: CheckParams,
    store: Arc<StateStore>,
    ttl: Duration,
    read_only: bool,
    cells: Mutex<HashMap<IpAddr, Arc<OnceCell<Reputation>>>>,
    /// Cache writes under way (see [`Enricher::flush`]).
    writes: Mutex<JoinSet<()>>,
    /// Set once the daily quota is exhausted: the reason every later look-up gets.
    stopped: Mutex<Option<String>>,
    lookups: AtomicU64,
    cache_hits: AtomicU64,
    failures: AtomicU64,
}

impl std::fmt::Debug for Enricher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enricher").field("enabled", &self.client.is_some()).field("ttl", &self.ttl).finish()
    }
}

impl Enricher {
    /// An enricher using `client` (none: enrichment off), `max_age_days` for the checks, and the
    /// store's cache with `ttl`. How many look-ups run at once is the AbuseIPDB budget's to say:
    /// each call of [`Enricher::reputations`] brings its tenant's share of it.
    pub fn new(
        client: Option<abuseipdb_client::Client>,
        max_age_days: u16,
        store: Arc<StateStore>,
        ttl: Duration,
    ) -> Self {
        Self {
            client,
            params: CheckParams::default().max_age_days(max_age_days),
            store,
            ttl,
            read_only: false,
            cells: Mutex::new(HashMap::new()),
            writes: Mutex::new(JoinSet::new()),
            stopped: Mutex::new(None),
            lookups: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    /// Reads the cache but never writes it (for a dry run).
    #[must_use]
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// The figures so far.
    pub fn stats(&self) -> EnrichStats {
        EnrichStats {
            lookups: self.lookups.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
        }
    }

    /// The reputation of each of `ips` (public addresses, without duplicates), the look-ups made
    /// within `budget`, the AbuseIPDB share of the tenant asking.
    ///
    /// Never fails: a failed look-up gives [`Reputation::Unavailable`] with the reason.
    pub async fn reputations(&self, ips: &[IpAddr], budget: &TenantShare) -> HashMap<IpAddr, Reputation> {
        if ips.is_empty() {
            return HashMap::new();
        }
        if self.client.is_none() {
            return ips
                .iter()
                .map(|ip| (*ip, Reputation::not_looked_up("no [abuseipdb] in the config")))
                .collect();
        }
        // Addresses this pass has not met yet: try the state store's cache for them, in one query.
        let unseen: Vec<IpAddr> = {
            let cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            ips.iter().copied().filter(|ip| !cells.contains_key(ip)).collect()
        };
        let cached = self.cached(&unseen).await;
        self.cache_hits.fetch_add(cached.len() as u64, Ordering::Relaxed);
        let cells: Vec<(IpAddr, Arc<OnceCell<Reputation>>)> = {
            let mut map = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            ips.iter()
                .map(|ip| {
                    let cell = map.entry(*ip).or_insert_with(|| match cached.get(ip) {
                        Some(facts) => Arc::new(OnceCell::new_with(Some(Reputation::Known(facts.clone())))),
                        None => Arc::new(OnceCell::new()),
                    });
                    (*ip, Arc::clone(cell))
                })
                .collect()
        };
        // Single flight: the first caller of an address looks it up; any other caller, from this
        // tenant or another, waits for that answer.
        let fresh: Mutex<Vec<(IpAddr, ReputationFacts)>> = Mutex::new(Vec::new());
        let answers = join_all(cells.iter().map(|(ip, cell)| async {
            let reputation = cell
                .get_or_init(|| async {
                    let reputation = self.lookup(*ip, budget).await;
                    if let Reputation::Known(facts) = &reputation {
                        fresh.lock().unwrap_or_else(|p| p.into_inner()).push((*ip, facts.clone()));
                    }
                    reputation
                })
                .await;
            (*ip, reputation.clone())
        }))
        .await;
        let fresh = fresh.into_inner().unwrap_or_else(|p| p.into_inner());
        if !fresh.is_empty() && !self.read_only {
            // The cache write (a transaction, so a disk sync) is kept off the page's critical
            // path: the answers are in hand, and this pass's later pages get theirs from the
            // single-flight cells, not from the store. [`Enricher::flush`] waits for it.
            let store = Arc::clone(&self.store);
            let now = Timestamp::now();
            let mut writes = self.writes.lock().unwrap_or_else(|p| p.into_inner());
            while writes.try_join_next().is_some() {}
            writes.spawn_blocking(move || {
                if let Err(e) = store.put_reputations(&fresh, now) {
                    tracing::warn!("could not cache IP reputations: {e}");
                }
            });
        }
        answers.into_iter().collect()
    }

    /// Waits for the reputation cache writes still under way. A pass calls it before it ends;
    /// dropping the enricher without it may drop a write not yet started (a cache miss later,
    /// nothing worse).
    pub async fn flush(&self) {
        let mut writes = std::mem::take(&mut *self.writes.lock().unwrap_or_else(|p| p.into_inner()));
        while let Some(written) = writes.join_next().await {
            if let Err(e) = written {
                tracing::warn!("could not cache IP reputations: {e}");
            }
        }
    }

    async fn cached(&self, ips: &[IpAddr]) -> HashMap<IpAddr, ReputationFacts> {
        if ips.is_empty() {
            return HashMap::new();
        }
        let store = Arc::clone(&self.store);
        let (ips, ttl) = (ips.to_vec(), self.ttl);
        match tokio::task::spawn_blocking(move || {
            store.reputations::<ReputationFacts>(&ips, Timestamp::now(), ttl)
        })
        .await
        {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                tracing::warn!("could not read the IP reputation cache: {e}");
                HashMap::new()
            }
            Err(e) => {
                tracing::warn!("could not read the IP reputation cache: {e}");
                HashMap::new()
            }
        }
    }

    async fn lookup(&self, ip: IpAddr, budget: &TenantShare) -> Reputation {
        let Some(client) = &self.client else {
            return Reputation::not_looked_up("no [abuseipdb] in the config");
        };
        if let Some(reason) = self.stopped_reason() {
            return Reputation::unavailable(reason);
        }
        let _permit = budget.acquire().await;
        // Checked again: the quota may have run out while this look-up waited for its turn.
        if let Some(reason) = self.stopped_reason() {
            return Reputation::unavailable(reason);
        }
        self.lookups.fetch_add(1, Ordering::Relaxed);
        match client.check(ip, &self.params).await {
            Ok(rated) => Reputation::from(&rated.data),
            Err(error) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                let reason = match &error {
                    abuseipdb_client::Error::QuotaExceeded { reset_at, .. } => {
                        let reason = match reset_at {
                            Some(at) => format!("AbuseIPDB daily quota exhausted (resets {at})"),
                            None => "AbuseIPDB daily quota exhausted".to_owned(),
                        };
                        *self.stopped.lock().unwrap_or_else(|p| p.into_inner()) = Some(reason.clone());
                        tracing::warn!("{reason}: the rest of this pass goes without IP reputation");
                        reason
                    }
                    other => {
                        tracing::warn!(%ip, "AbuseIPDB look-up failed: {}", crate::chain(other));
                        format!("AbuseIPDB look-up failed: {}", crate::chain(other))
                    }
                };
                Reputation::unavailable(reason)
            }
        }
    }

    fn stopped_reason(&self) -> Option<String> {
        self.stopped.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
