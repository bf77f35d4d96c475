//! Kinds of справка as data (SPEC S1): a TOML file per kind — built in from
//! `crates/sep-core/spravki/`, more from `spravki_dir` — checked at load, so a new kind needs
//! no code as long as it reads a registry the portal knows ([`super::records::REGISTRIES`]).

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Who may order a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Who {
    /// A person for themselves.
    Person,
    /// A sole proprietor (the person must be one in ЕГРИП).
    Ip,
    /// An organisation (its head, until organisation roles exist).
    Org,
}

/// An identifier the справка prints of its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Identifier {
    /// СНИЛС.
    Snils,
    /// ИНН.
    Inn,
}

/// One kind of справка.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    /// Stable code (`income`), part of addresses and stored orders.
    pub code: String,
    /// Russian name, as printed.
    pub title: String,
    /// What it says, for the ordering page.
    pub description: String,
    /// The issuing agency; its system key signs the справка.
    pub agency: String,
    /// The registry it reads (`fns.income`).
    pub registry: String,
    /// Who may order it.
    pub who: Vec<Who>,
    /// The holder's identifiers it prints.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Takes a period of at most this many days; no period when absent.
    #[serde(default)]
    pub max_period_days: Option<u32>,
    /// Days it is valid from its issue.
    pub valid_days: u32,
    /// English of this file's texts, Russian → English.
    #[serde(default)]
    pub en: BTreeMap<String, String>,
}

/// A kinds file that failed its checks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct KindError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub problem: String,
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Kind {
    /// Parses and checks one kind file.
    pub fn parse(file: &str, text: &str) -> Result<Self, KindError> {
        let err = |problem: String| KindError { file: file.to_owned(), problem };
        let k: Self = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if !is_code(&k.code) {
            return Err(err(format!("code {:?}: only a–z, 0–9 and _", k.code)));
        }
        if k.title.trim().is_empty() || k.agency.trim().is_empty() || k.description.trim().is_empty() {
            return Err(err("title, description and agency must not be empty".into()));
        }
        if !super::records::REGISTRIES.contains(&k.registry.as_str()) {
            return Err(err(format!(
                "registry {:?} is not one the portal reads ({})",
                k.registry,
                super::records::REGISTRIES.join(", ")
            )));
        }
        if k.who.is_empty() {
            return Err(err("who: name at least one of person, ip, org".into()));
        }
        if k.valid_days == 0 || k.valid_days > 3660 {
            return Err(err("valid_days: 1 to 3660".into()));
        }
        if k.max_period_days.is_some_and(|d| d == 0 || d > 3660) {
            return Err(err("max_period_days: 1 to 3660".into()));
        }
        if let Some(t) = k.texts().into_iter().find(|t| !k.en.contains_key(*t)) {
            return Err(err(format!("[en]: no English for {t:?}")));
        }
        Ok(k)
    }

    /// Every text a person reads: title, description, agency.
    pub fn texts(&self) -> Vec<&str> {
        vec![self.title.as_str(), self.description.as_str(), self.agency.as_str()]
    }

    /// Whether it takes a period.
    pub fn has_period(&self) -> bool {
        self.max_period_days.is_some()
    }
}

const BUILTIN: [(&str, &str); 8] = [
    ("spravki/income.toml", include_str!("../../spravki/income.toml")),
    ("spravki/pension.toml", include_str!("../../spravki/pension.toml")),
    ("spravki/registration.toml", include_str!("../../spravki/registration.toml")),
    ("spravki/tax.toml", include_str!("../../spravki/tax.toml")),
    ("spravki/support.toml", include_str!("../../spravki/support.toml")),
    ("spravki/oms.toml", include_str!("../../spravki/oms.toml")),
    ("spravki/debts.toml", include_str!("../../spravki/debts.toml")),
    ("spravki/powers.toml", include_str!("../../spravki/powers.toml")),
];

/// Every kind the portal issues.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kinds {
    kinds: Vec<Kind>,
}

impl Kinds {
    /// The built-in kinds and every `*.toml` in `extra`; a file that fails its checks stops
    /// the load with its name and the problem.
    pub fn load(extra: Option<&Path>) -> Result<Self, KindError> {
        let mut kinds = Vec::new();
        for (file, text) in BUILTIN {
            kinds.push(Kind::parse(file, text)?);
        }
        if let Some(dir) = extra {
            let io = |e: std::io::Error| KindError { file: dir.display().to_string(), problem: e.to_string() };
            for (file, text) in crate::catalogue::toml_files(dir).map_err(io)? {
                kinds.push(Kind::parse(&file, &text)?);
            }
        }
        let mut seen = HashSet::new();
        if let Some(k) = kinds.iter().find(|k| !seen.insert(k.code.clone())) {
            return Err(KindError { file: k.code.clone(), problem: "two kinds have this code".into() });
        }
        Ok(Self { kinds })
    }

    /// Every kind, in load order.
    pub fn all(&self) -> &[Kind] {
        &self.kinds
    }

    /// A kind by code.
    pub fn get(&self, code: &str) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eight_kinds_of_s1_load_with_their_english() {
        let kinds = Kinds::load(None).unwrap();
        let codes: Vec<_> = kinds.all().iter().map(|k| k.code.as_str()).collect();
        assert_eq!(
            codes,
            ["income", "pension", "registration", "tax_status", "social_support", "oms", "debts", "powers"]
        );
        assert!(kinds.get("income").unwrap().has_period());
        assert!(!kinds.get("oms").unwrap().has_period());
    }

    #[test]
    fn a_kind_file_is_checked_at_load() {
        let good = include_str!("../../spravki/oms.toml");
        let unknown_registry = good.replace("foms.policy", "foms.everything");
        assert!(Kind::parse("x", &unknown_registry).unwrap_err().problem.contains("not one the portal reads"));
        let no_english = good.replace("\"Федеральный фонд ОМС\" = ", "\"Другое\" = ");
        assert!(Kind::parse("x", &no_english).unwrap_err().problem.contains("no English"));
        let bad_code = good.replace("code = \"oms\"", "code = \"OMS\"");
        assert!(Kind::parse("x", &bad_code).unwrap_err().problem.contains("only a–z"));
        let nobody = good.replace("who = [\"person\"]", "who = []");
        assert!(Kind::parse("x", &nobody).is_err());
        let forever = good.replace("valid_days = 30", "valid_days = 0");
        assert!(Kind::parse("x", &forever).is_err());
        let stray = format!("colour = \"red\"\n{good}");
        assert!(Kind::parse("x", &stray).is_err());
    }

    #[test]
    fn more_kinds_come_from_a_directory_without_code() {
        let dir = tempdir();
        let extra = include_str!("../../spravki/oms.toml").replace("code = \"oms\"", "code = \"oms_copy\"");
        std::fs::write(dir.join("copy.toml"), extra).unwrap();
        std::fs::write(dir.join("readme.txt"), "not a kind").unwrap();
        let kinds = Kinds::load(Some(&dir)).unwrap();
        assert!(kinds.get("oms_copy").is_some());
        std::fs::write(dir.join("twice.toml"), include_str!("../../spravki/oms.toml")).unwrap();
        assert!(Kinds::load(Some(&dir)).unwrap_err().problem.contains("two kinds"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempdir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("sep-kinds-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
