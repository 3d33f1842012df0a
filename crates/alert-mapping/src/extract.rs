//! From an alert to the facts a ticket needs.
//!
//! Entities are read first, since they are structured; the text (title and description) second,
//! for what the entities leave out. Everything here is tolerant: a missing field is an empty
//! value, never an error.

use std::borrow::Cow;

use jiff::Timestamp;
use mcas_client::{Alert, Entity, EntityData, EntityId, Severity};
use url::Url;

use crate::facts::{AlertSource, EntityFact, Facts, TenantContext};
use crate::html::{html_to_text, is_unwanted_char};
use crate::names::{Found, first_sentence, is_clean_line, one_line, one_line_cow};
use crate::scan::{find_emails, find_ips, parse_ip};

/// At most this many users and as many IPs are taken from an alert's text. Entities are taken
/// whole; text is only a fallback, and a hostile description listing thousands of addresses must
/// not spend the day's AbuseIPDB quota.
pub const MAX_FROM_TEXT: usize = 50;

/// Graph's `serviceSource` for Defender for Cloud Apps, the product behind the MCAS API.
pub(crate) const MCAS_SERVICE_SOURCE: &str = "microsoftDefenderForCloudApps";

/// Reads the facts of an alert.
///
/// Never fails: an alert without a description, entities, policy or URL gives facts with those
/// parts empty.
#[must_use]
pub fn extract(alert: &Alert, tenant: &TenantContext) -> Facts {
    let description_text = alert.description.as_deref().map(html_to_text).unwrap_or_default();
    let title = title_line(&alert.title);
    let title = if title.is_empty() { "(untitled alert)".to_owned() } else { title };

    let mut found = Found::default();
    let mut entity_policy: Option<String> = None;
    let mut entities = Vec::with_capacity(alert.entities.len());

    for entity in &alert.entities {
        let fact = entity_fact(entity);
        match entity {
            Entity::User(data) => {
                found
                    .users
                    .add(data.id.as_text().filter(|id| !id.trim().is_empty()).or(data.label.as_deref()));
            }
            Entity::Account(data) => {
                // The e-mail address and the principal name identify the user; the display
                // name only when neither is there.
                let by_address = found.users.add(data.em.as_deref()) | found.users.add(data.pa.as_deref());
                if !by_address && data.em.is_none() && data.pa.is_none() {
                    found.users.add(data.label.as_deref());
                }
            }
            Entity::Ip(data) => {
                let ip =
                    data.id.as_text().and_then(parse_ip).or_else(|| data.label.as_deref().and_then(parse_ip));
                if let Some(ip) = ip {
                    found.ips.add(ip, true);
                }
            }
            Entity::Service(_) => {
                found.services.add(Some(&fact.name));
            }
            Entity::Country(data) => {
                found.countries.add(data.id.as_text().or(data.label.as_deref()));
            }
            Entity::Device(_) => {
                found.devices.add(Some(&fact.name));
            }
            Entity::File(_) => {
                found.files.add(Some(&fact.name));
            }
            Entity::PolicyRule(data) if entity_policy.is_none() => {
                entity_policy = data.label.as_deref().map(one_line).filter(|l| !l.is_empty());
            }
            _ => {}
        }
        entities.push(fact);
    }

    add_from_text(&mut found, &title, &description_text);

    let policy = alert
        .policy
        .as_ref()
        .and_then(|p| p.label.as_deref())
        .map(one_line)
        .filter(|l| !l.is_empty())
        .or(entity_policy);

    Facts {
        source: AlertSource::Mcas,
        alert_id: alert.id.clone(),
        tenant: one_line(&tenant.name),
        summary_sentence: first_sentence(&description_text).unwrap_or_else(|| title.clone()),
        title,
        severity: crate::Severity::from_mcas(alert.severity),
        severity_text: severity_name(alert.severity),
        time: alert.timestamp,
        url: alert_url(alert, tenant),
        description_text,
        policy,
        alert_type: alert_type(alert),
        threat_score: alert.threat_score.filter(|s| s.is_finite()),
        // Every alert of this API is a Defender for Cloud Apps alert, as Graph would say.
        service_source: Some(MCAS_SERVICE_SOURCE.to_owned()),
        detector_id: None,
        category: None,
        mitre_techniques: Vec::new(),
        incident_id: None,
        incident_url: String::new(),
        recommended_actions: String::new(),
        users: found.users.items,
        ips: found.ips.items,
        services: found.services.items,
        countries: found.countries.items,
        devices: found.devices.items,
        files: found.files.items,
        entities,
    }
}

/// The users and IPs an alert's title and description name, after those its structured data
/// named: bounded, since text is only a fallback.
pub(crate) fn add_from_text(found: &mut Found, title: &str, description: &str) {
    let mut from_text = 0;
    for email in find_emails(description) {
        if from_text >= MAX_FROM_TEXT {
            break;
        }
        if found.users.add(Some(&email)) {
            from_text += 1;
        }
    }
    let mut from_text = 0;
    for ip in find_ips(title).into_iter().chain(find_ips(description)) {
        if from_text >= MAX_FROM_TEXT {
            break;
        }
        if found.ips.add(ip, false) {
            from_text += 1;
        }
    }
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

/// A Defender for Cloud Apps severity as a ticket shows it: `High`, `Medium`, `Low`,
/// `Informational`, `Unknown` (none given), `Unknown (7)` (a value MCAS does not document).
#[must_use]
pub fn severity_name(severity: Severity) -> String {
    match crate::Severity::from_mcas(severity) {
        Some(known) => known.display_name().to_owned(),
        None if severity == Severity::ABSENT => "Unknown".to_owned(),
        None => format!("Unknown ({})", severity.value()),
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

/// The title as one line, otherwise as written: a title is plain text, so nothing in it is
/// markup to remove (`<b>`, `{html}`, `[~admin]` are the alert's own words); only what would
/// break the line or mislead a reader goes: control and bidirectional-override characters are
/// removed, and white space (line breaks included) becomes single spaces.
pub(crate) fn title_line(raw: &str) -> String {
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

#[cfg(test)]
mod tests {
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
}
