//! The mailbox: a message filed in two mailboxes with their own read and archive marks, the
//! folders, the read receipt, the conversation, the sending count, the counterparties list.

use super::t0;
use crate::TestDb;
use sep_core::StoreError;
use sep_core::audit::NewAuditEvent;
use sep_core::mail::counterparty::Counterparty;
use sep_core::mail::{Folder, Letter, MailFile, Party};
use sep_core::store::Effects;
use uuid::Uuid;

fn letter(
    from: Party,
    to: Party,
    author: sep_core::ids::UserId,
    conversation: Option<Uuid>,
    at: time::OffsetDateTime,
) -> Letter {
    let id = Uuid::now_v7();
    Letter {
        id,
        conversation: conversation.unwrap_or(id),
        from,
        from_name: "Иванов Иван Иванович".into(),
        to,
        to_name: "ФНС России".into(),
        author,
        subject: "Декларация 3-НДФЛ".into(),
        text: "Направляю декларацию.".into(),
        files: vec![MailFile {
            name: "декларация.xml".into(),
            content_type: "application/xml".into(),
            size: 42,
            sha256: "ab".repeat(32),
        }],
        sent_at: at,
        read_at: None,
        signatures: vec![],
        application: None,
    }
}

/// One conversation between a person and an agency, seen from both sides and from a stranger.
pub async fn lifecycle(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let (a, b) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let (me, other, fns) = (Party::Person(a), Party::Person(b), Party::Agency("ФНС России".into()));
    let first = letter(me.clone(), fns.clone(), a, None, at);
    let fx = Effects::audit(NewAuditEvent::system(at, "mail.sent", Some(a)));
    s.insert_letter(&first, &[], None, &fx).await.unwrap();
    let c = first.conversation;

    let sent = s.list_conversations(&me, Folder::Sent, 50).await.unwrap();
    assert_eq!((sent.len(), sent[0].id, sent[0].unread, sent[0].with.as_str()), (1, c, 0, "ФНС России"));
    assert!(s.list_conversations(&me, Folder::Inbox, 50).await.unwrap().is_empty(), "nothing received yet");
    let inbox = s.list_conversations(&fns, Folder::Inbox, 50).await.unwrap();
    assert_eq!((inbox.len(), inbox[0].unread, inbox[0].subject.as_str()), (1, 1, "Декларация 3-НДФЛ"));
    assert_eq!(inbox[0].with, "Иванов Иван Иванович", "the other side");
    assert_eq!(s.count_unread(&fns, 100).await.unwrap(), 1);
    let got = s.find_filed(&fns, first.id).await.unwrap().unwrap();
    assert!(got.incoming && !got.read && !got.archived);
    assert_eq!(got.letter, first, "read back whole, with its files");
    assert!(s.find_filed(&other, first.id).await.unwrap().is_none(), "not a stranger's");
    assert!(s.list_conversation(&other, c).await.unwrap().is_empty());
    assert!(s.file_referenced(&"ab".repeat(32)).await.unwrap(), "a mail file is not an orphan");

    // Opened by the agency: the receipt, once.
    let later = at + time::Duration::minutes(3);
    assert_eq!(s.mark_conversation_read(&fns, c, later, &Effects::none()).await.unwrap(), 1);
    assert_eq!(s.mark_conversation_read(&fns, c, later, &Effects::none()).await.unwrap(), 0);
    assert_eq!(s.count_unread(&fns, 100).await.unwrap(), 0);
    assert_eq!(
        s.find_filed(&me, first.id).await.unwrap().unwrap().letter.read_at,
        Some(later),
        "the sender sees it read"
    );
    assert_eq!(s.mark_conversation_read(&me, c, later, &Effects::none()).await.unwrap(), 0, "nothing received");

    // The agency answers in the same conversation.
    let mut answer = letter(fns.clone(), me.clone(), b, Some(c), later + time::Duration::minutes(1));
    answer.files.clear();
    s.insert_letter(&answer, &[], None, &Effects::none()).await.unwrap();
    let thread = s.list_conversation(&me, c).await.unwrap();
    assert_eq!(
        thread.iter().map(|f| (f.letter.id, f.incoming)).collect::<Vec<_>>(),
        vec![(first.id, false), (answer.id, true)]
    );
    assert_eq!(s.count_unread(&me, 100).await.unwrap(), 1);
    assert_eq!(s.count_unread(&me, 0).await.unwrap(), 0, "counted up to the cap");
    assert_eq!(s.list_conversations(&me, Folder::Inbox, 50).await.unwrap()[0].count, 2);

    // «Архив» is one mailbox's.
    assert!(s.update_conversation_archived(&me, c, true, &Effects::none()).await.unwrap());
    assert!(s.list_conversations(&me, Folder::Inbox, 50).await.unwrap().is_empty());
    assert!(s.list_conversations(&me, Folder::Sent, 50).await.unwrap().is_empty());
    assert_eq!(s.list_conversations(&me, Folder::Archive, 50).await.unwrap().len(), 1);
    assert_eq!(s.list_conversations(&fns, Folder::Inbox, 50).await.unwrap().len(), 1, "the agency's stays");
    assert!(!s.update_conversation_archived(&other, c, true, &Effects::none()).await.unwrap(), "not a stranger's");
    assert!(s.update_conversation_archived(&me, c, false, &Effects::none()).await.unwrap());
    assert!(s.list_conversations(&me, Folder::Archive, 50).await.unwrap().is_empty());
    assert_eq!(s.count_letters_since(a, at).await.unwrap(), 1);
    assert_eq!(s.count_letters_since(a, later).await.unwrap(), 0);
}

