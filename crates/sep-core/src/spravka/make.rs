//! The worker's side of a справка: the job `make_spravka` reads the registry, draws the PDF,
//! has the agency's system key sign the exact bytes, and files both in «Мои документы» as an
//! issued document with its check link — together with the order's «Готово», the
//! notification and the e-mail, in one transaction. A registry that does not answer is
//! retried with back-off and, after the last attempt, the order fails with its reason: never a
//! справка with wrong or missing data. The job `advance_post` moves a paper copy along.

use super::error::MakeFailure;
use super::order::{Order, OrderStatus, PostStatus};
use super::records::{Extract, Holder, Records};
use super::sheet::Render;
use super::{Kind, Kinds, post};
use crate::application::attachment::FileStore;
use crate::application::record::StoredFile;
use crate::audit::NewAuditEvent;
use crate::document::issued::IssuedDocument;
use crate::job::{Handler, Job, JobKind, NewJob, Queue};
use crate::notice::NewNotice;
use crate::signing::Authority;
use crate::store::{Effects, Store};
use crate::user::User;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// The queue of справки.
pub const QUEUE: Queue = Queue::Spravki;

/// The kind «Мои документы» shows for a справка.
pub const SPRAVKA_KIND: &str = "Справка";

/// What the worker needs to make справки.
pub struct Maker {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The kinds.
    pub kinds: Arc<Kinds>,
    /// The registries.
    pub records: Arc<dyn Records>,
    /// The agency keys.
    pub authority: Arc<dyn Authority>,
    /// The PDF renderer.
    pub render: Arc<dyn Render>,
    /// Where the PDF is kept.
    pub files: Arc<dyn FileStore>,
    /// The portal's public address, for the check link.
    pub public_url: String,
}

/// The holder of `order`: the person as the profile has them, and the organisation when it
/// is ordered for one.
pub fn order_holder(user: &User, order: &Order) -> Holder {
    Holder { org: order.org.clone(), ..holder(user) }
}

/// The holder as the profile has them.
pub fn holder(user: &User) -> Holder {
    let p = &user.profile;
    Holder {
        last_name: p.last_name.clone(),
        first_name: p.first_name.clone(),
        middle_name: p.middle_name.clone().unwrap_or_default(),
        birth_date: p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        snils: p.snils.as_ref().map(|s| s.as_digits().to_owned()),
        inn: p.inn.as_ref().map(|s| s.as_str().to_owned()),
        org: None,
    }
}

/// The job that moves a letter on from `from`, a step's time after `now`.
fn post_step(order: Uuid, from: PostStatus, now: OffsetDateTime) -> NewJob {
    NewJob::of(JobKind::AdvancePost, serde_json::json!({ "order": order, "from": from.code() }), now + post::STEP)
}

/// Orders still «Принят» or «Формируется» this long after their last change are given up:
/// their job died with its worker on the last attempt (the job runner's back-off ends within
/// the hour).
pub const STALLED_AFTER: time::Duration = time::Duration::hours(2);

/// What went wrong in one run of a job.
enum Stop {
    /// Try again later (the registry did not answer, storage failed).
    Retry(String),
    /// Give up: the order fails with this reason.
    Fail(MakeFailure, String),
}

impl Maker {
    fn order_id(job: &Job) -> Result<Uuid, String> {
        job.job.payload["order"].as_str().and_then(|s| s.parse().ok()).ok_or_else(|| "payload without an order".into())
    }

    async fn extract(&self, kind: &Kind, user: &User, order: &Order, last: bool) -> Result<Extract, Stop> {
        if kind.registry == "sep.registration" {
            return Ok(super::sheet::registration(user));
        }
        match self.records.read(&kind.registry, &order_holder(user, order), order.period).await {
            Ok(Some(x)) => Ok(x),
            Ok(None) => Err(Stop::Fail(MakeFailure::NoData, format!("{}: no record", kind.registry))),
            Err(e) if last => Err(Stop::Fail(MakeFailure::RegistryUnavailable, e.to_string())),
            Err(e) => Err(Stop::Retry(e.to_string())),
        }
    }

