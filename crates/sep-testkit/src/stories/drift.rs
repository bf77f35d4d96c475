//! A cheap guard against the two store backends drifting apart: every method of every trait
//! that makes up `sep_core::store::Store` must be called by some conformance story, and every
//! story must be registered to run (the stories run on SQLite and on PostgreSQL, so a method
//! they call is checked on both). The check reads the sources: the trait list from `Store`'s
//! bounds in `sep-core/src/store.rs`, each trait's methods wherever in `sep-core/src` it is
//! declared, the calls (`.method(`) in `src/stories/*.rs`, the registrations under `tests/`.
//! It proves a call exists, not that its outcomes are asserted: that is the stories' part.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Methods deliberately left to other tests, each with the reason. Empty today: add a story
/// rather than a line here.
const EXEMPT: &[(&str, &str, &str)] = &[];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, sorted, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

/// The text without its comment lines (doc comments may mention methods or hold braces).
fn code(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The names after `Store:` up to its body: the traits that make up the store.
fn store_traits(store_rs: &str) -> Vec<String> {
    let code = code(store_rs);
    let start = code.find("pub trait Store:").expect("store.rs declares `pub trait Store:`") + "pub trait Store:".len();
    let bounds = &code[start..start + code[start..].find('{').unwrap()];
    bounds.split('+').map(|b| b.trim().to_owned()).filter(|b| !b.is_empty()).collect()
}

/// The methods declared in the body of `pub trait name` in `text`, if it is declared there.
fn trait_methods(text: &str, name: &str) -> Option<Vec<String>> {
    let code = code(text);
    let head = format!("pub trait {name}");
    let at = code
        .match_indices(&head)
        .map(|(i, _)| i + head.len())
        .find(|&i| code[i..].starts_with(|c: char| c == ':' || c == '{' || c == '<' || c.is_whitespace()))?;
    let open = at + code[at..].find('{')?;
    let (mut depth, mut methods) = (0_usize, Vec::new());
    for line in code[open..].lines() {
        if depth == 1 {
            let l = line.trim_start();
            let l = l.strip_prefix("async ").unwrap_or(l);
            if let Some(rest) = l.strip_prefix("fn ") {
                methods.push(rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next()?.to_owned());
            }
        }
        for c in line.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
        }
        if depth == 0 {
            return Some(methods);
        }
    }
    None
}

/// The test database's own methods (`db.backend()` is not `Health::backend`).
fn testdb_methods(db_rs: &str) -> Vec<String> {
    code(db_rs)
        .lines()
        .filter_map(|l| {
            let l = l.trim_start().strip_prefix("pub ")?;
            let l = l.strip_prefix("async ").unwrap_or(l).strip_prefix("fn ")?;
            l.split('(').next().map(str::to_owned)
        })
        .collect()
}

#[test]
fn every_store_method_is_called_by_a_registered_story() {
    let root = crates_dir();
    let core = sources(&root.join("sep-core/src"));
    let store_rs = core.iter().find(|(p, _)| p.ends_with("src/store.rs")).expect("sep-core/src/store.rs");
    let traits = store_traits(&store_rs.1);
    assert!(traits.len() >= 9, "the traits of Store: {traits:?}");

    let mut methods: BTreeSet<(String, String)> = BTreeSet::new();
    for t in &traits {
        let found: Vec<_> = core.iter().filter_map(|(p, text)| trait_methods(text, t).map(|m| (p, m))).collect();
        assert_eq!(found.len(), 1, "trait {t} must be declared once in sep-core/src: {found:?}");
        assert!(!found[0].1.is_empty(), "trait {t} has no methods?");
        for m in &found[0].1 {
            methods.insert((t.clone(), m.clone()));
        }
    }

    let here = root.join("sep-testkit/src/stories");
    let stories: Vec<_> = sources(&here).into_iter().filter(|(p, _)| !p.ends_with("drift.rs")).collect();
    let mut calls = stories.iter().map(|(_, t)| code(t)).collect::<Vec<_>>().join("\n");
    let db_rs = std::fs::read_to_string(root.join("sep-testkit/src/db.rs")).unwrap();
    for m in testdb_methods(&db_rs) {
        calls = calls.replace(&format!("db.{m}("), "db.(");
    }
    let called = |m: &str| calls.contains(&format!(".{m}(")) || calls.contains(&format!("::{m}("));

    let exempt = |t: &str, m: &str| EXEMPT.iter().any(|(et, em, _)| *et == t && *em == m);
    let uncovered: Vec<String> =
        methods.iter().filter(|(t, m)| !called(m) && !exempt(t, m)).map(|(t, m)| format!("{t}::{m}")).collect();
    assert!(
        uncovered.is_empty(),
        "store methods no conformance story calls, so nothing checks that SQLite and PostgreSQL agree on them: \
         {uncovered:?}. Add a story in crates/sep-testkit/src/stories (or, with a reason, a line in EXEMPT)."
    );
    for (t, m, reason) in EXEMPT {
        assert!(!reason.trim().is_empty(), "exemption of {t}::{m} needs a reason");
        assert!(methods.contains(&((*t).to_owned(), (*m).to_owned())), "exempt {t}::{m} is no store method");
        assert!(!called(m), "exempt {t}::{m} is called by a story now: remove the exemption");
    }

    // A story that is not registered runs nowhere and covers nothing.
    let registered =
        sources(&root.join("sep-testkit/tests")).iter().map(|(_, t)| code(t)).collect::<Vec<_>>().join("\n");
    let mut unregistered = Vec::new();
    for (path, text) in stories.iter().filter(|(p, _)| !p.ends_with("mod.rs")) {
        let module = path.file_stem().unwrap().to_string_lossy();
        for line in code(text).lines() {
            let Some(rest) = line.strip_prefix("pub async fn ") else { continue };
            let Some((name, _)) = rest.split_once("(db: &TestDb)") else { continue };
            if !registered.contains(&format!("stories::{module}::{name}")) {
                unregistered.push(format!("stories::{module}::{name}"));
            }
        }
    }
    assert!(unregistered.is_empty(), "stories not run on both backends (register them in on_both!): {unregistered:?}");
}
