//! Both auth modes: the legacy token, and Entra client credentials with a cached token.

use std::collections::BTreeMap;

use mcas_client::{AlertId, Auth, Client, EntraApp, Error, SecretString, Url};
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

use crate::support::{TOKEN, client, fast_retry, fixture, fixture_json, mount_catch_all};

const TENANT: &str = "8f2b1d4e-0000-4000-8000-00000000c0de";
const CLIENT_ID: &str = "3c1e5a7b-0000-4000-8000-0000000a9911";
const SECRET: &str = "entra-client-secret-Zq8~x";
const ALERT: &str = "5f06d71dba4289d0602ba5ac";
const TOKEN_PATH: &str = "/8f2b1d4e-0000-4000-8000-00000000c0de/oauth2/v2.0/token";

/// Matches the whole client-credentials form, and checks that nothing travels in the URL.
struct TokenForm;

impl Match for TokenForm {
    fn matches(&self, request: &Request) -> bool {
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(&request.body).into_owned().collect();
        let expected: BTreeMap<String, String> = [
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("scope", "05a65629-4c1b-48c1-a78b-804c4abdd4af/.default"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let content_type = request.headers.get("content-type").and_then(|v| v.to_str().ok());
        form == expected
            && request.url.query().is_none()
            && content_type == Some("application/x-www-form-urlencoded")
    }
}

fn token_answer(access_token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "token_type": "Bearer",
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": access_token,
    }))
}

fn entra_client(server: &MockServer) -> Client {
    let authority: Url = server.uri().parse().unwrap();
    let app = EntraApp::builder(CLIENT_ID, SecretString::from(SECRET)).authority(authority).build().unwrap();
    Client::builder(server.uri().parse().unwrap(), Auth::entra(app, TENANT))
        .requests_per_minute(0)
        .retry_policy(fast_retry())
        .build()
        .unwrap()
}

