//! The client, its builder, and the one path every request takes.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_support::{ClientOptions, DEFAULT_MAX_BODY, HttpError, Idempotency, Pacer, Redirects, RetryPolicy};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, USER_AGENT};
use reqwest::{Method, RequestBuilder};
use url::Url;

use crate::auth::{Credentials, TokenContext};
use crate::{Auth, Error, Result, error};

/// The documented throttle of the API: 30 requests a minute per tenant.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 30;

/// A client for one Defender for Cloud Apps tenant.
///
/// Cheap to clone (the state is shared behind an `Arc`), so that one tenant's pacing and token
/// cache are shared by every clone. Build one per tenant with [`Client::builder`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base: Url,
    http: reqwest::Client,
    // For the Entra token endpoint: the client secret travels in the form body, which reqwest
    // carries along a 307/308 redirect to any host, so this client follows no redirect.
    token_http: reqwest::Client,
    credentials: Credentials,
    retry: RetryPolicy,
    pacer: Option<Pacer>,
    max_body: usize,
    // Set only when the caller supplied the reqwest client and asked for these: a client this
    // crate builds already carries them.
    timeout: Option<Duration>,
    user_agent: Option<HeaderValue>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("credentials", &self.inner.credentials)
            .field("retry", &self.inner.retry)
            .field("pacing", &self.inner.pacer.as_ref().map(Pacer::interval))
            .field("max_body", &self.inner.max_body)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base: Url,
    auth: Auth,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    requests_per_minute: u32,
    max_body: usize,
}

impl Client {
    /// Starts building a client for the tenant at `base_url`, the portal URL taken whole, e.g.
    /// `https://contoso.us3.portal.cloudappsecurity.com` (any region, or a US Government host),
    /// without the `/api` suffix.
    ///
    /// ```no_run
    /// use mcas_client::{Auth, Client};
    /// use secrecy::SecretString;
    ///
    /// # fn demo() -> mcas_client::Result<()> {
    /// let client = Client::builder(
    ///     "https://contoso.us3.portal.cloudappsecurity.com".parse().unwrap(),
    ///     Auth::token(SecretString::from(std::env::var("MCAS_TOKEN").unwrap_or_default())),
    /// )
    /// .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(base_url: Url, auth: Auth) -> ClientBuilder {
        ClientBuilder {
            base: base_url,
            auth,
            http: None,
            retry: RetryPolicy::default(),
            timeout: None,
            user_agent: None,
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// The tenant's base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// `{base}/api/v1/alerts/{segments…}/`, each segment percent-encoded.
    pub(crate) fn alerts_url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| Error::InvalidInput { reason: "the base URL cannot take a path".to_owned() })?
            .pop_if_empty()
            .extend(["api", "v1", "alerts"])
            .extend(segments)
            // MCAS routes end with a slash.
            .push("");
        Ok(url)
    }

    /// The `Authorization` value an Entra-signed-in client sends now (fetching a token if none is
    /// cached); `None` for a legacy API token.
    pub(crate) async fn entra_authorization(&self) -> Result<Option<HeaderValue>> {
        let inner = &*self.inner;
        if !inner.credentials.is_entra() {
            return Ok(None);
        }
        let context = TokenContext { http: &inner.token_http, retry: &inner.retry, max_body: inner.max_body };
        inner.credentials.header(&context).await.map(Some)
    }

    /// Sends one request to MCAS and reads the success body.
    ///
    /// Every MCAS request goes through here: pacing, retries and `Retry-After` by
    /// `http_support::send`, throttled answers recognised by their body, and with Entra
    /// credentials one more try with a fresh token after a `401` (the cached token may have been
    /// revoked before its announced expiry).
    pub(crate) async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<Bytes> {
        let inner = &*self.inner;
        let context = TokenContext { http: &inner.token_http, retry: &inner.retry, max_body: inner.max_body };
        let mut refreshed = false;
        loop {
            let authorization = inner.credentials.header(&context).await?;
            let build = || {
                let mut request = inner
                    .http
                    .request(method.clone(), url.clone())
                    .header(AUTHORIZATION, authorization.clone())
                    .header(ACCEPT, "application/json");
                if let Some(body) = body {
                    request = request.json(body);
                }
                self.decorate(request)
            };
            // Every MCAS call is idempotent: listing and reading, and closing or marking an alert,
            // which converges to the same state when repeated.
            let sent = http_support::send(
                &inner.retry,
                Idempotency::Idempotent,
                inner.pacer.as_ref(),
                build,
                error::is_throttled,
            )
            .await;
            match sent {
                Ok(response) => {
                    return http_support::read_body(response, inner.max_body).await.map_err(Error::from_http);
                }
                Err(HttpError::Status(response))
                    if response.status == reqwest::StatusCode::UNAUTHORIZED
                        && inner.credentials.is_entra()
                        && !refreshed =>
                {
                    tracing::debug!("access token refused; fetching a new one");
                    inner.credentials.invalidate(&authorization).await;
                    refreshed = true;
                }
                Err(error) => return Err(Error::from_http(error)),
            }
        }
    }

    fn decorate(&self, mut request: RequestBuilder) -> RequestBuilder {
        if let Some(timeout) = self.inner.timeout {
            request = request.timeout(timeout);
        }
        if let Some(user_agent) = &self.inner.user_agent {
            request = request.header(USER_AGENT, user_agent.clone());
        }
        request
    }
}

