use std::net::IpAddr;

use abuseipdb_client::{Category, CheckParams, Error, UsageType};

use crate::{api, client, json, server};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[tokio::test]
async fn verbose_check_sends_the_documented_query_and_decodes_every_field() {
    let server = server().await;
    api("GET", "check", "ipAddress=118.25.6.39&maxAgeInDays=90&verbose=")
        .respond_with(
            json(200, "check_verbose.json")
                .insert_header("X-RateLimit-Limit", "1000")
                .insert_header("X-RateLimit-Remaining", "999"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let params = CheckParams::default().max_age_days(90).verbose(true);
    let answer = client(&server).check(ip("118.25.6.39"), &params).await.unwrap();

    assert_eq!(answer.rate_limit.limit, Some(1000));
    assert_eq!(answer.rate_limit.remaining, Some(999));
    assert_eq!(answer.rate_limit.reset_at, None);
    let data = answer.data;
    assert_eq!(data.ip_address, ip("118.25.6.39"));
    assert_eq!(data.is_public, Some(true));
    assert_eq!(data.ip_version, Some(4));
    assert_eq!(data.is_whitelisted, Some(false));
    assert_eq!(data.abuse_confidence_score, Some(100));
    assert_eq!(data.country_code.as_deref(), Some("CN"));
    assert_eq!(data.country_name.as_deref(), Some("China"));
    assert_eq!(data.usage_type, Some(UsageType::DataCenterWebHostingTransit));
    assert_eq!(data.isp.as_deref(), Some("Tencent Cloud Computing (Beijing) Co. Ltd"));
    assert_eq!(data.domain.as_deref(), Some("tencent.com"));
    assert!(data.hostnames.is_empty());
    assert_eq!(data.is_tor, Some(false));
    assert_eq!(data.total_reports, Some(1));
    assert_eq!(data.num_distinct_users, Some(1));
    assert_eq!(data.last_reported_at, Some("2018-12-20T20:55:14Z".parse().unwrap()));
    assert_eq!(data.reports.len(), 1);
    let report = &data.reports[0];
    assert_eq!(report.reported_at, Some("2018-12-20T20:55:14Z".parse().unwrap()));
    assert_eq!(report.categories, [Category::BruteForce, Category::Ssh]);
    assert_eq!(report.reporter_id, Some(1));
    assert_eq!(report.reporter_country_code.as_deref(), Some("US"));
    assert!(report.comment.as_deref().unwrap().contains("Invalid user oracle"));
}

#[tokio::test]
async fn default_params_send_only_the_address() {
    let server = server().await;
    api("GET", "check", "ipAddress=180.126.219.126")
        .respond_with(json(200, "check_cisco.json"))
        .expect(1)
        .mount(&server)
        .await;

    let data = client(&server).check(ip("180.126.219.126"), &CheckParams::default()).await.unwrap().data;

    // This answer has a null usageType and neither hostnames nor isTor.
    assert_eq!(data.usage_type, None);
    assert!(data.hostnames.is_empty());
    assert_eq!(data.is_tor, None);
    assert_eq!(data.abuse_confidence_score, Some(21));
    assert_eq!(data.reports.len(), 2);
    assert_eq!(data.reports[0].categories, [Category::Hacking, Category::WebAppAttack]);
}

#[tokio::test]
async fn nulls_aliases_unknown_values_and_extra_fields_are_tolerated() {
    let server = server().await;
    api("GET", "check", "ipAddress=220.253.27.156")
        .respond_with(json(200, "check_nulls.json"))
        .expect(1)
        .mount(&server)
        .await;

    let data = client(&server).check(ip("220.253.27.156"), &CheckParams::default()).await.unwrap().data;

    assert_eq!(data.abuse_confidence_score, Some(0), "abuseConfidencePercentage is an alias");
    assert_eq!(data.usage_type, Some(UsageType::Other("Satellite ISP".into())));
    assert_eq!(data.usage_type.as_ref().unwrap().to_string(), "Satellite ISP");
    assert!(data.hostnames.is_empty(), "null hostnames");
    assert!(data.reports.is_empty(), "null reports");
    assert_eq!(data.is_whitelisted, None);
    assert_eq!(data.country_code, None);
    assert_eq!(data.country_name, None, "absent without verbose");
    assert_eq!(data.last_reported_at, None, "an unreadable date is unknown, not an error");
    assert_eq!(data.isp.as_deref(), Some("iiNET Limited"));
}

#[tokio::test]
async fn ipv6_address_is_percent_encoded_in_the_query() {
    let server = server().await;
    api("GET", "check", "ipAddress=2001%3Adb8%3A%3A1&maxAgeInDays=365")
        .respond_with(json(200, "check_ipv6.json"))
        .expect(1)
        .mount(&server)
        .await;

    let params = CheckParams::default().max_age_days(365);
    let data = client(&server).check(ip("2001:db8::1"), &params).await.unwrap().data;

    assert_eq!(data.ip_address, ip("2001:db8::1"));
    assert_eq!(data.ip_version, Some(6));
    assert_eq!(data.usage_type, Some(UsageType::Reserved));
}

#[tokio::test]
async fn max_age_outside_1_to_365_is_refused_before_sending() {
    let server = server().await; // Only the catch-all: any request fails the test.
    let client = client(&server);
    for days in [0, 366, u16::MAX] {
        let err =
            client.check(ip("192.0.2.1"), &CheckParams::default().max_age_days(days)).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { parameter: "maxAgeInDays", .. }), "{days}: {err:?}");
    }
    let err = client.check_block("192.0.2.0/24".parse().unwrap(), 0).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { parameter: "maxAgeInDays", .. }), "{err:?}");
}

