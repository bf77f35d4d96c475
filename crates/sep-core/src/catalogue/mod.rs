//! The service catalogue (SPEC A1): every service is a TOML file — title, agency, applicant
//! types, form sections and fields, required documents, norm time in working days — checked
//! when loaded, so adding a service needs no code change. `services/` holds the built-in
//! ones; an administrator adds more in a directory given in the configuration.

pub mod fee;
pub mod field;

use field::Field;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Who may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplicantType {
    /// Физическое лицо.
    Person,
    /// Индивидуальный предприниматель.
    Ip,
    /// Юридическое лицо.
    Org,
}

impl ApplicantType {
    /// Russian name.
    pub fn title(self) -> &'static str {
        match self {
            Self::Person => "Физическое лицо",
            Self::Ip => "Индивидуальный предприниматель",
            Self::Org => "Юридическое лицо",
        }
    }
}

/// An accepted file format, recognised by content when uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// PDF.
    Pdf,
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
}

impl Format {
    /// Its name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
        }
    }
}

/// A group of fields shown together.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Who sees it.
    pub applicants: Vec<ApplicantType>,
    /// Fields.
    pub fields: Vec<Field>,
}

/// A document to attach.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Code, unique in the service.
    pub code: String,
    /// Name.
    pub title: String,
    /// Who must attach it.
    pub applicants: Vec<ApplicantType>,
    /// Accepted formats.
    pub formats: Vec<Format>,
    /// Size limit in MB (5 when not given).
    #[serde(default = "default_max_mb")]
    pub max_mb: u32,
    /// A portrait photograph: besides its format, checked to be 3:4 and at least
    /// 600×800 pixels ([`crate::application::attachment::check_photo`]).
    #[serde(default)]
    pub photo: bool,
    /// Biometric data (a photo, fingerprints): of the agency's officers only the one in charge
    /// of the application opens it ([`crate::application::access::may_open`]).
    #[serde(default)]
    pub biometric: bool,
}

fn default_max_mb() -> u32 {
    5
}

/// A service.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Code (`[a-z0-9_]`), unique in the catalogue; part of its address.
    pub code: String,
    /// Title.
    pub title: String,
    /// What the service is.
    pub description: String,
    /// Responsible agency.
    pub agency: String,
    /// Who may apply.
    pub applicants: Vec<ApplicantType>,
    /// Extra words for search.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Norm time in working days per applicant type.
    pub norm_days: BTreeMap<ApplicantType, u32>,
    /// Form.
    pub sections: Vec<Section>,
    /// Documents.
    #[serde(default)]
    pub documents: Vec<Document>,
    /// Check the sent application against the ФНС, СФР and МВД registries (SPEC R7).
    #[serde(default)]
    pub registry_checks: bool,
    /// Applicant types whose applications, once the checks pass, are approved and completed
    /// without an officer; the others wait in the agency's queue.
    #[serde(default)]
    pub auto_complete: Vec<ApplicantType>,
    /// Completing the service makes the applicant a registered СЭП user («Услуга активирована»).
    #[serde(default)]
    pub activates_account: bool,
    /// Whether the applicant signs the application (its data and the hashes of its files)
    /// with an electronic signature before sending it (SPEC A2): `signature = "required"`.
    #[serde(default)]
    pub signature: SignatureRule,
    /// Reasons an officer may give when rejecting or asking for more data.
    #[serde(default)]
    pub reasons: Vec<ReasonDef>,
    /// What completing the service issues besides its status: `result = "e_passport"` makes
    /// a record in the registry of e-passports (SPEC EP1).
    #[serde(default)]
    pub result: ServiceResult,
    /// Only people registered in СЭП («Регистрация в СЭП» completed) may apply.
    #[serde(default)]
    pub registered_only: bool,
    /// Sending is confirmed by a code sent by SMS to the applicant's phone (seed 004).
    #[serde(default)]
    pub confirm_by_sms: bool,
    /// The state fee paid before the application is sent, if the service has one.
    #[serde(default)]
    pub fee: Option<fee::FeeDef>,
    /// The English of this file's texts, Russian → English (the `[en]` table); a text without
    /// one is shown in Russian.
    #[serde(default)]
    pub en: BTreeMap<String, String>,
}

