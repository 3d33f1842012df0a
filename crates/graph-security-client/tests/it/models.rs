//! Models that survive real data: typed evidence, unknown evidence kinds and enum values kept,
//! odd fields tolerated, and the alert written back as it came.

use graph_security_client::{
    Alert, AlertId, AlertStatus, Classification, DetectionSource, Determination, Evidence, EvidenceRole,
    EvidenceVerdict, RemediationStatus, ServiceSource, Severity,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    ALERTS_PATH, GraphHeaders, TAILSPIN, client, fixture, fixture_json, mount_catch_all, mount_token,
};

async fn fetch(name: &str, id: &str) -> Alert {
    let server = MockServer::start().await;
    mount_token(&server, TAILSPIN, "tok-1", 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{ALERTS_PATH}/{id}")))
        .and(GraphHeaders("tok-1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture(name)))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    client(&server).get_alert(&AlertId::new(id)).await.unwrap()
}

#[tokio::test]
async fn a_defender_for_cloud_apps_alert_with_typed_evidence() {
    let alert = fetch("alert_impossible_travel.json", "da638681154220931147_-1306548972").await;
    assert_eq!(alert.status, Some(AlertStatus::New));
    assert_eq!(alert.severity, Severity::High);
    assert_eq!(alert.classification, None, "null is no value");
    assert_eq!(alert.service_source, Some(ServiceSource::MicrosoftDefenderForCloudApps));
    assert_eq!(alert.detection_source, Some(DetectionSource::CloudAppSecurity));
    assert_eq!(alert.detector_id.as_deref(), Some("ImpossibleTravel"));
    assert_eq!(alert.incident_id.as_deref(), Some("5127"));
    assert_eq!(alert.category.as_deref(), Some("InitialAccess"));
    assert_eq!(alert.mitre_techniques, ["T1078", "T1078.004"]);
    assert_eq!(alert.created_date_time.to_string(), "2026-11-28T22:10:22.0931147Z");
    assert!(alert.recommended_actions.as_deref().unwrap().contains("\n2. If not"));
    assert_eq!(
        alert.extra.get("@odata.type").and_then(|v| v.as_str()),
        Some("#microsoft.graph.security.alert")
    );

    let [Evidence::User(user), Evidence::Ip(nz), Evidence::Ip(de), Evidence::CloudApplication(app)] =
        alert.evidence.as_slice()
    else {
        panic!("{:#?}", alert.evidence)
    };
    let account = user.user_account.as_ref().unwrap();
    assert_eq!(account.best_name().as_deref(), Some("ana.folau@tailspintoys.onmicrosoft.com"));
    assert_eq!(user.common.roles, [EvidenceRole::Compromised]);
    assert_eq!(user.common.verdict, Some(EvidenceVerdict::Suspicious));
    assert_eq!(nz.ip(), Some("203.0.113.48".parse().unwrap()));
    assert_eq!(nz.country_letter_code.as_deref(), Some("NZ"));
    assert_eq!(de.ip(), Some("2001:db8:4f2::17".parse().unwrap()));
    assert_eq!(de.common.roles, [EvidenceRole::Attacker, EvidenceRole::Source]);
    assert_eq!((app.app_id, app.display_name.as_deref()), (Some(11161), Some("Office 365")));
}

#[tokio::test]
async fn unknown_evidence_kinds_and_enum_values_are_kept() {
    let alert = fetch("alert_unknown_kinds.json", "ca638681201544077002_1849306615").await;
    assert_eq!(alert.severity, Severity::UnknownFutureValue);
    assert_eq!(alert.severity.rank(), 4, "an unknown severity is never below a threshold");
    assert_eq!(alert.classification, Some(Classification::InformationalExpectedActivity));
    assert_eq!(alert.determination, Some(Determination::Other("confirmedUserActivity".into())));
    assert_eq!(alert.service_source, Some(ServiceSource::MicrosoftDefenderForCloud));
    assert_eq!(alert.detection_source, Some(DetectionSource::Other("microsoftDefenderForAiServices".into())));
    assert!(alert.mitre_techniques.is_empty(), "a string where a list belongs is an empty list");
    assert_eq!(alert.last_update_date_time, None, "an unreadable time is no time");
    assert_eq!(alert.comments.len(), 1);
    assert_eq!(alert.system_tags, ["Defender Experts"]);
    assert_eq!(alert.extra["customDetails"]["riskLevel"], 7);

    let [
        Evidence::OauthApplication(oauth),
        Evidence::Mailbox(mailbox),
        Evidence::Other(agent),
        Evidence::Ip(odd_ip),
        Evidence::Other(untyped),
    ] = alert.evidence.as_slice()
    else {
        panic!("{:#?}", alert.evidence)
    };
    assert_eq!(oauth.display_name.as_deref(), Some("Mail Organizer Pro"));
    assert_eq!(oauth.common.remediation_status, Some(RemediationStatus::Other("quarantined".into())));
    assert_eq!(oauth.common.roles, [EvidenceRole::Attacker, EvidenceRole::Other("someNewRole".into())]);
    assert_eq!(mailbox.primary_address.as_deref(), Some("kenji.arakawa@tailspintoys.com"));
    assert_eq!(mailbox.upn.as_deref(), Some("kenji.arakawa@tailspintoys.onmicrosoft.com"));
    assert_eq!(agent.kind(), Some("aiAgent"));
    assert_eq!(agent.raw["agentName"], "Inbox Copilot");
    assert_eq!(agent.common.verdict, Some(EvidenceVerdict::Unknown));
    assert_eq!((odd_ip.ip(), odd_ip.country_letter_code.as_deref()), (None, None));
    assert!(odd_ip.common.roles.is_empty());
    assert_eq!((untyped.odata_type.as_deref(), untyped.kind()), (None, None));
    assert_eq!(untyped.common.verdict, Some(EvidenceVerdict::Suspicious));
}

#[test]
fn an_alert_is_written_back_as_it_came() {
    for name in ["alert_impossible_travel.json", "alert_unknown_kinds.json"] {
        let json = fixture_json(name);
        let alert = Alert::from_json(&json).unwrap();
        let written = serde_json::to_value(&alert).unwrap();
        // Unknown evidence and enum values survive a round trip unchanged.
        assert_eq!(Alert::from_json(&written).unwrap(), alert, "{name}");
        assert_eq!(written["evidence"][0]["@odata.type"], json["evidence"][0]["@odata.type"], "{name}");
    }
    let json = fixture_json("alert_unknown_kinds.json");
    let written = serde_json::to_value(Alert::from_json(&json).unwrap()).unwrap();
    assert_eq!(written["evidence"][2], json["evidence"][2], "an unknown kind is written back raw");
    assert_eq!(written["severity"], "unknownFutureValue");
    assert_eq!(written["determination"], "confirmedUserActivity");
}

#[test]
fn only_the_id_and_creation_time_are_required() {
    #[track_caller]
    fn check(json: serde_json::Value, ok: bool) {
        assert_eq!(Alert::from_json(&json).is_ok(), ok, "{json}");
    }
    check(serde_json::json!({"id": "a", "createdDateTime": "2026-11-30T08:00:00Z"}), true);
    check(serde_json::json!({"id": 12, "createdDateTime": "2026-11-30T08:00:00"}), true);
    check(serde_json::json!({"id": "", "createdDateTime": "2026-11-30T08:00:00Z"}), false);
    check(serde_json::json!({"createdDateTime": "2026-11-30T08:00:00Z"}), false);
    check(serde_json::json!({"id": "a"}), false);
    check(serde_json::json!({"id": "a", "createdDateTime": 1_764_489_600}), false);
    check(serde_json::json!("a"), false);
    let error = Alert::from_json(&serde_json::json!({"id": "a", "createdDateTime": "soon"})).unwrap_err();
    assert!(error.to_string().starts_with("alert a could not be decoded: createdDateTime is not"), "{error}");
}