#[tokio::test]
async fn check_block_sends_the_network_and_decodes_its_addresses() {
    let server = server().await;
    api("GET", "check-block", "network=127.0.0.1%2F24&maxAgeInDays=15")
        .respond_with(json(200, "check_block.json"))
        .expect(1)
        .mount(&server)
        .await;

    let data = client(&server).check_block("127.0.0.1/24".parse().unwrap(), 15).await.unwrap().data;

    assert_eq!(data.network_address, Some(ip("127.0.0.0")));
    assert_eq!(data.netmask.as_deref(), Some("255.255.255.0"));
    assert_eq!(data.min_address, Some(ip("127.0.0.1")));
    assert_eq!(data.max_address, Some(ip("127.0.0.254")));
    assert_eq!(data.num_possible_hosts, Some(254));
    assert_eq!(data.address_space_desc.as_deref(), Some("Loopback"));
    assert_eq!(data.reported_address.len(), 2);
    let first = &data.reported_address[0];
    assert_eq!(first.ip_address, ip("127.0.0.1"));
    assert_eq!(first.num_reports, Some(631));
    assert_eq!(first.most_recent_report, Some("2019-03-21T16:35:16Z".parse().unwrap()));
    assert_eq!(first.abuse_confidence_score, Some(0));
    assert_eq!(first.country_code, None);
}

#[test]
fn usage_types_round_trip_through_their_names() {
    #[track_caller]
    fn check(name: &str, expected: UsageType) {
        let parsed: UsageType = serde_json::from_value(serde_json::json!(name)).unwrap();
        assert_eq!(parsed, expected, "{name}");
        assert_eq!(serde_json::to_value(&parsed).unwrap(), serde_json::json!(name));
    }
    check("Commercial", UsageType::Commercial);
    check("Organization", UsageType::Organization);
    check("Government", UsageType::Government);
    check("Military", UsageType::Military);
    check("University/College/School", UsageType::UniversityCollegeSchool);
    check("Library", UsageType::Library);
    check("Content Delivery Network", UsageType::ContentDeliveryNetwork);
    check("Fixed Line ISP", UsageType::FixedLineIsp);
    check("Mobile ISP", UsageType::MobileIsp);
    check("Data Center/Web Hosting/Transit", UsageType::DataCenterWebHostingTransit);
    check("Search Engine Spider", UsageType::SearchEngineSpider);
    check("Reserved", UsageType::Reserved);
    check("Something New", UsageType::Other("Something New".into()));
}

#[test]
fn check_result_survives_a_serde_round_trip() {
    // The binary caches results; what it writes must read back the same.
    let text = crate::fixture("check_verbose.json");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let result: abuseipdb_client::CheckResult = serde_json::from_value(value["data"].clone()).unwrap();
    let again: abuseipdb_client::CheckResult =
        serde_json::from_str(&serde_json::to_string(&result).unwrap()).unwrap();
    assert_eq!(result, again);
}
