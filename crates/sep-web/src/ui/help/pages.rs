//! Help pages readable without login (SPEC H2, first version): how to log in, how to submit
//! «Регистрация в СЭП», what each status means, and what to do on each error code. The
//! error table is built from the same values the pages use, so a code cannot be shown to a
//! person without an entry here (a test scans the sources for codes).

use crate::Problem;
use crate::auth::AuthFault;
use crate::error::Page;
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::render;
use askama::Template;
use axum::http::StatusCode;
use sep_core::application::contacts::Note as ContactNote;
use sep_core::application::status::Status;
use sep_core::ident::IdError;
use sep_core::profile::Note as ProfileNote;

/// Codes raised in handlers (and on forms) rather than by a shared constructor:
/// `(code, what happened, what to do)`.
const OTHER: &[(&str, &str, &str)] = &[
    crate::api::STATUS_UNKNOWN,
    crate::api::LIMIT_INVALID,
    crate::api::CURSOR_INVALID,
    crate::api::TOKEN_IN_QUERY,
    crate::api::write::CONTENT_TYPE,
    crate::api::write::JSON_INVALID,
    crate::api::write::BODY_INVALID,
    crate::api::write::FIELD_UNKNOWN,
    crate::api::v1::webhooks::STATE_UNKNOWN,
    crate::api::v1::webhooks::SINCE_INVALID,
    crate::api::register::KEY_INVALID,
    crate::api::v1::payments::FILTER_UNKNOWN,
    crate::api::v1::mail::FOLDER_UNKNOWN,
    crate::api::oauth::CLIENT_UNKNOWN,
    crate::api::oauth::REDIRECT_UNKNOWN,
    crate::api::oauth::CLIENT_UNAPPROVED,
    (
        "zip_empty",
        "Для архива не выбран ни один документ.",
        "Отметьте документы в списке «Мои документы» и нажмите «Скачать выбранные (ZIP)».",
    ),
    (
        "zip_too_large",
        "Выбранные документы вместе больше 4 ГБ: такой архив не собрать.",
        "Выберите меньше документов и скачайте их несколькими архивами.",
    ),
    (
        "rate_limited",
        "С вашего адреса было слишком много попыток подряд, поэтому новые временно не принимаются.",
        "Подождите минуту и повторите.",
    ),
    (
        "fee_unpaid",
        "Услуга платная: заявление отправляется только после оплаты госпошлины.",
        "На странице «Проверка заявления» нажмите «Оплатить госпошлину», оплатите начисление и вернитесь к заявлению.",
    ),
    (
        "fee_paid_other_amount",
        "Госпошлина оплачена за заявителя другого типа и меньше, чем нужно сейчас.",
        "Верните прежний тип заявителя или обратитесь в поддержку, чтобы доплатить разницу.",
    ),
    (
        "signature_required",
        "Услуга требует электронной подписи заявления, а заявление не подписано или изменено после подписания.",
        "На странице «Проверка заявления» нажмите «Подписать заявление» и введите код из SMS.",
    ),
    (
        "document_check_failed",
        "Документа с таким номером и кодом проверки нет.",
        "Проверьте номер и код проверки: они напечатаны в ссылке для проверки вместе с документом.",
    ),
    (
        "verify_files_missing",
        "Для проверки подписи не выбран документ или файл подписи.",
        "Выберите оба файла: документ и его подпись (.sig).",
    ),
    (
        "otp_void",
        "Код больше не действует: истёк срок, исчерпаны попытки или он уже использован.",
        "Запросите новый код и введите его.",
    ),
    (
        "applicant_type_required",
        "Не выбран тип заявителя.",
        "Вернитесь на страницу услуги и выберите физическое лицо, ИП или организацию.",
    ),
    (
        "application_not_editable",
        "Заявление уже отправлено и в этом статусе не редактируется.",
        "Дождитесь решения; если нужно что-то исправить, напишите оператору.",
    ),
    (
        "relink_no_shared_contact",
        "Данные Госуслуг изменились, и нет общего телефона или почты, чтобы прислать код.",
        "Обратитесь в поддержку СЭП: связь аккаунтов восстановят после проверки.",
    ),
    (
        "relink_code_limit",
        "Коды для восстановления связи отправлялись слишком часто.",
        "Подождите час и запросите код снова.",
    ),
    ("otp_wrong", "Введён неверный код.", "Проверьте цифры из последнего SMS или запросите новый код."),
    (
        "field_required",
        "Обязательное поле не заполнено.",
        "Заполните поле, на которое ведёт ссылка на странице проверки.",
    ),
    (
        "field_too_long",
        "Значение длиннее допустимого.",
        "Сократите текст: для строки — до 300 знаков, для адреса и описаний — до 4000.",
    ),
    ("okved_invalid_format", "Код ОКВЭД записан неверно.", "Укажите код вида «62.01» или «62.01.1»."),
    (
        "document_missing",
        "Не приложен обязательный документ.",
        "Загрузите файл PDF, JPEG или PNG в разделе «Документы».",
    ),
    (
        "mismatch_fio",
        "ФИО отличается от подтверждённых данных Госуслуг.",
        "Исправьте ФИО или обновите данные на Госуслугах и войдите снова.",
    ),
    (
        "mismatch_snils",
        "СНИЛС отличается от подтверждённого на Госуслугах.",
        "Проверьте номер; если он изменился, обновите данные на Госуслугах.",
    ),
    (
        "mismatch_inn",
        "ИНН отличается от подтверждённого на Госуслугах.",
        "Проверьте номер; если он изменился, обновите данные на Госуслугах.",
    ),
    (
        "mismatch_birth_date",
        "Дата рождения отличается от данных Госуслуг.",
        "Исправьте дату или обновите данные на Госуслугах.",
    ),
    (
        "contact_phone_unconfirmed",
        "Указан телефон, отличный от Госуслуг, и он не подтверждён.",
        "Нажмите «Отправить код» в блоке «Подтверждение контактов» и введите код из SMS.",
    ),
    (
        "contact_email_unconfirmed",
        "Указана почта, отличная от Госуслуг, и она не подтверждена.",
        "Нажмите «Отправить ссылку» и откройте ссылку из письма.",
    ),
    (
        "consent_required",
        "Не отмечено согласие на обработку персональных данных.",
        "Отметьте согласие на странице проверки: без него заявление не отправляется.",
    ),
    (
        "upload_format_refused",
        "Файл не является PDF, JPEG или PNG (проверяется содержимое, а не название).",
        "Сохраните документ в одном из этих форматов и загрузите снова.",
    ),
    ("upload_empty", "Выбран пустой файл.", "Выберите файл с документом и загрузите снова."),
    (
        "document_unknown",
        "Такого документа в услуге нет (устаревшая страница).",
        "Откройте заявление заново и загрузите файл в нужный раздел.",
    ),
    (
        "application_changed",
        "Заявление изменилось, пока страница была открыта: его статус уже другой.",
        "Откройте заявление заново — на странице его текущий статус и доступные действия.",
    ),
    (
        "checks_pending",
        "Автоматические проверки по реестрам ещё не пройдены, поэтому одобрить заявление нельзя.",
        "Подождите и откройте заявление снова; отклонить или запросить сведения можно и сейчас.",
    ),
    (
        "message_not_allowed",
        "Переписка с оператором недоступна в этом статусе заявления.",
        "Сначала отправьте заявление; по отозванному заявлению подайте новое.",
    ),
    ("message_empty", "Сообщение пустое.", "Введите текст сообщения и отправьте его снова."),
    (
        "status_reason_required",
        "Для отказа или запроса сведений не выбрана причина.",
        "Отметьте хотя бы одну причину и при необходимости добавьте комментарий.",
    ),
    (
        "status_transition_illegal",
        "Это действие невозможно в текущем статусе заявления.",
        "Откройте заявление заново: на странице указано, что можно сделать сейчас.",
    ),
    (
        "status_actor_not_allowed",
        "Это действие выполняет другой участник (заявитель, сотрудник или система).",
        "Дождитесь действия другой стороны; при вопросах напишите оператору.",
    ),
    (
        "upload_too_large",
        "Файл больше допустимого для этого документа.",
        "Уменьшите файл (например, отсканируйте с меньшим разрешением) и загрузите снова.",
    ),
    (
        "sms_code_required",
        "Отправка заявления этой услуги подтверждается кодом из SMS, а код ещё не введён (или заявление изменили после подтверждения).",
        "На странице проверки нажмите «Получить код» и введите код из SMS.",
    ),
    (
        "upload_photo_unreadable",
        "Фотография не читается: файл JPEG или PNG повреждён.",
        "Сохраните снимок заново в формате JPEG или PNG и загрузите снова.",
    ),
    ("upload_photo_too_small", "Фотография меньше 600×800 точек.", "Приложите снимок в большем разрешении."),
    (
        "upload_photo_not_portrait",
        "Фотография не вертикальная или её стороны не в соотношении 3:4.",
        "Обрежьте снимок до 3:4 (например, 600×800 точек) и загрузите снова.",
    ),
];

