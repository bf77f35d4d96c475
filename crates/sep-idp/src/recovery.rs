//! "Забыли пароль?" (SPEC I3): a code to the account's phone or e-mail, then a new password.
//! A recovery also lifts a lockout. The pages say the same whether or not an account has the
//! typed identifier.

use crate::account::{Account, LoginId};
use crate::otp::{CodeState, OtpPolicy, Verdict};
use crate::outbox::Channel;
use crate::password::{Hasher, Rule, broken_rules};
use crate::store::{IdpStore, RecoveryTxn};
use sep_core::StoreError;
use sep_core::clock::Clock;
use sep_core::session::SessionToken;
use std::sync::Arc;
use time::Duration;

/// Why a recovery step was refused.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// Nothing typed looks like a phone, e-mail, СНИЛС or ИНН.
    #[error("Введите телефон в формате +7 912 345-67-89, адрес почты или СНИЛС из 11 цифр")]
    IdentifierFormat,
    /// Too many recoveries for one account.
    #[error("Слишком много запросов на восстановление. Повторите через 15 минут")]
    TooMany,
    /// Unknown, finished or too old.
    #[error("Время на восстановление истекло. Начните заново")]
    Expired,
    /// The code is not six digits.
    #[error("Введите 6 цифр кода")]
    CodeFormat,
    /// Wrong code.
    #[error("Неверный код. Осталось попыток: {0}")]
    CodeWrong(u32),
    /// Out of tries, expired or spent.
    #[error("Код больше не действует. Начните восстановление заново")]
    CodeVoid,
    /// The new password breaks rules; each is named.
    #[error("Пароль должен содержать: {}", .0.iter().map(|r| r.text()).collect::<Vec<_>>().join(", "))]
    WeakPassword(Vec<Rule>),
    /// The two entries differ.
    #[error("Пароли не совпадают. Введите новый пароль дважды одинаково")]
    PasswordsDiffer,
    /// Storage, hashing or randomness failed.
    #[error("Внутренняя ошибка. Повторите попытку позже")]
    Internal(String),
}

impl RecoveryError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IdentifierFormat => "login_identifier_format",
            Self::TooMany => "recovery_limit",
            Self::Expired => "recovery_expired",
            Self::CodeFormat => "otp_format",
            Self::CodeWrong(_) => "otp_wrong",
            Self::CodeVoid => "otp_void",
            Self::WeakPassword(_) => "password_rules",
            Self::PasswordsDiffer => "password_mismatch",
            Self::Internal(_) => "internal_error",
        }
    }
}

impl From<StoreError> for RecoveryError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.to_string())
    }
}

/// The recovery service.
#[derive(Clone)]
pub struct RecoveryService {
    store: Arc<dyn IdpStore>,
    outbox: crate::mail::Outbox,
    clock: Arc<dyn Clock>,
    hasher: Hasher,
    otp: OtpPolicy,
}

/// Recoveries one account may start per 15 minutes.
const PER_WINDOW: u32 = 3;

impl RecoveryService {
    /// A service sharing the login's hasher.
    pub fn new(store: Arc<dyn IdpStore>, outbox: crate::mail::Outbox, clock: Arc<dyn Clock>, hasher: Hasher) -> Self {
        Self { store, outbox, clock, hasher, otp: OtpPolicy::default() }
    }

