//! [`UserStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, map_err};
use deadpool_postgres::Transaction;
use sep_core::StoreError;
use sep_core::ids::UserId;
use sep_core::store::{Effects, StoreResult};
use sep_core::user::org::{Membership, MembershipRecord};
use sep_core::user::store::{NewUser, UserStore};
use sep_core::user::{ContactChange, ExternalIdentity, Profile, ProfileRecord, Role, User};
use time::OffsetDateTime;
use tokio_postgres::Row;

/// How many columns [`from_row`] reads.
pub(crate) const WIDTH: usize = 25;

pub(crate) const COLUMNS: &str =
    "u.id, u.role, u.last_name, u.first_name, u.middle_name, u.birth_date, u.birth_place, u.gender,
    u.snils, u.inn, u.phone, u.email, u.passport_series, u.passport_number, u.passport_issued_on, u.passport_issuer,
    u.passport_division_code, u.address, u.terms_version, u.terms_accepted_at, u.created_at, u.updated_at,
    u.registered_at, u.agency, u.settings";

pub(crate) fn from_row(r: &Row) -> StoreResult<User> {
    let role: String = r.get(1);
    let record = ProfileRecord {
        last_name: r.get(2),
        first_name: r.get(3),
        middle_name: r.get(4),
        birth_date: r.get(5),
        birth_place: r.get(6),
        gender: r.get(7),
        snils: r.get(8),
        inn: r.get(9),
        phone: r.get(10),
        email: r.get(11),
        passport_series: r.get(12),
        passport_number: r.get(13),
        passport_issued_on: r.get(14),
        passport_issuer: r.get(15),
        passport_division_code: r.get(16),
        address: r.get(17),
    };
    let terms_version: Option<String> = r.get(18);
    let terms_at: Option<OffsetDateTime> = r.get(19);
    Ok(User {
        id: UserId(r.get(0)),
        role: Role::from_code(&role).ok_or_else(|| bad_code("role", &role))?,
        profile: Profile::try_from(record)?,
        created_at: r.get(20),
        updated_at: r.get(21),
        terms_accepted: terms_version.zip(terms_at),
        registered_at: r.get(22),
        agency: r.get(23),
        settings: sep_core::settings::Settings::from_json(r.get(24)),
    })
}

async fn insert_identity(tx: &Transaction<'_>, link: &ExternalIdentity) -> StoreResult<()> {
    tx.run(
        "INSERT INTO external_identities (provider, subject, user_id, linked_at) VALUES ($1, $2, $3, $4)",
        &[&link.provider, &link.subject, &link.user_id.0, &link.linked_at],
    )
    .await
    .map_err(map_err)?;
    Ok(())
}

