//! Applications (SPEC A2, R7): the status machine every service shares, and the working-day
//! calendar that expected completion dates are counted in. The engine built on these (forms,
//! attachments, checks, officer review) comes with the applications issue.

pub mod attachment;
pub mod calendar;
pub mod record;
pub mod status;
