//! Runnable examples of the mcas2jira crates; this library is empty. Each example reads its
//! credentials from the environment (see the top of its file) and is run with
//! `cargo run -p mcas2jira-examples --example NAME`:
//!
//! - `list_alerts`: the recent open alerts of one Defender for Cloud Apps tenant (`mcas-client`);
//! - `graph_alerts`: the recent Microsoft Graph security alerts of several tenants, through one
//!   multi-tenant Entra application (`graph-security-client`);
//! - `check_ip`: one IP address looked up on AbuseIPDB (`abuseipdb-client`);
//! - `create_issue`: one Jira issue with a rich-text description (`jira-client`);
//! - `alert_to_issue`: a sample alert mapped to a ticket draft, printed as ADF and as wiki markup
//!   (`alert-mapping`; no network, no credentials).
