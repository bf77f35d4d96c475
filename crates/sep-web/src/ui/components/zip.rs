//! A ZIP archive written as it is sent (APPNOTE 6.3: stored entries, UTF-8 names, the
//! central directory at the end), so the memory a download takes is one file, however many
//! are chosen. Written here rather than with the `zip` crate: that crate writes to a `Write +
//! Seek` or buffers, while this needs a stream of chunks; stored entries of files already in
//! memory need no data descriptors, which keeps this small. No ZIP64: a selection stays under
//! [`MAX_TOTAL`].

/// The most an archive may hold (the 32-bit offsets of a plain ZIP, with room for headers).
pub(crate) const MAX_TOTAL: u64 = 4_000_000_000;
/// The most entries (the 16-bit count of a plain ZIP's end record).
pub(crate) const MAX_ENTRIES: usize = 65_000;

/// What the central directory needs to know of an entry written before.
struct Written {
    name: Vec<u8>,
    crc: u32,
    size: u32,
    offset: u32,
    dos: (u16, u16),
}

/// Writes entries one after another, then the directory.
pub(crate) struct Zip {
    written: Vec<Written>,
    offset: u64,
}

/// `at` as MS-DOS time and date in Moscow time (readers take it as local time; two-second
/// steps, years from 1980).
fn dos_time(at: time::OffsetDateTime) -> (u16, u16) {
    let at = at.checked_to_offset(time::macros::offset!(+3)).unwrap_or(at);
    let year = u16::try_from(at.year().clamp(1980, 2107) - 1980).unwrap_or(0);
    let time = (u16::from(at.hour()) << 11) | (u16::from(at.minute()) << 5) | u16::from(at.second() / 2);
    let date = (year << 9) | (u16::from(u8::from(at.month())) << 5) | u16::from(at.day());
    (time, date)
}

/// Bit 11: the name is UTF-8.
const UTF8: u16 = 1 << 11;

impl Zip {
    /// An empty archive.
    pub(crate) fn new() -> Self {
        Self { written: Vec::new(), offset: 0 }
    }

    /// The bytes of one entry (header and content) dated `at`; `None` once the archive would
    /// be too large.
    pub(crate) fn entry(&mut self, name: &str, content: &[u8], at: time::OffsetDateTime) -> Option<Vec<u8>> {
        if self.written.len() >= MAX_ENTRIES {
            return None;
        }
        let dos = dos_time(at);
        let size = u32::try_from(content.len()).ok()?;
        let offset = u32::try_from(self.offset).ok()?;
        let name = name.as_bytes().to_vec();
        let name_len = u16::try_from(name.len()).ok()?;
        let total = self.offset + 30 + name.len() as u64 + content.len() as u64;
        if total > MAX_TOTAL {
            return None;
        }
        let crc = crc32fast::hash(content);
        let mut out = Vec::with_capacity(30 + name.len() + content.len());
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
        out.extend_from_slice(&UTF8.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // stored
        out.extend_from_slice(&dos.0.to_le_bytes());
        out.extend_from_slice(&dos.1.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes()); // compressed
        out.extend_from_slice(&size.to_le_bytes()); // uncompressed
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(&name);
        out.extend_from_slice(content);
        self.offset = total;
        self.written.push(Written { name, crc, size, offset, dos });
        Some(out)
    }

    /// The central directory and its end record.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        for w in &self.written {
            out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes()); // made by: 2.0
            out.extend_from_slice(&20u16.to_le_bytes()); // needed: 2.0
            out.extend_from_slice(&UTF8.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&w.dos.0.to_le_bytes());
            out.extend_from_slice(&w.dos.1.to_le_bytes());
            out.extend_from_slice(&w.crc.to_le_bytes());
            out.extend_from_slice(&w.size.to_le_bytes());
            out.extend_from_slice(&w.size.to_le_bytes());
            out.extend_from_slice(&u16::try_from(w.name.len()).unwrap_or(u16::MAX).to_le_bytes());
            out.extend_from_slice(&[0; 8]); // extra, comment, disk number, internal attributes
            out.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            out.extend_from_slice(&w.offset.to_le_bytes());
            out.extend_from_slice(&w.name);
        }
        let count = u16::try_from(self.written.len()).unwrap_or(u16::MAX);
        let size = u32::try_from(out.len()).unwrap_or(u32::MAX);
        let start = u32::try_from(self.offset).unwrap_or(u32::MAX);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // this disk, the directory's disk
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&start.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // comment
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's `zipfile` (an independent reader) reads what this writes, names and contents.
    #[test]
    fn python_reads_the_archive() {
        let at = time::macros::datetime!(2026-12-06 15:30:14 UTC);
        assert_eq!(dos_time(at), ((18 << 11) | (30 << 5) | 7, (46 << 9) | (12 << 5) | 6), "Moscow time");
        let mut zip = Zip::new();
        let mut bytes = Vec::new();
        bytes.extend(zip.entry("2026-000001/паспорт.pdf", b"%PDF-1.7 one", at).unwrap());
        bytes.extend(zip.entry("2026-000001/snils.pdf", &vec![7u8; 100_000], at).unwrap());
        bytes.extend(zip.finish());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        std::fs::write(&path, &bytes).unwrap();
        let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor i in z.infolist(): print(i.filename, i.file_size, i.date_time)";
        let out = std::process::Command::new("python3").args(["-c", script, path.to_str().unwrap()]).output();
        let Ok(out) = out else { return };
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("2026-000001/паспорт.pdf 12 (2026, 12, 6, 18, 30, 14)"), "{text}");
        assert!(text.contains("2026-000001/snils.pdf 100000"), "{text}");
    }
}