/// The counterparties list: one entry per ИНН, by name, removed by its owner only.
pub async fn counterparties(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let (a, b) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let c = |name: &str, inn: &str| Counterparty {
        user_id: a,
        inn: inn.into(),
        ogrn: "1027700000019".into(),
        name: name.into(),
        added_at: at,
    };
    s.insert_counterparty(&c("ООО «Ромашка»", "7701000019"), &Effects::none()).await.unwrap();
    s.insert_counterparty(&c("ИП Васильев Д. О.", "770678901214"), &Effects::none()).await.unwrap();
    let twice = s.insert_counterparty(&c("ООО «Ромашка»", "7701000019"), &Effects::none()).await;
    assert!(matches!(twice, Err(StoreError::Conflict { .. })));
    let names: Vec<_> = s.list_counterparties(a).await.unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["ИП Васильев Д. О.", "ООО «Ромашка»"]);
    assert!(s.list_counterparties(b).await.unwrap().is_empty());
    assert!(!s.delete_counterparty(b, "7701000019", &Effects::none()).await.unwrap(), "not another's");
    assert!(s.delete_counterparty(a, "7701000019", &Effects::none()).await.unwrap());
    assert!(!s.delete_counterparty(a, "7701000019", &Effects::none()).await.unwrap());
    assert_eq!(s.list_counterparties(a).await.unwrap(), vec![c("ИП Васильев Д. О.", "770678901214")]);
}

