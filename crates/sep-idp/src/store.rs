//! The emulator's storage ports.

use crate::account::{Account, LoginId, Membership, Oid, Organisation};
use crate::lockout::Failures;
use crate::otp::CodeState;
use crate::outbox::{Channel, Message};
use async_trait::async_trait;
use sep_core::StoreError;
use sep_core::session::SessionHash;
use sep_core::user::Profile;
use time::OffsetDateTime;

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Id; `None` takes the next free one.
    pub oid: Option<Oid>,
    /// Personal data; the phone is required.
    pub profile: Profile,
    /// Level.
    pub level: crate::account::Level,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

/// A login in progress: the password was right, the second factor is awaited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginTxn {
    /// Hash of the token in the person's cookie.
    pub hash: SessionHash,
    /// Whose login.
    pub oid: Oid,
    /// Start.
    pub created_at: OffsetDateTime,
    /// The transaction ends then, whatever happens.
    pub expires_at: OffsetDateTime,
    /// Where to go after the login (an internal path).
    pub return_to: String,
    /// The current SMS code.
    pub code: Option<CodeState>,
    /// Codes sent so far.
    pub codes_sent: u32,
    /// Set when the second factor succeeded.
    pub completed_at: Option<OffsetDateTime>,
}

/// A signed-in browser at the emulator (single sign-on for later authorisations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpSession {
    /// Hash of the cookie token.
    pub hash: SessionHash,
    /// Whose.
    pub oid: Oid,
    /// Login time.
    pub created_at: OffsetDateTime,
    /// Ends then.
    pub expires_at: OffsetDateTime,
    /// Authentication methods, ЕСИА-style (`PWD`, `SMS`, `TOTP`).
    pub amr: Vec<String>,
    /// Ended by logout.
    pub ended_at: Option<OffsetDateTime>,
}

/// Accounts and organisations.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account; `Conflict` when the phone, e-mail, СНИЛС or ИНН is taken.
    async fn insert_account(&self, a: &NewAccount) -> StoreResult<Oid>;
    /// An account by id.
    async fn get_account(&self, oid: Oid) -> StoreResult<Account>;
    /// The account with this phone, e-mail, СНИЛС or ИНН.
    async fn find_account(&self, id: &LoginId) -> StoreResult<Option<Account>>;
    /// Replaces the password hash.
    async fn update_password(&self, oid: Oid, hash: &str) -> StoreResult<()>;
    /// Enables (with a base32 secret) or disables authenticator-app codes.
    async fn update_totp_secret(&self, oid: Oid, secret: Option<&str>) -> StoreResult<()>;
    /// Records that the code of time step `step` was used; `false` if that step or a later
    /// one was already used (each code works once).
    async fn update_totp_step(&self, oid: Oid, step: i64) -> StoreResult<bool>;
    /// Creates an organisation; `Conflict` when the ИНН is taken.
    async fn insert_org(&self, org: &Organisation) -> StoreResult<()>;
    /// An organisation by ИНН.
    async fn find_org_by_inn(&self, inn: &str) -> StoreResult<Option<Organisation>>;
    /// Adds an employee.
    async fn insert_membership(&self, m: &Membership) -> StoreResult<()>;
    /// An account's organisations.
    async fn list_memberships(&self, oid: Oid) -> StoreResult<Vec<(Membership, Organisation)>>;
}

/// Login state: failure counters, transactions, sessions, known devices.
#[async_trait]
pub trait LoginStore: Send + Sync {
    /// The failure counter under `key` (zero when none).
    async fn get_failures(&self, key: &str) -> StoreResult<Failures>;
    /// Stores the counter.
    async fn put_failures(&self, key: &str, f: Failures) -> StoreResult<()>;
    /// Forgets the counter (after a success or a recovery).
    async fn delete_failures(&self, key: &str) -> StoreResult<()>;
    /// Stores a new login transaction.
    async fn insert_txn(&self, t: &LoginTxn) -> StoreResult<()>;
    /// A transaction by hash.
    async fn find_txn(&self, hash: &SessionHash) -> StoreResult<Option<LoginTxn>>;
    /// Replaces the transaction's code state, count and completion.
    async fn update_txn(&self, t: &LoginTxn) -> StoreResult<()>;
    /// Stores a session.
    async fn insert_session(&self, s: &IdpSession) -> StoreResult<()>;
    /// A session by hash.
    async fn find_session(&self, hash: &SessionHash) -> StoreResult<Option<IdpSession>>;
    /// Ends a session.
    async fn end_session(&self, hash: &SessionHash, at: OffsetDateTime) -> StoreResult<()>;
    /// Whether the account has signed in from this device before; remembers it if not.
    async fn remember_device(&self, oid: Oid, device_hash: &str, ip: &str, at: OffsetDateTime) -> StoreResult<bool>;
}

