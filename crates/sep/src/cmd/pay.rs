//! `sep pay`: the payment-provider emulator alone (`sep demo` runs it beside the portal).

use crate::config::Config;
use anyhow::Context;
use std::net::SocketAddr;

/// Serves the emulator on `listener` until `shutdown`; its pages say they are at `public_url`.
pub async fn serve(
    cfg: &Config,
    public_url: String,
    listener: tokio::net::TcpListener,
    shutdown: sep_web::server::Shutdown,
) -> anyhow::Result<()> {
    let settings = sep_pay::PaySettings {
        public_url,
        api_token: cfg.pay_token.expose().to_owned(),
        callback_secret: cfg.pay_secret.expose().to_owned(),
    };
    sep_web::server::serve(listener, sep_pay::router(sep_pay::PayState::new(settings)), shutdown.wait())
        .await
        .context("эмулятор платёжного сервиса остановился с ошибкой")?;
    tracing::info!("payment emulator stopped");
    Ok(())
}

/// Runs the emulator.
pub async fn run(mut cfg: Config, addr: Option<SocketAddr>) -> anyhow::Result<()> {
    if let Some(a) = addr {
        cfg.pay_addr = a.to_string();
    }
    crate::logging::init(&cfg);
    if cfg.pay_token.expose().is_empty() || cfg.pay_secret.expose().is_empty() {
        anyhow::bail!("pay_token и pay_secret обязательны: портал обращается к эмулятору с ними");
    }
    let addr: SocketAddr =
        cfg.pay_addr.parse().with_context(|| format!("pay_addr {:?} не является адресом", cfg.pay_addr))?;
    let shutdown = sep_web::server::Shutdown::on_signals().context("обработчики сигналов")?;
    let listener = super::serve::bind(addr)?;
    let actual = listener.local_addr()?;
    tracing::info!(addr = %actual, "payment emulator listening");
    serve(&cfg, format!("http://{actual}"), listener, shutdown).await
}
