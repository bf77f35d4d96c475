//! [`SigningStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, from_ts, from_ts_opt, map_err, parse_uuid, ts};
use rusqlite::{OptionalExtension, Row, params};
use sep_core::StoreError;
use sep_core::ids::UserId;
use sep_core::otp::CodeState;
use sep_core::signature::Certificate;
use sep_core::signing::store::SigningStore;
use sep_core::signing::{Credential, SealedKey, SignRequest, Signature, Source};
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;
use uuid::Uuid;

const CREDENTIAL: &str = "SELECT id, user_id, serial, subject, issuer, not_before, not_after, certificate, key_id,
    key_blob, created_at, revoked_at FROM signing_credentials";

fn credential_row(r: &Row<'_>) -> rusqlite::Result<Credential> {
    Ok(Credential {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        certificate: Certificate {
            serial: r.get(2)?,
            subject: r.get(3)?,
            issuer: r.get(4)?,
            not_before: from_ts(r.get(5)?)?,
            not_after: from_ts(r.get(6)?)?,
        },
        der: r.get(7)?,
        key: SealedKey { key_id: r.get(8)?, blob: r.get(9)? },
        created_at: from_ts(r.get(10)?)?,
        revoked_at: from_ts_opt(r.get(11)?)?,
    })
}

const SIGNATURE: &str = "id, user_id, document, sha256, hash, source, signer_subject, signer_issuer,
    signer_serial, signer_not_before, signer_not_after, signed_at, credential_id, verdict, created_at";

fn signature_row(r: &Row<'_>) -> rusqlite::Result<Signature> {
    let source: String = r.get(5)?;
    Ok(Signature {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        document: r.get(2)?,
        sha256: r.get(3)?,
        hash: r.get(4)?,
        source: Source::from_code(&source).ok_or_else(|| bad_code("signature source", &source))?,
        signer: Certificate {
            subject: r.get(6)?,
            issuer: r.get(7)?,
            serial: r.get(8)?,
            not_before: from_ts(r.get(9)?)?,
            not_after: from_ts(r.get(10)?)?,
        },
        signed_at: from_ts(r.get(11)?)?,
        credential_id: r.get::<_, Option<String>>(12)?.map(|s| parse_uuid(&s)).transpose()?,
        verdict: r.get(13)?,
        created_at: from_ts(r.get(14)?)?,
    })
}

const REQUEST: &str = "SELECT id, user_id, credential_id, document, file_name, sha256, hash, code_digest,
    code_expires_at, code_tries_left, code_spent, created_at, signature_id FROM sign_requests";

fn request_row(r: &Row<'_>) -> rusqlite::Result<SignRequest> {
    Ok(SignRequest {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        credential_id: parse_uuid(&r.get::<_, String>(2)?)?,
        document: r.get(3)?,
        file_name: r.get(4)?,
        sha256: r.get(5)?,
        hash: r.get(6)?,
        code: CodeState {
            digest: r.get(7)?,
            expires_at: from_ts(r.get(8)?)?,
            tries_left: r.get(9)?,
            spent: r.get(10)?,
        },
        created_at: from_ts(r.get(11)?)?,
        signature_id: r.get::<_, Option<String>>(12)?.map(|s| parse_uuid(&s)).transpose()?,
    })
}

pub(crate) fn insert_signature(tx: &rusqlite::Transaction<'_>, s: &Signature, der: &[u8]) -> StoreResult<()> {
    tx.run(
        "INSERT INTO document_signatures (id, user_id, document, sha256, hash, source, signer_subject, signer_issuer,
            signer_serial, signer_not_before, signer_not_after, signed_at, credential_id, verdict, der, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            s.id.to_string(),
            s.user_id.0.to_string(),
            s.document,
            s.sha256,
            s.hash,
            s.source.code(),
            s.signer.subject,
            s.signer.issuer,
            s.signer.serial,
            ts(s.signer.not_before),
            ts(s.signer.not_after),
            ts(s.signed_at),
            s.credential_id.map(|c| c.to_string()),
            s.verdict,
            der,
            ts(s.created_at),
        ],
    )
    .map_err(map_err)?;
    Ok(())
}

