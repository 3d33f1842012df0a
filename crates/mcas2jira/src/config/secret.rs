//! Secrets: given as `*_env` (an environment variable), `*_file` (a file, relative to the config),
//! `*_command` (run through `sh -c`, its standard output is the secret) or, with a warning, inline.
//!
//! Whatever the source, the value becomes a [`SecretString`] at once, and no error or warning ever
//! holds it. A failing command is reported by its exit status and the first line of its standard
//! error, never by its standard output, which may hold part of a secret.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

use super::error::{ConfigError, SecretProblem, Warning};

/// A secret of the config: read when the config was loaded, or left unread when the command that
/// loaded it does not need it (see [`SecretsNeeded`]), so that no `*_command` runs and no
/// variable or file is required for it.
///
/// `Debug` shows the key it comes from, never the value.
#[derive(Clone)]
pub struct Secret {
    key: String,
    value: Option<SecretString>,
}

impl Secret {
    /// A secret given by the program rather than read from a config file.
    #[must_use]
    pub fn new(key: impl Into<String>, value: SecretString) -> Self {
        Self { key: key.into(), value: Some(value) }
    }

    fn unread(key: String) -> Self {
        Self { key, value: None }
    }

    /// The key it is given by, e.g. `jira.auth.token_env`.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether it was read.
    #[must_use]
    pub fn is_read(&self) -> bool {
        self.value.is_some()
    }

    /// The secret.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Secret`] with [`SecretProblem::NotRead`] when the config was loaded without
    /// reading it.
    pub fn get(&self) -> Result<&SecretString, ConfigError> {
        self.value.as_ref().ok_or_else(|| ConfigError::secret(self.key.clone(), SecretProblem::NotRead))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.value.is_some() { "[REDACTED]" } else { "not read" };
        write!(f, "Secret({}: {state})", self.key)
    }
}

/// Which secrets a load reads. The others are still checked (given exactly one way) but not
/// read: no variable, file or command is needed for them, and no `*_command` of theirs runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretsNeeded {
    /// `[jira.auth]` `token_*` or `pat_*`.
    pub jira: bool,
    /// `[abuseipdb]` `key_*`.
    pub abuseipdb: bool,
    /// Each tenant's `token_*` or `entra.client_secret_*`.
    pub tenants: bool,
}

impl SecretsNeeded {
    /// Every secret: what `run`, `watch`, `sync` and `check` need.
    pub const ALL: Self = Self { jira: true, abuseipdb: true, tenants: true };
    /// None: what `report` needs to read the state store.
    pub const NONE: Self = Self { jira: false, abuseipdb: false, tenants: false };
    /// Only Jira's: what `report --jira` needs.
    pub const JIRA: Self = Self { jira: true, abuseipdb: false, tenants: false };
}

/// An inline secret as read from the file: wrapped at once so that it cannot leak through `Debug`.
pub(crate) struct InlineSecret(pub(crate) SecretString);

impl<'de> Deserialize<'de> for InlineSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Self(SecretString::from(text)))
    }
}

/// The (up to) four keys that can give one secret, as read from the file.
pub(crate) struct SecretKeys {
    /// The table holding the keys, e.g. `jira.auth` or `tenants[0]`; empty for the top level.
    pub(crate) table: String,
    /// The stem of the keys, e.g. `token` for `token_env`, `token_file`, `token_command`, `token`.
    pub(crate) stem: &'static str,
    pub(crate) env: Option<String>,
    pub(crate) file: Option<PathBuf>,
    pub(crate) command: Option<String>,
    pub(crate) inline: Option<InlineSecret>,
}

impl SecretKeys {
    fn key(&self, suffix: &str) -> String {
        format!("{}.{}{suffix}", self.table, self.stem)
    }

    /// Whether any of the keys is given.
    pub(crate) fn is_given(&self) -> bool {
        self.env.is_some() || self.file.is_some() || self.command.is_some() || self.inline.is_some()
    }

