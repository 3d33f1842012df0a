//! Lists the recent Microsoft Graph security alerts (`alerts_v2`) of one or more tenants with
//! `graph-security-client`, signing in to each with one multi-tenant Entra application.
//!
//! ```sh
//! export GRAPH_CLIENT_ID=...                  # the application (client) id
//! export GRAPH_CLIENT_SECRET=...              # its client secret
//! export GRAPH_TENANT_IDS=tenant-a,tenant-b   # customer tenant ids (GUIDs or domains), comma-separated
//! # export GRAPH_URL=https://graph.microsoft.us GRAPH_SCOPE=https://graph.microsoft.us/.default
//! # export GRAPH_AUTHORITY=https://login.microsoftonline.us          # US Government clouds
//! # export GRAPH_SERVICE_SOURCE=microsoftDefenderForCloudApps        # the default; "all" for every product
//! cargo run -p mcas2jira-examples --example graph_alerts -- 3       # the last 3 days (default 1)
//! ```
//!
//! The application needs the Microsoft Graph application permission `SecurityAlert.Read.All`,
//! with admin consent in each tenant; a tenant whose token does not grant it is skipped with a
//! message. Every tenant's client shares the application's token
//! cache (a token per tenant); requests are paced at Graph's 150 a minute per tenant.

use std::error::Error;
use std::pin::pin;
use std::process::ExitCode;

use futures_util::StreamExt;
use graph_security_client::{
    AlertQuery, Auth, Client, Comparison, EntraApp, Evidence, Filter, READ_ROLES, SecretString,
    ServiceSource, Timestamp,
};
use jiff::SignedDuration;

/// How many alerts are printed per tenant at most; the rest are only counted.
const SHOWN: usize = 50;

fn main() -> ExitCode {
    // Errors are shown with their causes on one line, as the mcas2jira binary shows them.
    match run_blocking() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", chain(&*error));
            ExitCode::FAILURE
        }
    }
}

/// An error with its causes, on one line.
fn chain(error: &dyn Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    line
}

fn run_blocking() -> Result<(), Box<dyn Error>> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(run())
}

async fn run() -> Result<(), Box<dyn Error>> {
    let days: i64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| format!("the number of days must be a number, not {arg:?}"))?,
        None => 1,
    };
    let mut app = EntraApp::builder(env("GRAPH_CLIENT_ID")?, SecretString::from(env("GRAPH_CLIENT_SECRET")?));
    if let Ok(authority) = std::env::var("GRAPH_AUTHORITY") {
        app = app.authority(authority.parse()?);
    }
    // One application object for every tenant: their clients share its token cache.
    let app = app.build()?;

    let since = Timestamp::now()
        .checked_sub(SignedDuration::from_hours(24 * days))
        .map_err(|_| format!("{days} days back is out of range"))?;
    let mut filter = Filter::created(Comparison::Ge, since);
    match std::env::var("GRAPH_SERVICE_SOURCE").as_deref() {
        Ok("all") => {}
        Ok(source) => filter = Filter::service_source(ServiceSource::from_wire(source)).and(filter),
        Err(_) => filter = Filter::service_source(ServiceSource::MicrosoftDefenderForCloudApps).and(filter),
    }
    let query = AlertQuery::default().filter(filter).top(100);

    for tenant in env("GRAPH_TENANT_IDS")?.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let mut builder = Client::builder(Auth::app(app.clone(), tenant));
        if let Ok(url) = std::env::var("GRAPH_URL") {
            builder = builder.base_url(url.parse()?);
        }
        if let Ok(scope) = std::env::var("GRAPH_SCOPE") {
            builder = builder.scope(scope);
        }
        let client = builder.build()?;
        println!("== tenant {tenant}");
        // What the tenant granted, read from the access token without calling Graph.
        match client.granted_roles().await {
            Ok(roles) if !roles.iter().any(|role| READ_ROLES.contains(&role.as_str())) => {
                eprintln!("tenant {tenant}: the application has none of {READ_ROLES:?} (granted: {roles:?})");
                continue;
            }
            Ok(_) => {}
            Err(error) => {
                eprintln!("tenant {tenant}: {}", chain(&error));
                continue;
            }
        }
        let mut alerts = pin!(client.alerts(query.clone()));
        let mut count = 0;
        while let Some(alert) = alerts.next().await {
            // One alert that does not decode is reported and the walk goes on; an HTTP error
            // (a missing permission, say) ends this tenant's walk.
            match alert {
                Ok(alert) => {
                    count += 1;
                    if count <= SHOWN {
                        let users: Vec<String> = alert
                            .evidence
                            .iter()
                            .filter_map(|evidence| match evidence {
                                Evidence::User(user) => {
                                    user.user_account.as_ref().and_then(|a| a.best_name())
                                }
                                Evidence::Mailbox(mailbox) => mailbox.primary_address.clone(),
                                _ => None,
                            })
                            .collect();
                        println!(
                            "{}  {:<13}  {:<8}  {}  {}  [{}]",
                            alert.created_date_time,
                            alert.severity.to_string(),
                            alert.status.as_ref().map_or("-", |s| s.as_str()),
                            alert.id,
                            alert.title,
                            users.join(", "),
                        );
                    }
                }
                Err(error @ graph_security_client::Error::MalformedAlert { .. }) => {
                    eprintln!("skipped an alert: {error}");
                }
                Err(error) => {
                    eprintln!("tenant {tenant}: {}", chain(&error));
                    break;
                }
            }
        }
        println!("{count} alert(s) in the last {days} day(s)");
    }
    Ok(())
}

/// An environment variable that must be set.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of examples/examples/graph_alerts.rs)"))
}
