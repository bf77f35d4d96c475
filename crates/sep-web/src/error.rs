//! The one error type of the portal's handlers. A handler returns `Result<_, WebError>` and
//! uses `?`; the store's and the core's typed errors become problems here, in one table, and
//! the presenter (`sep_http::middleware`) renders them — and logs internal failures — once.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::StoreError;
use sep_http::Problem;

/// What a handler gives instead of its page.
#[derive(Debug)]
pub(crate) enum WebError {
    /// A problem page (or RFC 9457 JSON): what happened, what to do, a code.
    Problem(Box<Problem>),
    /// Somewhere to go first (sign in, accept the terms).
    Redirect(String),
}

/// What a handler returns.
pub(crate) type Page<T = Response> = Result<T, WebError>;

impl WebError {
    /// "Not found": for unknown ids and for objects the person may not see alike.
    pub(crate) fn not_found() -> Self {
        Problem::not_found().into()
    }

    /// The CSRF secret was missing or wrong.
    pub(crate) fn forbidden() -> Self {
        Problem::for_status(StatusCode::FORBIDDEN).into()
    }

    /// An internal failure, with its cause for the log.
    pub(crate) fn internal(cause: impl std::fmt::Display) -> Self {
        Problem::internal().caused_by(cause).into()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::Problem(p) => p.into_response(),
            Self::Redirect(to) => Redirect::to(&to).into_response(),
        }
    }
}

impl From<Problem> for WebError {
    fn from(p: Problem) -> Self {
        Self::Problem(Box::new(p))
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            // A conditional write lost to a change made meanwhile.
            StoreError::Conflict { .. } => Problem::changed().into(),
            StoreError::Unavailable(_) => Problem::for_status(StatusCode::SERVICE_UNAVAILABLE).caused_by(&e).into(),
            StoreError::Other(_) => Self::internal(&e),
        }
    }
}

/// What to do about each refusal of an application's use cases: the status, the title and
/// the action shown beside the core's own message and code.
fn action_texts(e: &sep_core::application::ActionError) -> (StatusCode, &'static str, &'static str) {
    use sep_core::application::ActionError as E;
    match e {
        E::NotEditable(_) => {
            (StatusCode::CONFLICT, "Заявление нельзя изменить", "Дождитесь решения или напишите оператору.")
        }
        // A missing reason is what was sent, not where the application is.
        E::Transition(sep_core::application::status::TransitionError::NoReason) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "Нужна причина", "Выберите хотя бы одну причину из перечня услуги.")
        }
        E::Transition(_) | E::NotTakeable(_) => (
            StatusCode::CONFLICT,
            "Действие недоступно",
            "Откройте заявление заново: на странице указано, что можно сделать сейчас.",
        ),
        E::Changed => {
            (StatusCode::CONFLICT, "Заявление изменилось", "Откройте заявление заново: на странице его текущий статус.")
        }
        E::UnknownService => (StatusCode::NOT_FOUND, "Услуга не найдена", "Выберите услугу в каталоге."),
        E::ApplicantTypeRequired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Выберите, кто подаёт заявление",
            "Вернитесь на страницу услуги и выберите физическое лицо, ИП или организацию.",
        ),
        E::SmsCodeNoPhone | E::SmsCodeLimit | E::SmsCodeNotSent | E::SmsCodeWrong | E::SmsCodeVoid => (
            if matches!(e, E::SmsCodeLimit) { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::UNPROCESSABLE_ENTITY },
            "Код из SMS не принят",
            "Вернитесь к проверке заявления и запросите или введите код снова.",
        ),
        E::RegistrationRequired => (
            StatusCode::FORBIDDEN,
            "Сначала зарегистрируйтесь в СЭП",
            "Получите услугу «Регистрация в СЭП» в каталоге услуг, затем подайте это заявление.",
        ),
        E::Incomplete(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Заявление заполнено не полностью",
            "Откройте «Проверка заявления» и исправьте отмеченное.",
        ),
        E::ConsentRequired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Нужно согласие",
            "Отметьте согласие на обработку персональных данных на странице проверки и отправьте снова.",
        ),
        E::DecisionRequired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Решение не выбрано",
            "Выберите решение и, для отказа или запроса, хотя бы одну причину.",
        ),
        E::NotInCharge => (
            StatusCode::CONFLICT,
            "Заявление у другого сотрудника",
            "Нажмите «Взять в работу», чтобы принять решение самому.",
        ),
        E::ChecksPending => (
            StatusCode::CONFLICT,
            "Проверки по реестрам ещё не пройдены",
            "Подождите и откройте заявление снова; отклонить или запросить сведения можно и сейчас.",
        ),
        E::MessageNotAllowed(_) => (
            StatusCode::CONFLICT,
            "Написать по этому заявлению нельзя",
            "Сначала отправьте заявление; по отозванному заявлению подайте новое.",
        ),
        E::MessageEmpty => {
            (StatusCode::UNPROCESSABLE_ENTITY, "Сообщение пустое", "Вернитесь к заявлению и введите текст сообщения.")
        }
        E::DocumentUnknown => {
            (StatusCode::UNPROCESSABLE_ENTITY, "Неизвестный документ", "Вернитесь к заявлению и выберите другой файл.")
        }
        E::File(f) => (
            if matches!(f, sep_core::application::attachment::UploadError::TooLarge { .. }) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            },
            if matches!(f, sep_core::application::attachment::UploadError::Empty) {
                "Файл не выбран"
            } else {
                "Файл не принят"
            },
            "Вернитесь к заявлению и выберите другой файл.",
        ),
        E::ReasonRequired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Нет причины",
            "Вернитесь к заявлению, укажите причину и нажмите «Аннулировать» снова.",
        ),
        E::NotIssuable(_) => (
            StatusCode::CONFLICT,
            "Документ пока не выдать",
            "Сначала одобрите заявление, затем приложите документ-результат.",
        ),
        E::Signing(_) | E::FileStore(_) | E::RandomUnavailable | E::Calendar(_) | E::Store(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Внутренняя ошибка",
            "Повторите попытку через несколько минут. Если ошибка повторяется, обратитесь в поддержку.",
        ),
    }
}

