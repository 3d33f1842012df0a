//! From an alert to the facts a ticket needs.
//!
//! Entities are read first, since they are structured; the text (title and description) second,
//! for what the entities leave out. Everything here is tolerant: a missing field is an empty
//! value, never an error.

use std::borrow::Cow;
use std::collections::HashSet;
use std::net::IpAddr;

use abuseipdb_client::is_worth_lookup;
use jiff::Timestamp;
use mcas_client::{Alert, AlertId, Entity, EntityData, EntityId, Severity};
use url::Url;

use crate::html::{clean_text, html_to_text, is_unwanted_char};
use crate::scan::{find_emails, find_ips, parse_ip};

/// At most this many users and as many IPs are taken from an alert's text. Entities are taken
/// whole; text is only a fallback, and a hostile description listing thousands of addresses must
/// not spend the day's AbuseIPDB quota.
pub const MAX_FROM_TEXT: usize = 50;

/// The longest summary sentence taken from a description, in characters; a longer first sentence
/// gives way to the title.
const MAX_SENTENCE_CHARS: usize = 300;

/// What the mapping needs to know about the tenant an alert came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantContext {
    /// The tenant's name, as in the config.
    pub name: String,
    /// The tenant's portal, `https://<tenant>.<region>.portal.cloudappsecurity.com`, used to build
    /// the link to an alert that carries no usable `URL` of its own.
    pub portal_url: Option<Url>,
}

impl TenantContext {
    /// A tenant without a portal URL.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), portal_url: None }
    }

    /// Sets the portal URL.
    #[must_use]
    pub fn portal_url(mut self, url: Url) -> Self {
        self.portal_url = Some(url);
        self
    }
}

/// An IP address found in an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FoundIp {
    /// The address; IPv4-mapped IPv6 addresses are given as IPv4.
    pub ip: IpAddr,
    /// Whether it is a public address, worth an AbuseIPDB lookup.
    pub public: bool,
    /// Whether an `ip` entity named it (otherwise it was found in the text).
    pub from_entity: bool,
}

/// One entity of an alert, for the ticket's entities section.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntityFact {
    /// The entity type as MCAS names it: `user`, `account`, `ip`, `service`, `policyRule`...
    pub kind: String,
    /// Its display name (the label, or the id when there is no label).
    pub name: String,
    /// More about it when the name does not say it all: the id, an account's e-mail, the role.
    pub detail: Option<String>,
}

/// Everything a ticket is made of, read from one alert.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Facts {
    /// The alert id.
    pub alert_id: AlertId,
    /// The tenant's name.
    pub tenant: String,
    /// The title as written, on one line: white space collapsed, control and bidi characters
    /// removed, nothing else (a title is plain text); never empty.
    pub title: String,
    /// The severity.
    pub severity: Severity,
    /// When the alert was raised.
    pub time: Timestamp,
    /// The link to the alert in the portal: the alert's own `URL` when it is an `http(s)` URL,
    /// otherwise built from the tenant's portal URL; empty when neither is available.
    pub url: String,
    /// The first sentence of the description, or the title.
    pub summary_sentence: String,
    /// The description as plain text (see [`html_to_text`]); may be empty.
    pub description_text: String,
    /// The name of the policy that raised the alert.
    pub policy: Option<String>,
    /// The alert's type: its `alertType` when present, otherwise its `idValue` (the number the
    /// API's `alertType` filter takes).
    pub alert_type: Option<String>,
    /// The threat score, 0 to 100.
    pub threat_score: Option<f64>,
    /// Affected users: e-mail addresses or names, from the entities first and the text second,
    /// without duplicates (compared case-insensitively).
    pub users: Vec<String>,
    /// IP addresses, from the entities first and the text second, without duplicates.
    pub ips: Vec<FoundIp>,
    /// Apps and services.
    pub services: Vec<String>,
    /// Countries (ISO codes as MCAS gives them).
    pub countries: Vec<String>,
    /// Devices.
    pub devices: Vec<String>,
    /// Files.
    pub files: Vec<String>,
    /// Every entity, in the alert's order.
    pub entities: Vec<EntityFact>,
}

