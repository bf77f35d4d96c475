//! «Черновики»: a message kept as one types it. The form chooses the draft's id, so its first
//! save creates it and the next ones update it; only its author sees it, in the mailbox it
//! will be sent from. Sending (or signing and sending) a draft removes it in the same
//! transaction as the sending.

use super::letters::{Outgoing, Upload, keep_files};
use super::store::DraftSaved;
use super::{Draft, MailError, Party};
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;
use uuid::Uuid;

/// Most drafts one person keeps in one mailbox.
pub const MAX_DRAFTS: usize = 200;

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    /// The draft's id, chosen when the form was drawn.
    pub id: Uuid,
    /// To whom, when chosen.
    pub to: Option<Party>,
    /// How the recipient is named, when found by number.
    pub to_name: Option<String>,
    /// The number an agency's officer typed for the recipient.
    pub to_number: Option<String>,
    /// The conversation answered.
    pub reply_to: Option<Uuid>,
    /// Subject.
    pub subject: String,
    /// Text.
    pub text: String,
    /// Files added with this save (the ones kept stay).
    pub files: Vec<Upload>,
}

impl Typed {
    fn is_empty(&self) -> bool {
        self.subject.trim().is_empty() && self.text.trim().is_empty() && self.files.is_empty()
    }
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The draft as kept now.
    Kept(Box<Draft>),
    /// Nothing typed, nothing kept: no draft.
    Empty,
    /// It was sent already, as this message (a second press, a late autosave).
    Sent(Uuid),
}

/// A store's answer to a draft's write.
fn written(d: Draft, how: DraftSaved) -> Result<Saved, MailError> {
    match how {
        DraftSaved::Saved => Ok(Saved::Kept(Box::new(d))),
        DraftSaved::Sent(letter) => Ok(Saved::Sent(letter)),
        DraftSaved::NotOwn => Err(MailError::NotFound),
    }
}

/// Keeps what `author` typed in `mailbox` as draft `typed.id`: the fields replaced, then the
/// files added to those kept — the text is kept even when a file is refused. A reply's
/// conversation must be one the mailbox holds; an id that is another's draft is not found.
pub async fn save(
    store: &dyn Store,
    files: &dyn crate::application::attachment::FileStore,
    author: &User,
    mailbox: &Party,
    typed: Typed,
    now: OffsetDateTime,
) -> Result<Saved, MailError> {
    if let Some(c) = typed.reply_to
        && store.list_conversation(mailbox, c).await?.is_empty()
    {
        return Err(MailError::NotFound);
    }
    let before = store.find_draft(mailbox, author.id, typed.id).await?;
    if before.is_none() {
        if typed.is_empty() {
            return Ok(Saved::Empty);
        }
        if store.list_drafts(mailbox, author.id).await?.len() >= MAX_DRAFTS {
            return Err(MailError::TooManyDrafts);
        }
    }
    let mut d = Draft {
        id: typed.id,
        mailbox: mailbox.clone(),
        author: author.id,
        to: typed.to,
        to_name: typed.to_name,
        to_number: typed.to_number,
        reply_to: typed.reply_to,
        subject: typed.subject.trim().chars().take(super::MAX_SUBJECT).collect(),
        text: typed.text.trim_end().chars().take(super::MAX_TEXT).collect(),
        files: before.map(|b| b.files).unwrap_or_default(),
        updated_at: now,
    };
    // Saved as one types: not journalled (a sending is).
    let saved = written(d.clone(), store.upsert_draft(&d, &Effects::none()).await?)?;
    if typed.files.is_empty() || !matches!(saved, Saved::Kept(_)) {
        return Ok(saved);
    }
    let added = keep_files(files, &d.files, &typed.files).await?;
    d.files.extend(added);
    written(d.clone(), store.upsert_draft(&d, &Effects::none()).await?)
}

/// Draft `id` of `author` in `mailbox` (another's is not found).
pub async fn find(store: &dyn Store, author: &User, mailbox: &Party, id: Uuid) -> Result<Draft, MailError> {
    store.find_draft(mailbox, author.id, id).await?.ok_or(MailError::NotFound)
}

/// The drafts of `author` in `mailbox`, last saved first.
pub async fn list(store: &dyn Store, author: &User, mailbox: &Party) -> Result<Vec<Draft>, MailError> {
    Ok(store.list_drafts(mailbox, author.id).await?)
}

/// Takes file `index` off draft `id`.
pub async fn remove_file(
    store: &dyn Store,
    author: &User,
    mailbox: &Party,
    id: Uuid,
    index: usize,
    now: OffsetDateTime,
) -> Result<Draft, MailError> {
    let mut d = find(store, author, mailbox, id).await?;
    if index >= d.files.len() {
        return Err(MailError::NotFound);
    }
    d.files.remove(index);
    d.updated_at = now;
    let how = store.upsert_draft(&d, &Effects::none()).await?;
    match written(d, how)? {
        Saved::Kept(d) => Ok(*d),
        _ => Err(MailError::AlreadySent),
    }
}

/// «Удалить черновик».
pub async fn discard(
    store: &dyn Store,
    author: &User,
    mailbox: &Party,
    id: Uuid,
    origin: &crate::audit::Origin,
    now: OffsetDateTime,
) -> Result<(), MailError> {
    let mut e = origin.event(now, "mail.draft_deleted", Some(author.id));
    e.object = Some(format!("mail-draft:{id}"));
    if store.delete_draft(mailbox, author.id, id, &Effects::audit(e)).await? {
        Ok(())
    } else {
        Err(MailError::NotFound)
    }
}

/// What sending `d` sends; `from_name` names an organisation's mailbox.
pub fn outgoing(d: &Draft, from_name: Option<String>) -> Outgoing {
    Outgoing {
        to: d.to.clone(),
        reply_to: d.reply_to,
        subject: d.subject.clone(),
        text: d.text.clone(),
        files: vec![],
        kept: d.files.clone(),
        from_name,
        to_name: d.to_name.clone(),
        draft: Some(d.id),
    }
}
