use std::collections::HashMap;
use std::net::IpAddr;

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::state::{
    IpScore, Origin, PageOutcome, Pending, SkippedAlert, StoredSkip, StoredTicket, TicketRecord,
};

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[track_caller]
fn check_range(period: Option<PeriodArg>, from: Option<&str>, to: Option<&str>, expected: (&str, &str)) {
    let now = ts("2024-05-15T10:30:00Z"); // a Wednesday
    let range = resolve_range(period, from, to, now).unwrap();
    assert_eq!((range.from.to_string().as_str(), range.to.to_string().as_str()), expected);
    assert_eq!(range.period, period);
}

#[test]
fn periods_are_the_last_complete_ones_in_utc() {
    use PeriodArg::*;
    check_range(None, None, None, ("2024-05-14T00:00:00Z", "2024-05-15T00:00:00Z"));
    check_range(Some(Daily), None, None, ("2024-05-14T00:00:00Z", "2024-05-15T00:00:00Z"));
    check_range(Some(Weekly), None, None, ("2024-05-06T00:00:00Z", "2024-05-13T00:00:00Z"));
    check_range(Some(Monthly), None, None, ("2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z"));
}

#[test]
fn from_and_to_shape_the_range() {
    use PeriodArg::*;
    check_range(
        None,
        Some("2024-05-01"),
        Some("2024-05-31"),
        ("2024-05-01T00:00:00Z", "2024-06-01T00:00:00Z"),
    );
    check_range(
        None,
        Some("2024-05-01T08:00:00Z"),
        Some("2024-05-01T09:00:00Z"),
        ("2024-05-01T08:00:00Z", "2024-05-01T09:00:00Z"),
    );
    check_range(Some(Monthly), Some("2024-01-31"), None, ("2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z"));
    check_range(Some(Weekly), Some("2024-05-01"), None, ("2024-05-01T00:00:00Z", "2024-05-08T00:00:00Z"));
    check_range(None, Some("2024-05-10"), None, ("2024-05-10T00:00:00Z", "2024-05-15T10:30:00Z"));
    check_range(None, None, Some("2024-05-10"), ("2024-05-10T00:00:00Z", "2024-05-11T00:00:00Z"));
    check_range(
        Some(Weekly),
        None,
        Some("2024-05-10T00:00:00Z"),
        ("2024-05-03T00:00:00Z", "2024-05-10T00:00:00Z"),
    );
}

#[test]
fn bad_ranges_are_usage_errors() {
    let now = ts("2024-05-15T10:30:00Z");
    for (from, to, key) in [
        (Some("yesterday"), None, "--from"),
        (None, Some("2024-13-01"), "--to"),
        (Some("2024-05-02"), Some("2024-05-01"), "--from"),
        (Some("2024-05-15T11:00:00Z"), None, "--from"),
    ] {
        let error = resolve_range(None, from, to, now).unwrap_err();
        assert_eq!(error.key, key, "{from:?} {to:?}: {error}");
    }
}

fn ticket(tenant: &str, id: &str, severity: &str, alert_time: &str, delay_secs: i64) -> StoredTicket {
    let alert_time = ts(alert_time);
    StoredTicket {
        tenant: tenant.to_owned(),
        ticket: TicketRecord {
            alert_id: id.to_owned(),
            jira_key: format!("SEC-{id}"),
            created_at: alert_time + SignedDuration::from_secs(delay_secs),
            origin: Origin::Created,
            severity: severity.to_owned(),
            title: format!("alert {id}"),
            alert_time,
            alert_type: Some("ALERT_IMPOSSIBLE_TRAVEL".to_owned()),
            policy: Some("Impossible travel".to_owned()),
            users: vec!["alice@contoso.com".to_owned()],
            ips: vec![IpScore { ip: "203.0.113.7".parse().unwrap(), score: Some(40) }],
        },
    }
}

fn skip(tenant: &str, id: &str, severity: &str, alert_time: &str) -> StoredSkip {
    StoredSkip {
        tenant: tenant.to_owned(),
        alert: SkippedAlert {
            alert_id: id.to_owned(),
            alert_time: ts(alert_time),
            severity: severity.to_owned(),
            title: "skipped".to_owned(),
            rule: Some("noise".to_owned()),
        },
        skipped_at: ts(alert_time),
    }
}

fn query() -> ReportQuery {
    ReportQuery {
        range: Range {
            period: Some(PeriodArg::Weekly),
            from: ts("2024-05-06T00:00:00Z"),
            to: ts("2024-05-13T00:00:00Z"),
        },
        tenants: Vec::new(),
        top: 2,
    }
}

