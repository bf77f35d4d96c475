//! The application's journal as the applicant and the officer see it (SPEC A2): every status
//! change with time, who, comment and reasons.

use sep_core::application::record::ApplicationEvent;

/// One journal line.
pub(crate) struct EventView {
    pub(crate) time: String,
    pub(crate) actor: &'static str,
    pub(crate) status: &'static str,
    pub(crate) tone: &'static str,
    pub(crate) comment: String,
    pub(crate) reasons: Vec<(String, String)>,
}

fn actor_title(code: &str) -> &'static str {
    match code {
        "applicant" => "Заявитель",
        "officer" => "Сотрудник ведомства",
        _ => "Система",
    }
}

/// Journal lines, newest first, times in Moscow time.
pub(crate) fn views(events: &[ApplicationEvent]) -> Vec<EventView> {
    events
        .iter()
        .rev()
        .map(|e| EventView {
            time: super::moscow(e.at),
            actor: crate::i18n::tr(actor_title(&e.actor)),
            status: crate::i18n::tr(e.to.title()),
            tone: e.to.tone(),
            // Notes the code wrote (also for the applicant's and officer's actions) are known
            // sentences and get translated; an officer's own words match none and stay as written.
            comment: crate::i18n::tr_dyn(&e.comment),
            reasons: e.reasons.iter().map(|r| (r.code.clone(), crate::i18n::tr_dyn(&r.text))).collect(),
        })
        .collect()
}
