//! Client credentials: one app for many tenants, a token per tenant shared by that tenant's
//! clients, a refused token replaced once, no redirect for the secret, nothing secret in `Debug`.

use std::time::Duration;

use graph_security_client::{AlertId, Auth, Client, EntraApp, Error, SecretString};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    ALERTS_PATH, CLIENT_ID, GraphHeaders, SECRET, TAILSPIN, TokenForm, WINGTIP, app, builder, client,
    fixture, mount_catch_all, mount_token, token_answer, token_path,
};

const ALERT: &str = "da638681154220931147_-1306548972";

async fn mount_alert(server: &MockServer, bearer: &'static str, status: u16, times: u64) {
    let template = if status == 200 {
        ResponseTemplate::new(200).set_body_string(fixture("alert_impossible_travel.json"))
    } else {
        ResponseTemplate::new(status).set_body_string(fixture("error_401.json"))
    };
    Mock::given(method("GET"))
        .and(path(format!("{ALERTS_PATH}/{ALERT}")))
        .and(GraphHeaders(bearer))
        .respond_with(template)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_refused_token_is_replaced_once() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "revoked", 1).await;
    mount_token(&server, TAILSPIN, "fresh", 1).await;
    mount_alert(&server, "revoked", 401, 1).await;
    mount_alert(&server, "fresh", 200, 1).await;
    mount_catch_all(&server).await;

    let client = client(&server);
    client.get_alert(&AlertId::new(ALERT)).await.unwrap();
    server.verify().await;

    // A refusal of the fresh token too is reported after one more try, not retried forever.
    server.reset().await;
    mount_token(&server, TAILSPIN, "again", 1).await;
    mount_alert(&server, "fresh", 401, 1).await;
    mount_alert(&server, "again", 401, 1).await;
    mount_catch_all(&server).await;
    let error = client.get_alert(&AlertId::new(ALERT)).await.unwrap_err();
    let Error::Unauthorized { body } = &error else { panic!("{error:?}") };
    assert_eq!(body.code.as_deref(), Some("InvalidAuthenticationToken"));
    assert_eq!(
        error.to_string(),
        "authentication refused: InvalidAuthenticationToken: Lifetime validation failed, the token is expired."
    );
}

#[tokio::test]
async fn one_app_gets_a_token_per_tenant_shared_by_that_tenants_clients() {
    let server = MockServer::start().await;
    for (tenant, token) in [(TAILSPIN, "tok-tailspin"), (WINGTIP, "tok-wingtip")] {
        Mock::given(method("POST"))
            .and(path(token_path(tenant)))
            .and(TokenForm)
            // Slow, so that the concurrent callers of a tenant all find the fetch in flight.
            .respond_with(token_answer(token).set_delay(Duration::from_millis(100)))
            .expect(1)
            .mount(&server)
            .await;
    }
    mount_alert(&server, "tok-tailspin", 200, 20).await;
    mount_alert(&server, "tok-wingtip", 200, 10).await;
    mount_catch_all(&server).await;

    // One app object; two clients of Tailspin built separately, and one of Wingtip.
    let app = app(&server);
    let tailspin_a = builder(&server, &app, TAILSPIN).build().unwrap();
    let tailspin_b = builder(&server, &app, TAILSPIN).build().unwrap();
    let wingtip = builder(&server, &app, WINGTIP).build().unwrap();
    assert_eq!(wingtip.tenant_id(), Some(WINGTIP));
    let calls = (0..30).map(|i| {
        let client = match i % 3 {
            0 => tailspin_a.clone(),
            1 => tailspin_b.clone(),
            _ => wingtip.clone(),
        };
        tokio::spawn(async move { client.get_alert(&AlertId::new(ALERT)).await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().id.as_str(), ALERT);
    }
}

#[tokio::test]
async fn the_scope_names_the_resource_whatever_the_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(token_path(TAILSPIN)))
        .and(body_string_contains("scope=https%3A%2F%2Fgraph.microsoft.us%2F.default"))
        .respond_with(token_answer("tok-gov"))
        .expect(1)
        .mount(&server)
        .await;
    mount_alert(&server, "tok-gov", 200, 1).await;
    mount_catch_all(&server).await;
    let client = builder(&server, &app(&server), TAILSPIN)
        .scope("https://graph.microsoft.us/.default")
        .build()
        .unwrap();
    client.get_alert(&AlertId::new(ALERT)).await.unwrap();
}

#[tokio::test]
async fn the_token_request_follows_no_redirect() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    mount_catch_all(&elsewhere).await;
    Mock::given(method("POST"))
        .and(path(token_path(TAILSPIN)))
        .and(TokenForm)
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/collect", elsewhere.uri()).as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let error = client(&server).get_alert(&AlertId::new(ALERT)).await.unwrap_err();
    let Error::Token { status, description, .. } = &error else { panic!("{error:?}") };
    assert_eq!(status.map(|s| s.as_u16()), Some(307));
    assert!(description.as_deref().unwrap().contains("to 127.0.0.1"), "{error}");
    assert!(
        error.to_string().contains("it is not followed, so that the secret is sent only to the authority")
    );
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "the secret went to the redirect's host"
    );
    assert!(!format!("{error:?}").contains(SECRET));
}

