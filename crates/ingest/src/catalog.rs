//! Catalogs: metadata without text, from JSON, JSONL, CSV and spreadsheet exports.
//!
//! Every source names its columns differently; [`Aliases`] (from
//! `index-config/catalog-aliases.toml`) maps them to record fields, so a new export is a
//! configuration change. A row with a notification symbol becomes a [`Notification`], any other
//! row a [`Standard`]. One bad row never stops a file: it is rejected with its line number and
//! the reason, and a bad value inside a good row is a warning naming the line and the field.
//!
//! [`Notification`]: biaozhun_model::Notification
//! [`Standard`]: biaozhun_model::Standard

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use biaozhun_model::{FieldSource, Record};

mod aliases;
mod convert;

pub use aliases::{
    normalize_name, AliasError, Aliases, NotifField, RawAliases, RawNotificationFields,
    RawStandardFields, StdField, ALIASES_FILE, ALIASES_VERSION,
};
pub use convert::plain_text;

/// Extensions read as catalogs (the merge rules in the model trust the same list).
pub use biaozhun_model::merge::CATALOG_EXTENSIONS;

/// A problem with one line (JSONL, CSV), row (spreadsheet) or record (JSON array).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// 1-based line, row or record number; see [`CatalogOutcome::unit`].
    pub line: usize,
    /// What is wrong, naming the field where there is one.
    pub message: String,
}

/// What the `line` of a catalog's [`LineError`]s counts: lines of a JSONL or CSV file, rows of a
/// spreadsheet, or records of a JSON array.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineUnit {
    /// A line of a JSONL or CSV file.
    #[default]
    Line,
    /// A row of a spreadsheet.
    Row,
    /// A record of a JSON array.
    Record,
}

impl LineUnit {
    /// `line`, `row` or `record`: the JSON spelling and the word in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            LineUnit::Line => "line",
            LineUnit::Row => "row",
            LineUnit::Record => "record",
        }
    }
}

impl std::fmt::Display for LineUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What reading one catalog file produced.
#[derive(Debug, Default, Serialize)]
pub struct CatalogOutcome {
    /// Records to store, duplicates already resolved (the last one wins).
    #[serde(skip)]
    pub records: Vec<Record>,
    /// The line (row, record) each entry of `records` came from.
    #[serde(skip)]
    pub record_lines: Vec<usize>,
    /// Rows that could not become a record, with the reason.
    pub rejected: Vec<LineError>,
    /// Rows read but not imported: blank rows and earlier duplicates.
    pub skipped: usize,
    /// Problems in imported rows and in the file as a whole (line 0).
    pub warnings: Vec<LineError>,
    /// What `line` counts.
    pub unit: LineUnit,
}

/// Why a whole catalog file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file could not be read.
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    /// Neither UTF-8 nor GB18030.
    #[error(
        "invalid encoding: the file is neither UTF-8 nor GB18030 (first bad byte at offset {0})"
    )]
    Encoding(usize),
    /// A `.json` file that is not valid JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A JSON document without an array of objects to import.
    #[error("no records found: expected an array of objects or an object with one (such as \"standards\")")]
    NoRecords,
    /// A table whose header has neither a code nor a symbol column.
    #[error("no code column: none of the columns ({columns}) is a standard code or notification symbol (known names for the code: {known})")]
    NoCodeColumn {
        /// The header as read.
        columns: String,
        /// Accepted names.
        known: String,
    },
    /// A table without even a header row.
    #[error("empty table: no header row")]
    Empty,
    /// The spreadsheet library failed.
    #[error("cannot read spreadsheet: {0}")]
    Spreadsheet(String),
    /// The CSV reader failed on the header.
    #[error("malformed CSV header: {0}")]
    Csv(String),
    /// An extension that is not a catalog.
    #[error("not a catalog file extension: {0:?}")]
    Extension(String),
}

