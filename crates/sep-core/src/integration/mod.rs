//! The integration API's people's side (SPEC X1, seed 004 «Интеграция с другими сервисами»):
//! a person issues a **personal access token** in the cabinet («Токены доступа») — shown once,
//! stored only as its SHA-256, with the scopes chosen in words and a limited lifetime,
//! revocable, its last use shown — and their own software calls `/api/v1` with it, reaching
//! exactly what the person reaches through the pages, within the token's scopes.

pub mod client;
pub mod delegation;
pub mod error;
pub mod idempotency;
pub mod oauth;
pub mod operation;
pub mod store;
pub mod tokens;
pub mod webhook;

pub use error::TokenError;

/// What a token lets a program do, in the person's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Read the person's applications, their statuses and history.
    ApplicationsRead,
    /// Create, change, send and withdraw the person's applications.
    ApplicationsWrite,
    /// Read «Мои документы» and download the files.
    DocumentsRead,
    /// Subscribe the program to events (webhooks) and manage the subscriptions.
    WebhooksManage,
    /// Read the person's orders of справки and download the ready ones.
    SpravkiRead,
    /// Order справки for the person.
    SpravkiOrder,
    /// Read the person's charges and payments.
    PaymentsRead,
    /// Read the person's mailbox.
    MailRead,
    /// Send messages from the person's mailbox.
    MailSend,
    /// Work the officer's agency's queue: read, take, decide.
    AgencyReview,
    /// Check e-passports' codes online (a bank, an employer): the verdict and what the code says.
    PassportsVerify,
}

impl Scope {
    /// Every scope, in the order the form lists them.
    pub const ALL: [Self; 11] = [
        Self::ApplicationsRead,
        Self::ApplicationsWrite,
        Self::DocumentsRead,
        Self::WebhooksManage,
        Self::SpravkiRead,
        Self::SpravkiOrder,
        Self::PaymentsRead,
        Self::MailRead,
        Self::MailSend,
        Self::AgencyReview,
        Self::PassportsVerify,
    ];

    /// The scope's code, as OAuth 2.0 writes scopes.
    pub const fn code(self) -> &'static str {
        match self {
            Self::ApplicationsRead => "applications:read",
            Self::ApplicationsWrite => "applications:write",
            Self::DocumentsRead => "documents:read",
            Self::WebhooksManage => "webhooks:manage",
            Self::SpravkiRead => "spravki:read",
            Self::SpravkiOrder => "spravki:order",
            Self::PaymentsRead => "payments:read",
            Self::MailRead => "mail:read",
            Self::MailSend => "mail:send",
            Self::AgencyReview => "agency:review",
            Self::PassportsVerify => "passports:verify",
        }
    }

    /// Whether what it allows reaches other people (an agency receiving an application, a
    /// letter or an order, an officer's decision): a client in test mode may not use it.
    pub const fn reaches_others(self) -> bool {
        matches!(self, Self::ApplicationsWrite | Self::MailSend | Self::SpravkiOrder | Self::AgencyReview)
    }

    /// The scope with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What it allows, as the person reads it.
    pub const fn words(self) -> &'static str {
        match self {
            Self::ApplicationsRead => "Читать ваши заявления, их статусы и историю",
            Self::ApplicationsWrite => "Создавать, заполнять, отправлять и отзывать ваши заявления",
            Self::DocumentsRead => "Читать «Мои документы» и скачивать файлы",
            Self::WebhooksManage => "Получать уведомления о событиях (webhooks) и управлять подписками",
            Self::SpravkiRead => "Видеть ваши заказы справок и скачивать готовые справки",
            Self::SpravkiOrder => "Заказывать справки от вашего имени",
            Self::PaymentsRead => "Видеть ваши начисления и платежи",
            Self::MailRead => "Читать ваш электронный ящик",
            Self::MailSend => "Отправлять сообщения из вашего электронного ящика",
            Self::AgencyReview => "Рассматривать заявления вашего ведомства (для сотрудников ведомств)",
            Self::PassportsVerify => "Проверять QR-коды электронных паспортов (для банков и работодателей)",
        }
    }
}
