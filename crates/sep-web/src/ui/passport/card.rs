//! `/passport`: the person's e-passport — the card (photo, number, status, ФИО, birth date
//! and place, citizenship, ИНН, the paper passport, issued, valid until), its history, and
//! «Получить электронный паспорт»: the QR code full-screen, as PNG or SVG, in either profile
//! (ES256 for any verifier, ГОСТ for the state's). Only the holder opens any of it.

use super::tone;
use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{Held, Protected, SignedIn};
use crate::i18n::tr;
use crate::ui::components::files::download;
use crate::ui::components::{moscow, render, ru_date};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use sep_core::passport::record::Passport;
use serde::Deserialize;

struct HistoryRow {
    at: String,
    status: &'static str,
    reason: &'static str,
    comment: String,
}

struct Card {
    id: String,
    number: String,
    status: &'static str,
    status_code: &'static str,
    tone: &'static str,
    name: String,
    birth: String,
    birth_place: String,
    citizenship: String,
    inn: String,
    document: String,
    issued: String,
    valid_until: String,
    valid: bool,
    history: Vec<HistoryRow>,
    /// The signed PDF in «Мои документы», when made.
    pdf: Option<String>,
}

#[derive(Template)]
#[template(path = "passport/index.html")]
struct PassportPage {
    card: Option<Card>,
    /// Who else looked at the record: when, who.
    views: Vec<(String, String)>,
    /// Whether the service is in the catalogue (the link to apply).
    service: bool,
}

fn card(p: &Passport, history: Vec<sep_core::passport::record::StatusEntry>, pdf: Option<String>) -> Card {
    Card {
        id: p.id.to_string(),
        number: p.number.clone(),
        status: tr(p.status.label()),
        status_code: p.status.code(),
        tone: tone(p.status),
        name: p.full_name(),
        birth: ru_date(Some(p.birth_date)),
        birth_place: p.birth_place.clone(),
        citizenship: crate::i18n::tr_dyn(p.citizenship_name()),
        inn: p.inn.clone(),
        document: p.document(),
        issued: ru_date(Some(sep_core::clock::moscow_day(p.issued_at))),
        valid_until: ru_date(Some(sep_core::clock::moscow_day(p.valid_until))),
        valid: p.status == sep_core::passport::record::PassportStatus::Valid,
        history: history
            .into_iter()
            .map(|h| HistoryRow {
                at: moscow(h.at),
                status: tr(h.status.label()),
                reason: h.reason.map_or("", |r| tr(r.label())),
                comment: crate::i18n::tr_dyn(&h.comment),
            })
            .collect(),
        pdf,
    }
}

/// `GET /passport`.
pub(crate) async fn page(State(s): State<AppState>, Protected(SignedIn { user, .. }): Protected) -> Page {
    let found = sep_core::passport::publish::current(s.store.as_ref(), user.id).await?;
    let service = s.catalogue.get("e_passport").is_some();
    let mut views = Vec::new();
    for v in sep_core::passport::officer::views_of(s.store.as_ref(), &user).await? {
        let who = match v.event.actor {
            Some(id) => s.store.get_user(id).await.map(|u| u.profile.full_name()).unwrap_or_default(),
            None => String::new(),
        };
        let agency = match v.event.details["agency"].as_str() {
            Some(a) => crate::i18n::tr_dyn(a),
            None => tr("Проверка через API").to_owned(),
        };
        views.push((moscow(v.event.at), format!("{agency}: {who}")));
    }
    let card = match found {
        Some((p, h)) => {
            let pdf = s
                .store
                .list_issued_documents(p.application_id)
                .await?
                .into_iter()
                .find(|d| d.title == sep_core::passport::issue::PDF_TITLE)
                .map(|d| format!("/documents/issued/{}", d.id));
            Some(card(&p, h, pdf))
        }
        None => None,
    };
    let mut res = render(&PassportPage { card, views, service })?;
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(res)
}

/// `GET /passport/{id}/photo`.
pub(crate) async fn photo(State(s): State<AppState>, h: Held) -> Page {
    let f = &h.passport.photo;
    download(&s, &f.file_name, &f.content_type, &f.sha256, true).await
}

/// Which signature the code carries.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct Profile {
    #[serde(default)]
    profile: String,
}

impl Profile {
    fn gost(&self) -> bool {
        self.profile == "gost"
    }

    fn code<'a>(&self, p: &'a Passport) -> &'a str {
        if self.gost() { &p.code_gost } else { &p.code_es256 }
    }
}

#[derive(Template)]
#[template(path = "passport/qr.html")]
struct QrPage {
    id: String,
    number: String,
    svg: String,
    gost: bool,
    characters: usize,
    version: i16,
    code: String,
}

fn qr_failed(e: String) -> WebError {
    WebError::internal(format!("QR: {e}"))
}

/// `GET /passport/{id}/qr`: the code full-screen, with what to save.
pub(crate) async fn qr_page(h: Held, Query(profile): Query<Profile>) -> Page {
    let code = profile.code(&h.passport);
    let svg = sep_pdf::qr::svg_q(code, tr("QR-код электронного паспорта")).map_err(qr_failed)?;
    let page = QrPage {
        id: h.passport.id.to_string(),
        number: h.passport.number.clone(),
        svg,
        gost: profile.gost(),
        characters: code.len(),
        version: sep_pdf::qr::version_q(code).unwrap_or(0),
        code: code.to_owned(),
    };
    let mut res = render(&page)?;
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(res)
}

fn image(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Page {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(res)
}

fn file_name(p: &Passport, profile: &Profile, ext: &str) -> String {
    let number: String = p.number.chars().filter(char::is_ascii_digit).collect();
    let suffix = if profile.gost() { "-gost" } else { "" };
    format!("e-passport-{number}{suffix}.{ext}")
}

/// `GET /passport/{id}/qr.svg`.
pub(crate) async fn qr_svg(h: Held, Query(profile): Query<Profile>) -> Page {
    let svg = sep_pdf::qr::svg_q(profile.code(&h.passport), tr("QR-код электронного паспорта")).map_err(qr_failed)?;
    image(svg.into_bytes(), "image/svg+xml", &file_name(&h.passport, &profile, "svg"))
}

/// `GET /passport/{id}/qr.png`.
pub(crate) async fn qr_png(h: Held, Query(profile): Query<Profile>) -> Page {
    let png = sep_pdf::qr::png_q(profile.code(&h.passport), 8).map_err(qr_failed)?;
    image(png, "image/png", &file_name(&h.passport, &profile, "png"))
}
