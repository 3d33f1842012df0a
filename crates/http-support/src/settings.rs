//! The settings every client builder of the family takes, and the HTTP side of a built client:
//! one definition, so that the builders cannot drift apart.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;
use http::header::USER_AGENT;
use reqwest::{Method, RequestBuilder, Response};
use url::Url;

use crate::{
    ClientOptions, DEFAULT_MAX_BODY, ErrorResponse, HttpError, Idempotency, Observer, Pacer, Redirects,
    RetryPolicy, TransportError,
};

/// The settings a client builder takes besides the service's own: the `reqwest::Client` to share,
/// the retry policy, the timeout of one attempt, the `User-Agent`, the largest body read, and an
/// [`Observer`] of the requests.
///
/// Each client's builder offers these as setters of the same names (`http_client`,
/// `retry_policy`, `timeout`, `user_agent`, `max_body`, `observer`), written once by
/// [`client_settings_setters!`](crate::client_settings_setters); getters carry a `get_` prefix.
///
/// ```
/// use std::time::Duration;
/// use http_support::ClientSettings;
///
/// let settings = ClientSettings::default().timeout(Duration::from_secs(10)).user_agent("secops/1.0");
/// assert_eq!(settings.get_timeout(), Some(Duration::from_secs(10)));
/// assert_eq!(settings.get_max_body(), http_support::DEFAULT_MAX_BODY);
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientSettings {
    http_client: Option<reqwest::Client>,
    retry_policy: RetryPolicy,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    max_body: usize,
    observer: Option<Arc<dyn Observer>>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            http_client: None,
            retry_policy: RetryPolicy::default(),
            timeout: None,
            user_agent: None,
            max_body: DEFAULT_MAX_BODY,
            observer: None,
        }
    }
}

impl fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSettings")
            .field("http_client", &self.http_client.as_ref().map(|_| "caller's"))
            .field("retry_policy", &self.retry_policy)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("max_body", &self.max_body)
            .field("observer", &self.observer.as_ref().map(|_| "set"))
            .finish()
    }
}

impl ClientSettings {
    /// Uses the caller's `reqwest::Client` (to share its connection pool, proxy and TLS settings)
    /// instead of one built with [`ClientOptions`] defaults. Its redirect policy is then the
    /// caller's to choose.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Sets the total timeout of one request attempt, from sending to the end of the body
    /// (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the `User-Agent` (default `<crate>/<version>` of the client crate).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sets the largest success body read, in bytes (default [`DEFAULT_MAX_BODY`], 16 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Tells `observer` of every attempt and wait of the requests sent with these settings (see
    /// [`Observer`]).
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Whether the caller handed in its own `reqwest::Client`.
    pub fn has_http_client(&self) -> bool {
        self.http_client.is_some()
    }

    /// The retry policy.
    pub fn get_retry_policy(&self) -> &RetryPolicy {
        &self.retry_policy
    }

    /// The timeout of one attempt, if one was set.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The `User-Agent`, if one was set.
    pub fn get_user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// The largest success body read, in bytes.
    pub fn get_max_body(&self) -> usize {
        self.max_body
    }

    /// The HTTP side of a client with these settings. Without a caller's `reqwest::Client`, one
    /// is built with the user agent (default `name/version`), the timeout and `redirects`.
    ///
    /// # Errors
    /// [`SettingsError::UserAgent`] for a user agent that cannot be a header value;
    /// [`SettingsError::Setup`] when the `reqwest::Client` cannot be built.
    pub fn build(
        &self,
        name: &str,
        version: &str,
        redirects: Redirects,
    ) -> Result<HttpClient, SettingsError> {
        let user_agent = match &self.user_agent {
            Some(agent) => Some(HeaderValue::from_str(agent).map_err(|_| SettingsError::UserAgent)?),
            None => None,
        };
        let (client, timeout, user_agent) = match &self.http_client {
            // A caller's client gets the timeout and user agent on each request.
            Some(client) => (client.clone(), self.timeout, user_agent),
            // A client built here carries them already.
            None => {
                let agent = self.user_agent.clone().unwrap_or_else(|| crate::user_agent(name, version));
                let mut options = ClientOptions::new(agent).redirects(redirects);
                if let Some(timeout) = self.timeout {
                    options = options.timeout(timeout);
                }
                (options.build().map_err(SettingsError::Setup)?, None, None)
            }
        };
        Ok(HttpClient {
            client,
            retry_policy: self.retry_policy.clone(),
            timeout,
            user_agent,
            max_body: self.max_body,
            observer: self.observer.clone(),
        })
    }
}

