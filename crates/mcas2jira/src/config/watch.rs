//! `[watch]`: the settings of `mcas2jira watch` as a service (its metrics listener and what
//! `/healthz` calls healthy), which its flags override.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::duration::parse_duration;
use super::error::ConfigError;
use super::raw::RawWatch;

/// `[watch]` (an extension of the contract).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchConfig {
    /// Where to serve `/metrics` and `/healthz` (default: nowhere).
    pub metrics_addr: Option<SocketAddr>,
    /// How long a tenant may go without a successful pass before `/healthz` fails (default: three
    /// intervals).
    pub healthy_within: Option<Duration>,
}

pub(crate) fn check_watch(raw: RawWatch) -> Result<WatchConfig, ConfigError> {
    let metrics_addr = raw
        .metrics_addr
        .map(|text| listen_addr(&text).map_err(|reason| ConfigError::invalid("watch.metrics_addr", reason)))
        .transpose()?;
    let healthy_within = raw
        .healthy_within
        .map(|text| {
            parse_duration(&text).map_err(|e| ConfigError::invalid("watch.healthy_within", e.to_string()))
        })
        .transpose()?;
    if healthy_within.is_some_and(|d| d.is_zero()) {
        return Err(ConfigError::invalid("watch.healthy_within", "must be more than 0s"));
    }
    Ok(WatchConfig { metrics_addr, healthy_within })
}

/// The address of a listener: `9184` or `:9184` (loopback, the default: metrics stay on the
/// machine unless asked otherwise), `127.0.0.1:9184`, `0.0.0.0:9184` (every interface) or
/// `[::1]:9184`.
///
/// # Errors
///
/// What is wrong with `text`, to be shown after the key or flag it came from.
///
/// # Examples
///
/// ```
/// use mcas2jira::config::listen_addr;
/// assert_eq!(listen_addr("9184").unwrap().to_string(), "127.0.0.1:9184");
/// assert_eq!(listen_addr("0.0.0.0:9184").unwrap().to_string(), "0.0.0.0:9184");
/// assert!(listen_addr("localhost").is_err());
/// ```
pub fn listen_addr(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    let port = text.strip_prefix(':').unwrap_or(text);
    if let Ok(port) = port.parse::<u16>() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    text.parse().map_err(|_| {
        format!("{text:?} is not a listening address: give a port (9184, on loopback) or an IP and a port (0.0.0.0:9184)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(listen_addr(":9184").unwrap().to_string(), "127.0.0.1:9184");
        assert_eq!(listen_addr("[::1]:80").unwrap().to_string(), "[::1]:80");
        for bad in ["", "localhost:9184", "99999", "1.2.3.4"] {
            assert!(listen_addr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_zero_health_age_is_refused() {
        let raw = RawWatch { metrics_addr: None, healthy_within: Some("0s".into()) };
        assert!(check_watch(raw).unwrap_err().to_string().starts_with("watch.healthy_within: must be"));
    }
}
