//! `/spravki/{id}`: one order — its status, live while it is made (`assets/spravka.js` polls
//! `/spravki/{id}/status`), the reason when it failed, the signed PDF and its `.sig` when
//! ready, with the check link, and the postal copy's tracking number and status. Somebody
//! else's order answers 404 like an unknown id.

use super::tone;
use crate::AppState;
use crate::error::Page;
use crate::extract::SignedIn;
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::files::download;
use crate::ui::components::{moscow, percent_encoded, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use sep_core::document::issued::Standing;
use sep_core::spravka::{self, PostStatus};
use serde::Deserialize;
use uuid::Uuid;

struct Ready {
    number: String,
    file_name: String,
    check_url: String,
    valid_until: String,
    /// «Действительна», «Аннулирована», «Срок действия истёк».
    standing: &'static str,
    standing_tone: &'static str,
}

#[derive(Template)]
#[template(path = "spravki/order.html")]
struct OrderPage {
    id: String,
    number: String,
    title: String,
    agency: String,
    at: String,
    status: &'static str,
    code: &'static str,
    tone: &'static str,
    final_: bool,
    period: String,
    purpose: String,
    /// The organisation it is for: name and ИНН.
    org: Option<(String, String)>,
    email: String,
    post_address: String,
    /// Code and text of the failure.
    error: Option<(String, String)>,
    ready: Option<Ready>,
    tracking: String,
    /// Each postal step: title, reached, when.
    post: Vec<(&'static str, bool, String)>,
}

/// `GET /spravki/{id}`.
pub(crate) async fn show(State(s): State<AppState>, SignedIn { user, .. }: SignedIn, Path(id): Path<Uuid>) -> Page {
    let v = spravka::view(s.store.as_ref(), &user, id).await?;
    let now = s.clock.now();
    let o = v.order;
    let kind = s.kinds.get(&o.kind);
    let ready = v.document.map(|d| {
        let (standing, standing_tone) = match d.standing(now) {
            Standing::Valid => (tr("Действительна"), "green"),
            Standing::Annulled => (tr("Аннулирована"), "red"),
            Standing::Expired => (tr("Срок действия истёк"), "grey"),
        };
        Ready {
            check_url: format!("{}{}", s.config.public_url.trim_end_matches('/'), d.check_path()),
            valid_until: d.valid_until.map(moscow).unwrap_or_default(),
            number: d.number,
            file_name: d.file.file_name,
            standing,
            standing_tone,
        }
    });
    let post = match o.post {
        Some((at_status, at)) => PostStatus::ALL
            .iter()
            .map(|p| (tr(p.title()), *p <= at_status, if *p == at_status { moscow(at) } else { String::new() }))
            .collect(),
        None => vec![],
    };
    render(&OrderPage {
        id: o.id.to_string(),
        number: o.number,
        title: kind.map_or_else(|| o.kind.clone(), |k| tr_dyn(&k.title)),
        agency: kind.map(|k| tr_dyn(&k.agency)).unwrap_or_default(),
        at: moscow(o.created_at),
        status: tr(o.status.title()),
        code: o.status.code(),
        tone: tone(o.status),
        final_: o.status.is_final(),
        period: super::order::period(o.period),
        purpose: tr_dyn(&o.purpose),
        org: o.org.map(|g| (g.full_name, g.inn)),
        email: o.email.unwrap_or_default(),
        post_address: o.post_address.unwrap_or_default(),
        error: o.error.map(|(code, text)| (code, tr_dyn(&text))),
        ready,
        tracking: o.tracking.unwrap_or_default(),
        post,
    })
}

/// `GET /spravki/{id}/status`: the order's status for the page's live part.
pub(crate) async fn status(State(s): State<AppState>, SignedIn { user, .. }: SignedIn, Path(id): Path<Uuid>) -> Page {
    let o = spravka::own_order(s.store.as_ref(), &user, id).await?;
    let body = serde_json::json!({
        "status": o.status.code(),
        "title": tr(o.status.title()),
        "tone": tone(o.status),
        "final": o.status.is_final(),
    });
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct How {
    inline: Option<String>,
}

/// `GET /spravki/{id}/pdf`: the справка (in the browser with `?inline=1`).
pub(crate) async fn pdf(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Path(id): Path<Uuid>,
    Query(how): Query<How>,
) -> Page {
    let v = spravka::view(s.store.as_ref(), &user, id).await?;
    let d = v.document.ok_or_else(crate::error::WebError::not_found)?;
    download(&s, &d.file.file_name, &d.file.content_type, &d.file.sha256, how.inline.is_some()).await
}

/// `GET /spravki/{id}/sig`: the agency's signature of the PDF, detached CMS.
pub(crate) async fn sig(State(s): State<AppState>, SignedIn { user, .. }: SignedIn, Path(id): Path<Uuid>) -> Page {
    let (d, der) = spravka::signed_file(s.store.as_ref(), &user, id).await?;
    let name = format!("{}.sig", d.file.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pkcs7-signature".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"; filename*=UTF-8''{}", name, percent_encoded(&name)),
            ),
        ],
        der,
    )
        .into_response())
}

/// `GET /spravki/{id}/zip`: the справка and its `.sig` as one archive — the pair that travels
/// together.
pub(crate) async fn pair(State(s): State<AppState>, SignedIn { user, .. }: SignedIn, Path(id): Path<Uuid>) -> Page {
    let (d, der) = spravka::signed_file(s.store.as_ref(), &user, id).await?;
    let pdf = s.files.get(&d.file.sha256).await.map_err(|e| {
        crate::error::WebError::from(
            sep_http::Problem::for_status(axum::http::StatusCode::SERVICE_UNAVAILABLE).caused_by(e),
        )
    })?;
    let mut zip = crate::ui::components::zip::Zip::new();
    let mut body = Vec::with_capacity(pdf.len() + der.len() + 512);
    for (name, content) in
        [(d.file.file_name.clone(), pdf.as_slice()), (format!("{}.sig", d.file.file_name), der.as_slice())]
    {
        body.extend(zip.entry(&name, content, d.issued_at).ok_or_else(crate::error::WebError::not_found)?);
    }
    body.extend(zip.finish());
    let name = format!("{}.zip", d.file.file_name.trim_end_matches(".pdf"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}
