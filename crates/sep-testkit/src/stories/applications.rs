//! Applications: drafts kept as typed, guarded status changes with their journal, numbers.

use super::t0;
use crate::TestDb;
use sep_core::StoreError;
use sep_core::application::record::{Application, ApplicationId, StatusChange};
use sep_core::application::status::{Reason, Status};
use sep_core::catalogue::ApplicantType;
use sep_core::ids::UserId;
use sep_core::job::{JobKind, NewJob, Queue};
use sep_core::store::Effects;
use std::collections::BTreeMap;
use time::Duration;

/// An empty draft of «Регистрация в СЭП», stored, for stories of other aggregates.
pub async fn stored_draft(db: &TestDb, user: UserId, at: time::OffsetDateTime) -> ApplicationId {
    let a = draft(user, at);
    db.store().insert_application(&a, &Effects::none()).await.unwrap();
    a.id
}

/// A current passport scan `file_name` of application `id`, attached at `at` (123 456 bytes).
pub fn scan(id: ApplicationId, file_name: &str, at: time::OffsetDateTime) -> sep_core::application::record::Attachment {
    sep_core::application::record::Attachment {
        id: uuid::Uuid::now_v7(),
        application_id: id,
        document: "passport_scan".into(),
        file_name: file_name.into(),
        content_type: "application/pdf".into(),
        size: 123_456,
        sha256: "ab".repeat(32),
        status: "accepted".into(),
        created_at: at,
        replaced_by: None,
    }
}

/// An empty draft of «Регистрация в СЭП».
pub(crate) fn draft(user: UserId, at: time::OffsetDateTime) -> Application {
    Application {
        id: ApplicationId::new(),
        number: None,
        user_id: user,
        service: "registration".into(),
        applicant_type: ApplicantType::Person,
        status: Status::Draft,
        data: BTreeMap::new(),
        consent: None,
        due_on: None,
        created_at: at,
        updated_at: at,
        submitted_at: None,
        assignee: None,
        checks_passed_at: None,
    }
}

