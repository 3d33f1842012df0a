//! The commands: config loaded and checked, services set up, the work done, the exit status
//! chosen. `main.rs` only calls [`main`].

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, InitArgs, LogFormat, RunArgs, SyncArgs};
use crate::config::{self, Config, ConfigError, SecretsNeeded};
use crate::events::{EventSink, PassSummary, Printer};
use crate::pipeline::{PassOptions, PassReport, run_pass_until};
use crate::services::{ConfigProblem, Services};
use crate::shutdown::Shutdown;

/// Exit status 0: all done.
pub const EXIT_OK: u8 = 0;
/// Exit status 1: anything else went wrong.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status 2: bad usage or config.
pub const EXIT_USAGE: u8 = 2;
/// Exit status 3: some alerts could not be ticketed this time; they are retried on the next run.
pub const EXIT_PARTIAL: u8 = 3;

/// How long the exit waits for state writes still running on the blocking pool (they take
/// milliseconds; a database locked by another program could hold one for its busy timeout).
const EXIT_WAIT: Duration = Duration::from_secs(15);

/// Parses the command line, runs the command and returns the exit status.
pub fn main() -> ExitCode {
    // clap prints usage errors and exits with status 2 itself.
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet, cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let code = match runtime.block_on(dispatch(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code_of(&error))
        }
    };
    // A state write already started (on the blocking pool) is finished before the process ends,
    // even when its pass was dropped on a signal: what was recorded is never half lost.
    runtime.shutdown_timeout(EXIT_WAIT);
    code
}

/// Status 2 for errors in the config, and for a state file the operator has to fix (a directory
/// missing, permission denied, read-only, locked by another program); 1 for the rest.
pub fn exit_code_of(error: &anyhow::Error) -> u8 {
    let config_error = error.chain().any(|cause| {
        cause.is::<ConfigError>()
            || cause.is::<ConfigProblem>()
            || cause
                .downcast_ref::<crate::state::StateError>()
                .is_some_and(crate::state::StateError::is_setup_problem)
    });
    if config_error { EXIT_USAGE } else { EXIT_FAILURE }
}

fn init_logging(verbose: u8, quiet: bool, format: LogFormat) {
    // mcas2jira's own information (the audit trail of `watch`, a signal acknowledged) is shown by
    // default; the libraries speak up only when something is wrong.
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn,mcas2jira=info",
        (false, 1) => {
            "warn,mcas2jira=debug,mcas_client=debug,jira_client=debug,abuseipdb_client=debug,http_support=debug"
        }
        _ => {
            "debug,mcas2jira=trace,mcas_client=trace,jira_client=trace,abuseipdb_client=trace,http_support=trace"
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Logs go to stderr; stdout is for the command's output (human or --json lines).
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_target(false)
            .with_ansi(colour(
                std::env::var_os("NO_COLOR"),
                std::env::var_os("CLICOLOR_FORCE"),
                std::env::var_os("CLICOLOR"),
                std::env::var_os("TERM"),
                std::io::stderr().is_terminal(),
            ))
            .try_init(),
        // Each record one object, its fields at the top level beside the message and the target
        // (`mcas2jira::audit` for the audit trail), ready for a collector.
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
    };
}

/// Whether the logs on stderr are coloured: never with `NO_COLOR` (not empty), always with
/// `CLICOLOR_FORCE` (not `0`), never with `CLICOLOR=0` or a dumb terminal, else only when stderr
/// is a terminal, so that files and the journal get no escape codes. (The conventions of
/// no-color.org and bixense.com/clicolors, where `NO_COLOR` wins.)
fn colour(
    no_color: Option<OsString>,
    clicolor_force: Option<OsString>,
    clicolor: Option<OsString>,
    term: Option<OsString>,
    is_terminal: bool,
) -> bool {
    let set = |value: &Option<OsString>| value.as_ref().is_some_and(|v| !v.is_empty() && v != "0");
    if no_color.as_ref().is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if set(&clicolor_force) {
        return true;
    }
    if clicolor.as_ref().is_some_and(|v| v == "0") || term.as_ref().is_some_and(|t| t == "dumb") {
        return false;
    }
    is_terminal
}

