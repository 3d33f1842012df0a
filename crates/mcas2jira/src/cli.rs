//! The command line, parsed once by clap into [`Cli`], then validated by each command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Turn Microsoft Defender for Cloud Apps alerts into Jira tickets, once each, enriched with
/// AbuseIPDB.
///
/// Exit status: 0 all done; 2 bad usage or config; 3 some alerts could not be ticketed this time
/// (they are retried on the next run); 1 anything else.
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

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const AFTER_HELP: &str = "\
Exit status: 0 all done; 2 bad usage or config; 3 some alerts could not be ticketed this time \
(they are retried on the next run); 1 anything else.
Every ticket carries the label mcas-<alert id>: find an alert's ticket with JQL `labels = mcas-<id>`.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// One pass over every tenant: fetch new alerts, enrich, create tickets, print what it did.
    Run(RunArgs),
    /// Validate the config, the secrets and each service's credentials, the Jira project, issue type,
    /// fields and priorities, without creating anything.
    Check(CheckArgs),
    /// Write a commented example config.
    Init(InitArgs),
    /// The whole pipeline against built-in fake MCAS, AbuseIPDB and Jira services on loopback, no
    /// accounts needed: two passes, the second showing nothing is ticketed twice.
    Demo(DemoArgs),
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

/// Options of `check`.
#[derive(Debug, Args, Clone, Default)]
pub struct CheckArgs {
    /// Print one JSON object per check on stdout.
    #[arg(long)]
    pub json: bool,
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
}
