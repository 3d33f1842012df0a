//! The budgets of the services every tenant shares: Jira and AbuseIPDB.
//!
//! MCAS throttles each tenant on its own (each tenant's client has its own pacer), so tenants can
//! run side by side without costing MCAS anything. Jira and AbuseIPDB are one service for all of
//! them, so each gets one budget for the process: at most `in_flight` requests at once, and at
//! most `per_minute` started in any rolling window (the same sliding window as MCAS's pacer, so
//! bursts up to the limit go at once).
//!
//! Fairness: the in-flight permits are handed out in turn among the tenants waiting for one
//! (round robin; first come, first served within a tenant). A tenant with a hundred look-ups to
//! make gets every free permit while no other tenant waits, so one tenant alone loses nothing;
//! once another asks, the next permits alternate between them, so a tenant that arrives behind a
//! busy one waits for one request of it, not for all of them.
//!
//! A request's order is: a permit, then the window (waited for while holding the permit, so that
//! the start the window counts is the start that happens). The permit goes back when the
//! request's answer has been read, or when the future waiting for it is dropped.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use http_support::{PACING_WINDOW, Pacer};
use tokio::sync::oneshot;

use crate::config::Config;

/// One shared service's limits.
#[derive(Debug)]
pub struct Budget {
    service: &'static str,
    in_flight: usize,
    permits: Mutex<Permits>,
    next_tenant: AtomicU64,
    window: Option<Pacer>,
}

/// The free permits, and who waits for one.
#[derive(Debug, Default)]
struct Permits {
    free: usize,
    /// Each waiting tenant's waiters, oldest first.
    waiting: HashMap<u64, VecDeque<oneshot::Sender<Permit>>>,
    /// The tenants with waiters, in the order they are served.
    turn: VecDeque<u64>,
}

impl Budget {
    /// At most `in_flight` requests to `service` at once (at least one), and at most `per_minute`
    /// started in any rolling [`PACING_WINDOW`] (`0`: no such limit).
    #[must_use]
    pub fn new(service: &'static str, in_flight: usize, per_minute: u32) -> Self {
        let in_flight = in_flight.max(1);
        Self {
            service,
            in_flight,
            permits: Mutex::new(Permits { free: in_flight, ..Permits::default() }),
            next_tenant: AtomicU64::new(0),
            window: Pacer::new(per_minute, PACING_WINDOW),
        }
    }

    /// The service's name, for messages.
    #[must_use]
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// How many requests may be in flight at once.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// The per-minute window, if there is one.
    #[must_use]
    pub fn window(&self) -> Option<&Pacer> {
        self.window.as_ref()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Permits> {
        self.permits.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gives a permit back: to the next tenant in turn that still waits, else to the free ones.
    fn release(self: &Arc<Self>) {
        let mut permits = self.lock();
        while let Some(tenant) = permits.turn.pop_front() {
            let Some(queue) = permits.waiting.get_mut(&tenant) else { continue };
            let Some(waiter) = queue.pop_front() else { continue };
            if queue.is_empty() {
                permits.waiting.remove(&tenant);
            } else {
                permits.turn.push_back(tenant);
            }
            match waiter.send(Permit { budget: Some(Arc::clone(self)) }) {
                Ok(()) => return,
                // That waiter was dropped: the permit it would have had is not given back through
                // its `Drop` (we hold the lock), but handed to the next in turn here.
                Err(mut unclaimed) => unclaimed.budget = None,
            }
        }
        permits.free += 1;
    }
}

/// One tenant's way into a [`Budget`]: its place in the turn.
#[derive(Debug)]
pub struct TenantShare {
    budget: Arc<Budget>,
    id: u64,
}

impl TenantShare {
    /// A place in `budget`'s turn for one tenant.
    #[must_use]
    pub fn new(budget: Arc<Budget>) -> Self {
        let id = budget.next_tenant.fetch_add(1, Ordering::Relaxed);
        Self { budget, id }
    }

    /// Waits for a permit (in turn with the other tenants waiting), then for the window; the
    /// request may start when this returns, and the permit goes back when the [`Permit`] is
    /// dropped.
    pub async fn acquire(&self) -> Permit {
        let permit = self.permit().await;
        if let Some(window) = &self.budget.window {
            window.wait().await;
        }
        permit
    }

    async fn permit(&self) -> Permit {
        let receiver = {
            let mut permits = self.budget.lock();
            if permits.free > 0 && permits.turn.is_empty() {
                permits.free -= 1;
                return Permit { budget: Some(Arc::clone(&self.budget)) };
            }
            let (sender, receiver) = oneshot::channel();
            let queue = permits.waiting.entry(self.id).or_default();
            queue.push_back(sender);
            if queue.len() == 1 {
                permits.turn.push_back(self.id);
            }
            receiver
        };
        // The sender lives in the queue until a permit is sent through it; it is never dropped
        // unsent while this future waits. Should that ever happen, going on without a permit only
        // loosens the limit for one request.
        receiver.await.unwrap_or(Permit { budget: None })
    }
}

/// Held while one request to a shared service is in flight.
#[derive(Debug)]
#[must_use = "the request may only be sent while the permit is held"]
pub struct Permit {
    budget: Option<Arc<Budget>>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(budget) = self.budget.take() {
            budget.release();
        }
    }
}

/// The budgets of the process: one per shared service.
#[derive(Debug, Clone)]
pub struct Budgets {
    /// Jira: `[pipeline] jira_concurrency` in flight, `[jira] requests_per_minute`.
    pub jira: Arc<Budget>,
    /// AbuseIPDB: `[pipeline] lookup_concurrency` in flight, `[abuseipdb] requests_per_minute`.
    pub abuseipdb: Arc<Budget>,
}

impl Budgets {
    /// The budgets the config sets.
    #[must_use]
    pub fn from_config(config: &Config) -> Self {
        let pipeline = &config.pipeline;
        Self {
            jira: Arc::new(Budget::new("Jira", pipeline.jira_concurrency, config.jira.requests_per_minute)),
            abuseipdb: Arc::new(Budget::new(
                "AbuseIPDB",
                pipeline.lookup_concurrency,
                config.abuseipdb.as_ref().map_or(0, |abuse| abuse.requests_per_minute),
            )),
        }
    }