impl ClientBuilder {
    /// Uses the caller's `reqwest::Client` (to share its connection pool), instead of one built
    /// with [`http_support::ClientOptions`] defaults. With [`Auth::entra`](crate::Auth::entra) it
    /// also asks for tokens, so it should follow no redirects: reqwest would carry the token
    /// request's form body, client secret included, along a 307 or 308 to any host.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the timeout of one request attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the `User-Agent` (default `mcas-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Paces this client's requests to at most `per_minute` a minute, evenly spaced (default
    /// [`DEFAULT_REQUESTS_PER_MINUTE`], the documented per-tenant throttle); `0` turns pacing
    /// off. Clones share the pace, so build one client per tenant and clone it.
    pub fn requests_per_minute(mut self, per_minute: u32) -> Self {
        self.requests_per_minute = per_minute;
        self
    }

    /// Sets the largest answer body read, in bytes (default 16 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the base URL or the Entra authority is plain `http://` to a
    /// host other than loopback, or cannot take a path, or a credential is empty or cannot be
    /// sent in a header; [`Error::HttpClient`] when the HTTP client cannot be built.
    pub fn build(self) -> Result<Client> {
        let mut base = self.base;
        check_scheme(&base, "base URL")?;
        if base.cannot_be_a_base() {
            return Err(Error::InvalidInput { reason: "the base URL cannot take a path".to_owned() });
        }
        base.set_query(None);
        base.set_fragment(None);
        let credentials = Credentials::new(self.auth)?;
        let user_agent_value = match &self.user_agent {
            Some(agent) => Some(HeaderValue::from_str(agent).map_err(|_| Error::InvalidInput {
                reason: "the user agent contains characters not allowed in a header".to_owned(),
            })?),
            None => None,
        };
        let (http, token_http, timeout, user_agent) = match self.http {
            Some(http) => (http.clone(), http, self.timeout, user_agent_value),
            None => {
                let agent = self.user_agent.unwrap_or_else(|| {
                    http_support::user_agent(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                });
                let mut options = ClientOptions::new(agent);
                if let Some(timeout) = self.timeout {
                    options = options.timeout(timeout);
                }
                let http = options.build().map_err(|source| Error::HttpClient { source })?;
                let token_http = options
                    .redirects(Redirects::None)
                    .build()
                    .map_err(|source| Error::HttpClient { source })?;
                (http, token_http, None, None)
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                http,
                token_http,
                credentials,
                retry: self.retry,
                pacer: Pacer::per_minute(self.requests_per_minute),
                max_body: self.max_body,
                timeout,
                user_agent,
            }),
        })
    }
}

/// Refuses URLs that would send credentials in clear text: `https`, or `http` to loopback only
/// (local fakes and tests).
pub(crate) fn check_scheme(url: &Url, what: &str) -> Result<()> {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(Error::InvalidInput {
            reason: format!("the {what} uses plain http to a host that is not loopback; use https"),
        }),
        _ => Err(Error::InvalidInput { reason: format!("the {what} must be an https URL") }),
    }
}
