//! A typed async client for Jira Cloud (REST v3, rich text as Atlassian Document Format) and
//! Jira Server/Data Center (REST v2, rich text as wiki markup).
//!
//! One [`Client`] serves both: the [`Deployment`] chosen when it is built (or detected with
//! [`Client::detect_deployment`]) decides the REST version, the search endpoint and how a
//! [`richtext::Document`] is rendered. Callers build issues, comments and queries once.
//!
//! - Issues: [`Client::create_issue`], [`Client::create_issues`] (bulk, in chunks of 50, each
//!   result at its input position), [`Client::get_issue`], [`Client::update_issue`] (fields,
//!   label add/remove), [`Client::add_comment`], [`Client::transitions`] and
//!   [`Client::transition`], [`Client::add_attachment`].
//! - Search: [`Client::search_page`] and the [`Client::search`] stream (Cloud
//!   `/rest/api/3/search/jql` with page tokens, Server/Data Center `/rest/api/2/search` with
//!   `startAt`), [`Client::approximate_count`].
//! - Metadata: [`Client::fields`] with [`FieldResolver`] (display name to id) and
//!   [`FieldShape`] (the value a field takes), [`Client::create_meta`] (required fields, allowed
//!   priorities), [`Client::priorities`], [`Client::myself`], [`Client::project`],
//!   [`Client::server_info`].
//!
//! All HTTP goes through `http_support::send`: a `429` is retried after the server's
//! `Retry-After`, and writes that are not idempotent (create, comment, attach, transition) are
//! never repeated once they may have reached Jira. Errors are typed ([`Error`]) and carry Jira's
//! `errorMessages` and field `errors` ([`ErrorDetails`]).
//!
//! ```no_run
//! use jira_client::richtext::Document;
//! use jira_client::{Auth, Client, Deployment, NameOrId, NewIssue, ProjectRef};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> jira_client::Result<()> {
//! let url = "https://example.atlassian.net".parse().expect("a valid url");
//! let auth = Auth::basic("secops@example.com", SecretString::from("api-token"));
//! let jira = Client::builder(url, Deployment::Cloud, auth).build()?;
//!
//! let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "Impossible travel: alice")
//!     .description(Document::new().text_paragraph("Sign-ins from two countries within an hour."))
//!     .priority(NameOrId::name("High"))
//!     .labels(["mcas", "mcas-5f0c1e2d3a4b5c6d7e8f9a0b"]);
//! let created = jira.create_issue(&issue).await?;
//! println!("created {}", created.key);
//! # Ok(())
//! # }
//! ```

mod attachments;
mod auth;
mod client;
mod comments;
mod error;
mod fields;
mod ids;
mod issues;
mod json_text;
mod lenient;
mod metadata;
mod models;
mod permissions;
mod search;
mod transitions;

pub mod jql;
pub mod richtext;
mod summary;
pub use summary::sanitize_summary;

pub use attachments::Attachment;
pub use auth::Auth;
pub use client::{Client, ClientBuilder, Deployment};
pub use comments::Comment;
pub use error::{Error, ErrorDetails, Result};
pub use fields::{Field, FieldResolver, FieldSchema, FieldShape};
pub use ids::{AttachmentId, CommentId, IssueId, IssueKey, NameOrId, ProjectRef, TransitionId};
pub use issues::{BULK_CREATE_LIMIT, BulkFailure, CreatedIssue, IssueUpdate, NewIssue};
pub use metadata::{CreateMeta, FieldMeta};
pub use models::{
    Issue, IssueFields, IssueType, Priority, Project, Resolution, ServerInfo, Status, StatusCategory, User,
};
pub use permissions::{Permission, Permissions};
pub use search::{DEFAULT_SEARCH_FIELDS, PageCursor, SearchPage, SearchQuery};
pub use transitions::Transition;

// Re-exported so that callers can set a retry policy without depending on http-support.
pub use http_support::RetryPolicy;
