//! «Электронный ящик» (SPEC M1, seed 000): correspondence between people, agencies and
//! counterparties. A message is written once and filed in two mailboxes — the sender's
//! («Отправленные») and the recipient's («Входящие») — each with its own read and archive
//! marks; replies share the first message's conversation. A person writes to the agencies of
//! the directory and to the counterparties on their «Разрешённые получатели и контрагенты» list;
//! an agency's officers read and answer its mailbox. Delivery is the moment of filing
//! («Доставлено»); the recipient opening it is «Прочитано», a receipt the sender sees.

pub mod counterparty;
pub mod drafts;
pub mod error;
pub mod letters;
pub mod receipt;
pub mod sealed;
pub mod search;
pub mod store;

pub use error::MailError;
pub use sealed::{TEXT_NAME, text_part};

use crate::ids::UserId;
use time::OffsetDateTime;
use uuid::Uuid;

/// Who owns a mailbox or writes a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Party {
    /// A person (their own mailbox).
    Person(UserId),
    /// An agency, by the name services give it.
    Agency(String),
    /// An organisation or a sole proprietor, by ИНН.
    Org(String),
}

impl Party {
    /// Stored kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Person(_) => "person",
            Self::Agency(_) => "agency",
            Self::Org(_) => "org",
        }
    }

    /// Stored key.
    pub fn key(&self) -> String {
        match self {
            Self::Person(u) => u.0.to_string(),
            Self::Agency(a) | Self::Org(a) => a.clone(),
        }
    }

    /// From the stored kind and key.
    pub fn from_stored(kind: &str, key: &str) -> Option<Self> {
        match kind {
            "person" => key.parse().ok().map(|u| Self::Person(UserId(u))),
            "agency" => Some(Self::Agency(key.to_owned())),
            "org" => Some(Self::Org(key.to_owned())),
            _ => None,
        }
    }
}

/// A file on a message, kept in the file store by content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailFile {
    /// Cleaned original name.
    pub name: String,
    /// MIME type of the recognised format.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Key in the file store.
    pub sha256: String,
}

/// A message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// Id.
    pub id: Uuid,
    /// The conversation (the first message's id).
    pub conversation: Uuid,
    /// From.
    pub from: Party,
    /// The sender as shown.
    pub from_name: String,
    /// To.
    pub to: Party,
    /// The recipient as shown.
    pub to_name: String,
    /// Who wrote it (the person, or the agency's officer).
    pub author: UserId,
    /// Subject.
    pub subject: String,
    /// Text.
    pub text: String,
    /// Files.
    pub files: Vec<MailFile>,
    /// Sent, and delivered: filing in the recipient's mailbox is the same transaction.
    pub sent_at: OffsetDateTime,
    /// When the recipient first opened it.
    pub read_at: Option<OffsetDateTime>,
    /// Its signatures: a person's (cloud key) or an agency's (system key), one per part.
    pub signatures: Vec<MailSignature>,
    /// The application whose «Связаться с оператором» thread it belongs to: the conversation
    /// is then the application's (its id), answered on the application's page.
    pub application: Option<crate::application::record::ApplicationId>,
}

/// A signature of one part of a message: part 0 is its text ([`text_part`]), part `n` its
/// `n`-th file. Each is a detached CMS over that part's bytes, so `/verify` checks it with
/// the part alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSignature {
    /// Which part.
    pub part: u32,
    /// The part's Стрибог-256 hash, hex: what was signed.
    pub hash: String,
    /// The person's cloud key or the agency's system key.
    pub source: crate::signing::Source,
    /// The signer's certificate.
    pub signer: crate::signature::Certificate,
    /// When it was made (the portal's clock).
    pub signed_at: OffsetDateTime,
}

/// A message being written: kept as one types, sent (or signed and sent) from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Id (chosen by the form, so the first save creates it).
    pub id: Uuid,
    /// The mailbox it will be sent from.
    pub mailbox: Party,
    /// Who writes it; only they see it.
    pub author: UserId,
    /// To whom, once chosen (a reply's goes to the conversation's other side).
    pub to: Option<Party>,
    /// How the recipient is named when the sender found them by number (an agency writing
    /// first).
    pub to_name: Option<String>,
    /// The number an agency's officer typed for the recipient (СНИЛС, ИНН or ОГРН), as typed.
    pub to_number: Option<String>,
    /// The conversation it answers.
    pub reply_to: Option<Uuid>,
    /// Subject.
    pub subject: String,
    /// Text.
    pub text: String,
    /// Files already kept.
    pub files: Vec<MailFile>,
    /// Last saved.
    pub updated_at: OffsetDateTime,
}

