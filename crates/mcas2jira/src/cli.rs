//! The command line, parsed once by clap into [`Cli`], then validated by each command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Turn Microsoft Defender for Cloud Apps alerts into Jira tickets, once each, enriched with
/// AbuseIPDB.
///
/// Exit status: 0 all done; 2 bad usage or config (a config Jira refuses too); 3 some alerts could
/// not be ticketed this time, or are stuck (they are retried on the next run); 1 anything else.
#[derive(Debug, Parser)]
#[command(name = "mcas2jira", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    /// The config file [default: $MCAS2JIRA_CONFIG, else ./mcas2jira.toml].
    #[arg(long, short = 'c', global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// More log output on stderr (-v debug, -vv trace). `RUST_LOG` overrides.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// How stderr's log lines are written: `text` for people (coloured only on a terminal;
    /// `NO_COLOR` turns colour off, `CLICOLOR_FORCE=1` on), `json` for a log collector (one
    /// object per line).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT")]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One line per record, for people.
    #[default]
    Text,
    /// One JSON object per record, for a log collector.
    Json,
}

const AFTER_HELP: &str = "\
Exit status: 0 all done; 2 bad usage or config (a config Jira refuses too: the alerts wait for the \
fix); 3 some alerts could not be ticketed this time, or are stuck (they are retried on the next run); \
1 anything else.
Every ticket carries the label mcas-<alert id>: find an alert's ticket with JQL `labels = mcas-<id>`.";

/// What `demo` says in `--help` in a binary built without the `demo` feature.
#[cfg(not(feature = "demo"))]
const DEMO_NOT_BUILT: &str = "Not in this build, made without the `demo` feature \
(`--no-default-features`); `cargo install mcas2jira` has it";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// One pass over every tenant: fetch new alerts, enrich, create tickets, print what it did.
    Run(RunArgs),
    /// Validate the config, every secret and each service's credentials (for a Graph tenant, the
    /// permissions its application was granted), and everything a run will ask of Jira (project,
    /// issue types, components, priorities, fields on the create screens, required fields), naming
    /// every problem at once, without creating anything.
    Check(CheckArgs),
    /// Write a commented example config.
    Init(InitArgs),
    /// The whole pipeline against built-in fake MCAS, Graph, AbuseIPDB and Jira services on loopback, no
    /// accounts needed: two passes, the second showing nothing is ticketed twice.
    // A binary built without the `demo` feature keeps the command, so that `--help` and running
    // it say how to get it rather than clap calling it unknown.
    #[cfg_attr(not(feature = "demo"), command(about = DEMO_NOT_BUILT, long_about = None))]
    Demo(DemoArgs),
    /// Run as a service: each tenant's pass every interval, on its own schedule, until SIGINT or
    /// SIGTERM (which stops it within seconds); optionally serve /metrics and /healthz.
    Watch(WatchArgs),
    /// Daily, weekly or monthly figures and the tickets of the period, from the state store (and,
    /// with --jira, from Jira). Reads no secret unless --jira is given, and then only Jira's.
    Report(ReportArgs),
    /// Two-way sync: close (MCAS) or resolve (Graph) the alerts of resolved tickets, and comment
    /// on the tickets of alerts closed in the portal, for MCAS and Graph tenants alike.
    Sync(SyncArgs),
}

/// Options of `run` (and of each pass of `watch`).
#[derive(Debug, Args, Clone, Default)]
pub struct RunArgs {
    /// Show the tickets it would create; create none and write nothing to the state store.
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON object per event on stdout instead of human lines.
    #[arg(long)]
    pub json: bool,
    /// Only this tenant (by its `name`); may be given more than once.
    #[arg(long, value_name = "NAME")]
    pub tenant: Vec<String>,
    /// Reach back this far instead of from the checkpoint, e.g. `24h`, `7d`.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
}

/// Options of `sync`.
#[derive(Debug, Args, Clone, Default)]
pub struct SyncArgs {
    /// Show the alerts it would close and the tickets it would comment on; change nothing and
    /// write nothing to the state store.
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON object per event on stdout instead of human lines.
    #[arg(long)]
    pub json: bool,
    /// Only this tenant (by its `name`); may be given more than once.
    #[arg(long, value_name = "NAME")]
    pub tenant: Vec<String>,
    /// Start no new work after this long, e.g. `4m` (what was started finishes); the next sync
    /// goes on with the rest. Without it, the sync runs until everything is done.
    #[arg(long, value_name = "DURATION")]
    pub max_time: Option<String>,
}

/// Options of `check`.
#[derive(Debug, Args, Clone, Default)]
pub struct CheckArgs {
    /// Print one JSON object per check on stdout.
    #[arg(long)]
    pub json: bool,
    /// With `[sync] enabled = true`: for tenants signed in with a legacy API token, whose rights
    /// Defender for Cloud Apps does not disclose, test the right to close alerts by closing an
    /// alert id that does not exist. Closes nothing, but shows in the tenant's audit log. (An
    /// Entra application's right is read from its token, without this flag or any call.)
    #[arg(long)]
    pub close_test: bool,
}

