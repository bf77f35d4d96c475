//! [`PaymentStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, map_err};
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
use tokio_postgres::Row;
use uuid::Uuid;

const FEE: &str =
    "SELECT application_id, user_id, applicant_type, charge, refund, refund_reason, created_at, updated_at
    FROM application_fees";

fn fee_row(r: &Row) -> StoreResult<Fee> {
    let (kind, charge, refund): (String, String, String) = (r.get(2), r.get(3), r.get(4));
    Ok(Fee {
        application_id: ApplicationId(r.get(0)),
        user_id: UserId(r.get(1)),
        applicant_type: applicant_from_code(&kind).ok_or_else(|| bad_code("applicant type", &kind))?,
        charge: fee::charge_from_json(&charge).ok_or_else(|| bad_code("fee charge", "json"))?,
        refund: FeeRefund::from_code(&refund).ok_or_else(|| bad_code("fee refund", &refund))?,
        refund_reason: r.get(5),
        created_at: r.get(6),
        updated_at: r.get(7),
    })
}

const PAYMENT: &str = "SELECT id, user_id, uin, amount, title, status, request_key, provider_id, confirmation_url,
    failure_code, failure_text, rrn, auth_code, card, created_at, updated_at, receipt_id FROM payments";

fn row(r: &Row) -> StoreResult<Payment> {
    let status: String = r.get(5);
    Ok(Payment {
        id: r.get(0),
        user_id: UserId(r.get(1)),
        uin: r.get(2),
        amount: Kopecks(r.get(3)),
        title: r.get(4),
        status: PaymentStatus::from_code(&status).ok_or_else(|| bad_code("payment status", &status))?,
        request_key: r.get(6),
        provider_id: r.get(7),
        confirmation_url: r.get(8),
        failure: r.get::<_, Option<String>>(9).zip(r.get::<_, Option<String>>(10)),
        rrn: r.get(11),
        auth_code: r.get(12),
        card: r.get(13),
        created_at: r.get(14),
        updated_at: r.get(15),
        receipt_id: r.get(16),
    })
}

impl PgStore {
    async fn one_payment(
        &self,
        sql: &str,
        args: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> StoreResult<Option<Payment>> {
        let client = self.client().await?;
        let r = client.maybe_row(sql, args).await.map_err(map_err)?;
        r.as_ref().map(row).transpose()
    }
}

const REFUND: &str = "SELECT id, user_id, amount, bic, account, recipient, status, reason, request_key, created_at,
    updated_at FROM refunds";

fn refund_row(r: &Row) -> StoreResult<Refund> {
    let status: String = r.get(6);
    Ok(Refund {
        id: r.get(0),
        user_id: UserId(r.get(1)),
        amount: Kopecks(r.get(2)),
        bic: r.get(3),
        account: r.get(4),
        recipient: r.get(5),
        status: RefundStatus::from_code(&status).ok_or_else(|| bad_code("refund status", &status))?,
        reason: r.get(7),
        request_key: r.get(8),
        created_at: r.get(9),
        updated_at: r.get(10),
    })
}

#[async_trait::async_trait]
impl PaymentStore for PgStore {
    async fn insert_payment(&self, p: &Payment, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO payments (id, user_id, uin, amount, title, status, request_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &p.id,
                &p.user_id.0,
                &p.uin,
                &p.amount.0,
                &p.title,
                &p.status.code(),
                &p.request_key,
                &p.created_at,
                &p.updated_at,
            ],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn find_payment(&self, id: Uuid) -> StoreResult<Option<Payment>> {
        self.one_payment(&format!("{PAYMENT} WHERE id = $1"), &[&id]).await
    }

    async fn find_payment_by_provider(&self, provider_id: &str) -> StoreResult<Option<Payment>> {
        self.one_payment(&format!("{PAYMENT} WHERE provider_id = $1"), &[&provider_id]).await
    }

    async fn find_payment_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Payment>> {
        self.one_payment(&format!("{PAYMENT} WHERE user_id = $1 AND request_key = $2"), &[&user.0, &key]).await
    }

    async fn find_succeeded_payment(&self, uin: &str) -> StoreResult<Option<Payment>> {
        self.one_payment(&format!("{PAYMENT} WHERE uin = $1 AND status = 'succeeded'"), &[&uin]).await
    }

    async fn find_live_payment(&self, uin: &str) -> StoreResult<Option<Payment>> {
        self.one_payment(&format!("{PAYMENT} WHERE uin = $1 AND status IN ('created', 'pending')"), &[&uin]).await
    }

    async fn list_payments_of_user(&self, user: UserId) -> StoreResult<Vec<Payment>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{PAYMENT} WHERE user_id = $1 ORDER BY created_at DESC, id DESC"), &[&user.0])
            .await
            .map_err(map_err)?;
        rows.iter().map(row).collect()
    }

