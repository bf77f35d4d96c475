//! `/history` «История операций» (SPEC L7, SEC4): the person's own journal entries, and the
//! name of every operation in words.

use crate::AppState;
use crate::error::Page;
use crate::extract::SignedIn;
use crate::ui::components::render;
use askama::Template;
use axum::extract::State;
use sep_core::audit::Outcome;

struct Row {
    time: String,
    action: &'static str,
    outcome: &'static str,
    ip: String,
    seq: i64,
}

#[derive(Template)]
#[template(path = "cabinet/history.html")]
struct HistoryPage {
    rows: Vec<Row>,
}

/// What an operation in the journal was, in words.
pub(crate) fn action_title(code: &str) -> &'static str {
    match code {
        "auth.login" => "Вход через Госуслуги",
        "auth.logout" => "Выход",
        "session.ended" => "Сеанс завершён",
        "user.created" => "Создан профиль СЭП",
        "terms.accepted" => "Приняты условия использования",
        "user.relinked" => "Восстановлена связь с Госуслугами",
        "session.end_refused" => "Отказ в завершении чужого сеанса",
        "application.created" => "Создан черновик заявления",
        "application.submitted" => "Заявление отправлено",
        "application.access_denied" => "Отказ в доступе к чужому заявлению",
        "application.review_started" => "Начата проверка заявления",
        "application.checked" => "Заявление проверено по реестрам",
        "application.completed" => "Услуга оказана",
        "application.taken" => "Заявление взято в работу",
        "application.approved" => "Заявление одобрено",
        "application.rejected" => "Заявление отклонено",
        "application.needs_info" => "Запрошены сведения",
        "application.withdrawn" => "Заявление отозвано",
        "application.message" => "Сообщение по заявлению",
        "document.accepted" => "Документ принят",
        "document.refused" => "Документ не принят",
        "document.removed" => "Документ удалён из заявления",
        "document.downloaded" => "Документ открыт сотрудником ведомства",
        "settings.changed" => "Изменены настройки",
        "documents.exported" => "Выгружен архив документов",
        "security.login_protection_on" => "Включена «Защита входа»",
        "security.login_protection_off" => "Выключена «Защита входа»",
        "auth.session_replaced" => "Сеанс заменён новым входом",
        "profile.contact_code_sent" => "Отправлен код для смены контакта",
        "profile.contact_changed" => "Изменён телефон или электронная почта",
        "mail.sent" => "Отправлено сообщение",
        "mail.signed" => "Сообщение подписано электронной подписью",
        "mail.read" => "Прочитана переписка",
        "mail.archived" => "Переписка перенесена в архив",
        "mail.unarchived" => "Переписка возвращена из архива",
        "mail.draft_deleted" => "Удалён черновик сообщения",
        "mail.counterparty_added" => "Добавлен контрагент",
        "mail.counterparty_removed" => "Удалён контрагент",
        "mail.addressee_found" => "Сотрудник ведомства нашёл вас по СНИЛС, чтобы написать",
        "api.token_issued" => "Выпущен токен доступа",
        "api.token_revoked" => "Отозван токен доступа",
        _ => "Операция",
    }
}

/// `GET /history`: the person's own journal entries (L7, SEC4).
pub(crate) async fn history(State(s): State<AppState>, SignedIn { user, .. }: SignedIn) -> Page {
    let events = s.store.list_audit_for_user(user.id, None, 50).await?;
    let rows = events
        .into_iter()
        .map(|e| Row {
            time: sep_http::moscow::seconds(e.event.at),
            action: action_title(&e.event.action),
            outcome: match e.event.outcome {
                Outcome::Success => "Выполнено",
                Outcome::Failure => "Ошибка",
                Outcome::Denied => "Отказано",
            },
            ip: e.event.ip.unwrap_or_default(),
            seq: e.seq,
        })
        .collect();
    render(&HistoryPage { rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation in the history has its English name.
    #[test]
    fn every_operation_has_english() {
        let source = include_str!("history.rs");
        let body = source.split("pub(crate) fn action_title").nth(1).unwrap().split("\n}\n").next().unwrap();
        let codes: Vec<&str> = body.lines().filter_map(|l| l.trim().strip_prefix('"')?.split('"').next()).collect();
        assert!(codes.len() > 20, "{codes:?}");
        for code in codes {
            let title = action_title(code);
            let en = crate::i18n::tr_in(crate::i18n::Lang::En, title);
            assert_ne!(en, title, "{code}: no English for «{title}»");
        }
    }
}
