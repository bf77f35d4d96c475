//! `sep api client add|approve|disable`: integrations from the command line — registered for a
//! person (as `POST /integration/register` does), approved out of test mode, or disabled.

use crate::config::Config;
use anyhow::Context;
use clap::Subcommand;
use sep_core::audit::Origin;
use sep_core::integration::Scope;
use sep_core::integration::client::{self, Decision, Registration};
use std::io::Write;

/// `sep api …`.
#[derive(Debug, Subcommand)]
pub enum ApiCmd {
    /// Registered clients of the API.
    #[command(subcommand)]
    Client(ClientCmd),
}

/// `sep api client …`.
#[derive(Debug, Subcommand)]
pub enum ClientCmd {
    /// Register an integration for a person; prints its client id and secret (shown once).
    Add {
        /// The owner's user id (UUID).
        #[arg(long)]
        owner: uuid::Uuid,
        /// `accounting`, `fns`, `bank`, `agency` or `other`.
        #[arg(long)]
        kind: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// Scopes, comma-separated (all its kind may have when absent).
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
    },
    /// Take a client out of test mode: its tokens act for its owner from now.
    Approve {
        /// The client id (`sep_cli_…`).
        id: String,
    },
    /// Stop a client: no new tokens, and its tokens stop working.
    Disable {
        /// The client id (`sep_cli_…`).
        id: String,
    },
}

/// Runs `cmd` against the configured database.
pub async fn run(cfg: Config, cmd: ApiCmd) -> anyhow::Result<()> {
    crate::logging::init(&cfg);
    let store = crate::storage::open(&cfg, true).await?;
    let now = time::OffsetDateTime::now_utc();
    // The journal names the command line as where the change came from.
    let origin = Origin { ip: Some("cli".into()), request_id: None };
    let ApiCmd::Client(cmd) = cmd;
    let mut out = std::io::stdout().lock();
    match cmd {
        ClientCmd::Add { owner, kind, name, scopes } => {
            let user = store.get_user(sep_core::ids::UserId(owner)).await.context("нет такого пользователя")?;
            let reg = Registration { kind, name, key: None, scopes, redirect_uris: vec![] };
            let (c, secret) = client::register(store.as_ref(), &user, &Scope::ALL, &reg, &origin, now)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", e.code()))?;
            writeln!(out, "client_id: {}", c.id)?;
            if let Some(secret) = secret {
                writeln!(out, "client_secret: {secret}")?;
            }
            writeln!(out, "mode: {}", c.mode.code())?;
            writeln!(out, "scopes: {}", c.scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(" "))?;
        }
        ClientCmd::Approve { id } => {
            let c = client::decide(store.as_ref(), &id, Decision::Approve, &origin, now)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", e.code()))?;
            writeln!(out, "{}: {}", c.id, c.mode.code())?;
        }
        ClientCmd::Disable { id } => {
            let c = client::decide(store.as_ref(), &id, Decision::Disable, &origin, now)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", e.code()))?;
            writeln!(out, "{}: disabled", c.id)?;
        }
    }
    Ok(())
}
