//! Realistic Defender for Cloud Apps alerts: a weekend's worth for the demo, and any number for
//! benchmarks.
//!
//! The alerts have the documented shape and the oddities real ones have (see
//! `fixtures/samples/mcas/`): entity ids that are integers for services and strings elsewhere,
//! HTML and `__siteIcon__` placeholders in descriptions, `"null"` strings, a missing
//! `resolutionStatusValue` now and then, public and private IPv4 and IPv6 addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::hash::{hash_bytes, mix, mix2, pick};

/// First octets of the IPv4 ranges bulk addresses come from. All are ordinary global unicast
/// space (no private, shared, documentation, benchmarking or reserved blocks), so a pipeline that
/// skips non-public addresses still looks every one of them up.
const V4_FIRST_OCTETS: [u8; 16] = [20, 23, 31, 37, 45, 51, 62, 77, 81, 91, 104, 141, 176, 178, 195, 212];

/// Global unicast IPv6 prefixes (first two groups) for bulk addresses; none is the documentation
/// prefix `2001:db8::/32`.
const V6_PREFIXES: [(u16, u16); 3] = [(0x2a01, 0x04f8), (0x2a02, 0x06b8), (0x2604, 0xa880)];

/// The public address number `k` of the bulk generator: injective in `k` (for `k` below about
/// 100 million), deterministic, and one in ten is IPv6.
pub fn public_ip(k: u64) -> IpAddr {
    if k % 10 == 9 {
        let (a, b) = V6_PREFIXES[(k % 3) as usize];
        // Every bit of k goes into the address, so distinct k give distinct addresses.
        let c = ((k >> 32) & 0xffff) as u16;
        let d = ((k >> 16) & 0xffff) as u16;
        let e = (k & 0xffff) as u16;
        IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0x1000 | (e >> 12), e))
    } else {
        let first = V4_FIRST_OCTETS[(k % 16) as usize];
        // A bijection on 24 bits (odd multiplier, then an invertible xor-shift) scatters
        // consecutive k over the block instead of filling it in order.
        let mut x = ((k / 16) as u32).wrapping_mul(0x009e_3779) & 0x00ff_ffff;
        x ^= x >> 12;
        let [_, b, c, d] = x.to_be_bytes();
        IpAddr::V4(Ipv4Addr::new(first, b, c, d))
    }
}

/// The kinds of alert the generators make.
#[derive(Clone, Copy)]
enum Kind {
    ImpossibleTravel,
    LeakedCredentials,
    MassDownload,
    InboxRule,
    TorActivity,
    FailedLogins,
}

const KINDS: [Kind; 6] = [
    Kind::ImpossibleTravel,
    Kind::LeakedCredentials,
    Kind::MassDownload,
    Kind::InboxRule,
    Kind::TorActivity,
    Kind::FailedLogins,
];

pub(crate) const FIRST_NAMES: [&str; 12] =
    ["Alex", "Maria", "Kenji", "Fatima", "Lars", "Priya", "Tom", "Ana", "Olu", "Chen", "Sofia", "Ivan"];
pub(crate) const LAST_NAMES: [&str; 10] =
    ["Berg", "Okafor", "Tanaka", "Haddad", "Novak", "Iyer", "Walsh", "Silva", "Moreau", "Kowalski"];
pub(crate) const COUNTRIES: [(&str, &str); 10] = [
    ("US", "United States"),
    ("NL", "Netherlands"),
    ("DE", "Germany"),
    ("BR", "Brazil"),
    ("SG", "Singapore"),
    ("NG", "Nigeria"),
    ("RU", "Russia"),
    ("IN", "India"),
    ("FR", "France"),
    ("CN", "China"),
];
/// Exit relays of a well-known Tor operator's range; the fake AbuseIPDB flags this range as Tor.
pub(crate) const TOR_EXITS: [&str; 4] =
    ["185.220.101.34", "185.220.101.47", "185.220.100.252", "185.220.102.8"];
const FILE_NAMES: [&str; 6] = [
    "Q3 budget FINAL.xlsx",
    "customers_export_2024.csv",
    "payroll *confidential* [v2].xlsx",
    "{noformat}board-minutes|draft.docx",
    "source-code.zip",
    "HR - salaries (copy).pdf",
];

/// The pieces every alert is built from.
struct Parts<'a> {
    tenant: &'a str,
    id: String,
    timestamp: i64,
    kind: Kind,
    severity: i64,
    h: u64,
    user_email: String,
    user_name: String,
    public_ips: Vec<IpAddr>,
    private_ip: Option<IpAddr>,
    resolution: Option<i64>,
}