impl Facts {
    /// The public addresses to look up, without duplicates, entities' first.
    #[must_use]
    pub fn lookup_ips(&self) -> Vec<IpAddr> {
        // `ips` has no duplicates already.
        self.ips.iter().filter(|found| found.public).map(|found| found.ip).collect()
    }
}

/// Reads the facts of an alert.
///
/// Never fails: an alert without a description, entities, policy or URL gives facts with those
/// parts empty.
#[must_use]
pub fn extract(alert: &Alert, tenant: &TenantContext) -> Facts {
    let description_text = alert.description.as_deref().map(html_to_text).unwrap_or_default();
    let title = title_line(&alert.title);
    let title = if title.is_empty() { "(untitled alert)".to_owned() } else { title };

    let mut users = Names::default();
    let mut ips = Ips::default();
    let mut services = Names::default();
    let mut countries = Names::default();
    let mut devices = Names::default();
    let mut files = Names::default();
    let mut entity_policy: Option<String> = None;
    let mut entities = Vec::with_capacity(alert.entities.len());

    for entity in &alert.entities {
        let fact = entity_fact(entity);
        match entity {
            Entity::User(data) => {
                users.add(data.id.as_text().filter(|id| !id.trim().is_empty()).or(data.label.as_deref()));
            }
            Entity::Account(data) => {
                // The e-mail address and the principal name identify the user; the display
                // name only when neither is there.
                let by_address = users.add(data.em.as_deref()) | users.add(data.pa.as_deref());
                if !by_address && data.em.is_none() && data.pa.is_none() {
                    users.add(data.label.as_deref());
                }
            }
            Entity::Ip(data) => {
                let ip =
                    data.id.as_text().and_then(parse_ip).or_else(|| data.label.as_deref().and_then(parse_ip));
                if let Some(ip) = ip {
                    ips.add(ip, true);
                }
            }
            Entity::Service(_) => {
                services.add(Some(&fact.name));
            }
            Entity::Country(data) => {
                countries.add(data.id.as_text().or(data.label.as_deref()));
            }
            Entity::Device(_) => {
                devices.add(Some(&fact.name));
            }
            Entity::File(_) => {
                files.add(Some(&fact.name));
            }
            Entity::PolicyRule(data) if entity_policy.is_none() => {
                entity_policy = data.label.as_deref().map(one_line).filter(|l| !l.is_empty());
            }
            _ => {}
        }
        entities.push(fact);
    }

    // The text second, bounded.
    let mut from_text = 0;
    for email in find_emails(&description_text) {
        if from_text >= MAX_FROM_TEXT {
            break;
        }
        if users.add(Some(&email)) {
            from_text += 1;
        }
    }
    let mut from_text = 0;
    for ip in find_ips(&title).into_iter().chain(find_ips(&description_text)) {
        if from_text >= MAX_FROM_TEXT {
            break;
        }
        if ips.add(ip, false) {
            from_text += 1;
        }
    }

    let policy = alert
        .policy
        .as_ref()
        .and_then(|p| p.label.as_deref())
        .map(one_line)
        .filter(|l| !l.is_empty())
        .or(entity_policy);

    Facts {
        alert_id: alert.id.clone(),
        tenant: one_line(&tenant.name),
        summary_sentence: first_sentence(&description_text).unwrap_or_else(|| title.clone()),
        title,
        severity: alert.severity,
        time: alert.timestamp,
        url: alert_url(alert, tenant),
        description_text,
        policy,
        alert_type: alert_type(alert),
        threat_score: alert.threat_score.filter(|s| s.is_finite()),
        users: users.items,
        ips: ips.items,
        services: services.items,
        countries: countries.items,
        devices: devices.items,
        files: files.items,
        entities,
    }
}

