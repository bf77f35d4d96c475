//! `sep serve`.

use crate::config::Config;
use anyhow::Context;
use sep_core::application::review::Reviewer;
use sep_core::clock::SystemClock;
use sep_core::registry::Registries;
use sep_core::registry::emulator::EmulatedRegistries;
use sep_core::session::SessionPolicy;
use sep_core::store::Store;
use sep_web::auth::{OidcSettings, RelyingParty};
use sep_web::server::Shutdown;
use sep_web::session::SessionConfig;
use sep_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The authorities whose signatures the portal trusts: `trust_certificates` when set, else the
/// test authority in `data_dir/ca` when there is one (a warning when there is none).
pub fn trust_list(cfg: &Config) -> sep_crypto::verify::TrustList {
    let list = if cfg.trust_certificates.as_os_str().is_empty() {
        sep_crypto::verify::TrustList::from_ca_dir(&cfg.data_dir.join("ca"))
    } else {
        sep_crypto::verify::TrustList::from_file(&cfg.trust_certificates)
    };
    list.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "no trusted authority: every signature checked at /verify will be untrusted");
        sep_crypto::verify::TrustList::default()
    })
}

/// The cloud signature's authority: the test authority in `data_dir/ca` with the keys of
/// `signing_keys` (or of `data_dir/signing.keys`, made on first use); `None`, with a warning,
/// when there is no authority.
pub fn cloud_authority(cfg: &Config) -> anyhow::Result<Option<Arc<dyn sep_core::signing::Authority>>> {
    use sep_crypto::cloud::CloudAuthority;
    let Ok(ca) = sep_crypto::ca::TestCa::open(&cfg.data_dir.join("ca")) else {
        tracing::warn!("no certification authority in data_dir/ca: the cloud signature is off");
        return Ok(None);
    };
    let ring = key_ring(cfg, cfg.signing_keys.expose(), "signing.keys").context("signing_keys")?;
    Ok(Some(Arc::new(CloudAuthority::new(ca, ring))))
}

/// The key ring in `configured`, or else in `data_dir/FILE` (made on first use, with a
/// warning: a key beside the data it seals is for the demo only).
fn key_ring(cfg: &Config, configured: &str, file: &str) -> anyhow::Result<sep_crypto::cloud::KeyRing> {
    use sep_crypto::cloud::KeyRing;
    if !configured.is_empty() {
        return Ok(KeyRing::parse(configured)?);
    }
    let path = cfg.data_dir.join(file);
    if !path.exists() {
        tracing::warn!(file = %path.display(), "no keys configured: a sealing key is kept in data_dir");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        use std::io::Write;
        let key = KeyRing::generate("k1").context("ключ шифрования не создан")?;
        // Written whole under a name of its own, then linked into place: another instance
        // starting at the same moment reads either no file or a complete one, and if it linked
        // first, its key is the one.
        let tmp = cfg.data_dir.join(format!(".{file}.{}", std::process::id()));
        let written = options
            .open(&tmp)
            .and_then(|mut f| f.write_all(key.as_bytes()).and_then(|()| f.sync_all()))
            .with_context(|| format!("{}: ключ шифрования не записан", tmp.display()));
        let linked = written.and_then(|()| match std::fs::hard_link(&tmp, &path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e).with_context(|| format!("{}: ключ шифрования не записан", path.display())),
        });
        let _ = std::fs::remove_file(&tmp);
        linked?;
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("{}: ключ шифрования не читается", path.display()))?;
    Ok(KeyRing::parse(&text)?)
}

/// Where the portal keeps files: `data_dir/files`, every file sealed ([`sep_crypto::seal`]).
pub fn file_store(cfg: &Config) -> anyhow::Result<Arc<dyn sep_core::application::attachment::FileStore>> {
    let local =
        sep_core::application::attachment::LocalFileStore::new(cfg.data_dir.join("files")).context("каталог файлов")?;
    let ring = key_ring(cfg, cfg.file_keys.expose(), "files.keys").context("file_keys")?;
    Ok(Arc::new(sep_crypto::seal::SealedFiles::new(local, sep_crypto::seal::FileSeal::new(ring))))
}

