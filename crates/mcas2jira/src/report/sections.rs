//! A report as a list of titled tables of text cells: what the text, Markdown and HTML formats
//! share, so that they show the same rows in the same order.

use super::aggregate::{Counts, DurationStats, Report};

/// How many tickets the text formats list (table, Markdown): a terminal or a wiki page is not the
/// place for hundreds; CSV, JSON and HTML list them all.
pub(super) const MAX_LISTED_TICKETS: usize = 50;

/// The HTML chart of alerts per day writes each day's total above its bar up to this many days;
/// a longer period gets the per-day table instead.
pub(super) const MAX_LABELLED_DAYS: usize = 62;

/// What a format shows beyond the figures.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    /// At most this many tickets listed (`None`: all).
    pub ticket_cap: Option<usize>,
    /// Whether the per-day table is shown (HTML shows it only when its chart has no labels).
    pub per_day_table: bool,
}

/// The legend of the counts of a tenant or severity.
const COUNTS_NOTE: &str = "Seen: the alerts of the period (by their own time): ticketed, skipped by a \
    rule, or awaiting a retry. Tickets: alerts with a Jira ticket, either created by mcas2jira or \
    found (already in Jira, found by their mcas-<alert id> label after a lost answer or a lost \
    state file). Skipped: alerts a rule chose not to ticket. Awaiting retry: alerts whose ticket \
    could not be made yet; the next run tries again.";

/// The legend of the top IPs.
pub(super) const IP_NOTE: &str = "IPs named by the period's tickets, riskiest first: the highest \
    AbuseIPDB abuse confidence score (0 to 100) seen in the period; 75 and above is high risk, 25 \
    to 74 medium, 1 to 24 low, 0 no reports. n/a: not looked up (a private address, or the \
    reputation was unavailable).";

/// One table of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Section {
    /// A stable identifier (`by-tenant`), used as the HTML `id`.
    pub id: &'static str,
    /// The heading.
    pub title: &'static str,
    /// Column headings.
    pub headers: Vec<String>,
    /// Whether each column holds numbers (aligned right).
    pub numeric: Vec<bool>,
    /// The rows; the last one is a total when `total_row` is set.
    pub rows: Vec<Vec<String>>,
    /// Whether the last row is a total (shown in bold where the format can).
    pub total_row: bool,
    /// Said instead of an empty table.
    pub empty: &'static str,
    /// A short legend: what the table counts.
    pub note: String,
    /// A link per row for its first cell (the ticket's page), when it has one.
    pub links: Vec<Option<String>>,
    /// The column holding an AbuseIPDB score (0 to 100), drawn as a meter in HTML.
    pub score_column: Option<usize>,
    /// Said after the rows: how many more there are than the format lists.
    pub more: Option<String>,
}

impl Section {
    fn new(id: &'static str, title: &'static str, columns: &[(&str, bool)]) -> Self {
        Self {
            id,
            title,
            headers: columns.iter().map(|(h, _)| (*h).to_owned()).collect(),
            numeric: columns.iter().map(|(_, n)| *n).collect(),
            rows: Vec::new(),
            total_row: false,
            empty: "none",
            note: String::new(),
            links: Vec::new(),
            score_column: None,
            more: None,
        }
    }

    fn empty_text(mut self, text: &'static str) -> Self {
        self.empty = text;
        self
    }

    fn note(mut self, text: impl Into<String>) -> Self {
        self.note = text.into();
        self
    }
}

/// Untrusted text (alert types, policies, users come from the alerts) on one line, without
/// control characters (a terminal escape sequence) or bidirectional overrides (text that reads
/// differently than it is).
pub(super) fn clean(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'))
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const TEXT: bool = false;
const NUMBER: bool = true;

/// Whole seconds as `45s`, `4m 12s`, `3h 05m`, `2d 4h`.
pub(super) fn human_secs(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s:02}s"),
        (0, _, _) => format!("{h}h {m:02}m"),
        _ => format!("{d}d {h}h"),
    }
}

