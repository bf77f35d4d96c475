//! [`PaymentStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, from_ts, map_err, parse_uuid, ts};
use rusqlite::{OptionalExtension, Row, params};
use sep_core::StoreError;
use sep_core::application::record::{ApplicationId, applicant_code, applicant_from_code};
use sep_core::ids::UserId;
use sep_core::money::Kopecks;
use sep_core::payment::account::{Alerts, Refund, RefundStatus};
use sep_core::payment::fee::{self, Fee, FeeRefund};
use sep_core::payment::pay::{Payment, PaymentStatus};
use sep_core::payment::store::{Outcome, PaymentStore};
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;
use uuid::Uuid;

const FEE: &str =
    "SELECT application_id, user_id, applicant_type, charge, refund, refund_reason, created_at, updated_at
    FROM application_fees";

fn fee_row(r: &Row<'_>) -> rusqlite::Result<Fee> {
    let (kind, charge, refund): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
    Ok(Fee {
        application_id: ApplicationId(parse_uuid(&r.get::<_, String>(0)?)?),
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        applicant_type: applicant_from_code(&kind).ok_or_else(|| bad_code("applicant type", &kind))?,
        charge: fee::charge_from_json(&charge).ok_or_else(|| bad_code("fee charge", "json"))?,
        refund: FeeRefund::from_code(&refund).ok_or_else(|| bad_code("fee refund", &refund))?,
        refund_reason: r.get(5)?,
        created_at: from_ts(r.get(6)?)?,
        updated_at: from_ts(r.get(7)?)?,
    })
}

const PAYMENT: &str = "SELECT id, user_id, uin, amount, title, status, request_key, provider_id, confirmation_url,
    failure_code, failure_text, rrn, auth_code, card, created_at, updated_at, receipt_id FROM payments";

fn row(r: &Row<'_>) -> rusqlite::Result<Payment> {
    let status: String = r.get(5)?;
    Ok(Payment {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        uin: r.get(2)?,
        amount: Kopecks(r.get(3)?),
        title: r.get(4)?,
        status: PaymentStatus::from_code(&status).ok_or_else(|| bad_code("payment status", &status))?,
        request_key: r.get(6)?,
        provider_id: r.get(7)?,
        confirmation_url: r.get(8)?,
        failure: r.get::<_, Option<String>>(9)?.zip(r.get::<_, Option<String>>(10)?),
        rrn: r.get(11)?,
        auth_code: r.get(12)?,
        card: r.get(13)?,
        created_at: from_ts(r.get(14)?)?,
        updated_at: from_ts(r.get(15)?)?,
        receipt_id: r.get::<_, Option<String>>(16)?.as_deref().map(parse_uuid).transpose()?,
    })
}

const REFUND: &str = "SELECT id, user_id, amount, bic, account, recipient, status, reason, request_key, created_at,
    updated_at FROM refunds";

fn refund_row(r: &Row<'_>) -> rusqlite::Result<Refund> {
    let status: String = r.get(6)?;
    Ok(Refund {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        amount: Kopecks(r.get(2)?),
        bic: r.get(3)?,
        account: r.get(4)?,
        recipient: r.get(5)?,
        status: RefundStatus::from_code(&status).ok_or_else(|| bad_code("refund status", &status))?,
        reason: r.get(7)?,
        request_key: r.get(8)?,
        created_at: from_ts(r.get(9)?)?,
        updated_at: from_ts(r.get(10)?)?,
    })
}

