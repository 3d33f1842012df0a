//! The one check of a service's base URL, used by every client and by the binary's config: no
//! credential may cross the network in clear text.

use std::net::IpAddr;

use url::{Host, Url};

/// Why [`check_base_url`] refuses a URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BaseUrlError {
    /// Plain `http://` to a host that is not loopback: credentials would travel in clear text.
    #[error("http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://")]
    PlainHttp,
    /// A scheme other than `https` and `http`.
    #[error("{0}:// is not allowed; use https://")]
    Scheme(String),
    /// A user or password in the URL, which the HTTP stack would send as Basic credentials.
    #[error("a URL must not hold a user or password; give credentials to the client's auth")]
    Credentials,
    /// No host, or a URL that cannot take a path (`mailto:`, `data:`).
    #[error("the URL has no host")]
    NoHost,
}

/// Checks that `url` can serve as a service's base URL: `https://`, or `http://` to a loopback
/// host only (`127.0.0.0/8`, `::1`, `localhost`: local fakes and mock servers), with a host and
/// without a user or password.
///
/// ```
/// use http_support::{BaseUrlError, check_base_url};
///
/// let check = |url: &str| check_base_url(&url.parse().unwrap());
/// assert_eq!(check("https://example.atlassian.net"), Ok(()));
/// assert_eq!(check("http://127.0.0.1:8080/jira"), Ok(()));
/// assert_eq!(check("http://jira.example.com"), Err(BaseUrlError::PlainHttp));
/// assert_eq!(check("https://me:pw@jira.example.com"), Err(BaseUrlError::Credentials));
/// assert_eq!(check("ftp://127.0.0.1"), Err(BaseUrlError::Scheme("ftp".to_owned())));
/// ```
///
/// # Errors
/// The [`BaseUrlError`] that says what is wrong.
pub fn check_base_url(url: &Url) -> Result<(), BaseUrlError> {
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(url) => {}
        "http" => return Err(BaseUrlError::PlainHttp),
        other => return Err(BaseUrlError::Scheme(other.to_owned())),
    }
    if url.host().is_none() || url.cannot_be_a_base() {
        return Err(BaseUrlError::NoHost);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BaseUrlError::Credentials);
    }
    Ok(())
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(url: &str, expected: Result<(), BaseUrlError>) {
        assert_eq!(check_base_url(&Url::parse(url).unwrap()), expected, "{url}");
    }

    #[test]
    fn https_anywhere_http_only_to_loopback() {
        check("https://example.atlassian.net", Ok(()));
        check("https://10.0.0.5:8443/", Ok(()));
        check("http://127.9.8.7", Ok(()));
        check("http://[::1]:3000/jira", Ok(()));
        check("http://LOCALHOST", Ok(()));
        check("http://10.0.0.1", Err(BaseUrlError::PlainHttp));
        check("http://[::2]", Err(BaseUrlError::PlainHttp));
        check("http://[::ffff:10.0.0.5]/", Err(BaseUrlError::PlainHttp));
        check("http://localhost.example.com", Err(BaseUrlError::PlainHttp));
        check("http://127.0.0.1.nip.io/", Err(BaseUrlError::PlainHttp));
        check("https://user:pw@example.com", Err(BaseUrlError::Credentials));
        check("https://user@example.com", Err(BaseUrlError::Credentials));
        check("mailto:a@example.com", Err(BaseUrlError::Scheme("mailto".to_owned())));
        check("file:///etc/passwd", Err(BaseUrlError::Scheme("file".to_owned())));
    }
}
