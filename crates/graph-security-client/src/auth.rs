//! How a client authenticates: an Entra application signed in to one tenant, or a token
//! obtained elsewhere.

use std::fmt;

use http_support::entra::{AccessToken, EntraApp};
use secrecy::SecretString;

/// How the client authenticates to Microsoft Graph.
#[derive(Clone)]
pub struct Auth(pub(crate) AuthKind);

#[derive(Clone)]
pub(crate) enum AuthKind {
    App { app: EntraApp, tenant_id: String },
    Bearer(SecretString),
}

impl Auth {
    /// The Entra application `app`, signed in to the customer tenant `tenant_id` with client
    /// credentials. The clients of every tenant that use one `app` (or its clones) share its
    /// token cache, which holds a token per tenant.
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
