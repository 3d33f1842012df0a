//! Creating issues (one at a time and in bulk), reading and editing them.

#[cfg(feature = "client")]
use std::collections::BTreeMap;
use std::sync::Arc;

use http::StatusCode;
#[cfg(feature = "client")]
use http_support::HttpError;
use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use crate::client::{Body, Bytes, Client, Idempotency, Method};
use crate::{Error, ErrorDetails, IssueId, IssueKey, lenient};
#[cfg(feature = "client")]
use crate::{Issue, IssueUpdate, NewIssue, Result, error::details_or_default};

/// Jira's limit on the issues of one bulk create request.
pub const BULK_CREATE_LIMIT: usize = 50;

/// The answer to a create: the new issue's id, key and API URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedIssue {
    /// The numeric id.
    pub id: IssueId,
    /// The key (`SEC-42`).
    pub key: IssueKey,
    /// The API URL of the issue.
    #[serde(rename = "self", default, deserialize_with = "lenient::null_default")]
    pub self_url: String,
}

/// Why one issue of a bulk create was not created (or may not have been).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum BulkFailure {
    /// Jira refused this issue; the others were not affected.
    #[error("jira refused the issue{}{details}", .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Rejected {
        /// The status Jira gave for this issue.
        status: Option<StatusCode>,
        /// Jira's messages for this issue.
        details: ErrorDetails,
    },
    /// The request carrying this issue failed as a whole (a later chunk of 50; the failure of
    /// the first chunk is returned as the call's error).
    #[error("the bulk request carrying the issue failed")]
    RequestFailed {
        /// The request's error.
        #[source]
        error: Arc<Error>,
    },
    /// Not sent: an earlier request of the same call failed as a whole.
    #[error("not sent: an earlier bulk request failed")]
    NotSent,
    /// Jira's answer did not say what became of this issue; it may have been created.
    #[error("jira's bulk answer did not account for the issue")]
    Unaccounted,
}

impl BulkFailure {
    /// Whether the issue may exist despite the failure, so that it must be looked for (by
    /// label) before it is created again.
    pub fn maybe_created(&self) -> bool {
        match self {
            BulkFailure::RequestFailed { error } => error.outcome_unknown(),
            BulkFailure::Unaccounted => true,
            BulkFailure::Rejected { .. } | BulkFailure::NotSent => false,
        }
    }
}

/// The bulk create answer, on success (`201`) and when every element failed (`400`).
#[cfg(feature = "client")]
#[derive(Debug, Deserialize)]
struct BulkAnswer {
    #[serde(default, deserialize_with = "lenient::null_default")]
    issues: Vec<CreatedIssue>,
    #[serde(default, deserialize_with = "lenient::null_default")]
    errors: Vec<BulkError>,
}

#[cfg(feature = "client")]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BulkError {
    #[serde(default)]
    status: Option<u16>,
    #[serde(default, deserialize_with = "details_or_default")]
    element_errors: ErrorDetails,
    #[serde(default)]
    failed_element_number: Option<usize>,
}

/// Maps a bulk answer back to the positions of the `len` issues sent.
///
/// Jira lists the created issues in the order they were sent, leaving out the failed ones, and
/// names each failed one by its position. When the counts do not add up the created issues
/// cannot be matched to positions, and every position without a reported failure is
/// [`BulkFailure::Unaccounted`].
#[cfg(feature = "client")]
fn map_bulk_answer(answer: BulkAnswer, len: usize) -> Vec<Result<CreatedIssue, BulkFailure>> {
    let mut failed: BTreeMap<usize, BulkFailure> = BTreeMap::new();
    for error in answer.errors {
        if let Some(position) = error.failed_element_number.filter(|&n| n < len) {
            let status = error.status.and_then(|s| StatusCode::from_u16(s).ok());
            failed.entry(position).or_insert(BulkFailure::Rejected { status, details: error.element_errors });
        }
    }
    let succeeded = len - failed.len();
    let mut created = (answer.issues.len() == succeeded).then(|| answer.issues.into_iter());
    (0..len)
        .map(|position| match failed.remove(&position) {
            Some(failure) => Err(failure),
            None => match created.as_mut().and_then(Iterator::next) {
                Some(issue) => Ok(issue),
                None => Err(BulkFailure::Unaccounted),
            },
        })
        .collect()
}

