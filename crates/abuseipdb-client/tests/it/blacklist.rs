use std::net::IpAddr;

use abuseipdb_client::{BlacklistParams, Error, IpVersion};
use wiremock::ResponseTemplate;

use crate::{api, client, fixture, json, server};

#[tokio::test]
async fn json_blacklist_with_every_filter() {
    let server = server().await;
    api(
        "GET",
        "blacklist",
        "confidenceMinimum=90&limit=500&onlyCountries=US%2CCN&exceptCountries=RU&ipVersion=4",
    )
    .respond_with(json(200, "blacklist.json").insert_header("X-RateLimit-Remaining", "4"))
    .expect(1)
    .mount(&server)
    .await;

    let params = BlacklistParams::default()
        .confidence_minimum(90)
        .limit(500)
        .only_countries(["US", "CN"])
        .except_countries(["RU"])
        .ip_version(IpVersion::V4);
    let answer = client(&server).blacklist(&params).await.unwrap();

    assert_eq!(answer.rate_limit.remaining, Some(4));
    let list = answer.data;
    assert_eq!(list.generated_at, Some("2024-01-01T00:00:00Z".parse().unwrap()));
    assert_eq!(list.entries.len(), 2);
    assert_eq!(list.entries[0].ip_address, "192.0.2.10".parse::<IpAddr>().unwrap());
    assert_eq!(list.entries[0].country_code.as_deref(), Some("US"));
    assert_eq!(list.entries[1].country_code, None);
    assert_eq!(list.entries[1].abuse_confidence_score, Some(100));
    assert_eq!(list.entries[1].last_reported_at, Some("2023-12-31T23:59:00Z".parse().unwrap()));
}

#[tokio::test]
async fn plaintext_blacklist_is_one_address_a_line() {
    let server = server().await;
    api("GET", "blacklist", "ipVersion=6&plaintext=")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(format!("{}\n2001:db8::7\r\n", fixture("blacklist.txt")), "text/plain"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let addresses = client(&server)
        .blacklist_plaintext(&BlacklistParams::default().ip_version(IpVersion::V6))
        .await
        .unwrap()
        .data;

    let expected: Vec<IpAddr> =
        ["192.0.2.10", "198.51.100.7", "2001:db8::7"].iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(addresses, expected);
}

#[tokio::test]
async fn plaintext_blacklist_with_a_line_that_is_no_address_is_a_decode_error() {
    let server = server().await;
    api("GET", "blacklist", "plaintext=")
        .respond_with(ResponseTemplate::new(200).set_body_raw("192.0.2.10\n<html>oops</html>\n", "text/html"))
        .expect(1)
        .mount(&server)
        .await;

    let err = client(&server).blacklist_plaintext(&BlacklistParams::default()).await.unwrap_err();

    assert!(matches!(err, Error::Decode { what: "blacklist", .. }), "{err:?}");
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(source, "line 2 is not an IP address");
}

#[tokio::test]
async fn filters_out_of_range_are_refused_before_sending() {
    let server = server().await;
    let client = client(&server);
    for (params, name) in [
        (BlacklistParams::default().confidence_minimum(24), "confidenceMinimum"),
        (BlacklistParams::default().confidence_minimum(101), "confidenceMinimum"),
        (BlacklistParams::default().limit(0), "limit"),
        (BlacklistParams::default().only_countries(["USA"]), "onlyCountries"),
        (BlacklistParams::default().except_countries(["u1"]), "exceptCountries"),
    ] {
        match client.blacklist(&params).await {
            Err(Error::InvalidInput { parameter, .. }) => assert_eq!(parameter, name, "{params:?}"),
            other => panic!("{params:?}: expected invalid {name}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_filter_the_plan_lacks_is_payment_required() {
    let server = server().await;
    api("GET", "blacklist", "confidenceMinimum=50")
        .respond_with(json(402, "error_402.json"))
        .expect(1)
        .mount(&server)
        .await;

    let err =
        client(&server).blacklist(&BlacklistParams::default().confidence_minimum(50)).await.unwrap_err();

    assert!(matches!(err, Error::PaymentRequired { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(402));
    assert_eq!(err.api_errors()[0].status, Some(402));
}
