//! The ticket's description: a facts table, the alert's description, and its entities.
//!
//! The document is built from the rich-text model of `jira-client`, which renders it for either
//! deployment and treats every string as untrusted; this module only decides what goes where.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;

use jira_client::richtext::{Document, Inline, Table};

use crate::extract::{Facts, FoundIp, format_time, severity_name};
use crate::reputation::Reputation;

/// At most this many IPs are listed in the facts table, and as many entities in the entities
/// section; the rest are counted.
const MAX_LISTED: usize = 100;

/// The description's text is cut to this many characters before the document is assembled, so
/// that the facts table and entities still fit Jira's 32,767-character limit.
const MAX_DESCRIPTION_CHARS: usize = 24_000;

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
        let _ = write!(out, "{}: {text}", found.ip);
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

/// Cells listing items one per line, or a placeholder when there are none.
fn lines_cell(items: impl IntoIterator<Item = Vec<Inline>>, none: &str) -> Vec<Inline> {
    let mut cell = Vec::new();
    for item in items {
        if !cell.is_empty() {
            cell.push(Inline::HardBreak);
        }
        cell.extend(item);
    }
    if cell.is_empty() {
        cell.push(Inline::text(none));
    }
    cell
}

fn more(count: usize) -> Option<Vec<Inline>> {
    (count > MAX_LISTED).then(|| vec![Inline::text(format!("… and {} more", count - MAX_LISTED))])
}

/// Builds the description document of an alert's ticket; `reputation` is from
/// [`reputation_texts`].
pub(crate) fn description(facts: &Facts, reputation: &[String]) -> Document {
    let link = if facts.url.is_empty() {
        vec![Inline::text("not available")]
    } else {
        vec![Inline::link("Open the alert in Defender for Cloud Apps", facts.url.clone())]
    };
    let mut table = Table::default()
        .fact("Tenant", vec![Inline::text(facts.tenant.clone())])
        .fact("Severity", vec![Inline::text(severity_name(facts.severity))])
        .fact("Time (UTC)", vec![Inline::text(format_time(facts.time))])
        .fact("Alert", link)
        .fact("Alert id", vec![Inline::code(facts.alert_id.as_str())]);
    if let Some(policy) = &facts.policy {
        table = table.fact("Policy", vec![Inline::text(policy.clone())]);
    }
    if let Some(score) = facts.threat_score {
        table = table.fact("Threat score", vec![Inline::text(format!("{score}"))]);
    }
    let users = facts.users.iter().take(MAX_LISTED).map(|u| vec![Inline::text(u.clone())]);
    table = table.fact("Affected users", lines_cell(users.chain(more(facts.users.len())), "none found"));
    let ips = facts.ips.iter().zip(reputation).take(MAX_LISTED).map(|(found, text)| {
        let mut line = vec![Inline::code(found.ip.to_string()), Inline::text(" — ")];
        line.push(Inline::text(text.clone()));
        if !found.from_entity {
            line.push(Inline::text(" (found in the text)"));
        }
        line
    });
    table = table.fact("IP addresses", lines_cell(ips.chain(more(facts.ips.len())), "none found"));
    for (key, values) in
        [("Apps", &facts.services), ("Countries", &facts.countries), ("Devices", &facts.devices)]
    {
        if !values.is_empty() {
            let listed = values.iter().take(MAX_LISTED).cloned().collect::<Vec<_>>().join(", ");
            let extra = values.len().saturating_sub(MAX_LISTED);
            let text = if extra > 0 { format!("{listed} … and {extra} more") } else { listed };
            table = table.fact(key, vec![Inline::text(text)]);
        }
    }

    let mut doc = Document::new().table(table).heading(3, "Description");
    doc = if facts.description_text.is_empty() {
        doc.paragraph(vec![Inline::text("(no description)")])
    } else {
        doc.text_paragraph(&cut_chars(&facts.description_text, MAX_DESCRIPTION_CHARS, "(description cut)"))
    };
    if !facts.entities.is_empty() {
        let items = facts.entities.iter().take(MAX_LISTED).map(|entity| {
            let mut item = Vec::with_capacity(3);
            item.push(Inline::strong(entity.kind.clone()));
            item.push(Inline::text(concat(&[": ", &entity.name])));
            if let Some(detail) = &entity.detail {
                item.push(Inline::text(concat(&[" (", detail, ")"])));
            }
            item
        });
        let items: Vec<Vec<Inline>> = items.chain(more(facts.entities.len())).collect();
        doc = doc.heading(3, "Entities").bullet_list(items);
    }
    doc
}

/// The parts as one string, allocated once: cheaper than `format!` for plain strings.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| out.push_str(p));
    out
}