async fn mount_alert(server: &MockServer, bearer: &str, status: u16, times: u64) {
    let template = if status == 200 {
        ResponseTemplate::new(200).set_body_string(fixture("alert_by_id.json"))
    } else {
        ResponseTemplate::new(status).set_body_string(fixture("unauthorized.json"))
    };
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/alerts/{ALERT}/")))
        .and(header("authorization", format!("Bearer {bearer}").as_str()))
        .respond_with(template)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn legacy_token_is_sent_as_token_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/alerts/{ALERT}/")))
        .and(header("authorization", format!("Token {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("alert_by_id.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let alert = client(&server).get_alert(&AlertId::new(ALERT)).await.unwrap();
    assert_eq!(alert.id.as_str(), ALERT);
}

#[tokio::test]
async fn one_token_request_for_twenty_concurrent_calls() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(TokenForm)
        .respond_with(token_answer("tok-1", 3599).set_delay(std::time::Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    mount_alert(&server, "tok-1", 200, 20).await;
    mount_catch_all(&server).await;

    let client = entra_client(&server);
    let id = AlertId::new(ALERT);
    let calls = (0..20).map(|_| {
        let client = client.clone();
        let id = id.clone();
        tokio::spawn(async move { client.get_alert(&id).await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().id, id);
    }
}

#[tokio::test]
async fn an_expired_token_is_refreshed() {
    let server = MockServer::start().await;
    // A token that expires at once, then a fresh one.
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(TokenForm)
        .respond_with(token_answer("tok-1", 0))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(TokenForm)
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("token_answer.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_alert(&server, "tok-1", 200, 1).await;
    let fixture_token = fixture_json("token_answer.json")["access_token"].as_str().unwrap().to_owned();
    mount_alert(&server, &fixture_token, 200, 2).await;
    mount_catch_all(&server).await;

    let client = entra_client(&server);
    for _ in 0..3 {
        client.get_alert(&AlertId::new(ALERT)).await.unwrap();
    }
}

#[tokio::test]
async fn a_refused_token_is_replaced_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(TokenForm)
        .respond_with(token_answer("revoked", 3599))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(TokenForm)
        .respond_with(token_answer("fresh", 3599))
        .expect(1)
        .mount(&server)
        .await;
    mount_alert(&server, "revoked", 401, 1).await;
    mount_alert(&server, "fresh", 200, 1).await;
    mount_catch_all(&server).await;

    let client = entra_client(&server);
    client.get_alert(&AlertId::new(ALERT)).await.unwrap();
    server.verify().await;

    // A refusal of the fresh token too is reported after one more try, not retried forever.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("fresh", 3599))
        .expect(1)
        .mount(&server)
        .await;
    mount_alert(&server, "fresh", 401, 2).await;
    mount_catch_all(&server).await;
    let error = client.get_alert(&AlertId::new(ALERT)).await.unwrap_err();
    assert!(matches!(&error, Error::Unauthorized { detail: Some(d) } if d == "Invalid token"), "{error:?}");
}

#[tokio::test]
async fn token_endpoint_refusal_is_typed_and_never_shows_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(TokenForm)
        .respond_with(ResponseTemplate::new(401).set_body_string(fixture("token_error.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let error = entra_client(&server).get_alert(&AlertId::new(ALERT)).await.unwrap_err();
    let Error::Token { status, error: code, description } = &error else { panic!("{error:?}") };
    assert_eq!(status.map(|s| s.as_u16()), Some(401));
    assert_eq!(code.as_deref(), Some("invalid_client"));
    assert!(description.as_deref().unwrap().starts_with("AADSTS7000215"));
    assert_eq!(
        error.to_string(),
        "could not get an access token from Microsoft Entra: invalid_client (HTTP 401 Unauthorized)"
    );
    assert!(!format!("{error:?}").contains(SECRET));
}

#[tokio::test]
async fn debug_output_never_shows_a_secret() {
    let server = MockServer::start().await;
    let token_client = client(&server);
    let entra = entra_client(&server);
    for text in [
        format!("{token_client:?}"),
        format!("{entra:?}"),
        format!("{:?}", Auth::token(SecretString::from(TOKEN))),
        format!("{:?}", crate::support::builder(&server)),
        format!("{:?}", EntraApp::builder(CLIENT_ID, SecretString::from(SECRET))),
        format!("{:?}", EntraApp::builder(CLIENT_ID, SecretString::from(SECRET)).build().unwrap()),
    ] {
        assert!(!text.contains(TOKEN) && !text.contains(SECRET), "{text}");
    }
    assert!(format!("{entra:?}").contains(CLIENT_ID));
}

#[test]
fn urls_that_would_leak_credentials_are_refused() {
    #[track_caller]
    fn check(base: &str, ok: bool) {
        let result =
            Client::builder(base.parse().unwrap(), Auth::token(SecretString::from(TOKEN))).build().map(drop);
        assert_eq!(result.is_ok(), ok, "{base}: {result:?}");
    }
    check("https://contoso.us3.portal.cloudappsecurity.com", true);
    check("https://contoso.portal.cloudappsecuritygov.com/", true);
    check("http://127.0.0.1:8080", true);
    check("http://[::1]:8080", true);
    check("http://localhost:8080", true);
    check("http://contoso.portal.cloudappsecurity.com", false);
    check("ftp://contoso.portal.cloudappsecurity.com", false);
    check("mailto:secops@example.com", false);

    let app = EntraApp::builder(CLIENT_ID, SecretString::from(SECRET))
        .authority("http://login.example.com".parse().unwrap())
        .build()
        .map_err(Error::from);
    assert!(matches!(app, Err(Error::InvalidInput { parameter: "authority", .. })), "{app:?}");
    let app = EntraApp::builder(CLIENT_ID, SecretString::from(SECRET)).build().unwrap();
    let base: Url = "https://x.portal.cloudappsecurity.com".parse().unwrap();
    for tenant in ["", "../common", "a/b", "tenant?x=1"] {
        let result = Client::builder(base.clone(), Auth::entra(app.clone(), tenant)).build();
        assert!(
            matches!(result, Err(Error::InvalidInput { parameter: "tenant_id", .. })),
            "{tenant:?}: {result:?}"
        );
    }
    let scope = Client::builder(base, Auth::entra(app, TENANT)).scope(" ").build();
    assert!(matches!(scope, Err(Error::InvalidInput { parameter: "scope", .. })), "{scope:?}");
    let empty = Client::builder(
        "https://x.portal.cloudappsecurity.com".parse().unwrap(),
        Auth::token(SecretString::from(" ")),
    );
    assert!(matches!(empty.build(), Err(Error::InvalidInput { .. })));
}

/// A JWT-shaped token whose payload holds `claims` (header and signature are not read).
fn jwt(claims: &serde_json::Value) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!("eyJ0eXAiOiJKV1QifQ.{}.c2lnbmF0dXJl", engine.encode(claims.to_string()))
}

#[tokio::test]
async fn granted_roles_reads_the_token_and_sends_nothing_to_the_tenant() {
    let server = MockServer::start().await;
    let token =
        jwt(&serde_json::json!({"aud": "05a65629", "roles": ["Investigation.read", "Investigation.manage"]}));
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(TokenForm)
        .respond_with(token_answer(&token, 3599))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let client = entra_client(&server);
    let roles = client.granted_roles().await.unwrap().unwrap();
    assert_eq!(roles, ["Investigation.read", "Investigation.manage"]);
    assert!(roles.iter().any(|r| mcas_client::CLOSE_ROLES.contains(&r.as_str())));
    // The cached token is read again without a second token request.
    assert_eq!(client.granted_roles().await.unwrap().unwrap().len(), 2);
}

#[tokio::test]
async fn granted_roles_of_a_legacy_token_are_unknown_and_of_a_non_jwt_an_error() {
    let server = MockServer::start().await;
    mount_catch_all(&server).await;
    assert_eq!(client(&server).granted_roles().await.unwrap(), None);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("opaque-token", 3599))
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let error = entra_client(&server).granted_roles().await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_eq!(error.to_string(), "could not decode the access token's claims");
}
