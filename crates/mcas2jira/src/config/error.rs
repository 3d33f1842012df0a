//! What can go wrong reading the config, and the warnings a valid config can still deserve.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

/// A config that cannot be used. Each variant names the key at fault (`tenants[1].url`) and, when
/// the key is written in the file, its line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No config file was given and `./mcas2jira.toml` does not exist.
    #[error(
        "no config file: give --config PATH, set MCAS2JIRA_CONFIG, or create {default} (mcas2jira init writes an example)"
    )]
    NotFound {
        /// The default path that was looked for.
        default: PathBuf,
    },
    /// The file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Not valid TOML, an unknown key, a missing key, or a value of the wrong type.
    #[error("{}{message}", syntax_prefix(*.line, *.column, .key.as_deref()))]
    Syntax {
        /// The key at fault, as a dotted path (`jira.auth.tokn_env`), when it could be found.
        key: Option<String>,
        /// 1-based line, when the TOML reader gave a position.
        line: Option<usize>,
        /// 1-based column, when the TOML reader gave a position.
        column: Option<usize>,
        /// What the TOML reader said, on one line.
        message: String,
    },
    /// A value that is well-formed but not acceptable.
    #[error("{key}: {reason}{}", line_suffix(*.line))]
    Invalid {
        /// The key at fault (`tenants[1].url`).
        key: String,
        /// Its 1-based line, when the key is written in the file.
        line: Option<usize>,
        /// Why it is refused.
        reason: String,
    },
    /// A secret that could not be resolved.
    #[error("{key}: {problem}{}", line_suffix(*.line))]
    Secret {
        /// The key at fault (`jira.auth.token_env`).
        key: String,
        /// Its 1-based line, when the key is written in the file.
        line: Option<usize>,
        /// What went wrong.
        problem: SecretProblem,
        /// The I/O error behind a file that could not be read or a command that could not be run.
        #[source]
        source: Option<io::Error>,
    },
    /// Several secrets that could not be resolved, each a [`ConfigError::Secret`]: all of them
    /// are named at once, so that fixing one does not reveal the next.
    #[error("{} secrets cannot be read: {}", .errors.len(), join(.errors))]
    Secrets {
        /// One error per secret, in file order.
        errors: Vec<ConfigError>,
    },
}

fn join(errors: &[ConfigError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

fn syntax_prefix(line: Option<usize>, column: Option<usize>, key: Option<&str>) -> String {
    let mut prefix = String::new();
    if let Some(line) = line {
        prefix.push_str(&format!("line {line}"));
        if let Some(column) = column {
            prefix.push_str(&format!(", column {column}"));
        }
        prefix.push_str(": ");
    }
    if let Some(key) = key {
        prefix.push_str(key);
        prefix.push_str(": ");
    }
    prefix
}

fn line_suffix(line: Option<usize>) -> String {
    line.map(|line| format!(" (line {line})")).unwrap_or_default()
}

impl ConfigError {
    pub(crate) fn invalid(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid { key: key.into(), line: None, reason: reason.into() }
    }

    pub(crate) fn secret(key: impl Into<String>, problem: SecretProblem) -> Self {
        Self::Secret { key: key.into(), line: None, problem, source: None }
    }

    /// The key at fault, as a dotted path, when there is one.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Syntax { key, .. } => key.as_deref(),
            Self::Invalid { key, .. } | Self::Secret { key, .. } => Some(key),
            Self::Secrets { errors } => errors.first().and_then(Self::key),
            Self::NotFound { .. } | Self::Read { .. } => None,
        }
    }

    /// The errors this one stands for: the several of [`ConfigError::Secrets`], else itself.
    #[must_use]
    pub fn each(&self) -> Vec<&ConfigError> {
        match self {
            Self::Secrets { errors } => errors.iter().collect(),
            other => vec![other],
        }
    }

    /// The 1-based line of the key at fault, when known.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Syntax { line, .. } | Self::Invalid { line, .. } | Self::Secret { line, .. } => *line,
            Self::Secrets { errors } => errors.first().and_then(Self::line),
            Self::NotFound { .. } | Self::Read { .. } => None,
        }
    }

    /// Fills in the line of the key once the checked error meets the text it came from.
    pub(crate) fn with_line(mut self, find: impl Fn(&str) -> Option<usize> + Copy) -> Self {
        match &mut self {
            Self::Invalid { key, line, .. } | Self::Secret { key, line, .. } if line.is_none() => {
                *line = find(key);
            }
            Self::Secrets { errors } => {
                *errors = std::mem::take(errors).into_iter().map(|error| error.with_line(find)).collect();
            }
            _ => {}
        }
        self
    }
}

