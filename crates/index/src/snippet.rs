//! Highlighted snippets with byte-correct offsets in Chinese and mixed text, on word boundaries.
//!
//! A match is a whole token of the analyzer, as the index sees the text: the query `第十条`
//! highlights `第十条` but nothing inside `第十六条`, and `gb` nothing inside `gbz`. To stay cheap
//! on 100 kB bodies, a stored standard's text is read from its JSON by a `memchr` scan
//! ([`json_scan`]) into a per-thread buffer, and the query's words are first found by substring
//! search: in the text itself when they are ideographs only and nothing in the text folds to
//! an ideograph, else in the folded text. Only the sentences holding such a candidate (text
//! between newlines or `。`, which neither jieba nor standard numbers cross, so their tokens are
//! those of the whole text) are analysed and their tokens checked. English words are matched by
//! stem with the English analyzer, only those starting with a stem's letter. Then the densest
//! window is picked and the matches mapped to the fragment; all text is escaped.
//!
//! tantivy's `SnippetGenerator` is not used: it assumes token offsets only grow, which the
//! search-mode sub-words break.

use rustc_hash::FxHashSet;

use biaozhun_analysis::{fold_runs_into, ChineseAnalyzer, FoldedRuns};
use std::borrow::Cow;

use biaozhun_model::{join_sections, Notification, RecordKind, Regulation};
use serde::Deserialize;
use tantivy::tokenizer::TextAnalyzer;

use crate::request::Highlight;

/// Fragment length in bytes of the original text (about 70 Chinese characters).
const WINDOW: usize = 210;
/// Context kept before the first match of a fragment.
const LEAD: usize = 45;
/// Sentences analysed at most when choosing a text fragment (those with the most distinct
/// query words).
const SENTENCE_BUDGET: usize = 12;

/// Tokens of this many bytes or more are dropped by the English analyzer
/// (`RemoveLongFilter::limit(40)` in `schema::english_analyzer`).
const LONG_TOKEN: usize = 40;

/// What to highlight, as analyzer tokens (folded). The sets hash with `FxHash`: every token of
/// every analysed sentence is looked up in them, and `std`'s SipHash made those lookups 4 % of
/// a query with 10 snippets on the small preset (callgrind, session 12).
#[derive(Debug, Clone, Default)]
pub struct HighlightTerms {
    /// Words typed (the compound of each query position, synonyms, phrase words, numbers,
    /// province names): they match any token of the text, sub-words included (`食品` inside
    /// `食品安全`), as they do in search.
    pub words: FxHashSet<String>,
    /// Sub-words of the typed compounds (`食品`, `安全` of `食品安全`): they match only whole
    /// words of the text, so `第十条` (sub-word `第十`) highlights nothing in `第十六条`.
    pub sub_words: FxHashSet<String>,
    /// English stems, matched against the English analyzer's tokens.
    pub stems: FxHashSet<String>,
}

impl HighlightTerms {
    /// Whether there is nothing to highlight.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.sub_words.is_empty() && self.stems.is_empty()
    }
}

/// The analyzers the index was built with: tokens are checked against the same analysis.
pub struct Analyzers<'a> {
    /// The jieba analyzer.
    pub zh: &'a ChineseAnalyzer,
    /// The English analyzer.
    pub en: &'a TextAnalyzer,
}

/// What snippets read of a stored standard, borrowed from its JSON where it has no escapes:
/// deserializing the whole [`biaozhun_model::Standard`] (terms, references, provenance, every
/// string owned) was a fifth of a query with 10 snippets (callgrind, session 8).
#[derive(Deserialize)]
struct StandardText<'a> {
    #[serde(borrow, default)]
    title_zh: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    title_en: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    scope: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sections: Vec<SectionText<'a>>,
}

/// The parts of a section the full text joins ([`join_sections`]).
#[derive(Deserialize)]
struct SectionText<'a> {
    #[serde(borrow)]
    number: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// Buffers a search thread reuses from hit to hit: the text of a record (100-150 kB for the
/// long standards at 300k documents) and its folding, which were allocated and grown by
/// doubling for every hit (`realloc` and its copies were 4.5 % of a query with 10 snippets on
/// the small preset, callgrind, session 12).
#[derive(Default)]
struct Scratch {
    text: String,
    folded: FoldedRuns,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Highlights for a stored record: titles and the best text fragment.
pub fn highlights(
    an: &Analyzers<'_>,
    kind: RecordKind,
    json: &[u8],
    terms: &HighlightTerms,
) -> Vec<Highlight> {
    if terms.is_empty() {
        return Vec::new();
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => highlights_with(an, kind, json, terms, &mut s),
        // Not reached (nothing here calls back into `highlights`); a fresh buffer is correct.
        Err(_) => highlights_with(an, kind, json, terms, &mut Scratch::default()),
    })
}

fn highlights_with(
    an: &Analyzers<'_>,
    kind: RecordKind,
    json: &[u8],
    terms: &HighlightTerms,
    scratch: &mut Scratch,
) -> Vec<Highlight> {
    let Some(json) = utf8(json) else {
        return Vec::new();
    };
    let Scratch { text, folded: f } = scratch;
    text.clear();
    let (title_zh, title_en): Titles<'_> = match kind {
        RecordKind::Standard => match standard_text(json, text) {
            Some(titles) => titles,
            None => match parse::<StandardText<'_>>(json) {
                Some(s) => {
                    text.clear();
                    let t = standard_text_joined(&s);
                    text.push_str(&t);
                    (s.title_zh, s.title_en)
                }
                None => return Vec::new(),
            },
        },
        RecordKind::Notification => match parse::<Notification>(json) {
            Some(n) => {
                text.push_str(n.products.as_deref().unwrap_or_default());
                if let Some(d) = &n.description {
                    text.push('\n');
                    text.push_str(d);
                }
                (n.title_zh.map(Cow::Owned), n.title_en.map(Cow::Owned))
            }
            None => return Vec::new(),
        },
        RecordKind::Regulation => match parse::<Regulation>(json) {
            Some(r) => {
                text.push_str(&r.full_text());
                (Some(Cow::Owned(r.title)), None)
            }
            None => return Vec::new(),
        },
    };
    let mut out = Vec::new();
    for (field, value) in [("title_zh", title_zh), ("title_en", title_en)] {
        if let Some(v) = value {
            if let Some(h) = fragment(an, field, &v, terms, f, false) {
                out.push(h);
            }
        }
    }
    if !text.is_empty() {
        if let Some(h) = fragment(an, "text", text, terms, f, true) {
            out.push(h);
        }
    }
    out
}

/// A record's Chinese and English titles, borrowed from its JSON where they have no escapes.
type Titles<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

/// The text snippets read of a standard as the derived parse gives it: the scope, a newline,
/// the sections joined by [`join_sections`] (the fallback of [`standard_text`], and what a
/// test holds it to).
fn standard_text_joined(s: &StandardText<'_>) -> String {
    let mut t = s.scope.as_deref().unwrap_or_default().to_string();
    let body = join_sections(s.sections.iter().map(|s| (&*s.number, &*s.title, &*s.text)));
    if !body.is_empty() {
        if !t.is_empty() {
            t.push('\n');
        }
        t.push_str(&body);
    }
    t
}

