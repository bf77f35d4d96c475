//! Why a subscription was refused, with stable codes.

/// A refused webhook action.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Not an `http(s)://` address, or one with a user or password in it.
    #[error("Адрес подписки — не адрес https://.")]
    UrlInvalid,
    /// The address is (or resolves to) a loopback, private or link-local one.
    #[error("Адрес подписки ведёт во внутреннюю сеть; туда события не отправляются.")]
    UrlPrivate,
    /// No event type chosen, or one unknown.
    #[error("Выберите типы событий из списка.")]
    EventsInvalid,
    /// Too many endpoints.
    #[error("У вас уже {max} подписок.", max = super::manage::MAX_ENDPOINTS)]
    TooMany,
    /// No such endpoint (or message) of this person.
    #[error("Подписка не найдена.")]
    NotFound,
    /// A replay of a message still being delivered.
    #[error("Сообщение ещё доставляется.")]
    StillPending,
    /// The system's random source failed.
    #[error("Не удалось создать секрет подписки.")]
    RandomUnavailable,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl WebhookError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UrlInvalid => "webhook_url_invalid",
            Self::UrlPrivate => "webhook_url_private",
            Self::EventsInvalid => "webhook_events_invalid",
            Self::TooMany => "webhook_limit",
            Self::NotFound => "webhook_not_found",
            Self::StillPending => "webhook_message_pending",
            Self::RandomUnavailable => "random_unavailable",
            Self::Store(e) => e.code(),
        }
    }

    /// What to do.
    pub fn action(&self) -> &'static str {
        match self {
            Self::UrlInvalid => "Укажите адрес вида https://example.ru/hooks, без имени и пароля.",
            Self::UrlPrivate => "Укажите адрес, доступный из интернета.",
            Self::EventsInvalid => "Возьмите типы событий из описания API.",
            Self::TooMany => "Удалите ненужные подписки и добавьте новую.",
            Self::NotFound => "Возьмите идентификатор из списка подписок.",
            Self::StillPending => "Дождитесь конца попыток доставки или их исчерпания.",
            Self::RandomUnavailable | Self::Store(_) => "Повторите через несколько минут.",
        }
    }
}
