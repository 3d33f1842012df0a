//! `Debug` of every client, builder, auth and config type holding a secret never shows it.

use std::fmt::Debug;

use mcas2jira::config::{Config, EnvLookup};
use mcas2jira::services::Clients;
use secrecy::SecretString;
use url::Url;

const SECRET: &str = "debug-secret-0123456789";

#[track_caller]
fn check(what: &str, value: &dyn Debug) {
    for text in [format!("{value:?}"), format!("{value:#?}")] {
        assert!(!text.contains(SECRET), "{what} shows the secret: {text}");
    }
}

fn secret() -> SecretString {
    SecretString::from(SECRET)
}

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

#[test]
fn client_types() {
    let mcas_token = mcas_client::Auth::token(secret());
    check("mcas_client::Auth (token)", &mcas_token);
    let app = mcas_client::EntraApp::builder("client-id", secret());
    check("mcas_client::EntraAppBuilder", &app);
    let app = app.build().unwrap();
    check("mcas_client::EntraApp", &app);
    let mcas_entra = mcas_client::Auth::entra(app, "tenant-id");
    check("mcas_client::Auth (entra)", &mcas_entra);
    for auth in [mcas_token, mcas_entra] {
        let builder = mcas_client::Client::builder(url("https://contoso.portal.cloudappsecurity.com"), auth);
        check("mcas_client::ClientBuilder", &builder);
        check("mcas_client::Client", &builder.build().unwrap());
    }

    let builder = abuseipdb_client::Client::builder(secret());
    check("abuseipdb_client::ClientBuilder", &builder);
    check("abuseipdb_client::Client", &builder.build().unwrap());

    for auth in
        [jira_client::Auth::basic("secops@example.com", secret()), jira_client::Auth::bearer(secret())]
    {
        check("jira_client::Auth", &auth);
        let builder = jira_client::Client::builder(
            url("https://example.atlassian.net"),
            jira_client::Deployment::Cloud,
            auth,
        );
        check("jira_client::ClientBuilder", &builder);
        check("jira_client::Client", &builder.build().unwrap());
    }
}

/// A config with every secret inline (the worst case) and one with every secret from the
/// environment; `Debug` of it, of each part and of the clients built from it hides them all.
#[test]
fn config_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mcas2jira.toml");
    let inline = format!(
        r#"
[jira]
url = "https://example.atlassian.net"
project = "SEC"
[jira.auth]
user = "secops@example.com"
token = "{SECRET}"
[abuseipdb]
key = "{SECRET}"
[[tenants]]
name = "contoso"
url = "https://contoso.us3.portal.cloudappsecurity.com"
token = "{SECRET}"
[[tenants]]
name = "fabrikam"
url = "https://fabrikam.eu2.portal.cloudappsecurity.com"
entra = {{ tenant_id = "t", client_id = "c", client_secret = "{SECRET}" }}
[[tenants]]
name = "tailspin"
source = "graph"
tenant_id = "tailspin.onmicrosoft.com"
app = "mssp"
[[tenants]]
name = "wingtip"
source = "graph"
entra = {{ tenant_id = "wingtip.onmicrosoft.com", client_id = "c", client_secret = "{SECRET}" }}
[entra_apps.mssp]
client_id = "c"
client_secret = "{SECRET}"
"#
    );
    let from_env = r#"
[jira]
url = "https://jira.example.com"
deployment = "server"
project = "SEC"
[jira.auth]
pat_env = "PAT"
[[tenants]]
name = "contoso"
url = "https://contoso.us3.portal.cloudappsecurity.com"
entra = { tenant_id = "t", client_id = "c", client_secret_env = "ENTRA" }
[[tenants]]
name = "tailspin"
source = "graph"
tenant_id = "tailspin.onmicrosoft.com"
app = "mssp"
[entra_apps.mssp]
client_id = "c"
client_secret_env = "MSSP"
"#;
    let env: EnvLookup<'_> = &|_: &str| Some(SECRET.into());
    for text in [inline.as_str(), from_env] {
        let (config, warnings) = Config::parse(text, &path, env).unwrap();
        check("Config", &config);
        check("warnings", &warnings);
        check("JiraConfig", &config.jira);
        check("JiraAuth", &config.jira.auth);
        check("AbuseIpdbConfig", &config.abuseipdb);
        for tenant in &config.tenants {
            check("TenantConfig", tenant);
            check("TenantSource", &tenant.source);
        }
        check("GraphConfig", &config.graph);
        check("EntraAppConfig", &config.entra_apps);
        check("Clients", &Clients::build(&config).unwrap());
    }
}

/// Errors about secrets name the key, never the value: a failing command whose standard output
/// holds the secret, and a second source given beside an inline one.
#[test]
fn config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mcas2jira.toml");
    let base = |auth: &str| {
        format!(
            "[jira]\nurl = \"https://example.atlassian.net\"\nproject = \"SEC\"\n[jira.auth]\nuser = \"u\"\n{auth}\n\
             [[tenants]]\nname = \"c\"\nurl = \"https://c.portal.cloudappsecurity.com\"\ntoken_env = \"T\"\n"
        )
    };
    let env: EnvLookup<'_> = &|_: &str| Some("x".into());
    for auth in [
        format!("token_command = \"printf {SECRET}; exit 3\""),
        format!("token = \"{SECRET}\"\ntoken_env = \"T\""),
        format!("token = \"{SECRET}\"\npat = \"{SECRET}\""),
    ] {
        let error = Config::parse(&base(&auth), &path, env).unwrap_err();
        check("ConfigError", &error);
        assert!(!error.to_string().contains(SECRET), "{error}");
    }
}
