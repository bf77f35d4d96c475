//! Why a signing action was refused, each with a stable code the pages show and
//! `/help/errors` explains.

use crate::StoreError;
use crate::signature::Refusal;

/// A refused signing action.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The portal has no certification authority or key configured.
    #[error("Облачная электронная подпись на этом портале не настроена.")]
    Unavailable,
    /// The person already has a valid certificate.
    #[error("У вас уже есть действующий сертификат электронной подписи.")]
    CertificateExists,
    /// Signing needs a certificate first.
    #[error("У вас нет действующего сертификата электронной подписи.")]
    CertificateMissing,
    /// The certificate's subject needs a verified name and СНИЛС.
    #[error("Для сертификата нужны ФИО и СНИЛС, подтверждённые на Госуслугах.")]
    ProfileIncomplete,
    /// The code goes by SMS: no phone.
    #[error("В профиле нет телефона: код подтверждения подписи отправляется по SMS.")]
    PhoneMissing,
    /// Too many codes within the hour.
    #[error("Коды подписи отправлялись слишком часто.")]
    SendLimit,
    /// No such document of this person (or no such signing).
    #[error("Документ не найден.")]
    NotFound,
    /// A wrong code, with tries left.
    #[error("Неверный код. Осталось попыток: {tries_left}.")]
    CodeWrong {
        /// Tries left.
        tries_left: u32,
    },
    /// The code expired, ran out of tries, or was used.
    #[error("Код больше не действует: истёк срок, исчерпаны попытки или он уже использован.")]
    CodeVoid,
    /// The document was already signed with this code (a second press, a second tab).
    #[error("Документ уже подписан этим кодом.")]
    AlreadySigned,
    /// An uploaded signature that does not hold.
    #[error("{}", .0.text())]
    Refused(Refusal),
    /// An uploaded certificate that is not one.
    #[error("Файл сертификата не читается: это не сертификат X.509 (PEM или DER).")]
    CertificateMalformed,
    /// An uploaded certificate that is not the one the signature names.
    #[error("Сертификат не тот, которым сделана подпись.")]
    CertificateOther,
    /// The authority or the key store failed.
    #[error("Удостоверяющий центр не ответил.")]
    Authority(String),
    /// The file store failed.
    #[error("Хранилище файлов недоступно.")]
    FileStore(String),
    /// The system's random source failed.
    #[error("Не удалось создать код подтверждения.")]
    RandomUnavailable,
    /// Somebody else changed it between reading and writing.
    #[error("Данные изменились, пока страница была открыта.")]
    Changed,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for SigningError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => Self::Changed,
            StoreError::NotFound => Self::NotFound,
            e => Self::Store(e),
        }
    }
}

impl SigningError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable => "signing_unavailable",
            Self::CertificateExists => "certificate_exists",
            Self::CertificateMissing => "certificate_missing",
            Self::ProfileIncomplete => "certificate_profile_incomplete",
            Self::PhoneMissing => "signing_phone_missing",
            Self::SendLimit => "signing_code_limit",
            Self::NotFound => "document_not_found",
            Self::CodeWrong { .. } => "otp_wrong",
            Self::CodeVoid => "otp_void",
            Self::AlreadySigned => "signing_done",
            Self::Refused(r) => r.code(),
            Self::CertificateMalformed => "certificate_malformed",
            Self::CertificateOther => "certificate_not_signer",
            Self::Authority(_) => "signing_authority_failed",
            Self::FileStore(_) => "file_store_unavailable",
            Self::RandomUnavailable => "random_unavailable",
            Self::Changed => "signing_changed",
            Self::Store(_) => "store_unavailable",
        }
    }

    /// What to do.
    pub fn action(&self) -> &'static str {
        match self {
            Self::Unavailable | Self::Authority(_) | Self::FileStore(_) | Self::Store(_) | Self::RandomUnavailable => {
                "Повторите позже; если не получится, обратитесь в поддержку."
            }
            Self::CertificateExists => "Подписывайте документы действующим сертификатом или сначала отзовите его.",
            Self::CertificateMissing => {
                "Откройте «Электронная подпись» и нажмите «Получить сертификат электронной подписи»."
            }
            Self::ProfileIncomplete => "Обновите данные на Госуслугах (ФИО и СНИЛС) и войдите снова.",
            Self::PhoneMissing => "Укажите и подтвердите телефон в профиле.",
            Self::SendLimit => "Подождите час и запросите код снова.",
            Self::NotFound => "Откройте документ из списка «Мои документы».",
            Self::CodeWrong { .. } => "Проверьте цифры из последнего SMS.",
            Self::CodeVoid => "Нажмите «Подписать» у документа ещё раз: придёт новый код.",
            Self::AlreadySigned => "Подпись уже в списке подписей документа.",
            Self::Refused(r) => r.action(),
            Self::CertificateMalformed => {
                "Выберите файл сертификата .cer или .pem, или не прикладывайте его: он есть в подписи."
            }
            Self::CertificateOther => "Приложите сертификат подписавшего или не прикладывайте сертификат.",
            Self::Changed => "Обновите страницу и повторите.",
        }
    }
}
