//! The figures of a report, computed from the state store's rows (and Jira's statuses): pure,
//! no I/O, so that every format renders the same numbers.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use super::{ReportQuery, TicketStatus, period_name};
use crate::state::{Mirrored, Origin, Pending, StoredSkip, StoredTicket};

/// The severities in the order reports show them; any other value follows, alphabetically.
const SEVERITIES: [&str; 4] = ["high", "medium", "low", "informational"];

/// A per-day chart of more days than this shows only the days that have alerts.
const MAX_EMPTY_DAYS: usize = 366;

/// The rows a report is computed from.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    /// Tickets of alerts in the period.
    pub tickets: Vec<StoredTicket>,
    /// Alerts a rule skipped in the period.
    pub skipped: Vec<StoredSkip>,
    /// Alerts in the period whose ticket failed and waits for a retry.
    pub pending: Vec<Pending>,
    /// Every alert waiting for a retry, whatever its period (of the tenants asked for), for the
    /// list of what awaits a retry.
    pub awaiting: Vec<Pending>,
    /// Tickets (of any period) done with a resolution `[sync.resolutions]` does not name, as the
    /// last sync found them.
    pub unmapped: Vec<(StoredTicket, Mirrored)>,
}

/// The severity reports give an alert awaiting a retry that could not be read.
const UNKNOWN_SEVERITY: &str = "unknown";

/// Alert and ticket counts of one slice (a tenant, a severity, both, or everything).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Alerts of the period: ticketed, skipped by a rule, or awaiting a retry.
    pub seen: u64,
    /// Alerts with a ticket (`created` + `found`).
    pub tickets: u64,
    /// Tickets this tool created.
    pub created: u64,
    /// Tickets that already existed and were found by their label.
    pub found: u64,
    /// Alerts a rule chose not to ticket.
    pub skipped: u64,
    /// Alerts whose ticket could not be made yet; retried on the next run.
    pub awaiting_retry: u64,
    /// With `--jira`: tickets not done yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<u64>,
    /// With `--jira`: tickets done (status category done, or resolved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<u64>,
    /// With `--jira`: tickets Jira no longer shows (deleted, moved out of reach, or hidden).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<u64>,
}

impl Counts {
    fn ticket(&mut self, origin: Origin, status: Option<Option<&TicketStatus>>) {
        self.seen += 1;
        self.tickets += 1;
        match origin {
            Origin::Created => self.created += 1,
            Origin::Found => self.found += 1,
        }
        if let Some(status) = status {
            let slot = match status {
                Some(s) if s.closed => &mut self.closed,
                Some(_) => &mut self.open,
                None => &mut self.missing,
            };
            *slot.get_or_insert(0) += 1;
        }
    }

    fn skip(&mut self) {
        self.seen += 1;
        self.skipped += 1;
    }

    fn pending(&mut self) {
        self.seen += 1;
        self.awaiting_retry += 1;
    }

    fn with_jira(mut self, jira: bool) -> Self {
        if jira {
            self.open.get_or_insert(0);
            self.closed.get_or_insert(0);
            self.missing.get_or_insert(0);
        }
        self
    }
}

/// The counts of one severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityFigures {
    /// `high`, `medium`, `low`, `informational` (or another value as stored).
    pub severity: String,
    /// Its counts.
    pub counts: Counts,
}

/// The figures of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantFigures {
    /// The tenant name.
    pub tenant: String,
    /// All its alerts.
    pub counts: Counts,
    /// Alerts whose ticket failed and waits for a retry.
    pub awaiting_retry: u64,
    /// Per severity, in [`severity_order`].
    pub by_severity: Vec<SeverityFigures>,
}

/// How many alerts of one severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityCount {
    /// The severity.
    pub severity: String,
    /// Alerts seen.
    pub count: u64,
}

/// The alerts of one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayFigures {
    /// The day.
    pub day: Date,
    /// Alerts seen that day.
    pub total: u64,
    /// Per severity of the report (every one listed, zeros included), in [`severity_order`].
    pub by_severity: Vec<SeverityCount>,
}

