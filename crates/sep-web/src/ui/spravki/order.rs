//! `/spravki`: the kinds with what each needs, the order form («Заказать справку») and the
//! person's orders, newest first. A refused form comes back with every problem, its code and
//! the values as typed; nothing is ordered.

use super::tone;
use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{moscow, render, ru_date};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sep_core::spravka::{self, OrderError, OrderForm, SpravkaError};
use serde::Deserialize;

struct KindView {
    code: String,
    title: String,
    description: String,
    agency: String,
    /// «за период до N дней», empty without a period.
    period: String,
    valid_days: u32,
    /// Who may order it, in words.
    who: String,
}

/// An organisation the person may choose in «Для кого».
struct OrgChoice {
    inn: String,
    name: String,
    position: String,
    /// Its head: only the head orders for it (until organisation roles exist).
    head: bool,
}

struct OrderRow {
    id: String,
    number: String,
    title: String,
    /// The organisation it was ordered for, empty for the person.
    org: String,
    at: String,
    status: &'static str,
    code: &'static str,
    tone: &'static str,
}

#[derive(Template)]
#[template(path = "spravki/index.html")]
struct SpravkiPage {
    csrf: String,
    available: bool,
    kinds: Vec<KindView>,
    orders: Vec<OrderRow>,
    /// Field, message, code, what to do.
    errors: Vec<(&'static str, String, &'static str, String)>,
    form: FormValues,
    /// The form's one-time key: a double click sends it twice, one order is made.
    request_key: String,
    email: String,
    profile_address: String,
    orgs: Vec<OrgChoice>,
}

#[derive(Default)]
struct FormValues {
    kind: String,
    from: String,
    to: String,
    purpose: String,
    by_email: bool,
    by_post: bool,
    post_address: String,
    org: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct Chosen {
    #[serde(default)]
    kind: String,
}

fn kinds(s: &AppState) -> Vec<KindView> {
    s.kinds
        .all()
        .iter()
        .map(|k| KindView {
            code: k.code.clone(),
            title: tr_dyn(&k.title),
            description: tr_dyn(&k.description),
            agency: tr_dyn(&k.agency),
            period: k.max_period_days.map(|d| format!("{} {d} {}", tr("период до"), tr("дней"))).unwrap_or_default(),
            valid_days: k.valid_days,
            who: k
                .who
                .iter()
                .map(|w| {
                    tr(match w {
                        spravka::Who::Person => "гражданам",
                        spravka::Who::Ip => "индивидуальным предпринимателям",
                        spravka::Who::Org => "организациям",
                    })
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}

async fn orders(s: &AppState, user: &sep_core::user::User) -> Result<Vec<OrderRow>, crate::error::WebError> {
    Ok(s.store
        .list_spravka_orders_of_user(user.id)
        .await?
        .into_iter()
        .map(|o| OrderRow {
            id: o.id.to_string(),
            title: s.kinds.get(&o.kind).map_or_else(|| o.kind.clone(), |k| tr_dyn(&k.title)),
            org: o.org.map(|g| g.short_name).unwrap_or_default(),
            number: o.number,
            at: moscow(o.created_at),
            status: tr(o.status.title()),
            code: o.status.code(),
            tone: tone(o.status),
        })
        .collect())
}

/// The page for `user` with the form as typed and its problems.
async fn spravki_page(
    s: &AppState,
    csrf: String,
    user: &sep_core::user::User,
    form: FormValues,
    errors: Vec<(&'static str, String, &'static str, String)>,
    request_key: String,
) -> Result<SpravkiPage, crate::error::WebError> {
    let orgs = s
        .store
        .list_user_orgs(user.id)
        .await?
        .into_iter()
        .map(|m| OrgChoice {
            head: m.may_act(),
            inn: m.inn.as_str().to_owned(),
            name: m.short_name,
            position: m.position,
        })
        .collect();
    Ok(SpravkiPage {
        csrf,
        available: s.cloud.is_some(),
        kinds: kinds(s),
        orders: orders(s, user).await?,
        errors,
        form,
        request_key,
        email: user.profile.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default(),
        profile_address: user.profile.address.clone().unwrap_or_default(),
        orgs,
    })
}

/// `GET /spravki?kind=`.
pub(crate) async fn page(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    Query(q): Query<Chosen>,
) -> Page {
    let form = FormValues { kind: q.kind, ..FormValues::default() };
    render(&spravki_page(&s, session.csrf_secret, &user, form, vec![], spravka::request_key()).await?)
}

#[derive(Deserialize)]
pub(crate) struct PlaceForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    by_email: Option<String>,
    #[serde(default)]
    by_post: Option<String>,
    #[serde(default)]
    post_address: String,
    #[serde(default)]
    request_key: String,
    #[serde(default)]
    org: String,
}

/// `POST /spravki`: «Заказать справку».
pub(crate) async fn place(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<PlaceForm>,
) -> Page {
    if s.cloud.is_none() {
        return Err(SpravkaError::Unavailable.into());
    }
    if let Err(wait) = s.throttles.orders.check(&user.id.0.to_string()) {
        return Err(sep_http::Problem::rate_limited(wait).into());
    }
    let form = OrderForm {
        kind: f.kind,
        from: f.from,
        to: f.to,
        purpose: f.purpose,
        by_email: f.by_email.is_some(),
        by_post: f.by_post.is_some(),
        post_address: f.post_address,
        request_key: f.request_key,
        org: f.org,
    };
    match spravka::place(s.store.as_ref(), &s.kinds, &user, &form, &ctx.origin(), s.clock.now()).await {
        Ok(order) => Ok(Redirect::to(&format!("/spravki/{}", order.id)).into_response()),
        Err(SpravkaError::Invalid(problems)) => {
            let errors = problems
                .iter()
                .map(|e: &OrderError| (e.field(), tr_dyn(&e.to_string()), e.code(), tr(e.action()).to_owned()))
                .collect();
            let values = FormValues {
                kind: form.kind,
                from: form.from,
                to: form.to,
                purpose: form.purpose,
                by_email: form.by_email,
                by_post: form.by_post,
                post_address: form.post_address,
                org: form.org.trim().to_owned(),
            };
            let page = render(&spravki_page(&s, session.csrf_secret, &user, values, errors, form.request_key).await?)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The period as the order page shows it.
pub(super) fn period(p: Option<(time::Date, time::Date)>) -> String {
    p.map(|(a, b)| format!("{} {} {} {}", tr("с"), ru_date(Some(a)), tr("по"), ru_date(Some(b)))).unwrap_or_default()
}
