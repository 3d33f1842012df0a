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
//! - The rest of Jira's API: [`Client::get`], [`Client::post`], [`Client::put`],
//!   [`Client::delete`] reach any endpoint of the site with the same authentication, retries,
//!   error mapping and body cap.
//! - Refusals: [`Error::refusals`] reads Jira's refusal of a create into one [`Refusal`] per
//!   message, by field and [`RefusalKind`] (an invalid project, issue type, component or
//!   priority, a field not on the create screen, a required field, a value too long ...).
//! - Pure helpers: [`richtext`] (ADF and wiki markup), [`jql`] (quoting), [`Label`] (what Jira
//!   accepts as a label), [`sanitize_summary`], [`FieldShape`].
//!
//! All HTTP goes through `http_support::send`: a `429` is retried after the server's
//! `Retry-After`, and writes that are not idempotent (create, comment, attach, transition) are
//! never repeated once they may have reached Jira. Errors are typed ([`Error`]) and carry Jira's
//! `errorMessages` and field `errors` ([`ErrorDetails`]); the error's common variants
//! (`Transport`, `Unauthorized`, `RateLimited`, `Status`, `Decode`, `InvalidInput`, `Paging`...)
//! and its helpers (`status`, `retry_after`, `is_transient`) are the same in `mcas-client` and
//! `abuseipdb-client`.
//!
//! # Features
//!
//! - `client` (default): [`Client`] and its builder, with reqwest. Without it the crate is the
//!   models and request bodies alone ([`Issue`], [`NewIssue`], [`IssueUpdate`], [`Label`],
//!   [`Deployment`], [`FieldShape`], [`richtext`], [`jql`], [`Error`]...), for code that builds
//!   tickets without sending them: no HTTP stack is compiled.
//! - `rustls` (default) or `native-tls`: the TLS backend. Each implies `client`; to use
//!   native-tls, turn the default features off.
//!
//! # Types from other crates
//!
//! The API names few types it does not own: `serde_json::Value`, `jiff::Timestamp`,
//! `url::Url`, `http::StatusCode` (re-exported), `secrecy::SecretString` for credentials, and
//! the family's shared `RetryPolicy` and `TransportError` from `http-support`, which is
//! published in lockstep with this crate. reqwest's types are deliberately absent but one: the
//! builder's `http_client` takes a `reqwest::Client`, so that a caller can share one connection
//! pool between clients. Transport failures carry the opaque `TransportError`, which keeps the
//! underlying error as its source.
//!
//! ```no_run
//! use jira_client::richtext::Document;
//! use jira_client::{Auth, Client, Deployment, Label, NameOrId, NewIssue, ProjectRef};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let url = "https://example.atlassian.net".parse().expect("a valid url");
//! let auth = Auth::basic("secops@example.com", SecretString::from("api-token"));
//! let jira = Client::builder(url, Deployment::Cloud, auth).build()?;
//!
//! let issue = NewIssue::new(ProjectRef::key("SEC"), NameOrId::name("Task"), "Impossible travel: alice")
//!     .description(Document::new().text_paragraph("Sign-ins from two countries within an hour."))
//!     .priority(NameOrId::name("High"))
//!     .labels([Label::new("mcas")?, Label::new("mcas-5f0c1e2d3a4b5c6d7e8f9a0b")?]);
//! let created = jira.create_issue(&issue).await?;
//! println!("created {}", created.key);
//! # Ok(())
//! # }
//! ```

mod attachments;
#[cfg(feature = "client")]
mod auth;
#[cfg(feature = "client")]
mod client;
mod comments;
mod deployment;
mod error;
mod fields;
mod ids;
mod issues;
mod json_text;
mod label;
mod lenient;
mod metadata;
mod models;
mod new_issue;
mod permissions;
#[cfg(feature = "client")]
mod raw;
mod refusal;
mod search;
mod summary;
mod transitions;

pub mod jql;
pub mod richtext;

pub use attachments::Attachment;
#[cfg(feature = "client")]
pub use auth::Auth;
#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder};
pub use comments::Comment;
pub use deployment::Deployment;
pub use error::{Error, ErrorDetails, Result};
pub use fields::{Field, FieldResolver, FieldSchema, FieldShape};
pub use ids::{AttachmentId, CommentId, IssueId, IssueKey, NameOrId, ProjectRef, TransitionId};
pub use issues::{BULK_CREATE_LIMIT, BulkFailure, CreatedIssue};
pub use label::{Label, LabelError, MAX_LABEL_LEN};
pub use metadata::{CreateMeta, FieldMeta};
pub use models::{
    Issue, IssueFields, IssueType, Priority, Project, Resolution, ServerInfo, Status, StatusCategory, User,
};
pub use new_issue::{IssueUpdate, NewIssue};
pub use permissions::{Permission, Permissions};
pub use refusal::{Refusal, RefusalKind};
pub use search::{DEFAULT_SEARCH_FIELDS, PageCursor, SearchPage, SearchQuery};
pub use summary::{SUMMARY_MAX_LEN, jira_len, sanitize_summary};
pub use transitions::Transition;

// Re-exported so that callers name the same versions as this crate's API: the family's shared
// types from http-support (published in lockstep with this crate), and the stable `http` 1.x
// crate's status type.
pub use http::StatusCode;
#[cfg(feature = "client")]
pub use http_support::RetryPolicy;
pub use http_support::TransportError;
/// What the builder's `observer(...)` takes: told of every attempt and wait of the requests.
#[cfg(feature = "client")]
pub use http_support::{Attempt, Idempotency, Observer, Outcome, Wait};

// The README is what crates.io shows, the crate documentation above what docs.rs shows; compiling
// the README's examples with the doctests keeps them from going stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
