//! `sep demo`: the newcomer's first command.

use crate::config::Config;
use sep_core::clock::{Clock, SystemClock};
use sep_core::demo::{ORGANISATION, PEOPLE};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

fn banner(
    portal: SocketAddr,
    (idp, pay): (SocketAddr, &str),
    data_dir: &std::path::Path,
    seeded: usize,
    idp_seeded: usize,
) -> String {
    let mut s = String::new();
    s.push_str("\nСЭП запущен в демонстрационном режиме / SEP demo is running\n\n");
    s.push_str(&format!("  Портал СЭП:          http://{portal}/\n"));
    s.push_str(&format!("  Эмулятор Госуслуг:   http://{idp}/  (коды из SMS: http://{idp}/outbox)\n"));
    s.push_str(&format!("  Платёжный сервис:    {pay}/  (коды 3-D Secure: {pay}/outbox)\n"));
    s.push_str(
        "  Тестовые карты: 2200 0000 0000 0004 (успех), …0012 (отказ), …0020 (3-D Secure), …0038 (нет ответа)\n",
    );
    s.push_str(&format!("  Данные:              {}\n", data_dir.display()));
    let data = if seeded + idp_seeded > 0 {
        format!("добавлено пользователей СЭП: {seeded}, учётных записей Госуслуг: {idp_seeded}")
    } else {
        "уже были, сохранены".to_owned()
    };
    s.push_str(&format!("  Демо-данные:         {data}\n\n"));
    s.push_str("  Демо-учётные записи Госуслуг (логин — телефон, почта, СНИЛС или ИНН):\n");
    for p in PEOPLE {
        s.push_str(&format!(
            "    {:<12} пароль {:<14} {} {} — {}\n",
            p.phone, p.password, p.last_name, p.first_name, p.purpose
        ));
    }
    s.push_str(&format!(
        "  ИП входит с кодом из приложения-аутентификатора: ключ {} (или «Получить код по SMS»)\n",
        sep_idp::demo::DEMO_TOTP_SECRET
    ));
    s.push_str(&format!("  Организация: {}, ИНН {}, ОГРН {}\n", ORGANISATION.0, ORGANISATION.1, ORGANISATION.2));
    s.push_str("  Войдите: откройте портал и нажмите «Войти через Госуслуги».\n\n");
    s.push_str("  Остановить: Ctrl-C. Повторный запуск с тем же каталогом сохраняет данные.\n");
    s
}

const YEAR: std::time::Duration = std::time::Duration::from_secs(365 * 86_400);

/// The test authority in `dir`, made on the first run (with its revocation list) and kept
/// afterwards: the portal trusts it for signatures checked at `/verify`.
fn test_authority(dir: &std::path::Path) -> anyhow::Result<sep_crypto::ca::TestCa> {
    use sep_crypto::ca::TestCa;
    if let Ok(ca) = TestCa::open(dir) {
        return Ok(ca);
    }
    let now = std::time::SystemTime::now();
    let ca = TestCa::init(dir, "CN=Тестовый УЦ СЭП,O=СЭП", 10 * YEAR, "TCA", now)?;
    ca.revocation_list(std::time::Duration::from_secs(7 * 86_400), now)?;
    Ok(ca)
}

/// The portal's ГОСТ key and certificate for the ЕСИА-mode demo, made by the test authority
/// in `dir` on the first run and kept afterwards.
fn esia_credentials(dir: &std::path::Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let (key, cert) = (dir.join("sep-portal.key.pem"), dir.join("sep-portal.cert.pem"));
    if key.exists() && cert.exists() {
        return Ok((key, cert));
    }
    let ca = test_authority(dir)?;
    ca.issue("sep-portal", sep_crypto::cert::Kind::Client, "CN=sep-portal,O=СЭП", YEAR, std::time::SystemTime::now())?;
    Ok((key, cert))
}