    async fn make(&self, job: &Job, order: Order, now: OffsetDateTime) -> Result<(), Stop> {
        let store = self.store.as_ref();
        let retry = |e: crate::StoreError| Stop::Retry(e.to_string());
        let user = store.get_user(order.user_id).await.map_err(retry)?;
        let Some(kind) = self.kinds.get(&order.kind) else {
            return Err(Stop::Fail(MakeFailure::Internal, format!("kind {} is no longer configured", order.kind)));
        };
        let last = job.attempts >= job.job.max_attempts;
        let extract = self.extract(kind, &user, &order, last).await?;
        let internal = |e: String| Stop::Fail(MakeFailure::Internal, e);
        let year = crate::clock::moscow_day(now).year();
        let seq = store.next_document_number(year).await.map_err(retry)?;
        let code = crate::ids::random_bytes::<16>().map_err(|_| internal("no randomness".into()))?;
        let mut d = IssuedDocument {
            id: Uuid::now_v7(),
            number: format!("D{year}-{seq:06}"),
            check_code: hex::encode(code),
            application_id: None,
            order_id: Some(order.id),
            payment_id: None,
            user_id: user.id,
            agency: kind.agency.clone(),
            issued_by: None,
            title: kind.title.clone(),
            holder: order_holder(&user, &order).initials(),
            file: StoredFile::pdf_to_come(),
            issued_at: now,
            valid_until: Some(now + time::Duration::days(i64::from(kind.valid_days))),
            annulled_at: None,
        };
        let check_url = format!("{}{}", self.public_url.trim_end_matches('/'), d.check_path());
        let sheet = super::sheet::compose(kind, &user, &order, &d, extract, &check_url);
        let pdf = self.render.render(&sheet).map_err(internal)?;
        d.file = StoredFile::pdf(format!("spravka-{}.pdf", d.number), &pdf);
        self.files.put(&d.file.sha256, &pdf).await.map_err(|e| Stop::Retry(e.to_string()))?;
        let hash = self.authority.hash(&pdf);
        let (der, signer) = self.authority.sign_as_agency(&kind.agency, &hash, now).map_err(|e| internal(e.0))?;
        let s = d.system_signature(hash.clone(), signer, now);
        let tracking = match &order.post_address {
            Some(_) => {
                let month = u8::from(crate::clock::moscow_day(now).month());
                let serial = u64::try_from(seq).unwrap_or(0);
                post::tracking_number(post::SENDING_OFFICE, month, serial)
            }
            None => None,
        };
        let mut fx = Effects::none();
        let mut e = NewAuditEvent::system(now, "spravka.issued", Some(user.id));
        e.object = Some(format!("spravka:{}", order.id));
        e.details = serde_json::json!({ "order": order.number, "number": d.number, "hash": hash });
        fx.audit.push(e);
        fx.notices.push(NewNotice {
            user_id: user.id,
            at: now,
            kind: "status".into(),
            title: "Справка готова".into(),
            text: format!("Справка «{}» № {} готова и подписана ведомством.", kind.title, d.number),
            link: format!("/spravki/{}", order.id),
            critical: false,
        });
        let data = serde_json::json!({ "order": order.id, "order_number": order.number, "number": d.number });
        fx.jobs.push(crate::integration::webhook::event_job(
            user.id,
            crate::integration::webhook::EventType::SpravkaReady,
            data,
            now,
        ));
        if let Some(to) = &order.email {
            let text = format!(
                "Справка «{}» № {} готова. Она приложена к письму вместе с электронной подписью ведомства (.sig).\n\nПроверить справку: {}\n\nСправка также доступна в разделе «Справки» личного кабинета.",
                kind.title, d.number, sheet.check_url
            );
            let attachments = serde_json::json!([
                { "name": d.file.file_name, "content_type": "application/pdf", "file": d.file.sha256 },
                { "name": format!("{}.sig", d.file.file_name), "content_type": "application/pkcs7-signature", "hex": hex::encode(&der) },
            ]);
            let payload = serde_json::json!({ "to": to, "subject": format!("Справка № {} готова", d.number), "text": text, "attachments": attachments });
            fx.jobs.push(NewJob::of(JobKind::SendEmail, payload, now));
        }
        if tracking.is_some() {
            fx.jobs.push(post_step(order.id, PostStatus::Accepted, now));
        }
        self.store
            .complete_spravka_order(order.id, &d, &s, &der, tracking.as_deref(), now, &fx)
            .await
            .map_err(retry)?;
        Ok(())
    }