    async fn update_payment_started(
        &self,
        id: Uuid,
        provider_id: &str,
        confirmation_url: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        let client = self.client().await?;
        let n = client
            .run(
                "UPDATE payments SET status = 'pending', provider_id = $2, confirmation_url = $3, updated_at = $4
                 WHERE id = $1 AND status = 'created' AND provider_id IS NULL",
                &[&id, &provider_id, &confirmation_url, &at],
            )
            .await
            .map_err(map_err)?;
        Ok(n > 0)
    }

    async fn complete_receipt(
        &self,
        id: Uuid,
        document: &sep_core::document::issued::IssuedDocument,
        signature: &sep_core::signing::Signature,
        der: &[u8],
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE payments SET receipt_id = $2 WHERE id = $1 AND status = 'succeeded' AND receipt_id IS NULL",
                &[&id, &document.id],
            )
            .await
            .map_err(map_err)?;
        if n == 0 {
            return Ok(false);
        }
        crate::documents::file_issued(&tx, document, signature, der, fx).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
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
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = match tx
            .run(
                "UPDATE payments SET status = $2, failure_code = $3, failure_text = $4, rrn = $5, auth_code = $6,
                    card = COALESCE($7, card), updated_at = $8
                 WHERE id = $1 AND status IN ('created', 'pending')",
                &[&id, &to.code(), &failure.map(|f| f.0), &failure.map(|f| f.1), &rrn, &auth, &card, &at],
            )
            .await
            .map_err(map_err)
        {
            Ok(n) => n,
            // The charge already has its successful payment: this one is not it.
            Err(StoreError::Conflict { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }

    async fn insert_refund(&self, r: &Refund, reserved: Kopecks, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        // One person's refunds are asked one at a time: the row lock makes a second request
        // wait and then see the first.
        tx.run("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", &[&r.user_id.0]).await.map_err(map_err)?;
        let row = tx
            .row(
                "SELECT COALESCE(SUM(amount), 0)::BIGINT FROM refunds WHERE user_id = $1 AND status <> 'rejected'",
                &[&r.user_id.0],
            )
            .await
            .map_err(map_err)?;
        if row.get::<_, i64>(0) != reserved.0 {
            return Err(StoreError::Conflict { constraint: "refunds_reserved".into() });
        }
        tx.run(
            "INSERT INTO refunds (id, user_id, amount, bic, account, recipient, status, reason, request_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &r.id,
                &r.user_id.0,
                &r.amount.0,
                &r.bic,
                &r.account,
                &r.recipient,
                &r.status.code(),
                &r.reason,
                &r.request_key,
                &r.created_at,
                &r.updated_at,
            ],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn find_refund(&self, id: Uuid) -> StoreResult<Option<Refund>> {
        let client = self.client().await?;
        let r = client.maybe_row(&format!("{REFUND} WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        r.as_ref().map(refund_row).transpose()
    }

    async fn find_refund_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Refund>> {
        let client = self.client().await?;
        let r = client
            .maybe_row(&format!("{REFUND} WHERE user_id = $1 AND request_key = $2"), &[&user.0, &key])
            .await
            .map_err(map_err)?;
        r.as_ref().map(refund_row).transpose()
    }

    async fn list_refunds_of_user(&self, user: UserId) -> StoreResult<Vec<Refund>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{REFUND} WHERE user_id = $1 ORDER BY created_at DESC, id DESC"), &[&user.0])
            .await
            .map_err(map_err)?;
        rows.iter().map(refund_row).collect()
    }

    async fn update_refund_status(
        &self,
        id: Uuid,
        to: RefundStatus,
        reason: Option<&str>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE refunds SET status = $2, reason = $3, updated_at = $4 WHERE id = $1 AND status = 'accepted'",
                &[&id, &to.code(), &reason, &at],
            )
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }

    async fn find_account_alerts(&self, user: UserId) -> StoreResult<Option<Alerts>> {
        let client = self.client().await?;
        let r = client
            .maybe_row("SELECT email, sms, threshold, last_balance FROM account_alerts WHERE user_id = $1", &[&user.0])
            .await
            .map_err(map_err)?;
        Ok(r.map(|r| Alerts {
            email: r.get(0),
            sms: r.get(1),
            threshold: r.get::<_, Option<i64>>(2).map(Kopecks),
            last_balance: r.get::<_, Option<i64>>(3).map(Kopecks),
        }))
    }

    async fn upsert_account_alerts(&self, user: UserId, a: &Alerts, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO account_alerts (user_id, email, sms, threshold, last_balance) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, sms = excluded.sms,
                threshold = excluded.threshold, last_balance = excluded.last_balance",
            &[&user.0, &a.email, &a.sms, &a.threshold.map(|k| k.0), &a.last_balance.map(|k| k.0)],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn update_alert_balance(
        &self,
        user: UserId,
        expected: Option<Kopecks>,
        balance: Kopecks,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE account_alerts SET last_balance = $3 WHERE user_id = $1 AND last_balance IS NOT DISTINCT FROM $2",
                &[&user.0, &expected.map(|k| k.0), &balance.0],
            )
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }

    async fn insert_linked_card(&self, card: &sep_core::payment::cards::LinkedCard) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .run(
                "INSERT INTO linked_cards (id, user_id, token, masked, expiry, created_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (token) DO NOTHING",
                &[&card.id, &card.user_id.0, &card.token, &card.masked, &card.expiry, &card.created_at],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn list_linked_cards(&self, user: UserId) -> StoreResult<Vec<sep_core::payment::cards::LinkedCard>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT id, token, masked, expiry, created_at FROM linked_cards WHERE user_id = $1 ORDER BY created_at, id",
                &[&user.0],
            )
            .await
            .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| sep_core::payment::cards::LinkedCard {
                id: r.get(0),
                user_id: user,
                token: r.get(1),
                masked: r.get(2),
                expiry: r.get(3),
                created_at: r.get(4),
            })
            .collect())
    }