fn policy_id(kind: Kind) -> &'static str {
    match kind {
        Kind::ImpossibleTravel => "5e6fa96cb5172297ca756554",
        Kind::LeakedCredentials => "5e6fa96cb5172297ca75655c",
        Kind::MassDownload => "5e6fa96cb5172297ca756560",
        Kind::InboxRule => "5e6fa96cb5172297ca756566",
        Kind::TorActivity => "5e6fa96cb5172297ca756558",
        Kind::FailedLogins => "5e6fa96cb5172297ca75655e",
    }
}

/// The MCAS alert type number of each kind (alerts of one type share it).
fn type_id(kind: Kind) -> u64 {
    match kind {
        Kind::ImpossibleTravel => 15_728_642,
        Kind::LeakedCredentials => 15_795_457,
        Kind::MassDownload => 15_795_464,
        Kind::InboxRule => 15_859_716,
        Kind::TorActivity => 15_859_721,
        Kind::FailedLogins => 15_728_646,
    }
}

fn ip_entity(ip: IpAddr) -> Value {
    json!({"id": ip.to_string(), "label": ip.to_string(), "type": "ip"})
}

/// Builds one alert in the documented shape.
fn build(p: &Parts<'_>) -> Value {
    let (country, country_name) = pick(p.h >> 8, &COUNTRIES, ("US", "United States"));
    let (country2, country2_name) = pick(p.h >> 16, &COUNTRIES, ("NL", "Netherlands"));
    let ip_list = p
        .public_ips
        .iter()
        .chain(p.private_ip.iter())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" and ");
    let first_ip =
        p.public_ips.first().or(p.private_ip.as_ref()).map(ToString::to_string).unwrap_or_default();
    let file = pick(p.h >> 24, &FILE_NAMES, "report.docx");
    let minutes = 20 + p.h % 180;
    let count = 40 + p.h % 900;
    let (title, policy_label, description) = match p.kind {
        Kind::ImpossibleTravel => (
            "Impossible travel activity".to_owned(),
            "Impossible travel",
            format!(
                "<p>The user {name} ({email}) performed activities from remote locations that are considered an \
                 impossible travel activity.<br>The user performed activities from {ip_list} in {country_name} and \
                 {country2_name} within {minutes} minutes.<br>If these are IP addresses that are known and safe, add \
                 them in the <a href=\"#/subnet\">IP address range page</a> to improve the accuracy of the alerts.</p>",
                name = p.user_name,
                email = p.user_email,
            ),
        ),
        Kind::LeakedCredentials => (
            "Leaked credentials".to_owned(),
            "Leaked credentials",
            format!(
                "<p>Microsoft Entra ID Protection found the credentials of {email} in a public leak. The user's last \
                 sign-in came from {first_ip} __siteIcon__ Microsoft Entra ID.</p><p>Reset the password and revoke \
                 the user's sessions.</p>",
                email = p.user_email,
            ),
        ),
        Kind::MassDownload => (
            format!("Mass download by a single user: {file}"),
            "Mass download by a single user",
            format!(
                "<p>{name} downloaded {count} files in {minutes} minutes from __siteIcon__ Microsoft OneDrive for \
                 Business, including '{file}', from {ip_list}.</p>",
                name = p.user_name,
            ),
        ),
        Kind::InboxRule => (
            "Suspicious inbox manipulation rule".to_owned(),
            "Suspicious inbox manipulation rule",
            format!(
                "<p>The user {name} ({email}) created an inbox rule named <b>'..'</b> that moves messages to RSS \
                 Subscriptions and marks them as read, from {first_ip} __siteIcon__ Microsoft Exchange Online.</p>",
                name = p.user_name,
                email = p.user_email,
            ),
        ),
        Kind::TorActivity => (
            "Activity from a Tor IP address".to_owned(),
            "Activity from anonymous IP addresses",
            format!(
                "<p>The user {name} ({email}) performed {count} activities from {ip_list}, an IP address identified \
                 as a Tor exit node.<br>Activities from anonymizing proxies are often used to hide the origin of an \
                 attack.</p>",
                name = p.user_name,
                email = p.user_email,
            ),
        ),
        Kind::FailedLogins => (
            "Multiple failed login attempts".to_owned(),
            "Multiple failed login attempts",
            format!(
                "<p>{count} failed sign-in attempts on the account of {name} ({email}) from {ip_list} within \
                 {minutes} minutes.</p>",
                name = p.user_name,
                email = p.user_email,
            ),
        ),
    };
    let mut entities = vec![
        json!({"id": policy_id(p.kind), "label": policy_label, "policyType": "ANOMALY_DETECTION", "type": "policyRule"}),
        json!({"id": 11161, "label": "Office 365", "type": "service"}),
    ];
    if matches!(p.kind, Kind::MassDownload) {
        entities.push(json!({"id": 15600, "label": "Microsoft OneDrive for Business", "type": "service"}));
        entities.push(json!({
            "id": format!("{:08x}-52db-4ec8-815b-{:012x}|{:08x}", p.h as u32, p.h >> 16, (p.h >> 32) as u32),
            "label": file,
            "type": "file",
        }));
    }
    entities.push(json!({
        "em": p.user_email,
        "entityType": 2,
        "id": format!("{:08x}-eb0e-463a-ba7b-{:012x}", mix(p.h) as u32, mix(p.h) >> 16),
        "inst": 0,
        "label": p.user_name,
        "pa": p.user_email,
        "saas": 11161,
        "type": "account",
    }));
    entities.push(json!({"id": p.user_email, "label": p.user_email, "type": "user"}));
    for ip in p.public_ips.iter().chain(p.private_ip.iter()) {
        entities.push(ip_entity(*ip));
    }
    entities.push(json!({"id": country, "label": country, "type": "country"}));
    if matches!(p.kind, Kind::ImpossibleTravel) {
        entities.push(json!({"id": country2, "label": country2, "type": "country"}));
    }
    let mut alert = json!({
        "_id": p.id,
        "timestamp": p.timestamp,
        "title": title,
        "description": description,
        "entities": entities,
        "policy": {"id": policy_id(p.kind), "label": policy_label, "policyType": "ANOMALY_DETECTION", "type": "policyRule"},
        "contextId": format!("{:08x}-cafe-4a1e-9c3d-{:012x}", hash_bytes(p.tenant.as_bytes()) as u32, hash_bytes(p.tenant.as_bytes()) >> 16),
        "stories": [0],
        "threatScore": (p.h >> 40) % 100,
        "isSystemAlert": false,
        "isPreview": false,
        // Real alerts share `idValue` by alert type (the number the `alertType` filter takes).
        "idValue": type_id(p.kind),
        "intent": [2],
        "statusValue": 0,
        "severityValue": p.severity,
        "handledByUser": if p.h.is_multiple_of(3) { Value::Null } else { json!("null") },
        "comment": if p.h.is_multiple_of(4) { json!("") } else { Value::Null },
        "evidence": [
            {"title": {"parameters": {"app": "Office 365"}, "template": "ANUBIS_ADMIN_USER_FEATURE"}},
            {"title": {"parameters": {"mitre": {"alternateLink": "https://go.microsoft.com/fwlink/?linkid=2135034", "label": "MITRE", "type": "link"}, "tactic": "INITIAL_ACCESS"}, "template": "ALERTS_MITRE_TACTIC"}},
        ],
        "URL": format!("https://{}.portal.cloudappsecurity.com/#/alerts/{}", p.tenant, p.id),
    });
    if let (Some(resolution), Some(map)) = (p.resolution, alert.as_object_mut()) {
        map.insert("resolutionStatusValue".to_owned(), json!(resolution));
    }
    alert
}

