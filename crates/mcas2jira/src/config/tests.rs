use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use alert_mapping::{Severity, SeverityPriorities};
use jira_client::Deployment;
use secrecy::ExposeSecret;

use super::*;

const SECRETS: [(&str, &str); 6] = [
    ("JIRA_API_TOKEN", "jira-token-value"),
    ("ABUSEIPDB_API_KEY", "abuse-key-value"),
    ("MCAS_TOKEN_CONTOSO", "contoso-token-value"),
    ("FABRIKAM_SECRET", "fabrikam-secret-value"),
    ("JIRA_PAT", "jira-pat-value"),
    ("MSSP_APP_SECRET", "mssp-secret-value"),
];

fn env(name: &str) -> Option<OsString> {
    SECRETS.iter().find(|(var, _)| *var == name).map(|(_, value)| OsString::from(value))
}

/// A small valid config; tests append to it or replace parts of it.
const MINIMAL: &str = r#"
[jira]
url = "https://example.atlassian.net"
project = "SEC"
[jira.auth]
user = "secops@example.com"
token_env = "JIRA_API_TOKEN"

[[tenants]]
name = "contoso"
url = "https://contoso.us3.portal.cloudappsecurity.com"
token_env = "MCAS_TOKEN_CONTOSO"
"#;

fn parse(text: &str) -> Result<(Config, Vec<Warning>), ConfigError> {
    Config::parse(text, Path::new("/etc/mcas2jira/mcas2jira.toml"), &env)
}

fn parse_in(dir: &Path, text: &str) -> Result<(Config, Vec<Warning>), ConfigError> {
    Config::parse(text, &dir.join("mcas2jira.toml"), &env)
}

/// The config must be refused with exactly this message.
#[track_caller]
fn check_err(text: &str, expected: &str) {
    match parse(text) {
        Ok(_) => panic!("accepted, expected: {expected}"),
        Err(err) => assert_eq!(err.to_string(), expected),
    }
}

#[test]
fn the_example_parses_with_every_key() {
    let (config, warnings) = parse(EXAMPLE).unwrap();
    assert_eq!(warnings, []);
    assert_eq!(config.file, Path::new("/etc/mcas2jira/mcas2jira.toml"));

    let jira = &config.jira;
    assert_eq!(jira.url.as_str(), "https://example.atlassian.net/");
    assert_eq!(jira.deployment, Deployment::Cloud);
    assert_eq!(jira.project, "SEC");
    assert_eq!(jira.issue_type, "Task");
    assert_eq!(jira.labels, ["mcas"]);
    match &jira.auth {
        JiraAuth::Basic { user, token } => {
            assert_eq!(user, "secops@example.com");
            assert_eq!(token.get().unwrap().expose_secret(), "jira-token-value");
        }
        JiraAuth::Bearer(_) => panic!("expected basic auth"),
    }
    assert_eq!(jira.fields["alert_url"], "customfield_10109");
    assert_eq!(jira.fields["affected_user"], "Affected user");
    assert_eq!(jira.fields.len(), 3);
    assert_eq!(jira.priorities.get(Severity::High), Some("High"));
    assert_eq!(jira.priorities.get(Severity::Informational), Some("Lowest"));

    assert_eq!(config.rules.len(), 3);
    let first = &config.rules.specs()[0];
    assert_eq!(first.name.as_deref(), Some("leaked credentials"));
    assert_eq!(first.conditions.title.as_deref(), Some("(?i)leaked credentials"));
    assert_eq!(first.conditions.user.as_deref(), Some("(?i)@staff\\.example\\.com$"));
    assert_eq!(first.priority.as_deref(), Some("Highest"));
    assert_eq!(first.labels, ["leaked-credentials"]);
    let second = &config.rules.specs()[1];
    assert_eq!(second.conditions.severities, [Severity::Medium.as_str(), Severity::High.as_str()]);
    assert_eq!(second.conditions.min_ip_score, Some(90));
    assert_eq!(second.components, ["SOC"]);
    let third = &config.rules.specs()[2];
    assert_eq!(third.conditions.severities, [Severity::Informational.as_str()]);
    assert_eq!(third.conditions.tenant.as_deref(), Some("^lab$"));
    assert!(third.skip);

    let abuseipdb = config.abuseipdb.as_ref().unwrap();
    assert_eq!(abuseipdb.key.get().unwrap().expose_secret(), "abuse-key-value");
    assert_eq!(abuseipdb.max_age_days, 90);
    assert_eq!(abuseipdb.url.as_str(), "https://api.abuseipdb.com/api/v2/");
    assert_eq!(abuseipdb.cache_ttl, Duration::from_secs(86_400));

    assert_eq!(
        config.fetch,
        FetchConfig {
            first_lookback: Duration::from_secs(7 * 86_400),
            min_severity: Severity::Low,
            only_open: true,
            requests_per_minute: 30,
            pacing_window: Duration::from_secs(62),
            overlap: Duration::from_secs(600),
            page_size: 100,
            reconcile_window: Duration::from_secs(86_400),
            reconcile_every: Duration::from_secs(3_600),
        }
    );
    assert_eq!(config.jira.recheck_after, Duration::from_secs(3_600));
    assert_eq!(config.state.path, Path::new("/etc/mcas2jira/mcas2jira.db"));
    assert_eq!(
        config.pipeline,
        PipelineConfig {
            concurrency: 64,
            jira_concurrency: 10,
            lookup_concurrency: 16,
            create_concurrency: 4,
            bulk_create: true,
            stuck_after: 10
        }
    );

    assert_eq!(config.tenants.len(), 3);
    let tailspin = config.tenant("tailspin").unwrap().graph().unwrap();
    assert_eq!(tailspin.tenant_id, "22222222-2222-2222-2222-222222222222");
    let app = config.graph_app(tailspin).unwrap();
    assert_eq!(app.client_secret.get().unwrap().expose_secret(), "mssp-secret-value");
    assert_eq!(config.graph, GraphConfig::default(), "the example writes the defaults");
    let contoso = config.tenant("contoso").unwrap();
    assert_eq!(contoso.mcas().unwrap().url.as_str(), "https://contoso.us3.portal.cloudappsecurity.com/");
    match &contoso.mcas().unwrap().auth {
        TenantAuth::Token(token) => assert_eq!(token.get().unwrap().expose_secret(), "contoso-token-value"),
        TenantAuth::Entra { .. } => panic!("expected a token"),
    }
    match &config.tenant("fabrikam").unwrap().mcas().unwrap().auth {
        TenantAuth::Entra { tenant_id, client_id, client_secret, authority } => {
            assert_eq!(tenant_id, "00000000-0000-0000-0000-000000000000");
            assert_eq!(client_id, "11111111-1111-1111-1111-111111111111");
            assert_eq!(client_secret.get().unwrap().expose_secret(), "fabrikam-secret-value");
            assert_eq!(authority.as_str(), "https://login.microsoftonline.com/");
        }
        TenantAuth::Token(_) => panic!("expected entra"),
    }
}

