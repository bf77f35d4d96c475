//! Creating accounts and organisations (SPEC I7): used by the command line
//! (`sep idp account add`, `sep idp org add`) and by self-registration.

use crate::account::{Level, LoginId, Membership, Oid, Organisation};
use crate::password::{Hasher, Rule, broken_rules};
use crate::store::{IdpStore, NewAccount};
use sep_core::StoreError;
use sep_core::ident::{Email, IdError, Inn, Kpp, Ogrn, Phone, RuDate, Snils};
use sep_core::user::Profile;
use time::OffsetDateTime;

/// A new account as typed by an administrator or a person registering.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    /// Mobile phone (required).
    pub phone: String,
    /// E-mail.
    pub email: Option<String>,
    /// Password.
    pub password: String,
    /// Фамилия.
    pub last_name: String,
    /// Имя.
    pub first_name: String,
    /// Отчество.
    pub middle_name: Option<String>,
    /// Дата рождения `ДД.ММ.ГГГГ`.
    pub birth_date: Option<String>,
    /// СНИЛС.
    pub snils: Option<String>,
    /// ИНН.
    pub inn: Option<String>,
}

/// Why an account or organisation was not created.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A field is invalid.
    #[error("{field}: {error}")]
    Invalid {
        /// Which field (Russian label).
        field: &'static str,
        /// What is wrong.
        error: IdError,
    },
    /// A required field is empty.
    #[error("{0}: заполните поле")]
    Missing(&'static str),
    /// The password breaks rules; each is named.
    #[error("Пароль должен содержать: {}", .0.iter().map(|r| r.text()).collect::<Vec<_>>().join(", "))]
    WeakPassword(Vec<Rule>),
    /// The phone, e-mail, СНИЛС, ИНН or ОГРН is already registered.
    #[error("{0} уже используется другой учётной записью")]
    Taken(&'static str),
    /// The employee for an organisation has no account.
    #[error("Учётная запись с телефоном {0} не найдена")]
    NoSuchAccount(String),
    /// Storage failed.
    #[error("Ошибка хранилища: {0}")]
    Store(#[from] StoreError),
}

fn field<T>(name: &'static str, v: Result<T, IdError>) -> Result<T, AdminError> {
    v.map_err(|error| AdminError::Invalid { field: name, error })
}

fn opt<T>(name: &'static str, v: Option<&str>, parse: fn(&str) -> Result<T, IdError>) -> Result<Option<T>, AdminError> {
    v.map(str::trim).filter(|s| !s.is_empty()).map(|s| field(name, parse(s))).transpose()
}

/// The profile described by `input`, every field validated (the password is not looked at).
pub fn profile_of(input: &AccountInput) -> Result<Profile, AdminError> {
    let phone = field("Телефон", Phone::parse(&input.phone))?;
    let email = opt("Электронная почта", input.email.as_deref(), Email::parse)?;
    let snils = opt("СНИЛС", input.snils.as_deref(), Snils::parse)?;
    let inn = opt("ИНН", input.inn.as_deref(), Inn::parse_person)?;
    let birth_date = opt("Дата рождения", input.birth_date.as_deref(), RuDate::parse)?;
    if input.last_name.trim().is_empty() {
        return Err(AdminError::Missing("Фамилия"));
    }
    if input.first_name.trim().is_empty() {
        return Err(AdminError::Missing("Имя"));
    }
    Ok(Profile {
        last_name: input.last_name.trim().to_owned(),
        first_name: input.first_name.trim().to_owned(),
        middle_name: input.middle_name.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
        birth_date,
        snils,
        inn,
        phone: Some(phone),
        email,
        ..Profile::default()
    })
}

/// Refuses a profile whose phone, e-mail, СНИЛС or ИНН another account has, naming which.
pub async fn check_unique(store: &dyn IdpStore, p: &Profile) -> Result<(), AdminError> {
    let checks: [(&'static str, Option<LoginId>); 4] = [
        ("Телефон", p.phone.clone().map(LoginId::Phone)),
        ("Электронная почта", p.email.clone().map(LoginId::Email)),
        ("СНИЛС", p.snils.clone().map(LoginId::Snils)),
        ("ИНН", p.inn.clone().map(LoginId::Inn)),
    ];
    for (name, id) in checks {
        if let Some(id) = id
            && store.find_account(&id).await?.is_some()
        {
            return Err(AdminError::Taken(name));
        }
    }
    Ok(())
}

/// Stores an account whose profile was validated and whose password is already hashed.
pub async fn insert(
    store: &dyn IdpStore,
    profile: Profile,
    password_hash: String,
    level: Level,
    now: OffsetDateTime,
) -> Result<Oid, AdminError> {
    check_unique(store, &profile).await?;
    let account = NewAccount { oid: None, profile, level, password_hash, created_at: now };
    match store.insert_account(&account).await {
        Err(StoreError::Conflict { .. }) => Err(AdminError::Taken("Телефон, почта, СНИЛС или ИНН")),
        other => Ok(other?),
    }
}

/// Validates `input`, hashes the password and stores the account.
pub async fn add_account(
    store: &dyn IdpStore,
    hasher: &Hasher,
    input: &AccountInput,
    level: Level,
    now: OffsetDateTime,
) -> Result<Oid, AdminError> {
    let profile = profile_of(input)?;
    let broken = broken_rules(&input.password);
    if !broken.is_empty() {
        return Err(AdminError::WeakPassword(broken));
    }
    check_unique(store, &profile).await?;
    let hash = hasher.hash(&input.password).await.map_err(|e| StoreError::Other(e.to_string()))?;
    insert(store, profile, hash, level, now).await
}

/// An organisation as typed by an administrator.
#[derive(Debug, Clone, Default)]
pub struct OrgInput {
    /// Full name.
    pub full_name: String,
    /// Short name.
    pub short_name: String,
    /// ИНН (10 digits).
    pub inn: String,
    /// ОГРН.
    pub ogrn: String,
    /// КПП.
    pub kpp: String,
    /// The head's phone (an existing account).
    pub chief_phone: String,
    /// The head's position.
    pub position: String,
}

/// Validates and stores an organisation with its head as employee and administrator.
pub async fn add_org(store: &dyn IdpStore, input: &OrgInput) -> Result<Oid, AdminError> {
    let inn = field("ИНН организации", Inn::parse_organisation(&input.inn))?;
    let ogrn = field("ОГРН", Ogrn::parse(&input.ogrn))?;
    let kpp = field("КПП", Kpp::parse(&input.kpp))?;
    if input.full_name.trim().is_empty() {
        return Err(AdminError::Missing("Полное наименование"));
    }
    let phone = field("Телефон руководителя", Phone::parse(&input.chief_phone))?;
    let chief = store
        .find_account(&LoginId::Phone(phone.clone()))
        .await?
        .ok_or_else(|| AdminError::NoSuchAccount(phone.as_str().to_owned()))?;
    if store.find_org_by_inn(inn.as_str()).await?.is_some() {
        return Err(AdminError::Taken("ИНН организации"));
    }
    // Organisation ids follow ЕСИА's style: numeric, in their own range.
    let oid = 2_000_000
        + i64::from(
            u32::from_be_bytes(sep_core::ids::random_bytes::<4>().map_err(|e| StoreError::Other(e.to_string()))?)
                % 1_000_000,
        );
    let org = Organisation {
        oid,
        full_name: input.full_name.trim().to_owned(),
        short_name: if input.short_name.trim().is_empty() {
            input.full_name.trim().to_owned()
        } else {
            input.short_name.trim().to_owned()
        },
        inn,
        ogrn,
        kpp,
    };
    match store.insert_org(&org).await {
        Err(StoreError::Conflict { .. }) => return Err(AdminError::Taken("ИНН или ОГРН организации")),
        other => other?,
    }
    let position = if input.position.trim().is_empty() {
        "Руководитель".to_owned()
    } else {
        input.position.trim().to_owned()
    };
    store
        .insert_membership(&Membership { org_oid: oid, account_oid: chief.oid, position, chief: true, admin: true })
        .await?;
    Ok(oid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::IdpSqlite;
    use crate::store::AccountStore;

    #[tokio::test]
    async fn accounts_are_validated_and_unique_and_organisations_linked() {
        let dir = tempfile::tempdir().unwrap();
        let store = IdpSqlite::open(&dir.path().join("idp.db")).unwrap();
        let h = Hasher::new().unwrap();
        let now = time::OffsetDateTime::now_utc();
        let mut input = AccountInput {
            phone: "8 900 111-22-33".into(),
            email: Some("new@example.ru".into()),
            password: "weak".into(),
            last_name: "Новиков".into(),
            first_name: "Николай".into(),
            snils: Some("112-233-445 95".into()),
            ..AccountInput::default()
        };
        let err = add_account(&store, &h, &input, Level::Simplified, now).await.unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("не менее 8 символов") && msg.contains("цифра") && msg.contains("заглавная"), "{msg}");
        input.password = "Strong-Passw0rd".into();
        input.snils = Some("112-233-445 96".into());
        assert!(matches!(
            add_account(&store, &h, &input, Level::Simplified, now).await,
            Err(AdminError::Invalid { field: "СНИЛС", .. })
        ));
        input.snils = Some("112-233-445 95".into());
        let oid = add_account(&store, &h, &input, Level::Confirmed, now).await.unwrap();
        assert!(oid > 0);
        let again = add_account(&store, &h, &input, Level::Simplified, now).await.unwrap_err();
        assert!(matches!(again, AdminError::Taken("Телефон")), "{again}");
        input.phone = "+79001112244".into();
        assert!(matches!(
            add_account(&store, &h, &input, Level::Simplified, now).await,
            Err(AdminError::Taken("Электронная почта"))
        ));

        let org = OrgInput {
            full_name: "Общество с ограниченной ответственностью «Лютик»".into(),
            inn: "7707329152".into(),
            ogrn: "1027700132195".into(),
            kpp: "770701001".into(),
            chief_phone: "+79001112233".into(),
            ..OrgInput::default()
        };
        let org_oid = add_org(&store, &org).await.unwrap();
        let m = store.list_memberships(oid).await.unwrap();
        assert_eq!((m.len(), m[0].1.oid, m[0].0.chief), (1, org_oid, true));
        assert!(matches!(add_org(&store, &org).await, Err(AdminError::Taken(_))));
        let nobody = OrgInput {
            chief_phone: "+79990000000".into(),
            inn: "7701000019".into(),
            ogrn: "1027700000019".into(),
            ..org
        };
        assert!(matches!(add_org(&store, &nobody).await, Err(AdminError::NoSuchAccount(_))));
    }
}
