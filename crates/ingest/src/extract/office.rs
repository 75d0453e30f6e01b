//! Office Open XML files: the text of a DOCX, and the expansion guard every ZIP-based input
//! (DOCX, XLSX) passes before any XML is parsed.
//!
//! A DOCX is a ZIP archive whose `word/document.xml` holds the body. It is read with the `zip`
//! crate and the `quick-xml` pull parser (no hand-written XML parsing): paragraphs (`w:p`)
//! become lines, table cells (`w:tc`) are separated by tabs and rows (`w:tr`) end lines, `w:tab`
//! and `w:br` are kept. Footnotes and headers are not read.
//!
//! ZIP bombs: sizes in a ZIP's headers are claims, so nothing trusts them. [`check_expansion`]
//! inflates every entry through a counting sink (memory stays at one buffer) and refuses the
//! archive once the total passes [`ZipLimits::max_expanded_bytes`] or it holds more than
//! [`ZipLimits::max_entries`] entries; the DOCX body is then read with the same cap.
//!
//! Legacy Word `.doc` (the OLE binary format of Word 97-2003) is read by `antiword` when it is
//! installed (Debian's package, kept up by its security team): no maintained Rust crate reads
//! the format, and writing a parser for it is out of the question. The bytes go to a private
//! temporary file that is removed when the call returns, the tool runs with the caller's timeout,
//! and its UTF-8 output (CJK included, `-m UTF-8.txt`) is the text. Without the tool a `.doc` is
//! refused with a message that says what to install or to save the file as DOCX.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::ExtractError;

/// Bounds on what a ZIP-based file may expand to.
#[derive(Debug, Clone, Copy)]
pub struct ZipLimits {
    /// Total bytes of all entries once inflated.
    pub max_expanded_bytes: u64,
    /// Entries in the archive.
    pub max_entries: usize,
}

impl Default for ZipLimits {
    /// 64 MiB inflated, 10,000 entries: far above any real catalog or document (the XLSX
    /// fixture catalog inflates to a few KiB; 64 MiB of sheet XML is some 500,000 short rows),
    /// and what calamine then holds stays some hundreds of MiB.
    fn default() -> ZipLimits {
        ZipLimits {
            max_expanded_bytes: 64 * 1024 * 1024,
            max_entries: 10_000,
        }
    }
}

/// Why a ZIP-based file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    /// Not a readable ZIP archive.
    #[error("not a valid zip archive: {0}")]
    NotZip(String),
    /// Entries inflate past the limit.
    #[error("the archive expands to more than {limit} bytes (a zip bomb?)")]
    Expands {
        /// The limit passed.
        limit: u64,
    },
    /// Too many entries.
    #[error("the archive holds {count} entries, over the limit of {limit}")]
    Entries {
        /// Entries found.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Encrypted entries.
    #[error("the archive is encrypted")]
    Encrypted,
}

/// Inflates every entry of the archive into a counting sink; see the module documentation.
pub fn check_expansion(bytes: &[u8], limits: ZipLimits) -> Result<(), ZipError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ZipError::NotZip(e.to_string()))?;
    if zip.len() > limits.max_entries {
        return Err(ZipError::Entries {
            count: zip.len(),
            limit: limits.max_entries,
        });
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(m) if m.contains("assword") => {
                ZipError::Encrypted
            }
            other => ZipError::NotZip(other.to_string()),
        })?;
        if entry.encrypted() {
            return Err(ZipError::Encrypted);
        }
        let left = limits.max_expanded_bytes.saturating_sub(total);
        let n = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|e| ZipError::NotZip(e.to_string()))?;
        total += n;
        if total > limits.max_expanded_bytes {
            return Err(ZipError::Expands {
                limit: limits.max_expanded_bytes,
            });
        }
    }
    Ok(())
}

/// Whether the bytes start like a ZIP archive (`PK\x03\x04`).
pub(crate) fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
}

/// Whether the bytes are an OLE compound file: a legacy `.doc`, or an encrypted DOCX (Office
/// wraps encrypted OOXML in one).
pub(crate) fn is_ole(head: &[u8]) -> bool {
    head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// The text of a DOCX: paragraphs as lines, table cells separated by tabs.
pub fn docx_to_text(bytes: &[u8], limits: ZipLimits) -> Result<String, ExtractError> {
    if is_ole(bytes) {
        return Err(ExtractError::Docx(
            "an encrypted DOCX or a legacy Word .doc (OLE container), not a DOCX".into(),
        ));
    }
    let zip_err = |e: ZipError| match e {
        ZipError::Expands { limit } => ExtractError::Expands { limit },
        other => ExtractError::Docx(other.to_string()),
    };
    check_expansion(bytes, limits).map_err(zip_err)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| zip_err(ZipError::NotZip(e.to_string())))?;
    let mut xml = Vec::new();
    match zip.by_name("word/document.xml") {
        Ok(entry) => {
            entry
                .take(limits.max_expanded_bytes + 1)
                .read_to_end(&mut xml)
                .map_err(|e| ExtractError::Docx(format!("word/document.xml: {e}")))?;
        }
        Err(_) => {
            return Err(ExtractError::Docx(
                "a zip archive without word/document.xml (not a Word document)".into(),
            ))
        }
    }
    if xml.len() as u64 > limits.max_expanded_bytes {
        return Err(ExtractError::Expands {
            limit: limits.max_expanded_bytes,
        });
    }
    document_xml_to_text(&xml)
}