#[test]
fn defaults() {
    let (config, warnings) = parse(MINIMAL).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(config.jira.deployment, Deployment::Cloud);
    assert_eq!(config.jira.issue_type, "Task");
    assert!(config.jira.labels.is_empty() && config.jira.fields.is_empty());
    assert_eq!(config.jira.priorities, SeverityPriorities::default());
    assert!(config.rules.is_empty());
    assert!(config.abuseipdb.is_none());
    assert_eq!(config.fetch.first_lookback, Duration::from_secs(7 * 86_400));
    assert_eq!(config.fetch.min_severity, Severity::Informational);
    assert!(config.fetch.only_open);
    assert_eq!(config.fetch.requests_per_minute, 30);
    assert_eq!(config.fetch.overlap, Duration::from_secs(600));
    assert_eq!(config.fetch.page_size, 100);
    assert_eq!(config.state.path, Path::new("/etc/mcas2jira/mcas2jira.db"));
    assert_eq!(config.pipeline.concurrency, 64);
    assert_eq!(config.pipeline.jira_concurrency, 10);
    assert_eq!(config.jira.requests_per_minute, 3_000);
    assert_eq!(config.fetch.pacing_window, Duration::from_secs(62));

    let text = format!(
        "{MINIMAL}[abuseipdb]\nkey_env = \"ABUSEIPDB_API_KEY\"\nurl = \"http://127.0.0.1:9000/api/v2\"\n"
    );
    let abuseipdb = parse(&text).unwrap().0.abuseipdb.unwrap();
    assert_eq!(abuseipdb.max_age_days, 90);
    assert_eq!(abuseipdb.cache_ttl, Duration::from_secs(86_400));
    assert_eq!(abuseipdb.timeout, Duration::from_secs(30));
    // The final slash is added so that endpoints join onto the base.
    assert_eq!(abuseipdb.url.as_str(), "http://127.0.0.1:9000/api/v2/");
}

#[test]
fn a_relative_config_path_resolves_against_the_working_directory() {
    let (config, _) = Config::parse(MINIMAL, Path::new("mcas2jira.toml"), &env).unwrap();
    assert_eq!(config.state.path, Path::new("./mcas2jira.db"));
}

