//! «Электронный ящик» (SPEC M1, issue 17) in process with signed-in browsers: a citizen writes
//! to an agency with files, the agency's officer reads (the read receipt) and answers, the
//! citizen reads the answer, downloads a file and the message as ZIP, archives the
//! conversation; counterparties are added by ИНН or ОГРН after ФНС confirms them; bad input is
//! refused with its code and nothing is sent; nobody else reaches any of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::PDF;
use axum::http::StatusCode;
use sep_core::clock::Clock;
use sep_core::demo::OFFICER_AGENCY;
use sep_testkit::{Backend, TestApp};

const XML: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<declaration year=\"2025\"/>\n";

#[tokio::test]
async fn sqlite_a_citizen_and_an_agency_correspond() {
    a_citizen_and_an_agency_correspond(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_citizen_and_an_agency_correspond() {
    a_citizen_and_an_agency_correspond(Backend::Postgres).await;
}

/// Percent-encoded, for a query string.
fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// A stranger's search finds nothing of conversation `c`.
async fn other_sees_nothing(t: &TestApp, c: &str) -> bool {
    let other = t.sign_in_as("+79345678901").await;
    let found = other.page(&format!("/mail?q={}", enc("регистрацию"))).await;
    found.contains("data-found=\"0\"") && !found.contains(c)
}

fn conversation_of(location: &str) -> String {
    location.trim_start_matches("/mail/").split('?').next().unwrap().to_owned()
}

async fn a_citizen_and_an_agency_correspond(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    assert!(w.page("/cabinet").await.contains("href=\"/mail\""), "linked from the cabinet");
    let new = w.page("/mail/new").await;
    let to = format!("agency:{OFFICER_AGENCY}");
    assert!(new.contains(&format!("value=\"{to}\"")) && new.contains("value=\"agency:ФНС России\""), "{new}");

    let fields = [("to", to.as_str()), ("subject", "Вопрос о регистрации"), ("text", "Прошу пояснить.\nСпасибо.")];
    let files = [("files", "заявление.pdf", PDF), ("files", "декларация.xml", XML)];
    let r = w.upload("/mail", &fields, &files).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let c = conversation_of(r.location());
    let mine = w.page(&format!("/mail/{c}")).await;
    assert!(mine.contains("Вопрос о регистрации") && mine.contains("декларация.xml"), "{mine}");
    assert!(mine.contains("data-receipt=\"delivered\""), "delivered, not read yet: {mine}");
    assert!(w.page("/mail?folder=sent").await.contains(&c));
    assert!(!w.page("/mail").await.contains(&c), "nothing received yet");

    // The officer reads the agency's mailbox and answers.
    let officer = t.officer(OFFICER_AGENCY).await;
    let inbox = officer.page("/mail?box=agency").await;
    assert!(inbox.contains(&c) && inbox.contains("data-unread=\"1\""), "{inbox}");
    let theirs = officer.page(&format!("/mail/{c}?box=agency")).await;
    assert!(theirs.contains("Прошу пояснить.") && theirs.contains("Иванов Иван Иванович"), "{theirs}");
    assert!(!officer.page("/mail?box=agency").await.contains("data-unread="), "read now");
    assert!(w.page(&format!("/mail/{c}")).await.contains("data-receipt=\"read\""), "the sender sees «Прочитано»");
    // The citizen's open cabinet hears of the answer without a reload.
    let cabinet = w.page("/cabinet").await;
    let since = cabinet.split("data-live=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let mut events = w.stream(&format!("/events?since={since}")).await;
    let r = officer.upload(&format!("/mail/{c}/reply?box=agency"), &[("text", "Регистрация завершена.")], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let mut text = String::new();
    while !text.contains("mail_unread") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk())
            .await
            .expect("the answer arrives without a reload")
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("\"mail_unread\":\"1\""), "{text}");
    drop(events);
    assert!(w.page("/cabinet").await.contains("data-mail-unread=\"1\""), "the cabinet counts it");
    let inbox = w.page("/mail").await;
    assert!(inbox.contains(&c) && inbox.contains("Вопрос о регистрации"), "{inbox}");
    assert!(w.page(&format!("/mail/{c}")).await.contains("Регистрация завершена."));
    assert!(w.page("/cabinet").await.contains("data-mail-unread=\"\" hidden"), "read");
    let notices = w.page("/cabinet").await;
    assert!(notices.contains("Новое сообщение в электронном ящике"), "{notices}");
    // By e-mail as the default settings allow, never with the text; no SMS unless asked for.
    let jobs = t.db.store().list_jobs("notify", 100).await.unwrap();
    let mail: Vec<String> =
        jobs.iter().map(|j| j.job.payload.to_string()).filter(|p| p.contains("электронном ящике")).collect();
    assert!(mail.iter().any(|p| p.contains("ivanov@example.ru")), "{mail:?}");
    assert!(
        mail.iter().all(|p| !p.contains("Регистрация завершена") && !p.contains("Вопрос о регистрации")),
        "{mail:?}"
    );
    assert!(mail.iter().all(|p| !p.contains("+7912")), "no SMS by default: {mail:?}");

    // Search in Russian: another form of a word, in a file name too; refused queries say why.
    let found = w.page(&format!("/mail?q={}", enc("регистрацию"))).await;
    assert!(found.contains("data-found=\"2\"") && found.contains(&c), "the question and the answer: {found}");
    let found = w.page(&format!("/mail?q={}", enc("декларацию"))).await;
    assert!(found.contains("data-found=\"1\""), "by the file «декларация.xml»: {found}");
    let none = w.page(&format!("/mail?q={}&folder=archive", enc("декларацию"))).await;
    assert!(none.contains("data-found=\"0\""), "not in the archive: {none}");
    let r = w.get(&format!("/mail?q={}", enc("?!,"))).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.text.contains("search_query_empty"), "{}", r.status);
    let r = w.get(&format!("/mail?q={}", enc(&"а".repeat(5000)))).await;
    assert!(r.text.contains("search_query_too_long"), "{}", r.status);
    assert!(!officer.page(&format!("/mail?box=agency&q={}", enc("регистрацию"))).await.contains("data-found=\"0\""));
    assert!(other_sees_nothing(&t, &c).await);

    // Files one by one and the message as ZIP.
    let page = w.page(&format!("/mail/{c}")).await;
    let letter = page.split("/mail/letters/").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let f = w.get(&format!("/mail/letters/{letter}/files/1")).await;
    assert_eq!((f.status, f.bytes.as_slice()), (StatusCode::OK, XML));
    let z = w.get(&format!("/mail/letters/{letter}/zip")).await;
    assert!(z.status == StatusCode::OK && z.bytes.starts_with(b"PK"), "{}", z.status);
    let listing = String::from_utf8_lossy(&z.bytes).to_string();
    assert!(
        listing.contains("message.txt") && listing.contains("заявление.pdf") && listing.contains("Прошу пояснить.")
    );

    // «Архив» and back.
    let r = w.post_form(&format!("/mail/{c}/archive"), &[("archived", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!w.page("/mail").await.contains(&c) && w.page("/mail?folder=archive").await.contains(&c));
    w.post_form(&format!("/mail/{c}/archive"), &[("archived", "0")]).await;
    assert!(w.page("/mail").await.contains(&c));

    // Nobody else reaches any of it; a citizen has no agency mailbox.
    let other = t.sign_in_as("+79345678901").await;
    for url in [
        format!("/mail/{c}"),
        format!("/mail/letters/{letter}/files/0"),
        format!("/mail/letters/{letter}/zip"),
        "/mail?box=agency".to_owned(),
    ] {
        assert_eq!(other.get(&url).await.status, StatusCode::NOT_FOUND, "{url}");
    }
    assert_eq!(
        other.post_form(&format!("/mail/{c}/archive"), &[("archived", "1")]).await.status,
        StatusCode::NOT_FOUND
    );
    let r = other.upload(&format!("/mail/{c}/reply"), &[("text", "чужое")], &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "no reply to another's conversation");
    assert!(!other.page("/mail").await.contains(&c));

    // The officer writes to the agency as a person and cannot answer themselves as the agency.
    let r = officer.upload("/mail", &[("to", to.as_str()), ("text", "Себе")], &[]).await;
    let own = conversation_of(r.location());
    let r = officer.upload(&format!("/mail/{own}/reply?box=agency"), &[("text", "Ответ себе")], &[]).await;
    assert!(r.text.contains("mail_recipient_not_allowed"), "{}", r.text);
}

#[tokio::test]
async fn bad_mail_is_refused_with_its_code_and_nothing_is_sent() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let to = format!("agency:{OFFICER_AGENCY}");
    let send = |fields: Vec<(&'static str, String)>, files: Vec<(&'static str, &'static str, &'static [u8])>| {
        let w = &w;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            w.upload("/mail", &fields, &files).await
        }
    };
    let r = send(vec![("to", to.clone())], vec![]).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.text.contains("mail_empty"), "{}", r.text);
    let r = send(vec![("to", "agency:Министерство магии".into()), ("text", "x".into())], vec![]).await;
    assert!(r.text.contains("mail_recipient_not_allowed"), "not in the directory: {}", r.text);
    let r = send(vec![("to", "org:7701000019".into()), ("text", "x".into())], vec![]).await;
    assert!(r.text.contains("mail_recipient_not_allowed"), "not on the list yet: {}", r.text);
    let r = send(vec![("to", to.clone()), ("text", "x".into())], vec![("files", "отчёт.pdf", b"MZ\x90\x00 a program")])
        .await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.text.contains("mail_file_format"), "{}", r.text);
    assert!(r.text.contains("отчёт.pdf"), "the file is named: {}", r.text);
    // Just over the 5 MB a file may have, within what a request may carry.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(5 * 1024 * 1024 + 100, b' ');
    let big: &'static [u8] = Box::leak(big.into_boxed_slice());
    let r = send(vec![("to", to.clone()), ("text", "x".into())], vec![("files", "big.pdf", big)]).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.text.contains("mail_file_too_large"), "{}", r.status);
    assert!(
        t.db.store()
            .list_conversations(&sep_core::mail::Party::Person(w.user.id), sep_core::mail::Folder::Sent, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing sent"
    );

    // Counterparties: checked with ФНС, once each; then writable.
    let add = |n: &'static str| {
        let w = &w;
        async move { w.post_form("/mail/counterparties", &[("number", n)]).await }
    };
    let r = add("7701000018").await;
    assert!(r.text.contains("counterparty_invalid"), "a wrong check digit: {}", r.text);
    let r = add("7707083893").await;
    assert!(r.text.contains("counterparty_unknown"), "{}", r.text);
    let r = add(sep_core::registry::emulator::LIQUIDATED_ORG.1).await;
    assert!(r.text.contains("counterparty_ceased"), "{}", r.text);
    assert_eq!(add("7701000019").await.status, StatusCode::SEE_OTHER);
    let r = add("1027700000019").await;
    assert!(
        r.status == StatusCode::CONFLICT && r.text.contains("counterparty_exists"),
        "by ОГРН it is the same: {}",
        r.text
    );
    assert_eq!(add("304770100000016").await.status, StatusCode::SEE_OTHER, "an entrepreneur by ОГРНИП");
    let list = w.page("/mail/counterparties").await;
    assert!(list.contains("ООО «Ромашка»") && list.contains("ИП Васильев Д. О."), "{list}");
    assert!(w.page("/mail/new").await.contains("value=\"org:7701000019\""));
    let r =
        send(vec![("to", "org:7701000019".into()), ("subject", "Акт сверки".into())], vec![("files", "акт.xml", XML)])
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let other = t.sign_in_as("+79345678901").await;
    let remove = [("inn", "7701000019")];
    assert_eq!(other.post_form("/mail/counterparties/remove", &remove).await.status, StatusCode::NOT_FOUND);
    assert_eq!(w.post_form("/mail/counterparties/remove", &remove).await.status, StatusCode::SEE_OTHER);
    let journal = format!("{:?}", t.db.store().list_audit(0, 10_000).await.unwrap());
    assert!(!journal.contains("770678901214"), "an entrepreneur's ИНН stays out of the journal");
    let r = send(vec![("to", "org:7701000019".into()), ("text", "ещё".into())], vec![]).await;
    assert!(r.text.contains("mail_recipient_not_allowed"), "removed from the list: {}", r.text);

    // A hundred messages an hour, then a pause.
    let store = t.db.store();
    let now = t.clock.now();
    for _ in 0..sep_core::mail::SEND_PER_HOUR {
        let id = uuid::Uuid::now_v7();
        let l = sep_core::mail::Letter {
            id,
            conversation: id,
            from: sep_core::mail::Party::Person(w.user.id),
            from_name: String::new(),
            to: sep_core::mail::Party::Agency(OFFICER_AGENCY.into()),
            to_name: String::new(),
            author: w.user.id,
            subject: "s".into(),
            text: String::new(),
            files: vec![],
            sent_at: now,
            read_at: None,
            signatures: vec![],
            application: None,
        };
        store.insert_letter(&l, &[], None, &sep_core::store::Effects::none()).await.unwrap();
    }
    let r = send(vec![("to", to.clone()), ("text", "ещё одно".into())], vec![]).await;
    assert!(r.status == StatusCode::TOO_MANY_REQUESTS && r.text.contains("mail_rate_limited"), "{}", r.status);
}

