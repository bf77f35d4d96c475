//! The emulator's storage on SQLite, in its own database file (`idp.db`), through the same
//! plumbing as the portal's SQLite store.

mod oidc;
mod recovery;
mod registration;

use crate::account::{Account, Level, LoginId, Membership, Oid, Organisation};
use crate::lockout::Failures;
use crate::otp::CodeState;
use crate::outbox::{Channel, Message};
use crate::store::{AccountStore, IdpSession, LoginStore, LoginTxn, NewAccount, OutboxStore, StoreResult};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};
use sep_core::StoreError;
use sep_core::migrate::Migration;
use sep_core::session::SessionHash;
use sep_core::user::{Profile, ProfileRecord};
use sep_store_sqlite::Db;
use sep_store_sqlite::conv::{bad_code, date_text, from_ts, from_ts_opt, map_err, parse_date, ts};
use std::path::Path;
use time::OffsetDateTime;

/// The emulator's migrations.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "0001_idp_initial", sql: include_str!("../../migrations/0001_idp_initial.sql") },
    Migration { version: 2, name: "0002_oidc", sql: include_str!("../../migrations/0002_oidc.sql") },
    Migration { version: 3, name: "0003_recovery", sql: include_str!("../../migrations/0003_recovery.sql") },
    Migration { version: 4, name: "0004_registration", sql: include_str!("../../migrations/0004_registration.sql") },
    Migration { version: 5, name: "0005_totp", sql: include_str!("../../migrations/0005_totp.sql") },
    Migration { version: 6, name: "0006_esia", sql: include_str!("../../migrations/0006_esia.sql") },
    Migration { version: 7, name: "0007_reauth", sql: include_str!("../../migrations/0007_reauth.sql") },
];

/// The emulator's SQLite store.
pub struct IdpSqlite {
    pub(crate) db: Db,
}

impl IdpSqlite {
    /// Opens and migrates the database at `path`.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let db = Db::open(path)?;
        db.migrate(MIGRATIONS)?;
        Ok(Self { db })
    }
}

/// A one-time code stored in four columns from `first`: digest, expiry, tries left, spent.
pub(crate) fn code_state(r: &Row<'_>, first: usize) -> rusqlite::Result<CodeState> {
    Ok(CodeState {
        digest: r.get(first)?,
        expires_at: from_ts(r.get(first + 1)?)?,
        tries_left: r.get(first + 2)?,
        spent: r.get(first + 3)?,
    })
}

/// Stores a pending code's tries, spent flag and completion in `table` (recovery and
/// registration transactions keep them in the same columns).
pub(crate) fn update_code_txn(
    db: &Db,
    table: &'static str,
    hash: &SessionHash,
    code: &CodeState,
    completed_at: Option<OffsetDateTime>,
) -> StoreResult<()> {
    db.write(|tx| {
        tx.execute(
            &format!("UPDATE {table} SET code_tries_left = ?2, code_spent = ?3, completed_at = ?4 WHERE hash = ?1"),
            params![hash.0, code.tries_left, code.spent, completed_at.map(ts)],
        )
        .map_err(map_err)?;
        Ok(())
    })
}

const ACCOUNT_COLUMNS: &str = "oid, level, password_hash, totp_secret, last_name, first_name, middle_name, birth_date,
    birth_place, gender, snils, inn, phone, email, passport_series, passport_number, passport_issued_on,
    passport_issuer, passport_division_code, address, created_at";

fn account_row(r: &Row<'_>) -> rusqlite::Result<(Account, ProfileRecord)> {
    let level: String = r.get(1)?;
    let record = ProfileRecord {
        last_name: r.get(4)?,
        first_name: r.get(5)?,
        middle_name: r.get(6)?,
        birth_date: parse_date(r.get(7)?)?,
        birth_place: r.get(8)?,
        gender: r.get(9)?,
        snils: r.get(10)?,
        inn: r.get(11)?,
        phone: r.get(12)?,
        email: r.get(13)?,
        passport_series: r.get(14)?,
        passport_number: r.get(15)?,
        passport_issued_on: parse_date(r.get(16)?)?,
        passport_issuer: r.get(17)?,
        passport_division_code: r.get(18)?,
        address: r.get(19)?,
    };
    let account = Account {
        oid: r.get(0)?,
        profile: Profile::default(),
        level: Level::from_code(&level).ok_or_else(|| bad_code("level", &level))?,
        password_hash: r.get(2)?,
        totp_secret: r.get(3)?,
        created_at: from_ts(r.get(20)?)?,
    };
    Ok((account, record))
}