fn count_columns(jira: bool) -> Vec<(&'static str, bool)> {
    let mut columns = vec![
        ("Seen", NUMBER),
        ("Tickets", NUMBER),
        ("Created", NUMBER),
        ("Found", NUMBER),
        ("Skipped", NUMBER),
        ("Awaiting retry", NUMBER),
    ];
    if jira {
        columns.extend([("Open", NUMBER), ("Closed", NUMBER), ("Missing in Jira", NUMBER)]);
    }
    columns
}

fn count_cells(counts: &Counts, jira: bool) -> Vec<String> {
    let mut cells: Vec<String> =
        [counts.seen, counts.tickets, counts.created, counts.found, counts.skipped, counts.awaiting_retry]
            .iter()
            .map(u64::to_string)
            .collect();
    if jira {
        for n in [counts.open, counts.closed, counts.missing] {
            cells.push(n.unwrap_or(0).to_string());
        }
    }
    cells
}

fn duration_section(
    id: &'static str,
    title: &'static str,
    what: &str,
    stats: Option<&DurationStats>,
) -> Section {
    let mut section = Section::new(
        id,
        title,
        &[(what, NUMBER), ("Median", NUMBER), ("90th percentile", NUMBER), ("Longest", NUMBER)],
    );
    if let Some(s) = stats {
        section.rows.push(vec![
            s.count.to_string(),
            human_secs(s.median_secs),
            human_secs(s.p90_secs),
            human_secs(s.max_secs),
        ]);
    }
    section
}

