//! Bounds: response bodies capped in every client and through the binary, with a clear error;
//! descriptions cut to Jira's limit with a visible note, on Cloud and on Server.

use std::net::IpAddr;

use jira_client::richtext::{CUT_NOTE, DESCRIPTION_MAX_LEN};
use secrecy::SecretString;
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Harness, HarnessOptions, alert_id, alerts};

const CAP: usize = 1024;

/// A server answering every request with a valid JSON body larger than [`CAP`].
async fn big_answers() -> (MockServer, Url) {
    let server = MockServer::start().await;
    let filler = "x".repeat(4 * CAP);
    let body =
        json!({ "data": [], "hasNext": false, "filler": filler, "accountId": "a", "displayName": filler });
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let url = Url::parse(&format!("{}/", server.uri())).unwrap();
    (server, url)
}

#[track_caller]
fn check_capped(what: &str, error: &(dyn std::error::Error + 'static)) {
    let text = mcas2jira::chain(error);
    assert!(text.contains(&format!("exceeds the limit of {CAP} bytes")), "{what}: {text}");
}

#[tokio::test]
async fn every_client_caps_response_bodies() {
    let (_server, url) = big_answers().await;
    let secret = || SecretString::from("s");

    let mcas = mcas_client::Client::builder(url.clone(), mcas_client::Auth::token(secret()))
        .max_body(CAP)
        .build()
        .unwrap();
    let error = mcas.alerts_page(&mcas_client::AlertQuery::default(), 0).await.unwrap_err();
    check_capped("mcas alerts page", &error);

    // The Entra app reads token answers (about 2 KB) with its own cap, 64 KiB, whatever the
    // client's: a token answer is the same for every service.
    let token_server = MockServer::start().await;
    let huge = json!({ "access_token": "x".repeat(128 * 1024), "expires_in": 3599 });
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(huge))
        .mount(&token_server)
        .await;
    let app = mcas_client::EntraApp::builder("c", secret())
        .authority(token_server.uri().parse().unwrap())
        .build()
        .unwrap();
    let entra = mcas_client::Client::builder(url.clone(), mcas_client::Auth::entra(app, "t"))
        .max_body(CAP)
        .build()
        .unwrap();
    let error = entra.alerts_page(&mcas_client::AlertQuery::default(), 0).await.unwrap_err();
    let text = mcas2jira::chain(&error);
    assert!(text.contains("exceeds the limit of 65536 bytes"), "entra token answer: {text}");

    let jira = jira_client::Client::builder(
        url.clone(),
        jira_client::Deployment::Cloud,
        jira_client::Auth::basic("u", secret()),
    )
    .max_body(CAP)
    .build()
    .unwrap();
    check_capped("jira myself", &jira.myself().await.unwrap_err());

    let abuse = abuseipdb_client::Client::builder(secret()).base_url(url).max_body(CAP).build().unwrap();
    let ip: IpAddr = "203.0.113.7".parse().unwrap();
    check_capped(
        "abuseipdb check",
        &abuse.check(ip, &abuseipdb_client::CheckParams::default()).await.unwrap_err(),
    );
}

/// A page over the binary's 16 MiB cap fails its tenant with a clear reason; it is not read
/// into memory whole, and the run says so with status 3.
#[test]
fn an_mcas_page_over_the_cap_fails_its_tenant_clearly() {
    let mut list = alerts("contoso", 2);
    list[1]["description"] = Value::from("A".repeat(17 * 1024 * 1024));
    let h = Harness::start(HarnessOptions::default().tenant("contoso", list));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 3, "{}", out.stdout);
    let failed = out.events_of("tenant_failed");
    assert_eq!(failed.len(), 1, "{}", out.stdout);
    let reason = failed[0]["reason"].as_str().unwrap();
    assert!(reason.contains("exceeds the limit of 16777216 bytes"), "{reason}");
}

/// Text that grows when escaped (wiki backslashes and entities, JSON escapes), so that a
/// description under the mapping's own cut still renders past Jira's limit.
fn huge_alert() -> Vec<Value> {
    let mut list = alerts("contoso", 1);
    list[0]["description"] = Value::from(format!("<p>{}</p>", "|{\"\\".repeat(40_000)));
    list
}

#[test]
fn a_huge_description_is_cut_to_jiras_limit_with_a_note_on_cloud() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", huge_alert()));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{}", out.stdout);
    let issue = h.ticket_of(&alert_id(&h.tenants[0].alerts[0]));
    let adf = issue.description.expect("a description").to_string();
    assert!(adf.encode_utf16().count() <= DESCRIPTION_MAX_LEN, "{} characters", adf.len());
    assert!(adf.contains(CUT_NOTE), "no note says the description was cut");
}

#[test]
fn a_huge_description_is_cut_to_jiras_limit_with_a_note_on_server() {
    let h = Harness::start(HarnessOptions::default().server().tenant("contoso", huge_alert()));
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{}", out.stdout);
    let issue = h.ticket_of(&alert_id(&h.tenants[0].alerts[0]));
    let wiki = issue.description.expect("a description");
    let wiki = wiki.as_str().expect("wiki markup");
    assert!(wiki.encode_utf16().count() <= DESCRIPTION_MAX_LEN, "{} characters", wiki.len());
    assert!(wiki.contains(CUT_NOTE), "no note says the description was cut");
}
