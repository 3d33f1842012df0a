//! An access token, and the check of the tenant id a token is requested for.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

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
            return Err(EntraError::invalid("access_token", "empty"));
        }
        // The message must not contain the value: it holds the secret.
        let mut header = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            EntraError::invalid("access_token", "contains characters not allowed in a header")
        })?;
        header.set_sensitive(true);
        Ok(Self { header })
    }

    /// The `Authorization` header value.
    pub fn header(&self) -> &HeaderValue {
        &self.header
    }

    /// The application permissions the token carries: its `roles` claim, e.g.
    /// `SecurityAlert.Read.All` for Microsoft Graph or `Investigation.read` for Defender for
    /// Cloud Apps; empty when the claim is missing (no permission consented).
    ///
    /// Microsoft documents this claim as the way to see what an application may do, and a
    /// service has no other way to say it without being called. The token's signature is not
    /// verified: the claims are only read, to tell a user what the tenant will allow; the
    /// service itself decides on every request.
    ///
    /// ```
    /// use http_support::entra::AccessToken;
    /// use secrecy::SecretString;
    ///
    /// // A token whose payload is {"roles":["SecurityAlert.Read.All"]} (unsigned, as in a test).
    /// let token = AccessToken::bearer(&SecretString::from(
    ///     "e30.eyJyb2xlcyI6WyJTZWN1cml0eUFsZXJ0LlJlYWQuQWxsIl19.c2ln",
    /// ))?;
    /// assert_eq!(token.roles()?, ["SecurityAlert.Read.All"]);
    /// assert!(AccessToken::bearer(&SecretString::from("opaque"))?.roles().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The JSON error when the token is not a JWT whose payload is a JSON object (an opaque
    /// token, a payload that is not base64url, or a `roles` claim that is not a list of text).
    pub fn roles(&self) -> Result<Vec<String>, serde_json::Error> {
        #[derive(Deserialize)]
        struct Claims {
            #[serde(default)]
            roles: Vec<String>,
        }
        let value = self.header.to_str().unwrap_or_default();
        let token = value.strip_prefix("Bearer ").unwrap_or(value);
        // A token that is not a JWT (or whose payload is not base64url) has no claims: its empty
        // payload fails to decode below, and is reported as undecodable claims. Some issuers pad
        // the segment although JWTs should not be.
        let payload = token
            .split('.')
            .nth(1)
            .and_then(|segment| URL_SAFE_NO_PAD.decode(segment.trim_end_matches('=')).ok())
            .unwrap_or_default();
        serde_json::from_slice::<Claims>(&payload).map(|claims| claims.roles)
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
    let invalid = |reason: &str| EntraError::invalid("tenant_id", reason);
    if tenant_id.is_empty() {
        return Err(invalid("empty"));
    }
    if tenant_id.len() > 256 {
        return Err(invalid("longer than 256 characters"));
    }
    if !tenant_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        || tenant_id.starts_with('.')
        || tenant_id.contains("..")
    {
        return Err(invalid("not a GUID or a domain name (letters, digits, `-` and `.`)"));
    }
    Ok(())
}
