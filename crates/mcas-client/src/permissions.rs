//! What the client may do, read without doing it: the application permissions of a Microsoft
//! Entra access token.
//!
//! Defender for Cloud Apps has no endpoint that tells a caller its rights. An Entra application's
//! access token carries them, though: its `roles` claim lists the application permissions
//! consented for the API (`Investigation.read`, `Investigation.manage`, ...), as Microsoft's
//! documentation tells users to check. A legacy API token discloses nothing; the only way to learn
//! whether it may close alerts is to close one.

use crate::auth::Authorization;
use crate::{Client, Error, Result};

/// The application permissions that allow closing alerts: `Investigation.manage` (alerts and IP
/// ranges) and `Discovery.manage` (alerts and Cloud Discovery), as documented by Microsoft.
pub const CLOSE_ROLES: [&str; 2] = ["Investigation.manage", "Discovery.manage"];

impl Client {
    /// The application permissions (`roles` claim) of the Microsoft Entra access token this
    /// client sends, fetching a token if none is cached; `None` for a client using a legacy API
    /// token, whose rights Defender for Cloud Apps does not disclose. Nothing is sent to the
    /// tenant itself: a permission check that leaves no trace in its audit log.
    ///
    /// The token's signature is not verified: the claims are only read, to tell the user what
    /// the tenant will allow; the tenant itself decides on every request.
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// match client.granted_roles().await? {
    ///     Some(roles) if roles.iter().any(|r| mcas_client::CLOSE_ROLES.contains(&r.as_str())) => {
    ///         println!("may close alerts");
    ///     }
    ///     Some(roles) => println!("may not close alerts (roles: {roles:?})"),
    ///     None => println!("a legacy API token: its rights cannot be read"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Token`] when no token can be had; [`Error::Decode`] when the token is not a JWT
    /// whose claims can be read; the transport errors of the token request.
    pub async fn granted_roles(&self) -> Result<Option<Vec<String>>> {
        match self.authorization().await? {
            Authorization::Legacy(_) => Ok(None),
            Authorization::Entra(token) => token
                .roles()
                .map(Some)
                .map_err(|source| Error::Decode { what: "access token's claims", source }),
        }
    }
}