    /// Starts a recovery; the code goes by SMS, or by e-mail when an address was typed.
    pub async fn start(&self, login: &str) -> Result<SessionToken, RecoveryError> {
        let now = self.clock.now();
        let readings = LoginId::readings(login);
        let Some(first) = readings.first() else { return Err(RecoveryError::IdentifierFormat) };
        let channel = if matches!(first, LoginId::Email(_)) { Channel::Email } else { Channel::Sms };
        let mut account: Option<Account> = None;
        for r in &readings {
            if let Some(a) = self.store.find_account(r).await? {
                account = Some(a);
                break;
            }
        }
        if let Some(a) = &account
            && self.store.count_recoveries(a.oid, now - Duration::minutes(15)).await? >= PER_WINDOW
        {
            return Err(RecoveryError::TooMany);
        }
        let token = SessionToken::generate().map_err(|e| RecoveryError::Internal(e.to_string()))?;
        let code = crate::otp::generate().map_err(|e| RecoveryError::Internal(e.to_string()))?;
        let txn = RecoveryTxn {
            hash: token.hash(),
            oid: account.as_ref().map(|a| a.oid),
            channel,
            created_at: now,
            expires_at: now + Duration::minutes(15),
            code: CodeState::new(&token.hash().0, &code, now, self.otp),
            completed_at: None,
        };
        self.store.insert_recovery(&txn).await?;
        if let Some(a) = &account {
            let text = format!("Код для восстановления пароля на Госуслугах: {code}. Никому не сообщайте код");
            let to = match channel {
                Channel::Email => a.profile.email.as_ref().map(|e| e.as_str().to_owned()),
                Channel::Sms => a.profile.phone.as_ref().map(|p| p.as_str().to_owned()),
            };
            if let Some(to) = to {
                self.outbox.send(channel, &to, "Восстановление пароля", &text, now).await?;
            }
        }
        Ok(token)
    }

    /// Whether the recovery behind the cookie is still open.
    pub async fn is_open(&self, token: &SessionToken) -> Result<bool, RecoveryError> {
        let now = self.clock.now();
        Ok(self
            .store
            .find_recovery(&token.hash())
            .await?
            .is_some_and(|r| r.completed_at.is_none() && now < r.expires_at))
    }

    /// Checks the code and sets the new password; unlocks the account and ends its sessions.
    pub async fn complete(
        &self,
        token: &SessionToken,
        code: &str,
        password: &str,
        repeat: &str,
    ) -> Result<(), RecoveryError> {
        let now = self.clock.now();
        let mut txn = self.store.find_recovery(&token.hash()).await?.ok_or(RecoveryError::Expired)?;
        if txn.completed_at.is_some() || now >= txn.expires_at {
            return Err(RecoveryError::Expired);
        }
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RecoveryError::CodeFormat);
        }
        // Password mistakes do not cost a code try.
        let broken = broken_rules(password);
        if !broken.is_empty() {
            return Err(RecoveryError::WeakPassword(broken));
        }
        if password != repeat {
            return Err(RecoveryError::PasswordsDiffer);
        }
        let (verdict, next) = txn.code.check(&txn.hash.0, &code, now);
        txn.code = next;
        let accepted = verdict == Verdict::Accepted && txn.oid.is_some();
        if accepted {
            txn.completed_at = Some(now);
        }
        self.store.update_recovery(&txn).await?;
        match (verdict, txn.oid) {
            (Verdict::Accepted, Some(oid)) => {
                let hash = self.hasher.hash(password).await.map_err(|e| RecoveryError::Internal(e.to_string()))?;
                self.store.update_password(oid, &hash).await?;
                self.store.delete_failures(&format!("account:{oid}")).await?;
                let ended = self.store.end_sessions_of(oid, now).await?;
                tracing::info!(ended_sessions = ended, "password recovered");
                let account = self.store.get_account(oid).await?;
                let text =
                    "Пароль от вашей учётной записи Госуслуг изменён. Если это были не вы, обратитесь в поддержку";
                if let Some(p) = &account.profile.phone {
                    self.outbox.send(Channel::Sms, p.as_str(), "", text, now).await?;
                }
                Ok(())
            }
            (Verdict::Wrong { tries_left }, _) => Err(RecoveryError::CodeWrong(tries_left)),
            // A right guess for an unknown identifier cannot happen: its code was never sent.
            (Verdict::Accepted, None) => Err(RecoveryError::CodeWrong(txn.code.tries_left)),
            _ => Err(RecoveryError::CodeVoid),
        }
    }
}
