//! A TCP link under a test's control (SECURITY.md T11): put between the portal and PostgreSQL,
//! it passes traffic, cuts every connection and refuses new ones, or goes silent — accepting
//! and holding bytes without passing them, as a database that hangs does.

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Passes traffic.
    Up,
    /// Cuts every connection and refuses new ones.
    Down,
    /// Holds every byte: nothing passes until it is up again.
    Silent,
}

/// A link to one address, listening on loopback.
pub struct Link {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
}

impl Link {
    /// A link to `target`, up.
    pub async fn to(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (mode, watching) = watch::channel(Mode::Up);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *watching.borrow() == Mode::Down {
                    continue;
                }
                let Ok(server) = TcpStream::connect(target).await else { continue };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pump(cr, sw, watching.clone()));
                tokio::spawn(pump(sr, cw, watching.clone()));
            }
        });
        Self { addr, mode }
    }

    /// Where to connect instead of the target.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Changes what the link does, at once.
    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

/// Copies `from` to `to` while the link is up, waits while it is silent, ends when it is down.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut mode: watch::Receiver<Mode>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        loop {
            let now = *mode.borrow_and_update();
            match now {
                Mode::Up => break,
                Mode::Down => return,
                Mode::Silent => {
                    if mode.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
        // A change of mode first: bytes that arrive after `set` never pass under the old mode.
        tokio::select! {
            biased;
            changed = mode.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            read = from.read(&mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if to.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            },
        }
    }
}