/// Reads one catalog file: `.json`, `.jsonl`/`.ndjson`, `.csv`, `.xlsx`/`.xls`/`.ods`.
pub fn read_catalog(path: &Path, aliases: &Aliases) -> Result<CatalogOutcome, CatalogError> {
    let ext = extension(path);
    let source = path.display().to_string();
    let rows = match ext.as_str() {
        "json" => read_json(&std::fs::read(path)?)?,
        "jsonl" | "ndjson" => read_jsonl(&std::fs::read(path)?),
        "csv" => read_csv(&std::fs::read(path)?, aliases)?,
        "xlsx" | "xls" | "ods" => read_sheet(path, aliases)?,
        other => return Err(CatalogError::Extension(other.to_string())),
    };
    Ok(convert_rows(rows, aliases, &source))
}

/// Reads catalog rows already in memory (`ext` is `json`, `jsonl` or `csv`), for tests and
/// uploads.
pub fn read_catalog_bytes(
    bytes: &[u8],
    ext: &str,
    source: &str,
    aliases: &Aliases,
) -> Result<CatalogOutcome, CatalogError> {
    let rows = match ext {
        "json" => read_json(bytes)?,
        "jsonl" | "ndjson" => read_jsonl(bytes),
        "csv" => read_csv(bytes, aliases)?,
        other => return Err(CatalogError::Extension(other.to_string())),
    };
    Ok(convert_rows(rows, aliases, source))
}

/// The lower-case extension of a path (`""` when none).
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// One row as read (column, value pairs), or why it could not be read.
type RawRow = Result<Vec<(String, Value)>, String>;

/// Rows as read from a file, before conversion.
struct Rows {
    unit: LineUnit,
    /// (line, the row or the reason it could not be read)
    rows: Vec<(usize, RawRow)>,
    warnings: Vec<LineError>,
}

fn convert_rows(rows: Rows, aliases: &Aliases, source: &str) -> CatalogOutcome {
    let mut out = CatalogOutcome {
        unit: rows.unit,
        warnings: rows.warnings,
        ..CatalogOutcome::default()
    };
    let mut unknown = BTreeSet::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (line, row) in rows.rows {
        let row = match row {
            Ok(r) => r,
            Err(message) => {
                out.rejected.push(LineError { line, message });
                continue;
            }
        };
        if row.iter().all(|(_, v)| convert::is_blank(v)) {
            out.skipped += 1;
            continue;
        }
        match convert::convert_row(&row, aliases, source, &mut unknown) {
            Ok(mut c) => {
                let stamp = FieldSource::catalog(source, u64::try_from(line).ok());
                match &mut c.record {
                    Record::Standard(st) => st.stamp(&stamp),
                    Record::Notification(n) => n.stamp(&stamp),
                    Record::Regulation(_) => {}
                }
                out.warnings.extend(
                    c.warnings
                        .into_iter()
                        .map(|message| LineError { line, message }),
                );
                // Padding aside: `T/SSIASD 02` and `T/SSIASD 2` are one standard.
                let id = c.record.merge_key();
                if let Some(&i) = by_id.get(&id) {
                    out.warnings.push(LineError {
                        line,
                        message: format!(
                            "duplicate {} {}: also on {} {}, merged field by field (the later \
                             one wins where they differ)",
                            if c.record.kind() == biaozhun_model::RecordKind::Notification {
                                "symbol"
                            } else {
                                "code"
                            },
                            c.record.id(),
                            out.unit,
                            out.record_lines[i]
                        ),
                    });
                    // Field by field: what the later row lacks is kept from the earlier one.
                    match (&mut out.records[i], c.record) {
                        (Record::Standard(old), Record::Standard(new)) => {
                            biaozhun_model::merge::merge_standard(old, new);
                        }
                        (Record::Notification(old), Record::Notification(mut new)) => {
                            biaozhun_model::merge::merge_notification(&mut new, old.clone());
                            *old = new;
                        }
                        (slot, other) => *slot = other,
                    }
                    out.record_lines[i] = line;
                    out.skipped += 1;
                } else {
                    by_id.insert(id, out.records.len());
                    out.records.push(c.record);
                    out.record_lines.push(line);
                }
            }
            Err(message) => out.rejected.push(LineError { line, message }),
        }
    }
    if !unknown.is_empty() {
        let names: Vec<String> = unknown.into_iter().collect();
        out.warnings.push(LineError {
            line: 0,
            message: format!(
                "unknown columns ignored (add them to catalog-aliases.toml): {}",
                names.join(", ")
            ),
        });
    }
    out
}