/// One entry of a top list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopItem {
    /// The alert type, policy, user, status or resolution.
    pub name: String,
    /// How many tickets.
    pub count: u64,
}

/// One entry of the top IPs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopIp {
    /// The address.
    pub ip: IpAddr,
    /// How many tickets name it.
    pub alerts: u64,
    /// The highest AbuseIPDB score recorded for it in the period; `None` when never known.
    pub score: Option<u8>,
    /// The score in words ([`risk_of`]): `high`, `medium`, `low`, `none` or `unknown`.
    pub risk: &'static str,
}

/// An AbuseIPDB abuse confidence score in words: 75 and above `high`, 25 to 74 `medium`, 1 to
/// 24 `low`, 0 `none` (no reports), and `unknown` when it was never looked up (a private
/// address, or the reputation was unavailable).
#[must_use]
pub fn risk_of(score: Option<u8>) -> &'static str {
    match score {
        None => "unknown",
        Some(75..) => "high",
        Some(25..=74) => "medium",
        Some(1..=24) => "low",
        Some(0) => "none",
    }
}

/// A ticket as the lists of a report name it, with a link to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketRef {
    /// The Jira key.
    pub key: String,
    /// `<jira url>/browse/<key>`, when the Jira site is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The tenant.
    pub tenant: String,
    /// The alert's severity.
    pub severity: String,
    /// The alert's title.
    pub title: String,
}

impl TicketRef {
    fn of(stored: &StoredTicket, site: Option<&url::Url>) -> Self {
        let t = &stored.ticket;
        Self {
            key: t.jira_key.clone(),
            url: browse_url(site, &t.jira_key),
            tenant: stored.tenant.clone(),
            severity: t.severity.clone(),
            title: t.title.clone(),
        }
    }
}

/// One ticket of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketLine {
    /// Which ticket.
    #[serde(flatten)]
    pub ticket: TicketRef,
    /// The alert's `_id`.
    pub alert_id: String,
    /// The alert's own time.
    pub alert_time: Timestamp,
    /// When Jira created the ticket (an estimate for tickets recorded before schema version 3).
    pub created_at: Timestamp,
    /// `created` by this tool, or `found` by its label.
    pub origin: &'static str,
    /// With `--jira`: its status now (`None` when Jira no longer shows it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// With `--jira`: its resolution, when resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
}

/// A ticket done with a resolution the sync's map does not name: its alert stays open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmappedLine {
    /// Which ticket.
    #[serde(flatten)]
    pub ticket: TicketRef,
    /// The resolution (`None`: done without one).
    pub resolution: Option<String>,
    /// When the sync first found it so.
    pub since: Timestamp,
}

/// An alert waiting for a retry, with how often it failed and why, last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwaitingLine {
    /// The tenant.
    pub tenant: String,
    /// The alert's `_id`.
    pub alert_id: String,
    /// Its severity, `unknown` when the alert could not be read.
    pub severity: String,
    /// Its title, when known.
    pub title: Option<String>,
    /// The alert's own time.
    pub alert_time: Timestamp,
    /// Failed attempts (an alert held while Jira refuses the config counts none).
    pub attempts: u32,
    /// When it first failed.
    pub since: Timestamp,
    /// Why, the last time.
    pub last_error: String,
}

/// A distribution of durations, in whole seconds (nearest-rank percentiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DurationStats {
    /// How many durations.
    pub count: u64,
    /// The median.
    pub median_secs: u64,
    /// The 90th percentile.
    pub p90_secs: u64,
    /// The longest.
    pub max_secs: u64,
}

impl DurationStats {
    fn of(mut secs: Vec<u64>) -> Option<Self> {
        if secs.is_empty() {
            return None;
        }
        secs.sort_unstable();
        let rank = |p: usize| secs[(secs.len() * p).div_ceil(100).clamp(1, secs.len()) - 1];
        Some(Self {
            count: secs.len() as u64,
            median_secs: rank(50),
            p90_secs: rank(90),
            max_secs: secs[secs.len() - 1],
        })
    }
}

