//! `[graph]`, `[entra_apps]` and Graph tenants: defaults, sharing, and an error naming the key
//! for every mistake.

use graph_security_client::ServiceSource;
use secrecy::ExposeSecret;

use super::{MINIMAL, check_err, env, parse};
use crate::config::{Config, GraphApp, SecretsNeeded, TenantSource};

/// MINIMAL with one app and two Graph tenants sharing it.
fn mixed(extra: &str) -> String {
    format!(
        r#"{MINIMAL}
[[tenants]]
name = "tailspin"
source = "graph"
tenant_id = "0b6e2d4f-8a1c-4e3b-9d5f-7a2c4e6b8d0f"
app = "mssp"

[[tenants]]
name = "wingtip"
source = "graph"
tenant_id = "wingtip.onmicrosoft.com"
app = "mssp"
{extra}
[entra_apps.mssp]
client_id = "5c1d7e3a-0000-4000-8000-00000000a991"
client_secret_env = "FABRIKAM_SECRET"
"#
    )
}

#[test]
fn graph_tenants_share_their_app_and_take_the_defaults() {
    let (config, warnings) = parse(&mixed("")).unwrap();
    assert_eq!(warnings, []);
    assert_eq!(config.graph.url.as_str(), "https://graph.microsoft.com/");
    assert_eq!(config.graph.scope, "https://graph.microsoft.com/.default");
    assert_eq!(config.graph.service_sources, [ServiceSource::MicrosoftDefenderForCloudApps]);
    assert_eq!(config.graph.requests_per_minute, 150);
    let names: Vec<(&str, &str)> =
        config.tenants.iter().map(|t| (t.name.as_str(), t.source_name())).collect();
    assert_eq!(names, [("contoso", "mcas"), ("tailspin", "graph"), ("wingtip", "graph")]);
    let wingtip = config.tenant("wingtip").unwrap().graph().unwrap();
    assert_eq!(wingtip.tenant_id, "wingtip.onmicrosoft.com");
    assert!(matches!(&wingtip.app, GraphApp::Shared(name) if name == "mssp"));
    let app = config.graph_app(wingtip).unwrap();
    assert_eq!(app.client_secret.get().unwrap().expose_secret(), "fabrikam-secret-value");
    assert_eq!(app.authority.as_str(), "https://login.microsoftonline.com/");
    let secret = config.tenant_secret(config.tenant("tailspin").unwrap()).unwrap();
    assert_eq!(secret.key(), "entra_apps.mssp.client_secret_env");
}

#[test]
fn graph_settings_and_an_inline_app() {
    let text = format!(
        r#"{MINIMAL}
[graph]
url = "http://127.0.0.1:9999"
scope = "https://graph.microsoft.us/.default"
service_sources = ["microsoftDefenderForCloudApps", "microsoftDefenderForIdentity"]
requests_per_minute = 0

[[tenants]]
name = "tailspin"
source = "graph"
tenant_id = "TAILSPIN.onmicrosoft.com"
entra = {{ tenant_id = "tailspin.onmicrosoft.com", client_id = "c", client_secret_env = "FABRIKAM_SECRET", authority = "https://login.microsoftonline.us" }}
"#
    );
    let (config, _) = parse(&text).unwrap();
    assert_eq!(config.graph.url.as_str(), "http://127.0.0.1:9999/");
    assert_eq!(config.graph.scope, "https://graph.microsoft.us/.default");
    assert_eq!(
        config.graph.service_sources,
        [ServiceSource::MicrosoftDefenderForCloudApps, ServiceSource::MicrosoftDefenderForIdentity]
    );
    assert_eq!(config.graph.requests_per_minute, 0);
    let TenantSource::Graph(tailspin) = &config.tenants[1].source else { panic!("a Graph tenant") };
    assert_eq!(tailspin.tenant_id, "tailspin.onmicrosoft.com");
    let GraphApp::Inline(app) = &tailspin.app else { panic!("an inline app") };
    assert_eq!(app.authority.as_str(), "https://login.microsoftonline.us/");
}

