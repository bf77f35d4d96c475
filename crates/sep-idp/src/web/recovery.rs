//! `/recovery` and `/recovery/code`: "Забыли пароль?".

use super::cookies::{self};
use super::{IdpState, render};
use crate::recovery::RecoveryError;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use sep_http::Problem;
use serde::Deserialize;

const RECOVERY: &str = "gu_recovery";

struct Shown {
    message: String,
    code: &'static str,
    field: &'static str,
}

impl From<&RecoveryError> for Shown {
    fn from(e: &RecoveryError) -> Self {
        let field = match e {
            RecoveryError::WeakPassword(_) | RecoveryError::PasswordsDiffer => "password",
            _ => "code",
        };
        Self { message: e.to_string(), code: e.code(), field }
    }
}

#[derive(Template)]
#[template(path = "recovery.html")]
struct StartPage {
    error: Option<crate::web::login::Shown>,
    login: String,
}

#[derive(Template)]
#[template(path = "recovery_code.html")]
struct CodePage {
    error: Option<Shown>,
}

#[derive(Deserialize)]
pub(crate) struct StartForm {
    #[serde(default)]
    login: String,
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

fn internal(e: &RecoveryError) -> Response {
    tracing::error!(error = ?e, "recovery failed internally");
    Problem::internal().into_response()
}

fn start_page(status: StatusCode, e: Option<&RecoveryError>, login: String) -> Response {
    let error = e.map(|e| crate::web::login::Shown { message: e.to_string(), code: e.code() });
    (status, render(&StartPage { error, login })).into_response()
}

/// `GET /recovery`.
pub(crate) async fn form() -> Response {
    start_page(StatusCode::OK, None, String::new())
}

/// `POST /recovery`.
pub(crate) async fn submit(
    State(s): State<IdpState>,
    jar: CookieJar,
    client: sep_http::client::Client,
    Form(f): Form<StartForm>,
) -> Response {
    if let Err(wait) = s.throttle.check(&client.ip) {
        return super::throttled(wait);
    }
    match s.recovery.start(&f.login).await {
        Ok(token) => {
            let c = cookies::make(RECOVERY, token.expose().to_owned(), time::Duration::minutes(15), s.secure_cookies);
            (jar.add(c), Redirect::to("/recovery/code")).into_response()
        }
        Err(e @ RecoveryError::Internal(_)) => internal(&e),
        Err(e) => start_page(StatusCode::UNPROCESSABLE_ENTITY, Some(&e), f.login.chars().take(100).collect()),
    }
}

/// `GET /recovery/code`.
pub(crate) async fn code_form(State(s): State<IdpState>, jar: CookieJar) -> Response {
    let Some(t) = cookies::token(&jar, RECOVERY, s.secure_cookies) else {
        return Redirect::to("/recovery").into_response();
    };
    match s.recovery.is_open(&t).await {
        Ok(true) => render(&CodePage { error: None }),
        Ok(false) => start_page(StatusCode::UNPROCESSABLE_ENTITY, Some(&RecoveryError::Expired), String::new()),
        Err(e) => internal(&e),
    }
}

/// `POST /recovery/code`.
pub(crate) async fn code_submit(State(s): State<IdpState>, jar: CookieJar, Form(f): Form<CodeForm>) -> Response {
    let Some(t) = cookies::token(&jar, RECOVERY, s.secure_cookies) else {
        return start_page(StatusCode::UNPROCESSABLE_ENTITY, Some(&RecoveryError::Expired), String::new());
    };
    match s.recovery.complete(&t, &f.code, &f.password, &f.repeat).await {
        Ok(()) => {
            (jar.add(cookies::removal(RECOVERY, s.secure_cookies)), Redirect::to("/login?recovered=1")).into_response()
        }
        Err(e @ RecoveryError::Internal(_)) => internal(&e),
        Err(e @ (RecoveryError::Expired | RecoveryError::CodeVoid)) => {
            start_page(StatusCode::UNPROCESSABLE_ENTITY, Some(&e), String::new())
        }
        Err(e) => {
            (StatusCode::UNPROCESSABLE_ENTITY, render(&CodePage { error: Some(Shown::from(&e)) })).into_response()
        }
    }
}