#[async_trait::async_trait]
impl SigningStore for SqliteStore {
    async fn insert_credential(&self, c: &Credential, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO signing_credentials (id, user_id, serial, subject, issuer, not_before, not_after,
                    certificate, key_id, key_blob, created_at, revoked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    c.id.to_string(),
                    c.user_id.0.to_string(),
                    c.certificate.serial,
                    c.certificate.subject,
                    c.certificate.issuer,
                    ts(c.certificate.not_before),
                    ts(c.certificate.not_after),
                    c.der,
                    c.key.key_id,
                    c.key.blob,
                    ts(c.created_at),
                    c.revoked_at.map(ts),
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_credentials(&self, user: UserId) -> StoreResult<Vec<Credential>> {
        self.read(|c| {
            let mut s =
                c.prepare_cached(&format!("{CREDENTIAL} WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"))?;
            s.query_map([user.0.to_string()], credential_row)?.collect()
        })
    }

    async fn update_credential_revoked(&self, id: Uuid, at: OffsetDateTime, fx: &Effects) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE signing_credentials SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                    params![id.to_string(), ts(at)],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }

    async fn insert_sign_request(&self, r: &SignRequest, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO sign_requests (id, user_id, credential_id, document, file_name, sha256, hash, code_digest,
                    code_expires_at, code_tries_left, code_spent, created_at, signature_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    r.id.to_string(),
                    r.user_id.0.to_string(),
                    r.credential_id.to_string(),
                    r.document,
                    r.file_name,
                    r.sha256,
                    r.hash,
                    r.code.digest,
                    ts(r.code.expires_at),
                    r.code.tries_left,
                    r.code.spent,
                    ts(r.created_at),
                    r.signature_id.map(|s| s.to_string()),
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn get_sign_request(&self, id: Uuid) -> StoreResult<SignRequest> {
        self.read(|c| c.row(&format!("{REQUEST} WHERE id = ?1"), [id.to_string()], request_row).optional())?
            .ok_or(StoreError::NotFound)
    }

    async fn count_sign_requests_since(&self, user: UserId, since: OffsetDateTime) -> StoreResult<u32> {
        self.read(|c| {
            c.row(
                "SELECT COUNT(*) FROM sign_requests WHERE user_id = ?1 AND created_at >= ?2",
                params![user.0.to_string(), ts(since)],
                |r| r.get(0),
            )
        })
    }

    async fn update_sign_request(
        &self,
        r: &SignRequest,
        expected: &CodeState,
        signature: Option<(&Signature, &[u8])>,
        fx: &Effects,
    ) -> StoreResult<()> {
        self.write(|tx| {
            if let Some((s, der)) = signature {
                insert_signature(tx, s, der)?;
            }
            let n = tx
                .run(
                    "UPDATE sign_requests SET code_digest = ?2, code_expires_at = ?3, code_tries_left = ?4,
                        code_spent = ?5, signature_id = ?6
                     WHERE id = ?1 AND signature_id IS NULL AND code_digest = ?7 AND code_tries_left = ?8
                        AND code_spent = ?9",
                    params![
                        r.id.to_string(),
                        r.code.digest,
                        ts(r.code.expires_at),
                        r.code.tries_left,
                        r.code.spent,
                        r.signature_id.map(|s| s.to_string()),
                        expected.digest,
                        expected.tries_left,
                        expected.spent,
                    ],
                )
                .map_err(map_err)?;
            if n == 0 {
                // Dropping the transaction undoes the signature inserted above.
                return Err(StoreError::Conflict { constraint: "sign_requests_changed".into() });
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn insert_signature(&self, s: &Signature, der: &[u8], fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            insert_signature(tx, s, der)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_signatures_of_user(&self, user: UserId) -> StoreResult<Vec<Signature>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {SIGNATURE} FROM document_signatures WHERE user_id = ?1 ORDER BY created_at, id"
            ))?;
            s.query_map([user.0.to_string()], signature_row)?.collect()
        })
    }

    async fn get_signature(&self, id: Uuid) -> StoreResult<(Signature, Vec<u8>)> {
        self.read(|c| {
            c.row(&format!("SELECT {SIGNATURE}, der FROM document_signatures WHERE id = ?1"), [id.to_string()], |r| {
                Ok((signature_row(r)?, r.get(15)?))
            })
            .optional()
        })?
        .ok_or(StoreError::NotFound)
    }
}
