//! The `html` format: one self-contained page (no scripts, nothing fetched from the network)
//! with two inline SVG charts, alerts per day by severity and alerts per tenant, the key figures,
//! every table with a short legend, and the list of tickets linked to Jira, styled to read well
//! on screen and on paper.
//!
//! Every figure drawn carries its numbers as `data-*` attributes (`data-day`, `data-tenant`,
//! `data-severity`, `data-count`), as a `<title>` tooltip and, where it fits, as a label, so that
//! the page can be checked by a program as well as read, on paper too.

use std::fmt::Write;

use super::aggregate::{Report, risk_of, severity_order};
use super::sections::{Layout, MAX_LABELLED_DAYS, Section, clean, preamble, sections};

const STYLE: &str = "
:root { --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --band: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
       color: var(--ink); margin: 2rem auto; max-width: 62rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .5rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
ul.meta { list-style: none; padding: 0; margin: 0; color: var(--muted); }
dl.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(6.5rem, 1fr)); gap: .5rem; margin: 1.2rem 0 .6rem; }
dl.figures div { border: 1px solid var(--rule); border-radius: 6px; padding: .4rem .7rem; }
dl.figures dt { color: var(--muted); font-size: .85rem; }
dl.figures dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; }
th, td { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
td { overflow-wrap: anywhere; }
p.empty { color: var(--muted); font-style: italic; }
p.note, dl.legend { color: var(--muted); font-size: .85rem; margin: .1rem 0 .5rem; max-width: 52rem; }
dl.legend { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; }
dl.legend dt { font-weight: 600; }
dl.legend dd { margin: 0; }
p.more { color: var(--muted); font-style: italic; }
a { color: #0b57d0; }
svg.score { vertical-align: middle; margin-right: .4rem; }
svg.chart text.value { fill: var(--ink); font-weight: 600; }
ul.legend { list-style: none; padding: 0; margin: .2rem 0 0; display: flex; gap: 1rem; flex-wrap: wrap; }
ul.legend svg { vertical-align: middle; margin-right: .3rem; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg.chart line.grid { stroke: var(--rule); stroke-width: 1; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; }
@page { size: A4; margin: 1.5cm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  section.chart, dl.figures, tr { break-inside: avoid; }
  h1 { font-size: 15pt; }
  dl.figures { grid-template-columns: repeat(auto-fit, minmax(4.6rem, 1fr)); gap: .3rem; }
  dl.figures div { padding: .25rem .4rem; }
  dl.figures dt { font-size: 7.5pt; white-space: nowrap; }
  dl.figures dd { font-size: 13pt; }
  table { font-size: 8.5pt; }
  th, td { padding: .15rem .3rem; }
  p.note, dl.legend { font-size: 8pt; }
  thead { display: table-header-group; }
  th { background: none; }
  a { color: inherit; text-decoration: none; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
";

/// Chart colours per severity; any other severity gets the last one.
fn colour(severity: &str) -> &'static str {
    match severity_order(severity).0 {
        0 => "#c62828",
        1 => "#ef6c00",
        2 => "#f9a825",
        3 => "#78909c",
        _ => "#6a1b9a",
    }
}

/// Text made safe in element content and in quoted attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn render(report: &Report) -> String {
    let title = esc(&report.title);
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"mcas2jira {}\">\n<title>{title}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<header>\n<h1>{title}</h1>\n<ul class=\"meta\">\n",
        env!("CARGO_PKG_VERSION")
    );
    for line in preamble(report) {
        let _ = writeln!(out, "<li>{}</li>", esc(&line));
    }
    out.push_str("</ul>\n</header>\n");
    figures(&mut out, report);
    per_day_chart(&mut out, report);
    per_tenant_chart(&mut out, report);
    // The chart labels each day's total when it has room; past that the numbers are in a table.
    let layout = Layout { ticket_cap: None, per_day_table: report.per_day.len() > MAX_LABELLED_DAYS };
    for section in sections(report, layout) {
        table(&mut out, &section);
    }
    let _ = write!(
        out,
        "<footer>Made by mcas2jira {} from its state store{}.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        if report.jira_checked { " and Jira" } else { "" }
    );
    out
}

fn figures(out: &mut String, report: &Report) {
    let t = &report.totals;
    let mut items = vec![
        ("seen", "Alerts seen", t.seen),
        ("tickets", "Tickets", t.tickets),
        ("created", "Tickets created", t.created),
        ("skipped", "Skipped by rules", t.skipped),
        ("awaiting-retry", "Awaiting retry", report.awaiting_retry),
    ];
    if report.jira_checked {
        items.push(("open", "Open", t.open.unwrap_or(0)));
        items.push(("closed", "Closed", t.closed.unwrap_or(0)));
    }
    out.push_str("<dl class=\"figures\">\n");
    for (key, label, n) in items {
        let _ = writeln!(out, "<div data-figure=\"{key}\"><dt>{label}</dt><dd>{n}</dd></div>");
    }
    out.push_str("</dl>\n<dl class=\"legend\">\n");
    let mut legend = vec![
        ("Alerts seen", "the alerts of the period, by their own time: ticketed, skipped, or awaiting retry"),
        (
            "Tickets",
            "alerts with a Jira ticket: created by mcas2jira, or found already in Jira by their label",
        ),
        (
            "Tickets created",
            "tickets mcas2jira created (the others were found after a lost answer or state file)",
        ),
        ("Skipped by rules", "alerts a rule of the config chose not to ticket"),
        ("Awaiting retry", "alerts whose ticket could not be made yet; the next run tries again"),
    ];
    if report.jira_checked {
        legend.push(("Open, Closed", "the tickets' status in Jira when the report was made"));
    }
    for (term, meaning) in legend {
        let _ = writeln!(out, "<dt>{term}</dt><dd>{meaning}</dd>");
    }
    out.push_str("</dl>\n");
}

/// A small bar showing an AbuseIPDB score out of 100, coloured by risk, and the number.
fn score_meter(cell: &str) -> String {
    let Ok(score) = cell.parse::<u8>() else { return esc(cell) };
    let colour = match risk_of(Some(score)) {
        "high" => "#c62828",
        "medium" => "#ef6c00",
        "low" => "#f9a825",
        _ => "#2e7d32",
    };
    format!(
        "<svg class=\"score\" width=\"60\" height=\"10\" role=\"img\" aria-label=\"{score} out of 100\">\
         <rect width=\"60\" height=\"10\" fill=\"#e6eaee\"/><rect width=\"{:.1}\" height=\"10\" fill=\"{colour}\"/></svg>{score}",
        f64::from(score.min(100)) * 0.6
    )
}

fn legend(out: &mut String, severities: &[String]) {
    out.push_str("<ul class=\"legend\">\n");
    for severity in severities {
        let _ = writeln!(
            out,
            "<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" fill=\"{}\"/></svg>{}</li>",
            colour(severity),
            esc(&clean(severity))
        );
    }
    out.push_str("</ul>\n");
}

/// A round axis maximum at or above `max` with its step: four or five steps of 1, 2 or 5 × 10^k.
fn axis(max: u64) -> (u64, u64) {
    let rough = max.div_ceil(4).max(1);
    let mut magnitude = 1u64;
    while magnitude.saturating_mul(10) <= rough {
        magnitude *= 10;
    }
    let step = [1, 2, 5, 10].iter().map(|m| m * magnitude).find(|s| *s >= rough).unwrap_or(rough);
    (step * max.div_ceil(step).max(1), step)
}

fn per_day_chart(out: &mut String, report: &Report) {
    out.push_str(
        "<section class=\"chart\" id=\"chart-per-day\">\n<h2>Alerts per day by severity</h2>\n\
         <p class=\"note\">Each bar stacks one UTC day's alerts by severity; the number above it is the \
         day's total.</p>\n",
    );
    let max = report.per_day.iter().map(|d| d.total).max().unwrap_or(0);
    if max == 0 {
        out.push_str("<p class=\"empty\">no alerts in this period</p>\n</section>\n");
        return;
    }
    let (width, height, left, right, top, bottom) = (760.0, 260.0, 44.0, 10.0, 12.0, 36.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let (axis_max, step) = axis(max);
    let scale = plot_h / axis_max as f64;
    legend(out, &report.severities);
    let _ = writeln!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Alerts per day by severity\">"
    );
    let mut tick = 0;
    while tick <= axis_max {
        let y = top + plot_h - tick as f64 * scale;
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            width - right,
            left - 6.0,
            y + 4.0
        );
        tick += step;
    }
    let days = report.per_day.len();
    let slot = plot_w / days as f64;
    let bar = (slot * 0.7).max(1.0);
    // At most about 16 day labels, evenly spaced, so that they never overlap.
    let label_every = days.div_ceil(16).max(1);
    let value_labels = days <= MAX_LABELLED_DAYS;
    for (i, day) in report.per_day.iter().enumerate() {
        let x = left + i as f64 * slot + (slot - bar) / 2.0;
        let mut y = top + plot_h;
        let _ = writeln!(out, "<g data-day=\"{}\" data-count=\"{}\">", day.day, day.total);
        for s in day.by_severity.iter().filter(|s| s.count > 0) {
            let h = s.count as f64 * scale;
            y -= h;
            let severity = esc(&clean(&s.severity));
            let _ = writeln!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\" data-day=\"{}\" data-severity=\"{severity}\" data-count=\"{}\"><title>{} {severity}: {}</title></rect>",
                colour(&s.severity),
                day.day,
                s.count,
                day.day,
                s.count
            );
        }
        if value_labels && day.total > 0 {
            let _ = writeln!(
                out,
                "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + bar / 2.0,
                y - 3.0,
                day.total
            );
        }
        if i % label_every == 0 {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + bar / 2.0,
                top + plot_h + 16.0,
                day.day.strftime("%m-%d")
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n</section>\n");
}

fn per_tenant_chart(out: &mut String, report: &Report) {
    out.push_str(
        "<section class=\"chart\" id=\"chart-per-tenant\">\n<h2>Alerts per tenant</h2>\n\
         <p class=\"note\">Alerts seen per tenant, by severity; the number is the tenant's total.</p>\n",
    );
    let max = report.by_tenant.iter().map(|t| t.counts.seen).max().unwrap_or(0);
    if max == 0 {
        out.push_str("<p class=\"empty\">no alerts in this period</p>\n</section>\n");
        return;
    }
    let (row, left, right, top) = (26.0, 150.0, 50.0, 6.0);
    let width = 760.0;
    let height = top * 2.0 + row * report.by_tenant.len() as f64;
    let scale = (width - left - right) / max as f64;
    legend(out, &report.severities);
    let _ = writeln!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Alerts per tenant by severity\">"
    );
    for (i, tenant) in report.by_tenant.iter().enumerate() {
        let y = top + i as f64 * row;
        let name = clean(&tenant.tenant);
        let short: String = if name.chars().count() > 22 {
            name.chars().take(21).chain(['…']).collect()
        } else {
            name.clone()
        };
        let _ = writeln!(
            out,
            "<g data-tenant=\"{}\" data-count=\"{}\"><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            esc(&name),
            tenant.counts.seen,
            left - 8.0,
            y + row / 2.0 + 4.0,
            esc(&short)
        );
        let mut x = left;
        for s in tenant.by_severity.iter().filter(|s| s.counts.seen > 0) {
            let w = s.counts.seen as f64 * scale;
            let severity = esc(&clean(&s.severity));
            let _ = writeln!(
                out,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\" data-tenant=\"{}\" data-severity=\"{severity}\" data-count=\"{}\"><title>{} {severity}: {}</title></rect>",
                y + 4.0,
                row - 8.0,
                colour(&s.severity),
                esc(&name),
                s.counts.seen,
                esc(&name),
                s.counts.seen
            );
            x += w;
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            x + 6.0,
            y + row / 2.0 + 4.0,
            tenant.counts.seen
        );
    }
    out.push_str("</svg>\n</section>\n");
}

/// A ticket key linked to its page, when the link is a web address.
fn linked(text: &str, url: Option<&str>) -> String {
    match url {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            format!("<a href=\"{}\">{}</a>", esc(url), esc(text))
        }
        _ => esc(text),
    }
}

