//! Microsoft Entra client credentials: one application, an access token per tenant and scope.
//!
//! An MSSP registers one multi-tenant application and has it consented in each customer tenant;
//! the same client id and secret then get a token for any of those tenants from
//! `{authority}/{tenant id}/oauth2/v2.0/token`. An [`EntraApp`] is that application: cheap to
//! clone, and every clone shares one token cache, keyed by tenant and scope. So the clients of
//! all the tenants that use one app share one object, and within a tenant:
//!
//! - a token is fetched once and reused until five minutes before it expires;
//! - many concurrent callers wait for one fetch (a single flight per tenant and scope), while
//!   callers for other tenants go on;
//! - a caller whose token was refused (`401`) calls [`EntraApp::invalidate`] with it, and the
//!   next caller fetches a new one (a token already replaced by another caller is left alone).
//!
//! The client secret travels only in the form body of the token request, to the authority. That
//! request follows no redirect: reqwest would carry the body, secret included, along a 307 or
//! 308 to any host, so a redirect answer is an error ([`EntraError::Redirected`]).

mod error;
mod token;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http::header::LOCATION;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::time::Instant;
use url::Url;

pub use self::error::EntraError;
use self::error::refusal;
pub use self::token::{AccessToken, check_tenant_id};
use crate::{ClientOptions, HttpError, Idempotency, Redirects, RetryPolicy};

/// The default Microsoft Entra authority (the public cloud). US Government clouds use
/// `https://login.microsoftonline.us`.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";

/// How long before its announced expiry a cached token is replaced.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// The lifetime assumed for a token whose answer gives no `expires_in` (Entra's usual hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// The largest token answer read. A real one is about 2 KB.
const MAX_TOKEN_ANSWER: usize = 64 * 1024;

/// A Microsoft Entra application that gets tokens with client credentials, for any tenant it is
/// consented in. Cheap to clone; clones share the token cache. See the [module docs](self).
///
/// ```no_run
/// use http_support::RetryPolicy;
/// use http_support::entra::EntraApp;
/// use secrecy::SecretString;
///
/// # async fn demo() -> Result<(), http_support::entra::EntraError> {
/// let app = EntraApp::builder("client-id", SecretString::from("client-secret")).build()?;
/// let token = app
///     .token("contoso.onmicrosoft.com", "https://graph.microsoft.com/.default", &RetryPolicy::default())
///     .await?;
/// # let _ = token;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct EntraApp {
    inner: Arc<AppInner>,
}

struct AppInner {
    client_id: String,
    client_secret: SecretString,
    authority: Url,
    http: reqwest::Client,
    // One slot per tenant and scope. The map's lock is held only to find or add a slot; the
    // slot's own lock is held during a fetch, so that a slow fetch for one tenant never holds up
    // another.
    slots: Mutex<HashMap<(String, String), Arc<Slot>>>,
}

#[derive(Default)]
struct Slot {
    cached: tokio::sync::Mutex<Option<Cached>>,
}

struct Cached {
    token: AccessToken,
    refresh_at: Instant,
}

impl fmt::Debug for EntraApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntraApp")
            .field("client_id", &self.inner.client_id)
            .field("client_secret", &"<redacted>")
            .field("authority", &self.inner.authority.as_str())
            .finish_non_exhaustive()
    }
}

/// Builds an [`EntraApp`]; see [`EntraApp::builder`].
#[must_use]
pub struct EntraAppBuilder {
    client_id: String,
    client_secret: SecretString,
    authority: Option<Url>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
}

impl fmt::Debug for EntraAppBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntraAppBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("authority", &self.authority.as_ref().map(Url::as_str))
            .finish_non_exhaustive()
    }
}

impl EntraAppBuilder {
    /// Sets the authority (default [`DEFAULT_AUTHORITY`]). Tokens are requested from
    /// `{authority}/{tenant id}/oauth2/v2.0/token`.
    pub fn authority(mut self, authority: Url) -> Self {
        self.authority = Some(authority);
        self
    }

