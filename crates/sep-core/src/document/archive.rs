//! «Мои документы» (SPEC D1, D2): every document of a person in one list — the files they
//! attached to their applications and those in the application threads, from either side —
//! searchable by name and kind, filtered by date, newest first, a page at a time. This first
//! list reads the applications' files and the documents the system issued (`issued`).

use crate::StoreError;
use crate::application::record::{ApplicationId, StoredFile};
use crate::catalogue::Catalogue;
use crate::store::Store;
use crate::user::User;
use time::{Date, OffsetDateTime};

/// Rows on one page of the archive.
pub const PAGE_SIZE: usize = 50;

/// Where a document came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Attached to an application as one of the service's documents (its code).
    Attachment {
        /// The attachment's id.
        id: uuid::Uuid,
        /// The service's document code.
        document: String,
    },
    /// Issued by the system as the application's result, signed by the agency.
    Issued {
        /// The issued document's id.
        id: uuid::Uuid,
        /// Its number.
        number: String,
        /// The check link's path (`/verify/{number}?ck=…`).
        check: String,
        /// Whether it was annulled.
        annulled: bool,
        /// The справка order it answers, when it is a справка.
        order: Option<uuid::Uuid>,
        /// The payment it answers, when it is a receipt.
        payment: Option<uuid::Uuid>,
    },
    /// Sent with a message of the application's thread.
    Message {
        /// The message's id.
        id: i64,
        /// Whether the agency sent it.
        from_agency: bool,
    },
}

/// One document of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The application it belongs to; none for a справка.
    pub application: Option<ApplicationId>,
    /// The application's number once sent, or the справка order's.
    pub number: Option<String>,
    /// What kind of document it is: the service's document title, or «Вложение сообщения».
    pub kind: String,
    /// The file.
    pub file: StoredFile,
    /// When it arrived.
    pub at: OffsetDateTime,
    /// Where it came from.
    pub origin: Origin,
    /// Whether its owner may still remove or replace it: a file of an application not yet
    /// sent (or returned for fixing); files of the correspondence stay.
    pub removable: bool,
    /// Its earlier versions, oldest first (SPEC D2).
    pub versions: Vec<Version>,
}

/// An earlier version of a document, kept when it was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The attachment's id.
    pub id: uuid::Uuid,
    /// The file as it was.
    pub file: StoredFile,
    /// When it was uploaded.
    pub at: OffsetDateTime,
}

/// The kind of a file sent with a message.
pub const MESSAGE_KIND: &str = "Вложение сообщения";

/// What the archive shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Words of the file name (case-insensitive); empty for all.
    pub name: String,
    /// Exactly this kind; empty for all.
    pub kind: String,
    /// From this day (Moscow time) on.
    pub from: Option<Date>,
    /// Up to this day (Moscow time).
    pub to: Option<Date>,
    /// The page, from 1.
    pub page: usize,
}

/// One page of the archive.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The documents of the page, newest first.
    pub entries: Vec<Entry>,
    /// How many match the filter.
    pub matching: usize,
    /// How many the person has in all.
    pub total: usize,
    /// Every kind the person has, for the filter.
    pub kinds: Vec<String>,
}

impl Listing {
    /// How many pages the matching documents fill.
    pub fn pages(&self) -> usize {
        self.matching.div_ceil(PAGE_SIZE).max(1)
    }
}

use crate::clock::moscow_day;

impl Entry {
    /// A stable reference to the document, for a selection (`a:<attachment>`,
    /// `m:<application>:<message>`).
    pub fn key(&self) -> String {
        match &self.origin {
            Origin::Attachment { id, .. } => format!("a:{id}"),
            Origin::Message { id, .. } => {
                format!("m:{}:{id}", self.application.map(|a| a.to_string()).unwrap_or_default())
            }
            Origin::Issued { id, .. } => format!("i:{id}"),
        }
    }
}

