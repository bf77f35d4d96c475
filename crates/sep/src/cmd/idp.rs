//! `sep idp`: the Госуслуги emulator on its own origin.

use crate::config::Config;
use anyhow::Context;
use sep_core::clock::{Clock, SystemClock};
use sep_idp::sqlite::IdpSqlite;
use sep_idp::web::IdpState;
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
    let relay = if cfg.idp_smtp_url.expose().is_empty() {
        None
    } else {
        let r = sep_idp::mail::SmtpRelay::from_url(cfg.idp_smtp_url.expose(), &cfg.idp_mail_from)
            .context("idp_smtp_url")?;
        Some(Arc::new(r))
    };
    let mut state = IdpState::with_relay(store.clone(), clock.clone(), &cfg.idp_issuer(), relay)
        .await
        .context("эмулятор Госуслуг")?;
    if !cfg.idp_gateway_token.expose().is_empty() {
        state = state.with_gateway_token(cfg.idp_gateway_token.expose());
    }
    let seeded = sep_idp::demo::seed(store.as_ref(), state.login.hasher(), clock.now())
        .await
        .context("демо-данные эмулятора")?;
    Ok((state, seeded))
}

/// Serves the emulator on `listener` until SIGINT/SIGTERM.
pub async fn serve(
    cfg: &Config,
    state: IdpState,
    listener: tokio::net::TcpListener,
    shutdown: sep_web::server::Shutdown,
) -> anyhow::Result<()> {
    let router = sep_idp::web::router(state, super::serve::web_config(cfg).limits());
    sep_web::server::serve(listener, router, shutdown.wait())
        .await
        .context("эмулятор Госуслуг остановился с ошибкой")?;
    tracing::info!("Gosuslugi emulator stopped");
    Ok(())
}

/// Registers the portal as a client of the emulator, with a secret kept in the data
/// directory (`sep-portal.client-secret`, made once) so the portal can read it.
pub async fn register_portal(cfg: &Config, state: &IdpState, portal: &str) -> anyhow::Result<String> {
    let path = cfg.data_dir.join("sep-portal.client-secret");
    let secret = match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= 32 => s.trim().to_owned(),
        _ => {
            let s =
                sep_core::session::SessionToken::generate().context("генератор случайных чисел")?.expose().to_owned();
            write_private(&path, &s)?;
            s
        }
    };
    let base = format!("http://{portal}");
    state
        .oidc
        .register_client(
            PORTAL_CLIENT_ID,
            "Система электронных услуг (СЭП)",
            &secret,
            &[format!("{base}/login/callback")],
            &[format!("{base}/")],
        )
        .await
        .context("регистрация портала в эмуляторе")?;
    Ok(secret)
}

/// The portal's client id at the emulator.
pub const PORTAL_CLIENT_ID: &str = "sep-portal";

fn write_private(path: &std::path::Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).with_context(|| format!("не удалось записать {}", path.display()))?;
    f.write_all(content.as_bytes())?;
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
    let shutdown = sep_web::server::Shutdown::on_signals().context("обработчики сигналов")?;
    let listener = super::serve::bind(addr)?;
    tracing::info!(addr = %listener.local_addr()?, seeded, "Gosuslugi emulator listening");
    serve(&cfg, state, listener, shutdown).await
}