    async fn delete_linked_card(&self, user: UserId, id: Uuid, fx: &Effects) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run("DELETE FROM linked_cards WHERE id = $1 AND user_id = $2", &[&id, &user.0])
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }

    async fn list_users_with_alerts(&self) -> StoreResult<Vec<UserId>> {
        let client = self.client().await?;
        let rows = client
            .rows("SELECT user_id FROM account_alerts WHERE email OR sms ORDER BY user_id", &[])
            .await
            .map_err(map_err)?;
        Ok(rows.iter().map(|r| UserId(r.get(0))).collect())
    }

    async fn find_payment_code(&self, payment: Uuid) -> StoreResult<Option<(sep_core::otp::CodeState, u32)>> {
        let client = self.client().await?;
        let r = client
            .maybe_row(
                "SELECT code_digest, code_expires_at, code_tries_left, code_spent, sent FROM payment_codes WHERE payment_id = $1",
                &[&payment],
            )
            .await
            .map_err(map_err)?;
        Ok(r.map(|r| {
            let code = sep_core::otp::CodeState {
                digest: r.get(0),
                expires_at: r.get(1),
                tries_left: u32::try_from(r.get::<_, i32>(2)).unwrap_or(0),
                spent: r.get(3),
            };
            (code, u32::try_from(r.get::<_, i32>(4)).unwrap_or(0))
        }))
    }