/// Every document of `user`, filtered and paged.
pub async fn archive(
    store: &dyn Store,
    catalogue: &Catalogue,
    user: &User,
    filter: &Filter,
) -> Result<Listing, StoreError> {
    let mut all = entries(store, catalogue, user).await?;
    let total = all.len();
    let mut kinds: Vec<String> = all.iter().map(|e| e.kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let words: Vec<String> = filter.name.to_lowercase().split_whitespace().map(str::to_owned).collect();
    all.retain(|e| {
        let name = e.file.file_name.to_lowercase();
        words.iter().all(|w| name.contains(w.as_str()))
            && (filter.kind.is_empty() || e.kind == filter.kind)
            && filter.from.is_none_or(|d| moscow_day(e.at) >= d)
            && filter.to.is_none_or(|d| moscow_day(e.at) <= d)
    });
    let matching = all.len();
    // A page past the last (a bookmark, a typed number) shows the last.
    let page = filter.page.clamp(1, matching.div_ceil(PAGE_SIZE).max(1));
    let entries = all.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    Ok(Listing { entries, matching, total, kinds })
}

/// The document of `user` with archive key `key` (only the person's own are found).
pub async fn find(
    store: &dyn Store,
    catalogue: &Catalogue,
    user: &User,
    key: &str,
) -> Result<Option<Entry>, StoreError> {
    Ok(entries(store, catalogue, user).await?.into_iter().find(|e| e.key() == key))
}

/// Every document of `user`, newest first: four reads whatever the number of applications.
pub async fn entries(store: &dyn Store, catalogue: &Catalogue, user: &User) -> Result<Vec<Entry>, StoreError> {
    let apps: std::collections::HashMap<_, _> =
        store.list_applications_for_user(user.id).await?.into_iter().map(|a| (a.id, a)).collect();
    let mut all = Vec::new();
    let attachments = store.list_attachments_of_user(user.id).await?;
    // Earlier versions by the id of the version that replaced them.
    let replaced: std::collections::HashMap<uuid::Uuid, &crate::application::record::Attachment> =
        attachments.iter().filter_map(|a| a.replaced_by.map(|by| (by, a))).collect();
    for a in attachments.iter().filter(|a| a.replaced_by.is_none()).cloned() {
        let Some(app) = apps.get(&a.application_id) else { continue };
        let mut versions = Vec::new();
        let mut cursor = a.id;
        while let Some(before) = replaced.get(&cursor) {
            let file = StoredFile {
                file_name: before.file_name.clone(),
                content_type: before.content_type.clone(),
                size: before.size,
                sha256: before.sha256.clone(),
            };
            versions.push(Version { id: before.id, file, at: before.created_at });
            cursor = before.id;
        }
        versions.reverse();
        let kind = catalogue
            .get(&app.service)
            .and_then(|s| s.documents.iter().find(|d| d.code == a.document))
            .map_or_else(|| a.document.clone(), |d| d.title.clone());
        let file = StoredFile { file_name: a.file_name, content_type: a.content_type, size: a.size, sha256: a.sha256 };
        let origin = Origin::Attachment { id: a.id, document: a.document };
        let removable = app.status.allowed().contains(&crate::application::status::Allowed::Edit);
        all.push(Entry {
            application: Some(app.id),
            number: app.number.clone(),
            kind,
            file,
            at: a.created_at,
            origin,
            removable,
            versions,
        });
    }
    for m in store.list_message_files_of_user(user.id).await? {
        let (Some(app), Some(file)) = (apps.get(&m.application_id), m.file) else { continue };
        let origin = Origin::Message { id: m.id, from_agency: m.author == "officer" };
        let kind = MESSAGE_KIND.to_owned();
        all.push(Entry {
            application: Some(app.id),
            number: app.number.clone(),
            kind,
            file,
            at: m.at,
            origin,
            removable: false,
            versions: vec![],
        });
    }
    let issued = store.list_issued_documents_of_user(user.id).await?;
    // A fifth read only for a person with справки.
    let orders: std::collections::HashMap<uuid::Uuid, String> = if issued.iter().any(|d| d.order_id.is_some()) {
        store.list_spravka_orders_of_user(user.id).await?.into_iter().map(|o| (o.id, o.number)).collect()
    } else {
        std::collections::HashMap::new()
    };
    for d in issued {
        let (application, number, kind) = match (d.application_id, d.order_id, d.payment_id) {
            (Some(a), _, _) => {
                let Some(app) = apps.get(&a) else { continue };
                (Some(app.id), app.number.clone(), super::issued::ISSUED_KIND)
            }
            (None, Some(o), _) => (None, orders.get(&o).cloned(), crate::spravka::make::SPRAVKA_KIND),
            (None, None, Some(_)) => (None, None, crate::payment::receipt::RECEIPT_KIND),
            (None, None, None) => continue,
        };
        let origin = Origin::Issued {
            id: d.id,
            number: d.number.clone(),
            check: d.check_path(),
            annulled: d.annulled_at.is_some(),
            order: d.order_id,
            payment: d.payment_id,
        };
        all.push(Entry {
            application,
            number,
            kind: kind.to_owned(),
            file: d.file,
            at: d.issued_at,
            origin,
            removable: false,
            versions: vec![],
        });
    }
    all.sort_by_key(|e| std::cmp::Reverse(e.at));
    Ok(all)
}