impl Service {
    /// Every text of the service a person reads: title, description, agency, sections,
    /// labels, hints, documents and reasons.
    pub fn texts(&self) -> Vec<&str> {
        let mut out = vec![self.title.as_str(), self.description.as_str(), self.agency.as_str()];
        for s in &self.sections {
            out.push(&s.title);
            for f in &s.fields {
                out.push(&f.label);
                out.extend(f.hint.as_deref());
            }
        }
        out.extend(self.documents.iter().map(|d| d.title.as_str()));
        out.extend(self.reasons.iter().map(|r| r.text.as_str()));
        out.extend(self.fee.iter().map(|f| f.title.as_str()));
        out
    }
}

/// Whether a service asks for the applicant's signature on the application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureRule {
    /// No signature: sending is enough (the default).
    #[default]
    None,
    /// Signed before «Отправить заявление».
    Required,
}

/// What a completed service issues besides its status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceResult {
    /// Nothing more (the officer may attach a result document).
    #[default]
    Status,
    /// A record in the registry of e-passports, made from the form's fields and the photo.
    EPassport,
}

/// The fields a service issuing an e-passport must have (the record is made from them).
pub const E_PASSPORT_FIELDS: [&str; 8] = [
    "last_name",
    "first_name",
    "birth_date",
    "birth_place",
    "inn",
    "passport_series",
    "passport_number",
    "citizenship",
];

/// A reason an officer may give, with its stable code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonDef {
    /// Stable code (`[a-z0-9_]`).
    pub code: String,
    /// What is wrong and what to do, shown to the applicant.
    pub text: String,
}

