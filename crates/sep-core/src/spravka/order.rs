//! An order of a справка (SPEC S2) and its life: «Принят» → «Формируется» → «Готово», or
//! «Ошибка» with a code and a reason; a postal copy has its own statuses.

use crate::ids::UserId;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// «Принят»: stored, waiting for the worker.
    Accepted,
    /// «Формируется»: the worker is reading the registry and making the document.
    Making,
    /// «Готово»: the signed PDF is in «Мои документы».
    Ready,
    /// «Ошибка»: it could not be made; the order says why.
    Failed,
}

impl OrderStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Accepted, Self::Making, Self::Ready, Self::Failed];

    /// Stable code as stored and in `data-status`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Making => "making",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// As people read it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Accepted => "Принят",
            Self::Making => "Формируется",
            Self::Ready => "Готово",
            Self::Failed => "Ошибка",
        }
    }

    /// Whether the order will not change any more (but for its postal copy).
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Ready | Self::Failed)
    }
}

/// A postal copy's status, as the post reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PostStatus {
    /// «Принято в отделении связи».
    Accepted,
    /// «В пути».
    InTransit,
    /// «Вручено».
    Delivered,
}

impl PostStatus {
    /// Every status, in order.
    pub const ALL: [Self; 3] = [Self::Accepted, Self::InTransit, Self::Delivered];

    /// Stable code as stored.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::InTransit => "in_transit",
            Self::Delivered => "delivered",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// As people read it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Accepted => "Принято в отделении связи",
            Self::InTransit => "В пути",
            Self::Delivered => "Вручено",
        }
    }

    /// The next status, if any.
    pub const fn next(self) -> Option<Self> {
        match self {
            Self::Accepted => Some(Self::InTransit),
            Self::InTransit => Some(Self::Delivered),
            Self::Delivered => None,
        }
    }
}

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Id.
    pub id: Uuid,
    /// Its number (`S2026-000001`), given at once.
    pub number: String,
    /// Who ordered it (and whom it describes, unless it is for an organisation).
    pub user_id: UserId,
    /// The organisation it describes, when its head ordered it for it.
    pub org: Option<super::records::OrgHolder>,
    /// The kind's code.
    pub kind: String,
    /// The period, for kinds that take one.
    pub period: Option<(Date, Date)>,
    /// What it is for, printed on it.
    pub purpose: String,
    /// The confirmed e-mail it is also sent to.
    pub email: Option<String>,
    /// The postal address a paper copy goes to.
    pub post_address: Option<String>,
    /// The form's one-time key: a second press of «Заказать справку» finds this order.
    pub request_key: String,
    /// Status.
    pub status: OrderStatus,
    /// Why it failed: code and text.
    pub error: Option<(String, String)>,
    /// The issued document, once ready.
    pub document_id: Option<Uuid>,
    /// The postal tracking number (ШПИ), once sent.
    pub tracking: Option<String>,
    /// The postal copy's status and when it was reached.
    pub post: Option<(PostStatus, OffsetDateTime)>,
    /// Ordered at.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_code(s.code()), Some(s));
        }
        for s in PostStatus::ALL {
            assert_eq!(PostStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(OrderStatus::from_code("done"), None);
        assert_eq!(PostStatus::Accepted.next(), Some(PostStatus::InTransit));
        assert_eq!(PostStatus::Delivered.next(), None);
    }
}