/// The e-passport's keys beside the authority in `data_dir/ca` (made on first use) and the
/// lists they sign; `None`, with a warning, when there is no authority.
pub fn passport_publisher(cfg: &Config) -> anyhow::Result<Option<Arc<sep_core::passport::publish::Publisher>>> {
    let dir = cfg.data_dir.join("ca");
    if sep_crypto::ca::TestCa::open(&dir).is_err() {
        tracing::warn!("no certification authority in data_dir/ca: e-passports are not issued");
        return Ok(None);
    }
    let pki = sep_crypto::passport::PassportPki::open(&dir, std::time::SystemTime::now())
        .context("ключи электронного паспорта")?;
    let keys = Arc::new(pki.keyring().context("ключи электронного паспорта")?);
    Ok(Some(Arc::new(sep_core::passport::publish::Publisher::new(keys, Arc::new(sep_crypto::passport::PassportKeys)))))
}

/// The web settings derived from the configuration.
pub fn web_config(cfg: &Config) -> WebConfig {
    WebConfig {
        request_timeout: Duration::from_secs(u64::from(cfg.request_timeout_seconds)),
        max_body_bytes: usize::try_from(cfg.max_body_bytes).unwrap_or(usize::MAX),
        sessions: SessionConfig {
            policy: SessionPolicy {
                idle: time::Duration::minutes(i64::from(cfg.session_idle_minutes)),
                absolute: time::Duration::hours(i64::from(cfg.session_absolute_hours)),
            },
            secure_cookies: cfg.portal_url().starts_with("https://"),
            bind_ip: cfg.session_bind_ip,
        },
        demo_outbox: cfg.demo_outbox,
        public_url: cfg.portal_url(),
        // Checked when the configuration was loaded.
        trusted_proxies: sep_web::client::parse_proxies(&cfg.trusted_proxies).unwrap_or_default(),
        metrics: if !cfg.metrics_token.expose().is_empty() {
            sep_web::ops::metrics::MetricsAccess::Token(cfg.metrics_token.expose().to_owned())
        } else if cfg.demo_outbox {
            sep_web::ops::metrics::MetricsAccess::Open
        } else {
            sep_web::ops::metrics::MetricsAccess::Closed
        },
        ..WebConfig::default()
    }
}

/// The built-in services and those in `services_dir`.
pub fn catalogue(cfg: &Config) -> anyhow::Result<sep_core::catalogue::Catalogue> {
    let dir = (!cfg.services_dir.as_os_str().is_empty()).then_some(cfg.services_dir.as_path());
    sep_core::catalogue::Catalogue::load(dir).context("каталог услуг")
}

/// The relying party for the configured provider, if any.
pub fn relying_party(cfg: &Config) -> anyhow::Result<Option<Arc<RelyingParty>>> {
    if cfg.oidc_issuer.is_empty() {
        return Ok(None);
    }
    let base = cfg.portal_url();
    let settings = OidcSettings {
        issuer: cfg.oidc_issuer.trim_end_matches('/').to_owned(),
        client_id: cfg.oidc_client_id.clone(),
        client_secret: cfg.oidc_client_secret.expose().to_owned(),
        redirect_url: format!("{base}/login/callback"),
        post_logout_url: format!("{base}/"),
        scopes: cfg.oidc_scopes.split_whitespace().map(str::to_owned).collect(),
        timeout: Duration::from_secs(u64::from(cfg.oidc_timeout_seconds)),
        esia: esia_settings(cfg)?,
    };
    let rp = RelyingParty::new(settings).map_err(|f| anyhow::anyhow!("клиент OpenID Connect: {}", f.code()))?;
    Ok(Some(Arc::new(rp)))
}

