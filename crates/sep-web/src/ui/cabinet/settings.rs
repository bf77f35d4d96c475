//! `/settings` (SPEC C3, N2): which notifications reach the person by which channel, the
//! importance threshold for e-mail and SMS, and accessibility (high contrast, large font).
//! Mandatory notices are shown switched on and say they cannot be switched off. The chosen
//! look is applied on every page through `/prefs.css`.

use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::session::PassiveUser;
use crate::ui::components::render;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::settings::{Channel, Importance, Kind, Settings, mandatory};
use sep_core::store::Effects;
use serde::Deserialize;

struct Cell {
    name: String,
    on: bool,
    mandatory: bool,
    label: String,
}

struct Row {
    title: &'static str,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "cabinet/settings.html")]
struct SettingsPage {
    channels: Vec<&'static str>,
    rows: Vec<Row>,
    thresholds: Vec<(&'static str, &'static str, bool)>,
    high_contrast: bool,
    large_font: bool,
    english: bool,
    login_protection: bool,
    csrf: String,
    saved: bool,
}

#[derive(Deserialize)]
pub(crate) struct Saved {
    saved: Option<String>,
}

/// `GET /settings`.
pub(crate) async fn page(SignedIn { session, user }: SignedIn, Query(q): Query<Saved>) -> Page {
    let s = &user.settings;
    let rows = Kind::ALL
        .iter()
        .map(|k| Row {
            title: k.title(),
            cells: Channel::ALL
                .iter()
                .map(|c| Cell {
                    name: format!("{}:{}", k.code(), c.code()),
                    on: mandatory(*k, *c) || !s.off.contains(&(*k, *c)),
                    mandatory: mandatory(*k, *c),
                    label: format!("{} — {}", crate::i18n::tr(k.title()), crate::i18n::tr(c.title())),
                })
                .collect(),
        })
        .collect();
    render(&SettingsPage {
        channels: Channel::ALL.iter().map(|c| c.title()).collect(),
        rows,
        thresholds: Importance::ALL.iter().map(|i| (i.code(), i.title(), *i == s.threshold)).collect(),
        high_contrast: s.high_contrast,
        large_font: s.large_font,
        english: s.english(),
        login_protection: s.login_protection,
        csrf: session.csrf_secret,
        saved: q.saved.is_some(),
    })
}

/// `POST /settings`: the whole form; a box not sent is a box unticked.
pub(crate) async fn save(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    jar: axum_extra::extract::cookie::CookieJar,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let settings = Settings::from_form(&pairs, &user.settings);
    let mut e = ctx.event(s.clock.now(), "settings.changed", Some(user.id));
    e.details = serde_json::json!({ "settings": settings.to_json() });
    s.store.update_user_settings(user.id, &settings, &Effects::audit(e)).await?;
    Ok((jar.add(sep_http::i18n::cookie(settings.english())), Redirect::to("/settings?saved=1")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct ProtectionForm {
    #[serde(default)]
    on: String,
}

/// `POST /settings/login-protection`: «Защита входа» on, or off after a fresh login (to which
/// it sends the person first, and back here).
pub(crate) async fn login_protection(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<ProtectionForm>,
) -> Page {
    use sep_core::passport::protection::{ProtectionError, switch};
    match switch(s.store.as_ref(), &user, &session, f.on == "1", &ctx.origin(), s.clock.now()).await {
        Ok(()) => Ok(Redirect::to("/settings?saved=1#login-protection").into_response()),
        Err(ProtectionError::FreshLoginRequired) => {
            Err(crate::error::WebError::Redirect("/login?fresh=1&return_to=%2Fsettings%23login-protection".into()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The high-contrast theme: black on white, strong borders and underlines.
const CONTRAST: &str = ":root { --accent: #0033a0; --accent-dark: #001f66; --page: #ffffff; --text: #000000; \
    --muted: #000000; --border: #000000; --card: #ffffff; }\n\
    .card { box-shadow: none; border: 2px solid #000; }\n\
    a { text-decoration-thickness: 2px; }\n\
    .badge { border-width: 2px; }\n";

/// Large font: everything in `rem` grows with it.
const LARGE: &str = "html { font-size: 125%; }\n";

/// `GET /prefs.css`: the signed-in person's look; empty for everyone else.
pub(crate) async fn stylesheet(user: PassiveUser) -> Response {
    let mut css = String::new();
    if let Some((_, user)) = user.0 {
        if user.settings.high_contrast {
            css.push_str(CONTRAST);
        }
        if user.settings.large_font {
            css.push_str(LARGE);
        }
    }
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "private, no-cache")], css)
        .into_response()
}
