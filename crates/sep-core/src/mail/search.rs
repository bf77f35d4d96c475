//! Full-text search of the mailbox in Russian, with the same results on SQLite and PostgreSQL
//! (../shared/facts/search.md): the text is analysed here — NFC, lower case, ё→е, split on
//! anything not a letter or digit, tokens over 200 bytes dropped, Snowball stems (Russian for
//! Cyrillic, English for Latin, numbers as they are) — and each engine indexes the resulting
//! plain terms (FTS5 `unicode61`; `to_tsvector('simple', …)` with GIN). A query is parsed into
//! words, "phrases", `-exclusions` and `prefix*`, analysed the same way, and rendered for each
//! engine from terms that hold only letters and digits: raw input never reaches `MATCH` or
//! `to_tsquery`. No stop words: «не» matters.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// Longest query accepted, in characters.
pub const MAX_QUERY: usize = 500;
/// Longest token kept, in bytes.
const MAX_TOKEN: usize = 200;

fn tokens(text: &str) -> Vec<String> {
    let folded: String = text.nfc().collect::<String>().to_lowercase().replace('ё', "е");
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN)
        .map(str::to_owned)
        .collect()
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// One token's term: its stem (Russian or English by its letters), or the token as it is when
/// it holds digits or other scripts.
fn stem(token: &str, ru: &Stemmer, en: &Stemmer) -> String {
    if token.chars().any(|c| c.is_numeric()) {
        token.to_owned()
    } else if token.chars().all(is_cyrillic) {
        ru.stem(token).into_owned()
    } else if token.chars().all(|c| c.is_ascii_alphabetic()) {
        en.stem(token).into_owned()
    } else {
        token.to_owned()
    }
}

fn stemmers() -> (Stemmer, Stemmer) {
    (Stemmer::create(Algorithm::Russian), Stemmer::create(Algorithm::English))
}

/// The terms of `text` as both engines index them, space-separated, in order.
pub fn analyse(text: &str) -> String {
    let (ru, en) = stemmers();
    tokens(text).iter().map(|t| stem(t, &ru, &en)).collect::<Vec<_>>().join(" ")
}

/// One part of a query, its terms analysed (letters and digits only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A word: this term somewhere.
    Word(String),
    /// "A phrase": these terms in a row.
    Phrase(Vec<String>),
    /// `prefix*`: a term beginning so (lower-cased and ё-folded, not stemmed).
    Prefix(String),
    /// `-word` or `-"a phrase"`: not this.
    Not(Box<Clause>),
}

/// A parsed query: every clause must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query(pub Vec<Clause>);

/// Why a query was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing to look for: only punctuation, or only exclusions.
    #[error("В запросе нет слов для поиска.")]
    Empty,
    /// Longer than [`MAX_QUERY`].
    #[error("Запрос длиннее {MAX_QUERY} символов.")]
    TooLong,
}

impl QueryError {
    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Empty => "search_query_empty",
            Self::TooLong => "search_query_too_long",
        }
    }
}

/// Parses what a person typed: words, "phrases", `-exclusions`, `prefix*`.
pub fn parse(typed: &str) -> Result<Query, QueryError> {
    if typed.chars().count() > MAX_QUERY {
        return Err(QueryError::TooLong);
    }
    let (ru, en) = stemmers();
    let mut clauses = Vec::new();
    let mut rest = typed.trim();
    while !rest.is_empty() {
        let negated = rest.starts_with('-');
        let body = if negated { &rest[1..] } else { rest };
        let (clause, next) = if let Some(inner) = body.strip_prefix('"') {
            let end = inner.find('"').unwrap_or(inner.len());
            let words: Vec<String> = tokens(&inner[..end]).iter().map(|t| stem(t, &ru, &en)).collect();
            let next = inner.get(end + 1..).unwrap_or("");
            let clause = match words.len() {
                0 => None,
                1 => words.into_iter().next().map(Clause::Word),
                _ => Some(Clause::Phrase(words)),
            };
            (clause, next)
        } else {
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            let word = &body[..end];
            let toks = tokens(word);
            let clause = if word.ends_with('*') && toks.len() == 1 {
                toks.into_iter().next().map(Clause::Prefix)
            } else {
                let stems: Vec<String> = toks.iter().map(|t| stem(t, &ru, &en)).collect();
                match stems.len() {
                    0 => None,
                    1 => stems.into_iter().next().map(Clause::Word),
                    // «3-НДФЛ» is one word typed, two terms in a row.
                    _ => Some(Clause::Phrase(stems)),
                }
            };
            (clause, &body[end..])
        };
        if let Some(c) = clause {
            clauses.push(if negated { Clause::Not(Box::new(c)) } else { c });
        }
        rest = next.trim_start();
    }
    if !clauses.iter().any(|c| !matches!(c, Clause::Not(_))) {
        return Err(QueryError::Empty);
    }
    Ok(Query(clauses))
}

