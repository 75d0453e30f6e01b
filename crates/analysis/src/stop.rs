//! The stop-word set, looked up for every token: words of up to seven bytes (all of
//! `stopwords.txt` today) are packed into a `u64` and found in a small open-addressing table
//! with one multiply and usually one probe; longer words fall back to a `HashSet`.

use std::collections::HashSet;

/// Folded stop words.
#[derive(Debug, Default)]
pub(super) struct StopWords {
    /// Packed keys (0 = empty slot); the length is a power of two.
    table: Vec<u64>,
    /// Words longer than seven bytes.
    long: HashSet<String>,
    /// Byte length of the longest word: longer tokens are rejected without hashing.
    max_len: usize,
    /// Number of words.
    len: usize,
}

/// `word` packed into a nonzero `u64` (bytes, then the length in the top byte).
fn key(word: &str) -> Option<u64> {
    let b = word.as_bytes();
    if b.is_empty() || b.len() > 7 {
        return None;
    }
    let mut k = [0u8; 8];
    k[..b.len()].copy_from_slice(b);
    k[7] = b.len() as u8;
    Some(u64::from_le_bytes(k))
}

impl StopWords {
    /// Builds the set from folded words.
    pub(super) fn new(words: impl IntoIterator<Item = String>) -> StopWords {
        let mut short = Vec::new();
        let mut long = HashSet::new();
        let mut max_len = 0;
        for w in words {
            max_len = max_len.max(w.len());
            match key(&w) {
                Some(k) => short.push(k),
                None => {
                    long.insert(w);
                }
            }
        }
        short.sort_unstable();
        short.dedup();
        let size = (short.len() * 4).next_power_of_two().max(16);
        let mut table = vec![0u64; size];
        for k in &short {
            let mut i = slot(*k, size);
            while table[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            table[i] = *k;
        }
        StopWords {
            len: short.len() + long.len(),
            table,
            long,
            max_len,
        }
    }

    /// Whether `word` (folded) is a stop word.
    #[inline]
    pub(super) fn contains(&self, word: &str) -> bool {
        if word.len() > self.max_len {
            return false;
        }
        let Some(k) = key(word) else {
            return self.long.contains(word);
        };
        let size = self.table.len();
        let mut i = slot(k, size);
        loop {
            match self.table.get(i) {
                Some(&x) if x == k => return true,
                Some(&0) | None => return false,
                Some(_) => i = (i + 1) & (size - 1),
            }
        }
    }

    /// Number of stop words.
    pub(super) fn len(&self) -> usize {
        self.len
    }
}

/// Home slot of a key in a table of `size` (a power of two) slots.
#[inline]
fn slot(k: u64, size: usize) -> usize {
    let bits = size.trailing_zeros();
    (k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_short_and_long_words_only() {
        let s = StopWords::new(["的", "以及", "the", "一二三四五六"].map(String::from));
        for w in ["的", "以及", "the", "一二三四五六"] {
            assert!(s.contains(w), "{w}");
        }
        for w in ["", "t", "th", "them", "以", "一二三四五", "标准"] {
            assert!(!s.contains(w), "{w}");
        }
        assert_eq!(s.len(), 4);
        assert!(!StopWords::new(Vec::new()).contains("的"));
    }
}
