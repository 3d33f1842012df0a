//! From a Microsoft Graph security alert (`alerts_v2`) to the same facts as a Defender for Cloud
//! Apps alert gives.
//!
//! The evidence is read first, since it is structured: users from user and mailbox evidence,
//! IP addresses (with their country) from IP evidence, apps from cloud-application and OAuth
//! evidence, and devices and files from the kinds this crate keeps raw. The text (title and
//! description, which Graph gives as plain text) second, for what the evidence leaves out.

use graph_security_client::{
    Alert, CloudApplicationEvidence, Evidence, EvidenceCommon, MailboxEvidence, OauthApplicationEvidence,
    OtherEvidence, Severity as GraphSeverity, UserEvidence,
};
use mcas_client::AlertId;
use serde_json::Value;
use url::Url;

use crate::extract::{add_from_text, title_line};
use crate::facts::{AlertSource, CountryCode, EntityFact, Facts, TenantContext};
use crate::html::clean_text;
use crate::names::{Found, first_sentence, one_line};
use crate::scan::parse_ip;

/// Reads the facts of a Graph security alert.
///
/// Never fails: an alert without a description, evidence or links gives facts with those parts
/// empty. A severity Graph adds later (or `unknown`) is no [`Severity`](crate::Severity): it
/// matches no rule's severity condition and maps to no priority, and the ticket shows it as
/// `Unknown (<name>)`.
///
/// ```
/// use alert_mapping::{AlertSource, TenantContext, extract_graph};
/// use graph_security_client::Alert;
///
/// let alert = Alert::from_json(&serde_json::json!({
///     "id": "da638681154220931147_-1306548972",
///     "createdDateTime": "2026-11-28T22:10:22.0931147Z",
///     "title": "Impossible travel activity",
///     "severity": "high",
///     "serviceSource": "microsoftDefenderForCloudApps",
///     "evidence": [
///         {"@odata.type": "#microsoft.graph.security.userEvidence",
///          "userAccount": {"userPrincipalName": "ana.folau@tailspintoys.com"}},
///         {"@odata.type": "#microsoft.graph.security.ipEvidence",
///          "ipAddress": "203.0.113.48", "countryLetterCode": "NZ"},
///     ],
/// }))?;
/// let facts = extract_graph(&alert, &TenantContext::new("tailspin"));
/// assert_eq!(facts.source, AlertSource::Graph);
/// assert_eq!(facts.users, ["ana.folau@tailspintoys.com"]);
/// assert_eq!(facts.ips[0].country.map(|c| c.to_string()).as_deref(), Some("NZ"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn extract_graph(alert: &Alert, tenant: &TenantContext) -> Facts {
    let description_text = alert.description.as_deref().map(clean_text).unwrap_or_default();
    let title = title_line(&alert.title);
    let title = if title.is_empty() { "(untitled alert)".to_owned() } else { title };

    let mut found = Found::default();
    let mut entities = Vec::with_capacity(alert.evidence.len());

    for evidence in &alert.evidence {
        let fact = match evidence {
            Evidence::User(user) => {
                let name = user.user_account.as_ref().and_then(|account| account.best_name());
                found.users.add(name.as_deref());
                user_fact(user, name)
            }
            Evidence::Mailbox(mailbox) => {
                let name = mailbox_name(mailbox);
                found.users.add(name.as_deref());
                mailbox_fact(mailbox, name)
            }
            Evidence::Ip(ip) => {
                let address = ip.ip_address.as_deref().and_then(parse_ip);
                let country = ip.country_letter_code.as_deref().and_then(CountryCode::parse);
                if let Some(address) = address {
                    found.ips.add_in(address, true, country);
                }
                found.countries.add(country.as_ref().map(CountryCode::as_str));
                let name = match address {
                    Some(address) => address.to_string(),
                    None => ip.ip_address.as_deref().map(one_line).unwrap_or_default(),
                };
                let country = country.map(|code| format!("country {code}"));
                fact("ip", name, [country, roles(&ip.common)])
            }
            Evidence::CloudApplication(app) => {
                let name = app_name(app);
                found.services.add(name.as_deref());
                let id = app.app_id.map(|id| format!("app id {id}"));
                fact("cloudApplication", name.unwrap_or_default(), [id, roles(&app.common)])
            }
            Evidence::OauthApplication(app) => {
                let name = text(&app.display_name).or_else(|| text(&app.app_id));
                found.services.add(name.as_deref());
                oauth_fact(app, name)
            }
            Evidence::Other(other) => {
                let (kind, name) = other_name(other);
                match kind {
                    "device" => found.devices.add(name.as_deref()),
                    "file" | "process" => found.files.add(name.as_deref()),
                    _ => false,
                };
                fact(kind, name.unwrap_or_default(), [verdict(&other.common), roles(&other.common)])
            }
            // The evidence enum may grow; a kind added later still gets an entry.
            other => fact(
                other.odata_type().map_or("evidence", kind_of),
                String::new(),
                [None, roles(other.common())],
            ),
        };
        entities.push(fact);
    }

    add_from_text(&mut found, &title, &description_text);

    Facts {
        source: AlertSource::Graph,
        alert_id: AlertId::new(alert.id.as_str()),
        tenant: one_line(&tenant.name),
        summary_sentence: first_sentence(&description_text).unwrap_or_else(|| title.clone()),
        title,
        severity: crate::Severity::from_graph(&alert.severity),
        severity_text: severity_text(&alert.severity),
        time: alert.created_date_time,
        url: web_url(alert.alert_web_url.as_deref()),
        description_text,
        policy: None,
        alert_type: None,
        threat_score: None,
        service_source: alert.service_source.as_ref().map(|s| one_line(s.as_str())).filter(|s| !s.is_empty()),
        detector_id: text(&alert.detector_id),
        category: text(&alert.category),
        mitre_techniques: alert
            .mitre_techniques
            .iter()
            .map(|t| one_line(t))
            .filter(|t| !t.is_empty())
            .collect(),
        incident_id: text(&alert.incident_id),
        incident_url: web_url(alert.incident_web_url.as_deref()),
        recommended_actions: alert.recommended_actions.as_deref().map(clean_text).unwrap_or_default(),
        users: found.users.items,
        ips: found.ips.items,
        services: found.services.items,
        countries: found.countries.items,
        devices: found.devices.items,
        files: found.files.items,
        entities,
    }
}