/// Draft, save, submit with number and consent, a refused stale change, the journal.
pub async fn lifecycle(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let mut a = draft(user, at);
    s.insert_application(&a, &Effects::none()).await.unwrap();
    assert_eq!(s.get_application(a.id).await.unwrap(), a);

    // What was typed is kept, even when invalid: a draft never loses input.
    a.data = [("snils".to_owned(), "112-233-445 9".to_owned()), ("last_name".to_owned(), "Иванов".to_owned())].into();
    a.updated_at = at + Duration::seconds(30);
    s.update_application_data(a.id, &a.data, a.updated_at, &Effects::none()).await.unwrap();
    assert_eq!(s.get_application(a.id).await.unwrap(), a);

    let n1 = s.next_application_number(2026).await.unwrap();
    let n2 = s.next_application_number(2026).await.unwrap();
    assert_eq!((n1, n2), (1, 2));
    assert_eq!(s.next_application_number(2027).await.unwrap(), 1, "numbers restart each year");
    // Numbers a database gave from its counting table go on (PostgreSQL numbers from a
    // sequence per year, made on the year's first number).
    db.raw_execute("INSERT INTO application_numbers (year, last) VALUES (2030, 41)").await.unwrap();
    assert_eq!(s.next_application_number(2030).await.unwrap(), 42);
    assert_eq!(s.next_application_number(2030).await.unwrap(), 43);
    // A new year's first numbers asked for at once: each given once.
    let asked: Vec<_> = (0..16)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.next_application_number(2031).await.unwrap() })
        })
        .collect();
    let mut first = Vec::new();
    for a in asked {
        first.push(a.await.unwrap());
    }
    first.sort_unstable();
    assert_eq!(first, (1..=16).collect::<Vec<i64>>());

    let submit_at = at + Duration::minutes(5);
    let due = submit_at.date() + Duration::days(7);
    let mut change = StatusChange::new(Status::Draft, Status::Created, submit_at, "applicant", "", vec![]);
    change.number = Some("2026-000002".into());
    change.consent = Some(("pd-2026-11".into(), submit_at));
    change.due_on = Some(due);
    let job = NewJob::of(JobKind::SendEmail, serde_json::json!({"to": "ivanov@example.ru"}), submit_at);
    s.update_application_status(a.id, &change, &Effects::none().with_job(job)).await.unwrap();
    let stored = s.get_application(a.id).await.unwrap();
    assert_eq!(
        (stored.status, stored.number.as_deref(), stored.due_on, stored.submitted_at),
        (Status::Created, Some("2026-000002"), Some(due), Some(submit_at))
    );
    assert_eq!(stored.consent, Some(("pd-2026-11".into(), submit_at)));
    assert_eq!(s.list_jobs(Queue::Notify.code(), 5).await.unwrap().len(), 1, "the notice is enqueued with the change");

    // A change computed from a stale status loses the race.
    let stale = s.update_application_status(a.id, &change, &Effects::none()).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { .. }), "{stale:?}");

    let reason = Reason { code: "passport_invalid".into(), text: "Паспорт недействителен".into() };
    let mut reject = StatusChange::new(
        Status::Created,
        Status::Rejected,
        submit_at + Duration::hours(1),
        "system",
        "Проверка по реестрам",
        vec![reason],
    );
    reject.number = Some("ignored".into());
    s.update_application_status(a.id, &reject, &Effects::none()).await.unwrap();
    let stored = s.get_application(a.id).await.unwrap();
    assert_eq!(stored.number.as_deref(), Some("2026-000002"), "a number never changes");
    assert_eq!(stored.consent, Some(("pd-2026-11".into(), submit_at)), "consent kept");

    let events = s.list_application_events(a.id).await.unwrap();
    let steps: Vec<(Option<Status>, Status)> = events.iter().map(|e| (e.from, e.to)).collect();
    assert_eq!(
        steps,
        vec![(None, Status::Draft), (Some(Status::Draft), Status::Created), (Some(Status::Created), Status::Rejected)]
    );
    assert_eq!(events[2].reasons[0].code, "passport_invalid");

    let att = sep_core::application::record::Attachment {
        id: uuid::Uuid::new_v4(),
        application_id: a.id,
        document: "passport_scan".into(),
        file_name: "скан паспорта.pdf".into(),
        content_type: "application/pdf".into(),
        size: 123_456,
        sha256: "ab".repeat(32),
        status: "accepted".into(),
        created_at: at + Duration::minutes(2),
        replaced_by: None,
    };
    s.insert_attachment(&att, &Effects::none()).await.unwrap();
    assert_eq!(s.list_attachments(a.id).await.unwrap(), vec![att.clone()]);
    let orphan = sep_core::application::record::Attachment {
        id: uuid::Uuid::new_v4(),
        application_id: ApplicationId::new(),
        ..att.clone()
    };
    assert!(
        matches!(s.insert_attachment(&orphan, &Effects::none()).await, Err(StoreError::Conflict { .. })),
        "no file row without its application"
    );

    let mut phone = sep_core::application::record::ContactConfirmation {
        application_id: a.id,
        channel: "sms".into(),
        value: "+79123456789".into(),
        code: sep_core::otp::CodeState::new("x", "123456", at, sep_core::otp::OtpPolicy::default()),
        sent: 1,
        created_at: at,
        confirmed_at: None,
    };
    let job = NewJob::of(JobKind::SendSms, serde_json::json!({"to": "+79123456789"}), at);
    s.upsert_contact_confirmation(&phone, None, &Effects::none().with_job(job.clone())).await.unwrap();
    let jobs_before = s.list_jobs(Queue::Notify.code(), 100).await.unwrap().len();
    assert!(
        matches!(
            s.upsert_contact_confirmation(&phone, None, &Effects::none().with_job(job)).await,
            Err(StoreError::Conflict { .. })
        ),
        "a parallel first send loses"
    );
    assert_eq!(s.list_jobs(Queue::Notify.code(), 100).await.unwrap().len(), jobs_before, "and sends nothing");
    let read = phone.clone();
    phone.sent = 2;
    phone.confirmed_at = Some(at + Duration::minutes(1));
    s.upsert_contact_confirmation(&phone, Some(&read), &Effects::none()).await.unwrap();
    let mut guess = read.clone();
    guess.code.tries_left = 2;
    assert!(
        matches!(
            s.upsert_contact_confirmation(&guess, Some(&read), &Effects::none()).await,
            Err(StoreError::Conflict { .. })
        ),
        "a write based on a stale read is refused"
    );
    assert_eq!(s.list_contact_confirmations(a.id).await.unwrap(), vec![phone], "one per channel, replaced");

    let other = UserId::new();
    assert!(s.list_applications_for_user(other).await.unwrap().is_empty());
    assert_eq!(s.list_applications_for_user(user).await.unwrap().len(), 1);
    assert!(matches!(s.get_application(ApplicationId::new()).await, Err(StoreError::NotFound)));
    assert!(matches!(
        s.update_application_data(ApplicationId::new(), &a.data, at, &Effects::none()).await,
        Err(StoreError::Conflict { .. })
    ));
    // Sent (here: rejected, then sent again), the data no longer change, nor the files.
    let resend = StatusChange::new(Status::Rejected, Status::Created, at + Duration::hours(2), "applicant", "", vec![]);
    s.update_application_status(a.id, &resend, &Effects::none()).await.unwrap();
    assert!(
        matches!(
            s.update_application_data(a.id, &BTreeMap::new(), at, &Effects::none()).await,
            Err(StoreError::Conflict { .. })
        ),
        "no change after sending"
    );
    let late = sep_core::application::record::Attachment {
        id: uuid::Uuid::new_v4(),
        application_id: a.id,
        document: "passport_scan".into(),
        file_name: "late.pdf".into(),
        content_type: "application/pdf".into(),
        size: 1,
        sha256: "ef".repeat(32),
        status: "accepted".into(),
        created_at: at,
        replaced_by: None,
    };
    assert!(matches!(s.insert_attachment(&late, &Effects::none()).await, Err(StoreError::Conflict { .. })));
    assert!(matches!(s.delete_attachment(a.id, att.id, at, &Effects::none()).await, Err(StoreError::Conflict { .. })));
    // A change computed on data that changed since refuses.
    let mut stale =
        StatusChange::new(Status::Created, Status::UnderReview, at + Duration::hours(3), "system", "", vec![]);
    stale.data_as_of = Some(at);
    assert!(matches!(
        s.update_application_status(a.id, &stale, &Effects::none()).await,
        Err(StoreError::Conflict { .. })
    ));
    // And one expecting another officer in charge.
    let mut taken =
        StatusChange::new(Status::Created, Status::UnderReview, at + Duration::hours(3), "officer", "", vec![]);
    taken.assignee_was = Some(Some(UserId::new()));
    assert!(matches!(
        s.update_application_status(a.id, &taken, &Effects::none()).await,
        Err(StoreError::Conflict { .. })
    ));
    taken.assignee_was = Some(None);
    taken.checks_passed = true;
    s.update_application_status(a.id, &taken, &Effects::none()).await.unwrap();
    assert!(s.get_application(a.id).await.unwrap().checks_passed_at.is_some());
}