/// A 24-hex alert id shaped like a MongoDB ObjectId: a plausible creation second, a per-tenant
/// middle, and a counter, so that ids are unique per tenant and across tenants.
fn object_id(seconds: u64, tenant_hash: u64, counter: u64) -> String {
    format!("{:08x}{:010x}{:06x}", seconds & 0xffff_ffff, tenant_hash & 0xff_ffff_ffff, counter & 0xff_ffff)
}

fn user(tenant: &str, h: u64) -> (String, String) {
    let first = pick(h, &FIRST_NAMES, "Alex");
    let last = pick(h >> 5, &LAST_NAMES, "Berg");
    let domain = if tenant.is_empty() { "example" } else { tenant };
    (
        format!("{}.{}@{domain}.onmicrosoft.com", first.to_lowercase(), last.to_lowercase()),
        format!("{first} {last}"),
    )
}

/// A weekend's worth of alerts for one tenant: 20 to 40 alerts between Friday evening and
/// Monday morning before `now` (the 60 hours before `now`), oldest first.
///
/// Deterministic for a given `tenant` and `now`. Covers impossible travel, leaked credentials,
/// mass download (file names with wiki-markup characters), suspicious inbox rules, Tor activity
/// and failed logins; severities 0 to 3; public and private IPv4 and IPv6 addresses, some shared
/// between alerts and tenants; several users; a few alerts already closed in the portal.
pub fn demo_alerts(tenant: &str, now: Timestamp) -> Vec<Value> {
    let th = hash_bytes(tenant.as_bytes());
    let n = 20 + th % 21;
    let end = now.as_millisecond() - 5 * 60 * 1000;
    let span: i64 = 60 * 60 * 60 * 1000;
    // A small pool per tenant so that the same public IP shows up in several alerts, plus the
    // Tor exits that every tenant sees.
    let pool: Vec<IpAddr> = (0..6).map(|k| public_ip(th % 1000 * 7 + k)).collect();
    let private: [IpAddr; 4] = [
        IpAddr::V4(Ipv4Addr::new(10, 20, (th % 200) as u8, 17)),
        IpAddr::V4(Ipv4Addr::new(192, 168, 1, 23)),
        IpAddr::V4(Ipv4Addr::new(172, 16, 4, 9)),
        IpAddr::V6(Ipv6Addr::new(0xfd12, 0x3456, 0x789a, 1, 0, 0, 0, 0x42)),
    ];
    let mut alerts = Vec::new();
    for i in 0..n {
        let h = mix2(th, i);
        let kind = KINDS[(i % KINDS.len() as u64) as usize];
        // Spread over the window, oldest first, with jitter inside each slot.
        let slot = span / n as i64;
        let timestamp = end - span + slot * i as i64 + (h % slot.max(1) as u64) as i64;
        let (user_email, user_name) = user(tenant, mix(h) % 7);
        let public_ips = match kind {
            Kind::TorActivity => {
                vec![pick(h, &TOR_EXITS, "185.220.101.34").parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))]
            }
            Kind::ImpossibleTravel => vec![pick(h, &pool, pool[0]), pick(h >> 7, &pool, pool[1])],
            Kind::LeakedCredentials if h.is_multiple_of(2) => Vec::new(),
            _ => vec![pick(h >> 3, &pool, pool[2])],
        };
        let private_ip =
            (h.is_multiple_of(3) || public_ips.is_empty()).then(|| pick(h >> 11, &private, private[0]));
        let severity = match kind {
            Kind::LeakedCredentials | Kind::TorActivity => 2,
            Kind::FailedLogins => 3 * ((h >> 20) % 2) as i64,
            _ => ((h >> 20) % 3) as i64,
        };
        // Most alerts are open; a few were closed in the portal before we ran, and some lack the
        // field altogether, as real ones do.
        let resolution = match h % 13 {
            0 => Some(4),
            1 | 2 => None,
            _ => Some(0),
        };
        let seconds = (timestamp / 1000) as u64;
        let parts = Parts {
            tenant,
            id: object_id(seconds, th, i),
            timestamp,
            kind,
            severity,
            h,
            user_email,
            user_name,
            public_ips,
            private_ip,
            resolution,
        };
        let mut alert = build(&parts);
        if i % 5 == 1 {
            // Real alerts carry the service entity's id as a string now and then.
            if let Some(entity) = alert.pointer_mut("/entities/1/id") {
                *entity = json!("11161");
            }
        }
        alerts.push(alert);
    }
    alerts
}