struct Row {
    code: String,
    happened: String,
    action: String,
}

/// Every code a person may see, with what to do; `catalogue` adds its services' reasons.
fn rows(catalogue: &sep_core::catalogue::Catalogue) -> Vec<Row> {
    let row = |p: Problem| Row {
        code: p.code.into(),
        happened: format!("{} {}", tr_dyn(&p.title), tr_dyn(&p.detail)),
        action: p.action,
    };
    // The hand-written entries first: where a code is listed twice, the first is kept.
    let mut out: Vec<Row> =
        OTHER.iter().map(|(c, h, a)| Row { code: (*c).into(), happened: (*h).into(), action: (*a).into() }).collect();
    out.extend(
        [
            StatusCode::NOT_FOUND,
            StatusCode::METHOD_NOT_ALLOWED,
            StatusCode::FORBIDDEN,
            StatusCode::PAYLOAD_TOO_LARGE,
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::BAD_REQUEST,
            StatusCode::REQUEST_TIMEOUT,
        ]
        .into_iter()
        .map(Problem::for_status)
        .chain([
            Problem::internal(),
            Problem::session_ended(),
            Problem::changed(),
            crate::extract::form_unreadable_problem(),
        ])
        .chain(crate::error::action_examples().iter().map(crate::error::action_problem))
        .chain(AuthFault::ALL.iter().map(AuthFault::problem))
        .map(row),
    );
    out.extend(IdError::ALL.iter().map(|e| Row {
        code: e.code().into(),
        happened: e.to_string(),
        action: "Исправьте значение в поле, на которое ведёт ссылка, и сохраните черновик.".into(),
    }));
    // The verdicts of signature checks (`/verify`, `sep verify`).
    out.extend(sep_core::signature::Refusal::ALL.iter().map(|r| Row {
        code: r.code().into(),
        happened: r.text().into(),
        action: r.action().into(),
    }));
    // The refusals of the electronic signature's pages.
    out.extend(crate::error::signing_examples().iter().map(|e| Row {
        code: e.code().into(),
        happened: e.to_string(),
        action: e.action().into(),
    }));
    // The e-passport's code and lists, as the check page and `sep passport verify` name them.
    out.extend(sep_core::passport::CodeError::ALL.iter().map(|e| Row {
        code: e.code().into(),
        happened: e.to_string(),
        action: "Попросите предъявителя открыть код заново в личном кабинете и отсканируйте его ещё раз.".into(),
    }));
    out.extend(sep_core::passport::ListError::ALL.iter().map(|e| Row {
        code: e.code().into(),
        happened: e.to_string(),
        action: "Загрузите списки с адресов /.well-known/sep/trust-list и /.well-known/sep/annulments заново.".into(),
    }));
    for e in [
        sep_core::passport::officer::PassportError::ReasonRequired,
        sep_core::passport::officer::PassportError::NotValid,
    ] {
        out.push(Row {
            code: e.code().into(),
            happened: e.to_string(),
            action: "Откройте электронный паспорт в реестре заново и повторите действие.".into(),
        });
    }
    use sep_core::passport::protection::ProtectionError;
    out.push(Row {
        code: ProtectionError::FreshLoginRequired.code().into(),
        happened: ProtectionError::FreshLoginRequired.to_string(),
        action: "Войдите через Госуслуги ещё раз с паролем и кодом: СЭП отправит вас туда и вернёт обратно.".into(),
    });
    out.push(Row {
        code: ProtectionError::NotConfirmed.code().into(),
        happened: ProtectionError::NotConfirmed.to_string(),
        action: "Выйдите из СЭП (это завершит и вход на Госуслугах), войдите снова с паролем и кодом и откройте электронный паспорт.".into(),
    });
    out.push(Row {
        code: "passport_annulled".into(),
        happened: "Электронный паспорт аннулирован: список аннулирования СЭП называет его.".into(),
        action: "Не принимайте его для подтверждения личности; владелец может получить новый.".into(),
    });
    // The справки: the order form's problems, why one was not made, and the portal's own.
    out.extend(sep_core::spravka::OrderError::ALL.iter().map(|e| Row {
        code: e.code().into(),
        happened: e.to_string(),
        action: e.action().into(),
    }));
    out.extend(sep_core::spravka::MakeFailure::ALL.iter().map(|f| Row {
        code: f.code().into(),
        happened: f.text().into(),
        action: "Закажите справку ещё раз; если ошибка повторяется, обратитесь в поддержку.".into(),
    }));
    let unavailable = sep_core::spravka::SpravkaError::Unavailable;
    out.push(Row {
        code: unavailable.code().into(),
        happened: unavailable.to_string(),
        action: unavailable.action().into(),
    });
    out.push(Row {
        code: "document_mismatch".into(),
        happened: "Проверяемый файл не совпадает с документом, выданным под этим номером.".into(),
        action: "Запросите у владельца исходный файл или проверьте документ по QR-коду.".into(),
    });
    // The mailbox: why a message was not sent or a counterparty not added.
    {
        use sep_core::mail::MailError as M;
        for e in [
            M::Empty,
            M::RecipientNotAllowed,
            M::FileFormat("file.pdf".into()),
            M::FileTooLarge("file.pdf".into()),
            M::TooMuch,
            M::RateLimited,
            M::CounterpartyInvalid,
            M::CounterpartyUnknown,
            M::CounterpartyCeased,
            M::CounterpartyExists,
            M::Unavailable,
            M::Files(String::new()),
            M::AlreadySent,
            M::DraftChanged,
            M::TooManyDrafts,
            M::PersonUnknown,
        ] {
            out.push(Row { code: e.code().into(), happened: e.to_string(), action: e.action().into() });
        }
    }
    // Personal access tokens and the API's refusals of them.
    {
        use sep_core::integration::TokenError as T;
        for e in [
            T::NameRequired,
            T::ScopesRequired,
            T::LifetimeInvalid,
            T::TooMany,
            T::NotFound,
            T::Missing,
            T::Invalid,
            T::Scope,
            T::IdempotencyKeyInvalid,
            T::IdempotencyKeyReused,
            T::IdempotencyInProgress,
            T::KindUnknown,
            T::TestMode,
            T::RedirectInvalid,
            T::PersonalTokenRequired,
        ] {
            out.push(Row { code: e.code().into(), happened: e.to_string(), action: e.action().into() });
        }
    }
    // Bulk imports.
    {
        use sep_core::application::bulk::SheetError as S;
        use sep_core::integration::operation::ImportError as I;
        let sheet = [
            S::Encoding,
            S::Empty,
            S::Malformed(2),
            S::UnknownColumns("x".into()),
            S::MissingColumns("x".into()),
            S::TooManyRows,
        ];
        for e in sheet.into_iter().map(I::Sheet).chain([I::Mode]) {
            out.push(Row { code: e.code().into(), happened: e.to_string(), action: e.action().into() });
        }
    }
    // Webhook subscriptions.
    {
        use sep_core::integration::webhook::WebhookError as W;
        for e in [W::UrlInvalid, W::UrlPrivate, W::EventsInvalid, W::TooMany, W::NotFound, W::StillPending] {
            out.push(Row { code: e.code().into(), happened: e.to_string(), action: e.action().into() });
        }
    }
    for e in [sep_core::mail::search::QueryError::Empty, sep_core::mail::search::QueryError::TooLong] {
        out.push(Row {
            code: e.code().into(),
            happened: e.to_string(),
            action: "Напишите одно или несколько слов (до 500 символов) и нажмите «Найти».".into(),
        });
    }
    // State fees: why «Оплатить госпошлину» issued nothing.
    {
        use sep_core::payment::fee::FeeError as F;
        for e in [F::NotRequired, F::AlreadyPaid, F::PayerUnknown, F::NotDraft] {
            out.push(Row { code: e.code().into(), happened: e.to_string(), action: e.action().into() });
        }
    }
    // Charges: a УИН refused, not found, ГИС ГМП silent.
    for e in [sep_core::payment::UinError::Format, sep_core::payment::UinError::CheckDigit] {
        out.push(Row {
            code: e.code().into(),
            happened: e.to_string(),
            action: "Введите УИН из квитанции или постановления ещё раз, цифра за цифрой.".into(),
        });
    }
    out.push(Row {
        code: "charge_not_found".into(),
        happened: "Начисления с таким УИН нет в ГИС ГМП: проверьте номер или дождитесь, когда начисление поступит."
            .into(),
        action: "Проверьте номер; новое начисление появляется в ГИС ГМП в течение суток.".into(),
    });
    out.push(Row {
        code: "charges_unavailable".into(),
        happened:
            "Сведения о начислениях сейчас не получить: государственная информационная система о платежах не отвечает."
                .into(),
        action: "Повторите через несколько минут; ваши начисления не изменились.".into(),
    });
    // Paying online.
    use sep_core::payment::pay::PayError;
    for e in
        [PayError::AlreadyPaid, PayError::InProgress, PayError::Unavailable(String::new()), PayError::NotConfigured]
    {
        out.push(Row { code: e.code().into(), happened: e.to_string(), action: e.action().into() });
    }
    // The personal account: a refund refused, a report's period, an alert's threshold.
    use sep_core::payment::account::RefundError;
    use sep_core::payment::bank::BankError;
    for e in [
        RefundError::AmountInvalid,
        RefundError::AmountTooLarge,
        RefundError::BalanceChanged,
        RefundError::Bank(BankError::BicInvalid),
        RefundError::Bank(BankError::AccountFormat),
        RefundError::Bank(BankError::AccountKey),
    ] {
        out.push(Row { code: e.code().into(), happened: e.to_string(), action: e.action().into() });
    }
    use sep_core::payment::confirm::ConfirmError;
    for e in [
        ConfirmError::NotWaiting,
        ConfirmError::PhoneMissing,
        ConfirmError::SendLimit,
        ConfirmError::PersonLimit,
        ConfirmError::Expired,
        ConfirmError::Wrong(2),
        ConfirmError::Exhausted,
        ConfirmError::Changed,
    ] {
        out.push(Row { code: e.code().into(), happened: e.to_string(), action: e.action().into() });
    }
    out.push(Row {
        code: "report_period_invalid".into(),
        happened: "Для отчёта нужны начало и конец периода.".into(),
        action: "Укажите обе даты периода и нажмите «Сформировать отчёт» снова.".into(),
    });
    out.push(Row {
        code: "threshold_invalid".into(),
        happened: "Порог уведомлений указан неверно: нужны рубли и копейки.".into(),
        action: "Укажите сумму в рублях, например 1 000,00, или оставьте поле пустым.".into(),
    });
    // The notes of contact steps on the application form and the profile.
    out.extend(ContactNote::ALL.iter().filter(|n| n.is_error()).map(|n| Row {
        code: n.code().into(),
        happened: n.text().into(),
        action: "Выполните то, что сказано в сообщении рядом с полем.".into(),
    }));
    out.extend(ProfileNote::ALL.iter().filter(|n| n.is_error()).map(|n| Row {
        code: n.code().into(),
        happened: n.text().into(),
        action: "Выполните то, что сказано в сообщении рядом с полем.".into(),
    }));
    // The registry checks' reasons carry their own "what to do".
    out.extend(sep_core::application::checks::reason_codes().into_iter().map(|(code, text)| Row {
        code,
        happened: text,
        action: "Исправьте данные в заявлении и отправьте его снова — проверка пройдёт заново.".into(),
    }));
    for service in catalogue.search("") {
        out.extend(service.reasons.iter().map(|r| Row {
            code: r.code.clone(),
            happened: format!("«{}»: {}", service.title, r.text),
            action: "Исправьте заявление по комментарию сотрудника и отправьте его снова.".into(),
        }));
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out.dedup_by(|a, b| a.code == b.code);
    for r in &mut out {
        r.happened = tr_dyn(&r.happened);
        r.action = tr_dyn(&r.action);
    }
    out
}

#[derive(Template)]
#[template(path = "help/index.html")]
struct HelpPage {
    statuses: Vec<(&'static str, &'static str, &'static str)>,
}

/// What a status means for the applicant (exhaustive: a new status needs its text).
fn explain(s: Status) -> &'static str {
    match s {
        Status::Draft => "Заявление ещё не отправлено; его можно менять и дополнять.",
        Status::Created => "Заявление принято и получило номер; скоро начнётся проверка.",
        Status::UnderReview => "Сведения проверяются в ведомствах и оператором.",
        Status::NeedsInfo => {
            "Нужно исправить или дополнить заявление — причина указана в заявлении. Исправьте и отправьте снова."
        }
        Status::Approved => "Решение положительное; осталось оформить результат.",
        Status::Rejected => "В услуге отказано; причины и что делать указаны в заявлении. Можно подать заново.",
        Status::Completed => "Услуга оказана, результат доступен в заявлении.",
        Status::Withdrawn => "Вы отозвали заявление; оно больше не рассматривается.",
    }
}

#[derive(Template)]
#[template(path = "help/errors.html")]
struct ErrorsPage {
    rows: Vec<Row>,
}

/// `GET /help`.
pub(crate) async fn index() -> Page {
    render(&HelpPage { statuses: Status::ALL.iter().map(|s| (tr(s.title()), s.tone(), tr(explain(*s)))).collect() })
}

/// `GET /help/errors`.
pub(crate) async fn errors(axum::extract::State(s): axum::extract::State<crate::AppState>) -> Page {
    render(&ErrorsPage { rows: rows(&s.catalogue) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code passed to `Problem::new` in this crate's sources.
    fn codes_in_sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                codes_in_sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("help/pages.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // `Problem::new(status, "code", …)` and `Self::new(…)` in problem.rs: the
                // code is the first literal; `page_error(text, "code")`: the second.
                let firsts = text.split("Problem::new(").skip(1).chain(text.split("Self::new(").skip(1));
                let found = firsts
                    .filter_map(|p| p.split('"').nth(1))
                    .chain(text.split("page_error(").skip(1).filter_map(|p| p.split('"').nth(3)));
                out.extend(
                    found
                        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                        .map(str::to_owned),
                );
            }
        }
    }

    #[test]
    fn every_code_a_page_can_show_has_help() {
        let catalogue = sep_core::catalogue::Catalogue::load(None).unwrap();
        let listed: Vec<String> = rows(&catalogue).into_iter().map(|r| r.code).collect();
        for code in ["mvd_passport_invalid", "fns_egrul_not_found", "authority_unconfirmed"] {
            assert!(listed.contains(&code.to_owned()), "{code}: registry and officer reasons are listed");
        }
        let mut used = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        codes_in_sources(&root.join("src"), &mut used);
        codes_in_sources(&root.join("../sep-http/src"), &mut used);
        assert!(used.len() > 10, "the scan finds the codes: {used:?}");
        for code in used.iter().chain(AuthFault::ALL.iter().map(|f| f.code().to_owned()).collect::<Vec<_>>().iter()) {
            assert!(listed.contains(code), "{code} has no help entry");
        }
        for (code, happened, action) in OTHER {
            assert!(!happened.is_empty() && !action.is_empty(), "{code}");
        }
    }
}
