//! Walking every page of a listing by its next links, without repeating an alert and without
//! following a link that loops. The walk is described on [`Client::alert_pages`].

use std::collections::HashSet;

use futures_util::{Stream, StreamExt, stream};

use crate::{Alert, AlertQuery, AlertsPage, Client, Error, Result};

/// Pages in a row that may bring no new alert before the walk gives up on a server that keeps
/// sending the same alerts under new links.
const MAX_IDLE_PAGES: u8 = 3;

impl Client {
    /// Every alert matching `query`, page by page, following `@odata.nextLink` until a page has
    /// none.
    ///
    /// # The walk
    ///
    /// Graph lists alerts newest first, and its next links page by position. An alert raised
    /// during the walk lands at the head of the list and pushes the alerts already seen one slot
    /// down, so a later page repeats the last alerts of the one before. The walk remembers the
    /// ids it yielded and drops those repeats: each page yielded holds only alerts not yielded
    /// before, and may be empty. The new alert itself is not in this walk (it is ahead of the
    /// first page); a caller that must see it walks again, from the newest time it saw.
    ///
    /// Guards, each ending the walk with [`Error::Paging`] rather than looping or leaking:
    ///
    /// - a next link that points to another host than the configured Graph endpoint (it would
    ///   receive the access token);
    /// - a next link that was already followed (a loop);
    /// - three pages in a row with a next link and no new alert.
    ///
    /// Some users report that `alerts_v2` stops giving next links after a few hundred alerts;
    /// that is not documented. A walk that must be complete should narrow the window with a
    /// `createdDateTime` filter so that it holds fewer alerts than that, and walk window by
    /// window.
    ///
    /// ```no_run
    /// # async fn demo(client: graph_security_client::Client) -> graph_security_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use graph_security_client::{AlertQuery, Comparison, Filter};
    ///
    /// let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
    /// let query = AlertQuery::default().filter(Filter::created(Comparison::Ge, since));
    /// let mut pages = std::pin::pin!(client.alert_pages(query));
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} alerts, {} malformed", page.alerts.len(), page.malformed.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The stream yields the errors of [`Client::alerts_page`] and [`Client::alerts_page_at`],
    /// and [`Error::Paging`] as above; each ends it.
    pub fn alert_pages(&self, query: AlertQuery) -> impl Stream<Item = Result<AlertsPage>> + Send + 'static {
        let walk = Walk {
            client: self.clone(),
            next: Next::First(query),
            links: HashSet::new(),
            ids: HashSet::new(),
            idle_pages: 0,
        };
        stream::try_unfold(walk, |mut walk| async move {
            let page = walk.next_page().await?;
            Ok(page.map(|page| (page, walk)))
        })
    }

    /// Every alert matching `query`, one by one, as [`Client::alert_pages`] walks them.
    ///
    /// An alert that does not decode is yielded as `Err(`[`Error::MalformedAlert`]`)` and the
    /// stream goes on; any other error ends it. Within a page, the malformed alerts come after
    /// the good ones.
    ///
    /// ```no_run
    /// # async fn demo(client: graph_security_client::Client) -> graph_security_client::Result<()> {
    /// use futures_util::StreamExt;
    /// use graph_security_client::{AlertQuery, Error};
    ///
    /// let mut alerts = std::pin::pin!(client.alerts(AlertQuery::default()));
    /// while let Some(alert) = alerts.next().await {
    ///     match alert {
    ///         Ok(alert) => println!("{} {}", alert.id, alert.title),
    ///         Err(Error::MalformedAlert { id, reason }) => eprintln!("skipping {id:?}: {reason}"),
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

/// What the walk asks for next.
enum Next {
    First(AlertQuery),
    Link(String),
    /// The paging went wrong after a page that is still worth yielding: end with this reason.
    Stop(String),
    Done,
}

/// The state of a walk between two pages.
struct Walk {
    client: Client,
    next: Next,
    /// The next links followed so far.
    links: HashSet<String>,
    /// The ids of the alerts yielded so far, good and malformed.
    ids: HashSet<String>,
    /// Pages in a row that brought no new alert.
    idle_pages: u8,
}

impl Walk {
    async fn next_page(&mut self) -> Result<Option<AlertsPage>> {
        let mut page = match std::mem::replace(&mut self.next, Next::Done) {
            Next::Done => return Ok(None),
            Next::Stop(reason) => return Err(Error::Paging { reason }),
            Next::First(query) => self.client.alerts_page(&query).await?,
            Next::Link(link) => self.client.alerts_page_at(&link).await?,
        };
        let ids = &mut self.ids;
        page.alerts.retain(|alert| ids.insert(alert.id.as_str().to_owned()));
        page.malformed.retain(|alert| alert.id.as_ref().is_none_or(|id| ids.insert(id.clone())));

        if let Some(link) = &page.next_link {
            if !self.links.insert(link.clone()) {
                // The page itself is good: yield it, and stop before following the link again.
                self.next = Next::Stop("the service repeated a next link it had already given".to_owned());
                return Ok(Some(page));
            }
            if page.is_empty() {
                self.idle_pages += 1;
                if self.idle_pages >= MAX_IDLE_PAGES {
                    return Err(Error::Paging {
                        reason: format!("{MAX_IDLE_PAGES} pages in a row brought no new alert"),
                    });
                }
            } else {
                self.idle_pages = 0;
            }
            self.next = Next::Link(link.clone());
        }
        Ok(Some(page))
    }
}