fn finish(row: Option<(Account, ProfileRecord)>) -> StoreResult<Option<Account>> {
    row.map(|(mut a, r)| {
        a.profile = Profile::try_from(r)?;
        Ok(a)
    })
    .transpose()
}

fn org_row(r: &Row<'_>, at: usize) -> rusqlite::Result<(Oid, String, String, String, String, String)> {
    Ok((r.get(at)?, r.get(at + 1)?, r.get(at + 2)?, r.get(at + 3)?, r.get(at + 4)?, r.get(at + 5)?))
}

fn org_from(
    (oid, full_name, short_name, inn, ogrn, kpp): (Oid, String, String, String, String, String),
) -> StoreResult<Organisation> {
    let refuse = |e: sep_core::ident::IdError| StoreError::Other(format!("stored organisation refused: {}", e.code()));
    Ok(Organisation {
        oid,
        full_name,
        short_name,
        inn: sep_core::ident::Inn::parse_organisation(&inn).map_err(refuse)?,
        ogrn: sep_core::ident::Ogrn::parse(&ogrn).map_err(refuse)?,
        kpp: sep_core::ident::Kpp::parse(&kpp).map_err(refuse)?,
    })
}

#[async_trait]
impl AccountStore for IdpSqlite {
    async fn insert_account(&self, a: &NewAccount) -> StoreResult<Oid> {
        let p = ProfileRecord::from(&a.profile);
        if p.phone.is_none() {
            return Err(StoreError::Conflict { constraint: "accounts.phone required".into() });
        }
        self.db.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                     ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"
                ),
                params![
                    a.oid, a.level.code(), a.password_hash, p.last_name, p.first_name, p.middle_name,
                    date_text(p.birth_date), p.birth_place, p.gender, p.snils, p.inn, p.phone, p.email,
                    p.passport_series, p.passport_number, date_text(p.passport_issued_on), p.passport_issuer,
                    p.passport_division_code, p.address, ts(a.created_at),
                ],
            )
            .map_err(map_err)?;
            Ok(tx.last_insert_rowid())
        })
    }

    async fn get_account(&self, oid: Oid) -> StoreResult<Account> {
        let row = self.db.read(|c| {
            c.prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE oid = ?1"))?
                .query_row([oid], account_row)
                .optional()
        })?;
        finish(row)?.ok_or(StoreError::NotFound)
    }

    async fn find_account(&self, id: &LoginId) -> StoreResult<Option<Account>> {
        let (column, value) = match id {
            LoginId::Phone(p) => ("phone", p.as_str().to_owned()),
            LoginId::Email(e) => ("email", e.as_str().to_owned()),
            LoginId::Snils(s) => ("snils", s.as_digits().to_owned()),
            LoginId::Inn(i) => ("inn", i.as_str().to_owned()),
        };
        let row = self.db.read(|c| {
            c.prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {column} = ?1"))?
                .query_row([value], account_row)
                .optional()
        })?;
        finish(row)
    }

    async fn update_password(&self, oid: Oid, hash: &str) -> StoreResult<()> {
        self.db.write(|tx| {
            let n = tx
                .execute("UPDATE accounts SET password_hash = ?2 WHERE oid = ?1", params![oid, hash])
                .map_err(map_err)?;
            if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        })
    }

    async fn update_totp_secret(&self, oid: Oid, secret: Option<&str>) -> StoreResult<()> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE accounts SET totp_secret = ?2, totp_last_step = NULL WHERE oid = ?1",
                    params![oid, secret],
                )
                .map_err(map_err)?;
            if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        })
    }

    async fn update_totp_step(&self, oid: Oid, step: i64) -> StoreResult<bool> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE accounts SET totp_last_step = ?2 WHERE oid = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
                    params![oid, step],
                )
                .map_err(map_err)?;
            Ok(n == 1)
        })
    }

    async fn insert_org(&self, o: &Organisation) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO organisations (oid, full_name, short_name, inn, ogrn, kpp) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![o.oid, o.full_name, o.short_name, o.inn.as_str(), o.ogrn.as_str(), o.kpp.as_str()],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn find_org_by_inn(&self, inn: &str) -> StoreResult<Option<Organisation>> {
        let row = self.db.read(|c| {
            c.prepare_cached("SELECT oid, full_name, short_name, inn, ogrn, kpp FROM organisations WHERE inn = ?1")?
                .query_row([inn], |r| org_row(r, 0))
                .optional()
        })?;
        row.map(org_from).transpose()
    }

    async fn insert_membership(&self, m: &Membership) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO memberships (org_oid, account_oid, position, chief, admin) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![m.org_oid, m.account_oid, m.position, m.chief, m.admin],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn list_memberships(&self, oid: Oid) -> StoreResult<Vec<(Membership, Organisation)>> {
        let rows = self.db.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT m.org_oid, m.account_oid, m.position, m.chief, m.admin,
                        o.oid, o.full_name, o.short_name, o.inn, o.ogrn, o.kpp
                 FROM memberships m JOIN organisations o ON o.oid = m.org_oid WHERE m.account_oid = ?1 ORDER BY o.oid",
            )?;
            s.query_map([oid], |r| {
                let m = Membership {
                    org_oid: r.get(0)?,
                    account_oid: r.get(1)?,
                    position: r.get(2)?,
                    chief: r.get(3)?,
                    admin: r.get(4)?,
                };
                Ok((m, org_row(r, 5)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(|(m, o)| Ok((m, org_from(o)?))).collect()
    }
}

const TXN_COLUMNS: &str = "hash, oid, created_at, expires_at, return_to, code_digest, code_expires_at, code_tries_left,
    code_spent, codes_sent, completed_at";

fn txn_row(r: &Row<'_>) -> rusqlite::Result<LoginTxn> {
    let digest: Option<String> = r.get(5)?;
    let code = match digest {
        Some(digest) => {
            Some(CodeState { digest, expires_at: from_ts(r.get(6)?)?, tries_left: r.get(7)?, spent: r.get(8)? })
        }
        None => None,
    };
    Ok(LoginTxn {
        hash: SessionHash(r.get(0)?),
        oid: r.get(1)?,
        created_at: from_ts(r.get(2)?)?,
        expires_at: from_ts(r.get(3)?)?,
        return_to: r.get(4)?,
        code,
        codes_sent: r.get(9)?,
        completed_at: from_ts_opt(r.get(10)?)?,
    })
}

#[async_trait]
impl LoginStore for IdpSqlite {
    async fn get_failures(&self, key: &str) -> StoreResult<Failures> {
        let row = self.db.read(|c| {
            c.prepare_cached("SELECT count, locked_until FROM login_failures WHERE key = ?1")?
                .query_row([key], |r| Ok(Failures { count: r.get(0)?, locked_until: from_ts_opt(r.get(1)?)? }))
                .optional()
        })?;
        Ok(row.unwrap_or_default())
    }

    async fn put_failures(&self, key: &str, f: Failures) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO login_failures (key, count, locked_until) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET count = excluded.count, locked_until = excluded.locked_until",
                params![key, f.count, f.locked_until.map(ts)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn delete_failures(&self, key: &str) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute("DELETE FROM login_failures WHERE key = ?1", [key]).map_err(map_err)?;
            Ok(())
        })
    }

    async fn insert_txn(&self, t: &LoginTxn) -> StoreResult<()> {
        let c = t.code.as_ref();
        self.db.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO login_txns ({TXN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                ),
                params![
                    t.hash.0,
                    t.oid,
                    ts(t.created_at),
                    ts(t.expires_at),
                    t.return_to,
                    c.map(|c| c.digest.clone()),
                    c.map(|c| ts(c.expires_at)),
                    c.map(|c| c.tries_left),
                    c.map(|c| c.spent),
                    t.codes_sent,
                    t.completed_at.map(ts),
                ],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn find_txn(&self, hash: &SessionHash) -> StoreResult<Option<LoginTxn>> {
        self.db.read(|c| {
            c.prepare_cached(&format!("SELECT {TXN_COLUMNS} FROM login_txns WHERE hash = ?1"))?
                .query_row([&hash.0], txn_row)
                .optional()
        })
    }

    async fn update_txn(&self, t: &LoginTxn) -> StoreResult<()> {
        let c = t.code.as_ref();
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE login_txns SET code_digest = ?2, code_expires_at = ?3, code_tries_left = ?4, code_spent = ?5,
                        codes_sent = ?6, completed_at = ?7 WHERE hash = ?1",
                    params![
                        t.hash.0, c.map(|c| c.digest.clone()), c.map(|c| ts(c.expires_at)), c.map(|c| c.tries_left),
                        c.map(|c| c.spent), t.codes_sent, t.completed_at.map(ts),
                    ],
                )
                .map_err(map_err)?;
            if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        })
    }

    async fn insert_session(&self, s: &IdpSession) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO idp_sessions (hash, oid, created_at, expires_at, amr, ended_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![s.hash.0, s.oid, ts(s.created_at), ts(s.expires_at), s.amr.join(" "), s.ended_at.map(ts)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn find_session(&self, hash: &SessionHash) -> StoreResult<Option<IdpSession>> {
        self.db.read(|c| {
            c.prepare_cached(
                "SELECT hash, oid, created_at, expires_at, amr, ended_at FROM idp_sessions WHERE hash = ?1",
            )?
            .query_row([&hash.0], |r| {
                let amr: String = r.get(4)?;
                Ok(IdpSession {
                    hash: SessionHash(r.get(0)?),
                    oid: r.get(1)?,
                    created_at: from_ts(r.get(2)?)?,
                    expires_at: from_ts(r.get(3)?)?,
                    amr: amr.split_whitespace().map(str::to_owned).collect(),
                    ended_at: from_ts_opt(r.get(5)?)?,
                })
            })
            .optional()
        })
    }

    async fn end_session(&self, hash: &SessionHash, at: OffsetDateTime) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "UPDATE idp_sessions SET ended_at = ?2 WHERE hash = ?1 AND ended_at IS NULL",
                params![hash.0, ts(at)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn remember_device(&self, oid: Oid, device_hash: &str, ip: &str, at: OffsetDateTime) -> StoreResult<bool> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "INSERT INTO known_devices (oid, device_hash, first_ip, first_seen_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (oid, device_hash) DO NOTHING",
                    params![oid, device_hash, ip, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n == 0)
        })
    }
}

#[async_trait]
impl OutboxStore for IdpSqlite {
    async fn insert_message(
        &self,
        channel: Channel,
        recipient: &str,
        subject: &str,
        body: &str,
        at: OffsetDateTime,
    ) -> StoreResult<i64> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO outbox (channel, recipient, subject, body, sent_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![channel.code(), recipient, subject, body, ts(at)],
            )
            .map_err(map_err)?;
            Ok(tx.last_insert_rowid())
        })
    }

    async fn list_messages(&self, limit: u32) -> StoreResult<Vec<Message>> {
        self.db.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT id, channel, recipient, subject, body, sent_at FROM outbox ORDER BY id DESC LIMIT ?1",
            )?;
            s.query_map([limit], |r| {
                let ch: String = r.get(1)?;
                Ok(Message {
                    id: r.get(0)?,
                    channel: Channel::from_code(&ch).ok_or_else(|| bad_code("channel", &ch))?.code(),
                    recipient: r.get(2)?,
                    subject: r.get(3)?,
                    body: r.get(4)?,
                    sent_at: from_ts(r.get(5)?)?,
                })
            })?
            .collect()
        })
    }
}