/// The problem page of a refused action.
pub(crate) fn action_problem(e: &sep_core::application::ActionError) -> Problem {
    use sep_core::application::ActionError as E;
    if matches!(e, E::Store(_) | E::FileStore(_) | E::RandomUnavailable | E::Calendar(_) | E::Signing(_)) {
        // Their text is for the log, not for the page.
        return Problem::internal().caused_by(e.code());
    }
    let (status, title, action) = action_texts(e);
    let detail = e.to_string();
    let problem = Problem::new(status, e.code(), title, &detail, action);
    match e {
        // What stops sending, field by field (the API's `errors`; the page lists them itself).
        E::Incomplete(found) => problem.with_errors(
            found
                .iter()
                .map(|f| sep_http::FieldError { field: f.anchor.clone(), code: f.code, message: f.message.clone() })
                .collect(),
        ),
        _ => problem,
    }
}

impl From<sep_core::application::ActionError> for WebError {
    fn from(e: sep_core::application::ActionError) -> Self {
        use sep_core::application::ActionError as E;
        match e {
            E::Store(e) => e.into(),
            E::FileStore(cause) | E::Signing(cause) => {
                Problem::for_status(StatusCode::SERVICE_UNAVAILABLE).caused_by(cause).into()
            }
            E::RandomUnavailable | E::Calendar(_) => {
                let detail = e.to_string();
                Self::internal(format!("{}: {detail}", e.code()))
            }
            e => action_problem(&e).into(),
        }
    }
}

/// One refusal of each kind, for the help page's table of codes.
pub(crate) fn action_examples() -> Vec<sep_core::application::ActionError> {
    use sep_core::application::ActionError as E;
    use sep_core::application::status::{Status, TransitionError};
    vec![
        E::NotEditable(Status::Created),
        E::Transition(TransitionError::Illegal { from: Status::Created.title() }),
        E::Transition(TransitionError::NotYourStep),
        E::Transition(TransitionError::NoReason),
        E::Changed,
        E::UnknownService,
        E::ApplicantTypeRequired,
        E::RegistrationRequired,
        E::SmsCodeNoPhone,
        E::SmsCodeLimit,
        E::SmsCodeNotSent,
        E::SmsCodeWrong,
        E::SmsCodeVoid,
        E::Incomplete(vec![]),
        E::ConsentRequired,
        E::DecisionRequired,
        E::NotInCharge,
        E::ChecksPending,
        E::NotTakeable(Status::Completed),
        E::MessageNotAllowed(Status::Draft),
        E::MessageEmpty,
        E::DocumentUnknown,
        E::NotIssuable(Status::UnderReview),
        E::ReasonRequired,
    ]
}

