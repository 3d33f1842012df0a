//! Each tenant's MCAS pacing window, carried from one run to the next through the state store.
//!
//! A tenant's client paces its requests to `[fetch] requests_per_minute` in any rolling window,
//! but a new process starts with an empty window: run from cron every minute, or right after a
//! `watch` stopped, it would otherwise send a full burst into a minute that already holds the
//! previous process's requests. So a pass seeds each tenant's pacer with the start times the
//! state store kept, and keeps the new ones at its end. Seeding is idempotent, so a long-lived
//! process (`watch`) may do it before every pass.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::Timestamp;

use crate::services::{Services, Tenant};

/// Seeds the pacers of `tenants` with the request times the state store kept for them. A store
/// that cannot be read is logged and skipped: the pass then starts as if the tenants had been
/// quiet, and MCAS's `Retry-After` still covers it.
pub async fn seed(services: &Services, tenants: &[&Tenant]) {
    let paced: Vec<&Tenant> = tenants.iter().copied().filter(|t| t.client.pacer().is_some()).collect();
    if paced.is_empty() {
        return;
    }
    let store = Arc::clone(&services.store);
    let names: Vec<String> = paced.iter().map(|t| t.name.clone()).collect();
    let kept = tokio::task::spawn_blocking(move || {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        store.pacing(&names)
    })
    .await;
    let kept = match kept {
        Ok(Ok(kept)) => kept,
        Ok(Err(error)) => {
            tracing::warn!("state store: cannot read the MCAS request times of the last run: {error}");
            return;
        }
        Err(error) => {
            tracing::warn!("state store: cannot read the MCAS request times of the last run: {error}");
            return;
        }
    };
    for tenant in paced {
        if let (Some(times), Some(pacer)) = (kept.get(&tenant.name), tenant.client.pacer()) {
            let times: Vec<SystemTime> = times.iter().filter_map(|time| system_time(*time)).collect();
            pacer.seed(&times);
        }
    }
}

/// Keeps the recent request times of `tenants` in the state store, in one transaction, for the
/// next run. A failed write is logged: the next run then starts as if the tenants had been quiet.
pub async fn keep(services: &Services, tenants: &[&Tenant]) {
    let entries: Vec<(String, Vec<Timestamp>)> = tenants
        .iter()
        .filter_map(|tenant| {
            let recent = tenant.client.pacer()?.recent();
            let times = recent.into_iter().filter_map(timestamp).collect();
            Some((tenant.name.clone(), times))
        })
        .collect();
    if entries.is_empty() {
        return;
    }
    let store = Arc::clone(&services.store);
    let written = tokio::task::spawn_blocking(move || store.put_pacing(&entries, Timestamp::now())).await;
    match written {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!("state store: cannot keep the MCAS request times: {error}"),
        Err(error) => tracing::warn!("state store: cannot keep the MCAS request times: {error}"),
    }
}

/// A kept time as the pacer's clock counts: milliseconds since the Unix epoch.
fn system_time(time: Timestamp) -> Option<SystemTime> {
    let millis = u64::try_from(time.as_millisecond()).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_millis(millis))
}

/// A pacer's time as the state store keeps it, to the millisecond.
fn timestamp(time: SystemTime) -> Option<Timestamp> {
    let millis = i64::try_from(time.duration_since(UNIX_EPOCH).ok()?.as_millis()).ok()?;
    Timestamp::from_millisecond(millis).ok()
}
