//! What can go wrong at the identity provider, each with a stable code and a Russian page.

use crate::Problem;
use axum::http::StatusCode;

/// A failed login step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFault {
    /// No provider is configured.
    NotConfigured,
    /// The provider did not answer (connection refused, DNS, TLS).
    Unreachable,
    /// The provider answered too slowly.
    Timeout,
    /// The provider refused (an OAuth error, a 4xx).
    Rejected(String),
    /// The provider's answer could not be read (a 5xx page, broken JSON).
    BadResponse,
    /// The ID token failed verification (signature, audience, issuer, nonce, expiry).
    TokenInvalid(String),
    /// The person declined to share data on the consent screen.
    AccessDenied,
    /// The callback's `state` does not match the login started in this browser.
    StateMismatch,
    /// No login was started in this browser, it expired, or the callback was replayed.
    RequestUnknown,
    /// The account at the provider is not confirmed (L3).
    NotConfirmed,
}

impl AuthFault {
    /// Every fault, for the help page and exhaustive tests.
    pub const ALL: [AuthFault; 10] = [
        Self::NotConfigured,
        Self::Unreachable,
        Self::Timeout,
        Self::Rejected(String::new()),
        Self::BadResponse,
        Self::TokenInvalid(String::new()),
        Self::AccessDenied,
        Self::StateMismatch,
        Self::RequestUnknown,
        Self::NotConfirmed,
    ];

    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotConfigured => "idp_not_configured",
            Self::Unreachable => "idp_unreachable",
            Self::Timeout => "idp_timeout",
            Self::Rejected(_) => "idp_error",
            Self::BadResponse => "idp_bad_response",
            Self::TokenInvalid(_) => "idp_token_invalid",
            Self::AccessDenied => "idp_access_denied",
            Self::StateMismatch => "login_state_mismatch",
            Self::RequestUnknown => "login_request_unknown",
            Self::NotConfirmed => "account_not_confirmed",
        }
    }

    /// The page the person sees: what happened, what to do, a way to try again.
    pub fn problem(&self) -> Problem {
        let (status, title, detail, action) = match self {
            Self::NotConfigured => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Вход через Госуслуги пока не настроен",
                "В этой установке СЭП ещё не подключён поставщик учётных записей (Госуслуги или совместимый сервер OpenID Connect).",
                "Если вы администратор, укажите адрес поставщика в настройках СЭП. Если вы пользователь, попробуйте войти позже.",
            ),
            Self::Unreachable => (
                StatusCode::BAD_GATEWAY,
                "Госуслуги не отвечают",
                "Не удалось связаться с порталом Госуслуг. Вы не вошли, введённые ранее данные сохранены.",
                "Проверьте подключение к интернету и повторите вход через несколько минут.",
            ),
            Self::Timeout => (
                StatusCode::GATEWAY_TIMEOUT,
                "Госуслуги отвечают слишком долго",
                "Портал Госуслуг не ответил вовремя. Вы не вошли, введённые ранее данные сохранены.",
                "Повторите вход через несколько минут.",
            ),
            Self::Rejected(_) => (
                StatusCode::BAD_GATEWAY,
                "Госуслуги отклонили вход",
                "Портал Госуслуг вернул ошибку при подтверждении входа.",
                "Начните вход заново. Если ошибка повторяется, сообщите код ошибки в поддержку.",
            ),
            Self::BadResponse => (
                StatusCode::BAD_GATEWAY,
                "Госуслуги временно работают с ошибками",
                "Ответ портала Госуслуг не удалось прочитать.",
                "Повторите вход через несколько минут.",
            ),
            Self::TokenInvalid(_) => (
                StatusCode::BAD_GATEWAY,
                "Не удалось подтвердить вход",
                "Подпись или содержимое ответа Госуслуг не прошли проверку, поэтому вход не выполнен.",
                "Начните вход заново. Если ошибка повторяется, сообщите код ошибки в поддержку.",
            ),
            Self::AccessDenied => (
                StatusCode::FORBIDDEN,
                "Доступ к данным не предоставлен",
                "Вы отказались предоставить СЭП данные учётной записи Госуслуг. Без них войти нельзя.",
                "Начните вход заново и на странице «Предоставление прав доступа» нажмите «Предоставить».",
            ),
            Self::StateMismatch => (
                StatusCode::BAD_REQUEST,
                "Ответ Госуслуг не относится к вашему входу",
                "Ответ пришёл не для того входа, который был начат в этом браузере. Это может быть устаревшая ссылка или попытка подмены.",
                "Начните вход заново с этой страницы.",
            ),
            Self::RequestUnknown => (
                StatusCode::BAD_REQUEST,
                "Вход устарел",
                "Начатый вход не найден, устарел или уже завершён.",
                "Начните вход заново.",
            ),
            Self::NotConfirmed => (
                StatusCode::FORBIDDEN,
                "Учётная запись Госуслуг не подтверждена",
                "В СЭП могут войти только пользователи с подтверждённой учётной записью Госуслуг. У вашей учётной записи упрощённый или стандартный уровень.",
                "Подтвердите личность: в центре обслуживания с паспортом и СНИЛС, через онлайн-банк или электронной подписью. После подтверждения войдите снова.",
            ),
        };
        Problem::new(status, self.code(), title, detail, action).retry("/login", "Войти снова")
    }
}
