//! The part of CC-CEDICT the cross-lingual bridge reads, in a compact form compiled into the
//! library by `build.rs` from the `chinese_dictionary` crate's data: each simplified headword's
//! English senses, and the English index (a key to the headwords of its entries).
//!
//! Why: the crate deserialises its whole dictionary into hash maps at the first lookup and never
//! frees it (~440 ms and ~180 MB at every start of a 300k server). This form is read in place
//! from the binary's read-only data: sorted strings behind offset tables, looked up by binary
//! search; nothing is parsed or allocated at start but a check of the tables (a few ms), and
//! only the pages lookups touch are read from the binary. Lookups give what the crate's
//! `query_by_simplified` and `query_by_english` give the bridge (tests compare them on samples).

use std::sync::OnceLock;

/// The compact dictionary built by `build.rs`.
static COMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/cedict.bin"));

const MAGIC: &[u8; 8] = b"BZCEDICT";
const FORMAT: u32 = 1;
/// Words of an English query matched as one index key at most (the crate's `ENGLISH_MAX_LENGTH`).
const ENGLISH_MAX_WORDS: usize = 4;

/// A malformed compact dictionary (only a broken build gives one: the bytes are compiled in).
#[derive(Debug, thiserror::Error)]
#[error("compact CC-CEDICT: {0}")]
pub struct CedictError(&'static str);

/// Sorted or ordered strings: `n + 1` offsets into a buffer.
#[derive(Debug, Clone, Copy)]
struct Strings<'a> {
    offsets: &'a [u8],
    buf: &'a [u8],
}

impl<'a> Strings<'a> {
    fn len(&self) -> usize {
        self.offsets.len() / 4 - 1
    }

    fn get(&self, i: usize) -> &'a [u8] {
        let (a, b) = (at(self.offsets, i), at(self.offsets, i + 1));
        self.buf.get(a..b).unwrap_or_default()
    }

    fn str(&self, i: usize) -> &'a str {
        std::str::from_utf8(self.get(i)).unwrap_or_default()
    }

    /// The position of `key` in sorted strings.
    fn find(&self, key: &[u8]) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// The little-endian u32 number `i` of `bytes` as an index (0 when out of range: the tables
/// are checked when parsed).
fn at(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i * 4..i * 4 + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u32::from_le_bytes(b) as usize)
}

/// A cursor over the compact form, checking every length it takes.
struct Reader<'a>(crate::bytes::Reader<'a>);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CedictError> {
        self.0.take(n).ok_or(CedictError("truncated"))
    }

    fn u32(&mut self) -> Result<usize, CedictError> {
        Ok(at(self.take(4)?, 0))
    }

    /// `n + 1` non-decreasing offsets from 0, then a buffer of `unit`-byte items as long as the
    /// last offset says.
    fn table(&mut self, n: usize, unit: usize) -> Result<(&'a [u8], &'a [u8]), CedictError> {
        let size = n.checked_add(1).and_then(|m| m.checked_mul(4));
        let offsets = self.take(size.ok_or(CedictError("size"))?)?;
        let len = self.u32()?;
        if at(offsets, 0) != 0
            || at(offsets, n) != len
            || (0..n).any(|i| at(offsets, i) > at(offsets, i + 1))
        {
            return Err(CedictError("offsets out of order"));
        }
        let buf = self.take(len.checked_mul(unit).ok_or(CedictError("size"))?)?;
        Ok((offsets, buf))
    }

    fn strings(&mut self, n: usize) -> Result<Strings<'a>, CedictError> {
        let (offsets, buf) = self.table(n, 1)?;
        Ok(Strings { offsets, buf })
    }
}

/// The compact CC-CEDICT (see the module doc).
#[derive(Debug)]
pub struct Cedict {
    /// Simplified headwords, sorted.
    words: Strings<'static>,
    /// Per word, its entries' English definitions joined by `;`.
    senses: Strings<'static>,
    /// English index keys (words joined by `%20`), sorted.
    keys: Strings<'static>,
    /// Per key, offsets into `list`.
    list_offsets: &'static [u8],
    /// Word numbers (u32).
    list: &'static [u8],
}

