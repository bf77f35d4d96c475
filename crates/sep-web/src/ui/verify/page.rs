//! `/verify`: upload a document and its `.sig`, get the verdict of `sep_core::signature` —
//! «Подпись действительна» or «Подпись недействительна» with its code — with what the
//! signature itself says (signer, signing time, authority, hash). Nothing about a person is
//! looked up or revealed beyond the signature's own certificate; the page states its own
//! address (copycat verification pages exist) and limits each address's pace.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use crate::extract::multipart::read;
use crate::i18n::tr;
use crate::ui::components::{moscow, render};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use sep_core::signature::Verdict;
use sep_http::Problem;

/// The verdict as the page shows it.
struct VerdictView {
    valid: bool,
    code: &'static str,
    what: String,
    action: String,
    /// Label and value rows.
    facts: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "verify/index.html")]
struct VerifyPage {
    /// The page's own address.
    address: String,
    verdict: Option<VerdictView>,
    /// What was missing from the form.
    missing: Vec<&'static str>,
}

fn address(s: &AppState) -> String {
    format!("{}/verify", s.config.public_url.trim_end_matches('/'))
}

/// `GET /verify`.
pub(crate) async fn form(State(s): State<AppState>) -> Page {
    render(&VerifyPage { address: address(&s), verdict: None, missing: vec![] })
}

fn view(v: &Verdict) -> VerdictView {
    let yes_no = |b: bool| tr(if b { "совпадает" } else { "не совпадает" }).to_owned();
    let mut facts = vec![("Хеш документа (Стрибог-256)", v.document_hash.clone())];
    if let Some(matches) = v.hash_matches {
        facts.push(("Документ и подпись", yes_no(matches)));
    }
    if let Some(c) = &v.signer {
        facts.push(("Владелец сертификата", c.subject.clone()));
        facts.push(("Издатель сертификата", c.issuer.clone()));
        facts.push(("Серийный номер", c.serial.clone()));
        facts.push(("Действует", format!("{} — {} {}", moscow(c.not_before), moscow(c.not_after), tr("МСК"))));
    }
    if let Some(at) = v.signed_at {
        facts.push(("Время подписи (указано подписавшим)", format!("{} {}", moscow(at), tr("МСК"))));
    }
    if let Some(a) = &v.authority {
        facts.push(("Доверенный удостоверяющий центр", a.clone()));
    }
    if let Some(at) = v.revoked_at {
        facts.push(("Сертификат отозван", format!("{} {}", moscow(at), tr("МСК"))));
    }
    if v.signer.is_some() {
        let checked = if v.revocation_checked {
            "проверен по действующему списку отзыва"
        } else {
            "не проверен: нет действующего списка отзыва удостоверяющего центра"
        };
        facts.push(("Отзыв сертификата", tr(checked).to_owned()));
    }
    let (what, action) = match v.outcome {
        Ok(()) => (
            "Подпись принадлежит владельцу сертификата, документ не изменён после подписания, сертификат выдан доверенным удостоверяющим центром и действует сейчас.",
            "Сверьте владельца сертификата с тем, от кого вы ждали документ.",
        ),
        Err(r) => (r.text(), r.action()),
    };
    let facts = facts.into_iter().map(|(label, value)| (tr(label), value)).collect();
    VerdictView {
        valid: v.is_valid(),
        code: v.code(),
        what: crate::i18n::tr_dyn(what),
        action: crate::i18n::tr_dyn(action),
        facts,
    }
}

/// `POST /verify` (multipart: `document`, `signature`): the verdict.
pub(crate) async fn check(State(s): State<AppState>, ctx: Ctx, form: Multipart) -> Page {
    if let Err(wait) = s.throttles.verify.check(&ctx.client.ip) {
        return Err(rate_limited(wait));
    }
    let parts = read(form).await?;
    let (document, signature) = (parts.file("document"), parts.file("signature"));
    let missing: Vec<&'static str> = [("Документ", document.is_none()), ("Подпись (.sig)", signature.is_none())]
        .into_iter()
        .filter_map(|(label, absent)| absent.then_some(tr(label)))
        .collect();
    let (Some((_, document)), Some((_, signature))) = (document, signature) else {
        let page = render(&VerifyPage { address: address(&s), verdict: None, missing })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let verdict = s.signatures.check(document, signature, s.clock.now());
    render(&VerifyPage { address: address(&s), verdict: Some(view(&verdict)), missing })
}

fn rate_limited(wait: std::time::Duration) -> WebError {
    let mut p = Problem::rate_limited(wait).retry("/verify", "К проверке подписи");
    p.title = "Слишком много проверок".into();
    p.detail = "С вашего адреса было слишком много проверок подряд, поэтому новые временно не принимаются.".into();
    p.action = "Подождите минуту и повторите проверку.".into();
    p.into()
}

/// `GET /verify/ca.pem`: the trusted authorities' certificates.
pub(crate) async fn authorities(State(s): State<AppState>) -> Page {
    let pem = s.signatures.authorities_pem();
    if pem.is_empty() {
        return Err(WebError::not_found());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-pem-file"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ca.pem\""),
        ],
        pem,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "verify/issued.html")]