/// A service file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct CatalogueError {
    /// The file.
    pub file: String,
    /// What is wrong, and where in it.
    pub problem: String,
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Service {
    /// Parses and checks one service file.
    pub fn parse(file: &str, text: &str) -> Result<Self, CatalogueError> {
        let err = |problem: String| CatalogueError { file: file.to_owned(), problem };
        let s: Self = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if !is_code(&s.code) {
            return Err(err(format!("code {:?}: only a–z, 0–9 and _", s.code)));
        }
        if s.title.trim().is_empty() || s.agency.trim().is_empty() {
            return Err(err("title and agency must not be empty".into()));
        }
        if s.applicants.is_empty() {
            return Err(err("applicants: name at least one of person, ip, org".into()));
        }
        for a in &s.applicants {
            if !s.norm_days.contains_key(a) {
                return Err(err(format!("norm_days: no norm time for {a:?}")));
            }
            if !s.sections.iter().any(|sec| sec.applicants.contains(a)) {
                return Err(err(format!("sections: no section for {a:?}")));
            }
        }
        let mut names = HashSet::new();
        for (i, sec) in s.sections.iter().enumerate() {
            if let Some(a) = sec.applicants.iter().find(|a| !s.applicants.contains(a)) {
                return Err(err(format!("sections[{i}] «{}»: {a:?} may not apply for this service", sec.title)));
            }
            for f in &sec.fields {
                if !is_code(&f.name) {
                    return Err(err(format!("sections[{i}]: field name {:?}: only a–z, 0–9 and _", f.name)));
                }
                if !names.insert(f.name.as_str()) {
                    return Err(err(format!("sections[{i}]: field {:?} appears twice", f.name)));
                }
                if f.label.trim().is_empty() {
                    return Err(err(format!("sections[{i}]: field {:?} has no label", f.name)));
                }
            }
        }
        if let Some(a) = s.auto_complete.iter().find(|a| !s.applicants.contains(a)) {
            return Err(err(format!("auto_complete: {a:?} may not apply for this service")));
        }
        let mut codes = HashSet::new();
        for r in &s.reasons {
            if !is_code(&r.code) || !codes.insert(r.code.as_str()) || r.text.trim().is_empty() {
                return Err(err(format!("reasons: code {:?} is malformed, repeated or has no text", r.code)));
            }
        }
        if let Some(problem) = s.fee.as_ref().and_then(|f| f.problem(&s.applicants)) {
            return Err(err(problem));
        }
        let mut docs = HashSet::new();
        for d in &s.documents {
            if !is_code(&d.code) || !docs.insert(d.code.as_str()) {
                return Err(err(format!("documents: code {:?} is malformed or repeated", d.code)));
            }
            if d.formats.is_empty() || d.max_mb == 0 || d.max_mb > 100 {
                return Err(err(format!("documents: {:?} needs formats and a size limit of 1–100 MB", d.code)));
            }
        }
        if s.result == ServiceResult::EPassport {
            if s.applicants != [ApplicantType::Person] {
                return Err(err("result = \"e_passport\": only applicants = [\"person\"]".into()));
            }
            let named: HashSet<&str> = s.sections.iter().flat_map(|x| &x.fields).map(|f| f.name.as_str()).collect();
            if let Some(f) = E_PASSPORT_FIELDS.iter().find(|f| !named.contains(**f)) {
                return Err(err(format!("result = \"e_passport\": the form needs the field {f:?}")));
            }
            if !s.documents.iter().any(|d| d.photo) {
                return Err(err("result = \"e_passport\": a document with photo = true is needed".into()));
            }
        }
        if let Some(d) = s.documents.iter().find(|d| d.photo && d.formats.contains(&Format::Pdf)) {
            return Err(err(format!("documents: {:?} is a photo: formats jpeg and png only", d.code)));
        }
        Ok(s)
    }

    /// The fields an applicant type fills in, in order.
    pub fn fields_for(&self, who: ApplicantType) -> impl Iterator<Item = &Field> {
        self.sections.iter().filter(move |s| s.applicants.contains(&who)).flat_map(|s| s.fields.iter())
    }

    fn matches(&self, words: &[String]) -> bool {
        let hay =
            format!("{} {} {} {}", self.title, self.description, self.agency, self.keywords.join(" ")).to_lowercase();
        words.iter().all(|w| hay.contains(w))
    }
}

/// Every service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    services: Vec<Service>,
}

/// Every `*.toml` in `dir` with its text, by name: more services, kinds of справка and the
/// like added without code.
pub fn toml_files(dir: &Path) -> std::io::Result<Vec<(String, String)>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files.into_iter().map(|p| Ok((p.display().to_string(), std::fs::read_to_string(&p)?))).collect()
}

const BUILTIN: [(&str, &str); 3] = [
    ("services/registration.toml", include_str!("../../services/registration.toml")),
    ("services/participant_extract.toml", include_str!("../../services/participant_extract.toml")),
    ("services/e_passport.toml", include_str!("../../services/e_passport.toml")),
];

impl Catalogue {
    /// The built-in services, and every `*.toml` in `extra` when given. A file that fails
    /// its checks stops the load with its name and the problem.
    pub fn load(extra: Option<&Path>) -> Result<Self, CatalogueError> {
        let mut services = Vec::new();
        for (file, text) in BUILTIN {
            services.push(Service::parse(file, text)?);
        }
        if let Some(dir) = extra {
            let io = |e: std::io::Error| CatalogueError { file: dir.display().to_string(), problem: e.to_string() };
            for (file, text) in toml_files(dir).map_err(io)? {
                services.push(Service::parse(&file, &text)?);
            }
        }
        let mut seen = HashSet::new();
        for s in &services {
            if !seen.insert(s.code.clone()) {
                return Err(CatalogueError { file: s.code.clone(), problem: "two services have this code".into() });
            }
        }
        Ok(Self { services })
    }