    /// Sets the timeout of one token request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the `User-Agent` of token requests (default `http-support/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Builds the application, with its own HTTP client for token requests (which follows no
    /// redirect).
    ///
    /// # Errors
    /// [`EntraError::InvalidInput`] for an empty client id or secret, or an authority that is
    /// plain `http://` to a host other than loopback; [`EntraError::ClientSetup`] when the HTTP
    /// client cannot be built.
    pub fn build(self) -> Result<EntraApp, EntraError> {
        if self.client_id.trim().is_empty() {
            return Err(EntraError::invalid("client_id", "empty"));
        }
        if self.client_secret.expose_secret().is_empty() {
            return Err(EntraError::invalid("client_secret", "empty"));
        }
        let mut authority = match self.authority {
            Some(authority) => authority,
            None => {
                Url::parse(DEFAULT_AUTHORITY).map_err(|e| EntraError::invalid("authority", e.to_string()))?
            }
        };
        crate::check_base_url(&authority).map_err(|e| EntraError::invalid("authority", e.to_string()))?;
        authority.set_query(None);
        authority.set_fragment(None);
        let agent = self
            .user_agent
            .unwrap_or_else(|| crate::user_agent(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")));
        let mut options = ClientOptions::new(agent).redirects(Redirects::None);
        if let Some(timeout) = self.timeout {
            options = options.timeout(timeout);
        }
        let http = options.build().map_err(EntraError::ClientSetup)?;
        Ok(EntraApp {
            inner: Arc::new(AppInner {
                client_id: self.client_id,
                client_secret: self.client_secret,
                authority,
                http,
                slots: Mutex::new(HashMap::new()),
            }),
        })
    }
}

impl EntraApp {
    /// Starts building the application `client_id` with its `client_secret`.
    pub fn builder(client_id: impl Into<String>, client_secret: SecretString) -> EntraAppBuilder {
        EntraAppBuilder {
            client_id: client_id.into(),
            client_secret,
            authority: None,
            timeout: None,
            user_agent: None,
        }
    }

    /// The application (client) id.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The authority tokens are requested from.
    pub fn authority(&self) -> &Url {
        &self.inner.authority
    }

    /// Whether `other` is a clone of this application, sharing its token cache.
    pub fn shares_cache_with(&self, other: &EntraApp) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The token endpoint of `tenant_id`: `{authority}/{tenant id}/oauth2/v2.0/token`.
    ///
    /// # Errors
    /// [`EntraError::InvalidInput`] when the tenant id is not a tenant id (see
    /// [`check_tenant_id`]).
    pub fn token_url(&self, tenant_id: &str) -> Result<Url, EntraError> {
        check_tenant_id(tenant_id)?;
        let mut url = self.inner.authority.clone();
        url.path_segments_mut()
            .map_err(|()| EntraError::invalid("authority", "cannot take a path"))?
            .pop_if_empty()
            .extend([tenant_id, "oauth2", "v2.0", "token"]);
        Ok(url)
    }

    /// An access token for `scope` in `tenant_id`: the cached one while it is fresh, otherwise
    /// a new one, fetched once however many callers ask at the same time. `retry` governs the
    /// token request (which is safe to repeat).
    ///
    /// ```no_run
    /// # async fn demo(app: http_support::entra::EntraApp) -> Result<(), http_support::entra::EntraError> {
    /// let policy = http_support::RetryPolicy::default();
    /// let token = app.token("0b6e2d4f-8a1c-4e3b-9d5f-7a2c4e6b8d0f", "https://graph.microsoft.com/.default", &policy).await?;
    /// let request = reqwest::Client::new()
    ///     .get("https://graph.microsoft.com/v1.0/security/alerts_v2")
    ///     .header(reqwest::header::AUTHORIZATION, token.header().clone());
    /// # let _ = request;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`EntraError::Refused`] when Entra refuses (wrong secret, app not consented in the
    /// tenant, unknown tenant); [`EntraError::Redirected`]; [`EntraError::Http`] for transport
    /// errors and throttling; [`EntraError::Decode`]; [`EntraError::InvalidInput`] for a
    /// malformed tenant id or an empty scope.
    pub async fn token(
        &self,
        tenant_id: &str,
        scope: &str,
        retry: &RetryPolicy,
    ) -> Result<AccessToken, EntraError> {
        let url = self.token_url(tenant_id)?;
        if scope.trim().is_empty() {
            return Err(EntraError::invalid("scope", "empty"));
        }
        let slot = self.slot(tenant_id, scope);
        let mut cached = slot.cached.lock().await;
        if let Some(cached) = cached.as_ref()
            && Instant::now() < cached.refresh_at
        {
            return Ok(cached.token.clone());
        }
        let (token, lifetime) = self.fetch(url, scope, retry).await?;
        // Replace the token five minutes before it expires (or halfway through, for a short-lived
        // one), so that no request leaves with a token about to lapse.
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        *cached = Some(Cached { token: token.clone(), refresh_at: Instant::now() + (lifetime - margin) });
        tracing::debug!(tenant_id, lifetime_s = lifetime.as_secs(), "cached a new access token");
        Ok(token)
    }

    /// Forgets the cached token of `tenant_id` and `scope` if it is still `used` (the service
    /// refused it before its announced expiry), so that the next caller fetches a new one.
    ///
    /// ```no_run
    /// # async fn demo(app: http_support::entra::EntraApp) -> Result<(), http_support::entra::EntraError> {
    /// let (tenant, scope) = ("contoso.onmicrosoft.com", "https://graph.microsoft.com/.default");
    /// let policy = http_support::RetryPolicy::default();
    /// let token = app.token(tenant, scope, &policy).await?;
    /// // ... the service answered 401 to a request with `token`:
    /// app.invalidate(tenant, scope, &token).await;
    /// let fresh = app.token(tenant, scope, &policy).await?;
    /// # let _ = fresh;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invalidate(&self, tenant_id: &str, scope: &str, used: &AccessToken) {
        let slot = self.slot(tenant_id, scope);
        let mut cached = slot.cached.lock().await;
        if cached.as_ref().is_some_and(|cached| cached.token == *used) {
            *cached = None;
        }
    }

    fn slot(&self, tenant_id: &str, scope: &str) -> Arc<Slot> {
        let mut slots = self.inner.slots.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(slots.entry((tenant_id.to_owned(), scope.to_owned())).or_default())
    }

    /// Asks the token endpoint for a token. The secret goes in the form body only.
    async fn fetch(
        &self,
        url: Url,
        scope: &str,
        retry: &RetryPolicy,
    ) -> Result<(AccessToken, Duration), EntraError> {
        let inner = &*self.inner;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", inner.client_id.as_str()),
            ("client_secret", inner.client_secret.expose_secret()),
            ("scope", scope),
        ];
        tracing::debug!(client_id = %inner.client_id, "requesting an access token from Microsoft Entra");
        // A token request changes nothing on the server, so repeating it is harmless.
        let sent = crate::send(
            retry,
            Idempotency::Idempotent,
            None,
            || inner.http.post(url.clone()).form(&form),
            |_| false,
        )
        .await;
        let response = match sent {
            Ok(response) => response,
            Err(HttpError::Status(response)) => return Err(refusal(&response)),
            Err(other) => return Err(EntraError::Http(other)),
        };
        if response.status().is_redirection() {
            let location_host = response
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|location| url.join(location).ok())
                .and_then(|target| target.host_str().map(str::to_owned));
            return Err(EntraError::Redirected { status: response.status(), location_host });
        }
        let body = crate::read_body(response, MAX_TOKEN_ANSWER).await.map_err(EntraError::Http)?;
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|e| EntraError::Decode { reason: format!("not JSON ({e})") })?;
        let Some(token) = answer.get("access_token").and_then(Value::as_str).filter(|t| !t.is_empty()) else {
            return Err(EntraError::Decode { reason: "it has no access_token".to_owned() });
        };
        // `expires_in` is a number, or a number in a string in some older answers.
        let lifetime = match answer.get("expires_in") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .map_or(DEFAULT_LIFETIME, Duration::from_secs);
        Ok((AccessToken::bearer(&SecretString::from(token))?, lifetime))
    }
}