#[test]
fn every_graph_mistake_names_its_key() {
    let cases: [(String, &str); 13] = [
        (mixed("").replace("source = \"graph\"\ntenant_id = \"wingtip", "source = \"grpah\"\ntenant_id = \"wingtip"),
            "tenants[2].source: unknown source \"grpah\": \"mcas\" (the Defender for Cloud Apps API, the default) or \"graph\" (Microsoft Graph security alerts) (line 22)"),
        (mixed("").replace("app = \"mssp\"\n\n[[tenants]]", "app = \"msp\"\n\n[[tenants]]"),
            "tenants[1].app: no [entra_apps.msp] in the config (defined: mssp) (line 18)"),
        (mixed("").replace("tenant_id = \"wingtip.onmicrosoft.com\"\n", ""),
            "tenants[2].tenant_id: missing: a Graph tenant needs the customer's Entra tenant id (a GUID or domain) (line 20)"),
        (mixed("").replace("tenant_id = \"wingtip.onmicrosoft.com\"", "tenant_id = \"../common\""),
            "tenants[2].tenant_id: not a GUID or a domain name (letters, digits, `-` and `.`) (line 23)"),
        (mixed("").replace("tenant_id = \"wingtip.onmicrosoft.com\"", "tenant_id = \"0B6E2D4F-8a1c-4e3b-9d5f-7a2c4e6b8d0f\""),
            "tenants[2].tenant_id: tenant id 0B6E2D4F-8a1c-4e3b-9d5f-7a2c4e6b8d0f is also tenants[1]'s: each alert would be read twice (line 23)"),
        (mixed("").replace("app = \"mssp\"\n\n[entra", "\n[entra"),
            "tenants[2].app: missing: a Graph tenant signs in with an application: app = \"<name of an [entra_apps] table>\" or entra = { tenant_id, client_id, client_secret_env } (line 20)"),
        (mixed("url = \"https://wingtip.portal.cloudappsecurity.com\""),
            "tenants[2].url: a Graph tenant has no url of its own: its alerts are read from [graph] url (remove url, or set source = \"mcas\" to read it through the Defender for Cloud Apps API) (line 25)"),
        (mixed("token_env = \"MCAS_TOKEN_CONTOSO\""),
            "tenants[2].token_env: a Graph tenant signs in with an Entra application (app or entra), not an MCAS API token (line 25)"),
        (mixed("entra = { tenant_id = \"wingtip.onmicrosoft.com\", client_id = \"c\", client_secret_env = \"FABRIKAM_SECRET\" }"),
            "tenants[2]: give the secret one way only, not app and entra (line 20)"),
        (mixed("").replace("app = \"mssp\"\n\n[entra", "entra = { tenant_id = \"other.onmicrosoft.com\", client_id = \"c\", client_secret_env = \"FABRIKAM_SECRET\" }\n\n[entra"),
            "tenants[2].tenant_id: wingtip.onmicrosoft.com differs from tenants[2].entra.tenant_id (other.onmicrosoft.com); give the tenant id once, or the same twice (line 23)"),
        (format!("{MINIMAL}app = \"mssp\"\n"),
            "tenants[0].app: app is for Graph tenants: add source = \"graph\" (and tenant_id), or use entra for an Entra application on the Defender for Cloud Apps API (line 13)"),
        (format!("{MINIMAL}[graph]\nservice_sources = [\"microsoftDefenderForCloudApp\"]\n"),
            "graph.service_sources[0]: unknown product \"microsoftDefenderForCloudApp\"; Graph names microsoftDefenderForCloudApps, microsoftDefenderForEndpoint, microsoftDefenderForIdentity, microsoftDefenderForOffice365, microsoft365Defender, azureAdIdentityProtection, microsoftAppGovernance, dataLossPrevention, microsoftDefenderForCloud (line 14)"),
        (mixed("").replace("client_secret_env = \"FABRIKAM_SECRET\"", "client_secret_env = \"NOPE\""),
            "entra_apps.mssp.client_secret_env: environment variable NOPE is not set (line 28)"),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(text, expected)| match parse(text) {
            Ok(_) => Some(format!("accepted, expected: {expected}")),
            Err(error) if error.to_string() != *expected => Some(format!("{error}\n  expected: {expected}")),
            Err(_) => None,
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    check_err(
        &format!("{MINIMAL}[graph]\nurl = \"http://graph.example.com\"\n"),
        "graph.url: http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https:// (line 14)",
    );
}

#[test]
fn an_app_secret_is_read_only_when_needed_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mcas2jira.toml");
    // The variable is not set: no error when the secret is not read.
    let text =
        mixed("").replace("FABRIKAM_SECRET", "UNSET_SECRET").replace("MCAS_TOKEN_CONTOSO", "UNSET_TOO");
    let (config, _) = Config::parse_needing(&text, &path, &env, SecretsNeeded::JIRA).unwrap();
    assert!(!config.entra_apps["mssp"].client_secret.is_read());
    // An app no tenant names is not read either, even when the tenants' secrets are.
    let text =
        format!("{MINIMAL}\n[entra_apps.spare]\nclient_id = \"c\"\nclient_secret_env = \"UNSET_SECRET\"\n");
    let (config, _) = Config::parse_needing(&text, &path, &env, SecretsNeeded::ALL).unwrap();
    assert!(!config.entra_apps["spare"].client_secret.is_read());
}
