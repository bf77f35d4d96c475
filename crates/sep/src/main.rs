//! `sep`: the one binary of СЭП.

mod cmd;
mod config;
mod logging;
mod storage;
mod worker;

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// СЭП — личный кабинет государственных электронных услуг.
#[derive(Debug, Parser)]
#[command(name = "sep", version, about)]
struct Cli {
    /// TOML file with settings (also `SEP_CONFIG`).
    #[arg(long, global = true, env = "SEP_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the portal.
    Serve {
        /// Address to listen on (overrides `portal_addr`).
        #[arg(long)]
        portal_addr: Option<SocketAddr>,
    },
    /// Run the Госуслуги emulator alone, or administer it (`sep idp client add …`).
    Idp {
        /// Address to listen on (overrides `idp_addr`).
        #[arg(long)]
        idp_addr: Option<SocketAddr>,
        /// An administration command instead of serving.
        #[command(subcommand)]
        admin: Option<cmd::idp_admin::IdpAdmin>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Administer the integration API (`sep api client add|approve|disable`).
    Api {
        /// What to do.
        #[command(subcommand)]
        cmd: cmd::api::ApiCmd,
    },
    /// The built-in test certification authority (ГОСТ keys and certificates).
    Ca {
        /// The authority's directory.
        #[arg(long, default_value = "./sep-data/ca")]
        dir: PathBuf,
        /// What to do.
        #[command(subcommand)]
        cmd: cmd::ca::CaCmd,
    },
    /// Check a detached signature (`.sig`) of a document, as `/verify` does: exit 0 when
    /// valid, 1 when not, 2 when the files cannot be read.
    Verify {
        /// The document.
        file: PathBuf,
        /// Its signature (DER or PEM CMS).
        sig: PathBuf,
        /// Trust this authority's certificate (PEM or DER) instead of `trust_certificates` or
        /// the test authority in `data_dir/ca`.
        #[arg(long)]
        ca: Option<PathBuf>,
    },
    /// The e-passport verifier: `fetch` the signed lists from a portal, then `verify` a code
    /// (text or PNG) offline — exit 0 when valid, 1 when invalid or annulled, 2 when the code
    /// or the lists cannot be read.
    Passport {
        /// What to do.
        #[command(subcommand)]
        cmd: cmd::passport::PassportCmd,
    },
    /// The payment-provider emulator alone (`pay_token` and `pay_secret` as the portal has them).
    Pay {
        /// Listen address (default from the configuration, 127.0.0.1:8082).
        #[arg(long)]
        pay_addr: Option<SocketAddr>,
    },
    /// First run: create a data directory, migrate an embedded SQLite database, seed demo
    /// data, and serve the portal and the Госуслуги emulator.
    Demo {
        /// Data directory.
        #[arg(long, default_value = "./sep-data")]
        data_dir: PathBuf,
        /// Portal address.
        #[arg(long, default_value = "127.0.0.1:8080")]
        portal_addr: SocketAddr,
        /// Госуслуги emulator address.
        #[arg(long, default_value = "127.0.0.1:8081")]
        idp_addr: SocketAddr,
        /// Payment-provider emulator address.
        #[arg(long, default_value = "127.0.0.1:8082")]
        pay_addr: SocketAddr,
        /// Log in through the emulator's ЕСИА mode: the portal gets a ГОСТ key and certificate
        /// from the test authority in `DATA_DIR/ca` and signs its requests.
        #[arg(long)]
        esia: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cfg = match config::Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sep: ошибка настроек: {e:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sep: не удалось запустить среду выполнения: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Command::Verify { file, sig, ca } = &cli.command {
        return match cmd::verify::run(file, sig, ca.as_deref(), &cfg.trust_certificates, &cfg.data_dir) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("sep: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    if let Command::Passport { cmd: cmd::passport::PassportCmd::Verify { code, lists } } = &cli.command {
        return match cmd::passport::verify_code(code, lists) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("sep: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { portal_addr } => cmd::serve::run(cfg, portal_addr).await,
            Command::Idp { idp_addr, admin: None } => cmd::idp::run(cfg, idp_addr).await,
            Command::Idp { admin: Some(admin), .. } => cmd::idp_admin::run(cfg, admin).await,
            Command::Migrate => cmd::migrate::run(cfg).await,
            Command::Api { cmd } => cmd::api::run(cfg, cmd).await,
            Command::Ca { dir, cmd } => cmd::ca::run(&dir, cmd),
            Command::Verify { .. } => Ok(()),
            Command::Passport { cmd: cmd::passport::PassportCmd::Fetch { url, lists, pins } } => {
                cmd::passport::fetch(&url, &lists, &pins).await
            }
            Command::Passport { .. } => Ok(()),
            Command::Pay { pay_addr } => cmd::pay::run(cfg, pay_addr).await,
            Command::Demo { data_dir, portal_addr, idp_addr, pay_addr, esia } => {
                cmd::demo::run(cfg, data_dir, portal_addr, (idp_addr, pay_addr), esia).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "sep stopped with an error");
            eprintln!("sep: {e:#}");
            ExitCode::FAILURE
        }
    }
}
