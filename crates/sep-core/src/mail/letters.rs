//! Writing, reading and filing messages: who may write to whom, the files' checks, the
//! sending limit, the read receipt and «Архив».

use super::{Filed, Folder, Letter, MailError, MailFile, MailSignature, Party};
use crate::application::attachment::{FileStore, clean_name, content_key};
use crate::audit::Origin;
use crate::catalogue::Catalogue;
use crate::notice::NewNotice;
use crate::signing::{Authority, SigningError, Source};
use crate::store::{Effects, Store};
use crate::user::User;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// A file as uploaded: its name and bytes.
pub type Upload = (String, Vec<u8>);

/// What is being sent.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    /// To whom, for a new conversation (a reply goes to the conversation's other side).
    pub to: Option<Party>,
    /// The conversation replied to.
    pub reply_to: Option<Uuid>,
    /// Subject (a reply without one takes «Re: » and the conversation's).
    pub subject: String,
    /// Text.
    pub text: String,
    /// Files uploaded with it.
    pub files: Vec<Upload>,
    /// Files kept already (a draft's), before the uploaded ones.
    pub kept: Vec<MailFile>,
    /// How the sending mailbox is named when it is an organisation's (its short name).
    pub from_name: Option<String>,
    /// How an organisation written to is named, when the sender knows it (an agency writing
    /// first); otherwise the sender's list names it.
    pub to_name: Option<String>,
    /// The draft it is written in: removed when it is sent.
    pub draft: Option<Uuid>,
}

/// The MIME type of an accepted file, recognised by content: PDF, JPEG, PNG, or XML (UTF-8
/// text opening with the XML declaration, after an optional byte-order mark and white space).
pub fn file_type(bytes: &[u8]) -> Option<&'static str> {
    if let Some(f) = crate::application::attachment::sniff(bytes) {
        return Some(crate::application::attachment::mime(f));
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let start = text.trim_start_matches('\u{feff}').trim_start();
    start.starts_with("<?xml").then_some("application/xml")
}

/// The name a mailbox goes by in the «От» and «Кому» lines.
pub async fn name_of(store: &dyn Store, party: &Party) -> Result<String, MailError> {
    Ok(match party {
        Party::Person(id) => store.get_user(*id).await?.profile.full_name(),
        Party::Agency(name) => name.clone(),
        Party::Org(inn) => inn.clone(),
    })
}

/// Whom `user` may write to from their own mailbox: the directory's agencies, then their
/// counterparties — each with the name shown.
pub async fn recipients(
    store: &dyn Store,
    catalogue: &Catalogue,
    user: &User,
) -> Result<Vec<(Party, String)>, MailError> {
    let mut out: Vec<(Party, String)> =
        super::directory(catalogue).into_iter().map(|a| (Party::Agency(a.clone()), a)).collect();
    for c in store.list_counterparties(user.id).await? {
        out.push((Party::Org(c.inn.clone()), format!("{} (ИНН {})", c.name, c.inn)));
    }
    Ok(out)
}

/// Whom an agency's officer names by number: a person by СНИЛС (one who has been on the
/// portal), or an operating organisation or entrepreneur by ИНН or ОГРН, as ФНС has it —
/// with the name shown.
pub async fn addressee(
    store: &dyn Store,
    fns: &dyn crate::registry::TaxRegistry,
    typed: &str,
) -> Result<(Party, String), MailError> {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 {
        let snils = crate::ident::Snils::parse(&digits).map_err(|_| MailError::PersonUnknown)?;
        let mut found = store.list_users_by_snils(snils.as_digits(), 2).await?;
        // Two accounts with one СНИЛС: which person is meant cannot be told, so nobody is.
        if found.len() != 1 {
            return Err(MailError::PersonUnknown);
        }
        let user = found.remove(0);
        return Ok((Party::Person(user.id), user.profile.full_name()));
    }
    let b = super::counterparty::lookup(fns, typed).await?;
    Ok((Party::Org(b.inn), b.name))
}