/// Why a secret could not be resolved. Never holds the secret, nor a command's standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretProblem {
    /// None of the ways to give the secret was used.
    Missing {
        /// The keys that could have been given, e.g. `token_env, token_file, token_command or token`.
        expected: String,
    },
    /// More than one way was used.
    Conflict {
        /// The keys given together.
        given: Vec<String>,
    },
    /// The environment variable is not set.
    EnvMissing {
        /// Its name.
        var: String,
    },
    /// The environment variable is set but empty.
    EnvEmpty {
        /// Its name.
        var: String,
    },
    /// The environment variable is not valid UTF-8.
    EnvNotUnicode {
        /// Its name.
        var: String,
    },
    /// The file could not be read (the I/O error is the source).
    FileUnreadable {
        /// The file.
        path: PathBuf,
    },
    /// The file is empty, or holds only a newline.
    FileEmpty {
        /// The file.
        path: PathBuf,
    },
    /// The file is not UTF-8 text.
    FileNotUnicode {
        /// The file.
        path: PathBuf,
    },
    /// `sh` could not be started (the I/O error is the source).
    CommandNotStarted,
    /// The command failed.
    CommandFailed {
        /// How it ended.
        status: ExitStatus,
        /// The first non-empty line of its standard error, cut to 200 characters.
        stderr: String,
    },
    /// The command did not finish (or left its output open) within the time allowed, and was
    /// killed.
    CommandTimedOut {
        /// The time allowed.
        after: std::time::Duration,
    },
    /// The command succeeded but printed nothing.
    CommandEmpty,
    /// The command's output is not UTF-8.
    CommandNotUnicode,
    /// The secret was not read: the command that loaded the config did not need it (`report`
    /// reads only the Jira secret, and only with `--jira`).
    NotRead,
}

impl fmt::Display for SecretProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { expected } => write!(f, "missing secret: give one of {expected}"),
            Self::Conflict { given } => {
                write!(f, "give the secret one way only, not {}", given.join(" and "))
            }
            Self::EnvMissing { var } => write!(f, "environment variable {var} is not set"),
            Self::EnvEmpty { var } => write!(f, "environment variable {var} is empty"),
            Self::EnvNotUnicode { var } => write!(f, "environment variable {var} is not UTF-8"),
            Self::FileUnreadable { path } => write!(f, "cannot read {}", path.display()),
            Self::FileEmpty { path } => write!(f, "{} is empty", path.display()),
            Self::FileNotUnicode { path } => write!(f, "{} is not UTF-8 text", path.display()),
            Self::CommandNotStarted => f.write_str("cannot start sh to run the command"),
            Self::CommandFailed { status, stderr } if stderr.is_empty() => {
                write!(f, "command failed ({status})")
            }
            Self::CommandFailed { status, stderr } => {
                write!(f, "command failed ({status}): {stderr}")
            }
            Self::CommandTimedOut { after } => {
                write!(f, "command did not finish within {after:?}; it was stopped")
            }
            Self::CommandEmpty => f.write_str("command printed nothing"),
            Self::CommandNotUnicode => f.write_str("command output is not UTF-8"),
            Self::NotRead => f.write_str("not read: this command does not need the secret"),
        }
    }
}

/// Something in a usable config that the user should hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A secret is written in the config file itself.
    InlineSecret {
        /// The key (`jira.auth.token`).
        key: String,
    },
    /// The config file holds an inline secret and other users may read it.
    ReadableConfig {
        /// The config file.
        path: PathBuf,
        /// Its permission bits (e.g. `0o644`).
        mode: u32,
    },
    /// A tenant URL pasted with more than the API's base (its path, a portal page): the base is
    /// used.
    TenantUrl {
        /// The key (`tenants[0].url`).
        key: String,
        /// The URL as written.
        given: String,
        /// The base URL used instead.
        used: String,
    },
    /// A secret file other users may read.
    ReadableSecretFile {
        /// The key (`abuseipdb.key_file`).
        key: String,
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InlineSecret { key } => write!(
                f,
                "{key}: secret written in the config file; prefer {key}_env, {key}_file or {key}_command"
            ),
            Self::ReadableConfig { path, mode } => write!(
                f,
                "{} holds a secret and is readable by other users (mode {mode:03o}); chmod 600 it",
                path.display()
            ),
            Self::TenantUrl { key, given, used } => write!(
                f,
                "{key}: using {used}, the base of the API, for {given}; write the base in the config to silence this"
            ),
            Self::ReadableSecretFile { key, path, mode } => write!(
                f,
                "{key}: {} is readable by other users (mode {mode:03o}); chmod 600 it",
                path.display()
            ),
        }
    }
}