/// The portal's ЕСИА credentials, when `esia_key` is set.
fn esia_settings(cfg: &Config) -> anyhow::Result<Option<sep_web::auth::EsiaSettings>> {
    if cfg.esia_key.as_os_str().is_empty() {
        return Ok(None);
    }
    let read = |p: &std::path::Path| std::fs::read(p).with_context(|| format!("ЕСИА: {}", p.display()));
    let pem = String::from_utf8(read(&cfg.esia_key)?).context("esia_key: ожидается PEM")?;
    let key = sep_crypto::gost::pkcs8::from_pem(&pem).map_err(|e| anyhow::anyhow!("esia_key: {e}"))?;
    let cert = |p: &std::path::Path| -> anyhow::Result<Vec<u8>> {
        sep_crypto::cert::from_pem_or_der(&read(p)?).with_context(|| format!("{}: не сертификат X.509", p.display()))
    };
    let certificate = cert(&cfg.esia_certificate)?;
    let public = sep_crypto::cert::public_key(&certificate).map_err(|e| anyhow::anyhow!("esia_certificate: {e}"))?;
    if public.to_le_bytes() != key.verifying_key().to_le_bytes() {
        anyhow::bail!("esia_certificate выдан не для ключа esia_key");
    }
    // ЕСИА's certificates: a PEM file may hold several (ГОСТ and RSA).
    let token_certificates = if cfg.esia_token_certificate.as_os_str().is_empty() {
        Vec::new()
    } else {
        let bytes = read(&cfg.esia_token_certificate)?;
        let all = match std::str::from_utf8(&bytes) {
            Ok(text) if text.contains("-----BEGIN") => sep_crypto::cert::pem_bundle(text),
            _ => vec![cert(&cfg.esia_token_certificate)?],
        };
        if all.is_empty() {
            anyhow::bail!("esia_token_certificate: в файле нет сертификатов");
        }
        all
    };
    Ok(Some(sep_web::auth::EsiaSettings { key: Arc::new(key), certificate, token_certificates }))
}

/// The built-in kinds of справка and those in `spravki_dir`.
pub fn kinds(cfg: &Config) -> anyhow::Result<sep_core::spravka::Kinds> {
    let dir = (!cfg.spravki_dir.as_os_str().is_empty()).then_some(cfg.spravki_dir.as_path());
    sep_core::spravka::Kinds::load(dir).context("виды справок")
}

/// The payment provider, when `pay_url` is set.
pub fn pay_link(cfg: &Config) -> anyhow::Result<Option<sep_web::pay::PayLink>> {
    if cfg.pay_url.is_empty() {
        tracing::warn!("no pay_url: charges are paid by QR code only");
        return Ok(None);
    }
    // Without a secret anyone could sign a callback saying «paid».
    if cfg.pay_secret.expose().len() < 16 || cfg.pay_token.expose().is_empty() {
        anyhow::bail!("pay_url задан, а pay_secret (не короче 16 символов) или pay_token — нет");
    }
    let provider = Arc::new(sep_web::pay::HttpProvider::new(&cfg.pay_url, cfg.pay_token.expose()));
    Ok(Some(sep_web::pay::PayLink {
        provider,
        callback_secret: cfg.pay_secret.expose().as_bytes().into(),
        origin: cfg.pay_url.clone(),
    }))
}

/// The delivery of e-mail and SMS, when a channel is configured.
fn delivery(cfg: &Config) -> anyhow::Result<Option<sep_web::delivery::Delivery>> {
    let gateway = (!cfg.notify_gateway_url.is_empty()).then(|| sep_web::delivery::Gateway {
        url: cfg.notify_gateway_url.clone(),
        token: cfg.notify_gateway_token.expose().to_owned(),
    });
    let mailer: Option<Arc<dyn sep_core::notice::Mailer>> = if cfg.smtp_url.expose().is_empty() {
        None
    } else {
        Some(Arc::new(sep_idp::mail::SmtpRelay::from_url(cfg.smtp_url.expose(), &cfg.mail_from).context("smtp_url")?))
    };
    Ok(sep_web::delivery::Delivery::new(gateway, mailer))
}

/// Binds the portal address; the listener is returned so callers can print it first.
pub fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    sep_web::server::bind(addr)
        .with_context(|| format!("не удалось занять адрес {addr} (порт занят другим процессом?)"))
}

