//! The Chinese analyzer: jieba search-mode segmentation for standards, notifications and laws,
//! implemented against `tantivy-tokenizer-api` so this crate never depends on the engine.
//!
//! What it adds over plain `tantivy-jieba`:
//! - NFKC folding (full-width `ＧＢ／Ｔ` is `gb/t`), lowercasing, dash folding;
//! - punctuation and whitespace dropped, stop words (from `index-config/stopwords.txt`) dropped;
//! - offsets that point into the ORIGINAL text, even where folding changed byte lengths;
//! - standard numbers kept whole: `GB/T 7714-2015` yields `gb/t7714-2015` and `gb/t7714` plus the
//!   parts `7714` and `2015`, so `7714` alone finds it (jieba's search mode drops numeric parts);
//! - positions that phrase queries can use: the sub-words search mode adds (`食品`, `安全` of
//!   `食品安全`) share the position of their compound, and the compound comes first, so offsets
//!   never go backwards.
//!
//! One `Arc<Jieba>` is shared by every clone: tantivy clones tokenizers per segment writer.

mod fold;
mod stop;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use biaozhun_model::{Level, StandardCode};
use jieba_rs::Jieba;
use tantivy_tokenizer_api::{Token, TokenStream, Tokenizer};

pub use fold::{fold, fold_into, fold_runs_into, Folded, FoldedRuns};
use stop::StopWords;

/// Name of the user dictionary file in `index-config/`.
pub const USER_DICT_FILE: &str = "jieba-user-dict.txt";
/// Name of the stop-word file in `index-config/`.
pub const STOPWORDS_FILE: &str = "stopwords.txt";

/// Why the analyzer could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzerError {
    /// A configuration file could not be read.
    #[error("cannot read analyzer file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// A dictionary line is malformed.
    #[error("{path}:{line}: {message}")]
    BadLine {
        /// The file (or `<inline>`).
        path: String,
        /// One-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The jieba-based analyzer. Cheap to clone: the dictionary and stop words are shared.
#[derive(Clone)]
pub struct ChineseAnalyzer {
    inner: Arc<Inner>,
    /// Token buffer reused between `token_stream` calls on the same clone.
    tokens: Vec<Token>,
    /// Folding and segmentation buffers reused the same way.
    scratch: Scratch,
}

struct Inner {
    jieba: Jieba,
    stop: StopWords,
}

impl std::fmt::Debug for ChineseAnalyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChineseAnalyzer")
            .field("stop_words", &self.inner.stop.len())
            .finish()
    }
}