/// A standard's titles, and its text (what [`standard_text_joined`] gives) written into `text`
/// straight from the JSON by [`json_scan`]: each section's strings are appended as they are
/// read, so no section string is allocated, none is copied a second time by the join, and the
/// text does not grow by doubling from empty. `None` for anything this reader does not take
/// (another order of the fields than the model writes, a duplicate field, a missing section
/// field): the caller then parses the derived way, so an answer never depends on which way
/// was taken (`standard_text_is_the_joined_text`).
fn standard_text<'a>(json: &'a str, text: &mut String) -> Option<Titles<'a>> {
    text.clear();
    text.reserve(json.len());
    let mut scan = json_scan::Scan::new(json);
    let mut title_zh: Option<Option<Cow<'a, str>>> = None;
    let mut title_en: Option<Option<Cow<'a, str>>> = None;
    let (mut scope, mut sections) = (false, false);
    scan.object(&mut |scan, key| {
        match key {
            "title_zh" | "title_en" => {
                let slot = if key == "title_zh" {
                    &mut title_zh
                } else {
                    &mut title_en
                };
                if slot.is_some() {
                    return None;
                }
                *slot = Some(scan.opt_string()?);
            }
            // The scope comes before the sections (the model's field order): it is the start
            // of the text.
            "scope" if !scope && !sections => {
                scope = true;
                if let Some(s) = scan.opt_string()? {
                    text.push_str(&s);
                }
            }
            "sections" if !sections => {
                sections = true;
                let mut body = Body {
                    scope: !text.is_empty(),
                    started: false,
                    text: &mut *text,
                };
                scan.array(&mut |scan| section(scan, &mut body))?;
            }
            "scope" | "sections" => return None,
            _ => scan.skip(0)?,
        }
        Some(())
    })?;
    scan.end()?;
    Some((title_zh.flatten(), title_en.flatten()))
}

/// One section: its number and title (short, read first as the model writes them), then its
/// text appended to the body as it is read.
fn section(scan: &mut json_scan::Scan<'_>, body: &mut Body<'_>) -> Option<()> {
    let mut number: Option<Cow<'_, str>> = None;
    let mut title: Option<Cow<'_, str>> = None;
    let mut text = false;
    scan.object(&mut |scan, key| {
        match key {
            "number" if number.is_none() && !text => number = Some(scan.string()?),
            "title" if title.is_none() && !text => title = Some(scan.string()?),
            "text" if !text => {
                let (Some(n), Some(t)) = (&number, &title) else {
                    return None;
                };
                text = true;
                body.section(n, t);
                if scan.empty_string() {
                    scan.string()?;
                } else {
                    body.start();
                    scan.string_into(body.text)?;
                }
            }
            "number" | "title" | "text" => return None,
            _ => scan.skip(0)?,
        }
        Some(())
    })?;
    text.then_some(())
}

/// The body being written: [`join_sections`]'s output after the scope, with the newline
/// between them written when the body gets its first byte.
struct Body<'t> {
    /// Whether a scope was written before the body.
    scope: bool,
    /// Whether the body has a byte yet.
    started: bool,
    text: &'t mut String,
}

impl Body<'_> {
    fn push(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.start();
        self.text.push_str(s);
    }

    /// The body gets its first byte now (a non-empty string is about to be written).
    fn start(&mut self) {
        if !self.started {
            self.started = true;
            if self.scope {
                self.text.push('\n');
            }
        }
    }

    /// One section's separator and heading, as `join_sections` writes them.
    fn section(&mut self, number: &str, title: &str) {
        if self.started {
            self.push("\n\n");
        }
        biaozhun_model::standard::section_heading(number, title, &mut |s| self.push(s));
    }
}

/// A standard's JSON read by a scan of its bytes for [`standard_text`]: strings found with
/// `memchr2` (AVX2) for their closing quote or next escape, every field but the titles, the
/// scope and the sections' numbers, titles and texts skipped without being unescaped. serde_json
/// checks each string byte for control characters eight bytes at a time and stops at every
/// escape (a body has a `\n` every line): its parse was a fifth of a query with 10 snippets on
/// the small preset (callgrind, session 12). The scan does not check what a stored record
/// cannot hold (control characters in strings, the syntax of numbers and literals of skipped
/// fields: records are written by `serde_json`); anything else it does not expect (another
/// field order, a duplicate field, a lone surrogate, a missing section field) gives `None`.
mod json_scan {
    use std::borrow::Cow;

    /// Nesting deeper than this in a skipped value gives `None` (serde_json's own limit).
    const DEPTH: usize = 128;

