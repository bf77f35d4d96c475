//! Login with a password and a second factor (SPEC I2): the rules, free of HTTP.
//!
//! `start` checks the password (with lockout) and sends an SMS code bound to a new login
//! transaction; `resend` replaces the code; `verify` checks it and opens a session. Every
//! refusal is a [`LoginError`] with a stable code and a Russian message.

use crate::account::{Account, LoginId, Oid};
use crate::lockout::LockPolicy;
use crate::otp::{CodeState, OtpPolicy, Verdict};
use crate::outbox::Channel;
use crate::password::Hasher;
use crate::store::{IdpSession, IdpStore, LoginTxn};
use sep_core::StoreError;
use sep_core::clock::Clock;
use sep_core::session::SessionToken;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Why a login step was refused.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Nothing typed looks like a phone, e-mail, СНИЛС or ИНН.
    #[error("Введите телефон в формате +7 912 345-67-89, адрес почты или СНИЛС из 11 цифр")]
    IdentifierFormat,
    /// Wrong login or password (never says which).
    #[error("Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock")]
    InvalidCredentials,
    /// Locked after repeated failures (said the same way whether or not the account exists).
    #[error(
        "Вход временно заблокирован после нескольких неудачных попыток. Повторите после {until} или восстановите пароль"
    )]
    Locked {
        /// When logins are allowed again, as `ЧЧ:ММ МСК`.
        until: String,
    },
    /// The login transaction is unknown, finished or too old.
    #[error("Время на вход истекло. Войдите заново")]
    TxnExpired,
    /// The code is not six digits.
    #[error("Введите 6 цифр кода из SMS")]
    CodeFormat,
    /// Wrong code.
    #[error("Неверный код. Осталось попыток: {tries_left}")]
    CodeWrong {
        /// Tries left for this code.
        tries_left: u32,
    },
    /// The code's tries are used up.
    #[error("Код больше не действует: исчерпаны попытки ввода. Нажмите «Отправить ещё раз»")]
    CodeExhausted,
    /// The code expired or was replaced.
    #[error("Срок действия кода истёк. Нажмите «Отправить ещё раз», чтобы получить новый код")]
    CodeExpired,
    /// Wrong authenticator-app code.
    #[error("Неверный код из приложения-аутентификатора. Проверьте время на телефоне или получите код по SMS")]
    TotpWrong,
    /// The authenticator-app code was already used.
    #[error("Этот код уже использован. Дождитесь следующего кода в приложении")]
    TotpReused,
    /// Too many codes for one login.
    #[error("Слишком много запросов кода. Войдите заново через несколько минут")]
    TooManyCodes,
    /// Storage or hashing failed.
    #[error("Внутренняя ошибка. Повторите попытку позже")]
    Internal(String),
}

impl LoginError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IdentifierFormat => "login_identifier_format",
            Self::InvalidCredentials => "login_invalid_credentials",
            Self::Locked { .. } => "login_locked",
            Self::TxnExpired => "login_expired",
            Self::CodeFormat => "otp_format",
            Self::CodeWrong { .. } => "otp_wrong",
            Self::CodeExhausted => "otp_tries_exhausted",
            Self::CodeExpired => "otp_expired",
            Self::TotpWrong => "totp_wrong",
            Self::TotpReused => "totp_reused",
            Self::TooManyCodes => "otp_resend_limit",
            Self::Internal(_) => "internal_error",
        }
    }
}