    async fn upsert_payment_code(
        &self,
        payment: Uuid,
        code: &sep_core::otp::CodeState,
        sent: u32,
        expected: Option<(&sep_core::otp::CodeState, u32)>,
        fx: &Effects,
    ) -> StoreResult<()> {
        let int = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let changed = match expected {
            None => tx
                .run(
                    "INSERT INTO payment_codes (payment_id, code_digest, code_expires_at, code_tries_left, code_spent, sent)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (payment_id) DO NOTHING",
                    &[&payment, &code.digest, &code.expires_at, &int(code.tries_left), &code.spent, &int(sent)],
                )
                .await
                .map_err(map_err)?,
            Some((was, was_sent)) => tx
                .run(
                    "UPDATE payment_codes SET code_digest = $2, code_expires_at = $3, code_tries_left = $4,
                        code_spent = $5, sent = $6
                     WHERE payment_id = $1 AND code_digest = $7 AND code_tries_left = $8 AND code_spent = $9 AND sent = $10",
                    &[
                        &payment,
                        &code.digest,
                        &code.expires_at,
                        &int(code.tries_left),
                        &code.spent,
                        &int(sent),
                        &was.digest,
                        &int(was.tries_left),
                        &was.spent,
                        &int(was_sent),
                    ],
                )
                .await
                .map_err(map_err)?,
        };
        if changed == 0 {
            return Err(StoreError::Conflict { constraint: "payment_codes_changed".into() });
        }
        crate::effects::commit(tx, fx).await
    }
    async fn upsert_fee(&self, fee: &Fee, expected: Option<&str>, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let charge = fee::charge_to_json(&fee.charge);
        let (uin, kind, refund) = (fee.charge.uin.as_str(), applicant_code(fee.applicant_type), fee.refund.code());
        let changed = match expected {
            None => tx
                .run(
                    "INSERT INTO application_fees (application_id, user_id, uin, applicant_type, charge, refund,
                        refund_reason, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (application_id) DO NOTHING",
                    &[
                        &fee.application_id.0,
                        &fee.user_id.0,
                        &uin,
                        &kind,
                        &charge,
                        &refund,
                        &fee.refund_reason,
                        &fee.created_at,
                        &fee.updated_at,
                    ],
                )
                .await
                .map_err(map_err)?,
            Some(was) => tx
                .run(
                    "UPDATE application_fees SET uin = $3, applicant_type = $4, charge = $5, refund = $6,
                        refund_reason = $7, updated_at = $8
                     WHERE application_id = $1 AND user_id = $2 AND uin = $9",
                    &[
                        &fee.application_id.0,
                        &fee.user_id.0,
                        &uin,
                        &kind,
                        &charge,
                        &refund,
                        &fee.refund_reason,
                        &fee.updated_at,
                        &was,
                    ],
                )
                .await
                .map_err(map_err)?,
        };
        if changed == 0 {
            return Err(StoreError::Conflict { constraint: "application_fees_changed".into() });
        }
        crate::effects::commit(tx, fx).await
    }

    async fn find_fee(&self, application: ApplicationId) -> StoreResult<Option<Fee>> {
        let client = self.client().await?;
        let r =
            client.maybe_row(&format!("{FEE} WHERE application_id = $1"), &[&application.0]).await.map_err(map_err)?;
        r.as_ref().map(fee_row).transpose()
    }

    async fn find_fee_by_uin(&self, uin: &str) -> StoreResult<Option<Fee>> {
        let client = self.client().await?;
        let r = client.maybe_row(&format!("{FEE} WHERE uin = $1"), &[&uin]).await.map_err(map_err)?;
        r.as_ref().map(fee_row).transpose()
    }

    async fn list_fees(&self) -> StoreResult<Vec<Fee>> {
        let client = self.client().await?;
        let rows = client.rows(&format!("{FEE} ORDER BY created_at, application_id"), &[]).await.map_err(map_err)?;
        rows.iter().map(fee_row).collect()
    }

    async fn update_fee_refund(
        &self,
        application: ApplicationId,
        to: FeeRefund,
        reason: Option<&str>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE application_fees SET refund = $2, refund_reason = $3, updated_at = $4
                 WHERE application_id = $1 AND refund = 'none'",
                &[&application.0, &to.code(), &reason, &at],
            )
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }
}