/// Search (issue 17 point 6): one corpus, one list of queries, the same messages found on both
/// backends — forms of a word, ё, phrases, exclusions, prefixes, «не», file names, filters —
/// and only the mailbox's own.
pub async fn search(db: &TestDb) {
    use sep_core::mail::SearchFilter;
    use sep_core::mail::search::parse;
    let s = db.store();
    let at = t0();
    let (a, b) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let (me, other, fns) = (Party::Person(a), Party::Person(b), Party::Agency("ФНС России".into()));
    let corpus = [
        ("Декларация 3-НДФЛ за 2025 год", "Направляю декларацию и подтверждающие документы.", "декларация.xml"),
        ("Ёлочные игрушки", "Заявление не одобрено: приложите акт сверки.", "акт.pdf"),
        ("Акт сверки расчётов", "Прошу подписать акт сверки по договору № 17.", "акт-сверки.pdf"),
        ("Вопрос", "Когда будет рассмотрено заявление? Черновик прилагаю.", "черновик.pdf"),
        ("Reports", "Quarterly reports attached.", "report.xml"),
    ];
    let mut ids = Vec::new();
    for (i, (subject, text, file)) in corpus.iter().enumerate() {
        let mut l = letter(me.clone(), fns.clone(), a, None, at + time::Duration::minutes(i as i64));
        l.subject = (*subject).into();
        l.text = (*text).into();
        l.files[0].name = (*file).into();
        s.insert_letter(&l, &[], None, &Effects::none()).await.unwrap();
        ids.push(l.id);
    }
    // Somebody else's message with the same words is never found here.
    let mut theirs = letter(other.clone(), fns.clone(), b, None, at);
    theirs.subject = "Декларация".into();
    s.insert_letter(&theirs, &[], None, &Effects::none()).await.unwrap();

    let all = SearchFilter::default();
    let found = |q: &'static str, filter: SearchFilter| {
        let (s, me) = (s.clone(), me.clone());
        async move {
            let query = parse(q).unwrap();
            let mut got: Vec<Uuid> =
                s.search_letters(&me, &query, &filter, 50).await.unwrap().into_iter().map(|f| f.letter.id).collect();
            got.sort();
            got
        }
    };
    let expect = |which: &[usize]| {
        let mut v: Vec<Uuid> = which.iter().map(|i| ids[*i]).collect();
        v.sort();
        v
    };
    let cases: [(&str, &[usize]); 12] = [
        ("декларацию", &[0]),
        ("ДЕКЛАРАЦИЯ", &[0]),
        ("елочные", &[1]),
        ("\"акт сверки\"", &[1, 2]),
        ("акт -расчётов", &[1]),
        ("деклар*", &[0]),
        ("\"не одобрено\"", &[1]),
        ("3-НДФЛ", &[0]),
        ("черновик", &[3]),
        ("report", &[4]),
        ("заявление -черновик", &[1]),
        ("сверки договору", &[2]),
    ];
    for (q, want) in cases {
        assert_eq!(found(q, all.clone()).await, expect(want), "{q}");
    }
    assert!(found("кошка", all.clone()).await.is_empty());
    // Filters: the folder, the correspondent, the time.
    assert!(found("декларацию", SearchFilter { folder: Some(Folder::Inbox), ..all.clone() }).await.is_empty());
    assert_eq!(found("декларацию", SearchFilter { folder: Some(Folder::Sent), ..all.clone() }).await, expect(&[0]));
    let nobody = SearchFilter { with: Some(Party::Agency("СФР".into())), ..all.clone() };
    assert!(found("декларацию", nobody).await.is_empty());
    assert_eq!(found("декларацию", SearchFilter { with: Some(fns.clone()), ..all.clone() }).await, expect(&[0]));
    let later = SearchFilter { from: Some(at + time::Duration::minutes(2)), ..all.clone() };
    assert_eq!(found("акт", later).await, expect(&[2]));
    let earlier = SearchFilter { before: Some(at + time::Duration::minutes(2)), ..all.clone() };
    assert_eq!(found("акт", earlier).await, expect(&[1]));
    // Newest first.
    let order: Vec<Uuid> = s
        .search_letters(&me, &parse("акт").unwrap(), &all, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.letter.id)
        .collect();
    assert_eq!(order, vec![ids[2], ids[1]]);
}

