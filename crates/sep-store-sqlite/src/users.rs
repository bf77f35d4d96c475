//! [`UserStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, date_text, from_ts, from_ts_opt, map_err, parse_date, parse_uuid, ts};
use rusqlite::{Row, Transaction, params};
use sep_core::StoreError;
use sep_core::ids::UserId;
use sep_core::store::{Effects, StoreResult};
use sep_core::user::org::{Membership, MembershipRecord};
use sep_core::user::store::{NewUser, UserStore};
use sep_core::user::{ContactChange, ExternalIdentity, Profile, ProfileRecord, Role, User};
use time::OffsetDateTime;

const COLUMNS: &str = "id, role, last_name, first_name, middle_name, birth_date, birth_place, gender, snils, inn,
    phone, email, passport_series, passport_number, passport_issued_on, passport_issuer, passport_division_code,
    address, terms_version, terms_accepted_at, created_at, updated_at";

/// What reads add to [`COLUMNS`] (set after insertion, never by it).
const READ_COLUMNS: &str = "registered_at, agency, settings";

/// How many columns [`from_row`] reads.
pub(crate) const WIDTH: usize = 25;

/// [`COLUMNS`] and [`READ_COLUMNS`] of the table called `alias` in a join.
pub(crate) fn prefixed(alias: &str) -> String {
    format!("{COLUMNS}, {READ_COLUMNS}")
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The row and its profile record; the profile is validated outside rusqlite's error type.
pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<(User, ProfileRecord)> {
    let id: String = r.get(0)?;
    let role: String = r.get(1)?;
    let record = ProfileRecord {
        last_name: r.get(2)?,
        first_name: r.get(3)?,
        middle_name: r.get(4)?,
        birth_date: parse_date(r.get(5)?)?,
        birth_place: r.get(6)?,
        gender: r.get(7)?,
        snils: r.get(8)?,
        inn: r.get(9)?,
        phone: r.get(10)?,
        email: r.get(11)?,
        passport_series: r.get(12)?,
        passport_number: r.get(13)?,
        passport_issued_on: parse_date(r.get(14)?)?,
        passport_issuer: r.get(15)?,
        passport_division_code: r.get(16)?,
        address: r.get(17)?,
    };
    let terms_version: Option<String> = r.get(18)?;
    let terms_at: Option<i64> = r.get(19)?;
    let user = User {
        id: UserId(parse_uuid(&id)?),
        role: Role::from_code(&role).ok_or_else(|| bad_code("role", &role))?,
        profile: Profile::default(),
        created_at: from_ts(r.get(20)?)?,
        updated_at: from_ts(r.get(21)?)?,
        terms_accepted: match (terms_version, terms_at) {
            (Some(v), Some(t)) => Some((v, from_ts(t)?)),
            _ => None,
        },
        registered_at: from_ts_opt(r.get(22)?)?,
        agency: r.get(23)?,
        settings: sep_core::settings::Settings::from_json(&r.get::<_, String>(24)?),
    };
    Ok((user, record))
}

pub(crate) fn finish((mut user, record): (User, ProfileRecord)) -> StoreResult<User> {
    user.profile = Profile::try_from(record)?;
    Ok(user)
}

fn insert_identity(tx: &Transaction<'_>, link: &ExternalIdentity) -> StoreResult<()> {
    tx.run(
        "INSERT INTO external_identities (provider, subject, user_id, linked_at) VALUES (?1, ?2, ?3, ?4)",
        params![link.provider, link.subject, link.user_id.0.to_string(), ts(link.linked_at)],
    )
    .map_err(map_err)?;
    Ok(())
}

fn expect_one(n: usize) -> StoreResult<()> {
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Replaces a user's profile inside `tx`.
fn write_profile(tx: &Transaction<'_>, id: UserId, profile: &Profile, at: OffsetDateTime) -> StoreResult<()> {
    let p = ProfileRecord::from(profile);
    let n = tx
        .run(
            "UPDATE users SET last_name = ?2, first_name = ?3, middle_name = ?4, birth_date = ?5, birth_place = ?6,
                gender = ?7, snils = ?8, inn = ?9, phone = ?10, email = ?11, passport_series = ?12,
                passport_number = ?13, passport_issued_on = ?14, passport_issuer = ?15,
                passport_division_code = ?16, address = ?17, updated_at = ?18
             WHERE id = ?1",
            params![
                id.0.to_string(),
                p.last_name,
                p.first_name,
                p.middle_name,
                date_text(p.birth_date),
                p.birth_place,
                p.gender,
                p.snils,
                p.inn,
                p.phone,
                p.email,
                p.passport_series,
                p.passport_number,
                date_text(p.passport_issued_on),
                p.passport_issuer,
                p.passport_division_code,
                p.address,
                ts(at),
            ],
        )
        .map_err(map_err)?;
    expect_one(n)
}

#[async_trait::async_trait]
impl UserStore for SqliteStore {
    async fn insert_user(&self, user: &NewUser, link: Option<&ExternalIdentity>, fx: &Effects) -> StoreResult<()> {
        let p = ProfileRecord::from(&user.profile);
        self.write(|tx| {
            tx.run(
                &format!("INSERT INTO users ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, NULL, NULL, ?19, ?19)"),
                params![
                    user.id.0.to_string(), user.role.code(), p.last_name, p.first_name, p.middle_name,
                    date_text(p.birth_date), p.birth_place, p.gender, p.snils, p.inn, p.phone, p.email,
                    p.passport_series, p.passport_number, date_text(p.passport_issued_on), p.passport_issuer,
                    p.passport_division_code, p.address, ts(user.created_at),
                ],
            )
            .map_err(map_err)?;
            if let Some(link) = link {
                insert_identity(tx, link)?;
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn get_user(&self, id: UserId) -> StoreResult<User> {
        let row = self.read(|c| {
            c.row(&format!("SELECT {COLUMNS}, {READ_COLUMNS} FROM users WHERE id = ?1"), [id.0.to_string()], from_row)
        })?;
        finish(row)
    }

    async fn list_users_by_snils(&self, snils: &str, limit: i64) -> StoreResult<Vec<User>> {
        let rows = self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS}, {READ_COLUMNS} FROM users WHERE snils = ?1 ORDER BY created_at, id LIMIT ?2"
            ))?
            .query_map(rusqlite::params![snils, limit], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(finish).collect()
    }

    async fn find_user_by_identity(&self, provider: &str, subject: &str) -> StoreResult<Option<User>> {
        let cols = format!("{COLUMNS}, {READ_COLUMNS}").replace("id, role", "u.id, u.role");
        let row = self.read(|c| {
            use rusqlite::OptionalExtension;
            c.row(
                &format!("SELECT {cols} FROM users u JOIN external_identities e ON e.user_id = u.id WHERE e.provider = ?1 AND e.subject = ?2"),
                params![provider, subject],
                from_row,
            )
            .optional()
        })?;
        row.map(finish).transpose()
    }

    async fn update_profile(&self, id: UserId, profile: &Profile, at: OffsetDateTime, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            write_profile(tx, id, profile, at)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn find_contact_change(&self, user: UserId, channel: &str) -> StoreResult<Option<ContactChange>> {
        self.read(|c| {
            use rusqlite::OptionalExtension;
            c.prepare_cached(
                "SELECT value, code_digest, code_expires_at, code_tries_left, code_spent, sent, created_at, confirmed_at
                 FROM contact_changes WHERE user_id = ?1 AND channel = ?2",
            )?
            .query_row(params![user.0.to_string(), channel], |r| {
                Ok(ContactChange {
                    user_id: user,
                    channel: channel.to_owned(),
                    value: r.get(0)?,
                    code: sep_core::otp::CodeState {
                        digest: r.get(1)?,
                        expires_at: from_ts(r.get(2)?)?,
                        tries_left: r.get(3)?,
                        spent: r.get(4)?,
                    },
                    sent: r.get(5)?,
                    created_at: from_ts(r.get(6)?)?,
                    confirmed_at: from_ts_opt(r.get(7)?)?,
                })
            })
            .optional()
        })
    }

    async fn upsert_contact_change(
        &self,
        c: &ContactChange,
        expected: Option<&ContactChange>,
        profile: Option<&Profile>,
        fx: &Effects,
    ) -> StoreResult<()> {
        let row = crate::code_rows::CodeRow {
            table: "contact_changes",
            key: ("user_id", c.user_id.0.to_string()),
            channel: &c.channel,
            value: &c.value,
            code: &c.code,
            sent: c.sent,
            created_at: c.created_at,
            confirmed_at: c.confirmed_at,
        };
        self.write(|tx| {
            crate::code_rows::upsert(tx, &row, expected.map(|e| (&e.code, e.sent)))?;
            if let Some(profile) = profile {
                write_profile(tx, c.user_id, profile, c.confirmed_at.unwrap_or(c.created_at))?;
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn update_terms_accepted(
        &self,
        id: UserId,
        version: &str,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE users SET terms_version = ?2, terms_accepted_at = ?3, updated_at = ?3 WHERE id = ?1",
                    params![id.0.to_string(), version, ts(at)],
                )
                .map_err(map_err)?;
            expect_one(n)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn insert_identity(&self, link: &ExternalIdentity, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            insert_identity(tx, link)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn update_user_settings(
        &self,
        id: UserId,
        settings: &sep_core::settings::Settings,
        fx: &Effects,
    ) -> StoreResult<()> {
        self.write(|tx| {
            let n = tx
                .run("UPDATE users SET settings = ?2 WHERE id = ?1", params![id.0.to_string(), settings.to_json()])
                .map_err(map_err)?;
            expect_one(n)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn update_user_agency(&self, id: UserId, agency: Option<&str>, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            let n = tx
                .run("UPDATE users SET agency = ?2 WHERE id = ?1", params![id.0.to_string(), agency])
                .map_err(map_err)?;
            expect_one(n)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_identities(&self, id: UserId) -> StoreResult<Vec<ExternalIdentity>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT provider, subject, linked_at FROM external_identities WHERE user_id = ?1 ORDER BY linked_at, provider",
            )?;
            s.query_map([id.0.to_string()], |r| {
                Ok(ExternalIdentity { provider: r.get(0)?, subject: r.get(1)?, user_id: id, linked_at: from_ts(r.get(2)?)? })
            })?
            .collect()
        })
    }

    async fn replace_user_orgs(&self, id: UserId, orgs: &[Membership], at: OffsetDateTime) -> StoreResult<()> {
        self.write(|tx| {
            tx.run("DELETE FROM user_orgs WHERE user_id = ?1", [id.0.to_string()]).map_err(map_err)?;
            for m in orgs {
                tx.run(
                    "INSERT INTO user_orgs (user_id, org_oid, full_name, short_name, inn, ogrn, kpp, position, chief, admin, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (user_id, org_oid) DO NOTHING",
                    params![
                        id.0.to_string(),
                        m.org_oid,
                        m.full_name,
                        m.short_name,
                        m.inn.as_str(),
                        m.ogrn.as_str(),
                        m.kpp.as_ref().map(|k| k.as_str().to_owned()),
                        m.position,
                        m.chief,
                        m.admin,
                        ts(at)
                    ],
                )
                .map_err(map_err)?;
            }
            Ok(())
        })
    }

    async fn list_user_orgs(&self, id: UserId) -> StoreResult<Vec<Membership>> {
        let records = self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT org_oid, full_name, short_name, inn, ogrn, kpp, position, chief, admin
                 FROM user_orgs WHERE user_id = ?1 ORDER BY short_name, org_oid",
            )?;
            s.query_map([id.0.to_string()], |r| {
                Ok(MembershipRecord {
                    org_oid: r.get(0)?,
                    full_name: r.get(1)?,
                    short_name: r.get(2)?,
                    inn: r.get(3)?,
                    ogrn: r.get(4)?,
                    kpp: r.get(5)?,
                    position: r.get(6)?,
                    chief: r.get(7)?,
                    admin: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        records.into_iter().map(|r| r.into_membership().map_err(StoreError::Other)).collect()
    }
}
