//! One page of one tenant: known alerts skipped, existing tickets found by label, the rest
//! enriched, mapped, created, and everything recorded in one state transaction.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use alert_mapping::{Facts, Mapped, Reputation, TicketDraft};
use futures_util::TryStreamExt;
use jira_client::{Label, SearchQuery, jql};

use super::TenantRun;
use super::budget::TenantShare;
use super::create::ToCreate;
use super::source::{SourceAlert, SourcePage};
use crate::events::Event;
use crate::state::{Failure, IpScore, Origin, PageOutcome, SkippedAlert, TicketRecord};

/// Where a page comes from, which decides what is new in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PageKind {
    /// The walk from the checkpoint: its newest alert moves the checkpoint.
    Walk,
    /// Alerts retried by id, older than the checkpoint; remembered, so that the walk, if its
    /// window holds one too, leaves it alone.
    Retry,
    /// The reconcile sweep behind the walk's window: only alerts the state store has never seen
    /// (handled or pending) are new, and each is a late alert.
    Sweep,
}

impl TenantRun<'_> {
    /// Handles one page of `kind`. `cleared` are pending alerts to forget (they no longer exist).
    pub(super) async fn handle_page_with<A: SourceAlert>(
        &mut self,
        page: SourcePage<A>,
        kind: PageKind,
        cleared: Vec<String>,
    ) -> Result<(), String> {
        let now = self.now;
        let mut outcome = PageOutcome::new(now);
        outcome.cleared = cleared;
        let newest = page
            .alerts
            .iter()
            .map(SourceAlert::time)
            .chain(page.malformed.iter().filter_map(|m| m.time))
            .max();

        // The sweep re-reads alerts handled long ago: only those the store never saw are new.
        let seen_before = if kind == PageKind::Sweep {
            let ids = page
                .alerts
                .iter()
                .map(|a| a.id())
                .chain(page.malformed.iter().filter_map(|m| m.id.as_deref()));
            self.stored(ids.map(str::to_owned).collect(), true).await?
        } else {
            HashSet::new()
        };
        for malformed in page.malformed {
            if kind == PageKind::Sweep && malformed.id.as_ref().is_none_or(|id| seen_before.contains(id)) {
                continue;
            }
            if let Some(id) = &malformed.id
                && !self.first_meeting(id, kind)
            {
                continue;
            }
            self.summary.seen += 1;
            let reason = format!("unreadable alert: {}", malformed.reason);
            self.summary.failed += 1;
            self.sink.emit(Event::Failed {
                tenant: self.tenant.name.clone(),
                alert_id: malformed.id.clone(),
                severity: None,
                title: None,
                reason: reason.clone(),
            });
            // An alert without a readable id cannot be fetched again by id; it is reported here
            // and read again only if a later pass's window still covers it.
            if let Some(id) = malformed.id {
                outcome.failures.push(Failure {
                    alert_id: id,
                    alert_time: malformed.time.unwrap_or(now),
                    error: reason,
                    next_try: now,
                    severity: None,
                    title: None,
                    attempt: true,
                });
            }
        }

        let alerts: Vec<A> = page
            .alerts
            .into_iter()
            .filter(|a| !seen_before.contains(a.id()))
            .filter(|a| self.first_meeting(a.id(), kind))
            .collect();
        self.summary.seen += alerts.len() as u64;
        let fresh = if kind == PageKind::Sweep {
            self.late(&alerts);
            alerts
        } else {
            let known = self.stored(alerts.iter().map(|a| a.id().to_owned()).collect(), false).await?;
            self.summary.known += known.len() as u64;
            alerts.into_iter().filter(|a| !known.contains(a.id())).collect()
        };
        if !fresh.is_empty() {
            self.ticket(fresh, &mut outcome).await;
        }
        if kind == PageKind::Walk {
            outcome.checkpoint = newest.filter(|newest| self.checkpoint.is_none_or(|at| *newest > at));
        }
        if self.options.dry_run || outcome.is_empty() {
            return Ok(());
        }
        // One write at a time, in page order; this one syncs while the next page is prepared.
        self.written().await?;
        let store = Arc::clone(&self.services.store);
        let tenant = self.tenant.name.clone();
        self.write = Some(tokio::task::spawn_blocking(move || {
            store
                .apply_page(&tenant, &outcome)
                .map_err(|e| format!("state store: could not record the page: {}", crate::chain(&e)))
        }));
        Ok(())
    }

    /// Whether this is the pass's first meeting with the alert: always for the walk and the
    /// sweep (neither repeats an alert, and their windows do not overlap) unless the alert was
    /// retried; retried alerts are remembered.
    fn first_meeting(&mut self, id: &str, kind: PageKind) -> bool {
        match kind {
            PageKind::Retry => self.retried.insert(id.to_owned()),
            PageKind::Walk | PageKind::Sweep => !self.retried.contains(id),
        }
    }

    /// Which of `ids` the state store holds: handled (ticketed or skipped), and, with
    /// `pending_too`, waiting for a retry as well (what the sweep compares MCAS with).
    async fn stored(&self, ids: Vec<String>, pending_too: bool) -> Result<HashSet<String>, String> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let store = Arc::clone(&self.services.store);
        let tenant = self.tenant.name.clone();
        tokio::task::spawn_blocking(move || {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            if pending_too { store.seen_alerts(&tenant, &ids) } else { store.known_alerts(&tenant, &ids) }
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("state store: {}", crate::chain(&e)))
    }

    /// Tickets the alerts the state store does not know.
    async fn ticket<A: SourceAlert>(&mut self, fresh: Vec<A>, outcome: &mut PageOutcome) {
        // Jira refuses the config: nothing can be created, so nothing is asked of Jira or
        // AbuseIPDB either; the alerts wait, and the first pass after the fix handles them (label
        // search included).
        if self.services.gate.refused().is_some() {
            for alert in &fresh {
                self.hold(alert, outcome);
            }
            return;
        }
        let labels: Vec<Label> = fresh.iter().map(SourceAlert::label).collect();
        // The state store cannot prove these alerts new (a crash, a lost answer or a deleted state
        // file may have left their ticket unrecorded), so Jira is asked first, once for the page.
        let existing = match find_existing(&self.services.clients.jira, &self.budgets.jira, &labels).await {
            Ok(existing) => existing,
            Err(reason) => {
                let reason = format!("could not search Jira for existing tickets: {reason}");
                for alert in &fresh {
                    self.fail(alert, outcome, reason.clone());
                }
                return;
            }
        };
        let mut to_create = Vec::with_capacity(fresh.len());
        for (alert, label) in fresh.into_iter().zip(&labels) {
            match existing.get(label.as_str()) {
                Some((key, created)) => {
                    self.summary.already_ticketed += 1;
                    self.sink.emit(Event::AlreadyTicketed {
                        tenant: self.tenant.name.clone(),
                        alert_id: alert.id().to_owned(),
                        severity: alert.severity_name().to_owned(),
                        title: alert.title().to_owned(),
                        key: key.clone(),
                    });
                    let facts = alert.facts(&self.tenant.context);
                    // Jira's own creation time when it gives one; else the time it was found, an
                    // estimate (the ticket is older).
                    let created_at = created.map_or((self.now, false), |at| (at, true));
                    outcome.tickets.push(record(
                        &alert,
                        &facts,
                        &HashMap::new(),
                        key.clone(),
                        Origin::Found,
                        created_at,
                    ));
                }
                None => to_create.push(alert),
            }
        }
        if to_create.is_empty() {
            return;
        }
        // Another tenant may have met a config refusal during the search.
        if self.services.gate.refused().is_some() {
            for alert in &to_create {
                self.hold(alert, outcome);
            }
            return;
        }

        let facts: Vec<Facts> = to_create.iter().map(|a| a.facts(&self.tenant.context)).collect();
        let mut ips = Vec::new();
        let mut seen = HashSet::new();
        for ip in facts.iter().flat_map(Facts::lookup_ips) {
            if seen.insert(ip) {
                ips.push(ip);
            }
        }
        let reputations = self.enricher.reputations(&ips, &self.budgets.abuseipdb).await;

        let mut drafts: Vec<(usize, TicketDraft)> = Vec::with_capacity(to_create.len());
        for (index, (alert, facts)) in to_create.iter().zip(&facts).enumerate() {
            match self.services.mapper.map(facts, &reputations) {
                Ok(Mapped::Ticket(draft)) => drafts.push((index, draft)),
                Ok(Mapped::Skip { rule }) => {
                    self.summary.skipped += 1;
                    self.sink.emit(Event::Skipped {
                        tenant: self.tenant.name.clone(),
                        alert_id: alert.id().to_owned(),
                        severity: alert.severity_name().to_owned(),
                        title: alert.title().to_owned(),
                        rule,
                    });
                    outcome.skipped.push(SkippedAlert {
                        alert_id: alert.id().to_owned(),
                        alert_time: alert.time(),
                        severity: alert.severity_name().to_owned(),
                        title: alert.title().to_owned(),
                        rule: Some(format!("rules[{}]", rule - 1)),
                    });
                }
                Ok(_) => {
                    self.fail(alert, outcome, "the mapping gave an outcome this version does not know".into())
                }
                Err(error) => {
                    self.fail(alert, outcome, format!("cannot map the alert: {}", crate::chain(&error)))
                }
            }
        }

        if self.options.dry_run {
            for (index, draft) in &drafts {
                let alert = &to_create[*index];
                self.summary.would_create += 1;
                self.sink.emit(Event::WouldCreate {
                    tenant: self.tenant.name.clone(),
                    alert_id: alert.id().to_owned(),
                    severity: alert.severity_name().to_owned(),
                    title: alert.title().to_owned(),
                    summary: draft.summary.clone(),
                    priority: draft.priority.clone(),
                    labels: draft.labels.iter().map(Label::to_string).collect(),
                });
            }
            return;
        }

        let page = ToCreate { alerts: &to_create, facts: &facts, reputations: &reputations };
        self.create_tickets(&page, drafts, outcome).await;
    }

    pub(super) fn fail<A: SourceAlert>(&mut self, alert: &A, outcome: &mut PageOutcome, reason: String) {
        self.summary.failed += 1;
        tracing::warn!(tenant = %self.tenant.name, alert = %alert.id(), "{reason}");
        self.sink.emit(Event::Failed {
            tenant: self.tenant.name.clone(),
            alert_id: Some(alert.id().to_owned()),
            severity: Some(alert.severity_name().to_owned()),
            title: Some(alert.title().to_owned()),
            reason: reason.clone(),
        });
        outcome.failures.push(self.failure(alert, reason, true));
    }

    /// The pending record of an alert that failed (or, without `attempt`, was held) now.
    pub(super) fn failure<A: SourceAlert>(&self, alert: &A, error: String, attempt: bool) -> Failure {
        Failure {
            alert_id: alert.id().to_owned(),
            alert_time: alert.time(),
            error,
            next_try: self.now,
            severity: Some(alert.severity_name().to_owned()),
            title: Some(alert.title().to_owned()),
            attempt,
        }
    }
}