/// The bulk create body, `{"issueUpdates": [...]}`, from the issues' own bodies.
#[cfg(feature = "client")]
fn bulk_body(bodies: &[String]) -> Bytes {
    const START: &str = r#"{"issueUpdates":["#;
    let mut body = String::with_capacity(START.len() + bodies.iter().map(|b| b.len() + 1).sum::<usize>() + 2);
    body.push_str(START);
    for (i, issue) in bodies.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(issue);
    }
    body.push_str("]}");
    Bytes::from(body)
}

#[cfg(feature = "client")]
impl Client {
    /// Creates an issue (`POST /issue`). Not retried once the request may have reached Jira.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use jira_client::{NameOrId, NewIssue, ProjectRef};
    /// let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "Impossible travel")
    ///     .labels(["mcas".parse()?]);
    /// let created = jira.create_issue(&issue).await?;
    /// println!("created {}", created.key);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Status`] with Jira's field errors when it refuses the issue; the transport and
    /// status errors of any call. When [`Error::outcome_unknown`] is true the issue may have
    /// been created.
    pub async fn create_issue(&self, issue: &NewIssue) -> Result<CreatedIssue> {
        let body = Bytes::from(issue.to_request_json(self.deployment()));
        let url = self.api_url(&["issue"])?;
        self.send_json(Idempotency::NonIdempotent, Method::POST, &url, Body::JsonText(body), "create issue")
            .await
    }

    /// Creates many issues with `POST /issue/bulk`, in requests of at most
    /// [`BULK_CREATE_LIMIT`] (50). The answer has one entry per input issue, at its position.
    ///
    /// Jira creates the valid issues of a request even when others fail; each failure is
    /// reported at its position. If the first request fails as a whole its error is returned; if
    /// a later one does, the results so far are kept, its issues get
    /// [`BulkFailure::RequestFailed`] and those after it [`BulkFailure::NotSent`].
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client, drafts: Vec<jira_client::NewIssue>) -> jira_client::Result<()> {
    /// for (draft, result) in drafts.iter().zip(jira.create_issues(&drafts).await?) {
    ///     match result {
    ///         Ok(created) => println!("created {}", created.key),
    ///         Err(failure) => eprintln!("not created: {failure}"),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The first request's error when it fails as a whole.
    pub async fn create_issues(&self, issues: &[NewIssue]) -> Result<Vec<Result<CreatedIssue, BulkFailure>>> {
        let deployment = self.deployment();
        let bodies: Vec<String> = issues.iter().map(|issue| issue.to_request_json(deployment)).collect();
        let url = self.api_url(&["issue", "bulk"])?;
        let mut results = Vec::with_capacity(issues.len());
        let mut chunks = bodies.chunks(BULK_CREATE_LIMIT);
        while let Some(chunk) = chunks.next() {
            match self.create_chunk(&url, chunk).await {
                Ok(mapped) => results.extend(mapped),
                Err(error) if results.is_empty() => return Err(error),
                Err(error) => {
                    let error = Arc::new(error);
                    results.extend(
                        chunk.iter().map(|_| Err(BulkFailure::RequestFailed { error: error.clone() })),
                    );
                    results.extend(chunks.flatten().map(|_| Err(BulkFailure::NotSent)));
                    break;
                }
            }
        }
        Ok(results)
    }

    async fn create_chunk(
        &self,
        url: &url::Url,
        chunk: &[String],
    ) -> Result<Vec<Result<CreatedIssue, BulkFailure>>> {
        let body = bulk_body(chunk);
        let outcome =
            self.send_raw(Idempotency::NonIdempotent, Method::POST, url, Body::JsonText(body)).await?;
        match outcome {
            Ok(response) => {
                let answer: BulkAnswer = self.read_json(response, "bulk create").await?;
                Ok(map_bulk_answer(answer, chunk.len()))
            }
            // Jira answers 400 with the usual bulk document when every element failed.
            Err(HttpError::Status(response)) if response.status == StatusCode::BAD_REQUEST => {
                match serde_json::from_slice::<BulkAnswer>(&response.body) {
                    Ok(answer) if !answer.errors.is_empty() => Ok(map_bulk_answer(answer, chunk.len())),
                    _ => Err(Error::from_response(&response, || format!("POST {}", url.path()))),
                }
            }
            Err(error) => Err(Error::from_http(error, || format!("POST {}", url.path()))),
        }
    }

    /// Reads an issue (`GET /issue/{key}`) with the given fields; an empty list asks for Jira's
    /// default (all fields).
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let key = "SEC-42".parse()?;
    /// let issue = jira.get_issue(&key, &["summary", "status", "labels"]).await?;
    /// println!("{}: {}", issue.key, issue.fields.summary);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] when the issue does not exist or is not visible; the transport,
    /// status and decoding errors of any call.
    pub async fn get_issue(&self, key: &IssueKey, fields: &[&str]) -> Result<Issue> {
        let mut url = self.api_url(&["issue", key.as_str()])?;
        if !fields.is_empty() {
            url.query_pairs_mut().append_pair("fields", &fields.join(","));
        }
        self.get_json(&url, "get issue").await
    }

    /// Edits an issue (`PUT /issue/{key}`): sets fields, adds and removes labels, adds a comment.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use jira_client::IssueUpdate;
    /// let key = "SEC-42".parse()?;
    /// jira.update_issue(&key, &IssueUpdate::default().add_label("triaged".parse()?)).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty update; [`Error::Status`] when Jira refuses a field;
    /// the transport and status errors of any call.
    pub async fn update_issue(&self, key: &IssueKey, update: &IssueUpdate) -> Result<()> {
        if update.is_empty() {
            return Err(Error::invalid("update", "changes nothing"));
        }
        let body = Bytes::from(update.to_request_json(self.deployment()));
        let url = self.api_url(&["issue", key.as_str()])?;
        // Setting fields converges, but a comment would be added twice.
        let idempotency =
            if update.has_comment() { Idempotency::NonIdempotent } else { Idempotency::Idempotent };
        self.send(idempotency, Method::PUT, &url, Body::JsonText(body)).await?;
        Ok(())
    }
}

