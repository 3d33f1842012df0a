//! Realistic alerts as Microsoft Graph gives them: mostly Defender for Cloud Apps alerts, with
//! evidence of each kind (users, mailboxes, IPs with their country, cloud and OAuth apps,
//! devices, files, and a kind no client knows yet), and a few alerts of other products so that
//! a `serviceSource` filter has something to leave out.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::hash::{hash_bytes, mix, mix2, pick};
use crate::scenario::{COUNTRIES, FIRST_NAMES, LAST_NAMES, TOR_EXITS, public_ip};

/// The kinds of alert the generator makes.
#[derive(Clone, Copy)]
enum Kind {
    ImpossibleTravel,
    MassDownload,
    InboxForwarding,
    RiskyOauthApp,
    TorActivity,
    /// Microsoft Entra ID Protection: another product.
    LeakedCredentials,
    /// Microsoft Defender for Endpoint: another product, with device, file and process evidence.
    Malware,
}

/// How often each kind comes up: Defender for Cloud Apps kinds most of the time.
const KINDS: [Kind; 10] = [
    Kind::ImpossibleTravel,
    Kind::ImpossibleTravel,
    Kind::MassDownload,
    Kind::InboxForwarding,
    Kind::InboxForwarding,
    Kind::RiskyOauthApp,
    Kind::TorActivity,
    Kind::TorActivity,
    Kind::LeakedCredentials,
    Kind::Malware,
];

fn evidence(kind: &str, created: &str, roles: &[&str], fields: Value) -> Value {
    let mut item = json!({
        "@odata.type": format!("#microsoft.graph.security.{kind}"),
        "createdDateTime": created,
        "verdict": if roles.contains(&"attacker") { "malicious" } else { "suspicious" },
        "remediationStatus": "none",
        "remediationStatusDetails": null,
        "roles": roles,
        "tags": [],
    });
    if let (Value::Object(item), Value::Object(fields)) = (&mut item, fields) {
        item.extend(fields);
    }
    item
}

fn user_account(email: &str, name: &str, h: u64) -> Value {
    let (account, domain) = email.split_once('@').unwrap_or((email, ""));
    json!({
        "accountName": account,
        "domainName": domain,
        "userSid": null,
        "azureAdUserId": format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", h as u32, (h >> 32) as u16, (h >> 48) & 0xfff, (h >> 20) & 0xfff, mix(h) >> 16),
        "userPrincipalName": email,
        "displayName": name,
    })
}

