//! The client, its builder, the deployment choice, and the request plumbing every operation
//! goes through (URL building, the auth header, [`http_support::send`], error mapping, bounded
//! and typed reading of answers).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use http_support::{ClientOptions, DEFAULT_MAX_BODY, HttpError, Idempotency, RetryPolicy};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::{Auth, Error, Result};

/// Which kind of Jira the client talks to; it decides the REST version and the rich-text format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Deployment {
    /// Jira Cloud: REST `/rest/api/3`, rich text as Atlassian Document Format (ADF).
    Cloud,
    /// Jira Server or Data Center: REST `/rest/api/2`, rich text as wiki markup.
    #[serde(alias = "datacenter", alias = "data-center", alias = "dc")]
    Server,
}

impl Deployment {
    /// The REST API version this deployment is used with: `"3"` or `"2"`.
    pub fn api_version(self) -> &'static str {
        match self {
            Deployment::Cloud => "3",
            Deployment::Server => "2",
        }
    }

    /// The deployment named by `serverInfo`'s `deploymentType` (`"Cloud"`, `"Server"`; Data
    /// Center also says `"Server"`). Anything but `Cloud` is taken as Server/Data Center, whose
    /// REST v2 is the older and more widely available API.
    pub fn from_deployment_type(deployment_type: Option<&str>) -> Self {
        match deployment_type {
            Some(t) if t.eq_ignore_ascii_case("cloud") => Deployment::Cloud,
            _ => Deployment::Server,
        }
    }
}

impl fmt::Display for Deployment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Deployment::Cloud => "cloud",
            Deployment::Server => "server",
        })
    }
}

impl FromStr for Deployment {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cloud" => Ok(Deployment::Cloud),
            "server" | "datacenter" | "data-center" | "dc" => Ok(Deployment::Server),
            _ => Err(Error::InvalidInput(format!(
                "{s:?} is not a jira deployment: use \"cloud\" or \"server\""
            ))),
        }
    }
}

/// A Jira REST client. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// use jira_client::{Auth, Client, Deployment};
/// use secrecy::SecretString;
///
/// # async fn demo() -> jira_client::Result<()> {
/// let url = "https://example.atlassian.net".parse().expect("a valid url");
/// let auth = Auth::basic("secops@example.com", SecretString::from("api-token"));
/// let jira = Client::builder(url, Deployment::Cloud, auth).build()?;
/// let me = jira.myself().await?;
/// println!("signed in as {}", me.display_name);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base: Url,
    deployment: Deployment,
    auth: Auth,
    http: reqwest::Client,
    policy: RetryPolicy,
    timeout: Option<Duration>,
    user_agent: Option<HeaderValue>,
    max_body: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Auth`'s own Debug redacts the secret.
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("deployment", &self.inner.deployment)
            .field("auth", &self.inner.auth)
            .field("retry_policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; from [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base: Url,
    deployment: Deployment,
    auth: Auth,
    http: Option<reqwest::Client>,
    policy: RetryPolicy,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    max_body: usize,
    allow_plain_http: bool,
}

impl ClientBuilder {
    /// Uses the caller's `reqwest::Client` (to share a connection pool or set proxies) instead
    /// of building one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Sets the retry policy (default: [`RetryPolicy::default`]). Creating issues, comments and
    /// attachments is never repeated after the request may have reached Jira.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the timeout of one request attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the `User-Agent` (default `jira-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sets the largest answer read, in bytes (default [`DEFAULT_MAX_BODY`], 16 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Allows a plain `http://` URL to a host that is not a loopback address. Off by default:
    /// the credentials would cross the network in clear.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// - [`Error::InvalidInput`] for a URL that is not `https` (nor `http` to a loopback host,
    ///   unless allowed), that carries credentials, or credentials unusable in a header;
    /// - [`Error::ClientSetup`] when the HTTP client cannot be built.
    pub fn build(self) -> Result<Client> {
        let mut base = self.base;
        check_base_url(&base, self.allow_plain_http)?;
        base.set_query(None);
        base.set_fragment(None);
        // Fail now rather than on the first request.
        self.auth.header()?;
        let user_agent = match &self.user_agent {
            Some(ua) => Some(
                HeaderValue::from_str(ua)
                    .map_err(|_| Error::InvalidInput(format!("{ua:?} is not a valid user agent")))?,
            ),
            None => None,
        };
        let http = match self.http {
            Some(http) => http,
            None => {
                let ua = self.user_agent.unwrap_or_else(|| {
                    http_support::user_agent(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                });
                let mut options = ClientOptions::new(ua);
                if let Some(timeout) = self.timeout {
                    options = options.timeout(timeout);
                }
                options.build().map_err(Error::ClientSetup)?
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                deployment: self.deployment,
                auth: self.auth,
                http,
                policy: self.policy,
                timeout: self.timeout,
                user_agent,
                max_body: self.max_body,
            }),
        })
    }
}

