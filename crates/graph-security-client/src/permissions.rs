//! What the client may do, read without doing it: the application permissions of its access
//! token.
//!
//! Graph has no endpoint that tells an application its rights in a tenant without calling the
//! API it wants. The access token carries them, though: its `roles` claim lists the application
//! permissions consented in the tenant (`SecurityAlert.Read.All`, ...), as Microsoft documents.

use crate::{Client, Error, READ_PERMISSION, Result, WRITE_PERMISSION};

/// The application permissions that allow reading alerts: [`READ_PERMISSION`], and
/// [`WRITE_PERMISSION`], which Graph's reference lists as also accepted for reading.
pub const READ_ROLES: [&str; 2] = [READ_PERMISSION, WRITE_PERMISSION];

impl Client {
    /// The application permissions (`roles` claim) of the access token this client sends,
    /// fetching a token if none is cached. Nothing is sent to Graph itself.
    ///
    /// The token's signature is not verified: the claims are only read, to tell the user what
    /// the tenant will allow; Graph itself decides on every request.
    ///
    /// ```no_run
    /// use graph_security_client::{READ_ROLES, WRITE_PERMISSION};
    ///
    /// # async fn demo(client: graph_security_client::Client) -> graph_security_client::Result<()> {
    /// let roles = client.granted_roles().await?;
    /// if !roles.iter().any(|role| READ_ROLES.contains(&role.as_str())) {
    ///     eprintln!("the application may not read alerts in this tenant");
    /// }
    /// if !roles.iter().any(|role| role == WRITE_PERMISSION) {
    ///     eprintln!("the application may not update alerts in this tenant");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Token`] when no token can be had; [`Error::Decode`] when the token is not a JWT
    /// whose claims can be read; the transport errors of the token request.
    pub async fn granted_roles(&self) -> Result<Vec<String>> {
        let token = self.token().await?;
        token.roles().map_err(|source| Error::Decode { what: "access token's claims", source })
    }
}