/// Builds one alert: number `i` of the tenant, created at `created`.
fn build(tenant_id: &str, tenant_hash: u64, i: u64, created: Timestamp) -> Value {
    let h = mix2(tenant_hash, i);
    let kind = pick(h, &KINDS, Kind::ImpossibleTravel);
    let first = pick(h >> 8, &FIRST_NAMES, "Alex");
    let last = pick(h >> 13, &LAST_NAMES, "Berg");
    let domain = format!("{}.onmicrosoft.com", tenant_id.split(['.', '-']).next().unwrap_or("tenant"));
    let email = format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase());
    let name = format!("{first} {last}");
    let (country, country_name) = pick(h >> 17, &COUNTRIES, ("US", "United States"));
    let (country2, country2_name) = pick(h >> 21, &COUNTRIES, ("NL", "Netherlands"));
    let ip = public_ip(h % 5_000);
    let ip2 = public_ip((h >> 24) % 5_000);
    let tor = pick(h >> 29, &TOR_EXITS, "185.220.101.34");
    let at = created.to_string();
    let minutes = 15 + h % 120;
    let count = 50 + h % 900;
    let user = evidence(
        "userEvidence",
        &at,
        &["compromised"],
        json!({"userAccount": user_account(&email, &name, h)}),
    );
    let office = evidence(
        "cloudApplicationEvidence",
        &at,
        &["contextual"],
        json!({"appId": 11161, "displayName": "Office 365", "instanceId": 0, "instanceName": "Office 365", "saasAppId": 11161}),
    );
    let ip_evidence = |address: &str, code: &str, roles: &[&str]| {
        evidence("ipEvidence", &at, roles, json!({"ipAddress": address, "countryLetterCode": code}))
    };
    let (
        service,
        detection,
        detector,
        title,
        description,
        actions,
        category,
        techniques,
        severity,
        evidence_list,
    ) = match kind {
        Kind::ImpossibleTravel => (
            "microsoftDefenderForCloudApps",
            "cloudAppSecurity",
            "ImpossibleTravel",
            "Impossible travel activity".to_owned(),
            format!(
                "The user {name} ({email}) signed in from {ip} in {country_name} and from {ip2} in {country2_name} \
                     within {minutes} minutes."
            ),
            "Confirm the sign-ins with the user.\nIf they were not theirs, revoke the sessions and reset the password.",
            "InitialAccess",
            vec!["T1078", "T1078.004"],
            "medium",
            vec![
                user,
                ip_evidence(&ip.to_string(), country, &["source"]),
                ip_evidence(&ip2.to_string(), country2, &["source"]),
                office,
            ],
        ),
        Kind::MassDownload => (
            "microsoftDefenderForCloudApps",
            "cloudAppSecurity",
            "MassDownload",
            "Mass download by a single user".to_owned(),
            format!(
                "{name} downloaded {count} files from OneDrive for Business in {minutes} minutes from {ip}."
            ),
            "Check whether the download was expected; suspend the user if not.",
            "Exfiltration",
            vec!["T1530"],
            "medium",
            vec![
                user,
                ip_evidence(&ip.to_string(), country, &["source"]),
                evidence(
                    "cloudApplicationEvidence",
                    &at,
                    &[],
                    json!({"appId": 15600, "displayName": "Microsoft OneDrive for Business", "instanceId": 0, "instanceName": "Microsoft OneDrive for Business", "saasAppId": 15600}),
                ),
                evidence(
                    "fileEvidence",
                    &at,
                    &[],
                    json!({"fileDetails": {"fileName": "customers_export.csv", "filePath": "/personal/documents", "fileSize": 48_213_004}}),
                ),
            ],
        ),
        Kind::InboxForwarding => (
            "microsoftDefenderForCloudApps",
            "cloudAppSecurity",
            "SuspiciousInboxForwarding",
            "Suspicious inbox forwarding".to_owned(),
            format!(
                "A rule that forwards every message to an external address was created on the mailbox of {name} \
                     ({email}) from {ip}."
            ),
            "Remove the rule if the user did not create it.\nReset the user's password and revoke their sessions.",
            "Collection",
            vec!["T1114.003"],
            "medium",
            vec![
                evidence(
                    "mailboxEvidence",
                    &at,
                    &["compromised"],
                    json!({"displayName": name, "primaryAddress": email, "upn": email, "userAccount": user_account(&email, &name, h)}),
                ),
                ip_evidence(&ip.to_string(), country, &["attacker"]),
                evidence(
                    "cloudApplicationEvidence",
                    &at,
                    &["contextual"],
                    json!({"appId": 20893, "displayName": "Microsoft Exchange Online", "instanceId": 0, "instanceName": "Microsoft Exchange Online", "saasAppId": 20893}),
                ),
            ],
        ),
        Kind::RiskyOauthApp => (
            "microsoftDefenderForCloudApps",
            "cloudAppSecurity",
            "OAuthAppWithRiskyPermissions",
            "Unusual addition of credentials to an OAuth app".to_owned(),
            format!(
                "{name} ({email}) granted the OAuth app 'Mail Organizer Pro' access to read and send mail."
            ),
            "Review the app's permissions and revoke them if the app is not trusted.",
            "Persistence",
            vec!["T1098.001"],
            "high",
            vec![
                user,
                evidence(
                    "oauthApplicationEvidence",
                    &at,
                    &["attacker"],
                    json!({
                        "appId": format!("{:08x}-0c6e-4b58-9e1d-{:012x}", h as u32, h >> 16),
                        "displayName": "Mail Organizer Pro",
                        "objectId": format!("{:08x}-25d3-4f8a-8c6b-{:012x}", mix(h) as u32, mix(h) >> 16),
                        "publisher": "Unverified publisher",
                    }),
                ),
                office,
                // A kind of evidence no client knows yet: it must be kept, not fail the alert.
                evidence(
                    "aiAgentEvidence",
                    &at,
                    &[],
                    json!({"agentName": "Inbox Copilot", "hostingPlatform": "copilotStudio"}),
                ),
            ],
        ),
        Kind::TorActivity => (
            "microsoftDefenderForCloudApps",
            "cloudAppSecurity",
            "AnonymousIpActivity",
            "Activity from a Tor IP address".to_owned(),
            format!("The user {name} ({email}) performed {count} activities from {tor}, a Tor exit node."),
            "Block sign-ins from anonymizing proxies with a Conditional Access policy.",
            "InitialAccess",
            vec!["T1090.003"],
            "high",
            vec![user, ip_evidence(tor, "DE", &["attacker"]), office],
        ),
        Kind::LeakedCredentials => (
            "azureAdIdentityProtection",
            "azureAdIdentityProtection",
            "LeakedCredentials",
            "Leaked credentials".to_owned(),
            format!("The credentials of {email} were found in a public leak."),
            "Reset the user's password.",
            "CredentialAccess",
            vec!["T1589.001"],
            "high",
            vec![user],
        ),
        Kind::Malware => (
            "microsoftDefenderForEndpoint",
            "antivirus",
            "a1b2c3d4-0000-4000-8000-5e0a7c2f9d11",
            "Suspicious PowerShell command line".to_owned(),
            format!("A suspicious PowerShell command ran on a device used by {name}."),
            "Isolate the device and run a full scan.",
            "Execution",
            vec!["T1059.001"],
            "low",
            vec![
                evidence(
                    "deviceEvidence",
                    &at,
                    &["compromised"],
                    json!({"deviceDnsName": format!("{}-laptop.{domain}", first.to_lowercase()), "osPlatform": "Windows11", "mdeDeviceId": format!("{h:016x}")}),
                ),
                evidence(
                    "processEvidence",
                    &at,
                    &[],
                    json!({"processCommandLine": "powershell.exe -enc SQBFAFgA", "imageFile": {"fileName": "powershell.exe"}}),
                ),
            ],
        ),
    };
    let id = format!(
        "da{:018}_{}",
        638_000_000_000_000_000 + created.as_second().unsigned_abs() % 1_000_000_000 * 1_000 + i % 1_000,
        h as i32
    );
    // A few alerts already handled in the portal, and now and then a value added to an enum
    // after v1.0 (Graph names it only to clients that ask with the `Prefer` header).
    let (status, classification, determination, resolved) = match h % 11 {
        0 => (
            "resolved",
            "truePositive",
            "compromisedAccount",
            json!(created.checked_add(SignedDuration::from_hours(3)).unwrap_or(created).to_string()),
        ),
        1 => ("inProgress", "unknown", "unknown", Value::Null),
        _ => ("new", "unknown", "unknown", Value::Null),
    };
    let detection = if h % 17 == 5 { "microsoftDefenderForAiServices" } else { detection };
    let tenant = format!(
        "{:08x}-{:04x}-4{:03x}-9{:03x}-{:012x}",
        tenant_hash as u32,
        (tenant_hash >> 32) as u16,
        (tenant_hash >> 48) & 0xfff,
        (tenant_hash >> 20) & 0xfff,
        mix(tenant_hash) >> 16
    );
    let incident = 4000 + (h % 6000);
    json!({
        "@odata.type": "#microsoft.graph.security.alert",
        "id": id,
        "providerAlertId": format!("{:024x}", u128::from(h) << 32 | u128::from(i as u32)),
        "incidentId": incident.to_string(),
        "status": status,
        "severity": severity,
        "classification": classification,
        "determination": determination,
        "serviceSource": service,
        "detectionSource": detection,
        "detectorId": detector,
        "tenantId": tenant,
        "title": title,
        "description": description,
        "recommendedActions": actions,
        "category": category,
        "assignedTo": null,
        "alertWebUrl": format!("https://security.microsoft.com/alerts/{id}?tid={tenant}"),
        "incidentWebUrl": format!("https://security.microsoft.com/incidents/{incident}?tid={tenant}"),
        "actorDisplayName": null,
        "threatDisplayName": null,
        "threatFamilyName": null,
        "mitreTechniques": techniques,
        "createdDateTime": at,
        "lastUpdateDateTime": created.checked_add(SignedDuration::from_secs(40)).unwrap_or(created).to_string(),
        "resolvedDateTime": resolved,
        "firstActivityDateTime": created.checked_sub(SignedDuration::from_mins(minutes as i64)).unwrap_or(created).to_string(),
        "lastActivityDateTime": created.checked_sub(SignedDuration::from_mins(2)).unwrap_or(created).to_string(),
        "comments": [],
        "systemTags": [],
        "evidence": evidence_list,
    })
}