    /// The names of the keys that are given, e.g. `["token_env", "token"]`.
    pub(crate) fn given(&self) -> Vec<String> {
        let stem = self.stem;
        [
            self.env.as_ref().map(|_| format!("{stem}_env")),
            self.file.as_ref().map(|_| format!("{stem}_file")),
            self.command.as_ref().map(|_| format!("{stem}_command")),
            self.inline.as_ref().map(|_| stem.to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The sentence listing the ways to give this secret.
    pub(crate) fn expected(&self) -> String {
        let stem = self.stem;
        format!("{stem}_env, {stem}_file, {stem}_command or {stem}")
    }
}

/// Reads environment variables; the process environment in production, a map in tests (setting
/// the real environment needs `unsafe` since the 2024 edition).
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// How long a `*_command` may run before it is stopped: a secret manager that hangs must not
/// hang a cron job or `watch` with it.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// The most a `*_command` may print; a secret is far shorter.
const MAX_COMMAND_OUTPUT: u64 = 1 << 20;

/// Turns [`SecretKeys`] into secrets, collecting warnings on the way.
pub(crate) struct Resolver<'a> {
    /// The directory of the config file: relative `*_file` paths and commands start there.
    pub(crate) base_dir: &'a Path,
    /// Which secrets to read.
    pub(crate) needed: SecretsNeeded,
    pub(crate) env: EnvLookup<'a>,
    pub(crate) warnings: Vec<Warning>,
    /// The secrets that could not be resolved, collected rather than returned at the first, so
    /// that one look at the config (one `check`) names them all.
    pub(crate) failed: Vec<ConfigError>,
    /// How long a `*_command` may run ([`COMMAND_TIMEOUT`]).
    pub(crate) command_timeout: Duration,
}

impl<'a> Resolver<'a> {
    /// A resolver for a config in `base_dir`, with the default command timeout.
    pub(crate) fn new(base_dir: &'a Path, env: EnvLookup<'a>) -> Self {
        Self {
            base_dir,
            needed: SecretsNeeded::ALL,
            env,
            warnings: Vec::new(),
            failed: Vec::new(),
            command_timeout: COMMAND_TIMEOUT,
        }
    }

    /// The secret, `None` when none of its keys is given.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Secret`] when two sources are given or the one given cannot be read.
    pub(crate) fn resolve(&mut self, keys: SecretKeys) -> Result<Option<SecretString>, ConfigError> {
        let given = keys.given();
        if given.len() > 1 {
            // Both keys live in the same table, so the table is what the error points at.
            return Err(ConfigError::secret(keys.table, SecretProblem::Conflict { given }));
        }
        if let Some(var) = &keys.env {
            return self.read_env(&keys.key("_env"), var).map(Some);
        }
        if let Some(path) = &keys.file {
            return self.read_file(&keys.key("_file"), path).map(Some);
        }
        if let Some(command) = &keys.command {
            return self.read_command(&keys.key("_command"), command).map(Some);
        }
        let key = keys.key("");
        Ok(keys.inline.map(|InlineSecret(secret)| {
            self.warnings.push(Warning::InlineSecret { key });
            secret
        }))
    }

    /// Like [`Self::resolve`], but a missing secret is an error.
    pub(crate) fn require(&mut self, keys: SecretKeys) -> Result<SecretString, ConfigError> {
        let table = keys.table.clone();
        let expected = keys.expected();
        self.resolve(keys)?.ok_or_else(|| ConfigError::secret(table, SecretProblem::Missing { expected }))
    }

    /// The secret of `keys`, read when `needed`; otherwise only checked to be given exactly one
    /// way, and left unread (an inline one is kept, and warned about, as it costs nothing).
    ///
    /// A secret that cannot be resolved is recorded in [`Resolver::failed`] and comes back
    /// unread, so that checking goes on and every such secret is named.
    pub(crate) fn secret(&mut self, keys: SecretKeys, needed: bool) -> Secret {
        let fallback = Secret::unread(keys.key(""));
        self.try_secret(keys, needed).unwrap_or_else(|error| {
            self.failed.push(error);
            fallback
        })
    }

    fn try_secret(&mut self, keys: SecretKeys, needed: bool) -> Result<Secret, ConfigError> {
        let given = keys.given();
        let key = match given.as_slice() {
            [one] => format!("{}.{one}", keys.table),
            [] => keys.key(""),
            _ => return Err(ConfigError::secret(keys.table, SecretProblem::Conflict { given })),
        };
        if needed || keys.inline.is_some() {
            return self.require(keys).map(|value| Secret::new(key, value));
        }
        if given.is_empty() {
            let expected = keys.expected();
            return Err(ConfigError::secret(keys.table, SecretProblem::Missing { expected }));
        }
        Ok(Secret::unread(key))
    }

    fn read_env(&self, key: &str, var: &str) -> Result<SecretString, ConfigError> {
        let problem = match (self.env)(var) {
            None => SecretProblem::EnvMissing { var: var.to_owned() },
            Some(value) => match value.into_string() {
                Ok(value) if value.is_empty() => SecretProblem::EnvEmpty { var: var.to_owned() },
                Ok(value) => return Ok(SecretString::from(value)),
                Err(_) => SecretProblem::EnvNotUnicode { var: var.to_owned() },
            },
        };
        Err(ConfigError::secret(key, problem))
    }

    fn read_file(&mut self, key: &str, path: &Path) -> Result<SecretString, ConfigError> {
        let path = self.base_dir.join(path);
        let bytes = std::fs::read(&path).map_err(|err| ConfigError::Secret {
            key: key.to_owned(),
            line: None,
            problem: SecretProblem::FileUnreadable { path: path.clone() },
            source: Some(err),
        })?;
        if let Some(mode) = readable_by_others(&path) {
            self.warnings.push(Warning::ReadableSecretFile { key: key.to_owned(), path: path.clone(), mode });
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| ConfigError::secret(key, SecretProblem::FileNotUnicode { path: path.clone() }))?;
        // Editors add a final newline; a secret never ends with one.
        let secret = text.trim_end_matches(['\n', '\r']);
        if secret.is_empty() {
            return Err(ConfigError::secret(key, SecretProblem::FileEmpty { path }));
        }
        Ok(SecretString::from(secret))
    }

    /// Runs the command with `sh -c` in the config's directory, stdin closed, and takes its
    /// standard output. A command still running (or whose output is still open) after
    /// [`Resolver::command_timeout`] is killed and reported.
    fn read_command(&self, key: &str, command: &str) -> Result<SecretString, ConfigError> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(self.base_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| ConfigError::Secret {
                key: key.to_owned(),
                line: None,
                problem: SecretProblem::CommandNotStarted,
                source: Some(err),
            })?;
        // Both pipes are read at once by threads, so that a command filling one of them while
        // nobody reads it cannot block; they report on channels that can be waited on with a
        // deadline.
        let read = |pipe: Option<Box<dyn Read + Send>>| {
            let (sender, receiver) = mpsc::channel();
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(pipe) = pipe {
                    let _ = pipe.take(MAX_COMMAND_OUTPUT).read_to_end(&mut bytes);
                }
                let _ = sender.send(bytes);
            });
            receiver
        };
        let stdout = read(child.stdout.take().map(|pipe| Box::new(pipe) as Box<dyn Read + Send>));
        let stderr = read(child.stderr.take().map(|pipe| Box::new(pipe) as Box<dyn Read + Send>));

