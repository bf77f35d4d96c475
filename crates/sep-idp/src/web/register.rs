//! `/register` and `/register/code`: self-registration.

use super::cookies;
use super::{IdpState, render};
use crate::admin::{AccountInput, AdminError};
use crate::registration::RegistrationError;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use sep_http::Problem;
use serde::Deserialize;

const REGISTRATION: &str = "gu_registration";

struct Shown {
    message: String,
    code: &'static str,
    field: &'static str,
}

impl From<&RegistrationError> for Shown {
    fn from(e: &RegistrationError) -> Self {
        let field = match e {
            RegistrationError::Invalid(
                AdminError::Invalid { field, .. } | AdminError::Missing(field) | AdminError::Taken(field),
            ) => match *field {
                "Фамилия" => "last_name",
                "Имя" => "first_name",
                "Электронная почта" => "email",
                _ => "phone",
            },
            RegistrationError::Invalid(AdminError::WeakPassword(_)) | RegistrationError::PasswordsDiffer => "password",
            _ => "code",
        };
        Self { message: e.to_string(), code: e.code(), field }
    }
}

/// The form as typed (the password is never sent back).
#[derive(Deserialize, Default)]
pub(crate) struct RegisterForm {
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    middle_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    error: Option<Shown>,
    f: &'a RegisterForm,
}

#[derive(Template)]
#[template(path = "register_code.html")]
struct CodePage {
    phone: String,
    error: Option<Shown>,
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

fn internal(e: &RegistrationError) -> Response {
    tracing::error!(error = ?e, "registration failed internally");
    Problem::internal().into_response()
}

/// `GET /register`.
pub(crate) async fn form() -> Response {
    render(&RegisterPage { error: None, f: &RegisterForm::default() })
}

/// `POST /register`.
pub(crate) async fn submit(
    State(s): State<IdpState>,
    jar: CookieJar,
    client: sep_http::client::Client,
    Form(f): Form<RegisterForm>,
) -> Response {
    if let Err(wait) = s.throttle.check(&client.ip) {
        return super::throttled(wait);
    }
    let none_if_empty = |v: &str| (!v.trim().is_empty()).then(|| v.to_owned());
    let input = AccountInput {
        phone: f.phone.clone(),
        email: none_if_empty(&f.email),
        password: f.password.clone(),
        last_name: f.last_name.clone(),
        first_name: f.first_name.clone(),
        middle_name: none_if_empty(&f.middle_name),
        ..AccountInput::default()
    };
    match s.registration.start(&input, &f.repeat).await {
        Ok(token) => {
            let c =
                cookies::make(REGISTRATION, token.expose().to_owned(), time::Duration::minutes(15), s.secure_cookies);
            (jar.add(c), Redirect::to("/register/code")).into_response()
        }
        Err(e @ RegistrationError::Internal(_)) => internal(&e),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, render(&RegisterPage { error: Some(Shown::from(&e)), f: &f }))
            .into_response(),
    }
}

fn restart(e: &RegistrationError) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&RegisterPage { error: Some(Shown::from(e)), f: &RegisterForm::default() }),
    )
        .into_response()
}

/// `GET /register/code`.
pub(crate) async fn code_form(State(s): State<IdpState>, jar: CookieJar) -> Response {
    let Some(t) = cookies::token(&jar, REGISTRATION, s.secure_cookies) else {
        return Redirect::to("/register").into_response();
    };
    match s.registration.pending(&t).await {
        Ok(Some(phone)) => render(&CodePage { phone, error: None }),
        Ok(None) => restart(&RegistrationError::Expired),
        Err(e) => internal(&e),
    }
}

/// `POST /register/code`.
pub(crate) async fn code_submit(State(s): State<IdpState>, jar: CookieJar, Form(f): Form<CodeForm>) -> Response {
    let Some(t) = cookies::token(&jar, REGISTRATION, s.secure_cookies) else {
        return restart(&RegistrationError::Expired);
    };
    match s.registration.confirm(&t, &f.code).await {
        Ok(_) => (jar.add(cookies::removal(REGISTRATION, s.secure_cookies)), Redirect::to("/login?registered=1"))
            .into_response(),
        Err(e @ RegistrationError::Internal(_)) => internal(&e),
        Err(e @ (RegistrationError::CodeWrong(_) | RegistrationError::CodeFormat)) => {
            let phone = s.registration.pending(&t).await.ok().flatten().unwrap_or_default();
            (StatusCode::UNPROCESSABLE_ENTITY, render(&CodePage { phone, error: Some(Shown::from(&e)) }))
                .into_response()
        }
        Err(e) => restart(&e),
    }
}