impl ChineseAnalyzer {
    /// Loads the user dictionary and stop words from a config directory (`index-config/`).
    pub fn from_dir(dir: &Path) -> Result<ChineseAnalyzer, AnalyzerError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| AnalyzerError::Read { path, source })
        };
        let dict = read(USER_DICT_FILE)?;
        let stop = read(STOPWORDS_FILE)?;
        Self::from_strs(&dict, &stop).map_err(|e| match e {
            AnalyzerError::BadLine { line, message, .. } => AnalyzerError::BadLine {
                path: dir.join(USER_DICT_FILE).display().to_string(),
                line,
                message,
            },
            other => other,
        })
    }

    /// Builds the analyzer from the contents of a user dictionary (`word [freq] [tag]` lines,
    /// `#` comments) and a stop-word list (one word a line).
    pub fn from_strs(user_dict: &str, stopwords: &str) -> Result<ChineseAnalyzer, AnalyzerError> {
        let mut jieba = Jieba::new();
        for (n, raw) in user_dict.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(word) = parts.next() else { continue };
            let freq = match parts.next() {
                Some(f) => Some(f.parse::<usize>().map_err(|_| AnalyzerError::BadLine {
                    path: "<inline>".into(),
                    line: n + 1,
                    message: format!("frequency {f:?} is not a number"),
                })?),
                None => None,
            };
            let tag = parts.next();
            jieba.add_word(&fold(word), freq, tag);
        }
        let stop = StopWords::new(
            stopwords
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(fold),
        );
        Ok(ChineseAnalyzer {
            inner: Arc::new(Inner { jieba, stop }),
            tokens: Vec::new(),
            scratch: Scratch::default(),
        })
    }

    /// The token texts of `text`, for tests and query code.
    pub fn analyze(&self, text: &str) -> Vec<String> {
        self.tokens(text).into_iter().map(|t| t.text).collect()
    }

    /// All tokens of `text` with positions and offsets into `text`.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        self.tokenize_into(text, &mut out, &mut Scratch::default());
        out
    }

    /// Whether `word` (already folded) is a stop word.
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.inner.stop.contains(word)
    }

    /// Whether `word` (already folded) is in the jieba dictionary.
    pub fn has_word(&self, word: &str) -> bool {
        self.inner.jieba.has_word(word)
    }

    fn tokenize_into(&self, text: &str, out: &mut Vec<Token>, scratch: &mut Scratch) {
        let Scratch {
            folded: f,
            upper,
            compounds,
        } = scratch;
        let (mut used, mut position) = (0, 0);
        let mut base = 0;
        while base < text.len() {
            let end = chunk_end(text, base);
            let piece = &text[base..end];
            fold_into(piece, f);
            let codes = find_codes(piece, f, upper);
            let mut em = Emitter {
                f,
                original: piece,
                base,
                out,
                used,
                position,
            };
            let mut at = 0;
            for (range, code) in codes {
                self.segment(&mut em, at, range.start, compounds);
                em.code(range.clone(), &code, upper);
                at = range.end;
            }
            let end_folded = em.f.text.len();
            self.segment(&mut em, at, end_folded, compounds);
            (used, position) = (em.used, em.position);
            base = end;
        }
        out.truncate(used);
    }

    /// Whether `word` (folded) is a stop word.
    fn stop(&self, word: &str) -> bool {
        self.inner.stop.contains(word)
    }

    /// Segments folded bytes `from..to` with jieba's search mode and emits the tokens.
    ///
    /// `cut_for_search` emits, for every word of the segmentation (the compound), first the
    /// dictionary 2-grams and 3-grams inside it (read off the segmentation's own word graph, so
    /// no extra dictionary lookups), then the compound. Compounds tile the text and each
    /// sub-word lies strictly inside its compound, so one backward pass finds the compounds;
    /// we then emit each compound first and its sub-words at the same position.
    fn segment(&self, em: &mut Emitter<'_>, from: usize, to: usize, compounds: &mut Vec<usize>) {
        if from >= to {
            return;
        }
        let piece = &em.f.text[from..to];
        let toks = self.inner.jieba.cut_for_search(piece, true);
        compounds.clear();
        let (mut cs, mut ce) = (usize::MAX, usize::MAX);
        for (k, t) in toks.iter().enumerate().rev() {
            let inside =
                t.byte_start >= cs && t.byte_end <= ce && t.byte_end - t.byte_start < ce - cs;
            if !inside {
                compounds.push(k);
                (cs, ce) = (t.byte_start, t.byte_end);
            }
        }
        let mut first = 0;
        for &k in compounds.iter().rev() {
            let subs = &toks[first..k];
            first = k + 1;
            let word = toks[k].word;
            if !has_alphanumeric(word) {
                continue;
            }
            if self.stop(word) {
                em.position += 1;
                continue;
            }
            let start = from + toks[k].byte_start;
            em.push(word, start, start + word.len());
            if word.is_ascii() {
                // Our own parts (numbers too), not jieba's (letters only).
                if word.bytes().any(|b| !b.is_ascii_alphanumeric()) {
                    let mut off = 0;
                    for part in word.split(|c: char| !c.is_ascii_alphanumeric()) {
                        if !part.is_empty() && part.len() < word.len() {
                            em.push(part, start + off, start + off + part.len());
                        }
                        off += part.len() + 1;
                    }
                }
            } else if subs.is_empty() {
            } else if word.bytes().any(|b| matches!(b, b'.' | b'_' | b'-')) {
                // jieba adds letter parts of such words besides the n-grams: look them up.
                self.grams_by_lookup(em, word, start);
            } else {
                for t in subs {
                    if !self.stop(t.word) {
                        let s = from + t.byte_start;
                        em.push(t.word, s, s + t.word.len());
                    }
                }
            }
            em.position += 1;
        }
    }

    /// The dictionary 2-grams, then 3-grams, of a word of more than two characters.
    fn grams_by_lookup(&self, em: &mut Emitter<'_>, word: &str, start: usize) {
        let chars: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(word.len()))
            .collect();
        let n = chars.len() - 1;
        for len in [2usize, 3] {
            if n <= len {
                continue;
            }
            for i in 0..=n - len {
                let gram = &word[chars[i]..chars[i + len]];
                if self.inner.jieba.has_word(gram) && !self.stop(gram) {
                    em.push(gram, start + chars[i], start + chars[i + len]);
                }
            }
        }
    }
}

/// Text is analysed in chunks of about this many bytes, so the folded text, its byte map and
/// jieba's buffers stay in the CPU cache.
const CHUNK: usize = 32 * 1024;

