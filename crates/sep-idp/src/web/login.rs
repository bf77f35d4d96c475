//! `/login`, `/login/code`, `/login/resend`, `/logout`.

use super::cookies::{self, DEVICE, LOGIN, SESSION};
use super::{IdpState, render};
use crate::login::{ClientCtx, LoginError, SecondFactor, safe_return_to};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use sep_http::Problem;
use sep_http::client::Client;
use serde::Deserialize;

/// An error as the page shows it.
pub(crate) struct Shown {
    pub(crate) message: String,
    pub(crate) code: &'static str,
}

impl From<&LoginError> for Shown {
    fn from(e: &LoginError) -> Self {
        Self { message: e.to_string(), code: e.code() }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    notice: Option<&'static str>,
    error: Option<Shown>,
    login: String,
    return_to: String,
}

#[derive(Template)]
#[template(path = "code.html")]
struct CodePage {
    /// Where the SMS went; `None` when the code comes from the authenticator app.
    phone: Option<String>,
    error: Option<Shown>,
    info: Option<&'static str>,
}

#[derive(Deserialize)]
pub(crate) struct ReturnTo {
    return_to: Option<String>,
    /// The site asked for a fresh login: the form even with a session.
    again: Option<String>,
    recovered: Option<String>,
    registered: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    return_to: String,
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

fn internal(e: &LoginError) -> Response {
    tracing::error!(error = ?e, "login failed internally");
    Problem::internal().into_response()
}

fn login_page(status: StatusCode, error: Option<&LoginError>, login: String, return_to: String) -> Response {
    let page = LoginPage { notice: None, error: error.map(Shown::from), login, return_to };
    (status, render(&page)).into_response()
}

/// `GET /login`.
pub(crate) async fn form(State(s): State<IdpState>, jar: CookieJar, Query(q): Query<ReturnTo>) -> Response {
    let return_to = safe_return_to(q.return_to.as_deref().unwrap_or("/"));
    if q.again.is_none()
        && let Some(t) = cookies::token(&jar, SESSION, s.secure_cookies)
        && let Ok(Some(_)) = s.login.session(&t).await
    {
        return Redirect::to(&return_to).into_response();
    }
    let notice = if q.again.is_some() {
        Some("Сайт, с которого вы пришли, просит подтвердить вход: введите пароль и код ещё раз.")
    } else if q.recovered.is_some() {
        Some("Пароль изменён. Войдите с новым паролем.")
    } else if q.registered.is_some() {
        Some("Учётная запись создана. Войдите с телефоном и паролем.")
    } else {
        None
    };
    if notice.is_some() {
        return render(&LoginPage { notice, error: None, login: String::new(), return_to });
    }
    login_page(StatusCode::OK, None, String::new(), return_to)
}

/// `POST /login`: the password step.
pub(crate) async fn submit(
    State(s): State<IdpState>,
    jar: CookieJar,
    client: Client,
    Form(f): Form<LoginForm>,
) -> Response {
    if let Err(wait) = s.throttle.check(&client.ip) {
        return super::throttled(wait);
    }
    let return_to = safe_return_to(&f.return_to);
    match s.login.start(&f.login, &f.password, &return_to).await {
        Ok(started) => {
            let c = cookies::make(
                LOGIN,
                started.txn_token.expose().to_owned(),
                time::Duration::minutes(10),
                s.secure_cookies,
            );
            (jar.add(c), Redirect::to("/login/code")).into_response()
        }
        Err(e @ LoginError::Internal(_)) => internal(&e),
        Err(e) => {
            let status = if matches!(e, LoginError::Locked { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            login_page(status, Some(&e), f.login.chars().take(100).collect(), return_to)
        }
    }
}

fn code_page(
    status: StatusCode,
    factor: Option<SecondFactor>,
    error: Option<&LoginError>,
    info: Option<&'static str>,
) -> Response {
    let phone = match factor {
        Some(SecondFactor::Totp) => None,
        Some(SecondFactor::Sms(p)) => Some(p),
        None => Some(String::new()),
    };
    (status, render(&CodePage { phone, error: error.map(Shown::from), info })).into_response()
}

/// The login transaction ended: back to the password step, saying why.
fn restart(e: &LoginError) -> Response {
    login_page(StatusCode::UNPROCESSABLE_ENTITY, Some(e), String::new(), "/".into())
}

/// `GET /login/code`.
pub(crate) async fn code_form(State(s): State<IdpState>, jar: CookieJar) -> Response {
    let Some(t) = cookies::token(&jar, LOGIN, s.secure_cookies) else { return Redirect::to("/login").into_response() };
    match s.login.pending(&t).await {
        Ok(factor) => code_page(StatusCode::OK, Some(factor), None, None),
        Err(e @ LoginError::Internal(_)) => internal(&e),
        Err(e) => restart(&e),
    }
}

/// `POST /login/code`: the second factor.
pub(crate) async fn code_submit(
    State(s): State<IdpState>,
    jar: CookieJar,
    client: Client,
    Form(f): Form<CodeForm>,
) -> Response {
    let Some(t) = cookies::token(&jar, LOGIN, s.secure_cookies) else { return restart(&LoginError::TxnExpired) };
    let ctx = ClientCtx {
        ip: client.ip,
        user_agent: client.user_agent,
        device: cookies::value(&jar, DEVICE, s.secure_cookies),
    };
    match s.login.verify(&t, &f.code, &ctx).await {
        Ok(done) => {
            let secure = s.secure_cookies;
            let jar = jar
                .add(cookies::removal(LOGIN, secure))
                .add(cookies::make(SESSION, done.session_token.expose().to_owned(), time::Duration::hours(8), secure))
                .add(cookies::make(DEVICE, done.device, time::Duration::days(365), secure));
            (jar, Redirect::to(&done.return_to)).into_response()
        }
        Err(e @ LoginError::Internal(_)) => internal(&e),
        Err(e @ LoginError::TxnExpired) => restart(&e),
        Err(e) => {
            let factor = s.login.pending(&t).await.ok();
            code_page(StatusCode::UNPROCESSABLE_ENTITY, factor, Some(&e), None)
        }
    }
}

/// `POST /login/resend`: "Отправить ещё раз".
pub(crate) async fn resend(State(s): State<IdpState>, jar: CookieJar) -> Response {
    let Some(t) = cookies::token(&jar, LOGIN, s.secure_cookies) else { return restart(&LoginError::TxnExpired) };
    match s.login.resend(&t).await {
        Ok(factor) => code_page(
            StatusCode::OK,
            Some(factor),
            None,
            Some("Новый код отправлен. Предыдущий код больше не действует."),
        ),
        Err(e @ LoginError::Internal(_)) => internal(&e),
        Err(e @ LoginError::TxnExpired) => restart(&e),
        Err(e) => {
            let factor = s.login.pending(&t).await.ok();
            code_page(StatusCode::TOO_MANY_REQUESTS, factor, Some(&e), None)
        }
    }
}

/// `POST /logout`.
pub(crate) async fn logout(State(s): State<IdpState>, jar: CookieJar) -> Response {
    if let Some(t) = cookies::token(&jar, SESSION, s.secure_cookies)
        && let Err(e) = s.login.logout(&t).await
    {
        return internal(&e);
    }
    (jar.add(cookies::removal(SESSION, s.secure_cookies)), Redirect::to("/login")).into_response()
}
