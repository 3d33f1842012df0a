//! How a client authenticates: an Entra application signed in to one tenant, or a token
//! obtained elsewhere.

use std::fmt;

use http_support::RetryPolicy;
use http_support::entra::{AccessToken, EntraApp, check_tenant_id};
use secrecy::SecretString;

use crate::Result;

/// How the client authenticates to Microsoft Graph.
#[derive(Clone)]
pub struct Auth(AuthKind);

#[derive(Clone)]
enum AuthKind {
    App { app: EntraApp, tenant_id: String },
    Bearer(SecretString),
}

impl Auth {
    /// The Entra application `app`, signed in to the customer tenant `tenant_id` with client
    /// credentials. The clients of every tenant that use one `app` (or its clones) share its
    /// token cache, which holds a token per tenant and scope.
    pub fn app(app: EntraApp, tenant_id: impl Into<String>) -> Self {
        Self(AuthKind::App { app, tenant_id: tenant_id.into() })
    }

    /// An access token obtained elsewhere, sent as it is (it is not refreshed).
    pub fn bearer(token: SecretString) -> Self {
        Self(AuthKind::Bearer(token))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            AuthKind::App { app, tenant_id } => {
                f.debug_struct("Auth::App").field("app", app).field("tenant_id", tenant_id).finish()
            }
            AuthKind::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
        }
    }
}

/// The credentials of a built client.
pub(crate) enum Credentials {
    App { app: EntraApp, tenant_id: String },
    Fixed(AccessToken),
}

impl Credentials {
    /// Checks `auth`: a tenant id that can be one, a bearer token that can be a header.
    pub(crate) fn new(auth: Auth) -> Result<Self> {
        Ok(match auth.0 {
            AuthKind::App { app, tenant_id } => {
                check_tenant_id(&tenant_id)?;
                Credentials::App { app, tenant_id }
            }
            AuthKind::Bearer(token) => Credentials::Fixed(AccessToken::bearer(&token)?),
        })
    }

    pub(crate) fn tenant_id(&self) -> Option<&str> {
        match self {
            Credentials::App { tenant_id, .. } => Some(tenant_id),
            Credentials::Fixed(_) => None,
        }
    }

    /// Whether a refused token can be replaced by a new one.
    pub(crate) fn refreshes(&self) -> bool {
        matches!(self, Credentials::App { .. })
    }

    /// The token to send now for `scope`.
    pub(crate) async fn token(&self, scope: &str, retry: &RetryPolicy) -> Result<AccessToken> {
        match self {
            Credentials::App { app, tenant_id } => Ok(app.token(tenant_id, scope, retry).await?),
            Credentials::Fixed(token) => Ok(token.clone()),
        }
    }

    /// Forgets the app's cached token if it is still `used` (Graph refused it), so that the next
    /// call fetches a new one.
    pub(crate) async fn invalidate(&self, scope: &str, used: &AccessToken) {
        if let Credentials::App { app, tenant_id } = self {
            app.invalidate(tenant_id, scope, used).await;
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::App { app, tenant_id } => {
                f.debug_struct("App").field("app", app).field("tenant_id", tenant_id).finish()
            }
            Credentials::Fixed(token) => f.debug_tuple("Fixed").field(token).finish(),
        }
    }
}