/// Issue 17 point 5: mail to an organisation is read by its head, who switches to its mailbox
/// and answers as the organisation; it may write to a person only while the person keeps it on
/// their list; an employee who is not the head does not see the mailbox.
#[tokio::test]
async fn an_organisations_head_reads_and_answers_its_mail() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    assert_eq!(w.post_form("/mail/counterparties", &[("number", "7701000019")]).await.status, StatusCode::SEE_OTHER);
    let fields = [("to", "org:7701000019"), ("subject", "Счёт на оплату"), ("text", "Пришлите счёт.")];
    let r = w.upload("/mail", &fields, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let c = conversation_of(r.location());

    let head = t.sign_in_as("+79345678901").await;
    let membership = sep_testkit::stories::users::membership(true);
    t.db.store().replace_user_orgs(head.user.id, &[membership], t.clock.now()).await.unwrap();
    let own = head.page("/mail").await;
    assert!(!own.contains(&c) && own.contains("/mail?box=org:7701000019"), "a switch to the organisation's: {own}");
    let org = head.page("/mail?box=org:7701000019").await;
    assert!(org.contains(&c) && org.contains("ООО «Ромашка»"), "{org}");
    assert!(head.page(&format!("/mail/{c}?box=org:7701000019")).await.contains("Пришлите счёт."));
    let r = head
        .upload(
            &format!("/mail/{c}/reply?box=org:7701000019"),
            &[("text", "Счёт во вложении.")],
            &[("files", "счёт.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let answer = w.page(&format!("/mail/{c}")).await;
    assert!(
        answer.contains("Счёт во вложении.") && answer.contains("ООО «Ромашка»"),
        "from the organisation: {answer}"
    );
    assert!(w.page(&format!("/mail/{c}")).await.contains("data-receipt=\"read\""), "the head opened it");

    // An organisation starts conversations with agencies only.
    let new = head.page("/mail/new?box=org:7701000019").await;
    assert!(new.contains("value=\"agency:ФНС России\"") && !new.contains("value=\"org:"), "{new}");
    let to_fns = [("to", "agency:ФНС России"), ("subject", "Уведомление")];
    assert_eq!(head.upload("/mail?box=org:7701000019", &to_fns, &[]).await.status, StatusCode::SEE_OTHER);

    // Off the person's list, the organisation may not write to them.
    assert_eq!(
        w.post_form("/mail/counterparties/remove", &[("inn", "7701000019")]).await.status,
        StatusCode::SEE_OTHER
    );
    let r = head.upload(&format!("/mail/{c}/reply?box=org:7701000019"), &[("text", "Ещё раз")], &[]).await;
    assert!(r.text.contains("mail_recipient_not_allowed"), "{}", r.text);

    // Not the head: no organisation mailbox.
    t.db.store()
        .replace_user_orgs(w.user.id, &[sep_testkit::stories::users::membership(false)], t.clock.now())
        .await
        .unwrap();
    assert_eq!(w.get("/mail?box=org:7701000019").await.status, StatusCode::NOT_FOUND);
    assert_eq!(w.get(&format!("/mail/{c}?box=org:7701000019")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(w.get("/mail?box=org:7707083893").await.status, StatusCode::NOT_FOUND);
}

/// The code in the newest signing SMS.
async fn signing_code(t: &TestApp) -> String {
    let jobs = t.db.store().list_jobs("notify", 200).await.unwrap();
    let sms = jobs
        .iter()
        .filter(|j| j.job.kind == "send_sms" && j.job.payload["text"].as_str().unwrap().contains("подпись документа"))
        .max_by_key(|j| j.id)
        .unwrap();
    sms.job.payload["text"].as_str().unwrap().split_whitespace().nth(1).unwrap().to_owned()
}

/// The value of hidden field `name` on `page`.
fn field(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap().split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn sqlite_a_signed_message_is_verified_and_its_receipt_downloaded() {
    a_signed_message_is_verified_and_its_receipt_downloaded(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_signed_message_is_verified_and_its_receipt_downloaded() {
    a_signed_message_is_verified_and_its_receipt_downloaded(Backend::Postgres).await;
}

/// Kept as one types, signed with one code (text and file, each verifiable at /verify and by
/// openssl), sent once whatever is pressed twice; the agency's answer signed with its system
/// key; the sender's квитанция says when it was read.
async fn a_signed_message_is_verified_and_its_receipt_downloaded(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    let to = format!("agency:{OFFICER_AGENCY}");
    let new = w.page("/mail/new").await;
    assert!(!new.contains("value=\"sign\"") && new.contains("href=\"/signature\""), "no certificate yet: {new}");
    assert_eq!(w.post_form("/signature/certificate", &[]).await.status, StatusCode::SEE_OTHER);
    let new = w.page("/mail/new").await;
    assert!(new.contains("value=\"sign\"") && new.contains("data-autosave=\"/mail/drafts\""), "{new}");
    let draft = field(&new, "draft");

    // Kept as one types (draft.js posts the fields; answered 204) and opened again.
    let typed =
        [("draft", draft.as_str()), ("to", to.as_str()), ("subject", "Декларация 3-НДФЛ"), ("text", "Направляю")];
    let r = w.post_form_with("/mail/drafts", &typed, &[("x-sep-autosave", "1")]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let drafts = w.page("/mail?folder=drafts").await;
    assert!(drafts.contains("Декларация 3-НДФЛ") && drafts.contains(&format!("data-draft=\"{draft}\"")), "{drafts}");
    let again = w.page(&format!("/mail/new?draft={draft}")).await;
    assert!(again.contains("value=\"Декларация 3-НДФЛ\"") && again.contains(">Направляю</textarea>"), "{again}");
    // Another person cannot write into it, open it or remove it.
    let other = t.sign_in_as("+79345678901").await;
    let r = other.post_form_with("/mail/drafts", &typed, &[("x-sep-autosave", "1")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let theirs = other.page(&format!("/mail/new?draft={draft}")).await;
    assert!(!theirs.contains("Декларация 3-НДФЛ") && !theirs.contains("Направляю"), "an empty form: {theirs}");
    assert_eq!(other.post_form(&format!("/mail/drafts/{draft}/delete"), &[]).await.status, StatusCode::NOT_FOUND);

    // «Подписать и отправить» with a PDF: the page lists the text and the file with their hashes.
    let fields = [
        ("draft", draft.as_str()),
        ("to", to.as_str()),
        ("subject", "Декларация 3-НДФЛ"),
        ("text", "Направляю декларацию за 2025 год."),
        ("action", "sign"),
    ];
    let r = w.upload("/mail", &fields, &[("files", "декларация.pdf", PDF)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let sign_url = r.location().to_owned();
    assert!(sign_url.starts_with("/mail/sign/"), "{sign_url}");
    let page = w.page(&sign_url).await;
    let text_bytes = sep_core::mail::text_part("Декларация 3-НДФЛ", "Направляю декларацию за 2025 год.");
    for (name, hash) in [
        ("text.txt", sep_crypto::gost::streebog256_hex(&text_bytes)),
        ("декларация.pdf", sep_crypto::gost::streebog256_hex(PDF)),
    ] {
        assert!(page.contains(name) && page.contains(&hash), "{name}: {page}");
    }
    assert!(page.contains(&format!("data-to>{OFFICER_AGENCY}</dd>")), "to whom: {page}");
    assert_eq!(other.get(&sign_url).await.status, StatusCode::NOT_FOUND, "another's signing");
    // Changed after the code was sent: the code does not sign what was not shown.
    let code = signing_code(&t).await;
    let changed =
        [("draft", draft.as_str()), ("to", to.as_str()), ("subject", "Декларация 3-НДФЛ"), ("text", "Другое")];
    assert_eq!(
        w.post_form_with("/mail/drafts", &changed, &[("x-sep-autosave", "1")]).await.status,
        StatusCode::NO_CONTENT
    );
    let r = w.get(&sign_url).await;
    assert!(r.status == StatusCode::CONFLICT && r.text.contains("mail_draft_changed"), "the page says so: {}", r.text);
    let r = w.post_form(&sign_url, &[("code", &code)]).await;
    assert!(r.status == StatusCode::CONFLICT && r.text.contains("mail_draft_changed"), "{}", r.text);
    assert!(w.page("/mail?folder=sent").await.contains("В этой папке нет сообщений."), "nothing sent");

    let r = w.upload("/mail", &fields, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the file stays with the draft: {}", r.text);
    let sign_url = r.location().to_owned();
    let code = signing_code(&t).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = w.post_form(&sign_url, &[("code", wrong)]).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.text.contains("otp_wrong"), "{}", r.text);
    let r = w.post_form(&sign_url, &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let c = conversation_of(r.location());
    let rid = sign_url.trim_start_matches("/mail/sign/").to_owned();
    let r = w.post_form(&format!("/documents/sign/{rid}"), &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not a document's signing: {}", r.text);
    let r = w.post_form(&sign_url, &[("code", &code)]).await;
    assert_eq!(
        r.location(),
        format!("/mail/{c}"),
        "a second press sends nothing and shows the message: {} {}",
        r.status,
        r.text
    );
    let r = w.upload("/mail", &fields, &[]).await;
    assert_eq!(r.location(), format!("/mail/{c}"), "the sent draft is not sent again: {}", r.text);
    let late = [("draft", draft.as_str()), ("to", to.as_str()), ("subject", "Декларация 3-НДФЛ"), ("text", "Поздно")];
    let r = w.post_form_with("/mail/drafts", &late, &[("x-sep-autosave", "1")]).await;
    assert!(r.status == StatusCode::CONFLICT && r.text.contains("mail_already_sent"), "a late save: {}", r.text);
    assert!(w.page("/mail?folder=drafts").await.contains("Черновиков нет."), "sent from the draft, which is gone");
    let mine = w.page(&format!("/mail/{c}")).await;
    assert!(mine.contains("data-signed=\"cloud\"") && mine.contains("Иванов Иван Иванович"), "{mine}");
    assert_eq!(mine.matches("class=\"section letter\"").count(), 1, "one message");

    // Each part verifies alone: at /verify and by openssl.
    let letter = mine.split("/mail/letters/").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let text = w.get(&format!("/mail/letters/{letter}/text")).await;
    assert_eq!(text.bytes, text_bytes);
    let ca = t.authority.dir.join("ca.cert.pem");
    for (part, content) in [(0, text.bytes.clone()), (1, PDF.to_vec())] {
        let sig = w.get(&format!("/mail/letters/{letter}/signatures/{part}")).await;
        assert_eq!(sig.status, StatusCode::OK);
        let r = t
            .browser()
            .post_multipart("/verify", &[], &[("document", "d", &content), ("signature", "d.sig", &sig.bytes)])
            .await;
        assert!(r.text.contains("Подпись действительна") && r.text.contains("Иванов Иван Иванович"), "{}", r.text);
        if let Some((ok, out)) = crate::common::openssl_verifies(&ca, &content, &sig.bytes) {
            assert!(ok, "part {part}: {out}");
        }
        assert_eq!(other.get(&format!("/mail/letters/{letter}/signatures/{part}")).await.status, StatusCode::NOT_FOUND);
    }
    let z = w.get(&format!("/mail/letters/{letter}/zip")).await;
    let listing = String::from_utf8_lossy(&z.bytes).to_string();
    assert!(listing.contains("декларация.pdf.sig") && listing.contains("text.txt.sig"), "the ZIP carries them");

    // The квитанция: delivered, then read.
    let receipt = w.get(&format!("/mail/letters/{letter}/receipt")).await;
    assert!(receipt.status == StatusCode::OK && receipt.bytes.starts_with(b"%PDF"), "{}", receipt.status);
    let officer = t.officer(OFFICER_AGENCY).await;
    assert!(officer.page(&format!("/mail/{c}?box=agency")).await.contains("data-signed=\"cloud\""));
    assert_eq!(
        officer.get(&format!("/mail/letters/{letter}/receipt?box=agency")).await.status,
        StatusCode::NOT_FOUND,
        "the recipient has none"
    );
    assert_eq!(other.get(&format!("/mail/letters/{letter}/receipt")).await.status, StatusCode::NOT_FOUND);
    let read = w.get(&format!("/mail/letters/{letter}/receipt")).await;
    if crate::common::have("pdftotext", "poppler-utils") {
        let dir = tempfile::tempdir().unwrap();
        for (name, pdf) in [("before.pdf", &receipt.bytes), ("after.pdf", &read.bytes)] {
            std::fs::write(dir.path().join(name), pdf).unwrap();
        }
        let before = crate::common::run("pdftotext", &["before.pdf", "-"], dir.path()).1;
        let after = crate::common::run("pdftotext", &["after.pdf", "-"], dir.path()).1;
        assert!(before.contains("Квитанция о доставке и прочтении") && before.contains("ещё не прочитано"), "{before}");
        assert!(after.contains("Прочитано получателем") && !after.contains("ещё не прочитано"), "{after}");
        assert!(after.contains("Иванов Иван Иванович") && after.contains(OFFICER_AGENCY), "{after}");
    }

    // The agency's answer is signed with its system key, every part.
    let r = officer
        .upload(
            &format!("/mail/{c}/reply?box=agency"),
            &[("text", "Декларация принята.")],
            &[("files", "уведомление.xml", XML)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = w.page(&format!("/mail/{c}")).await;
    assert!(page.contains("data-signed=\"system\""), "{page}");
    let answer =
        page.split("/mail/letters/").skip(1).map(|s| s.split('/').next().unwrap()).find(|id| *id != letter).unwrap();
    let sig = w.get(&format!("/mail/letters/{answer}/signatures/1")).await;
    let r =
        t.browser().post_multipart("/verify", &[], &[("document", "d", XML), ("signature", "d.sig", &sig.bytes)]).await;
    assert!(r.text.contains("Подпись действительна") && r.text.contains(OFFICER_AGENCY), "{}", r.text);
}

#[tokio::test]
async fn an_agency_writes_first_to_a_person_by_snils_and_to_an_organisation_by_inn() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let officer = t.officer(OFFICER_AGENCY).await;
    let form = officer.page("/mail/new?box=agency").await;
    assert!(form.contains("СНИЛС гражданина") && form.contains("name=\"to\" type=\"text\""), "{form}");
    let send = |to: &'static str| {
        let officer = &officer;
        async move {
            officer
                .upload(
                    "/mail?box=agency",
                    &[("to", to), ("subject", "Уведомление"), ("text", "Просим представить пояснения.")],
                    &[],
                )
                .await
        }
    };
    let r = send("123-456-789 64").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let c = conversation_of(r.location());
    let inbox = w.page("/mail").await;
    assert!(inbox.contains(&c) && inbox.contains("Уведомление"), "{inbox}");
    assert!(w.page(&format!("/mail/{c}")).await.contains("data-signed=\"system\""));
    let history = w.page("/history").await;
    assert!(history.contains("Сотрудник ведомства нашёл вас по СНИЛС"), "the lookup is in the person's history");
    assert!(officer.page("/mail?box=agency&folder=sent").await.contains(&c));
    // The person answers; the officer sees the read receipt.
    assert!(officer.page(&format!("/mail/{c}?box=agency")).await.contains("data-receipt=\"read\""));
    let r = w.upload(&format!("/mail/{c}/reply"), &[("text", "Пояснения прилагаю.")], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);

    // A draft keeps the number typed and whom it found.
    let form = officer.page("/mail/new?box=agency").await;
    let draft = field(&form, "draft");
    let typed = [("draft", draft.as_str()), ("to", "7701000019"), ("subject", "Акт")];
    let r = officer.post_form_with("/mail/drafts?box=agency", &typed, &[("x-sep-autosave", "1")]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let again = officer.page(&format!("/mail/new?box=agency&draft={draft}")).await;
    assert!(again.contains("value=\"7701000019\"") && again.contains("data-found-recipient>"), "{again}");
    assert!(again.contains("ООО «Ромашка»"), "{again}");
    let r = send("7701000019").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "an organisation by ИНН: {}", r.text);
    let sent = officer.page("/mail?box=agency&folder=sent").await;
    assert!(sent.contains("ООО «Ромашка»"), "named as ФНС has it: {sent}");
    for (to, code) in [
        ("111-111-111 45", "mail_person_unknown"),
        ("7707083893", "counterparty_unknown"),
        ("12345", "counterparty_invalid"),
    ] {
        let r = send(to).await;
        assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.text.contains(code), "{to}: {} {}", r.status, r.text);
    }
    // A citizen names nobody by number: their form chooses from the list.
    let r = w.upload("/mail", &[("to", "123-456-789 64"), ("text", "x")], &[]).await;
    assert!(r.text.contains("mail_recipient_not_allowed"), "{}", r.text);
}
