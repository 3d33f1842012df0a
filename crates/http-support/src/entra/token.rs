//! An access token, and the check of the tenant id a token is requested for.

use std::fmt;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use super::EntraError;

/// An access token, ready to send as `Authorization: Bearer <token>`.
///
/// The header value is marked sensitive, so that it is never logged, and `Debug` shows no part
/// of it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    header: HeaderValue,
}

impl AccessToken {
    /// A token from its text (for tokens obtained elsewhere).
    ///
    /// # Errors
    /// [`EntraError::InvalidInput`] for an empty token or one that cannot be sent in a header.
    pub fn bearer(token: &SecretString) -> Result<Self, EntraError> {
        let token = token.expose_secret().trim();
        if token.is_empty() {
            return Err(EntraError::InvalidInput { reason: "the access token is empty".to_owned() });
        }
        let mut header =
            HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| EntraError::InvalidInput {
                reason: "the access token contains characters not allowed in a header".to_owned(),
            })?;
        header.set_sensitive(true);
        Ok(Self { header })
    }

    /// The `Authorization` header value.
    pub fn header(&self) -> &HeaderValue {
        &self.header
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Checks that `tenant_id` can be a Microsoft Entra tenant id: a GUID or a domain name
/// (`contoso.onmicrosoft.com`), that is ASCII letters, digits, `-` and `.`. Anything else would
/// change the token URL's path.
///
/// ```
/// use http_support::entra::check_tenant_id;
/// assert!(check_tenant_id("0b6e2d4f-8a1c-4e3b-9d5f-7a2c4e6b8d0f").is_ok());
/// assert!(check_tenant_id("contoso.onmicrosoft.com").is_ok());
/// assert!(check_tenant_id("../common").is_err());
/// assert!(check_tenant_id("").is_err());
/// ```
///
/// # Errors
/// [`EntraError::InvalidInput`] saying why not.
pub fn check_tenant_id(tenant_id: &str) -> Result<(), EntraError> {
    let invalid = |reason: &str| EntraError::InvalidInput { reason: reason.to_owned() };
    if tenant_id.is_empty() {
        return Err(invalid("the tenant id is empty"));
    }
    if tenant_id.len() > 256 {
        return Err(invalid("the tenant id is longer than 256 characters"));
    }
    if !tenant_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        || tenant_id.starts_with('.')
        || tenant_id.contains("..")
    {
        return Err(invalid("the tenant id must be a GUID or a domain name (letters, digits, `-` and `.`)"));
    }
    Ok(())
}
