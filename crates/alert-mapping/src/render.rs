//! The ticket's description: a facts table, the alert's description, and its entities.
//!
//! The document is built from the rich-text model of `jira-client`, which renders it for either
//! deployment and treats every string as untrusted; this module only decides what goes where.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;

use jira_client::richtext::{Block, Document, Inline, Table};

use crate::extract::format_time;
use crate::facts::{AlertSource, Facts, FoundIp, service_source_name};
use crate::reputation::Reputation;

/// At most this many IPs are listed in the facts table, and as many entities in the entities
/// section; the rest are counted.
const MAX_LISTED: usize = 100;

/// The description's text is cut to this many characters before the document is assembled, so
/// that the facts table and entities still fit Jira's 32,767-character limit.
const MAX_DESCRIPTION_CHARS: usize = 24_000;

/// The recommended actions (Graph alerts) are cut to this many characters, for the same reason.
const MAX_ACTIONS_CHARS: usize = 4_000;

/// What a ticket says about the reputation of one of the alert's IPs.
fn reputation_text(found: &FoundIp, reputations: &HashMap<IpAddr, Reputation>) -> String {
    match reputations.get(&found.ip) {
        Some(Reputation::Known(facts)) => facts.describe(),
        Some(Reputation::NotLookedUp { reason }) => format!("not looked up: {reason}"),
        Some(Reputation::Unavailable { reason }) => format!("unavailable: {reason}"),
        None if !found.public => "not looked up: not a public address".to_owned(),
        None => "not looked up".to_owned(),
    }
}

/// What the ticket says about the reputation of each of the alert's IPs, in the order of
/// `facts.ips`.
pub(crate) fn reputation_texts(facts: &Facts, reputations: &HashMap<IpAddr, Reputation>) -> Vec<String> {
    facts.ips.iter().map(|found| reputation_text(found, reputations)).collect()
}

/// One line per IP: `203.0.113.7: score 100/100, ...`, from [`reputation_texts`].
pub(crate) fn reputation_lines(facts: &Facts, reputation: &[String]) -> String {
    let mut out = String::new();
    for (found, text) in facts.ips.iter().zip(reputation) {
        if !out.is_empty() {
            out.push('\n');
        }
        // Writing to a `String` cannot fail.
        out.push_str(&ip_text(found.ip));
        out.push_str(": ");
        out.push_str(text);
    }
    out
}

/// Cuts `text` to at most `max` characters, on a character boundary, marking the cut. Text that
/// fits, nearly always, is borrowed.
pub(crate) fn cut_chars<'a>(text: &'a str, max: usize, note: &str) -> Cow<'a, str> {
    // A character is at least one byte: text of at most `max` bytes fits without counting.
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}… {note}", &text[..end])),
    }
}

/// A cell listing items one per line, or a placeholder when there are none; `push` appends the
/// inlines of one item.
fn lines_cell<T>(items: &[T], none: &str, mut push: impl FnMut(&mut Vec<Inline>, &T)) -> Vec<Inline> {
    let mut cell = Vec::with_capacity(2 * items.len().min(MAX_LISTED) + 1);
    for item in items.iter().take(MAX_LISTED) {
        if !cell.is_empty() {
            cell.push(Inline::HardBreak);
        }
        push(&mut cell, item);
    }
    if let Some(more) = more(items.len()) {
        cell.push(Inline::HardBreak);
        cell.push(more);
    }
    if cell.is_empty() {
        cell.push(Inline::text(none));
    }
    cell
}

/// "… and N more" when a list is longer than what is shown of it.
fn more(count: usize) -> Option<Inline> {
    (count > MAX_LISTED).then(|| Inline::text(format!("… and {} more", count - MAX_LISTED)))
}