    pub(super) struct Scan<'a> {
        src: &'a str,
        i: usize,
    }

    impl<'a> Scan<'a> {
        pub(super) fn new(src: &'a str) -> Scan<'a> {
            Scan { src, i: 0 }
        }

        fn bytes(&self) -> &'a [u8] {
            self.src.as_bytes()
        }

        /// The next byte after white space, not consumed.
        fn peek(&mut self) -> Option<u8> {
            while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes().get(self.i) {
                self.i += 1;
            }
            self.bytes().get(self.i).copied()
        }

        fn eat(&mut self, b: u8) -> Option<()> {
            (self.peek()? == b).then(|| self.i += 1)
        }

        /// Only white space left.
        pub(super) fn end(&mut self) -> Option<()> {
            self.peek().is_none().then_some(())
        }

        /// A string, borrowed when it has no escapes.
        pub(super) fn string(&mut self) -> Option<Cow<'a, str>> {
            let mut owned = String::new();
            let mut escaped = false;
            let whole = self.string_to(&mut |s| {
                escaped = true;
                owned.push_str(s);
            })?;
            Some(if escaped {
                Cow::Owned(owned)
            } else {
                Cow::Borrowed(whole)
            })
        }

        /// A string or `null`.
        pub(super) fn opt_string(&mut self) -> Option<Option<Cow<'a, str>>> {
            if self.peek()? == b'n' {
                self.literal(b"null")?;
                return Some(None);
            }
            self.string().map(Some)
        }

        fn literal(&mut self, word: &[u8]) -> Option<()> {
            self.peek()?;
            let end = self.i + word.len();
            (self.bytes().get(self.i..end)? == word).then(|| self.i = end)
        }

        /// A string, handed to `sink` piece by piece (runs of the source, unescaped
        /// characters) once it has an escape; without one, the whole string is returned and
        /// `sink` is not called.
        pub(super) fn string_to(&mut self, sink: &mut dyn FnMut(&str)) -> Option<&'a str> {
            self.eat(b'"')?;
            let bytes = self.bytes();
            let start = self.i;
            let mut any = false;
            loop {
                let k = self.i + memchr::memchr2(b'"', b'\\', bytes.get(self.i..)?)?;
                let run = self.src.get(self.i..k)?;
                if bytes[k] == b'"' {
                    self.i = k + 1;
                    if any {
                        sink(run);
                        return Some("");
                    }
                    return self.src.get(start..k);
                }
                if !any {
                    any = true;
                    sink(self.src.get(start..k)?);
                } else {
                    sink(run);
                }
                self.i = k + 1;
                let c = self.escape()?;
                sink(c.encode_utf8(&mut [0; 4]));
            }
        }

        /// The escape after a backslash (at `self.i`), read and passed.
        fn escape(&mut self) -> Option<char> {
            let bytes = self.bytes();
            let c = match *bytes.get(self.i)? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = self.hex4(self.i + 1)?;
                    self.i += 4;
                    let code = match hi {
                        0xD800..=0xDBFF => {
                            if bytes.get(self.i + 1..self.i + 3)? != b"\\u" {
                                return None;
                            }
                            let lo = self.hex4(self.i + 3)?;
                            if !(0xDC00..=0xDFFF).contains(&lo) {
                                return None;
                            }
                            self.i += 6;
                            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                        }
                        0xDC00..=0xDFFF => return None,
                        _ => hi,
                    };
                    char::from_u32(code)?
                }
                _ => return None,
            };
            self.i += 1;
            Some(c)
        }

        /// Whether the next value is the empty string.
        pub(super) fn empty_string(&mut self) -> bool {
            self.peek() == Some(b'"') && self.bytes().get(self.i + 1) == Some(&b'"')
        }

        /// A string appended to `out`, unescaped: a section's text, run by run between
        /// escapes, without a callback per run.
        pub(super) fn string_into(&mut self, out: &mut String) -> Option<()> {
            self.eat(b'"')?;
            let bytes = self.bytes();
            loop {
                let k = self.i + memchr::memchr2(b'"', b'\\', bytes.get(self.i..)?)?;
                out.push_str(self.src.get(self.i..k)?);
                self.i = k + 1;
                if bytes[k] == b'"' {
                    return Some(());
                }
                out.push(self.escape()?);
            }
        }

        fn hex4(&self, at: usize) -> Option<u32> {
            let digits = self.src.get(at..at + 4)?;
            if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(digits, 16).ok()
        }

        /// Skips a string without reading its escapes (the byte after a backslash is never
        /// the closing quote).
        fn skip_string(&mut self) -> Option<()> {
            self.eat(b'"')?;
            loop {
                let k = self.i + memchr::memchr2(b'"', b'\\', self.bytes().get(self.i..)?)?;
                if self.bytes()[k] == b'"' {
                    self.i = k + 1;
                    return Some(());
                }
                self.i = k + 2;
            }
        }

        /// Skips any value.
        pub(super) fn skip(&mut self, depth: usize) -> Option<()> {
            if depth > DEPTH {
                return None;
            }
            match self.peek()? {
                b'"' => self.skip_string(),
                open @ (b'{' | b'[') => {
                    let close = if open == b'{' { b'}' } else { b']' };
                    self.i += 1;
                    if self.peek()? == close {
                        self.i += 1;
                        return Some(());
                    }
                    loop {
                        if open == b'{' {
                            self.skip_string()?;
                            self.eat(b':')?;
                        }
                        self.skip(depth + 1)?;
                        match self.peek()? {
                            b',' => self.i += 1,
                            c if c == close => {
                                self.i += 1;
                                return Some(());
                            }
                            _ => return None,
                        }
                    }
                }
                _ => {
                    let rest = self.bytes().get(self.i..)?;
                    let n = rest
                        .iter()
                        .position(|b| {
                            matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\t' | b'\r')
                        })
                        .unwrap_or(rest.len());
                    if n == 0 {
                        return None;
                    }
                    self.i += n;
                    Some(())
                }
            }
        }

        /// An object's fields: `field` is called with each key and reads its value.
        pub(super) fn object(
            &mut self,
            field: &mut dyn FnMut(&mut Scan<'a>, &str) -> Option<()>,
        ) -> Option<()> {
            self.eat(b'{')?;
            if self.peek()? == b'}' {
                self.i += 1;
                return Some(());
            }
            loop {
                let key = self.string()?;
                self.eat(b':')?;
                field(self, &key)?;
                match self.peek()? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        return Some(());
                    }
                    _ => return None,
                }
            }
        }

        /// An array's elements, each read by `element`.
        pub(super) fn array(
            &mut self,
            element: &mut dyn FnMut(&mut Scan<'a>) -> Option<()>,
        ) -> Option<()> {
            self.eat(b'[')?;
            if self.peek()? == b']' {
                self.i += 1;
                return Some(());
            }
            loop {
                element(self)?;
                match self.peek()? {
                    b',' => self.i += 1,
                    b']' => {
                        self.i += 1;
                        return Some(());
                    }
                    _ => return None,
                }
            }
        }
    }
}

/// A stored record's JSON, parsed. The bytes are checked as UTF-8 once, with SIMD, and parsed
/// as a `str`: `serde_json::from_slice` checks every string on its own with `std`'s validation,
/// which on Chinese text (three bytes a character) was a tenth of the snippets' instructions at
/// 300k documents (callgrind, session 10).
fn parse<'a, T: Deserialize<'a>>(json: &'a str) -> Option<T> {
    serde_json::from_str(json).ok()
}

/// The record's bytes as text, checked with SIMD (see [`parse`]).
fn utf8(json: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(json).ok()
}

/// Whether the original text has a sentence boundary (newline or `。`) ending at byte `i`.
#[cfg(test)]
fn boundary_before(bytes: &[u8], i: usize) -> bool {
    bytes[..i].ends_with(b"\n") || bytes[..i].ends_with("。".as_bytes())
}

/// The sentence of `text` around byte `at`: from just after the previous newline or `。` to
/// just after the next one.
fn sentence(text: &str, at: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    // `。` is E3 80 82 in UTF-8: a boundary ends at a newline or at an 0x82 after E3 80.
    let ends_boundary = |p: usize| bytes[p] == b'\n' || bytes[..=p].ends_with("。".as_bytes());
    let mut end = at.min(bytes.len());
    let from = loop {
        match memchr::memrchr2(b'\n', 0x82, &bytes[..end]) {
            Some(p) if ends_boundary(p) => break p + 1,
            Some(p) => end = p,
            None => break 0,
        }
    };
    let mut p = at;
    let mut to = loop {
        match bytes.get(p..).and_then(|b| memchr::memchr2(b'\n', 0x82, b)) {
            Some(k) if ends_boundary(p + k) => break p + k + 1,
            Some(k) => p += k + 1,
            None => break bytes.len(),
        }
    };
    while to < bytes.len() && !text.is_char_boundary(to) {
        to += 1;
    }
    (from, to)
}

