//! Issuing an e-passport (SPEC EP1): when an application of a service with
//! `result = "e_passport"` is completed, the job `issue_passport` makes the registry's record
//! from the form's fields and the photo, signs its QR code in both profiles, annuls the
//! holder's earlier e-passport («Выдан новый») and tells the holder — one transaction.
//! The lists a verifier caches are made here too, from the registry and the keys.

use super::code::{cose_alg, encode, kid};
use super::lists::{AnnulmentList, Keys, SignerEntry, TrustList};
use super::record::{AnnulReason, ISSUER, Passport, PassportStatus, StatusEntry, VALID_YEARS};
use crate::application::record::{Application, ApplicationId, StoredFile};
use crate::application::status::Status;
use crate::audit::NewAuditEvent;
use crate::catalogue::{Catalogue, ServiceResult};
use crate::ident::RuDate;
use crate::job::{Handler, Job, JobKind, NewJob, Queue};
use crate::notice::NewNotice;
use crate::signer::{SignError, Signer};
use crate::store::{Effects, Store};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// The queue of e-passports.
pub const QUEUE: Queue = Queue::Passports;

/// The keys of the e-passport: the document signers and the roots that sign the lists.
pub struct Keyring {
    /// Signs codes with ES256.
    pub es256: Arc<dyn Signer>,
    /// Signs codes with ГОСТ Р 34.10-2012.
    pub gost: Arc<dyn Signer>,
    /// Sign the lists (ES256 and ГОСТ roots).
    pub roots: Vec<Arc<dyn Signer>>,
    /// Until when both signers' certificates are valid: no code outlives them.
    pub until: OffsetDateTime,
}

impl Keyring {
    /// The trust list as of `now`: the roots and both signers.
    pub fn trust_list(&self, keys: &dyn Keys, now: OffsetDateTime) -> Result<Vec<u8>, SignError> {
        let mut signers = Vec::new();
        for s in [&self.es256, &self.gost] {
            let cert = s.certificate().ok_or_else(|| SignError::Key("у ключа нет сертификата".into()))?.to_vec();
            let alg = cose_alg(s.algorithm()).ok_or_else(|| SignError::Key(s.algorithm().name().into()))?;
            let key = keys.spki(&cert).ok_or_else(|| SignError::Key("ключ сертификата не читается".into()))?;
            signers.push(SignerEntry { kid: kid(&cert), alg, certificate: cert, key });
        }
        let roots = self.roots.iter().filter_map(|r| r.certificate().map(<[u8]>::to_vec)).collect();
        TrustList { issued: now, roots, signers }.sign(&self.root_refs())
    }

    /// The annulment list of the records `annulled`, as of `now`.
    pub fn annulment_list(&self, annulled: &[Uuid], now: OffsetDateTime) -> Result<Vec<u8>, SignError> {
        let annulled = annulled.iter().map(|id| super::lists::annulment_hash(*id)).collect();
        AnnulmentList { issued: now, annulled }.sign(&self.root_refs())
    }

    fn root_refs(&self) -> Vec<&dyn Signer> {
        self.roots.iter().map(|r| r.as_ref() as &dyn Signer).collect()
    }

    /// The SHA-256 (hex) of each root: what verifiers pin.
    pub fn pins(&self) -> Vec<String> {
        self.roots.iter().filter_map(|r| r.certificate()).map(super::lists::fingerprint).collect()
    }
}

/// The job that issues the e-passport of a completed application.
pub fn job(app: ApplicationId, at: OffsetDateTime) -> NewJob {
    NewJob::of(JobKind::IssuePassport, serde_json::json!({ "application": app.0.to_string() }), at)
}

/// ISO 3166-1 alpha-3 of a citizenship as people write it; the text itself otherwise.
pub fn citizenship_code(text: &str) -> String {
    let t = text.trim().to_lowercase().replace('ё', "е");
    match t.as_str() {
        "российская федерация" | "россия" | "рф" | "russian federation" | "russia" | "rus" => {
            "RUS".into()
        }
        _ => text.trim().to_owned(),
    }
}

