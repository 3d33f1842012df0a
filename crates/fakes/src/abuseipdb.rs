//! A fake AbuseIPDB v2 API: `GET /api/v2/check` with deterministic reputations, the `Key`
//! header, the `{"errors":[..]}` error shape, rate-limit headers and a daily quota.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::hash::{hash_bytes, mix, pick};
use crate::server::{Admission, FaultKind, Knobs, Running, knob_methods, lock, lose};

/// Route names of [`FakeAbuseIpdb`], for [`FakeAbuseIpdb::fail_next`] and
/// [`Stats`](crate::Stats).
pub mod route {
    /// `GET /api/v2/check`.
    pub const CHECK: &str = "check";
    /// Any path the fake does not serve.
    pub const NOT_FOUND: &str = "not_found";
}

/// How to start a [`FakeAbuseIpdb`].
#[derive(Debug, Clone)]
pub struct FakeAbuseIpdbOptions {
    /// The API key expected in the `Key` header.
    pub key: String,
    /// Checks allowed per day before `429` (the free plan allows 1,000).
    pub daily_quota: u32,
    /// Delay added to every request.
    pub latency: Duration,
}

impl Default for FakeAbuseIpdbOptions {
    fn default() -> Self {
        FakeAbuseIpdbOptions {
            key: "fake-abuseipdb-key".to_owned(),
            daily_quota: 1000,
            latency: Duration::ZERO,
        }
    }
}

struct Quota {
    limit: u32,
    used: u32,
}

struct Shared {
    knobs: Arc<Knobs>,
    key: String,
    quota: Mutex<Quota>,
    presets: Mutex<HashMap<IpAddr, Value>>,
    lookups: Mutex<HashMap<IpAddr, u64>>,
}

/// A fake AbuseIPDB on `127.0.0.1`. Point a client at [`api_url`](Self::api_url). Stops on drop.
///
/// Every IP gets a stable reputation derived from a hash of the address (see [`reputation`]),
/// unless pinned with [`preset`](Self::preset). Addresses in `185.220.100.0/22` (a well-known
/// Tor exit range) are always Tor with a score of 100.
pub struct FakeAbuseIpdb {
    running: Running,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FakeAbuseIpdb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeAbuseIpdb").field("url", &self.url()).finish_non_exhaustive()
    }
}

impl FakeAbuseIpdb {
    /// Binds an ephemeral loopback port and starts serving.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(options: FakeAbuseIpdbOptions) -> std::io::Result<FakeAbuseIpdb> {
        let knobs = Arc::new(Knobs::new(options.latency));
        let shared = Arc::new(Shared {
            knobs: Arc::clone(&knobs),
            key: options.key,
            quota: Mutex::new(Quota { limit: options.daily_quota, used: 0 }),
            presets: Mutex::new(HashMap::new()),
            lookups: Mutex::new(HashMap::new()),
        });
        let router = Router::new()
            .route("/api/v2/check", get(check))
            .fallback(not_found)
            .with_state(Arc::clone(&shared));
        let running = Running::start(router, knobs).await?;
        Ok(FakeAbuseIpdb { running, shared })
    }

    knob_methods!();

    /// The API base URL, like `https://api.abuseipdb.com/api/v2/`: [`url`](Self::url) plus
    /// `/api/v2/`.
    pub fn api_url(&self) -> String {
        format!("{}/api/v2/", self.url())
    }

    /// Pins the `data` object answered for `ip` (verbatim, whatever `maxAgeInDays` and
    /// `verbose` say).
    pub fn preset(&self, ip: IpAddr, data: Value) {
        lock(&self.shared.presets).insert(ip, data);
    }

    /// How many check requests named `ip`, whatever the answer was.
    pub fn lookups(&self, ip: IpAddr) -> u64 {
        lock(&self.shared.lookups).get(&ip).copied().unwrap_or(0)
    }

    /// Every IP checked so far with its number of check requests.
    pub fn all_lookups(&self) -> HashMap<IpAddr, u64> {
        lock(&self.shared.lookups).clone()
    }

    /// Sets the daily quota; checks already made today still count against it.
    pub fn set_daily_quota(&self, limit: u32) {
        lock(&self.shared.quota).limit = limit;
    }

    /// Starts a new day: the quota is whole again.
    pub fn reset_quota(&self) {
        lock(&self.shared.quota).used = 0;
    }

    /// Checks answered today (the ones that counted against the quota).
    pub fn checks_today(&self) -> u32 {
        lock(&self.shared.quota).used
    }
}