#[cfg(all(test, feature = "client"))]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn answer(json: Value) -> BulkAnswer {
        serde_json::from_value(json).unwrap()
    }

    fn created(n: u32) -> Value {
        json!({ "id": format!("{n}"), "key": format!("SEC-{n}"), "self": "x" })
    }

    #[track_caller]
    fn check(answer_json: Value, len: usize, expected: &[Option<&str>]) {
        let mapped = map_bulk_answer(answer(answer_json), len);
        let keys: Vec<Option<String>> =
            mapped.iter().map(|r| r.as_ref().ok().map(|c| c.key.to_string())).collect();
        let expected: Vec<Option<String>> = expected.iter().map(|e| e.map(str::to_owned)).collect();
        assert_eq!(keys, expected);
    }

    fn failure(n: usize) -> Value {
        json!({ "status": 400, "failedElementNumber": n, "elementErrors": { "errors": { "summary": "bad" } } })
    }

    #[test]
    fn bulk_positions() {
        check(
            json!({ "issues": [created(1), created(2)], "errors": [] }),
            2,
            &[Some("SEC-1"), Some("SEC-2")],
        );
        check(
            json!({ "issues": [created(1), created(3)], "errors": [failure(1)] }),
            3,
            &[Some("SEC-1"), None, Some("SEC-3")],
        );
        check(json!({ "issues": [], "errors": [failure(0), failure(1)] }), 2, &[None, None]);
        // Counts that do not add up: nothing can be matched.
        check(json!({ "issues": [created(1)], "errors": [] }), 2, &[None, None]);
        // An out-of-range position is ignored.
        check(json!({ "issues": [created(1)], "errors": [failure(7)] }), 1, &[Some("SEC-1")]);
        check(json!({ "issues": null, "errors": null }), 0, &[]);
    }

    #[test]
    fn bulk_failures_say_whether_the_issue_may_exist() {
        let mapped = map_bulk_answer(answer(json!({ "issues": [created(1)], "errors": [] })), 2);
        assert!(mapped.iter().all(|r| r.as_ref().is_err_and(BulkFailure::maybe_created)));
        let mapped = map_bulk_answer(answer(json!({ "errors": [failure(0)] })), 1);
        let failure = mapped[0].as_ref().unwrap_err();
        assert!(!failure.maybe_created());
        assert_eq!(failure.to_string(), "jira refused the issue (HTTP 400 Bad Request): summary: bad");
    }
}