impl From<StoreError> for LoginError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<crate::password::HashError> for LoginError {
    fn from(e: crate::password::HashError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<getrandom::Error> for LoginError {
    fn from(e: getrandom::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

/// The client, as far as the login needs to know it.
#[derive(Debug, Clone, Default)]
pub struct ClientCtx {
    /// Address.
    pub ip: String,
    /// Browser.
    pub user_agent: String,
    /// The long-lived device cookie, if the browser has one.
    pub device: Option<String>,
}

/// Timeouts and limits.
#[derive(Debug, Clone, Copy)]
pub struct LoginConfig {
    /// Lockout.
    pub lock: LockPolicy,
    /// SMS codes.
    pub otp: OtpPolicy,
    /// How long a started login may take.
    pub txn_lifetime: Duration,
    /// How long a session at the emulator lasts.
    pub session_lifetime: Duration,
}

impl Default for LoginConfig {
    fn default() -> Self {
        Self {
            lock: LockPolicy::default(),
            otp: OtpPolicy::default(),
            txn_lifetime: Duration::minutes(10),
            session_lifetime: Duration::hours(8),
        }
    }
}

/// The second factor a login waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    /// A code sent by SMS to this (masked) phone, `+7 (***) ***-**-89`.
    Sms(String),
    /// A code from the person's authenticator app.
    Totp,
}

/// The password step succeeded.
#[derive(Debug)]
pub struct Started {
    /// For the login cookie.
    pub txn_token: SessionToken,
    /// What comes next.
    pub factor: SecondFactor,
}

/// The login is complete.
#[derive(Debug)]
pub struct Finished {
    /// For the session cookie.
    pub session_token: SessionToken,
    /// Who.
    pub oid: Oid,
    /// Where to go now.
    pub return_to: String,
    /// The device cookie to set (the same one, or a new one).
    pub device: String,
    /// Whether this device was new to the account (a notice was sent).
    pub new_device: bool,
}

/// The login service.
#[derive(Clone)]
pub struct LoginService {
    store: Arc<dyn IdpStore>,
    outbox: crate::mail::Outbox,
    clock: Arc<dyn Clock>,
    hasher: Hasher,
    config: LoginConfig,
}

fn moscow(t: OffsetDateTime) -> String {
    format!("{} МСК", sep_http::moscow::minutes(t))
}

fn masked(phone: &str) -> String {
    let tail = phone.get(phone.len().saturating_sub(2)..).unwrap_or_default();
    format!("+7 (***) ***-**-{tail}")
}

fn factor_of(txn: &LoginTxn, account: &Account) -> SecondFactor {
    if txn.code.is_none() && account.totp_secret.is_some() {
        SecondFactor::Totp
    } else {
        SecondFactor::Sms(masked(account.profile.phone.as_ref().map_or("", |p| p.as_str())))
    }
}

/// Only paths of this site: never an open redirect.
pub fn safe_return_to(path: &str) -> String {
    sep_http::safe_return_to(Some(path), "/")
}

impl LoginService {
    /// A service over `store` with the real argon2id hasher.
    pub fn new(store: Arc<dyn IdpStore>, clock: Arc<dyn Clock>, config: LoginConfig) -> Result<Self, LoginError> {
        let outbox = crate::mail::Outbox::new(store.clone(), None);
        Ok(Self { store, outbox, clock, hasher: Hasher::new()?, config })
    }

    /// The same service sending through `outbox`.
    pub fn with_outbox(mut self, outbox: crate::mail::Outbox) -> Self {
        self.outbox = outbox;
        self
    }

    /// The current time of the service's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The hasher (for account creation).
    pub fn hasher(&self) -> &Hasher {
        &self.hasher
    }

    async fn find(&self, login: &str) -> Result<(Vec<LoginId>, Option<Account>), LoginError> {
        let readings = LoginId::readings(login);
        for r in &readings {
            if let Some(a) = self.store.find_account(r).await? {
                return Ok((readings, Some(a)));
            }
        }
        Ok((readings, None))
    }

    async fn send_code(&self, txn: &mut LoginTxn, account: &Account) -> Result<(), LoginError> {
        let now = self.clock.now();
        let code = crate::otp::generate()?;
        txn.code = Some(CodeState::new(&txn.hash.0, &code, now, self.config.otp));
        txn.codes_sent += 1;
        let phone = account.profile.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default();
        let minutes = self.config.otp.lifetime.whole_minutes();
        let body =
            format!("Код подтверждения входа на Госуслуги: {code}. Действует {minutes} минут. Никому не сообщайте код");
        self.outbox.send(Channel::Sms, &phone, "", &body, now).await?;
        Ok(())
    }

    /// Step one: login and password. On success an SMS code is sent.
    pub async fn start(&self, login: &str, password: &str, return_to: &str) -> Result<Started, LoginError> {
        let now = self.clock.now();
        let (readings, account) = self.find(login).await?;
        let Some(first) = readings.first() else { return Err(LoginError::IdentifierFormat) };
        let key = account.as_ref().map_or_else(|| first.key(), |a| format!("account:{}", a.oid));
        let failures = self.store.get_failures(&key).await?;
        if failures.is_locked(now) {
            return Err(LoginError::Locked { until: moscow(failures.locked_until.unwrap_or(now)) });
        }
        let ok = self.hasher.verify(password, account.as_ref().map(|a| a.password_hash.as_str())).await?;
        let Some(account) = account.filter(|_| ok) else {
            let next = failures.after_failure(now, self.config.lock);
            self.store.put_failures(&key, next).await?;
            if let Some(until) = next.locked_until.filter(|_| next.is_locked(now)) {
                tracing::warn!(key_kind = key.split(':').next().unwrap_or(""), "login locked after repeated failures");
                return Err(LoginError::Locked { until: moscow(until) });
            }
            return Err(LoginError::InvalidCredentials);
        };
        self.store.delete_failures(&key).await?;
        let token = SessionToken::generate()?;
        let mut txn = LoginTxn {
            hash: token.hash(),
            oid: account.oid,
            created_at: now,
            expires_at: now + self.config.txn_lifetime,
            return_to: safe_return_to(return_to),
            code: None,
            codes_sent: 0,
            completed_at: None,
        };
        // With an authenticator app no SMS goes out unless the person asks for one.
        if account.totp_secret.is_none() {
            self.send_code(&mut txn, &account).await?;
        }
        self.store.insert_txn(&txn).await?;
        Ok(Started { txn_token: token, factor: factor_of(&txn, &account) })
    }

    async fn open_txn(&self, token: &SessionToken) -> Result<(LoginTxn, Account), LoginError> {
        let now = self.clock.now();
        let txn = self.store.find_txn(&token.hash()).await?.ok_or(LoginError::TxnExpired)?;
        if txn.completed_at.is_some() || now >= txn.expires_at {
            return Err(LoginError::TxnExpired);
        }
        let account = self.store.get_account(txn.oid).await?;
        Ok((txn, account))
    }

    /// What the open login waits for, for the code page.
    pub async fn pending(&self, token: &SessionToken) -> Result<SecondFactor, LoginError> {
        let (txn, account) = self.open_txn(token).await?;
        Ok(factor_of(&txn, &account))
    }

    /// "Отправить ещё раз" (or "Получить код по SMS" instead of the app): a new SMS code;
    /// the old one stops working.
    pub async fn resend(&self, token: &SessionToken) -> Result<SecondFactor, LoginError> {
        let (mut txn, account) = self.open_txn(token).await?;
        if txn.codes_sent >= self.config.otp.max_codes {
            return Err(LoginError::TooManyCodes);
        }
        self.send_code(&mut txn, &account).await?;
        self.store.update_txn(&txn).await?;
        Ok(factor_of(&txn, &account))
    }

    async fn verify_totp(&self, account: &Account, typed: &str, now: OffsetDateTime) -> Result<(), LoginError> {
        let secret = account.totp_secret.as_deref().ok_or(LoginError::CodeExpired)?;
        match crate::totp::matching_step(secret, typed, now) {
            Some(step) => {
                let step = i64::try_from(step).map_err(|e| LoginError::Internal(e.to_string()))?;
                if self.store.update_totp_step(account.oid, step).await? { Ok(()) } else { Err(LoginError::TotpReused) }
            }
            None => {
                // Guessing app codes counts towards the same lock as guessing passwords.
                let key = format!("account:{}", account.oid);
                let next = self.store.get_failures(&key).await?.after_failure(now, self.config.lock);
                self.store.put_failures(&key, next).await?;
                match next.locked_until.filter(|_| next.is_locked(now)) {
                    Some(until) => Err(LoginError::Locked { until: moscow(until) }),
                    None => Err(LoginError::TotpWrong),
                }
            }
        }
    }

    /// Step two: the code. On success the session is open.
    pub async fn verify(&self, token: &SessionToken, typed: &str, client: &ClientCtx) -> Result<Finished, LoginError> {
        let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LoginError::CodeFormat);
        }
        let (mut txn, account) = self.open_txn(token).await?;
        let now = self.clock.now();
        let amr = match txn.code.clone() {
            None => {
                self.verify_totp(&account, &typed, now).await?;
                txn.completed_at = Some(now);
                self.store.update_txn(&txn).await?;
                vec!["PWD".to_owned(), "OTP".to_owned()]
            }
            Some(code) => {
                let (verdict, next) = code.check(&txn.hash.0, &typed, now);
                txn.code = Some(next);
                if verdict == Verdict::Accepted {
                    txn.completed_at = Some(now);
                }
                self.store.update_txn(&txn).await?;
                match verdict {
                    Verdict::Accepted => vec!["PWD".to_owned(), "SMS".to_owned()],
                    Verdict::Wrong { tries_left } => return Err(LoginError::CodeWrong { tries_left }),
                    Verdict::Exhausted => return Err(LoginError::CodeExhausted),
                    Verdict::Expired | Verdict::Spent => return Err(LoginError::CodeExpired),
                }
            }
        };
        let session_token = SessionToken::generate()?;
        let session = IdpSession {
            hash: session_token.hash(),
            oid: account.oid,
            created_at: now,
            expires_at: now + self.config.session_lifetime,
            amr,
            ended_at: None,
        };
        self.store.insert_session(&session).await?;
        let device = match client.device.as_deref().filter(|d| d.len() == 64) {
            Some(d) => d.to_owned(),
            None => SessionToken::generate()?.expose().to_owned(),
        };
        let device_hash = crate::oidc::service::digest(&device);
        let known = self.store.remember_device(account.oid, &device_hash, &client.ip, now).await?;
        if !known {
            self.notify_new_device(&account, client, now).await?;
        }
        Ok(Finished { session_token, oid: account.oid, return_to: txn.return_to, device, new_device: !known })
    }

    async fn notify_new_device(
        &self,
        account: &Account,
        client: &ClientCtx,
        now: OffsetDateTime,
    ) -> Result<(), LoginError> {
        let agent: String = client.user_agent.chars().take(120).collect();
        let text = format!(
            "Выполнен вход в учётную запись Госуслуг с нового устройства: {agent}, IP {ip}, {at}. Если это были не вы, \
             смените пароль и обратитесь в поддержку",
            ip = client.ip,
            at = moscow(now)
        );
        if let Some(phone) = &account.profile.phone {
            self.outbox.send(Channel::Sms, phone.as_str(), "", &text, now).await?;
        }
        if let Some(email) = &account.profile.email {
            self.outbox.send(Channel::Email, email.as_str(), "Вход с нового устройства", &text, now).await?;
        }
        Ok(())
    }

    /// The open session behind a cookie, if any.
    pub async fn session(&self, token: &SessionToken) -> Result<Option<(IdpSession, Account)>, LoginError> {
        let now = self.clock.now();
        let Some(s) = self.store.find_session(&token.hash()).await? else { return Ok(None) };
        if s.ended_at.is_some() || now >= s.expires_at {
            return Ok(None);
        }
        let account = self.store.get_account(s.oid).await?;
        Ok(Some((s, account)))
    }

    /// Logout.
    pub async fn logout(&self, token: &SessionToken) -> Result<(), LoginError> {
        self.store.end_session(&token.hash(), self.clock.now()).await?;
        Ok(())
    }
}
