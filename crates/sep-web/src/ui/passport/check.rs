//! `/passport/verify`: anyone checks an e-passport's code — pasted, or read by a scanner —
//! against the lists the portal publishes, exactly as an offline verifier would; and
//! `/.well-known/sep/{trust-list,annulments}`: the signed lists verifiers cache. Nothing is
//! looked up about the holder beyond what the code itself says.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{moscow, render, ru_date};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use sep_core::passport::publish::CheckError;
use sep_core::passport::verify::Verdict;
use serde::Deserialize;

struct VerdictView {
    /// `valid`, `annulled` or `invalid`.
    state: &'static str,
    title: &'static str,
    what: String,
    code: &'static str,
    facts: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "passport/verify.html")]
struct VerifyPage {
    address: String,
    typed: String,
    verdict: Option<VerdictView>,
    /// The SHA-256 of the roots the browser's check pins, space-separated.
    pins: String,
    /// What the browser's check says, in the page's language (JSON).
    texts: String,
}

/// The roots' SHA-256, space-separated: what `passport-verify.js` trusts the lists by.
fn pins(p: &sep_core::passport::publish::Publisher) -> String {
    p.keys.pins().join(" ")
}

/// The texts of the browser's check: the same verdicts, facts and errors as the portal's.
fn browser_texts() -> String {
    use sep_core::passport::error::{CodeError, ListError};
    let errors: serde_json::Map<String, serde_json::Value> = CodeError::ALL
        .iter()
        .map(|e| {
            let text = match e {
                // The claim's name is put in by the script.
                CodeError::Claims(_) => tr_dyn(&CodeError::Claims("{0}").to_string()),
                e => tr_dyn(&e.to_string()),
            };
            (e.code().to_owned(), text.into())
        })
        .collect();
    let list_errors: serde_json::Map<String, serde_json::Value> =
        ListError::ALL.iter().map(|e| (e.code().to_owned(), tr_dyn(&e.to_string()).into())).collect();
    serde_json::json!({
        "valid_title": tr("Действителен"),
        "valid_what": tr("Код подписан СЭП, не изменён, срок действия не истёк, в списке аннулирования паспорта нет."),
        "annulled_title": tr("Аннулирован"),
        "annulled_what": tr("Электронный паспорт аннулирован по списку от"),
        "invalid_title": tr("Код недействителен"),
        "lists_title": tr("Списки для проверки недоступны"),
        "lists_missing": tr("Списки доверия и аннулирования ещё не загружены: откройте эту страницу хотя бы раз при подключении к интернету."),
        "ready": tr("Проверка работает и без интернета: списки сохранены в браузере, список аннулирования от"),
        "checked_in_browser": tr("Проверено в браузере по сохранённым спискам; список аннулирования от"),
        "msk": tr("МСК"),
        "result_code": tr("Код результата"),
        "check_holder": tr("Сверьте фамилию, имя и дату рождения с предъявителем."),
        "es256": sep_core::signer::Algorithm::EcdsaP256.name(),
        "gost": sep_core::signer::Algorithm::Gost2012_256.name(),
        "issuers": { sep_core::passport::code::ISSUER_MVD: tr_dyn(sep_core::passport::code::issuer_name(sep_core::passport::code::ISSUER_MVD)) },
        "labels": {
            "number": tr("Номер электронного паспорта"),
            "last_name": tr("Фамилия"),
            "given_names": tr("Имя и отчество"),
            "birth_date": tr("Дата рождения"),
            "citizenship": tr("Гражданство"),
            "issuer": tr("Кем выдан"),
            "issued": tr("Выдан"),
            "until": tr("Действителен до"),
            "signature": tr("Подпись"),
            "list": tr("Список аннулирования"),
        },
        "errors": errors,
        "list_errors": list_errors,
    })
    .to_string()
}

impl VerifyPage {
    fn new(
        p: &sep_core::passport::publish::Publisher,
        address: String,
        typed: String,
        verdict: Option<VerdictView>,
    ) -> Self {
        Self { address, typed, verdict, pins: pins(p), texts: browser_texts() }
    }
}

fn address(s: &AppState) -> String {
    format!("{}/passport/verify", s.config.public_url.trim_end_matches('/'))
}

