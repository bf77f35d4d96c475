//! The receipt (квитанция) of a successful payment (SPEC P2, E3): the job `make_receipt`
//! draws it — operation number, payer, payee and requisites, УИН, КБК, amount, time, the
//! provider's RRN and authorisation code — has the portal operator's system key sign the exact
//! bytes, and files it in «Мои документы» with the payment's link to it, one transaction, with a
//! notification. Checked like any issued document, at `/verify/{number}?ck=`.

use super::ChargeRegistry;
use super::pay::PaymentStatus;
use crate::application::attachment::FileStore;
use crate::application::record::StoredFile;
use crate::audit::NewAuditEvent;
use crate::document::issued::IssuedDocument;
use crate::job::{Handler, Job, JobKind, Queue};
use crate::notice::NewNotice;
use crate::signing::Authority;
use crate::spravka::records::Extract;
use crate::spravka::sheet::{Render, Sheet};
use crate::store::{Effects, Store};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// The queue of receipts.
pub const QUEUE: Queue = Queue::Receipts;

/// Who issues receipts: the portal's operator, whose system key signs them.
pub const ISSUER: &str = "Оператор СЭП";

/// The kind «Мои документы» shows for a receipt.
pub const RECEIPT_KIND: &str = "Квитанция";

/// What the worker needs to make receipts.
pub struct ReceiptMaker {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// ГИС ГМП, for the payee's requisites.
    pub registry: Arc<dyn ChargeRegistry>,
    /// The system keys.
    pub authority: Arc<dyn Authority>,
    /// The PDF renderer.
    pub render: Arc<dyn Render>,
    /// Where the PDF is kept.
    pub files: Arc<dyn FileStore>,
    /// The portal's public address, for the check link.
    pub public_url: String,
}