impl From<sep_core::signin::SignInError> for WebError {
    fn from(e: sep_core::signin::SignInError) -> Self {
        use sep_core::signin::SignInError as E;
        match e {
            E::RequestUnknown => crate::auth::AuthFault::RequestUnknown.problem().into(),
            E::NoSharedContact => Problem::new(
                StatusCode::CONFLICT,
                e.code(),
                "Связь нельзя восстановить кодом",
                &e.to_string(),
                "Обратитесь в поддержку СЭП и сообщите коды ошибок со страницы входа.",
            )
            .into(),
            E::CodeLimit => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    e.code(),
                    "Слишком много запросов кода",
                    &e.to_string(),
                    "Войдите заново через несколько минут.",
                )
                .retry("/login", "Войти снова");
                // The send limit counts within the hour of the last send.
                p.retry_after = Some(sep_core::confirm::WINDOW.whole_seconds().unsigned_abs());
                p.into()
            }
            E::CodeWrong { .. } | E::CodeVoid => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                e.code(),
                "Код не подошёл",
                &e.to_string(),
                "Нажмите «Войти» и начните заново.",
            )
            .into(),
            E::Store(e) => e.into(),
            E::RandomUnavailable => Self::internal("no randomness"),
        }
    }
}

/// The status and title of each refusal of the signature's use cases.
fn signing_texts(e: &sep_core::signing::SigningError) -> (StatusCode, &'static str) {
    use sep_core::signing::SigningError as E;
    match e {
        E::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "Подпись недоступна"),
        E::CertificateExists => (StatusCode::CONFLICT, "Сертификат уже есть"),
        E::CertificateMissing => (StatusCode::CONFLICT, "Нет сертификата подписи"),
        E::ProfileIncomplete => (StatusCode::UNPROCESSABLE_ENTITY, "Не хватает данных профиля"),
        E::PhoneMissing => (StatusCode::UNPROCESSABLE_ENTITY, "Нет телефона для кода"),
        E::SendLimit => (StatusCode::TOO_MANY_REQUESTS, "Слишком много кодов"),
        E::NotFound => (StatusCode::NOT_FOUND, "Документ не найден"),
        E::CodeWrong { .. } | E::CodeVoid => (StatusCode::UNPROCESSABLE_ENTITY, "Код не подошёл"),
        E::AlreadySigned => (StatusCode::CONFLICT, "Документ уже подписан"),
        E::Refused(_) | E::CertificateMalformed | E::CertificateOther => {
            (StatusCode::UNPROCESSABLE_ENTITY, "Подпись не принята")
        }
        E::Changed => (StatusCode::CONFLICT, "Данные изменились"),
        E::Authority(_) | E::FileStore(_) | E::Store(_) | E::RandomUnavailable => {
            (StatusCode::SERVICE_UNAVAILABLE, "Сервис временно недоступен")
        }
    }
}

impl From<sep_core::signing::SigningError> for WebError {
    fn from(e: sep_core::signing::SigningError) -> Self {
        use sep_core::signing::SigningError as E;
        match e {
            E::Store(e) => e.into(),
            E::NotFound => Self::not_found(),
            // Their text is for the log, not for the page.
            E::Authority(ref cause) | E::FileStore(ref cause) => {
                Problem::for_status(StatusCode::SERVICE_UNAVAILABLE).caused_by(format!("{}: {cause}", e.code())).into()
            }
            E::RandomUnavailable => Self::internal(e.code()),
            e => {
                let (status, title) = signing_texts(&e);
                let mut p = Problem::new(status, e.code(), title, &e.to_string(), e.action());
                if matches!(e, E::SendLimit) {
                    // The limit counts within the hour.
                    p.retry_after = Some(sep_core::confirm::WINDOW.whole_seconds().unsigned_abs());
                }
                p.into()
            }
        }
    }
}

impl From<sep_core::passport::officer::PassportError> for WebError {
    fn from(e: sep_core::passport::officer::PassportError) -> Self {
        use sep_core::passport::officer::PassportError as E;
        match e {
            E::Store(e) => e.into(),
            E::NotFound => Self::not_found(),
            E::ReasonRequired => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                e.code(),
                "Не выбрана причина",
                &e.to_string(),
                "Вернитесь к электронному паспорту, выберите причину и нажмите «Аннулировать» снова.",
            )
            .into(),
            E::NotValid => Problem::new(
                StatusCode::CONFLICT,
                e.code(),
                "Паспорт уже аннулирован",
                &e.to_string(),
                "Откройте электронный паспорт заново: в истории статусов указано, когда и почему он аннулирован.",
            )
            .into(),
        }
    }
}