/// Whether AbuseIPDB would call `ip` public: not private, loopback, link-local, shared,
/// documentation, benchmarking, multicast, reserved or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || (a == 192 && b == 0 && c == 0))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let [s0, s1, ..] = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s0 & 0xfe00) == 0xfc00
                || (s0 & 0xffc0) == 0xfe80
                || (s0 == 0x2001 && s1 == 0x0db8)
                || (s0 & 0xe000) != 0x2000)
        }
    }
}

fn is_tor(ip: IpAddr, h: u64) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            (a == 185 && b == 220 && (100..104).contains(&c)) || h.is_multiple_of(29)
        }
        IpAddr::V6(_) => h.is_multiple_of(29),
    }
}

const COUNTRIES: [(&str, &str); 10] = [
    ("US", "United States of America"),
    ("DE", "Germany"),
    ("NL", "Netherlands"),
    ("CN", "China"),
    ("RU", "Russian Federation"),
    ("FR", "France"),
    ("GB", "United Kingdom of Great Britain and Northern Ireland"),
    ("BR", "Brazil"),
    ("IN", "India"),
    ("SG", "Singapore"),
];
const NETWORKS: [(&str, &str, Option<&str>); 8] = [
    ("Hetzner Online GmbH", "hetzner.com", Some("Data Center/Web Hosting/Transit")),
    ("DigitalOcean LLC", "digitalocean.com", Some("Data Center/Web Hosting/Transit")),
    ("OVH SAS", "ovh.net", Some("Data Center/Web Hosting/Transit")),
    ("Amazon Technologies Inc.", "amazon.com", Some("Data Center/Web Hosting/Transit")),
    ("Comcast Cable Communications, LLC", "comcast.net", Some("Fixed Line ISP")),
    ("Deutsche Telekom AG", "telekom.de", Some("Fixed Line ISP")),
    ("China Telecom", "chinatelecom.com.cn", None),
    ("Vodafone GmbH", "vodafone.de", Some("Mobile ISP")),
];
const REPORT_COMMENTS: [&str; 4] = [
    "SSH brute force: repeated failed logins for root",
    "Port scan on 22, 23, 3389",
    "Credential stuffing against our OWA login page",
    "Spam source: phishing mail with fake invoice",
];

