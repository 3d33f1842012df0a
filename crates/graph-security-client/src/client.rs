//! The client, its builder, and the one path every request takes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http_support::entra::AccessToken;
use http_support::{ClientSettings, HttpClient, HttpError, Idempotency, PACING_WINDOW, Pacer, Redirects};
use reqwest::Method;
use url::Url;

use crate::auth::Credentials;
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
    http: HttpClient,
    credentials: Credentials,
    scope: String,
    pacer: Option<Pacer>,
    prefer_unknown_members: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base.as_str())
            .field("credentials", &inner.credentials)
            .field("scope", &inner.scope)
            .field("http", &inner.http)
            .field("pacer", &inner.pacer)
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
    settings: ClientSettings,
    requests_per_minute: u32,
    pacing_window: Duration,
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
            settings: ClientSettings::default(),
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            pacing_window: PACING_WINDOW,
            prefer_unknown_members: true,
        }
    }

    /// The Graph endpoint this client calls.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The pacer every request of this client (and of its clones) waits for; `None` when pacing
    /// is off. A program that runs again soon after itself (from cron) keeps its
    /// [`recent`](Pacer::recent) starts and [`seed`](Pacer::seed)s the next run's pacer with
    /// them, so that the tenant's window holds across runs:
    ///
    /// ```no_run
    /// use graph_security_client::{Auth, Client, EntraApp, SecretString};
    ///
    /// # fn demo(saved: Vec<std::time::SystemTime>) -> graph_security_client::Result<()> {
    /// let app = EntraApp::builder("client-id", SecretString::from("client-secret")).build()?;
    /// let client = Client::builder(Auth::app(app, "contoso.onmicrosoft.com")).build()?;
    /// if let Some(pacer) = client.pacer() {
    ///     pacer.seed(&saved); // the starts the previous run kept
    ///     // ... the run's requests ...
    ///     let keep = pacer.recent(); // for the next run
    ///     # let _ = keep;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn pacer(&self) -> Option<&Pacer> {
        self.inner.pacer.as_ref()
    }

    /// The tenant this client signs in to, with [`Auth::app`].
    pub fn tenant_id(&self) -> Option<&str> {
        self.inner.credentials.tenant_id()
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
        let base = &self.inner.base;
        link.scheme() == base.scheme()
            && link.host() == base.host()
            && link.port_or_known_default() == base.port_or_known_default()
    }

    /// The access token to send now: the app's cached one for this tenant, or a new one.
    pub(crate) async fn token(&self) -> Result<AccessToken> {
        let inner = &*self.inner;
        inner.credentials.token(&inner.scope, inner.http.retry_policy()).await
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
                match &body {
                    Some(body) => request.header(CONTENT_TYPE, "application/json").body(body.clone()),
                    None => request,
                }
            };
            let sent = inner.http.send(idempotency, inner.pacer.as_ref(), build, |_| false).await;
            match sent {
                Ok(response) => {
                    return inner.http.read_body(response).await.map_err(|e| Error::from_http(e, required));
                }
                Err(HttpError::Status(response))
                    if response.status == StatusCode::UNAUTHORIZED
                        && inner.credentials.refreshes()
                        && !refreshed =>
                {
                    tracing::debug!(tenant_id = self.tenant_id(), "access token refused; fetching a new one");
                    inner.credentials.invalidate(&inner.scope, &token).await;
                    refreshed = true;
                }
                Err(error) => return Err(Error::from_http(error, required)),
            }
        }
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

    http_support::client_settings_setters! { settings;
        /// It carries the Graph requests only: token requests always go through the
        /// [`EntraApp`](crate::EntraApp)'s own client, which follows no redirect (the client
        /// secret travels in their body). The retry policy governs both.
    }

    /// Paces this client's requests: at most `per_minute` of them start in any rolling
    /// [`pacing_window`](Self::pacing_window) (default [`DEFAULT_REQUESTS_PER_MINUTE`], Graph's
    /// documented limit per app per tenant); `0` turns pacing off. Clones share the pacer, so
    /// build one client per tenant and clone it.
    pub fn requests_per_minute(mut self, per_minute: u32) -> Self {
        self.requests_per_minute = per_minute;
        self
    }

    /// Sets the rolling window [`requests_per_minute`](Self::requests_per_minute) counts in
    /// (default [`PACING_WINDOW`], 62 s: the service's minute and a margin for the jitter
    /// between a request's start and its arrival).
    pub fn pacing_window(mut self, window: Duration) -> Self {
        self.pacing_window = window;
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
    /// [`Error::InvalidInput`] when the base URL is not `https://` (nor `http://` to loopback),
    /// holds a user or password, or cannot take a path, the tenant id is not a tenant id, the
    /// scope is empty, or the bearer token or user agent cannot be sent in a header;
    /// [`Error::ClientSetup`] when the HTTP client cannot be built.
    pub fn build(self) -> Result<Client> {
        let mut base = match self.base {
            Some(base) => base,
            None => Url::parse(DEFAULT_BASE_URL).map_err(|e| Error::invalid("base_url", e.to_string()))?,
        };
        http_support::check_base_url(&base).map_err(|e| Error::invalid("base_url", e.to_string()))?;
        base.set_query(None);
        base.set_fragment(None);
        let mut alerts = base.clone();
        alerts
            .path_segments_mut()
            .map_err(|()| Error::invalid("base_url", "cannot take a path"))?
            .pop_if_empty()
            .extend([API_VERSION, "security", "alerts_v2"]);

        let scope = self.scope.unwrap_or_else(|| DEFAULT_SCOPE.to_owned());
        if scope.trim().is_empty() {
            return Err(Error::invalid("scope", "empty"));
        }
        let credentials = Credentials::new(self.auth)?;
        let (name, version) = (env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
        // Graph requests carry only the bearer token, which reqwest drops on a redirect to
        // another host; the client secret never travels on this client.
        let http = self.settings.build(name, version, Redirects::Follow).map_err(Error::from_settings)?;
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                alerts,
                http,
                credentials,
                scope,
                pacer: Pacer::new(self.requests_per_minute, self.pacing_window),
                prefer_unknown_members: self.prefer_unknown_members,
            }),
        })
    }
}
