//! The fake Microsoft Graph security alerts API: tokens per tenant, the OData filter subset,
//! newest-first paging by next link, throttling, Graph's error bodies, updates and comments.

use mcas2jira_fakes::graph::{GRAPH_SCOPE, route};
use mcas2jira_fakes::{FakeGraph, FakeGraphOptions, FaultKind, GraphApp, GraphTenant, Permission};
use serde_json::{Value, json};

use crate::{http, status_json};

pub const TAILSPIN: &str = "4a7c1e90-3b2d-4f6a-8e15-9c0d2b7a6f31";
pub const WINGTIP: &str = "wingtiptoys.onmicrosoft.com";

pub fn app() -> GraphApp {
    FakeGraphOptions::default().apps.remove(0)
}

fn alert(id: &str, created: &str, service: &str, status: &str) -> Value {
    json!({"id": id, "createdDateTime": created, "serviceSource": service, "status": status, "title": id})
}

/// Five alerts a minute apart, `a` the oldest; `c` is another product's.
fn five() -> Vec<Value> {
    vec![
        alert("a", "2026-11-30T08:01:00Z", "microsoftDefenderForCloudApps", "new"),
        alert("b", "2026-11-30T08:02:00Z", "microsoftDefenderForCloudApps", "resolved"),
        alert("c", "2026-11-30T08:03:00Z", "microsoftDefenderForEndpoint", "new"),
        alert("d", "2026-11-30T08:04:00.5Z", "microsoftDefenderForCloudApps", "new"),
        alert("e", "2026-11-30T08:05:00Z", "microsoftDefenderForCloudApps", "inProgress"),
    ]
}

async fn start(options: FakeGraphOptions) -> FakeGraph {
    FakeGraph::start(options).await.unwrap()
}

async fn two_tenants() -> FakeGraph {
    start(FakeGraphOptions {
        tenants: vec![
            GraphTenant::new(TAILSPIN, five()),
            GraphTenant::new(
                WINGTIP,
                vec![alert("w1", "2026-11-30T07:00:00Z", "microsoftDefenderForCloudApps", "new")],
            ),
        ],
        ..FakeGraphOptions::default()
    })
    .await
}

async fn token_request(fake: &FakeGraph, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response =
        http().post(format!("{}/{tenant}/oauth2/v2.0/token", fake.url())).form(form).send().await.unwrap();
    status_json(response).await
}

