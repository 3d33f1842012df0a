//! The client, its builder, and the request plumbing every endpoint shares.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http_support::{ClientSettings, HttpClient, Redirects};
// `Idempotency` and `Method` are what the endpoint modules need besides `Client`: re-exported
// here so that each imports them in one line.
pub(crate) use http_support::Idempotency;
pub(crate) use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{RequestBuilder, Response};
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
    http: HttpClient,
    base_url: Url,
    key: SecretString,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("key", &"<redacted>")
            .field("http", &self.inner.http)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client that authenticates with `key`.
    pub fn builder(key: SecretString) -> ClientBuilder {
        ClientBuilder { key, base_url: None, settings: ClientSettings::default() }
    }

    /// The base URL requests are made against.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The retry policy requests are sent with.
    pub fn retry_policy(&self) -> &crate::RetryPolicy {
        self.inner.http.retry_policy()
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
            decorate(
                inner
                    .http
                    .request(method.clone(), url.clone())
                    .header("Key", key.clone())
                    .header(ACCEPT, HeaderValue::from_static("application/json")),
            )
        };
        let response = inner
            .http
            .send(idempotency, None, build, |_| false)
            .await
            .map_err(|e| Error::from_http(e, inner.http.retry_policy()))?;
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
        let http = &self.inner.http;
        http.read_body(response).await.map_err(|e| Error::from_http(e, http.retry_policy()))
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
#[must_use]
pub struct ClientBuilder {
    key: SecretString,
    base_url: Option<Url>,
    settings: ClientSettings,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("key", &"<redacted>")
            .field("base_url", &self.base_url.as_ref().map(Url::as_str))
            .field("settings", &self.settings)
            .finish()
    }
}

impl ClientBuilder {
    /// Sets the base URL (default [`DEFAULT_BASE_URL`]), e.g. a local mock server. A missing
    /// trailing slash is added, so that endpoint names are joined under it.
    pub fn base_url(mut self, url: Url) -> Self {
        self.base_url = Some(url);
        self
    }

    http_support::client_settings_setters! { settings;
        /// The caller is then responsible for its redirect policy: it should follow none, since
        /// reqwest would carry the `Key` header to whichever host a redirect names. The retry
        /// policy's [`max_wait`](crate::RetryPolicy::max_wait) also separates a short throttle
        /// (slept through) from the daily quota ([`Error::QuotaExceeded`]).
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a user agent that is not a valid header value, or a base URL
    /// that is not `https://` (nor `http://` to loopback), holds a user or password, or cannot
    /// be a base; [`Error::ClientSetup`] when the built-in HTTP client cannot be set up.
    pub fn build(self) -> Result<Client> {
        let mut base_url = match self.base_url {
            Some(url) => url,
            None => Url::parse(DEFAULT_BASE_URL).map_err(|e| Error::invalid("base_url", e.to_string()))?,
        };
        http_support::check_base_url(&base_url).map_err(|e| Error::invalid("base_url", e.to_string()))?;
        if !base_url.path().ends_with('/') {
            let path = format!("{}/", base_url.path());
            base_url.set_path(&path);
        }
        let http = self
            .settings
            .build(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), Redirects::None)
            .map_err(Error::from_settings)?;
        Ok(Client { inner: Arc::new(Inner { http, base_url, key: self.key }) })
    }
}