/// Decodes text as UTF-8 (BOM dropped), falling back to GB18030 as Chinese Excel exports it.
fn decode(bytes: &[u8], warnings: &mut Vec<LineError>) -> Result<String, CatalogError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                return Err(CatalogError::Encoding(e.valid_up_to()));
            }
            warnings.push(LineError {
                line: 0,
                message: "not UTF-8, decoded as GB18030".to_string(),
            });
            Ok(text.into_owned())
        }
    }
}

fn object_row(v: Value) -> Result<Vec<(String, Value)>, String> {
    match v {
        Value::Object(o) => Ok(o.into_iter().collect()),
        other => Err(format!(
            "expected a JSON object, found {}",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        )),
    }
}

fn read_json(bytes: &[u8]) -> Result<Rows, CatalogError> {
    let mut warnings = Vec::new();
    let text = decode(bytes, &mut warnings)?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| CatalogError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let items = match doc {
        Value::Array(a) => a,
        Value::Object(mut o) => {
            let is_record = o.keys().any(|k| {
                let n = normalize_name(k);
                n == "code" || n == "symbol" || n == "documentsymbol"
            });
            if is_record {
                vec![Value::Object(o)]
            } else {
                let preferred = [
                    "standards",
                    "notifications",
                    "records",
                    "items",
                    "rows",
                    "list",
                    "results",
                    "data",
                ];
                let key = preferred
                    .iter()
                    .find(|k| o.get(**k).is_some_and(Value::is_array))
                    .map(|k| k.to_string())
                    .or_else(|| {
                        o.iter()
                            .find(|(_, v)| {
                                v.as_array()
                                    .is_some_and(|a| a.first().is_some_and(Value::is_object))
                            })
                            .map(|(k, _)| k.clone())
                    });
                match key.and_then(|k| o.remove(&k)) {
                    Some(Value::Array(a)) => a,
                    _ => {
                        // `{"data": {"list": [...]}}`, as paged platform APIs answer.
                        let nested = o.values_mut().find_map(|v| {
                            v.as_object_mut().and_then(|inner| {
                                ["list", "records", "items", "rows", "standards"]
                                    .iter()
                                    .find_map(|k| inner.remove(*k).filter(Value::is_array))
                            })
                        });
                        match nested {
                            Some(Value::Array(a)) => a,
                            _ => return Err(CatalogError::NoRecords),
                        }
                    }
                }
            }
        }
        _ => return Err(CatalogError::NoRecords),
    };
    Ok(Rows {
        unit: LineUnit::Record,
        rows: items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, object_row(v)))
            .collect(),
        warnings,
    })
}

fn read_jsonl(bytes: &[u8]) -> Rows {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rows = Vec::new();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let row = match std::str::from_utf8(raw) {
            Err(e) => Err(format!(
                "invalid UTF-8 at byte {} of the line",
                e.valid_up_to()
            )),
            Ok(text) => match serde_json::from_str::<Value>(text) {
                Ok(v) => object_row(v),
                Err(e) => Err(format!("malformed JSON at column {}: {e}", e.column())),
            },
        };
        rows.push((line, row));
    }
    Rows {
        unit: LineUnit::Line,
        rows,
        warnings: Vec::new(),
    }
}