/// Options of `init`.
#[derive(Debug, Args, Clone)]
pub struct InitArgs {
    /// Where to write the example config [default: the --config path, else ./mcas2jira.toml].
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Options of `demo`.
#[derive(Debug, Args, Clone, Default)]
pub struct DemoArgs {
    /// Print one JSON object per event on stdout instead of human lines.
    #[arg(long)]
    pub json: bool,
    /// Write the demo's config, secrets and state database here and keep them [default: a
    /// temporary directory, removed at the end].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Options of `watch`: the interval, the metrics listener and the flags of each pass.
#[derive(Debug, Args, Clone)]
pub struct WatchArgs {
    /// Time between the starts of two passes of a tenant, e.g. `30s`, `5m`, `1h` (a little
    /// jitter is added); also how often the summary line is printed.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub every: String,
    /// Serve /metrics (Prometheus text format) and /healthz at this address: a port (`9184`,
    /// on loopback) or an address and a port (`0.0.0.0:9184`) [default: `[watch] metrics_addr`,
    /// else none].
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<String>,
    /// /healthz fails once a tenant has had no successful pass for this long, e.g. `15m`
    /// [default: `[watch] healthy_within`, else three intervals].
    #[arg(long, value_name = "DURATION")]
    pub healthy_within: Option<String>,
    /// The flags of each pass, as for `run`.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The period a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodArg {
    /// One UTC day: yesterday, unless `--from`/`--to` say otherwise.
    Daily,
    /// One ISO week, Monday to Sunday (UTC): last week, unless `--from`/`--to` say otherwise.
    Weekly,
    /// One calendar month (UTC): last month, unless `--from`/`--to` say otherwise.
    Monthly,
}

/// The output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned text tables for a terminal.
    #[default]
    Table,
    /// Markdown tables, for a wiki page or a ticket.
    Markdown,
    /// One tidy CSV table: section, tenant, severity, item, value.
    Csv,
    /// One JSON document.
    Json,
    /// One self-contained HTML page with SVG charts, fit for printing.
    Html,
}

/// Options of `report`.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// The period: the last complete one, or the one starting at `--from` / ending at `--to`
    /// [default: daily].
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub period: Option<PeriodArg>,
    /// Start (inclusive): a UTC date `2024-05-01` or a time `2024-05-01T08:00:00Z`.
    #[arg(long, value_name = "WHEN")]
    pub from: Option<String>,
    /// End: a UTC date is included whole (`--to 2024-05-31` ends at June 1st, 00:00); a time
    /// `2024-06-01T00:00:00Z` is excluded.
    #[arg(long, value_name = "WHEN")]
    pub to: Option<String>,
    /// Only this tenant (by its `name`); may be given more than once.
    #[arg(long, value_name = "NAME")]
    pub tenant: Vec<String>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// How many entries the top lists (alert types, policies, users, IPs) show.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// Read each ticket's status and resolution from Jira, to add open versus closed and the time
    /// to resolution. Only then is a secret read: the Jira one.
    #[arg(long)]
    pub jira: bool,
    /// The name shown before the period, e.g. the customer or site: `--title "Contoso SOC"` gives
    /// "Contoso SOC: Weekly report ..." [default: `[report] title` of the config].
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn config_before_or_after_the_subcommand() {
        let a = Cli::try_parse_from(["mcas2jira", "--config", "a.toml", "run"]).unwrap();
        let b = Cli::try_parse_from(["mcas2jira", "run", "--config", "a.toml", "--dry-run"]).unwrap();
        assert_eq!(a.config, b.config);
        assert!(matches!(b.command, Command::Run(RunArgs { dry_run: true, .. })));
    }

    #[test]
    fn watch_takes_the_run_flags() {
        let cli =
            Cli::try_parse_from(["mcas2jira", "watch", "--every", "1m", "--json", "--tenant", "a"]).unwrap();
        let Command::Watch(args) = cli.command else { panic!("not watch") };
        assert_eq!(args.every, "1m");
        assert!(args.run.json);
        assert_eq!(args.run.tenant, ["a"]);
    }

    #[test]
    fn report_defaults_to_a_table() {
        let cli = Cli::try_parse_from(["mcas2jira", "report", "--period", "weekly"]).unwrap();
        let Command::Report(args) = cli.command else { panic!("not report") };
        assert_eq!(args.period, Some(PeriodArg::Weekly));
        assert_eq!(args.format, ReportFormat::Table);
        assert_eq!(args.top, 10);
        assert!(!args.jira);
    }
}
