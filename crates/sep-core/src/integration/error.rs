//! Why a token was not issued or a call not taken, with stable codes.

/// A refused token action or API call.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No name.
    #[error("Назовите токен: по названию вы узнаете его в списке.")]
    NameRequired,
    /// No scope chosen (or one unknown).
    #[error("Выберите, что будет разрешено программе с этим токеном.")]
    ScopesRequired,
    /// A lifetime outside what is allowed.
    #[error("Срок действия токена — от 1 до {max} дней.", max = super::tokens::MAX_DAYS)]
    LifetimeInvalid,
    /// Too many live tokens.
    #[error("У вас уже {max} действующих токенов.", max = super::tokens::MAX_LIVE)]
    TooMany,
    /// An integration kind not known.
    #[error("Такого типа внешнего сервиса нет.")]
    KindUnknown,
    /// A redirect address refused.
    #[error("Адрес возврата — https:// (или http:// на 127.0.0.1), без фрагмента; не больше пяти.")]
    RedirectInvalid,
    /// Registering needs a personal access token, not a system's.
    #[error("Интеграцию регистрирует человек своим токеном доступа.")]
    PersonalTokenRequired,
    /// A client in test mode doing what would reach other people.
    #[error(
        "Система в тестовом режиме: до одобрения администратором она читает свои данные и подписывается на события, но ничего не отправляет."
    )]
    TestMode,
    /// No such token of this person.
    #[error("Токен не найден.")]
    NotFound,
    /// A call without a token.
    #[error("Запрос без токена доступа.")]
    Missing,
    /// A token that is unknown, revoked or expired.
    #[error("Токен доступа недействителен: неизвестен, отозван или истёк.")]
    Invalid,
    /// The token does not allow this.
    #[error("Токен не разрешает это действие.")]
    Scope,
    /// An `Idempotency-Key` that is not 1 to 255 visible ASCII characters.
    #[error("Idempotency-Key — от 1 до 255 видимых символов ASCII.")]
    IdempotencyKeyInvalid,
    /// The key was used for another request.
    #[error("Этот Idempotency-Key уже использован для другого запроса.")]
    IdempotencyKeyReused,
    /// The first request with this key has not been answered.
    #[error("Запрос с этим Idempotency-Key ещё выполняется или прерван.")]
    IdempotencyInProgress,
    /// The system's random source failed.
    #[error("Не удалось создать токен.")]
    RandomUnavailable,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl TokenError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NameRequired => "token_name_required",
            Self::ScopesRequired => "token_scopes_required",
            Self::LifetimeInvalid => "token_lifetime_invalid",
            Self::TooMany => "token_limit",
            Self::KindUnknown => "integration_kind_unknown",
            Self::TestMode => "api_test_mode",
            Self::RedirectInvalid => "integration_redirect_invalid",
            Self::PersonalTokenRequired => "integration_personal_token_required",
            Self::NotFound => "token_not_found",
            Self::Missing => "api_token_missing",
            Self::Invalid => "api_token_invalid",
            Self::Scope => "api_scope_missing",
            Self::IdempotencyKeyInvalid => "api_idempotency_key_invalid",
            Self::IdempotencyKeyReused => "api_idempotency_key_reused",
            Self::IdempotencyInProgress => "api_idempotency_in_progress",
            Self::RandomUnavailable => "random_unavailable",
            Self::Store(e) => e.code(),
        }
    }

    /// What to do.
    pub fn action(&self) -> &'static str {
        match self {
            Self::NameRequired => "Напишите название, например «Бухгалтерия».",
            Self::ScopesRequired => "Отметьте хотя бы одно разрешение.",
            Self::LifetimeInvalid => "Выберите срок из списка.",
            Self::TooMany => "Отзовите ненужные токены и выпустите новый.",
            Self::KindUnknown => "Укажите kind: accounting, fns, bank, agency или other.",
            Self::TestMode => "Дождитесь одобрения системы администратором СЭП.",
            Self::RedirectInvalid => "Исправьте redirect_uris.",
            Self::PersonalTokenRequired => "Выпустите токен в личном кабинете («Токены доступа») и передайте его.",
            Self::NotFound => "Откройте токен из списка «Токены доступа».",
            Self::Missing => "Передайте токен в заголовке Authorization: Bearer <токен>.",
            Self::Invalid => "Выпустите новый токен в личном кабинете: «Токены доступа».",
            Self::Scope => "Выпустите токен с нужным разрешением.",
            Self::IdempotencyKeyInvalid => "Передайте в Idempotency-Key, например, UUID.",
            Self::IdempotencyKeyReused => "Для нового запроса возьмите новый ключ.",
            Self::IdempotencyInProgress => {
                "Подождите ответа на первый запрос; если его нет, проверьте результат чтением и повторите с новым ключом."
            }
            Self::RandomUnavailable | Self::Store(_) => "Повторите через несколько минут.",
        }
    }
}