async fn dispatch(cli: Cli) -> Result<u8> {
    // One stop signal for the whole process: every tenant task of `run` and `watch` watches it.
    let stop = Shutdown::new();
    match cli.command {
        Command::Run(args) => {
            // Handled before the config is read, whose secret commands may take a while: a
            // signal from then on is acknowledged and ends the command with status 0.
            stop.on_signals().context("cannot handle SIGINT and SIGTERM")?;
            let config = load_config(cli.config.as_deref())?;
            run(config, &args, &stop).await
        }
        Command::Check(args) => {
            let path = config::config_path(cli.config.as_deref(), std::env::var_os(config::CONFIG_ENV))?;
            crate::check::check(&path, &args).await
        }
        Command::Init(args) => init(cli.config.as_deref(), &args),
        #[cfg(feature = "demo")]
        Command::Demo(args) => crate::demo::demo(&args).await,
        #[cfg(not(feature = "demo"))]
        Command::Demo(_) => {
            eprintln!(
                "error: this mcas2jira was built without its `demo` feature (`--no-default-features`); \
                 `cargo install mcas2jira`, with the default features, has it"
            );
            Ok(EXIT_USAGE)
        }
        Command::Watch(args) => {
            // Handled before the config is read, whose secret commands may take a while: a
            // signal from then on is acknowledged and ends the command with status 0.
            stop.on_signals().context("cannot handle SIGINT and SIGTERM")?;
            let config = load_config(cli.config.as_deref())?;
            crate::watch::run(config, &args, &stop).await
        }
        Command::Report(args) => {
            // A report reads the state store: no secret, except Jira's for `--jira`.
            let needed = if args.jira { SecretsNeeded::JIRA } else { SecretsNeeded::NONE };
            let config = load_config_needing(cli.config.as_deref(), needed)?;
            crate::report::run(&config, &args).await
        }
        Command::Sync(args) => {
            let config = load_config(cli.config.as_deref())?;
            sync(config, &args).await
        }
    }
}

/// Finds and loads the config, logging its warnings.
///
/// # Errors
/// The config's own error, with the file named.
pub fn load_config(flag: Option<&Path>) -> Result<Config> {
    load_config_needing(flag, SecretsNeeded::ALL)
}

/// [`load_config`], reading only the secrets `needed`.
///
/// # Errors
/// The config's own error, with the file named.
pub fn load_config_needing(flag: Option<&Path>, needed: SecretsNeeded) -> Result<Config> {
    let path = config::config_path(flag, std::env::var_os(config::CONFIG_ENV))?;
    let (config, warnings) =
        Config::load_needing(&path, needed).with_context(|| format!("config {}", path.display()))?;
    for warning in warnings {
        tracing::warn!("config {}: {warning}", path.display());
    }
    Ok(config)
}

/// `run`: one pass, printed as it goes, then its summary (the human line, or with `--json` a
/// `pass_summary` object); status 3 when some alert could not be ticketed or some tenant could not
/// be read. A signal (`stop`) ends it within seconds; what it left is done by the next run.
///
/// # Errors
/// When the services cannot be set up or another process holds the state store's pass lock.
pub async fn run(mut config: Config, args: &RunArgs, stop: &Shutdown) -> Result<u8> {
    let options = pass_options(&config, args)?;
    if options.dry_run && !config.state.path.exists() {
        // A dry run writes no state: before the first real run there is none to read, so it
        // reads an empty store in memory (SQLite's special file name) instead of creating the file.
        config.state.path = PathBuf::from(":memory:");
    }
    let started = std::time::Instant::now();
    let printer = Printer::new(args.json);
    // Connecting reads Jira's field list: a signal does not wait for it either (a `Retry-After`
    // of a minute, say). Nothing was read yet, so nothing is left for the next run but the pass.
    let connected = tokio::select! {
        services = Services::connect(config) => Some(services?),
        () = stop.abandoned() => None,
    };
    let report = match &connected {
        Some(services) => run_locked_until(services, &options, &printer, stop).await?,
        None => PassReport {
            elapsed: started.elapsed(),
            stopped_by: stop.requested_by(),
            ..PassReport::default()
        },
    };
    let mut summary = PassSummary::of(1, &report.tenants, report.elapsed);
    summary.stopped_by = report.stopped_by.map(str::to_owned);
    if args.json {
        crate::events::print_event(true, &summary, |_| String::new());
    } else {
        print_pass_line(&summary, &report, options.dry_run);
    }
    Ok(pass_status(&report))
}