/// Checks the files and keeps them in the file store; `kept` are the message's files kept
/// already (a draft's), counted in its limits.
pub async fn keep_files(
    files: &dyn FileStore,
    kept: &[MailFile],
    uploads: &[Upload],
) -> Result<Vec<MailFile>, MailError> {
    let total = kept.iter().map(|f| u64::try_from(f.size).unwrap_or(0)).sum::<u64>()
        + uploads.iter().map(|(_, b)| b.len() as u64).sum::<u64>();
    if kept.len() + uploads.len() > super::MAX_FILES || total > u64::from(super::MAX_MESSAGE_MB) * 1024 * 1024 {
        return Err(MailError::TooMuch);
    }
    // Every file is checked before any is kept: a refused one leaves nothing behind.
    let mut out = Vec::new();
    for (name, bytes) in uploads {
        let name = clean_name(name);
        if bytes.len() as u64 > u64::from(super::MAX_FILE_MB) * 1024 * 1024 {
            return Err(MailError::FileTooLarge(name));
        }
        let content_type = file_type(bytes).ok_or_else(|| MailError::FileFormat(name.clone()))?;
        out.push(MailFile {
            name,
            content_type: content_type.into(),
            size: bytes.len() as i64,
            sha256: content_key(bytes),
        });
    }
    for (f, (_, bytes)) in out.iter().zip(uploads) {
        files.put(&f.sha256, bytes).await.map_err(|e| MailError::Files(e.to_string()))?;
    }
    Ok(out)
}

/// Checks `out` from `mailbox` (the person's own, the agency `author` works for, or an
/// organisation they head), written by `author`, keeps its new files, and returns the message
/// it makes, not yet sent. A person writes to an agency of the directory or a counterparty on
/// their list; an organisation to an agency, or to a person keeping it on their list; an
/// agency to anyone it names (an officer starting a conversation) and answers what it holds.
/// A reply goes to the conversation's other side, which the mailbox must hold.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn prepare(
    store: &dyn Store,
    files: &dyn FileStore,
    catalogue: &Catalogue,
    author: &User,
    mailbox: &Party,
    out: &Outgoing,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<Letter, MailError> {
    let mut subject: String = out.subject.trim().chars().take(super::MAX_SUBJECT).collect();
    let text: String = out.text.trim().chars().take(super::MAX_TEXT).collect();
    if subject.is_empty() && text.is_empty() && out.files.is_empty() && out.kept.is_empty() {
        return Err(MailError::Empty);
    }
    let (conversation, to) = match out.reply_to {
        Some(c) => {
            let held = store.list_conversation(mailbox, c).await?;
            let last = held.last().ok_or(MailError::NotFound)?;
            // An application's thread keeps its rules (who may write in which status, whom to
            // tell): it is answered on the application's page.
            if held.iter().any(|f| f.letter.application.is_some()) {
                return Err(MailError::ApplicationThread);
            }
            let first = &held[0].letter;
            if subject.is_empty() {
                subject = format!("Re: {}", first.subject).chars().take(super::MAX_SUBJECT).collect();
            }
            let other = if &last.letter.from == mailbox { last.letter.to.clone() } else { last.letter.from.clone() };
            (c, other)
        }
        None => (id, out.to.clone().ok_or(MailError::RecipientNotAllowed)?),
    };
    // Nobody writes to their own mailbox (an officer answering their own letter as the agency).
    let to_self = matches!(&to, Party::Person(u) if *u == author.id);
    let allowed = !to_self
        && match (mailbox, &to) {
            (Party::Person(_), Party::Agency(a)) => super::directory(catalogue).contains(a),
            (Party::Person(u), Party::Org(inn)) => store.list_counterparties(*u).await?.iter().any(|c| &c.inn == inn),
            // An agency answers anyone; it starts conversations with people and organisations.
            (Party::Agency(_), Party::Person(_) | Party::Org(_)) => true,
            (Party::Agency(_), Party::Agency(_)) => out.reply_to.is_some(),
            // An organisation writes to the directory's agencies, and to a person only while
            // that person keeps it on their list.
            (Party::Org(_), Party::Agency(a)) => super::directory(catalogue).contains(a),
            (Party::Org(inn), Party::Person(u)) => store.list_counterparties(*u).await?.iter().any(|c| &c.inn == inn),
            _ => false,
        };
    if !allowed {
        return Err(MailError::RecipientNotAllowed);
    }
    if store.count_letters_since(author.id, now - Duration::hours(1)).await? >= super::SEND_PER_HOUR {
        return Err(MailError::RateLimited);
    }
    let mut all = out.kept.clone();
    all.extend(keep_files(files, &out.kept, &out.files).await?);
    let to_name = match &to {
        Party::Org(inn) => match out.to_name.clone() {
            Some(name) => name,
            None => store
                .list_counterparties(match mailbox {
                    Party::Person(u) => *u,
                    _ => author.id,
                })
                .await?
                .into_iter()
                .find(|c| &c.inn == inn)
                .map_or_else(|| inn.clone(), |c| c.name),
        },
        other => name_of(store, other).await?,
    };
    Ok(Letter {
        id,
        conversation,
        from: mailbox.clone(),
        from_name: match &out.from_name {
            Some(name) => name.clone(),
            None => name_of(store, mailbox).await?,
        },
        to,
        to_name,
        author: author.id,
        subject,
        text,
        files: all,
        sent_at: now,
        read_at: None,
        signatures: vec![],
        application: None,
    })
}