async fn token(fake: &FakeGraph, tenant: &str) -> String {
    let app = app();
    let (status, body) = token_request(
        fake,
        tenant,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
            ("scope", GRAPH_SCOPE),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn get(fake: &FakeGraph, token: &str, path_and_query: &str) -> (u16, Value) {
    let url = if path_and_query.starts_with("http") {
        path_and_query.to_owned()
    } else {
        format!("{}{path_and_query}", fake.url())
    };
    status_json(http().get(url).bearer_auth(token).send().await.unwrap()).await
}

fn ids(page: &Value) -> Vec<&str> {
    page["value"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn tokens_are_issued_per_tenant_to_the_app_with_its_secret() {
    let fake = two_tenants().await;
    let app = app();
    #[track_caller]
    fn check((status, body): (u16, Value), expected_status: u16, error: &str, code: &str) {
        assert_eq!(status, expected_status, "{body}");
        assert_eq!(body["error"], error, "{body}");
        assert!(body["error_description"].as_str().unwrap().starts_with(code), "{body}");
    }
    let request = |tenant: &'static str, client: &str, secret: &str, scope: &str| {
        let form = [
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", client.to_owned()),
            ("client_secret", secret.to_owned()),
            ("scope", scope.to_owned()),
        ];
        let fake = &fake;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            token_request(fake, tenant, &pairs).await
        }
    };
    let (id, secret) = (app.client_id.as_str(), app.client_secret.as_str());
    check(request(TAILSPIN, id, "wrong", GRAPH_SCOPE).await, 401, "invalid_client", "AADSTS7000215");
    check(
        request(TAILSPIN, "someone-else", secret, GRAPH_SCOPE).await,
        400,
        "unauthorized_client",
        "AADSTS700016",
    );
    check(
        request("contoso.onmicrosoft.com", id, secret, GRAPH_SCOPE).await,
        400,
        "invalid_request",
        "AADSTS90002",
    );
    let us_gov = "https://graph.microsoft.us/.default";
    check(request(TAILSPIN, id, secret, us_gov).await, 400, "invalid_scope", "AADSTS1002012");

    // A token reads its own tenant's alerts only.
    let tailspin = token(&fake, TAILSPIN).await;
    let wingtip = token(&fake, WINGTIP).await;
    assert_ne!(tailspin, wingtip);
    assert_eq!(ids(&get(&fake, &tailspin, "/v1.0/security/alerts_v2").await.1), ["e", "d", "c", "b", "a"]);
    assert_eq!(ids(&get(&fake, &wingtip, "/v1.0/security/alerts_v2").await.1), ["w1"]);
    assert_eq!((fake.tokens_issued(TAILSPIN), fake.tokens_issued(WINGTIP)), (1, 1));
    let (status, _) = get(&fake, &wingtip, "/v1.0/security/alerts_v2/a").await;
    assert_eq!(status, 404, "another tenant's alert is not there");
}

#[tokio::test]
async fn the_filter_subset_top_count_and_next_links() {
    let fake = two_tenants().await;
    let token = token(&fake, TAILSPIN).await;
    let filter =
        "serviceSource eq 'microsoftDefenderForCloudApps' and createdDateTime ge 2026-11-30T08:02:00Z";
    let query: String = url_query(&[("$filter", filter), ("$top", "2"), ("$count", "true")]);
    let (status, page) = get(&fake, &token, &format!("/v1.0/security/alerts_v2?{query}")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page), ["e", "d"]);
    assert_eq!(page["@odata.count"], 3);
    let next = page["@odata.nextLink"].as_str().unwrap().to_owned();
    assert!(next.starts_with(&format!("{}/v1.0/security/alerts_v2?$filter=", fake.url())), "{next}");
    assert!(next.ends_with("&$count=true&$top=2&$skip=2"), "{next}");
    let (_, page) = get(&fake, &token, &next).await;
    assert_eq!(ids(&page), ["b"]);
    assert!(page.get("@odata.nextLink").is_none());

    for (filter, expected) in [
        ("status eq 'new' or status eq 'inProgress'", vec!["e", "d", "c", "a"]),
        (
            "(status eq 'new' or status eq 'resolved') and serviceSource ne 'microsoftDefenderForEndpoint'",
            vec!["d", "b", "a"],
        ),
        ("createdDateTime gt 2026-11-30T08:04:00Z and createdDateTime lt 2026-11-30T08:05:00Z", vec!["d"]),
        ("createdDateTime le 2026-11-30T08:02:00Z", vec!["b", "a"]),
        ("lastUpdateDateTime ge 2026-01-01T00:00:00Z", vec![]),
    ] {
        let (status, page) =
            get(&fake, &token, &format!("/v1.0/security/alerts_v2?{}", url_query(&[("$filter", filter)])))
                .await;
        assert_eq!((status, ids(&page)), (200, expected), "{filter}");
    }
    for bad in
        ["title eq 'x'", "createdDateTime ge '2026-11-30T00:00:00Z'", "status eq new", "status eq 'new' and"]
    {
        let (status, body) =
            get(&fake, &token, &format!("/v1.0/security/alerts_v2?{}", url_query(&[("$filter", bad)]))).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("BadRequest")), "{bad}: {body}");
    }
    let (status, _) = get(&fake, &token, "/v1.0/security/alerts_v2?$top=0").await;
    assert_eq!(status, 400);
    let (status, _) = get(&fake, &token, "/v1.0/security/alerts_v2?$orderby=severity").await;
    assert_eq!(status, 400);
}

