//! Attachments (SPEC R5; SECURITY.md T8): the format is recognised by content, never by the
//! name; each document type has its size limit; names are cleaned before they are shown or
//! stored. Files live behind the [`FileStore`] port (a local directory now, S3-compatible
//! storage later), written to a temporary name, flushed and renamed, so a crash leaves either
//! the whole file or none.

use crate::catalogue::Format;
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// Empty file.
    #[error("Файл пустой. Выберите файл с документом")]
    Empty,
    /// Not an accepted format, whatever its name says.
    #[error("Файл не является документом в допустимом формате ({allowed}). Сохраните документ как PDF, JPEG или PNG")]
    Format {
        /// The accepted formats.
        allowed: String,
    },
    /// Over the limit.
    #[error("Файл больше {max_mb} МБ. Уменьшите размер (например, сохраните скан в меньшем разрешении)")]
    TooLarge {
        /// The limit.
        max_mb: u32,
    },
    /// A photo whose picture cannot be read.
    #[error("Фотография не читается: файл повреждён. Сохраните снимок заново в формате JPEG или PNG")]
    PhotoUnreadable,
    /// A photo below 600×800 pixels.
    #[error(
        "Фотография слишком маленькая ({width}×{height} точек): нужно не менее 600×800. Приложите снимок в большем разрешении"
    )]
    PhotoTooSmall {
        /// Its width.
        width: usize,
        /// Its height.
        height: usize,
    },
    /// A photo that is not a 3:4 portrait.
    #[error(
        "Фотография должна быть вертикальной, с соотношением сторон 3:4 (например, 600×800 точек). Обрежьте снимок"
    )]
    PhotoNotPortrait,
}

impl UploadError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "upload_empty",
            Self::Format { .. } => "upload_format_refused",
            Self::TooLarge { .. } => "upload_too_large",
            Self::PhotoUnreadable => "upload_photo_unreadable",
            Self::PhotoTooSmall { .. } => "upload_photo_too_small",
            Self::PhotoNotPortrait => "upload_photo_not_portrait",
        }
    }
}

/// The format the bytes actually are, if an accepted one.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"%PDF-") {
        Some(Format::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(Format::Png)
    } else {
        None
    }
}

/// MIME type of a format.
pub fn mime(f: Format) -> &'static str {
    match f {
        Format::Pdf => "application/pdf",
        Format::Jpeg => "image/jpeg",
        Format::Png => "image/png",
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Pdf => "PDF",
        Format::Jpeg => "JPEG",
        Format::Png => "PNG",
    }
}

/// Checks a file against a document type's formats and limit; returns its real format.
pub fn check(bytes: &[u8], allowed: &[Format], max_mb: u32) -> Result<Format, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() as u64 > u64::from(max_mb) * 1024 * 1024 {
        return Err(UploadError::TooLarge { max_mb });
    }
    match sniff(bytes) {
        Some(f) if allowed.contains(&f) => Ok(f),
        _ => {
            Err(UploadError::Format { allowed: allowed.iter().map(|f| format_name(*f)).collect::<Vec<_>>().join(", ") })
        }
    }
}

/// Smallest photo, in pixels (width, height).
pub const PHOTO_MIN: (usize, usize) = (600, 800);

/// Checks a portrait photograph (a JPEG or PNG already recognised): its picture readable,
/// at least [`PHOTO_MIN`], and 3:4 within 2 %.
pub fn check_photo(bytes: &[u8]) -> Result<(), UploadError> {
    let size = imagesize::blob_size(bytes).map_err(|_| UploadError::PhotoUnreadable)?;
    let (width, height) = (size.width, size.height);
    if width == 0 || height == 0 {
        return Err(UploadError::PhotoUnreadable);
    }
    // 3:4 within 2 %: |4w − 3h| ≤ 0.02 · 3h.
    if (4 * width).abs_diff(3 * height) * 50 > 3 * height {
        return Err(UploadError::PhotoNotPortrait);
    }
    if width < PHOTO_MIN.0 || height < PHOTO_MIN.1 {
        return Err(UploadError::PhotoTooSmall { width, height });
    }
    Ok(())
}

