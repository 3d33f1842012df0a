//! The client, its builder, and the one path every request takes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_support::entra::AccessToken;
use http_support::{ClientOptions, DEFAULT_MAX_BODY, HttpError, Idempotency, Pacer, RetryPolicy};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use reqwest::{Method, RequestBuilder, StatusCode};
use url::Url;

use crate::auth::{AuthKind, Credentials};
use crate::error::from_http;
use crate::{Auth, Error, Result};

/// Microsoft Graph's public-cloud endpoint. National clouds have their own (e.g.
/// `https://graph.microsoft.us` for US Government L4).
pub const DEFAULT_BASE_URL: &str = "https://graph.microsoft.com";

/// The scope a token for Microsoft Graph is requested with (the resource, whatever URL the
/// requests go to).
pub const DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";

/// Graph's documented throttle for security alerts: 150 requests a minute per app per tenant.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 150;

/// The Graph API version the client calls.
pub const API_VERSION: &str = "v1.0";

/// A client of the Graph security alerts API for one tenant.
///
/// Cheap to clone (the state is shared behind an `Arc`), so that one tenant's pacing is shared
/// by every clone: build one per tenant with [`Client::builder`] and clone it.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base: Url,
    alerts: Url,
    http: reqwest::Client,
    credentials: Credentials,
    scope: String,
    retry: RetryPolicy,
    pacer: Option<Pacer>,
    max_body: usize,
    prefer_unknown_members: bool,
    // Set only when the caller supplied the reqwest client and asked for these: a client this
    // crate builds already carries them.
    timeout: Option<Duration>,
    user_agent: Option<HeaderValue>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let mut debug = f.debug_struct("Client");
        debug.field("base_url", &inner.base.as_str());
        match &inner.credentials {
            Credentials::App { app, tenant_id } => debug.field("app", app).field("tenant_id", tenant_id),
            Credentials::Fixed(token) => debug.field("token", token),
        };
        debug
            .field("scope", &inner.scope)
            .field("retry", &inner.retry)
            .field("pacing", &inner.pacer.as_ref().map(Pacer::interval))
            .field("max_body", &inner.max_body)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    auth: Auth,
    base: Option<Url>,
    scope: Option<String>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    requests_per_minute: u32,
    max_body: usize,
    prefer_unknown_members: bool,
}

impl Client {
    /// Starts building a client that authenticates with `auth`, for Graph at
    /// [`DEFAULT_BASE_URL`] unless [`ClientBuilder::base_url`] says otherwise.
    ///
    /// ```no_run
    /// use graph_security_client::{Auth, Client, EntraApp, SecretString};
    ///
    /// # fn demo() -> graph_security_client::Result<()> {
    /// // One application for every customer tenant; one client per tenant.
    /// let app = EntraApp::builder("client-id", SecretString::from("client-secret")).build()?;
    /// let contoso = Client::builder(Auth::app(app.clone(), "0b6e2d4f-8a1c-4e3b-9d5f-7a2c4e6b8d0f")).build()?;
    /// let fabrikam = Client::builder(Auth::app(app, "fabrikam.onmicrosoft.com")).build()?;
    /// # let _ = (contoso, fabrikam);
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(auth: Auth) -> ClientBuilder {
        ClientBuilder {
            auth,
            base: None,
            scope: None,
            http: None,
            retry: RetryPolicy::default(),
            timeout: None,
            user_agent: None,
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            max_body: DEFAULT_MAX_BODY,
            prefer_unknown_members: true,
        }
    }

    /// The Graph endpoint this client calls.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The tenant this client signs in to, with [`Auth::app`].
    pub fn tenant_id(&self) -> Option<&str> {
        match &self.inner.credentials {
            Credentials::App { tenant_id, .. } => Some(tenant_id),
            Credentials::Fixed(_) => None,
        }
    }

