//! What the three fakes share: binding to loopback, the latency knob, request counters, fault
//! injection, and shutdown.
//!
//! Each fake handler starts with [`Knobs::admit`], which counts the request under its route name,
//! sleeps for the configured latency, and takes the next pending fault for that route. Keeping this
//! a plain call at the top of each handler (rather than a middleware guessing route names from
//! paths) makes the route names explicit and lets a handler run its side effect before a
//! [`FaultKind::LoseResponse`] throws its answer away.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::header::CONTENT_LENGTH;
use axum::response::Response;
use bytes::Bytes;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The route name that matches every route in [`fail_next`](crate::FakeMcas::fail_next).
pub const ANY_ROUTE: &str = "*";

/// How long [`shutdown`](crate::FakeMcas::shutdown) waits for in-flight requests before it
/// aborts the server task.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A fault to inject into the next requests of a route.
///
/// Faults are queued by `fail_next(route, n, kind)` and consumed one per matching request, in the
/// order they were queued.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer with this HTTP status and the service's own error body for it, without acting on
    /// the request.
    Status(u16),
    /// Answer `429 Too Many Requests` with `Retry-After: <retry_after_secs>` and the service's
    /// throttling body, without acting on the request.
    RateLimit {
        /// The value of the `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
    /// Wait this long before handling the request normally, so that a client with a shorter
    /// timeout gives up. The request is still acted on once the wait is over.
    Delay(Duration),
    /// Act on the request (a Jira issue IS created), then send the status line and headers
    /// followed by a body that breaks off, so that the client sees a transport error while
    /// reading the answer.
    LoseResponse,
}

/// Request counters of one fake server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Every request received, including the ones answered with an error.
    pub total: u64,
    /// Requests by route name (see each fake's `route` module).
    pub by_route: BTreeMap<String, u64>,
}

impl Stats {
    /// The number of requests received on `route` (0 if none).
    pub fn get(&self, route: &str) -> u64 {
        self.by_route.get(route).copied().unwrap_or(0)
    }
}

/// What [`Knobs::admit`] decided for one request.
pub(crate) enum Admission {
    /// Handle the request normally.
    Proceed,
    /// Answer with this fault ([`FaultKind::Status`] or [`FaultKind::RateLimit`]) instead.
    Fail(FaultKind),
    /// Handle the request, then break the answer with [`lose`].
    Lose,
}

struct PendingFault {
    route: String,
    remaining: u32,
    kind: FaultKind,
}

/// The runtime-adjustable behaviour shared by every fake.
pub(crate) struct Knobs {
    latency_nanos: AtomicU64,
    stats: Mutex<Stats>,
    /// When each request arrived, in order (for tests of client-side pacing).
    arrivals: Mutex<Vec<std::time::Instant>>,
    faults: Mutex<VecDeque<PendingFault>>,
    closed: watch::Sender<bool>,
}

/// Locks a mutex, ignoring poisoning: the fakes' state stays usable even if a test thread
/// panicked while holding it, and no invariant of ours spans a panic.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Knobs {
    pub(crate) fn new(latency: Duration) -> Self {
        let (closed, _) = watch::channel(false);
        let knobs = Knobs {
            latency_nanos: AtomicU64::new(0),
            stats: Mutex::new(Stats::default()),
            arrivals: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            closed,
        };
        knobs.set_latency(latency);
        knobs
    }

    pub(crate) fn set_latency(&self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.latency_nanos.store(nanos, Ordering::Relaxed);
    }

    pub(crate) fn latency(&self) -> Duration {
        Duration::from_nanos(self.latency_nanos.load(Ordering::Relaxed))
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.stats).clone()
    }

    pub(crate) fn reset_stats(&self) {
        *lock(&self.stats) = Stats::default();
        lock(&self.arrivals).clear();
    }

    pub(crate) fn arrivals(&self) -> Vec<std::time::Instant> {
        lock(&self.arrivals).clone()
    }

    pub(crate) fn fail_next(&self, route: &str, n: u32, kind: FaultKind) {
        if n > 0 {
            lock(&self.faults).push_back(PendingFault { route: route.to_owned(), remaining: n, kind });
        }
    }

    pub(crate) fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub(crate) fn pending_faults(&self) -> u64 {
        lock(&self.faults).iter().map(|f| u64::from(f.remaining)).sum()
    }

    /// Counts the request, applies latency, and takes the next fault queued for `route`.
    pub(crate) async fn admit(&self, route: &'static str) -> Admission {
        lock(&self.arrivals).push(std::time::Instant::now());
        {
            let mut stats = lock(&self.stats);
            stats.total += 1;
            *stats.by_route.entry(route.to_owned()).or_insert(0) += 1;
        }
        self.sleep(self.latency()).await;
        match self.take_fault(route) {
            None => Admission::Proceed,
            Some(FaultKind::Delay(wait)) => {
                self.sleep(wait).await;
                Admission::Proceed
            }
            Some(FaultKind::LoseResponse) => Admission::Lose,
            Some(kind) => Admission::Fail(kind),
        }
    }

    /// Runs the steps every API request of a fake shares: counting, latency and faults (a failure
    /// answered by the service's own `fault_response`), then `authorize`, then `handle`, whose
    /// answer is broken off when the fault says to lose it.
    pub(crate) async fn serve(
        &self,
        route: &'static str,
        fault_response: impl FnOnce(&FaultKind) -> Response,
        authorize: impl FnOnce() -> Result<(), Response>,
        handle: impl FnOnce() -> Response,
    ) -> Response {
        let admission = self.admit(route).await;
        if let Admission::Fail(kind) = &admission {
            return fault_response(kind);
        }
        if let Err(response) = authorize() {
            return response;
        }
        let response = handle();
        if matches!(admission, Admission::Lose) { lose(response) } else { response }
    }

    fn take_fault(&self, route: &str) -> Option<FaultKind> {
        let mut faults = lock(&self.faults);
        let index = faults.iter().position(|f| f.route == route || f.route == ANY_ROUTE)?;
        let fault = faults.get_mut(index)?;
        fault.remaining = fault.remaining.saturating_sub(1);
        let kind = fault.kind.clone();
        if fault.remaining == 0 {
            faults.remove(index);
        }
        Some(kind)
    }

    /// Sleeps, but wakes as soon as the server shuts down so that a long injected delay does not
    /// hold a test's runtime open.
    pub(crate) async fn sleep(&self, wait: Duration) {
        if wait.is_zero() {
            return;
        }
        let mut closed = self.closed.subscribe();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = closed.wait_for(|closed| *closed) => {}
        }
    }

    fn close(&self) {
        self.closed.send_replace(true);
    }
}

