//! The interface language (SPEC C3): Russian, or English on request. The Russian text is the
//! key (as in gettext), so a page reads naturally in its template and a missing translation
//! falls back to Russian rather than to a code. The choice is a cookie set by `/lang`; each
//! request renders inside a task-local scope holding it, so templates call `tr("…")` without
//! every page carrying the language. `i18n/en.tsv` holds the translations, one
//! `Russian<TAB>English` pair a line; a test checks every `tr` in the templates has one.

use axum::extract::{Query, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Русский (the default).
    Ru,
    /// English.
    En,
}

tokio::task_local! {
    static LANG: Lang;
}

const COOKIE: &str = "sep_lang";

static EN: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("../i18n/en.tsv").lines().filter_map(|l| l.split_once('\t')).filter(|(ru, _)| !ru.is_empty()).collect()
});

/// The language of the request being rendered (Russian outside a request).
pub fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or(Lang::Ru)
}

/// The `lang` attribute of the page.
pub fn code() -> &'static str {
    match current() {
        Lang::Ru => "ru",
        Lang::En => "en",
    }
}

/// `ru` in the current language.
pub fn tr(ru: &'static str) -> &'static str {
    tr_in(current(), ru)
}

/// `ru` in `lang` (for work done after the request's scope, such as an event stream).
pub fn tr_in(lang: Lang, ru: &'static str) -> &'static str {
    match lang {
        Lang::Ru => ru,
        Lang::En => EN.get(ru).copied().unwrap_or(ru),
    }
}

/// Renders the request in the language its cookie asks for.
pub async fn scope(req: Request, next: Next) -> Response {
    let lang = match CookieJar::from_headers(req.headers()).get(COOKIE).map(|c| c.value().to_owned()).as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Ru,
    };
    LANG.scope(lang, next.run(req)).await
}

#[derive(Deserialize)]
pub(crate) struct Switch {
    #[serde(default)]
    to: String,
    return_to: Option<String>,
}

/// The page the switch was pressed on, from `Referer` when it is this site's path.
fn referer_path(headers: &axum::http::HeaderMap) -> Option<String> {
    let url = openidconnect::url::Url::parse(headers.get(axum::http::header::REFERER)?.to_str().ok()?).ok()?;
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let same =
        url.host_str().zip(url.port_or_known_default()).is_some_and(|(h, p)| host == h || host == format!("{h}:{p}"));
    same.then(|| match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}

/// The cookie that keeps the language (`en` or `ru`) for a year.
pub(crate) fn cookie(english: bool) -> axum_extra::extract::cookie::Cookie<'static> {
    let mut c = axum_extra::extract::cookie::Cookie::new(COOKIE, if english { "en" } else { "ru" });
    c.set_path("/");
    c.set_same_site(axum_extra::extract::cookie::SameSite::Lax);
    c.set_max_age(time::Duration::days(365));
    c
}

/// `GET /lang?to=en` (and `return_to=/path`, else the page it was pressed on): switches the
/// language and goes back.
pub(crate) async fn switch(jar: CookieJar, headers: axum::http::HeaderMap, Query(q): Query<Switch>) -> Response {
    let c = cookie(q.to == "en");
    let back = q.return_to.or_else(|| referer_path(&headers)).unwrap_or_else(|| "/".into());
    let back = crate::ui::login::safe_return_to(Some(&back));
    (jar.add(c), Redirect::to(&back)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `tr("…")` in the templates has an English line.
    #[test]
    fn every_translated_text_has_english() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        let mut found = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split("tr(\"").skip(1) {
                let key = part.split("\")").next().unwrap();
                found += 1;
                if !EN.contains_key(key) {
                    missing.push(key.to_owned());
                }
            }
        }
        assert!(found > 20, "the scan finds the texts ({found})");
        assert!(missing.is_empty(), "no English for: {missing:#?}");
    }

    /// Words the core hands to the pages (statuses, applicant types, settings) have English too.
    #[test]
    fn every_status_and_applicant_type_has_english() {
        use sep_core::application::status::Status;
        use sep_core::catalogue::ApplicantType;
        let words = Status::ALL
            .iter()
            .map(|s| s.title())
            .chain([ApplicantType::Person, ApplicantType::Ip, ApplicantType::Org].map(ApplicantType::title));
        use sep_core::settings::{Channel, Importance, Kind};
        let settings = Kind::ALL
            .iter()
            .map(|k| k.title())
            .chain(Channel::ALL.iter().map(|c| c.title()))
            .chain(Importance::ALL.iter().map(|i| i.title()));
        for w in words.chain(settings) {
            assert!(EN.contains_key(w), "no English for {w}");
        }
    }

    #[tokio::test]
    async fn the_language_of_the_scope_chooses_the_text() {
        assert_eq!(tr("Помощь"), "Помощь", "Russian outside a request");
        let en = LANG.scope(Lang::En, async { (tr("Помощь"), code()) }).await;
        assert_eq!(en, ("Help", "en"));
        let unknown = LANG.scope(Lang::En, async { tr("Текст без перевода") }).await;
        assert_eq!(unknown, "Текст без перевода", "falls back to Russian");
    }
}
