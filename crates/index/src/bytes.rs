//! A cursor over little-endian binary data: the index's own files (the stored edition table,
//! the compact CC-CEDICT) and tantivy's stored documents (`crate::rawdoc`) are read with it.
//! Every read checks the length left and answers `None` when the data is cut short, so a
//! damaged or foreign file is an error of its reader, never a panic.

/// The bytes not read yet.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    /// Whether everything was read (a file with bytes after its end is damaged).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The next byte.
    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    /// The next little-endian u32.
    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.take(4).map(le_u32)
    }

    /// The next little-endian u64.
    pub(crate) fn u64(&mut self) -> Option<u64> {
        let b: [u8; 8] = self.take(8)?.try_into().ok()?;
        Some(u64::from_le_bytes(b))
    }

    /// tantivy's VInt: seven bits a byte, least significant first, the last byte's high bit set.
    pub(crate) fn vint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 != 0 {
                return Some(v);
            }
        }
        None
    }
}

/// The little-endian u32 of four bytes (0 for a slice of another length).
pub(crate) fn le_u32(b: &[u8]) -> u32 {
    <[u8; 4]>::try_from(b).map_or(0, u32::from_le_bytes)
}

/// The bytes of one of the index's own files (the stored edition table and graph, the column
/// cache, the HS names), mapped rather than read. `std::fs::read` copies the file into fresh
/// heap pages that the kernel zeroes first: for the 35 MB column cache and the 17 MB edition
/// table that zeroing and copying were a quarter of a start's samples at 300k documents; a
/// mapping (tantivy's `MmapDirectory`, as for the segments, asking the kernel to read ahead)
/// uses the page cache's pages, and unmaps them when the bytes are dropped. A missing file is
/// an error of kind `NotFound`, as with `std::fs::read`. The writers of these files write a
/// temporary file and rename it over the old one, never rewrite one in place, so a mapping
/// never sees its file shrink.
pub(crate) fn read_mapped(
    path: &std::path::Path,
) -> std::io::Result<tantivy::directory::OwnedBytes> {
    use tantivy::directory::error::OpenReadError;
    use tantivy::directory::{Advice, Directory, MmapDirectory};
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(std::io::Error::other(format!(
            "{} is not a file",
            path.display()
        )));
    };
    let dir = if dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        dir
    };
    let dir = MmapDirectory::open_with_madvice(dir, Advice::WillNeed).map_err(|e| match e {
        tantivy::directory::error::OpenDirectoryError::DoesNotExist(_) => {
            std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string())
        }
        other => std::io::Error::other(other.to_string()),
    })?;
    match dir.open_read(std::path::Path::new(name)) {
        Ok(slice) => slice.read_bytes(),
        Err(e @ OpenReadError::FileDoesNotExist(_)) => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            e.to_string(),
        )),
        Err(e) => Err(std::io::Error::other(e.to_string())),
    }
}

/// Bytes [`seal`] appends: the CRC-32 of what was written (little-endian).
pub(crate) const SEAL_BYTES: usize = 4;

/// Seals the index's own files (the stored edition table and graph, the HS names): the bytes
/// written, then their checksum, which [`unseal`] checks. CRC-32 (`crc32fast`, the checksum
/// tantivy's own file footers use) runs at several GB/s with the processor's carry-less
/// multiply: the FNV-1a it replaced went a byte at a time, ~20 ms of every start for the
/// 17 MB edition table of the 300k-document index, on the path to the first answer.
pub(crate) fn seal(mut out: Vec<u8>) -> Vec<u8> {
    let sum = crc32fast::hash(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Why a sealed file was not read.
#[derive(Debug)]
pub(crate) enum Unsealed {
    /// Damaged or not a file of this kind: why.
    Unreadable(String),
    /// Written under another key (other inputs or rules).
    Stale,
}

/// Opens a [`seal`]ed file that starts with `magic` and a little-endian u64 `key`: a reader
/// of what follows them (without the checksum), or why not. `what` names the kind of file in
/// the message of a foreign one.
pub(crate) fn unseal<'a>(
    bytes: &'a [u8],
    magic: &[u8],
    what: &str,
    key: u64,
) -> Result<Reader<'a>, Unsealed> {
    let (written, r) = unseal_any_key(bytes, magic, what)?;
    if written != key {
        return Err(Unsealed::Stale);
    }
    Ok(r)
}

/// [`unseal`] without the key check: the key the file was written under, and a reader of
/// what follows it. For a reader that can check what the file was built from another way
/// (the HS names without their source files).
pub(crate) fn unseal_any_key<'a>(
    bytes: &'a [u8],
    magic: &[u8],
    what: &str,
) -> Result<(u64, Reader<'a>), Unsealed> {
    let bad = |why: &str| Unsealed::Unreadable(why.to_string());
    let body_len = bytes
        .len()
        .checked_sub(SEAL_BYTES)
        .ok_or_else(|| bad("shorter than its checksum"))?;
    let (body, sum) = bytes.split_at(body_len);
    let mut r = Reader(body);
    let head = r.take(magic.len()).ok_or_else(|| bad("truncated"))?;
    if head != magic {
        // The same kind of file in another format version (the magic's last byte): written by
        // another version of the program, like a file of other rules.
        let kind = magic.len().saturating_sub(1);
        if head.get(..kind) == magic.get(..kind) {
            return Err(Unsealed::Stale);
        }
        return Err(Unsealed::Unreadable(format!(
            "not {what} file of this format"
        )));
    }
    if sum != crc32fast::hash(body).to_le_bytes() {
        return Err(bad("checksum mismatch"));
    }
    let key = r.u64().ok_or_else(|| bad("truncated"))?;
    Ok((key, r))
}
