//! `report`: daily, weekly and monthly figures from the state store, and with `--jira` from Jira.
//!
//! The state store records every alert a pass handled: a ticket (with its tenant, severity,
//! title, type, policy, users and IPs with their abuse score) or a skip by a rule; alerts whose
//! ticket failed wait in the pending table. A report reads the rows whose *alert time* falls in
//! the period, [`aggregate`]s them into a [`Report`], and renders it in one of five formats
//! (aligned text, Markdown, tidy CSV, JSON, or one self-contained HTML page with SVG charts).
//!
//! Periods are UTC: `daily` is a calendar day, `weekly` an ISO week from Monday, `monthly` a
//! calendar month. Without `--from`/`--to` the report covers the last complete period before now.
//! A report is named by its period, as asked or defaulted (`Daily report 2026-12-01`), and is
//! `custom` only for a range given by both bounds (or by `--from` alone, up to now).
//!
//! `report` reads the state store only; the config gives it the state store's path, the tenant
//! names, the title (`[report] title`) and the Jira site for the tickets' links, and is loaded
//! without reading any secret. With `--jira` it reads the Jira secret, and no other.

mod aggregate;
mod csv;
mod html;
mod jira;
mod json;
mod markdown;
mod sections;
mod table;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan, ZonedDateTime};

pub(crate) use aggregate::browse_url;
pub use aggregate::{
    Counts, DayFigures, DurationStats, JiraFigures, Report, ReportData, SeverityCount, SeverityFigures,
    TenantFigures, TicketLine, TicketRef, TopIp, TopItem, UnmappedLine, aggregate, risk_of, severity_order,
};
pub use jira::{BATCH_SIZE, TicketStatus, ticket_statuses};

use crate::cli::{PeriodArg, ReportArgs, ReportFormat};
use crate::config::Config;
use crate::services::ConfigProblem;
use crate::state::StateStore;

/// The time span a report covers: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// The period, as asked or defaulted (daily); `None` for a custom span: given by both bounds,
    /// or by `--from` alone up to now.
    pub period: Option<PeriodArg>,
    /// Start, inclusive.
    pub from: Timestamp,
    /// End, exclusive.
    pub to: Timestamp,
}

/// What to report on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    /// The time span.
    pub range: Range,
    /// Only these tenants; empty means all.
    pub tenants: Vec<String>,
    /// How long the top lists are.
    pub top: usize,
    /// The name put before the period in the title (`--title`, `[report] title`).
    pub title: Option<String>,
    /// The Jira site, for links to the tickets (`<site>/browse/<key>`).
    pub jira_url: Option<url::Url>,
}

impl ReportQuery {
    /// A query of `range` for every tenant, top lists of 10, no title and no links.
    #[must_use]
    pub fn new(range: Range) -> Self {
        Self { range, tenants: Vec::new(), top: 10, title: None, jira_url: None }
    }
}

/// The period's name as the reports show it.
#[must_use]
pub fn period_name(period: Option<PeriodArg>) -> &'static str {
    match period {
        Some(PeriodArg::Daily) => "daily",
        Some(PeriodArg::Weekly) => "weekly",
        Some(PeriodArg::Monthly) => "monthly",
        None => "custom",
    }
}

