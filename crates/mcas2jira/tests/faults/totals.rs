//! What the fault suite counts, per scenario and in total, and how it is printed.

use std::fmt;

use crate::support::{Harness, alert_id};

/// The figures of one scenario (or of the whole suite).
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// Runs of the binary.
    pub runs: u64,
    /// Faults that reached the binary (a kill of a process already gone does not count).
    pub faults: u64,
    /// Alerts the fake tenants hold.
    pub alerts: u64,
    /// Issues in the fake Jira.
    pub tickets: u64,
    /// Tickets beyond the first for an alert.
    pub duplicates: u64,
    /// Alerts without a ticket.
    pub missing: u64,
}

impl Totals {
    /// Counts the alerts, tickets, duplicates and missing tickets of the harness as it is now.
    pub fn count(&mut self, h: &Harness) {
        let alerts = h.all_alerts();
        self.alerts += alerts.len() as u64;
        self.tickets += h.jira.issue_count() as u64;
        for (_, alert) in &alerts {
            match h.jira.count_with_label(&format!("mcas-{}", alert_id(alert))) {
                0 => self.missing += 1,
                n => self.duplicates += n as u64 - 1,
            }
        }
    }

    /// Adds another's figures.
    pub fn add(&mut self, other: &Totals) {
        self.runs += other.runs;
        self.faults += other.faults;
        self.alerts += other.alerts;
        self.tickets += other.tickets;
        self.duplicates += other.duplicates;
        self.missing += other.missing;
    }
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>5} {:>7} {:>7} {:>8} {:>11} {:>8}",
            self.runs, self.faults, self.alerts, self.tickets, self.duplicates, self.missing
        )
    }
}

/// The table's header line, aligned with [`Totals`]' `Display`.
pub const HEADER: &str = " runs  faults  alerts  tickets  duplicates  missing";
