//! Credentials: a legacy API token, or a Microsoft Entra application signed in to the tenant with
//! client credentials, through the family's one token source (`http_support::entra`).

use std::fmt;

use http_support::RetryPolicy;
use http_support::entra::{AccessToken, EntraApp, check_tenant_id};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::{Error, Result};

/// The scope of the Defender for Cloud Apps API for client credentials.
pub const DEFAULT_SCOPE: &str = "05a65629-4c1b-48c1-a78b-804c4abdd4af/.default";

/// How the client authenticates to Defender for Cloud Apps.
#[derive(Clone)]
pub struct Auth(AuthKind);

#[derive(Clone)]
enum AuthKind {
    Token(SecretString),
    Entra { app: EntraApp, tenant_id: String },
}

impl Auth {
    /// A legacy API token, sent as `Authorization: Token <token>`.
    pub fn token(token: SecretString) -> Self {
        Self(AuthKind::Token(token))
    }

    /// The Microsoft Entra application `app`, signed in to the Entra tenant `tenant_id` with
    /// client credentials; its access token is sent as `Authorization: Bearer <access token>`.
    ///
    /// The clients that use one `app` (or its clones) share its token cache, which holds a
    /// token per tenant and scope, fetched once however many callers ask: an MSSP's one
    /// application serves all its tenants, for this API and for Microsoft Graph alike.
    ///
    /// ```no_run
    /// use mcas_client::{Auth, Client, EntraApp, SecretString};
    ///
    /// # fn demo() -> mcas_client::Result<()> {
    /// let app = EntraApp::builder("client-id", SecretString::from("client-secret")).build()?;
    /// let client = Client::builder(
    ///     "https://contoso.eu2.portal.cloudappsecurity.com".parse().unwrap(),
    ///     Auth::entra(app, "0b6e2d4f-8a1c-4e3b-9d5f-7a2c4e6b8d0f"),
    /// )
    /// .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn entra(app: EntraApp, tenant_id: impl Into<String>) -> Self {
        Self(AuthKind::Entra { app, tenant_id: tenant_id.into() })
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            AuthKind::Token(_) => f.write_str("Auth::Token(<redacted>)"),
            AuthKind::Entra { app, tenant_id } => {
                f.debug_struct("Auth::Entra").field("app", app).field("tenant_id", tenant_id).finish()
            }
        }
    }
}

/// Builds an `Authorization` value, marked sensitive so that it is never logged. The one place
/// a legacy token becomes a header (an Entra token is made one by `AccessToken`).
fn authorization(scheme: &str, secret: &str) -> Result<HeaderValue> {
    // The message must not contain the value: it holds the secret.
    let mut value = HeaderValue::from_str(&format!("{scheme} {secret}")).map_err(|_| {
        Error::invalid("auth", format!("the {scheme} credential contains characters not allowed in a header"))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The credentials of a built client: a ready header, or an Entra app and the tenant it signs in
/// to (the app keeps the token cache).
pub(crate) enum Credentials {
    Token(HeaderValue),
    Entra { app: EntraApp, tenant_id: String, scope: String },
}

impl Credentials {
    pub(crate) fn new(auth: Auth, scope: String) -> Result<Self> {
        match auth.0 {
            AuthKind::Token(token) => {
                if token.expose_secret().trim().is_empty() {
                    return Err(Error::invalid("auth", "the API token is empty"));
                }
                Ok(Credentials::Token(authorization("Token", token.expose_secret())?))
            }
            AuthKind::Entra { app, tenant_id } => {
                check_tenant_id(&tenant_id)?;
                if scope.trim().is_empty() {
                    return Err(Error::invalid("scope", "empty"));
                }
                Ok(Credentials::Entra { app, tenant_id, scope })
            }
        }
    }

    pub(crate) fn is_entra(&self) -> bool {
        matches!(self, Credentials::Entra { .. })
    }

    /// What to send now: the legacy token, or the app's access token for this tenant (fetched
    /// if none is cached, once however many callers ask).
    pub(crate) async fn authorization(&self, retry: &RetryPolicy) -> Result<Authorization> {
        match self {
            Credentials::Token(header) => Ok(Authorization::Legacy(header.clone())),
            Credentials::Entra { app, tenant_id, scope } => {
                Ok(Authorization::Entra(app.token(tenant_id, scope, retry).await?))
            }
        }
    }

    /// Forgets the app's cached access token if it is still `used` (MCAS refused it), so that
    /// the next call fetches a new one. A token another caller already replaced is left alone.
    pub(crate) async fn invalidate(&self, used: &Authorization) {
        if let (Credentials::Entra { app, tenant_id, scope }, Authorization::Entra(token)) = (self, used) {
            app.invalidate(tenant_id, scope, token).await;
        }
    }
}

/// What one request is sent with: the legacy token's header, or an Entra access token, kept so
/// that a refused one can be forgotten and its claims read.
pub(crate) enum Authorization {
    Legacy(HeaderValue),
    Entra(AccessToken),
}

impl Authorization {
    /// The `Authorization` header value, marked sensitive.
    pub(crate) fn header(&self) -> &HeaderValue {
        match self {
            Authorization::Legacy(header) => header,
            Authorization::Entra(token) => token.header(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token(<redacted>)"),
            Credentials::Entra { app, tenant_id, scope } => f
                .debug_struct("Entra")
                .field("app", app)
                .field("tenant_id", tenant_id)
                .field("scope", scope)
                .finish(),
        }
    }
}