#[test]
fn server_with_a_personal_access_token() {
    let text = MINIMAL
        .replace("https://example.atlassian.net", "https://jira.example.com/jira")
        .replace("user = \"secops@example.com\"\ntoken_env = \"JIRA_API_TOKEN\"", "pat_env = \"JIRA_PAT\"")
        .replace("project = \"SEC\"", "project = \"SEC\"\ndeployment = \"server\"");
    let (config, _) = parse(&text).unwrap();
    assert_eq!(config.jira.deployment, Deployment::Server);
    match &config.jira.auth {
        JiraAuth::Bearer(pat) => assert_eq!(pat.get().unwrap().expose_secret(), "jira-pat-value"),
        JiraAuth::Basic { .. } => panic!("expected a bearer token"),
    }
}

#[test]
fn unknown_keys_are_refused_with_their_path_and_line() {
    check_err(
        &MINIMAL.replace("token_env = \"JIRA_API_TOKEN\"", "tokn_env = \"JIRA_API_TOKEN\""),
        "line 7, column 1: jira.auth.tokn_env: unknown field `tokn_env`, expected one of \
         `user`, `token_env`, `token_file`, `token_command`, `token`, `pat_env`, `pat_file`, \
         `pat_command`, `pat`",
    );
    let err = parse(&format!("{MINIMAL}colour = \"blue\"\n")).unwrap_err();
    assert_eq!(err.line(), Some(13), "{err}");
    assert_eq!(err.key(), Some("tenants[0].colour"), "{err}");
    let err = parse(&format!("{MINIMAL}[fetch]\nlookback = \"1d\"\n")).unwrap_err();
    assert_eq!(err.key(), Some("fetch.lookback"), "{err}");
    assert_eq!(err.line(), Some(14), "{err}");
    let err = parse(&format!("{MINIMAL}[[rules]]\nmatch = {{ titel = \"x\" }}\nskip = true\n")).unwrap_err();
    assert_eq!(err.key(), Some("rules[0].match.titel"), "{err}");
    assert_eq!(err.line(), Some(14), "{err}");
}

#[test]
fn malformed_toml_and_wrong_types_give_the_line() {
    let err = parse(&format!("{MINIMAL}[fetch\n")).unwrap_err();
    assert!(matches!(err, ConfigError::Syntax { line: Some(13), .. }), "{err}");
    let err = parse(&format!("{MINIMAL}[fetch]\nonly_open = \"yes\"\n")).unwrap_err();
    assert_eq!(err.line(), Some(14), "{err}");
    assert!(err.to_string().contains("fetch.only_open"), "{err}");
    let err = parse(&format!("{MINIMAL}[fetch]\nmin_severity = \"critical\"\n")).unwrap_err();
    assert!(err.to_string().contains("unknown variant `critical`"), "{err}");
    let err = parse(&MINIMAL.replace("project = \"SEC\"\n", "")).unwrap_err();
    assert_eq!(err.to_string(), "line 2, column 1: jira: missing field `project`");
}

#[test]
fn http_is_refused_unless_loopback() {
    let text = MINIMAL.replace(
        "https://contoso.us3.portal.cloudappsecurity.com",
        "http://contoso.us3.portal.cloudappsecurity.com",
    );
    check_err(
        &text,
        "tenants[0].url: http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); \
         use https:// (line 11)",
    );
    for loopback in ["http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost:8080"] {
        let text = MINIMAL.replace("https://contoso.us3.portal.cloudappsecurity.com", loopback);
        let (config, _) = parse(&text).unwrap();
        assert_eq!(config.tenants[0].mcas().unwrap().url.scheme(), "http");
    }
    check_err(
        &MINIMAL.replace("https://example.atlassian.net", "http://jira.example.com"),
        "jira.url: http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); \
         use https:// (line 3)",
    );
}

#[test]
fn tenant_names_are_unique_and_non_empty() {
    let second = "\n[[tenants]]\nname = \"Contoso\"\nurl = \"https://b.portal.cloudappsecurity.com\"\ntoken_env = \"MCAS_TOKEN_CONTOSO\"\n";
    check_err(
        &format!("{MINIMAL}{second}"),
        "tenants[1].name: duplicate tenant name \"Contoso\" (also tenants[0]) (line 15)",
    );
    let err = parse(&MINIMAL.replace("name = \"contoso\"", "name = \" \"")).unwrap_err();
    assert_eq!(err.key(), Some("tenants[0].name"));
    check_err(
        &MINIMAL[..MINIMAL.find("[[tenants]]").unwrap()],
        "tenants: no tenant: add at least one [[tenants]] with name, url and a token or entra (or source = \"graph\", tenant_id and app)",
    );
}

