//! The portal's language (SPEC C3): Russian, or English on request. The engine (the
//! task-local language, exact lines and patterns) is `sep_http::i18n`; this module holds the
//! portal's catalogue — `i18n/en.tsv` (interface), `en-pages.tsv` (page texts),
//! `en-messages.tsv` (problems, notes, core messages), one `Russian<TAB>English` pair a line,
//! plus the services' own `[en]` tables — and the `/lang` switch. Tests check every `tr` in
//! the templates and every Russian literal of the code has English.

use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use sep_http::i18n::Catalog;
use serde::Deserialize;
use std::sync::LazyLock;

pub use sep_http::i18n::{Lang, code, current, lang_of, scope, with_lang};

/// The portal's translations.
pub static TEXTS: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::from_files(&[
        include_str!("../i18n/en.tsv"),
        include_str!("../i18n/en-pages.tsv"),
        include_str!("../i18n/en-messages.tsv"),
    ])
});

/// Adds translations of data texts (service titles, field labels…), Russian → English.
pub fn add_data(pairs: impl IntoIterator<Item = (String, String)>) {
    TEXTS.add_data(pairs);
}

/// A text known only at run time (a data text, a core error's message, a problem's detail) in
/// the current language.
pub fn tr_dyn(ru: &str) -> String {
    TEXTS.tr_dyn_in(current(), ru)
}

/// [`tr_dyn`] in `lang`.
pub fn tr_dyn_in(lang: Lang, ru: &str) -> String {
    TEXTS.tr_dyn_in(lang, ru)
}

/// `ru` in the current language.
pub fn tr(ru: &'static str) -> &'static str {
    TEXTS.tr_in(current(), ru)
}

/// `ru` in `lang` (for work done after the request's scope, such as an event stream).
pub fn tr_in(lang: Lang, ru: &'static str) -> &'static str {
    TEXTS.tr_in(lang, ru)
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

/// `GET /lang?to=en` (and `return_to=/path`, else the page it was pressed on): switches the
/// language and goes back.
pub(crate) async fn switch(jar: CookieJar, headers: axum::http::HeaderMap, Query(q): Query<Switch>) -> Response {
    let c = sep_http::i18n::cookie(q.to == "en");
    let back = q.return_to.or_else(|| referer_path(&headers)).unwrap_or_else(|| "/".into());
    let back = sep_http::safe_return_to(Some(&back), "/cabinet");
    (jar.add(c), Redirect::to(&back)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `tr("…")` in the templates has an English line.
    #[test]
    fn every_translated_text_has_english() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        template_files(&root.join("templates"), &mut files);
        template_files(&root.join("../sep-http/templates"), &mut files);
        let mut missing = Vec::new();
        let mut found = 0;
        for path in files {
            // The portal's templates call `tr("…")`, the shared problem page `self.t("…")`.
            let text = std::fs::read_to_string(path).unwrap().replace("self.t(\"", "tr(\"");
            for part in text.split("tr(\"").skip(1) {
                let key = part.split("\")").next().unwrap();
                found += 1;
                if !TEXTS.has_line(key) {
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
            assert!(TEXTS.has_line(w), "no English for {w}");
        }
    }

    /// Whether `ru` has English: a line of its own or a pattern it fits.
    fn known(ru: &str) -> bool {
        TEXTS.knows(ru)
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

    fn template_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                template_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "html") {
                out.push(path);
            }
        }
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
        rust_files(&root.join("../sep-http/src"), &mut files);
        files.retain(|f| !f.ends_with("i18n.rs"));
        let core = root.join("../sep-core/src");
        for f in [
            "ident/error.rs",
            "catalogue/field.rs",
            "application/attachment.rs",
            "application/status.rs",
            "application/checks.rs",
            "application/review.rs",
            "application/error.rs",
            "application/submit.rs",
            "application/contacts.rs",
            "application/decide.rs",
            "application/thread.rs",
            "profile.rs",
            "signin.rs",
            "signature.rs",
            "document/archive.rs",
            "document/issued.rs",
            "signing/mod.rs",
            "signing/error.rs",
            "signing/cloud.rs",
            "application/statement.rs",
            "application/documents.rs",
            "registry/emulator.rs",
            "spravka/mod.rs",
            "spravka/error.rs",
            "spravka/order.rs",
            "spravka/make.rs",
            "spravka/post.rs",
            "payment/uin.rs",
            "payment/charge.rs",
            "payment/pay.rs",
            "payment/account.rs",
            "payment/bank.rs",
            "payment/confirm.rs",
            "payment/cards.rs",
            "payment/fee.rs",
            "mail/mod.rs",
            "mail/error.rs",
            "mail/counterparty.rs",
            "mail/letters.rs",
            "mail/search.rs",
            "integration/mod.rs",
            "integration/error.rs",
            "integration/client.rs",
            "integration/operation.rs",
            "application/bulk.rs",
            "integration/webhook/error.rs",
            "integration/webhook/deliver.rs",
            "passport/error.rs",
            "passport/record.rs",
            "passport/issue.rs",
            "passport/officer.rs",
            "passport/check.rs",
            "passport/protection.rs",
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
        let en = sep_http::i18n::in_lang(Lang::En, async { (tr("Помощь"), code()) }).await;
        assert_eq!(en, ("Help", "en"));
        let unknown = sep_http::i18n::in_lang(Lang::En, async { tr("Текст без перевода") }).await;
        assert_eq!(unknown, "Текст без перевода", "falls back to Russian");
    }
}