/// A query string, encoded as a client encodes it.
fn url_query(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

#[tokio::test]
async fn alerts_arriving_mid_walk_push_the_next_page_down() {
    let fake = two_tenants().await;
    let token = token(&fake, TAILSPIN).await;
    let (_, first) = get(&fake, &token, "/v1.0/security/alerts_v2?$top=2").await;
    assert_eq!(ids(&first), ["e", "d"]);
    fake.add_alerts(
        TAILSPIN,
        vec![alert("f", "2026-11-30T08:06:00Z", "microsoftDefenderForCloudApps", "new")],
    );
    let (_, second) = get(&fake, &token, first["@odata.nextLink"].as_str().unwrap()).await;
    assert_eq!(ids(&second), ["d", "c"], "newest first by position: the arrival repeats d");
    assert_eq!(fake.alert_count(TAILSPIN), 6);
}

#[tokio::test]
async fn refusals_come_in_graphs_shape() {
    let fake = two_tenants().await;
    let url = format!("{}/v1.0/security/alerts_v2", fake.url());
    let (status, body) = status_json(http().get(&url).send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("InvalidAuthenticationToken")));
    let (status, body) = get(&fake, "made-up", "/v1.0/security/alerts_v2").await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("InvalidAuthenticationToken")));
    let token = token(&fake, TAILSPIN).await;
    fake.expire_tokens();
    let (status, body) = get(&fake, &token, "/v1.0/security/alerts_v2").await;
    assert_eq!(status, 401);
    assert!(body["error"]["message"].as_str().unwrap().contains("expired"), "{body}");

    let token = crate::graph::token(&fake, TAILSPIN).await;
    fake.set_permission(TAILSPIN, Permission::None);
    let (status, body) = get(&fake, &token, "/v1.0/security/alerts_v2").await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("Forbidden")));
    assert!(body["error"]["innerError"]["request-id"].is_string());

    fake.set_permission(TAILSPIN, Permission::Read);
    assert_eq!(get(&fake, &token, "/v1.0/security/alerts_v2/a").await.0, 200);
    let patch = http()
        .patch(format!("{url}/a"))
        .bearer_auth(&token)
        .json(&json!({"status": "resolved"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(patch).await;
    assert_eq!(status, 403);
    assert!(body["error"]["message"].as_str().unwrap().contains("SecurityAlert.ReadWrite.All"), "{body}");
    assert!(fake.updates().is_empty());
}

#[tokio::test]
async fn throttling_per_tenant_with_retry_after() {
    let fake = start(FakeGraphOptions {
        tenants: vec![GraphTenant::new(TAILSPIN, five()), GraphTenant::new(WINGTIP, vec![])],
        requests_per_minute: Some(2),
        ..FakeGraphOptions::default()
    })
    .await;
    let token = token(&fake, TAILSPIN).await;
    for _ in 0..2 {
        assert_eq!(get(&fake, &token, "/v1.0/security/alerts_v2").await.0, 200);
    }
    let response = http()
        .get(format!("{}/v1.0/security/alerts_v2", fake.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let (status, body) = status_json(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("TooManyRequests")));
    // Another tenant has its own budget.
    let wingtip = crate::graph::token(&fake, WINGTIP).await;
    assert_eq!(get(&fake, &wingtip, "/v1.0/security/alerts_v2").await.0, 200);

    // The fault knob throttles too.
    fake.fail_next(route::GET, 1, FaultKind::RateLimit { retry_after_secs: 7 });
    let response = http()
        .get(format!("{}/v1.0/security/alerts_v2/w", fake.url()))
        .bearer_auth(&wingtip)
        .send()
        .await
        .unwrap();
    assert_eq!((response.status().as_u16(), response.headers()["retry-after"].to_str().unwrap()), (429, "7"));
}

#[tokio::test]
async fn updates_and_comments_are_applied_and_recorded() {
    let fake = two_tenants().await;
    let token = token(&fake, TAILSPIN).await;
    let url = format!("{}/v1.0/security/alerts_v2", fake.url());
    let patch = |body: Value| http().patch(format!("{url}/a")).bearer_auth(&token).json(&body).send();
    let (status, alert) = status_json(patch(json!({"status": "resolved", "classification": "truePositive", "determination": "compromisedAccount", "assignedTo": "soc@tailspintoys.com"})).await.unwrap()).await;
    assert_eq!(status, 200, "{alert}");
    assert_eq!(
        (alert["status"].as_str(), alert["assignedTo"].as_str()),
        (Some("resolved"), Some("soc@tailspintoys.com"))
    );
    assert!(alert["resolvedDateTime"].is_string() && alert["lastUpdateDateTime"].is_string());
    for bad in
        [json!({"status": "closed"}), json!({"determination": "clean"}), json!({"title": "x"}), json!([1])]
    {
        let (status, body) = status_json(patch(bad.clone()).await.unwrap()).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("BadRequest")), "{bad}");
    }
    let updates = fake.updates();
    assert_eq!(updates.len(), 1);
    assert_eq!((updates[0].tenant_id.as_str(), updates[0].alert_id.as_str()), (TAILSPIN, "a"));

    let post = |text: &str| {
        http()
            .post(format!("{url}/a/comments"))
            .bearer_auth(&token)
            .json(&json!({"@odata.type": "microsoft.graph.security.alertComment", "comment": text}))
            .send()
    };
    let (status, body) = status_json(post("Ticket SEC-1 resolved.").await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["value"][0]["comment"], "Ticket SEC-1 resolved.");
    assert_eq!(status_json(post(" ").await.unwrap()).await.0, 400);
    assert_eq!(fake.comments().len(), 1);
    assert_eq!(fake.alert(TAILSPIN, "a").unwrap()["comments"].as_array().unwrap().len(), 1);
    let (status, _) = status_json(
        http()
            .post(format!("{url}/zz/comments"))
            .bearer_auth(&token)
            .json(&json!({"comment": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert!(fake.update_alert(TAILSPIN, "b", json!({"status": "inProgress"})));
    assert_eq!(fake.alert(TAILSPIN, "b").unwrap()["resolvedDateTime"], Value::Null);
}