/// The key and creation time of the issues carrying any of `labels`, by label: one search (paged
/// if need be) for the whole page.
async fn find_existing(
    jira: &jira_client::Client,
    budget: &TenantShare,
    labels: &[Label],
) -> Result<HashMap<String, (String, Option<jiff::Timestamp>)>, String> {
    let wanted: HashSet<&str> = labels.iter().map(Label::as_str).collect();
    let query = SearchQuery::new(jql::labels_in(labels)).fields(["labels", "created"]).max_results(100);
    // One permit for the search: a page's labels (at most 100) find at most one page of issues
    // but for tickets duplicated by hand.
    let permit = budget.acquire().await;
    let issues: Result<Vec<jira_client::Issue>, _> = jira.search(query).try_collect().await;
    drop(permit);
    let issues = issues.map_err(|e| crate::chain(&e))?;
    let mut found: HashMap<String, (String, Option<jiff::Timestamp>)> = HashMap::new();
    for issue in issues {
        let created = issue.fields.created;
        for label in issue.fields.labels {
            if wanted.contains(label.as_str()) {
                // Two tickets for one alert can only come from outside this tool; the oldest
                // (lowest number) is the alert's ticket.
                let key = issue.key.as_str().to_owned();
                found
                    .entry(label)
                    .and_modify(|(k, at)| {
                        if key_number(&key) < key_number(k) {
                            k.clone_from(&key);
                            *at = created;
                        }
                    })
                    .or_insert((key, created));
            }
        }
    }
    Ok(found)
}

fn key_number(key: &str) -> u64 {
    key.rsplit('-').next().and_then(|n| n.parse().ok()).unwrap_or(u64::MAX)
}

/// The state store's record of an alert's ticket (a whole one: see [`TicketRecord::degraded`]).
pub(super) fn record<A: SourceAlert>(
    alert: &A,
    facts: &Facts,
    reputations: &HashMap<std::net::IpAddr, Reputation>,
    key: String,
    origin: Origin,
    (created_at, created_at_exact): (jiff::Timestamp, bool),
) -> TicketRecord {
    TicketRecord {
        alert_id: alert.id().to_owned(),
        jira_key: key,
        created_at,
        created_at_exact,
        origin,
        severity: alert.severity_name().to_owned(),
        title: alert.title().to_owned(),
        alert_time: alert.time(),
        alert_type: facts.alert_type.clone(),
        policy: facts.policy.clone(),
        users: facts.users.clone(),
        ips: facts
            .ips
            .iter()
            .map(|found| IpScore {
                ip: found.ip,
                score: reputations.get(&found.ip).and_then(Reputation::score),
            })
            .collect(),
        degraded: Vec::new(),
    }
}
