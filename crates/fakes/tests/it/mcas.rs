//! The fake Defender for Cloud Apps tenant.

use mcas2jira_fakes::mcas::{MCAS_SCOPE, route};
use mcas2jira_fakes::scenario::{BulkAlerts, bulk_alerts};
use mcas2jira_fakes::{EntraApp, FakeMcas, FakeMcasOptions};
use serde_json::{Value, json};

use crate::{http, status_json};

const TOKEN: &str = "mcas-secret-token";

fn alert(id: u32, timestamp: i64, severity: i64, resolution: Option<i64>) -> Value {
    let mut alert = json!({
        "_id": format!("{id:024x}"),
        "timestamp": timestamp,
        "title": format!("alert {id}"),
        "severityValue": severity,
        "statusValue": 0,
    });
    if let Some(resolution) = resolution {
        alert["resolutionStatusValue"] = json!(resolution);
    }
    alert
}

async fn start(alerts: Vec<Value>) -> FakeMcas {
    FakeMcas::start(FakeMcasOptions { token: TOKEN.into(), alerts, ..FakeMcasOptions::default() })
        .await
        .unwrap()
}

async fn list(fake: &FakeMcas, body: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}/api/v1/alerts/", fake.url()))
        .header("Authorization", format!("Token {TOKEN}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    status_json(response).await
}

fn ids(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|a| a["_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn auth_requires_the_token() {
    let fake = start(vec![alert(1, 1000, 0, None)]).await;
    let url = format!("{}/api/v1/alerts/", fake.url());
    let (status, body) = status_json(http().post(&url).json(&json!({})).send().await.unwrap()).await;
    assert_eq!((status, body["detail"].as_str().is_some()), (401, true));
    let wrong =
        http().post(&url).header("Authorization", "Token nope").json(&json!({})).send().await.unwrap();
    assert_eq!(status_json(wrong).await, (401, json!({"detail": "Invalid token"})));
    let (status, page) = list(&fake, json!({})).await;
    assert_eq!((status, page["total"].clone()), (200, json!(1)));
    assert_eq!(fake.stats().get(route::LIST), 3);
}

#[tokio::test]
async fn entra_tokens_are_issued_and_accepted() {
    let app = EntraApp { tenant_id: "tid-1".into(), client_id: "cid".into(), client_secret: "s3cret".into() };
    let fake = FakeMcas::start(FakeMcasOptions {
        entra: Some(app),
        alerts: vec![alert(1, 1, 0, None)],
        ..FakeMcasOptions::default()
    })
    .await
    .unwrap();
    let form = |secret: &str, scope: &str| {
        vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", "cid".to_owned()),
            ("client_secret", secret.to_owned()),
            ("scope", scope.to_owned()),
        ]
    };
    let token_url = format!("{}/tid-1/oauth2/v2.0/token", fake.url());
    let (status, body) =
        status_json(http().post(&token_url).form(&form("wrong", MCAS_SCOPE)).send().await.unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    let (status, body) = status_json(
        http()
            .post(&token_url)
            .form(&form("s3cret", "https://graph.microsoft.com/.default"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_scope")));
    let other_tenant = format!("{}/other/oauth2/v2.0/token", fake.url());
    let (status, _) =
        status_json(http().post(&other_tenant).form(&form("s3cret", MCAS_SCOPE)).send().await.unwrap()).await;
    assert_eq!(status, 400);

    let (status, body) =
        status_json(http().post(&token_url).form(&form("s3cret", MCAS_SCOPE)).send().await.unwrap()).await;
    assert_eq!(
        (status, body["token_type"].as_str(), body["expires_in"].as_u64()),
        (200, Some("Bearer"), Some(3599))
    );
    let bearer = body["access_token"].as_str().unwrap().to_owned();
    let alerts_url = format!("{}/api/v1/alerts/", fake.url());
    let ok = http().post(&alerts_url).bearer_auth(&bearer).json(&json!({})).send().await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(fake.live_tokens(), 1);
    fake.expire_tokens();
    let expired = http().post(&alerts_url).bearer_auth(&bearer).json(&json!({})).send().await.unwrap();
    assert_eq!(expired.status().as_u16(), 401);
}

#[tokio::test]
async fn three_pages_by_skip_with_has_next() {
    let alerts: Vec<Value> = (0..250).map(|i| alert(i, 1_000 + i64::from(i) * 10, 1, Some(0))).collect();
    let fake = start(alerts).await;
    let mut seen = Vec::new();
    // The plain date window and a filtered walk take different paths through the store.
    for filters in [json!({"date": {"gte": 0}}), json!({"date": {"gte": 0}, "alertOpen": {"eq": true}})] {
        seen.clear();
        let mut has_next = Vec::new();
        for skip in [0, 100, 200] {
            let (status, page) =
                list(&fake, json!({"filters": filters, "skip": skip, "limit": 100, "sortField": "date", "sortDirection": "asc"})).await;
            assert_eq!(status, 200);
            assert_eq!(page["total"], 250);
            assert_eq!(page["max"], 100);
            has_next.push(page["hasNext"].as_bool().unwrap());
            seen.extend(ids(&page));
        }
        assert_eq!(has_next, [true, true, false], "{filters}");
        let expected: Vec<String> = (0..250).map(|i: u32| format!("{i:024x}")).collect();
        assert_eq!(seen, expected, "{filters}");
    }
    let (_, newest_first) =
        list(&fake, json!({"limit": 2, "sortField": "date", "sortDirection": "desc"})).await;
    assert_eq!(ids(&newest_first), [format!("{:024x}", 249), format!("{:024x}", 248)]);
}

#[track_caller]
fn check_ids(page: &Value, expected: &[u32]) {
    let want: Vec<String> = expected.iter().map(|i| format!("{i:024x}")).collect();
    assert_eq!(ids(page), want);
}

#[tokio::test]
async fn filters_select_what_the_documentation_says() {
    let fake = start(vec![
        alert(1, 100, 0, Some(0)),
        alert(2, 200, 1, None),
        alert(3, 300, 2, Some(4)),
        alert(4, 400, 3, Some(0)),
        alert(5, 500, 2, Some(5)),
    ])
    .await;
    let asc = |filters: Value| json!({"filters": filters, "sortField": "date", "sortDirection": "asc"});
    let cases: Vec<(Value, Vec<u32>)> = vec![
        (json!({}), vec![1, 2, 3, 4, 5]),
        (json!({"date": {"gte": 200, "lte": 400}}), vec![2, 3, 4]),
        (json!({"date": {"range": [{"start": 100, "end": 100}, {"start": 450, "end": 600}]}}), vec![1, 5]),
        (json!({"severity": {"eq": [2, 3]}}), vec![3, 4, 5]),
        (json!({"severity": {"eq": 0}}), vec![1]),
        (json!({"severity": {"neq": [2]}}), vec![1, 2, 4]),
        (json!({"resolutionStatus": {"eq": [0]}}), vec![1, 2, 4]),
        (json!({"resolutionStatus": {"neq": [0, 4]}}), vec![5]),
        (json!({"alertOpen": {"eq": true}}), vec![1, 2, 4]),
        (json!({"alertOpen": {"eq": false}}), vec![3, 5]),
        (json!({"read": {"eq": false}}), vec![1, 2, 3, 4, 5]),
        (json!({"id": {"eq": [format!("{:024x}", 4), format!("{:024x}", 2)]}}), vec![2, 4]),
        (json!({"id": {"neq": [format!("{:024x}", 4)]}}), vec![1, 2, 3, 5]),
        (json!({"entity.user": {"eq": ["x@example.com"]}, "date": {"gte": 500}}), vec![5]),
        (json!({"alertOpen": {"eq": true}, "severity": {"eq": [0, 1]}, "date": {"gte": 150}}), vec![2]),
    ];
    for (filters, expected) in cases {
        let (status, page) = list(&fake, asc(filters.clone())).await;
        assert_eq!(status, 200, "{filters}");
        check_ids(&page, &expected);
    }
    let (_, by_severity) =
        list(&fake, json!({"sortField": "severity", "sortDirection": "desc", "limit": 1})).await;
    check_ids(&by_severity, &[4]);
}

#[tokio::test]
async fn bad_requests_get_the_filter_validation_body() {
    let fake = start(vec![alert(1, 100, 0, None)]).await;
    for body in [
        json!({"limit": 101}),
        json!({"limit": -1}),
        json!({"filters": {"id": {"eq": ["<alert_id>"]}}}),
        json!({"filters": {"severity": {"gt": 1}}}),
        json!({"filters": {"severity": {"eq": "high"}}}),
        json!({"filters": {"date": {"gte": "yesterday"}}}),
        json!({"filters": {"alertOpen": {"eq": "yes"}}}),
        json!({"sortField": "title"}),
        json!({"sortDirection": "up"}),
    ] {
        let (status, answer) = list(&fake, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["error"], true, "{body}");
        assert!(answer["filters"][0]["errorMessageCode"].is_string(), "{body}: {answer}");
    }
    let broken = http()
        .post(format!("{}/api/v1/alerts/", fake.url()))
        .header("Authorization", format!("Token {TOKEN}"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status().as_u16(), 400);
}

#[tokio::test]
async fn get_close_and_mark_read() {
    let fake = start(vec![alert(1, 100, 0, Some(0)), alert(2, 200, 1, Some(0))]).await;
    let client = http();
    let auth = format!("Token {TOKEN}");
    let one = client
        .get(format!("{}/api/v1/alerts/{:024x}/", fake.url(), 2))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(one).await;
    assert_eq!((status, body["title"].as_str()), (200, Some("alert 2")));
    let missing = client
        .get(format!("{}/api/v1/alerts/{:024x}/", fake.url(), 9))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let invalid = client
        .get(format!("{}/api/v1/alerts/nope/", fake.url()))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status().as_u16(), 400);

    let close = client
        .post(format!("{}/api/v1/alerts/close_benign/", fake.url()))
        .header("Authorization", &auth)
        .json(&json!({"filters": {"id": {"eq": [format!("{:024x}", 1), "invalidAlert1"]}}, "comment": "pentest", "reasonId": 6}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        status_json(close).await,
        (200, json!({"closed_benign": 1, "alertsNotFound": ["invalidAlert1"]}))
    );
    assert_eq!(fake.alert(&format!("{:024x}", 1)).unwrap()["resolutionStatusValue"], 4);
    let tp = client
        .post(format!("{}/api/v1/alerts/close_true_positive/", fake.url()))
        .header("Authorization", &auth)
        .json(&json!({"filters": {"id": {"eq": [format!("{:024x}", 2)]}}, "comment": "confirmed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(status_json(tp).await, (200, json!({"closed_true_positive": 1})));

    let read = client
        .post(format!("{}/api/v1/alerts/{:024x}/read/", fake.url(), 2))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
    let (_, page) = list(&fake, json!({"filters": {"read": {"eq": true}}})).await;
    check_ids(&page, &[2]);
    let (_, open) = list(&fake, json!({"filters": {"alertOpen": {"eq": true}}})).await;
    check_ids(&open, &[]);
}

#[tokio::test]
async fn alerts_added_or_closed_while_running() {
    let fake = start(vec![alert(1, 100, 0, Some(0)), alert(3, 300, 0, Some(0))]).await;
    fake.add_alerts(vec![alert(2, 200, 0, Some(0)), alert(4, 300, 0, Some(0))]);
    let (_, page) = list(&fake, json!({"sortField": "date", "sortDirection": "asc"})).await;
    // Equal timestamps keep their arrival order.
    check_ids(&page, &[1, 2, 3, 4]);
    assert!(fake.close_alert(&format!("{:024x}", 3), 3));
    assert!(!fake.close_alert(&format!("{:024x}", 99), 3));
    let (_, open) = list(
        &fake,
        json!({"filters": {"alertOpen": {"eq": true}}, "sortField": "date", "sortDirection": "asc"}),
    )
    .await;
    check_ids(&open, &[1, 2, 4]);
    assert_eq!(fake.alerts().len(), 4);
    assert_eq!(fake.alert_count(), 4);
}

#[tokio::test]
async fn bulk_alerts_are_served_lazily_and_keyset_paging_sees_each_once() {
    let bulk = BulkAlerts::new(7, 1_000, "fabrikam", 300);
    let expected: Vec<Value> = bulk.iter().collect();
    let fake = FakeMcas::start(FakeMcasOptions {
        token: TOKEN.into(),
        bulk: Some(bulk),
        ..FakeMcasOptions::default()
    })
    .await
    .unwrap();
    // Page the way a careful client does: `date.gte` the newest timestamp seen, dedupe on `_id`.
    let mut seen = std::collections::HashSet::new();
    let mut gte = 0i64;
    let mut requests = 0;
    loop {
        requests += 1;
        assert!(requests < 50, "paging does not end");
        let (status, page) = list(
            &fake,
            json!({"filters": {"date": {"gte": gte}, "alertOpen": {"eq": true}}, "limit": 100, "sortField": "date", "sortDirection": "asc"}),
        )
        .await;
        assert_eq!(status, 200);
        let data = page["data"].as_array().unwrap();
        let fresh: Vec<&Value> =
            data.iter().filter(|a| seen.insert(a["_id"].as_str().unwrap().to_owned())).collect();
        if let Some(last) = data.last() {
            gte = last["timestamp"].as_i64().unwrap();
        }
        if !page["hasNext"].as_bool().unwrap() || fresh.is_empty() {
            break;
        }
    }
    assert_eq!(seen.len(), 1_000);
    let first = &expected[0];
    let served = fake.alert(first["_id"].as_str().unwrap()).unwrap();
    assert_eq!(served["title"], first["title"]);
    assert_eq!(served["resolutionStatusValue"], 0);
    // Changes to generated alerts stick.
    let id = first["_id"].as_str().unwrap();
    assert!(fake.close_alert(id, 4));
    assert_eq!(fake.alert(id).unwrap()["resolutionStatusValue"], 4);
    let (_, open) = list(&fake, json!({"filters": {"alertOpen": {"eq": true}, "id": {"eq": [id]}}})).await;
    assert_eq!(open["data"], json!([]));
    assert!(fake.alert("ffffffffffffffffffffffff").is_none());
}

#[tokio::test]
async fn odd_alerts_are_served_as_given() {
    let odd = vec![
        json!({"title": 5, "entities": "not a list"}),
        json!({"_id": 17, "timestamp": "yesterday", "severityValue": null}),
        json!("just a string"),
        json!({"_id": format!("{:024x}", 1), "timestamp": 10, "description": "<script>alert(1)</script>\u{202e}"}),
    ];
    let fake = start(odd.clone()).await;
    let (status, page) = list(&fake, json!({"sortField": "date", "sortDirection": "asc"})).await;
    assert_eq!((status, page["total"].as_u64()), (200, Some(4)));
    // Alerts without a numeric timestamp sort as 0, in arrival order.
    assert_eq!(page["data"].as_array().unwrap(), &odd);
    let (_, dated) = list(&fake, json!({"filters": {"date": {"gte": 1}}})).await;
    check_ids(&dated, &[1]);
}

#[tokio::test]
async fn unknown_paths_are_counted_and_answer_404() {
    let fake = start(bulk_alerts(1, 3, "contoso", 2)).await;
    let response = http().get(format!("{}/api/v1/alerts", fake.url())).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(fake.stats().get(route::NOT_FOUND), 1);
    assert_eq!(fake.stats().total, 1);
}