impl Letter {
    /// The names of its parts as its signatures cover them: its text ([`TEXT_NAME`]), then
    /// each file.
    pub fn part_names(&self) -> Vec<String> {
        std::iter::once(TEXT_NAME.to_owned()).chain(self.files.iter().map(|f| f.name.clone())).collect()
    }

    /// What search finds it by: subject, text, file names, sender and recipient.
    pub fn searchable(&self) -> String {
        let mut out = format!("{}\n{}\n{}\n{}", self.subject, self.text, self.from_name, self.to_name);
        for f in &self.files {
            out.push('\n');
            out.push_str(&f.name);
        }
        out
    }
}

/// What a search is narrowed to besides its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Only this folder.
    pub folder: Option<Folder>,
    /// Only messages from or to this party.
    pub with: Option<Party>,
    /// Sent at or after.
    pub from: Option<OffsetDateTime>,
    /// Sent before.
    pub before: Option<OffsetDateTime>,
}

/// A message as one mailbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    /// The message.
    pub letter: Letter,
    /// Received (`true`) or sent (`false`) by this mailbox.
    pub incoming: bool,
    /// Opened by this mailbox (always for what it sent).
    pub read: bool,
    /// In «Архив».
    pub archived: bool,
}

/// A mailbox's folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Folder {
    /// «Входящие»: conversations with something received and not archived.
    Inbox,
    /// «Отправленные»: conversations with something sent and not archived.
    Sent,
    /// «Архив».
    Archive,
}

impl Folder {
    /// Every folder.
    pub const ALL: [Self; 3] = [Self::Inbox, Self::Sent, Self::Archive];

    /// Stable code (the address's `?folder=`).
    pub const fn code(self) -> &'static str {
        match self {
            Self::Inbox => "inbox",
            Self::Sent => "sent",
            Self::Archive => "archive",
        }
    }

    /// From the code; anything else is the inbox.
    pub fn from_code(code: &str) -> Self {
        Self::ALL.into_iter().find(|f| f.code() == code).unwrap_or(Self::Inbox)
    }

    /// As people read it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Inbox => "Входящие",
            Self::Sent => "Отправленные",
            Self::Archive => "Архив",
        }
    }
}

/// A conversation as a folder lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Id.
    pub id: Uuid,
    /// The first message's subject.
    pub subject: String,
    /// The other side, as the newest message names it.
    pub with: String,
    /// The newest message's time.
    pub last_at: OffsetDateTime,
    /// Messages this mailbox holds.
    pub count: i64,
    /// Of them received and not opened.
    pub unread: i64,
}

/// The agencies a person may write to: those the catalogue's services name, and the registries'
/// (ФНС, СФР, МВД), sorted.
pub fn directory(catalogue: &crate::catalogue::Catalogue) -> Vec<String> {
    let mut all: Vec<String> = catalogue.search("").into_iter().map(|s| s.agency.clone()).collect();
    all.extend(AGENCIES.iter().map(|a| (*a).to_owned()));
    all.sort();
    all.dedup();
    all
}

/// The registries' agencies, always in the directory.
pub const AGENCIES: [&str; 3] = ["МВД России", "СФР", "ФНС России"];

/// Longest subject kept.
pub const MAX_SUBJECT: usize = 200;
/// Longest text kept.
pub const MAX_TEXT: usize = 20_000;
/// Most files on a message.
pub const MAX_FILES: usize = 10;
/// Largest file, MB.
pub const MAX_FILE_MB: u32 = 5;
/// Largest message (all files), MB; the portal's request limit (`max_body_bytes`) must allow it.
pub const MAX_MESSAGE_MB: u32 = 10;
/// Unread messages counted for a badge; at this many it says «99+».
pub const UNREAD_CAP: i64 = 100;

/// Messages a person may send in an hour.
pub const SEND_PER_HOUR: i64 = 100;
