//! Configuration: built-in defaults, then an optional TOML file, then `SEP_*` environment
//! variables (`SEP_PORTAL_ADDR` sets `portal_addr`), then command-line flags. Every key has
//! a default, so a fresh machine needs no file at all.

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// A secret value: usable by the program, printed as `[скрыто]`. URLs keep everything
/// but their password when printed, so a log still says which server was used.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The value, for the code that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("\"\"");
        }
        // scheme://user:password@host/… → scheme://user:[скрыто]@host/…
        if let Some((scheme, rest)) = self.0.split_once("://")
            && let Some((userinfo, host)) = rest.rsplit_once('@')
        {
            let user = userinfo.split(':').next().unwrap_or_default();
            return if userinfo.contains(':') {
                write!(f, "\"{scheme}://{user}:[скрыто]@{host}\"")
            } else {
                write!(f, "\"{scheme}://{user}@{host}\"")
            };
        }
        if self.0.contains("://") && !self.0.contains('@') {
            // A URL without credentials; passwords may still hide in its query.
            let base = self.0.split('?').next().unwrap_or_default();
            return write!(f, "\"{base}{}\"", if self.0.contains('?') { "?[скрыто]" } else { "" });
        }
        f.write_str("[скрыто]")
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The effective configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the portal listens.
    pub portal_addr: String,
    /// Where the Госуслуги emulator listens.
    pub idp_addr: String,
    /// The emulator's public base URL (its OpenID Connect issuer); empty: `http://{idp_addr}`.
    pub idp_public_url: String,
    /// An SMTP relay for the emulator's e-mail (`smtp://user:pass@host:587?tls=required`,
    /// `smtps://host`); empty: e-mail only goes to the outbox page.
    pub idp_smtp_url: Secret,
    /// The emulator's sender address.
    pub idp_mail_from: String,
    /// Wrong passwords in a row that lock an account at the emulator.
    pub idp_lock_failures: u32,
    /// How long the lock lasts, in minutes.
    pub idp_lock_minutes: u32,
    /// Data directory: the SQLite database and, later, files.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL; empty for SQLite at `data_dir/sep.db`.
    pub database_url: Secret,
    /// PostgreSQL pool size.
    pub database_max_connections: u32,
    /// How long `sep` waits at start for a PostgreSQL database that does not answer yet.
    pub database_wait_seconds: u32,
    /// Apply pending migrations when `serve` starts.
    pub auto_migrate: bool,
    /// `pretty` or `json`.
    pub log_format: LogFormat,
    /// Log filter (`info`, `sep=debug,info`…); `RUST_LOG` overrides it.
    pub log_level: String,
    /// Minutes without a request after which a session ends.
    pub session_idle_minutes: u32,
    /// Hours after login after which a session ends in any case.
    pub session_absolute_hours: u32,
    /// End a session used from another IP address than the one it started from.
    pub session_bind_ip: bool,
    /// The portal's public base URL; empty: `http://{portal_addr}`. `https://` makes cookies
    /// `Secure` with the `__Host-` prefix.
    pub public_url: String,
    /// The identity provider's issuer URL; empty: "Войти через Госуслуги" says it is not set up.
    pub oidc_issuer: String,
    /// The portal's client id at the provider.
    pub oidc_client_id: String,
    /// The portal's client secret at the provider.
    pub oidc_client_secret: Secret,
    /// Scopes besides `openid`, space-separated.
    pub oidc_scopes: String,
    /// Seconds before a call to the provider is given up.
    pub oidc_timeout_seconds: u32,
    /// ЕСИА mode: the portal's ГОСТ private key (PKCS#8 PEM file, e.g. from `sep ca issue`);
    /// empty: standard OpenID Connect.
    pub esia_key: PathBuf,
    /// ЕСИА mode: the key's certificate (DER or PEM file), registered at ЕСИА.
    pub esia_certificate: PathBuf,
    /// ЕСИА mode: ЕСИА's certificate that signs the tokens (DER or PEM file); empty: fetched
    /// from `{oidc_issuer}/aas/oauth2/cert`, which only the emulator serves.
    pub esia_token_certificate: PathBuf,
    /// The trusted authorities' certificates (a PEM bundle or one DER file) that signatures
    /// are checked against; empty: the test authority in `data_dir/ca`.
    pub trust_certificates: PathBuf,
    /// The keys that seal people's cloud-signature keys (AES-256-GCM): `id:64 hex digits`,
    /// comma-separated, the first sealing new keys and every one opening what it sealed (put a
    /// new key first to rotate). Empty: a key kept in `data_dir/signing.keys` (made on first
    /// start; fine for the demo, not for production).
    pub signing_keys: Secret,
    /// The keys that seal every kept file — scans, photos, fingerprints (Кузнечик CTR + OMAC):
    /// the same form as `signing_keys`. Empty: a key kept in `data_dir/files.keys` (made on
    /// first start; fine for the demo, not for production).
    pub file_keys: Secret,
    /// Reverse proxies and load balancers in front of `sep` (addresses or networks,
    /// comma-separated) whose `X-Forwarded-For` names the client; empty: none is trusted.
    pub trusted_proxies: String,
    /// The bearer token a metrics scraper presents at `/metrics`; empty: `/metrics` is served
    /// only under `sep demo`.
    pub metrics_token: Secret,
    /// A directory of extra service definitions (`*.toml`); empty: the built-in ones only.
    pub services_dir: PathBuf,
    /// A directory of extra kinds of справка (`*.toml`); empty: the built-in ones only.
    pub spravki_dir: PathBuf,
    /// Show the portal's outgoing SMS and e-mail at `/outbox` (set by `sep demo`; never in production).
    pub demo_outbox: bool,
    /// Let webhook subscriptions post to loopback and private networks, over plain http too (set
    /// by `sep demo`; never in production: a subscriber could reach the portal's own network).
    pub webhooks_allow_private: bool,
    /// The HTTP message gateway for the portal's SMS (and e-mail when `smtp_url` is empty):
    /// `POST {channel, to, subject, text}` with a bearer token; empty: messages wait in the queue.
    pub notify_gateway_url: String,
    /// The gateway's bearer token.
    pub notify_gateway_token: Secret,
    /// An SMTP relay for the portal's e-mail (same forms as `idp_smtp_url`).
    pub smtp_url: Secret,
    /// The payment provider's API (`http://127.0.0.1:8082`); empty: no online payments.
    pub pay_url: String,
    /// The bearer token of the provider's API.
    pub pay_token: Secret,
    /// The secret the provider signs its callbacks with (shared with it).
    pub pay_secret: Secret,
    /// The payment-provider emulator's listen address (`sep pay`, `sep demo`).
    pub pay_addr: String,
    /// The portal's sender address.
    pub mail_from: String,
    /// Opens the emulator's message gateway (`POST /outbox/deliver`) to this bearer token.
    pub idp_gateway_token: Secret,
    /// Seconds after which a request is cut off.
    pub request_timeout_seconds: u32,
    /// Largest request body in bytes.
    pub max_body_bytes: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            portal_addr: "127.0.0.1:8080".into(),
            idp_addr: "127.0.0.1:8081".into(),
            idp_public_url: String::new(),
            idp_smtp_url: Secret::default(),
            idp_mail_from: "Госуслуги (эмулятор) <noreply@gosuslugi.test>".into(),
            idp_lock_failures: 5,
            idp_lock_minutes: 15,
            data_dir: PathBuf::from("./sep-data"),
            database_url: Secret::default(),
            database_max_connections: 16,
            database_wait_seconds: 60,
            auto_migrate: true,
            log_format: LogFormat::Pretty,
            log_level: "info".into(),
            session_idle_minutes: 15,
            session_absolute_hours: 12,
            session_bind_ip: false,
            public_url: String::new(),
            oidc_issuer: String::new(),
            oidc_client_id: "sep-portal".into(),
            oidc_client_secret: Secret::default(),
            oidc_scopes: "fullname birthdate gender snils inn id_doc email mobile usr_org".into(),
            oidc_timeout_seconds: 10,
            esia_key: PathBuf::new(),
            esia_certificate: PathBuf::new(),
            esia_token_certificate: PathBuf::new(),
            trust_certificates: PathBuf::new(),
            signing_keys: Secret::default(),
            file_keys: Secret::default(),
            trusted_proxies: String::new(),
            metrics_token: Secret::default(),
            services_dir: PathBuf::new(),
            spravki_dir: PathBuf::new(),
            demo_outbox: false,
            webhooks_allow_private: false,
            notify_gateway_url: String::new(),
            notify_gateway_token: Secret::default(),
            smtp_url: Secret::default(),
            pay_url: String::new(),
            pay_token: Secret::default(),
            pay_secret: Secret::default(),
            pay_addr: "127.0.0.1:8082".into(),
            mail_from: "СЭП <noreply@sep.test>".into(),
            idp_gateway_token: Secret::default(),
            request_timeout_seconds: 30,
            // A 10 MB document (a charter) or a mail message with its form around it.
            max_body_bytes: 11 * 1024 * 1024,
        }
    }
}

