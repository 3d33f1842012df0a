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
    // Named as asked, or daily by default, unless the range is custom.
    let custom = from.is_some() && (to.is_some() || period.is_none());
    let named = if custom { None } else { Some(period.unwrap_or(PeriodArg::Daily)) };
    assert_eq!(range.period, named, "{period:?} {from:?} {to:?}");
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
    let error =
        resolve_range(Some(PeriodArg::Weekly), Some("2024-05-01"), Some("2024-05-03"), now).unwrap_err();
    assert_eq!(error.key, "--period", "{error}");
}

#[test]
fn a_defaulted_or_asked_period_names_the_report() {
    let now = ts("2024-05-15T10:30:00Z");
    let name = |period, from, to| {
        let range = resolve_range(period, from, to, now).unwrap();
        let report = aggregate(&ReportQuery::new(range), &ReportData::default(), None, now);
        (report.period, report.title)
    };
    assert_eq!(name(None, None, None), ("daily", "Daily report 2024-05-14".to_owned()));
    assert_eq!(name(None, None, Some("2024-05-10")), ("daily", "Daily report 2024-05-10".to_owned()));
    assert_eq!(
        name(Some(PeriodArg::Weekly), None, None),
        ("weekly", "Weekly report 2024-05-06 to 2024-05-12".to_owned())
    );
    assert_eq!(
        name(None, Some("2024-05-01"), Some("2024-05-03")),
        ("custom", "Report 2024-05-01 to 2024-05-03".to_owned())
    );
    let range = resolve_range(Some(PeriodArg::Monthly), None, None, now).unwrap();
    let query = ReportQuery {
        title: Some("Contoso SOC".into()),
        tenants: vec!["contoso".into()],
        ..ReportQuery::new(range)
    };
    let report = aggregate(&query, &ReportData::default(), None, now);
    assert_eq!(report.title, "Contoso SOC: Monthly report 2024-04-01 to 2024-04-30 (contoso)");
}

fn ticket(tenant: &str, id: &str, severity: &str, alert_time: &str, delay_secs: i64) -> StoredTicket {
    let alert_time = ts(alert_time);
    StoredTicket {
        tenant: tenant.to_owned(),
        ticket: TicketRecord {
            alert_id: id.to_owned(),
            jira_key: format!("SEC-{id}"),
            created_at: alert_time + SignedDuration::from_secs(delay_secs),
            created_at_exact: true,
            degraded: Vec::new(),
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
        title: None,
        jira_url: Some("https://example.atlassian.net".parse().unwrap()),
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
            severity: Some("high".into()),
            title: Some("alert 6".into()),
        }],
        awaiting: Vec::new(),
        unmapped: Vec::new(),
    }
    .with_awaiting_as_pending()
}

impl ReportData {
    /// The sample's pending alert is also what awaits a retry.
    fn with_awaiting_as_pending(mut self) -> Self {
        self.awaiting.clone_from(&self.pending);
        self
    }
}

#[test]
fn alerts_awaiting_a_retry_are_listed_with_their_attempts_and_reason() {
    let report = aggregate(&query(), &sample(), None, ts("2024-05-13T08:00:00Z"));
    assert_eq!(report.awaiting.len(), 1);
    let line = &report.awaiting[0];
    assert_eq!((line.alert_id.as_str(), line.attempts, line.last_error.as_str()), ("6", 2, "jira down"));
    let text = render(&report, ReportFormat::Table);
    assert!(text.contains("Alerts awaiting a retry"), "{text}");
    let row = text.lines().find(|l| l.contains("jira down")).unwrap_or_default();
    assert!(row.contains("fabrikam") && row.contains(" 2 "), "{row}");
    assert!(render(&report, ReportFormat::Csv).contains("awaiting_retry_reason,fabrikam,high,6,jira down"));
    assert!(render(&report, ReportFormat::Json).contains("\"last_error\": \"jira down\""));
}

