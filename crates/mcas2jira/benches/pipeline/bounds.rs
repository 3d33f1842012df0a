//! The two yardsticks of a run, counted in round trips of the fakes' latency:
//!
//! - the **sequential cost** of the same work done the way the original Python script did it: one
//!   request at a time, one MCAS page per tenant per 100 alerts, every public IP occurrence looked
//!   up twice, one create per alert;
//! - the **critical-path bound** of the configured concurrency (see [`critical_path`]).

use std::collections::HashSet;
use std::net::IpAddr;

/// The Jira check before a pass (the project, its create metadata, that of the issue type): three
/// requests one after another. A pass with a fresh state file makes it; a later one trusts the
/// state store's for `[jira] recheck_after`.
const JIRA_CHECK_ROUNDS: u64 = 3;

use mcas2jira_fakes::scenario::BulkAlerts;

use crate::setup::Knobs;

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

    /// The critical path, in rounds of one latency each, for `knobs`.
    ///
    /// A tenant's pages are handled one after another; within a page the label search, the IP
    /// look-ups (`ceil(new IPs / lookup_concurrency)` rounds, the look-up limit being shared by
    /// the whole pass) and the creates (`ceil(requests / create_concurrency)` rounds, a request
    /// being a bulk chunk of 50 or one issue) are sequential steps. MCAS pages are read one ahead,
    /// so only the first page's read is on the path. A tenant's chain is
    /// `1 + Σ pages (1 + lookups + creates)`. Tenants run `concurrency` at a time, so the chains
    /// of tenants in one wave overlap and the waves add up. The look-up limit also bounds the
    /// whole pass: every distinct IP is looked up once, after the first page and its search and
    /// before the last creates, so the pass takes at least `3 + ceil(unique IPs /
    /// lookup_concurrency)` rounds. The bound is the larger of the two.
    pub fn critical_path(&self, knobs: &Knobs) -> u64 {
        let lookups = knobs.lookup_concurrency().max(1) as u64;
        let creates = knobs.create_concurrency().max(1) as u64;
        let chains: Vec<u64> = self
            .tenants
            .iter()
            .map(|pages| {
                if pages.is_empty() {
                    return 1;
                }
                1 + pages
                    .iter()
                    .map(|page| {
                        let requests =
                            if knobs.bulk_create() { page.alerts.div_ceil(BULK) } else { page.alerts };
                        1 + page.new_ips.div_ceil(lookups) + requests.div_ceil(creates)
                    })
                    .sum::<u64>()
            })
            .collect();
        let waves: u64 =
            chains.chunks(knobs.concurrency().max(1)).map(|w| w.iter().copied().max().unwrap_or(0)).sum();
        let throughput = if self.unique_ips == 0 { 0 } else { 3 + self.unique_ips.div_ceil(lookups) };
        JIRA_CHECK_ROUNDS + waves.max(throughput)
    }
}
