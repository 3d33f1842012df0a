//! Fakes to run the binary against by hand, as an operator would: `--serve SECONDS` starts the
//! scenario's fakes, writes a config whose secrets come from environment variables (and the file
//! of `NAME=value` lines that sets them) into the work directory, and serves until the time is up.
//!
//! ```text
//! target/release/deps/pipeline-<hash> --serve 600 --tenants 1000 --alerts 8000 --unique-ips 8 \
//!     --ip-stride 4 --work-dir /tmp/op &
//! (ulimit -n 1024; set -a; . /tmp/op/secrets.env; set +a;
//!  target/release/mcas2jira run --config /tmp/op/mcas2jira.toml >/tmp/op/run1.out 2>/tmp/op/run1.err)
//! ```

use std::path::Path;
use std::time::Duration;

use crate::setup::{Fakes, Knobs, Scenario};

pub async fn run(scenario: &Scenario, knobs: &Knobs, dir: &Path, seconds: u64) {
    let fakes = Fakes::start(&scenario.generators(), scenario.latency).await;
    let config = dir.join("mcas2jira.toml");
    let secrets = dir.join("secrets.env");
    let jira = fakes.jira.options();
    let text = fakes
        .config_toml(&Knobs { pacing: true, ..knobs.clone() }, &dir.join("mcas2jira.db"))
        .replace(&format!("token = \"{}\"", jira.token), "token_env = \"JIRA_API_TOKEN\"")
        .replace("key = \"fake-abuseipdb-key\"", "key_env = \"ABUSEIPDB_API_KEY\"")
        .replace("token = \"fake-mcas-token\"", "token_env = \"MCAS_TOKEN\"");
    std::fs::write(&config, text).expect("config written");
    std::fs::write(
        &secrets,
        format!(
            "JIRA_API_TOKEN={}\nABUSEIPDB_API_KEY=fake-abuseipdb-key\nMCAS_TOKEN=fake-mcas-token\n",
            jira.token
        ),
    )
    .expect("secrets written");
    println!("serving {} MCAS tenants, Jira and AbuseIPDB for {seconds} s", fakes.mcas.len());
    println!("config: {}\nsecrets: {}", config.display(), secrets.display());
    let mut last = fakes.requests();
    for _ in 0..seconds {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = fakes.requests();
        if now.total() != last.total() {
            println!("  requests so far: {now}; issues in the fake Jira: {}", fakes.jira.issue_count());
            last = now;
        }
    }
}