/// The range of `--period`, `--from` and `--to` at `now`:
///
/// - neither `--from` nor `--to`: the last complete period before `now` (default daily);
/// - `--from` only: one period from there (or up to `now` when no `--period` is given: custom);
/// - `--to` only: one period (default daily) up to there;
/// - both: exactly that span (custom); `--period` cannot be given with both.
///
/// `--from` and `--to` take a UTC date (`2024-05-01`) or an RFC 3339 time
/// (`2024-05-01T08:00:00Z`); a date given to `--to` includes that whole day.
///
/// # Errors
///
/// [`ConfigProblem`] (exit status 2) for a value that is neither a date nor a time, an empty
/// range, or `--period` with both bounds.
///
/// # Examples
///
/// ```
/// use mcas2jira::cli::PeriodArg;
/// use mcas2jira::report::resolve_range;
///
/// let now: jiff::Timestamp = "2024-05-15T10:00:00Z".parse().unwrap();
/// let range = resolve_range(Some(PeriodArg::Monthly), None, None, now).unwrap();
/// assert_eq!(range.from.to_string(), "2024-04-01T00:00:00Z");
/// assert_eq!(range.to.to_string(), "2024-05-01T00:00:00Z");
/// // No period asked: yesterday, named daily.
/// assert_eq!(resolve_range(None, None, None, now).unwrap().period, Some(PeriodArg::Daily));
/// ```
pub fn resolve_range(
    period: Option<PeriodArg>,
    from: Option<&str>,
    to: Option<&str>,
    now: Timestamp,
) -> Result<Range, ConfigProblem> {
    let from = from.map(|text| parse_when("--from", text, false)).transpose()?;
    let to = to.map(|text| parse_when("--to", text, true)).transpose()?;
    let (period, from, to) = match (from, to) {
        (Some(_), Some(_)) if period.is_some() => {
            return Err(ConfigProblem {
                key: "--period".into(),
                reason: "--from and --to already give the range: leave out --period, or one of the bounds"
                    .into(),
            });
        }
        (Some(from), Some(to)) => (None, from, to),
        (Some(from), None) => match period {
            Some(period) => (Some(period), from, shift(from, period_span(period), "--from")?),
            None => (None, from, now),
        },
        (None, Some(to)) => {
            let period = period.unwrap_or(PeriodArg::Daily);
            (Some(period), shift(to, period_span(period).negate(), "--to")?, to)
        }
        (None, None) => {
            let period = period.unwrap_or(PeriodArg::Daily);
            let (from, to) = last_complete(period, now)?;
            (Some(period), from, to)
        }
    };
    if from >= to {
        return Err(ConfigProblem {
            key: "--from".into(),
            reason: format!("the report would be empty: {from} is not before {to}"),
        });
    }
    Ok(Range { period, from, to })
}

fn period_span(period: PeriodArg) -> Span {
    match period {
        PeriodArg::Daily => 1.day(),
        PeriodArg::Weekly => 7.days(),
        PeriodArg::Monthly => 1.month(),
    }
}

fn utc(at: Timestamp) -> ZonedDateTime {
    at.to_zoned_datetime(TimeZone::UTC)
}

fn start_of(date: Date) -> Result<Timestamp, jiff::Error> {
    date.to_zoned_datetime(TimeZone::UTC).map(|zoned| zoned.timestamp())
}

/// `at` moved by a calendar span in UTC (a month from January 31st is February 29th or 28th).
fn shift(at: Timestamp, span: Span, key: &str) -> Result<Timestamp, ConfigProblem> {
    utc(at)
        .checked_add(span)
        .map(|zoned| zoned.timestamp())
        .map_err(|e| ConfigProblem { key: key.into(), reason: format!("out of range: {e}") })
}

/// The last complete day, ISO week or month before `now`, in UTC.
fn last_complete(period: PeriodArg, now: Timestamp) -> Result<(Timestamp, Timestamp), ConfigProblem> {
    let today = utc(now).date();
    let bounds = || -> Result<(Date, Date), jiff::Error> {
        Ok(match period {
            PeriodArg::Daily => (today.checked_sub(1.day())?, today),
            PeriodArg::Weekly => {
                let monday = today.checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days())?;
                (monday.checked_sub(7.days())?, monday)
            }
            PeriodArg::Monthly => {
                let first = today.first_of_month();
                (first.checked_sub(1.month())?, first)
            }
        })
    };
    let out_of_range = |e: jiff::Error| ConfigProblem { key: "--period".into(), reason: e.to_string() };
    let (from, to) = bounds().map_err(out_of_range)?;
    Ok((start_of(from).map_err(out_of_range)?, start_of(to).map_err(out_of_range)?))
}

/// A date (the start of that UTC day, or with `end_of_day` the start of the next) or a time.
fn parse_when(key: &str, text: &str, end_of_day: bool) -> Result<Timestamp, ConfigProblem> {
    let text = text.trim();
    let problem = |reason: String| ConfigProblem { key: key.into(), reason };
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    match text.parse::<Date>() {
        Ok(date) => {
            let date = if end_of_day { date.tomorrow().map_err(|e| problem(e.to_string()))? } else { date };
            start_of(date).map_err(|e| problem(e.to_string()))
        }
        Err(_) => Err(problem(format!(
            "{text:?} is neither a date (2024-05-01) nor a time with an offset (2024-05-01T08:00:00Z)"
        ))),
    }
}

