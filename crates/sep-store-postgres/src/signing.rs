//! [`SigningStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, map_err};
use sep_core::StoreError;
use sep_core::ids::UserId;
use sep_core::otp::CodeState;
use sep_core::signature::Certificate;
use sep_core::signing::store::SigningStore;
use sep_core::signing::{Credential, SealedKey, SignRequest, Signature, Source};
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

const CREDENTIAL: &str = "SELECT id, user_id, serial, subject, issuer, not_before, not_after, certificate, key_id,
    key_blob, created_at, revoked_at FROM signing_credentials";

fn credential_row(r: &Row) -> Credential {
    Credential {
        id: r.get(0),
        user_id: UserId(r.get(1)),
        certificate: Certificate {
            serial: r.get(2),
            subject: r.get(3),
            issuer: r.get(4),
            not_before: r.get(5),
            not_after: r.get(6),
        },
        der: r.get(7),
        key: SealedKey { key_id: r.get(8), blob: r.get(9) },
        created_at: r.get(10),
        revoked_at: r.get(11),
    }
}

const SIGNATURE: &str = "id, user_id, document, sha256, hash, source, signer_subject, signer_issuer,
    signer_serial, signer_not_before, signer_not_after, signed_at, credential_id, verdict, created_at";

fn signature_row(r: &Row) -> StoreResult<Signature> {
    let source: String = r.get(5);
    Ok(Signature {
        id: r.get(0),
        user_id: UserId(r.get(1)),
        document: r.get(2),
        sha256: r.get(3),
        hash: r.get(4),
        source: Source::from_code(&source).ok_or_else(|| bad_code("signature source", &source))?,
        signer: Certificate {
            subject: r.get(6),
            issuer: r.get(7),
            serial: r.get(8),
            not_before: r.get(9),
            not_after: r.get(10),
        },
        signed_at: r.get(11),
        credential_id: r.get(12),
        verdict: r.get(13),
        created_at: r.get(14),
    })
}

const REQUEST: &str = "SELECT id, user_id, credential_id, document, file_name, sha256, hash, code_digest,
    code_expires_at, code_tries_left, code_spent, created_at, signature_id FROM sign_requests";