impl From<sep_core::passport::protection::ProtectionError> for WebError {
    fn from(e: sep_core::passport::protection::ProtectionError) -> Self {
        use sep_core::passport::protection::ProtectionError as E;
        match e {
            E::Store(e) => e.into(),
            E::FreshLoginRequired => Problem::new(
                StatusCode::FORBIDDEN,
                e.code(),
                "Подтвердите вход",
                &e.to_string(),
                "Нажмите «Подтвердить вход»: Госуслуги попросят пароль и код, и вы вернётесь сюда.",
            )
            .retry("/login?fresh=1&return_to=%2Fsettings", "Подтвердить вход")
            .into(),
            E::NotConfirmed => Problem::new(
                StatusCode::FORBIDDEN,
                e.code(),
                "Вход не подтверждён",
                &e.to_string(),
                "Выйдите из СЭП (это завершит и вход на Госуслугах), войдите снова с паролем и кодом и откройте электронный паспорт.",
            )
            .into(),
        }
    }
}

impl From<sep_core::spravka::SpravkaError> for WebError {
    fn from(e: sep_core::spravka::SpravkaError) -> Self {
        use sep_core::spravka::SpravkaError as E;
        match e {
            E::Store(e) => e.into(),
            E::OrderUnknown => Self::not_found(),
            E::Unavailable => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                e.code(),
                "Справки не выдаются",
                &e.to_string(),
                e.action(),
            )
            .into(),
            E::Invalid(ref problems) => {
                // Field by field for the API (the order page lists them itself).
                let errors = problems
                    .iter()
                    .map(|p| sep_http::FieldError {
                        field: p.field().to_owned(),
                        code: p.code(),
                        message: p.to_string(),
                    })
                    .collect();
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), "Заказ не принят", &e.to_string(), e.action())
                    .with_errors(errors)
                    .into()
            }
        }
    }
}

/// One refusal of each kind the signature's pages show, for the help page's table of codes.
pub(crate) fn signing_examples() -> Vec<sep_core::signing::SigningError> {
    use sep_core::signing::SigningError as E;
    vec![
        E::Unavailable,
        E::CertificateExists,
        E::CertificateMissing,
        E::ProfileIncomplete,
        E::PhoneMissing,
        E::SendLimit,
        E::AlreadySigned,
        E::CertificateMalformed,
        E::CertificateOther,
        E::Changed,
    ]
}

impl From<sep_core::integration::webhook::WebhookError> for WebError {
    fn from(e: sep_core::integration::webhook::WebhookError) -> Self {
        use sep_core::integration::webhook::WebhookError as E;
        let status = match e {
            E::Store(e) => return e.into(),
            E::NotFound => return Self::not_found(),
            E::RandomUnavailable => return Self::internal(e.code()),
            E::StillPending => StatusCode::CONFLICT,
            E::UrlInvalid | E::UrlPrivate | E::EventsInvalid | E::TooMany => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Problem::new(status, e.code(), "Подписка не принята", &e.to_string(), e.action()).into()
    }
}

/// ГИС ГМП did not answer: 503 with what to do.
pub(crate) fn charges_unavailable(e: &sep_core::registry::Unavailable) -> WebError {
    tracing::warn!(registry = e.registry, "charges: registry unavailable");
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "charges_unavailable",
        "ГИС ГМП не отвечает",
        "Сведения о начислениях сейчас не получить: государственная информационная система о платежах не отвечает.",
        "Повторите через несколько минут; ваши начисления не изменились.",
    )
    .into()
}

impl From<sep_core::payment::ChargesError> for WebError {
    fn from(e: sep_core::payment::ChargesError) -> Self {
        match e {
            sep_core::payment::ChargesError::Unavailable(e) => charges_unavailable(&e),
            sep_core::payment::ChargesError::Store(e) => e.into(),
        }
    }
}

/// A refused mail action as its problem titled `title`; one about another's mail is "not
/// found".
pub(crate) fn mail_refusal(e: sep_core::mail::MailError, title: &str) -> WebError {
    use sep_core::mail::MailError as E;
    let status = match e {
        E::NotFound => return WebError::not_found(),
        E::Store(e) => return e.into(),
        E::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        E::CounterpartyExists | E::AlreadySent | E::DraftChanged => StatusCode::CONFLICT,
        E::Signing(e) => return e.into(),
        E::Unavailable | E::Files(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    if let E::Files(ref cause) = e {
        tracing::warn!(error = %cause, "mail: file store unavailable");
    }
    Problem::new(status, e.code(), title, &e.to_string(), e.action()).into()
}
