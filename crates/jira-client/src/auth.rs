//! Credentials, and the one place where they become an `Authorization` header.

use std::fmt;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// How the client authenticates.
///
/// - Jira Cloud: [`Auth::basic`] with the account's email and an API token.
/// - Server/Data Center: [`Auth::bearer`] with a personal access token, or [`Auth::basic`] with a
///   user name and password (Data Center 11 turns Basic off by default).
///
/// Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Auth(Kind);

#[derive(Clone)]
enum Kind {
    Basic { user: String, secret: SecretString },
    Bearer(SecretString),
}

impl Auth {
    /// HTTP Basic: `user` (an email on Cloud, a user name on Server/Data Center) and an API token
    /// or password.
    pub fn basic(user: impl Into<String>, secret: SecretString) -> Self {
        Self(Kind::Basic { user: user.into(), secret })
    }

    /// A bearer token: a Server/Data Center personal access token.
    pub fn bearer(token: SecretString) -> Self {
        Self(Kind::Bearer(token))
    }

    /// The `Authorization` header value, marked sensitive so that it is never logged by the HTTP
    /// stack. This is the only place the secret is exposed.
    pub(crate) fn header(&self) -> Result<HeaderValue, Error> {
        let text = match &self.0 {
            Kind::Basic { user, secret } => {
                let pair = format!("{user}:{}", secret.expose_secret());
                format!("Basic {}", base64(pair.as_bytes()))
            }
            Kind::Bearer(token) => format!("Bearer {}", token.expose_secret()),
        };
        // The message must not contain the value: it holds the secret.
        let mut value = HeaderValue::from_str(&text).map_err(|_| {
            Error::invalid("auth", "the jira credentials contain characters not allowed in a header")
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Basic { user, .. } => {
                f.debug_struct("Basic").field("user", user).field("secret", &"[redacted]").finish()
            }
            Kind::Bearer(_) => f.debug_tuple("Bearer").field(&"[redacted]").finish(),
        }
    }
}

/// Standard base64 with padding (RFC 4648 §4), as HTTP Basic needs; small enough not to warrant
/// a dependency.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(base64(input.as_bytes()), expected, "{input:?}");
    }

    #[test]
    fn base64_vectors() {
        // RFC 4648 §10.
        check("", "");
        check("f", "Zg==");
        check("fo", "Zm8=");
        check("foo", "Zm9v");
        check("foob", "Zm9vYg==");
        check("fooba", "Zm9vYmE=");
        check("foobar", "Zm9vYmFy");
        check("user@example.com:tök", "dXNlckBleGFtcGxlLmNvbTp0w7Zr");
    }

    #[test]
    fn headers_are_sensitive_and_checked() {
        let basic = Auth::basic("a@b.c", SecretString::from("t")).header().unwrap();
        assert!(basic.is_sensitive());
        assert_eq!(basic.to_str().unwrap(), "Basic YUBiLmM6dA==");
        let bearer = Auth::bearer(SecretString::from("pat")).header().unwrap();
        assert_eq!(bearer.to_str().unwrap(), "Bearer pat");
        let err = Auth::bearer(SecretString::from("bad\nsecret")).header().unwrap_err();
        assert!(!err.to_string().contains("secret\n") && !err.to_string().contains("bad"));
    }
}