/// What `--jira` adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JiraFigures {
    /// Tickets per current status name, most first.
    pub by_status: Vec<TopItem>,
    /// Closed tickets per resolution, most first.
    pub by_resolution: Vec<TopItem>,
    /// From the ticket's creation to its resolution, for resolved tickets.
    pub time_to_resolution: Option<DurationStats>,
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The heading: `Daily report 2024-05-01`, with the report's name before it when it has one
    /// (`Contoso SOC: Weekly report 2024-04-29 to 2024-05-05`).
    pub title: String,
    /// The name given by `--title` or `[report] title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `daily`, `weekly`, `monthly` or `custom`.
    pub period: &'static str,
    /// Start of the period, inclusive.
    pub from: Timestamp,
    /// End of the period, exclusive.
    pub to: Timestamp,
    /// The tenants reported on; empty means all.
    pub tenant_filter: Vec<String>,
    /// When the report was made.
    pub generated_at: Timestamp,
    /// Whether ticket statuses were read from Jira.
    pub jira_checked: bool,
    /// The severities that occur, in [`severity_order`] (the columns of the per-day figures).
    pub severities: Vec<String>,
    /// Everything.
    pub totals: Counts,
    /// Alerts awaiting a retry, all tenants.
    pub awaiting_retry: u64,
    /// Per severity, all tenants.
    pub by_severity: Vec<SeverityFigures>,
    /// Per tenant (and severity), by name.
    pub by_tenant: Vec<TenantFigures>,
    /// Per UTC day of the period.
    pub per_day: Vec<DayFigures>,
    /// The most frequent alert types.
    pub top_alert_types: Vec<TopItem>,
    /// The policies that raised the most alerts.
    pub top_policies: Vec<TopItem>,
    /// The users named by the most tickets.
    pub top_users: Vec<TopItem>,
    /// The IPs named by the most tickets, with their abuse score.
    pub top_ips: Vec<TopIp>,
    /// From the alert's time to its ticket's creation in Jira, for the tickets whose creation
    /// time is known (all of them with `--jira`).
    pub time_to_ticket: Option<DurationStats>,
    /// Tickets left out of `time_to_ticket` because their creation time is only an estimate
    /// (recorded before schema version 3; `--jira` reads their true time).
    pub time_to_ticket_estimates: u64,
    /// With `--jira`: statuses, resolutions and time to resolution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jira: Option<JiraFigures>,
    /// Every ticket of the period, most severe first, then by alert time.
    pub tickets: Vec<TicketLine>,
    /// Tickets done with a resolution `[sync.resolutions]` does not name (whatever their
    /// period), as the last sync found them.
    pub unmapped_resolutions: Vec<UnmappedLine>,
    /// Every alert waiting for a retry (whatever its period), most attempts first.
    pub awaiting: Vec<AwaitingLine>,
}

/// The heading of a report: `Daily report 2024-05-01` or `Report 2024-05-01 to 2024-05-31`, the
/// tenants filtered on after it, and the report's name before it.
fn title_of(query: &ReportQuery) -> String {
    let range = &query.range;
    let from = day_of(range.from);
    // The end is exclusive: a period ending at midnight ends on the day before.
    let last = day_of(range.to - jiff::SignedDuration::from_millis(1));
    let span = if from == last { from.to_string() } else { format!("{from} to {last}") };
    let period = match period_name(range.period) {
        "daily" => "Daily report",
        "weekly" => "Weekly report",
        "monthly" => "Monthly report",
        _ => "Report",
    };
    let tenants =
        if query.tenants.is_empty() { String::new() } else { format!(" ({})", query.tenants.join(", ")) };
    match query.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(name) => format!("{name}: {period} {span}{tenants}"),
        None => format!("{period} {span}{tenants}"),
    }
}

/// The link to a ticket: `<site>/browse/<key>`.
pub(crate) fn browse_url(site: Option<&url::Url>, key: &str) -> Option<String> {
    site.map(|site| format!("{}/browse/{key}", site.as_str().trim_end_matches('/')))
}