/// The exit status of a pass: 2 when Jira refuses the config (its alerts wait for the fix), else
/// 3 when some alert could not be ticketed or is stuck, else 0.
#[must_use]
pub fn pass_status(report: &PassReport) -> u8 {
    if !report.config_problems.is_empty() {
        EXIT_USAGE
    } else if report.has_failures() {
        EXIT_PARTIAL
    } else {
        EXIT_OK
    }
}

/// Runs one pass under the state store's pass lock (a dry run, which writes nothing, takes none).
///
/// # Errors
/// When another process holds the lock.
pub async fn run_locked(
    services: &Services,
    options: &PassOptions,
    sink: &dyn EventSink,
) -> Result<PassReport> {
    run_locked_until(services, options, sink, &Shutdown::new()).await
}

/// [`run_locked`] that stops when `stop` says (see [`crate::shutdown`]).
///
/// # Errors
/// When another process holds the lock.
pub async fn run_locked_until(
    services: &Services,
    options: &PassOptions,
    sink: &dyn EventSink,
    stop: &Shutdown,
) -> Result<PassReport> {
    let _lock = if options.dry_run {
        None
    } else {
        let store = Arc::clone(&services.store);
        Some(tokio::task::spawn_blocking(move || store.lock_pass()).await.context("lock task failed")??)
    };
    Ok(run_pass_until(services, options, sink, stop).await)
}

/// The pass options of `run`'s flags, checked against the config.
///
/// # Errors
/// An unknown `--tenant` or a bad `--since` (exit status 2).
pub fn pass_options(config: &Config, args: &RunArgs) -> Result<PassOptions> {
    for name in &args.tenant {
        if !config.tenants.iter().any(|t| t.name.eq_ignore_ascii_case(name)) {
            let known: Vec<&str> = config.tenants.iter().map(|t| t.name.as_str()).collect();
            return Err(ConfigProblem {
                key: "--tenant".into(),
                reason: format!("no tenant named {name:?} (known: {})", known.join(", ")),
            }
            .into());
        }
    }
    let since = duration_flag("--since", args.since.as_deref())?;
    Ok(PassOptions { dry_run: args.dry_run, tenants: args.tenant.clone(), since })
}

/// A duration flag (`--since 24h`), checked: a bad one is a usage error naming the flag.
fn duration_flag(key: &str, value: Option<&str>) -> Result<Option<std::time::Duration>, ConfigProblem> {
    value
        .map(config::parse_duration)
        .transpose()
        .map_err(|e| ConfigProblem { key: key.into(), reason: e.to_string() })
}

/// `pass: 3 created, 0 already ticketed, 0 skipped, 1 failed of 14 seen, 1 tenant failed; 5 IP
/// look-ups, 2 from cache; 1.2s`: what the exit status says, in figures.
fn print_pass_line(summary: &PassSummary, report: &PassReport, dry_run: bool) {
    if !report.config_problems.is_empty() && report.tenants.is_empty() {
        say!(
            "pass: stopped before any alert: Jira would refuse the config ({} problem(s) above); fix it, \
             `mcas2jira check` tells when it is right; {:.1}s",
            report.config_problems.len(),
            report.elapsed.as_secs_f64()
        );
        return;
    }
    let e = report.enrichment;
    let stopped = summary
        .stopped_by
        .as_ref()
        .map(|signal| format!(" (stopped by {signal}: the next run goes on from here)"))
        .unwrap_or_default();
    say!(
        "pass{stopped}: {}; {} IP look-ups, {} from cache; {:.1}s",
        summary.figures(dry_run),
        e.lookups,
        e.cache_hits,
        report.elapsed.as_secs_f64()
    );
}

