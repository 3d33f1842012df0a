//! The fake Graph's alert generator, and the real `graph-security-client` walking the fake.

use std::time::Duration;

use futures_util::TryStreamExt;
use graph_security_client::{
    AlertQuery, AlertStatus, AlertUpdate, Auth, Classification, Client, Comparison, EntraApp, Error,
    Evidence, Filter, SecretString, ServiceSource,
};
use jiff::{SignedDuration, Timestamp};
use mcas2jira_fakes::graph::{demo_alerts, generated_alerts};
use mcas2jira_fakes::{FakeGraph, FakeGraphOptions, GraphTenant, Permission};

use crate::graph::{TAILSPIN, WINGTIP, app};

#[test]
fn the_generator_makes_realistic_alerts_of_every_kind() {
    let now: Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    let mut sources = std::collections::BTreeMap::<String, usize>::new();
    for tenant in [TAILSPIN, WINGTIP, "fabrikam.onmicrosoft.com", "contoso.onmicrosoft.com"] {
        let alerts = demo_alerts(tenant, now);
        assert_eq!(alerts, demo_alerts(tenant, now), "deterministic");
        assert!((15..=30).contains(&alerts.len()), "{}", alerts.len());
        let times: Vec<Timestamp> =
            alerts.iter().map(|a| a["createdDateTime"].as_str().unwrap().parse().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
        assert!(times.iter().all(|t| *t <= now && *t >= now - SignedDuration::from_hours(60)));
        let ids: std::collections::HashSet<&str> = alerts.iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), alerts.len(), "unique ids");
        for alert in &alerts {
            // Every generated alert decodes with the real client's models.
            let decoded = graph_security_client::Alert::from_json(alert).unwrap();
            *sources.entry(decoded.service_source.unwrap().to_string()).or_default() += 1;
            for evidence in &decoded.evidence {
                kinds.insert(match evidence {
                    Evidence::User(_) => "user".to_owned(),
                    Evidence::Ip(ip) => {
                        assert!(ip.ip().is_some() && ip.country_letter_code.is_some());
                        "ip".to_owned()
                    }
                    Evidence::CloudApplication(_) => "cloudApplication".to_owned(),
                    Evidence::OauthApplication(_) => "oauthApplication".to_owned(),
                    Evidence::Mailbox(_) => "mailbox".to_owned(),
                    Evidence::Other(other) => other.kind().unwrap().to_owned(),
                    _ => "new typed kind".to_owned(),
                });
            }
        }
    }
    for kind in ["user", "ip", "cloudApplication", "oauthApplication", "mailbox", "device", "file", "aiAgent"]
    {
        assert!(kinds.contains(kind), "no {kind} evidence in {kinds:?}");
    }
    let mda = sources.get("microsoftDefenderForCloudApps").copied().unwrap_or(0);
    let total: usize = sources.values().sum();
    assert!(mda * 10 >= total * 6 && mda < total, "{sources:?}");

    let many = generated_alerts(TAILSPIN, 500, SignedDuration::from_secs(30), now);
    assert_eq!(many.len(), 500);
    assert_eq!(many[0]["createdDateTime"], "2026-11-30T09:00:00Z");
    assert_eq!(many[499]["createdDateTime"], "2026-11-30T04:50:30Z");
}

#[tokio::test]
async fn the_real_client_walks_the_fake() {
    let now = Timestamp::now();
    let fake = FakeGraph::start(FakeGraphOptions {
        tenants: vec![
            GraphTenant::new(TAILSPIN, generated_alerts(TAILSPIN, 120, SignedDuration::from_secs(60), now)),
            GraphTenant::new(WINGTIP, demo_alerts(WINGTIP, now)),
        ],
        ..FakeGraphOptions::default()
    })
    .await
    .unwrap();
    let app = app();
    let entra = EntraApp::builder(app.client_id, SecretString::from(app.client_secret))
        .authority(fake.url().parse().unwrap())
        .build()
        .unwrap();
    let client = |tenant: &str| {
        Client::builder(Auth::app(entra.clone(), tenant))
            .base_url(fake.url().parse().unwrap())
            .requests_per_minute(0)
            .build()
            .unwrap()
    };
    let since = now - SignedDuration::from_hours(1);
    let query = AlertQuery::default()
        .filter(
            Filter::service_source(ServiceSource::MicrosoftDefenderForCloudApps)
                .and(Filter::created(Comparison::Ge, since)),
        )
        .top(7);
    let tailspin = client(TAILSPIN);
    let alerts: Vec<_> = tailspin.alerts(query.clone()).try_collect().await.unwrap();
    let expected = fake
        .alerts(TAILSPIN)
        .into_iter()
        .filter(|a| a["serviceSource"] == "microsoftDefenderForCloudApps")
        .filter(|a| a["createdDateTime"].as_str().unwrap().parse::<Timestamp>().unwrap() >= since)
        .count();
    assert!(expected > 20, "{expected}");
    assert_eq!(alerts.len(), expected);
    assert!(alerts.windows(2).all(|w| w[0].created_date_time >= w[1].created_date_time));
    assert_eq!(
        client(WINGTIP).alerts_page(&AlertQuery::default()).await.unwrap().alerts.len(),
        fake.alert_count(WINGTIP)
    );
    assert_eq!((fake.tokens_issued(TAILSPIN), fake.tokens_issued(WINGTIP)), (1, 1));

    let id = alerts[0].id.clone();
    let update =
        AlertUpdate::default().status(AlertStatus::Resolved).classification(Classification::FalsePositive);
    let updated = tailspin.update_alert(&id, &update).await.unwrap().unwrap();
    assert!(updated.is_resolved());
    tailspin.add_comment(&id, "Closed from Jira").await.unwrap();
    assert_eq!(fake.comments()[0].comment, "Closed from Jira");

    fake.set_permission(TAILSPIN, Permission::Read);
    let error = tailspin.add_comment(&id, "again").await.unwrap_err();
    assert!(matches!(error, Error::Forbidden { required: "SecurityAlert.ReadWrite.All", .. }), "{error}");
    tokio::time::timeout(Duration::from_secs(5), fake.shutdown()).await.unwrap();
}