/// A file name safe to show and store: the last path component, control characters and
/// separators removed, at most 120 characters, never empty.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() { "документ".to_owned() } else { cleaned }
}

/// SHA-256 hex of the content: the file's key in the store.
pub fn content_key(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Where files live.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Stores `bytes` under `key` (durably: complete or absent after a crash).
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    /// Reads a file.
    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
    /// Every stored key with when it was last put, and leftovers of interrupted writes.
    async fn inventory(&self) -> std::io::Result<Inventory>;
    /// Removes a file if it was last put before `cutoff`, checked just before removal (a
    /// re-upload of the same content refreshes the time); absent is fine. Whether it removed.
    async fn remove_if_older(&self, key: &str, cutoff: std::time::SystemTime) -> std::io::Result<bool>;
    /// Whether a file can be written now (a full disk, a read-only mount, a gone directory
    /// fail here before they fail an upload): for `/readyz`.
    async fn probe(&self) -> std::io::Result<()>;
}

/// What a file store holds.
#[derive(Debug, Default)]
pub struct Inventory {
    /// `(key, last put)`.
    pub files: Vec<(String, std::time::SystemTime)>,
    /// Temporary files of interrupted writes, `(path, modified)`.
    pub partial: Vec<(PathBuf, std::time::SystemTime)>,
}

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The file store failed.
    #[error("file store: {0}")]
    Io(std::io::Error),
    /// The database failed.
    #[error("database: {0}")]
    Store(crate::StoreError),
}