fn expect_one(n: u64) -> StoreResult<()> {
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Replaces a user's profile inside `tx`.
async fn write_profile(tx: &Transaction<'_>, id: UserId, profile: &Profile, at: OffsetDateTime) -> StoreResult<()> {
    let p = ProfileRecord::from(profile);
    let n = tx
        .run(
            "UPDATE users SET last_name = $2, first_name = $3, middle_name = $4, birth_date = $5, birth_place = $6,
                gender = $7, snils = $8, inn = $9, phone = $10, email = $11, passport_series = $12,
                passport_number = $13, passport_issued_on = $14, passport_issuer = $15,
                passport_division_code = $16, address = $17, updated_at = $18
             WHERE id = $1",
            &[
                &id.0,
                &p.last_name,
                &p.first_name,
                &p.middle_name,
                &p.birth_date,
                &p.birth_place,
                &p.gender,
                &p.snils,
                &p.inn,
                &p.phone,
                &p.email,
                &p.passport_series,
                &p.passport_number,
                &p.passport_issued_on,
                &p.passport_issuer,
                &p.passport_division_code,
                &p.address,
                &at,
            ],
        )
        .await
        .map_err(map_err)?;
    expect_one(n)
}

#[async_trait::async_trait]
impl UserStore for PgStore {
    async fn insert_user(&self, user: &NewUser, link: Option<&ExternalIdentity>, fx: &Effects) -> StoreResult<()> {
        let p = ProfileRecord::from(&user.profile);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO users (id, role, last_name, first_name, middle_name, birth_date, birth_place, gender, snils, inn,
                phone, email, passport_series, passport_number, passport_issued_on, passport_issuer,
                passport_division_code, address, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)",
            &[
                &user.id.0, &user.role.code(), &p.last_name, &p.first_name, &p.middle_name, &p.birth_date,
                &p.birth_place, &p.gender, &p.snils, &p.inn, &p.phone, &p.email, &p.passport_series,
                &p.passport_number, &p.passport_issued_on, &p.passport_issuer, &p.passport_division_code,
                &p.address, &user.created_at,
            ],
        )
        .await
        .map_err(map_err)?;
        if let Some(link) = link {
            insert_identity(&tx, link).await?;
        }
        crate::effects::commit(tx, fx).await
    }

    async fn get_user(&self, id: UserId) -> StoreResult<User> {
        let client = self.client().await?;
        let row = client
            .maybe_row(&format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1"), &[&id.0])
            .await
            .map_err(map_err)?;
        row.as_ref().map(from_row).unwrap_or(Err(StoreError::NotFound))
    }

    async fn list_users_by_snils(&self, snils: &str, limit: i64) -> StoreResult<Vec<User>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!("SELECT {COLUMNS} FROM users u WHERE u.snils = $1 ORDER BY u.created_at, u.id LIMIT $2"),
                &[&snils, &limit],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(from_row).collect()
    }

    async fn find_user_by_identity(&self, provider: &str, subject: &str) -> StoreResult<Option<User>> {
        let client = self.client().await?;
        let row = client
            .maybe_row(
                &format!(
                    "SELECT {COLUMNS} FROM users u JOIN external_identities e ON e.user_id = u.id
                     WHERE e.provider = $1 AND e.subject = $2"
                ),
                &[&provider, &subject],
            )
            .await
            .map_err(map_err)?;
        row.as_ref().map(from_row).transpose()
    }

    async fn update_profile(&self, id: UserId, profile: &Profile, at: OffsetDateTime, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        write_profile(&tx, id, profile, at).await?;
        crate::effects::commit(tx, fx).await
    }

    async fn find_contact_change(&self, user: UserId, channel: &str) -> StoreResult<Option<ContactChange>> {
        let client = self.client().await?;
        let row = client
            .maybe_row(
                "SELECT value, code_digest, code_expires_at, code_tries_left, code_spent, sent, created_at, confirmed_at
                 FROM contact_changes WHERE user_id = $1 AND channel = $2",
                &[&user.0, &channel],
            )
            .await
            .map_err(map_err)?;
        Ok(row.map(|r| ContactChange {
            user_id: user,
            channel: channel.to_owned(),
            value: r.get(0),
            code: sep_core::otp::CodeState {
                digest: r.get(1),
                expires_at: r.get(2),
                tries_left: u32::try_from(r.get::<_, i32>(3)).unwrap_or(0),
                spent: r.get(4),
            },
            sent: u32::try_from(r.get::<_, i32>(5)).unwrap_or(u32::MAX),
            created_at: r.get(6),
            confirmed_at: r.get(7),
        }))
    }

    async fn upsert_contact_change(
        &self,
        c: &ContactChange,
        expected: Option<&ContactChange>,
        profile: Option<&Profile>,
        fx: &Effects,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let row = crate::code_rows::CodeRow {
            table: "contact_changes",
            key: ("user_id", c.user_id.0),
            channel: &c.channel,
            value: &c.value,
            code: &c.code,
            sent: c.sent,
            created_at: c.created_at,
            confirmed_at: c.confirmed_at,
        };
        crate::code_rows::upsert(&tx, &row, expected.map(|e| (&e.code, e.sent))).await?;
        if let Some(profile) = profile {
            write_profile(&tx, c.user_id, profile, c.confirmed_at.unwrap_or(c.created_at)).await?;
        }
        crate::effects::commit(tx, fx).await
    }

    async fn update_terms_accepted(
        &self,
        id: UserId,
        version: &str,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE users SET terms_version = $2, terms_accepted_at = $3, updated_at = $3 WHERE id = $1",
                &[&id.0, &version, &at],
            )
            .await
            .map_err(map_err)?;
        expect_one(n)?;
        crate::effects::commit(tx, fx).await
    }

    async fn insert_identity(&self, link: &ExternalIdentity, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        insert_identity(&tx, link).await?;
        crate::effects::commit(tx, fx).await
    }

    async fn update_user_settings(
        &self,
        id: UserId,
        settings: &sep_core::settings::Settings,
        fx: &Effects,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run("UPDATE users SET settings = $2 WHERE id = $1", &[&id.0, &settings.to_json()])
            .await
            .map_err(map_err)?;
        expect_one(n)?;
        crate::effects::commit(tx, fx).await
    }

    async fn update_user_agency(&self, id: UserId, agency: Option<&str>, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx.run("UPDATE users SET agency = $2 WHERE id = $1", &[&id.0, &agency]).await.map_err(map_err)?;
        expect_one(n)?;
        crate::effects::commit(tx, fx).await
    }

    async fn list_identities(&self, id: UserId) -> StoreResult<Vec<ExternalIdentity>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT provider, subject, linked_at FROM external_identities WHERE user_id = $1 ORDER BY linked_at, provider",
                &[&id.0],
            )
            .await
            .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| ExternalIdentity { provider: r.get(0), subject: r.get(1), user_id: id, linked_at: r.get(2) })
            .collect())
    }

    async fn replace_user_orgs(&self, id: UserId, orgs: &[Membership], at: OffsetDateTime) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run("DELETE FROM user_orgs WHERE user_id = $1", &[&id.0]).await.map_err(map_err)?;
        for m in orgs {
            tx.run(
                "INSERT INTO user_orgs (user_id, org_oid, full_name, short_name, inn, ogrn, kpp, position, chief, admin, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (user_id, org_oid) DO NOTHING",
                &[
                    &id.0,
                    &m.org_oid,
                    &m.full_name,
                    &m.short_name,
                    &m.inn.as_str(),
                    &m.ogrn.as_str(),
                    &m.kpp.as_ref().map(|k| k.as_str()),
                    &m.position,
                    &m.chief,
                    &m.admin,
                    &at,
                ],
            )
            .await
            .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn list_user_orgs(&self, id: UserId) -> StoreResult<Vec<Membership>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT org_oid, full_name, short_name, inn, ogrn, kpp, position, chief, admin
                 FROM user_orgs WHERE user_id = $1 ORDER BY short_name, org_oid",
                &[&id.0],
            )
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                MembershipRecord {
                    org_oid: r.get(0),
                    full_name: r.get(1),
                    short_name: r.get(2),
                    inn: r.get(3),
                    ogrn: r.get(4),
                    kpp: r.get(5),
                    position: r.get(6),
                    chief: r.get(7),
                    admin: r.get(8),
                }
                .into_membership()
                .map_err(StoreError::Other)
            })
            .collect()
    }
}
