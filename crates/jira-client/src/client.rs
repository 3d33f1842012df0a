//! The client, its builder, and the request plumbing every operation goes through (URL
//! building, the auth header, `http_support::send`, error mapping, bounded and typed reading of
//! answers).

use std::fmt;
use std::sync::Arc;

// `Bytes`, `Idempotency` and `Method` are what the modules of the calls need besides `Client`
// and `Body`: re-exported here so that each imports them in one line.
pub(crate) use bytes::Bytes;
pub(crate) use http_support::Idempotency;
use http_support::{BaseUrlError, ClientSettings, HttpClient, HttpError, Redirects};
pub(crate) use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{RequestBuilder, Response};
use serde::de::DeserializeOwned;
use url::Url;

use crate::{Auth, Deployment, Error, Result};

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
    http: HttpClient,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Auth`'s own Debug redacts the secret.
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("deployment", &self.inner.deployment)
            .field("auth", &self.inner.auth)
            .field("http", &self.inner.http)
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
    settings: ClientSettings,
    allow_plain_http: bool,
}

impl ClientBuilder {
    http_support::client_settings_setters! { settings; }

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
        match http_support::check_base_url(&base) {
            Err(BaseUrlError::PlainHttp) if self.allow_plain_http => {}
            checked => checked.map_err(|e| Error::invalid("base_url", e.to_string()))?,
        }
        base.set_query(None);
        base.set_fragment(None);
        // Fail now rather than on the first request.
        self.auth.header()?;
        let http = self
            .settings
            .build(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), Redirects::Follow)
            .map_err(Error::from_settings)?;
        Ok(Client { inner: Arc::new(Inner { base, deployment: self.deployment, auth: self.auth, http }) })
    }
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
            settings: ClientSettings::default(),
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
            let mut path =
                url.path_segments_mut().map_err(|()| Error::invalid("base_url", "cannot take a path"))?;
            path.pop_if_empty().extend(["rest", "api", version]).extend(segments);
        }
        Ok(url)
    }

    /// The web link of an issue (`{base}/browse/SEC-42`), for people rather than the API.
    pub fn browse_url(&self, key: &crate::IssueKey) -> Result<Url> {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| Error::invalid("base_url", "cannot take a path"))?
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
        let http = &self.inner.http;
        let build = || {
            let request = http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, auth.clone())
                .header(ACCEPT, "application/json");
            add_body(request, &body)
        };
        Ok(http.send(idempotency, None, build, |_| false).await)
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
        let bytes = self.read_bytes(response).await?;
        serde_json::from_slice(&bytes).map_err(|source| Error::Decode { what, source })
    }

    /// Reads a success answer with the body cap.
    pub(crate) async fn read_bytes(&self, response: Response) -> Result<Bytes> {
        let path = response.url().path().to_owned();
        self.inner.http.read_body(response).await.map_err(|e| Error::from_http(e, || path))
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
        for refused in ["http://jira.example.com", "ftp://jira.example.com", "https://u:p@jira.example.com"] {
            assert!(
                matches!(client(refused), Err(Error::InvalidInput { parameter: "base_url", .. })),
                "{refused}"
            );
        }
        let auth = Auth::basic("me", SecretString::from("s"));
        let allowed = Client::builder("http://jira.internal".parse().unwrap(), Deployment::Server, auth)
            .allow_plain_http(true)
            .build();
        assert!(allowed.is_ok());
    }
}