/// Drafts are their author's in their mailbox only; a message sent from one removes it in the
/// same transaction and keeps its signatures, part by part; one id is sent once.
pub async fn drafts_and_signatures(db: &TestDb) {
    use sep_core::mail::store::DraftSaved;
    use sep_core::mail::{Draft, MailSignature};
    let s = db.store();
    let at = t0();
    let (a, b) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let (me, fns) = (Party::Person(a), Party::Agency("ФНС России".into()));
    let file = MailFile {
        name: "черновик.pdf".into(),
        content_type: "application/pdf".into(),
        size: 10,
        sha256: "ef".repeat(32),
    };
    let d = Draft {
        id: Uuid::now_v7(),
        mailbox: me.clone(),
        author: a,
        to: Some(fns.clone()),
        to_name: None,
        to_number: None,
        reply_to: None,
        subject: "Декларация".into(),
        text: "Направляю".into(),
        files: vec![file.clone()],
        updated_at: at,
    };
    assert_eq!(s.upsert_draft(&d, &Effects::none()).await.unwrap(), DraftSaved::Saved);
    assert_eq!(s.find_draft(&me, a, d.id).await.unwrap().as_ref(), Some(&d), "read back whole");
    assert!(s.file_referenced(&file.sha256).await.unwrap(), "a draft's file is not an orphan");
    // Another's write under the same id changes nothing; nobody else finds it.
    let theirs = Draft { author: b, mailbox: Party::Person(b), text: "чужое".into(), ..d.clone() };
    assert_eq!(s.upsert_draft(&theirs, &Effects::none()).await.unwrap(), DraftSaved::NotOwn);
    assert_eq!(s.find_draft(&me, a, d.id).await.unwrap().unwrap().text, "Направляю");
    assert!(s.find_draft(&Party::Person(b), b, d.id).await.unwrap().is_none());
    assert!(s.find_draft(&fns, a, d.id).await.unwrap().is_none(), "another mailbox of the author");
    let later = Draft { id: Uuid::now_v7(), updated_at: at + time::Duration::minutes(1), files: vec![], ..d.clone() };
    assert_eq!(s.upsert_draft(&later, &Effects::none()).await.unwrap(), DraftSaved::Saved);
    let changed =
        Draft {
            text: "Направляю декларацию".into(), updated_at: at + time::Duration::minutes(2), ..d.clone()
        };
    let changed = Draft { to_number: Some("7701000019".into()), ..changed };
    assert_eq!(s.upsert_draft(&changed, &Effects::none()).await.unwrap(), DraftSaved::Saved);
    assert_eq!(s.find_draft(&me, a, d.id).await.unwrap().unwrap().to_number.as_deref(), Some("7701000019"));
    let ids: Vec<Uuid> = s.list_drafts(&me, a).await.unwrap().into_iter().map(|x| x.id).collect();
    assert_eq!(ids, vec![d.id, later.id], "last saved first");
    assert!(s.list_drafts(&me, b).await.unwrap().is_empty());
    assert!(!s.delete_draft(&me, b, later.id, &Effects::none()).await.unwrap(), "not the author's");
    assert!(s.delete_draft(&me, a, later.id, &Effects::none()).await.unwrap());
    assert!(!s.delete_draft(&me, a, later.id, &Effects::none()).await.unwrap(), "once");

    // Sent from the draft, signed part by part.
    let mut l = letter(me.clone(), fns.clone(), a, None, at + time::Duration::minutes(3));
    let signer = sep_core::signature::Certificate {
        subject: "CN=Иванов Иван Иванович".into(),
        issuer: "CN=Тестовый УЦ СЭП".into(),
        serial: "0A1B".into(),
        not_before: at,
        not_after: at + time::Duration::days(365),
    };
    l.signatures = (0..2)
        .map(|part| MailSignature {
            part,
            hash: format!("{part}").repeat(64),
            source: sep_core::signing::Source::Cloud,
            signer: signer.clone(),
            signed_at: l.sent_at,
        })
        .collect();
    let ders = vec![b"sig-0".to_vec(), b"sig-1".to_vec()];
    s.insert_letter(&l, &ders, Some(d.id), &Effects::none()).await.unwrap();
    assert!(s.find_draft(&me, a, d.id).await.unwrap().is_none(), "the draft went with the sending");
    assert!(s.list_drafts(&me, a).await.unwrap().is_empty());
    // A late save or a second sending of it finds it sent, as that message.
    assert_eq!(s.upsert_draft(&changed, &Effects::none()).await.unwrap(), DraftSaved::Sent(l.id));
    assert!(s.find_draft(&me, a, d.id).await.unwrap().is_none(), "not brought back");
    assert!(!s.delete_draft(&me, a, d.id, &Effects::none()).await.unwrap());
    let mut second = letter(me.clone(), fns.clone(), a, None, l.sent_at);
    second.files.clear();
    let twice = s.insert_letter(&second, &[], Some(d.id), &Effects::none()).await;
    assert!(matches!(twice, Err(StoreError::Conflict { .. })), "a sent draft is not sent again: {twice:?}");
    assert!(s.find_filed(&me, second.id).await.unwrap().is_none(), "nothing of the second stays");
    assert_eq!(s.find_filed(&fns, l.id).await.unwrap().unwrap().letter, l, "its signatures read back");
    assert_eq!(s.list_conversation(&me, l.conversation).await.unwrap()[0].letter.signatures, l.signatures);
    assert_eq!(s.get_mail_signature(l.id, 1).await.unwrap().as_deref(), Some(&b"sig-1"[..]));
    assert!(s.get_mail_signature(l.id, 2).await.unwrap().is_none());
    let again = s.insert_letter(&l, &ders, None, &Effects::none()).await;
    assert!(matches!(again, Err(StoreError::Conflict { .. })), "one id is sent once: {again:?}");

    // An agency's officer finds a person by СНИЛС (here two share it: both, first registered first).
    let snils = super::profile().snils.unwrap();
    let found = s.list_users_by_snils(snils.as_digits(), 5).await.unwrap();
    assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>().len(), 2);
    assert!(found.iter().all(|u| u.profile.snils.as_ref() == Some(&snils) && (u.id == a || u.id == b)));
    assert_eq!(s.list_users_by_snils(snils.as_digits(), 1).await.unwrap().len(), 1, "at most the limit");
    assert!(s.list_users_by_snils("11111111145", 5).await.unwrap().is_empty());
}