/// The tenants named by `--tenant`, spelled as in the config, or as in the state store for a
/// tenant removed from the config since (its history can still be reported on).
///
/// # Errors
///
/// [`ConfigProblem`] (exit status 2) for a name neither knows, as `run` and `sync` refuse one.
fn tenant_filter(config: &Config, known: &[String], names: &[String]) -> Result<Vec<String>, ConfigProblem> {
    names
        .iter()
        .map(|name| {
            let configured = config.tenants.iter().map(|t| &t.name);
            configured.chain(known).find(|t| t.eq_ignore_ascii_case(name)).cloned().ok_or_else(|| {
                let names: Vec<&str> = config.tenants.iter().map(|t| t.name.as_str()).collect();
                ConfigProblem {
                    key: "--tenant".into(),
                    reason: format!(
                        "no tenant named {name:?} in the config or the state store (configured: {})",
                        names.join(", ")
                    ),
                }
            })
        })
        .collect()
}

/// Reads what the state store holds for a query.
///
/// # Errors
///
/// When the store cannot be read.
///
/// # Examples
///
/// ```no_run
/// use mcas2jira::report::{ReportQuery, read_data, resolve_range};
/// use mcas2jira::state::StateStore;
///
/// let store = StateStore::open("mcas2jira.db".as_ref())?;
/// let range = resolve_range(None, None, None, jiff::Timestamp::now())?;
/// let data = read_data(&store, &ReportQuery::new(range))?;
/// println!("{} tickets", data.tickets.len());
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn read_data(store: &StateStore, query: &ReportQuery) -> Result<ReportData> {
    let tenants: Vec<&str> = query.tenants.iter().map(String::as_str).collect();
    let (from, to) = (query.range.from, query.range.to);
    let tickets = store.tickets_between(from, to, &tenants).context("reading tickets")?;
    let skipped = store.skipped_between(from, to, &tenants).context("reading skipped alerts")?;
    // The pending table holds only the alerts that failed and wait for a retry: a few rows.
    let awaiting: Vec<_> = store
        .pending(None)
        .context("reading alerts awaiting a retry")?
        .into_iter()
        .filter(|p| tenants.is_empty() || tenants.contains(&p.tenant.as_str()))
        .collect();
    let pending = awaiting.iter().filter(|p| p.alert_time >= from && p.alert_time < to).cloned().collect();
    let unmapped = store.unmapped_resolutions(&tenants).context("reading unmapped resolutions")?;
    Ok(ReportData { tickets, skipped, pending, awaiting, unmapped })
}

/// Renders a report in a format.
#[must_use]
pub fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Table => table::render(report),
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Csv => csv::render(report),
        ReportFormat::Json => json::render(report),
        ReportFormat::Html => html::render(report),
    }
}

/// `report`: reads the state store (and Jira with `--jira`), and prints or writes the report.
///
/// # Errors
///
/// A bad period or range (exit status 2); a state store that does not exist or cannot be read;
/// Jira that cannot be searched with `--jira`; an output file that cannot be written.
pub async fn run(config: &Config, args: &ReportArgs) -> Result<u8> {
    let now = Timestamp::now();
    let range = resolve_range(args.period, args.from.as_deref(), args.to.as_deref(), now)?;
    let path = config.state.path.clone();
    if !path.exists() {
        // Opening would create an empty store and report zeros: say what is wrong instead.
        anyhow::bail!("no state store at {}: run `mcas2jira run` first", path.display());
    }
    let store = tokio::task::spawn_blocking(move || {
        StateStore::open(&path).with_context(|| format!("state store {}", path.display()))
    })
    .await
    .context("the state store task failed")??;
    let store = std::sync::Arc::new(store);
    let known = {
        let store = std::sync::Arc::clone(&store);
        tokio::task::spawn_blocking(move || store.tenants())
            .await
            .context("the state store task failed")??
    };
    let title = args.title.clone().or_else(|| config.report.title.clone()).filter(|t| !t.trim().is_empty());
    let query = ReportQuery {
        range,
        tenants: tenant_filter(config, &known, &args.tenant)?,
        top: args.top,
        title,
        jira_url: Some(config.jira.url.clone()),
    };
    let data = {
        let query = query.clone();
        tokio::task::spawn_blocking(move || read_data(&store, &query))
            .await
            .context("the state store task failed")??
    };
    let statuses: Option<HashMap<String, TicketStatus>> = if args.jira {
        // Only the Jira client: the config was loaded with the Jira secret alone.
        let jira = crate::services::jira_client(config)?;
        Some(ticket_statuses(&jira, &data.tickets).await.context("reading ticket statuses from jira")?)
    } else {
        None
    };
    let report = aggregate(&query, &data, statuses.as_ref(), now);
    let text = render(&report, args.format);
    write_out(args.output.as_deref(), &text)?;
    Ok(crate::app::EXIT_OK)
}

fn write_out(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!("report written to {}", path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            // A closed pipe (`| head`) is not an error worth a status.
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