/// Creates the data directory, migrates the embedded database, seeds, prints, serves.
pub async fn run(
    mut cfg: Config,
    data_dir: PathBuf,
    portal: SocketAddr,
    (idp, pay): (SocketAddr, SocketAddr),
    esia: bool,
) -> anyhow::Result<()> {
    cfg.data_dir = data_dir;
    cfg.portal_addr = portal.to_string();
    cfg.idp_addr = idp.to_string();
    cfg.pay_addr = pay.to_string();
    // The demo always runs on the embedded database, whatever the environment says.
    cfg.database_url = crate::config::Secret::default();
    crate::logging::init(&cfg);
    tracing::info!(config = ?cfg, "effective configuration");
    std::fs::create_dir_all(&cfg.data_dir)?;
    let store = crate::storage::open(&cfg, true).await?;
    let seeded = sep_core::demo::seed_staff(store.as_ref(), &cfg.idp_issuer(), SystemClock.now()).await?;
    // The portal's SMS and e-mail go to the emulator's outbox through its message gateway.
    let gateway_token = sep_core::session::SessionToken::generate()?.expose().to_owned();
    cfg.idp_gateway_token = crate::config::Secret::from(gateway_token.as_str());
    cfg.notify_gateway_url = format!("{}/outbox/deliver", cfg.idp_issuer());
    cfg.notify_gateway_token = crate::config::Secret::from(gateway_token.as_str());
    let (idp_state, idp_seeded) = super::idp::open(&cfg).await?;
    let secret = super::idp::register_portal(&cfg, &idp_state, &cfg.portal_addr).await?;
    // The portal logs people in through the emulator it runs beside.
    cfg.oidc_issuer = cfg.idp_issuer();
    cfg.oidc_client_id = super::idp::PORTAL_CLIENT_ID.to_owned();
    cfg.oidc_client_secret = crate::config::Secret::from(secret.as_str());
    cfg.public_url = format!("http://{}", cfg.portal_addr);
    test_authority(&cfg.data_dir.join("ca"))?;
    if esia {
        let (key, certificate) = esia_credentials(&cfg.data_dir.join("ca"))?;
        let der = sep_crypto::cert::from_pem_or_der(&std::fs::read(&certificate)?)
            .ok_or_else(|| anyhow::anyhow!("{}: не сертификат", certificate.display()))?;
        let gost = sep_core::signer::Algorithm::Gost2012_256;
        idp_state.oidc.register_esia_client(super::idp::PORTAL_CLIENT_ID, &der, gost).await?;
        cfg.esia_key = key;
        cfg.esia_certificate = certificate;
    }
    cfg.demo_outbox = true;
    // The demo's programs listen on this machine.
    cfg.webhooks_allow_private = true;
    let shutdown = sep_web::server::Shutdown::on_signals()?;
    let listener = super::serve::bind(portal)?;
    let idp_listener = super::serve::bind(idp)?;
    let (actual, idp_actual) = (listener.local_addr()?, idp_listener.local_addr()?);
    // The payment emulator beside them, with a token and a callback secret of this run —
    // unless a provider is configured (`SEP_PAY_URL` with its token and secret): then the
    // demo pays through that one, which outlives the portal (the crash journey needs that).
    let pay_listener = if cfg.pay_url.is_empty() {
        let l = super::serve::bind(pay)?;
        cfg.pay_url = format!("http://{}", l.local_addr()?);
        cfg.pay_token = crate::config::Secret::from(sep_core::session::SessionToken::generate()?.expose());
        cfg.pay_secret = crate::config::Secret::from(sep_core::session::SessionToken::generate()?.expose());
        Some(l)
    } else {
        None
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        banner(actual, (idp_actual, cfg.pay_url.trim_end_matches('/')), &cfg.data_dir, seeded, idp_seeded)
    )?;
    out.flush()?;
    drop(out);
    let pay_url = cfg.pay_url.clone();
    let provider = async {
        match pay_listener {
            Some(l) => super::pay::serve(&cfg, pay_url, l, shutdown.clone()).await,
            None => Ok(()),
        }
    };
    tokio::try_join!(
        super::serve::serve_portal(&cfg, store, listener, shutdown.clone()),
        super::idp::serve(&cfg, idp_state, idp_listener, shutdown.clone()),
        provider,
    )?;
    Ok(())
}