/// The tables of a report, in the order every format shows them.
pub(super) fn sections(report: &Report, layout: Layout) -> Vec<Section> {
    let jira = report.jira_checked;
    let mut out = Vec::new();
    let jira_note = if jira {
        " Open, Closed: the tickets' status in Jira now; Missing in Jira: deleted, or out of the account's sight."
    } else {
        ""
    };

    let mut columns = vec![("Tenant", TEXT)];
    columns.extend(count_columns(jira));
    let mut by_tenant = Section::new("by-tenant", "By tenant", &columns)
        .empty_text("no alerts in this period")
        .note(format!("{COUNTS_NOTE}{jira_note}"));
    for tenant in &report.by_tenant {
        let mut row = vec![clean(&tenant.tenant)];
        row.extend(count_cells(&tenant.counts, jira));
        by_tenant.rows.push(row);
    }
    if !by_tenant.rows.is_empty() {
        let mut row = vec!["Total".to_owned()];
        row.extend(count_cells(&report.totals, jira));
        by_tenant.rows.push(row);
        by_tenant.total_row = true;
    }
    out.push(by_tenant);

    let mut columns = vec![("Severity", TEXT)];
    columns.extend(count_columns(jira));
    let mut by_severity = Section::new("by-severity", "By severity", &columns)
        .empty_text("no alerts in this period")
        .note("The same counts by the alert's severity in Defender for Cloud Apps.");
    for severity in &report.by_severity {
        let mut row = vec![clean(&severity.severity)];
        row.extend(count_cells(&severity.counts, jira));
        by_severity.rows.push(row);
    }
    out.push(by_severity);

    let mut columns = vec![("Tenant", TEXT), ("Severity", TEXT)];
    columns.extend(count_columns(jira));
    let mut both = Section::new("by-tenant-severity", "By tenant and severity", &columns)
        .empty_text("no alerts in this period")
        .note("The same counts per tenant and severity.");
    for tenant in &report.by_tenant {
        for severity in &tenant.by_severity {
            let mut row = vec![clean(&tenant.tenant), clean(&severity.severity)];
            row.extend(count_cells(&severity.counts, jira));
            both.rows.push(row);
        }
    }
    out.push(both);

    if layout.per_day_table {
        let mut columns = vec![("Day", TEXT)];
        let severities: Vec<String> = report.severities.iter().map(|s| clean(s)).collect();
        columns.extend(severities.iter().map(|s| (s.as_str(), NUMBER)));
        columns.push(("Total", NUMBER));
        let mut per_day =
            Section::new("per-day", "Alerts per day", &columns).empty_text("no alerts in this period").note(
                "Alerts seen per UTC day of their own time, by severity; days without alerts are left out.",
            );
        for day in report.per_day.iter().filter(|d| d.total > 0) {
            let mut row = vec![day.day.to_string()];
            row.extend(day.by_severity.iter().map(|s| s.count.to_string()));
            row.push(day.total.to_string());
            per_day.rows.push(row);
        }
        out.push(per_day);
    }

    for (id, title, heading, items, note) in [
        (
            "top-alert-types",
            "Top alert types",
            "Alert type",
            &report.top_alert_types,
            "Tickets per kind of alert, named by its title; the numbered types of one kind are counted together.",
        ),
        (
            "top-policies",
            "Top policies",
            "Policy",
            &report.top_policies,
            "Tickets per policy that raised the alert.",
        ),
        (
            "top-users",
            "Top affected users",
            "User",
            &report.top_users,
            "Tickets per affected user; a ticket naming several users counts for each.",
        ),
    ] {
        let mut section = Section::new(id, title, &[(heading, TEXT), ("Tickets", NUMBER)]).note(note);
        section.rows = items.iter().map(|t| vec![clean(&t.name), t.count.to_string()]).collect();
        out.push(section);
    }
    let mut ips = Section::new(
        "top-ips",
        "Top IPs by risk",
        &[("IP", TEXT), ("Abuse score", NUMBER), ("Risk", TEXT), ("Tickets", NUMBER)],
    )
    .note(IP_NOTE);
    ips.score_column = Some(1);
    ips.rows = report
        .top_ips
        .iter()
        .map(|ip| {
            let score = ip.score.map_or_else(|| "n/a".to_owned(), |s| s.to_string());
            vec![ip.ip.to_string(), score, ip.risk.to_owned(), ip.alerts.to_string()]
        })
        .collect();
    out.push(ips);

    let estimates = match report.time_to_ticket_estimates {
        0 => String::new(),
        n => format!(
            " {n} ticket(s) recorded before mcas2jira kept exact creation times are left out (`--jira` reads theirs)."
        ),
    };
    out.push(
        duration_section(
            "time-to-ticket",
            "Time from alert to ticket",
            "Tickets",
            report.time_to_ticket.as_ref(),
        )
        .empty_text("no tickets in this period")
        .note(format!(
            "From the alert's time in Defender for Cloud Apps to its ticket's creation in Jira.{estimates}"
        )),
    );

    if let Some(figures) = &report.jira {
        let mut status = Section::new("jira-status", "Jira status", &[("Status", TEXT), ("Tickets", NUMBER)])
            .note("The status of the period's tickets in Jira now.");
        status.rows = figures.by_status.iter().map(|t| vec![clean(&t.name), t.count.to_string()]).collect();
        out.push(status);
        let mut resolution =
            Section::new("jira-resolution", "Resolutions", &[("Resolution", TEXT), ("Tickets", NUMBER)])
                .empty_text("no ticket closed")
                .note("How the period's closed tickets were resolved.");
        resolution.rows =
            figures.by_resolution.iter().map(|t| vec![clean(&t.name), t.count.to_string()]).collect();
        out.push(resolution);
        out.push(
            duration_section(
                "time-to-resolution",
                "Time from ticket to resolution",
                "Tickets resolved",
                figures.time_to_resolution.as_ref(),
            )
            .empty_text("no ticket resolved")
            .note("From the ticket's creation to its resolution in Jira."),
        );
    }

    out.push(tickets_section(report, layout.ticket_cap));
    if !report.unmapped_resolutions.is_empty() {
        out.push(unmapped_section(report));
    }
    if !report.awaiting.is_empty() {
        out.push(awaiting_section(report));
    }
    out
}

