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
use std::sync::{LazyLock, RwLock};

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

/// The translation files: the interface's own texts, then the pages'.
const FILES: [&str; 3] =
    [include_str!("../i18n/en.tsv"), include_str!("../i18n/en-pages.tsv"), include_str!("../i18n/en-messages.tsv")];

fn pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES
        .iter()
        .flat_map(|f| f.lines())
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .filter(|(ru, _)| !ru.is_empty())
}

static EN: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| pairs().collect());

/// Keys with `{}` — a sentence around values (a status, a field's label, a number), for
/// messages formatted before they reach the page: (the Russian split at each `{}`, English with
/// as many `{}`), the most specific (longest fixed text) first.
static PATTERNS: LazyLock<Vec<(Vec<&'static str>, &'static str)>> = LazyLock::new(|| {
    let mut all: Vec<_> =
        pairs().filter(|(ru, _)| ru.contains("{}")).map(|(ru, en)| (ru.split("{}").collect::<Vec<_>>(), en)).collect();
    all.retain(|(parts, _)| parts.iter().any(|p| !p.is_empty()));
    all.sort_by_key(|(parts, _)| std::cmp::Reverse(parts.iter().map(|p| p.len()).sum::<usize>()));
    all
});

/// The values a pattern's `{}` stand for in `text`, if it fits.
fn fit<'t>(parts: &[&str], text: &'t str) -> Option<Vec<&'t str>> {
    let (first, rest) = parts.split_first()?;
    let (last, middle) = rest.split_last()?;
    let inner = text.strip_prefix(first)?.strip_suffix(last)?;
    let mut values = Vec::with_capacity(rest.len());
    let mut from = 0;
    for part in middle {
        let at = from + inner[from..].find(part)?;
        values.push(&inner[from..at]);
        from = at + part.len();
    }
    values.push(&inner[from..]);
    Some(values)
}

/// Translations that come with data (the service files' `[en]` tables), added at start-up.
static DATA: LazyLock<RwLock<HashMap<String, String>>> = LazyLock::new(Default::default);

/// Adds translations of data texts (service titles, field labels…), Russian → English.
pub fn add_data(pairs: impl IntoIterator<Item = (String, String)>) {
    let mut data = DATA.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    data.extend(pairs);
}

/// A text known only at run time (a data text, a core error's message, a problem's detail) in
/// the current language: an exact translation, else a pattern around one value (the value
/// translated too, as a status or a label is), else the Russian text.
pub fn tr_dyn(ru: &str) -> String {
    tr_dyn_in(current(), ru)
}

/// [`tr_dyn`] in `lang`. Several lines (a notification's text) are translated line by line.
pub fn tr_dyn_in(lang: Lang, ru: &str) -> String {
    if lang == Lang::Ru {
        return ru.to_owned();
    }
    ru.split('\n').map(|line| translate(line, 2)).collect::<Vec<_>>().join("\n")
}

/// `ru` in English: exactly, else by a pattern whose values are translated `depth - 1` deep
/// (a status in a sentence in a reason: two levels; deeper would try patterns on every word).
fn translate(ru: &str, depth: u8) -> String {
    if let Some(en) = exact(ru) {
        return en;
    }
    if depth == 0 {
        return ru.to_owned();
    }
    // Patterns can overlap ("{}: {} — {}. {}" fits most sentences with a dash): the first
    // whose values all have English (or need none) wins, else the most specific one.
    let mut fallback = None;
    for (parts, en) in PATTERNS.iter() {
        let Some(values) = fit(parts, ru) else { continue };
        let values: Vec<(bool, String)> = values
            .iter()
            .map(|v| {
                let t = translate(v, depth - 1);
                (t != *v || !v.chars().any(is_russian), t)
            })
            .collect();
        let complete = values.iter().all(|(known, _)| *known);
        let mut out = String::with_capacity(en.len() + ru.len());
        let mut pieces = en.split("{}");
        out.push_str(pieces.next().unwrap_or_default());
        for (piece, (_, value)) in pieces.zip(values.iter()) {
            out.push_str(value);
            out.push_str(piece);
        }
        if complete {
            return out;
        }
        fallback.get_or_insert(out);
    }
    fallback.unwrap_or_else(|| ru.to_owned())
}

fn is_russian(c: char) -> bool {
    matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё')
}

fn exact(ru: &str) -> Option<String> {
    if let Some(en) = EN.get(ru) {
        return Some((*en).to_owned());
    }
    DATA.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(ru).cloned()
}

/// The language a request asks for (its cookie).
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    match CookieJar::from_headers(headers).get(COOKIE).map(|c| c.value().to_owned()).as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Ru,
    }
}