impl ReceiptMaker {
    async fn make(&self, id: Uuid, now: OffsetDateTime) -> Result<(), String> {
        let store = self.store.as_ref();
        let e = |e: crate::StoreError| e.to_string();
        let Some(p) = store.find_payment(id).await.map_err(e)? else { return Ok(()) };
        if p.status != PaymentStatus::Succeeded || p.receipt_id.is_some() {
            return Ok(());
        }
        let user = store.get_user(p.user_id).await.map_err(e)?;
        let uin = super::Uin::parse(&p.uin).map_err(|x| x.to_string())?;
        let charge = self.registry.charge(&uin, crate::clock::moscow_day(now)).await.map_err(|x| x.to_string())?;
        let year = crate::clock::moscow_day(now).year();
        let seq = store.next_document_number(year).await.map_err(e)?;
        let code = crate::ids::random_bytes::<16>().map_err(|_| "no randomness".to_owned())?;
        let holder = crate::spravka::make::holder(&user);
        let mut d = IssuedDocument {
            id: Uuid::now_v7(),
            number: format!("D{year}-{seq:06}"),
            check_code: hex::encode(code),
            application_id: None,
            order_id: None,
            payment_id: Some(p.id),
            user_id: user.id,
            agency: ISSUER.into(),
            issued_by: None,
            title: "Квитанция об оплате".into(),
            holder: holder.initials(),
            file: StoredFile::pdf_to_come(),
            issued_at: now,
            valid_until: None,
            annulled_at: None,
        };
        let mut rows = vec![
            vec!["Номер операции".into(), p.id.to_string()],
            vec!["Оплата подтверждена".into(), format!("{} МСК", crate::clock::moscow_time(p.updated_at, true))],
            vec!["Сумма".into(), p.amount.to_string()],
            vec!["УИН".into(), p.uin.clone()],
            vec!["Начисление".into(), p.title.clone()],
        ];
        if let Some(c) = &charge {
            rows.extend([
                vec!["Получатель".into(), c.payee.name.clone()],
                vec!["ИНН / КПП получателя".into(), format!("{} / {}", c.payee.inn, c.payee.kpp)],
                vec!["Счёт получателя".into(), c.payee.account.clone()],
                vec!["Банк получателя, БИК".into(), format!("{}, {}", c.payee.bank, c.payee.bic)],
                vec!["Корреспондентский счёт".into(), c.payee.corr_account.clone()],
                vec!["КБК".into(), c.kbk.clone()],
                vec!["ОКТМО".into(), c.oktmo.clone()],
            ]);
        }
        rows.extend([
            vec!["Способ оплаты".into(), p.card.clone().unwrap_or_default()],
            vec!["RRN".into(), p.rrn.clone().unwrap_or_default()],
            vec!["Код авторизации".into(), p.auth_code.clone().unwrap_or_default()],
        ]);
        let mut lines = vec![("Плательщик".to_owned(), holder.full_name())];
        if let Some(inn) = &holder.inn {
            lines.push(("ИНН плательщика".into(), inn.clone()));
        }
        // An organisation's charge paid by its head: the organisation is the payer.
        if let Some(c) = charge.as_ref().filter(|c| holder.inn.as_deref() != Some(c.payer_inn.as_str())) {
            let orgs = store.list_user_orgs(user.id).await.map_err(e)?;
            let name = orgs.into_iter().find(|m| m.inn.as_str() == c.payer_inn).map(|m| m.full_name);
            lines = vec![
                ("Плательщик".to_owned(), name.unwrap_or_else(|| c.payer_inn.clone())),
                ("ИНН плательщика".into(), c.payer_inn.clone()),
                ("Оплатил(а)".into(), format!("{}, руководитель организации", holder.full_name())),
            ];
        }
        let check_url = format!("{}{}", self.public_url.trim_end_matches('/'), d.check_path());
        let sheet = Sheet {
            agency: ISSUER.into(),
            title: d.title.clone(),
            number: d.number.clone(),
            issued_on: crate::ident::ru_date(crate::clock::moscow_day(now)),
            valid_until: String::new(),
            holder: lines,
            period: None,
            purpose: charge.as_ref().map_or_else(|| p.title.clone(), |c| c.purpose.clone()),
            extract: Extract {
                statement: "Платёж выполнен; сведения о нём передаются в ГИС ГМП.".into(),
                columns: vec!["Реквизит".into(), "Значение".into()],
                rows,
                totals: vec![],
            },
            check_url,
            reference: ("Операция".into(), p.id.to_string()),
            photo: None,
        };
        let pdf = self.render.render(&sheet)?;
        d.file = StoredFile::pdf(format!("receipt-{}.pdf", d.number), &pdf);
        self.files.put(&d.file.sha256, &pdf).await.map_err(|x| x.to_string())?;
        let hash = self.authority.hash(&pdf);
        let (der, signer) = self.authority.sign_as_agency(ISSUER, &hash, now).map_err(|x| x.0)?;
        let s = d.system_signature(hash.clone(), signer, now);
        let mut a = NewAuditEvent::system(now, "payment.receipt", Some(user.id));
        a.object = Some(format!("payment:{}", p.id));
        a.details = serde_json::json!({ "number": d.number, "hash": hash });
        let notice = NewNotice {
            user_id: user.id,
            at: now,
            kind: "payment".into(),
            title: "Квитанция готова".into(),
            text: format!(
                "Квитанция № {} об оплате {} (УИН {}) подписана и лежит в «Мои документы».",
                d.number, p.amount, p.uin
            ),
            link: format!("/payments/result/{}", p.id),
            critical: false,
        };
        let mut fx = Effects { audit: vec![a], jobs: vec![], notices: vec![notice] };
        // A payment confirmation (SPEC N1): by e-mail with the receipt and its signature attached,
        // unless the person turned confirmations by e-mail off.
        let by_email = user.settings.allows(
            crate::settings::Kind::Confirmation,
            crate::settings::Channel::Email,
            crate::settings::Importance::Important,
        );
        if let Some(to) = user.profile.email.as_ref().filter(|_| by_email) {
            let attachments = serde_json::json!([
                { "name": d.file.file_name, "content_type": "application/pdf", "file": d.file.sha256 },
                { "name": format!("{}.sig", d.file.file_name), "content_type": "application/pkcs7-signature", "hex": hex::encode(&der) },
            ]);
            let text = format!(
                "Оплата {} по начислению «{}» (УИН {}) прошла. Квитанция № {} приложена к письму вместе с электронной подписью (.sig).\n\nПроверить квитанцию: {}",
                p.amount, p.title, p.uin, d.number, sheet.check_url
            );
            let payload = serde_json::json!({ "to": to.as_str(), "subject": format!("Квитанция № {} об оплате", d.number), "text": text, "attachments": attachments });
            fx.jobs.push(crate::job::NewJob::of(JobKind::SendEmail, payload, now));
        }
        store.complete_receipt(p.id, &d, &s, &der, &fx).await.map_err(e)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl Handler for ReceiptMaker {
    async fn handle(&self, job: &Job, now: OffsetDateTime) -> Result<(), String> {
        match job.kind() {
            Some(JobKind::MakeReceipt) => {
                let id = job.job.payload["payment"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .ok_or("payload without a payment")?;
                self.make(id, now).await
            }
            _ => Err(format!("job kind {} is not one of the receipts queue", job.job.kind)),
        }
    }
}