impl Query {
    /// The FTS5 `MATCH` expression: quoted terms, phrases and prefixes, `NOT` for exclusions
    /// (after the positive clauses, as FTS5's binary `NOT` needs).
    pub fn fts5(&self) -> String {
        fn one(c: &Clause) -> String {
            match c {
                Clause::Word(w) => format!("\"{w}\""),
                Clause::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
                Clause::Prefix(p) => format!("\"{p}\"*"),
                Clause::Not(inner) => one(inner),
            }
        }
        let positive: Vec<String> = self.0.iter().filter(|c| !matches!(c, Clause::Not(_))).map(one).collect();
        let mut out = positive.join(" AND ");
        for c in self.0.iter().filter(|c| matches!(c, Clause::Not(_))) {
            out.push_str(" NOT ");
            out.push_str(&one(c));
        }
        out
    }

    /// The `to_tsquery('simple', …)` expression.
    pub fn tsquery(&self) -> String {
        fn one(c: &Clause) -> String {
            match c {
                Clause::Word(w) => format!("'{w}'"),
                Clause::Phrase(ws) => {
                    format!("({})", ws.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" <-> "))
                }
                Clause::Prefix(p) => format!("'{p}':*"),
                Clause::Not(inner) => format!("!{}", one(inner)),
            }
        }
        self.0.iter().map(one).collect::<Vec<_>>().join(" & ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms_of_a_word_meet_in_one_term() {
        assert_eq!(analyse("декларацию"), analyse("Декларация"));
        assert_eq!(analyse("ЗАЯВЛЕНИЯ"), analyse("заявление"));
        assert_eq!(analyse("ёлка"), analyse("елка"), "ё is е");
        assert_eq!(analyse("Не одобрено, 3-НДФЛ; reports"), "не одобр 3 ндфл report");
        assert_eq!(analyse(&format!("{} ok", "я".repeat(101))), "ok", "a token over 200 bytes is dropped");
        // NFC: й typed as и + combining breve is й.
        assert_eq!(analyse("и\u{306}од"), analyse("йод"));
    }

    #[test]
    fn queries_parse_into_clauses() {
        let q = parse("декларацию \"акт сверки\" -черновик деклар* 3-НДФЛ").unwrap();
        assert_eq!(
            q.0,
            vec![
                Clause::Word("декларац".into()),
                Clause::Phrase(vec!["акт".into(), "сверк".into()]),
                Clause::Not(Box::new(Clause::Word("черновик".into()))),
                Clause::Prefix("деклар".into()),
                Clause::Phrase(vec!["3".into(), "ндфл".into()]),
            ]
        );
        assert_eq!(q.fts5(), "\"декларац\" AND \"акт сверк\" AND \"деклар\"* AND \"3 ндфл\" NOT \"черновик\"");
        assert_eq!(q.tsquery(), "'декларац' & ('акт' <-> 'сверк') & !'черновик' & 'деклар':* & ('3' <-> 'ндфл')");
        assert_eq!(parse("?!…,,"), Err(QueryError::Empty));
        assert_eq!(parse("-только -исключения"), Err(QueryError::Empty));
        assert_eq!(parse(&"а".repeat(5000)), Err(QueryError::TooLong));
        assert_eq!(
            parse("\"незакрытая кавычка").unwrap().0,
            vec![Clause::Phrase(vec!["незакрыт".into(), "кавычк".into()])]
        );
    }

    proptest! {
        /// Whatever is typed, the rendered query holds only terms, quotes and operators: no
        /// input reaches the engines as syntax.
        #[test]
        fn rendered_queries_hold_only_terms_and_operators(typed in "\\PC{0,80}") {
            if let Ok(q) = parse(&typed) {
                let safe = |s: &str, extra: &str| s.chars().all(|c| c.is_alphanumeric() || c == ' ' || extra.contains(c));
                prop_assert!(safe(&q.fts5(), "\"*"), "{}", q.fts5());
                prop_assert!(safe(&q.tsquery(), "'()<->&!:*"), "{}", q.tsquery());
            }
        }
    }
}
