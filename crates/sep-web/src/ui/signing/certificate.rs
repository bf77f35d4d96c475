//! `/signature`: the person's signing certificate — «Получить сертификат электронной
//! подписи», its card, the certificate file, «Отозвать сертификат».

use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::ui::components::render;
use crate::ui::components::signatures::CertificateView;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use sep_core::signing::cloud;
use serde::Deserialize;

struct Held {
    card: CertificateView,
    /// «Действует», «Отозван …», «Истёк».
    state: String,
}

#[derive(Template)]
#[template(path = "signing/certificate.html")]
struct CertificatePage {
    csrf: String,
    available: bool,
    current: Option<Held>,
    earlier: Vec<Held>,
    /// The owner's name and СНИЛС the certificate is (or would be) issued for.
    name: String,
    snils: String,
    note: &'static str,
}

#[derive(Deserialize)]
pub(crate) struct Notes {
    issued: Option<String>,
    revoked: Option<String>,
}

/// `GET /signature`.
pub(crate) async fn page(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    Query(q): Query<Notes>,
) -> Page {
    let now = s.clock.now();
    let all = s.store.list_credentials(user.id).await?;
    let held = |c: &sep_core::signing::Credential| {
        let state = match c.revoked_at {
            Some(at) => format!("{} {}", crate::i18n::tr("Отозван"), crate::ui::components::moscow(at)),
            None if c.usable(now) => crate::i18n::tr("Действует").to_owned(),
            None => crate::i18n::tr("Срок действия истёк").to_owned(),
        };
        Held { card: CertificateView::of(&c.certificate), state }
    };
    let current = all.iter().find(|c| c.usable(now)).map(held);
    let earlier = all.iter().filter(|c| !c.usable(now)).map(held).collect();
    let p = &user.profile;
    let note = match (q.issued.is_some(), q.revoked.is_some()) {
        (true, _) => "Сертификат выпущен. Теперь можно подписывать документы в разделе «Мои документы».",
        (_, true) => "Сертификат отозван. Подписи, сделанные до отзыва, остаются действительными на момент подписания.",
        _ => "",
    };
    render(&CertificatePage {
        csrf: session.csrf_secret,
        available: s.cloud.is_some(),
        current,
        earlier,
        name: p.full_name(),
        snils: p.snils.as_ref().map(ToString::to_string).unwrap_or_default(),
        note,
    })
}

/// `POST /signature/certificate`: «Получить сертификат электронной подписи».
pub(crate) async fn obtain(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let authority = super::authority(&s)?;
    cloud::obtain(s.store.as_ref(), authority, &user, &ctx.origin(), s.clock.now()).await?;
    Ok(Redirect::to("/signature?issued=1").into_response())
}

/// `POST /signature/revoke`: «Отозвать сертификат».
pub(crate) async fn revoke(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let authority = super::authority(&s)?;
    cloud::revoke(s.store.as_ref(), authority, &user, &ctx.origin(), s.clock.now()).await?;
    Ok(Redirect::to("/signature?revoked=1").into_response())
}

/// `GET /signature/certificate.cer`: the newest certificate, DER, for other programs.
pub(crate) async fn file(State(s): State<AppState>, SignedIn { user, .. }: SignedIn) -> Page {
    let Some(c) = s.store.list_credentials(user.id).await?.into_iter().next() else {
        return Err(crate::error::WebError::not_found());
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/pkix-cert".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"certificate-{}.cer\"", c.certificate.serial)),
        ],
        c.der,
    )
        .into_response())
}
