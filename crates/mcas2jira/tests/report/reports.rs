//! `report`, after real passes: every format's figures checked against the state store's rows,
//! the HTML parsed.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use mcas2jira::state::StateStore;
use serde_json::Value;

use crate::support::{Harness, HarnessOptions, alerts};

/// Two tenants ticketed by one `run`; failed-login alerts skipped by a rule.
fn ticketed() -> Harness {
    let options = HarnessOptions::default()
        .tenant("contoso", alerts("contoso", 14))
        .tenant("fabrikam", alerts("fabrikam", 9))
        .extra_config("[[rules]]\nname = \"noise\"\nmatch = { title = \"(?i)failed login\" }\nskip = true\n");
    let h = Harness::start(options);
    let out = h.run(["run", "--json"]);
    assert_eq!(out.status, 0, "{out}");
    h
}

/// `--from` four days back and `--to` today (included): every alert of the scenario.
fn range_args() -> Vec<String> {
    let today = Timestamp::now().to_zoned_datetime(TimeZone::UTC).date();
    let from = today.checked_sub(4.days()).unwrap();
    vec!["--from".into(), from.to_string(), "--to".into(), today.to_string()]
}

/// What the state store holds, counted the plain way: seen per (tenant, severity) and per
/// (day, severity), tickets per tenant, skips per tenant.
#[derive(Debug, Default)]
struct Expected {
    seen: BTreeMap<(String, String), u64>,
    per_day: BTreeMap<(String, String), u64>,
    tickets: BTreeMap<String, u64>,
    skipped: BTreeMap<String, u64>,
}

fn expected(h: &Harness) -> Expected {
    let store = StateStore::open(&h.state_path).unwrap();
    let (from, to) = (
        Timestamp::now() - jiff::SignedDuration::from_hours(240),
        Timestamp::now() + jiff::SignedDuration::from_hours(24),
    );
    let day = |t: Timestamp| t.to_zoned_datetime(TimeZone::UTC).date().to_string();
    let mut e = Expected::default();
    for t in store.tickets_between(from, to, &[]).unwrap() {
        *e.seen.entry((t.tenant.clone(), t.ticket.severity.clone())).or_default() += 1;
        *e.per_day.entry((day(t.ticket.alert_time), t.ticket.severity.clone())).or_default() += 1;
        *e.tickets.entry(t.tenant).or_default() += 1;
    }
    for s in store.skipped_between(from, to, &[]).unwrap() {
        *e.seen.entry((s.tenant.clone(), s.alert.severity.clone())).or_default() += 1;
        *e.per_day.entry((day(s.alert.alert_time), s.alert.severity.clone())).or_default() += 1;
        *e.skipped.entry(s.tenant).or_default() += 1;
    }
    e
}

fn attr(tag: &tl::HTMLTag<'_>, name: &str) -> Option<String> {
    tag.attributes().get(name).flatten().map(|v| v.as_utf8_str().into_owned())
}

/// Every element of the page, in document order.
fn elements<'a>(dom: &'a tl::VDom<'a>) -> impl Iterator<Item = &'a tl::HTMLTag<'a>> {
    dom.nodes().iter().filter_map(tl::Node::as_tag)
}

/// The cells of each body row of the table in `<section id="{id}">`.
fn table_rows(dom: &tl::VDom<'_>, id: &str) -> Vec<Vec<String>> {
    let parser = dom.parser();
    let section = dom.get_element_by_id(id).and_then(|h| h.get(parser)).and_then(tl::Node::as_tag);
    let section = section.unwrap_or_else(|| panic!("no section {id}"));
    let rows = section.query_selector(parser, "tr").expect("selector");
    rows.filter_map(|row| row.get(parser).and_then(tl::Node::as_tag))
        .map(|row| {
            row.children()
                .top()
                .iter()
                .filter_map(|cell| cell.get(parser).and_then(tl::Node::as_tag))
                .filter(|cell| cell.name().as_utf8_str() == "td")
                .map(|cell| cell.inner_text(parser).into_owned())
                .collect::<Vec<_>>()
        })
        .filter(|cells| !cells.is_empty())
        .collect()
}