    /// Services whose text contains every word of `query` (case-insensitive); all for an empty query.
    pub fn search(&self, query: &str) -> Vec<&Service> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        self.services.iter().filter(|s| s.matches(&words)).collect()
    }

    /// The catalogue without the services `drop` names (a service whose result this
    /// installation cannot issue is not offered).
    #[must_use]
    pub fn without(mut self, drop: impl Fn(&Service) -> bool) -> Self {
        self.services.retain(|s| !drop(s));
        self
    }

    /// A service by code.
    pub fn get(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in services come with English for every text a person reads.
    #[test]
    fn builtin_services_have_english_for_every_text() {
        let catalogue = Catalogue::load(None).unwrap();
        for service in catalogue.search("") {
            let missing: Vec<_> = service.texts().into_iter().filter(|t| !service.en.contains_key(*t)).collect();
            assert!(missing.is_empty(), "{}: no English for {missing:#?}", service.code);
        }
    }

    #[test]
    fn the_registration_service_loads_with_every_r1_field() {
        let c = Catalogue::load(None).unwrap();
        let s = c.get("registration").unwrap();
        let names = |who| s.fields_for(who).map(|f| f.name.as_str()).collect::<Vec<_>>();
        for f in
            ["last_name", "birth_date", "snils", "inn", "passport_series", "passport_division_code", "phone", "email"]
        {
            assert!(names(ApplicantType::Person).contains(&f), "{f}");
        }
        assert!(names(ApplicantType::Ip).contains(&"ogrnip") && !names(ApplicantType::Person).contains(&"ogrnip"));
        for f in ["org_inn", "org_ogrn", "org_kpp", "org_okved", "org_responsible"] {
            assert!(names(ApplicantType::Org).contains(&f), "{f}");
        }
        assert_eq!(s.norm_days[&ApplicantType::Person], 5);
        assert_eq!(s.documents.iter().find(|d| d.code == "charter").unwrap().max_mb, 10);
        assert_eq!(s.documents.iter().find(|d| d.code == "passport_scan").unwrap().max_mb, 5, "5 MB by default");
    }

    #[test]
    fn search_finds_by_any_text() {
        let c = Catalogue::load(None).unwrap();
        assert_eq!(c.search("").len(), 3);
        assert_eq!(c.search("электронный паспорт").len(), 1);
        assert_eq!(c.search("РЕГИСТРАЦИЯ").len(), 1);
        assert_eq!(c.search("реестрам ФНС").len(), 1);
        assert!(c.search("паспорт гражданина за рубежом").is_empty());
    }

    fn minimal(extra: &str) -> String {
        format!(
            "code = \"x\"\ntitle = \"X\"\ndescription = \"d\"\nagency = \"A\"\napplicants = [\"person\"]\n{extra}\n[norm_days]\nperson = 3\n\n[[sections]]\ntitle = \"S\"\napplicants = [\"person\"]\nfields = [{{ name = \"a\", label = \"A\", kind = \"text\" }}]\n"
        )
    }

    #[test]
    fn a_service_issuing_e_passports_is_checked_for_what_the_record_needs() {
        let text = include_str!("../../services/e_passport.toml");
        let s = Service::parse("e_passport.toml", text).unwrap();
        assert_eq!(s.result, ServiceResult::EPassport);
        assert!(s.registered_only);
        assert!(s.documents.iter().any(|d| d.photo && d.max_mb == 5));
        let no_inn = text.replace("name = \"inn\"", "name = \"tax_number\"");
        assert!(Service::parse("x.toml", &no_inn).unwrap_err().problem.contains("\"inn\""));
        let no_photo = text.replace("photo = true", "");
        assert!(Service::parse("x.toml", &no_photo).unwrap_err().problem.contains("photo = true"));
        let orgs = text
            .replace("applicants = [\"person\"]", "applicants = [\"person\", \"org\"]")
            .replace("person = 10", "person = 10\norg = 10");
        assert!(Service::parse("x.toml", &orgs).unwrap_err().problem.contains("only applicants"));
        let pdf_photo =
            text.replacen("formats = [\"jpeg\", \"png\"]\nmax_mb = 5", "formats = [\"pdf\"]\nmax_mb = 5", 1);
        assert!(Service::parse("x.toml", &pdf_photo).unwrap_err().problem.contains("jpeg and png only"));
    }

    #[test]
    fn mistakes_are_named_with_the_file() {
        assert!(Service::parse("x.toml", &minimal("")).is_ok());
        let e = Service::parse("x.toml", &minimal("colour = \"red\"")).unwrap_err();
        assert!(e.to_string().starts_with("x.toml: ") && e.problem.contains("colour"), "{e}");
        let bad_kind = minimal("").replace("kind = \"text\"", "kind = \"telepathy\"");
        assert!(Service::parse("x.toml", &bad_kind).unwrap_err().problem.contains("telepathy"));
        let no_norm = minimal("").replace("person = 3", "");
        assert!(Service::parse("x.toml", &no_norm).unwrap_err().problem.contains("norm_days"));
        let twice = minimal("").replace("fields = [{ name = \"a\", label = \"A\", kind = \"text\" }]", "fields = [{ name = \"a\", label = \"A\", kind = \"text\" }, { name = \"a\", label = \"B\", kind = \"date\" }]");
        assert!(Service::parse("x.toml", &twice).unwrap_err().problem.contains("twice"));
    }

    #[test]
    fn a_fee_is_fixed_or_by_applicant_type_and_checked() {
        let c = Catalogue::load(None).unwrap();
        let fee = c.get("participant_extract").and_then(|s| s.fee.clone()).unwrap();
        assert_eq!(fee.amount_for(ApplicantType::Person), Some(crate::money::Kopecks(20_000)));
        assert_eq!(fee.amount_for(ApplicantType::Org), Some(crate::money::Kopecks(40_000)));
        assert!(fee.refund_on_reject);
        assert!(c.get("registration").unwrap().fee.is_none(), "registration is free");
        let with = |fee: &str| Service::parse("x.toml", &format!("{}\n[fee]\n{fee}", minimal("")));
        let good = "title = \"Пошлина\"\namount = 35000\nkbk = \"18210807100011000110\"\noktmo = \"45380000\"\nadministrator = \"182\"\npayee = { name = \"УФК\", inn = \"7727406020\", kpp = \"770801001\", account = \"03100643000000018500\", bank = \"ГУ Банка России\", bic = \"004525988\", corr_account = \"40102810545370000003\" }";
        let s = with(good).unwrap();
        assert_eq!(s.fee.unwrap().amount_for(ApplicantType::Person), Some(crate::money::Kopecks(35_000)));
        for (bad, named) in [
            (good.replace("amount = 35000", "amount = 0"), "kopecks above zero"),
            (good.replace("amount = 35000\n", ""), "amount or by_applicant"),
            (good.replace("18210807100011000110", "1821080710001100011"), "kbk"),
            (good.replace("\"004525988\"", "\"0045259\""), "payee.bic"),
            (good.replace("amount = 35000", "amount = 35000\nby_applicant = { org = 100 }"), "may not apply"),
        ] {
            assert!(with(&bad).unwrap_err().problem.contains(named), "{named}");
        }
    }

    #[test]
    fn a_directory_adds_services_without_code() {
        let dir = std::env::temp_dir().join(format!("sep-catalogue-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("income.toml"),
            minimal("")
                .replace("code = \"x\"", "code = \"income_certificate\"")
                .replace("title = \"X\"", "title = \"Справка о доходах\""),
        )
        .unwrap();
        let c = Catalogue::load(Some(&dir)).unwrap();
        assert!(c.get("income_certificate").is_some());
        assert_eq!(c.search("справка").len(), 1);
        std::fs::write(dir.join("clash.toml"), minimal("").replace("code = \"x\"", "code = \"registration\"")).unwrap();
        assert!(Catalogue::load(Some(&dir)).unwrap_err().problem.contains("two services"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
