//! Applications (SPEC A2, R7): the status machine every service shares, the working-day
//! calendar that expected completion dates are counted in, attachments, the registry checks,
//! the review steps the system takes on its own, and the use cases people start — drafts,
//! contact confirmation, sending, withdrawing, the officer's steps and the thread — each
//! refusing with an [`ActionError`] that has a stable code.

pub mod access;
pub mod attachment;
pub mod bulk;
pub mod calendar;
pub mod checks;
pub mod contacts;
pub mod decide;
pub mod documents;
pub mod draft;
mod error;
pub mod queue;
pub mod record;
pub mod review;
pub mod sms_confirm;
pub mod statement;
pub mod status;
pub mod store;
pub mod submit;
pub mod thread;

pub use error::ActionError;
