//! Creating the tickets of one page: in bulk requests of up to 50 where configured, otherwise one
//! request per ticket, with a bounded number in flight either way, each request within the
//! tenant's share of the process's Jira budget; then acting on each failure as `refusal.rs`
//! judges it: retried next pass, held while Jira refuses the config, or created again without
//! what Jira refused of the alert.

use std::collections::HashMap;
use std::net::IpAddr;

use alert_mapping::{Facts, Mapped, Reputation, TicketDraft};
use futures_util::StreamExt;
use futures_util::stream;
use jiff::Timestamp;
use jira_client::{BULK_CREATE_LIMIT, CreatedIssue, NewIssue};

use super::TenantRun;
use super::page::record;
use super::reduce::{Fallback, plainest_reduction, reduced_issue};
use super::refusal::{CreateError, Keys, Reduction, Sent, Verdict, judge};
use super::source::SourceAlert;
use crate::events::Event;
use crate::preflight::{self, Offers, Problem};
use crate::state::{LeftOut, Origin, PageOutcome};

use super::budget::TenantShare;

/// One create's outcome: the issue and when Jira answered, or why it failed.
pub type Created = Result<(CreatedIssue, Timestamp), CreateError>;

/// Creates `issues`, returning for each, in input order, the created issue with the time Jira
/// answered (its creation time as this tool can know it: within the request's round trip), or
/// why it failed.
///
/// Creating is not idempotent, so nothing here retries a failed create (the shared HTTP crate
/// retries only a `429`, which Jira did not act on). An issue whose fate is unknown (a lost answer)
/// comes back as a failure; its alert is retried next pass, after a label search that finds the
/// ticket if it was created after all.
pub async fn create_all(
    jira: &jira_client::Client,
    budget: &TenantShare,
    issues: Vec<NewIssue>,
    bulk: bool,
    concurrency: usize,
) -> Vec<Created> {
    if issues.is_empty() {
        return Vec::new();
    }
    let concurrency = concurrency.max(1);
    if bulk && issues.len() > 1 {
        let chunks: Vec<Vec<NewIssue>> = issues.chunks(BULK_CREATE_LIMIT).map(<[NewIssue]>::to_vec).collect();
        let mut results: Vec<(usize, Vec<Created>)> = stream::iter(chunks.into_iter().enumerate())
            .map(|(index, chunk)| async move {
                let len = chunk.len();
                let permit = budget.acquire().await;
                let sent = jira.create_issues(&chunk).await;
                drop(permit);
                let outcome = match sent {
                    Ok(per_issue) => {
                        let answered = Timestamp::now();
                        per_issue
                            .into_iter()
                            .map(|r| r.map(|created| (created, answered)).map_err(Into::into))
                            .collect()
                    }
                    Err(error) => vec![Err(CreateError::from(&error)); len],
                };
                (index, outcome)
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        results.sort_by_key(|(index, _)| *index);
        results.into_iter().flat_map(|(_, r)| r).collect()
    } else {
        stream::iter(issues)
            .map(|issue| async move {
                let permit = budget.acquire().await;
                let created = jira.create_issue(&issue).await.map_err(|e| CreateError::from(&e));
                drop(permit);
                let created = created?;
                Ok((created, Timestamp::now()))
            })
            .buffered(concurrency)
            .collect()
            .await
    }
}

/// What the create of one page needs of its alerts.
pub(super) struct ToCreate<'p, A> {
    /// The alerts to ticket.
    pub(super) alerts: &'p [A],
    /// Their facts, in the same order.
    pub(super) facts: &'p [Facts],
    /// The reputations of their IPs.
    pub(super) reputations: &'p HashMap<IpAddr, Reputation>,
}

impl TenantRun<'_> {
    /// Creates the tickets of `drafts` (each with the index of its alert) and records what came
    /// of each in `outcome`.
    pub(super) async fn create_tickets<A: SourceAlert>(
        &mut self,
        page: &ToCreate<'_, A>,
        drafts: Vec<(usize, TicketDraft)>,
        outcome: &mut PageOutcome,
    ) {
        if self.services.gate.refused().is_some() {
            for (index, _) in &drafts {
                self.hold(&page.alerts[*index], outcome);
            }
            return;
        }
        let config = &self.services.config;
        let project = self.services.project();
        let sent: Vec<Sent> =
            drafts.iter().map(|(index, draft)| self.sent(&page.alerts[*index], draft)).collect();
        // The drafts are not needed once they are requests, so they are moved rather than copied.
        let (indices, issues): (Vec<usize>, Vec<_>) = drafts
            .into_iter()
            .map(|(index, draft)| (index, draft.into_new_issue(project.clone(), &config.jira.issue_type)))
            .unzip();
        let results = create_all(
            &self.services.clients.jira,
            &self.budgets.jira,
            issues,
            config.pipeline.bulk_create,
            config.pipeline.create_concurrency,
        )
        .await;
        let mut to_reduce = Vec::new();
        for ((index, sent), result) in indices.into_iter().zip(sent).zip(results) {
            let alert = &page.alerts[index];
            match result {
                Ok((created, answered)) => {
                    self.created(
                        alert,
                        &page.facts[index],
                        page.reputations,
                        &created,
                        answered,
                        &[],
                        outcome,
                    );
                }
                Err(error) => match judge(&error, &sent, &self.keys()) {
                    Verdict::Retry(reason) => {
                        self.fail(alert, outcome, format!("creating the ticket failed: {reason}"));
                    }
                    Verdict::Config(problem, offers) => {
                        self.config_refused(problem, offers).await;
                        self.hold(alert, outcome);
                    }
                    Verdict::Reduce(reduction) => to_reduce.push((index, sent, reduction)),
                },
            }
        }
        // Rare: one at a time.
        for (index, sent, reduction) in to_reduce {
            self.create_reduced(page, index, &sent, reduction, outcome).await;
        }
    }

    /// Creates the ticket of a refused alert again without what Jira refused; if Jira refuses
    /// that as well for no reason of the config's, once more with only a plain summary, a plain
    /// description and the alert's label, which no value of the alert's can spoil. A refusal of
    /// that is the config's (or Jira's own validators'): reported as such.
    async fn create_reduced<A: SourceAlert>(
        &mut self,
        page: &ToCreate<'_, A>,
        index: usize,
        sent: &Sent,
        mut reduction: Reduction,
        outcome: &mut PageOutcome,
    ) {
        let (alert, facts) = (&page.alerts[index], &page.facts[index]);
        let fallback = Fallback::new(&self.tenant.name, alert.id(), &facts.url);
        for plainest in [false, true] {
            if self.services.gate.refused().is_some() {
                self.hold(alert, outcome);
                return;
            }
            // The draft was moved into the first request; mapping again gives the same one.
            let draft = match self.services.mapper.map(facts, page.reputations) {
                Ok(Mapped::Ticket(draft)) => draft,
                _ => {
                    self.fail(alert, outcome, "the alert no longer maps to the ticket Jira refused".into());
                    return;
                }
            };
            let project = self.services.project();
            let issue =
                reduced_issue(draft, &reduction, &fallback, project, &self.services.config.jira.issue_type);
            let permit = self.budgets.jira.acquire().await;
            let created = self.services.clients.jira.create_issue(&issue).await;
            drop(permit);
            let error = match created {
                Ok(created) => {
                    let answered = Timestamp::now();
                    self.created(
                        alert,
                        facts,
                        page.reputations,
                        &created,
                        answered,
                        &reduction.left_out,
                        outcome,
                    );
                    return;
                }
                Err(error) => CreateError::from(&error),
            };
            match judge(&error, sent, &self.keys()) {
                Verdict::Retry(reason) => {
                    self.fail(alert, outcome, format!("creating the reduced ticket failed: {reason}"));
                    return;
                }
                Verdict::Config(problem, offers) => {
                    self.config_refused(problem, offers).await;
                    self.hold(alert, outcome);
                    return;
                }
                Verdict::Reduce(_) if plainest => {
                    let CreateError::Refused { text, .. } = &error else { return };
                    let problem = Problem::new(
                        "jira.issue_type",
                        &self.services.config.jira.issue_type,
                        format!(
                            "Jira refuses even a ticket of a plain summary, a plain description and the alert's \
                             label in {}: {text}",
                            self.services.config.jira.project
                        ),
                    );
                    self.config_refused(problem, Offers::Nothing).await;
                    self.hold(alert, outcome);
                    return;
                }
                Verdict::Reduce(next) => {
                    let reason = match &error {
                        CreateError::Refused { text, .. } => text.clone(),
                        other => format!("{other:?}"),
                    };
                    reduction = plainest_reduction(reduction, next, &reason);
                }
            }
        }
    }

    /// Records a created ticket and reports it (and, when `left_out` is not empty, what it lacks).
    #[allow(clippy::too_many_arguments)]
    fn created<A: SourceAlert>(
        &mut self,
        alert: &A,
        facts: &Facts,
        reputations: &HashMap<IpAddr, Reputation>,
        created: &CreatedIssue,
        answered: Timestamp,
        left_out: &[LeftOut],
        outcome: &mut PageOutcome,
    ) {
        let key = created.key.as_str().to_owned();
        self.summary.created += 1;
        let (tenant, alert_id) = (self.tenant.name.clone(), alert.id().to_owned());
        let (severity, title) = (alert.severity_name().to_owned(), alert.title().to_owned());
        self.sink.emit(Event::TicketCreated {
            tenant: tenant.clone(),
            alert_id: alert_id.clone(),
            severity: severity.clone(),
            title: title.clone(),
            key: key.clone(),
        });
        if !left_out.is_empty() {
            self.summary.degraded += 1;
            let reason = left_out.iter().map(|l| format!("{}: {}", l.name, l.reason)).collect::<Vec<_>>();
            let mut names: Vec<String> = Vec::new();
            for left in left_out {
                if !names.contains(&left.name) {
                    names.push(left.name.clone());
                }
            }
            tracing::warn!(tenant = %tenant, alert = %alert_id, key = %key, "ticket created without {}", names.join(", "));
            self.sink.emit(Event::TicketDegraded {
                tenant,
                alert_id,
                severity,
                title,
                key: key.clone(),
                left_out: names,
                reason: reason.join("; "),
            });
        }
        let mut ticket = record(alert, facts, reputations, key, Origin::Created, (answered, true));
        ticket.degraded = left_out.to_vec();
        outcome.tickets.push(ticket);
    }

    /// Keeps an alert pending without counting an attempt: Jira refuses the config, not the alert.
    pub(super) fn hold<A: SourceAlert>(&mut self, alert: &A, outcome: &mut PageOutcome) {
        self.summary.held += 1;
        let reason = match self.services.gate.refused() {
            Some(problem) => format!("held while Jira refuses the config: {problem}"),
            None => "held while Jira refuses the config".to_owned(),
        };
        tracing::debug!(tenant = %self.tenant.name, alert = %alert.id(), "{reason}");
        outcome.failures.push(self.failure(alert, reason, false));
    }

    /// Stops every create for the config's sake, and reports it if this is the first.
    async fn config_refused(&self, problem: Problem, offers: Offers) {
        if let Some(problem) = self.services.gate.refuse(self.services, problem, offers).await {
            tracing::error!("jira refused the config: {problem}");
            self.sink.emit(problem.event("create"));
        }
    }

    /// What was sent for `alert`, to name the config key behind each field Jira may refuse.
    fn sent<A: SourceAlert>(&self, alert: &A, draft: &TicketDraft) -> Sent {
        let rule = draft.rule.map(|position| position - 1);
        let spec = rule.and_then(|index| self.services.config.rules.specs().get(index));
        Sent {
            rule,
            rule_issue_type: spec.is_some_and(|s| s.issue_type.is_some()),
            rule_priority: spec.is_some_and(|s| s.priority.is_some()),
            issue_type: draft
                .issue_type
                .clone()
                .unwrap_or_else(|| self.services.config.jira.issue_type.clone()),
            priority: draft.priority.clone(),
            components: draft.components.clone(),
            severity: alert.severity_name().to_owned(),
            fields: draft.fields.iter().map(|(id, _)| id.clone()).collect(),
        }
    }

    /// The config keys a verdict names.
    fn keys(&self) -> Keys<'_> {
        let config = &self.services.config;
        Keys {
            project: &config.jira.project,
            auth_key: preflight::auth_key(config),
            user: (preflight::user_key(config), preflight::user_value(config)),
            fields: &self.services.fields,
        }
    }
}