/// The Стрибог-256 hashes of a message's parts: its text ([`super::text_part`]), then each
/// file, as its signatures cover them.
pub async fn part_hashes(
    files: &dyn FileStore,
    authority: &dyn Authority,
    letter: &Letter,
) -> Result<Vec<String>, MailError> {
    let mut out = vec![authority.hash(&super::text_part(&letter.subject, &letter.text))];
    for f in &letter.files {
        let bytes = files.get(&f.sha256).await.map_err(|e| MailError::Files(e.to_string()))?;
        out.push(authority.hash(&bytes));
    }
    Ok(out)
}

/// Signs every part of `letter` (their `hashes`, in part order) with `sign` — a person's cloud
/// key or an agency's system key — adding the signatures to it; their bytes, in the same order.
pub fn seal(
    letter: &mut Letter,
    hashes: Vec<String>,
    source: Source,
    mut sign: impl FnMut(&str) -> Result<(Vec<u8>, crate::signature::Certificate), MailError>,
) -> Result<Vec<Vec<u8>>, MailError> {
    let mut ders = Vec::new();
    for (part, hash) in (0u32..).zip(hashes) {
        let (der, signer) = sign(&hash)?;
        letter.signatures.push(MailSignature { part, hash, source, signer, signed_at: letter.sent_at });
        ders.push(der);
    }
    Ok(ders)
}

/// Files `letter` in both mailboxes with its signatures' bytes `ders` (in the order of
/// `letter.signatures`), removing the draft it was written in, and tells the recipient as
/// their settings say — never with the subject or the text.
pub async fn deliver(
    store: &dyn Store,
    letter: &Letter,
    ders: &[Vec<u8>],
    draft: Option<Uuid>,
    origin: &Origin,
) -> Result<(), MailError> {
    let now = letter.sent_at;
    let mut e = origin.event(now, "mail.sent", Some(letter.author));
    e.object = Some(format!("mail:{}", letter.id));
    e.details = serde_json::json!({
        "to": letter.to.kind(),
        "files": letter.files.len(),
        "reply": letter.conversation != letter.id,
        "signed": letter.signatures.first().map(|s| s.source.code()),
    });
    let mut fx = Effects::audit(e);
    if let Party::Person(user) = &letter.to {
        use crate::settings::{Channel, Importance, Kind};
        let data = serde_json::json!({ "letter": letter.id, "conversation": letter.conversation });
        let event = crate::integration::webhook::EventType::MailReceived;
        fx.jobs.push(crate::integration::webhook::event_job(*user, event, data, now));
        let recipient = store.get_user(*user).await?;
        let by = |channel| recipient.settings.allows(Kind::Mail, channel, Importance::Normal);
        if by(Channel::Cabinet) {
            fx.notices.push(NewNotice {
                user_id: *user,
                at: now,
                kind: "mail".into(),
                title: "Новое сообщение в электронном ящике".into(),
                text: format!("От: {}", letter.from_name),
                link: format!("/mail/{}", letter.conversation),
                critical: false,
            });
        }
        if let Some(email) = recipient.profile.email.as_ref().filter(|_| by(Channel::Email)) {
            fx.jobs.push(crate::job::NewJob::of(
                crate::job::JobKind::SendEmail,
                serde_json::json!({
                    "to": email.as_str(),
                    "subject": "Новое сообщение в электронном ящике СЭП",
                    "text": format!("Вам написал(а): {}. Откройте «Электронный ящик» в личном кабинете СЭП.", letter.from_name),
                }),
                now,
            ));
        }
        if let Some(phone) = recipient.profile.phone.as_ref().filter(|_| by(Channel::Sms)) {
            let sms = format!("СЭП: новое сообщение в электронном ящике от {}.", letter.from_name);
            fx.jobs.push(crate::job::NewJob::of(
                crate::job::JobKind::SendSms,
                serde_json::json!({ "to": phone.as_str(), "text": sms }),
                now,
            ));
        }
    }
    store.insert_letter(letter, ders, draft, &fx).await.map_err(|e| match e {
        // The same signed sending landed first (a second press of one code).
        crate::StoreError::Conflict { .. } => MailError::AlreadySent,
        e => e.into(),
    })
}

