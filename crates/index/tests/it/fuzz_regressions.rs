//! Queries found by `cargo fuzz run query` (see fuzz/README.md) that once panicked; each must
//! now answer like any other query.

use biaozhun_index::SearchRequest;

use crate::fixture_index;

/// A one-word quoted phrase after other words: its term group was appended with positions
/// starting again at 0, and the proximity query computed `position - first` below zero.
#[test]
fn one_word_phrase_after_words_does_not_underflow() {
    let inputs: [&[u8]; 3] = [
        b"\xee\xa7\xa5\xe5\xae\x83+\"\"144\x03\"\xe6\x9c\x88\"\"\x01DB4/ \xe5\xbd\x93\xe5\xbd\x92\"\"\t\xe6\x80\xa7",
        "马铃薯 种薯 \"质量\"".as_bytes(),
        "食品 安全 「标准」 农药".as_bytes(),
    ];
    for input in inputs {
        let q = String::from_utf8_lossy(input).into_owned();
        for snippets in [false, true] {
            let req = SearchRequest {
                q: q.clone(),
                snippets,
                limit: 10,
                ..Default::default()
            };
            fixture_index()
                .search(&req)
                .unwrap_or_else(|e| panic!("{q:?}: {e}"));
        }
    }
}
