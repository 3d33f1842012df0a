//! Credentials: a legacy API token, or a Microsoft Entra app (client credentials) whose access
//! token is cached and refreshed.

use std::fmt;
use std::time::Duration;

use http_support::{HttpClient, Idempotency};
use reqwest::Method;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

use crate::{Error, Result};

/// The default Microsoft Entra authority (the public cloud).
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";

/// The scope of the Defender for Cloud Apps API for client credentials.
pub const DEFAULT_SCOPE: &str = "05a65629-4c1b-48c1-a78b-804c4abdd4af/.default";

/// How long before its announced expiry a cached access token is replaced.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// Assumed lifetime of a token whose answer gives no `expires_in` (Entra's usual hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// How the client authenticates to Defender for Cloud Apps.
#[derive(Clone)]
pub struct Auth(AuthKind);

#[derive(Clone)]
enum AuthKind {
    Token(SecretString),
    Entra(EntraApp),
}

impl Auth {
    /// A legacy API token, sent as `Authorization: Token <token>`.
    pub fn token(token: SecretString) -> Self {
        Self(AuthKind::Token(token))
    }

    /// A Microsoft Entra application with client credentials; its access token is sent as
    /// `Authorization: Bearer <access token>`.
    pub fn entra(app: EntraApp) -> Self {
        Self(AuthKind::Entra(app))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            AuthKind::Token(_) => f.write_str("Auth::Token(<redacted>)"),
            AuthKind::Entra(app) => f.debug_tuple("Auth::Entra").field(app).finish(),
        }
    }
}

/// A Microsoft Entra application registration that may call the API with client credentials.
#[derive(Clone)]
pub struct EntraApp {
    tenant_id: String,
    client_id: String,
    client_secret: SecretString,
    authority: Option<Url>,
    scope: String,
}

impl EntraApp {
    /// The app `client_id` with its `client_secret`, in the Entra tenant `tenant_id`.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            client_secret,
            authority: None,
            scope: DEFAULT_SCOPE.to_owned(),
        }
    }

    /// Sets the authority (default [`DEFAULT_AUTHORITY`]; `https://login.microsoftonline.us` for
    /// US Government clouds). The token is requested from
    /// `{authority}/{tenant_id}/oauth2/v2.0/token`.
    #[must_use]
    pub fn authority(mut self, authority: Url) -> Self {
        self.authority = Some(authority);
        self
    }

    /// Sets the scope requested (default [`DEFAULT_SCOPE`]).
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// The Entra tenant id.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The application (client) id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The URL of the token endpoint.
    fn token_url(&self) -> Result<Url> {
        let mut url = match &self.authority {
            Some(authority) => authority.clone(),
            None => Url::parse(DEFAULT_AUTHORITY).map_err(|e| Error::invalid("authority", e.to_string()))?,
        };
        crate::client::check_url(&url, "authority")?;
        if self.tenant_id.trim().is_empty() {
            return Err(Error::invalid("tenant_id", "empty"));
        }
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|()| Error::invalid("authority", "cannot take a path"))?
            .pop_if_empty()
            .extend([self.tenant_id.as_str(), "oauth2", "v2.0", "token"]);
        Ok(url)
    }
}

impl fmt::Debug for EntraApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntraApp")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("authority", &self.authority.as_ref().map(Url::as_str))
            .field("scope", &self.scope)
            .finish()
    }
}

