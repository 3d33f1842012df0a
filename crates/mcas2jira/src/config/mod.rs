//! The config file: found, read, checked, and turned into ready-to-use values.
//!
//! Reading goes in two steps, like ripgrep's low-level then high-level arguments: the TOML is
//! deserialized into raw types that reject unknown keys (`raw.rs`), then checked into [`Config`]
//! (`check.rs`): URLs parsed and held to `https://` (plain `http://` only to loopback hosts, by
//! the check the clients make), durations parsed, names and ranges checked, and every secret
//! resolved from its `*_env`, `*_file` or `*_command` key (or, with a [`Warning`], written
//! inline). [`Config`] holds the libraries' own types, not copies of them: the Jira deployment
//! and labels of `jira-client`, the severity and priorities of `alert-mapping`, and the rules
//! compiled into `alert_mapping::Rules` here, once.
//!
//! The keys are the contract of DESIGN.md; these extensions are also accepted: `[[rules]] name`,
//! `[jira] requests_per_minute`, `[abuseipdb] cache_ttl`, `timeout` and `requests_per_minute`,
//! `[fetch] pacing_window`, `overlap` and `page_size`, `[pipeline]` (concurrency, the in-flight
//! limits, bulk creates), `[sync]` (the two-way sync), `[report] title` and `[watch]` (the metrics
//! listener and health of `watch`). [`EXAMPLE`] explains every key.
//!
//! Errors name the key and, when the key is in the file, its line:
//! `tenants[1].url: http:// is only allowed for loopback hosts (...) (line 30)`.

mod check;
mod duration;
mod error;
mod graph;
mod graph_sync;
mod locate;
mod model;
mod raw;
mod secret;
mod tenant_url;
mod watch;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use duration::{DurationError, format_duration, parse_duration};
pub use error::{ConfigError, SecretProblem, Warning};
pub use graph::{EntraAppConfig, GraphApp, GraphConfig, GraphTenantConfig};
pub use graph_sync::GraphResolve;
pub use model::{
    ALERT_CLOSE_KINDS, AbuseIpdbConfig, CloseAs, Config, FetchConfig, JIRA_REQUESTS_PER_MINUTE, JiraAuth,
    JiraConfig, McasTenantConfig, PipelineConfig, ReportConfig, StateConfig, SyncConfig, TenantAuth,
    TenantConfig, TenantSource,
};
pub use secret::{EnvLookup, Secret, SecretsNeeded};
pub use watch::{WatchConfig, listen_addr};

use locate::Document;
use raw::RawConfig;
use secret::{Resolver, readable_by_others};

/// The environment variable naming the config file when `--config` is not given.
pub const CONFIG_ENV: &str = "MCAS2JIRA_CONFIG";

/// The config file used when neither `--config` nor [`CONFIG_ENV`] is given.
pub const DEFAULT_CONFIG_FILE: &str = "mcas2jira.toml";

/// A fully commented example config, written by `mcas2jira init`.
pub const EXAMPLE: &str = include_str!("example.toml");

/// The config file to read: the `--config` flag, else the [`CONFIG_ENV`] variable (pass its value,
/// `std::env::var_os(CONFIG_ENV)`), else [`DEFAULT_CONFIG_FILE`] in the working directory if it
/// exists.
///
/// # Errors
///
/// [`ConfigError::NotFound`] when neither is given and the default file does not exist.
///
/// # Examples
///
/// ```no_run
/// use mcas2jira::config::{config_path, CONFIG_ENV};
///
/// let path = config_path(None, std::env::var_os(CONFIG_ENV))?;
/// # Ok::<(), mcas2jira::config::ConfigError>(())
/// ```
pub fn config_path(flag: Option<&Path>, env_value: Option<OsString>) -> Result<PathBuf, ConfigError> {
    if let Some(path) = flag {
        return Ok(path.to_owned());
    }
    if let Some(value) = env_value.filter(|value| !value.is_empty()) {
        return Ok(PathBuf::from(value));
    }
    let default = PathBuf::from(DEFAULT_CONFIG_FILE);
    if default.is_file() { Ok(default) } else { Err(ConfigError::NotFound { default }) }
}

impl Config {
    /// Reads and checks the config file, resolving secrets from the process environment, files
    /// and commands. Returns the warnings a usable config still deserves (inline secrets, files
    /// other users can read); the caller shows them.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the key at fault (and its line) when the file cannot be read, is not
    /// valid TOML, has an unknown key, a bad value, or a secret that cannot be resolved.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use mcas2jira::config::Config;
    ///
    /// let (config, warnings) = Config::load("mcas2jira.toml".as_ref())?;
    /// for warning in &warnings {
    ///     eprintln!("warning: {warning}");
    /// }
    /// println!("{} tenants", config.tenants.len());
    /// # Ok::<(), mcas2jira::config::ConfigError>(())
    /// ```
    pub fn load(path: &Path) -> Result<(Self, Vec<Warning>), ConfigError> {
        Self::load_needing(path, SecretsNeeded::ALL)
    }

