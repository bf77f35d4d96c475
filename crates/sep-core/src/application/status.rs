//! The statuses of an application (seed 002 «Статусы заявления»; SPEC R7, A3) as a state
//! machine: a transition either follows the table below or is refused with a stable code.
//!
//! ```text
//! Черновик ──submit──► Создано ──start_review──► На проверке ──approve──► Одобрено ──complete──► Завершено
//!                        ▲                          │  │
//!                        │                          │  └──request_info──► Требуются сведения ──resubmit──┐
//!                        └────────resubmit──── Отклонено ◄──reject (with reasons)                       │
//!                        ▲─────────────────────────────────────────────────────────────────────────────┘
//! Создано | На проверке | Требуются сведения ──withdraw──► Отозвано
//! ```

/// Where an application is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Черновик: being filled in, saved as the person types.
    Draft,
    /// Создано: submitted with consent, waiting for the checks.
    Created,
    /// На проверке: automatic checks or an officer at work.
    UnderReview,
    /// Требуются сведения: the officer asked for more data.
    NeedsInfo,
    /// Одобрено.
    Approved,
    /// Отклонено, with reasons; the applicant may fix and resubmit.
    Rejected,
    /// Завершено: the service was provided.
    Completed,
    /// Отозвано by the applicant.
    Withdrawn,
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The applicant.
    Applicant,
    /// An officer of the responsible agency.
    Officer,
    /// The system (automatic checks, jobs).
    System,
}

/// A reason for a rejection or a request, with a stable code and an explanation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reason {
    /// Stable code, e.g. `passport_invalid`.
    pub code: String,
    /// What is wrong and what to do, in Russian.
    pub text: String,
}

/// What happens to an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send the draft.
    Submit,
    /// Start the checks or take into work.
    StartReview,
    /// Ask the applicant for more data.
    RequestInfo(Vec<Reason>),
    /// Approve.
    Approve,
    /// Reject, with at least one reason.
    Reject(Vec<Reason>),
    /// Send again after fixing.
    Resubmit,
    /// The service is provided.
    Complete,
    /// The applicant withdraws.
    Withdraw,
}

/// What the applicant may do in a status (shown as buttons; checked on every request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Change the form and attachments.
    Edit,
    /// Send (a draft) or send again (after a rejection or a request).
    Send,
    /// Withdraw the application.
    Withdraw,
    /// Delete a draft.
    Delete,
    /// Write to the operator ("Связаться с оператором").
    Message,
}

/// A refused transition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The table has no such step from this status.
    #[error("Это действие невозможно для заявления в статусе «{from}»")]
    Illegal {
        /// The current status's title.
        from: &'static str,
    },
    /// The step exists, but not for this actor.
    #[error("Это действие вам недоступно")]
    NotYourStep,
    /// A rejection or request without reasons.
    #[error("Укажите причину: хотя бы один код с пояснением")]
    NoReason,
}