/// Runs `f` (a render outside the request's scope, as the error presenter's) in `lang`.
pub fn with_lang<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    LANG.sync_scope(lang, f)
}

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
    let lang = lang_of(req.headers());
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

    use sep_core::application::status::Status;

    /// Words the core hands to the pages (statuses, applicant types, settings) have English too.
    #[test]
    fn every_status_and_applicant_type_has_english() {
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

    /// Whether `ru` has English: a line of its own or a pattern it fits.
    fn known(ru: &str) -> bool {
        exact(ru).is_some() || PATTERNS.iter().any(|(parts, _)| fit(parts, ru).is_some())
    }

    /// The string literals with Russian letters in a Rust source, outside tests and comments,
    /// with format arguments (`{name}`, `{:.1}`) written as `{}`.
    fn russian_literals(source: &str) -> Vec<String> {
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        let code: String =
            code.lines().filter(|l| !l.trim_start().starts_with("//")).map(|l| format!("{l}\n")).collect();
        let mut out = Vec::new();
        let mut chars = code.chars().peekable();
        let mut prev = ' ';
        while let Some(c) = chars.next() {
            let opens = c == '"' && !(prev.is_alphanumeric() || prev == '\'' || prev == '#');
            prev = c;
            if !opens {
                continue;
            }
            let mut lit = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('\n') => {
                            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                chars.next();
                            }
                        }
                        Some('n') => lit.push('\n'),
                        Some(other) => lit.push(other),
                        None => {}
                    },
                    c => lit.push(c),
                }
            }
            prev = '"';
            // One letter is a character being replaced ("ё" → "е"), not a text.
            let text = lit.chars().count() > 1;
            if text && lit.chars().any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё')) {
                let mut plain = String::new();
                let mut rest = lit.as_str();
                while let Some(at) = rest.find('{') {
                    plain.push_str(&rest[..at]);
                    match rest[at..].find('}') {
                        Some(end) => {
                            plain.push_str("{}");
                            rest = &rest[at + end + 1..];
                        }
                        None => {
                            rest = &rest[at..];
                            break;
                        }
                    }
                }
                plain.push_str(rest);
                out.extend(plain.split('\n').filter(|l| !l.is_empty()).map(str::to_owned));
            }
        }
        out
    }

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Every Russian text the portal's code shows (problem pages, notes, labels, SMS and
    /// e-mails sent during a request) and the core's messages shown on pages (validation
    /// errors, refusal reasons, statuses' hints) have English.
    #[test]
    fn every_russian_text_in_the_code_has_english() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        rust_files(&root.join("src"), &mut files);
        files.retain(|f| !f.ends_with("i18n.rs"));
        let core = root.join("../sep-core/src");
        for f in [
            "ident/error.rs",
            "catalogue/field.rs",
            "application/attachment.rs",
            "application/status.rs",
            "application/checks.rs",
            "application/review.rs",
            "registry/emulator.rs",
        ] {
            files.push(core.join(f));
        }
        let mut found = 0;
        let mut missing = Vec::new();
        for f in &files {
            for lit in russian_literals(&std::fs::read_to_string(f).unwrap()) {
                found += 1;
                if !known(&lit) {
                    missing.push(format!("{}: {lit}", f.file_name().unwrap().to_string_lossy()));
                }
            }
        }
        assert!(found > 200, "the scan finds the texts ({found})");
        assert!(missing.is_empty(), "no English for: {missing:#?}");
    }

    #[test]
    fn texts_made_at_run_time_are_translated_around_their_values() {
        let en = |s: &str| tr_dyn_in(Lang::En, s);
        assert_eq!(en("Помощь"), "Help");
        assert_eq!(tr_dyn_in(Lang::Ru, "Помощь"), "Помощь");
        // A status inside a sentence: the sentence by its pattern, the status by its own line.
        let status = Status::Rejected.title();
        let sentence = en(&format!("Заявление в статусе «{status}» не редактируется."));
        assert!(sentence.contains("Rejected") && !sentence.contains("Отклонено"), "{sentence}");
        // Two values, and several lines each on its own.
        let two = en(&format!("Заявление № 2026-000042 «Регистрация в СЭП»: статус «{status}».\nТекст сотрудника"));
        assert!(two.contains("2026-000042") && two.contains("Rejected"), "{two}");
        assert!(two.ends_with("\nТекст сотрудника"), "a free text stays as written: {two}");
        assert_eq!(en("Совсем неизвестный текст"), "Совсем неизвестный текст");
        // Data translations come from the service files.
        add_data([("Особая услуга".to_owned(), "A special service".to_owned())]);
        assert_eq!(en("Особая услуга"), "A special service");
    }

    #[test]
    fn the_literal_scan_reads_rust_strings() {
        let src = "fn f() {\n    // \"Комментарий\"\n    let a = \"Текст {x} и {:.1}\";\n    let b = '\"';\n    let c = \"Длинный \\\n        текст\";\n}\n#[cfg(test)]\nmod t { \"Тест\" }";
        assert_eq!(russian_literals(src), vec!["Текст {} и {}".to_owned(), "Длинный текст".to_owned()]);
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