#[test]
fn bad_values_name_their_key() {
    let with = |extra: &str| format!("{MINIMAL}{extra}");
    check_err(
        &with("[fetch]\nfirst_lookback = \"7 days\"\n"),
        "fetch.first_lookback: \"7 days\" has a number without a unit (s, m, h, d or w) (line 14)",
    );
    check_err(
        &with("[fetch]\noverlap = \"10y\"\n"),
        "fetch.overlap: \"10y\" has an unknown unit \"y\" (use s, m, h, d or w) (line 14)",
    );
    check_err(
        &with("[fetch]\npage_size = 500\n"),
        "fetch.page_size: 500 is out of range (1 to 100, the most MCAS returns) (line 14)",
    );
    check_err(
        &with("[abuseipdb]\nkey_env = \"ABUSEIPDB_API_KEY\"\nmax_age_days = 400\n"),
        "abuseipdb.max_age_days: 400 is out of range (1 to 365) (line 15)",
    );
    check_err(
        &with("[pipeline]\nconcurrency = 0\n"),
        "pipeline.concurrency: 0 is out of range (1 to 4096) (line 14)",
    );
    check_err(
        &with("[pipeline]\njira_concurrency = 300\n"),
        "pipeline.jira_concurrency: 300 is out of range (1 to 256) (line 14)",
    );
    check_err(
        &with("[fetch]\npacing_window = \"0s\"\n"),
        "fetch.pacing_window: must be longer than 0s (line 14)",
    );
    check_err(
        &MINIMAL.replace("project = \"SEC\"", "project = \"SEC\"\nlabels = [\"two words\"]"),
        "jira.labels[0]: \"two words\" is not a Jira label: a label cannot contain white space (line 5)",
    );
    check_err(
        &MINIMAL.replace("https://example.atlassian.net", "https://jira.example.com"),
        "jira.deployment: required for a site outside atlassian.net: \"cloud\" or \"server\" (line 2)",
    );
}

#[test]
fn rules_are_checked_and_compiled() {
    let with = |rule: &str| format!("{MINIMAL}\n[[rules]]\n{rule}\n");
    check_err(
        &with("match = { title = \"(unclosed\" }\nskip = true"),
        "rules[0].match.title: invalid regex: error: unclosed group (line 15)",
    );
    check_err(
        &with("match = { detector_id = \"[a-\" }\nskip = true"),
        "rules[0].match.detector_id: invalid regex: error: unclosed character class (line 15)",
    );
    check_err(
        &with("match = { severity = \"high\", severities = [\"low\"] }\nskip = true"),
        "rules[0].match.severities: give severity or severities, not both (line 15)",
    );
    check_err(
        &with("match = { min_ip_score = 101 }\nskip = true"),
        "rules[0].match.min_ip_score: 101 is not an AbuseIPDB score (0 to 100) (line 15)",
    );
    check_err(
        &with("match = { title = \"x\" }"),
        "rules[0]: the rule sets nothing: give priority, labels, components, issue_type or skip = true (line 14)",
    );
    check_err(
        &with("skip = true\npriority = \"High\""),
        "rules[0].skip: a rule with skip = true makes no ticket, so it cannot set priority, labels, \
         components or issue_type (line 15)",
    );
    let (config, _) = parse(&with(
        "match = { user_domain = \"@Example.COM\", alert_type = \"^MCAS_ALERT_\", service_source = \"CloudApps$\", \
         detector_id = \"^ImpossibleTravel$\" }\nissue_type = \"Incident\"",
    ))
    .unwrap();
    let rule = &config.rules.specs()[0];
    // The domain, lowercased, as the anchored case-insensitive regex the mapping matches.
    assert_eq!(rule.conditions.user_domain.as_deref(), Some("(?i)^example\\.com$"));
    assert_eq!(rule.conditions.alert_type.as_deref(), Some("^MCAS_ALERT_"));
    assert_eq!(rule.conditions.service_source.as_deref(), Some("CloudApps$"));
    assert_eq!(rule.conditions.detector_id.as_deref(), Some("^ImpossibleTravel$"));
    assert_eq!(rule.issue_type.as_deref(), Some("Incident"));
    assert!(rule.conditions.severities.is_empty());
}

