//! Response models shared by several endpoints: issues and their common fields, statuses, users,
//! projects, priorities, the server's self-description.
//!
//! All are tolerant: unknown fields are ignored (or kept in a map where callers may need them),
//! missing and `null` values become `None` or empty.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::lenient;
use crate::{Deployment, IssueId, IssueKey};

/// An issue, as `get_issue` and search return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Issue {
    /// The numeric id.
    pub id: IssueId,
    /// The key (`SEC-42`).
    pub key: IssueKey,
    /// The API URL of the issue.
    #[serde(rename = "self", default, deserialize_with = "lenient::opt_string")]
    pub self_url: Option<String>,
    /// The fields that were asked for.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub fields: IssueFields,
}

/// The fields of an [`Issue`]: the common ones typed, every other one (custom fields among them)
/// kept as JSON in [`IssueFields::other`].
///
/// A field that was not requested is empty or `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IssueFields {
    /// The summary.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub summary: String,
    /// The labels.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub labels: Vec<String>,
    /// The workflow status.
    #[serde(default)]
    pub status: Option<Status>,
    /// The resolution, `None` while the issue is unresolved.
    #[serde(default)]
    pub resolution: Option<Resolution>,
    /// When the issue was created.
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub created: Option<Timestamp>,
    /// When the issue last changed.
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub updated: Option<Timestamp>,
    /// When the issue was resolved.
    #[serde(rename = "resolutiondate", default, deserialize_with = "lenient::timestamp")]
    pub resolution_date: Option<Timestamp>,
    /// Every other field returned, by field id (`customfield_10109`, `description`, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A workflow status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Status {
    /// The status id.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub id: Option<String>,
    /// The status name (`"In Progress"`).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub name: String,
    /// The category, which is stable across workflows: `new`, `indeterminate`, `done`.
    #[serde(default)]
    pub status_category: Option<StatusCategory>,
}

/// A status category: the workflow-independent state of an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusCategory {
    /// The key: `new` (to do), `indeterminate` (in progress), `done`; unknown keys are kept.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub key: String,
    /// The display name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
}

impl StatusCategory {
    /// Whether the category is "done".
    pub fn is_done(&self) -> bool {
        self.key == "done"
    }
}

/// An issue's resolution (`"Done"`, `"Won't Do"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resolution {
    /// The resolution id.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub id: Option<String>,
    /// The resolution name.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub name: String,
}

/// A user: on Cloud identified by `account_id`, on Server/Data Center by `name` and `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The Cloud account id.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub account_id: Option<String>,
    /// The Server/Data Center user name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// The Server/Data Center user key.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub key: Option<String>,
    /// The display name.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub display_name: String,
    /// The email address, when the user's privacy settings show it.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub email_address: Option<String>,
    /// Whether the account is active.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Project {
    /// The numeric id.
    #[serde(deserialize_with = "lenient::string_or_number")]
    pub id: String,
    /// The key (`SEC`).
    pub key: String,
    /// The name.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub name: String,
    /// The issue types of the project.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub issue_types: Vec<IssueType>,
}

/// An issue type (`Task`, `Bug`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IssueType {
    /// The id.
    #[serde(deserialize_with = "lenient::string_or_number")]
    pub id: String,
    /// The name.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub name: String,
    /// Whether it is a sub-task type.
    #[serde(default)]
    pub subtask: bool,
}

/// A priority (`High`, `Lowest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Priority {
    /// The id.
    #[serde(deserialize_with = "lenient::string_or_number")]
    pub id: String,
    /// The name.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub name: String,
    /// Whether it is the default priority (Cloud only).
    #[serde(default)]
    pub is_default: Option<bool>,
}

/// What `GET /serverInfo` says about the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServerInfo {
    /// The site's base URL.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub base_url: Option<String>,
    /// The version (`"9.12.2"`, or Cloud's `"1001.0.0-SNAPSHOT"`).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub version: Option<String>,
    /// The version as numbers.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub version_numbers: Vec<u32>,
    /// `"Cloud"` or `"Server"` (Data Center also says `"Server"`).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub deployment_type: Option<String>,
    /// The site's title.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub server_title: Option<String>,
}

impl ServerInfo {
    /// The deployment the site reports; see [`Deployment::from_deployment_type`].
    pub fn deployment(&self) -> Deployment {
        Deployment::from_deployment_type(self.deployment_type.as_deref())
    }
}
