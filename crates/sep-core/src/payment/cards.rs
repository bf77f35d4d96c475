//! Linked bank cards of the personal account (seed 003: «Добавление и удаление привязанных
//! банковских карт. Для каждой карты указывается номер, срок действия и статус»). A card is
//! added by ticking «Сохранить карту» on the provider's card page while paying: the provider
//! keeps the number and gives the portal a token and the masked number only. Removing a card
//! unlinks it at the provider first, then here.

use super::pay::PaymentProvider;
use crate::audit::Origin;
use crate::ids::UserId;
use crate::store::{Effects, Store};
use crate::user::User;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A card the provider keeps for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedCard {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub user_id: UserId,
    /// The provider's token (the number never reaches the portal).
    pub token: String,
    /// `2200 00•• •••• 0004`.
    pub masked: String,
    /// `ММ/ГГ`.
    pub expiry: String,
    /// Linked at.
    pub created_at: OffsetDateTime,
}

impl LinkedCard {
    /// Whether it can still pay on `today`: the card is valid to the end of its expiry month.
    pub fn valid_on(&self, today: Date) -> bool {
        let mut parts = self.expiry.split('/').map(|p| p.trim().parse::<i32>().ok());
        let (Some(Some(m)), Some(Some(y))) = (parts.next(), parts.next()) else { return false };
        let (year, month) = (today.year() % 100, i32::from(u8::from(today.month())));
        (y, m) >= (year, month) && (1..=12).contains(&m)
    }

    /// «Действует» or «Срок действия истёк».
    pub fn status(&self, today: Date) -> &'static str {
        if self.valid_on(today) { "Действует" } else { "Срок действия истёк" }
    }
}

/// Why a card was not removed.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    /// Not the person's card (or no such card).
    #[error("Карта не найдена.")]
    NotFound,
    /// The provider did not answer.
    #[error("Платёжный сервис не отвечает.")]
    Unavailable(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

/// «Удалить»: unlinks the person's card `id` at the provider, then here.
pub async fn remove(
    store: &dyn Store,
    provider: &dyn PaymentProvider,
    user: &User,
    id: Uuid,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), CardError> {
    let cards = store.list_linked_cards(user.id).await?;
    let card = cards.into_iter().find(|c| c.id == id).ok_or(CardError::NotFound)?;
    // Unknown at the provider already is as good as removed there.
    provider.remove_card(&card.token).await.map_err(|e| CardError::Unavailable(e.0))?;
    let mut e = origin.event(now, "card.removed", Some(user.id));
    e.object = Some(format!("card:{}", card.id));
    e.details = serde_json::json!({ "card": card.masked });
    store.delete_linked_card(user.id, card.id, &Effects::audit(e)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_card_is_valid_to_the_end_of_its_month() {
        let card = |expiry: &str| LinkedCard {
            id: Uuid::now_v7(),
            user_id: UserId(Uuid::now_v7()),
            token: String::new(),
            masked: String::new(),
            expiry: expiry.into(),
            created_at: OffsetDateTime::UNIX_EPOCH,
        };
        let today = date!(2026 - 12 - 07);
        assert!(card("12/26").valid_on(today) && card("01/30").valid_on(today));
        assert!(!card("11/26").valid_on(today) && !card("12/25").valid_on(today));
        assert!(!card("13/30").valid_on(today) && !card("x").valid_on(today));
        assert_eq!(card("11/26").status(today), "Срок действия истёк");
    }
}
