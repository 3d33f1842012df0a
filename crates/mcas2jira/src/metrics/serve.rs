//! The listener of `watch --metrics-addr`: `GET /metrics` and `GET /healthz` over HTTP/1.1, on
//! hyper (already in the tree through reqwest) rather than a web framework, with a bound on
//! connections and on the time to send a request's head, so that a stuck or hostile client
//! cannot hold the service's file descriptors.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::Recorder;
use crate::shutdown::Shutdown;

/// Connections served at the same time; more wait to be accepted.
const MAX_CONNECTIONS: usize = 16;

/// How long a client may take to send a request's head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// A listener bound and serving.
#[derive(Debug)]
pub struct Listener {
    /// The address it listens on (with the port the system chose for port 0).
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    /// Stops serving.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// Binds `addr` and serves `/metrics` and `/healthz` from `recorder` until `stop` is requested.
///
/// # Errors
///
/// When the address cannot be bound (in use, not an address of this machine, a port below 1024
/// without the right to it).
pub async fn listen(addr: SocketAddr, recorder: Arc<Recorder>, stop: Shutdown) -> std::io::Result<Listener> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return };
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = stop.requested() => return,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!("metrics listener: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let recorder = Arc::clone(&recorder);
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let recorder = Arc::clone(&recorder);
                    async move { Ok::<_, Infallible>(answer(&recorder, &request)) }
                });
                let served = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
                if let Err(e) = served {
                    tracing::debug!("metrics listener: {e}");
                }
                drop(slot);
            });
        }
    });
    Ok(Listener { addr, task })
}

fn answer(recorder: &Recorder, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "only GET\n".into());
    }
    match request.uri().path() {
        "/metrics" => text(
            StatusCode::OK,
            prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
            recorder.encode(),
        ),
        "/healthz" => {
            let (healthy, body) = recorder.health();
            let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
            text(status, "application/json", body + "\n")
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found: try /metrics or /healthz\n".into(),
        ),
    }
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