#[test]
fn html_report_is_self_contained_and_its_figures_match_the_state_store() {
    let h = ticketed();
    let e = expected(&h);
    assert!(!e.skipped.is_empty(), "the rule skipped nothing: {e:?}");
    let path = h.dir().join("report.html");
    let mut args =
        vec!["report".to_owned(), "--format".into(), "html".into(), "-o".into(), path.display().to_string()];
    args.extend(range_args());
    let out = h.run(&args);
    assert_eq!(out.status, 0, "{out}");
    let html = std::fs::read_to_string(&path).unwrap();
    let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();

    // Self-contained: nothing runs, nothing is fetched; the only addresses are the links to the
    // tickets in Jira, which nothing follows unless the reader clicks.
    let browse = format!("{}/browse/", h.jira.url().trim_end_matches('/'));
    let mut links = 0;
    for tag in elements(&dom) {
        let name = tag.name().as_utf8_str().to_ascii_lowercase();
        assert!(!["script", "link", "img", "iframe", "object", "embed"].contains(&name.as_str()), "<{name}>");
        for (key, value) in tag.attributes().iter() {
            assert!(!key.starts_with("on"), "event handler {key} on <{name}>");
            let value = value.unwrap_or_default();
            if name == "a" && key == "href" {
                assert!(value.starts_with(&browse), "{value}");
                links += 1;
                continue;
            }
            assert!(!value.contains("://") && !value.contains("url("), "{key}={value} on <{name}>");
        }
    }
    assert_eq!(links, e.tickets.values().sum::<u64>(), "one link per ticket");
    assert!(!html.contains("@import") && !html.contains("url("));
    assert!(html.contains("@media print"));

    // The per-day chart: one bar segment per (day, severity) with alerts, with the store's count.
    let mut per_day = BTreeMap::new();
    let mut per_tenant = BTreeMap::new();
    for rect in elements(&dom).filter(|t| t.name().as_utf8_str() == "rect") {
        let (Some(severity), Some(count)) = (attr(rect, "data-severity"), attr(rect, "data-count")) else {
            continue;
        };
        let count: u64 = count.parse().unwrap();
        if let Some(day) = attr(rect, "data-day") {
            assert!(per_day.insert((day, severity), count).is_none());
        } else if let Some(tenant) = attr(rect, "data-tenant") {
            assert!(per_tenant.insert((tenant, severity), count).is_none());
        }
    }
    assert_eq!(per_day, e.per_day);
    assert_eq!(per_tenant, e.seen);

    // The key figures and the tables.
    let total_seen: u64 = e.seen.values().sum();
    let figure = |key: &str| -> u64 {
        let div = elements(&dom).find(|t| attr(t, "data-figure").as_deref() == Some(key)).unwrap();
        let text = div.inner_text(dom.parser()).into_owned();
        text.trim_start_matches(|c: char| !c.is_ascii_digit()).parse().unwrap()
    };
    assert_eq!(figure("seen"), total_seen);
    assert_eq!(figure("tickets"), e.tickets.values().sum::<u64>());
    assert_eq!(figure("skipped"), e.skipped.values().sum::<u64>());
    let rows = table_rows(&dom, "by-tenant");
    // Tenant, Seen, Tickets, Created, Found, Skipped, Awaiting retry; then the total.
    assert_eq!(rows.len(), 3, "{rows:?}");
    for row in &rows[..2] {
        let tenant = &row[0];
        let seen: u64 = e.seen.iter().filter(|((t, _), _)| t == tenant).map(|(_, n)| n).sum();
        assert_eq!(row[1], seen.to_string(), "{row:?}");
        assert_eq!(row[2], e.tickets[tenant].to_string(), "{row:?}");
        assert_eq!(row[3], e.tickets[tenant].to_string(), "all created by the run: {row:?}");
        assert_eq!(row[5], e.skipped.get(tenant).copied().unwrap_or(0).to_string(), "{row:?}");
    }
    assert_eq!(rows[2][0], "Total");
    assert_eq!(rows[2][1], total_seen.to_string());
    let cells = table_rows(&dom, "by-tenant-severity");
    let from_table: BTreeMap<(String, String), u64> =
        cells.iter().map(|r| ((r[0].clone(), r[1].clone()), r[2].parse().unwrap())).collect();
    assert_eq!(from_table, e.seen);
    assert!(!table_rows(&dom, "top-ips").is_empty());
    assert_eq!(table_rows(&dom, "time-to-ticket")[0][0], e.tickets.values().sum::<u64>().to_string());
}

