//! `AlertQuery`: the filters, sort and page size of an alerts listing, and their JSON form.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::{ResolutionStatus, Severity};

/// The largest page MCAS serves.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The direction of a sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    /// Oldest (or smallest) first.
    #[default]
    Asc,
    /// Newest (or largest) first.
    Desc,
}

impl SortDirection {
    fn as_str(self) -> &'static str {
        match self {
            SortDirection::Asc => "asc",
            SortDirection::Desc => "desc",
        }
    }
}

/// Which alerts to list, in what order, how many per page.
///
/// Every setter adds a documented MCAS filter; [`AlertQuery::raw_filter`] reaches any other.
/// The default lists every alert, oldest first, 100 per page.
///
/// ```
/// use mcas_client::{AlertQuery, Severity};
///
/// let query = AlertQuery::default()
///     .date_from("2024-05-01T00:00:00Z".parse().unwrap())
///     .min_severity(Severity::Medium)
///     .open_only(true);
/// assert_eq!(
///     query.filters_json(),
///     serde_json::json!({
///         "date": {"gte": 1714521600000_i64},
///         "severity": {"eq": [1, 2]},
///         "alertOpen": {"eq": true},
///     }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AlertQuery {
    pub(crate) date_from: Option<Timestamp>,
    pub(crate) date_to: Option<Timestamp>,
    severities: Option<Vec<i64>>,
    resolution_statuses: Option<Vec<i64>>,
    open_only: bool,
    read: Option<bool>,
    alert_types: Vec<i64>,
    policies: Vec<String>,
    entities: BTreeMap<String, Vec<Value>>,
    pub(crate) raw: BTreeMap<String, Value>,
    pub(crate) sort: (String, SortDirection),
    pub(crate) page_size: u32,
}

impl Default for AlertQuery {
    fn default() -> Self {
        Self {
            date_from: None,
            date_to: None,
            severities: None,
            resolution_statuses: None,
            open_only: false,
            read: None,
            alert_types: Vec::new(),
            policies: Vec::new(),
            entities: BTreeMap::new(),
            raw: BTreeMap::new(),
            sort: ("date".to_owned(), SortDirection::Asc),
            page_size: MAX_PAGE_SIZE,
        }
    }
}

impl AlertQuery {
    /// Only alerts raised at or after `from` (`date.gte`).
    #[must_use]
    pub fn date_from(mut self, from: Timestamp) -> Self {
        self.date_from = Some(from);
        self
    }

    /// Only alerts raised at or before `to` (`date.lte`).
    #[must_use]
    pub fn date_to(mut self, to: Timestamp) -> Self {
        self.date_to = Some(to);
        self
    }

    /// Only alerts of `min` or more severe (informational < low < medium < high).
    ///
    /// `Informational` sets no filter at all. The filter names the known severities, so an
    /// alert of a severity MCAS adds later is left out by the server unless no filter is set.
    #[must_use]
    pub fn min_severity(mut self, min: Severity) -> Self {
        self.severities = (min != Severity::Informational).then(|| {
            Severity::KNOWN.into_iter().filter(|s| s.rank() >= min.rank()).map(Severity::value).collect()
        });
        self
    }

    /// Only alerts of one of these severities (`severity.eq`).
    #[must_use]
    pub fn severities(mut self, severities: impl IntoIterator<Item = Severity>) -> Self {
        self.severities = Some(severities.into_iter().map(Severity::value).collect());
        self
    }

    /// Only alerts in one of these resolution statuses (`resolutionStatus.eq`).
    #[must_use]
    pub fn resolution_statuses(mut self, statuses: impl IntoIterator<Item = ResolutionStatus>) -> Self {
        self.resolution_statuses = Some(statuses.into_iter().map(ResolutionStatus::value).collect());
        self
    }

    /// With `true`, only open alerts (`alertOpen.eq = true`); `false` removes the filter.
    #[must_use]
    pub fn open_only(mut self, open_only: bool) -> Self {
        self.open_only = open_only;
        self
    }