impl TransitionError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Illegal { .. } => "status_transition_illegal",
            Self::NotYourStep => "status_actor_not_allowed",
            Self::NoReason => "status_reason_required",
        }
    }
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 8] = [
        Self::Draft,
        Self::Created,
        Self::UnderReview,
        Self::NeedsInfo,
        Self::Approved,
        Self::Rejected,
        Self::Completed,
        Self::Withdrawn,
    ];

    /// Stable code as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Created => "created",
            Self::UnderReview => "under_review",
            Self::NeedsInfo => "needs_info",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Completed => "completed",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// From the stored code.
    pub fn from_code(c: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == c)
    }

    /// The Russian title, as on the status badge.
    pub fn title(self) -> &'static str {
        match self {
            Self::Draft => "Черновик",
            Self::Created => "Создано",
            Self::UnderReview => "На проверке",
            Self::NeedsInfo => "Требуются сведения",
            Self::Approved => "Одобрено",
            Self::Rejected => "Отклонено",
            Self::Completed => "Завершено",
            Self::Withdrawn => "Отозвано",
        }
    }

    /// Badge tone (DESIGN.md): grey, blue, amber, green, red. Always shown with the title.
    pub fn tone(self) -> &'static str {
        match self {
            Self::Draft | Self::Withdrawn => "grey",
            Self::Created | Self::UnderReview => "blue",
            Self::NeedsInfo => "amber",
            Self::Approved | Self::Completed => "green",
            Self::Rejected => "red",
        }
    }

    /// Whether nothing more can happen.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Withdrawn)
    }

    /// What the applicant may do now.
    pub fn allowed(self) -> &'static [Allowed] {
        match self {
            Self::Draft => &[Allowed::Edit, Allowed::Send, Allowed::Delete],
            Self::Created | Self::UnderReview => &[Allowed::Withdraw, Allowed::Message],
            Self::NeedsInfo | Self::Rejected => &[Allowed::Edit, Allowed::Send, Allowed::Withdraw, Allowed::Message],
            Self::Approved | Self::Completed => &[Allowed::Message],
            Self::Withdrawn => &[],
        }
    }

    /// The status after `action` by `actor`, or why not.
    pub fn apply(self, action: &Action, actor: Actor) -> Result<Status, TransitionError> {
        use Action as A;
        use Actor::{Applicant, Officer, System};
        use Status as S;
        let (to, who): (Status, &[Actor]) = match (self, action) {
            (S::Draft, A::Submit) => (S::Created, &[Applicant]),
            (S::Created, A::StartReview) => (S::UnderReview, &[System, Officer]),
            (S::UnderReview, A::RequestInfo(_)) => (S::NeedsInfo, &[Officer]),
            (S::UnderReview, A::Approve) => (S::Approved, &[System, Officer]),
            (S::UnderReview, A::Reject(_)) => (S::Rejected, &[System, Officer]),
            (S::NeedsInfo | S::Rejected, A::Resubmit) => (S::Created, &[Applicant]),
            (S::Approved, A::Complete) => (S::Completed, &[System, Officer]),
            (S::Created | S::UnderReview | S::NeedsInfo, A::Withdraw) => (S::Withdrawn, &[Applicant]),
            _ => return Err(TransitionError::Illegal { from: self.title() }),
        };
        if !who.contains(&actor) {
            return Err(TransitionError::NotYourStep);
        }
        if let A::Reject(r) | A::RequestInfo(r) = action
            && (r.is_empty() || r.iter().any(|x| x.code.trim().is_empty() || x.text.trim().is_empty()))
        {
            return Err(TransitionError::NoReason);
        }
        Ok(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reason() -> Vec<Reason> {
        vec![Reason {
            code: "passport_invalid".into(), text: "Паспорт недействителен: проверьте серию и номер".into()
        }]
    }

    #[test]
    fn the_citizen_path_and_the_rejection_loop() {
        let s = Status::Draft.apply(&Action::Submit, Actor::Applicant).unwrap();
        let s = s.apply(&Action::StartReview, Actor::System).unwrap();
        let s = s.apply(&Action::Reject(reason()), Actor::System).unwrap();
        assert_eq!(s, Status::Rejected);
        assert!(s.allowed().contains(&Allowed::Edit), "the applicant fixes the same application");
        let s = s.apply(&Action::Resubmit, Actor::Applicant).unwrap();
        let s = s.apply(&Action::StartReview, Actor::System).unwrap();
        let s = s.apply(&Action::Approve, Actor::Officer).unwrap();
        let s = s.apply(&Action::Complete, Actor::System).unwrap();
        assert_eq!((s, s.is_final(), s.title()), (Status::Completed, true, "Завершено"));
    }

    #[test]
    fn refusals_carry_codes() {
        let e = Status::Draft.apply(&Action::Approve, Actor::Officer).unwrap_err();
        assert_eq!(e.code(), "status_transition_illegal");
        assert!(e.to_string().contains("«Черновик»"));
        assert_eq!(
            Status::UnderReview.apply(&Action::Approve, Actor::Applicant).unwrap_err().code(),
            "status_actor_not_allowed"
        );
        assert_eq!(
            Status::UnderReview.apply(&Action::Reject(vec![]), Actor::Officer).unwrap_err().code(),
            "status_reason_required"
        );
        let blank = vec![Reason { code: "x".into(), text: " ".into() }];
        assert_eq!(
            Status::UnderReview.apply(&Action::RequestInfo(blank), Actor::Officer).unwrap_err().code(),
            "status_reason_required"
        );
        assert_eq!(
            Status::Completed.apply(&Action::Withdraw, Actor::Applicant).unwrap_err().code(),
            "status_transition_illegal"
        );
    }

    #[test]
    fn codes_round_trip_and_every_status_has_a_word_and_a_tone() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
            assert!(!s.title().is_empty() && !s.tone().is_empty());
        }
        assert_eq!(Status::from_code("nonsense"), None);
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::Submit),
            Just(Action::StartReview),
            Just(Action::RequestInfo(reason())),
            Just(Action::Approve),
            Just(Action::Reject(reason())),
            Just(Action::Resubmit),
            Just(Action::Complete),
            Just(Action::Withdraw),
        ]
    }

    fn any_actor() -> impl Strategy<Value = Actor> {
        prop_oneof![Just(Actor::Applicant), Just(Actor::Officer), Just(Actor::System)]
    }

    proptest! {
        /// Whatever happens, final statuses stay final, a draft is only left by submitting,
        /// and an applicant can never approve, reject or complete.
        #[test]
        fn invariants_hold_on_any_sequence(steps in proptest::collection::vec((any_action(), any_actor()), 0..40)) {
            let mut s = Status::Draft;
            for (action, actor) in steps {
                let before = s;
                if let Ok(next) = s.apply(&action, actor) {
                    prop_assert!(!before.is_final(), "left a final status {before:?}");
                    if before == Status::Draft {
                        prop_assert_eq!(next, Status::Created);
                    }
                    if actor == Actor::Applicant {
                        prop_assert!(!matches!(next, Status::Approved | Status::Rejected | Status::Completed | Status::UnderReview));
                    }
                    s = next;
                }
            }
        }
    }
}
