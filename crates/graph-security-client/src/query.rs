//! The parameters of a list request: `$filter`, `$top` and `$count`.

use crate::{Error, Filter};

/// What to list: the query options of `GET /security/alerts_v2`.
///
/// ```
/// use graph_security_client::{AlertQuery, Comparison, Filter, ServiceSource};
///
/// let since: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
/// let query = AlertQuery::default()
///     .filter(Filter::service_source(ServiceSource::MicrosoftDefenderForCloudApps)
///         .and(Filter::created(Comparison::Ge, since)))
///     .top(100);
/// assert_eq!(
///     query.parameters()?,
///     [
///         ("$filter", "serviceSource eq 'microsoftDefenderForCloudApps' and createdDateTime ge 2026-11-01T00:00:00Z".to_owned()),
///         ("$top", "100".to_owned()),
///     ],
/// );
/// # Ok::<(), graph_security_client::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlertQuery {
    /// The `$filter`; `None` lists every alert.
    pub filter: Option<Filter>,
    /// The page size (`$top`); `None` leaves it to the service.
    pub top: Option<u32>,
    /// Whether to ask for the number of matching alerts (`$count=true`).
    pub count: bool,
}

impl AlertQuery {
    /// Sets the filter.
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Sets the page size (`$top`).
    #[must_use]
    pub fn top(mut self, top: u32) -> Self {
        self.top = Some(top);
        self
    }

    /// Asks for the number of matching alerts with the first page (`$count=true`).
    #[must_use]
    pub fn count(mut self, count: bool) -> Self {
        self.count = count;
        self
    }

    /// The query parameters, names and values unencoded (the client percent-encodes them).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a filter that does not check ([`Filter::to_odata`]) or a
    /// `$top` of 0.
    pub fn parameters(&self) -> Result<Vec<(&'static str, String)>, Error> {
        let mut parameters = Vec::with_capacity(3);
        if let Some(filter) = &self.filter {
            parameters.push(("$filter", filter.to_odata()?));
        }
        match self.top {
            Some(0) => return Err(Error::invalid("top", "$top must be at least 1")),
            Some(top) => parameters.push(("$top", top.to_string())),
            None => {}
        }
        if self.count {
            parameters.push(("$count", "true".to_owned()));
        }
        Ok(parameters)
    }
}
