//! The alerts of one fake tenant, sorted by timestamp, and the documented list filters.
//!
//! Alerts are kept in a `Vec` sorted by timestamp (stable, so equal timestamps keep their
//! insertion order) with the fields the filters look at cached beside each one, so that a page
//! costs a binary search for the date window plus a walk over at most `skip + limit` matches.
//! Bulk alerts are not stored at all: only their cached fields are (not even the id, which the
//! generator derives from the index), and the JSON is generated when a page is rendered, so
//! 100,000 of them cost a few megabytes.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::scenario::BulkAlerts;

/// Where an alert's JSON comes from.
enum Body {
    Json(Box<Value>),
    Bulk(u64),
}

pub(super) struct Entry {
    ts: i64,
    /// `None` for bulk alerts, whose id the generator knows.
    id: Option<Box<str>>,
    severity: i64,
    resolution: i64,
    status: i64,
    body: Body,
}

impl Entry {
    fn from_json(alert: Value) -> Entry {
        let ts = alert.get("timestamp").and_then(Value::as_i64).unwrap_or(0);
        let id = Some(alert.get("_id").and_then(Value::as_str).unwrap_or_default().into());
        let severity = alert.get("severityValue").and_then(Value::as_i64).unwrap_or(-1);
        // A missing resolution status means the alert is open, as the portal shows it.
        let resolution = alert.get("resolutionStatusValue").and_then(Value::as_i64).unwrap_or(0);
        let status = alert.get("statusValue").and_then(Value::as_i64).unwrap_or(0);
        Entry { ts, id, severity, resolution, status, body: Body::Json(Box::new(alert)) }
    }

    fn is_open(&self) -> bool {
        self.resolution == 0
    }

    fn is_read(&self) -> bool {
        self.status == 1
    }
}

/// Sorted alerts plus an index from `_id` to timestamp.
pub(super) struct AlertStore {
    entries: Vec<Entry>,
    by_id: HashMap<Box<str>, i64>,
    bulk: Option<BulkAlerts>,
}

impl AlertStore {
    pub(super) fn new(alerts: Vec<Value>, bulk: Option<BulkAlerts>) -> Self {
        let mut store = AlertStore { entries: Vec::new(), by_id: HashMap::new(), bulk: None };
        if let Some(bulk) = bulk {
            store.entries.reserve(usize::try_from(bulk.len()).unwrap_or(0));
            for i in 0..bulk.len() {
                let entry = Entry {
                    ts: bulk.timestamp(i),
                    id: None,
                    severity: bulk.severity(i),
                    resolution: 0,
                    status: 0,
                    body: Body::Bulk(i),
                };
                store.entries.push(entry);
            }
            store.bulk = Some(bulk);
        }
        store.add(alerts);
        store
    }

