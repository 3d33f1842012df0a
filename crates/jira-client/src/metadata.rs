//! Site and project metadata: fields, create metadata (required fields, allowed priorities),
//! priorities, the signed-in user, projects, and the server's self-description.

use serde::{Deserialize, Serialize};
use serde_json::Value;
#[cfg(feature = "client")]
use url::Url;

#[cfg(feature = "client")]
use crate::{
    Auth, Client, Deployment, Error, Field, NameOrId, Project, ProjectRef, Result, ServerInfo, User,
};
use crate::{FieldSchema, IssueType, Priority, lenient};

/// The page size asked of the create metadata endpoints (their maximum).
#[cfg(feature = "client")]
const CREATE_META_PAGE: u32 = 200;

/// What creating an issue of one type in one project takes, from [`Client::create_meta`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CreateMeta {
    /// The issue type.
    pub issue_type: IssueType,
    /// The fields that can be set when creating it.
    pub fields: Vec<FieldMeta>,
}

impl CreateMeta {
    /// The field with this id, if it can be set on create.
    pub fn field(&self, id: &str) -> Option<&FieldMeta> {
        self.fields.iter().find(|f| f.field_id == id)
    }

    /// The fields a create must set: required and without a default value.
    pub fn required_fields(&self) -> impl Iterator<Item = &FieldMeta> {
        self.fields.iter().filter(|f| f.required && !f.has_default_value)
    }

    /// The names of the values a field with a fixed set accepts (components, priorities,
    /// select-list options), in Jira's order; `None` when the field is not on the create screen.
    /// An empty list means the field offers no value at all (a project without components), or
    /// that Jira does not list them (a free-text field).
    ///
    /// ```
    /// # fn demo(meta: &jira_client::CreateMeta) {
    /// match meta.allowed_names("components") {
    ///     Some(names) => println!("components: {}", names.join(", ")),
    ///     None => println!("components cannot be set on create"),
    /// }
    /// # }
    /// ```
    pub fn allowed_names(&self, field_id: &str) -> Option<Vec<String>> {
        let field = self.field(field_id)?;
        let name = |value: &Value| {
            ["name", "value"]
                .iter()
                .find_map(|key| value.get(*key).and_then(Value::as_str))
                .map(str::to_owned)
        };
        Some(field.allowed_values.iter().filter_map(name).collect())
    }

    /// The priorities allowed for this issue type, or `None` when the priority cannot be set
    /// on create (it is not on the create screen).
    pub fn allowed_priorities(&self) -> Option<Vec<Priority>> {
        let field = self.field("priority")?;
        Some(field.allowed_values.iter().filter_map(|v| Priority::deserialize(v).ok()).collect())
    }
}

/// A field as the create metadata describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FieldMeta {
    /// The field id (`priority`, `customfield_10109`).
    pub field_id: String,
    /// The display name.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub name: String,
    /// Whether a create must set it.
    #[serde(default)]
    pub required: bool,
    /// Whether Jira fills it in when a create does not.
    #[serde(default)]
    pub has_default_value: bool,
    /// The type of its values.
    #[serde(default)]
    pub schema: Option<FieldSchema>,
    /// The values it accepts, for fields with a fixed set (priorities, options).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub allowed_values: Vec<Value>,
    /// The operations an edit may use on it (`set`, `add`, `remove`).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub operations: Vec<String>,
}

/// A page of the create metadata endpoints. Cloud calls its items `issueTypes` or `fields`
/// (`results` in newer answers); Data Center calls them `values`. Each is read separately, since
/// an answer may carry more than one of the names.
#[cfg(feature = "client")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound = "T: Deserialize<'de>")]
struct MetaPage<T> {
    #[serde(default)]
    values: Option<Vec<T>>,
    #[serde(default)]
    issue_types: Option<Vec<T>>,
    #[serde(default)]
    fields: Option<Vec<T>>,
    #[serde(default)]
    results: Option<Vec<T>>,
    #[serde(default)]
    total: Option<u64>,
    #[serde(default)]
    is_last: Option<bool>,
}

#[cfg(feature = "client")]
impl<T> MetaPage<T> {
    fn take_items(&mut self) -> Vec<T> {
        [self.values.take(), self.issue_types.take(), self.fields.take(), self.results.take()]
            .into_iter()
            .flatten()
            .find(|items| !items.is_empty())
            .unwrap_or_default()
    }
}

#[cfg(feature = "client")]
impl Client {
    /// All fields of the site, system and custom (`GET /field`); feed them to a
    /// [`crate::FieldResolver`].
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let fields = jira_client::FieldResolver::new(jira.fields().await?);
    /// let alert_url = fields.resolve("Alert URL")?;
    /// println!("{} is {:?}", alert_url.id, alert_url.shape());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The transport, status and decoding errors of any call.
    pub async fn fields(&self) -> Result<Vec<Field>> {
        let url = self.api_url(&["field"])?;
        self.get_json(&url, "list fields").await
    }

    /// What creating an issue of `issue_type` in `project` takes: the fields that can and must
    /// be set, and the allowed priorities
    /// (`GET /issue/createmeta/{project}/issuetypes[/{id}]`, all pages).
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use jira_client::{NameOrId, ProjectRef};
    /// let meta = jira.create_meta(&ProjectRef::key("SEC"), &NameOrId::name("Task")).await?;
    /// for field in meta.required_fields() {
    ///     println!("required: {} ({})", field.name, field.field_id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the available types when the project has no such issue
    /// type; [`Error::NotFound`] for an unknown project; the transport, status and decoding
    /// errors of any call.
    pub async fn create_meta(&self, project: &ProjectRef, issue_type: &NameOrId) -> Result<CreateMeta> {
        let types = self.create_issue_types(project).await?;
        let Some(issue_type) = types.iter().find(|t| issue_type.matches(&t.id, &t.name)).cloned() else {
            let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
            return Err(Error::invalid(
                "issue_type",
                format!(
                    "project {} has no issue type {issue_type} (it has: {})",
                    project.as_str(),
                    names.join(", ")
                ),
            ));
        };
        self.create_meta_of(project, issue_type).await
    }