fn sample() -> ReportData {
    let mut a = ticket("contoso", "1", "high", "2024-05-06T10:00:00Z", 60);
    a.ticket.users.push("bob@contoso.com".to_owned());
    // The same IP twice in one ticket counts once; the highest score wins.
    a.ticket.ips.push(IpScore { ip: "203.0.113.7".parse().unwrap(), score: Some(90) });
    let mut b = ticket("contoso", "2", "low", "2024-05-06T11:00:00Z", 120);
    b.ticket.alert_type = Some("ALERT_LEAKED_CREDENTIALS".to_owned());
    b.ticket.ips = vec![IpScore { ip: "198.51.100.1".parse().unwrap(), score: None }];
    let mut c = ticket("fabrikam", "3", "high", "2024-05-08T09:00:00Z", 600);
    c.ticket.origin = Origin::Found;
    c.ticket.users = vec!["carol@fabrikam.com".to_owned()];
    let d = ticket("fabrikam", "4", "medium", "2024-05-12T23:59:59Z", 30);
    ReportData {
        tickets: vec![a, b, c, d],
        skipped: vec![skip("contoso", "5", "informational", "2024-05-07T00:00:00Z")],
        pending: vec![Pending {
            tenant: "fabrikam".into(),
            alert_id: "6".into(),
            alert_time: ts("2024-05-09T00:00:00Z"),
            attempts: 2,
            last_error: "jira down".into(),
            next_try: ts("2024-05-13T00:00:00Z"),
            first_seen: ts("2024-05-09T00:00:00Z"),
            last_failed_at: ts("2024-05-09T00:00:00Z"),
        }],
    }
}

#[test]
fn figures_add_up() {
    let report = aggregate(&query(), &sample(), None, ts("2024-05-13T08:00:00Z"));
    assert_eq!(report.title(), "Weekly report 2024-05-06 to 2024-05-12");
    let t = &report.totals;
    assert_eq!((t.seen, t.tickets, t.created, t.found, t.skipped), (5, 4, 3, 1, 1));
    assert_eq!((t.open, t.closed, t.missing), (None, None, None));
    assert_eq!(report.awaiting_retry, 1);
    assert_eq!(report.severities, ["high", "medium", "low", "informational"]);
    let severities: Vec<(&str, u64)> =
        report.by_severity.iter().map(|s| (s.severity.as_str(), s.counts.seen)).collect();
    assert_eq!(severities, [("high", 2), ("medium", 1), ("low", 1), ("informational", 1)]);

    let tenants: Vec<(&str, u64, u64)> =
        report.by_tenant.iter().map(|t| (t.tenant.as_str(), t.counts.seen, t.awaiting_retry)).collect();
    assert_eq!(tenants, [("contoso", 3, 0), ("fabrikam", 2, 1)]);
    let contoso: Vec<&str> = report.by_tenant[0].by_severity.iter().map(|s| s.severity.as_str()).collect();
    assert_eq!(contoso, ["high", "low", "informational"]);

    assert_eq!(report.per_day.len(), 7);
    let days: Vec<u64> = report.per_day.iter().map(|d| d.total).collect();
    assert_eq!(days, [2, 1, 1, 0, 0, 0, 1]);
    assert_eq!(report.per_day[0].by_severity[0].severity, "high");
    assert_eq!(report.per_day[0].by_severity[0].count, 1);

    // Top lists are cut at `top`, most first, ties by name.
    let types: Vec<(&str, u64)> = report.top_alert_types.iter().map(|t| (t.name.as_str(), t.count)).collect();
    assert_eq!(types, [("ALERT_IMPOSSIBLE_TRAVEL", 3), ("ALERT_LEAKED_CREDENTIALS", 1)]);
    let users: Vec<(&str, u64)> = report.top_users.iter().map(|t| (t.name.as_str(), t.count)).collect();
    assert_eq!(users, [("alice@contoso.com", 3), ("bob@contoso.com", 1)]);
    let ips: Vec<(IpAddr, u64, Option<u8>)> =
        report.top_ips.iter().map(|i| (i.ip, i.alerts, i.score)).collect();
    assert_eq!(
        ips,
        [("203.0.113.7".parse().unwrap(), 3, Some(90)), ("198.51.100.1".parse().unwrap(), 1, None)]
    );

    // Only the tickets this tool created: 60 s, 120 s, 30 s.
    let stats = report.time_to_ticket.unwrap();
    assert_eq!((stats.count, stats.median_secs, stats.p90_secs, stats.max_secs), (3, 60, 120, 120));
    assert!(report.jira.is_none());
}

#[test]
fn jira_statuses_add_open_closed_and_resolution_times() {
    let data = sample();
    let mut statuses = HashMap::new();
    let status = |name: &str, closed: bool, resolution: Option<&str>, resolved: Option<&str>| TicketStatus {
        status: name.to_owned(),
        closed,
        resolution: resolution.map(str::to_owned),
        created: Some(ts("2024-05-06T10:01:00Z")),
        resolved: resolved.map(ts),
    };
    statuses.insert("SEC-1".to_owned(), status("Done", true, Some("Done"), Some("2024-05-06T12:01:00Z")));
    statuses.insert("SEC-2".to_owned(), status("In Progress", false, None, None));
    statuses.insert("SEC-3".to_owned(), status("Done", true, Some("Won't Do"), Some("2024-05-06T10:31:00Z")));
    // SEC-4 was deleted.
    let report = aggregate(&query(), &data, Some(&statuses), ts("2024-05-13T08:00:00Z"));
    let t = &report.totals;
    assert_eq!((t.open, t.closed, t.missing), (Some(1), Some(2), Some(1)));
    let jira = report.jira.as_ref().unwrap();
    let by_status: Vec<(&str, u64)> = jira.by_status.iter().map(|s| (s.name.as_str(), s.count)).collect();
    assert_eq!(by_status, [("Done", 2), ("In Progress", 1)]);
    let resolution = jira.time_to_resolution.unwrap();
    assert_eq!((resolution.count, resolution.median_secs, resolution.max_secs), (2, 1800, 7200));
    // A severity without any ticket in Jira still shows zeros, not blanks.
    let info = report.by_severity.iter().find(|s| s.severity == "informational").unwrap();
    assert_eq!((info.counts.open, info.counts.closed, info.counts.missing), (Some(0), Some(0), Some(0)));
}

