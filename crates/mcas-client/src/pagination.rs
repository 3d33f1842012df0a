//! Walking every alert of a query, page after page, while new alerts keep arriving. The
//! strategy is documented on [`Client::alert_pages`].

use std::collections::HashSet;

use futures_util::{Stream, StreamExt, stream};
use jiff::Timestamp;

use crate::{Alert, AlertQuery, AlertsPage, Client, Error, Result, SortDirection};

impl Client {
    /// Every alert matching `query`, page by page, without repeating alerts and without
    /// skipping alerts that arrive during the walk.
    ///
    /// # Why not `skip`
    ///
    /// MCAS pages with `skip`/`limit` over the alerts matching the filters *at the time of each
    /// request*. While a walk is under way new alerts arrive: sorted newest first, each arrival
    /// pushes the alerts already seen down a slot, so the next page repeats them; sorted oldest
    /// first, an alert indexed late (older than the current offset) pushes an unseen alert past
    /// the offset, and it is skipped.
    ///
    /// # The walk
    ///
    /// - The window is fixed when the walk starts: `date.lte` is [`AlertQuery::date_to`], or
    ///   *now*. Alerts raised after that are left for the next walk, so the walk ends.
    /// - Pages are requested oldest first, and each starts at the timestamp of the newest alert
    ///   seen so far (`date.gte`, a keyset) with `skip` 0: an arrival before that point can no
    ///   longer shift the alerts still to come.
    /// - Since `gte` includes the boundary millisecond, the alerts already seen at that
    ///   millisecond come back; their `_id`s are remembered and they are dropped, so none is
    ///   yielded twice. Alerts older than the keyset, which a correct server never sends, are
    ///   dropped too.
    /// - If a whole page shares the boundary millisecond (more alerts in one millisecond than a
    ///   page holds), the keyset cannot move; the walk then pages with `skip` *within that
    ///   millisecond* until it leaves it.
    /// - An empty page that claims `hasNext` ends the walk (there is nothing to continue from);
    ///   two pages in a row that bring nothing new end it with [`Error::Paging`], rather
    ///   than loop on a server that ignores the filters.
    ///
    /// What a walk cannot see: an alert that arrives with a timestamp older than the walk's
    /// position, and (rarely) one that arrives inside a millisecond the walk is stepping
    /// through with `skip`. Callers that must not miss those start their next walk a little
    /// before the newest alert they saw and deduplicate by `_id` (as `mcas2jira` does with its
    /// state store).
    ///
    /// The walk sorts by date ascending whatever [`AlertQuery::sort`] says, and sets the `date`
    /// filter itself from [`AlertQuery::date_from`] and [`AlertQuery::date_to`] (a `date` raw
    /// filter is replaced). Each page yielded holds only alerts not yielded before; it may be
    /// empty. The stream ends after the last page, or after the first error.
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use mcas_client::AlertQuery;
    ///
    /// let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
    /// let mut pages = std::pin::pin!(client.alert_pages(AlertQuery::default().date_from(since)));
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} alerts, {} malformed", page.alerts.len(), page.malformed.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The stream yields the errors of [`Client::alerts_page`], and [`Error::Paging`] when
    /// the server's pages stop making progress; either ends it.
    pub fn alert_pages(&self, query: AlertQuery) -> impl Stream<Item = Result<AlertsPage>> + Send + 'static {
        let walk = Walk::new(self.clone(), query);
        stream::try_unfold(walk, |mut walk| async move {
            let page = walk.next_page().await?;
            Ok(page.map(|page| (page, walk)))
        })
    }

    /// Every alert matching `query`, one by one, as [`Client::alert_pages`] walks them.
    ///
    /// An alert that does not decode is yielded as `Err(`[`Error::MalformedAlert`]`)` and the
    /// stream goes on; any other error (transport, HTTP, paging) is yielded and ends the stream.
    /// Within a page, the malformed alerts come after the good ones.
    ///
    /// ```no_run
    /// # async fn demo(client: mcas_client::Client) -> mcas_client::Result<()> {
    /// use futures_util::StreamExt;
    /// use mcas_client::{AlertQuery, Error};
    ///
    /// let mut alerts = std::pin::pin!(client.alerts(AlertQuery::default().open_only(true)));
    /// while let Some(alert) = alerts.next().await {
    ///     match alert {
    ///         Ok(alert) => println!("{} {}", alert.id, alert.title),
    ///         Err(Error::MalformedAlert { id, reason, .. }) => eprintln!("skipping {id:?}: {reason}"),
    ///         Err(other) => return Err(other),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Client::alert_pages`], plus [`Error::MalformedAlert`] per undecodable alert.
    pub fn alerts(&self, query: AlertQuery) -> impl Stream<Item = Result<Alert>> + Send + 'static {
        self.alert_pages(query).flat_map(|page| {
            let items: Vec<Result<Alert>> = match page {
                Ok(page) => page
                    .alerts
                    .into_iter()
                    .map(Ok)
                    .chain(page.malformed.into_iter().map(|alert| Err(Error::from(alert))))
                    .collect(),
                Err(error) => vec![Err(error)],
            };
            stream::iter(items)
        })
    }
}

