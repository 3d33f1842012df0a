//! The two yardsticks of a run, counted in round trips of the fakes' latency:
//!
//! - the **sequential cost** of the same work done the way the original Python script did it: one
//!   request at a time, one MCAS page per tenant per 100 alerts, every public IP occurrence looked
//!   up twice, one create per alert;
//! - the **critical-path bound** of the configured concurrency and limits (see
//!   [`Work::critical_path`]).

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

/// The Jira check before a pass (the project, its create metadata, that of the issue type): three
/// requests one after another. A pass with a fresh state file makes it; a later one trusts the
/// state store's for `[jira] recheck_after`.
const JIRA_CHECK_ROUNDS: u64 = 3;

use mcas2jira_fakes::scenario::BulkAlerts;

use crate::setup::{DEFAULT_JIRA_PER_MINUTE, DEFAULT_MCAS_PER_MINUTE, Knobs, PACING_WINDOW};

/// Alerts per MCAS page (the API's maximum and `[fetch] page_size`'s default).
const PAGE: u64 = 100;
/// Issues per bulk create (Jira's limit).
const BULK: u64 = 50;

/// One page of one tenant.
#[derive(Debug, Clone, Copy)]
pub struct PageWork {
    /// Alerts on it.
    pub alerts: u64,
    /// Public IPs on it that no earlier page of the tenant carried.
    pub new_ips: u64,
}

/// The work of a run, from the generators.
#[derive(Debug, Clone)]
pub struct Work {
    pub tenants: Vec<Vec<PageWork>>,
    /// Distinct public IPs over all tenants.
    pub unique_ips: u64,
    /// Public IP occurrences over all alerts.
    pub ip_occurrences: u64,
    pub alerts: u64,
}

impl Work {
    pub fn of(generators: &[BulkAlerts]) -> Work {
        let mut all: HashSet<IpAddr> = HashSet::new();
        let mut occurrences = 0;
        let mut tenants = Vec::new();
        for generator in generators {
            let mut seen: HashSet<IpAddr> = HashSet::new();
            let mut pages = Vec::new();
            let mut start = 0;
            while start < generator.len() {
                let end = (start + PAGE).min(generator.len());
                let mut new_ips = 0;
                for i in start..end {
                    for ip in generator.public_ips(i) {
                        occurrences += 1;
                        all.insert(ip);
                        new_ips += u64::from(seen.insert(ip));
                    }
                }
                pages.push(PageWork { alerts: end - start, new_ips });
                start = end;
            }
            tenants.push(pages);
        }
        Work {
            tenants,
            unique_ips: all.len() as u64,
            ip_occurrences: occurrences,
            alerts: generators.iter().map(BulkAlerts::len).sum(),
        }
    }

    /// Requests of the original script: pages, two look-ups per IP occurrence, a create per alert.
    pub fn sequential_requests(&self) -> u64 {
        let pages: u64 = self.tenants.iter().map(|pages| pages.len() as u64).sum();
        pages + 2 * self.ip_occurrences + self.alerts
    }

    /// The Jira requests of the run: per page, one label search and its create requests.
    pub fn jira_requests(&self, knobs: &Knobs) -> u64 {
        self.tenants.iter().flatten().map(|page| 1 + create_requests(page, knobs)).sum()
    }

    /// The MCAS requests of a tenant: one per page, and one more after a full last page (the
    /// walk asks again from that page's newest alert, and finds nothing new).
    pub fn mcas_requests(pages: &[PageWork]) -> u64 {
        let full_last = pages.last().is_some_and(|page| page.alerts == PAGE);
        pages.len() as u64 + u64::from(full_last || pages.is_empty())
    }

    /// The critical path of a pass that finds nothing new: each tenant's MCAS reads, one after
    /// another (a page's successor is asked for from its newest alert), `concurrency` tenants at
    /// a time. It takes every alert as re-read, which holds for the generators, whose alerts all
    /// lie within the ten minutes of overlap before the newest.
    pub fn reread_bound(&self, knobs: &Knobs, latency: Duration) -> Bound {
        self.tenants
            .chunks(knobs.concurrency().max(1))
            .map(|wave| wave.iter().map(|pages| Self::mcas_requests(pages)).max().unwrap_or(0))
            .fold(Bound::zero(latency), |bound, rounds| bound.add(Bound { rounds, windows: 0, latency }))
    }

