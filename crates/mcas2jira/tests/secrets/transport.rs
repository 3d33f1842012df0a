//! Transport: rustls only, plain http only to loopback, credentials never carried across a
//! redirect to another host, and the warning for a readable config holding an inline secret.

use std::net::IpAddr;

use mcas2jira::config::{Config, EnvLookup};
use secrecy::SecretString;
use url::Url;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::{Harness, HarnessOptions, JIRA_TOKEN_ENV, alerts};

const SECRET: &str = "transport-secret-4e2f";

/// No TLS stack but rustls in what the binary is built from: OpenSSL and native-tls are absent.
/// (The platform certificate verifier of rustls may pull in `security-framework` on macOS: that
/// is rustls reading the system's roots, not another TLS stack.)
///
/// Cargo.lock lists native-tls's crates, since the client crates offer it as an opt-in feature;
/// what counts is the graph of the binary's default features, which cargo itself resolves.
#[test]
fn rustls_only() {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "-p",
            "mcas2jira",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    let names: Vec<&str> = tree.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(names.contains(&"rustls"), "rustls is missing from the binary's dependencies:\n{tree}");
    for banned in ["openssl", "openssl-sys", "native-tls", "hyper-tls", "tokio-native-tls"] {
        assert!(!names.contains(&banned), "{banned} is in the binary's dependencies");
    }
}

/// Whether the config and each client accept `url` as the URL of their service.
fn accepted(url: &str) -> [(&'static str, bool); 5] {
    let parsed = Url::parse(url).unwrap();
    let secret = || SecretString::from(SECRET);
    let mcas =
        mcas_client::Client::builder(parsed.clone(), mcas_client::Auth::token(secret())).build().is_ok();
    let entra = mcas_client::EntraApp::builder("c", secret()).authority(parsed.clone()).build().is_ok();
    let jira = jira_client::Client::builder(
        parsed.clone(),
        jira_client::Deployment::Cloud,
        jira_client::Auth::basic("u", secret()),
    )
    .build()
    .is_ok();
    let abuse = abuseipdb_client::Client::builder(secret()).base_url(parsed).build().is_ok();
    let dir = tempfile::tempdir().unwrap();
    let env: EnvLookup<'_> = &|_: &str| Some("x".into());
    let text = format!(
        "[jira]\nurl = \"{url}\"\ndeployment = \"cloud\"\nproject = \"SEC\"\n[jira.auth]\nuser = \"u\"\ntoken_env = \"T\"\n\
         [abuseipdb]\nkey_env = \"K\"\nurl = \"{url}\"\n\
         [[tenants]]\nname = \"c\"\nurl = \"{url}\"\ntoken_env = \"T\"\n\
         [[tenants]]\nname = \"f\"\nurl = \"https://f.portal.cloudappsecurity.com\"\n\
         entra = {{ tenant_id = \"t\", client_id = \"c\", client_secret_env = \"S\", authority = \"{url}\" }}\n"
    );
    let config = Config::parse(&text, &dir.path().join("c.toml"), env).is_ok();
    [("config", config), ("mcas", mcas), ("entra authority", entra), ("jira", jira), ("abuseipdb", abuse)]
}

#[track_caller]
fn check(url: &str, expected: bool) {
    for (what, ok) in accepted(url) {
        assert_eq!(ok, expected, "{what} with {url}: accepted {ok}, expected {expected}");
    }
}

#[test]
fn plain_http_only_to_loopback() {
    check("https://example.com/", true);
    check("https://10.0.0.5:8443/", true);
    check("http://127.0.0.1:8080/", true);
    check("http://127.8.9.10:8080/", true);
    check("http://[::1]:8080/", true);
    check("http://localhost:8080/", true);
    check("http://example.com/", false);
    check("http://10.0.0.5/", false);
    check("http://127.0.0.1.nip.io/", false);
    check("http://localhost.example.com/", false);
    check("http://[::ffff:10.0.0.5]/", false);
    check("ftp://example.com/", false);
}

/// Server A redirects everything to server B on another host (`localhost` rather than
/// `127.0.0.1`); B records what it receives.
struct Redirect {
    a: MockServer,
    b: MockServer,
}

impl Redirect {
    async fn start(status: u16) -> Redirect {
        let a = MockServer::start().await;
        let b = MockServer::start().await;
        let target = format!("http://localhost:{}/elsewhere", b.address().port());
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).insert_header("Location", target.as_str()))
            .mount(&a)
            .await;
        Mock::given(any()).respond_with(ResponseTemplate::new(401)).mount(&b).await;
        Redirect { a, b }
    }

    fn a_url(&self) -> Url {
        Url::parse(&format!("{}/", self.a.uri())).unwrap()
    }

    /// Asserts that no request B received carries a credential, in a header or in the body.
    async fn assert_b_saw_no_secret(&self, what: &str) {
        let received: Vec<Request> = self.b.received_requests().await.unwrap_or_default();
        let basic = crate::base64(format!("u:{SECRET}").as_bytes());
        for request in &received {
            for (name, value) in &request.headers {
                let value = value.to_str().unwrap_or_default();
                assert!(
                    !name.as_str().eq_ignore_ascii_case("authorization")
                        && !name.as_str().eq_ignore_ascii_case("key"),
                    "{what}: the other host received {name}: {value}"
                );
                assert!(
                    !value.contains(SECRET) && !value.contains(&basic),
                    "{what}: {name} carries the secret"
                );
            }
            let body = String::from_utf8_lossy(&request.body);
            assert!(!body.contains(SECRET), "{what}: the other host received the secret in a body: {body}");
        }
    }
}