/// Builds an `Authorization` value, marked sensitive so that it is never logged. The one place
/// a secret becomes a header.
fn authorization(scheme: &str, secret: &str) -> Result<HeaderValue> {
    // The message must not contain the value: it holds the secret.
    let mut value = HeaderValue::from_str(&format!("{scheme} {secret}")).map_err(|_| {
        Error::invalid("auth", format!("the {scheme} credential contains characters not allowed in a header"))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The credentials of a built client: a ready header, or an Entra app with its token cache.
pub(crate) enum Credentials {
    Token(HeaderValue),
    Entra(Box<EntraState>),
}

pub(crate) struct EntraState {
    app: EntraApp,
    token_url: Url,
    // One lock for the cached token: the caller that finds it stale fetches a new one while
    // holding it, and every concurrent caller waits for that one fetch (a single flight).
    cache: Mutex<Option<CachedToken>>,
}

struct CachedToken {
    header: HeaderValue,
    refresh_at: Instant,
}

/// What the client needs to ask Entra for a token.
pub(crate) struct TokenContext<'a> {
    pub(crate) http: &'a HttpClient,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    #[serde(default, deserialize_with = "crate::lenient::option")]
    expires_in: Option<u64>,
}

impl Credentials {
    pub(crate) fn new(auth: Auth) -> Result<Self> {
        match auth.0 {
            AuthKind::Token(token) => {
                if token.expose_secret().trim().is_empty() {
                    return Err(Error::invalid("auth", "the API token is empty"));
                }
                Ok(Credentials::Token(authorization("Token", token.expose_secret())?))
            }
            AuthKind::Entra(app) => {
                let token_url = app.token_url()?;
                Ok(Credentials::Entra(Box::new(EntraState { app, token_url, cache: Mutex::new(None) })))
            }
        }
    }

    pub(crate) fn is_entra(&self) -> bool {
        matches!(self, Credentials::Entra(_))
    }

    /// The `Authorization` value to send now.
    pub(crate) async fn header(&self, context: &TokenContext<'_>) -> Result<HeaderValue> {
        match self {
            Credentials::Token(header) => Ok(header.clone()),
            Credentials::Entra(state) => state.header(context).await,
        }
    }

    /// Forgets the cached access token if it is still `used` (MCAS refused it), so that the next
    /// call fetches a new one. A token another caller already replaced is left alone.
    pub(crate) async fn invalidate(&self, used: &HeaderValue) {
        if let Credentials::Entra(state) = self {
            let mut cache = state.cache.lock().await;
            if cache.as_ref().is_some_and(|cached| cached.header == *used) {
                *cache = None;
            }
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token(<redacted>)"),
            Credentials::Entra(state) => f
                .debug_struct("Entra")
                .field("app", &state.app)
                .field("token_url", &state.token_url.as_str())
                .finish_non_exhaustive(),
        }
    }
}

impl EntraState {
    async fn header(&self, context: &TokenContext<'_>) -> Result<HeaderValue> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && Instant::now() < cached.refresh_at
        {
            return Ok(cached.header.clone());
        }
        let (header, lifetime) = self.fetch(context).await?;
        // Replace the token five minutes before it expires (or halfway, for short-lived ones),
        // so that a request never leaves with a token about to lapse.
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        *cache =
            Some(CachedToken { header: header.clone(), refresh_at: Instant::now() + (lifetime - margin) });
        Ok(header)
    }

    /// Asks the token endpoint for an access token. The secret goes in the form body only.
    async fn fetch(&self, context: &TokenContext<'_>) -> Result<(HeaderValue, Duration)> {
        let app = &self.app;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose_secret()),
            ("scope", app.scope.as_str()),
        ];
        tracing::debug!(client_id = %app.client_id, "requesting an access token from Microsoft Entra");
        // A token request changes nothing on the server, so repeating it is harmless.
        let http = context.http;
        let response = http
            .send(
                Idempotency::Idempotent,
                None,
                || http.request(Method::POST, self.token_url.clone()).form(&form),
                |_| false,
            )
            .await
            .map_err(Error::from_token_http)?;
        let body = http.read_body(response).await.map_err(Error::from_http)?;
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|source| Error::Decode { what: "token answer", source })?;
        let Some(token) = answer.access_token.filter(|token| !token.is_empty()) else {
            return Err(Error::Token {
                status: None,
                error: None,
                description: Some("the answer has no access_token".to_owned()),
            });
        };
        let lifetime = answer.expires_in.map_or(DEFAULT_LIFETIME, Duration::from_secs);
        Ok((authorization("Bearer", &token)?, lifetime))
    }
}