    async fn fail(&self, order: &Order, why: MakeFailure, detail: &str, now: OffsetDateTime) -> Result<(), String> {
        let title = self.kinds.get(&order.kind).map_or(order.kind.as_str(), |k| k.title.as_str());
        let mut e = NewAuditEvent::system(now, "spravka.failed", Some(order.user_id));
        e.object = Some(format!("spravka:{}", order.id));
        e.details = serde_json::json!({ "order": order.number, "code": why.code() });
        let notice = NewNotice {
            user_id: order.user_id,
            at: now,
            kind: "status".into(),
            title: "Справка не сформирована".into(),
            text: format!("Справка «{title}» по заказу № {} не сформирована. {}", order.number, why.text()),
            link: format!("/spravki/{}", order.id),
            critical: true,
        };
        let fx = Effects { audit: vec![e], jobs: vec![], notices: vec![notice] };
        tracing::warn!(order = %order.id, code = why.code(), detail, "spravka failed");
        self.store
            .update_spravka_order_status(
                order.id,
                order.status,
                OrderStatus::Failed,
                Some((why.code(), why.text())),
                now,
                &fx,
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Fails the orders stalled for [`STALLED_AFTER`], telling each holder; returns how many.
    pub async fn fail_stalled(&self, now: OffsetDateTime) -> Result<usize, crate::StoreError> {
        let stalled = self.store.list_spravka_orders_stalled(now - STALLED_AFTER, 100).await?;
        let mut n = 0;
        for o in &stalled {
            if self.fail(o, MakeFailure::Internal, "stalled: its job ended without a result", now).await.is_ok() {
                n += 1;
            }
        }
        Ok(n)
    }

    async fn run_make(&self, job: &Job, now: OffsetDateTime) -> Result<(), String> {
        let id = Self::order_id(job)?;
        let Some(mut order) = self.store.find_spravka_order(id).await.map_err(|e| e.to_string())? else {
            return Ok(());
        };
        if order.status.is_final() {
            return Ok(());
        }
        if order.status == OrderStatus::Accepted {
            let moved = self
                .store
                .update_spravka_order_status(
                    id,
                    OrderStatus::Accepted,
                    OrderStatus::Making,
                    None,
                    now,
                    &Effects::none(),
                )
                .await
                .map_err(|e| e.to_string())?;
            if !moved {
                return Ok(());
            }
            order.status = OrderStatus::Making;
        }
        let last = job.attempts >= job.job.max_attempts;
        match self.make(job, order.clone(), now).await {
            Ok(()) => Ok(()),
            // The last attempt never leaves the order «Формируется»: the person is told.
            Err(Stop::Retry(e)) if last => self.fail(&order, MakeFailure::Internal, &e, now).await,
            Err(Stop::Retry(e)) => Err(e),
            Err(Stop::Fail(why, detail)) => self.fail(&order, why, &detail, now).await,
        }
    }

    async fn run_post(&self, job: &Job, now: OffsetDateTime) -> Result<(), String> {
        let id = Self::order_id(job)?;
        let Some(order) = self.store.find_spravka_order(id).await.map_err(|e| e.to_string())? else { return Ok(()) };
        // The step this job was made for: run twice, it moves the letter once.
        let from = job.job.payload["from"].as_str().and_then(PostStatus::from_code).unwrap_or(PostStatus::Accepted);
        let Some((at, next)) = order.post.filter(|(s, _)| *s == from).and_then(|(s, _)| s.next().map(|n| (s, n)))
        else {
            return Ok(());
        };
        let mut fx = Effects::none();
        let mut e = NewAuditEvent::system(now, "spravka.post", Some(order.user_id));
        e.object = Some(format!("spravka:{}", order.id));
        e.details = serde_json::json!({ "tracking": order.tracking, "status": next.code() });
        fx.audit.push(e);
        if next.next().is_some() {
            fx.jobs.push(post_step(order.id, next, now));
        } else {
            fx.notices.push(NewNotice {
                user_id: order.user_id,
                at: now,
                kind: "status".into(),
                title: "Справка вручена".into(),
                text: format!(
                    "Почтовое отправление {} со справкой по заказу № {} вручено.",
                    order.tracking.as_deref().unwrap_or_default(),
                    order.number
                ),
                link: format!("/spravki/{}", order.id),
                critical: false,
            });
        }
        self.store.update_spravka_post(id, at, next, now, &fx).await.map_err(|e| e.to_string())?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl Handler for Maker {
    async fn handle(&self, job: &Job, now: OffsetDateTime) -> Result<(), String> {
        match job.kind() {
            Some(JobKind::MakeSpravka) => self.run_make(job, now).await,
            Some(JobKind::AdvancePost) => self.run_post(job, now).await,
            _ => Err(format!("job kind {} is not one of the spravki queue", job.job.kind)),
        }
    }
}
