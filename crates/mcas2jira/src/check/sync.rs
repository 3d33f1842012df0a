//! `check` with `[sync] enabled = true`: the permissions the two-way sync needs, verified
//! without changing anything (except with `--close-test`).

use jira_client::ProjectRef;

use super::lines::Checks;
use crate::config::Config;
use crate::services::Clients;

/// The permissions the two-way sync needs: comment on and transition the project's tickets, close
/// each tenant's alerts, checked without changing anything (except with `close_test`).
pub(super) async fn check_sync(checks: &mut Checks, config: &Config, clients: &Clients, close_test: bool) {
    let mut needed = vec!["BROWSE_PROJECTS", "ADD_COMMENTS"];
    if config.sync.transition_on_alert_closed.is_some() {
        needed.push("TRANSITION_ISSUES");
    }
    let project = ProjectRef::key(config.jira.project.clone());
    let result = match clients.jira.my_permissions(Some(&project), &needed).await {
        Ok(granted) => {
            let missing: Vec<&str> = needed.iter().copied().filter(|p| !granted.has(p)).collect();
            if missing.is_empty() {
                Ok(format!("{} in {}", needed.join(", "), config.jira.project))
            } else {
                Err(format!("missing in {}: {}", config.jira.project, missing.join(", ")))
            }
        }
        Err(error) => Err(crate::chain(&error)),
    };
    checks.report("sync jira permissions", result);
    // A Graph tenant's sync permission is checked with its sign-in (`graph.rs`).
    for (tenant, mcas) in clients.tenants.iter().filter_map(|t| t.mcas().map(|client| (t, client))) {
        let check = format!("sync tenant {}", tenant.name);
        // An Entra application's permissions are in its access token: read without a call to the
        // tenant. A legacy API token's rights can only be learnt by using them.
        match mcas.granted_roles().await {
            Ok(Some(roles)) => {
                let may_close =
                    roles.iter().any(|r| mcas_client::CLOSE_ROLES.iter().any(|c| c.eq_ignore_ascii_case(r)));
                let granted = if roles.is_empty() { "none".to_owned() } else { roles.join(", ") };
                checks.report(
                    check,
                    if may_close {
                        Ok(format!("may close alerts (the application's permissions: {granted})"))
                    } else {
                        Err(format!(
                            "may not close alerts: grant the application {} (it has: {granted})",
                            mcas_client::CLOSE_ROLES.join(" or ")
                        ))
                    },
                );
            }
            Ok(None) if close_test => {
                // A close of an id no alert has: MCAS checks the token's right to close and
                // closes nothing (the call is in the tenant's audit log).
                let nobody = [mcas_client::AlertId::new("000000000000000000000000")];
                let result = mcas
                    .close_benign(
                        &nobody,
                        "mcas2jira check: permission test, closes no alert",
                        mcas_client::BenignReason::Other,
                    )
                    .await
                    .map(|outcome| format!("may close alerts ({} closed by the test)", outcome.closed))
                    .map_err(|e| crate::chain(&e));
                checks.report(check, result);
            }
            Ok(None) => checks.skip(
                check,
                "not checked: Defender for Cloud Apps offers no read-only way to learn whether an API token \
                 may close alerts; `check --close-test` tries a close of a non-existent alert (it shows in \
                 the tenant's audit log)"
                    .to_owned(),
            ),
            Err(error) => checks.report(check, Err(crate::chain(&error))),
        }
    }
}
