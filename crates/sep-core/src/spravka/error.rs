//! What can go wrong ordering a справка, each with a stable code.

use crate::StoreError;

/// One problem of the order form; several may come at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// No such kind.
    #[error("Такой справки нет в перечне.")]
    KindUnknown,
    /// The person may not order this kind.
    #[error("Эту справку нельзя заказать от вашего имени.")]
    KindNotAllowed,
    /// The kind takes a period and none was given.
    #[error("Укажите период: начало и конец.")]
    PeriodRequired,
    /// A date of the period is not `ДД.ММ.ГГГГ` or not in the calendar.
    #[error("Дата периода указана неверно: нужна дата в формате ДД.ММ.ГГГГ.")]
    PeriodInvalid,
    /// The period ends after today.
    #[error("Период не может заканчиваться в будущем.")]
    PeriodFuture,
    /// The period starts after it ends.
    #[error("Начало периода позже его конца.")]
    PeriodReversed,
    /// The period is longer than the kind allows.
    #[error("Период длиннее, чем допускает эта справка.")]
    PeriodTooLong,
    /// Purpose longer than 500 characters.
    #[error("Назначение справки длиннее 500 символов.")]
    PurposeTooLong,
    /// Postal delivery without an address.
    #[error("Для доставки почтой укажите адрес.")]
    PostAddressMissing,
    /// A postal address longer than 500 characters.
    #[error("Почтовый адрес длиннее 500 символов.")]
    PostAddressTooLong,
    /// E-mail delivery without a confirmed address.
    #[error("Для отправки по электронной почте нужен подтверждённый адрес.")]
    EmailUnconfirmed,
    /// The kind is not issued to organisations.
    #[error("Эту справку нельзя заказать для организации.")]
    KindNotForOrg,
    /// Госуслуги did not say the person works for this organisation.
    #[error("По данным Госуслуг вы не работаете в этой организации.")]
    OrgUnknown,
    /// The person works for the organisation but is not its head.
    #[error("Заказать справку для организации может только её руководитель.")]
    OrgNotHead,
}

impl OrderError {
    /// Every problem, for the help page's table of codes.
    pub const ALL: [Self; 14] = [
        Self::KindUnknown,
        Self::KindNotAllowed,
        Self::PeriodRequired,
        Self::PeriodInvalid,
        Self::PeriodFuture,
        Self::PeriodReversed,
        Self::PeriodTooLong,
        Self::PurposeTooLong,
        Self::PostAddressMissing,
        Self::PostAddressTooLong,
        Self::EmailUnconfirmed,
        Self::KindNotForOrg,
        Self::OrgUnknown,
        Self::OrgNotHead,
    ];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::KindUnknown => "spravka_kind_unknown",
            Self::KindNotAllowed => "spravka_kind_not_allowed",
            Self::PeriodRequired => "period_required",
            Self::PeriodInvalid => "period_invalid",
            Self::PeriodFuture => "period_future",
            Self::PeriodReversed => "period_reversed",
            Self::PeriodTooLong => "period_too_long",
            Self::PurposeTooLong => "purpose_too_long",
            Self::PostAddressMissing => "post_address_missing",
            Self::PostAddressTooLong => "post_address_too_long",
            Self::EmailUnconfirmed => "email_unconfirmed",
            Self::KindNotForOrg => "spravka_kind_not_for_org",
            Self::OrgUnknown => "spravka_org_unknown",
            Self::OrgNotHead => "spravka_org_not_head",
        }
    }

    /// What to do about it.
    pub const fn action(self) -> &'static str {
        match self {
            Self::KindUnknown => "Выберите справку из перечня на странице «Справки».",
            Self::KindNotAllowed => {
                "Эта справка выдаётся организациям: выберите организацию в поле «Для кого» или закажите другую справку."
            }
            Self::PeriodRequired | Self::PeriodInvalid => "Укажите начало и конец периода в формате ДД.ММ.ГГГГ.",
            Self::PeriodFuture => "Укажите период, который заканчивается не позже сегодняшнего дня.",
            Self::PeriodReversed => "Поменяйте даты местами: начало должно быть раньше конца.",
            Self::PeriodTooLong => "Сократите период или закажите несколько справок за части периода.",
            Self::PurposeTooLong => "Сократите текст назначения.",
            Self::PostAddressMissing => "Укажите почтовый адрес с индексом или снимите отметку доставки почтой.",
            Self::PostAddressTooLong => "Сократите адрес: индекс, город, улица, дом, квартира.",
            Self::EmailUnconfirmed => {
                "Подтвердите адрес электронной почты в разделе «Личные данные» или снимите отметку отправки по почте."
            }
            Self::KindNotForOrg => "Закажите эту справку для себя или выберите справку, которую выдают организациям.",
            Self::OrgUnknown => {
                "Выберите организацию из списка. Если вас недавно добавили в организацию на Госуслугах, выйдите и войдите снова."
            }
            Self::OrgNotHead => "Попросите руководителя организации заказать справку в СЭП.",
        }
    }

    /// The form field it concerns.
    pub const fn field(self) -> &'static str {
        match self {
            Self::KindUnknown | Self::KindNotAllowed => "kind",
            Self::PeriodRequired | Self::PeriodInvalid | Self::PeriodFuture | Self::PeriodReversed => "from",
            Self::PeriodTooLong => "to",
            Self::PurposeTooLong => "purpose",
            Self::PostAddressMissing | Self::PostAddressTooLong => "post_address",
            Self::EmailUnconfirmed => "by_email",
            Self::KindNotForOrg | Self::OrgUnknown | Self::OrgNotHead => "org",
        }
    }
}