    /// One tenant's places in the budgets' turns, for one run of the tenant.
    #[must_use]
    pub fn tenant(&self) -> TenantBudgets {
        TenantBudgets {
            jira: TenantShare::new(Arc::clone(&self.jira)),
            abuseipdb: TenantShare::new(Arc::clone(&self.abuseipdb)),
        }
    }
}

/// One tenant's places in the process's budgets.
#[derive(Debug)]
pub struct TenantBudgets {
    /// Its way to Jira.
    pub jira: TenantShare,
    /// Its way to AbuseIPDB.
    pub abuseipdb: TenantShare,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::future::join_all;
    use tokio::time::Instant;

    use super::*;

    /// Runs `n` requests of `tenant`, each 100 ms long once it holds a permit, and returns when
    /// each one finished, counted from `start`.
    async fn requests(tenant: &TenantShare, n: usize, start: Instant) -> Vec<Duration> {
        join_all((0..n).map(|_| async {
            let _permit = tenant.acquire().await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            Instant::now() - start
        }))
        .await
    }

    /// A busy tenant asks for 40 requests at once, then a quiet one for 2: the quiet tenant's
    /// requests go in the next round, not after all of the busy one's.
    #[tokio::test(start_paused = true)]
    async fn a_busy_tenant_cannot_starve_a_quiet_one() {
        let budget = Arc::new(Budget::new("Jira", 6, 0));
        let (busy, quiet) = (TenantShare::new(Arc::clone(&budget)), TenantShare::new(Arc::clone(&budget)));
        let start = Instant::now();
        let (busy_done, quiet_done) = tokio::join!(requests(&busy, 40, start), async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            requests(&quiet, 2, start).await
        });
        // Alone at first, the busy tenant held all six permits; the quiet one's two requests
        // took the second and fourth permits given back, in the second round.
        assert!(quiet_done.iter().all(|d| *d == Duration::from_millis(200)), "{quiet_done:?}");
        // Every permit was used all along: 42 requests of 100 ms, 6 at a time, in 7 rounds.
        assert_eq!(busy_done.iter().max(), Some(&Duration::from_millis(700)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_tenant_alone_uses_every_permit() {
        let budget = Arc::new(Budget::new("AbuseIPDB", 8, 0));
        let tenant = TenantShare::new(budget);
        let done = requests(&tenant, 16, Instant::now()).await;
        assert_eq!(done.iter().max(), Some(&Duration::from_millis(200)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_waiter_passes_its_turn_on() {
        let budget = Arc::new(Budget::new("Jira", 1, 0));
        let (a, b) = (TenantShare::new(Arc::clone(&budget)), TenantShare::new(Arc::clone(&budget)));
        let held = a.acquire().await;
        // b waits, then gives up; the permit must still reach a's next request.
        assert!(tokio::time::timeout(Duration::from_millis(10), b.acquire()).await.is_err());
        drop(held);
        let again = tokio::time::timeout(Duration::from_millis(10), a.acquire()).await;
        assert!(again.is_ok(), "the permit was lost with the dropped waiter");
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_counts_the_starts_of_every_tenant() {
        let budget = Arc::new(Budget::new("AbuseIPDB", 100, 5));
        let tenants: Vec<TenantShare> = (0..3).map(|_| TenantShare::new(Arc::clone(&budget))).collect();
        let start = Instant::now();
        let starts: Vec<Duration> = join_all(tenants.iter().flat_map(|tenant| {
            (0..3).map(move |_| async move {
                let _permit = tenant.acquire().await;
                Instant::now() - start
            })
        }))
        .await;
        let at_once = starts.iter().filter(|d| d.is_zero()).count();
        assert_eq!(at_once, 5, "{starts:?}");
        assert!(starts.iter().all(|d| d.is_zero() || *d == PACING_WINDOW), "{starts:?}");
    }
}