#[test]
fn figures_add_up() {
    let report = aggregate(&query(), &sample(), None, ts("2024-05-13T08:00:00Z"));
    assert_eq!(report.title, "Weekly report 2024-05-06 to 2024-05-12");
    let t = &report.totals;
    // The alert awaiting a retry is seen: it is an alert of the period all the same.
    assert_eq!((t.seen, t.tickets, t.created, t.found, t.skipped, t.awaiting_retry), (6, 4, 3, 1, 1, 1));
    assert_eq!((t.open, t.closed, t.missing), (None, None, None));
    assert_eq!(report.awaiting_retry, 1);
    assert_eq!(report.severities, ["high", "medium", "low", "informational"]);
    let severities: Vec<(&str, u64)> =
        report.by_severity.iter().map(|s| (s.severity.as_str(), s.counts.seen)).collect();
    assert_eq!(severities, [("high", 3), ("medium", 1), ("low", 1), ("informational", 1)]);

    let tenants: Vec<(&str, u64, u64)> =
        report.by_tenant.iter().map(|t| (t.tenant.as_str(), t.counts.seen, t.awaiting_retry)).collect();
    assert_eq!(tenants, [("contoso", 3, 0), ("fabrikam", 3, 1)]);
    let contoso: Vec<&str> = report.by_tenant[0].by_severity.iter().map(|s| s.severity.as_str()).collect();
    assert_eq!(contoso, ["high", "low", "informational"]);

    assert_eq!(report.per_day.len(), 7);
    let days: Vec<u64> = report.per_day.iter().map(|d| d.total).collect();
    assert_eq!(days, [2, 1, 1, 1, 0, 0, 1]);
    assert_eq!(report.per_day[0].by_severity[0].severity, "high");
    assert_eq!(report.per_day[0].by_severity[0].count, 1);

    // Top lists are cut at `top`, most first, ties by name.
    let types: Vec<(&str, u64)> = report.top_alert_types.iter().map(|t| (t.name.as_str(), t.count)).collect();
    assert_eq!(types, [("ALERT_IMPOSSIBLE_TRAVEL", 3), ("ALERT_LEAKED_CREDENTIALS", 1)]);
    let users: Vec<(&str, u64)> = report.top_users.iter().map(|t| (t.name.as_str(), t.count)).collect();
    assert_eq!(users, [("alice@contoso.com", 3), ("bob@contoso.com", 1)]);
    let ips: Vec<(IpAddr, u64, Option<u8>, &str)> =
        report.top_ips.iter().map(|i| (i.ip, i.alerts, i.score, i.risk)).collect();
    assert_eq!(
        ips,
        [
            ("203.0.113.7".parse().unwrap(), 3, Some(90), "high"),
            ("198.51.100.1".parse().unwrap(), 1, None, "unknown")
        ]
    );

    // Every ticket with an exact creation time: 60 s, 120 s, 600 s (found), 30 s.
    let stats = report.time_to_ticket.unwrap();
    assert_eq!((stats.count, stats.median_secs, stats.p90_secs, stats.max_secs), (4, 60, 600, 600));
    assert_eq!(report.time_to_ticket_estimates, 0);
    assert!(report.jira.is_none());

    // The tickets, most severe first, then by alert time, linked to Jira.
    let keys: Vec<&str> = report.tickets.iter().map(|t| t.ticket.key.as_str()).collect();
    assert_eq!(keys, ["SEC-1", "SEC-3", "SEC-4", "SEC-2"]);
    assert_eq!(report.tickets[0].ticket.url.as_deref(), Some("https://example.atlassian.net/browse/SEC-1"));
    assert_eq!(report.tickets[1].origin, "found");
}

#[test]
fn ips_are_ordered_by_risk_and_scores_named() {
    let mut data = sample();
    let quiet = IpScore { ip: "192.0.2.9".parse().unwrap(), score: Some(0) };
    let risky = IpScore { ip: "192.0.2.66".parse().unwrap(), score: Some(66) };
    for stored in &mut data.tickets {
        stored.ticket.ips = vec![quiet];
    }
    data.tickets[0].ticket.ips.push(risky);
    let report = aggregate(&ReportQuery { top: 5, ..query() }, &data, None, ts("2024-05-13T08:00:00Z"));
    let ips: Vec<(String, u64, &str)> =
        report.top_ips.iter().map(|i| (i.ip.to_string(), i.alerts, i.risk)).collect();
    assert_eq!(ips, [("192.0.2.66".to_owned(), 1, "medium"), ("192.0.2.9".to_owned(), 4, "none")]);
    for (score, risk) in
        [(None, "unknown"), (Some(0), "none"), (Some(24), "low"), (Some(25), "medium"), (Some(75), "high")]
    {
        assert_eq!(risk_of(score), risk, "{score:?}");
    }
}