/// Graph's severity as a ticket shows it: as an MCAS one, with the name of a value Graph added
/// later (`Unknown (critical)`).
fn severity_text(severity: &GraphSeverity) -> String {
    match (crate::Severity::from_graph(severity), severity) {
        (Some(known), _) => known.display_name().to_owned(),
        (None, GraphSeverity::Unknown) => "Unknown".to_owned(),
        (None, other) => format!("Unknown ({})", one_line(other.as_str())),
    }
}

/// Optional text as one clean line, `None` when empty.
fn text(value: &Option<String>) -> Option<String> {
    value.as_deref().map(one_line).filter(|v| !v.is_empty())
}

/// A web link as the ticket may show it: an `http(s)` URL, else nothing.
fn web_url(url: Option<&str>) -> String {
    url.map(str::trim)
        .and_then(|url| Url::parse(url).ok())
        .filter(|url| matches!(url.scheme(), "https" | "http"))
        .map(String::from)
        .unwrap_or_default()
}

/// An entity fact from its parts; the details present are joined with commas.
fn fact<const N: usize>(kind: &str, name: String, details: [Option<String>; N]) -> EntityFact {
    let detail: Vec<String> = details.into_iter().flatten().filter(|d| !d.is_empty()).collect();
    let name = if name.is_empty() { "(unnamed)".to_owned() } else { name };
    EntityFact { kind: kind.to_owned(), name, detail: (!detail.is_empty()).then(|| detail.join(", ")) }
}

fn roles(common: &EvidenceCommon) -> Option<String> {
    let roles: Vec<&str> = common.roles.iter().map(|role| role.as_str()).collect();
    match roles.as_slice() {
        [] => None,
        [one] => Some(format!("role {}", one_line(one))),
        many => Some(format!("roles {}", one_line(&many.join(", ")))),
    }
}

fn verdict(common: &EvidenceCommon) -> Option<String> {
    common.verdict.as_ref().map(|verdict| format!("verdict {}", one_line(verdict.as_str())))
}

fn user_fact(user: &UserEvidence, name: Option<String>) -> EntityFact {
    let display = user.user_account.as_ref().and_then(|account| text(&account.display_name));
    let display = display.filter(|display| Some(display) != name.as_ref());
    let name =
        name.or_else(|| user.user_account.as_ref().and_then(|account| text(&account.azure_ad_user_id)));
    fact("user", name.unwrap_or_default(), [display, roles(&user.common)])
}

/// The mailbox's address: its primary address, else its principal name, else its account's.
fn mailbox_name(mailbox: &MailboxEvidence) -> Option<String> {
    text(&mailbox.primary_address)
        .or_else(|| text(&mailbox.upn))
        .or_else(|| mailbox.user_account.as_ref().and_then(|account| account.best_name()))
        .or_else(|| text(&mailbox.display_name))
}

fn mailbox_fact(mailbox: &MailboxEvidence, name: Option<String>) -> EntityFact {
    let display = text(&mailbox.display_name).filter(|display| Some(display) != name.as_ref());
    fact("mailbox", name.unwrap_or_default(), [display, roles(&mailbox.common)])
}

fn app_name(app: &CloudApplicationEvidence) -> Option<String> {
    text(&app.display_name).or_else(|| text(&app.instance_name))
}

fn oauth_fact(app: &OauthApplicationEvidence, name: Option<String>) -> EntityFact {
    let publisher = text(&app.publisher).map(|publisher| format!("publisher {publisher}"));
    let id = text(&app.app_id).filter(|id| Some(id) != name.as_ref()).map(|id| format!("app id {id}"));
    fact("oauthApplication", name.unwrap_or_default(), [publisher, id, roles(&app.common)])
}

/// `device` for `#microsoft.graph.security.deviceEvidence`.
fn kind_of(odata_type: &str) -> &str {
    let name = odata_type.rsplit('.').next().unwrap_or(odata_type);
    name.strip_suffix("Evidence").filter(|n| !n.is_empty()).unwrap_or(name)
}

/// The kind of evidence this crate does not type, and the best name its raw JSON offers: a
/// device's DNS name, a file's name, a URL, a display name.
fn other_name(other: &OtherEvidence) -> (&str, Option<String>) {
    let kind = other.kind().unwrap_or("evidence");
    let field = |path: &[&str]| {
        let mut value = &other.raw;
        for key in path {
            value = value.get(key)?;
        }
        value.as_str().map(one_line).filter(|v| !v.is_empty())
    };
    let name = field(&["deviceDnsName"])
        .or_else(|| field(&["fileDetails", "fileName"]))
        .or_else(|| field(&["imageFile", "fileName"]))
        .or_else(|| field(&["url"]))
        .or_else(|| field(&["displayName"]))
        .or_else(|| field(&["name"]))
        .or_else(|| match other.raw.get("processCommandLine") {
            Some(Value::String(line)) => Some(one_line(line)).filter(|l| !l.is_empty()),
            _ => None,
        });
    (kind, name)
}