#[test]
fn secret_errors_name_the_key() {
    check_err(
        &MINIMAL.replace("MCAS_TOKEN_CONTOSO", "MCAS_TOKEN_NOPE"),
        "tenants[0].token_env: environment variable MCAS_TOKEN_NOPE is not set (line 12)",
    );
    check_err(
        &MINIMAL.replace(
            "token_env = \"MCAS_TOKEN_CONTOSO\"",
            "token_env = \"MCAS_TOKEN_CONTOSO\"\ntoken_file = \"token\"",
        ),
        "tenants[0]: give the secret one way only, not token_env and token_file (line 9)",
    );
    check_err(
        &MINIMAL.replace(
            "token_env = \"MCAS_TOKEN_CONTOSO\"",
            "token_env = \"MCAS_TOKEN_CONTOSO\"\nentra = { tenant_id = \"t\", client_id = \"c\", client_secret_env = \"FABRIKAM_SECRET\" }",
        ),
        "tenants[0]: give the secret one way only, not token_env and entra (line 9)",
    );
    check_err(
        &MINIMAL.replace("token_env = \"MCAS_TOKEN_CONTOSO\"", ""),
        "tenants[0]: missing secret: give one of token_env, token_file, token_command, token or \
         entra (line 9)",
    );
    check_err(
        &MINIMAL.replace(
            "token_env = \"MCAS_TOKEN_CONTOSO\"",
            "entra = { tenant_id = \"t\", client_id = \"c\" }",
        ),
        "tenants[0].entra: missing secret: give one of client_secret_env, client_secret_file, \
         client_secret_command or client_secret (line 12)",
    );
    check_err(
        &MINIMAL.replace(
            "token_env = \"MCAS_TOKEN_CONTOSO\"",
            "entra = { tenant_id = \"../common\", client_id = \"c\", client_secret_env = \"S\" }",
        ),
        "tenants[0].entra.tenant_id: not a GUID or a domain name (letters, digits, `-` and `.`) (line 12)",
    );
    check_err(
        &MINIMAL.replace("user = \"secops@example.com\"\n", ""),
        "jira.auth.user: missing: token_* goes with the user it belongs to (the account's e-mail \
         on Cloud) (line 5)",
    );
    check_err(
        &MINIMAL.replace(
            "token_env = \"JIRA_API_TOKEN\"",
            "token_env = \"JIRA_API_TOKEN\"\npat_env = \"JIRA_PAT\"",
        ),
        "jira.auth: give the secret one way only, not token_env and pat_env (line 5)",
    );
    check_err(
        &MINIMAL.replace(
            "user = \"secops@example.com\"\ntoken_env = \"JIRA_API_TOKEN\"",
            "pat_env = \"JIRA_PAT\"",
        ),
        "jira.auth: a personal access token (pat_*) needs deployment = \"server\"; Jira Cloud \
         takes user and token_* (line 5)",
    );
}

/// Every secret that cannot be read is named in one error, each with its key and line.
#[test]
fn every_unreadable_secret_is_named_at_once() {
    let text =
        MINIMAL.replace("MCAS_TOKEN_CONTOSO", "MCAS_TOKEN_NOPE").replace("JIRA_API_TOKEN", "JIRA_TOKEN_NOPE")
            + "\n[abuseipdb]\nkey_env = \"ABUSEIPDB_API_KEY\"\n";
    let error = parse(&text).map(|_| ()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "2 secrets cannot be read: jira.auth.token_env: environment variable JIRA_TOKEN_NOPE is not set \
         (line 7); tenants[0].token_env: environment variable MCAS_TOKEN_NOPE is not set (line 12)"
    );
    let each: Vec<Option<&str>> = error.each().iter().map(|e| e.key()).collect();
    assert_eq!(each, [Some("jira.auth.token_env"), Some("tenants[0].token_env")]);
    assert_eq!(error.key(), Some("jira.auth.token_env"));
    assert_eq!(error.line(), Some(7));
}

#[test]
fn a_failing_secret_command_does_not_leak_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace(
        "token_env = \"JIRA_API_TOKEN\"",
        "token_command = \"printf 'hunter2-partial'; echo 'vault: token expired' >&2; exit 2\"",
    );
    let err = parse_in(dir.path(), &text).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert_eq!(
        err.to_string(),
        "jira.auth.token_command: command failed (exit status: 2): vault: token expired (line 7)"
    );
}