fn format_time(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// The `data` object the fake answers for `ip` (without presets): a deterministic function of
/// the address and `max_age_days`, shaped like the real one (many fields may be `null`).
pub fn reputation(ip: IpAddr, max_age_days: u32, verbose: bool) -> Value {
    let h = hash_bytes(ip.to_string().as_bytes());
    let version = if ip.is_ipv4() { 4 } else { 6 };
    if !is_public(ip) {
        return json!({
            "ipAddress": ip.to_string(),
            "isPublic": false,
            "ipVersion": version,
            "isWhitelisted": false,
            "abuseConfidenceScore": 0,
            "countryCode": null,
            "usageType": "Reserved",
            "isp": "Private IP Address LAN",
            "domain": null,
            "hostnames": [],
            "isTor": false,
            "totalReports": 0,
            "numDistinctUsers": 0,
            "lastReportedAt": null,
        });
    }
    let tor = is_tor(ip, h);
    let whitelisted = !tor && h % 50 == 1;
    let score = if tor {
        100
    } else if whitelisted {
        0
    } else {
        match h % 10 {
            0..=4 => 0,
            5 | 6 => (h >> 8) % 30,
            7 | 8 => 30 + (h >> 8) % 60,
            _ => 100,
        }
    };
    // Reports over a year, of which those within the asked window are counted.
    let yearly = if score == 0 {
        (h >> 16) % 4 * u64::from(!h.is_multiple_of(3))
    } else {
        1 + (h >> 16) % (score * 5 + 1)
    };
    let max_age = u64::from(max_age_days.clamp(1, 365));
    let reports = (yearly * max_age).div_ceil(365);
    let users = if reports == 0 { 0 } else { reports.min(1 + (h >> 24) % 50) };
    let now = Timestamp::now();
    let hours_ago = (h >> 32) % (max_age * 24).max(1);
    let last = now.checked_sub(SignedDuration::from_hours(hours_ago as i64)).unwrap_or(now);
    let (country, country_name) = pick(h >> 40, &COUNTRIES, ("US", "United States of America"));
    let (isp, domain, usage) = if tor {
        ("Tor Exit Node Operator", "torservers.net", Some("Data Center/Web Hosting/Transit"))
    } else {
        pick(h >> 44, &NETWORKS, NETWORKS[0])
    };
    let hostnames: Vec<String> = match ip {
        IpAddr::V4(v4) if h.is_multiple_of(3) => {
            let [a, b, c, d] = v4.octets();
            vec![format!("static.{d}.{c}.{b}.{a}.clients.your-server.de")]
        }
        _ => Vec::new(),
    };
    let mut data = json!({
        "ipAddress": ip.to_string(),
        "isPublic": true,
        "ipVersion": version,
        "isWhitelisted": if h.is_multiple_of(7) { Value::Null } else { json!(whitelisted) },
        "abuseConfidenceScore": score,
        "countryCode": country,
        "usageType": usage,
        "isp": isp,
        "domain": domain,
        "hostnames": hostnames,
        "isTor": tor,
        "totalReports": reports,
        "numDistinctUsers": users,
        "lastReportedAt": if reports == 0 { Value::Null } else { json!(format_time(last)) },
    });
    if verbose && let Some(map) = data.as_object_mut() {
        map.insert("countryName".to_owned(), json!(country_name));
        let shown = reports.min(3);
        let list: Vec<Value> = (0..shown)
            .map(|k| {
                let r = mix(h ^ k);
                let at = last.checked_sub(SignedDuration::from_hours((k * 7) as i64)).unwrap_or(last);
                let (code, name) = pick(r, &COUNTRIES, ("US", "United States of America"));
                json!({
                    "reportedAt": format_time(at),
                    "comment": pick(r >> 8, &REPORT_COMMENTS, "abuse"),
                    "categories": [18, 22 - (r % 8) as u8],
                    "reporterId": 1 + (r >> 16) % 90_000,
                    "reporterCountryCode": code,
                    "reporterCountryName": name,
                })
            })
            .collect();
        map.insert("reports".to_owned(), Value::Array(list));
    }
    data
}

/// The error answer AbuseIPDB gives, as JSON when the client accepts it and as an HTML page
/// otherwise (the real API answers HTML errors to clients that omit `Accept: application/json`).
fn error(status: StatusCode, detail: &str, parameter: Option<&str>, json_ok: bool) -> Response {
    if !json_ok {
        let reason = status.canonical_reason().unwrap_or("Error");
        let page = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><title>{reason}</title></head><body><h1>{} {reason}</h1><p>{}</p></body></html>\n",
            status.as_u16(),
            detail.replace('<', "&lt;")
        );
        return (status, [(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=UTF-8"))], page)
            .into_response();
    }
    let mut item = json!({ "detail": detail, "status": status.as_u16() });
    if let (Some(parameter), Some(map)) = (parameter, item.as_object_mut()) {
        map.insert("source".to_owned(), json!({ "parameter": parameter }));
    }
    (status, axum::Json(json!({ "errors": [item] }))).into_response()
}

fn accepts_json(headers: &HeaderMap) -> bool {
    headers.get_all(ACCEPT).iter().filter_map(|v| v.to_str().ok()).any(|v| v.contains("application/json"))
}

/// Seconds until the quota resets (the next midnight UTC) and that moment in epoch seconds.
fn quota_reset() -> (u64, i64) {
    let now = Timestamp::now().as_second();
    let reset = now - now.rem_euclid(86_400) + 86_400;
    (u64::try_from(reset - now).unwrap_or(1).max(1), reset)
}

fn with_rate_headers(mut response: Response, limit: u32, remaining: u32) -> Response {
    let (_, reset) = quota_reset();
    let headers = response.headers_mut();
    headers.insert(HeaderName::from_static("x-ratelimit-limit"), HeaderValue::from(limit));
    headers.insert(HeaderName::from_static("x-ratelimit-remaining"), HeaderValue::from(remaining));
    headers.insert(HeaderName::from_static("x-ratelimit-reset"), HeaderValue::from(reset));
    response
}

impl Shared {
    fn quota_now(&self) -> (u32, u32) {
        let quota = lock(&self.quota);
        (quota.limit, quota.limit.saturating_sub(quota.used))
    }

    fn check(&self, headers: &HeaderMap, params: &HashMap<String, String>) -> Response {
        let json_ok = accepts_json(headers);
        if headers.get("key").and_then(|v| v.to_str().ok()) != Some(self.key.as_str()) {
            return error(
                StatusCode::UNAUTHORIZED,
                "Authentication failed. Your API key is either missing, incorrect, or revoked. Note: The APIv2 key differs from the APIv1 key.",
                None,
                json_ok,
            );
        }
        let ip = match params.get("ipAddress").map(String::as_str) {
            None | Some("") => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "The ip address field is required.",
                    Some("ipAddress"),
                    json_ok,
                );
            }
            Some(raw) => match raw.parse::<IpAddr>() {
                Ok(ip) => ip,
                Err(_) => {
                    return error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or 2001:4860:4860::8888).",
                        Some("ipAddress"),
                        json_ok,
                    );
                }
            },
        };
        let max_age = match params.get("maxAgeInDays").map(|v| v.parse::<u32>()) {
            None => 30,
            Some(Ok(days)) if (1..=365).contains(&days) => days,
            Some(_) => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "The max age in days must be between 1 and 365.",
                    Some("maxAgeInDays"),
                    json_ok,
                );
            }
        };
        {
            let mut quota = lock(&self.quota);
            if quota.used >= quota.limit {
                let limit = quota.limit;
                drop(quota);
                let (wait, _) = quota_reset();
                let mut response = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!(
                        "Daily rate limit of {limit} requests exceeded for this endpoint. See headers for additional details."
                    ),
                    None,
                    json_ok,
                );
                response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(wait));
                return response;
            }
            quota.used += 1;
        }
        let verbose = params.contains_key("verbose");
        let data = lock(&self.presets).get(&ip).cloned().unwrap_or_else(|| reputation(ip, max_age, verbose));
        (StatusCode::OK, axum::Json(json!({ "data": data }))).into_response()
    }
}

