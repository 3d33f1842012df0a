//! The client, its builder, and the request plumbing every endpoint shares.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_support::{ClientOptions, DEFAULT_MAX_BODY, Idempotency, Redirects, RetryPolicy};
use reqwest::header::{ACCEPT, HeaderValue, USER_AGENT};
use reqwest::{Method, RequestBuilder, Response};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::{Error, RateLimit, Rated, Result};

/// The production base URL of APIv2.
pub const DEFAULT_BASE_URL: &str = "https://api.abuseipdb.com/api/v2/";

/// A client of the AbuseIPDB v2 API.
///
/// Cheap to clone: clones share one connection pool and configuration. Every request carries
/// the `Key` header (marked sensitive, so it is left out of logs) and `Accept: application/json`,
/// without which AbuseIPDB answers errors in HTML. The client built by default follows no
/// redirects, because reqwest would carry the custom `Key` header to any host a redirect names.
///
/// ```no_run
/// use abuseipdb_client::{CheckParams, Client};
/// use secrecy::SecretString;
///
/// # async fn demo() -> abuseipdb_client::Result<()> {
/// let client = Client::builder(SecretString::from("my-api-key")).build()?;
/// let answer = client.check("118.25.6.39".parse().unwrap(), &CheckParams::default()).await?;
/// println!("score {:?}, {:?} checks left today", answer.data.abuse_confidence_score, answer.rate_limit.remaining);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    key: SecretString,
    policy: RetryPolicy,
    /// Applied to each request when set, so that it holds for a caller's `reqwest::Client` too.
    timeout: Option<Duration>,
    /// Sent on each request when set; otherwise the `reqwest::Client`'s own is used.
    user_agent: Option<HeaderValue>,
    max_body: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("key", &"<redacted>")
            .field("policy", &self.inner.policy)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client that authenticates with `key`.
    pub fn builder(key: SecretString) -> ClientBuilder {
        ClientBuilder {
            key,
            base_url: None,
            http_client: None,
            policy: RetryPolicy::default(),
            timeout: None,
            user_agent: None,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// The base URL requests are made against.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The retry policy requests are sent with.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.policy
    }

    /// Sends a request to `endpoint` (relative to the base URL) and returns the success answer,
    /// body unread, with its rate-limit headers.
    pub(crate) async fn send<F>(
        &self,
        method: Method,
        endpoint: &'static str,
        idempotency: Idempotency,
        decorate: F,
    ) -> Result<(Response, RateLimit)>
    where
        F: Fn(RequestBuilder) -> RequestBuilder,
    {
        let inner = &self.inner;
        // The endpoint names are constants without special characters, so joining cannot fail
        // for a base URL that ends in a slash, which the builder guarantees; still, no panic.
        let url = inner
            .base_url
            .join(endpoint)
            .map_err(|e| Error::invalid("base_url", format!("cannot join {endpoint:?}: {e}")))?;
        let key = key_header(&inner.key)?;
        let build = || {
            let mut request = inner
                .http
                .request(method.clone(), url.clone())
                .header("Key", key.clone())
                .header(ACCEPT, HeaderValue::from_static("application/json"));
            if let Some(timeout) = inner.timeout {
                request = request.timeout(timeout);
            }
            if let Some(agent) = &inner.user_agent {
                request = request.header(USER_AGENT, agent.clone());
            }
            decorate(request)
        };
        let response = http_support::send(&inner.policy, idempotency, None, build, |_| false)
            .await
            .map_err(|e| Error::from_http(e, &inner.policy))?;
        let rate_limit = RateLimit::from_headers(response.headers());
        let status = response.status();
        if !status.is_success() {
            // A redirect (never followed) or an informational answer: not something to decode.
            let error = http_support::ErrorResponse::capture(response, 4096).await;
            return Err(Error::from_response(&error));
        }
        Ok((response, rate_limit))
    }

    /// Reads a success body with the client's cap.
    pub(crate) async fn body(&self, response: Response) -> Result<Bytes> {
        http_support::read_body(response, self.inner.max_body)
            .await
            .map_err(|e| Error::from_http(e, &self.inner.policy))
    }

    /// Sends a request and decodes the `{"data": ...}` envelope of its answer.
    pub(crate) async fn data<T, F>(
        &self,
        method: Method,
        endpoint: &'static str,
        idempotency: Idempotency,
        decorate: F,
    ) -> Result<Rated<T>>
    where
        T: DeserializeOwned,
        F: Fn(RequestBuilder) -> RequestBuilder,
    {
        let (response, rate_limit) = self.send(method, endpoint, idempotency, decorate).await?;
        let body = self.body(response).await?;
        let envelope: Envelope<T> = serde_json::from_slice(&body).map_err(|e| Error::decode(endpoint, e))?;
        Ok(Rated::new(envelope.data, rate_limit))
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

/// The one place the API key becomes a header value, marked sensitive so that reqwest and hyper
/// keep it out of `Debug` output and HTTP/2 header compression tables.
fn key_header(key: &SecretString) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(key.expose_secret().trim())
        .map_err(|_| Error::invalid("key", "the API key contains characters not allowed in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Options for a [`Client`]; made by [`Client::builder`].
pub struct ClientBuilder {
    key: SecretString,
    base_url: Option<Url>,
    http_client: Option<reqwest::Client>,
    policy: RetryPolicy,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    max_body: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("key", &"<redacted>")
            .field("base_url", &self.base_url.as_ref().map(Url::as_str))
            .field("http_client", &self.http_client.is_some())
            .field("policy", &self.policy)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sets the base URL (default [`DEFAULT_BASE_URL`]), e.g. a local mock server. A missing
    /// trailing slash is added, so that endpoint names are joined under it.
    #[must_use]
    pub fn base_url(mut self, url: Url) -> Self {
        self.base_url = Some(url);
        self
    }

    /// Uses the caller's `reqwest::Client` (to share a connection pool or a proxy setting). The
    /// caller is then responsible for its redirect policy: it should follow none, since reqwest
    /// would carry the `Key` header to whichever host a redirect names.
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sets the retry policy. Its [`max_wait`](RetryPolicy::max_wait) also separates a short
    /// throttle (slept through) from the daily quota ([`Error::QuotaExceeded`]).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the total timeout of each request attempt (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the `User-Agent` (default `abuseipdb-client/<version>`).
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sets the largest success body accepted (default 16 MiB); a full blacklist of a paid plan
    /// can need more.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a user agent that is not a valid header value, a base URL
    /// that cannot be a base, or one that is plain `http://` to a host other than loopback; [`Error::ClientSetup`] when the built-in HTTP client cannot be set
    /// up.
    pub fn build(self) -> Result<Client> {
        let mut base_url = match self.base_url {
            Some(url) => url,
            None => Url::parse(DEFAULT_BASE_URL).map_err(|e| Error::invalid("base_url", e.to_string()))?,
        };
        if base_url.cannot_be_a_base() {
            return Err(Error::invalid("base_url", "not a base URL"));
        }
        check_scheme(&base_url)?;
        if !base_url.path().ends_with('/') {
            let path = format!("{}/", base_url.path());
            base_url.set_path(&path);
        }
        let user_agent = self
            .user_agent
            .as_deref()
            .map(HeaderValue::from_str)
            .transpose()
            .map_err(|_| Error::invalid("user_agent", "not a valid header value"))?;
        let http = match self.http_client {
            Some(client) => client,
            None => {
                let mut options = ClientOptions::new(http_support::user_agent(
                    env!("CARGO_PKG_NAME"),
                    env!("CARGO_PKG_VERSION"),
                ))
                .redirects(Redirects::None);
                if let Some(timeout) = self.timeout {
                    options = options.timeout(timeout);
                }
                options.build().map_err(Error::ClientSetup)?
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                key: self.key,
                policy: self.policy,
                timeout: self.timeout,
                user_agent,
                max_body: self.max_body,
            }),
        })
    }
}

/// Refuses a base URL that would send the key in clear text: `https`, or `http` to a loopback
/// host only (local mock servers and tests).
fn check_scheme(url: &Url) -> Result<()> {
    let loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(Error::invalid("base_url", "plain http to a host that is not loopback; use https")),
        other => Err(Error::invalid("base_url", format!("{other}:// is not allowed; use https"))),
    }
}