/// The name of an alert type as reports show it: a type MCAS gives as a number is named by what
/// its alerts' titles share (their words up to where they differ, `Mass download by a single
/// user` for `Mass download by a single user: report.docx` and `...: q3.xlsx`), so that the
/// numeric variants of one kind of alert are counted together; a named type keeps its name.
fn alert_type_name(alert_type: &str, titles: &[String]) -> String {
    if !alert_type.bytes().all(|b| b.is_ascii_digit()) || titles.is_empty() {
        return alert_type.to_owned();
    }
    let words: Vec<Vec<&str>> = titles.iter().map(|t| t.split_whitespace().collect()).collect();
    let shared =
        (0..words[0].len()).take_while(|&i| words.iter().all(|w| w.get(i) == words[0].get(i))).count();
    let name = words[0][..shared].join(" ");
    let name = name.trim_end_matches([':', '-', '–', '—', ',', ';', ' ']);
    if name.is_empty() { titles[0].clone() } else { name.to_owned() }
}

/// The position of a severity in reports: high, medium, low, informational, then the others.
#[must_use]
pub fn severity_order(severity: &str) -> (usize, &str) {
    (SEVERITIES.iter().position(|s| *s == severity).unwrap_or(SEVERITIES.len()), severity)
}

fn day_of(at: Timestamp) -> Date {
    at.to_zoned_datetime(TimeZone::UTC).date()
}

fn sorted_severities<'a>(severities: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut list: Vec<&str> = severities.collect();
    list.sort_by_key(|s| severity_order(s));
    list.dedup();
    list.into_iter().map(str::to_owned).collect()
}

/// Counts by severity, sorted.
fn severity_figures(map: BTreeMap<String, Counts>, jira: bool) -> Vec<SeverityFigures> {
    let mut list: Vec<SeverityFigures> = map
        .into_iter()
        .map(|(severity, counts)| SeverityFigures { severity, counts: counts.with_jira(jira) })
        .collect();
    list.sort_by(|a, b| severity_order(&a.severity).cmp(&severity_order(&b.severity)));
    list
}

/// The `n` most frequent, most first, then by name.
fn top(counts: HashMap<String, u64>, n: usize) -> Vec<TopItem> {
    let mut list: Vec<TopItem> = counts.into_iter().map(|(name, count)| TopItem { name, count }).collect();
    list.sort_by(|a, b| (Reverse(a.count), &a.name).cmp(&(Reverse(b.count), &b.name)));
    list.truncate(n);
    list
}

fn secs_between(from: Timestamp, to: Timestamp) -> u64 {
    // A clock skew between MCAS and this host can make a ticket older than its alert: count 0.
    u64::try_from(to.duration_since(from).as_secs()).unwrap_or(0)
}

/// How many different titles of one alert type are kept to name it.
const MAX_TITLES_PER_TYPE: usize = 32;