/// Whether `word` is made of CJK unified ideographs only (U+4E00..U+9FFF, which the folding
/// copies as they are) and is not `一`, the one ideograph the folding changes (to `-`,
/// between two digits; inside a longer word of ideographs it has no digit on one side).
fn ideographs_only(word: &str) -> bool {
    word != "一" && word.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Whether `text` may hold a character that is not a CJK unified ideograph but folds to text
/// holding one (NFKC: Kangxi radicals `⼀`, compatibility ideographs `豈`, enclosed `㊀`, squared
/// `㍻`, ...). Without such a character, the ideographs of the folded text are those of the
/// text, in order and next to the same ideographs, minus a `一` between digits. Conservative:
/// any 4-byte character counts, and whole blocks of the BMP (U+2E80..U+2FFF, U+3038..U+303F,
/// U+3180..U+33FF, U+F900..U+FAFF); a test checks every character against the folding. A
/// SIMD scan for the three lead bytes (E2, E3, EF; Chinese punctuation is E3 80 and EF BC,
/// not caught) instead of the folding's per-character work.
fn folds_to_ideographs(text: &str) -> bool {
    let bytes = text.as_bytes();
    if memchr::memchr(0xF0, bytes).is_some() {
        return true;
    }
    memchr::memchr3_iter(0xE2, 0xE3, 0xEF, bytes).any(|i| {
        let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
        match bytes[i] {
            0xE2 => (0xBA..=0xBF).contains(&next(1)),
            0xE3 => (0x86..=0x8F).contains(&next(1)) || (next(1) == 0x80 && next(2) >= 0xB8),
            _ => (0xA4..=0xAB).contains(&next(1)),
        }
    })
}

/// Whole-token matches of `terms` in `text` as byte ranges of `text`, non-overlapping and
/// sorted (the longer match wins), each with the matched token for counting distinct terms.
#[cfg(test)]
fn find_matches(
    an: &Analyzers<'_>,
    text: &str,
    terms: &HighlightTerms,
    f: &mut FoldedRuns,
    budget: Option<usize>,
) -> Vec<(usize, usize, String)> {
    find_matches_with(an, text, terms, f, budget, None)
}

/// A match: byte range and the matched token.
type Match = (usize, usize, String);

/// What [`find_matches_with`] saw of a text, for [`neighbourhood`]: every candidate sentence
/// (before the budget), the word matches of each sentence it analysed, and the stem matches.
#[derive(Default)]
struct Seen {
    sentences: Vec<(usize, usize)>,
    /// By sentence start, in order.
    analysed: Vec<(usize, Vec<Match>)>,
    stems: Vec<Match>,
}

/// The matches of the window's neighbourhood `text[a..b]` (whole sentences), as
/// `find_matches(&text[a..b], budget None)` finds them (`neighbourhood_as_found_again`), from
/// what the search of the whole text saw: only the candidate sentences of `a..b` the budget
/// skipped are analysed now. Analysing the window's sentences a second time was a seventh of
/// the snippets' jieba work on the small preset (461M -> 396M, session 12). The same candidate
/// sentences: a sentence neither starts
/// nor ends inside another, query words hold no sentence end, and the folding of a text
/// starting after a sentence end is that of the whole text there.
fn neighbourhood(
    an: &Analyzers<'_>,
    text: &str,
    (a, b): (usize, usize),
    terms: &HighlightTerms,
    seen: &Seen,
) -> Vec<Match> {
    let mut found = Vec::new();
    for &(from, to) in seen.sentences.iter().filter(|(s, e)| *s >= a && *e <= b) {
        match seen.analysed.binary_search_by_key(&from, |(s, _)| *s) {
            Ok(k) => found.extend(seen.analysed[k].1.iter().cloned()),
            Err(_) => sentence_matches(an, text, (from, to), terms, &mut found),
        }
    }
    if text[a..b].bytes().any(|c| c.is_ascii_alphabetic()) {
        let inside = seen.stems.iter().filter(|m| m.0 >= a && m.1 <= b);
        found.extend(inside.cloned());
    }
    longest_first(found)
}

/// The whole-token word matches of the sentence `text[from..to]`, appended to `found`.
fn sentence_matches(
    an: &Analyzers<'_>,
    text: &str,
    (from, to): (usize, usize),
    terms: &HighlightTerms,
    found: &mut Vec<Match>,
) {
    let mut last_position = None;
    for t in an.zh.tokens(&text[from..to]) {
        let compound = last_position != Some(t.position);
        last_position = Some(t.position);
        if terms.words.contains(&t.text) || (compound && terms.sub_words.contains(&t.text)) {
            found.push((from + t.offset_from, from + t.offset_to, t.text));
        }
    }
}

/// Matches sorted, overlaps dropped (the longer match wins).
fn longest_first(mut found: Vec<Match>) -> Vec<Match> {
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out: Vec<Match> = Vec::with_capacity(found.len());
    for m in found {
        if out.last().is_none_or(|l| m.0 >= l.1) && m.1 > m.0 {
            out.push(m);
        }
    }
    out
}

/// [`find_matches`], telling `seen` what it saw.
fn find_matches_with(
    an: &Analyzers<'_>,
    text: &str,
    terms: &HighlightTerms,
    f: &mut FoldedRuns,
    budget: Option<usize>,
    mut seen: Option<&mut Seen>,
) -> Vec<(usize, usize, String)> {
    let mut found: Vec<(usize, usize, String)> = Vec::new();
    if !terms.words.is_empty() || !terms.sub_words.is_empty() {
        let searched = terms.words.iter().chain(&terms.sub_words);
        let searched = searched.filter(|t| !t.is_empty());
        // One SIMD substring search per word (memchr's `memmem`; `str::match_indices`, a
        // Two-Way search, was a sixth of the snippets' instructions). Non-overlapping
        // occurrences, as `match_indices` gives them.
        let mut starts: Vec<(usize, usize)> = if searched.clone().all(|w| ideographs_only(w))
            && !folds_to_ideographs(text)
        {
            // Words of ideographs only occur in the folded text where they occur in the text
            // itself (`words_of_ideographs_occur_as_in_the_folded_text`): the folding, a
            // seventh of a query with 10 snippets on the small preset (callgrind, session
            // 12), is not needed to find them.
            searched
                .enumerate()
                .flat_map(|(i, t)| {
                    memchr::memmem::find_iter(text.as_bytes(), t.as_bytes()).map(move |p| (p, i))
                })
                .collect()
        } else {
            // The folded text with a sparse map: only the candidates' offsets are mapped back.
            fold_runs_into(text, f);
            let f = &*f;
            searched
                .enumerate()
                .flat_map(|(i, t)| {
                    memchr::memmem::find_iter(f.text.as_bytes(), t.as_bytes())
                        .map(move |p| (f.orig(p), i))
                })
                .collect()
        };
        starts.sort_unstable();
        // Candidate sentences, with how many distinct query words occur in each.
        let mut sentences: Vec<(usize, usize, usize)> = Vec::new();
        let mut words: Vec<usize> = Vec::new();
        for (at, term) in starts {
            match sentences.last_mut() {
                Some(last) if at < last.1.max(last.0 + 1) => {
                    if !words.contains(&term) {
                        words.push(term);
                        last.2 += 1;
                    }
                }
                _ => {
                    let (from, to) = sentence(text, at);
                    words.clear();
                    words.push(term);
                    sentences.push((from, to, 1));
                }
            }
        }
        // A word as common as `车` occurs in nearly every sentence of a long text: analysing
        // them all cost a millisecond or more per hit. With a budget, only the sentences with
        // the most distinct words are analysed (ties: earliest first).
        if let Some(seen) = seen.as_deref_mut() {
            seen.sentences.clear();
            seen.sentences.extend(sentences.iter().map(|s| (s.0, s.1)));
        }
        if let Some(max) = budget.filter(|m| sentences.len() > *m) {
            sentences.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
            sentences.truncate(max);
            sentences.sort_unstable();
        }
        for (from, to, _) in sentences {
            let at = found.len();
            sentence_matches(an, text, (from, to), terms, &mut found);
            if let Some(seen) = seen.as_deref_mut() {
                seen.analysed.push((from, found[at..].to_vec()));
            }
        }
    }
    let stems_at = found.len();
    if !terms.stems.is_empty() && text.bytes().any(|b| b.is_ascii_alphabetic()) {
        let mut en = an.en.clone();
        if terms.stems.iter().all(|s| s.is_ascii()) {
            // Only an ASCII word of the text stems to an ASCII stem, and the tokenizer cuts
            // tokens at the same places in a word alone as in the whole text: analysing the
            // ASCII words alone finds the same matches without stemming every run of Chinese
            // text of a long body (since the expansions, most Chinese queries have stems).
            // The stem of an ASCII word starts with the word's first character, lower-cased
            // (Snowball's English stemmer only rewrites suffixes, and keeps words of one or
            // two letters: `stems_keep_the_first_letter`): the other words need no analysis,
            // which was 4 % of a query with 10 snippets on the small preset (session 12).
            let mut firsts = [false; 128];
            for s in &terms.stems {
                if let Some(b) = s.bytes().next() {
                    firsts[usize::from(b & 0x7F)] = true;
                }
            }
            for (start, word) in ascii_words(text) {
                let first = word.as_bytes()[0].to_ascii_lowercase();
                if !firsts[usize::from(first & 0x7F)] {
                    continue;
                }
                if !word.bytes().any(|b| b.is_ascii_alphabetic()) {
                    // Digits only (section numbers, values, years: most ASCII words of a
                    // Chinese standard): the analyzer keeps such a word as it is, or drops it
                    // from `LONG_TOKEN` bytes on (`digit_words_analyse_to_themselves`).
                    if word.len() < LONG_TOKEN && terms.stems.contains(word) {
                        found.push((start, start + word.len(), word.to_string()));
                    }
                    continue;
                }
                let mut stream = en.token_stream(word);
                while let Some(t) = stream.next() {
                    if terms.stems.contains(&t.text) {
                        found.push((start + t.offset_from, start + t.offset_to, t.text.clone()));
                    }
                }
            }
        } else {
            let mut stream = en.token_stream(text);
            while let Some(t) = stream.next() {
                if terms.stems.contains(&t.text) {
                    found.push((t.offset_from, t.offset_to, t.text.clone()));
                }
            }
        }
    }
    if let Some(seen) = seen {
        seen.stems = found[stems_at..].to_vec();
    }
    longest_first(found)
}

/// The English tokenizer's tokens (maximal runs of alphanumeric characters) of `text` that are
/// ASCII, with their byte offsets. Found by bytes: a run of ASCII letters and digits is a whole
/// token unless a non-ASCII alphanumeric character (`中`) is glued to it, so only the characters
/// next to a run are looked up (the Unicode tables were a twelfth of snippet time).
fn ascii_words(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let glued_before = |i: usize| text[..i].chars().next_back().is_some_and(glues);
    let glued_after = |i: usize| text[i..].chars().next().is_some_and(glues);
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time up to the next byte that may be an ASCII letter or digit: the
        // byte loop alone was a tenth of the snippets' instructions at 300k documents (session
        // 10), and skipping only non-ASCII bytes still stopped at every newline, space and
        // dot of a Chinese body (2 % of a query at 300k, session 12).
        while let Some(chunk) = bytes.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            let may = may_be_alphanumeric(u64::from_le_bytes(w));
            if may != 0 {
                i += (may.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        if i >= bytes.len() {
            break;
        }
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if !glued_before(start) && !glued_after(i) {
            out.push((start, &text[start..i]));
        }
    }
    out
}

/// The high bit of each byte of `w` (eight bytes, little-endian) that may be an ASCII letter
/// or digit: set for every one of them, and for the control bytes 0x10..0x19 (the test is on
/// the byte with 0x20 set, which lower-cases letters), which the byte loop then refuses.
fn may_be_alphanumeric(w: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let each = |b: u8| 0x0101_0101_0101_0101u64 * u64::from(b);
    let ascii = !w & HIGH;
    let v = (w & !HIGH) | each(0x20);
    // Bytes of `v` are at most 0x7F: adding at most 0x80 sets the high bit without a carry.
    let at_least = |lo: u8| v + each(0x80 - lo);
    let above = |hi: u8| v + each(0x7F - hi);
    let digit = at_least(b'0') & !above(b'9');
    let letter = at_least(b'a') & !above(b'z');
    (digit | letter) & ascii
}

/// Whether `c` is a non-ASCII alphanumeric character (which glues an ASCII run into a longer
/// token). The characters next to ASCII words in Chinese text are mostly ideographs and
/// full-width punctuation: answered without `std`'s Unicode tables, whose lookups were 0.7 % of
/// a query with 10 snippets on the small preset (session 12); the same answer for every
/// character (`glues_as_the_unicode_tables_say`).
fn glues(c: char) -> bool {
    match c {
        '\u{0}'..='\u{7f}' => false,
        '\u{4e00}'..='\u{9fff}' => true,
        '，' | '。' | '、' | '（' | '）' | '：' | '；' | '“' | '”' => false,
        _ => c.is_alphanumeric(),
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One highlight of `text`: the whole text (titles) or the densest window (`window`).
fn fragment(
    an: &Analyzers<'_>,
    field: &str,
    text: &str,
    terms: &HighlightTerms,
    f: &mut FoldedRuns,
    window: bool,
) -> Option<Highlight> {
    let budget = window.then_some(SENTENCE_BUDGET);
    let mut seen = Seen::default();
    let mut matches = find_matches_with(an, text, terms, f, budget, window.then_some(&mut seen));
    if matches.is_empty() {
        return None;
    }
    let (from, to) = if window && text.len() > WINDOW {
        let best = densest(&matches);
        let anchor = matches[best].0;
        let from = floor_boundary(text, anchor.saturating_sub(LEAD));
        let to = floor_boundary(text, from + WINDOW);
        (
            from,
            if from + WINDOW >= text.len() {
                text.len()
            } else {
                to
            },
        )
    } else {
        (0, text.len())
    };
    if budget.is_some() && (from, to) != (0, text.len()) {
        // The window may reach into sentences the budget skipped: analyse its neighbourhood
        // (whole sentences, so tokens are those of the full text) for every match shown.
        let (a, _) = sentence(text, from);
        let (_, b) = sentence(text, to.saturating_sub(1).max(from));
        matches = neighbourhood(an, text, (a, b), terms, &seen);
    }
    let frag = &text[from..to];
    let ranges: Vec<(usize, usize)> = matches
        .iter()
        .filter(|(s, e, _)| *s >= from && *e <= to)
        .map(|(s, e, _)| (s - from, e - from))
        .collect();
    if ranges.is_empty() {
        return None;
    }
    let shown: String = frag
        .chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let html = to_html(&shown, &ranges);
    Some(Highlight {
        field: field.to_string(),
        text: shown,
        ranges,
        html,
    })
}

/// The first match of the densest window of `WINDOW` bytes: most distinct terms, then most
/// matches, earliest first. One pass with a count per distinct term as the window slides:
/// counting each window's distinct terms anew is quadratic in the matches of a window, and a
/// long body's stems are matched over all of it. On the small preset it saved only 4M of a
/// 2.8G run (callgrind, session 12): it bounds the worst case, not the common one. Same
/// answer (`densest_window_as_counted_anew`).
fn densest(matches: &[Match]) -> usize {
    let mut ids: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let id: Vec<usize> = matches
        .iter()
        .map(|m| {
            let next = ids.len();
            *ids.entry(m.2.as_str()).or_insert(next)
        })
        .collect();
    let mut count = vec![0usize; ids.len()];
    let mut distinct = 0;
    let mut best = (0usize, 0usize, 0usize);
    let mut j = 0;
    for (i, m) in matches.iter().enumerate() {
        while let Some(&t) = id.get(j).filter(|_| matches[j].0 < m.0 + WINDOW) {
            distinct += usize::from(count[t] == 0);
            count[t] += 1;
            j += 1;
        }
        let score = (distinct, j - i);
        if score > (best.0, best.1) {
            best = (distinct, j - i, i);
        }
        count[id[i]] -= 1;
        distinct -= usize::from(count[id[i]] == 0);
    }
    best.2
}

/// Escapes `text` and wraps `ranges` in `<em>`.
pub fn to_html(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * 9);
    let mut at = 0;
    for &(s, e) in ranges {
        if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        escape(&text[at..s], &mut out);
        out.push_str("<em>");
        escape(&text[s..e], &mut out);
        out.push_str("</em>");
        at = e;
    }
    escape(&text[at..], &mut out);
    out
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, words: &[&str], subs: &[&str], want: &[&str]) {
        let zh = ChineseAnalyzer::from_strs("", "的\n").expect("analyzer");
        let en = crate::schema::english_analyzer();
        let an = Analyzers { zh: &zh, en: &en };
        let terms = HighlightTerms {
            words: words.iter().map(|s| s.to_string()).collect(),
            sub_words: subs.iter().map(|s| s.to_string()).collect(),
            stems: FxHashSet::default(),
        };
        let got: Vec<String> =
            match fragment(&an, "t", text, &terms, &mut FoldedRuns::default(), false) {
                Some(h) => {
                    for (s, e) in &h.ranges {
                        assert!(h.text.is_char_boundary(*s) && h.text.is_char_boundary(*e));
                    }
                    h.ranges
                        .iter()
                        .map(|(s, e)| h.text[*s..*e].to_string())
                        .collect()
                }
                None => Vec::new(),
            };
        assert_eq!(got, want, "{text} with {words:?} / {subs:?}");
    }

    /// The text written straight from a standard's JSON is the derived parse's joined text,
    /// with the same titles, for scopes and sections empty or not, numbers and titles with
    /// spaces around them, escapes; JSON in another field order is refused (and then read the
    /// derived way by `highlights`).
    #[test]
    fn standard_text_is_the_joined_text() {
        use biaozhun_model::standard::{Section, Standard};
        use biaozhun_model::StandardCode;
        let code = StandardCode::parse("GB/T 7714-2015").expect("code");
        let section = |number: &str, title: &str, text: &str| Section {
            number: number.to_string(),
            title: title.to_string(),
            level: 1,
            text: text.to_string(),
        };
        let mut cases = Vec::new();
        for scope in [None, Some(""), Some("本标准规定了\n\"引号\"与\t制表")] {
            for sections in [
                vec![],
                vec![section("", "", "")],
                vec![section("", "", ""), section("", "", "")],
                vec![section("", "", "只有正文")],
                vec![section("1", "范围", "正文\n第二行"), section("", "", "")],
                vec![
                    section("", "", ""),
                    section(" 2 ", " 规范性引用文件 ", "GB 2760"),
                ],
                vec![
                    section(" ", "", "x"),
                    section("", "前言", ""),
                    section("A", "", "附录"),
                ],
            ] {
                let mut s = Standard::new(code.clone());
                s.scope = scope.map(str::to_string);
                s.title_zh = Some("文后参考文献著录规则\u{3000}".to_string());
                s.title_en = scope.map(|_| "Information \"and\" documentation".to_string());
                s.sections = sections;
                cases.push(serde_json::to_string(&s).expect("json"));
            }
        }
        let mut text = String::from("left over from the previous hit");
        for json in &cases {
            let derived = parse::<StandardText<'_>>(json).expect("derived parse");
            let (zh, en) = standard_text(json, &mut text).expect("read");
            assert_eq!(text, standard_text_joined(&derived), "{json}");
            assert_eq!(zh, derived.title_zh, "{json}");
            assert_eq!(en, derived.title_en, "{json}");
        }
        // Escapes of every kind, white space between tokens, nested fields skipped.
        for json in [
            r#" { "title_zh" : "\u4e2d\u6587\ud83d\ude00" , "x": {"a":[1, -2.5e3, true, null, {"b":"\"}"}], "c":[]}, "scope": null,
               "sections" : [ {"number":"\/1","title":" \t范围\r","level":1,"text":"a\\b\"c\bd\fe\nf"} ,
               {"level":2,"number":"","title":"","text":""}, {"number":"2","title":"","text":"\u00e9\n"} ] , "terms":[{"k":"v"}] } "#,
            r#"{"title_en":null,"title_zh":"","scope":"范围\n","sections":[]}"#,
            r#"{}"#,
        ] {
            let derived = parse::<StandardText<'_>>(json).expect("derived parse");
            let (zh, en) = standard_text(json, &mut text).expect(json);
            assert_eq!(text, standard_text_joined(&derived), "{json}");
            assert_eq!(zh, derived.title_zh, "{json}");
            assert_eq!(en, derived.title_en, "{json}");
        }
        for json in [
            r#"{"title_zh":"\ud83d"}"#,
            r#"{"title_zh":"\ude00\ud83d"}"#,
            r#"{"title_zh":"\x"}"#,
            r#"{"a":1,}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":1} x"#,
            r#"{"sections":[{"number":"1","title":"t","text":"x"}],"scope":"s"}"#,
            r#"{"sections":[{"text":"x","number":"1","title":"t"}]}"#,
            r#"{"sections":[{"number":"1","title":"t"}]}"#,
            r#"{"scope":"a","scope":"b"}"#,
            r#"{"sections":[["1","t","x"]]}"#,
        ] {
            assert_eq!(standard_text(json, &mut text), None, "{json}");
        }
    }

    /// Every character that folds to text with a CJK unified ideograph, and is not one, is
    /// caught by `folds_to_ideographs`, alone and inside Chinese text; the punctuation of
    /// Chinese text is not.
    #[test]
    fn characters_folding_to_ideographs_are_caught() {
        let mut caught = 0;
        for c in (0x80u32..=0x10FFFF).filter_map(char::from_u32) {
            let alone = c.to_string();
            let ideograph = ideographs_only(&alone) || alone == "一";
            let folds = biaozhun_analysis::fold(&alone)
                .chars()
                .any(|f| ('\u{4e00}'..='\u{9fff}').contains(&f));
            if folds && !ideograph {
                caught += 1;
                assert!(folds_to_ideographs(&alone), "U+{:04X} {c}", c as u32);
                assert!(
                    folds_to_ideographs(&format!("苹果，{c}。")),
                    "U+{:04X}",
                    c as u32
                );
            }
        }
        assert!(caught > 900, "{caught}");
        assert!(!folds_to_ideographs(
            "本标准规定了苹果（Malus）的贮藏、运输：“冷链”——见表1。\n\u{3000}①②"
        ));
    }

    /// Where nothing folds to an ideograph, words of ideographs are found in the text at the
    /// places (and in the order, non-overlapping) the search of the folded text finds them,
    /// next to upper-case ASCII, full-width forms, `一` between digits and words of `一`.
    #[test]
    fn words_of_ideographs_occur_as_in_the_folded_text() {
        let text =
            "ＧＢ／Ｔ７７１４一２０１５规定一一苹果苹果苹\nAPPLE苹果，一1一2一：统一一\u{3000}一";
        assert!(!folds_to_ideographs(text));
        let mut f = FoldedRuns::default();
        fold_runs_into(text, &mut f);
        for word in ["苹果", "苹果苹", "一一", "统一", "一苹", "规定一", "果苹"] {
            let word = word.to_string();
            assert!(ideographs_only(&word), "{word}");
            let folded: Vec<usize> = memchr::memmem::find_iter(f.text.as_bytes(), word.as_bytes())
                .map(|p| f.orig(p))
                .collect();
            let direct: Vec<usize> =
                memchr::memmem::find_iter(text.as_bytes(), word.as_bytes()).collect();
            assert_eq!(direct, folded, "{word}");
        }
        // `一` alone is the exception: between digits it folds to a dash.
        assert!(!ideographs_only("一"));
        assert!(!ideographs_only("gb苹果"));
        assert!(!f.text.contains("4一2"), "{}", f.text);
    }

    #[test]
    fn glues_as_the_unicode_tables_say() {
        for c in (0u32..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                glues(c),
                !c.is_ascii() && c.is_alphanumeric(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    /// The English analyzer's stem of an ASCII word starts with the word's first character,
    /// lower-cased, for the English words of the glossary and synonyms, their inflections and
    /// words starting with `y`, digits or capitals (the filter of `find_matches`).
    #[test]
    fn stems_keep_the_first_letter() {
        let mut en = crate::schema::english_analyzer();
        let mut words: Vec<String> = Vec::new();
        for (_, file) in crate::defaults::FILES {
            for (_, w) in ascii_words(file) {
                words.push(w.to_string());
            }
        }
        assert!(words.len() > 500, "{}", words.len());
        let mut more = Vec::new();
        for w in &words {
            for suffix in [
                "s", "es", "ies", "ed", "ied", "ing", "ingly", "ly", "ational", "y",
            ] {
                more.push(format!("{w}{suffix}"));
            }
        }
        words.extend(more);
        words.extend(
            [
                "y", "ys", "yes", "yied", "Ying", "YYY", "s", "ss", "ies", "ed", "ing", "eed",
                "1st",
            ]
            .map(str::to_string),
        );
        words.extend(
            ["Skies", "dying", "lying", "tying", "idly", "ugly", "only"].map(str::to_string),
        );
        let mut checked = 0;
        for w in &words {
            let mut stream = en.token_stream(w);
            while let Some(t) = stream.next() {
                checked += 1;
                assert_eq!(
                    t.text.as_bytes().first(),
                    Some(&w.as_bytes()[0].to_ascii_lowercase()),
                    "{w} -> {}",
                    t.text
                );
            }
        }
        assert!(checked > 5000, "{checked}");
    }

    /// The window's neighbourhood from what the search of the whole text saw is what a new
    /// search of the neighbourhood finds, for every span of whole sentences of a text whose
    /// candidate sentences the budget cut, with words, sub-words and stems.
    #[test]
    fn neighbourhood_as_found_again() {
        let zh = ChineseAnalyzer::from_strs("", "的\n").expect("analyzer");
        let en = crate::schema::english_analyzer();
        let an = Analyzers { zh: &zh, en: &en };
        let set = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        let terms = HighlightTerms {
            words: set(&["苹果", "贮藏", "食品安全"]),
            sub_words: set(&["食品", "安全"]),
            stems: set(&["appl", "storag"]),
        };
        let mut text = String::new();
        for i in 0..40 {
            match i % 4 {
                0 => text.push_str(&format!("第{i}条 苹果应当按规定检验。")),
                1 => text.push_str("Apples storage 苹果贮藏前应当预冷\n"),
                2 => text.push_str("食品和安全，食品安全国家标准。"),
                _ => text.push_str("无关的句子\n\n"),
            }
        }
        let mut seen = Seen::default();
        let mut f = FoldedRuns::default();
        find_matches_with(&an, &text, &terms, &mut f, Some(3), Some(&mut seen));
        assert_eq!(seen.analysed.len(), 3);
        assert!(seen.sentences.len() > 20, "{}", seen.sentences.len());
        let mut ends: Vec<usize> = vec![0];
        ends.extend(seen.sentences.iter().map(|s| s.1));
        ends.push(text.len());
        let mut checked = 0;
        for (k, &a) in ends.iter().enumerate() {
            for &b in ends[k + 1..].iter().take(4) {
                let (a, _) = sentence(&text, a);
                let (_, b) = sentence(&text, b.saturating_sub(1).max(a));
                let again: Vec<Match> = find_matches(&an, &text[a..b], &terms, &mut f, None)
                    .into_iter()
                    .map(|(s, e, t)| (s + a, e + a, t))
                    .collect();
                assert_eq!(
                    neighbourhood(&an, &text, (a, b), &terms, &seen),
                    again,
                    "{a}..{b}"
                );
                checked += usize::from(!again.is_empty());
            }
        }
        assert!(checked > 50, "{checked}");
    }

    /// The sliding count picks the window the count of each window anew picked, over match
    /// lists of every density and repetition.
    #[test]
    fn densest_window_as_counted_anew() {
        fn anew(matches: &[Match]) -> usize {
            let mut best = (0usize, 0usize, 0usize);
            let mut j = 0;
            for i in 0..matches.len() {
                let start = matches[i].0;
                while j < matches.len() && matches[j].0 < start + WINDOW {
                    j += 1;
                }
                let mut seen: Vec<&str> = Vec::new();
                for m in &matches[i..j] {
                    if !seen.contains(&m.2.as_str()) {
                        seen.push(&m.2);
                    }
                }
                if (seen.len(), j - i) > (best.0, best.1) {
                    best = (seen.len(), j - i, i);
                }
            }
            best.2
        }
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for case in 0..400 {
            let words = 1 + case % 6;
            let mut at = 0;
            let matches: Vec<Match> = (0..next(60))
                .map(|_| {
                    at += 1 + next(if case % 2 == 0 { 40 } else { 300 }) as usize;
                    (at, at + 3, format!("w{}", next(words)))
                })
                .collect();
            if !matches.is_empty() {
                assert_eq!(densest(&matches), anew(&matches), "{matches:?}");
            }
        }
    }

    /// The sentence as the byte-by-byte walk found it before `memchr` did (session 9).
    fn sentence_bytewise(text: &str, at: usize) -> (usize, usize) {
        let bytes = text.as_bytes();
        let mut from = at.min(bytes.len());
        while from > 0 && !boundary_before(bytes, from) {
            from -= 1;
        }
        // From the next byte: a match right after a boundary starts its sentence, it does not end
        // the previous one (that made the sentence empty and the match unseen).
        let mut to = (at + 1).min(bytes.len());
        while to < bytes.len() && !boundary_before(bytes, to) {
            to += 1;
        }
        while to < bytes.len() && !text.is_char_boundary(to) {
            to += 1;
        }
        (from, to)
    }

    /// Sentences found with `memchr` are those of the byte walk, at every offset of texts with
    /// newlines, `。`, other characters holding the byte 0x82 (`傂` is E5 82 82) and none.
    #[test]
    fn sentences_as_the_byte_walk_finds_them() {
        for text in [
            "",
            "苹果",
            "应当检验。苹果应当预冷\n第二章。。\n\n傂傂。x\n",
            "。傂\n",
            "第一章\n苹果\n第二章",
        ] {
            for at in 0..=text.len() + 1 {
                assert_eq!(
                    sentence(text, at),
                    sentence_bytewise(text, at),
                    "{text:?} at {at}"
                );
            }
        }
    }

    /// ASCII words found eight bytes at a time are those of a byte-by-byte scan.
    #[test]
    fn ascii_words_in_long_chinese_runs() {
        let text =
            "食品安全国家标准食品安全国家标准GB 2760 中文abc食品安全国家标准。\nde2 f\n食品安全x";
        let want = bytewise_words(text);
        assert_eq!(ascii_words(text), want);
        assert!(want.iter().any(|(_, w)| *w == "2760"), "{want:?}");
    }

    /// The eight-byte skip flags every ASCII letter and digit at its place, in any
    /// company (every byte value), so `ascii_words` finds what a byte walk finds.
    #[test]
    fn the_eight_byte_skip_flags_every_letter_and_digit() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut w = [0x82u8; 8];
                w[at] = b;
                for other in [0x82u8, b' ', b'\n', 0x15, 0xE4] {
                    for (k, x) in w.iter_mut().enumerate() {
                        if k != at {
                            *x = other;
                        }
                    }
                    let may = may_be_alphanumeric(u64::from_le_bytes(w));
                    let flagged = may & (0x80 << (8 * at)) != 0;
                    if b.is_ascii_alphanumeric() {
                        assert!(flagged, "{b:#x} at {at} among {other:#x}");
                    }
                    if !b.is_ascii_alphanumeric() && !(0x10..=0x19).contains(&b) {
                        assert!(!flagged, "{b:#x} at {at} among {other:#x}");
                    }
                }
            }
        }
        let text = "第1章 总则\n1.1 本标准规定了GB/T 7714—2015的要求。Ａ\u{15}x abc\n\n表 A.1  12 mm；pH值 ok";
        let bytewise = bytewise_words(text);
        assert_eq!(ascii_words(text), bytewise);
        assert!(bytewise.len() > 8, "{bytewise:?}");
    }

    fn glues_at(text: &str, start: usize, end: usize) -> bool {
        let glued = |c: Option<char>| c.is_some_and(|c| !c.is_ascii() && c.is_alphanumeric());
        glued(text[..start].chars().next_back()) || glued(text[end..].chars().next())
    }

    /// The ASCII words of `text` found byte by byte, the oracle of `ascii_words`' fast scans:
    /// runs of ASCII letters and digits not glued to a non-ASCII letter on either side.
    fn bytewise_words(text: &str) -> Vec<(usize, &str)> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if !glues_at(text, start, i) {
                out.push((start, &text[start..i]));
            }
        }
        out
    }

    #[test]
    fn digit_words_analyse_to_themselves() {
        // `find_matches` skips the English analyzer for ASCII words without letters.
        let mut en = crate::schema::english_analyzer();
        for n in [1, 4, LONG_TOKEN - 1, LONG_TOKEN, LONG_TOKEN + 3] {
            let word: String = "2015".chars().cycle().take(n).collect();
            let mut stream = en.token_stream(&word);
            let mut got = Vec::new();
            while let Some(t) = stream.next() {
                got.push(t.text.clone());
            }
            let want: Vec<String> = if n < LONG_TOKEN {
                vec![word.clone()]
            } else {
                Vec::new()
            };
            assert_eq!(got, want, "{n} digits");
        }
    }

    #[test]
    fn whole_tokens_only() {
        check(
            "依照本法第十六条的规定",
            &["第十条"],
            &["第十", "十条"],
            &[],
        );
        check(
            "依照本法第十条的规定",
            &["第十条"],
            &["第十", "十条"],
            &["第十条"],
        );
        check("食品安全国家标准", &["食品"], &[], &["食品"]);
        check(
            "食品和安全",
            &["食品安全"],
            &["食品", "安全"],
            &["食品", "安全"],
        );
        check("gbz, gb and gbt", &["gb"], &[], &["gb"]);
    }

    /// Stems found through the ASCII words alone are those the whole text's analysis finds.
    #[test]
    fn english_stems_from_ascii_words_only() {
        let zh = ChineseAnalyzer::from_strs("", "的\n").expect("analyzer");
        let en = crate::schema::english_analyzer();
        let an = Analyzers { zh: &zh, en: &en };
        let text =
            "Potatoes（马铃薯）and potato-chips; GB/T7714 potato土豆 Ｐｏｔａｔｏ tomatoes\n\
                    番茄tomato 12potatoes potatoes2 café potato";
        for stems in [&["potato", "tomato"][..], &["caf\u{e9}"][..], &["7714"][..]] {
            let terms = HighlightTerms {
                stems: stems.iter().map(|s| s.to_string()).collect(),
                ..HighlightTerms::default()
            };
            let got = find_matches(&an, text, &terms, &mut FoldedRuns::default(), None);
            let mut want = Vec::new();
            let mut all = an.en.clone();
            let mut stream = all.token_stream(text);
            while let Some(t) = stream.next() {
                if terms.stems.contains(&t.text) {
                    want.push((t.offset_from, t.offset_to, t.text.clone()));
                }
            }
            assert_eq!(got, want, "{stems:?}");
        }
        assert_eq!(ascii_words("a1 中文 b中 c"), vec![(0, "a1"), (15, "c")]);
    }

    /// A word right after a sentence boundary (`。`, a newline) is found: it used to make its
    /// sentence empty.
    #[test]
    fn words_at_the_start_of_a_sentence() {
        check("应当检验。苹果应当预冷", &["苹果"], &[], &["苹果"]);
        check("第一章\n苹果\n第二章", &["苹果"], &[], &["苹果"]);
        check("苹果", &["苹果"], &[], &["苹果"]);
    }

    #[test]
    fn ranges_are_byte_correct_in_mixed_text_and_markup_is_escaped() {
        let text =
            "本标准规定了ＧＢ／Ｔ 7714 参考文献著录规则 <b>\n<script>alert(1)</script>参考文献";
        check(
            text,
            &["参考文献", "7714"],
            &[],
            &["ＧＢ／Ｔ 7714", "参考文献", "参考文献"],
        );
        let zh = ChineseAnalyzer::from_strs("", "").expect("analyzer");
        let en = crate::schema::english_analyzer();
        let an = Analyzers { zh: &zh, en: &en };
        let terms = HighlightTerms {
            words: ["参考文献".to_string(), "script".to_string()]
                .into_iter()
                .collect(),
            ..Default::default()
        };
        let h = fragment(&an, "t", text, &terms, &mut FoldedRuns::default(), false).expect("h");
        assert!(h.html.contains("<em>参考文献</em>"), "{}", h.html);
        assert!(h.html.contains("&lt;b&gt;"), "{}", h.html);
        assert!(h.html.contains("&lt;<em>script</em>&gt;"), "{}", h.html);
        assert!(!h
            .html
            .replace("<em>", "")
            .replace("</em>", "")
            .contains('<'));
    }

    #[test]
    fn english_words_match_by_stem() {
        let zh = ChineseAnalyzer::from_strs("", "").expect("analyzer");
        let en = crate::schema::english_analyzer();
        let an = Analyzers { zh: &zh, en: &en };
        let terms = HighlightTerms {
            stems: ["pesticid".to_string()].into_iter().collect(),
            ..Default::default()
        };
        let text = "Maximum residue limits for Pesticides in food";
        let h = fragment(&an, "t", text, &terms, &mut FoldedRuns::default(), false).expect("h");
        assert_eq!(h.ranges.len(), 1);
        assert_eq!(&h.text[h.ranges[0].0..h.ranges[0].1], "Pesticides");
    }

    /// A word in every sentence of a long text does not make every sentence analysed: the
    /// fragment is still the sentence with both words, and every match inside the chosen
    /// window is highlighted, including those of sentences the budget skipped.
    #[test]
    fn common_words_use_the_sentence_budget_without_losing_the_best_window() {
        let zh = ChineseAnalyzer::from_strs("", "的\n").expect("analyzer");
        let en = crate::schema::english_analyzer();
        let an = Analyzers { zh: &zh, en: &en };
        let terms = HighlightTerms {
            words: ["苹果", "贮藏"].iter().map(|s| s.to_string()).collect(),
            sub_words: FxHashSet::default(),
            stems: FxHashSet::default(),
        };
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("第{i}条 苹果应当按规定检验。"));
        }
        text.push_str("苹果贮藏前应当预冷。苹果。");
        let h = fragment(&an, "text", &text, &terms, &mut FoldedRuns::default(), true)
            .expect("fragment");
        let shown: Vec<&str> = h.ranges.iter().map(|(s, e)| &h.text[*s..*e]).collect();
        assert!(shown.contains(&"贮藏"), "{shown:?} in {}", h.text);
        // The sentences around it hold 苹果 too, all highlighted within the window.
        let apples = h.text.matches("苹果").count();
        assert_eq!(
            shown.iter().filter(|w| **w == "苹果").count(),
            apples,
            "{}",
            h.text
        );
        assert!(apples >= 2, "{}", h.text);
        let matches = find_matches(&an, &text, &terms, &mut FoldedRuns::default(), Some(3));
        assert!(matches.len() <= 3 * 2 + 2, "{}", matches.len());
    }
}