/// How old an unreferenced file must be before the startup sweep removes it: another
/// instance sharing the directory may be between writing a file and its row.
pub const ORPHAN_GRACE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Serves the portal on `listener` until `shutdown`.
pub async fn serve_portal(
    cfg: &Config,
    store: Arc<dyn Store>,
    listener: tokio::net::TcpListener,
    shutdown: Shutdown,
) -> anyhow::Result<()> {
    let files = file_store(cfg)?;
    // A crash between storing a file and its row leaves a file nobody points to.
    match sep_core::application::attachment::sweep_orphans(files.as_ref(), store.as_ref(), ORPHAN_GRACE).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "orphan files swept"),
        Err(e) => tracing::warn!(error = %e, "orphan file sweep failed"),
    }
    let passports = passport_publisher(cfg)?;
    let mut catalogue = catalogue(cfg)?;
    if passports.is_none() {
        // Without the keys no e-passport could be issued: the service is not offered.
        catalogue = catalogue.without(|s| s.result == sep_core::catalogue::ServiceResult::EPassport);
    }
    let catalogue = Arc::new(catalogue);
    // Application threads written before they were mail move into it (once; nothing is left
    // to move on later starts). Not moved, they stay where they were for the next start.
    match sep_core::application::thread::absorb_legacy(store.as_ref(), &catalogue).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(moved = n, "application threads moved into the mailbox"),
        Err(e) => tracing::warn!(code = e.code(), "application threads not moved into the mailbox"),
    }
    let clock: Arc<dyn sep_core::clock::Clock> = Arc::new(SystemClock);
    // The registries are the built-in emulator until real adapters are configured.
    let emulator = Arc::new(EmulatedRegistries::new());
    // ГИС ГМП is the same emulator until a real adapter is configured.
    let charges: Arc<dyn sep_core::payment::ChargeRegistry> = emulator.clone();
    // The emulator keeps the state fees the portal placed in memory: they are placed again.
    match sep_core::payment::fee::replay(store.as_ref(), charges.as_ref()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(fees = n, "state fees placed in ГИС ГМП again"),
        Err(e) => tracing::warn!(error = %e, "state fees not placed again"),
    }
    let registries = Registries::all(emulator.clone());
    if !cfg.demo_outbox {
        // Only the demo people pass the emulator's checks: everyone else would be refused.
        tracing::warn!(
            "registry checks use the built-in ФНС/СФР/МВД emulator: only the demo identities pass; \
             connect real registry adapters before serving real applicants"
        );
    }
    let reviewer = Reviewer { store: store.clone(), catalogue: catalogue.clone(), registries };
    let mut queues: Vec<(sep_core::job::Queue, Arc<dyn sep_core::job::Handler>)> =
        vec![(sep_core::application::review::QUEUE, Arc::new(reviewer))];
    let kinds = Arc::new(kinds(cfg)?);
    let authority = cloud_authority(cfg)?;
    let mut spravki = None;
    match &authority {
        Some(authority) => {
            let maker = Arc::new(sep_core::spravka::make::Maker {
                store: store.clone(),
                kinds: kinds.clone(),
                records: emulator.clone(),
                authority: authority.clone(),
                render: Arc::new(sep_pdf::PdfRenderer::new().map_err(anyhow::Error::msg).context("шрифты справок")?),
                files: files.clone(),
                public_url: cfg.public_url.clone(),
            });
            queues.push((sep_core::spravka::make::QUEUE, maker.clone()));
            spravki = Some(maker);
            let receipts = sep_core::payment::receipt::ReceiptMaker {
                store: store.clone(),
                registry: charges.clone(),
                authority: authority.clone(),
                render: Arc::new(sep_pdf::PdfRenderer::new().map_err(anyhow::Error::msg).context("шрифты квитанций")?),
                files: files.clone(),
                public_url: cfg.public_url.clone(),
            };
            queues.push((sep_core::payment::receipt::QUEUE, Arc::new(receipts)));
        }
        None => tracing::warn!("no signing authority: справки are not issued"),
    }
    if let Some(p) = &passports {
        let pdf = match &authority {
            Some(authority) => Some(sep_core::passport::issue::PdfParts {
                authority: authority.clone(),
                render: Arc::new(sep_pdf::PdfRenderer::new().map_err(anyhow::Error::msg).context("шрифты паспорта")?),
                files: files.clone(),
                public_url: cfg.public_url.clone(),
            }),
            None => None,
        };
        let issuer = sep_core::passport::issue::Issuer {
            store: store.clone(),
            catalogue: catalogue.clone(),
            keys: p.keys.clone(),
            pdf,
        };
        queues.push((sep_core::passport::issue::QUEUE, Arc::new(issuer)));
    }
    let pay = pay_link(cfg)?;
    if let Some(link) = &pay {
        let checker = sep_core::payment::pay::Checker { store: store.clone(), provider: link.provider.clone() };
        queues.push((sep_core::job::Queue::Payments, Arc::new(checker)));
    }
    let desk = sep_core::payment::account::RefundDesk {
        store: store.clone(),
        registry: charges.clone(),
        // The treasury is the emulator until a real adapter is configured.
        treasury: emulator.clone(),
    };
    queues.push((sep_core::payment::account::QUEUE, Arc::new(desk)));
    match delivery(cfg)? {
        Some(d) => queues.push((sep_web::delivery::QUEUE, Arc::new(d.reading(files.clone())))),
        None => tracing::warn!("no notify_gateway_url or smtp_url: e-mail and SMS wait in the queue"),
    }
    let hooks: Arc<dyn sep_core::integration::webhook::deliver::Sender> =
        Arc::new(sep_web::webhooks::HttpSender::new(cfg.webhooks_allow_private));
    let webhooks = sep_core::integration::webhook::deliver::Webhooks { store: store.clone(), sender: hooks.clone() };
    queues.push((sep_core::job::Queue::Webhooks, Arc::new(webhooks)));
    let operations =
        sep_core::integration::operation::Operations { store: store.clone(), catalogue: catalogue.clone() };
    queues.push((sep_core::job::Queue::Operations, Arc::new(operations)));
    let work = crate::worker::Work {
        store: store.clone(),
        queues,
        catalogue: catalogue.clone(),
        files: files.clone(),
        clock: clock.clone(),
        spravki,
        charges: charges.clone(),
    };
    let worker = tokio::spawn(crate::worker::run(work, shutdown.clone()));
    let state = AppState::new(store, clock, web_config(cfg), relying_party(cfg)?, catalogue, files)
        .trusting(Arc::new(trust_list(cfg)))
        .issuing(kinds)
        .charging(charges)
        .registering(emulator.clone())
        .checking_passports(emulator.clone())
        .hooking(hooks);
    let state = match pay {
        Some(link) => state.paying(link),
        None => state,
    };
    let state = match authority {
        Some(authority) => state.signing_with(authority),
        None => state,
    };
    let state = match passports {
        Some(p) => state.passporting(p),
        None => state,
    };
    sep_web::server::serve(listener, sep_web::router(state), shutdown.wait())
        .await
        .context("сервер остановился с ошибкой")?;
    if let Err(e) = worker.await {
        tracing::error!(error = %e, "worker ended abnormally");
    }
    tracing::info!("portal stopped");
    Ok(())
}

/// Runs the portal.
pub async fn run(mut cfg: Config, portal_addr: Option<SocketAddr>) -> anyhow::Result<()> {
    if let Some(a) = portal_addr {
        cfg.portal_addr = a.to_string();
    }
    crate::logging::init(&cfg);
    tracing::info!(config = ?cfg, "effective configuration");
    let addr: SocketAddr =
        cfg.portal_addr.parse().with_context(|| format!("portal_addr {:?} не является адресом", cfg.portal_addr))?;
    let store = crate::storage::open(&cfg, cfg.auto_migrate).await?;
    let shutdown = Shutdown::on_signals().context("обработчики сигналов")?;
    let listener = bind(addr)?;
    tracing::info!(addr = %listener.local_addr()?, backend = store.backend(), "portal listening");
    serve_portal(&cfg, store, listener, shutdown).await
}