        let deadline = Instant::now() + self.command_timeout;
        let timed_out =
            || ConfigError::secret(key, SecretProblem::CommandTimedOut { after: self.command_timeout });
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                // Still running, or its status cannot be read: stop it.
                Ok(None) | Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(timed_out());
                }
            }
        };
        // A process the command left in the background may hold the output open.
        let left = |now: Instant| deadline.saturating_duration_since(now);
        let stdout = stdout.recv_timeout(left(Instant::now())).map_err(|_| timed_out())?;
        let stderr = stderr.recv_timeout(left(Instant::now())).unwrap_or_default();

        if !status.success() {
            let stderr = String::from_utf8_lossy(&stderr);
            let first_line = stderr
                .lines()
                .map(str::trim)
                .find(|line| !line.is_empty())
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            return Err(ConfigError::secret(
                key,
                SecretProblem::CommandFailed { status, stderr: first_line },
            ));
        }
        let text = String::from_utf8(stdout)
            .map_err(|_| ConfigError::secret(key, SecretProblem::CommandNotUnicode))?;
        let secret = text.trim();
        if secret.is_empty() {
            return Err(ConfigError::secret(key, SecretProblem::CommandEmpty));
        }
        Ok(SecretString::from(secret))
    }
}

/// The permission bits of a file that users other than its owner may read, if it is one.
pub(crate) fn readable_by_others(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o044 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    fn keys(table: &str) -> SecretKeys {
        SecretKeys {
            table: table.to_owned(),
            stem: "token",
            env: None,
            file: None,
            command: None,
            inline: None,
        }
    }

    fn resolve(dir: &Path, env: &HashMap<&str, &str>, keys: SecretKeys) -> Result<String, String> {
        let lookup = |name: &str| env.get(name).map(OsString::from);
        let mut resolver = Resolver::new(dir, &lookup);
        resolver.require(keys).map(|secret| secret.expose_secret().to_owned()).map_err(|err| err.to_string())
    }

    #[test]
    fn read_env() {
        let dir = tempfile::tempdir().unwrap();
        let env = HashMap::from([("T", "s3cret"), ("EMPTY", "")]);
        let with = |var: &str| SecretKeys { env: Some(var.to_owned()), ..keys("jira.auth") };
        assert_eq!(resolve(dir.path(), &env, with("T")).unwrap(), "s3cret");
        assert_eq!(
            resolve(dir.path(), &env, with("NOPE")).unwrap_err(),
            "jira.auth.token_env: environment variable NOPE is not set"
        );
        assert_eq!(
            resolve(dir.path(), &env, with("EMPTY")).unwrap_err(),
            "jira.auth.token_env: environment variable EMPTY is empty"
        );
    }

    #[test]
    fn from_file_relative_to_the_config_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("secrets")).unwrap();
        std::fs::write(dir.path().join("secrets/token"), "abc def\r\n").unwrap();
        std::fs::write(dir.path().join("empty"), "\n").unwrap();
        let env = HashMap::new();
        let with = |path: &str| SecretKeys { file: Some(PathBuf::from(path)), ..keys("tenants[0]") };
        assert_eq!(resolve(dir.path(), &env, with("secrets/token")).unwrap(), "abc def");
        let err = resolve(dir.path(), &env, with("missing")).unwrap_err();
        assert!(err.starts_with("tenants[0].token_file: cannot read "), "{err}");
        let err = resolve(dir.path(), &env, with("empty")).unwrap_err();
        assert!(err.ends_with("empty is empty"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_file_readable_by_others_is_warned_about() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "abc").unwrap();
        let lookup = |_: &str| None;
        for (mode, warned) in [(0o644, true), (0o600, false)] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let mut resolver = Resolver::new(dir.path(), &lookup);
            let keys = SecretKeys { file: Some(path.clone()), ..keys("abuseipdb") };
            resolver.require(keys).unwrap();
            assert_eq!(resolver.warnings.len(), usize::from(warned), "{mode:o}");
        }
    }

    #[test]
    fn from_command_runs_in_the_config_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vault"), "from-vault\n").unwrap();
        let env = HashMap::new();
        let with = |command: &str| SecretKeys { command: Some(command.to_owned()), ..keys("jira.auth") };
        assert_eq!(resolve(dir.path(), &env, with("cat vault")).unwrap(), "from-vault");
        assert_eq!(resolve(dir.path(), &env, with("  printf '  padded \\n'  ")).unwrap(), "padded");
        assert_eq!(
            resolve(dir.path(), &env, with("true")).unwrap_err(),
            "jira.auth.token_command: command printed nothing"
        );
    }

    #[test]
    fn a_failing_command_reports_status_and_stderr_but_never_stdout() {
        let dir = tempfile::tempdir().unwrap();
        let env = HashMap::new();
        let keys = SecretKeys {
            command: Some(
                "echo half-a-secret; echo; echo 'vault: permission denied' >&2; echo more >&2; exit 3"
                    .to_owned(),
            ),
            ..keys("jira.auth")
        };
        let err = resolve(dir.path(), &env, keys).unwrap_err();
        assert_eq!(err, "jira.auth.token_command: command failed (exit status: 3): vault: permission denied");
        assert!(!err.contains("half-a-secret"));
    }

    #[test]
    fn a_command_that_hangs_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let lookup = |_: &str| None;
        let keys = |command: &str| SecretKeys { command: Some(command.to_owned()), ..keys("jira.auth") };
        for command in [
            // Never ends.
            "echo early-part; exec sleep 30",
            // Ends, but leaves a process holding its output open.
            "(sleep 30; echo late) & echo early-part",
        ] {
            let mut resolver = Resolver::new(dir.path(), &lookup);
            resolver.command_timeout = Duration::from_millis(300);
            let err = resolver.require(keys(command)).expect_err("an error").to_string();
            assert_eq!(
                err, "jira.auth.token_command: command did not finish within 300ms; it was stopped",
                "{command}"
            );
            assert!(!err.contains("early-part"));
        }
        // A quick command is not affected by a short timeout.
        let mut resolver = Resolver::new(dir.path(), &lookup);
        resolver.command_timeout = Duration::from_secs(5);
        assert_eq!(resolver.require(keys("echo quick")).unwrap().expose_secret(), "quick");
    }

    #[test]
    fn inline_is_accepted_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let lookup = |_: &str| None;
        let mut resolver = Resolver::new(dir.path(), &lookup);
        let keys = SecretKeys {
            inline: Some(InlineSecret(SecretString::from("inline-secret"))),
            ..keys("jira.auth")
        };
        let secret = resolver.require(keys).unwrap();
        assert_eq!(secret.expose_secret(), "inline-secret");
        assert_eq!(resolver.warnings, [Warning::InlineSecret { key: "jira.auth.token".to_owned() }]);
        assert!(!resolver.warnings[0].to_string().contains("inline-secret"));
    }

    #[test]
    fn exactly_one_source() {
        let dir = tempfile::tempdir().unwrap();
        let env = HashMap::from([("T", "x")]);
        let both = SecretKeys {
            env: Some("T".to_owned()),
            inline: Some(InlineSecret(SecretString::from("y"))),
            ..keys("tenants[2]")
        };
        assert_eq!(
            resolve(dir.path(), &env, both).unwrap_err(),
            "tenants[2]: give the secret one way only, not token_env and token"
        );
        assert_eq!(
            resolve(dir.path(), &env, keys("tenants[2]")).unwrap_err(),
            "tenants[2]: missing secret: give one of token_env, token_file, token_command or token"
        );
    }
}
