//! Accepting connections: a cap on how many are open, a deadline for request headers, and a
//! listener that never spins when the process runs out of file descriptors.
//!
//! Connections past [`Gate`]'s cap are still served a little (a band of [`REFUSAL_BAND`]), so
//! the refusal can say why: a WebSocket is closed with 60009, a plain request answered 503.
//! Past the band a connection is closed at once, before anything is read from it.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// Connections over the cap that are still read, to be told why they are refused.
pub const REFUSAL_BAND: usize = 64;
/// How long open requests may take to finish once the server stops.
const DRAIN: Duration = Duration::from_secs(10);

/// Who is on the other end of a connection, as request handlers see it (`ConnectInfo<Peer>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    pub addr: SocketAddr,
    /// The connection is over the cap: refuse whatever it asks.
    pub over_cap: bool,
}

impl Peer {
    pub fn ip(&self) -> IpAddr {
        self.addr.ip()
    }
}

/// Counts open connections against the cap.
#[derive(Debug)]
pub struct Gate {
    open: AtomicUsize,
    max: usize,
    /// Connections closed unread since the last warning (the warning is rate limited).
    shed: AtomicU64,
}

impl Gate {
    pub fn new(max: usize) -> Arc<Gate> {
        Arc::new(Gate {
            open: AtomicUsize::new(0),
            max,
            shed: AtomicU64::new(0),
        })
    }

    pub fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// Counts a new connection in; `None` when it is to be closed unread.
    fn admit(self: &Arc<Self>) -> Option<(Admitted, bool)> {
        let before = self.open.fetch_add(1, Ordering::AcqRel);
        let admitted = Admitted(Arc::clone(self));
        if before >= self.max.saturating_add(REFUSAL_BAND) {
            self.shed.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Some((admitted, before >= self.max))
    }
}

/// One open connection's place under the cap; given back when the socket closes.
#[derive(Debug)]
struct Admitted(Arc<Gate>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A TCP stream that holds its place under the cap for as long as it lives (a WebSocket
/// outlives the HTTP connection that upgraded it).
struct Counted {
    tcp: TcpStream,
    _admitted: Admitted,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until `stop` resolves, then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    gate: Arc<Gate>,
    header_timeout: Duration,
    stop: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let mut stop = std::pin::pin!(stop);
    let mut warned_at: Option<tokio::time::Instant> = None;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let (tcp, addr) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                accept_failed(&e).await;
                continue;
            }
        };
        let Some((admitted, over_cap)) = gate.admit() else {
            drop(tcp);
            warn_shed(&gate, &mut warned_at);
            continue;
        };
        // Nagle off: a push written while the client still owes the ACK of the previous frame
        // would otherwise wait for that ACK (up to the client's 40 ms delayed-ACK timer).
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY: {e}");
        }
        let peer = Peer { addr, over_cap };
        let io = TokioIo::new(Counted {
            tcp,
            _admitted: admitted,
        });
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let connection = builder
            .serve_connection_with_upgrades(io, service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::trace!("connection from {addr}: {e}");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still open {DRAIN:?} after the stop; leaving them");
    }
}

/// Out of file descriptors (or another resource): wait a little rather than spin, since
/// accept fails again at once until a connection closes.
async fn accept_failed(e: &io::Error) {
    match e.kind() {
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset => {}
        _ => {
            tracing::error!("accept error: {e}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// One warning per 10 s at most for connections closed over the cap.
fn warn_shed(gate: &Gate, warned_at: &mut Option<tokio::time::Instant>) {
    let now = tokio::time::Instant::now();
    if warned_at.is_some_and(|at| now.duration_since(at) < Duration::from_secs(10)) {
        return;
    }
    *warned_at = Some(now);
    let shed = gate.shed.swap(0, Ordering::Relaxed);
    tracing::warn!(
        open = gate.open(),
        max = gate.max(),
        shed,
        "connection cap reached: closing new connections unread"
    );
}