    pub(super) fn add(&mut self, alerts: Vec<Value>) {
        for alert in alerts {
            let entry = Entry::from_json(alert);
            if let Some(id) = &entry.id {
                self.by_id.insert(id.clone(), entry.ts);
            }
            // After every entry with the same timestamp, so that insertion order breaks ties.
            let at = self.entries.partition_point(|e| e.ts <= entry.ts);
            self.entries.insert(at, entry);
        }
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    fn id_of<'a>(&self, entry: &'a Entry) -> Cow<'a, str> {
        match (&entry.id, &entry.body, &self.bulk) {
            (Some(id), _, _) => Cow::Borrowed(id),
            (None, Body::Bulk(i), Some(bulk)) => Cow::Owned(bulk.id(*i)),
            _ => Cow::Borrowed(""),
        }
    }

    fn position(&self, id: &str) -> Option<usize> {
        let ts = match self.by_id.get(id) {
            Some(ts) => *ts,
            None => {
                // A bulk id ends with the alert's index in six hex digits.
                let bulk = self.bulk.as_ref()?;
                let i = u64::from_str_radix(id.get(18..)?, 16).ok()?;
                if i >= bulk.len() || bulk.id(i) != id {
                    return None;
                }
                bulk.timestamp(i)
            }
        };
        let start = self.entries.partition_point(|e| e.ts < ts);
        let end = self.entries.partition_point(|e| e.ts <= ts);
        (start..end).rev().find(|&i| self.entries.get(i).is_some_and(|e| self.id_of(e) == id))
    }

    fn render(&self, entry: &Entry) -> Value {
        let mut value = match &entry.body {
            Body::Json(value) => return (**value).clone(),
            Body::Bulk(i) => self.bulk.as_ref().map(|b| b.get(*i)).unwrap_or(Value::Null),
        };
        // Bulk alerts are regenerated, so the changes made since are applied on top.
        if let Some(map) = value.as_object_mut() {
            map.insert("resolutionStatusValue".to_owned(), json!(entry.resolution));
            map.insert("statusValue".to_owned(), json!(entry.status));
        }
        value
    }

    pub(super) fn get(&self, id: &str) -> Option<Value> {
        self.position(id).and_then(|i| self.entries.get(i)).map(|e| self.render(e))
    }

    pub(super) fn snapshot(&self) -> Vec<Value> {
        self.entries.iter().map(|e| self.render(e)).collect()
    }

    /// Sets the resolution status of an alert. Returns whether it exists.
    pub(super) fn set_resolution(&mut self, id: &str, resolution: i64) -> bool {
        let Some(entry) = self.position(id).and_then(|i| self.entries.get_mut(i)) else { return false };
        entry.resolution = resolution;
        if let Body::Json(value) = &mut entry.body
            && let Some(map) = value.as_object_mut()
        {
            map.insert("resolutionStatusValue".to_owned(), json!(resolution));
        }
        true
    }

    /// Sets one top-level key of a stored alert (generated alerts have no stored body and are
    /// left as they are).
    pub(super) fn set_field(&mut self, id: &str, key: &str, value: Value) {
        if let Some(entry) = self.position(id).and_then(|i| self.entries.get_mut(i))
            && let Body::Json(body) = &mut entry.body
            && let Some(map) = body.as_object_mut()
        {
            map.insert(key.to_owned(), value);
        }
    }

    /// Marks an alert read or unread. Returns whether it exists.
    pub(super) fn set_read(&mut self, id: &str, read: bool) -> bool {
        let Some(entry) = self.position(id).and_then(|i| self.entries.get_mut(i)) else { return false };
        let status = i64::from(read);
        entry.status = status;
        if let Body::Json(value) = &mut entry.body
            && let Some(map) = value.as_object_mut()
        {
            map.insert("statusValue".to_owned(), json!(status));
        }
        true
    }

    /// The ids of every alert matching `filter` (for the close endpoints).
    pub(super) fn matching_ids(&self, filter: &Filter) -> Vec<String> {
        let (start, end) = self.window(filter);
        self.entries
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .filter(|e| filter.matches(e, || self.id_of(e)))
            .map(|e| self.id_of(e).into_owned())
            .collect()
    }

    /// Whether an alert with this id exists.
    pub(super) fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    fn window(&self, filter: &Filter) -> (usize, usize) {
        let start = self.entries.partition_point(|e| e.ts < filter.lo);
        let end = self.entries.partition_point(|e| e.ts <= filter.hi).max(start);
        (start, end)
    }

    /// One page of the list endpoint.
    pub(super) fn page(&self, filter: &Filter, sort: Sort, skip: usize, limit: usize) -> Page {
        let (start, end) = self.window(filter);
        let window = self.entries.get(start..end).unwrap_or_default();
        let mut data = Vec::with_capacity(limit.min(100));
        let mut has_next = false;
        let mut total = 0usize;
        let mut more_than_total = false;
        if filter.only_dates() && matches!(sort, Sort::DateAsc | Sort::DateDesc) {
            // Every entry of the window matches: index straight into it.
            total = window.len();
            let len = window.len();
            for k in skip..skip.saturating_add(limit).min(len) {
                let index = if sort == Sort::DateAsc { k } else { len - 1 - k };
                if let Some(entry) = window.get(index) {
                    data.push(self.render(entry));
                }
            }
            has_next = skip.saturating_add(limit) < len;
        } else {
            let matching: Box<dyn Iterator<Item = &Entry>> = match sort {
                Sort::DateAsc => Box::new(window.iter().filter(|e| filter.matches(e, || self.id_of(e)))),
                Sort::DateDesc => {
                    Box::new(window.iter().rev().filter(|e| filter.matches(e, || self.id_of(e))))
                }
                Sort::SeverityAsc | Sort::SeverityDesc => {
                    // Severity order needs the whole window; the fakes only sort small sets
                    // this way.
                    let mut all: Vec<&Entry> =
                        window.iter().filter(|e| filter.matches(e, || self.id_of(e))).collect();
                    all.sort_by_key(|e| e.severity);
                    if sort == Sort::SeverityDesc {
                        all.reverse();
                    }
                    Box::new(all.into_iter())
                }
            };
            // Counting every match would make each page cost the whole window; like the real
            // service, the count stops at a cap and says so with `moreThanTotal`.
            let cap = skip.saturating_add(limit).saturating_add(TOTAL_CAP);
            for entry in matching {
                if total >= skip {
                    if data.len() < limit {
                        data.push(self.render(entry));
                    } else {
                        has_next = true;
                    }
                }
                total += 1;
                if total >= cap {
                    more_than_total = true;
                    break;
                }
            }
        }
        Page { data, has_next, total, more_than_total }
    }
}