    /// `{base}/v1.0/security/alerts_v2/{segments…}`, each segment percent-encoded.
    pub(crate) fn alerts_url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.alerts.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            // `alerts` was built from a base that can take a path, so this always runs.
            path.extend(segments);
        }
        url
    }

    /// Whether `link` may be sent this client's token: the same scheme, host and port as the
    /// configured Graph endpoint.
    pub(crate) fn may_follow(&self, link: &Url) -> bool {
        http_support::same_origin(link, &self.inner.base)
    }

    async fn token(&self) -> Result<AccessToken> {
        let inner = &*self.inner;
        match &inner.credentials {
            Credentials::App { app, tenant_id } => {
                Ok(app.token(tenant_id, &inner.scope, &inner.retry).await?)
            }
            Credentials::Fixed(token) => Ok(token.clone()),
        }
    }

    /// Sends one request to Graph and reads the success body.
    ///
    /// Every request goes through here: pacing, retries and `Retry-After` by
    /// `http_support::send`, and with an Entra app one more try with a fresh token after a `401`
    /// (the cached token may have been revoked before its announced expiry). `required` is the
    /// permission named when Graph answers `403`.
    pub(crate) async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<Bytes>,
        idempotency: Idempotency,
        required: &'static str,
    ) -> Result<Bytes> {
        let inner = &*self.inner;
        let mut refreshed = false;
        loop {
            let token = self.token().await?;
            let build = || {
                let mut request = inner
                    .http
                    .request(method.clone(), url.clone())
                    .header(AUTHORIZATION, token.header().clone())
                    .header(ACCEPT, "application/json");
                if inner.prefer_unknown_members {
                    request = request.header("Prefer", "include-unknown-enum-members");
                }
                if let Some(body) = &body {
                    request = request.header(CONTENT_TYPE, "application/json").body(body.clone());
                }
                self.decorate(request)
            };
            let sent =
                http_support::send(&inner.retry, idempotency, inner.pacer.as_ref(), build, |_| false).await;
            match sent {
                Ok(response) => {
                    return http_support::read_body(response, inner.max_body)
                        .await
                        .map_err(|error| from_http(error, required));
                }
                Err(HttpError::Status(response))
                    if response.status == StatusCode::UNAUTHORIZED && !refreshed =>
                {
                    let Credentials::App { app, tenant_id } = &inner.credentials else {
                        return Err(from_http(HttpError::Status(response), required));
                    };
                    tracing::debug!(tenant_id, "access token refused; fetching a new one");
                    app.invalidate(tenant_id, &inner.scope, &token).await;
                    refreshed = true;
                }
                Err(error) => return Err(from_http(error, required)),
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
    /// Sets the Graph endpoint (default [`DEFAULT_BASE_URL`]), without the API version: a
    /// national cloud, a proxy, or a local fake. The token's scope does not follow it; see
    /// [`ClientBuilder::scope`].
    pub fn base_url(mut self, url: Url) -> Self {
        self.base = Some(url);
        self
    }

    /// Sets the scope tokens are requested with (default [`DEFAULT_SCOPE`];
    /// `https://graph.microsoft.us/.default` for US Government L4).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Uses the caller's `reqwest::Client` for Graph requests (to share its connection pool).
    /// Token requests always use the [`EntraApp`](crate::EntraApp)'s own client, which follows no
    /// redirect.
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

    /// Sets the `User-Agent` (default `graph-security-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Paces this client's requests to at most `per_minute` a minute, evenly spaced (default
    /// [`DEFAULT_REQUESTS_PER_MINUTE`], Graph's documented limit per app per tenant); `0` turns
    /// pacing off. Clones share the pace, so build one client per tenant and clone it.
    pub fn requests_per_minute(mut self, per_minute: u32) -> Self {
        self.requests_per_minute = per_minute;
        self
    }

    /// Sets the largest answer body read, in bytes (default 16 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Whether to send `Prefer: include-unknown-enum-members` (default `true`), so that enum
    /// members Graph added after v1.0 was published (such as `microsoftDefenderForCloud`) come
    /// back by name rather than as `unknownFutureValue`.
    pub fn include_unknown_enum_members(mut self, include: bool) -> Self {
        self.prefer_unknown_members = include;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the base URL is plain `http://` to a host other than
    /// loopback or cannot take a path, the tenant id is not a tenant id, the scope is empty, or
    /// the bearer token or user agent cannot be sent in a header; [`Error::ClientSetup`] when
    /// the HTTP client cannot be built.
    pub fn build(self) -> Result<Client> {
        let invalid = |reason: String| Error::InvalidInput { reason };
        let mut base = match self.base {
            Some(base) => base,
            None => Url::parse(DEFAULT_BASE_URL).map_err(|e| invalid(format!("default base URL: {e}")))?,
        };
        http_support::check_https_or_loopback(&base, "base URL").map_err(invalid)?;
        base.set_query(None);
        base.set_fragment(None);
        let mut alerts = base.clone();
        alerts
            .path_segments_mut()
            .map_err(|()| invalid("the base URL cannot take a path".to_owned()))?
            .pop_if_empty()
            .extend([API_VERSION, "security", "alerts_v2"]);

        let scope = self.scope.unwrap_or_else(|| DEFAULT_SCOPE.to_owned());
        if scope.trim().is_empty() {
            return Err(invalid("the scope is empty".to_owned()));
        }
        let credentials = match self.auth.0 {
            AuthKind::App { app, tenant_id } => {
                http_support::entra::check_tenant_id(&tenant_id)?;
                Credentials::App { app, tenant_id }
            }
            AuthKind::Bearer(token) => Credentials::Fixed(AccessToken::bearer(&token)?),
        };
        let user_agent_value = match &self.user_agent {
            Some(agent) => Some(HeaderValue::from_str(agent).map_err(|_| {
                invalid("the user agent contains characters not allowed in a header".to_owned())
            })?),
            None => None,
        };
        let (http, timeout, user_agent) = match self.http {
            Some(http) => (http, self.timeout, user_agent_value),
            None => {
                let agent = self.user_agent.unwrap_or_else(|| {
                    http_support::user_agent(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                });
                let mut options = ClientOptions::new(agent);
                if let Some(timeout) = self.timeout {
                    options = options.timeout(timeout);
                }
                let http = options.build().map_err(|source| Error::ClientSetup { source: source.into() })?;
                (http, None, None)
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                alerts,
                http,
                credentials,
                scope,
                retry: self.retry,
                pacer: Pacer::per_minute(self.requests_per_minute),
                max_body: self.max_body,
                prefer_unknown_members: self.prefer_unknown_members,
                timeout,
                user_agent,
            }),
        })
    }
}