/// End of the chunk starting at `base`: just after a newline (or else a `。`) past `CHUNK`
/// bytes. Neither jieba's blocks nor standard numbers cross those, so chunking changes no
/// token; a text without either is analysed whole.
fn chunk_end(text: &str, base: usize) -> usize {
    let from = base + CHUNK;
    if from >= text.len() {
        return text.len();
    }
    let window = &text.as_bytes()[from..text.len().min(from + 4 * CHUNK)];
    if let Some(p) = window.iter().position(|b| *b == b'\n') {
        return from + p + 1;
    }
    let stop = "。".as_bytes();
    if let Some(p) = window.windows(3).position(|w| w == stop) {
        return from + p + 3;
    }
    text.len()
}

/// Buffers reused between calls: the folded text, an upper-cased run, compound indices.
#[derive(Default, Clone)]
struct Scratch {
    folded: Folded,
    upper: String,
    compounds: Vec<usize>,
}

/// Whether a token holds a letter or digit: punctuation tokens are dropped. Checks the first
/// character on the fast path (ASCII, CJK ideographs), the whole word otherwise.
fn has_alphanumeric(word: &str) -> bool {
    let bytes = word.as_bytes();
    match bytes.first() {
        None => false,
        Some(b) if b.is_ascii_alphanumeric() => true,
        Some(_) if fold::is_ideograph_at(bytes, 0) => true,
        Some(_) if word.is_ascii() => bytes.iter().any(u8::is_ascii_alphanumeric),
        Some(_) => word.chars().any(|c| {
            // General punctuation and the CJK punctuation of U+3000..U+3020 (except the
            // letter-like 々〆〇) need no Unicode table lookup.
            let u = c as u32;
            let punct = (0x2000..=0x206f).contains(&u)
                || ((0x3000..=0x3020).contains(&u) && !(0x3005..=0x3007).contains(&u));
            !punct && c.is_alphanumeric()
        }),
    }
}

/// Appends tokens with original offsets; all tokens of one segment share `position`.
struct Emitter<'a> {
    /// The folded chunk.
    f: &'a Folded,
    /// The original chunk.
    original: &'a str,
    /// Byte offset of the chunk in the text.
    base: usize,
    out: &'a mut Vec<Token>,
    /// Tokens written so far; slots beyond are reused (their strings keep their capacity).
    used: usize,
    position: usize,
}

impl Emitter<'_> {
    #[inline]
    fn push(&mut self, text: &str, from: usize, to: usize) {
        let offset_from = self.f.orig(from);
        let mut offset_to = self.f.orig(to);
        if offset_to <= offset_from {
            // The token ends inside the expansion of one original character (`㎏` → `kg`).
            offset_to = self.original[offset_from..]
                .chars()
                .next()
                .map_or(offset_from, |c| offset_from + c.len_utf8());
        }
        let (offset_from, offset_to) = (self.base + offset_from, self.base + offset_to);
        if let Some(t) = self.out.get_mut(self.used) {
            t.offset_from = offset_from;
            t.offset_to = offset_to;
            t.position = self.position;
            t.position_length = 1;
            t.text.clear();
            t.text.push_str(text);
        } else {
            self.out.push(Token {
                offset_from,
                offset_to,
                position: self.position,
                text: text.to_string(),
                position_length: 1,
            });
        }
        self.used += 1;
    }

    fn code(&mut self, range: std::ops::Range<usize>, code: &StandardCode, buf: &mut String) {
        let (from, to) = (range.start, range.end);
        for_each_code_token(code, buf, |t| self.push(t, from, to));
        self.position += 1;
    }
}

/// The index tokens of a standard number: the compact code with and without year, the number,
/// its first dotted part, and the year. Shared with the query side so both agree.
pub fn code_tokens(code: &StandardCode) -> Vec<String> {
    let mut out = Vec::new();
    for_each_code_token(code, &mut String::new(), |t| out.push(t.to_string()));
    out
}