impl Cedict {
    /// The dictionary compiled in, checked once per process. A malformed one (a broken build)
    /// is logged and gives no senses: the bridge then falls back to the HS names alone.
    pub fn get() -> &'static Cedict {
        static ONE: OnceLock<Cedict> = OnceLock::new();
        ONE.get_or_init(|| {
            Cedict::parse(COMPILED).unwrap_or_else(|e| {
                tracing::error!(error = %e, "the cross-lingual bridge has no CC-CEDICT");
                Cedict::empty()
            })
        })
    }

    fn empty() -> Cedict {
        const ZERO: &[u8] = &[0, 0, 0, 0];
        let none = Strings {
            offsets: ZERO,
            buf: &[],
        };
        Cedict {
            words: none,
            senses: none,
            keys: none,
            list_offsets: ZERO,
            list: &[],
        }
    }

    /// Reads the tables of `bytes` in place after checking the header, every offset table and
    /// every word number.
    pub fn parse(bytes: &'static [u8]) -> Result<Cedict, CedictError> {
        let mut r = Reader(crate::bytes::Reader(bytes));
        if r.take(MAGIC.len())? != MAGIC {
            return Err(CedictError("not a compact CC-CEDICT"));
        }
        if r.u32()? != FORMAT as usize {
            return Err(CedictError("format version"));
        }
        let n_words = r.u32()?;
        let n_keys = r.u32()?;
        let words = r.strings(n_words)?;
        let senses = r.strings(n_words)?;
        let keys = r.strings(n_keys)?;
        let (list_offsets, list) = r.table(n_keys, 4)?;
        if !r.0.is_empty() {
            return Err(CedictError("trailing bytes"));
        }
        if (0..list.len() / 4).any(|i| at(list, i) >= n_words) {
            return Err(CedictError("word number out of range"));
        }
        Ok(Cedict {
            words,
            senses,
            keys,
            list_offsets,
            list,
        })
    }

    /// How many simplified headwords the dictionary has.
    pub fn words(&self) -> usize {
        self.words.len()
    }

    /// The simplified headword number `i` (in byte order; empty past the end).
    pub fn word(&self, i: usize) -> &'static str {
        if i < self.words.len() {
            self.words.str(i)
        } else {
            ""
        }
    }

    /// The English definitions of the entries of the simplified word `word` (the crate's
    /// `query_by_simplified(word)`, entries whose simplified form is `word`), in dictionary
    /// order, each split at `;`.
    pub fn definitions(&self, word: &str) -> impl Iterator<Item = &'static str> {
        let text = self
            .words
            .find(word.as_bytes())
            .map_or("", |i| self.senses.str(i));
        text.split(';').filter(move |_| !text.is_empty())
    }

    /// The simplified words of the entries an English query finds (the crate's
    /// `query_by_english`: the longest run of up to four words that is an index key, then the
    /// words after it), each once. `query` is a cleaned sense of the bridge (ASCII letters,
    /// hyphens and spaces); words are split at white space, hyphens and the crate's other
    /// sentence punctuation.
    pub fn by_english(&self, query: &str) -> Vec<&'static str> {
        let lower = query.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| {
                c.is_whitespace()
                    || matches!(
                        c,
                        '!' | '"'
                            | '\''
                            | '('
                            | ')'
                            | ','
                            | '-'
                            | '.'
                            | '/'
                            | ':'
                            | ';'
                            | '?'
                            | '['
                            | '\\'
                            | ']'
                            | '`'
                            | '{'
                            | '}'
                    )
            })
            .filter(|w| !w.is_empty())
            .collect();
        let mut out: Vec<&'static str> = Vec::new();
        let default_take = words.len().min(ENGLISH_MAX_WORDS);
        let (mut skip, mut take) = (0, default_take);
        while skip < words.len() {
            let end = (skip + take).min(words.len());
            let key = words[skip..end].join("%20");
            match self.keys.find(key.as_bytes()) {
                Some(k) => {
                    for i in at(self.list_offsets, k)..at(self.list_offsets, k + 1) {
                        let w = self.words.str(at(self.list, i));
                        if !out.contains(&w) {
                            out.push(w);
                        }
                    }
                    skip += take;
                    take = default_take;
                }
                None if take > 1 => take -= 1,
                None => {
                    skip += 1;
                    take = default_take;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled dictionary parses and has CC-CEDICT's size (over 100k headwords).
    #[test]
    fn compiled_dictionary_parses() {
        let c = Cedict::parse(COMPILED).expect("compiled form");
        assert!(c.words() > 100_000, "{}", c.words());
        assert!(c.definitions("番茄").any(|d| d.contains("tomato")));
        assert!(c.by_english("tomato").contains(&"番茄"));
        assert_eq!(c.definitions("不是一个词").count(), 0);
        assert!(c.by_english("").is_empty());
    }

    /// Truncated, altered or foreign bytes are an error, never a panic.
    #[test]
    fn damaged_forms_are_errors() {
        let leak = |v: Vec<u8>| -> &'static [u8] { Vec::leak(v) };
        let cases: Vec<(&str, &'static [u8])> = vec![
            ("empty", &[]),
            ("truncated", &COMPILED[..COMPILED.len() / 2]),
            ("header only", &COMPILED[..20]),
            ("foreign", leak(b"NOTCEDICT and some more bytes".to_vec())),
            ("trailing", leak([COMPILED, b"x"].concat())),
            ("version", {
                let mut v = COMPILED.to_vec();
                v[8] = 9;
                leak(v)
            }),
            ("word count", {
                let mut v = COMPILED.to_vec();
                v[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
                leak(v)
            }),
            ("first offset", {
                let mut v = COMPILED.to_vec();
                v[20] = 1;
                leak(v)
            }),
        ];
        for (what, bytes) in cases {
            assert!(Cedict::parse(bytes).is_err(), "{what}");
        }
    }

    /// A damaged list item (a word number past the end) is found by the check.
    #[test]
    fn word_numbers_are_checked() {
        let mut v = COMPILED.to_vec();
        let n = v.len();
        v[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Cedict::parse(Vec::leak(v)).is_err());
    }
}
