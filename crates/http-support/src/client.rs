//! Defaults for the `reqwest::Client` that each service client builds when the caller does not
//! hand it one.

use std::time::Duration;

use crate::TransportError;

/// How a client built by [`ClientOptions::build`] treats HTTP redirects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Redirects {
    /// Follow up to 10 redirects. reqwest drops `Authorization` and `Cookie` when a redirect goes
    /// to another host, so standard credentials are never sent there.
    #[default]
    Follow,
    /// Follow none: the redirect answer is returned as it is. Clients that authenticate with a
    /// custom header (AbuseIPDB's `Key`), which reqwest would carry to any host, use this.
    None,
}

/// Options for the `reqwest::Client` a service client builds for itself, or that a caller
/// builds once to share among many clients.
///
/// The defaults: a 30 s total timeout per request, a 10 s connect timeout, the TLS backend the
/// crate's features chose (rustls by default; see the crate docs), redirects followed with
/// credentials stripped on a change of host, and reqwest's connection pool (idle connections
/// kept 90 s, any number per host).
#[derive(Debug, Clone)]
pub struct ClientOptions {
    user_agent: String,
    timeout: Duration,
    connect_timeout: Duration,
    redirects: Redirects,
    max_idle_per_host: Option<usize>,
    idle_timeout: Option<Duration>,
}

impl ClientOptions {
    /// Options with the given `User-Agent` (see [`user_agent`]) and the default timeouts.
    pub fn new(user_agent: impl Into<String>) -> Self {
        Self {
            user_agent: user_agent.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            redirects: Redirects::Follow,
            max_idle_per_host: None,
            idle_timeout: None,
        }
    }

    /// Sets the total timeout of one request attempt, from sending to the end of the body.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the timeout for establishing a connection.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets how redirects are treated.
    #[must_use]
    pub fn redirects(mut self, redirects: Redirects) -> Self {
        self.redirects = redirects;
        self
    }

    /// Sets how many idle connections are kept per host for reuse; `0` closes each connection
    /// once its answer is read. A process talking to many hosts once each (a thousand tenants'
    /// portals) keeps its open files down with `0`; one talking to one host often (Jira) wants
    /// as many as it has requests in flight.
    #[must_use]
    pub fn max_idle_per_host(mut self, connections: usize) -> Self {
        self.max_idle_per_host = Some(connections);
        self
    }

    /// Sets how long an idle connection is kept before it is closed.
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` these options send.
    pub fn user_agent_value(&self) -> &str {
        &self.user_agent
    }

    /// Builds the `reqwest::Client`, with the TLS backend this crate's features chose (rustls by
    /// default).
    ///
    /// # Errors
    /// When reqwest cannot set up its TLS backend.
    pub fn build(&self) -> Result<reqwest::Client, TransportError> {
        let redirect = match self.redirects {
            Redirects::Follow => reqwest::redirect::Policy::limited(10),
            Redirects::None => reqwest::redirect::Policy::none(),
        };
        let mut builder = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .redirect(redirect);
        if let Some(connections) = self.max_idle_per_host {
            builder = builder.pool_max_idle_per_host(connections);
        }
        if let Some(timeout) = self.idle_timeout {
            builder = builder.pool_idle_timeout(timeout);
        }
        builder.build().map_err(TransportError::from_reqwest)
    }
}

/// The `User-Agent` value `name/version`, e.g. `user_agent(env!("CARGO_PKG_NAME"),
/// env!("CARGO_PKG_VERSION"))`.
pub fn user_agent(name: &str, version: &str) -> String {
    format!("{name}/{version}")
}