#[tokio::test]
async fn a_token_refusal_is_typed_and_never_shows_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(token_path(TAILSPIN)))
        .and(TokenForm)
        .respond_with(ResponseTemplate::new(400).set_body_string(fixture("token_error.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let error = client(&server).get_alert(&AlertId::new(ALERT)).await.unwrap_err();
    let Error::Token { status, error: code, description } = &error else { panic!("{error:?}") };
    assert_eq!(status.map(|s| s.as_u16()), Some(400));
    assert_eq!(code.as_deref(), Some("unauthorized_client"));
    assert!(description.as_deref().unwrap().starts_with("AADSTS700016"));
    assert!(error.to_string().starts_with(
        "could not get an access token from Microsoft Entra: unauthorized_client: AADSTS700016"
    ));
    assert!(error.to_string().ends_with("(HTTP 400 Bad Request)"));
    assert!(!format!("{error:?} {error}").contains(SECRET));
    assert!(!error.is_transient());
}

#[tokio::test]
async fn a_bearer_token_is_sent_as_it_is() {
    let server = MockServer::start().await;
    mount_alert(&server, "given-token", 200, 1).await;
    mount_catch_all(&server).await;
    let client = Client::builder(Auth::bearer(SecretString::from("given-token")))
        .base_url(server.uri().parse().unwrap())
        .requests_per_minute(0)
        .build()
        .unwrap();
    assert_eq!(client.tenant_id(), None);
    client.get_alert(&AlertId::new(ALERT)).await.unwrap();
}

#[tokio::test]
async fn the_enum_member_header_can_be_left_out() {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{ALERTS_PATH}/{ALERT}")))
        .and(header("authorization", "Bearer tok-1"))
        .and(|request: &wiremock::Request| !request.headers.contains_key("prefer"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("alert_impossible_travel.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let client =
        builder(&server, &app(&server), TAILSPIN).include_unknown_enum_members(false).build().unwrap();
    client.get_alert(&AlertId::new(ALERT)).await.unwrap();
}

#[tokio::test]
async fn debug_output_never_shows_a_secret() {
    let server = MockServer::start().await;
    let app = app(&server);
    let bearer = Client::builder(Auth::bearer(SecretString::from(SECRET))).build().unwrap();
    for text in [
        format!("{:?}", client(&server)),
        format!("{bearer:?}"),
        format!("{app:?}"),
        format!("{:?}", Auth::app(app.clone(), TAILSPIN)),
        format!("{:?}", Auth::bearer(SecretString::from(SECRET))),
        format!("{:?}", builder(&server, &app, TAILSPIN)),
        format!("{:?}", EntraApp::builder(CLIENT_ID, SecretString::from(SECRET))),
    ] {
        assert!(!text.contains(SECRET), "{text}");
    }
    assert!(format!("{app:?}").contains(CLIENT_ID));
}

#[test]
fn settings_that_would_leak_credentials_are_refused() {
    #[track_caller]
    fn check_base(base: &str, ok: bool) {
        let result = Client::builder(Auth::bearer(SecretString::from("t")))
            .base_url(base.parse().unwrap())
            .build()
            .map(drop);
        assert_eq!(result.is_ok(), ok, "{base}: {result:?}");
    }
    check_base("https://graph.microsoft.com", true);
    check_base("https://graph.microsoft.us/", true);
    check_base("http://127.0.0.1:8080", true);
    check_base("http://[::1]:8080", true);
    check_base("http://localhost:8080", true);
    check_base("http://graph.microsoft.com", false);
    check_base("ftp://graph.microsoft.com", false);
    check_base("mailto:secops@example.com", false);

    let app = EntraApp::builder(CLIENT_ID, SecretString::from(SECRET))
        .authority("http://login.example.com".parse().unwrap())
        .build();
    assert!(app.is_err());
    assert!(EntraApp::builder(CLIENT_ID, SecretString::from("")).build().is_err());
    assert!(EntraApp::builder(" ", SecretString::from(SECRET)).build().is_err());

    let app = EntraApp::builder(CLIENT_ID, SecretString::from(SECRET)).build().unwrap();
    for tenant in ["", "../common", "a/b", "tenant?x=1", "ten ant"] {
        let result = Client::builder(Auth::app(app.clone(), tenant)).build();
        assert!(
            matches!(result, Err(Error::InvalidInput { parameter: "tenant_id", .. })),
            "{tenant:?}: {result:?}"
        );
    }
    let empty = Client::builder(Auth::bearer(SecretString::from(" "))).build();
    assert!(matches!(empty, Err(Error::InvalidInput { parameter: "access_token", .. })), "{empty:?}");
    let scope = Client::builder(Auth::app(app.clone(), TAILSPIN)).scope("").build();
    assert!(matches!(scope, Err(Error::InvalidInput { parameter: "scope", .. })), "{scope:?}");
    let agent = Client::builder(Auth::app(app, TAILSPIN)).user_agent("bad\nagent").build();
    assert!(matches!(agent, Err(Error::InvalidInput { parameter: "user_agent", .. })), "{agent:?}");
    let plain = Client::builder(Auth::bearer(SecretString::from("t")))
        .base_url("http://graph.microsoft.com".parse().unwrap())
        .build()
        .unwrap_err();
    assert_eq!(
        plain.to_string(),
        "invalid base_url: http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://"
    );
}
