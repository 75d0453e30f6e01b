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

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use biaozhun_model::{Level, StandardCode};
use jieba_rs::Jieba;
use tantivy_tokenizer_api::{Token, TokenStream, Tokenizer};

pub use fold::{fold, fold_into, Folded};

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
}

struct Inner {
    jieba: Jieba,
    stop: HashSet<String>,
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
        let stop = stopwords
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(fold)
            .collect();
        Ok(ChineseAnalyzer {
            inner: Arc::new(Inner { jieba, stop }),
            tokens: Vec::new(),
        })
    }

    /// The token texts of `text`, for tests and query code.
    pub fn analyze(&self, text: &str) -> Vec<String> {
        self.tokens(text).into_iter().map(|t| t.text).collect()
    }

    /// All tokens of `text` with positions and offsets into `text`.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        self.tokenize_into(text, &mut out);
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

    fn tokenize_into(&self, text: &str, out: &mut Vec<Token>) {
        let mut f = Folded::default();
        fold_into(text, &mut f);
        let codes = find_codes(text, &f);
        let mut em = Emitter {
            f: &f,
            original: text,
            out,
            used: 0,
            position: 0,
        };
        let mut at = 0;
        for (range, code) in codes {
            self.segment(&mut em, at, range.start);
            em.code(range.clone(), &code);
            at = range.end;
        }
        self.segment(&mut em, at, f.text.len());
        let used = em.used;
        out.truncate(used);
    }

    /// Segments folded bytes `from..to` with jieba and emits the tokens.
    fn segment(&self, em: &mut Emitter<'_>, from: usize, to: usize) {
        if from >= to {
            return;
        }
        let piece = &em.f.text[from..to];
        let jieba = &self.inner.jieba;
        for t in jieba.cut(piece, true) {
            let word = t.word;
            if !word.chars().any(char::is_alphanumeric) {
                continue;
            }
            if word.len() <= 12 && self.inner.stop.contains(word) {
                em.position += 1;
                continue;
            }
            let start = from + t.byte_start;
            em.push(word, start, start + word.len());
            if word.is_ascii() {
                if word.bytes().any(|b| !b.is_ascii_alphanumeric()) {
                    let mut off = 0;
                    for part in word.split(|c: char| !c.is_ascii_alphanumeric()) {
                        if !part.is_empty() && part.len() < word.len() {
                            em.push(part, start + off, start + off + part.len());
                        }
                        off += part.len() + 1;
                    }
                }
            } else {
                let chars: Vec<(usize, char)> = word.char_indices().collect();
                let n = chars.len();
                if n > 2 {
                    let byte_at = |k: usize| if k == n { word.len() } else { chars[k].0 };
                    for len in [2usize, 3] {
                        if n <= len {
                            continue;
                        }
                        for i in 0..=n - len {
                            let gram = &word[byte_at(i)..byte_at(i + len)];
                            if jieba.has_word(gram)
                                && !(gram.len() <= 12 && self.inner.stop.contains(gram))
                            {
                                em.push(gram, start + byte_at(i), start + byte_at(i + len));
                            }
                        }
                    }
                }
            }
            em.position += 1;
        }
    }
}

/// Appends tokens with original offsets; all tokens of one segment share `position`.
struct Emitter<'a> {
    f: &'a Folded,
    original: &'a str,
    out: &'a mut Vec<Token>,
    /// Tokens written so far; slots beyond are reused (their strings keep their capacity).
    used: usize,
    position: usize,
}

impl Emitter<'_> {
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

    fn code(&mut self, range: std::ops::Range<usize>, code: &StandardCode) {
        let (from, to) = (range.start, range.end);
        for t in code_tokens(code) {
            self.push(&t, from, to);
        }
        self.position += 1;
    }
}

/// The index tokens of a standard number: the compact code with and without year, the number,
/// its first dotted part, and the year. Shared with the query side so both agree.
pub fn code_tokens(code: &StandardCode) -> Vec<String> {
    let squeeze = |c: &StandardCode| {
        c.to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let mut out = vec![squeeze(code)];
    if code.year().is_some() {
        out.push(squeeze(&code.without_year()));
    }
    let number = code.number().to_ascii_lowercase();
    if let Some((first, _)) = number.split_once('.') {
        out.push(number.clone());
        out.push(first.to_string());
    } else {
        out.push(number);
    }
    if let Some(y) = code.year() {
        out.push(y.to_string());
    }
    out.dedup();
    out
}

/// Standard numbers in the folded text, as folded byte ranges.
///
/// Runs of characters codes are made of are upper-cased and handed to `StandardCode::find_all`.
/// A code whose prefix was typed in lower case only counts for Chinese prefixes (`gb/t 7714`),
/// so English prose (`is 2015`) is not read as a foreign standard.
fn find_codes(original: &str, f: &Folded) -> Vec<(std::ops::Range<usize>, StandardCode)> {
    let bytes = f.text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let (mut letter, mut digit) = (false, false);
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric()
                || matches!(bytes[i], b'/' | b' ' | b'.' | b'-' | b':' | b'_'))
        {
            letter |= bytes[i].is_ascii_alphabetic();
            digit |= bytes[i].is_ascii_digit();
            i += 1;
        }
        if !(letter && digit) {
            continue;
        }
        let run = f.text[start..i].to_ascii_uppercase();
        for (r, code) in StandardCode::find_all(&run) {
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
        self.tokenize_into(text, &mut tokens);
        self.tokens = tokens;
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
    fn english_prose_is_not_a_code() {
        let a = analyzer();
        let toks = a.analyze("this is 2015 text with lc-ms/ms");
        assert!(toks.contains(&"2015".to_string()));
        assert!(toks.iter().all(|t| !t.starts_with("is2015")), "{toks:?}");
    }
}