#[test]
fn every_format_renders_the_figures() {
    let report = aggregate(&query(), &sample(), None, ts("2024-05-13T08:00:00Z"));
    let table = render(&report, ReportFormat::Table);
    assert!(table.starts_with("Weekly report 2024-05-06 to 2024-05-12\n"), "{table}");
    assert!(table.contains(" contoso "), "{table}");
    let markdown = render(&report, ReportFormat::Markdown);
    assert!(markdown.contains("| Tenant | Seen | Tickets |"), "{markdown}");
    assert!(markdown.contains("| **Total** | **5** | **4** |"), "{markdown}");
    let csv = render(&report, ReportFormat::Csv);
    assert!(csv.starts_with("section,tenant,severity,item,value\r\n"));
    assert!(csv.contains("tenant_severity,contoso,high,seen,1\r\n"), "{csv}");
    assert!(csv.contains("top_ip_score,,,203.0.113.7,90\r\n"), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&render(&report, ReportFormat::Json)).unwrap();
    assert_eq!(json["totals"]["seen"], 5);
    assert_eq!(json["per_day"][0]["day"], "2024-05-06");
    assert_eq!(json["time_to_ticket"]["median_secs"], 60);
    let html = render(&report, ReportFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"));
}

#[test]
fn an_empty_period_says_so() {
    let report = aggregate(&query(), &ReportData::default(), None, ts("2024-05-13T08:00:00Z"));
    assert_eq!(report.totals, Counts::default());
    assert!(render(&report, ReportFormat::Table).contains("(no alerts in this period)"));
    let html = render(&report, ReportFormat::Html);
    assert!(html.contains("<p class=\"empty\">no alerts in this period</p>"));
    assert!(!html.contains("<rect x="));
}

#[test]
fn hostile_names_stay_inert() {
    let mut data = sample();
    data.tickets[0].tenant = "<img src=x onerror=alert(1)>".to_owned();
    data.tickets[0].ticket.alert_type = Some("=cmd|' /C calc'!A0\u{1b}[2J".to_owned());
    let report = aggregate(&query(), &data, None, ts("2024-05-13T08:00:00Z"));
    let html = render(&report, ReportFormat::Html);
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let table = render(&report, ReportFormat::Table);
    assert!(!table.contains('\u{1b}'));
    let csv = render(&report, ReportFormat::Csv);
    assert!(csv.contains("top_alert_type,,,'=cmd|' /C calc'!A0"), "{csv}");
}

#[test]
fn read_data_takes_the_period_and_tenants() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::open(&dir.path().join("state.db")).unwrap();
    let data = sample();
    for tenant in ["contoso", "fabrikam"] {
        let mut page = PageOutcome::new(ts("2024-05-13T00:00:00Z"));
        page.tickets = data.tickets.iter().filter(|t| t.tenant == tenant).map(|t| t.ticket.clone()).collect();
        page.skipped = data.skipped.iter().filter(|s| s.tenant == tenant).map(|s| s.alert.clone()).collect();
        store.apply_page(tenant, &page).unwrap();
    }
    // Outside the week: not counted.
    let mut page = PageOutcome::new(ts("2024-05-13T00:00:00Z"));
    page.tickets.push(ticket("contoso", "9", "high", "2024-05-13T00:00:00Z", 5).ticket);
    store.apply_page("contoso", &page).unwrap();

    let all = read_data(&store, &query()).unwrap();
    assert_eq!((all.tickets.len(), all.skipped.len()), (4, 1));
    let only = read_data(&store, &ReportQuery { tenants: vec!["fabrikam".into()], ..query() }).unwrap();
    assert_eq!((only.tickets.len(), only.skipped.len()), (2, 0));
}

#[test]
fn numeric_alert_types_are_named_by_their_title() {
    let mut data = sample();
    for stored in &mut data.tickets {
        stored.ticket.alert_type = Some("15728642".to_owned());
        stored.ticket.title = "Impossible travel activity".to_owned();
    }
    let report = aggregate(&query(), &data, None, ts("2024-05-13T08:00:00Z"));
    let types: Vec<(&str, u64)> = report.top_alert_types.iter().map(|t| (t.name.as_str(), t.count)).collect();
    assert_eq!(types, [("Impossible travel activity (15728642)", 4)]);
}
