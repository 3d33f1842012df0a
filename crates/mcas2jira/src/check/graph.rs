//! `check` of a Graph tenant: sign in, read the application permissions the tenant granted from
//! the token, then list one alert, so that a missing consent, a missing permission and a tenant
//! Graph will not serve are each told apart, naming the tenant and the permission.

use graph_security_client::{AlertQuery, Filter, READ_PERMISSION, READ_ROLES, WRITE_PERMISSION};

use super::Line;
use crate::config::Config;

/// Checks one Graph tenant: `tenant {name}` (signed in, may read, one list call) and, when the
/// sync is enabled, `sync tenant {name}` (may update alerts). Returns its lines, in order.
pub(super) async fn check_graph_tenant(
    config: &Config,
    name: &str,
    client: &graph_security_client::Client,
) -> Vec<Line> {
    let mut lines = Vec::new();
    let check = format!("tenant {name}");
    let tenant_id = client.tenant_id().unwrap_or("?").to_owned();
    let roles = match client.granted_roles().await {
        Ok(roles) => roles,
        Err(error) => {
            lines.push((
                check,
                Err(format!("cannot sign in to tenant {tenant_id}: {}", crate::chain(&error))),
            ));
            return lines;
        }
    };
    let granted = if roles.is_empty() { "none".to_owned() } else { roles.join(", ") };
    let has = |permission: &str| roles.iter().any(|role| role.eq_ignore_ascii_case(permission));
    if !READ_ROLES.iter().any(|permission| has(permission)) {
        lines.push((
            check,
            Err(format!(
                "missing permission {READ_PERMISSION} in tenant {tenant_id}: grant the application that \
                 Microsoft Graph application permission and an admin's consent in this tenant (it has: \
                 {granted})"
            )),
        ));
        return lines;
    }
    // A list call proves what the token cannot: that Graph serves this tenant's alerts (a tenant
    // not onboarded to Defender XDR is reported to answer 403 even with the permission).
    let mut query = AlertQuery::default().top(1);
    if let Some(filter) = Filter::service_source_in(config.graph.service_sources.iter().cloned()) {
        query = query.filter(filter);
    }
    let listed = client
        .alerts_page(&query)
        .await
        .map(|page| {
            format!(
                "signed in, may read alerts ({granted}); {} alert(s) on the first page",
                page.alerts.len()
            )
        })
        .map_err(|error| format!("tenant {tenant_id}: {}", crate::chain(&error)));
    lines.push((check, listed));
    if config.sync.enabled {
        let check = format!("sync tenant {name}");
        lines.push((
            check,
            if has(WRITE_PERMISSION) {
                Ok(format!("may update alerts and comment ({WRITE_PERMISSION})"))
            } else {
                Err(format!(
                    "missing permission {WRITE_PERMISSION} in tenant {tenant_id}: the two-way sync updates \
                     alerts and comments on them; grant it with an admin's consent (it has: {granted})"
                ))
            },
        ));
    }
    lines
}