fn env_value(key: &str, raw: &str, like: &toml::Value) -> anyhow::Result<toml::Value> {
    Ok(match like {
        toml::Value::Integer(_) => toml::Value::Integer(
            raw.trim()
                .parse()
                .with_context(|| format!("SEP_{}: ожидается целое число, получено {raw:?}", key.to_uppercase()))?,
        ),
        toml::Value::Boolean(_) => toml::Value::Boolean(match raw.trim() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => bail!("SEP_{}: ожидается true или false, получено {raw:?}", key.to_uppercase()),
        }),
        _ => toml::Value::String(raw.to_owned()),
    })
}

impl Config {
    /// Layers the file (if any) and the environment over the defaults. `env` is passed in so
    /// tests need not touch the process environment.
    pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Self> {
        let mut table = toml::Table::try_from(Self::default()).context("defaults")?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("не удалось прочитать файл настроек {}", path.display()))?;
            let from_file: toml::Table =
                toml::from_str(&text).with_context(|| format!("ошибка в файле настроек {}", path.display()))?;
            for (k, v) in from_file {
                if !table.contains_key(&k) {
                    bail!("неизвестный параметр {k:?} в файле настроек {}", path.display());
                }
                table.insert(k, v);
            }
        }
        for (name, raw) in env {
            let Some(key) = name.strip_prefix("SEP_").map(str::to_lowercase) else { continue };
            // Other SEP_ variables (SEP_CONFIG, SEP_TEST_…) are not settings.
            if let Some(like) = table.get(&key) {
                let v = env_value(&key, &raw, like)?;
                table.insert(key, v);
            }
        }
        let cfg: Self = table.try_into().context("недопустимое значение в настройках")?;
        if let Err(bad) = sep_web::client::parse_proxies(&cfg.trusted_proxies) {
            bail!("trusted_proxies: «{bad}» — не адрес и не сеть (нужно, например, 10.0.0.1 или 10.0.0.0/8)");
        }
        Ok(cfg)
    }

    /// The portal's base URL.
    pub fn portal_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.portal_addr)
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }

    /// The emulator's issuer URL.
    pub fn idp_issuer(&self) -> String {
        if self.idp_public_url.is_empty() {
            format!("http://{}", self.idp_addr)
        } else {
            self.idp_public_url.trim_end_matches('/').to_owned()
        }
    }

    /// The SQLite file used when no `database_url` is set.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("sep.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_then_file_then_environment() {
        assert_eq!(Config::load(None, env(&[])).unwrap(), Config::default());

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sep.toml");
        std::fs::write(&file, "portal_addr = \"0.0.0.0:9000\"\nsession_idle_minutes = 20\nlog_format = \"json\"\n")
            .unwrap();
        let cfg = Config::load(Some(&file), env(&[])).unwrap();
        assert_eq!(
            (cfg.portal_addr.as_str(), cfg.session_idle_minutes, cfg.log_format),
            ("0.0.0.0:9000", 20, LogFormat::Json)
        );

        let cfg = Config::load(
            Some(&file),
            env(&[
                ("SEP_SESSION_IDLE_MINUTES", "25"),
                ("SEP_AUTO_MIGRATE", "false"),
                ("SEP_TEST_ALL", "1"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!((cfg.portal_addr.as_str(), cfg.session_idle_minutes, cfg.auto_migrate), ("0.0.0.0:9000", 25, false));
    }

    #[test]
    fn mistakes_are_named() {
        let err = Config::load(None, env(&[("SEP_SESSION_IDLE_MINUTES", "пятнадцать")])).unwrap_err();
        assert!(format!("{err:#}").contains("SEP_SESSION_IDLE_MINUTES"), "{err:#}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sep.toml");
        std::fs::write(&file, "portal_adr = \"x\"\n").unwrap();
        let err = Config::load(Some(&file), env(&[])).unwrap_err();
        assert!(format!("{err:#}").contains("portal_adr"), "{err:#}");
        let err = Config::load(None, env(&[("SEP_LOG_FORMAT", "xml")])).unwrap_err();
        assert!(format!("{err:#}").contains("настройках"), "{err:#}");
    }

    #[test]
    fn secrets_are_redacted_when_printed() {
        let cfg = Config { database_url: "postgres://sep:s3cr3t@db.internal:5432/sep".into(), ..Config::default() };
        let printed = format!("{cfg:?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
        assert!(printed.contains("postgres://sep:[скрыто]@db.internal:5432/sep"), "{printed}");
        assert_eq!(format!("{:?}", Secret::from("plain-token")), "[скрыто]");
        assert_eq!(format!("{:?}", Secret::from("postgres://h/db?password=x")), "\"postgres://h/db?[скрыто]\"");
        assert_eq!(cfg.database_url.expose(), "postgres://sep:s3cr3t@db.internal:5432/sep");
    }
}
