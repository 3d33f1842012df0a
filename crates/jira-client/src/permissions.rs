//! What the signed-in user may do: `GET /mypermissions`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lenient;
#[cfg(feature = "client")]
use crate::{Client, ProjectRef, Result};

/// One permission of the signed-in user, as `mypermissions` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Permission {
    /// The key (`ADD_COMMENTS`, `TRANSITION_ISSUES`).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub key: String,
    /// The display name (`Add Comments`).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// Whether the user has it (in the project asked about, if one was).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub have_permission: bool,
}

/// The permissions of the signed-in user, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Permissions {
    /// Each permission asked for (older Server versions answer all of them), by key.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub permissions: BTreeMap<String, Permission>,
}

impl Permissions {
    /// Whether the user has the permission `key`; `false` when Jira did not report it.
    pub fn has(&self, key: &str) -> bool {
        self.permissions.get(key).is_some_and(|p| p.have_permission)
    }
}

#[cfg(feature = "client")]
impl Client {
    /// The signed-in user's permissions `keys` (such as `ADD_COMMENTS`, `TRANSITION_ISSUES`),
    /// in `project` when given (`GET /mypermissions?projectKey=..&permissions=..`).
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use jira_client::ProjectRef;
    /// let granted = jira
    ///     .my_permissions(Some(&ProjectRef::key("SEC")), &["ADD_COMMENTS", "TRANSITION_ISSUES"])
    ///     .await?;
    /// println!("may comment: {}", granted.has("ADD_COMMENTS"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::Status`] for an unknown permission key; [`crate::Error::NotFound`] for a
    /// project that does not exist or is not visible; the transport, status and decoding errors
    /// of any call.
    pub async fn my_permissions(&self, project: Option<&ProjectRef>, keys: &[&str]) -> Result<Permissions> {
        let mut url = self.api_url(&["mypermissions"])?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(project) = project {
                let name = match project {
                    ProjectRef::Id(_) => "projectId",
                    _ => "projectKey",
                };
                query.append_pair(name, project.as_str());
            }
            if !keys.is_empty() {
                query.append_pair("permissions", &keys.join(","));
            }
        }
        self.get_json(&url, "my permissions").await
    }
}