fn awaiting_section(report: &Report) -> Section {
    let mut section = Section::new(
        "awaiting-retry",
        "Alerts awaiting a retry",
        &[
            ("Alert", TEXT),
            ("Tenant", TEXT),
            ("Severity", TEXT),
            ("Attempts", NUMBER),
            ("Since (UTC)", TEXT),
            ("Last reason", TEXT),
        ],
    )
    .note(
        "Alerts whose ticket could not be made yet, whatever their period, retried on every run; most attempts \
         first. Alerts held while Jira refuses the config count no attempt.",
    );
    for line in &report.awaiting {
        section.rows.push(vec![
            clean(&line.alert_id),
            clean(&line.tenant),
            clean(&line.severity),
            line.attempts.to_string(),
            minute(line.since),
            clean(&line.last_error),
        ]);
        section.links.push(None);
    }
    section
}

fn tickets_section(report: &Report, cap: Option<usize>) -> Section {
    let mut columns = vec![
        ("Ticket", TEXT),
        ("Tenant", TEXT),
        ("Severity", TEXT),
        ("Alert time (UTC)", TEXT),
        ("Title", TEXT),
    ];
    if report.jira_checked {
        columns.extend([("Status", TEXT), ("Resolution", TEXT)]);
    }
    let mut section = Section::new("tickets", "Tickets", &columns)
        .empty_text("no tickets in this period")
        .note("Every ticket of the period, most severe first, then by the alert's time.");
    let shown = cap.unwrap_or(usize::MAX).min(report.tickets.len());
    for ticket in &report.tickets[..shown] {
        let mut row = vec![
            ticket.ticket.key.clone(),
            clean(&ticket.ticket.tenant),
            clean(&ticket.ticket.severity),
            minute(ticket.alert_time),
            clean(&ticket.ticket.title),
        ];
        if report.jira_checked {
            row.push(clean(ticket.status.as_deref().unwrap_or("")));
            row.push(clean(ticket.resolution.as_deref().unwrap_or("")));
        }
        section.rows.push(row);
        section.links.push(ticket.ticket.url.clone());
    }
    if shown < report.tickets.len() {
        section.more = Some(format!(
            "{} more tickets; --format csv, json or html lists them all.",
            report.tickets.len() - shown
        ));
    }
    section
}

fn unmapped_section(report: &Report) -> Section {
    let mut section = Section::new(
        "unmapped-resolutions",
        "Resolutions the sync does not map",
        &[("Ticket", TEXT), ("Tenant", TEXT), ("Resolution", TEXT), ("Since (UTC)", TEXT), ("Title", TEXT)],
    )
    .note(
        "Tickets done with a resolution [sync.resolutions] does not name, whatever their period: their \
         alerts stay open in Defender for Cloud Apps until the map names the resolution.",
    );
    for line in &report.unmapped_resolutions {
        section.rows.push(vec![
            line.ticket.key.clone(),
            clean(&line.ticket.tenant),
            clean(line.resolution.as_deref().unwrap_or("(none)")),
            minute(line.since),
            clean(&line.ticket.title),
        ]);
        section.links.push(line.ticket.url.clone());
    }
    section
}

/// A time to the minute, UTC: `2024-05-01 08:42`.
fn minute(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M").to_string()
}

/// The lines under a report's title: the period, the tenants, when it was made.
pub(super) fn preamble(report: &Report) -> Vec<String> {
    let tenants =
        if report.tenant_filter.is_empty() { "all".to_owned() } else { report.tenant_filter.join(", ") };
    let mut lines = vec![
        format!("Period: {} to {} UTC (the end excluded)", minute(report.from), minute(report.to)),
        format!("Tenants: {}", clean(&tenants)),
        format!("Made: {} UTC", minute(report.generated_at)),
    ];
    if report.jira_checked {
        lines.push("Ticket statuses read from Jira.".to_owned());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(secs: u64, expected: &str) {
        assert_eq!(human_secs(secs), expected);
    }

    #[test]
    fn durations_read_as_people_write_them() {
        check(0, "0s");
        check(45, "45s");
        check(252, "4m 12s");
        check(3_600, "1h 00m");
        check(11_100, "3h 05m");
        check(187_200, "2d 4h");
    }

    #[test]
    fn untrusted_text_is_one_plain_line() {
        assert_eq!(clean("a\nb\u{1b}[31mred\u{202E}txt"), "a b [31mredtxt");
        assert_eq!(clean("  spaced\t out  "), "spaced out");
    }
}
