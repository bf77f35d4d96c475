//! Why an action on an application was refused: one error for the use cases of this area,
//! each with a stable code the pages show and `/help/errors` explains.

use super::status::{Status, TransitionError};
use crate::StoreError;

/// A refused action on an application.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// Its data and files no longer change.
    #[error("Заявление в статусе «{}» не редактируется.", .0.title())]
    NotEditable(Status),
    /// The status machine has no such step (for this actor, or without reasons).
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Someone else changed it between reading and writing.
    #[error("Статус заявления изменился, пока страница была открыта.")]
    Changed,
    /// The service is not in the catalogue (any more).
    #[error("Такой услуги нет в каталоге.")]
    UnknownService,
    /// No applicant type (or one the service does not take) was chosen.
    #[error("Для этой услуги нужно указать тип заявителя.")]
    ApplicantTypeRequired,
    /// The service is for people registered in СЭП, and this person is not yet.
    #[error("Услуга доступна зарегистрированным в СЭП: сначала получите услугу «Регистрация в СЭП».")]
    RegistrationRequired,
    /// Sending is confirmed by an SMS code and the profile has no phone.
    #[error(
        "В профиле Госуслуг нет номера телефона: код подтверждения отправить некуда. Добавьте телефон на Госуслугах и войдите снова."
    )]
    SmsCodeNoPhone,
    /// Too many codes within the hour.
    #[error("Коды отправлялись слишком часто. Подождите час и запросите код снова.")]
    SmsCodeLimit,
    /// A code typed before one was asked for.
    #[error("Сначала нажмите «Получить код»: код ещё не отправлялся.")]
    SmsCodeNotSent,
    /// A wrong code.
    #[error("Код из SMS неверный. Проверьте его и введите снова.")]
    SmsCodeWrong,
    /// An expired code, or its tries spent.
    #[error("Код истёк или попытки исчерпаны. Нажмите «Получить код», чтобы получить новый.")]
    SmsCodeVoid,
    /// Something still stops sending: fields, documents, mismatches, unconfirmed contacts.
    #[error("Заявление заполнено не полностью: исправьте отмеченное на странице проверки.")]
    Incomplete(Vec<super::submit::Finding>),
    /// The consent to the processing of personal data was not given.
    #[error("Без согласия на обработку персональных данных заявление не отправляется.")]
    ConsentRequired,
    /// An officer pressed "decide" without choosing a decision.
    #[error("Выберите решение: одобрить, отклонить или запросить сведения.")]
    DecisionRequired,
    /// Only the officer who took it decides.
    #[error("Решение принимает сотрудник, взявший заявление в работу. Сначала нажмите «Взять в работу».")]
    NotInCharge,
    /// Approval waits for the registry checks.
    #[error(
        "Одобрить заявление можно после автоматических проверок ФНС, СФР и МВД: они ещё идут или ждут ответа реестра."
    )]
    ChecksPending,
    /// Only a sent application, or one under review, can be taken.
    #[error("Заявление в статусе «{}» нельзя взять в работу.", .0.title())]
    NotTakeable(Status),
    /// The applicant writes to the operator only about a sent application.
    #[error("В статусе «{}» переписка с оператором недоступна.", .0.title())]
    MessageNotAllowed(Status),
    /// A message without text.
    #[error("Напишите, что вы хотите сообщить или спросить.")]
    MessageEmpty,
    /// The service asks for no such document.
    #[error("Для этого заявления такой документ не нужен.")]
    DocumentUnknown,
    /// A result document is issued only on an approved application.
    #[error("Документ-результат выдаётся по одобренному заявлению, а это заявление в статусе «{}».", .0.title())]
    NotIssuable(Status),
    /// Annulling a document needs a reason the applicant reads.
    #[error("Укажите причину аннулирования: её увидит заявитель.")]
    ReasonRequired,
    /// The system's key could not sign the document.
    #[error("Подпись ведомства не создана: {0}")]
    Signing(String),
    /// The file itself was refused: format, size, emptiness.
    #[error(transparent)]
    File(super::attachment::UploadError),
    /// The file store failed.
    #[error("Хранилище файлов недоступно: {0}")]
    FileStore(String),
    /// The system's random source failed (a code could not be made).
    #[error("Не удалось создать код подтверждения.")]
    RandomUnavailable,
    /// The working-day calendar shipped with the program is broken.
    #[error(transparent)]
    Calendar(#[from] super::calendar::CalendarError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ActionError {
    fn from(e: StoreError) -> Self {
        match e {
            // Every write of this area is conditional on what was read: a conflict means
            // somebody else was first.
            StoreError::Conflict { .. } => Self::Changed,
            e => Self::Store(e),
        }
    }
}

impl ActionError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotEditable(_) => "application_not_editable",
            Self::Transition(e) => e.code(),
            Self::Changed => "application_changed",
            Self::UnknownService => "service_unknown",
            Self::ApplicantTypeRequired => "applicant_type_required",
            Self::RegistrationRequired => "registration_required",
            Self::SmsCodeNoPhone => "sms_code_no_phone",
            Self::SmsCodeLimit => "sms_code_limit",
            Self::SmsCodeNotSent => "sms_code_not_sent",
            Self::SmsCodeWrong => "sms_code_wrong",
            Self::SmsCodeVoid => "sms_code_void",
            Self::Incomplete(_) => "application_incomplete",
            Self::ConsentRequired => "consent_required",
            Self::DecisionRequired => "decision_required",
            Self::NotInCharge => "application_not_in_charge",
            Self::ChecksPending => "checks_pending",
            Self::NotTakeable(_) => "application_not_takeable",
            Self::MessageNotAllowed(_) => "message_not_allowed",
            Self::MessageEmpty => "message_empty",
            Self::DocumentUnknown => "document_unknown",
            Self::NotIssuable(_) => "document_not_issuable",
            Self::Signing(_) => "signing_authority_failed",
            Self::ReasonRequired => "annul_reason_required",
            Self::File(e) => e.code(),
            Self::FileStore(_) => "file_store_unavailable",
            Self::RandomUnavailable => "random_unavailable",
            Self::Calendar(_) => "calendar_invalid",
            Self::Store(e) => e.code(),
        }
    }
}
