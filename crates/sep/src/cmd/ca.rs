//! `sep ca …`: the built-in test certification authority (SPEC E2) — keys and ГОСТ
//! certificates for clients (systems calling ЕСИА), users and the system, revocation, lists,
//! checks. For tests and demonstrations: a real deployment uses an accredited authority.

use anyhow::{Context, bail};
use clap::Subcommand;
use sep_crypto::ca::TestCa;
use sep_crypto::cert::Kind;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const DAY: Duration = Duration::from_secs(86_400);

/// What to do with the authority.
#[derive(Debug, Subcommand)]
pub enum CaCmd {
    /// Create the authority: its key and self-signed certificate.
    Init {
        /// Its name.
        #[arg(long, default_value = "CN=Тестовый УЦ СЭП,O=СЭП")]
        subject: String,
        /// Days its certificate is valid.
        #[arg(long, default_value_t = 3650)]
        days: u32,
        /// ГОСТ Р 34.10-2012 (256) parameter set: TCA, A, B or C.
        #[arg(long, default_value = "TCA")]
        paramset: String,
    },
    /// Issue a key and a certificate.
    Issue {
        /// Who it is for: client, user or system.
        #[arg(long)]
        kind: String,
        /// File name for the key and certificate (`NAME.key.pem`, `NAME.cert.der`).
        #[arg(long)]
        name: String,
        /// Subject, e.g. `CN=sep-portal,O=СЭП`.
        #[arg(long)]
        subject: String,
        /// Days it is valid.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// Revoke a certificate by its serial number (and sign a new list).
    Revoke {
        /// Serial number.
        #[arg(long)]
        serial: u64,
    },
    /// Sign a new revocation list.
    Crl {
        /// Days it is valid.
        #[arg(long, default_value_t = 7)]
        days: u32,
    },
    /// Sign a file with a key the authority issued (`NAME.key.pem`, `NAME.cert.der`): a
    /// detached CMS signature `FILE.sig`, as `openssl cms -sign -binary -outform DER` makes.
    Sign {
        /// The key's name, as given to `issue`.
        #[arg(long)]
        name: String,
        /// The file to sign.
        file: PathBuf,
    },
    /// Check a certificate (DER or PEM) against the authority and its list.
    Check {
        /// The certificate file.
        cert: PathBuf,
    },
}

fn days(n: u32) -> Duration {
    DAY * n
}

/// Runs `cmd` on the authority in `dir`.
pub fn run(dir: &Path, cmd: CaCmd) -> anyhow::Result<()> {
    let now = SystemTime::now();
    let mut out = std::io::stdout().lock();
    match cmd {
        CaCmd::Init { subject, days: n, paramset } => {
            TestCa::init(dir, &subject, days(n), &paramset, now)?;
            writeln!(out, "Удостоверяющий центр создан: {}", dir.join("ca.cert.pem").display())?;
        }
        CaCmd::Issue { kind, name, subject, days: n } => {
            let Some(kind) = Kind::from_name(&kind) else {
                bail!("вид «{kind}» неизвестен: client, user или system");
            };
            let ca = TestCa::open(dir).context("сначала создайте удостоверяющий центр: sep ca init")?;
            let issued = ca.issue(&name, kind, &subject, days(n), now)?;
            writeln!(out, "серийный номер: {}", issued.serial)?;
            writeln!(out, "ключ: {}", issued.key.display())?;
            writeln!(out, "сертификат: {}", issued.cert.display())?;
            writeln!(out, "client_certificate_hash: {}", issued.hash)?;
        }
        CaCmd::Revoke { serial } => {
            TestCa::open(dir)?.revoke(serial, now)?;
            writeln!(out, "Сертификат {serial} отозван; список отзыва: {}", dir.join("crl.pem").display())?;
        }
        CaCmd::Crl { days: n } => {
            TestCa::open(dir)?.revocation_list(days(n), now)?;
            writeln!(out, "Список отзыва: {}", dir.join("crl.pem").display())?;
        }
        CaCmd::Sign { name, file } => {
            let ca = TestCa::open(dir).context("сначала создайте удостоверяющий центр: sep ca init")?;
            let (key, cert) = ca.credentials(&name)?;
            let content = std::fs::read(&file).with_context(|| file.display().to_string())?;
            let sig = sep_crypto::cms::sign_detached(&content, &key, &cert, now)?;
            let mut target = file.clone().into_os_string();
            target.push(".sig");
            std::fs::write(&target, sig).with_context(|| format!("{}", PathBuf::from(&target).display()))?;
            writeln!(out, "подпись: {}", PathBuf::from(target).display())?;
        }
        CaCmd::Check { cert } => {
            let bytes = std::fs::read(&cert).with_context(|| cert.display().to_string())?;
            match TestCa::open(dir)?.check(&bytes, now) {
                Ok(()) => writeln!(out, "Сертификат действителен")?,
                Err(sep_crypto::ca::CaError::Cert(e)) => bail!("{e} ({})", e.code()),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}
