//! Applications (SPEC A2, R7): the status machine every service shares, the working-day
//! calendar that expected completion dates are counted in, attachments, the registry checks
//! and the review steps the system takes on its own.

pub mod attachment;
pub mod calendar;
pub mod checks;
pub mod record;
pub mod review;
pub mod status;
pub mod store;