fn table(out: &mut String, section: &Section) {
    let _ = writeln!(out, "<section id=\"{}\">\n<h2>{}</h2>", section.id, esc(section.title));
    if !section.note.is_empty() {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(&section.note));
    }
    if section.rows.is_empty() {
        let _ = writeln!(out, "<p class=\"empty\">{}</p>\n</section>", esc(section.empty));
        return;
    }
    out.push_str("<table>\n<thead><tr>");
    for (i, header) in section.headers.iter().enumerate() {
        let class = if section.numeric.get(i).copied().unwrap_or(false) { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", esc(header));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (index, row) in section.rows.iter().enumerate() {
        let total = section.total_row && index + 1 == section.rows.len();
        out.push_str(if total { "<tr class=\"total\">" } else { "<tr>" });
        for (i, cell) in row.iter().enumerate() {
            let class = if section.numeric.get(i).copied().unwrap_or(false) { " class=\"num\"" } else { "" };
            let content = if i == 0 && !total {
                linked(cell, section.links.get(index).and_then(Option::as_deref))
            } else if section.score_column == Some(i) {
                score_meter(cell)
            } else {
                esc(cell)
            };
            let _ = write!(out, "<td{class}>{content}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(more) = &section.more {
        let _ = writeln!(out, "<p class=\"more\">{}</p>", esc(more));
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_axis(max: u64, expected: (u64, u64)) {
        assert_eq!(axis(max), expected, "axis({max})");
    }

    #[test]
    fn axes_are_round() {
        check_axis(1, (1, 1));
        check_axis(3, (3, 1));
        check_axis(7, (8, 2));
        check_axis(9, (10, 5));
        check_axis(37, (40, 10));
        check_axis(123, (150, 50));
    }

    #[test]
    fn markup_in_text_is_inert() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
