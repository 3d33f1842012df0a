//! Looks up one IP address on AbuseIPDB with `abuseipdb-client`.
//!
//! ```sh
//! export ABUSEIPDB_API_KEY=...    # https://www.abuseipdb.com/account/api
//! cargo run -p mcas2jira-examples --example check_ip -- 118.25.6.39
//! ```
//!
//! `ABUSEIPDB_URL` points the client at another API base (a local fake, say). The free plan
//! allows 1,000 checks a day: the answer's rate-limit headers say how many are left. Private,
//! loopback and other non-public addresses are not worth a check and are refused here.

use std::error::Error;
use std::net::IpAddr;
use std::process::ExitCode;

use abuseipdb_client::{CheckParams, Client, SecretString, is_worth_lookup};

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
    let arg = std::env::args().nth(1).unwrap_or_else(|| "118.25.6.39".to_owned());
    let ip: IpAddr = arg.parse().map_err(|_| format!("{arg:?} is not an IPv4 or IPv6 address"))?;
    if !is_worth_lookup(ip) {
        return Err(format!("{ip} is not a public address: AbuseIPDB knows nothing about it").into());
    }
    let key = std::env::var("ABUSEIPDB_API_KEY")
        .map_err(|_| "set ABUSEIPDB_API_KEY (see the top of examples/examples/check_ip.rs)")?;
    let mut builder = Client::builder(SecretString::from(key));
    if let Ok(url) = std::env::var("ABUSEIPDB_URL") {
        builder = builder.base_url(url.parse()?);
    }
    let client = builder.build()?;

    let answer = client.check(ip, &CheckParams::default().max_age_days(90).verbose(true)).await?;
    let data = &answer.data;
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
    println!("{ip}");
    match data.abuse_confidence_score {
        Some(score) => println!("  abuse confidence   {score}/100"),
        None => println!("  abuse confidence   unknown"),
    }
    println!("  country            {} ({})", text(&data.country_name), text(&data.country_code));
    println!("  usage              {}", data.usage_type.as_ref().map_or("-".to_owned(), ToString::to_string));
    println!("  ISP                {} ({})", text(&data.isp), text(&data.domain));
    println!("  Tor exit node      {}", data.is_tor.map_or("-", |tor| if tor { "yes" } else { "no" }));
    println!(
        "  reports (90 days)  {} from {} user(s)",
        data.total_reports.unwrap_or(0),
        data.num_distinct_users.unwrap_or(0)
    );
    if let Some(last) = data.last_reported_at {
        println!("  last reported      {last}");
    }
    for report in data.reports.iter().take(3) {
        println!("  report             {}", report_line(report));
    }
    if let Some(left) = answer.rate_limit.remaining {
        println!("({left} checks left today)");
    }
    Ok(())
}

/// One report in a line: when, and what the reporter said, cut short.
fn report_line(report: &abuseipdb_client::Report) -> String {
    let comment: String =
        report.comment.as_deref().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
    let comment: String = comment.chars().take(80).collect();
    match report.reported_at {
        Some(at) => format!("{at}: {comment}"),
        None => comment,
    }
}
