//! `sep idp`: the Госуслуги emulator on its own origin.

use crate::config::Config;
use anyhow::Context;
use sep_core::clock::{Clock, SystemClock};
use sep_idp::login::LoginConfig;
use sep_idp::sqlite::IdpSqlite;
use sep_idp::web::IdpState;
use sep_idp::{LoginService, store::IdpStore};
use std::net::SocketAddr;
use std::sync::Arc;

/// The emulator's state over its database in the data directory (`idp.db`), with the demo
/// accounts seeded. Returns the state and how many accounts were added.
pub async fn open(cfg: &Config) -> anyhow::Result<(IdpState, usize)> {
    std::fs::create_dir_all(&cfg.data_dir)
        .with_context(|| format!("не удалось создать каталог {}", cfg.data_dir.display()))?;
    let path = cfg.data_dir.join("idp.db");
    let store = Arc::new(
        IdpSqlite::open(&path).with_context(|| format!("не удалось открыть базу эмулятора {}", path.display()))?,
    );
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let login = LoginService::new(store.clone(), clock.clone(), LoginConfig::default()).context("эмулятор Госуслуг")?;
    let seeded =
        sep_idp::demo::seed(store.as_ref(), login.hasher(), clock.now()).await.context("демо-данные эмулятора")?;
    let state = IdpState { login, store: store as Arc<dyn IdpStore>, secure_cookies: false };
    Ok((state, seeded))
}

/// Serves the emulator on `listener` until SIGINT/SIGTERM.
pub async fn serve(cfg: &Config, state: IdpState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let router = sep_idp::web::router(state, &super::serve::web_config(cfg));
    sep_web::server::serve(listener, router, sep_web::server::shutdown_signal())
        .await
        .context("эмулятор Госуслуг остановился с ошибкой")?;
    tracing::info!("Gosuslugi emulator stopped");
    Ok(())
}

/// Runs the emulator alone.
pub async fn run(mut cfg: Config, addr: Option<SocketAddr>) -> anyhow::Result<()> {
    if let Some(a) = addr {
        cfg.idp_addr = a.to_string();
    }
    crate::logging::init(&cfg);
    tracing::info!(config = ?cfg, "effective configuration");
    let addr: SocketAddr =
        cfg.idp_addr.parse().with_context(|| format!("idp_addr {:?} не является адресом", cfg.idp_addr))?;
    let (state, seeded) = open(&cfg).await?;
    let listener = super::serve::bind(addr)?;
    tracing::info!(addr = %listener.local_addr()?, seeded, "Gosuslugi emulator listening");
    serve(&cfg, state, listener).await
}