/// A list of names without duplicates (compared case-insensitively) or empty entries.
///
/// An alert names a handful of users or apps, so a new name is compared with the ones before it;
/// only a long list (a hostile alert with thousands of entities) gets a set of lowercased names.
#[derive(Default)]
struct Names {
    items: Vec<String>,
    /// The lowercased items, once there are more than [`Names::LINEAR`].
    seen: Option<HashSet<String>>,
}

impl Names {
    /// Up to this many names are compared one by one.
    const LINEAR: usize = 16;

    /// Adds a name; whether it was new.
    fn add(&mut self, name: Option<&str>) -> bool {
        let Some(name) = name.map(one_line_cow).filter(|n| !n.is_empty()) else { return false };
        let new = match &mut self.seen {
            Some(seen) => seen.insert(name.to_lowercase()),
            None => !self.items.iter().any(|item| same_name(item, &name)),
        };
        if new {
            self.items.push(name.into_owned());
            if self.seen.is_none() && self.items.len() > Self::LINEAR {
                self.seen = Some(self.items.iter().map(|item| item.to_lowercase()).collect());
            }
        }
        new
    }
}

/// The IP addresses found so far, without duplicates; like [`Names`], compared one by one while
/// there are few.
#[derive(Default)]
struct Ips {
    items: Vec<FoundIp>,
    seen: Option<HashSet<IpAddr>>,
}

impl Ips {
    /// Adds an address; whether it was new.
    fn add(&mut self, ip: IpAddr, from_entity: bool) -> bool {
        let new = match &mut self.seen {
            Some(seen) => seen.insert(ip),
            None => !self.items.iter().any(|found| found.ip == ip),
        };
        if new {
            self.items.push(FoundIp { ip, public: is_worth_lookup(ip), from_entity });
            if self.seen.is_none() && self.items.len() > Names::LINEAR {
                self.seen = Some(self.items.iter().map(|found| found.ip).collect());
            }
        }
        new
    }
}

/// Whether two names are the same but for case: their `to_lowercase` forms are equal, as in
/// the set of a long list. ASCII, nearly every name, is compared without lowercasing copies.
fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.to_lowercase() == b.to_lowercase()
}

/// Text as one clean line: unwanted characters removed, white space collapsed.
pub(crate) fn one_line(text: &str) -> String {
    one_line_cow(text).into_owned()
}

/// The title as one line, otherwise as written: a title is plain text, so nothing in it is
/// markup to remove (`<b>`, `{html}`, `[~admin]` are the alert's own words); only what would
/// break the line or mislead a reader goes: control and bidirectional-override characters are
/// removed, and white space (line breaks included) becomes single spaces.
fn title_line(raw: &str) -> String {
    if is_clean_line(raw) {
        return raw.to_owned();
    }
    let mut line = String::with_capacity(raw.len());
    for word in raw.split(|c: char| c.is_whitespace() || c.is_control()) {
        let start = line.len();
        if start > 0 {
            line.push(' ');
        }
        line.extend(word.chars().filter(|&c| !is_unwanted_char(c)));
        if line.len() == start + usize::from(start > 0) {
            // Nothing of the word was kept: nor its separator.
            line.truncate(start);
        }
    }
    line
}

/// [`one_line`], borrowing text that is clean already (most names and ids are): cleaning them
/// would only copy them.
fn one_line_cow(text: &str) -> Cow<'_, str> {
    if is_clean_line(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(clean_text(text).replace('\n', " "))
}

/// Whether [`clean_text`] would leave `text` as it is and it is one line: printable ASCII
/// words separated by single spaces, and no `__` that could belong to a placeholder.
fn is_clean_line(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    // One pass: printable ASCII, and no space or underscore twice in a row.
    let mut previous = 0u8;
    for &byte in bytes {
        if !(b' '..=b'~').contains(&byte) || (byte == previous && matches!(byte, b' ' | b'_')) {
            return false;
        }
        previous = byte;
    }
    true
}

fn name_of(data: &EntityData) -> String {
    match data.label.as_deref().map(one_line_cow).filter(|l| !l.is_empty()) {
        Some(label) => label.into_owned(),
        None => id_line(&data.id).into_owned(),
    }
}