fn fault_response(kind: &FaultKind, json_ok: bool) -> Response {
    match kind {
        FaultKind::RateLimit { retry_after_secs } => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Too Many Attempts.", None, json_ok);
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            response
        }
        FaultKind::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let detail = match status.as_u16() {
                402 => "Payment required: this feature needs a paid subscription.",
                500 => "Server Error",
                503 => "Service Unavailable: we are performing maintenance, please try again later.",
                _ => status.canonical_reason().unwrap_or("Error"),
            };
            error(status, detail, None, json_ok)
        }
        FaultKind::Delay(_) | FaultKind::LoseResponse => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "Server Error", None, json_ok)
        }
    }
}

/// The IP a check request names, if it parses, for [`FakeAbuseIpdb::lookups`].
fn named_ip(params: &HashMap<String, String>) -> Option<IpAddr> {
    params.get("ipAddress").and_then(|raw| raw.parse().ok())
}

async fn check(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    if let Some(ip) = named_ip(&params) {
        *lock(&s.lookups).entry(ip).or_insert(0) += 1;
    }
    let admission = s.knobs.admit(route::CHECK).await;
    let response = match &admission {
        Admission::Fail(kind) => fault_response(kind, accepts_json(&headers)),
        _ => s.check(&headers, &params),
    };
    let (limit, remaining) = s.quota_now();
    let response = with_rate_headers(response, limit, remaining);
    if matches!(admission, Admission::Lose) { lose(response) } else { response }
}

async fn not_found(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let _ = s.knobs.admit(route::NOT_FOUND).await;
    error(StatusCode::NOT_FOUND, "Not Found.", None, accepts_json(&headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(ip: &str, public: bool) {
        let parsed: IpAddr = ip.parse().unwrap();
        assert_eq!(is_public(parsed), public, "{ip}");
    }

    #[test]
    fn public_addresses() {
        check("8.8.8.8", true);
        check("185.220.101.34", true);
        check("2a01:4f8::1", true);
        check("10.1.2.3", false);
        check("172.16.0.1", false);
        check("192.168.1.1", false);
        check("127.0.0.1", false);
        check("169.254.1.1", false);
        check("100.64.0.1", false);
        check("192.0.2.1", false);
        check("198.51.100.7", false);
        check("203.0.113.9", false);
        check("198.18.0.1", false);
        check("240.0.0.1", false);
        check("0.1.2.3", false);
        check("::1", false);
        check("fe80::1", false);
        check("fd12:3456::1", false);
        check("2001:db8::1", false);
        check("::ffff:10.0.0.1", false);
        check("::ffff:8.8.8.8", true);
    }
}
