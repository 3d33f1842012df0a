//! JQL search, page by page and as a stream, and the approximate count.
//!
//! Cloud searches with `POST /rest/api/3/search/jql`, paged by `nextPageToken` until `isLast`;
//! the older `/rest/api/3/search` answers 410 on Cloud and is never called. Server/Data Center
//! searches with `POST /rest/api/2/search`, paged by `startAt` against `total`.

#[cfg(feature = "client")]
use std::collections::{HashSet, VecDeque};

#[cfg(feature = "client")]
use futures_util::Stream;
#[cfg(feature = "client")]
use serde::Deserialize;
#[cfg(feature = "client")]
use serde_json::{Map, Value, json};

#[cfg(feature = "client")]
use crate::client::{Body, Client, Idempotency, Method};
#[cfg(feature = "client")]
use crate::{Deployment, Error, Result, lenient};
use crate::{Issue, IssueId};

/// The fields a search asks for unless [`SearchQuery::fields`] says otherwise: those typed in
/// [`crate::IssueFields`]. (Cloud's default is the issue id alone.)
pub const DEFAULT_SEARCH_FIELDS: &[&str] =
    &["summary", "labels", "status", "resolution", "created", "updated", "resolutiondate"];

/// Jira's limit on the ids of `reconcileIssues`.
#[cfg(feature = "client")]
const MAX_RECONCILE: usize = 50;

/// A JQL search: the query, the fields to return, the page size.
///
/// ```
/// use jira_client::SearchQuery;
/// let query = SearchQuery::new(r#"project = SEC AND labels = "mcas""#)
///     .fields(["summary", "labels", "customfield_10109"])
///     .max_results(100);
/// assert_eq!(query.jql(), r#"project = SEC AND labels = "mcas""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    jql: String,
    fields: Option<Vec<String>>,
    max_results: Option<u32>,
    reconcile: Vec<IssueId>,
}

impl SearchQuery {
    /// A search for `jql`. Build JQL from untrusted values with [`crate::jql`].
    pub fn new(jql: impl Into<String>) -> Self {
        Self { jql: jql.into(), fields: None, max_results: None, reconcile: Vec::new() }
    }

