//! The check every client makes of the URLs it sends credentials to.

use std::net::IpAddr;

use url::Url;

/// Refuses a URL that would carry credentials in clear text or cannot be a base: it must be
/// `https` with a host, or plain `http` to a loopback host (local fakes and tests). `what` names
/// the URL in the reason, e.g. `"base URL"` or `"authority"`.
///
/// ```
/// let ok = |url: &str| http_support::check_https_or_loopback(&url.parse().unwrap(), "base URL");
/// assert!(ok("https://graph.microsoft.com").is_ok());
/// assert!(ok("http://127.0.0.1:8080").is_ok());
/// assert_eq!(
///     ok("http://graph.example.com").unwrap_err(),
///     "the base URL uses plain http to a host that is not loopback; use https",
/// );
/// ```
///
/// # Errors
/// The reason, as a sentence fragment for the caller's own error.
pub fn check_https_or_loopback(url: &Url, what: &str) -> Result<(), String> {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if url.cannot_be_a_base() {
        return Err(format!("the {what} cannot take a path"));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(format!("the {what} uses plain http to a host that is not loopback; use https")),
        _ => Err(format!("the {what} must be an https URL")),
    }
}

/// Whether two URLs have the same origin (scheme, host and port), so that a credential meant
/// for one may be sent to the other.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host() == b.host() && a.port_or_known_default() == b.port_or_known_default()
}