fn check_header(header: &[String], aliases: &Aliases) -> Result<(), CatalogError> {
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(CatalogError::Empty);
    }
    if header
        .iter()
        .any(|h| aliases.is_code(h) || aliases.is_symbol(h))
    {
        return Ok(());
    }
    Err(CatalogError::NoCodeColumn {
        columns: header.join(", "),
        known: aliases.code_names().join(", "),
    })
}

fn read_csv(bytes: &[u8], aliases: &Aliases) -> Result<Rows, CatalogError> {
    let mut warnings = Vec::new();
    let text = decode(bytes, &mut warnings)?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(',') {
        b','
    } else if first_line.contains('\t') {
        b'\t'
    } else if first_line.contains(';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| CatalogError::Csv(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    check_header(&header, aliases)?;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line() as usize).unwrap_or(line);
                if record.len() > header.len() {
                    rows.push((
                        line,
                        Err(format!(
                            "{} fields but the header has {}",
                            record.len(),
                            header.len()
                        )),
                    ));
                    continue;
                }
                let row = header
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| (h.clone(), Value::String(v.to_string())))
                    .collect();
                rows.push((line, Ok(row)));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(line);
                rows.push((line, Err(format!("malformed CSV: {e}"))));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    Ok(Rows {
        unit: LineUnit::Line,
        rows,
        warnings,
    })
}

fn read_sheet(path: &Path, aliases: &Aliases) -> Result<Rows, CatalogError> {
    use calamine::{open_workbook_auto, Data, Reader};
    // XLSX and ODS are ZIP archives: a few MiB can inflate to millions of rows, which calamine
    // would hold in memory at once. Refuse what inflates past the limit before opening.
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("xlsx" | "ods")) {
        let bytes = std::fs::read(path).map_err(|e| CatalogError::Spreadsheet(e.to_string()))?;
        crate::extract::office::check_expansion(
            &bytes,
            crate::extract::office::ZipLimits::default(),
        )
        .map_err(|e| CatalogError::Spreadsheet(e.to_string()))?;
    }
    let mut wb = open_workbook_auto(path).map_err(|e| CatalogError::Spreadsheet(e.to_string()))?;
    let names = wb.sheet_names().to_vec();
    let mut last_err = CatalogError::Empty;
    for name in names {
        let range = match wb.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                last_err = CatalogError::Spreadsheet(format!("sheet {name:?}: {e}"));
                continue;
            }
        };
        let mut iter = range.rows().enumerate();
        // The header is the first non-empty row.
        let Some((_, header_row)) = iter
            .by_ref()
            .find(|(_, r)| r.iter().any(|c| !matches!(c, Data::Empty)))
        else {
            continue;
        };
        let header: Vec<String> = header_row
            .iter()
            .map(|c| c.to_string().trim().to_string())
            .collect();
        if let Err(e) = check_header(&header, aliases) {
            last_err = e;
            continue;
        }
        let start_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
        let rows = iter
            .map(|(i, r)| {
                let row = header
                    .iter()
                    .zip(r.iter())
                    .map(|(h, c)| (h.clone(), cell_value(c)))
                    .collect();
                (start_row + i + 1, Ok(row))
            })
            .collect();
        return Ok(Rows {
            unit: LineUnit::Row,
            rows,
            warnings: Vec::new(),
        });
    }
    Err(last_err)
}

fn cell_value(c: &calamine::Data) -> Value {
    use calamine::Data;
    match c {
        Data::Empty => Value::Null,
        Data::String(s) => Value::String(s.clone()),
        Data::Int(i) => Value::from(*i),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                Value::from(*f as i64)
            } else {
                Value::String(f.to_string())
            }
        }
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) => {
            // Excel serial days since 1899-12-30.
            let days = dt.as_f64().floor() as i64;
            chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|base| base.checked_add_signed(chrono::Duration::days(days)))
                .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                .unwrap_or(Value::Null)
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::String(s.clone()),
        Data::Error(e) => Value::String(format!("{e:?}")),
    }
}