/// Calls `emit` with each token of [`code_tokens`], built in `buf` (reused, so no allocation
/// once it has grown): `gb/t7714-2015`, `gb/t7714`, `7714`, `2015`; `2763.1` also `2763`.
fn for_each_code_token(code: &StandardCode, buf: &mut String, mut emit: impl FnMut(&str)) {
    use std::fmt::Write;
    // `buf` holds [full][without year][number][year], each squeezed and lowercased.
    buf.clear();
    let _ = write!(buf, "{code}");
    squeeze_lower(buf, 0);
    let mut parts = [0..buf.len(), 0..0, 0..0, 0..0, 0..0];
    let mut n = 1;
    if code.year().is_some() {
        let at = buf.len();
        buf.push_str(code.prefix());
        buf.push_str(code.number());
        squeeze_lower(buf, at);
        parts[n] = at..buf.len();
        n += 1;
    }
    let at = buf.len();
    buf.push_str(code.number());
    buf[at..].make_ascii_lowercase();
    let number = at..buf.len();
    if let Some(dot) = buf[number.clone()].find('.') {
        parts[n] = number.clone();
        parts[n + 1] = number.start..number.start + dot;
        n += 2;
    } else {
        parts[n] = number;
        n += 1;
    }
    if let Some(y) = code.year() {
        let at = buf.len();
        let _ = write!(buf, "{y}");
        parts[n] = at..buf.len();
        n += 1;
    }
    let mut last: Option<&str> = None;
    for r in &parts[..n] {
        let t = &buf[r.clone()];
        if last != Some(t) {
            emit(t);
        }
        last = Some(t);
    }
}

/// Removes whitespace from `buf[from..]` and lowercases it (`buf[..from]` has none).
fn squeeze_lower(buf: &mut String, from: usize) {
    buf.retain(|c| !c.is_whitespace());
    if buf[from..].is_ascii() {
        buf[from..].make_ascii_lowercase();
    } else {
        let tail: String = buf[from..].chars().flat_map(char::to_lowercase).collect();
        buf.truncate(from);
        buf.push_str(&tail);
    }
}

/// Standard numbers in the folded text, as folded byte ranges.
///
/// Runs of characters codes are made of are upper-cased and handed to `StandardCode::find_all`.
/// A code whose prefix was typed in lower case only counts for Chinese prefixes (`gb/t 7714`),
/// so English prose (`is 2015`) is not read as a foreign standard.
fn find_codes(
    original: &str,
    f: &Folded,
    upper: &mut String,
) -> Vec<(std::ops::Range<usize>, StandardCode)> {
    let bytes = f.text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // Chinese text is mostly bytes >= 0x80: skip them eight at a time.
        if let Some(chunk) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes([
                chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
            ]);
            if w & 0x8080_8080_8080_8080 == 0x8080_8080_8080_8080 {
                i += 8;
                continue;
            }
        }
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        // A code starts with a prefix of two letters (`GB`, `NY`, `ISO`) or a letter and a
        // slash (`T/`, `Q/`; see `biaozhun_model::prefixes`), and has digits after it: runs
        // such as `A.1` (annex clauses) are not handed to the parser.
        let (mut prev_letter, mut prefix, mut digit) = (false, false, false);
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric()
                || matches!(bytes[i], b'/' | b' ' | b'.' | b'-' | b':' | b'_'))
        {
            let b = bytes[i];
            let letter = b.is_ascii_alphabetic();
            prefix |= prev_letter && (letter || b == b'/');
            digit |= prefix && b.is_ascii_digit();
            prev_letter = letter;
            i += 1;
        }
        if !digit {
            continue;
        }
        upper.clear();
        upper.push_str(&f.text[start..i]);
        upper.make_ascii_uppercase();
        for (r, code) in StandardCode::find_all(upper) {
            let upper_in_original = original[f.orig(start + r.start)..]
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase());
            let chinese = matches!(
                code.level(),
                Level::National | Level::Industry | Level::Local | Level::Group
            );
            if upper_in_original || chinese {
                out.push((start + r.start..start + r.end, code));
            }
        }
    }
    out
}

/// The token stream handed to tantivy: tokens computed up front into the analyzer's buffer.
pub struct ChineseTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    index: usize,
}

/// Returned by `token()` before the first `advance()`, which tantivy never does.
static NO_TOKEN: Token = Token {
    offset_from: 0,
    offset_to: 0,
    position: 0,
    text: String::new(),
    position_length: 1,
};

impl Tokenizer for ChineseAnalyzer {
    type TokenStream<'a> = ChineseTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream<'a> {
        let mut tokens = std::mem::take(&mut self.tokens);
        let mut scratch = std::mem::take(&mut self.scratch);
        self.tokenize_into(text, &mut tokens, &mut scratch);
        self.tokens = tokens;
        self.scratch = scratch;
        ChineseTokenStream {
            tokens: &mut self.tokens,
            index: 0,
        }
    }
}