fn tries(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn request_row(r: &Row) -> SignRequest {
    SignRequest {
        id: r.get(0),
        user_id: UserId(r.get(1)),
        credential_id: r.get(2),
        document: r.get(3),
        file_name: r.get(4),
        sha256: r.get(5),
        hash: r.get(6),
        code: CodeState {
            digest: r.get(7),
            expires_at: r.get(8),
            tries_left: u32::try_from(r.get::<_, i32>(9)).unwrap_or(0),
            spent: r.get(10),
        },
        created_at: r.get(11),
        signature_id: r.get(12),
    }
}

pub(crate) async fn insert_signature(
    tx: &deadpool_postgres::Transaction<'_>,
    s: &Signature,
    der: &[u8],
) -> StoreResult<()> {
    let params: [&(dyn ToSql + Sync); 16] = [
        &s.id,
        &s.user_id.0,
        &s.document,
        &s.sha256,
        &s.hash,
        &s.source.code(),
        &s.signer.subject,
        &s.signer.issuer,
        &s.signer.serial,
        &s.signer.not_before,
        &s.signer.not_after,
        &s.signed_at,
        &s.credential_id,
        &s.verdict,
        &der,
        &s.created_at,
    ];
    tx.run(
        "INSERT INTO document_signatures (id, user_id, document, sha256, hash, source, signer_subject, signer_issuer,
            signer_serial, signer_not_before, signer_not_after, signed_at, credential_id, verdict, der, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        &params,
    )
    .await
    .map_err(map_err)?;
    Ok(())
}

#[async_trait::async_trait]
impl SigningStore for PgStore {
    async fn insert_credential(&self, c: &Credential, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO signing_credentials (id, user_id, serial, subject, issuer, not_before, not_after,
                certificate, key_id, key_blob, created_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &c.id,
                &c.user_id.0,
                &c.certificate.serial,
                &c.certificate.subject,
                &c.certificate.issuer,
                &c.certificate.not_before,
                &c.certificate.not_after,
                &c.der,
                &c.key.key_id,
                &c.key.blob,
                &c.created_at,
                &c.revoked_at,
            ],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn list_credentials(&self, user: UserId) -> StoreResult<Vec<Credential>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{CREDENTIAL} WHERE user_id = $1 ORDER BY created_at DESC, id DESC"), &[&user.0])
            .await
            .map_err(map_err)?;
        Ok(rows.iter().map(credential_row).collect())
    }

    async fn update_credential_revoked(&self, id: Uuid, at: OffsetDateTime, fx: &Effects) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run("UPDATE signing_credentials SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &[&id, &at])
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }

    async fn insert_sign_request(&self, r: &SignRequest, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO sign_requests (id, user_id, credential_id, document, file_name, sha256, hash, code_digest,
                code_expires_at, code_tries_left, code_spent, created_at, signature_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            &[
                &r.id,
                &r.user_id.0,
                &r.credential_id,
                &r.document,
                &r.file_name,
                &r.sha256,
                &r.hash,
                &r.code.digest,
                &r.code.expires_at,
                &tries(r.code.tries_left),
                &r.code.spent,
                &r.created_at,
                &r.signature_id,
            ],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn get_sign_request(&self, id: Uuid) -> StoreResult<SignRequest> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{REQUEST} WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        row.as_ref().map(request_row).ok_or(StoreError::NotFound)
    }

    async fn count_sign_requests_since(&self, user: UserId, since: OffsetDateTime) -> StoreResult<u32> {
        let client = self.client().await?;
        let row = client
            .row("SELECT COUNT(*) FROM sign_requests WHERE user_id = $1 AND created_at >= $2", &[&user.0, &since])
            .await
            .map_err(map_err)?;
        Ok(u32::try_from(row.get::<_, i64>(0)).unwrap_or(u32::MAX))
    }

    async fn update_sign_request(
        &self,
        r: &SignRequest,
        expected: &CodeState,
        signature: Option<(&Signature, &[u8])>,
        fx: &Effects,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        if let Some((s, der)) = signature {
            insert_signature(&tx, s, der).await?;
        }
        let n = tx
            .run(
                "UPDATE sign_requests SET code_digest = $2, code_expires_at = $3, code_tries_left = $4,
                    code_spent = $5, signature_id = $6
                 WHERE id = $1 AND signature_id IS NULL AND code_digest = $7 AND code_tries_left = $8
                    AND code_spent = $9",
                &[
                    &r.id,
                    &r.code.digest,
                    &r.code.expires_at,
                    &tries(r.code.tries_left),
                    &r.code.spent,
                    &r.signature_id,
                    &expected.digest,
                    &tries(expected.tries_left),
                    &expected.spent,
                ],
            )
            .await
            .map_err(map_err)?;
        if n == 0 {
            // Dropping the transaction undoes the signature inserted above.
            return Err(StoreError::Conflict { constraint: "sign_requests_changed".into() });
        }
        crate::effects::commit(tx, fx).await
    }

    async fn insert_signature(&self, s: &Signature, der: &[u8], fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        insert_signature(&tx, s, der).await?;
        crate::effects::commit(tx, fx).await
    }

    async fn list_signatures_of_user(&self, user: UserId) -> StoreResult<Vec<Signature>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!("SELECT {SIGNATURE} FROM document_signatures WHERE user_id = $1 ORDER BY created_at, id"),
                &[&user.0],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(signature_row).collect()
    }

    async fn get_signature(&self, id: Uuid) -> StoreResult<(Signature, Vec<u8>)> {
        let client = self.client().await?;
        let row = client
            .maybe_row(&format!("SELECT {SIGNATURE}, der FROM document_signatures WHERE id = $1"), &[&id])
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        Ok((signature_row(&row)?, row.get(15)))
    }
}
