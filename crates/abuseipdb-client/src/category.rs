//! The abuse categories of a report, by AbuseIPDB's numbers.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An abuse category, as numbered by AbuseIPDB (<https://www.abuseipdb.com/categories>).
///
/// Numbers this version does not know are kept in [`Category::Other`]; build categories from
/// numbers with [`Category::from_id`], which never puts a known number there. Two categories are
/// equal when their numbers are.
///
/// ```
/// use abuseipdb_client::Category;
/// assert_eq!(Category::from_id(22), Category::Ssh);
/// assert_eq!(Category::BruteForce.id(), 18);
/// assert_eq!(Category::from_id(99), Category::Other(99));
/// ```
#[derive(Debug, Clone, Copy, Eq)]
#[non_exhaustive]
pub enum Category {
    /// 1: altering DNS records so that they resolve to a malicious server.
    DnsCompromise,
    /// 2: falsifying DNS caches.
    DnsPoisoning,
    /// 3: fraudulent orders.
    FraudOrders,
    /// 4: taking part in a distributed denial of service.
    DdosAttack,
    /// 5: FTP brute force.
    FtpBruteForce,
    /// 6: oversized IP packets.
    PingOfDeath,
    /// 7: phishing sites or mail.
    Phishing,
    /// 8: VoIP fraud.
    FraudVoip,
    /// 9: open proxy, open relay, or Tor exit node.
    OpenProxy,
    /// 10: comment, forum or referer spam.
    WebSpam,
    /// 11: spam mail.
    EmailSpam,
    /// 12: blog comment spam.
    BlogSpam,
    /// 13: a VPN address (used together with other categories).
    VpnIp,
    /// 14: scanning for open ports.
    PortScan,
    /// 15: hacking.
    Hacking,
    /// 16: SQL injection attempts.
    SqlInjection,
    /// 17: spoofing.
    Spoofing,
    /// 18: credential brute force on logins of any service.
    BruteForce,
    /// 19: scrapers and crawlers that ignore `robots.txt`.
    BadWebBot,
    /// 20: a host that is likely infected and used for other attacks.
    ExploitedHost,
    /// 21: probing for or exploiting web applications.
    WebAppAttack,
    /// 22: SSH abuse (used together with more specific categories).
    Ssh,
    /// 23: abuse aimed at Internet of Things devices.
    IotTargeted,
    /// A number this version does not know.
    Other(u8),
}

/// The documented categories with their numbers and names, in one table so that the three
/// conversions cannot disagree.
const KNOWN: [(Category, u8, &str); 23] = [
    (Category::DnsCompromise, 1, "DNS Compromise"),
    (Category::DnsPoisoning, 2, "DNS Poisoning"),
    (Category::FraudOrders, 3, "Fraud Orders"),
    (Category::DdosAttack, 4, "DDoS Attack"),
    (Category::FtpBruteForce, 5, "FTP Brute-Force"),
    (Category::PingOfDeath, 6, "Ping of Death"),
    (Category::Phishing, 7, "Phishing"),
    (Category::FraudVoip, 8, "Fraud VoIP"),
    (Category::OpenProxy, 9, "Open Proxy"),
    (Category::WebSpam, 10, "Web Spam"),
    (Category::EmailSpam, 11, "Email Spam"),
    (Category::BlogSpam, 12, "Blog Spam"),
    (Category::VpnIp, 13, "VPN IP"),
    (Category::PortScan, 14, "Port Scan"),
    (Category::Hacking, 15, "Hacking"),
    (Category::SqlInjection, 16, "SQL Injection"),
    (Category::Spoofing, 17, "Spoofing"),
    (Category::BruteForce, 18, "Brute-Force"),
    (Category::BadWebBot, 19, "Bad Web Bot"),
    (Category::ExploitedHost, 20, "Exploited Host"),
    (Category::WebAppAttack, 21, "Web App Attack"),
    (Category::Ssh, 22, "SSH"),
    (Category::IotTargeted, 23, "IoT Targeted"),
];

impl Category {
    /// Every documented category, in number order.
    pub const ALL: [Category; 23] = {
        let mut all = [Category::Other(0); 23];
        let mut i = 0;
        while i < KNOWN.len() {
            all[i] = KNOWN[i].0;
            i += 1;
        }
        all
    };

    /// The category with AbuseIPDB's number `id`.
    pub fn from_id(id: u8) -> Self {
        KNOWN.iter().find(|(_, n, _)| *n == id).map_or(Category::Other(id), |(c, _, _)| *c)
    }

    /// AbuseIPDB's number of the category.
    pub fn id(self) -> u8 {
        match self {
            Category::Other(id) => id,
            known => KNOWN.iter().find(|(c, _, _)| c.same_variant(&known)).map_or(0, |(_, n, _)| *n),
        }
    }

    /// AbuseIPDB's name of the category, e.g. "Brute-Force"; `None` for an unknown number.
    pub fn name(self) -> Option<&'static str> {
        let id = self.id();
        KNOWN.iter().find(|(_, n, _)| *n == id).map(|(_, _, name)| *name)
    }

    fn same_variant(&self, other: &Category) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

impl PartialEq for Category {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Hash for Category {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl PartialOrd for Category {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Category {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id().cmp(&other.id())
    }
}

impl fmt::Display for Category {
    /// The name, or `category <n>` for an unknown number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "category {}", self.id()),
        }
    }
}

impl From<u8> for Category {
    fn from(id: u8) -> Self {
        Category::from_id(id)
    }
}

impl From<Category> for u8 {
    fn from(category: Category) -> u8 {
        category.id()
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.id())
    }
}

impl<'de> Deserialize<'de> for Category {
    /// Accepts a number or a numeric string.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let id = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        id.and_then(|id| u8::try_from(id).ok())
            .map(Category::from_id)
            .ok_or_else(|| D::Error::custom("a category number from 0 to 255"))
    }
}

/// The `categories` value of a report: the numbers, comma separated.
#[cfg(feature = "client")]
pub(crate) fn join(categories: &[Category]) -> String {
    categories.iter().map(|c| c.id().to_string()).collect::<Vec<_>>().join(",")
}
