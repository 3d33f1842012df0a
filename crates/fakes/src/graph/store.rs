//! One tenant's alerts, newest first, and the changes made to them through the API.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::odata::Expr;

/// The alerts of one tenant, newest first (by `createdDateTime`, then `id`), as Graph lists them.
pub(super) struct TenantAlerts {
    /// Each alert with its creation time, for ordering.
    alerts: Vec<(Timestamp, Value)>,
}

fn created(alert: &Value) -> Timestamp {
    alert
        .get("createdDateTime")
        .and_then(Value::as_str)
        .and_then(|t| t.parse().ok())
        .unwrap_or(Timestamp::MIN)
}

fn id_of(alert: &Value) -> &str {
    alert.get("id").and_then(Value::as_str).unwrap_or_default()
}

impl TenantAlerts {
    pub(super) fn new(alerts: Vec<Value>) -> Self {
        let mut store = TenantAlerts { alerts: Vec::with_capacity(alerts.len()) };
        store.add(alerts);
        store
    }

    /// Adds alerts, each at its place in the newest-first order.
    pub(super) fn add(&mut self, alerts: Vec<Value>) {
        self.alerts.extend(alerts.into_iter().map(|alert| (created(&alert), alert)));
        self.alerts.sort_by(|(ta, a), (tb, b)| tb.cmp(ta).then_with(|| id_of(b).cmp(id_of(a))));
    }

    pub(super) fn len(&self) -> usize {
        self.alerts.len()
    }

    pub(super) fn snapshot(&self) -> Vec<Value> {
        self.alerts.iter().map(|(_, alert)| alert.clone()).collect()
    }

    pub(super) fn get(&self, id: &str) -> Option<&Value> {
        self.alerts.iter().map(|(_, alert)| alert).find(|alert| id_of(alert) == id)
    }

    pub(super) fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.alerts.iter_mut().map(|(_, alert)| alert).find(|alert| id_of(alert) == id)
    }

    /// The alerts matching `filter` from `skip` on, at most `top`; how many match in all.
    pub(super) fn page(&self, filter: Option<&Expr>, skip: usize, top: usize) -> (Vec<Value>, usize) {
        let mut page = Vec::with_capacity(top.min(1000));
        let mut total = 0;
        for (_, alert) in &self.alerts {
            if filter.is_none_or(|filter| filter.matches(alert)) {
                if total >= skip && page.len() < top {
                    page.push(alert.clone());
                }
                total += 1;
            }
        }
        (page, total)
    }

    /// Applies a PATCH body's changes to an alert, as Graph does: the given properties change,
    /// `lastUpdateDateTime` moves, and `resolvedDateTime` follows the status.
    pub(super) fn update(
        &mut self,
        id: &str,
        changes: &serde_json::Map<String, Value>,
        now: Timestamp,
    ) -> Option<Value> {
        let alert = self.get_mut(id)?;
        let map = alert.as_object_mut()?;
        for (key, value) in changes {
            map.insert(key.clone(), value.clone());
        }
        map.insert("lastUpdateDateTime".to_owned(), json!(now.to_string()));
        match changes.get("status").and_then(Value::as_str) {
            Some("resolved") => {
                map.insert("resolvedDateTime".to_owned(), json!(now.to_string()));
            }
            Some(_) => {
                map.insert("resolvedDateTime".to_owned(), Value::Null);
            }
            None => {}
        }
        Some(alert.clone())
    }

    /// Appends a comment to an alert; its comments afterwards.
    pub(super) fn comment(&mut self, id: &str, comment: &str, by: &str, now: Timestamp) -> Option<Value> {
        let alert = self.get_mut(id)?;
        let map = alert.as_object_mut()?;
        let comments = map.entry("comments").or_insert_with(|| json!([]));
        if !comments.is_array() {
            *comments = json!([]);
        }
        if let Value::Array(list) = comments {
            list.push(json!({
                "comment": comment,
                "createdByDisplayName": by,
                "createdDateTime": now.to_string(),
            }));
        }
        let comments = comments.clone();
        map.insert("lastUpdateDateTime".to_owned(), json!(now.to_string()));
        Some(comments)
    }
}