#[test]
fn jira_adds_open_closed_and_time_to_resolution() {
    let h = ticketed();
    let tickets: u64 = expected(&h).tickets.values().sum();
    let key = h.jira.issues()[0].key.clone();
    assert!(h.jira.resolve(&key, "Won't Do"));
    let mut args = vec!["report".to_owned(), "--format".into(), "json".into(), "--jira".into()];
    args.extend(range_args());
    let before = h.jira.stats().get(crate::support::route::SEARCH);
    let out = h.run(&args);
    assert_eq!(out.status, 0, "{out}");
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["jira_checked"], true);
    assert_eq!(report["totals"]["closed"], 1, "{}", report["totals"]);
    assert_eq!(report["totals"]["open"], tickets - 1, "{}", report["totals"]);
    assert_eq!(report["totals"]["missing"], 0);
    assert_eq!(report["jira"]["by_resolution"][0]["name"], "Won't Do");
    assert_eq!(report["jira"]["time_to_resolution"]["count"], 1);
    // Fewer than 100 tickets: one batched search.
    assert_eq!(h.jira.stats().get(crate::support::route::SEARCH) - before, 1);
}

#[test]
fn text_formats_and_tenant_filter() {
    let h = ticketed();
    let e = expected(&h);
    let mut args =
        vec!["report".to_owned(), "--tenant".into(), "FABRIKAM".into(), "--format".into(), "csv".into()];
    args.extend(range_args());
    let out = h.run(&args);
    assert_eq!(out.status, 0, "{out}");
    let fabrikam_seen: u64 = e.seen.iter().filter(|((t, _), _)| t == "fabrikam").map(|(_, n)| n).sum();
    assert!(out.stdout.contains(&format!("totals,,,seen,{fabrikam_seen}\r\n")), "{out}");
    assert!(!out.stdout.contains("contoso"), "{out}");

    let mut args = vec!["report".to_owned()];
    args.extend(range_args());
    let out = h.run(&args);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.stdout.starts_with("Report "), "{out}");
    assert!(out.stdout.contains("By tenant and severity"), "{out}");

    let mut args = vec!["report".to_owned(), "--format".into(), "markdown".into()];
    args.extend(range_args());
    let out = h.run(&args);
    assert_eq!(out.status, 0, "{out}");
    assert!(out.stdout.contains("| Tenant | Seen |"), "{out}");
}

#[test]
fn usage_errors_and_a_missing_state_store() {
    let h = Harness::start(HarnessOptions::default().tenant("contoso", alerts("contoso", 1)));
    let out = h.run(["report", "--from", "last tuesday"]);
    assert_eq!(out.status, 2, "{out}");
    assert!(out.stderr.contains("--from"), "{out}");
    let out = h.run(["report", "--from", "2024-05-02", "--to", "2024-05-01"]);
    assert_eq!(out.status, 2, "{out}");
    let out = h.run(["report", "--period", "hourly"]);
    assert_eq!(out.status, 2, "{out}");
    let out = h.run(["report"]);
    assert_eq!(out.status, 1, "{out}");
    assert!(out.stderr.contains("no state store"), "{out}");
    assert!(!h.state_path.exists(), "a report must not create the state store");
}