/// `sync`: the two-way sync under the sync lock (none for a dry run); status 3 when something
/// could not be mirrored this time.
///
/// # Errors
/// An unknown `--tenant` (status 2); when the services cannot be set up or another process holds
/// the state store's pass lock.
pub async fn sync(config: Config, args: &SyncArgs) -> Result<u8> {
    let run_args = RunArgs { tenant: args.tenant.clone(), ..RunArgs::default() };
    // The same `--tenant` check as `run`.
    let tenants = pass_options(&config, &run_args)?.tenants;
    let budget = duration_flag("--max-time", args.max_time.as_deref())?;
    let options = crate::sync::SyncOptions { dry_run: args.dry_run, tenants, budget, ..Default::default() };
    let services = Services::connect(config).await?;
    // The sync lock, not the pass lock: passes go on while the sync works through a backlog.
    let _lock = if options.dry_run {
        None
    } else {
        let store = Arc::clone(&services.store);
        Some(tokio::task::spawn_blocking(move || store.lock_sync()).await.context("lock task failed")??)
    };
    let printer = crate::sync::SyncPrinter::new(args.json);
    let report = crate::sync::run_sync(&services, &options, &printer).await;
    if !args.json {
        let (closed, commented) = if options.dry_run {
            (
                format!("{} alerts would be closed", report.total(|t| t.would_close)),
                format!("{} tickets would be commented", report.total(|t| t.would_comment)),
            )
        } else {
            (
                format!("{} alerts closed", report.total(|t| t.alerts_closed)),
                format!("{} tickets commented", report.total(|t| t.tickets_commented)),
            )
        };
        let deferred = report.total(|t| t.deferred);
        let deferred = if deferred > 0 {
            format!(", {deferred} left for the next sync (--max-time reached)")
        } else {
            String::new()
        };
        println!(
            "sync: {closed}, {commented}, {} unmapped resolutions, {} failed{deferred}; {:.1}s",
            report.total(|t| t.unmapped),
            report.total(|t| t.failed + u64::from(t.tenant_failed)),
            report.elapsed.as_secs_f64()
        );
    }
    Ok(if report.has_failures() { EXIT_PARTIAL } else { EXIT_OK })
}

/// `init`: writes the commented example config.
fn init(config_flag: Option<&Path>, args: &InitArgs) -> Result<u8> {
    let path: PathBuf = args
        .path
        .clone()
        .or_else(|| config_flag.map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from(config::DEFAULT_CONFIG_FILE));
    if path.exists() && !args.force {
        eprintln!("error: {} exists already; use --force to overwrite it", path.display());
        return Ok(EXIT_USAGE);
    }
    std::fs::write(&path, config::EXAMPLE).with_context(|| format!("cannot write {}", path.display()))?;
    say!("wrote {}: edit it, then run `mcas2jira check --config {}`", path.display(), path.display());
    Ok(EXIT_OK)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_unless_told() {
        let os = |s: &str| Some(OsString::from(s));
        assert!(colour(None, None, None, None, true));
        assert!(!colour(None, None, None, None, false), "a file or the journal gets no colour");
        assert!(!colour(os("1"), None, None, None, true), "NO_COLOR");
        assert!(colour(os(""), None, None, None, true), "an empty NO_COLOR is unset");
        assert!(colour(None, os("1"), None, None, false), "CLICOLOR_FORCE");
        assert!(!colour(None, os("0"), None, None, false), "CLICOLOR_FORCE=0 forces nothing");
        assert!(!colour(os("1"), os("1"), None, None, true), "NO_COLOR wins");
        assert!(!colour(None, None, os("0"), None, true), "CLICOLOR=0");
        assert!(!colour(None, None, None, os("dumb"), true), "a dumb terminal");
    }
}