/// Sends `out` from `mailbox`, written by `author` (see [`prepare`] for who may write to
/// whom). What an agency sends is signed with its system key, every part, when `authority`
/// is there.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn send(
    store: &dyn Store,
    files: &dyn FileStore,
    catalogue: &Catalogue,
    authority: Option<&dyn Authority>,
    author: &User,
    mailbox: &Party,
    out: Outgoing,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Letter, MailError> {
    let mut letter = prepare(store, files, catalogue, author, mailbox, &out, Uuid::now_v7(), now).await?;
    let mut ders = Vec::new();
    if let (Party::Agency(agency), Some(authority)) = (mailbox, authority) {
        let hashes = part_hashes(files, authority, &letter).await?;
        ders = seal(&mut letter, hashes, Source::System, |hash| {
            authority.sign_as_agency(agency, hash, now).map_err(|e| MailError::Signing(SigningError::Authority(e.0)))
        })?;
    }
    deliver(store, &letter, &ders, out.draft, origin).await?;
    Ok(letter)
}

/// Opens a conversation of `mailbox`: its messages, what was received marked as opened (the
/// sender's read receipt). Another mailbox's conversation is not found.
pub async fn open(
    store: &dyn Store,
    mailbox: &Party,
    conversation: Uuid,
    reader: &User,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Vec<Filed>, MailError> {
    let held = store.list_conversation(mailbox, conversation).await?;
    if held.is_empty() {
        return Err(MailError::NotFound);
    }
    if held.iter().any(|f| f.incoming && !f.read) {
        let mut e = origin.event(now, "mail.read", Some(reader.id));
        e.object = Some(format!("mail-conversation:{conversation}"));
        store.mark_conversation_read(mailbox, conversation, now, &Effects::audit(e)).await?;
        return Ok(store.list_conversation(mailbox, conversation).await?);
    }
    Ok(held)
}

/// Moves a conversation of `mailbox` to «Архив» (or back to its folders).
pub async fn archive(
    store: &dyn Store,
    mailbox: &Party,
    conversation: Uuid,
    archived: bool,
    actor: &User,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), MailError> {
    let action = if archived { "mail.archived" } else { "mail.unarchived" };
    let mut e = origin.event(now, action, Some(actor.id));
    e.object = Some(format!("mail-conversation:{conversation}"));
    if store.update_conversation_archived(mailbox, conversation, archived, &Effects::audit(e)).await? {
        Ok(())
    } else {
        Err(MailError::NotFound)
    }
}

/// Message `letter` as `mailbox` holds it, and its file `index`.
pub async fn file_of(
    store: &dyn Store,
    mailbox: &Party,
    letter: Uuid,
    index: usize,
) -> Result<(Filed, MailFile), MailError> {
    let filed = store.find_filed(mailbox, letter).await?.ok_or(MailError::NotFound)?;
    let f = filed.letter.files.get(index).cloned().ok_or(MailError::NotFound)?;
    Ok((filed, f))
}

/// The bytes of file `f` of a message already found in its mailbox ([`file_of`]).
pub async fn bytes(files: &dyn FileStore, f: &MailFile) -> Result<Vec<u8>, MailError> {
    files.get(&f.sha256).await.map_err(|e| MailError::Files(e.to_string()))
}

/// The folders' conversations, for the mailbox page.
pub async fn folder(store: &dyn Store, mailbox: &Party, folder: Folder) -> Result<Vec<super::Conversation>, MailError> {
    Ok(store.list_conversations(mailbox, folder, 200).await?)
}

/// Search of `mailbox`: what `typed` finds under `filter`, newest first (at most 200).
pub async fn search(
    store: &dyn Store,
    mailbox: &Party,
    typed: &str,
    filter: &super::SearchFilter,
) -> Result<Result<Vec<Filed>, super::search::QueryError>, MailError> {
    let query = match super::search::parse(typed) {
        Ok(q) => q,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(store.search_letters(mailbox, &query, filter, 200).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(file_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(file_type(b"\xEF\xBB\xBF<?xml version=\"1.0\"?><a/>"), Some("application/xml"));
        assert_eq!(file_type(b"  <?xml version=\"1.0\"?>\n<doc/>"), Some("application/xml"));
        assert_eq!(file_type(b"MZ\x90\x00 a program"), None, "a program named .pdf");
        assert_eq!(file_type(b"plain text"), None);
        assert_eq!(file_type(b"<html><script></script></html>"), None, "markup without the declaration");
    }
}