/// Why a справка use case did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SpravkaError {
    /// The form has problems; nothing was ordered.
    #[error("Заказ не принят: {}", .0.first().map(ToString::to_string).unwrap_or_default())]
    Invalid(Vec<OrderError>),
    /// This portal has no signing authority, so it cannot issue справки.
    #[error("Справки сейчас не выдаются: не настроена подпись ведомств.")]
    Unavailable,
    /// No such order, or not this person's.
    #[error("Заказ не найден.")]
    OrderUnknown,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SpravkaError {
    /// What to do about it.
    pub fn action(&self) -> &'static str {
        match self {
            Self::Invalid(e) => e.first().map_or("Исправьте заказ.", |e| e.action()),
            Self::Unavailable => "Закажите справку позже или обратитесь в ведомство лично.",
            Self::OrderUnknown => "Откройте заказ из списка на странице «Справки».",
            Self::Store(_) => "Повторите позже; если не получится, обратитесь в поддержку.",
        }
    }

    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(e) => e.first().map_or("spravka_invalid", |e| e.code()),
            Self::Unavailable => "spravki_unavailable",
            Self::OrderUnknown => "spravka_order_unknown",
            Self::Store(e) => e.code(),
        }
    }
}

/// Why the worker could not make a справка: the order's `error` code and text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MakeFailure {
    /// The registry knows nothing of the person (for this period).
    NoData,
    /// The registry did not answer through every retry.
    RegistryUnavailable,
    /// The document could not be made or signed.
    Internal,
}

impl MakeFailure {
    /// Every failure.
    pub const ALL: [Self; 3] = [Self::NoData, Self::RegistryUnavailable, Self::Internal];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::NoData => "registry_no_data",
            Self::RegistryUnavailable => "registry_unavailable",
            Self::Internal => "spravka_internal",
        }
    }

    /// The reason the order shows.
    pub const fn text(self) -> &'static str {
        match self {
            Self::NoData => "В реестре нет сведений о вас за указанный период, поэтому справка не сформирована.",
            Self::RegistryUnavailable => {
                "Реестр ведомства не отвечал, в том числе при повторных попытках. Справка не сформирована; закажите её позже."
            }
            Self::Internal => "Справку не удалось сформировать из-за внутренней ошибки. Закажите её ещё раз.",
        }
    }
}
