//! Listening and serving: a deep accept backlog and graceful shutdown.

use axum::Router;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket};

/// Accept queue length. tokio's default of 128 overflows under 10,000 concurrent clients.
pub const BACKLOG: u32 = 4096;

/// Binds `addr` with a backlog of [`BACKLOG`].
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.set_nodelay(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// How long a client may take, and how long a stop waits.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// A request's headers must arrive within this (a client that sends half a request, or
    /// opens a connection and says nothing, is cut off rather than held forever). hyper also
    /// runs it while a kept-alive connection waits for its next request, so an idle connection
    /// closes after this long too.
    pub header_read: Duration,
    /// On a stop, requests in flight get this long to finish; then the server exits anyway
    /// (an idle or stuck connection never keeps it from stopping).
    pub drain: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { header_read: Duration::from_secs(10), drain: Duration::from_secs(30) }
    }
}

/// Serves `router` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_with(listener, router, shutdown, Timeouts::default()).await
}

/// [`serve`] with `timeouts`. Each connection is served by hyper with a header-read timeout
/// and watched, so a stop closes idle connections and waits for busy ones at most
/// `timeouts.drain`. The peer's address reaches handlers as `ConnectInfo<SocketAddr>`.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: Timeouts,
) -> io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;
    crate::metrics::handle();
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(timeouts.header_read);
    builder.http2().timer(TokioTimer::new());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors or a reset before accept: the listener stays.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = tower::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            tower::ServiceExt::oneshot(router.clone(), req.map(axum::body::Body::new))
        });
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            // A client that goes away or times out is not the server's error.
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(timeouts.drain, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after the drain time; stopping anyway");
    }
    Ok(())
}

/// A shutdown request shared by every server in the process. The signal handlers are
/// installed when it is made, so a signal that arrives before a server starts waiting is
/// not lost (each server waiting on its own `ctrl_c()` could miss it and never stop).
#[derive(Clone)]
pub struct Shutdown {
    rx: tokio::sync::watch::Receiver<bool>,
    _tx: Option<std::sync::Arc<tokio::sync::watch::Sender<bool>>>,
}

impl Shutdown {
    /// Listens for SIGINT (Ctrl-C) and SIGTERM from now on. Must run inside the runtime.
    pub fn on_signals() -> io::Result<Self> {
        let (tx, rx) = tokio::sync::watch::channel(false);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut int = signal(SignalKind::interrupt())?;
            let mut term = signal(SignalKind::terminate())?;
            tokio::spawn(async move {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
                tracing::info!("shutdown requested; finishing requests in flight");
                let _ = tx.send(true);
            });
            Ok(Self { rx, _tx: None })
        }
        #[cfg(not(unix))]
        {
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                let _ = tx.send(true);
            });
            Ok(Self { rx, _tx: None })
        }
    }

    /// A shutdown that never comes (tests stop servers by dropping the runtime).
    pub fn never() -> Self {
        let (tx, rx) = tokio::sync::watch::channel(false);
        Self { rx, _tx: Some(std::sync::Arc::new(tx)) }
    }

    /// Resolves once shutdown is requested.
    pub async fn wait(mut self) {
        while !*self.rx.borrow() {
            if self.rx.changed().await.is_err() {
                // The signal task ended without a signal: wait forever rather than stop.
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    async fn read_some(stream: &mut TcpStream) -> String {
        let mut buf = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.unwrap().unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    /// Serves a one-route router with `timeouts`; the sender stops it.
    fn start(
        timeouts: Timeouts,
    ) -> (SocketAddr, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>) {
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let router = Router::new().route(
            "/",
            axum::routing::get(|axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<SocketAddr>| async move {
                format!("ok from {}", peer.ip())
            }),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_with(
            listener,
            router,
            async {
                let _ = stopped.await;
            },
            timeouts,
        ));
        (addr, stop, server)
    }

    /// Whether the server closes `stream` within `within`, and how long it took.
    async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
        let started = std::time::Instant::now();
        let mut rest = Vec::new();
        tokio::time::timeout(within, stream.read_to_end(&mut rest)).await.ok().map(|_| started.elapsed())
    }

    /// SECURITY.md (slow clients): half a request is cut off after the header timeout, and so is
    /// a kept-alive connection that sits idle that long.
    #[tokio::test]
    async fn slow_and_idle_clients_are_cut_off_after_the_header_timeout() {
        let (addr, _stop, _server) =
            start(Timeouts { header_read: Duration::from_millis(500), drain: Duration::from_secs(2) });

        // A whole request is answered, with the peer's address; the connection stays open, then
        // closes once it has been idle for the header timeout.
        let mut idle = TcpStream::connect(addr).await.unwrap();
        idle.write_all(b"GET / HTTP/1.1\r\nHost: sep\r\n\r\n").await.unwrap();
        let answer = read_some(&mut idle).await;
        assert!(answer.starts_with("HTTP/1.1 200") && answer.contains("ok from 127.0.0.1"), "{answer}");
        let idle_for = closed_within(&mut idle, Duration::from_secs(5)).await;
        assert!(idle_for.is_some(), "an idle kept-alive connection is not held open");

        // Half a request: the connection is closed once the header timeout passes.
        let mut half = TcpStream::connect(addr).await.unwrap();
        half.write_all(b"GET / HTTP/1.1\r\nHost: sep\r\n").await.unwrap();
        let took = closed_within(&mut half, Duration::from_secs(5)).await;
        assert!(took.is_some(), "a half-sent request is not held open");
        assert!(took.unwrap() >= Duration::from_millis(400), "cut off by the timeout, not at once: {took:?}");
    }

    /// A stop neither waits for an idle connection nor hangs on a stuck one: with a header
    /// timeout far longer than the drain, the server still exits within the drain.
    #[tokio::test]
    async fn idle_and_stuck_clients_never_hold_a_stop() {
        let (addr, stop, server) =
            start(Timeouts { header_read: Duration::from_secs(60), drain: Duration::from_secs(1) });
        let mut idle = TcpStream::connect(addr).await.unwrap();
        idle.write_all(b"GET / HTTP/1.1\r\nHost: sep\r\n\r\n").await.unwrap();
        assert!(read_some(&mut idle).await.starts_with("HTTP/1.1 200"));
        let mut stuck = TcpStream::connect(addr).await.unwrap();
        stuck.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let _ = stop.send(());
        let done = tokio::time::timeout(Duration::from_secs(3), server).await;
        assert!(matches!(done, Ok(Ok(Ok(())))), "the server stops within the drain time: {done:?}");
        drop((idle, stuck));
    }
}