fn secret() -> SecretString {
    SecretString::from(SECRET)
}

#[tokio::test]
async fn mcas_token_is_not_sent_across_a_redirect() {
    for status in [302, 307, 308] {
        let r = Redirect::start(status).await;
        let client =
            mcas_client::Client::builder(r.a_url(), mcas_client::Auth::token(secret())).build().unwrap();
        let _ = client.alerts_page(&mcas_client::AlertQuery::default(), 0).await;
        let _ = client.get_alert(&mcas_client::AlertId::new("5f1c2a3b4c5d6e7f8a9b0c1d")).await;
        r.assert_b_saw_no_secret(&format!("mcas token, {status}")).await;
    }
}

/// The Entra client secret travels in the token request's form body, which a `307` or `308`
/// redirect would carry along; the token endpoint's redirect must not take it to another host.
#[tokio::test]
async fn entra_client_secret_is_not_sent_across_a_redirect() {
    for status in [302, 307, 308] {
        let r = Redirect::start(status).await;
        let app = mcas_client::EntraApp::builder("client", secret()).authority(r.a_url()).build().unwrap();
        let mcas = MockServer::start().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(500)).mount(&mcas).await;
        let base = Url::parse(&mcas.uri()).unwrap();
        let client =
            mcas_client::Client::builder(base, mcas_client::Auth::entra(app, "tenant")).build().unwrap();
        let _ = client.alerts_page(&mcas_client::AlertQuery::default(), 0).await;
        r.assert_b_saw_no_secret(&format!("entra client secret, {status}")).await;
        assert!(mcas.received_requests().await.unwrap_or_default().is_empty(), "no token, no request");
    }
}

#[tokio::test]
async fn jira_credentials_are_not_sent_across_a_redirect() {
    for status in [302, 307, 308] {
        for auth in [jira_client::Auth::basic("u", secret()), jira_client::Auth::bearer(secret())] {
            let r = Redirect::start(status).await;
            let client = jira_client::Client::builder(r.a_url(), jira_client::Deployment::Cloud, auth)
                .build()
                .unwrap();
            let _ = client.myself().await;
            let issue = jira_client::NewIssue::new(
                jira_client::ProjectRef::key("SEC"),
                jira_client::NameOrId::name("Task"),
                "summary",
            );
            let _ = client.create_issue(&issue).await;
            r.assert_b_saw_no_secret(&format!("jira, {status}")).await;
        }
    }
}

#[tokio::test]
async fn abuseipdb_key_is_not_sent_across_a_redirect() {
    for status in [302, 307, 308] {
        let r = Redirect::start(status).await;
        let client = abuseipdb_client::Client::builder(secret()).base_url(r.a_url()).build().unwrap();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let _ = client.check(ip, &abuseipdb_client::CheckParams::default()).await;
        r.assert_b_saw_no_secret(&format!("abuseipdb, {status}")).await;
        // The client follows no redirect at all: the `Key` header would survive one.
        assert!(r.b.received_requests().await.unwrap_or_default().is_empty());
    }
}

/// Through the binary: an inline secret is accepted with a warning, and a second warning when
/// other users can read the file; a file only its owner reads gets only the first.
#[cfg(unix)]
#[test]
fn a_readable_config_with_an_inline_secret_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;

    let mut h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 1)));
    let token = h.jira.options().token.clone();
    h.edit_config(|text| {
        *text = text.replace(&format!("token_env = \"{JIRA_TOKEN_ENV}\""), &format!("token = \"{token}\""))
    });
    h.remove_env(JIRA_TOKEN_ENV);
    for (mode, readable_warning) in
        [(0o644, true), (0o640, true), (0o604, true), (0o600, false), (0o400, false)]
    {
        std::fs::set_permissions(&h.config_path, std::fs::Permissions::from_mode(mode)).unwrap();
        for args in [&["run", "--dry-run"][..], &["check"]] {
            let out = h.run(args);
            assert_eq!(out.status, 0, "{out}");
            let text = format!("{}{}", out.stdout, out.stderr);
            assert!(
                text.contains("jira.auth.token: secret written in the config file"),
                "mode {mode:o}: {out}"
            );
            let warned =
                text.contains("readable by other users") && text.contains(&format!("mode {mode:03o}"));
            assert_eq!(warned, readable_warning, "mode {mode:o}: {out}");
            assert!(!text.contains(&token), "{out}");
        }
    }
}
