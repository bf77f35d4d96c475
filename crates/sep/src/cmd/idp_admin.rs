//! `sep idp client|account|org add`: administration of the emulator from the command line.

use crate::config::Config;
use anyhow::Context;
use clap::Subcommand;
use sep_core::clock::{Clock, SystemClock};
use sep_idp::account::Level;
use sep_idp::admin::{AccountInput, OrgInput, add_account, add_org};
use std::io::Write;

/// What to administer.
#[derive(Debug, Subcommand)]
pub enum IdpAdmin {
    /// Relying parties (systems that log people in through the emulator).
    #[command(subcommand)]
    Client(ClientCmd),
    /// Person accounts.
    #[command(subcommand)]
    Account(AccountCmd),
    /// Organisations.
    #[command(subcommand)]
    Org(OrgCmd),
}

/// Client commands.
#[derive(Debug, Subcommand)]
pub enum ClientCmd {
    /// Registers a client, or updates one with the same id.
    Add {
        /// `client_id`.
        #[arg(long)]
        id: String,
        /// Name shown on the consent screen.
        #[arg(long)]
        name: String,
        /// Client secret, at least 32 characters (a random one is made and printed if omitted).
        #[arg(long)]
        secret: Option<String>,
        /// Redirect URI (repeat for several).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Where logout may return (repeat for several).
        #[arg(long = "post-logout-uri")]
        post_logout_uris: Vec<String>,
    },
    /// Registers the ГОСТ certificate a client signs its ЕСИА requests with (ЕСИА mode).
    Esia {
        /// `client_id` of a registered client.
        #[arg(long)]
        id: String,
        /// The certificate file, DER or PEM (e.g. from `sep ca issue --kind client`).
        #[arg(long)]
        certificate: std::path::PathBuf,
        /// How the emulator signs this client's tokens: GOST3410_2012_256 or RS256.
        #[arg(long, default_value = "GOST3410_2012_256")]
        token_alg: String,
    },
}

/// Account commands.
#[derive(Debug, Subcommand)]
pub enum AccountCmd {
    /// Creates an account.
    Add {
        /// Mobile phone, the login.
        #[arg(long)]
        phone: String,
        /// Password (≥ 8 characters with digits, upper- and lower-case letters).
        #[arg(long)]
        password: String,
        /// Фамилия.
        #[arg(long)]
        last_name: String,
        /// Имя.
        #[arg(long)]
        first_name: String,
        /// Отчество.
        #[arg(long)]
        middle_name: Option<String>,
        /// E-mail.
        #[arg(long)]
        email: Option<String>,
        /// Дата рождения ДД.ММ.ГГГГ.
        #[arg(long)]
        birth_date: Option<String>,
        /// СНИЛС.
        #[arg(long)]
        snils: Option<String>,
        /// ИНН.
        #[arg(long)]
        inn: Option<String>,
        /// Level: simplified, standard or confirmed.
        #[arg(long, default_value = "confirmed")]
        level: String,
    },
}

/// Organisation commands.
#[derive(Debug, Subcommand)]
pub enum OrgCmd {
    /// Creates an organisation with its head as employee.
    Add {
        /// Full name.
        #[arg(long)]
        full_name: String,
        /// Short name.
        #[arg(long, default_value = "")]
        short_name: String,
        /// ИНН (10 digits).
        #[arg(long)]
        inn: String,
        /// ОГРН.
        #[arg(long)]
        ogrn: String,
        /// КПП.
        #[arg(long)]
        kpp: String,
        /// Phone of the head's existing account.
        #[arg(long)]
        chief_phone: String,
        /// Head's position.
        #[arg(long, default_value = "Генеральный директор")]
        position: String,
    },
}

fn say(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

/// Runs an administration command against the emulator's database.
pub async fn run(cfg: Config, cmd: IdpAdmin) -> anyhow::Result<()> {
    crate::logging::init(&Config { log_level: "warn".into(), ..cfg.clone() });
    let (state, _) = super::idp::open(&cfg).await?;
    let now = SystemClock.now();
    match cmd {
        IdpAdmin::Client(ClientCmd::Add { id, name, secret, redirect_uris, post_logout_uris }) => {
            let (secret, made) = match secret {
                Some(s) => (s, false),
                None => (sep_core::session::SessionToken::generate()?.expose().to_owned(), true),
            };
            state
                .oidc
                .register_client(&id, &name, &secret, &redirect_uris, &post_logout_uris)
                .await
                .context("клиент не зарегистрирован")?;
            say(&format!("Клиент {id} зарегистрирован. Издатель (issuer): {}", state.oidc.issuer()))?;
            if made {
                say(&format!("client_secret: {secret}\nСохраните его: в базе хранится только хеш."))?;
            }
        }
        IdpAdmin::Client(ClientCmd::Esia { id, certificate, token_alg }) => {
            let alg = sep_core::signer::Algorithm::from_name(&token_alg)
                .filter(|a| *a != sep_core::signer::Algorithm::EcdsaP256)
                .context("--token-alg: GOST3410_2012_256 или RS256")?;
            let bytes = std::fs::read(&certificate).with_context(|| certificate.display().to_string())?;
            let der = sep_crypto::cert::from_pem_or_der(&bytes).context("файл не является сертификатом")?;
            state.oidc.register_esia_client(&id, &der, alg).await.context("сертификат не зарегистрирован")?;
            let hash = sep_crypto::gost::streebog256_hex(&der);
            say(&format!("Сертификат клиента {id} для режима ЕСИА зарегистрирован.\nclient_certificate_hash: {hash}"))?;
        }
        IdpAdmin::Account(AccountCmd::Add {
            phone,
            password,
            last_name,
            first_name,
            middle_name,
            email,
            birth_date,
            snils,
            inn,
            level,
        }) => {
            let level = Level::from_code(&level).context("--level: simplified, standard или confirmed")?;
            let input =
                AccountInput { phone, email, password, last_name, first_name, middle_name, birth_date, snils, inn };
            let oid = add_account(state.store.as_ref(), state.login.hasher(), &input, level, now).await?;
            say(&format!("Учётная запись создана: oid {oid}, уровень «{}»", level.title()))?;
        }
        IdpAdmin::Org(OrgCmd::Add { full_name, short_name, inn, ogrn, kpp, chief_phone, position }) => {
            let input = OrgInput { full_name, short_name, inn, ogrn, kpp, chief_phone, position };
            let oid = add_org(state.store.as_ref(), &input).await?;
            say(&format!("Организация создана: oid {oid}"))?;
        }
    }
    Ok(())
}