/// The state of a walk between two pages.
struct Walk {
    client: Client,
    query: AlertQuery,
    /// The fixed upper end of the window.
    upper: Timestamp,
    /// `date.gte` of the next page: the newest timestamp seen, or the query's lower end.
    cursor: Option<Timestamp>,
    /// The offset within `cursor`'s millisecond, used only when a page did not leave it.
    skip: u64,
    /// The ids already yielded whose timestamp is `cursor`.
    boundary: HashSet<String>,
    /// The ids of malformed alerts yielded, which may lack a timestamp to place them.
    malformed_seen: HashSet<String>,
    /// Consecutive pages that brought nothing new.
    idle_pages: u8,
    done: bool,
}

impl Walk {
    fn new(client: Client, query: AlertQuery) -> Self {
        let upper = query.date_to.unwrap_or_else(Timestamp::now);
        let cursor = query.date_from;
        Self {
            client,
            query,
            upper,
            cursor,
            skip: 0,
            boundary: HashSet::new(),
            malformed_seen: HashSet::new(),
            idle_pages: 0,
            done: false,
        }
    }

    async fn next_page(&mut self) -> Result<Option<AlertsPage>> {
        if self.done {
            return Ok(None);
        }
        let mut query = self.query.clone();
        query.date_from = self.cursor;
        query.date_to = Some(self.upper);
        query.raw.remove("date");
        query.sort = ("date".to_owned(), SortDirection::Asc);
        let mut page = self.client.alerts_page(&query, self.skip).await?;
        let fetched = page.len();
        if fetched == 0 {
            if page.has_next {
                tracing::warn!(skip = self.skip, "MCAS answered an empty page with hasNext; ending the walk");
            }
            self.done = true;
            return Ok(Some(page));
        }

        let newest = page
            .alerts
            .iter()
            .map(|alert| alert.timestamp)
            .chain(page.malformed.iter().filter_map(|m| m.timestamp))
            .max();
        // Drop what was yielded already: the alerts at the boundary millisecond, and anything
        // older than the keyset (a correct server never sends those; a broken one might).
        let cursor = self.cursor;
        let behind = |timestamp: Timestamp| cursor.is_some_and(|cursor| timestamp < cursor);
        page.alerts.retain(|alert| !behind(alert.timestamp) && !self.boundary.contains(alert.id.as_str()));
        page.malformed.retain(|alert| {
            !alert.timestamp.is_some_and(behind)
                && alert
                    .id
                    .as_ref()
                    .is_none_or(|id| !self.boundary.contains(id) && !self.malformed_seen.contains(id))
        });
        self.malformed_seen.extend(page.malformed.iter().filter_map(|alert| alert.id.clone()));

        match newest {
            Some(newest) if self.cursor.is_none_or(|cursor| newest > cursor) => {
                // The keyset moves on: remember what sits at the new boundary millisecond.
                self.cursor = Some(newest);
                self.skip = 0;
                self.boundary.clear();
            }
            // Everything in the page sits at the boundary (or has no usable timestamp):
            // step over it within the millisecond.
            _ => self.skip += fetched as u64,
        }
        if let Some(cursor) = self.cursor {
            let at_boundary = |timestamp: Timestamp| timestamp == cursor;
            self.boundary.extend(
                page.alerts
                    .iter()
                    .filter(|alert| at_boundary(alert.timestamp))
                    .map(|alert| alert.id.to_string()),
            );
            self.boundary.extend(
                page.malformed
                    .iter()
                    .filter(|alert| alert.timestamp.is_some_and(at_boundary))
                    .filter_map(|alert| alert.id.clone()),
            );
        }

        if page.is_empty() {
            self.idle_pages += 1;
            if self.idle_pages >= 2 && page.has_next {
                return Err(Error::Paging {
                    reason:
                        "two pages in a row brought no new alert; the server may be ignoring the date filter"
                            .to_owned(),
                });
            }
        } else {
            self.idle_pages = 0;
        }
        if !page.has_next {
            self.done = true;
        }
        Ok(Some(page))
    }
}