/// The outbox.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Stores a sent message.
    async fn insert_message(
        &self,
        channel: Channel,
        recipient: &str,
        subject: &str,
        body: &str,
        at: OffsetDateTime,
    ) -> StoreResult<i64>;
    /// Newest first.
    async fn list_messages(&self, limit: u32) -> StoreResult<Vec<Message>>;
}

/// A password recovery in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryTxn {
    /// Hash of the token in the cookie.
    pub hash: SessionHash,
    /// The account, or `None` when the typed identifier matched nobody.
    pub oid: Option<Oid>,
    /// Where the code went.
    pub channel: Channel,
    /// Start.
    pub created_at: OffsetDateTime,
    /// End.
    pub expires_at: OffsetDateTime,
    /// The code.
    pub code: CodeState,
    /// Set when the password was changed.
    pub completed_at: Option<OffsetDateTime>,
}

/// Password recovery state.
#[async_trait]
pub trait RecoveryStore: Send + Sync {
    /// Stores a recovery.
    async fn insert_recovery(&self, r: &RecoveryTxn) -> StoreResult<()>;
    /// A recovery by hash.
    async fn find_recovery(&self, hash: &SessionHash) -> StoreResult<Option<RecoveryTxn>>;
    /// Updates the code state and completion.
    async fn update_recovery(&self, r: &RecoveryTxn) -> StoreResult<()>;
    /// How many recoveries the account started after `since` (a limit against SMS flooding).
    async fn count_recoveries(&self, oid: Oid, since: OffsetDateTime) -> StoreResult<u32>;
    /// Ends every session of the account (after a password change).
    async fn end_sessions_of(&self, oid: Oid, at: OffsetDateTime) -> StoreResult<u64>;
}

/// A self-registration waiting for its SMS code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationTxn {
    /// Hash of the cookie token.
    pub hash: SessionHash,
    /// The typed fields (JSON object of strings).
    pub data: serde_json::Value,
    /// Argon2id hash of the chosen password.
    pub password_hash: String,
    /// The phone the code went to.
    pub phone: String,
    /// Start.
    pub created_at: OffsetDateTime,
    /// End.
    pub expires_at: OffsetDateTime,
    /// The code.
    pub code: CodeState,
    /// Set when the account was created.
    pub completed_at: Option<OffsetDateTime>,
}

/// Self-registration state.
#[async_trait]
pub trait RegistrationStore: Send + Sync {
    /// Stores a registration.
    async fn insert_registration(&self, r: &RegistrationTxn) -> StoreResult<()>;
    /// A registration by hash.
    async fn find_registration(&self, hash: &SessionHash) -> StoreResult<Option<RegistrationTxn>>;
    /// Updates the code state and completion.
    async fn update_registration(&self, r: &RegistrationTxn) -> StoreResult<()>;
    /// Registrations started for `phone` after `since` (a limit against SMS flooding).
    async fn count_registrations(&self, phone: &str, since: OffsetDateTime) -> StoreResult<u32>;
}

/// Everything the emulator stores.
pub trait IdpStore:
    AccountStore + LoginStore + OutboxStore + RecoveryStore + RegistrationStore + crate::oidc::store::OidcStore
{
}

impl<T> IdpStore for T where
    T: AccountStore + LoginStore + OutboxStore + RecoveryStore + RegistrationStore + crate::oidc::store::OidcStore
{
}
