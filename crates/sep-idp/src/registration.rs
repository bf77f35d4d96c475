//! Self-registration (SPEC I1): name, phone, e-mail and password, then the SMS code that
//! proves the phone; the account starts at the simplified level.

use crate::account::{Level, Oid};
use crate::admin::{AccountInput, AdminError, check_unique, insert, profile_of};
use crate::otp::{CodeState, OtpPolicy, Verdict};
use crate::outbox::Channel;
use crate::password::{Hasher, broken_rules};
use crate::store::{IdpStore, RegistrationTxn};
use sep_core::StoreError;
use sep_core::clock::Clock;
use sep_core::session::SessionToken;
use std::sync::Arc;
use time::Duration;

/// Why a registration step was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// A field is wrong, missing or taken; the password breaks rules.
    #[error(transparent)]
    Invalid(#[from] AdminError),
    /// The two password entries differ.
    #[error("Пароли не совпадают. Введите пароль дважды одинаково")]
    PasswordsDiffer,
    /// Too many registrations for one phone.
    #[error("Слишком много попыток регистрации с этим номером. Повторите через 15 минут")]
    TooMany,
    /// Unknown, finished or too old.
    #[error("Время на регистрацию истекло. Заполните форму заново")]
    Expired,
    /// Not six digits.
    #[error("Введите 6 цифр кода из SMS")]
    CodeFormat,
    /// Wrong code.
    #[error("Неверный код. Осталось попыток: {0}")]
    CodeWrong(u32),
    /// Expired, spent or out of tries.
    #[error("Код больше не действует. Заполните форму заново")]
    CodeVoid,
    /// Storage, hashing or randomness failed.
    #[error("Внутренняя ошибка. Повторите попытку позже")]
    Internal(String),
}

impl RegistrationError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(AdminError::Invalid { error, .. }) => error.code(),
            Self::Invalid(AdminError::Missing(_)) => "field_missing",
            Self::Invalid(AdminError::WeakPassword(_)) => "password_rules",
            Self::Invalid(AdminError::Taken(_)) => "identifier_taken",
            Self::Invalid(_) => "internal_error",
            Self::PasswordsDiffer => "password_mismatch",
            Self::TooMany => "registration_limit",
            Self::Expired => "registration_expired",
            Self::CodeFormat => "otp_format",
            Self::CodeWrong(_) => "otp_wrong",
            Self::CodeVoid => "otp_void",
            Self::Internal(_) => "internal_error",
        }
    }
}

impl From<StoreError> for RegistrationError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.to_string())
    }
}

/// The registration service.
#[derive(Clone)]
pub struct RegistrationService {
    store: Arc<dyn IdpStore>,
    outbox: crate::mail::Outbox,
    clock: Arc<dyn Clock>,
    hasher: Hasher,
    otp: OtpPolicy,
}

impl RegistrationService {
    /// A service sharing the login's hasher.
    pub fn new(store: Arc<dyn IdpStore>, outbox: crate::mail::Outbox, clock: Arc<dyn Clock>, hasher: Hasher) -> Self {
        Self { store, outbox, clock, hasher, otp: OtpPolicy::default() }
    }

    /// Checks the form and sends the SMS code.
    pub async fn start(&self, input: &AccountInput, repeat: &str) -> Result<SessionToken, RegistrationError> {
        let now = self.clock.now();
        let profile = profile_of(input)?;
        let broken = broken_rules(&input.password);
        if !broken.is_empty() {
            return Err(AdminError::WeakPassword(broken).into());
        }
        if input.password != repeat {
            return Err(RegistrationError::PasswordsDiffer);
        }
        check_unique(self.store.as_ref(), &profile).await?;
        let phone = profile.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default();
        if self.store.count_registrations(&phone, now - Duration::minutes(15)).await? >= 3 {
            return Err(RegistrationError::TooMany);
        }
        let hash = self.hasher.hash(&input.password).await.map_err(|e| RegistrationError::Internal(e.to_string()))?;
        let token = SessionToken::generate().map_err(|e| RegistrationError::Internal(e.to_string()))?;
        let code = crate::otp::generate().map_err(|e| RegistrationError::Internal(e.to_string()))?;
        let data = serde_json::json!({
            "last_name": profile.last_name,
            "first_name": profile.first_name,
            "middle_name": profile.middle_name,
            "phone": phone,
            "email": profile.email.as_ref().map(|e| e.as_str().to_owned()),
        });
        let txn = RegistrationTxn {
            hash: token.hash(),
            data,
            password_hash: hash,
            phone: phone.clone(),
            created_at: now,
            expires_at: now + Duration::minutes(15),
            code: CodeState::new(&token.hash().0, &code, now, self.otp),
            completed_at: None,
        };
        self.store.insert_registration(&txn).await?;
        let text = format!("Код для подтверждения регистрации на Госуслугах: {code}. Никому не сообщайте код");
        self.outbox.send(Channel::Sms, &phone, "", &text, now).await?;
        Ok(token)
    }

    /// Whether the registration behind the cookie is open; returns where the code went.
    pub async fn pending(&self, token: &SessionToken) -> Result<Option<String>, RegistrationError> {
        let now = self.clock.now();
        let r = self.store.find_registration(&token.hash()).await?;
        Ok(r.filter(|r| r.completed_at.is_none() && now < r.expires_at).map(|r| r.phone))
    }

    /// Checks the code and creates the account.
    pub async fn confirm(&self, token: &SessionToken, code: &str) -> Result<Oid, RegistrationError> {
        let now = self.clock.now();
        let mut txn = self.store.find_registration(&token.hash()).await?.ok_or(RegistrationError::Expired)?;
        if txn.completed_at.is_some() || now >= txn.expires_at {
            return Err(RegistrationError::Expired);
        }
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegistrationError::CodeFormat);
        }
        let (verdict, next) = txn.code.check(&txn.hash.0, &code, now);
        txn.code = next;
        if verdict == Verdict::Accepted {
            txn.completed_at = Some(now);
        }
        self.store.update_registration(&txn).await?;
        match verdict {
            Verdict::Accepted => {}
            Verdict::Wrong { tries_left } => return Err(RegistrationError::CodeWrong(tries_left)),
            _ => return Err(RegistrationError::CodeVoid),
        }
        let text = |k: &str| txn.data[k].as_str().map(str::to_owned);
        let input = AccountInput {
            phone: txn.phone.clone(),
            email: text("email"),
            last_name: text("last_name").unwrap_or_default(),
            first_name: text("first_name").unwrap_or_default(),
            middle_name: text("middle_name"),
            ..AccountInput::default()
        };
        let profile = profile_of(&input)?;
        Ok(insert(self.store.as_ref(), profile, txn.password_hash.clone(), Level::Simplified, now).await?)
    }
}
