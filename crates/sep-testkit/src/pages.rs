//! The signed-in pages that issue 20's benchmark (`examples/pages_bench.rs`) measures, kept
//! beside the route list: every `GET` route for a signed-in person is either measured here or
//! named in [`NOT_MEASURED`] with the reason, and the routes test fails when a new one is in
//! neither — so a page an area adds is measured from the day it lands.

/// Who opens the page in the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The demo citizen, with applications, files and notices.
    Citizen,
    /// The demo officer of the agency that reviews them.
    Officer,
    /// The demo officer of МВД, who keeps the e-passport registry.
    RegistryOfficer,
}

/// The measured pages; `{id}` is one of the citizen's submitted applications.
pub const MEASURED: &[(&str, Actor)] = &[
    ("/cabinet", Actor::Citizen),
    ("/applications", Actor::Citizen),
    ("/applications/{id}", Actor::Citizen),
    ("/documents", Actor::Citizen),
    ("/history", Actor::Citizen),
    ("/sessions", Actor::Citizen),
    ("/settings", Actor::Citizen),
    ("/profile/contacts", Actor::Citizen),
    ("/mail", Actor::Citizen),
    ("/mail/counterparties", Actor::Citizen),
    ("/tokens", Actor::Citizen),
    ("/access", Actor::Citizen),
    ("/signature", Actor::Citizen),
    ("/passport", Actor::Citizen),
    ("/spravki", Actor::Citizen),
    ("/payments", Actor::Citizen),
    ("/payments/account", Actor::Citizen),
    ("/officer", Actor::Officer),
    ("/officer/applications/{id}", Actor::Officer),
    ("/officer/passports", Actor::RegistryOfficer),
    ("/officer/spravki", Actor::Officer),
];

/// `GET` routes for a signed-in person that are not measured, and why.
pub const NOT_MEASURED: &[(&str, &str)] = &[
    ("/terms", "shown once, before the first use"),
    ("/events", "a live stream, measured per open stream"),
    ("/documents/issued/{id}", "a download"),
    ("/profile/contacts/email/confirm", "a form step"),
    ("/applications/{id}/check", "a form step of a draft"),
    ("/applications/{id}/contacts/email/confirm", "a form step of a draft"),
    ("/applications/{id}/attachments/{file}", "a download"),
    ("/applications/{id}/statement.json", "a download"),
    ("/applications/{id}/messages/{message}/file", "a download"),
    ("/applications/import", "a form"),
    ("/applications/import/{operation}", "a page of one import"),
    ("/applications/import/{operation}/status", "a background request of one import"),
    ("/mail/new", "a form"),
    ("/mail/{conversation}", "a page of one conversation"),
    ("/mail/letters/{letter}/files/{n}", "a download"),
    ("/mail/letters/{letter}/zip", "a download"),
    ("/mail/letters/{letter}/text", "a download"),
    ("/mail/letters/{letter}/signatures/{n}", "a download"),
    ("/mail/letters/{letter}/receipt", "a download"),
    ("/mail/sign/{signing}", "a form step"),
    ("/oauth/authorize", "a consent step of a program's sign-in"),
    ("/signature/certificate.cer", "a download"),
    ("/documents/sign/{id}", "a form step"),
    ("/documents/signatures/{id}", "a download"),
    ("/passport/{id}/photo", "a download"),
    ("/passport/{id}/qr", "a page of the code"),
    ("/passport/{id}/qr.svg", "a download"),
    ("/passport/{id}/qr.png", "a download"),
    ("/spravki/{id}", "a page of one order"),
    ("/spravki/{id}/status", "a background request of one order"),
    ("/spravki/{id}/pdf", "a download"),
    ("/spravki/{id}/sig", "a download"),
    ("/spravki/{id}/zip", "a download"),
    ("/payments/charges/{uin}", "a page of one charge"),
    ("/payments/charges/{uin}/qr.png", "a download"),
    ("/payments/result/{id}", "a page after paying"),
    ("/payments/account/report", "a download"),
];
