//! The client, its builder, and the one path every request takes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_support::{ClientSettings, HttpClient, HttpError, Idempotency, PACING_WINDOW, Pacer, Redirects};
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION};
use url::Url;

use crate::auth::{Authorization, Credentials};
use crate::{Auth, DEFAULT_SCOPE, Error, Result, error};

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
    http: HttpClient,
    // With Entra credentials, the `EntraApp` asks for tokens through its own client, which
    // follows no redirect: the client secret travels in the token request's form body.
    credentials: Credentials,
    pacer: Option<Pacer>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("credentials", &self.inner.credentials)
            .field("http", &self.inner.http)
            .field("pacer", &self.inner.pacer)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base: Url,
    auth: Auth,
    settings: ClientSettings,
    scope: String,
    requests_per_minute: u32,
    pacing_window: Duration,
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
            settings: ClientSettings::default(),
            scope: DEFAULT_SCOPE.to_owned(),
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            pacing_window: PACING_WINDOW,
        }
    }

    /// The tenant's base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The pacer every request of this client (and of its clones) waits for; `None` when pacing
    /// is off. A program that runs again soon after itself (from cron) keeps its
    /// [`recent`](Pacer::recent) starts and [`seed`](Pacer::seed)s the next run's pacer with
    /// them, so that the tenant's window holds across runs:
    ///
    /// ```no_run
    /// use mcas_client::{Auth, Client};
    /// use secrecy::SecretString;
    ///
    /// # fn demo(saved: Vec<std::time::SystemTime>) -> mcas_client::Result<()> {
    /// let client = Client::builder(
    ///     "https://contoso.us3.portal.cloudappsecurity.com".parse().unwrap(),
    ///     Auth::token(SecretString::from(std::env::var("MCAS_TOKEN").unwrap_or_default())),
    /// )
    /// .build()?;
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

    /// `{base}/api/v1/alerts/{segments…}/`, each segment percent-encoded.
    pub(crate) fn alerts_url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| Error::invalid("base_url", "cannot take a path"))?
            .pop_if_empty()
            .extend(["api", "v1", "alerts"])
            .extend(segments)
            // MCAS routes end with a slash.
            .push("");
        Ok(url)
    }

    /// What requests are sent with now: the legacy token, or the Entra access token (fetched if
    /// none is cached).
    pub(crate) async fn authorization(&self) -> Result<Authorization> {
        let inner = &*self.inner;
        inner.credentials.authorization(inner.http.retry_policy()).await
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
        let mut refreshed = false;
        loop {
            let authorization = self.authorization().await?;
            let build = || {
                let request = inner
                    .http
                    .request(method.clone(), url.clone())
                    .header(AUTHORIZATION, authorization.header().clone())
                    .header(ACCEPT, "application/json");
                match body {
                    Some(body) => request.json(body),
                    None => request,
                }
            };
            // Every MCAS call is idempotent: listing and reading, and closing or marking an alert,
            // which converges to the same state when repeated.
            let sent = inner
                .http
                .send(Idempotency::Idempotent, inner.pacer.as_ref(), build, error::is_throttled)
                .await;
            match sent {
                Ok(response) => return inner.http.read_body(response).await.map_err(Error::from_http),
                Err(HttpError::Status(response))
                    if response.status == http::StatusCode::UNAUTHORIZED
                        && inner.credentials.is_entra()
                        && !refreshed =>
                {
                    tracing::debug!("access token refused; fetching a new one");
                    inner.credentials.invalidate(&authorization).await;
                    refreshed = true;
                }
                Err(error) => return Err(Error::from_http_at(error, &url)),
            }
        }
    }
}

impl ClientBuilder {
    http_support::client_settings_setters! { settings;
        /// It carries the MCAS requests only: with [`Auth::entra`](crate::Auth::entra), token
        /// requests go through the [`EntraApp`](crate::EntraApp)'s own client, which follows no
        /// redirect (the client secret travels in their body). The retry policy governs both.
    }

    /// Sets the scope Entra access tokens are requested with (default [`DEFAULT_SCOPE`], the
    /// Defender for Cloud Apps API); unused with a legacy API token.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Paces this client's requests to at most `per_minute` starts in any rolling window of a
    /// minute and a margin (default [`DEFAULT_REQUESTS_PER_MINUTE`], the documented per-tenant
    /// throttle, in [`PACING_WINDOW`]); `0` turns pacing off. Up to `per_minute` requests go at
    /// once; see [`Pacer`]. Clones share the pacer, so build one client per tenant and clone it.
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

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the base URL is not `https://` (nor `http://` to loopback),
    /// holds a user or password, or cannot take a path, when the API token is empty or cannot be
    /// sent in a header, or when the Entra tenant id is not a tenant id or the scope is empty;
    /// [`Error::ClientSetup`] when the HTTP client cannot be built. (The Entra app's own
    /// settings, its authority among them, are checked when it is built.)
    pub fn build(self) -> Result<Client> {
        let mut base = self.base;
        check_url(&base, "base_url")?;
        base.set_query(None);
        base.set_fragment(None);
        let credentials = Credentials::new(self.auth, self.scope)?;
        let (name, version) = (env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
        let http = self.settings.build(name, version, Redirects::Follow).map_err(Error::from_settings)?;
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                http,
                credentials,
                pacer: Pacer::new(self.requests_per_minute, self.pacing_window),
            }),
        })
    }
}

/// Refuses URLs that would send credentials in clear text or elsewhere than meant (see
/// [`http_support::check_base_url`]).
pub(crate) fn check_url(url: &Url, parameter: &'static str) -> Result<()> {
    http_support::check_base_url(url).map_err(|error| Error::invalid(parameter, error.to_string()))
}
