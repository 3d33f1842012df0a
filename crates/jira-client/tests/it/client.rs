//! The client itself: auth headers for both deployments, secrets kept out of `Debug`, user
//! agent, context paths.

use jira_client::{Auth, Client, Deployment};
use secrecy::SecretString;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer};

use crate::support::{self, BASIC, BEARER, PAT, TOKEN, catch_all, fixture, json};

#[test]
fn debug_never_shows_a_secret() {
    let basic = Auth::basic("secops@example.com", SecretString::from(TOKEN));
    let bearer = Auth::bearer(SecretString::from(PAT));
    let client =
        Client::builder("https://example.atlassian.net".parse().unwrap(), Deployment::Cloud, basic.clone())
            .build()
            .unwrap();
    for text in [format!("{basic:?}"), format!("{bearer:?}"), format!("{client:?}"), format!("{client:#?}")] {
        assert!(!text.contains(TOKEN) && !text.contains(PAT), "{text}");
        assert!(!text.contains("c2Vjb3Bz"), "the encoded header leaked: {text}");
    }
    assert!(format!("{client:?}").contains("secops@example.com"));
}

#[tokio::test]
async fn cloud_sends_basic_auth_and_the_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .and(header("authorization", BASIC))
        .and(header("accept", "application/json"))
        .and(header("user-agent", concat!("jira-client/", env!("CARGO_PKG_VERSION"))))
        .respond_with(json(200, fixture("myself_cloud.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let me = support::cloud(&server).myself().await.unwrap();
    assert_eq!(me.account_id.as_deref(), Some("5b10a2844c20165700ede21g"));
    assert_eq!(me.display_name, "SecOps Bot");
}

#[tokio::test]
async fn server_sends_the_bearer_token_under_the_context_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/myself"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, fixture("myself_server.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let me = support::server(&server).myself().await.unwrap();
    assert_eq!(me.name.as_deref(), Some("secops"));
    assert_eq!(me.account_id, None);
}

#[tokio::test]
async fn a_caller_client_and_user_agent_are_used() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .and(header("authorization", BASIC))
        .and(header("user-agent", "mcas2jira/9.9"))
        .respond_with(json(200, fixture("myself_cloud.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let auth = Auth::basic(support::USER, SecretString::from(TOKEN));
    let client = Client::builder(server.uri().parse().unwrap(), Deployment::Cloud, auth)
        .http_client(reqwest::Client::new())
        .user_agent("mcas2jira/9.9")
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    client.myself().await.unwrap();
}

#[tokio::test]
async fn detects_the_deployment_from_server_info() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/2/serverInfo"))
        .and(header("authorization", BEARER))
        .respond_with(json(200, fixture("server_info_server.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let auth = Auth::bearer(SecretString::from(PAT));
    let detected = Client::detect_deployment(server.uri().parse().unwrap(), auth).await.unwrap();
    assert_eq!(detected, Deployment::Server);
}

#[tokio::test]
async fn detects_cloud() {
    let server = MockServer::start().await;
    let mut info = fixture("server_info_server.json");
    info["deploymentType"] = "Cloud".into();
    Mock::given(method("GET"))
        .and(path("/rest/api/2/serverInfo"))
        .and(header("authorization", BASIC))
        .respond_with(json(200, info))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let auth = Auth::basic(support::USER, SecretString::from(TOKEN));
    let detected = Client::detect_deployment(server.uri().parse().unwrap(), auth).await.unwrap();
    assert_eq!(detected, Deployment::Cloud);
}

#[test]
fn browse_links_keep_the_context_path() {
    let auth = Auth::bearer(SecretString::from(PAT));
    let client = Client::builder("https://jira.example.com/jira".parse().unwrap(), Deployment::Server, auth)
        .build()
        .unwrap();
    let key = "SOC-7".parse().unwrap();
    assert_eq!(client.browse_url(&key).unwrap().as_str(), "https://jira.example.com/jira/browse/SOC-7");
}