/// Computes the figures of a report.
///
/// `statuses`, when given (`--jira`), maps each ticket's Jira key as stored to what Jira says of
/// it now; a key missing from the map counts as missing in Jira.
#[must_use]
pub fn aggregate(
    query: &ReportQuery,
    data: &ReportData,
    statuses: Option<&HashMap<String, TicketStatus>>,
    now: Timestamp,
) -> Report {
    let jira = statuses.is_some();
    let mut totals = Counts::default();
    let mut by_severity: BTreeMap<String, Counts> = BTreeMap::new();
    let mut by_tenant: BTreeMap<String, (Counts, BTreeMap<String, Counts>)> = BTreeMap::new();
    let mut per_day: BTreeMap<Date, BTreeMap<String, u64>> = BTreeMap::new();
    let (mut policies, mut users) = (HashMap::new(), HashMap::new());
    let mut types: HashMap<String, (u64, Vec<String>)> = HashMap::new();
    let mut ips: HashMap<IpAddr, (u64, Option<u8>)> = HashMap::new();
    let (mut to_ticket, mut estimates) = (Vec::new(), 0u64);
    let (mut by_status, mut by_resolution, mut to_resolution) = (HashMap::new(), HashMap::new(), Vec::new());
    let mut tickets = Vec::with_capacity(data.tickets.len());

    for stored in &data.tickets {
        let t = &stored.ticket;
        let status = statuses.map(|map| map.get(&t.jira_key));
        totals.ticket(t.origin, status);
        by_severity.entry(t.severity.clone()).or_default().ticket(t.origin, status);
        let tenant = by_tenant.entry(stored.tenant.clone()).or_default();
        tenant.0.ticket(t.origin, status);
        tenant.1.entry(t.severity.clone()).or_default().ticket(t.origin, status);
        *per_day.entry(day_of(t.alert_time)).or_default().entry(t.severity.clone()).or_default() += 1;
        if let Some(alert_type) = &t.alert_type {
            let (count, titles) = types.entry(alert_type.clone()).or_default();
            *count += 1;
            if titles.len() < MAX_TITLES_PER_TYPE && !titles.contains(&t.title) {
                titles.push(t.title.clone());
            }
        }
        if let Some(policy) = &t.policy {
            *policies.entry(policy.clone()).or_insert(0) += 1;
        }
        let mut ticket_users: Vec<&String> = t.users.iter().collect();
        ticket_users.sort();
        ticket_users.dedup();
        for user in ticket_users {
            *users.entry(user.clone()).or_insert(0) += 1;
        }
        // An IP named twice by one ticket counts once, with its highest score.
        let mut ticket_ips: BTreeMap<IpAddr, Option<u8>> = BTreeMap::new();
        for ip in &t.ips {
            let score = ticket_ips.entry(ip.ip).or_insert(None);
            *score = (*score).max(ip.score);
        }
        for (ip, score) in ticket_ips {
            let entry = ips.entry(ip).or_insert((0, None));
            entry.0 += 1;
            entry.1 = entry.1.max(score);
        }
        let found = status.flatten();
        // The time Jira created the ticket: as recorded, or as Jira says with `--jira`.
        let created = if t.created_at_exact { Some(t.created_at) } else { found.and_then(|s| s.created) };
        match created {
            Some(created) => to_ticket.push(secs_between(t.alert_time, created)),
            None => estimates += 1,
        }
        if let Some(status) = found {
            *by_status.entry(status.status.clone()).or_insert(0) += 1;
            if status.closed {
                let resolution = status.resolution.clone().unwrap_or_else(|| "(none)".to_owned());
                *by_resolution.entry(resolution).or_insert(0) += 1;
                if let Some(resolved) = status.resolved {
                    to_resolution.push(secs_between(status.created.unwrap_or(t.created_at), resolved));
                }
            }
        }
        tickets.push(TicketLine {
            ticket: TicketRef::of(stored, query.jira_url.as_ref()),
            alert_id: t.alert_id.clone(),
            alert_time: t.alert_time,
            created_at: created.unwrap_or(t.created_at),
            origin: t.origin.as_str(),
            status: status.map(|s| s.map_or_else(|| "(not in Jira)".to_owned(), |s| s.status.clone())),
            resolution: found.and_then(|s| s.resolution.clone()),
        });
    }
    for stored in &data.skipped {
        let a = &stored.alert;
        totals.skip();
        by_severity.entry(a.severity.clone()).or_default().skip();
        let tenant = by_tenant.entry(stored.tenant.clone()).or_default();
        tenant.0.skip();
        tenant.1.entry(a.severity.clone()).or_default().skip();
        *per_day.entry(day_of(a.alert_time)).or_default().entry(a.severity.clone()).or_default() += 1;
    }
    // Alerts awaiting a retry are alerts of the period all the same: during an outage they are
    // what the volume is made of.
    for pending in &data.pending {
        let severity = pending.severity.clone().unwrap_or_else(|| UNKNOWN_SEVERITY.to_owned());
        totals.pending();
        by_severity.entry(severity.clone()).or_default().pending();
        let tenant = by_tenant.entry(pending.tenant.clone()).or_default();
        tenant.0.pending();
        tenant.1.entry(severity.clone()).or_default().pending();
        *per_day.entry(day_of(pending.alert_time)).or_default().entry(severity).or_default() += 1;
    }

    let severities = sorted_severities(by_severity.keys().map(String::as_str));
    let days = days_of(query, &per_day);
    let per_day = days
        .into_iter()
        .map(|day| {
            let counts = per_day.get(&day);
            let by_severity: Vec<SeverityCount> = severities
                .iter()
                .map(|s| SeverityCount {
                    severity: s.clone(),
                    count: counts.and_then(|c| c.get(s)).copied().unwrap_or(0),
                })
                .collect();
            DayFigures { day, total: by_severity.iter().map(|s| s.count).sum(), by_severity }
        })
        .collect();
    // Riskiest first: the score is what the reader acts on; the count breaks ties.
    let mut top_ips: Vec<TopIp> = ips
        .into_iter()
        .map(|(ip, (alerts, score))| TopIp { ip, alerts, score, risk: risk_of(score) })
        .collect();
    top_ips.sort_by(|a, b| {
        (Reverse(a.score), Reverse(a.alerts), a.ip).cmp(&(Reverse(b.score), Reverse(b.alerts), b.ip))
    });
    top_ips.truncate(query.top);
    let mut named_types: HashMap<String, u64> = HashMap::new();
    for (alert_type, (count, titles)) in &types {
        *named_types.entry(alert_type_name(alert_type, titles)).or_insert(0) += count;
    }
    tickets.sort_by(|a, b| {
        let (x, y) = (&a.ticket, &b.ticket);
        (severity_order(&x.severity), a.alert_time, &x.key).cmp(&(
            severity_order(&y.severity),
            b.alert_time,
            &y.key,
        ))
    });
    let unmapped_resolutions = data
        .unmapped
        .iter()
        .map(|(stored, row)| UnmappedLine {
            ticket: TicketRef::of(stored, query.jira_url.as_ref()),
            resolution: row.jira_resolution.clone(),
            since: row.mirrored_at,
        })
        .collect();

    Report {
        title: title_of(query),
        name: query.title.clone(),
        period: period_name(query.range.period),
        from: query.range.from,
        to: query.range.to,
        tenant_filter: query.tenants.clone(),
        generated_at: now,
        jira_checked: jira,
        severities,
        awaiting_retry: totals.awaiting_retry,
        totals: totals.with_jira(jira),
        by_severity: severity_figures(by_severity, jira),
        by_tenant: by_tenant
            .into_iter()
            .map(|(tenant, (counts, severities))| TenantFigures {
                tenant,
                awaiting_retry: counts.awaiting_retry,
                counts: counts.with_jira(jira),
                by_severity: severity_figures(severities, jira),
            })
            .collect(),
        per_day,
        top_alert_types: top(named_types, query.top),
        top_policies: top(policies, query.top),
        top_users: top(users, query.top),
        top_ips,
        time_to_ticket: DurationStats::of(to_ticket),
        time_to_ticket_estimates: estimates,
        jira: jira.then(|| JiraFigures {
            by_status: top(by_status, usize::MAX),
            by_resolution: top(by_resolution, usize::MAX),
            time_to_resolution: DurationStats::of(to_resolution),
        }),
        tickets,
        unmapped_resolutions,
        awaiting: awaiting_lines(&data.awaiting),
    }
}

