//! The translation engine (SPEC C3), shared by the portal and the Госуслуги emulator. The
//! Russian text is the key (as in gettext), so a page reads naturally in its template and a
//! missing translation falls back to Russian rather than to a code. The choice is a cookie;
//! each request renders inside a task-local scope holding it, so templates call `tr("…")`
//! without every page carrying the language. What to translate with is a [`Catalog`] of
//! `Russian<TAB>English` lines that each site builds from its own files.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::collections::HashMap;
use std::sync::RwLock;

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

/// The cookie that keeps the choice.
pub const COOKIE: &str = "sep_lang";

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

/// Runs the future `f` in `lang`.
pub async fn in_lang<F: Future>(lang: Lang, f: F) -> F::Output {
    LANG.scope(lang, f).await
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

/// Renders the request in the language its cookie asks for.
pub async fn scope(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    LANG.scope(lang, next.run(req)).await
}

/// The cookie that keeps the language (`en` or `ru`) for a year.
pub fn cookie(english: bool) -> Cookie<'static> {
    let mut c = Cookie::new(COOKIE, if english { "en" } else { "ru" });
    c.set_path("/");
    c.set_same_site(SameSite::Lax);
    c.set_max_age(time::Duration::days(365));
    c
}

/// A site's translations: exact lines, patterns with `{}` around values, and texts that come
/// with data (service files' `[en]` tables), added at start-up.
pub struct Catalog {
    exact: HashMap<&'static str, &'static str>,
    /// Keys with `{}` — a sentence around values (a status, a field's label, a number), for
    /// messages formatted before they reach the page: (the Russian split at each `{}`,
    /// English with as many `{}`), the most specific (longest fixed text) first.
    patterns: Vec<(Vec<&'static str>, &'static str)>,
    data: RwLock<HashMap<String, String>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").field("lines", &self.exact.len()).finish_non_exhaustive()
    }
}

impl Catalog {
    /// A catalogue of `files`, each of `Russian<TAB>English` lines (`#` starts a comment).
    pub fn from_files(files: &[&'static str]) -> Self {
        let pairs = || {
            files
                .iter()
                .flat_map(|f| f.lines())
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once('\t'))
                .filter(|(ru, _)| !ru.is_empty())
        };
        let mut patterns: Vec<_> = pairs()
            .filter(|(ru, _)| ru.contains("{}"))
            .map(|(ru, en)| (ru.split("{}").collect::<Vec<_>>(), en))
            .filter(|(parts, _)| parts.iter().any(|p| !p.is_empty()))
            .collect();
        patterns.sort_by_key(|(parts, _)| std::cmp::Reverse(parts.iter().map(|p| p.len()).sum::<usize>()));
        Self { exact: pairs().collect(), patterns, data: RwLock::default() }
    }

    /// Adds translations of data texts (service titles, field labels…), Russian → English.
    pub fn add_data(&self, pairs: impl IntoIterator<Item = (String, String)>) {
        let mut data = self.data.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        data.extend(pairs);
    }

    /// Whether `ru` has a line of its own (not counting data texts).
    pub fn has_line(&self, ru: &str) -> bool {
        self.exact.contains_key(ru)
    }

    /// Whether `ru` has English: a line of its own, a data text or a pattern it fits.
    pub fn knows(&self, ru: &str) -> bool {
        self.exact(ru).is_some() || self.patterns.iter().any(|(parts, _)| fit(parts, ru).is_some())
    }

    /// `ru` in `lang`.
    pub fn tr_in(&self, lang: Lang, ru: &'static str) -> &'static str {
        match lang {
            Lang::Ru => ru,
            Lang::En => self.exact.get(ru).copied().unwrap_or(ru),
        }
    }

    /// A text known only at run time (a data text, a core error's message, a problem's
    /// detail) in `lang`: an exact translation, else a pattern around one value (the value
    /// translated too, as a status or a label is), else the Russian text. Several lines (a
    /// notification's text) are translated line by line.
    pub fn tr_dyn_in(&self, lang: Lang, ru: &str) -> String {
        if lang == Lang::Ru {
            return ru.to_owned();
        }
        ru.split('\n').map(|line| self.translate(line, 2)).collect::<Vec<_>>().join("\n")
    }

    fn exact(&self, ru: &str) -> Option<String> {
        if let Some(en) = self.exact.get(ru) {
            return Some((*en).to_owned());
        }
        self.data.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(ru).cloned()
    }

    /// `ru` in English: exactly, else by a pattern whose values are translated `depth - 1`
    /// deep (a status in a sentence in a reason: two levels; deeper would try patterns on
    /// every word).
    fn translate(&self, ru: &str, depth: u8) -> String {
        if let Some(en) = self.exact(ru) {
            return en;
        }
        if depth == 0 {
            return ru.to_owned();
        }
        // Patterns can overlap ("{}: {} — {}. {}" fits most sentences with a dash): the first
        // whose values all have English (or need none) wins, else the most specific one.
        let mut fallback = None;
        for (parts, en) in &self.patterns {
            let Some(values) = fit(parts, ru) else { continue };
            let values: Vec<(bool, String)> = values
                .iter()
                .map(|v| {
                    let t = self.translate(v, depth - 1);
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
}

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

/// Whether `c` is a Russian letter.
pub fn is_russian(c: char) -> bool {
    matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё')
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# comment\nПомощь\tHelp\nОтклонено\tRejected\nЗаявление в статусе «{}» не редактируется.\tAn application in status «{}» cannot be changed.\n";

    #[test]
    fn exact_pattern_and_data() {
        let c = Catalog::from_files(&[FILE]);
        assert_eq!(c.tr_in(Lang::En, "Помощь"), "Help");
        assert_eq!(c.tr_in(Lang::Ru, "Помощь"), "Помощь");
        assert_eq!(
            c.tr_dyn_in(Lang::En, "Заявление в статусе «Отклонено» не редактируется."),
            "An application in status «Rejected» cannot be changed."
        );
        assert_eq!(c.tr_dyn_in(Lang::En, "Помощь\nСвой текст"), "Help\nСвой текст");
        assert_eq!(c.tr_dyn_in(Lang::En, "Неизвестно"), "Неизвестно");
        c.add_data([("Особая услуга".to_owned(), "A special service".to_owned())]);
        assert_eq!(c.tr_dyn_in(Lang::En, "Особая услуга"), "A special service");
        assert!(c.knows("Заявление в статусе «x» не редактируется.") && !c.knows("Другое"));
    }

    #[tokio::test]
    async fn the_scope_chooses_the_language() {
        assert_eq!(code(), "ru", "Russian outside a request");
        assert_eq!(in_lang(Lang::En, async { code() }).await, "en");
        assert_eq!(with_lang(Lang::En, current), Lang::En);
    }
}