/// After a crash between storing a file and its row: the startup sweep removes the file
/// nobody points to and the partial write, keeps referenced and recent files.
pub async fn orphan_files_are_swept(db: &TestDb) {
    use sep_core::application::attachment::{FileStore, LocalFileStore, content_key, sweep_orphans};
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let a = draft(user, at);
    s.insert_application(&a, &Effects::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = LocalFileStore::new(dir.path().to_path_buf()).unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let age = |key: &str| {
        let path = dir.path().join(&key[..2]).join(key);
        std::fs::File::options().append(true).open(path).unwrap().set_modified(hour_ago).unwrap();
    };
    let (kept, orphan, fresh, again) = (b"kept".as_slice(), b"orphan".as_slice(), b"fresh".as_slice(), b"again");
    for bytes in [kept, orphan, fresh, again.as_slice()] {
        files.put(&content_key(bytes), bytes).await.unwrap();
    }
    for bytes in [kept, orphan, again.as_slice()] {
        age(&content_key(bytes));
    }
    // The same content uploaded again just now: its row is about to come.
    files.put(&content_key(again), again).await.unwrap();
    let partial = dir.path().join(&content_key(orphan)[..2]).join(".deadbeef.1.tmp");
    std::fs::write(&partial, b"half").unwrap();
    std::fs::File::options().append(true).open(&partial).unwrap().set_modified(hour_ago).unwrap();
    let att = sep_core::application::record::Attachment {
        id: uuid::Uuid::new_v4(),
        application_id: a.id,
        document: "passport_scan".into(),
        file_name: "kept.pdf".into(),
        content_type: "application/pdf".into(),
        size: 4,
        sha256: content_key(kept),
        status: "accepted".into(),
        created_at: at,
        replaced_by: None,
    };
    s.insert_attachment(&att, &Effects::none()).await.unwrap();
    assert!(s.file_referenced(&content_key(kept)).await.unwrap());
    assert!(!s.file_referenced(&content_key(orphan)).await.unwrap());

    let removed = sweep_orphans(&files, s.as_ref(), std::time::Duration::from_secs(600)).await.unwrap();
    assert_eq!(removed, 2, "the old orphan and the partial write");
    let mut left: Vec<String> = files.inventory().await.unwrap().files.into_iter().map(|f| f.0).collect();
    left.sort();
    let mut expected = vec![content_key(kept), content_key(fresh), content_key(again)];
    expected.sort();
    assert_eq!(left, expected);
    assert!(!partial.exists());
    assert_eq!(files.get(&content_key(kept)).await.unwrap(), kept);
}

/// An agency's queue, the officer in charge, completion registering the applicant, and the
/// cabinet notifications written with the change.
pub async fn review_and_notices(db: &TestDb) {
    use sep_core::notice::NewNotice;
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let officer = super::citizen(db, at).await;
    s.update_user_agency(officer, Some("Оператор СЭП"), &Effects::none()).await.unwrap();
    assert_eq!(s.get_user(officer).await.unwrap().agency.as_deref(), Some("Оператор СЭП"));
    assert!(matches!(s.update_user_agency(UserId::new(), None, &Effects::none()).await, Err(StoreError::NotFound)));

    let kept = draft(user, at);
    let mut other = draft(user, at + Duration::seconds(1));
    other.service = "passport".into();
    let mut sent = draft(user, at + Duration::seconds(2));
    for a in [&kept, &other] {
        s.insert_application(a, &Effects::none()).await.unwrap();
    }
    s.insert_application(&sent, &Effects::none()).await.unwrap();
    let submit = StatusChange::new(Status::Draft, Status::Created, at + Duration::minutes(1), "applicant", "", vec![]);
    s.update_application_status(sent.id, &submit, &Effects::none()).await.unwrap();
    s.update_application_status(other.id, &submit, &Effects::none()).await.unwrap();
    let queue = s.list_applications_for_services(&["registration".to_owned()]).await.unwrap();
    assert_eq!(
        queue.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![sent.id],
        "drafts and other services are not in it"
    );
    assert!(s.list_applications_for_services(&[]).await.unwrap().is_empty());

    let mut take =
        StatusChange::new(Status::Created, Status::UnderReview, at + Duration::minutes(2), "officer", "Взято", vec![]);
    take.assignee = Some(officer);
    s.update_application_status(sent.id, &take, &Effects::none()).await.unwrap();
    sent = s.get_application(sent.id).await.unwrap();
    assert_eq!((sent.status, sent.assignee), (Status::UnderReview, Some(officer)));
    let note = StatusChange::new(
        Status::UnderReview,
        Status::UnderReview,
        at + Duration::minutes(3),
        "system",
        "Проверки пройдены",
        vec![],
    );
    s.update_application_status(sent.id, &note, &Effects::none()).await.unwrap();
    assert_eq!(s.get_application(sent.id).await.unwrap().assignee, Some(officer), "kept when not set again");

    let notice = |n: u8, critical: bool| NewNotice {
        user_id: user,
        at: at + Duration::minutes(i64::from(n)),
        kind: "status".into(),
        title: format!("Заявление: шаг {n}"),
        text: "Текст".into(),
        link: format!("/applications/{}", sent.id),
        critical,
    };
    let approve =
        StatusChange::new(Status::UnderReview, Status::Approved, at + Duration::minutes(4), "officer", "", vec![]);
    let mut fx = Effects::none();
    fx.notices.push(notice(4, false));
    s.update_application_status(sent.id, &approve, &fx).await.unwrap();
    assert!(s.get_user(user).await.unwrap().registered_at.is_none());
    let mut complete = StatusChange::new(
        Status::Approved,
        Status::Completed,
        at + Duration::minutes(5),
        "system",
        "Услуга активирована",
        vec![],
    );
    complete.registers_user = true;
    let mut fx = Effects::none();
    fx.notices.push(notice(5, true));
    s.update_application_status(sent.id, &complete, &fx).await.unwrap();
    assert_eq!(s.get_user(user).await.unwrap().registered_at, Some(at + Duration::minutes(5)));
    assert!(s.get_user(officer).await.unwrap().registered_at.is_none());

    // A refused change writes no notification either.
    let mut fx = Effects::none();
    fx.notices.push(notice(6, false));
    assert!(s.update_application_status(sent.id, &complete, &fx).await.is_err());
    let list = s.list_notices(user, 10).await.unwrap();
    assert_eq!(list.iter().map(|n| n.notice.clone()).collect::<Vec<_>>(), vec![notice(5, true), notice(4, false)]);
    assert!(list.iter().all(|n| n.read_at.is_none()));
    assert_eq!(s.list_notices(user, 1).await.unwrap().len(), 1);
    assert!(s.list_notices(officer, 10).await.unwrap().is_empty());
    let read_at = at + Duration::minutes(7);
    assert_eq!(s.update_notices_read(user, list[1].id, read_at).await.unwrap(), 1, "up to the older one");
    assert_eq!(s.update_notices_read(officer, list[0].id, read_at).await.unwrap(), 0, "not another's");
    assert_eq!(s.update_notices_read(user, list[0].id, read_at).await.unwrap(), 1);
    let list = s.list_notices(user, 10).await.unwrap();
    assert!(list.iter().all(|n| n.read_at == Some(read_at)));
}

/// The «Связаться с оператором» thread: in order, with files the sweep must keep.
pub async fn messages_thread(db: &TestDb) {
    use sep_core::application::record::{Message, StoredFile};
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let a = draft(user, at);
    s.insert_application(&a, &Effects::none()).await.unwrap();
    let file = StoredFile {
        file_name: "доверенность.pdf".into(),
        content_type: "application/pdf".into(),
        size: 42,
        sha256: "cd".repeat(32),
    };
    let first = Message {
        id: 1,
        application_id: a.id,
        at: at + Duration::minutes(1),
        author_id: user,
        author: "applicant".into(),
        text: "Прикладываю доверенность".into(),
        file: Some(file.clone()),
    };
    let job = NewJob::of(JobKind::SendEmail, serde_json::json!({"to": "officer@example.ru"}), at);
    s.insert_letter(&thread_letter(&a, &first), &[], None, &Effects::none().with_job(job)).await.unwrap();
    let second = Message {
        id: 2,
        at: at + Duration::minutes(2),
        author: "officer".into(),
        text: "Спасибо".into(),
        file: None,
        ..first.clone()
    };
    s.insert_letter(&thread_letter(&a, &second), &[], None, &Effects::none()).await.unwrap();
    assert_eq!(s.list_messages(a.id).await.unwrap(), vec![first.clone(), second], "numbered in order");
    assert!(s.list_messages(ApplicationId::new()).await.unwrap().is_empty());
    assert!(s.file_referenced(&file.sha256).await.unwrap(), "a message's file is not an orphan");
    assert_eq!(s.list_jobs(Queue::Notify.code(), 5).await.unwrap().len(), 1, "the notice goes with the message");
    // The thread is a conversation of both mailboxes.
    let agency = sep_core::mail::Party::Agency("ФНС России".into());
    let held = s.list_conversation(&agency, a.id.0).await.unwrap();
    assert_eq!((held.len(), held[0].letter.application), (2, Some(a.id)));
    let stray = Message { application_id: ApplicationId::new(), ..first };
    let stray = thread_letter(&Application { id: stray.application_id, ..a.clone() }, &stray);
    assert!(matches!(s.insert_letter(&stray, &[], None, &Effects::none()).await, Err(StoreError::Conflict { .. })));
}

/// `m` of `app`'s thread as the mailbox keeps it: between the applicant and «ФНС России».
pub fn thread_letter(app: &Application, m: &sep_core::application::record::Message) -> sep_core::mail::Letter {
    use sep_core::mail::Party;
    let person = (Party::Person(app.user_id), "Иванов Иван Иванович".to_owned());
    let agency = (Party::Agency("ФНС России".into()), "ФНС России".to_owned());
    let ((from, from_name), (to, to_name)) = if m.author == "applicant" { (person, agency) } else { (agency, person) };
    sep_core::mail::Letter {
        id: uuid::Uuid::now_v7(),
        conversation: app.id.0,
        from,
        from_name,
        to,
        to_name,
        author: m.author_id,
        subject: "Заявление".into(),
        text: m.text.clone(),
        files: m
            .file
            .iter()
            .map(|f| sep_core::mail::MailFile {
                name: f.file_name.clone(),
                content_type: f.content_type.clone(),
                size: f.size,
                sha256: f.sha256.clone(),
            })
            .collect(),
        sent_at: m.at,
        read_at: None,
        signatures: vec![],
        application: Some(app.id),
    }
}

/// Delay notices: only open applications past their date, each announced once.
pub async fn overdue_noticed_once(db: &TestDb) {
    use sep_core::notice::NewNotice;
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let today = at.date();
    let mut late = draft(user, at);
    let mut on_time = draft(user, at + Duration::seconds(1));
    let mut decided = draft(user, at + Duration::seconds(2));
    for (a, due) in
        [(&mut late, today - Duration::days(1)), (&mut on_time, today), (&mut decided, today - Duration::days(3))]
    {
        s.insert_application(a, &Effects::none()).await.unwrap();
        let mut submit = StatusChange::new(Status::Draft, Status::Created, at, "applicant", "", vec![]);
        submit.due_on = Some(due);
        s.update_application_status(a.id, &submit, &Effects::none()).await.unwrap();
    }
    let review = StatusChange::new(Status::Created, Status::UnderReview, at, "system", "", vec![]);
    s.update_application_status(decided.id, &review, &Effects::none()).await.unwrap();
    let reject = StatusChange::new(
        Status::UnderReview,
        Status::Rejected,
        at,
        "officer",
        "",
        vec![Reason { code: "other".into(), text: "Другое".into() }],
    );
    s.update_application_status(decided.id, &reject, &Effects::none()).await.unwrap();
    let found: Vec<ApplicationId> = s.list_overdue_unnoticed(today).await.unwrap().iter().map(|a| a.id).collect();
    assert_eq!(found, vec![late.id], "not the one due today, not a decided one");
    let mut fx = Effects::none();
    fx.notices.push(NewNotice {
        user_id: user,
        at,
        kind: "reminder".into(),
        title: "Срок превышен".into(),
        text: "Текст".into(),
        link: "/".into(),
        critical: false,
    });
    assert!(s.update_overdue_noticed(late.id, at, &fx).await.unwrap());
    assert!(!s.update_overdue_noticed(late.id, at, &fx).await.unwrap(), "once");
    assert_eq!(s.list_notices(user, 10).await.unwrap().len(), 1, "the second try wrote nothing");
    assert!(s.list_overdue_unnoticed(today).await.unwrap().is_empty());
}

/// «Мои документы» reads a person's files in one go: every attachment of every application
/// and every message file, each with its application, nobody else's.
pub async fn files_of_a_person(db: &TestDb) {
    use sep_core::application::record::{Attachment, Message, StoredFile};
    let s = db.store();
    let at = t0();
    let (me, other) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let (first, second, theirs) = (draft(me, at), draft(me, at), draft(other, at));
    for a in [&first, &second, &theirs] {
        s.insert_application(a, &Effects::none()).await.unwrap();
    }
    let attach = |app: &Application, minute: i64, name: &str| Attachment {
        id: uuid::Uuid::new_v4(),
        application_id: app.id,
        document: "passport_scan".into(),
        file_name: name.into(),
        content_type: "application/pdf".into(),
        size: 10,
        sha256: "ab".repeat(32),
        status: "accepted".into(),
        created_at: at + Duration::minutes(minute),
        replaced_by: None,
    };
    let (a1, a2, a3) =
        (attach(&second, 1, "второй.pdf"), attach(&first, 2, "первый.pdf"), attach(&theirs, 3, "чужой.pdf"));
    for a in [&a1, &a2, &a3] {
        s.insert_attachment(a, &Effects::none()).await.unwrap();
    }
    assert_eq!(
        s.list_attachments_of_user(me).await.unwrap(),
        vec![a1.clone(), a2.clone()],
        "oldest first, both applications"
    );
    assert_eq!(s.list_attachments_of_user(other).await.unwrap(), vec![a3.clone()]);
    assert_eq!(s.list_recent_attachments_of_user(me, 5).await.unwrap(), vec![a2.clone(), a1.clone()], "newest first");
    assert_eq!(s.list_recent_attachments_of_user(me, 1).await.unwrap(), vec![a2.clone()], "at most the limit");
    assert_eq!(s.list_recent_attachments_of_user(other, 5).await.unwrap(), vec![a3]);
    let file = StoredFile {
        file_name: "ответ.pdf".into(),
        content_type: "application/pdf".into(),
        size: 5,
        sha256: "cd".repeat(32),
    };
    let message = |app: &Application, file: Option<StoredFile>| Message {
        id: 1,
        application_id: app.id,
        at: at + Duration::minutes(5),
        author_id: me,
        author: "officer".into(),
        text: "Ответ".into(),
        file,
    };
    let with_file = message(&second, Some(file));
    s.insert_letter(&thread_letter(&second, &with_file), &[], None, &Effects::none()).await.unwrap();
    s.insert_letter(&thread_letter(&first, &message(&first, None)), &[], None, &Effects::none()).await.unwrap();
    let theirs_message = message(&theirs, Some(with_file.file.clone().unwrap()));
    s.insert_letter(&thread_letter(&theirs, &theirs_message), &[], None, &Effects::none()).await.unwrap();
    assert_eq!(
        s.list_message_files_of_user(me).await.unwrap(),
        vec![with_file],
        "only messages with a file, only mine"
    );
    assert!(s.list_message_files_of_user(UserId::new()).await.unwrap().is_empty());
}

/// Versions of a file (SPEC D2): a replaced attachment stays as an earlier version, out of the
/// application's files; only a current one is replaced; removing removes its earlier versions.
pub async fn versions_of_a_file(db: &TestDb) {
    use sep_core::application::record::Attachment;
    let s = db.store();
    let at = t0();
    let me = super::citizen(db, at).await;
    let a = draft(me, at);
    s.insert_application(&a, &Effects::none()).await.unwrap();
    let version = |minute: i64, name: &str| Attachment {
        id: uuid::Uuid::now_v7(),
        application_id: a.id,
        document: "passport_scan".into(),
        file_name: name.into(),
        content_type: "application/pdf".into(),
        size: 10,
        sha256: format!("{minute:064}"),
        status: "accepted".into(),
        created_at: at + Duration::minutes(minute),
        replaced_by: None,
    };
    let (v1, v2, v3) = (version(1, "v1.pdf"), version(2, "v2.pdf"), version(3, "v3.pdf"));
    s.insert_attachment(&v1, &Effects::none()).await.unwrap();
    s.replace_attachment(a.id, v1.id, &v2, &Effects::none()).await.unwrap();
    assert!(
        matches!(s.replace_attachment(a.id, v1.id, &v3, &Effects::none()).await, Err(StoreError::NotFound)),
        "only the current version is replaced"
    );
    s.replace_attachment(a.id, v2.id, &v3, &Effects::none()).await.unwrap();
    assert_eq!(s.list_attachments(a.id).await.unwrap(), vec![v3.clone()], "the application has the newest");
    let all = s.list_attachments_of_user(me).await.unwrap();
    let replaced = |v: &Attachment, by: &Attachment| Attachment { replaced_by: Some(by.id), ..v.clone() };
    assert_eq!(all, vec![replaced(&v1, &v2), replaced(&v2, &v3), v3.clone()]);
    assert_eq!(s.list_recent_attachments_of_user(me, 10).await.unwrap(), vec![v3.clone()], "current versions only");
    assert!(matches!(s.delete_attachment(a.id, v2.id, at, &Effects::none()).await, Err(StoreError::NotFound)));
    s.delete_attachment(a.id, v3.id, at + Duration::minutes(4), &Effects::none()).await.unwrap();
    assert!(s.list_attachments_of_user(me).await.unwrap().is_empty(), "with its earlier versions");

    // A sent application's files stay as they are.
    let v4 = version(5, "v4.pdf");
    s.insert_attachment(&v4, &Effects::none()).await.unwrap();
    let mut change =
        StatusChange::new(Status::Draft, Status::Created, at + Duration::minutes(6), "applicant", "", vec![]);
    change.number = Some("2026-000777".into());
    s.update_application_status(a.id, &change, &Effects::none()).await.unwrap();
    let v5 = version(7, "v5.pdf");
    assert!(matches!(s.replace_attachment(a.id, v4.id, &v5, &Effects::none()).await, Err(StoreError::Conflict { .. })));
    assert_eq!(s.list_attachments(a.id).await.unwrap(), vec![v4]);
}

/// Threads written before they were mail move into it once: numbered in order, filed in the
/// applicant's and the agency's mailboxes, a file's signature following it to its place.
pub async fn legacy_threads_move_into_mail(db: &TestDb) {
    use sep_core::application::record::{Message, StoredFile};
    use sep_core::mail::Party;
    use sep_core::signing::{Signature, Source};
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let a = draft(user, at);
    s.insert_application(&a, &Effects::none()).await.unwrap();
    let (app, who) = (a.id.0, user.0);
    let sql = match db.backend() {
        crate::Backend::Sqlite => format!(
            "INSERT INTO application_messages (id, application_id, at, author_id, author, text, file_name, content_type,
                size, sha256)
             VALUES (41, '{app}', {t1}, '{who}', 'applicant', 'Прикладываю доверенность', 'доверенность.pdf',
                'application/pdf', 42, '{sha}'),
                    (42, '{app}', {t2}, '{who}', 'officer', 'Спасибо', NULL, NULL, NULL, NULL)",
            t1 = (at + Duration::minutes(1)).unix_timestamp_nanos() / 1_000,
            t2 = (at + Duration::minutes(2)).unix_timestamp_nanos() / 1_000,
            sha = "cd".repeat(32),
        ),
        crate::Backend::Postgres => format!(
            "INSERT INTO application_messages (id, application_id, at, author_id, author, text, file_name, content_type,
                size, sha256)
             VALUES (41, '{app}', TIMESTAMPTZ 'epoch' + {t1} * INTERVAL '1 microsecond', '{who}', 'applicant', 'Прикладываю доверенность', 'доверенность.pdf',
                'application/pdf', 42, '{sha}'),
                    (42, '{app}', TIMESTAMPTZ 'epoch' + {t2} * INTERVAL '1 microsecond', '{who}', 'officer', 'Спасибо', NULL, NULL, NULL, NULL)",
            t1 = (at + Duration::minutes(1)).unix_timestamp_nanos() / 1_000,
            t2 = (at + Duration::minutes(2)).unix_timestamp_nanos() / 1_000,
            sha = "cd".repeat(32),
        ),
    };
    db.raw_execute(&sql).await.unwrap();
    let signer = sep_core::signature::Certificate {
        subject: "CN=Иванов".into(),
        issuer: "CN=УЦ".into(),
        serial: "01".into(),
        not_before: at,
        not_after: at + Duration::days(1),
    };
    let sig = Signature {
        id: uuid::Uuid::now_v7(),
        user_id: user,
        document: format!("m:{app}:41"),
        sha256: "cd".repeat(32),
        hash: "ef".repeat(32),
        source: Source::Uploaded,
        signer,
        signed_at: at,
        credential_id: None,
        verdict: "signature_valid".into(),
        created_at: at,
    };
    s.insert_signature(&sig, b"der", &Effects::none()).await.unwrap();
    assert_eq!(s.list_legacy_messages(10).await.unwrap().len(), 2);

    let catalogue = sep_core::catalogue::Catalogue::load(None).unwrap();
    assert_eq!(sep_core::application::thread::absorb_legacy(s.as_ref(), &catalogue).await.unwrap(), 2);
    assert_eq!(sep_core::application::thread::absorb_legacy(s.as_ref(), &catalogue).await.unwrap(), 0, "once");
    assert!(s.list_legacy_messages(10).await.unwrap().is_empty());
    let thread = s.list_messages(a.id).await.unwrap();
    let file = StoredFile {
        file_name: "доверенность.pdf".into(),
        content_type: "application/pdf".into(),
        size: 42,
        sha256: "cd".repeat(32),
    };
    assert_eq!(
        thread,
        vec![
            Message {
                id: 1,
                application_id: a.id,
                at: at + Duration::minutes(1),
                author_id: user,
                author: "applicant".into(),
                text: "Прикладываю доверенность".into(),
                file: Some(file),
            },
            Message {
                id: 2,
                application_id: a.id,
                at: at + Duration::minutes(2),
                author_id: user,
                author: "officer".into(),
                text: "Спасибо".into(),
                file: None,
            },
        ]
    );
    let agency = catalogue.get("registration").unwrap().agency.clone();
    for mailbox in [Party::Person(user), Party::Agency(agency)] {
        assert_eq!(s.list_conversation(&mailbox, app).await.unwrap().len(), 2, "{mailbox:?}");
    }
    let moved = s.list_signatures_of_user(user).await.unwrap();
    assert_eq!(moved[0].document, format!("m:{app}:1"), "the file's signature follows it");
    // A second process moving the same row finds it gone and files nothing.
    let twice = super::applications::thread_letter(&a, &thread[0]);
    assert!(matches!(s.absorb_legacy_message(41, &twice).await, Err(StoreError::Conflict { .. })));
    assert_eq!(s.list_messages(a.id).await.unwrap().len(), 2);
    assert!(s.file_referenced(&"cd".repeat(32)).await.unwrap());
    // A thread's messages are not mail one writes: they do not count to the hourly limit.
    assert_eq!(s.count_letters_since(user, at - Duration::hours(1)).await.unwrap(), 0);
}