fn check_base_url(base: &Url, allow_plain_http: bool) -> Result<()> {
    let loopback = match base.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match base.scheme() {
        "https" => {}
        "http" if loopback || allow_plain_http => {}
        "http" => {
            return Err(Error::InvalidInput(format!(
                "refusing plain http to {}: use https (http is allowed to loopback addresses only)",
                base.host_str().unwrap_or_default()
            )));
        }
        other => return Err(Error::InvalidInput(format!("{other:?} is not an http(s) url scheme"))),
    }
    if base.host().is_none() || base.cannot_be_a_base() {
        return Err(Error::InvalidInput("the jira url has no host".into()));
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(Error::InvalidInput("the jira url must not contain credentials: use Auth".into()));
    }
    Ok(())
}

/// What a request carries besides the URL.
pub(crate) enum Body<'a> {
    /// Nothing.
    Empty,
    /// A JSON document.
    Json(&'a serde_json::Value),
    /// JSON already written as text, sent as it is (`Content-Type: application/json`). `Bytes`,
    /// so that every attempt sends the same buffer without copying it.
    JsonText(bytes::Bytes),
    /// A multipart form, sent with `X-Atlassian-Token: no-check`; the function is called once per
    /// attempt, since a form is consumed by sending it.
    Multipart(&'a (dyn Fn() -> reqwest::multipart::Form + Send + Sync)),
}

impl Client {
    /// Starts building a client for the Jira at `base_url` (`https://example.atlassian.net`,
    /// or a Data Center URL with its context path, `https://jira.example.com/jira`).
    pub fn builder(base_url: Url, deployment: Deployment, auth: Auth) -> ClientBuilder {
        ClientBuilder {
            base: base_url,
            deployment,
            auth,
            http: None,
            policy: RetryPolicy::default(),
            timeout: None,
            user_agent: None,
            max_body: DEFAULT_MAX_BODY,
            allow_plain_http: false,
        }
    }

    /// The deployment this client was built for.
    pub fn deployment(&self) -> Deployment {
        self.inner.deployment
    }

    /// The base URL of the Jira site.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The URL of an endpoint of this deployment's REST API: `rest/api/{2|3}/` and `segments`,
    /// each segment percent-encoded so that no value (an issue key) can change the path.
    pub(crate) fn api_url(&self, segments: &[&str]) -> Result<Url> {
        self.url_for(self.inner.deployment.api_version(), segments)
    }

    pub(crate) fn url_for(&self, version: &str, segments: &[&str]) -> Result<Url> {
        let mut url = self.inner.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| Error::InvalidInput("the jira url cannot take a path".into()))?;
            path.pop_if_empty().extend(["rest", "api", version]).extend(segments);
        }
        Ok(url)
    }

    /// The web link of an issue (`{base}/browse/SEC-42`), for people rather than the API.
    pub fn browse_url(&self, key: &crate::IssueKey) -> Result<Url> {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| Error::InvalidInput("the jira url cannot take a path".into()))?
            .pop_if_empty()
            .extend(["browse", key.as_str()]);
        Ok(url)
    }

    /// Sends a request through the shared retry loop and returns the raw outcome, for callers
    /// that read an error answer themselves (bulk create).
    pub(crate) async fn send_raw(
        &self,
        idempotency: Idempotency,
        method: Method,
        url: &Url,
        body: Body<'_>,
    ) -> Result<std::result::Result<Response, HttpError>> {
        let auth = self.inner.auth.header()?;
        let build = || {
            let mut request = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, auth.clone())
                .header(ACCEPT, "application/json");
            if let Some(ua) = &self.inner.user_agent {
                request = request.header(USER_AGENT, ua.clone());
            }
            if let Some(timeout) = self.inner.timeout {
                request = request.timeout(timeout);
            }
            add_body(request, &body)
        };
        Ok(http_support::send(&self.inner.policy, idempotency, None, build, |_| false).await)
    }

    /// Sends a request and maps a failure to [`Error`].
    pub(crate) async fn send(
        &self,
        idempotency: Idempotency,
        method: Method,
        url: &Url,
        body: Body<'_>,
    ) -> Result<Response> {
        let endpoint = || format!("{method} {}", url.path());
        match self.send_raw(idempotency, method.clone(), url, body).await? {
            Ok(response) => Ok(response),
            Err(error) => Err(Error::from_http(error, endpoint)),
        }
    }

    /// Sends a request and decodes its JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        idempotency: Idempotency,
        method: Method,
        url: &Url,
        body: Body<'_>,
        what: &'static str,
    ) -> Result<T> {
        let response = self.send(idempotency, method, url, body).await?;
        self.read_json(response, what).await
    }

    /// `GET` an endpoint of this deployment's API and decode the answer.
    pub(crate) async fn get_json<T: DeserializeOwned>(&self, url: &Url, what: &'static str) -> Result<T> {
        self.send_json(Idempotency::Idempotent, Method::GET, url, Body::Empty, what).await
    }

    /// Reads a success answer with the body cap and decodes it.
    pub(crate) async fn read_json<T: DeserializeOwned>(
        &self,
        response: Response,
        what: &'static str,
    ) -> Result<T> {
        let path = response.url().path().to_owned();
        let bytes = http_support::read_body(response, self.inner.max_body)
            .await
            .map_err(|e| Error::from_http(e, || path))?;
        serde_json::from_slice(&bytes).map_err(|source| Error::Decode { what, source })
    }
}