/// How far past the requested page the list endpoint counts matches for `total`.
const TOTAL_CAP: usize = 10_000;

/// One answer of the list endpoint.
pub(super) struct Page {
    pub(super) data: Vec<Value>,
    pub(super) has_next: bool,
    pub(super) total: usize,
    pub(super) more_than_total: bool,
}

/// The sort orders the list endpoint accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Sort {
    DateAsc,
    DateDesc,
    SeverityAsc,
    SeverityDesc,
}

/// An integer filter: `eq` (any of) and `neq` (none of).
#[derive(Default)]
struct IntFilter {
    eq: Option<Vec<i64>>,
    neq: Vec<i64>,
}

impl IntFilter {
    fn matches(&self, value: i64) -> bool {
        self.eq.as_ref().is_none_or(|eq| eq.contains(&value)) && !self.neq.contains(&value)
    }
}

/// The parsed `filters` object of a list or close request.
pub(super) struct Filter {
    lo: i64,
    hi: i64,
    ranges: Vec<(i64, i64)>,
    severity: IntFilter,
    resolution: IntFilter,
    open: Option<bool>,
    read: Option<bool>,
    ids: Option<Vec<String>>,
    not_ids: Vec<String>,
}

impl Filter {
    fn only_dates(&self) -> bool {
        self.ranges.is_empty()
            && self.severity.eq.is_none()
            && self.severity.neq.is_empty()
            && self.resolution.eq.is_none()
            && self.resolution.neq.is_empty()
            && self.open.is_none()
            && self.read.is_none()
            && self.ids.is_none()
            && self.not_ids.is_empty()
    }

    fn matches<'a>(&self, e: &'a Entry, id: impl FnOnce() -> Cow<'a, str>) -> bool {
        let ids_match = || {
            if self.ids.is_none() && self.not_ids.is_empty() {
                return true;
            }
            let id = id();
            self.ids.as_ref().is_none_or(|ids| ids.iter().any(|wanted| **wanted == *id))
                && !self.not_ids.iter().any(|unwanted| **unwanted == *id)
        };
        (self.ranges.is_empty() || self.ranges.iter().any(|(s, t)| *s <= e.ts && e.ts <= *t))
            && self.severity.matches(e.severity)
            && self.resolution.matches(e.resolution)
            && self.open.is_none_or(|open| e.is_open() == open)
            && self.read.is_none_or(|read| e.is_read() == read)
            && ids_match()
    }

    /// The ids named by `id.eq`, if any (for `alertsNotFound`).
    pub(super) fn named_ids(&self) -> &[String] {
        self.ids.as_deref().unwrap_or_default()
    }
}

/// A filter the fake rejects, with the value to quote in the error body.
#[derive(Debug)]
pub(super) struct FilterError {
    pub(super) message: String,
    pub(super) value: String,
}

fn invalid(value: &Value) -> FilterError {
    let value = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    FilterError { message: format!("{value} is not valid"), value }
}

/// One value or a list of values, as the API accepts for `eq` and `neq`.
fn list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn ints(value: &Value) -> Result<Vec<i64>, FilterError> {
    list(value).into_iter().map(|v| v.as_i64().ok_or_else(|| invalid(v))).collect()
}

fn boolean(ops: &Map<String, Value>) -> Result<bool, FilterError> {
    match ops.get("eq") {
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Array(items)) if items.len() == 1 => match items.first() {
            Some(Value::Bool(b)) => Ok(*b),
            _ => Err(invalid(&Value::Array(items.clone()))),
        },
        Some(other) => Err(invalid(other)),
        None => Err(FilterError { message: "eq is required".to_owned(), value: "eq".to_owned() }),
    }
}

