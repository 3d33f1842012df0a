//! A report as a list of titled tables of text cells: what the text, Markdown and HTML formats
//! share, so that they show the same rows in the same order.

use super::aggregate::{Counts, DurationStats, Report};

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
        }
    }

    fn empty_text(mut self, text: &'static str) -> Self {
        self.empty = text;
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
    ];
    if jira {
        columns.extend([("Open", NUMBER), ("Closed", NUMBER), ("Missing in Jira", NUMBER)]);
    }
    columns
}

fn count_cells(counts: &Counts, jira: bool) -> Vec<String> {
    let mut cells: Vec<String> = [counts.seen, counts.tickets, counts.created, counts.found, counts.skipped]
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
pub(super) fn sections(report: &Report) -> Vec<Section> {
    let jira = report.jira_checked;
    let mut out = Vec::new();

    let mut columns = vec![("Tenant", TEXT)];
    columns.extend(count_columns(jira));
    columns.push(("Awaiting retry", NUMBER));
    let mut by_tenant =
        Section::new("by-tenant", "By tenant", &columns).empty_text("no alerts in this period");
    for tenant in &report.by_tenant {
        let mut row = vec![clean(&tenant.tenant)];
        row.extend(count_cells(&tenant.counts, jira));
        row.push(tenant.awaiting_retry.to_string());
        by_tenant.rows.push(row);
    }
    if !by_tenant.rows.is_empty() {
        let mut row = vec!["Total".to_owned()];
        row.extend(count_cells(&report.totals, jira));
        row.push(report.awaiting_retry.to_string());
        by_tenant.rows.push(row);
        by_tenant.total_row = true;
    }
    out.push(by_tenant);

    let mut columns = vec![("Severity", TEXT)];
    columns.extend(count_columns(jira));
    let mut by_severity =
        Section::new("by-severity", "By severity", &columns).empty_text("no alerts in this period");
    for severity in &report.by_severity {
        let mut row = vec![clean(&severity.severity)];
        row.extend(count_cells(&severity.counts, jira));
        by_severity.rows.push(row);
    }
    out.push(by_severity);

    let mut columns = vec![("Tenant", TEXT), ("Severity", TEXT)];
    columns.extend(count_columns(jira));
    let mut both = Section::new("by-tenant-severity", "By tenant and severity", &columns)
        .empty_text("no alerts in this period");
    for tenant in &report.by_tenant {
        for severity in &tenant.by_severity {
            let mut row = vec![clean(&tenant.tenant), clean(&severity.severity)];
            row.extend(count_cells(&severity.counts, jira));
            both.rows.push(row);
        }
    }
    out.push(both);

    let mut columns = vec![("Day", TEXT)];
    let severities: Vec<String> = report.severities.iter().map(|s| clean(s)).collect();
    columns.extend(severities.iter().map(|s| (s.as_str(), NUMBER)));
    columns.push(("Total", NUMBER));
    let mut per_day = Section::new("per-day", "Alerts per day", &columns);
    for day in &report.per_day {
        let mut row = vec![day.day.to_string()];
        row.extend(day.by_severity.iter().map(|s| s.count.to_string()));
        row.push(day.total.to_string());
        per_day.rows.push(row);
    }
    out.push(per_day);

    for (id, title, heading, items) in [
        ("top-alert-types", "Top alert types", "Alert type", &report.top_alert_types),
        ("top-policies", "Top policies", "Policy", &report.top_policies),
        ("top-users", "Top affected users", "User", &report.top_users),
    ] {
        let mut section = Section::new(id, title, &[(heading, TEXT), ("Tickets", NUMBER)]);
        section.rows = items.iter().map(|t| vec![clean(&t.name), t.count.to_string()]).collect();
        out.push(section);
    }
    let mut ips =
        Section::new("top-ips", "Top IPs", &[("IP", TEXT), ("Tickets", NUMBER), ("Abuse score", NUMBER)]);
    ips.rows = report
        .top_ips
        .iter()
        .map(|ip| {
            let score = ip.score.map_or_else(|| "n/a".to_owned(), |s| s.to_string());
            vec![ip.ip.to_string(), ip.alerts.to_string(), score]
        })
        .collect();
    out.push(ips);

    out.push(
        duration_section(
            "time-to-ticket",
            "Time from alert to ticket",
            "Tickets created",
            report.time_to_ticket.as_ref(),
        )
        .empty_text("no tickets created in this period"),
    );

    if let Some(figures) = &report.jira {
        let mut status = Section::new("jira-status", "Jira status", &[("Status", TEXT), ("Tickets", NUMBER)]);
        status.rows = figures.by_status.iter().map(|t| vec![clean(&t.name), t.count.to_string()]).collect();
        out.push(status);
        let mut resolution =
            Section::new("jira-resolution", "Resolutions", &[("Resolution", TEXT), ("Tickets", NUMBER)])
                .empty_text("no ticket closed");
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
            .empty_text("no ticket resolved"),
        );
    }
    out
}

/// The lines under a report's title: the period, the tenants, when it was made.
pub(super) fn preamble(report: &Report) -> Vec<String> {
    let tenants =
        if report.tenant_filter.is_empty() { "all".to_owned() } else { report.tenant_filter.join(", ") };
    let mut lines = vec![
        format!("Period: {} to {} (UTC, end excluded)", report.from, report.to),
        format!("Tenants: {}", clean(&tenants)),
        format!(
            "Generated: {}",
            report.generated_at.round(jiff::Unit::Second).unwrap_or(report.generated_at)
        ),
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