#[test]
fn secrets_from_files_and_commands_relative_to_the_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jira-token"), "from-file\n").unwrap();
    let text = MINIMAL
        .replace("token_env = \"JIRA_API_TOKEN\"", "token_file = \"jira-token\"")
        .replace("token_env = \"MCAS_TOKEN_CONTOSO\"", "token_command = \"tr a-z A-Z < jira-token\"");
    let (config, _) = parse_in(dir.path(), &text).unwrap();
    let JiraAuth::Basic { token, .. } = &config.jira.auth else { panic!("expected basic auth") };
    assert_eq!(token.get().unwrap().expose_secret(), "from-file");
    let TenantAuth::Token(token) = &config.tenants[0].mcas().unwrap().auth else {
        panic!("expected a token")
    };
    assert_eq!(token.get().unwrap().expose_secret(), "FROM-FILE");
}

#[test]
fn debug_never_shows_a_secret() {
    let inline = MINIMAL.replace("token_env = \"JIRA_API_TOKEN\"", "token = \"inline-jira-secret\"").replace(
        "token_env = \"MCAS_TOKEN_CONTOSO\"",
        "entra = { tenant_id = \"t\", client_id = \"c\", client_secret = \"inline-entra-secret\" }",
    );
    let text = format!("{inline}\n[abuseipdb]\nkey = \"inline-abuse-secret\"\n");
    let (config, warnings) = parse(&text).unwrap();
    let shown = format!("{config:?} {config:#?} {warnings:?}");
    for secret in ["inline-jira-secret", "inline-entra-secret", "inline-abuse-secret"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    let (config, _) = parse(EXAMPLE).unwrap();
    let shown = format!("{config:?}");
    for (_, secret) in SECRETS {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn inline_secrets_are_warned_about_and_so_is_a_readable_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mcas2jira.toml");
    let text = MINIMAL.replace("token_env = \"JIRA_API_TOKEN\"", "token = \"inline\"");
    std::fs::write(&path, &text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let (_, warnings) = Config::load_with_env(&path, &env).unwrap();
    assert_eq!(warnings[0], Warning::InlineSecret { key: "jira.auth.token".to_owned() });
    assert_eq!(
        warnings[0].to_string(),
        "jira.auth.token: secret written in the config file; prefer jira.auth.token_env, \
         jira.auth.token_file or jira.auth.token_command"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(warnings[1], Warning::ReadableConfig { path: path.clone(), mode: 0o644 });
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let (_, warnings) = Config::load_with_env(&path, &env).unwrap();
        assert_eq!(warnings.len(), 1);
    }
    // Without an inline secret a readable config is fine.
    std::fs::write(&path, MINIMAL).unwrap();
    assert!(Config::load_with_env(&path, &env).unwrap().1.is_empty());
}

#[test]
fn a_missing_file_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.toml");
    let err = Config::load_with_env(&path, &env).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }), "{err}");
    assert_eq!(err.to_string(), format!("cannot read config file {}", path.display()));
}

#[test]
fn config_path_order() {
    let flag = Path::new("/from/flag.toml");
    let from_env = || Some(OsString::from("/from/env.toml"));
    assert_eq!(config_path(Some(flag), from_env()).unwrap(), flag);
    assert_eq!(config_path(None, from_env()).unwrap(), Path::new("/from/env.toml"));
    // The default is relative to the working directory, which tests share; only check that an
    // empty variable does not count as set.
    match config_path(None, Some(OsString::new())) {
        Ok(path) => assert_eq!(path, Path::new(DEFAULT_CONFIG_FILE)),
        Err(err) => assert!(matches!(err, ConfigError::NotFound { .. }), "{err}"),
    }
}

#[test]
fn deployment_takes_jira_clients_names() {
    // The config holds jira-client's own `Deployment`, so it reads the names that type reads.
    for (name, deployment) in
        [("server", Deployment::Server), ("datacenter", Deployment::Server), ("cloud", Deployment::Cloud)]
    {
        let text =
            MINIMAL.replace("project = \"SEC\"", &format!("project = \"SEC\"\ndeployment = \"{name}\""));
        assert_eq!(parse(&text).unwrap().0.jira.deployment, deployment, "{name}");
    }
    let text = MINIMAL.replace("project = \"SEC\"", "project = \"SEC\"\ndeployment = \"jira\"");
    let err = parse(&text).unwrap_err();
    assert!(err.to_string().contains("unknown variant `jira`"), "{err}");
}

#[test]
fn severity_round_trips_and_orders() {
    for severity in [Severity::Informational, Severity::Low, Severity::Medium, Severity::High] {
        assert_eq!(severity.as_str().parse::<Severity>(), Ok(severity));
    }
    assert!(Severity::Informational < Severity::Low && Severity::Medium < Severity::High);
    assert!("critical".parse::<Severity>().is_err());
}

