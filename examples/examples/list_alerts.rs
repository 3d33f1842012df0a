//! Lists the recent alerts of one Microsoft Defender for Cloud Apps tenant with `mcas-client`.
//!
//! ```sh
//! export MCAS_URL=https://contoso.us3.portal.cloudappsecurity.com
//! export MCAS_TOKEN=...                       # a legacy API token (Settings > API tokens), or:
//! # export MCAS_TENANT_ID=... MCAS_CLIENT_ID=... MCAS_CLIENT_SECRET=...   # a Microsoft Entra app
//! cargo run -p mcas2jira-examples --example list_alerts -- 3     # the last 3 days (default 1)
//! ```
//!
//! The alerts stream walks every page (at most 100 alerts each) oldest first, without skipping or
//! repeating alerts that arrive meanwhile; requests are paced to MCAS's 30 a minute.

use std::error::Error;
use std::pin::pin;
use std::process::ExitCode;

use futures_util::StreamExt;
use jiff::SignedDuration;
use mcas_client::{AlertQuery, Auth, Client, EntraApp, SecretString, Timestamp};

/// How many alerts are printed at most; the rest are only counted.
const SHOWN: usize = 50;

fn main() -> ExitCode {
    // Errors are shown with their causes on one line, as the mcas2jira binary shows them.
    match run_blocking() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut line = format!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                line.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("{line}");
            ExitCode::FAILURE
        }
    }
}

fn run_blocking() -> Result<(), Box<dyn Error>> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(run())
}

async fn run() -> Result<(), Box<dyn Error>> {
    let days: i64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| format!("the number of days must be a number, not {arg:?}"))?,
        None => 1,
    };
    let url = env("MCAS_URL")?.parse()?;
    // Prefer an API token when one is set; otherwise sign in as an Entra application.
    let auth = match std::env::var("MCAS_TOKEN") {
        Ok(token) if !token.is_empty() => Auth::token(SecretString::from(token)),
        _ => {
            let app =
                EntraApp::builder(env("MCAS_CLIENT_ID")?, SecretString::from(env("MCAS_CLIENT_SECRET")?))
                    .build()?;
            Auth::entra(app, env("MCAS_TENANT_ID")?)
        }
    };
    let client = Client::builder(url, auth).build()?;

    let since = Timestamp::now()
        .checked_sub(SignedDuration::from_hours(24 * days))
        .map_err(|_| format!("{days} days back is out of range"))?;
    let query = AlertQuery::default().date_from(since).open_only(true);
    let mut alerts = pin!(client.alerts(query));
    let mut count = 0;
    while let Some(alert) = alerts.next().await {
        // One alert that does not decode is reported and the walk goes on; an HTTP error ends it.
        match alert {
            Ok(alert) => {
                count += 1;
                if count <= SHOWN {
                    println!(
                        "{}  {:<13}  {}  {}",
                        alert.timestamp,
                        alert.severity.to_string(),
                        alert.id,
                        alert.title
                    );
                }
            }
            Err(error @ mcas_client::Error::MalformedAlert { .. }) => eprintln!("skipped an alert: {error}"),
            Err(error) => return Err(error.into()),
        }
    }
    println!("{count} open alert(s) in the last {days} day(s)");
    Ok(())
}

/// An environment variable that must be set.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of examples/examples/list_alerts.rs)"))
}