fn publisher(s: &AppState) -> Result<&sep_core::passport::publish::Publisher, WebError> {
    s.passports.as_deref().ok_or_else(WebError::not_found)
}

/// `GET /passport/verify`.
pub(crate) async fn form(State(s): State<AppState>) -> Page {
    let p = publisher(&s)?;
    render(&VerifyPage::new(p, address(&s), String::new(), None))
}

/// What the form sends.
#[derive(Debug, Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

fn view(v: &Verdict) -> VerdictView {
    let (claims, state, title, what, code, list) = match v {
        Verdict::Valid { claims, annulments_of, .. } => (
            claims,
            "valid",
            tr("Действителен"),
            tr("Код подписан СЭП, не изменён, срок действия не истёк, в списке аннулирования паспорта нет.").to_owned(),
            "passport_valid",
            annulments_of,
        ),
        Verdict::Annulled { claims, annulments_of } => (
            claims,
            "annulled",
            tr("Аннулирован"),
            format!("{} {} {}.", tr("Электронный паспорт аннулирован по списку от"), moscow(*annulments_of), tr("МСК")),
            "passport_annulled",
            annulments_of,
        ),
    };
    let mut facts = vec![
        (tr("Номер электронного паспорта"), claims.number.clone()),
        (tr("Фамилия"), claims.last_name.clone()),
        (tr("Имя и отчество"), claims.given_names.clone()),
        (tr("Дата рождения"), ru_date(Some(claims.birth_date))),
        (tr("Гражданство"), claims.citizenship.clone()),
        (tr("Кем выдан"), tr_dyn(sep_core::passport::code::issuer_name(&claims.issuer))),
        (tr("Выдан"), ru_date(Some(sep_core::clock::moscow_day(claims.issued)))),
        (tr("Действителен до"), ru_date(Some(sep_core::clock::moscow_day(claims.expires)))),
    ];
    if let Verdict::Valid { algorithm, .. } = v {
        facts.push((tr("Подпись"), algorithm.name().to_owned()));
    }
    facts.push((tr("Список аннулирования"), format!("{} {}", moscow(*list), tr("МСК"))));
    VerdictView { state, title, what, code, facts }
}

/// `POST /passport/verify`: the verdict.
pub(crate) async fn check(State(s): State<AppState>, ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    let p = publisher(&s)?;
    if let Err(wait) = s.throttles.verify.check(&ctx.client.ip) {
        let mut problem = sep_http::Problem::rate_limited(wait).retry("/passport/verify", "К проверке паспорта");
        problem.detail =
            "С вашего адреса было слишком много проверок подряд, поэтому новые временно не принимаются.".into();
        problem.action = "Подождите минуту и повторите проверку.".into();
        return Err(problem.into());
    }
    let typed: String = f.code.trim().chars().take(sep_core::passport::code::MAX_TEXT + 1).collect();
    let verdict = match p.check(s.store.as_ref(), &typed, s.clock.now()).await {
        Ok(v) => view(&v),
        Err(CheckError::Code(e)) => VerdictView {
            state: "invalid",
            title: tr("Код недействителен"),
            what: tr_dyn(&e.to_string()),
            code: e.code(),
            facts: vec![],
        },
        Err(CheckError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(WebError::internal(e)),
    };
    let status = if verdict.state == "invalid" { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = render(&VerifyPage::new(p, address(&s), typed, Some(verdict)))?;
    Ok((status, page).into_response())
}

fn list(bytes: Vec<u8>, name: &str, max_age: &'static str) -> Page {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/cose"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}.cose\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // Verifiers keep it; an annulment reaches a refreshing verifier within a minute.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(max_age));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    Ok(res)
}

/// `GET /.well-known/sep/trust-list`.
pub(crate) async fn trust_list(State(s): State<AppState>) -> Page {
    let bytes = publisher(&s)?.trust_list(s.clock.now()).map_err(WebError::internal)?;
    list(bytes, "trust-list", "public, max-age=3600")
}

/// `GET /.well-known/sep/annulments`.
pub(crate) async fn annulments(State(s): State<AppState>) -> Page {
    let bytes = match publisher(&s)?.annulments(s.store.as_ref(), s.clock.now()).await {
        Ok(b) => b,
        Err(CheckError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(WebError::internal(e)),
    };
    list(bytes, "annulments", "public, max-age=60")
}
