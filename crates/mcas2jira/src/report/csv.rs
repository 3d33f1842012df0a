//! The `csv` format: one tidy table, `section,tenant,severity,item,value`, one figure per row, so
//! that a spreadsheet's pivot table or a script can slice it any way.
//!
//! Sections: `report` (item `period`, `from`, `to`, `generated_at`), `totals`, `severity`,
//! `tenant`, `tenant_severity` (items `seen`, `tickets`, `created`, `found`, `skipped`, and with
//! `--jira` `open`, `closed`, `missing`; `awaiting_retry` for tenants and totals), `per_day`
//! (item the day, one row per severity), `top_alert_type`, `top_policy`, `top_user`, `top_ip`
//! (value the ticket count), `top_ip_score`, `time_to_ticket` and `time_to_resolution` (items
//! `count`, `median_secs`, `p90_secs`, `max_secs`), `jira_status`, `jira_resolution`; `report`
//! also has `title` (and `name`), `totals` `time_to_ticket_estimates`.
//!
//! The tickets, one figure per row with the Jira key as the item (a pivot on item gives one row
//! per ticket): `ticket` (value the link to the ticket, or the key when the site is unknown),
//! `ticket_title`, `ticket_alert_id`, `ticket_alert_time`, `ticket_created_at`, `ticket_origin`,
//! and with `--jira` `ticket_status`, `ticket_resolution`; tenant and severity are filled in.
//! `unmapped_resolution` rows (value the resolution) list the tickets whose resolution the sync
//! does not map; `awaiting_retry_attempts` and `awaiting_retry_reason` rows (item the alert id)
//! the alerts waiting for a retry.
//!
//! Fields follow RFC 4180. Text from the alerts that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`) is prefixed with `'`.

use super::aggregate::{Counts, DurationStats, Report};

struct Csv(String);

impl Csv {
    fn row(&mut self, section: &str, tenant: &str, severity: &str, item: &str, value: impl ToString) {
        let fields = [section, tenant, severity, item, &value.to_string()].map(field);
        self.0.push_str(&fields.join(","));
        self.0.push_str("\r\n");
    }

    fn counts(&mut self, section: &str, tenant: &str, severity: &str, counts: &Counts) {
        for (item, n) in [
            ("seen", Some(counts.seen)),
            ("tickets", Some(counts.tickets)),
            ("created", Some(counts.created)),
            ("found", Some(counts.found)),
            ("skipped", Some(counts.skipped)),
            ("awaiting_retry", Some(counts.awaiting_retry)),
            ("open", counts.open),
            ("closed", counts.closed),
            ("missing", counts.missing),
        ] {
            if let Some(n) = n {
                self.row(section, tenant, severity, item, n);
            }
        }
    }

    fn durations(&mut self, section: &str, stats: Option<&DurationStats>) {
        if let Some(s) = stats {
            for (item, n) in [
                ("count", s.count),
                ("median_secs", s.median_secs),
                ("p90_secs", s.p90_secs),
                ("max_secs", s.max_secs),
            ] {
                self.row(section, "", "", item, n);
            }
        }
    }
}

/// One field, defused and quoted as needed.
fn field(text: &str) -> String {
    let text =
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

pub(super) fn render(report: &Report) -> String {
    let mut csv = Csv(String::from("section,tenant,severity,item,value\r\n"));
    csv.row("report", "", "", "title", &report.title);
    if let Some(name) = &report.name {
        csv.row("report", "", "", "name", name);
    }
    csv.row("report", "", "", "period", report.period);
    csv.row("report", "", "", "from", report.from);
    csv.row("report", "", "", "to", report.to);
    csv.row("report", "", "", "generated_at", report.generated_at);
    csv.counts("totals", "", "", &report.totals);
    csv.row("totals", "", "", "time_to_ticket_estimates", report.time_to_ticket_estimates);
    for s in &report.by_severity {
        csv.counts("severity", "", &s.severity, &s.counts);
    }
    for t in &report.by_tenant {
        csv.counts("tenant", &t.tenant, "", &t.counts);
        for s in &t.by_severity {
            csv.counts("tenant_severity", &t.tenant, &s.severity, &s.counts);
        }
    }
    for day in &report.per_day {
        for s in &day.by_severity {
            csv.row("per_day", "", &s.severity, &day.day.to_string(), s.count);
        }
    }
    for (section, items) in [
        ("top_alert_type", &report.top_alert_types),
        ("top_policy", &report.top_policies),
        ("top_user", &report.top_users),
    ] {
        for item in items {
            csv.row(section, "", "", &item.name, item.count);
        }
    }
    for ip in &report.top_ips {
        csv.row("top_ip", "", "", &ip.ip.to_string(), ip.alerts);
        if let Some(score) = ip.score {
            csv.row("top_ip_score", "", "", &ip.ip.to_string(), score);
        }
    }
    csv.durations("time_to_ticket", report.time_to_ticket.as_ref());
    if let Some(jira) = &report.jira {
        for item in &jira.by_status {
            csv.row("jira_status", "", "", &item.name, item.count);
        }
        for item in &jira.by_resolution {
            csv.row("jira_resolution", "", "", &item.name, item.count);
        }
        csv.durations("time_to_resolution", jira.time_to_resolution.as_ref());
    }
    for t in &report.tickets {
        let row = |csv: &mut Csv, section: &str, value: &str| {
            csv.row(section, &t.ticket.tenant, &t.ticket.severity, &t.ticket.key, value)
        };
        row(&mut csv, "ticket", t.ticket.url.as_deref().unwrap_or(&t.ticket.key));
        row(&mut csv, "ticket_title", &t.ticket.title);
        row(&mut csv, "ticket_alert_id", &t.alert_id);
        row(&mut csv, "ticket_alert_time", &t.alert_time.to_string());
        row(&mut csv, "ticket_created_at", &t.created_at.to_string());
        row(&mut csv, "ticket_origin", t.origin);
        if let Some(status) = &t.status {
            row(&mut csv, "ticket_status", status);
        }
        if let Some(resolution) = &t.resolution {
            row(&mut csv, "ticket_resolution", resolution);
        }
    }
    for u in &report.unmapped_resolutions {
        csv.row(
            "unmapped_resolution",
            &u.ticket.tenant,
            &u.ticket.severity,
            &u.ticket.key,
            u.resolution.as_deref().unwrap_or(""),
        );
    }
    for a in &report.awaiting {
        csv.row("awaiting_retry_attempts", &a.tenant, &a.severity, &a.alert_id, a.attempts);
        csv.row("awaiting_retry_reason", &a.tenant, &a.severity, &a.alert_id, &a.last_error);
    }
    csv.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(field(input), expected);
    }

    #[test]
    fn fields_are_quoted_and_defused() {
        check("plain", "plain");
        check("a,b", "\"a,b\"");
        check("say \"hi\"", "\"say \"\"hi\"\"\"");
        check("two\nlines", "\"two\nlines\"");
        check("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
        check("+1", "'+1");
        check("@user", "'@user");
        check(" padded", "\" padded\"");
    }
}