#[test]
fn estimated_creation_times_are_left_out_unless_jira_tells() {
    let mut data = sample();
    data.tickets[0].ticket.created_at_exact = false;
    let report = aggregate(&query(), &data, None, ts("2024-05-13T08:00:00Z"));
    assert_eq!((report.time_to_ticket.unwrap().count, report.time_to_ticket_estimates), (3, 1));
    let json: serde_json::Value = serde_json::from_str(&render(&report, ReportFormat::Json)).unwrap();
    assert_eq!(json["time_to_ticket_estimates"], 1);
    let markdown = render(&report, ReportFormat::Markdown);
    assert!(
        markdown.contains("1 ticket\\(s\\) recorded before mcas2jira kept exact creation times"),
        "{markdown}"
    );
    let status = TicketStatus {
        status: "To Do".into(),
        closed: false,
        resolution: None,
        created: Some(ts("2024-05-06T10:05:00Z")),
        resolved: None,
    };
    let statuses = HashMap::from([("SEC-1".to_owned(), status)]);
    let report = aggregate(&query(), &data, Some(&statuses), ts("2024-05-13T08:00:00Z"));
    assert_eq!((report.time_to_ticket.unwrap().count, report.time_to_ticket_estimates), (4, 0));
    assert_eq!(report.time_to_ticket.unwrap().max_secs, 600);
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
    assert!(markdown.contains("| **Total** | **6** | **4** |"), "{markdown}");
    assert!(
        markdown.contains("| [SEC-1](https://example.atlassian.net/browse/SEC-1) | contoso | high |"),
        "{markdown}"
    );
    assert!(markdown.contains("_Seen: the alerts of the period"), "{markdown}");
    let csv = render(&report, ReportFormat::Csv);
    assert!(csv.starts_with("section,tenant,severity,item,value\r\n"));
    assert!(csv.contains("report,,,period,weekly\r\n"), "{csv}");
    assert!(csv.contains("tenant_severity,contoso,high,seen,1\r\n"), "{csv}");
    assert!(csv.contains("top_ip_score,,,203.0.113.7,90\r\n"), "{csv}");
    assert!(
        csv.contains("ticket,contoso,high,SEC-1,https://example.atlassian.net/browse/SEC-1\r\n"),
        "{csv}"
    );
    assert!(csv.contains("ticket_title,fabrikam,medium,SEC-4,alert 4\r\n"), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&render(&report, ReportFormat::Json)).unwrap();
    assert_eq!(json["totals"]["seen"], 6);
    assert_eq!(json["title"], "Weekly report 2024-05-06 to 2024-05-12");
    assert_eq!(json["tickets"][0]["url"], "https://example.atlassian.net/browse/SEC-1");
    assert_eq!(json["per_day"][0]["day"], "2024-05-06");
    assert_eq!(json["time_to_ticket"]["median_secs"], 60);
    let html = render(&report, ReportFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"));
    assert!(html.contains("<a href=\"https://example.atlassian.net/browse/SEC-1\">SEC-1</a>"), "{html}");
    assert!(html.contains("aria-label=\"90 out of 100\""), "the score is drawn");
    assert!(!html.contains("id=\"per-day\""), "a week's chart carries its numbers: no table repeats it");
    let table = render(&report, ReportFormat::Table);
    let per_day = &table[table.find("Alerts per day").unwrap()..table.find("Top alert types").unwrap()];
    assert!(!per_day.contains("2024-05-10"), "no rows of zeros: {per_day}");
}

#[test]
fn text_formats_cap_the_ticket_list() {
    let mut data = ReportData::default();
    for i in 0..60 {
        data.tickets.push(ticket("contoso", &i.to_string(), "low", "2024-05-07T10:00:00Z", 5));
    }
    let report = aggregate(&query(), &data, None, ts("2024-05-13T08:00:00Z"));
    let markdown = render(&report, ReportFormat::Markdown);
    assert_eq!(markdown.matches("](https://example.atlassian.net/browse/").count(), 50);
    assert!(markdown.contains("10 more tickets; --format csv, json or html lists them all."), "{markdown}");
    let html = render(&report, ReportFormat::Html);
    assert_eq!(html.matches("<a href=").count(), 60);
}

#[test]
fn an_empty_period_says_so() {
    let report = aggregate(&query(), &ReportData::default(), None, ts("2024-05-13T08:00:00Z"));
    assert_eq!(report.totals, Counts::default());
    assert!(render(&report, ReportFormat::Table).contains("(no alerts in this period)"));
    assert!(render(&report, ReportFormat::Table).contains("(no tickets in this period)"));
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
    // A Jira site that is not a web address gives no link.
    let query = ReportQuery { jira_url: Some("javascript:alert(1)".parse().unwrap()), ..query() };
    let html = render(&aggregate(&query, &data, None, ts("2024-05-13T08:00:00Z")), ReportFormat::Html);
    assert!(!html.contains("<a href"), "{html}");
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
fn numeric_alert_types_are_named_by_their_title_and_folded() {
    let mut data = sample();
    let variants = [
        ("15795457", "Risky sign-in: Unfamiliar sign-in properties"),
        ("15795457", "Risky sign-in: Unfamiliar sign-in properties"),
        ("15015142", "Risky sign-in: Unfamiliar sign-in properties"),
        ("15600000", "Mass download by a single user: q3.xlsx"),
    ];
    for (stored, (alert_type, title)) in data.tickets.iter_mut().zip(variants) {
        stored.ticket.alert_type = Some(alert_type.to_owned());
        stored.ticket.title = title.to_owned();
    }
    let mut extra = ticket("contoso", "7", "low", "2024-05-07T10:00:00Z", 5);
    extra.ticket.alert_type = Some("15600000".to_owned());
    extra.ticket.title = "Mass download by a single user: report.docx".to_owned();
    data.tickets.push(extra);
    let report = aggregate(&query(), &data, None, ts("2024-05-13T08:00:00Z"));
    let types: Vec<(&str, u64)> = report.top_alert_types.iter().map(|t| (t.name.as_str(), t.count)).collect();
    assert_eq!(
        types,
        [("Risky sign-in: Unfamiliar sign-in properties", 3), ("Mass download by a single user", 2)]
    );
}
