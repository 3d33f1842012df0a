//! Creating the tickets of one page: in bulk requests of up to 50 where configured, otherwise one
//! request per ticket, with a bounded number in flight either way, each request within the
//! tenant's share of the process's Jira budget.

use futures_util::StreamExt;
use futures_util::stream;
use jiff::Timestamp;
use jira_client::{BULK_CREATE_LIMIT, CreatedIssue, NewIssue};

use super::budget::TenantShare;

/// One create's outcome: the issue and when Jira answered, or why it failed.
pub type Created = Result<(CreatedIssue, Timestamp), String>;

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
                            .map(|r| r.map(|created| (created, answered)).map_err(|e| crate::chain(&e)))
                            .collect()
                    }
                    Err(error) => {
                        let reason = format!("bulk create failed: {}", crate::chain(&error));
                        vec![Err(reason); len]
                    }
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
                let created = jira.create_issue(&issue).await.map_err(|e| crate::chain(&e));
                drop(permit);
                let created = created?;
                Ok((created, Timestamp::now()))
            })
            .buffered(concurrency)
            .collect()
            .await
    }
}