/// Replaces the body of `response` with one that breaks off after a few bytes, keeping its
/// status and headers, so that the client gets the headers and then a transport error.
pub(crate) fn lose(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    let chunks: [Result<Bytes, std::io::Error>; 2] = [
        Ok(Bytes::from_static(b"{\"id\":\"")),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "response lost on purpose")),
    ];
    Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)))
}

/// A server bound to an ephemeral loopback port, stopped on drop.
pub(crate) struct Running {
    addr: SocketAddr,
    url: String,
    pub(crate) knobs: Arc<Knobs>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    /// Binds `127.0.0.1:0` and serves `router` on a spawned task.
    pub(crate) async fn start(router: Router, knobs: Arc<Knobs>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let mut closed = knobs.closed.subscribe();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                // An error means the sender is gone, which also means "stop".
                let _ = closed.wait_for(|closed| *closed).await;
            };
            if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(shutdown).await {
                tracing::warn!(%error, "fake server stopped");
            }
        });
        Ok(Running { addr, url: format!("http://{addr}"), knobs, task: Some(task) })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) async fn shutdown(mut self) {
        self.knobs.close();
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await.is_err()
        {
            task.abort();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Graceful: idle keep-alive connections close at once, requests in flight finish (their
        // injected sleeps wake up on the same signal).
        self.knobs.close();
    }
}

/// Generates the knob methods every fake server exposes, delegating to its `Running`.
macro_rules! knob_methods {
    () => {
        /// The base URL of this server, `http://127.0.0.1:<port>`, without a trailing slash.
        pub fn url(&self) -> &str {
            self.running.url()
        }

        /// The socket address this server listens on.
        pub fn addr(&self) -> std::net::SocketAddr {
            self.running.addr()
        }

        /// Sets the delay added to every request from now on (zero for none).
        pub fn set_latency(&self, latency: std::time::Duration) {
            self.running.knobs.set_latency(latency);
        }

        /// The delay currently added to every request.
        pub fn latency(&self) -> std::time::Duration {
            self.running.knobs.latency()
        }

        /// A snapshot of the request counters.
        pub fn stats(&self) -> $crate::Stats {
            self.running.knobs.stats()
        }

        /// Sets every request counter back to zero, and forgets the arrival times.
        pub fn reset_stats(&self) {
            self.running.knobs.reset_stats();
        }

        /// When each request arrived (before the injected latency), oldest first: what a test of
        /// a client's pacing measures.
        pub fn arrivals(&self) -> Vec<std::time::Instant> {
            self.running.knobs.arrivals()
        }

        /// Makes the next `n` requests on `route` (a name from this server's `route` module,
        /// or [`ANY_ROUTE`](crate::ANY_ROUTE)) fail with `kind`. Faults queue up in call order
        /// and each matching request consumes one.
        pub fn fail_next(&self, route: &str, n: u32, kind: $crate::FaultKind) {
            self.running.knobs.fail_next(route, n, kind);
        }

        /// Drops every queued fault.
        pub fn clear_faults(&self) {
            self.running.knobs.clear_faults();
        }

        /// How many injected faults are still waiting for a request.
        pub fn pending_faults(&self) -> u64 {
            self.running.knobs.pending_faults()
        }

        /// Stops accepting connections, lets requests in flight finish (for at most a few
        /// seconds), and waits for the server task. Dropping the server also stops it, without
        /// waiting.
        pub async fn shutdown(self) {
            self.running.shutdown().await;
        }
    };
}

pub(crate) use knob_methods;