/// Removes what a crash left behind: files no attachment row points to and partial writes,
/// if older than `grace` (another process may be between writing a file and its row).
/// Returns how many were removed.
pub async fn sweep_orphans(
    files: &dyn FileStore,
    store: &dyn crate::store::ApplicationStore,
    grace: std::time::Duration,
) -> Result<usize, SweepError> {
    let cutoff = std::time::SystemTime::now().checked_sub(grace).unwrap_or(std::time::UNIX_EPOCH);
    let inv = files.inventory().await.map_err(SweepError::Io)?;
    let mut removed = 0;
    for (path, modified) in inv.partial {
        if modified < cutoff {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                // Another instance swept or renamed it first.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(SweepError::Io(e)),
            }
        }
    }
    for (key, modified) in inv.files {
        if modified < cutoff
            && !store.file_referenced(&key).await.map_err(SweepError::Store)?
            && files.remove_if_older(&key, cutoff).await.map_err(SweepError::Io)?
        {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Files in a local directory, named by content hash.
pub struct LocalFileStore {
    dir: PathBuf,
}

impl LocalFileStore {
    /// Files under `dir` (created if needed).
    pub fn new(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad file key"));
        }
        Ok(self.dir.join(&key[..2]).join(key))
    }
}

#[async_trait]
impl FileStore for LocalFileStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        let path = self.path(key)?;
        if path.exists() {
            // Same content again: refresh the time so a sweep gives the new row its grace.
            return std::fs::File::options().append(true).open(&path)?.set_modified(std::time::SystemTime::now());
        }
        let dir = path.parent().map(std::path::Path::to_path_buf).unwrap_or_else(|| self.dir.clone());
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(&dir)?.sync_all()
    }

    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(key)?)
    }

    async fn inventory(&self) -> std::io::Result<Inventory> {
        let mut inv = Inventory::default();
        for shard in std::fs::read_dir(&self.dir)? {
            let shard = shard?;
            if !shard.file_type()?.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(shard.path())? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                // A partial file renamed by its writer meanwhile is simply not listed.
                let modified = match entry.metadata().and_then(|m| m.modified()) {
                    Ok(t) => t,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                };
                if name.starts_with('.') && name.ends_with(".tmp") {
                    inv.partial.push((entry.path(), modified));
                } else if self.path(&name).is_ok() {
                    inv.files.push((name, modified));
                }
            }
        }
        Ok(inv)
    }

    async fn probe(&self) -> std::io::Result<()> {
        use std::io::Write;
        // A temporary name of its own (probes may overlap), which the sweep clears if a crash
        // leaves it.
        static PROBES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = self.dir.join("00").join(format!(".probe.{}.{n}.tmp", std::process::id()));
        std::fs::create_dir_all(tmp.parent().unwrap_or(&self.dir))?;
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(&[0u8; 4096])?;
            f.sync_all()
        });
        let removed = match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
        written.and(removed)
    }

    async fn remove_if_older(&self, key: &str, cutoff: std::time::SystemTime) -> std::io::Result<bool> {
        let path = self.path(key)?;
        let gone = |e: std::io::Error| if e.kind() == std::io::ErrorKind::NotFound { Ok(false) } else { Err(e) };
        match std::fs::metadata(&path).and_then(|m| m.modified()) {
            Ok(t) if t < cutoff => std::fs::remove_file(&path).map(|()| true).or_else(gone),
            Ok(_) => Ok(false),
            Err(e) => gone(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG header saying `w`×`h` (all the size check reads).
    pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn a_photo_is_a_readable_portrait_large_enough() {
        assert_eq!(check_photo(&png(600, 800)), Ok(()));
        assert_eq!(check_photo(&jpeg(900, 1200)), Ok(()));
        assert_eq!(check_photo(&png(606, 800)), Ok(()), "within 2 %");
        assert_eq!(check_photo(&png(800, 600)), Err(UploadError::PhotoNotPortrait));
        assert_eq!(check_photo(&jpeg(600, 600)), Err(UploadError::PhotoNotPortrait));
        assert_eq!(check_photo(&png(300, 400)), Err(UploadError::PhotoTooSmall { width: 300, height: 400 }));
        assert_eq!(check_photo(&[0xFF, 0xD8, 0xFF, 0x00]), Err(UploadError::PhotoUnreadable));
        assert_eq!(check_photo(&png(0, 0)), Err(UploadError::PhotoUnreadable));
        for e in [
            UploadError::PhotoUnreadable,
            UploadError::PhotoTooSmall { width: 1, height: 1 },
            UploadError::PhotoNotPortrait,
        ] {
            assert!(e.code().starts_with("upload_photo_"));
        }
    }

    proptest::proptest! {
        #[test]
        fn photo_check_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let mut b = vec![0xFF, 0xD8, 0xFF];
            b.extend(bytes);
            let _ = check_photo(&b);
        }
    }

    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
    const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00";

    #[test]
    fn formats_are_recognised_by_content() {
        assert_eq!(sniff(PDF), Some(Format::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Format::Png));
        assert_eq!(sniff(EXE), None, "a renamed .exe is not a PDF");
        assert_eq!(check(EXE, &[Format::Pdf], 5).unwrap_err().code(), "upload_format_refused");
        assert_eq!(
            check(b"\x89PNG\r\n\x1a\n", &[Format::Pdf], 5).unwrap_err().code(),
            "upload_format_refused",
            "PNG where only PDF is allowed"
        );
        assert_eq!(check(b"", &[Format::Pdf], 5).unwrap_err().code(), "upload_empty");
        let big = [PDF, &vec![b' '; 1024 * 1024]].concat();
        assert_eq!(check(&big, &[Format::Pdf], 1).unwrap_err().code(), "upload_too_large");
        assert_eq!(check(PDF, &[Format::Pdf, Format::Png], 1).unwrap(), Format::Pdf);
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\x\\скан паспорта.pdf"), "скан паспорта.pdf");
        assert_eq!(clean_name("..."), "документ");
        assert_eq!(clean_name("a\u{0}b\nc<d>.pdf"), "abcd.pdf");
        assert_eq!(clean_name(&"я".repeat(300)).chars().count(), 120);
    }

    #[tokio::test]
    async fn files_are_stored_by_content_and_keys_cannot_escape() {
        let dir = std::env::temp_dir().join(format!("sep-files-{}", std::process::id()));
        let store = LocalFileStore::new(dir.clone()).unwrap();
        let key = content_key(PDF);
        store.put(&key, PDF).await.unwrap();
        store.put(&key, PDF).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap(), PDF);
        assert!(store.get("../../etc/passwd").await.is_err());
        let leftovers = std::fs::read_dir(dir.join(&key[..2]))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".tmp"))
            .count();
        assert_eq!(leftovers, 0);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