fn add_body(request: RequestBuilder, body: &Body<'_>) -> RequestBuilder {
    match body {
        Body::Empty => request,
        Body::Json(value) => request.json(value),
        Body::JsonText(text) => {
            request.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(text.clone())
        }
        // Jira refuses multipart requests without this header, its guard against cross-site
        // form posts; attachments are the only multipart requests.
        Body::Multipart(form) => request.header("X-Atlassian-Token", "no-check").multipart(form()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn client(url: &str) -> Result<Client> {
        let auth = Auth::basic("me", SecretString::from("s"));
        Client::builder(url.parse().unwrap(), Deployment::Cloud, auth).build()
    }

    #[track_caller]
    fn check_url(base: &str, segments: &[&str], expected: &str) {
        assert_eq!(client(base).unwrap().api_url(segments).unwrap().as_str(), expected);
    }

    #[test]
    fn urls_keep_the_context_path_and_encode_segments() {
        check_url("https://x.atlassian.net", &["issue"], "https://x.atlassian.net/rest/api/3/issue");
        check_url("https://j.example.com/jira/", &["field"], "https://j.example.com/jira/rest/api/3/field");
        check_url(
            "https://j.example.com/jira?x=1#f",
            &["field"],
            "https://j.example.com/jira/rest/api/3/field",
        );
        check_url(
            "https://x.net",
            &["issue", "../../admin"],
            "https://x.net/rest/api/3/issue/..%2F..%2Fadmin",
        );
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(client("http://127.0.0.1:8080").is_ok());
        assert!(client("http://[::1]:8080").is_ok());
        assert!(client("http://localhost").is_ok());
        assert!(matches!(client("http://jira.example.com"), Err(Error::InvalidInput(_))));
        assert!(matches!(client("ftp://jira.example.com"), Err(Error::InvalidInput(_))));
        assert!(matches!(client("https://u:p@jira.example.com"), Err(Error::InvalidInput(_))));
        let auth = Auth::basic("me", SecretString::from("s"));
        let allowed = Client::builder("http://jira.internal".parse().unwrap(), Deployment::Server, auth)
            .allow_plain_http(true)
            .build();
        assert!(allowed.is_ok());
    }

    #[test]
    fn deployment_names() {
        assert_eq!("Cloud".parse::<Deployment>().unwrap(), Deployment::Cloud);
        assert_eq!("datacenter".parse::<Deployment>().unwrap(), Deployment::Server);
        assert!("jira".parse::<Deployment>().is_err());
        assert_eq!(Deployment::from_deployment_type(Some("Cloud")), Deployment::Cloud);
        assert_eq!(Deployment::from_deployment_type(Some("Server")), Deployment::Server);
        assert_eq!(Deployment::from_deployment_type(None), Deployment::Server);
    }
}