    /// Sets the fields returned for each issue (default [`DEFAULT_SEARCH_FIELDS`]); `*all` and
    /// `*navigable` work as in Jira.
    #[must_use]
    pub fn fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields = Some(fields.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the page size (Jira's default is 50; it may return fewer than asked).
    #[must_use]
    pub fn max_results(mut self, n: u32) -> Self {
        self.max_results = Some(n);
        self
    }

    /// On Cloud, makes the search see these issues (at most 50) even if the search index has
    /// not caught up with their creation or change yet (read-after-write). Server/Data Center
    /// searches the database directly and needs no such hint; there it is ignored.
    #[must_use]
    pub fn reconcile_issues<I, T>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<IssueId>,
    {
        self.reconcile.extend(ids.into_iter().map(Into::into));
        self
    }

    /// The JQL.
    pub fn jql(&self) -> &str {
        &self.jql
    }

    #[cfg(feature = "client")]
    fn field_list(&self) -> Vec<String> {
        match &self.fields {
            Some(fields) => fields.clone(),
            None => DEFAULT_SEARCH_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    #[cfg(feature = "client")]
    fn reconcile_ids(&self) -> Result<Vec<i64>> {
        if self.reconcile.len() > MAX_RECONCILE {
            return Err(Error::invalid(
                "reconcile",
                format!(
                    "jira reconciles at most {MAX_RECONCILE} issues per search, {} were given",
                    self.reconcile.len()
                ),
            ));
        }
        self.reconcile
            .iter()
            .map(|id| {
                id.as_str()
                    .parse()
                    .map_err(|_| Error::invalid("reconcile", format!("issue id {id:?} is not numeric")))
            })
            .collect()
    }
}

/// Where the next page of a search starts; from [`SearchPage::next`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageCursor(Cursor);

impl PageCursor {
    /// A Cloud `nextPageToken`, such as one saved to resume a search later.
    pub fn token(token: impl Into<String>) -> Self {
        Self(Cursor::Token(token.into()))
    }

    /// A Server/Data Center start position (the index of the first issue of the page).
    pub fn start_at(index: u64) -> Self {
        Self(Cursor::StartAt(index))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Cursor {
    /// Cloud's `nextPageToken`.
    Token(String),
    /// Server/Data Center's `startAt`.
    StartAt(u64),
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SearchPage {
    /// The issues of this page.
    pub issues: Vec<Issue>,
    /// The cursor of the next page, `None` on the last.
    pub next: Option<PageCursor>,
    /// The number of matching issues, when the deployment says (Server/Data Center).
    pub total: Option<u64>,
}

#[cfg(feature = "client")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CloudPage {
    #[serde(default, deserialize_with = "lenient::null_default")]
    issues: Vec<Issue>,
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    is_last: Option<bool>,
}

#[cfg(feature = "client")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerPage {
    #[serde(default, deserialize_with = "lenient::null_default")]
    issues: Vec<Issue>,
    #[serde(default)]
    start_at: Option<u64>,
    #[serde(default)]
    total: Option<u64>,
}

#[cfg(feature = "client")]
#[derive(Deserialize)]
struct Count {
    count: u64,
}

#[cfg(feature = "client")]
impl Client {
    /// Fetches one page of a search: the first with `cursor` `None`, the next with the previous
    /// page's [`SearchPage::next`].
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use jira_client::SearchQuery;
    /// let query = SearchQuery::new("project = SEC ORDER BY created DESC");
    /// let mut cursor = None;
    /// loop {
    ///     let page = jira.search_page(&query, cursor).await?;
    ///     for issue in &page.issues {
    ///         println!("{} {}", issue.key, issue.fields.summary);
    ///     }
    ///     match page.next {
    ///         Some(next) => cursor = Some(next),
    ///         None => break,
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Paging`] for an empty page that claims more results or a page that repeats the
    /// cursor it was asked for; [`Error::Status`] for invalid JQL; [`Error::InvalidInput`] for a
    /// cursor of the other deployment or bad reconcile ids; the transport, status and decoding
    /// errors of any call.
    pub async fn search_page(&self, query: &SearchQuery, cursor: Option<PageCursor>) -> Result<SearchPage> {
        let page = match self.deployment() {
            Deployment::Cloud => self.cloud_page(query, cursor.as_ref()).await?,
            Deployment::Server => self.server_page(query, cursor.as_ref()).await?,
        };
        if page.next.is_some() && page.issues.is_empty() {
            return Err(Error::Paging { reason: "an empty page claims more results".into() });
        }
        if page.next.is_some() && page.next == cursor {
            return Err(Error::Paging { reason: "the next page repeats the one asked for".into() });
        }
        Ok(page)
    }

    async fn cloud_page(&self, query: &SearchQuery, cursor: Option<&PageCursor>) -> Result<SearchPage> {
        let mut body = Map::new();
        body.insert("jql".into(), json!(query.jql));
        body.insert("fields".into(), json!(query.field_list()));
        if let Some(n) = query.max_results {
            body.insert("maxResults".into(), json!(n));
        }
        match cursor {
            None => {}
            Some(PageCursor(Cursor::Token(token))) => {
                body.insert("nextPageToken".into(), json!(token));
            }
            Some(PageCursor(Cursor::StartAt(_))) => {
                return Err(Error::invalid("cursor", "a server page cursor was given to a cloud search"));
            }
        }
        let reconcile = query.reconcile_ids()?;
        if !reconcile.is_empty() {
            body.insert("reconcileIssues".into(), json!(reconcile));
        }
        let body = Value::Object(body);
        let url = self.api_url(&["search", "jql"])?;
        let page: CloudPage = self
            .send_json(Idempotency::Idempotent, Method::POST, &url, Body::Json(&body), "search page")
            .await?;
        let next = match (page.is_last, page.next_page_token) {
            (Some(true), _) => None,
            (_, Some(token)) if !token.is_empty() => Some(PageCursor(Cursor::Token(token))),
            (Some(false), _) => {
                return Err(Error::Paging {
                    reason: "more results follow but no page token was given".into(),
                });
            }
            (None, _) => None,
        };
        Ok(SearchPage { issues: page.issues, next, total: None })
    }

    async fn server_page(&self, query: &SearchQuery, cursor: Option<&PageCursor>) -> Result<SearchPage> {
        let start_at = match cursor {
            None => 0,
            Some(PageCursor(Cursor::StartAt(n))) => *n,
            Some(PageCursor(Cursor::Token(_))) => {
                return Err(Error::invalid("cursor", "a cloud page cursor was given to a server search"));
            }
        };
        let mut body = Map::new();
        body.insert("jql".into(), json!(query.jql));
        body.insert("startAt".into(), json!(start_at));
        if let Some(n) = query.max_results {
            body.insert("maxResults".into(), json!(n));
        }
        body.insert("fields".into(), json!(query.field_list()));
        let body = Value::Object(body);
        let url = self.api_url(&["search"])?;
        let page: ServerPage = self
            .send_json(Idempotency::Idempotent, Method::POST, &url, Body::Json(&body), "search page")
            .await?;
        let start = page.start_at.unwrap_or(start_at);
        let reached = start.saturating_add(page.issues.len() as u64);
        let next = match page.total {
            Some(total) if reached < total => Some(PageCursor(Cursor::StartAt(reached))),
            _ => None,
        };
        Ok(SearchPage { issues: page.issues, next, total: page.total })
    }

    /// Every issue of a search, fetching pages as the stream is read. The stream ends with an
    /// error (and no more items) when a page fails or the paging makes no progress, including a
    /// page token seen before.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use jira_client::SearchQuery;
    /// let mut issues = std::pin::pin!(jira.search(SearchQuery::new("labels = mcas")));
    /// while let Some(issue) = issues.try_next().await? {
    ///     println!("{}", issue.key);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn search(&self, query: SearchQuery) -> impl Stream<Item = Result<Issue>> + Send + 'static {
        let state = SearchState {
            client: self.clone(),
            query,
            buffer: VecDeque::new(),
            pending: Some(None),
            seen: HashSet::new(),
        };
        futures_util::stream::try_unfold(state, |mut state| async move {
            loop {
                if let Some(issue) = state.buffer.pop_front() {
                    return Ok(Some((issue, state)));
                }
                let Some(cursor) = state.pending.take() else {
                    return Ok(None);
                };
                let page = state.client.search_page(&state.query, cursor).await?;
                if let Some(next) = &page.next
                    && !state.seen.insert(next.clone())
                {
                    return Err(Error::Paging { reason: "a page token came back a second time".into() });
                }
                state.pending = page.next.map(Some);
                state.buffer.extend(page.issues);
            }
        })
    }

    /// The number of issues matching `jql`. On Cloud this is
    /// `POST /rest/api/3/search/approximate-count`, which may lag recent changes; on
    /// Server/Data Center it is the exact `total` of a search asking for no issues.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let open = jira.approximate_count("project = SEC AND statusCategory != Done").await?;
    /// println!("about {open} open tickets");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Status`] for invalid JQL; the transport, status and decoding errors of any call.
    pub async fn approximate_count(&self, jql: &str) -> Result<u64> {
        match self.deployment() {
            Deployment::Cloud => {
                let url = self.api_url(&["search", "approximate-count"])?;
                let body = json!({ "jql": jql });
                let count: Count = self
                    .send_json(
                        Idempotency::Idempotent,
                        Method::POST,
                        &url,
                        Body::Json(&body),
                        "approximate count",
                    )
                    .await?;
                Ok(count.count)
            }
            Deployment::Server => {
                let url = self.api_url(&["search"])?;
                let body = json!({ "jql": jql, "startAt": 0, "maxResults": 0, "fields": ["id"] });
                let page: ServerPage = self
                    .send_json(Idempotency::Idempotent, Method::POST, &url, Body::Json(&body), "count")
                    .await?;
                page.total.ok_or_else(|| Error::Paging { reason: "the search answer has no total".into() })
            }
        }
    }
}

#[cfg(feature = "client")]
struct SearchState {
    client: Client,
    query: SearchQuery,
    buffer: VecDeque<Issue>,
    /// The cursor of the page to fetch next: `Some(None)` for the first page, `None` when done.
    pending: Option<Option<PageCursor>>,
    seen: HashSet<PageCursor>,
}
