//! One error type for every handler, rendered as a Russian HTML page or as RFC 9457 JSON
//! by the presenter middleware, which knows the request id and what the client accepts.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Something the user must be told: what happened, what to do, and a stable code.
#[derive(Debug, Clone)]
pub struct Problem {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code.
    pub code: &'static str,
    /// Short title.
    pub title: String,
    /// What happened.
    pub detail: String,
    /// What to do.
    pub action: String,
    /// A link to try again, with its label.
    pub retry: Option<(String, String)>,
    /// Seconds after which a retry may succeed (`Retry-After`).
    pub retry_after: Option<u64>,
    /// How to authenticate, for a 401 or 403 of a token (`WWW-Authenticate`, RFC 6750 §3).
    pub challenge: Option<&'static str>,
    /// What caused a server-side failure, for the log only (never shown): the presenter logs
    /// it once, so handlers do not.
    pub cause: Option<String>,
    /// What is wrong with each field of a refused request (the API's `errors`).
    pub errors: Vec<FieldError>,
}

/// One field's refusal in a problem: which field, its code, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name (or a form's anchor: `contacts`, `doc-<code>`).
    pub field: String,
    /// Stable code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem with the given texts.
    pub fn new(status: StatusCode, code: &'static str, title: &str, detail: &str, action: &str) -> Self {
        Self {
            status,
            code,
            title: title.to_owned(),
            detail: detail.to_owned(),
            action: action.to_owned(),
            retry: None,
            retry_after: None,
            challenge: None,
            cause: None,
            errors: Vec::new(),
        }
    }

    /// The same problem naming what is wrong with each field.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    /// The same problem with a `WWW-Authenticate` challenge.
    pub fn challenge(mut self, challenge: &'static str) -> Self {
        self.challenge = Some(challenge);
        self
    }

    /// 429: too many requests from one address or person; `wait` until the next is allowed
    /// (sent as `Retry-After`, whole seconds rounded up).
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let mut p = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Слишком много запросов",
            "С вашего адреса или от вашей учётной записи было слишком много запросов подряд, поэтому новые временно не принимаются.",
            "Подождите минуту и повторите.",
        );
        p.retry_after = Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        p
    }

    /// Records what caused the failure, for the log.
    pub fn caused_by(mut self, cause: impl std::fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }

    /// 401: the session ended (or never was) while the page stayed open, and a background
    /// request of that page (a draft being saved, live news) was refused.
    pub fn session_ended() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "session_ended",
            "Сеанс завершён",
            "Сеанс работы закончился: вы вышли, он истёк по времени бездействия или был завершён с другого устройства. Последние изменения на странице не сохранены.",
            "Войдите снова: черновик сохранён до последнего автоматического сохранения.",
        )
        .retry("/login", "Войти")
    }

    /// 409: the data changed under the request (someone else changed it first).
    pub fn changed() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "data_changed",
            "Данные изменились",
            "Пока вы работали со страницей, данные изменились, поэтому действие не выполнено.",
            "Откройте страницу заново: на ней текущее состояние. Затем повторите действие.",
        )
    }

    /// Adds a "try again" link.
    pub fn retry(mut self, href: &str, label: &str) -> Self {
        self.retry = Some((href.to_owned(), label.to_owned()));
        self
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Страница не найдена",
            "Такой страницы нет: возможно, ссылка устарела или в адресе опечатка.",
            "Проверьте адрес или начните с главной страницы.",
        )
        .retry("/", "На главную")
    }

    /// The problem for a bare error status produced below the handlers (method not allowed,
    /// body too large, timeout, panic).
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::UNAUTHORIZED => Self::session_ended(),
            StatusCode::METHOD_NOT_ALLOWED => Self::new(
                status,
                "method_not_allowed",
                "Действие не поддерживается",
                "Этот адрес не принимает такой запрос.",
                "Вернитесь на предыдущую страницу и воспользуйтесь кнопками на ней.",
            ),
            StatusCode::FORBIDDEN => Self::new(
                status,
                "forbidden",
                "Запрос отклонён",
                "Запрос отправлен с другого сайта или из устаревшей страницы, поэтому он не выполнен.",
                "Откройте страницу заново с этого сайта и повторите действие.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                status,
                "payload_too_large",
                "Слишком большой объём данных",
                "Отправленные данные превышают допустимый размер.",
                "Уменьшите размер файла или текста и отправьте снова.",
            ),
            StatusCode::REQUEST_TIMEOUT => Self::new(
                status,
                "request_timeout",
                "Запрос не дошёл целиком",
                "Данные формы перестали поступать: соединение слишком медленное или прервалось. Ничего не сохранено.",
                "Проверьте подключение к интернету и отправьте форму снова.",
            ),
            StatusCode::SERVICE_UNAVAILABLE => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                "Сервис временно недоступен",
                "Сервис не успел ответить на запрос. Введённые данные не потеряны.",
                "Подождите минуту и повторите попытку.",
            ),
            s if s.is_client_error() => Self::new(
                s,
                "bad_request",
                "Запрос не может быть выполнен",
                "Запрос составлен неверно.",
                "Вернитесь на предыдущую страницу и повторите действие.",
            ),
            _ => Self::internal(),
        }
    }

    /// 500: details stay in the log, the user gets the request id.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Внутренняя ошибка",
            "При обработке запроса произошла ошибка на нашей стороне. Введённые данные не потеряны.",
            "Повторите попытку через несколько минут. Если ошибка повторяется, обратитесь в поддержку.",
        )
    }
}

impl Problem {
    /// The same problem with its texts in `lang` (the code stays: it is what support reads).
    pub fn in_lang(self, lang: crate::i18n::Lang, texts: &crate::i18n::Catalog) -> Self {
        let t = |s: &str| texts.tr_dyn_in(lang, s);
        Self {
            title: t(&self.title),
            detail: t(&self.detail),
            action: t(&self.action),
            retry: self.retry.map(|(href, label)| (href, t(&label))),
            errors: self.errors.into_iter().map(|e| FieldError { message: t(&e.message), ..e }).collect(),
            ..self
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        // The presenter renders it; the extension carries it there.
        let mut res = self.status.into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs.max(1)));
        }
        if let Some(c) = self.challenge {
            res.headers_mut().insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static(c));
        }
        res.extensions_mut().insert(self);
        res
    }
}