/// Generates `n` alerts lazily for benchmarks: alert `i` is computed on demand from the seed, so
/// 100,000 alerts cost no memory until they are rendered.
///
/// - ids are unique (24 hex digits, unique per tenant and across tenants);
/// - timestamps ascend (never decrease), 600 ms apart on average, and every 50th alert shares
///   its millisecond with the previous one, as real alerts sometimes do; the last one is ten
///   minutes before the generator was made, unless [`BulkAlerts::ending_at`] says otherwise;
/// - the public IPs of all `n` alerts together are exactly `unique_public_ips` distinct addresses
///   (from [`public_ip`], numbers `0..unique_public_ips`, or from
///   [`BulkAlerts::first_public_ip`] on; none when `n` is 0); some alerts also carry a private
///   address, which does not count;
/// - each alert is about 1.5 KB of JSON.
#[derive(Debug, Clone)]
pub struct BulkAlerts {
    seed: u64,
    n: u64,
    tenant: String,
    tenant_hash: u64,
    unique_public_ips: u64,
    first_ip: u64,
    end_ms: i64,
    step_ms: i64,
}

/// Average spacing of bulk alert timestamps.
const BULK_STEP_MS: i64 = 600;

impl BulkAlerts {
    /// A generator of `n` alerts for `tenant` with exactly `unique_public_ips` distinct public IPs.
    pub fn new(seed: u64, n: u64, tenant: &str, unique_public_ips: u64) -> Self {
        let end_ms = Timestamp::now().as_millisecond() - 10 * 60 * 1000;
        BulkAlerts {
            seed,
            n,
            tenant: tenant.to_owned(),
            tenant_hash: mix2(seed, hash_bytes(tenant.as_bytes())),
            unique_public_ips,
            first_ip: 0,
            end_ms,
            step_ms: BULK_STEP_MS,
        }
    }