/// A weekend's worth of alerts for one tenant: 15 to 30 alerts in the 60 hours before `now`,
/// newest first, as Graph lists them.
///
/// Deterministic for a given `tenant_id` and `now`. About four in five are Defender for Cloud
/// Apps alerts (impossible travel, mass download, inbox forwarding, risky OAuth apps, Tor
/// activity); the others are Entra ID Protection and Defender for Endpoint alerts. A few are
/// already resolved or in progress; some carry an evidence kind or an enum value that a client
/// written today does not know.
pub fn demo_alerts(tenant_id: &str, now: Timestamp) -> Vec<Value> {
    let tenant_hash = hash_bytes(tenant_id.as_bytes());
    let n = 15 + tenant_hash % 16;
    let step = 60 * 60 * 60 / (n + 1);
    let mut alerts: Vec<Value> = (0..n)
        .map(|i| {
            let jitter = mix2(tenant_hash, i + 1000) % step;
            let seconds_ago = i64::try_from((n - i) * step - jitter).unwrap_or(0);
            let created = now.checked_sub(SignedDuration::from_secs(seconds_ago)).unwrap_or(now);
            build(tenant_id, tenant_hash, i, created)
        })
        .collect();
    alerts.reverse();
    alerts
}

/// `n` alerts for one tenant, one every `spacing` up to `end`, newest first: for tests and
/// benchmarks that need many. Deterministic for a given `tenant_id`, `n`, `spacing` and `end`.
pub fn generated_alerts(tenant_id: &str, n: u64, spacing: SignedDuration, end: Timestamp) -> Vec<Value> {
    let tenant_hash = hash_bytes(tenant_id.as_bytes());
    (0..n)
        .map(|i| {
            let back =
                spacing.checked_mul(i32::try_from(i).unwrap_or(i32::MAX)).unwrap_or(SignedDuration::ZERO);
            let created = end.checked_sub(back).unwrap_or(end);
            build(tenant_id, tenant_hash, n - i, created)
        })
        .collect()
}