    /// The issue types the user may create in `project` (`GET
    /// /issue/createmeta/{project}/issuetypes`, every page): the first half of
    /// [`Client::create_meta`], for a caller that checks several issue types of one project and
    /// reads this list once.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use jira_client::ProjectRef;
    /// let project = ProjectRef::key("SEC");
    /// for issue_type in jira.create_issue_types(&project).await? {
    ///     let meta = jira.create_meta_of(&project, issue_type).await?;
    ///     println!("{}: {} fields", meta.issue_type.name, meta.fields.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown project; the transport, status and decoding errors of
    /// any call.
    pub async fn create_issue_types(&self, project: &ProjectRef) -> Result<Vec<IssueType>> {
        self.meta_pages(&["issue", "createmeta", project.as_str(), "issuetypes"], "create metadata").await
    }

    /// The create metadata of one of the issue types [`Client::create_issue_types`] gave (`GET
    /// /issue/createmeta/{project}/issuetypes/{id}`, every page).
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client, task: jira_client::IssueType) -> jira_client::Result<()> {
    /// let meta = jira.create_meta_of(&jira_client::ProjectRef::key("SEC"), task).await?;
    /// println!("{:?}", meta.allowed_names("components"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown project or issue type; the transport, status and
    /// decoding errors of any call.
    pub async fn create_meta_of(&self, project: &ProjectRef, issue_type: IssueType) -> Result<CreateMeta> {
        let fields = self
            .meta_pages(
                &["issue", "createmeta", project.as_str(), "issuetypes", issue_type.id.as_str()],
                "create metadata fields",
            )
            .await?;
        Ok(CreateMeta { issue_type, fields })
    }

    /// Reads every page of a create metadata endpoint.
    async fn meta_pages<T: serde::de::DeserializeOwned>(
        &self,
        segments: &[&str],
        what: &'static str,
    ) -> Result<Vec<T>> {
        let mut all = Vec::new();
        loop {
            let mut url = self.api_url(segments)?;
            url.query_pairs_mut()
                .append_pair("startAt", &all.len().to_string())
                .append_pair("maxResults", &CREATE_META_PAGE.to_string());
            let mut page: MetaPage<T> = self.get_json(&url, what).await?;
            let items = page.take_items();
            let got = items.len();
            all.extend(items);
            let more = match (page.is_last, page.total) {
                (Some(last), _) => !last,
                (None, Some(total)) => (all.len() as u64) < total,
                (None, None) => false,
            };
            // An empty page ends the loop even if the page claims more, rather than looping.
            if !more || got == 0 {
                return Ok(all);
            }
        }
    }

    /// The priorities of the site (`GET /priority`).
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let names: Vec<String> = jira.priorities().await?.into_iter().map(|p| p.name).collect();
    /// println!("{}", names.join(", "));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The transport, status and decoding errors of any call.
    pub async fn priorities(&self) -> Result<Vec<Priority>> {
        let url = self.api_url(&["priority"])?;
        self.get_json(&url, "list priorities").await
    }

    /// The user the client signs in as (`GET /myself`): the cheapest check of the credentials.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// println!("signed in as {}", jira.myself().await?.display_name);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unauthorized`] for bad credentials; the transport, status and decoding errors of
    /// any call.
    pub async fn myself(&self) -> Result<User> {
        let url = self.api_url(&["myself"])?;
        self.get_json(&url, "myself").await
    }

    /// A project, with its issue types (`GET /project/{key}`).
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let project = jira.project(&jira_client::ProjectRef::key("SEC")).await?;
    /// println!("{} has {} issue types", project.name, project.issue_types.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] when the project does not exist or is not visible; the transport,
    /// status and decoding errors of any call.
    pub async fn project(&self, project: &ProjectRef) -> Result<Project> {
        let url = self.api_url(&["project", project.as_str()])?;
        self.get_json(&url, "get project").await
    }

    /// What the site says about itself (`GET /serverInfo`), including its deployment type.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let info = jira.server_info().await?;
    /// println!("{:?} {:?}", info.deployment(), info.version);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The transport, status and decoding errors of any call.
    pub async fn server_info(&self) -> Result<ServerInfo> {
        let url = self.api_url(&["serverInfo"])?;
        self.get_json(&url, "server info").await
    }

    /// Asks the site at `base_url` which deployment it is, with `GET /rest/api/2/serverInfo`
    /// (REST v2 answers on both Cloud and Server/Data Center).
    ///
    /// To detect with a custom HTTP client or retry policy, build a client for
    /// [`Deployment::Server`] and call [`Client::server_info`].
    ///
    /// ```no_run
    /// # async fn demo() -> jira_client::Result<()> {
    /// use jira_client::{Auth, Client};
    /// use secrecy::SecretString;
    /// let url: url::Url = "https://jira.example.com".parse().expect("a valid url");
    /// let auth = Auth::bearer(SecretString::from("personal-access-token"));
    /// let deployment = Client::detect_deployment(url.clone(), auth.clone()).await?;
    /// let jira = Client::builder(url, deployment, auth).build()?;
    /// # let _ = jira;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The errors of [`crate::ClientBuilder::build`] and of [`Client::server_info`].
    pub async fn detect_deployment(base_url: Url, auth: Auth) -> Result<Deployment> {
        let probe = Client::builder(base_url, Deployment::Server, auth).build()?;
        Ok(probe.server_info().await?.deployment())
    }
}
