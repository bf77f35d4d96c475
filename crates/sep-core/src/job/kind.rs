//! The queues and the kinds of job, named in one place: producers build jobs from a
//! [`JobKind`] (which knows its [`Queue`]), consumers match on [`Job::kind`](super::Job::kind).
//! The codes are what `jobs.queue` and `jobs.kind` store; changing one needs a migration.

use std::fmt;

/// A queue of jobs, one worker pool per queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// What happens to a sent application on its own: registry checks, completion.
    Review,
    /// Messages to people: e-mail and SMS.
    Notify,
    /// Справки: making them, and their postal copies.
    Spravki,
    /// Payments whose outcome is not known yet.
    Payments,
    /// Receipts of successful payments.
    Receipts,
    /// Refunds of overpayments.
    Refunds,
    /// Webhook events and their deliveries.
    Webhooks,
    /// Asynchronous operations of the API (bulk imports).
    Operations,
    /// E-passports made from completed applications.
    Passports,
}

impl Queue {
    /// Every queue.
    pub const ALL: [Self; 9] = [
        Self::Review,
        Self::Notify,
        Self::Spravki,
        Self::Payments,
        Self::Receipts,
        Self::Refunds,
        Self::Webhooks,
        Self::Operations,
        Self::Passports,
    ];

    /// Stable code as stored.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Notify => "notify",
            Self::Spravki => "spravki",
            Self::Payments => "payments",
            Self::Receipts => "receipts",
            Self::Refunds => "refunds",
            Self::Webhooks => "webhooks",
            Self::Operations => "operations",
            Self::Passports => "passports",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.code() == code)
    }
}

impl fmt::Display for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Start the review of a sent application and run the registry checks.
    CheckApplication,
    /// Complete an approved application.
    CompleteApplication,
    /// Send an e-mail (`to`, `subject`, `text`).
    SendEmail,
    /// Send an SMS (`to`, `text`).
    SendSms,
    /// Make an ordered справка (`order`).
    MakeSpravka,
    /// Move a справка's postal copy one step (`order`).
    AdvancePost,
    /// Ask the provider about a payment whose outcome is unknown (`payment`).
    CheckPayment,
    /// Draw and sign a successful payment's receipt (`payment`).
    MakeReceipt,
    /// Hand a refund to the treasury (`refund`).
    ProcessRefund,
    /// Return a rejected application's state fee through the provider (`application`).
    RefundFee,
    /// Turn an event into messages for the endpoints subscribed to it (`event`, `user`, `type`).
    WebhookEvent,
    /// Deliver a webhook message (`message`, `try`).
    WebhookDeliver,
    /// Run (or resume) an asynchronous operation (`operation`).
    RunOperation,
    /// Make the e-passport of a completed application (`application`).
    IssuePassport,
}

impl JobKind {
    /// Every kind.
    pub const ALL: [Self; 14] = [
        Self::CheckApplication,
        Self::CompleteApplication,
        Self::SendEmail,
        Self::SendSms,
        Self::MakeSpravka,
        Self::AdvancePost,
        Self::CheckPayment,
        Self::MakeReceipt,
        Self::ProcessRefund,
        Self::RefundFee,
        Self::WebhookEvent,
        Self::WebhookDeliver,
        Self::RunOperation,
        Self::IssuePassport,
    ];

    /// Stable code as stored.
    pub const fn code(self) -> &'static str {
        match self {
            Self::CheckApplication => "check_application",
            Self::CompleteApplication => "complete_application",
            Self::SendEmail => "send_email",
            Self::SendSms => "send_sms",
            Self::MakeSpravka => "make_spravka",
            Self::AdvancePost => "advance_post",
            Self::CheckPayment => "check_payment",
            Self::MakeReceipt => "make_receipt",
            Self::ProcessRefund => "process_refund",
            Self::RefundFee => "refund_fee",
            Self::WebhookEvent => "webhook_event",
            Self::WebhookDeliver => "webhook_deliver",
            Self::RunOperation => "run_operation",
            Self::IssuePassport => "issue_passport",
        }
    }

    /// From the stored code; `None` for a kind this version does not know.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The queue whose workers do this kind.
    pub const fn queue(self) -> Queue {
        match self {
            Self::CheckApplication | Self::CompleteApplication => Queue::Review,
            Self::SendEmail | Self::SendSms => Queue::Notify,
            Self::MakeSpravka | Self::AdvancePost => Queue::Spravki,
            Self::CheckPayment | Self::RefundFee => Queue::Payments,
            Self::MakeReceipt => Queue::Receipts,
            Self::ProcessRefund => Queue::Refunds,
            Self::WebhookEvent | Self::WebhookDeliver => Queue::Webhooks,
            Self::RunOperation => Queue::Operations,
            Self::IssuePassport => Queue::Passports,
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_stored_ones_and_read_back() {
        let kinds: Vec<_> = JobKind::ALL.iter().map(|k| (k.code(), k.queue().code())).collect();
        assert_eq!(
            kinds,
            [
                ("check_application", "review"),
                ("complete_application", "review"),
                ("send_email", "notify"),
                ("send_sms", "notify"),
                ("make_spravka", "spravki"),
                ("advance_post", "spravki"),
                ("check_payment", "payments"),
                ("make_receipt", "receipts"),
                ("process_refund", "refunds"),
                ("refund_fee", "payments"),
                ("webhook_event", "webhooks"),
                ("webhook_deliver", "webhooks"),
                ("run_operation", "operations"),
                ("issue_passport", "passports")
            ]
        );
        for k in JobKind::ALL {
            assert_eq!(JobKind::from_code(k.code()), Some(k));
        }
        for q in Queue::ALL {
            assert_eq!(Queue::from_code(q.code()), Some(q));
        }
        assert_eq!(JobKind::from_code("send_fax"), None);
        assert_eq!(Queue::from_code("mail"), None);
    }
}