/// Why a completed application made no record.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// A field the record needs is missing or malformed (the form checks them: corrupted data).
    #[error("поле {0} заявления не годится для записи реестра")]
    Field(&'static str),
    /// No photo attached.
    #[error("к заявлению не приложена фотография")]
    NoPhoto,
    /// The signers' certificates end before a code could be valid a day.
    #[error("сертификаты ключей подписи электронных паспортов истекают: выпустите новые")]
    SignersExpiring,
    /// A code made does not read back (a field too long for it).
    #[error("код электронного паспорта не читается: {0}")]
    Code(#[from] super::error::CodeError),
    /// A key could not sign.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The PDF could not be made, kept or signed.
    #[error("PDF электронного паспорта не сформирован: {0}")]
    Pdf(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

/// A field's text without control characters (the code refuses them).
fn field(app: &Application, name: &'static str) -> Result<String, IssueError> {
    app.data
        .get(name)
        .map(|v| v.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or(IssueError::Field(name))
}

/// The record an application makes (codes not yet signed), numbered `number`, valid ten
/// years but never past `until` (the signers' certificates).
pub fn record(
    app: &Application,
    photo: StoredFile,
    number: String,
    now: OffsetDateTime,
    until: OffsetDateTime,
) -> Result<Passport, IssueError> {
    let birth_date = RuDate::parse(&field(app, "birth_date")?).map_err(|_| IssueError::Field("birth_date"))?.date();
    let ten = now.replace_year(now.year() + VALID_YEARS).unwrap_or(now + time::Duration::days(3652));
    let valid_until = ten.min(until - time::Duration::days(1));
    if valid_until <= now {
        return Err(IssueError::SignersExpiring);
    }
    Ok(Passport {
        id: Uuid::now_v7(),
        number,
        user_id: app.user_id,
        application_id: app.id,
        inn: field(app, "inn")?,
        passport_series: field(app, "passport_series")?.chars().filter(char::is_ascii_digit).collect(),
        passport_number: field(app, "passport_number")?.chars().filter(char::is_ascii_digit).collect(),
        last_name: field(app, "last_name")?,
        first_name: field(app, "first_name")?,
        middle_name: field(app, "middle_name").ok(),
        birth_date,
        birth_place: field(app, "birth_place")?,
        citizenship: citizenship_code(&field(app, "citizenship")?),
        photo,
        issued_at: now,
        valid_until,
        status: PassportStatus::Valid,
        code_es256: String::new(),
        code_gost: String::new(),
    })
}

/// The title of the e-passport's PDF in «Мои документы».
pub const PDF_TITLE: &str = "Электронный паспорт";

/// What the worker needs to issue e-passports.
pub struct Issuer {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The services (which photo document, whether the service issues one).
    pub catalogue: Arc<Catalogue>,
    /// The keys.
    pub keys: Arc<Keyring>,
    /// The PDF's drawing, its signature by МВД's system key, and where it is kept; without
    /// an authority the record and its codes are issued, the PDF is not.
    pub pdf: Option<PdfParts>,
}

/// What the e-passport's PDF needs.
pub struct PdfParts {
    /// The system keys (МВД's signs the PDF).
    pub authority: Arc<dyn crate::signing::Authority>,
    /// The PDF renderer.
    pub render: Arc<dyn crate::spravka::sheet::Render>,
    /// Where the PDF is kept (and the photo read from).
    pub files: Arc<dyn crate::application::attachment::FileStore>,
    /// The portal's public address, for the document's check link.
    pub public_url: String,
}

/// The holder as an issued document names them: surname and initials.
fn initials(p: &Passport) -> String {
    let mut out = p.last_name.clone();
    for name in std::iter::once(&p.first_name).chain(p.middle_name.iter()) {
        if let Some(c) = name.chars().next() {
            out.push_str(&format!(" {c}."));
        }
    }
    out
}

impl Issuer {
    /// Issues the e-passport of application `id` if it is completed and has none yet.
    pub async fn issue(&self, id: ApplicationId, now: OffsetDateTime) -> Result<Option<Passport>, IssueError> {
        let store = self.store.as_ref();
        let app = store.get_application(id).await?;
        let service = self.catalogue.get(&app.service);
        if app.status != Status::Completed || service.is_none_or(|s| s.result != ServiceResult::EPassport) {
            return Ok(None);
        }
        if let Some(p) = store.find_passport_by_application(id).await? {
            // Made before; its PDF perhaps not (a retried job).
            self.document(&p, now).await?;
            return Ok(None);
        }
        let photo_doc = service.and_then(|s| s.documents.iter().find(|d| d.photo)).map(|d| d.code.clone());
        let photo = store
            .list_attachments(id)
            .await?
            .into_iter()
            .rev()
            .find(|a| Some(&a.document) == photo_doc.as_ref())
            .map(|a| StoredFile {
                file_name: a.file_name,
                content_type: a.content_type,
                size: a.size,
                sha256: a.sha256,
            })
            .ok_or(IssueError::NoPhoto)?;
        let year = crate::clock::moscow_day(now).year();
        let seq = store.next_passport_number(year).await?;
        let mut p = record(&app, photo, format!("ЭП-{year}-{seq:06}"), now, self.keys.until)?;
        let claims = p.claims();
        p.code_es256 = encode(&claims, self.keys.es256.as_ref())?;
        p.code_gost = encode(&claims, self.keys.gost.as_ref())?;
        // Nothing is issued that a verifier would refuse to read.
        for code in [&p.code_es256, &p.code_gost] {
            super::code::parse(code)?;
        }
        let first =
            StatusEntry::issued(p.id, now, format!("Выдан по заявлению {}", app.number.clone().unwrap_or_default()));
        let old =
            store.list_passports_of_user(app.user_id).await?.into_iter().find(|o| o.status == PassportStatus::Valid);
        let annul = old.as_ref().map(|o| StatusEntry {
            id: Uuid::now_v7(),
            passport_id: o.id,
            at: now,
            status: PassportStatus::Annulled,
            by: None,
            reason: Some(AnnulReason::Reissued),
            comment: format!("Выдан новый электронный паспорт {}", p.number),
        });
        let mut ev = NewAuditEvent::system(now, "passport.issued", Some(app.user_id));
        ev.object = Some(format!("passport:{}", p.id));
        ev.details = serde_json::json!({ "number": p.number, "application": app.id.0.to_string(),
            "annulled": old.as_ref().map(|o| o.id.to_string()) });
        let notice = NewNotice {
            user_id: app.user_id,
            at: now,
            kind: "passport".into(),
            title: "Электронный паспорт выдан".into(),
            text: format!(
                "Электронный паспорт № {} действителен до {}. Откройте «Получить электронный паспорт», чтобы сохранить PDF или QR-код.",
                p.number,
                crate::ident::ru_date(crate::clock::moscow_day(p.valid_until))
            ),
            link: "/passport".into(),
            critical: false,
        };
        let fx = Effects { audit: vec![ev], jobs: vec![], notices: vec![notice] };
        let fx = fx.with_job(crate::integration::webhook::event_job(
            app.user_id,
            crate::integration::webhook::EventType::PassportIssued,
            serde_json::json!({ "passport": p.id.to_string(), "number": p.number, "issuer": ISSUER }),
            now,
        ));
        let fx = match &old {
            Some(o) => fx.with_job(crate::integration::webhook::event_job(
                app.user_id,
                crate::integration::webhook::EventType::PassportAnnulled,
                serde_json::json!({ "passport": o.id.to_string(), "number": o.number, "reason": AnnulReason::Reissued.code() }),
                now,
            )),
            None => fx,
        };
        if !store.issue_passport(&p, &first, annul.as_ref(), &fx).await? {
            return Ok(None);
        }
        self.document(&p, now).await?;
        Ok(Some(p))
    }

    /// The e-passport's PDF — photo, data, the QR code — signed by МВД's system key and filed
    /// in the holder's «Мои документы» as the application's result, once.
    async fn document(&self, p: &Passport, now: OffsetDateTime) -> Result<(), IssueError> {
        let Some(parts) = &self.pdf else { return Ok(()) };
        let store = self.store.as_ref();
        if store.list_issued_documents(p.application_id).await?.iter().any(|d| d.title == PDF_TITLE) {
            return Ok(());
        }
        let failed = |e: String| IssueError::Pdf(e);
        let photo = parts.files.get(&p.photo.sha256).await.ok();
        let year = crate::clock::moscow_day(now).year();
        let seq = store.next_document_number(year).await?;
        let check = crate::ids::random_bytes::<16>().map_err(|e| failed(e.to_string()))?;
        let mut d = crate::document::issued::IssuedDocument {
            id: Uuid::now_v7(),
            number: format!("D{year}-{seq:06}"),
            check_code: hex::encode(check),
            application_id: Some(p.application_id),
            order_id: None,
            payment_id: None,
            user_id: p.user_id,
            agency: ISSUER.into(),
            issued_by: None,
            title: PDF_TITLE.into(),
            holder: initials(p),
            file: StoredFile::pdf_to_come(),
            issued_at: now,
            valid_until: Some(p.valid_until),
            annulled_at: None,
        };
        let holder = vec![
            ("Фамилия, имя, отчество".to_owned(), p.full_name()),
            ("Дата рождения".into(), crate::ident::ru_date(p.birth_date)),
            ("Место рождения".into(), p.birth_place.clone()),
            ("Гражданство".into(), p.citizenship_name().to_owned()),
            ("ИНН".into(), p.inn.clone()),
            ("Паспорт (серия и номер)".into(), p.document()),
        ];
        let sheet = crate::spravka::sheet::Sheet {
            agency: ISSUER.into(),
            title: PDF_TITLE.into(),
            number: p.number.clone(),
            issued_on: crate::ident::ru_date(crate::clock::moscow_day(p.issued_at)),
            valid_until: crate::ident::ru_date(crate::clock::moscow_day(p.valid_until)),
            holder,
            period: None,
            purpose: "Удостоверение личности гражданина в электронной форме".into(),
            extract: crate::spravka::records::Extract {
                statement: "Сведения внесены в реестр электронных паспортов МВД России. QR-код ниже подписан \
                            электронной подписью (ES256) и проверяется без подключения к интернету: на странице \
                            /passport/verify или командой sep passport verify."
                    .into(),
                columns: vec![],
                rows: vec![],
                totals: vec![],
            },
            check_url: p.code_es256.clone(),
            reference: (
                "Проверка документа".into(),
                format!("{}{}", parts.public_url.trim_end_matches('/'), d.check_path()),
            ),
            photo,
        };
        let pdf = parts.render.render(&sheet).map_err(failed)?;
        let digits: String = p.number.chars().filter(char::is_ascii_digit).collect();
        d.file = StoredFile::pdf(format!("e-passport-{digits}.pdf"), &pdf);
        parts.files.put(&d.file.sha256, &pdf).await.map_err(|e| failed(e.to_string()))?;
        let hash = parts.authority.hash(&pdf);
        let (der, signer) = parts.authority.sign_as_agency(ISSUER, &hash, now).map_err(|e| failed(e.0))?;
        let signature = d.system_signature(hash.clone(), signer, now);
        let mut e = NewAuditEvent::system(now, "passport.document", Some(p.user_id));
        e.object = Some(format!("passport:{}", p.id));
        e.details = serde_json::json!({ "number": d.number, "hash": hash });
        store.insert_issued_document(&d, &signature, &der, &Effects::audit(e)).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl Handler for Issuer {
    async fn handle(&self, j: &Job, now: OffsetDateTime) -> Result<(), String> {
        let id = j.job.payload["application"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| format!("job {}: no application", j.id))?;
        self.issue(ApplicationId(id), now).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizenship_is_coded_as_people_write_it() {
        for t in ["Российская Федерация", " россия ", "РФ", "Russian Federation"] {
            assert_eq!(citizenship_code(t), "RUS", "{t}");
        }
        assert_eq!(citizenship_code("Республика Беларусь"), "Республика Беларусь");
    }
}
