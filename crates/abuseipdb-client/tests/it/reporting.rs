use std::net::IpAddr;

use abuseipdb_client::{Category, Error};
use wiremock::matchers::{body_string, body_string_contains, header, header_regex};

use crate::{api, client, json, server};

fn ip() -> IpAddr {
    "192.0.2.7".parse().unwrap()
}

#[tokio::test]
async fn report_posts_a_form_with_categories_comment_and_timestamp() {
    let server = server().await;
    api("POST", "report", "")
        .and(header("Content-Type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "ip=192.0.2.7&categories=18%2C22%2C42&comment=sshd%3A+failed+login+for+root\
             &timestamp=2024-01-01T00%3A00%3A00%2B00%3A00",
        ))
        .respond_with(json(200, "report.json"))
        .expect(1)
        .mount(&server)
        .await;

    let answer = client(&server)
        .report(
            ip(),
            &[Category::BruteForce, Category::Ssh, Category::from_id(42)],
            Some("sshd: failed login for root"),
            Some("2024-01-01T00:00:00Z".parse().unwrap()),
        )
        .await
        .unwrap();

    assert_eq!(answer.data.ip_address, Some(ip()));
    assert_eq!(answer.data.abuse_confidence_score, Some(52));
}

#[tokio::test]
async fn report_without_comment_or_timestamp_sends_neither() {
    let server = server().await;
    api("POST", "report", "")
        .and(body_string("ip=2001%3Adb8%3A%3A7&categories=14"))
        .respond_with(json(200, "report.json"))
        .expect(1)
        .mount(&server)
        .await;

    client(&server).report("2001:db8::7".parse().unwrap(), &[Category::PortScan], None, None).await.unwrap();
}

#[tokio::test]
async fn report_needs_a_category() {
    let server = server().await;
    let err = client(&server).report(ip(), &[], Some("x"), None).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { parameter: "categories", .. }), "{err:?}");
}

#[tokio::test]
async fn report_is_not_repeated_after_a_server_error() {
    let server = server().await;
    api("POST", "report", "")
        .respond_with(wiremock::ResponseTemplate::new(503))
        .expect(1) // Only once: the report may have been saved.
        .mount(&server)
        .await;

    let err = client(&server).report(ip(), &[Category::Hacking], None, None).await.unwrap_err();

    assert!(matches!(err, Error::Status { status, .. } if status.as_u16() == 503), "{err:?}");
}

#[tokio::test]
async fn a_repeated_report_within_15_minutes_is_already_reported_not_a_quota() {
    let server = server().await;
    api("POST", "report", "")
        .respond_with(json(429, "error_429_duplicate.json").insert_header("Retry-After", "900"))
        .expect(1)
        .mount(&server)
        .await;

    let err = client(&server).report(ip(), &[Category::Hacking], None, None).await.unwrap_err();

    assert!(matches!(err, Error::AlreadyReported { .. }), "{err:?}");
    assert_eq!(err.api_errors()[0].parameter(), Some("ip"));
}

#[tokio::test]
async fn bulk_report_uploads_the_csv_as_a_multipart_file_and_lists_refused_rows() {
    let csv = "IP,Categories,ReportDate,Comment\n192.0.2.7,\"18,22\",2024-01-01T00:00:00Z,ssh\n";
    let server = server().await;
    api("POST", "bulk-report", "")
        .and(header_regex("Content-Type", "^multipart/form-data; boundary="))
        .and(body_string_contains("Content-Disposition: form-data; name=\"csv\"; filename=\"report.csv\""))
        .and(body_string_contains("\r\ncontent-type: text/csv\r\n"))
        .and(body_string_contains(csv))
        .respond_with(json(200, "bulk_report.json"))
        .expect(1)
        .mount(&server)
        .await;

    let answer = client(&server).bulk_report(csv).await.unwrap().data;

    assert_eq!(answer.saved_reports, Some(60));
    assert_eq!(answer.invalid_reports.len(), 3);
    let refused = &answer.invalid_reports[1];
    assert_eq!(refused.error.as_deref(), Some("Invalid IP"));
    assert_eq!(refused.input.as_deref(), Some("127.0.foo.bar"));
    assert_eq!(refused.row_number, Some(6));
}

#[tokio::test]
async fn bulk_report_refuses_an_empty_file() {
    let server = server().await;
    let err = client(&server).bulk_report(Vec::new()).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { parameter: "csv", .. }), "{err:?}");
}

#[tokio::test]
async fn clear_address_sends_a_delete() {
    let server = server().await;
    api("DELETE", "clear-address", "ipAddress=192.0.2.7")
        .respond_with(json(200, "clear_address.json"))
        .expect(1)
        .mount(&server)
        .await;

    let answer = client(&server).clear_address(ip()).await.unwrap();

    assert_eq!(answer.data.num_reports_deleted, Some(0));
}

#[test]
fn categories_have_their_documented_numbers_and_names() {
    #[track_caller]
    fn check(id: u8, category: Category, name: &str) {
        assert_eq!(Category::from_id(id), category);
        assert_eq!(category.id(), id);
        assert_eq!(category.name(), Some(name));
        assert_eq!(category.to_string(), name);
        assert_eq!(serde_json::to_value(category).unwrap(), serde_json::json!(id));
    }
    check(1, Category::DnsCompromise, "DNS Compromise");
    check(2, Category::DnsPoisoning, "DNS Poisoning");
    check(3, Category::FraudOrders, "Fraud Orders");
    check(4, Category::DdosAttack, "DDoS Attack");
    check(5, Category::FtpBruteForce, "FTP Brute-Force");
    check(6, Category::PingOfDeath, "Ping of Death");
    check(7, Category::Phishing, "Phishing");
    check(8, Category::FraudVoip, "Fraud VoIP");
    check(9, Category::OpenProxy, "Open Proxy");
    check(10, Category::WebSpam, "Web Spam");
    check(11, Category::EmailSpam, "Email Spam");
    check(12, Category::BlogSpam, "Blog Spam");
    check(13, Category::VpnIp, "VPN IP");
    check(14, Category::PortScan, "Port Scan");
    check(15, Category::Hacking, "Hacking");
    check(16, Category::SqlInjection, "SQL Injection");
    check(17, Category::Spoofing, "Spoofing");
    check(18, Category::BruteForce, "Brute-Force");
    check(19, Category::BadWebBot, "Bad Web Bot");
    check(20, Category::ExploitedHost, "Exploited Host");
    check(21, Category::WebAppAttack, "Web App Attack");
    check(22, Category::Ssh, "SSH");
    check(23, Category::IotTargeted, "IoT Targeted");

    assert_eq!(Category::ALL.len(), 23);
    assert!(Category::ALL.windows(2).all(|w| w[0].id() + 1 == w[1].id()));
    // Unknown numbers are kept, and compare by number.
    assert_eq!(Category::from_id(0), Category::Other(0));
    assert_eq!(Category::Other(18), Category::BruteForce);
    assert_eq!(Category::Other(200).name(), None);
    assert_eq!(Category::Other(200).to_string(), "category 200");
    let parsed: Vec<Category> = serde_json::from_str(r#"[22, "18", 255]"#).unwrap();
    assert_eq!(parsed, [Category::Ssh, Category::BruteForce, Category::Other(255)]);
    assert!(serde_json::from_str::<Category>("256").is_err());
}