#[test]
fn errors_are_send_sync_static() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<ConfigError>();
    assert_send_sync::<Config>();
}

#[test]
fn sync_defaults_and_the_example() {
    use mcas_client::{BenignReason, FalsePositiveReason};
    let sync = parse(MINIMAL).unwrap().0.sync;
    assert!(!sync.enabled);
    assert_eq!(sync.transition_on_alert_closed, None);
    assert_eq!(sync.close_for("Done"), Some(CloseAs::TruePositive));
    assert_eq!(sync.close_for("won't do"), Some(CloseAs::Benign(BenignReason::Other)));
    assert_eq!(sync.close_for(" Duplicate "), Some(CloseAs::FalsePositive(FalsePositiveReason::Other)));
    assert_eq!(sync.close_for("Cannot Reproduce"), Some(CloseAs::FalsePositive(FalsePositiveReason::Other)));
    assert_eq!(sync.close_for("Fixed"), None);
    // The example spells out the defaults.
    let example = parse(EXAMPLE).unwrap().0.sync;
    assert_eq!(example.resolutions.len(), sync.resolutions.len());
    for (name, close) in &sync.resolutions {
        assert_eq!(example.close_for(name), Some(*close), "{name}");
    }
}

#[test]
fn sync_resolutions_and_reasons() {
    use mcas_client::{BenignReason, FalsePositiveReason};
    let text = format!(
        r#"{MINIMAL}
[sync]
enabled = true
transition_on_alert_closed = "Done"
false_positive_reason = "alert_not_accurate"
[sync.resolutions]
"Fixed" = "true_positive"
"Pen test" = {{ close = "benign", reason = "triggered_by_test" }}
"Noise" = "false_positive"
"Odd" = {{ close = "false_positive", reason = 9 }}
"#
    );
    let sync = parse(&text).unwrap().0.sync;
    assert!(sync.enabled);
    assert_eq!(sync.transition_on_alert_closed.as_deref(), Some("Done"));
    assert_eq!(sync.close_for("fixed"), Some(CloseAs::TruePositive));
    assert_eq!(sync.close_for("Pen test"), Some(CloseAs::Benign(BenignReason::TriggeredByTest)));
    assert_eq!(sync.close_for("Noise"), Some(CloseAs::FalsePositive(FalsePositiveReason::AlertNotAccurate)));
    assert_eq!(sync.close_for("Odd"), Some(CloseAs::FalsePositive(FalsePositiveReason::Code(9))));
    assert_eq!(sync.close_for("Done"), None, "a resolutions table replaces the defaults");
    assert_eq!(CloseAs::Benign(BenignReason::TriggeredByTest).reason().as_deref(), Some("triggered_by_test"));
    assert_eq!(CloseAs::FalsePositive(FalsePositiveReason::Code(9)).reason().as_deref(), Some("9"));
    assert_eq!(CloseAs::TruePositive.reason(), None);
}

#[test]
fn bad_sync_entries_name_their_key() {
    let sync = |body: &str| format!("{MINIMAL}[sync]\n{body}");
    check_err(
        &sync("[sync.resolutions]\nDone = \"closed\"\n"),
        "sync.resolutions.Done: unknown close \"closed\" (use true_positive, benign or false_positive) (line 15)",
    );
    check_err(
        &sync("[sync.resolutions]\n\"Won't Do\" = { close = \"benign\", reason = \"bored\" }\n"),
        "sync.resolutions.\"Won't Do\".reason: unknown benign reason \"bored\" (use actual_severity_lower, other, confirmed_with_end_user, triggered_by_test or a reasonId number) (line 14)",
    );
    check_err(
        &sync("[sync.resolutions]\nDone = { close = \"true_positive\", reason = \"other\" }\n"),
        "sync.resolutions.Done.reason: a true positive is closed without a reason (line 15)",
    );
    check_err(
        &sync("[sync.resolutions]\nDone = { kind = \"benign\" }\n"),
        "sync.resolutions.Done.kind: unknown key (an entry takes close and reason) (line 15)",
    );
    check_err(
        &sync("[sync.resolutions]\nDone = 5\n"),
        "sync.resolutions.Done: expected \"true_positive\", \"benign\", \"false_positive\" or a table { close = .., reason = .. } (line 15)",
    );
    check_err(&sync("benign_reason = -1\n"), "sync.benign_reason: -1 is not a reason id (line 14)");
    check_err(
        &sync("transition_on_alert_closed = \" \"\n"),
        "sync.transition_on_alert_closed: empty (line 14)",
    );
    check_err(
        &sync("[sync.resolutions]\ndone = \"true_positive\"\nDONE = \"benign\"\n"),
        "sync.resolutions.done: the same resolution is named twice (names are compared without case) (line 15)",
    );
    assert!(parse(&sync("enable = true\n")).unwrap_err().to_string().contains("unknown field `enable`"));
}

