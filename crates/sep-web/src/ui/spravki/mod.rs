//! «Справки» (SPEC S1, S2): the kinds a person may order, «Заказать справку», the person's
//! orders with their status live, the signed PDF and its `.sig`. The rules are
//! `sep_core::spravka`; the worker makes the document.

pub(crate) mod order;
pub(crate) mod show;

use sep_core::spravka::OrderStatus;

/// The badge tone of an order's status.
fn tone(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Accepted | OrderStatus::Making => "blue",
        OrderStatus::Ready => "green",
        OrderStatus::Failed => "red",
    }
}
