//! The commands: config loaded and checked, services set up, the work done, the exit status
//! chosen. `main.rs` only calls [`main`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, InitArgs, RunArgs, SyncArgs};
use crate::config::{self, Config, ConfigError, SecretsNeeded};
use crate::events::{EventSink, Printer};
use crate::pipeline::{PassOptions, PassReport, run_pass};
use crate::services::{ConfigProblem, Services};

/// Exit status 0: all done.
pub const EXIT_OK: u8 = 0;
/// Exit status 1: anything else went wrong.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status 2: bad usage or config.
pub const EXIT_USAGE: u8 = 2;
/// Exit status 3: some alerts could not be ticketed this time; they are retried on the next run.
pub const EXIT_PARTIAL: u8 = 3;

/// Parses the command line, runs the command and returns the exit status.
pub fn main() -> ExitCode {
    // clap prints usage errors and exits with status 2 itself.
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code_of(&error))
        }
    }
}

/// Status 2 for errors in the config, 1 for the rest.
pub fn exit_code_of(error: &anyhow::Error) -> u8 {
    let config_error = error.chain().any(|cause| cause.is::<ConfigError>() || cause.is::<ConfigProblem>());
    if config_error { EXIT_USAGE } else { EXIT_FAILURE }
}

fn init_logging(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => {
            "warn,mcas2jira=debug,mcas_client=debug,jira_client=debug,abuseipdb_client=debug,http_support=debug"
        }
        _ => {
            "debug,mcas2jira=trace,mcas_client=trace,jira_client=trace,abuseipdb_client=trace,http_support=trace"
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Logs go to stderr; stdout is for the command's output (human or --json lines).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

async fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Run(args) => {
            let config = load_config(cli.config.as_deref())?;
            run(config, &args).await
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
            let config = load_config(cli.config.as_deref())?;
            crate::watch::run(config, &args).await
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

/// `run`: one pass, printed as it goes; status 3 when some alert could not be ticketed.
///
/// # Errors
/// When the services cannot be set up or another process holds the state store's pass lock.
pub async fn run(mut config: Config, args: &RunArgs) -> Result<u8> {
    let options = pass_options(&config, args)?;
    if options.dry_run && !config.state.path.exists() {
        // A dry run writes no state: before the first real run there is none to read, so it
        // reads an empty store in memory (SQLite's special file name) instead of creating the file.
        config.state.path = PathBuf::from(":memory:");
    }
    let services = Services::connect(config).await?;
    let printer = Printer::new(args.json);
    let report = run_locked(&services, &options, &printer).await?;
    if !args.json {
        print_pass_line(&report, options.dry_run);
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
    let _lock = if options.dry_run {
        None
    } else {
        let store = Arc::clone(&services.store);
        Some(tokio::task::spawn_blocking(move || store.lock_pass()).await.context("lock task failed")??)
    };
    Ok(run_pass(services, options, sink).await)
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

fn print_pass_line(report: &PassReport, dry_run: bool) {
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
    let created = if dry_run {
        format!("{} would be created", report.total(|t| t.would_create))
    } else {
        match report.total(|t| t.degraded) {
            0 => format!("{} created", report.created()),
            n => format!("{} created ({n} without a field Jira refused)", report.created()),
        }
    };
    let mut parts = vec![created, format!("{} already ticketed", report.total(|t| t.already_ticketed))];
    for (n, what) in
        [(report.total(|t| t.late), "late"), (report.total(|t| t.held), "held while Jira refuses the config")]
    {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.push(format!("{} failed", report.failed()));
    let (pending, stuck) = (report.total(|t| t.pending), report.total(|t| t.stuck));
    if pending > 0 {
        let stuck = if stuck > 0 { format!(", {stuck} stuck") } else { String::new() };
        parts.push(format!("{pending} awaiting a retry{stuck}"));
    }
    say!(
        "pass: {}; {} IP look-ups, {} from cache; {:.1}s",
        parts.join(", "),
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