    /// Numbers the public IPs from `first` on instead of from 0, so that tenants of one scenario
    /// can see addresses of their own (tenant `t` from `t * k`: neighbouring tenants share some,
    /// as tenants attacked by the same sources do).
    #[must_use]
    pub fn first_public_ip(mut self, first: u64) -> Self {
        self.first_ip = first;
        self
    }

    /// Pins the timestamp of the last alert, for output that does not depend on the clock.
    #[must_use]
    pub fn ending_at(mut self, end: Timestamp) -> Self {
        self.end_ms = end.as_millisecond();
        self
    }

    /// Spreads the alerts `step` apart on average (default 600 ms), e.g. a day's alerts over a
    /// day rather than minutes.
    #[must_use]
    pub fn every(mut self, step: std::time::Duration) -> Self {
        self.step_ms = i64::try_from(step.as_millis()).unwrap_or(i64::MAX).max(1);
        self
    }

    /// The number of alerts.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether there are no alerts.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The tenant name the alerts' URLs and users are built from.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The `_id` of alert `i`.
    pub fn id(&self, i: u64) -> String {
        object_id(0x6700_0000 + (self.seed % 0x00ff_ffff), self.tenant_hash, i)
    }

    /// The `timestamp` (epoch milliseconds) of alert `i`.
    pub fn timestamp(&self, i: u64) -> i64 {
        let i = i.min(self.n);
        // Every 50th alert repeats its predecessor's millisecond; the others advance by the step.
        let advanced = i - i / 50;
        let start = self.end_ms - self.step_ms * (self.n - self.n / 50) as i64;
        start + self.step_ms * advanced as i64
    }

    /// The `severityValue` of alert `i` (0 to 3).
    pub fn severity(&self, i: u64) -> i64 {
        (mix2(self.tenant_hash, i) >> 20) as i64 % 4
    }

    /// The public IPs of alert `i`.
    pub fn public_ips(&self, i: u64) -> Vec<IpAddr> {
        let u = self.unique_public_ips;
        if u == 0 || self.n == 0 {
            return Vec::new();
        }
        // Alert i carries address numbers i, i + n, i + 2n, ... below u, so the union over all
        // alerts is exactly 0..u; when n >= u that is just i mod u.
        let ip = |k: u64| public_ip(self.first_ip + k);
        let mut ips: Vec<IpAddr> = if self.n >= u {
            vec![ip(i % u)]
        } else {
            (i..u).step_by(usize::try_from(self.n).unwrap_or(usize::MAX)).map(ip).collect()
        };
        if matches!(self.kind(i), Kind::ImpossibleTravel) && u > 1 {
            let second = ip((i + 1) % u);
            if !ips.contains(&second) {
                ips.push(second);
            }
        }
        ips
    }

    fn kind(&self, i: u64) -> Kind {
        KINDS[(mix2(self.tenant_hash, i) % KINDS.len() as u64) as usize]
    }

    /// Alert `i` (`i` below [`len`](Self::len)) in the documented shape.
    pub fn get(&self, i: u64) -> Value {
        let h = mix2(self.tenant_hash, i);
        let (user_email, user_name) = user(&self.tenant, mix(h) % 97);
        let private_ip =
            h.is_multiple_of(4).then(|| IpAddr::V4(Ipv4Addr::new(10, (h >> 8) as u8, (h >> 16) as u8, 7)));
        let parts = Parts {
            tenant: &self.tenant,
            id: self.id(i),
            timestamp: self.timestamp(i),
            kind: self.kind(i),
            severity: self.severity(i),
            h,
            user_email,
            user_name,
            public_ips: self.public_ips(i),
            private_ip,
            resolution: Some(0),
        };
        build(&parts)
    }

    /// All alerts in order, generated one at a time.
    pub fn iter(&self) -> impl Iterator<Item = Value> + '_ {
        (0..self.n).map(|i| self.get(i))
    }
}

/// `n` alerts for `tenant` whose public IPs are exactly `unique_public_ips` distinct addresses,
/// timestamps ascending. See [`BulkAlerts`] for the invariants, and use it directly for large `n`:
/// this materialises every alert.
pub fn bulk_alerts(seed: u64, n: u64, tenant: &str, unique_public_ips: u64) -> Vec<Value> {
    BulkAlerts::new(seed, n, tenant, unique_public_ips).iter().collect()
}
