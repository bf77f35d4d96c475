//! «Подписать и отправить»: a draft signed with the person's cloud key (SPEC E2) — its text and
//! every file, each with its own detached CMS signature that `/verify` checks with the part
//! alone. One SMS code covers the whole message: it is bound to the hash of a manifest that
//! lists every part's name and Стрибог-256 hash, so a draft changed after the code was sent
//! is refused rather than signed unseen. The message takes the signing's id, so a second press
//! of one code cannot send it twice.

use super::letters::{deliver, part_hashes, prepare};
use super::{Letter, MailError, Party, drafts};
use crate::application::attachment::{FileStore, content_key};
use crate::audit::Origin;
use crate::catalogue::Catalogue;
use crate::signing::{Authority, SignRequest, SigningError, Source, cloud};
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;
use uuid::Uuid;

/// The signed text of a message: its subject and text as UTF-8, the bytes its part 0
/// signature covers (downloaded as [`TEXT_NAME`]). Printed content, not an interface text.
pub fn text_part(subject: &str, text: &str) -> Vec<u8> {
    format!("Тема: {subject}\n\n{text}\n").into_bytes()
}

/// The name the signed text downloads under.
pub const TEXT_NAME: &str = "text.txt";

/// What the code is bound to: from whom and to whom, then each part's name and hash, a line
/// each — a draft sent elsewhere or changed after the code was sent no longer matches.
pub fn manifest(letter: &Letter, hashes: &[String]) -> String {
    let (from, to) = (&letter.from, &letter.to);
    let mut out = format!("from\t{}:{}\t{}\n", from.kind(), from.key(), letter.from_name);
    out.push_str(&format!("to\t{}:{}\t{}\n", to.kind(), to.key(), letter.to_name));
    for (name, hash) in letter.part_names().iter().zip(hashes) {
        out.push_str(&format!("{name}\t{hash}\n"));
    }
    out
}

/// The signing's document key for draft `id`.
fn key(id: Uuid) -> String {
    format!("mail:{id}")
}

/// The draft a signing is for.
pub fn draft_of(r: &SignRequest) -> Option<Uuid> {
    r.document.strip_prefix("mail:")?.parse().ok()
}

/// How the confirming page names what is signed.
fn title(letter: &Letter) -> String {
    match (letter.subject.as_str(), letter.files.len()) {
        ("", 0) => "Сообщение без темы".to_owned(),
        ("", n) => format!("Сообщение без темы и файлы ({n})"),
        (s, 0) => format!("Сообщение «{s}»"),
        (s, n) => format!("Сообщение «{s}» и файлы ({n})"),
    }
}

/// The message draft `id` would send, checked as a sending is, with its parts' hashes.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
async fn prepared(
    store: &dyn Store,
    files: &dyn FileStore,
    catalogue: &Catalogue,
    authority: &dyn Authority,
    author: &User,
    mailbox: &Party,
    draft: Uuid,
    from_name: Option<String>,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<(Letter, Vec<String>), MailError> {
    if matches!(mailbox, Party::Agency(_)) {
        // An agency's letters are signed with its system key as they are sent.
        return Err(MailError::NotFound);
    }
    let d = drafts::find(store, author, mailbox, draft).await?;
    let letter = prepare(store, files, catalogue, author, mailbox, &drafts::outgoing(&d, from_name), id, now).await?;
    let hashes = part_hashes(files, authority, &letter).await?;
    Ok((letter, hashes))
}

/// «Подписать и отправить» draft `draft`: an SMS code bound to the manifest of its parts.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn start(
    store: &dyn Store,
    files: &dyn FileStore,
    catalogue: &Catalogue,
    authority: &dyn Authority,
    author: &User,
    mailbox: &Party,
    draft: Uuid,
    from_name: Option<String>,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<SignRequest, MailError> {
    let (letter, hashes) =
        prepared(store, files, catalogue, authority, author, mailbox, draft, from_name, Uuid::nil(), now).await?;
    let m = manifest(&letter, &hashes);
    let target = cloud::Target {
        key: key(draft),
        file_name: title(&letter),
        sha256: content_key(m.as_bytes()),
        hash: authority.hash(m.as_bytes()),
    };
    Ok(cloud::start(store, author, target, origin, now).await?)
}

/// What a pending signing covers, as the confirming page shows it: the recipient and each
/// part's `(name, hash)`. A draft changed since the code was sent is refused, so the page
/// never shows what the code would not sign.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn parts(
    store: &dyn Store,
    files: &dyn FileStore,
    catalogue: &Catalogue,
    authority: &dyn Authority,
    author: &User,
    mailbox: &Party,
    r: &SignRequest,
    from_name: Option<String>,
    now: OffsetDateTime,
) -> Result<(String, Vec<(String, String)>), MailError> {
    let draft = draft_of(r).ok_or(MailError::NotFound)?;
    let (letter, hashes) =
        prepared(store, files, catalogue, authority, author, mailbox, draft, from_name, Uuid::nil(), now).await?;
    if authority.hash(manifest(&letter, &hashes).as_bytes()) != r.hash {
        return Err(MailError::DraftChanged);
    }
    Ok((letter.to_name.clone(), letter.part_names().into_iter().zip(hashes).collect()))
}

/// The typed code for signing `id`: a right one signs every part of the draft as it was
/// shown and sends it; the draft is marked sent with the sending.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn confirm(
    store: &dyn Store,
    files: &dyn FileStore,
    catalogue: &Catalogue,
    authority: &dyn Authority,
    author: &User,
    mailbox: &Party,
    id: Uuid,
    typed: &str,
    from_name: Option<String>,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Letter, MailError> {
    let r = cloud::request(store, author, id).await?;
    let draft = draft_of(&r).ok_or(MailError::NotFound)?;
    // Sent already: the message holds the signing's id.
    if store.find_filed(mailbox, r.id).await?.is_some() {
        return Err(MailError::AlreadySent);
    }
    let (r, spent, credential) = cloud::release(store, author, id, typed, now).await?;
    let (mut letter, hashes) =
        prepared(store, files, catalogue, authority, author, mailbox, draft, from_name, r.id, now).await?;
    if authority.hash(manifest(&letter, &hashes).as_bytes()) != r.hash {
        return Err(MailError::DraftChanged);
    }
    let ders = super::letters::seal(&mut letter, hashes, Source::Cloud, |hash| {
        let der = authority.sign(&credential, hash, now).map_err(|e| SigningError::Authority(e.0))?;
        Ok((der, credential.certificate.clone()))
    })?;
    // The code is spent before the message goes, on the condition that it is as it was read:
    // a press racing this one, or wrong guesses meanwhile, leave this one nothing to send.
    let mut e = origin.event(now, "mail.signed", Some(author.id));
    e.object = Some(format!("mail:{}", letter.id));
    e.details = serde_json::json!({ "hash": r.hash, "certificate": credential.certificate.serial });
    match store.update_sign_request(&spent, &r.code, None, &Effects::audit(e)).await {
        Ok(()) => {}
        Err(crate::StoreError::Conflict { .. }) => return Err(SigningError::CodeVoid.into()),
        Err(e) => return Err(e.into()),
    }
    deliver(store, &letter, &ders, Some(draft), origin).await?;
    Ok(letter)
}