/// Builds the description document of an alert's ticket; `reputation` is from
/// [`reputation_texts`].
///
/// Built for few allocations, since every ticket's is made and dropped: each cell's text is one
/// string where the renderings would show the same thing for several.
pub(crate) fn description(facts: &Facts, reputation: &[String]) -> Document {
    let graph = facts.source == AlertSource::Graph;
    let link = if facts.url.is_empty() {
        vec![Inline::text("not available")]
    } else if graph {
        vec![Inline::link("Open the alert in the Microsoft Defender portal", facts.url.clone())]
    } else {
        vec![Inline::link("Open the alert in Defender for Cloud Apps", facts.url.clone())]
    };
    let mut table = Table { header: Vec::new(), rows: Vec::with_capacity(16) }
        .fact("Tenant", vec![Inline::text(facts.tenant.clone())])
        .fact("Severity", vec![Inline::text(&facts.severity_text)])
        .fact("Time (UTC)", vec![Inline::text(format_time(facts.time))])
        .fact("Alert", link)
        .fact("Alert id", vec![Inline::code(facts.alert_id.as_str())]);
    if graph {
        table = graph_facts(table, facts);
    }
    if let Some(policy) = &facts.policy {
        table = table.fact("Policy", vec![Inline::text(policy.clone())]);
    }
    if let Some(score) = facts.threat_score {
        table = table.fact("Threat score", vec![Inline::text(format!("{score}"))]);
    }
    let users = lines_cell(&facts.users, "none found", |cell, user| cell.push(Inline::text(user.clone())));
    table = table.fact("Affected users", users);
    let ips: Vec<(&FoundIp, &String)> = facts.ips.iter().zip(reputation).collect();
    let ips = lines_cell(&ips, "none found", |cell, (found, text)| {
        cell.push(Inline::code(ip_text(found.ip)));
        let origin = if found.from_entity { "" } else { " (found in the text)" };
        match found.country {
            Some(country) => cell.push(Inline::text(concat(&[" (", country.as_str(), ") — ", text, origin]))),
            None => cell.push(Inline::text(concat(&[" — ", text, origin]))),
        }
    });
    table = table.fact("IP addresses", ips);
    for (key, values) in
        [("Apps", &facts.services), ("Countries", &facts.countries), ("Devices", &facts.devices)]
    {
        if !values.is_empty() {
            let mut text = String::new();
            for value in values.iter().take(MAX_LISTED) {
                if !text.is_empty() {
                    text.push_str(", ");
                }
                text.push_str(value);
            }
            if let Some(extra) = values.len().checked_sub(MAX_LISTED).filter(|&n| n > 0) {
                // Writing to a `String` cannot fail.
                let _ = write!(text, " … and {extra} more");
            }
            table = table.fact(key, vec![Inline::text(text)]);
        }
    }

    let mut blocks = Vec::with_capacity(5);
    blocks.push(Block::Table(table));
    blocks.push(heading("Description"));
    // One text with its line breaks: both renderings break the line at each newline.
    let text = if facts.description_text.is_empty() {
        Cow::Borrowed("(no description)")
    } else {
        cut_chars(&facts.description_text, MAX_DESCRIPTION_CHARS, "(description cut)")
    };
    blocks.push(Block::Paragraph(vec![Inline::text(text.into_owned())]));
    if !facts.recommended_actions.is_empty() {
        blocks.push(heading("Recommended actions"));
        let text = cut_chars(&facts.recommended_actions, MAX_ACTIONS_CHARS, "(cut)");
        blocks.push(Block::Paragraph(vec![Inline::text(text.into_owned())]));
    }
    if !facts.entities.is_empty() {
        let mut items: Vec<Vec<Block>> = Vec::with_capacity(facts.entities.len().min(MAX_LISTED) + 1);
        for entity in facts.entities.iter().take(MAX_LISTED) {
            let rest = match &entity.detail {
                Some(detail) => concat(&[": ", &entity.name, " (", detail, ")"]),
                None => concat(&[": ", &entity.name]),
            };
            items.push(vec![Block::Paragraph(vec![Inline::strong(entity.kind.clone()), Inline::text(rest)])]);
        }
        items.extend(more(facts.entities.len()).map(|more| vec![Block::Paragraph(vec![more])]));
        blocks.push(heading(if graph { "Evidence" } else { "Entities" }));
        blocks.push(Block::BulletList(items));
    }
    Document::from(blocks)
}

/// The rows only a Graph alert has: the product, the detector, MITRE ATT&CK, the incident.
fn graph_facts(mut table: Table, facts: &Facts) -> Table {
    if let Some(source) = &facts.service_source {
        table = table.fact("Product", vec![Inline::text(service_source_name(source))]);
    }
    if let Some(detector) = &facts.detector_id {
        table = table.fact("Detector", vec![Inline::code(detector.clone())]);
    }
    let techniques = facts.mitre_techniques.join(", ");
    let mitre = match (&facts.category, techniques.is_empty()) {
        (Some(category), false) => Some(concat(&[category, ": ", &techniques])),
        (Some(category), true) => Some(category.clone()),
        (None, false) => Some(techniques),
        (None, true) => None,
    };
    if let Some(mitre) = mitre {
        table = table.fact("MITRE ATT&CK", vec![Inline::text(mitre)]);
    }
    let incident = match (&facts.incident_id, facts.incident_url.is_empty()) {
        (Some(id), false) => Some(Inline::link(concat(&["Incident ", id]), facts.incident_url.clone())),
        (None, false) => Some(Inline::link("Open the incident", facts.incident_url.clone())),
        (Some(id), true) => Some(Inline::text(id.clone())),
        (None, true) => None,
    };
    if let Some(incident) = incident {
        table = table.fact("Incident", vec![incident]);
    }
    table
}

/// A level-3 heading.
fn heading(text: &str) -> Block {
    Block::Heading { level: 3, content: vec![Inline::text(text)] }
}

/// An address as text; IPv4, nearly every address, without the formatting machinery.
fn ip_text(ip: IpAddr) -> String {
    let IpAddr::V4(v4) = ip else { return ip.to_string() };
    let mut out = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if octet >= 100 {
            out.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            out.push(char::from(b'0' + octet / 10 % 10));
        }
        out.push(char::from(b'0' + octet % 10));
    }
    out
}

/// The parts as one string, allocated once: cheaper than `format!` for plain strings.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| out.push_str(p));
    out
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    #[test]
    fn ip_text_is_the_display_form() {
        for ip in [
            "0.0.0.0",
            "1.2.3.4",
            "10.20.30.40",
            "100.101.199.255",
            "255.255.255.255",
            "2001:db8::1",
            "::ffff:1.2.3.4",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(super::ip_text(ip), ip.to_string());
        }
        for octet in 0..=255u8 {
            let ip = IpAddr::from([octet, 0, 9, octet]);
            assert_eq!(super::ip_text(ip), ip.to_string());
        }
    }
}