    /// Only read (`true`) or only unread (`false`) alerts (`read.eq`).
    #[must_use]
    pub fn read(mut self, read: bool) -> Self {
        self.read = Some(read);
        self
    }

    /// Also match alerts of this type (`alertType.eq`, an integer; see [`crate::Alert::id_value`]).
    /// Call it again to match several types.
    #[must_use]
    pub fn alert_type(mut self, alert_type: i64) -> Self {
        self.alert_types.push(alert_type);
        self
    }

    /// Also match alerts raised by this policy id (`entity.policy.eq`). Call it again to match
    /// several policies.
    #[must_use]
    pub fn policy(mut self, policy_id: impl Into<String>) -> Self {
        self.policies.push(policy_id.into());
        self
    }

    /// Also match alerts related to this entity: `key` is the part after `entity.` (`ip`,
    /// `service`, `instance`, `file`, `policy`, or `entity` with a value like
    /// `{"id": "…", "inst": 0}`); values given for one key are alternatives (`eq` list).
    #[must_use]
    pub fn entity(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        let key = key.into();
        let key = match key.strip_prefix("entity.") {
            Some(rest) => rest.to_owned(),
            None => key,
        };
        self.entities.entry(key).or_default().push(value.into());
        self
    }

    /// Sets a filter this type does not model, as MCAS spells it, e.g.
    /// `raw_filter("resolutionDate", json!({"gte": 1714521600000_i64}))`. It replaces any filter
    /// of the same name set by the other setters.
    #[must_use]
    pub fn raw_filter(mut self, name: impl Into<String>, filter: Value) -> Self {
        self.raw.insert(name.into(), filter);
        self
    }

    /// Sets the sort (default: `date`, ascending). [`crate::Client::alert_pages`] always walks by
    /// date ascending and ignores this.
    #[must_use]
    pub fn sort(mut self, field: impl Into<String>, direction: SortDirection) -> Self {
        self.sort = (field.into(), direction);
        self
    }

    /// Sets the page size, at most [`MAX_PAGE_SIZE`] (and at least 1).
    #[must_use]
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// The `filters` object of the request.
    pub fn filters_json(&self) -> Value {
        let mut filters = Map::new();
        let mut date = Map::new();
        if let Some(from) = self.date_from {
            date.insert("gte".to_owned(), json!(from.as_millisecond()));
        }
        if let Some(to) = self.date_to {
            date.insert("lte".to_owned(), json!(to.as_millisecond()));
        }
        if !date.is_empty() {
            filters.insert("date".to_owned(), Value::Object(date));
        }
        if let Some(severities) = &self.severities {
            filters.insert("severity".to_owned(), json!({ "eq": severities }));
        }
        if let Some(statuses) = &self.resolution_statuses {
            filters.insert("resolutionStatus".to_owned(), json!({ "eq": statuses }));
        }
        if self.open_only {
            filters.insert("alertOpen".to_owned(), json!({ "eq": true }));
        }
        if let Some(read) = self.read {
            filters.insert("read".to_owned(), json!({ "eq": read }));
        }
        if !self.alert_types.is_empty() {
            filters.insert("alertType".to_owned(), json!({ "eq": self.alert_types }));
        }
        let mut entities = self.entities.clone();
        if !self.policies.is_empty() {
            entities.entry("policy".to_owned()).or_default().extend(self.policies.iter().map(|p| json!(p)));
        }
        for (key, values) in entities {
            filters.insert(format!("entity.{key}"), json!({ "eq": values }));
        }
        for (name, filter) in &self.raw {
            filters.insert(name.clone(), filter.clone());
        }
        Value::Object(filters)
    }

    /// The whole body of `POST /api/v1/alerts/` for the page starting at `skip`.
    pub fn request_body(&self, skip: u64) -> Value {
        json!({
            "filters": self.filters_json(),
            "skip": skip,
            "limit": self.page_size,
            "sortField": self.sort.0,
            "sortDirection": self.sort.1.as_str(),
        })
    }
}