#[async_trait::async_trait]
impl PaymentStore for SqliteStore {
    async fn insert_payment(&self, p: &Payment, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO payments (id, user_id, uin, amount, title, status, request_key, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    p.id.to_string(),
                    p.user_id.0.to_string(),
                    p.uin,
                    p.amount.0,
                    p.title,
                    p.status.code(),
                    p.request_key,
                    ts(p.created_at),
                    ts(p.updated_at),
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn find_payment(&self, id: Uuid) -> StoreResult<Option<Payment>> {
        self.read(|c| c.row(&format!("{PAYMENT} WHERE id = ?1"), [id.to_string()], row).optional())
    }

    async fn find_payment_by_provider(&self, provider_id: &str) -> StoreResult<Option<Payment>> {
        self.read(|c| c.row(&format!("{PAYMENT} WHERE provider_id = ?1"), [provider_id], row).optional())
    }

    async fn find_payment_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Payment>> {
        self.read(|c| {
            c.row(&format!("{PAYMENT} WHERE user_id = ?1 AND request_key = ?2"), params![user.0.to_string(), key], row)
                .optional()
        })
    }

    async fn find_succeeded_payment(&self, uin: &str) -> StoreResult<Option<Payment>> {
        self.read(|c| c.row(&format!("{PAYMENT} WHERE uin = ?1 AND status = 'succeeded'"), [uin], row).optional())
    }

    async fn find_live_payment(&self, uin: &str) -> StoreResult<Option<Payment>> {
        self.read(|c| {
            c.row(&format!("{PAYMENT} WHERE uin = ?1 AND status IN ('created', 'pending')"), [uin], row).optional()
        })
    }

    async fn list_payments_of_user(&self, user: UserId) -> StoreResult<Vec<Payment>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!("{PAYMENT} WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"))?;
            s.query_map([user.0.to_string()], row)?.collect()
        })
    }

    async fn update_payment_started(
        &self,
        id: Uuid,
        provider_id: &str,
        confirmation_url: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE payments SET status = 'pending', provider_id = ?2, confirmation_url = ?3, updated_at = ?4
                     WHERE id = ?1 AND status = 'created' AND provider_id IS NULL",
                    params![id.to_string(), provider_id, confirmation_url, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n > 0)
        })
    }

    async fn complete_receipt(
        &self,
        id: Uuid,
        document: &sep_core::document::issued::IssuedDocument,
        signature: &sep_core::signing::Signature,
        der: &[u8],
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE payments SET receipt_id = ?2 WHERE id = ?1 AND status = 'succeeded' AND receipt_id IS NULL",
                    params![id.to_string(), document.id.to_string()],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Ok(false);
            }
            crate::documents::file_issued(tx, document, signature, der, fx)?;
            Ok(true)
        })
    }

    async fn update_payment_result(
        &self,
        id: Uuid,
        to: PaymentStatus,
        failure: Option<(&str, &str)>,
        outcome: Option<Outcome>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let (rrn, auth, card) = outcome.unwrap_or_default();
        let done = self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE payments SET status = ?2, failure_code = ?3, failure_text = ?4, rrn = ?5, auth_code = ?6,
                        card = COALESCE(?7, card), updated_at = ?8
                     WHERE id = ?1 AND status IN ('created', 'pending')",
                    params![
                        id.to_string(),
                        to.code(),
                        failure.map(|f| f.0),
                        failure.map(|f| f.1),
                        rrn,
                        auth,
                        card,
                        ts(at)
                    ],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        });
        match done {
            // The charge already has its successful payment: this one is not it.
            Err(StoreError::Conflict { .. }) => Ok(false),
            other => other,
        }
    }

    async fn insert_refund(&self, r: &Refund, reserved: Kopecks, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            // The writer is one: what is read here cannot change before the insert.
            let now: i64 = tx
                .row(
                    "SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE user_id = ?1 AND status <> 'rejected'",
                    [r.user_id.0.to_string()],
                    |row| row.get(0),
                )
                .map_err(map_err)?;
            if now != reserved.0 {
                return Err(StoreError::Conflict { constraint: "refunds_reserved".into() });
            }
            tx.run(
                "INSERT INTO refunds (id, user_id, amount, bic, account, recipient, status, reason, request_key, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    r.id.to_string(),
                    r.user_id.0.to_string(),
                    r.amount.0,
                    r.bic,
                    r.account,
                    r.recipient,
                    r.status.code(),
                    r.reason,
                    r.request_key,
                    ts(r.created_at),
                    ts(r.updated_at)
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn find_refund(&self, id: Uuid) -> StoreResult<Option<Refund>> {
        self.read(|c| c.row(&format!("{REFUND} WHERE id = ?1"), [id.to_string()], refund_row).optional())
    }

    async fn find_refund_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Refund>> {
        self.read(|c| {
            c.row(
                &format!("{REFUND} WHERE user_id = ?1 AND request_key = ?2"),
                params![user.0.to_string(), key],
                refund_row,
            )
            .optional()
        })
    }

    async fn list_refunds_of_user(&self, user: UserId) -> StoreResult<Vec<Refund>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!("{REFUND} WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"))?;
            s.query_map([user.0.to_string()], refund_row)?.collect()
        })
    }

    async fn update_refund_status(
        &self,
        id: Uuid,
        to: RefundStatus,
        reason: Option<&str>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE refunds SET status = ?2, reason = ?3, updated_at = ?4 WHERE id = ?1 AND status = 'accepted'",
                    params![id.to_string(), to.code(), reason, ts(at)],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }

    async fn find_account_alerts(&self, user: UserId) -> StoreResult<Option<Alerts>> {
        self.read(|c| {
            c.row(
                "SELECT email, sms, threshold, last_balance FROM account_alerts WHERE user_id = ?1",
                [user.0.to_string()],
                |r| {
                    Ok(Alerts {
                        email: r.get(0)?,
                        sms: r.get(1)?,
                        threshold: r.get::<_, Option<i64>>(2)?.map(Kopecks),
                        last_balance: r.get::<_, Option<i64>>(3)?.map(Kopecks),
                    })
                },
            )
            .optional()
        })
    }

    async fn upsert_account_alerts(&self, user: UserId, a: &Alerts, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO account_alerts (user_id, email, sms, threshold, last_balance) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, sms = excluded.sms,
                    threshold = excluded.threshold, last_balance = excluded.last_balance",
                params![user.0.to_string(), a.email, a.sms, a.threshold.map(|k| k.0), a.last_balance.map(|k| k.0)],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn update_alert_balance(
        &self,
        user: UserId,
        expected: Option<Kopecks>,
        balance: Kopecks,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE account_alerts SET last_balance = ?3 WHERE user_id = ?1 AND last_balance IS ?2",
                    params![user.0.to_string(), expected.map(|k| k.0), balance.0],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }

    async fn insert_linked_card(&self, card: &sep_core::payment::cards::LinkedCard) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO linked_cards (id, user_id, token, masked, expiry, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (token) DO NOTHING",
                params![
                    card.id.to_string(),
                    card.user_id.0.to_string(),
                    card.token,
                    card.masked,
                    card.expiry,
                    ts(card.created_at)
                ],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn list_linked_cards(&self, user: UserId) -> StoreResult<Vec<sep_core::payment::cards::LinkedCard>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT id, token, masked, expiry, created_at FROM linked_cards WHERE user_id = ?1 ORDER BY created_at, id",
            )?;
            s.query_map([user.0.to_string()], |r| {
                Ok(sep_core::payment::cards::LinkedCard {
                    id: parse_uuid(&r.get::<_, String>(0)?)?,
                    user_id: user,
                    token: r.get(1)?,
                    masked: r.get(2)?,
                    expiry: r.get(3)?,
                    created_at: from_ts(r.get(4)?)?,
                })
            })?
            .collect()
        })
    }

    async fn delete_linked_card(&self, user: UserId, id: Uuid, fx: &Effects) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "DELETE FROM linked_cards WHERE id = ?1 AND user_id = ?2",
                    params![id.to_string(), user.0.to_string()],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }

    async fn list_users_with_alerts(&self) -> StoreResult<Vec<UserId>> {
        self.read(|c| {
            let mut s = c.prepare_cached("SELECT user_id FROM account_alerts WHERE email OR sms ORDER BY user_id")?;
            s.query_map([], |r| Ok(UserId(parse_uuid(&r.get::<_, String>(0)?)?)))?.collect()
        })
    }

    async fn find_payment_code(&self, payment: Uuid) -> StoreResult<Option<(sep_core::otp::CodeState, u32)>> {
        self.read(|c| {
            c.row(
                "SELECT code_digest, code_expires_at, code_tries_left, code_spent, sent FROM payment_codes WHERE payment_id = ?1",
                [payment.to_string()],
                |r| {
                    let code = sep_core::otp::CodeState {
                        digest: r.get(0)?,
                        expires_at: from_ts(r.get(1)?)?,
                        tries_left: r.get(2)?,
                        spent: r.get(3)?,
                    };
                    Ok((code, r.get(4)?))
                },
            )
            .optional()
        })
    }

    async fn upsert_payment_code(
        &self,
        payment: Uuid,
        code: &sep_core::otp::CodeState,
        sent: u32,
        expected: Option<(&sep_core::otp::CodeState, u32)>,
        fx: &Effects,
    ) -> StoreResult<()> {
        self.write(|tx| {
            let changed = tx
                .run(
                    "INSERT INTO payment_codes (payment_id, code_digest, code_expires_at, code_tries_left, code_spent, sent)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (payment_id) DO UPDATE SET code_digest = excluded.code_digest,
                        code_expires_at = excluded.code_expires_at, code_tries_left = excluded.code_tries_left,
                        code_spent = excluded.code_spent, sent = excluded.sent
                     WHERE payment_codes.code_digest = ?7 AND payment_codes.code_tries_left = ?8
                        AND payment_codes.code_spent = ?9 AND payment_codes.sent = ?10",
                    params![
                        payment.to_string(),
                        code.digest,
                        ts(code.expires_at),
                        code.tries_left,
                        code.spent,
                        sent,
                        expected.map(|e| e.0.digest.clone()),
                        expected.map(|e| e.0.tries_left),
                        expected.map(|e| e.0.spent),
                        expected.map(|e| e.1),
                    ],
                )
                .map_err(map_err)?;
            if changed == 0 {
                return Err(StoreError::Conflict { constraint: "payment_codes_changed".into() });
            }
            crate::effects::apply(tx, fx)
        })
    }
    async fn upsert_fee(&self, fee: &Fee, expected: Option<&str>, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            let values = params![
                fee.application_id.0.to_string(),
                fee.user_id.0.to_string(),
                fee.charge.uin.as_str(),
                applicant_code(fee.applicant_type),
                fee::charge_to_json(&fee.charge),
                fee.refund.code(),
                fee.refund_reason,
                ts(fee.created_at),
                ts(fee.updated_at),
                expected,
            ];
            let changed = tx
                .run(
                    "INSERT INTO application_fees (application_id, user_id, uin, applicant_type, charge, refund,
                        refund_reason, created_at, updated_at)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE ?10 IS NULL
                     ON CONFLICT (application_id) DO NOTHING",
                    values,
                )
                .map_err(map_err)?
                + tx.run(
                    "UPDATE application_fees SET uin = ?3, applicant_type = ?4, charge = ?5, refund = ?6,
                        refund_reason = ?7, updated_at = ?9
                     WHERE application_id = ?1 AND user_id = ?2 AND uin = ?10",
                    values,
                )
                .map_err(map_err)?;
            if changed == 0 {
                return Err(StoreError::Conflict { constraint: "application_fees_changed".into() });
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn find_fee(&self, application: ApplicationId) -> StoreResult<Option<Fee>> {
        self.read(|c| {
            c.row(&format!("{FEE} WHERE application_id = ?1"), [application.0.to_string()], fee_row).optional()
        })
    }

    async fn find_fee_by_uin(&self, uin: &str) -> StoreResult<Option<Fee>> {
        self.read(|c| c.row(&format!("{FEE} WHERE uin = ?1"), [uin], fee_row).optional())
    }

    async fn list_fees(&self) -> StoreResult<Vec<Fee>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!("{FEE} ORDER BY created_at, application_id"))?;
            s.query_map([], fee_row)?.collect()
        })
    }

    async fn update_fee_refund(
        &self,
        application: ApplicationId,
        to: FeeRefund,
        reason: Option<&str>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE application_fees SET refund = ?2, refund_reason = ?3, updated_at = ?4
                     WHERE application_id = ?1 AND refund = 'none'",
                    params![application.0.to_string(), to.code(), reason, ts(at)],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }
}