/// Why [`ClientSettings::build`] failed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The user agent holds characters a header cannot carry.
    #[error("the user agent contains characters not allowed in a header")]
    UserAgent,
    /// The `reqwest::Client` could not be built (its TLS backend failed to initialise).
    #[error("could not set up the HTTP client")]
    Setup(#[source] TransportError),
}

/// The HTTP side of a built service client: the `reqwest::Client`, the retry policy, and what
/// each request gets (the timeout and user agent a caller's client lacks, the body cap).
/// Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    retry_policy: RetryPolicy,
    timeout: Option<Duration>,
    user_agent: Option<HeaderValue>,
    max_body: usize,
    observer: Option<Arc<dyn Observer>>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("retry_policy", &self.retry_policy)
            .field("timeout", &self.timeout)
            .field("max_body", &self.max_body)
            .field("observer", &self.observer.as_ref().map(|_| "set"))
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A request to `url`, with the timeout and user agent the settings asked for.
    pub fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let mut request = self.client.request(method, url);
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        if let Some(agent) = &self.user_agent {
            request = request.header(USER_AGENT, agent.clone());
        }
        request
    }

    /// The retry policy requests are sent with.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry_policy
    }

    /// The largest success body read, in bytes.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// [`send`](crate::send) with this client's retry policy, telling its observer, if any.
    ///
    /// ```no_run
    /// use http_support::{ClientSettings, Idempotency, Redirects};
    ///
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let http = ClientSettings::default().build("my-client", "1.0.0", Redirects::Follow)?;
    /// let url: url::Url = "https://example.com/api/thing".parse()?;
    /// let response =
    ///     http.send(Idempotency::Idempotent, None, || http.request(reqwest::Method::GET, url.clone()), |_| false).await?;
    /// let body = http.read_body(response).await?;
    /// # let _ = body;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`send`](crate::send).
    pub async fn send<F, T>(
        &self,
        idempotency: Idempotency,
        pacer: Option<&Pacer>,
        build: F,
        is_throttled: T,
    ) -> Result<Response, HttpError>
    where
        F: FnMut() -> RequestBuilder,
        T: Fn(&ErrorResponse) -> bool,
    {
        crate::send_observed(
            &self.retry_policy,
            idempotency,
            pacer,
            self.observer.as_deref(),
            build,
            is_throttled,
        )
        .await
    }

    /// [`read_body`](crate::read_body) with this client's cap; see [`HttpClient::send`] for an
    /// example.
    ///
    /// # Errors
    /// As [`read_body`](crate::read_body).
    pub async fn read_body(&self, response: Response) -> Result<Bytes, HttpError> {
        crate::read_body(response, self.max_body).await
    }
}

/// Writes the setters of [`ClientSettings`] on a client's builder that keeps its settings in the
/// field `$field`: `http_client`, `retry_policy`, `timeout`, `user_agent`, `max_body`, `observer`. Attributes
/// given after the field name (doc comments) go on `http_client`, for what the service adds to
/// it. The invoking crate depends on reqwest and re-exports [`RetryPolicy`] at its root.
#[doc(hidden)]
#[macro_export]
macro_rules! client_settings_setters {
    ($field:ident; $(#[$http_client_attr:meta])*) => {
        /// Uses the caller's `reqwest::Client`, so that several clients share one connection
        /// pool (and its proxy and TLS settings), instead of one built with this crate's
        /// defaults. `reqwest::Client` is the one reqwest type in this crate's API, on purpose:
        /// see the crate documentation.
        ///
        $(#[$http_client_attr])*
        pub fn http_client(mut self, client: ::reqwest::Client) -> Self {
            self.$field = self.$field.http_client(client);
            self
        }

        /// Sets the retry policy (default [`RetryPolicy::default`](crate::RetryPolicy::default)).
        /// Requests that are not idempotent are never repeated once they may have reached the
        /// service.
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.$field = self.$field.retry_policy(policy);
            self
        }

        /// Sets the total timeout of one request attempt, from sending to the end of the body
        /// (default 30 s).
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$field = self.$field.timeout(timeout);
            self
        }

        #[doc = concat!("Sets the `User-Agent` (default `", env!("CARGO_PKG_NAME"), "/<version>`).")]
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.$field = self.$field.user_agent(user_agent);
            self
        }

        /// Sets the largest answer body read, in bytes (default 16 MiB); a larger one fails with
        /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge) rather than fill memory.
        pub fn max_body(mut self, bytes: usize) -> Self {
            self.$field = self.$field.max_body(bytes);
            self
        }

        /// Tells `observer` of every attempt and every wait of this client's requests: for
        /// metrics (requests, statuses, latencies, throttling), or to know whether a request is
        /// in flight. Clones of the client share it.
        pub fn observer(mut self, observer: ::std::sync::Arc<dyn $crate::Observer>) -> Self {
            self.$field = self.$field.observer(observer);
            self
        }
    };
}