fn is_alert_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn ids(value: &Value) -> Result<Vec<String>, FilterError> {
    list(value)
        .into_iter()
        .map(|v| match v.as_str() {
            Some(id) if is_alert_id(id) => Ok(id.to_owned()),
            _ => Err(invalid(v)),
        })
        .collect()
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl Filter {
    /// Parses the `filters` object, rejecting what the documented filters do not allow and
    /// ignoring (with a log line) filters this fake does not implement.
    pub(super) fn parse(
        filters: Option<&Value>,
        now_ms: i64,
        lenient_ids: bool,
    ) -> Result<Filter, FilterError> {
        let mut f = Filter {
            lo: i64::MIN,
            hi: i64::MAX,
            ranges: Vec::new(),
            severity: IntFilter::default(),
            resolution: IntFilter::default(),
            open: None,
            read: None,
            ids: None,
            not_ids: Vec::new(),
        };
        let filters = match filters {
            None | Some(Value::Null) => return Ok(f),
            Some(Value::Object(map)) => map,
            Some(other) => return Err(invalid(other)),
        };
        for (name, ops) in filters {
            let Some(ops) = ops.as_object() else { return Err(invalid(ops)) };
            let unknown_op = |allowed: &[&str]| ops.keys().find(|k| !allowed.contains(&k.as_str())).cloned();
            match name.as_str() {
                "date" => {
                    if let Some(op) = unknown_op(&["gte", "lte", "range", "gte_ndays", "lte_ndays"]) {
                        return Err(FilterError { message: format!("{op} is not valid"), value: op });
                    }
                    for (op, value) in ops {
                        let ms = || value.as_i64().ok_or_else(|| invalid(value));
                        match op.as_str() {
                            "gte" => f.lo = f.lo.max(ms()?),
                            "lte" => f.hi = f.hi.min(ms()?),
                            "gte_ndays" => {
                                f.lo = f.lo.max(now_ms.saturating_sub(ms()?.saturating_mul(DAY_MS)))
                            }
                            "lte_ndays" => {
                                f.hi = f.hi.min(now_ms.saturating_sub(ms()?.saturating_mul(DAY_MS)))
                            }
                            _ => {
                                for range in list(value) {
                                    let start = range.get("start").and_then(Value::as_i64);
                                    let end = range.get("end").and_then(Value::as_i64);
                                    match (start, end) {
                                        (Some(s), Some(e)) => f.ranges.push((s, e)),
                                        _ => return Err(invalid(range)),
                                    }
                                }
                                // The window must cover every range; the ranges check the rest.
                                let lo = f.ranges.iter().map(|r| r.0).min().unwrap_or(i64::MIN);
                                let hi = f.ranges.iter().map(|r| r.1).max().unwrap_or(i64::MAX);
                                f.lo = f.lo.max(lo);
                                f.hi = f.hi.min(hi);
                            }
                        }
                    }
                }
                "severity" | "resolutionStatus" => {
                    if let Some(op) = unknown_op(&["eq", "neq"]) {
                        return Err(FilterError { message: format!("{op} is not valid"), value: op });
                    }
                    let target = if name == "severity" { &mut f.severity } else { &mut f.resolution };
                    if let Some(eq) = ops.get("eq") {
                        target.eq = Some(ints(eq)?);
                    }
                    if let Some(neq) = ops.get("neq") {
                        target.neq = ints(neq)?;
                    }
                }
                "alertOpen" => f.open = Some(boolean(ops)?),
                "read" => f.read = Some(boolean(ops)?),
                "id" | "ID" => {
                    if let Some(op) = unknown_op(&["eq", "neq"]) {
                        return Err(FilterError { message: format!("{op} is not valid"), value: op });
                    }
                    if let Some(eq) = ops.get("eq") {
                        // The close endpoints report unknown or malformed ids in
                        // `alertsNotFound` instead of rejecting the request.
                        f.ids = Some(if lenient_ids {
                            list(eq)
                                .into_iter()
                                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                                .collect()
                        } else {
                            ids(eq)?
                        });
                    }
                    if let Some(neq) = ops.get("neq") {
                        f.not_ids = ids(neq)?;
                    }
                }
                other => tracing::info!(filter = other, "fake MCAS ignores this filter"),
            }
        }
        Ok(f)
    }
}