/// An entity's id as one clean line.
fn id_line(id: &EntityId) -> Cow<'_, str> {
    match id.as_text() {
        Some(text) => one_line_cow(text),
        None => Cow::Owned(id.to_string()),
    }
}

fn entity_fact(entity: &Entity) -> EntityFact {
    let Some(data) = entity.data() else {
        let name =
            entity.label().map(one_line).filter(|l| !l.is_empty()).unwrap_or_else(|| "(unnamed)".to_owned());
        return EntityFact { kind: one_line(entity.kind()), name, detail: None };
    };
    let name = name_of(data);
    // The details, written into one string: "e-mail, principal name" or "id ...", then the role.
    let mut detail = String::new();
    let mut first_extra: Option<Cow<'_, str>> = None;
    for extra in [data.em.as_deref(), data.pa.as_deref()].into_iter().flatten() {
        let extra = one_line_cow(extra);
        if extra.is_empty() || extra.eq_ignore_ascii_case(&name) || first_extra.as_ref() == Some(&extra) {
            continue;
        }
        if !detail.is_empty() {
            detail.push_str(", ");
        }
        detail.push_str(&extra);
        first_extra.get_or_insert(extra);
    }
    if detail.is_empty() {
        let id = id_line(&data.id);
        if !id.is_empty() && *id != *name {
            detail.push_str("id ");
            detail.push_str(&id);
        }
    }
    if let Some(role) = data.entity_role.as_deref().map(one_line_cow).filter(|r| !r.is_empty()) {
        if !detail.is_empty() {
            detail.push_str(", ");
        }
        detail.push_str("role ");
        detail.push_str(&role);
    }
    EntityFact { kind: entity.kind().to_owned(), name, detail: (!detail.is_empty()).then_some(detail) }
}