    /// The critical path for `knobs` with every request taking `latency`.
    ///
    /// A tenant's pages are handled one after another; within a page the label search, the IP
    /// look-ups (`ceil(new IPs / lookup_concurrency)` rounds, the look-up limit being shared by
    /// the whole pass) and the creates (`ceil(requests / create_concurrency)` rounds, a request
    /// being a bulk chunk of 50 or one issue) are sequential steps. MCAS pages are read one ahead,
    /// so only the first page's read is on the path. A tenant's chain is
    /// `1 + Σ pages (1 + lookups + creates)` rounds, plus, with pacing on, one pacing window for
    /// each further 30 MCAS requests it makes. Tenants run `concurrency` at a time, so the chains
    /// of tenants in one wave overlap and the waves add up.
    ///
    /// The shared services bound the whole pass too: every distinct IP is looked up once, after
    /// the first page and its search and before the last creates (`3 + ceil(unique IPs /
    /// lookup_concurrency)` rounds); every Jira request waits for one of `jira_concurrency`
    /// (`ceil(Jira requests / jira_concurrency)` rounds), and past 3,000 of them in a window the
    /// rest wait for the window. The bound is the largest of the three.
    pub fn critical_path(&self, knobs: &Knobs, latency: Duration) -> Bound {
        let lookups = knobs.lookup_concurrency().max(1) as u64;
        let creates = knobs.create_concurrency().min(knobs.jira_concurrency()).max(1) as u64;
        let chains: Vec<Bound> = self
            .tenants
            .iter()
            .map(|pages| {
                let rounds = 1 + pages
                    .iter()
                    .map(|page| {
                        1 + page.new_ips.div_ceil(lookups) + create_requests(page, knobs).div_ceil(creates)
                    })
                    .sum::<u64>();
                let windows = if knobs.pacing {
                    Self::mcas_requests(pages).div_ceil(DEFAULT_MCAS_PER_MINUTE).saturating_sub(1)
                } else {
                    0
                };
                Bound { rounds, windows, latency }
            })
            .collect();
        let waves = chains
            .chunks(knobs.concurrency().max(1))
            .map(|wave| wave.iter().copied().max_by_key(Bound::time).unwrap_or(Bound::zero(latency)))
            .fold(Bound::zero(latency), Bound::add);
        let look_ups = if self.unique_ips == 0 {
            Bound::zero(latency)
        } else {
            Bound { rounds: 3 + self.unique_ips.div_ceil(lookups), windows: 0, latency }
        };
        let jira_requests = self.jira_requests(knobs);
        let jira = Bound {
            rounds: jira_requests.div_ceil(knobs.jira_concurrency().max(1) as u64),
            windows: jira_requests.div_ceil(DEFAULT_JIRA_PER_MINUTE).saturating_sub(1),
            latency,
        };
        let slowest =
            [waves, look_ups, jira].into_iter().max_by_key(Bound::time).unwrap_or(Bound::zero(latency));
        // The Jira check comes first, before any tenant starts.
        Bound { rounds: slowest.rounds + JIRA_CHECK_ROUNDS, ..slowest }
    }
}

/// The create requests of a page: bulk chunks of 50, or one per alert.
fn create_requests(page: &PageWork, knobs: &Knobs) -> u64 {
    if knobs.bulk_create() { page.alerts.div_ceil(BULK) } else { page.alerts }
}

/// A lower bound on a pass's time: rounds of one latency each, plus whole pacing windows.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub rounds: u64,
    pub windows: u64,
    pub latency: Duration,
}

impl Bound {
    fn zero(latency: Duration) -> Bound {
        Bound { rounds: 0, windows: 0, latency }
    }

    fn add(self, other: Bound) -> Bound {
        Bound {
            rounds: self.rounds + other.rounds,
            windows: self.windows + other.windows,
            latency: self.latency,
        }
    }

    /// How long the bound is.
    pub fn time(&self) -> Duration {
        self.latency * u32::try_from(self.rounds).unwrap_or(u32::MAX)
            + PACING_WINDOW * u32::try_from(self.windows).unwrap_or(u32::MAX)
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} rounds x {} ms", self.rounds, self.latency.as_millis())?;
        if self.windows > 0 {
            write!(f, " + {} pacing windows of {} s", self.windows, PACING_WINDOW.as_secs())?;
        }
        write!(f, " = {:.1} ms", self.time().as_secs_f64() * 1e3)
    }
}