    /// [`Config::load`], reading only the secrets `needed`: the others are checked to be given
    /// (one way) but not read, so that no `*_command` of theirs runs and their variables or files
    /// need not exist. `report` loads the config this way.
    ///
    /// # Errors
    ///
    /// As [`Config::load`], for the secrets read.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use mcas2jira::config::{Config, SecretsNeeded};
    ///
    /// let (config, _warnings) = Config::load_needing("mcas2jira.toml".as_ref(), SecretsNeeded::JIRA)?;
    /// assert!(config.tenants.iter().filter_map(|t| config.tenant_secret(t)).all(|s| !s.is_read()));
    /// # Ok::<(), mcas2jira::config::ConfigError>(())
    /// ```
    pub fn load_needing(path: &Path, needed: SecretsNeeded) -> Result<(Self, Vec<Warning>), ConfigError> {
        Self::load_from(path, &|name| std::env::var_os(name), needed)
    }

    /// [`Config::load`] with environment variables read through `env` rather than from the
    /// process (for tests, and for callers that hold their own environment).
    ///
    /// # Errors
    ///
    /// As [`Config::load`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use mcas2jira::config::Config;
    ///
    /// let env = |name: &str| (name == "JIRA_API_TOKEN").then(|| "t0ken".into());
    /// let (config, _warnings) = Config::load_with_env("mcas2jira.toml".as_ref(), &env)?;
    /// # Ok::<(), mcas2jira::config::ConfigError>(())
    /// ```
    pub fn load_with_env(path: &Path, env: EnvLookup<'_>) -> Result<(Self, Vec<Warning>), ConfigError> {
        Self::load_from(path, env, SecretsNeeded::ALL)
    }

    fn load_from(
        path: &Path,
        env: EnvLookup<'_>,
        needed: SecretsNeeded,
    ) -> Result<(Self, Vec<Warning>), ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        let (config, mut warnings) = Self::parse_needing(&text, path, env, needed)?;
        let has_inline_secret =
            warnings.iter().any(|warning| matches!(warning, Warning::InlineSecret { .. }));
        if has_inline_secret && let Some(mode) = readable_by_others(path) {
            warnings.push(Warning::ReadableConfig { path: path.to_owned(), mode });
        }
        Ok((config, warnings))
    }

    /// Checks config text as if read from `path` (relative paths in it start at `path`'s
    /// directory; commands run there). Does not look at `path` itself.
    ///
    /// # Errors
    ///
    /// As [`Config::load`], except for reading the file.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use mcas2jira::config::{Config, EXAMPLE};
    ///
    /// // Commands in the text run; files it names are read.
    /// let (config, _warnings) =
    ///     Config::parse(EXAMPLE, "/etc/mcas2jira.toml".as_ref(), &|name| std::env::var_os(name))?;
    /// # Ok::<(), mcas2jira::config::ConfigError>(())
    /// ```
    pub fn parse(text: &str, path: &Path, env: EnvLookup<'_>) -> Result<(Self, Vec<Warning>), ConfigError> {
        Self::parse_needing(text, path, env, SecretsNeeded::ALL)
    }

    fn parse_needing(
        text: &str,
        path: &Path,
        env: EnvLookup<'_>,
        needed: SecretsNeeded,
    ) -> Result<(Self, Vec<Warning>), ConfigError> {
        let document = Document::new(text);
        let raw: RawConfig = toml::from_str(text).map_err(|err| syntax_error(&document, &err))?;
        let base_dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut resolver = Resolver::new(base_dir, env);
        resolver.needed = needed;
        let config = check::check(raw, path, &mut resolver)
            .map_err(|err| err.with_line(|key| document.line_of(key)))?;
        Ok((config, resolver.warnings))
    }
}

fn syntax_error(document: &Document<'_>, err: &toml::de::Error) -> ConfigError {
    let position = err.span().map(|span| {
        let (line, column) = document.line_column(span.start);
        (line, column, document.key_at(span.start))
    });
    let message =
        err.message().lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("; ");
    let (line, column, key) = match position {
        Some((line, column, key)) => (Some(line), Some(column), key),
        None => (None, None, None),
    };
    ConfigError::Syntax { key, line, column, message }
}

#[cfg(test)]
mod tests;
