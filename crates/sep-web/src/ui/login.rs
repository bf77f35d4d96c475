//! "Войти через Госуслуги". The relying party arrives with the login issue; until an
//! identity provider is configured the button leads to a page that says so.

use crate::Problem;
use axum::http::StatusCode;

/// `GET /login`.
pub(crate) async fn start() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "idp_not_configured",
        "Вход через Госуслуги пока не настроен",
        "В этой установке СЭП ещё не подключён поставщик учётных записей (Госуслуги или совместимый сервер OpenID Connect).",
        "Если вы администратор, укажите адрес поставщика в настройках СЭП. Если вы пользователь, попробуйте войти позже.",
    )
    .retry("/", "На главную")
}