/// The alerts waiting for a retry, most attempts first, then oldest first.
fn awaiting_lines(pending: &[Pending]) -> Vec<AwaitingLine> {
    let mut lines: Vec<AwaitingLine> = pending
        .iter()
        .map(|p| AwaitingLine {
            tenant: p.tenant.clone(),
            alert_id: p.alert_id.clone(),
            severity: p.severity.clone().unwrap_or_else(|| UNKNOWN_SEVERITY.to_owned()),
            title: p.title.clone(),
            alert_time: p.alert_time,
            attempts: p.attempts,
            since: p.first_seen,
            last_error: p.last_error.clone(),
        })
        .collect();
    lines.sort_by(|a, b| b.attempts.cmp(&a.attempts).then(a.alert_time.cmp(&b.alert_time)));
    lines
}

/// Every UTC day of the period, or only the days with alerts when the period is very long.
fn days_of(query: &ReportQuery, counted: &BTreeMap<Date, BTreeMap<String, u64>>) -> Vec<Date> {
    let first = day_of(query.range.from);
    let last = day_of(query.range.to - jiff::SignedDuration::from_millis(1));
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        if days.len() >= MAX_EMPTY_DAYS {
            return counted.keys().copied().collect();
        }
        days.push(day);
        match day.checked_add(1.day()) {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    days
}
