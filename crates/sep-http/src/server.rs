//! Listening and serving: a deep accept backlog and graceful shutdown.

use axum::Router;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
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

/// Serves `router` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    crate::metrics::handle();
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
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