struct IssuedPage {
    address: String,
    number: String,
    /// The check code as given, for the comparison form.
    ck: String,
    /// Label and value rows, when the number and the code match.
    facts: Vec<(&'static str, String)>,
    /// `valid`, `annulled`, `expired`.
    standing: &'static str,
    /// The comparison of an uploaded file: whether it is the issued one, and the verdict.
    compared: Option<(bool, Option<VerdictView>)>,
}

impl IssuedPage {
    fn missing(s: &AppState, number: &str) -> Self {
        let shown: String = number.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
        Self { address: address(s), number: shown, ck: String::new(), facts: vec![], standing: "", compared: None }
    }
}

fn issued_page(s: &AppState, d: &sep_core::document::issued::IssuedDocument, ck: &str) -> IssuedPage {
    use sep_core::document::issued::Standing;
    let now = s.clock.now();
    let agency = crate::i18n::tr_dyn(&d.agency);
    let mut facts = vec![
        ("Номер документа", d.number.clone()),
        ("Документ", crate::i18n::tr_dyn(&d.title)),
        ("Файл", d.file.file_name.clone()),
        ("Выдан", format!("{} {}", moscow(d.issued_at), tr("МСК"))),
        ("Кем выдан", agency),
    ];
    if !d.holder.is_empty() {
        facts.push(("Кому выдан", d.holder.clone()));
    }
    if let Some(until) = d.valid_until {
        facts.push(("Действителен до", format!("{} {}", moscow(until), tr("МСК"))));
    }
    facts.push(("Контрольная сумма файла (SHA-256)", d.file.sha256.clone()));
    if let Some(at) = d.annulled_at {
        facts.push(("Аннулирован", format!("{} {}", moscow(at), tr("МСК"))));
    }
    let standing = match d.standing(now) {
        Standing::Valid => "valid",
        Standing::Annulled => "annulled",
        Standing::Expired => "expired",
    };
    IssuedPage { address: address(s), number: d.number.clone(), ck: ck.to_owned(), facts, standing, compared: None }
}

#[derive(serde::Deserialize)]
pub(crate) struct CheckCode {
    #[serde(default)]
    number: String,
    #[serde(default)]
    ck: String,
}

/// `GET /verify/document?number=&ck=`: the form's way to the check link.
pub(crate) async fn find(axum::extract::Query(q): axum::extract::Query<CheckCode>) -> Page {
    let number: String = q.number.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let ck: String = q.ck.trim().chars().filter(char::is_ascii_hexdigit).collect();
    if number.is_empty() {
        return Ok(axum::response::Redirect::to("/verify").into_response());
    }
    Ok(axum::response::Redirect::to(&format!("/verify/{number}?ck={ck}")).into_response())
}

/// The document under `number` with check code `ck` (within the address's pace), or the page
/// saying there is none — the same for an unknown number and a wrong code.
async fn lookup(
    s: &AppState,
    ctx: &Ctx,
    number: &str,
    ck: &str,
) -> Result<Result<sep_core::document::issued::IssuedDocument, axum::response::Response>, WebError> {
    if let Err(wait) = s.throttles.verify.check(&ctx.client.ip) {
        return Err(rate_limited(wait));
    }
    match sep_core::document::issued::check_by_code(s.store.as_ref(), number, ck).await? {
        Some(d) => Ok(Ok(d)),
        None => {
            let page = render(&IssuedPage::missing(s, number))?;
            Ok(Err((StatusCode::NOT_FOUND, page).into_response()))
        }
    }
}

/// `GET /verify/{number}?ck={code}`: what was issued under this number, when, by whom, to
/// whom (surname and initials), and its status — действителен, аннулирован, срок истёк —
/// only with the right check code; a wrong code and an unknown number answer alike.
pub(crate) async fn issued(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(number): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<CheckCode>,
) -> Page {
    let d = match lookup(&s, &ctx, &number, &q.ck).await? {
        Ok(d) => d,
        Err(missing) => return Ok(missing),
    };
    render(&issued_page(&s, &d, &q.ck))
}

/// `POST /verify/{number}?ck={code}`: is this file the one issued under the number? The file
/// is compared with the stored one, and the agency's stored signature is checked against the
/// uploaded bytes, as `/verify` would with the `.sig`.
pub(crate) async fn compare(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(number): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<CheckCode>,
    form: Multipart,
) -> Page {
    let d = match lookup(&s, &ctx, &number, &q.ck).await? {
        Ok(d) => d,
        Err(missing) => return Ok(missing),
    };
    let parts = read(form).await?;
    let mut page = issued_page(&s, &d, &q.ck);
    let Some((_, bytes)) = parts.file("document") else {
        page.compared = Some((false, None));
        let page = render(&page)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let same = sep_core::application::attachment::content_key(bytes) == d.file.sha256;
    let verdict = match sep_core::document::issued::system_signature(s.store.as_ref(), &d).await? {
        Some((_, der)) => Some(view(&s.signatures.check(bytes, &der, s.clock.now()))),
        None => None,
    };
    page.compared = Some((same, verdict));
    render(&page)
}