#[test]
fn transition_resolutions_and_the_report_title() {
    let text = format!(
        "{MINIMAL}\n[sync]\ntransition_on_alert_closed = \"Done\"\ntransition_resolution = \"Won't Do\"\n[report]\ntitle = \" Contoso SOC \"\n"
    );
    let (config, _) = parse(&text).unwrap();
    for kind in ALERT_CLOSE_KINDS {
        assert_eq!(config.sync.resolution_on_alert_closed(kind), Some("Won't Do"), "{kind}");
    }
    assert_eq!(config.report.title.as_deref(), Some("Contoso SOC"));
    let text = format!(
        "{MINIMAL}\n[sync]\ntransition_on_alert_closed = \"Done\"\ntransition_resolution = {{ benign = \"Won't Do\" }}\n"
    );
    let (config, _) = parse(&text).unwrap();
    assert_eq!(config.sync.resolution_on_alert_closed("benign"), Some("Won't Do"));
    assert_eq!(config.sync.resolution_on_alert_closed("true_positive"), None);
    assert_eq!(parse(MINIMAL).unwrap().0.report, ReportConfig::default());

    check_err(
        &format!("{MINIMAL}\n[sync]\ntransition_resolution = \"Done\"\n"),
        "sync.transition_resolution: is set with the transition: give transition_on_alert_closed too (line 15)",
    );
    check_err(
        &format!(
            "{MINIMAL}\n[sync]\ntransition_on_alert_closed = \"Done\"\ntransition_resolution = {{ closed = \"Done\" }}\n"
        ),
        "sync.transition_resolution.closed: unknown kind of close (use true_positive, benign, false_positive or other) (line 16)",
    );
    check_err(&format!("{MINIMAL}\n[report]\ntitle = \"  \"\n"), "report.title: empty (line 15)");
}

#[test]
fn secrets_not_needed_are_checked_but_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
[jira]
url = "https://example.atlassian.net"
project = "SEC"
[jira.auth]
user = "secops@example.com"
token_env = "JIRA_API_TOKEN"

[abuseipdb]
key_command = "touch abuseipdb-ran; echo k"

[[tenants]]
name = "contoso"
url = "https://contoso.us3.portal.cloudappsecurity.com"
token_command = "touch tenant-ran; echo t"

[[tenants]]
name = "fabrikam"
url = "https://fabrikam.eu2.portal.cloudappsecurity.com"
entra = { tenant_id = "t", client_id = "c", client_secret_env = "NOT_SET_ANYWHERE" }
"#;
    let path = dir.path().join("mcas2jira.toml");
    std::fs::write(&path, text).unwrap();
    let (config, _) = Config::load_from(&path, &env, SecretsNeeded::JIRA).unwrap();
    assert!(!dir.path().join("tenant-ran").exists(), "no command of an unneeded secret runs");
    assert!(!dir.path().join("abuseipdb-ran").exists());
    let JiraAuth::Basic { token, .. } = &config.jira.auth else { panic!("expected basic auth") };
    assert_eq!(token.get().unwrap().expose_secret(), "jira-token-value");
    let unread = config.tenants[0].mcas().unwrap().auth.secret();
    assert!(!unread.is_read());
    assert_eq!(
        unread.get().unwrap_err().to_string(),
        "tenants[0].token_command: not read: this command does not need the secret"
    );
    assert_eq!(format!("{unread:?}"), "Secret(tenants[0].token_command: not read)");
    assert!(
        !config.tenants[1].mcas().unwrap().auth.secret().is_read(),
        "an unset variable is no error when unread"
    );

    let (config, _) = Config::load_from(&path, &env, SecretsNeeded::NONE).unwrap();
    let JiraAuth::Basic { token, .. } = &config.jira.auth else { panic!("expected basic auth") };
    assert!(!token.is_read());

    // Read as `run` reads them, the commands run and the missing variable is an error.
    let error = Config::load_from(&path, &env, SecretsNeeded::ALL).unwrap_err();
    assert_eq!(
        error.to_string(),
        "tenants[1].entra.client_secret_env: environment variable NOT_SET_ANYWHERE is not set (line 20)"
    );
    assert!(dir.path().join("tenant-ran").exists());
}

mod graph;
mod graph_sync;