/// The alert's link: its own `URL` if that is a web URL, else one built from the portal URL.
fn alert_url(alert: &Alert, tenant: &TenantContext) -> String {
    if let Some(url) = alert.url.as_deref().map(str::trim)
        && let Ok(parsed) = Url::parse(url)
        && matches!(parsed.scheme(), "https" | "http")
    {
        return parsed.into();
    }
    let Some(portal) = &tenant.portal_url else { return String::new() };
    // The id goes in the fragment; anything but letters and digits is percent-encoded so that a
    // strange id cannot change the link's meaning.
    let mut id = String::new();
    for byte in alert.id.as_str().bytes() {
        if byte.is_ascii_alphanumeric() {
            id.push(char::from(byte));
        } else {
            id.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{}/#/alerts/{id}", portal.as_str().trim_end_matches('/'))
}

fn alert_type(alert: &Alert) -> Option<String> {
    let from_extra = alert.extra.get("alertType").and_then(|v| match v {
        serde_json::Value::String(s) => Some(one_line(s)),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    from_extra.filter(|t| !t.is_empty()).or_else(|| alert.id_value.map(|v| v.to_string()))
}

/// The first sentence of the text: up to the first `.`, `!` or `?` followed by white space, on
/// the first line. `None` when there is no text or the sentence is too long to summarise.
fn first_sentence(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut end = line.len();
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|&(_, next)| next.is_whitespace()) {
            end = i + c.len_utf8();
            break;
        }
    }
    let sentence = line[..end].trim();
    (!sentence.is_empty() && sentence.chars().count() <= MAX_SENTENCE_CHARS).then(|| sentence.to_owned())
}

/// The severity as a ticket shows it: `High`, `Medium`, `Low`, `Informational`, `Unknown (7)`.
#[must_use]
pub fn severity_name(severity: Severity) -> String {
    match severity {
        Severity::High => "High".to_owned(),
        Severity::Medium => "Medium".to_owned(),
        Severity::Low => "Low".to_owned(),
        Severity::Informational => "Informational".to_owned(),
        Severity::Unknown(n) if n == Severity::ABSENT.value() => "Unknown".to_owned(),
        Severity::Unknown(n) => format!("Unknown ({n})"),
    }
}

/// A time as a ticket shows it: `2021-07-13 16:18:15 UTC`.
pub(crate) fn format_time(time: Timestamp) -> String {
    let at = jiff::tz::Offset::UTC.to_datetime(time);
    let Ok(year) = u16::try_from(at.year()) else {
        // Years before 0: rare enough for the general formatter.
        return time.strftime("%Y-%m-%d %H:%M:%S UTC").to_string();
    };
    // Written digit by digit: `strftime` parses its format every time, for every ticket.
    let mut out = String::with_capacity(23);
    let mut digits = |value: u16, width: u32, after: char| {
        for place in (0..width).rev() {
            out.push(char::from(b'0' + (value / 10u16.pow(place) % 10) as u8));
        }
        out.push(after);
    };
    digits(year, 4, '-');
    digits(u16::from(at.month().unsigned_abs()), 2, '-');
    digits(u16::from(at.day().unsigned_abs()), 2, ' ');
    digits(u16::from(at.hour().unsigned_abs()), 2, ':');
    digits(u16::from(at.minute().unsigned_abs()), 2, ':');
    digits(u16::from(at.second().unsigned_abs()), 2, ' ');
    out.push_str("UTC");
    out
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::{Ips, Names, clean_text, one_line};

    #[test]
    fn times_are_written_like_strftime() {
        for text in [
            "2021-07-13T16:18:15.126Z",
            "1970-01-01T00:00:00Z",
            "0999-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
            "-000001-06-01T12:00:00Z",
            "9999-12-30T21:59:59.999Z",
            "2024-02-29T09:05:07Z",
        ] {
            let time: jiff::Timestamp = text.parse().unwrap();
            assert_eq!(
                super::format_time(time),
                time.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
                "{text}"
            );
        }
    }

    #[test]
    fn names_drop_duplicates_before_and_after_the_switch_to_a_set() {
        let mut names = Names::default();
        // Past the linear limit, so that the set takes over half-way.
        let many: Vec<String> = (0..40).map(|i| format!("User{i}@Example.com")).collect();
        for name in &many {
            assert!(names.add(Some(name)));
        }
        for name in &many {
            assert!(!names.add(Some(&name.to_uppercase())), "{name}");
            assert!(!names.add(Some(&name.to_lowercase())), "{name}");
        }
        assert!(!names.add(Some(" user3@example.com ")), "cleaned before comparing");
        assert!(!names.add(Some("")) && !names.add(None));
        assert_eq!(names.items, many);

        // Non-ASCII compares as `to_lowercase` does, on either side of the switch.
        for mut names in [Names::default(), Names { items: Vec::new(), seen: Some(Default::default()) }] {
            assert!(names.add(Some("Éloïse")));
            assert!(!names.add(Some("ÉLOÏSE")));
            assert!(names.add(Some("Eloise")));
            assert_eq!(names.items, ["Éloïse", "Eloise"]);
        }
    }

    #[test]
    fn ips_drop_duplicates_before_and_after_the_switch_to_a_set() {
        let mut ips = Ips::default();
        let many: Vec<IpAddr> = (0..40u8).map(|i| IpAddr::from([45, 33, 32, i])).collect();
        for ip in &many {
            assert!(ips.add(*ip, true));
        }
        for ip in &many {
            assert!(!ips.add(*ip, false));
        }
        assert_eq!(ips.items.iter().map(|found| found.ip).collect::<Vec<_>>(), many);
        assert!(ips.items.iter().all(|found| found.from_entity && found.public));
    }

    #[test]
    fn one_line_takes_clean_text_as_it_is_and_cleans_the_rest() {
        for text in [
            "",
            "alice@example.com",
            "Impossible travel activity",
            " leading",
            "trailing ",
            "two  spaces",
            "tab\there",
            "line\nbreak",
            "del\u{7f}x",
            "File __siteIcon__ matched",
            "__init__.py",
            "été",
            "bidi \u{202E}x",
        ] {
            assert_eq!(one_line(text), clean_text(text).replace('\n', " "), "{text:?}");
        }
    }
}