/// The text of `word/document.xml`.
fn document_xml_to_text(xml: &[u8]) -> Result<String, ExtractError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    let mut cell_open = false;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            ExtractError::Docx(format!("word/document.xml is not well-formed: {e}"))
        })?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"tc" => {
                    if cell_open && !out.ends_with('\n') {
                        out.push('\t');
                    }
                    cell_open = true;
                }
                b"tr" => cell_open = false,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => out.push('\t'),
                b"br" | b"cr" => out.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    // Paragraphs inside a cell stay on the row's line.
                    if cell_open {
                        out.push(' ');
                    } else {
                        out.push('\n');
                    }
                }
                b"tc" => {
                    while out.ends_with(' ') {
                        out.pop();
                    }
                }
                b"tr" => {
                    out.push('\n');
                    cell_open = false;
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(|e| {
                    ExtractError::Docx(format!("bad text in word/document.xml: {e}"))
                })?;
                out.push_str(&s);
            }
            Event::GeneralRef(r) if in_text => {
                // `&amp;`, `&#x4e00;` inside w:t.
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    let name = r.decode().unwrap_or_default();
                    out.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// Whether `antiword`, the reader of legacy `.doc` files, is installed.
pub fn doc_reader_available() -> bool {
    super::pdf::on_path("antiword")
}

/// The text of a legacy Word `.doc` (OLE binary), through `antiword` (see the module doc).
/// Errors say whether the tool is missing, timed out, or could not read the file (an encrypted
/// document, an OLE file that is not Word, a damaged one).
pub fn doc_to_text(bytes: &[u8], timeout: std::time::Duration) -> Result<String, ExtractError> {
    if !is_ole(bytes) {
        return Err(ExtractError::Doc(
            "not a Word 97-2003 document (no OLE compound file header)".into(),
        ));
    }
    if !doc_reader_available() {
        return Err(ExtractError::Doc(
            "reading a legacy Word .doc needs antiword (apt-get install antiword); or save it as .docx"
                .into(),
        ));
    }
    let dir = tempfile::tempdir().map_err(|e| ExtractError::Doc(format!("temp dir: {e}")))?;
    let input = dir.path().join("in.doc");
    std::fs::write(&input, bytes).map_err(|e| ExtractError::Doc(format!("temp file: {e}")))?;
    let mut cmd = std::process::Command::new("antiword");
    // -m UTF-8.txt: UTF-8 output (Chinese text survives); -w 0: no hard line wrapping, so a
    // paragraph stays one line like a DOCX paragraph does.
    cmd.arg("-m")
        .arg("UTF-8.txt")
        .arg("-w")
        .arg("0")
        .arg(&input);
    let out = super::pdf::run_tool(cmd, timeout).map_err(ExtractError::Doc)?;
    if !out.status_ok {
        let why = out
            .stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let why = why.replace(&input.display().to_string(), "the document");
        return Err(ExtractError::Doc(format!(
            "antiword cannot read it (encrypted, not a Word file, or damaged): {}",
            why.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A DOCX with `body` as the inside of `w:body`.
    pub(crate) fn docx(body: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("[Content_Types].xml", opts).expect("zip");
        w.write_all(b"<?xml version=\"1.0\"?><Types/>")
            .expect("zip");
        w.start_file("word/document.xml", opts).expect("zip");
        write!(
            w,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        )
        .expect("zip");
        w.finish().expect("zip").into_inner()
    }

    #[test]
    fn paragraphs_tables_and_entities() {
        let bytes = docx(
            "<w:p><w:r><w:t>2 规范性引用文件</w:t></w:r></w:p>\
             <w:p><w:r><w:t xml:space=\"preserve\">GB/T 1.1</w:t></w:r><w:r><w:t>—2020 A&amp;B</w:t></w:r></w:p>\
             <w:tbl><w:tr><w:tc><w:p><w:r><w:t>标准号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>名称</w:t></w:r></w:p></w:tc></w:tr>\
             <w:tr><w:tc><w:p><w:r><w:t>GB 2763</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>农药</w:t></w:r><w:r><w:tab/><w:t>残留</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
        );
        let text = docx_to_text(&bytes, ZipLimits::default()).expect("docx");
        assert_eq!(
            text,
            "2 规范性引用文件\nGB/T 1.1—2020 A&B\n标准号\t名称\nGB 2763\t农药\t残留\n"
        );
    }

    #[test]
    fn refuses_other_zips_ole_and_bombs() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("xl/workbook.xml", opts).expect("zip");
        w.write_all(b"<workbook/>").expect("zip");
        let other = w.finish().expect("zip").into_inner();
        let e = docx_to_text(&other, ZipLimits::default()).expect_err("not a docx");
        assert!(e.to_string().contains("word/document.xml"), "{e}");

        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert!(docx_to_text(&ole, ZipLimits::default()).is_err());
        assert!(docx_to_text(b"PK\x03\x04garbage", ZipLimits::default()).is_err());

        // 8 MiB of one repeated paragraph compresses to a few KiB; a 1 MiB limit refuses it
        // before any XML is parsed.
        let bomb =
            docx(&"<w:p><w:r><w:t>GB 2763 GB 2763 GB 2763</w:t></w:r></w:p>".repeat(150_000));
        assert!(bomb.len() < 200_000, "{}", bomb.len());
        let small = ZipLimits {
            max_expanded_bytes: 1024 * 1024,
            max_entries: 10,
        };
        let e = docx_to_text(&bomb, small).expect_err("bomb");
        assert!(matches!(e, ExtractError::Expands { .. }), "{e}");
        assert!(matches!(
            check_expansion(&bomb, small),
            Err(ZipError::Expands { .. })
        ));
    }
}