impl TokenStream for ChineseTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.index.checked_sub(1) {
            Some(i) => &self.tokens[i],
            None => &NO_TOKEN,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.index == 0 {
            // Before the first advance: hand out the first token (or a fresh one) rather than
            // panic; tantivy's filters only call this after `advance` returned true.
            if self.tokens.is_empty() {
                self.tokens.push(Token::default());
            }
            return &mut self.tokens[0];
        }
        &mut self.tokens[self.index - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> ChineseAnalyzer {
        ChineseAnalyzer::from_strs("设施蔬菜 100 n\n脱毒种薯\n", "的\n和\n").expect("analyzer")
    }

    #[test]
    fn codes_are_whole_tokens_with_parts() {
        let a = analyzer();
        let toks = a.analyze("依据ＧＢ／Ｔ７７１４—２０１５的规定");
        for want in ["gb/t7714-2015", "gb/t7714", "7714", "2015", "依据", "规定"] {
            assert!(toks.contains(&want.to_string()), "{want} in {toks:?}");
        }
        assert!(!toks.contains(&"的".to_string()));
        let toks = a.analyze("gb 2763.1 标准");
        assert!(toks.contains(&"gb2763.1".to_string()), "{toks:?}");
        assert!(toks.contains(&"2763.1".to_string()), "{toks:?}");
        assert!(toks.contains(&"2763".to_string()), "{toks:?}");
    }

    #[test]
    fn offsets_point_into_original() {
        let a = analyzer();
        let text = "Ｆｏｏｄ 食品安全，设施蔬菜 GB 2763—2021";
        for t in a.tokens(text) {
            let orig = &text[t.offset_from..t.offset_to];
            assert!(!orig.is_empty(), "{t:?}");
            if t.text.chars().all(|c| !c.is_ascii()) {
                assert_eq!(orig, t.text);
            }
        }
        let toks = a.analyze(text);
        assert!(toks.contains(&"设施蔬菜".to_string()), "{toks:?}");
        assert!(toks.contains(&"food".to_string()), "{toks:?}");
    }

    #[test]
    fn compounds_first_and_same_position() {
        let a = analyzer();
        let toks = a.tokens("食品安全国家标准");
        let mut last = 0;
        for t in &toks {
            assert!(t.offset_from >= last, "{toks:?}");
            last = t.offset_from;
        }
        let pos_of = |w: &str| toks.iter().find(|t| t.text == w).map(|t| t.position);
        assert_eq!(pos_of("食品"), pos_of("食品安全"));
        assert!(pos_of("食品").is_some());
    }

    #[test]
    fn long_texts_are_chunked_without_changing_tokens() {
        let a = analyzer();
        let line = "依据ＧＢ／Ｔ７７１４—２０１５的规定，食品安全国家标准 x-ray 设施蔬菜。\n";
        let one = a.tokens(line);
        let text = line.repeat(3 * CHUNK / line.len());
        let all = a.tokens(&text);
        assert_eq!(all.len(), one.len() * (text.len() / line.len()));
        let per_line = one.last().map_or(0, |t| t.position + 1);
        for (k, t) in all.iter().enumerate() {
            let (n, o) = (k / one.len(), &one[k % one.len()]);
            assert_eq!(t.text, o.text);
            assert_eq!(t.offset_from, o.offset_from + n * line.len());
            assert_eq!(t.offset_to, o.offset_to + n * line.len());
            assert_eq!(t.position, o.position + n * per_line);
        }
        // Without newlines, chunks end after a `。`.
        let text = line.trim_end().repeat(3 * CHUNK / line.len());
        let toks = a.tokens(&text);
        assert_eq!(toks.len(), all.len());
        assert!(toks.iter().all(|t| text.is_char_boundary(t.offset_from)));
    }

    #[test]
    fn search_mode_sub_words_follow_their_compound() {
        let a = analyzer();
        let toks = a.tokens("中华人民共和国进出口商品检验法");
        let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        let at = |w: &str| texts.iter().position(|t| *t == w);
        assert!(at("中华人民共和国") < at("中华"), "{texts:?}");
        assert!(at("中华").is_some() && at("共和国").is_some(), "{texts:?}");
        let pos = |w: &str| toks.iter().find(|t| t.text == w).map(|t| t.position);
        assert_eq!(pos("共和国"), pos("中华人民共和国"));
    }

    #[test]
    fn english_prose_is_not_a_code() {
        let a = analyzer();
        let toks = a.analyze("this is 2015 text with lc-ms/ms");
        assert!(toks.contains(&"2015".to_string()));
        assert!(toks.iter().all(|t| !t.starts_with("is2015")), "{toks:?}");
    }
}
