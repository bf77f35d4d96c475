//! `GET /`: the signed-in person's data, or the way to the login.

use super::cookies::{self, SESSION};
use super::{IdpState, render};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use sep_http::Problem;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    full_name: String,
    level: &'static str,
    phone: String,
    email: String,
    snils: String,
    orgs: Vec<String>,
    totp: bool,
}

/// `GET /`.
pub(crate) async fn page(State(s): State<IdpState>, jar: CookieJar) -> Response {
    let account = match signed_in(&s, &jar).await {
        Ok(account) => account,
        Err(res) => return res,
    };
    let orgs = match s.store.list_memberships(account.oid).await {
        Ok(list) => list.into_iter().map(|(m, o)| format!("{} — {}", o.short_name, m.position)).collect(),
        Err(e) => {
            tracing::error!(error = %e, "memberships lookup failed");
            return Problem::internal().into_response();
        }
    };
    let p = &account.profile;
    let none = || "не указан".to_owned();
    render(&ProfilePage {
        full_name: p.full_name(),
        level: account.level.title(),
        phone: p.phone.as_ref().map_or_else(none, sep_core::ident::Phone::display_form),
        email: p.email.as_ref().map_or_else(none, ToString::to_string),
        snils: p.snils.as_ref().map_or_else(none, ToString::to_string),
        orgs,
        totp: account.totp_secret.is_some(),
    })
}

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct TotpSetup {
    secret: String,
    uri: String,
    error: Option<(&'static str, &'static str)>,
}

#[derive(serde::Deserialize)]
pub(crate) struct EnableForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
}

async fn signed_in(s: &IdpState, jar: &CookieJar) -> Result<crate::account::Account, Response> {
    let Some(t) = cookies::token(jar, SESSION, s.secure_cookies) else {
        return Err(Redirect::to("/login").into_response());
    };
    match s.login.session(&t).await {
        Ok(Some((_, account))) => Ok(account),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => {
            tracing::error!(error = ?e, "session lookup failed");
            Err(Problem::internal().into_response())
        }
    }
}

fn setup_page(
    account: &crate::account::Account,
    secret: String,
    error: Option<(&'static str, &'static str)>,
) -> Response {
    let label = account.profile.phone.as_ref().map_or_else(|| account.oid.to_string(), |p| p.as_str().to_owned());
    let uri = crate::totp::otpauth_uri(&secret, &label);
    render(&TotpSetup { secret, uri, error })
}

/// `GET /totp/setup`: a new secret to add to the app.
pub(crate) async fn totp_setup(State(s): State<IdpState>, jar: CookieJar) -> Response {
    let account = match signed_in(&s, &jar).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    match crate::totp::new_secret() {
        Ok(secret) => setup_page(&account, secret, None),
        Err(e) => {
            tracing::error!(error = %e, "no randomness for a TOTP secret");
            Problem::internal().into_response()
        }
    }
}

/// `POST /totp/enable`: the first code proves the app holds the secret.
pub(crate) async fn totp_enable(
    State(s): State<IdpState>,
    jar: CookieJar,
    axum::Form(f): axum::Form<EnableForm>,
) -> Response {
    let account = match signed_in(&s, &jar).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    let secret = f.secret.trim().to_owned();
    let now = s.login.now();
    let Some(step) = crate::totp::matching_step(&secret, f.code.trim(), now) else {
        let msg = "Код не совпал: приложение показывает другой код. Проверьте, что ключ введён без ошибок и время на телефоне точное, и введите новый код";
        let error = Some((msg, "totp_code_mismatch"));
        return (axum::http::StatusCode::UNPROCESSABLE_ENTITY, setup_page(&account, secret, error)).into_response();
    };
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let saved = async {
        s.store.update_totp_secret(account.oid, Some(&secret)).await?;
        s.store.update_totp_step(account.oid, step).await
    };
    match saved.await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "TOTP not saved");
            Problem::internal().into_response()
        }
    }
}

/// `POST /totp/disable`.
pub(crate) async fn totp_disable(State(s): State<IdpState>, jar: CookieJar) -> Response {
    let account = match signed_in(&s, &jar).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    match s.store.update_totp_secret(account.oid, None).await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "TOTP not removed");
            Problem::internal().into_response()
        }
    }
}
