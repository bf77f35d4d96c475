//! Why a mail action was refused, with stable codes.

/// A refused mail action.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Neither subject nor text.
    #[error("Сообщение пустое.")]
    Empty,
    /// The recipient is neither an agency of the directory nor on the person's list.
    #[error("Этому получателю писать нельзя.")]
    RecipientNotAllowed,
    /// A file that is not PDF, JPEG, PNG or XML by content.
    #[error("Файл «{0}» не является PDF, JPEG, PNG или XML.")]
    FileFormat(String),
    /// A file over the limit.
    #[error("Файл «{0}» больше {max} МБ.", max = super::MAX_FILE_MB)]
    FileTooLarge(String),
    /// Too many files or too much in all.
    #[error("В сообщении больше {files} файлов или больше {mb} МБ вместе.", files = super::MAX_FILES, mb = super::MAX_MESSAGE_MB)]
    TooMuch,
    /// Too many messages this hour.
    #[error("Отправлено слишком много сообщений за час.")]
    RateLimited,
    /// No such conversation or message in this mailbox.
    #[error("Сообщение не найдено.")]
    NotFound,
    /// Not a valid ИНН or ОГРН.
    #[error("Это не ИНН (10 или 12 цифр) и не ОГРН (13 или 15 цифр) с верной контрольной цифрой.")]
    CounterpartyInvalid,
    /// ФНС has no such organisation or entrepreneur.
    #[error("В ЕГРЮЛ и ЕГРИП нет организации или предпринимателя с таким номером.")]
    CounterpartyUnknown,
    /// ФНС says it has ceased.
    #[error("Организация или предприниматель прекратили деятельность.")]
    CounterpartyCeased,
    /// Already on the list.
    #[error("Этот контрагент уже в списке.")]
    CounterpartyExists,
    /// The ФНС registry did not answer.
    #[error("Реестр ФНС не ответил.")]
    Unavailable,
    /// The file store failed.
    #[error("Файлы сейчас не сохраняются.")]
    Files(String),
    /// A signed sending landed already (a second press of one code, a second tab).
    #[error("Это сообщение уже отправлено.")]
    AlreadySent,
    /// The draft changed after the signing code was sent: the code signs what was shown.
    #[error("Сообщение изменилось после того, как был отправлен код подписи.")]
    DraftChanged,
    /// A reply in the mailbox to an application's thread: it is answered on the application.
    #[error("Это переписка по заявлению: на неё отвечают на странице заявления.")]
    ApplicationThread,
    /// Too many drafts kept.
    #[error("Черновиков больше {max}.", max = super::drafts::MAX_DRAFTS)]
    TooManyDrafts,
    /// An agency writing first names a person by СНИЛС nobody on the portal has.
    #[error("На портале нет пользователя с таким СНИЛС.")]
    PersonUnknown,
    /// Signing refused (no certificate, a wrong code, the authority down).
    #[error(transparent)]
    Signing(#[from] crate::signing::SigningError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl MailError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "mail_empty",
            Self::RecipientNotAllowed => "mail_recipient_not_allowed",
            Self::FileFormat(_) => "mail_file_format",
            Self::FileTooLarge(_) => "mail_file_too_large",
            Self::TooMuch => "mail_too_much",
            Self::RateLimited => "mail_rate_limited",
            Self::NotFound => "mail_not_found",
            Self::CounterpartyInvalid => "counterparty_invalid",
            Self::CounterpartyUnknown => "counterparty_unknown",
            Self::CounterpartyCeased => "counterparty_ceased",
            Self::CounterpartyExists => "counterparty_exists",
            Self::Unavailable => "registry_unavailable",
            Self::Files(_) => "file_store_unavailable",
            Self::AlreadySent => "mail_already_sent",
            Self::DraftChanged => "mail_draft_changed",
            Self::PersonUnknown => "mail_person_unknown",
            Self::TooManyDrafts => "mail_too_many_drafts",
            Self::ApplicationThread => "mail_application_thread",
            Self::Signing(e) => e.code(),
            Self::Store(e) => e.code(),
        }
    }

    /// What to do.
    pub fn action(&self) -> &'static str {
        match self {
            Self::Empty => "Напишите тему или текст сообщения.",
            Self::RecipientNotAllowed => {
                "Выберите ведомство из справочника или добавьте организацию в «Разрешённые получатели и контрагенты»."
            }
            Self::FileFormat(_) => "Приложите документ в формате PDF, JPEG, PNG или XML.",
            Self::FileTooLarge(_) | Self::TooMuch => "Уменьшите файлы или отправьте их несколькими сообщениями.",
            Self::RateLimited => "Подождите час и отправьте снова.",
            Self::NotFound => "Откройте сообщение из списка «Электронный ящик».",
            Self::CounterpartyInvalid => "Проверьте номер по выписке или договору.",
            Self::CounterpartyUnknown => "Проверьте номер: ФНС не знает такого.",
            Self::CounterpartyCeased => "Писать можно только действующим организациям и предпринимателям.",
            Self::CounterpartyExists => "Ничего делать не нужно.",
            Self::AlreadySent => "Откройте его в папке «Отправленные».",
            Self::DraftChanged => "Нажмите «Подписать и отправить» ещё раз и введите новый код.",
            Self::TooManyDrafts => "Отправьте или удалите ненужные черновики.",
            Self::ApplicationThread => "Откройте заявление и напишите в разделе «Связаться с оператором».",
            Self::PersonUnknown => "Проверьте СНИЛС: писать можно тому, кто входил на портал.",
            Self::Signing(e) => e.action(),
            Self::Unavailable | Self::Files(_) | Self::Store(_) => "Повторите через несколько минут.",
        }
    }
}
