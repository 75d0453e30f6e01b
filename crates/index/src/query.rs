//! Query understanding: what a user typed becomes a [`Plan`] (standard numbers, notification
//! symbols, province hints, quoted phrases, term groups with synonyms), and a plan becomes a
//! tantivy query built programmatically: no query parser ever sees raw input, so no syntax
//! can fail.
//!
//! Term groups follow the analyzer's positions: a compound (`食品安全`) and the sub-words it
//! contains (`食品`, `安全`) share a position and form one group, which matches when the
//! compound does, or all of its sub-words do, in any text field, or a synonym does.

use std::ops::Bound;
use std::sync::Arc;

use biaozhun_model::{
    HsCode, Level, Member, NotificationSymbol, Province, StandardCode, SymbolSuffix, PROVINCES,
};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::document::date_num;
use crate::fields::names;
use crate::prune::{AllOf, BoundedTerm};
use crate::request::SearchRequest;
pub use crate::request::{Expansion, MatchedWord, Understood, UnderstoodMarket};
use crate::snippet::HighlightTerms;
use crate::store::Index;
use crate::union::{AtLeast, SeekUnion};
use crate::IndexError;

/// All groups must match, or any one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every term group must match (the default).
    All,
    /// Best effort: any group.
    Any,
}

#[derive(Debug, Clone)]
struct Group {
    /// The compound (first token at its position).
    base: String,
    /// Sub-words at the same position.
    subs: Vec<String>,
    /// English stem of the base, for English fields.
    en: Option<String>,
    /// Expansions (synonyms, near-synonyms, translations).
    synonyms: Vec<Alt>,
    position: usize,
}

/// An expansion of a group: zh tokens and en stems that must all match.
#[derive(Debug, Clone)]
struct Alt {
    /// As shown (`马铃薯`, `potato`).
    label: String,
    /// Where it came from (see [`Expansion::source`]).
    source: &'static str,
    zh: Vec<String>,
    en: Vec<String>,
    /// Weight relative to the word typed.
    boost: f32,
}

#[derive(Debug, Clone)]
struct Phrase {
    text: String,
    zh: Vec<(usize, String)>,
    en: Vec<(usize, String)>,
}

/// A parsed query.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    codes: Vec<StandardCode>,
    symbols: Vec<NotificationSymbol>,
    regions: Vec<&'static Province>,
    /// Market words: each member with the word as typed.
    markets: Vec<(&'static Member, String)>,
    groups: Vec<Group>,
    phrases: Vec<Phrase>,
    /// The words' queries, built once: every pass of a search (complete matches, partial
    /// matches, the hits' matched words) shares them, and with them each term's dictionary
    /// entries ([`crate::prune::BoundedTerm`]).
    words: std::sync::OnceLock<Vec<WordQuery>>,
    /// The document frequency in [`Plan::only_present_in`]'s searcher of every text term the
    /// words looked up (sorted by term), set with them: what the proximity clauses need of
    /// the same terms, without the dictionary lookups ([`crate::collect::Proximity::new`]).
    doc_freqs: std::sync::OnceLock<Vec<(Arc<Term>, u64)>>,
    /// The searcher every pass of the search runs on, when the search said so
    /// ([`Plan::only_present_in`]): the words' queries then leave out the terms it does not
    /// hold.
    searcher: Option<tantivy::Searcher>,
}

impl Plan {
    /// Whether an any-term retry could find more than the all-terms query.
    pub fn can_relax(&self) -> bool {
        self.groups.len()
            + self.phrases.len()
            + self.regions.len()
            + self.codes.len()
            + self.symbols.len()
            > 1
    }

    /// What to highlight in snippets: typed words, their sub-words and English stems.
    pub fn highlight_terms(&self) -> HighlightTerms {
        let mut out = HighlightTerms::default();
        for g in &self.groups {
            out.words.insert(g.base.clone());
            out.sub_words.extend(g.subs.iter().cloned());
            out.stems.extend(g.en.iter().cloned());
            for a in &g.synonyms {
                out.words.extend(a.zh.iter().cloned());
                out.stems.extend(a.en.iter().cloned());
            }
        }
        for p in &self.phrases {
            out.words.extend(p.zh.iter().map(|(_, t)| t.clone()));
            out.stems.extend(p.en.iter().map(|(_, t)| t.clone()));
        }
        for c in &self.codes {
            // The number is a token of every spelling of the code (`gb/t7714-2015` → `7714`).
            out.words.insert(c.number().to_ascii_lowercase());
        }
        for p in &self.regions {
            out.words.insert(biaozhun_analysis::fold(p.short_zh));
        }
        for set in [&mut out.words, &mut out.sub_words, &mut out.stems] {
            set.retain(|t| !t.is_empty());
        }
        out
    }

    /// The understood parts.
    pub fn understood(&self) -> Understood {
        Understood {
            codes: self.codes.iter().map(ToString::to_string).collect(),
            symbols: self.symbols.iter().map(ToString::to_string).collect(),
            regions: self.regions.iter().map(|p| p.code.to_string()).collect(),
            terms: self.groups.iter().map(|g| g.base.clone()).collect(),
            phrases: self.phrases.iter().map(|p| p.text.clone()).collect(),
            market: self.markets.first().map(|(m, word)| UnderstoodMarket {
                code: m.code.to_string(),
                name_zh: m.name_zh.to_string(),
                name_en: m.name_en.to_string(),
                word: word.clone(),
            }),
            expansions: self
                .groups
                .iter()
                .flat_map(|g| {
                    g.synonyms.iter().map(|a| Expansion {
                        word: g.base.clone(),
                        to: a.label.clone(),
                        source: a.source.to_string(),
                    })
                })
                .collect(),
        }
    }

    /// The member codes of the market words, for the `member` filter.
    pub fn market_codes(&self) -> Vec<&'static str> {
        self.markets.iter().map(|(m, _)| m.code).collect()
    }

    /// Whether the all-words query ([`Mode::All`]) requires every word (term groups, phrases,
    /// regions): unless the query names a standard number or a symbol, whose editions the
    /// words only rank (see [`build`]).
    pub fn words_required(&self) -> bool {
        self.codes.is_empty() && self.symbols.is_empty()
    }

    /// Whether partial matches can fill a page: two or more words (term groups, phrases,
    /// regions) and no standard number or symbol (with those, words only rank, see [`build`]).
    pub fn can_fill(&self) -> bool {
        self.codes.is_empty()
            && self.symbols.is_empty()
            && self.groups.len() + self.phrases.len() + self.regions.len() >= 2
    }

    /// The words of the query, each with the alternatives that match it, in query order.
    pub fn words(&self, index: &Index) -> &[WordQuery] {
        self.words.get_or_init(|| {
            let (words, mut freqs) = self.build_words(index);
            freqs.sort_by(|a, b| a.0.cmp(&b.0));
            freqs.dedup_by(|a, b| a.0 == b.0);
            let _ = self.doc_freqs.set(freqs);
            words
        })
    }

    /// How many documents of [`Plan::only_present_in`]'s searcher hold `term`, when the
    /// words looked it up (built first by [`Plan::words`]); `None` otherwise.
    pub fn known_doc_freq(&self, term: &Term) -> Option<u64> {
        let freqs = self.doc_freqs.get()?;
        freqs
            .binary_search_by(|(t, _)| (**t).cmp(term))
            .ok()
            .map(|i| freqs[i].1)
    }

    /// Builds the words' queries for `searcher` alone: a term in no segment of it (most
    /// of a word's terms: a Chinese word in the keywords field, a translation's English stems
    /// in a corpus of Chinese texts) is left out, and so is an alternative that needs one (a
    /// sub-word or a synonym's word the index does not hold can never match). The documents
    /// matched and their scores are the same: such a term matches nothing and scores nothing,
    /// but was weighed, opened per segment and dropped in every pass (about 80 % of the term
    /// weights of a query on the small preset). Every pass must then search `searcher`.
    /// Before the words are built; afterwards it changes nothing.
    pub fn only_present_in(&mut self, searcher: &tantivy::Searcher) {
        if self.words.get().is_none() {
            self.searcher = Some(searcher.clone());
        }
    }

    fn build_words(&self, index: &Index) -> (Vec<WordQuery>, Vec<(Arc<Term>, u64)>) {
        let index = Terms {
            index,
            searcher: self.searcher.as_ref(),
            seen: std::cell::RefCell::new(Vec::new()),
        };
        let index = &index;
        let mut out: Vec<WordQuery> = self.groups.iter().map(|g| group_word(index, g)).collect();
        out.extend(self.phrases.iter().map(|p| WordQuery {
            word: p.text.clone(),
            alts: vec![(None, phrase_query(index, p))],
        }));
        out.extend(self.regions.iter().map(|p| WordQuery {
            word: p.short_zh.to_string(),
            alts: vec![(None, region_query(index, p))],
        }));
        (out, index.seen.take())
    }
}

/// The index a plan's words are built for, and the searcher whose absent terms they leave
/// out ([`Plan::only_present_in`]).
struct Terms<'a> {
    index: &'a Index,
    searcher: Option<&'a tantivy::Searcher>,
    /// The document frequencies looked up in `searcher` ([`Plan::known_doc_freq`]).
    seen: std::cell::RefCell<Vec<(Arc<Term>, u64)>>,
}

impl std::ops::Deref for Terms<'_> {
    type Target = Index;
    fn deref(&self) -> &Index {
        self.index
    }
}

impl Terms<'_> {
    /// A word in a text field: a [`BoundedTerm`] (scored as tantivy's `TermQuery`, with the
    /// block maxima [`crate::prune`] needs), or `None` when the searcher holds no such term.
    fn term(&self, field: Field, text: &str, boost: f32) -> Option<Box<dyn Query>> {
        let q = BoundedTerm::boosted(Term::from_field_text(field, text), boost);
        if let Some(s) = self.searcher {
            // An error here is met again, and reported, when the search weighs the term.
            if let Ok(n) = q.doc_freq_in(s) {
                self.seen.borrow_mut().push((Arc::clone(q.term()), n));
                if n == 0 {
                    return None;
                }
            }
        }
        Some(Box::new(q))
    }
}

/// A query word and its alternatives: the word itself (`None`) and its expansions (labelled).
#[derive(Debug)]
pub struct WordQuery {
    /// The word as reported in [`MatchedWord::word`].
    pub word: String,
    /// Alternatives; a document matches the word when it matches one of them.
    pub alts: Vec<(Option<String>, Box<dyn Query>)>,
}

impl Clone for WordQuery {
    fn clone(&self) -> WordQuery {
        WordQuery {
            word: self.word.clone(),
            alts: self
                .alts
                .iter()
                .map(|(label, q)| (label.clone(), q.box_clone()))
                .collect(),
        }
    }
}

impl WordQuery {
    /// The word as one query (its alternatives as a seekable union).
    pub fn query(&self) -> Box<dyn Query> {
        any_of(self.alts.iter().map(|(_, q)| q.box_clone()).collect())
    }
}

/// Blanks `range` of `s` (keeps byte offsets of the rest valid).
fn blank(s: &mut String, range: std::ops::Range<usize>) {
    let spaces = " ".repeat(range.len());
    s.replace_range(range, &spaces);
}

/// Splits quoted phrases out of the query: `"..."`, `“...”`, `「...」`.
fn take_phrases(q: &str) -> (String, Vec<String>) {
    let mut rest = String::with_capacity(q.len());
    let mut phrases = Vec::new();
    let mut chars = q.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        let close = match c {
            '"' => '"',
            '“' => '”',
            '「' => '」',
            '《' => '》',
            _ => {
                rest.push(c);
                continue;
            }
        };
        let mut inner = String::new();
        let mut closed = false;
        for (_, d) in chars.by_ref() {
            if d == close {
                closed = true;
                break;
            }
            inner.push(d);
        }
        if closed && !inner.trim().is_empty() {
            phrases.push(inner.trim().to_string());
            rest.push(' ');
        } else {
            // An unbalanced quote is plain text.
            rest.push(' ');
            rest.push_str(&inner);
        }
    }
    (rest, phrases)
}

/// Standard numbers in a query, in any spelling, with their byte ranges.
fn find_codes(q: &str) -> Vec<(std::ops::Range<usize>, StandardCode)> {
    // A query that is one standard number as a whole (`SN 2490`, `WS 3016`) is a lookup even
    // when the prose rules of `find_all` would not accept it inside a sentence (a mandatory
    // industry code without year needs Chinese context there).
    let trimmed = q.trim();
    if !trimmed.is_empty() && trimmed.bytes().any(|b| b.is_ascii_digit()) {
        if let Ok(code) = StandardCode::parse(trimmed) {
            let start = q.len() - q.trim_start().len();
            return vec![(start..start + trimmed.len(), code)];
        }
    }
    let mut out: Vec<(std::ops::Range<usize>, StandardCode)> = StandardCode::find_all(q);
    let upper = q.to_ascii_uppercase();
    for (r, code) in StandardCode::find_all(&upper) {
        let chinese = matches!(
            code.level(),
            Level::National | Level::Industry | Level::Local | Level::Group
        );
        if chinese && !out.iter().any(|(o, _)| o.start < r.end && r.start < o.end) {
            out.push((r, code));
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    for (r, code) in &mut out {
        if let Some((year, used)) = spaced_year(&q[r.end..]) {
            let chinese = matches!(
                code.level(),
                Level::National | Level::Industry | Level::Local | Level::Group
            );
            if code.year().is_none() && chinese {
                *code = code.with_year(year);
                r.end += used;
            }
        }
    }
    out
}

/// An edition year typed after a space (`GBT 7714 2005`): the year and the bytes it spans.
fn spaced_year(tail: &str) -> Option<(u16, usize)> {
    let rest = tail.trim_start_matches([' ', '\u{3000}']);
    let ws = tail.len() - rest.len();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if ws == 0 || digits != 4 {
        return None;
    }
    let year: u16 = rest[..4].parse().ok()?;
    (1950..=2035).contains(&year).then_some((year, ws + 4))
}

/// Understands a query string. Never fails.
pub fn plan(index: &Index, q: &str) -> Plan {
    let mut plan = Plan::default();
    let (mut rest, phrases) = take_phrases(q);
    for (r, sym) in NotificationSymbol::find_all(&rest.clone()) {
        blank(&mut rest, r);
        if !plan.symbols.contains(&sym) {
            plan.symbols.push(sym);
        }
    }
    for (r, code) in find_codes(&rest.clone()) {
        blank(&mut rest, r);
        if !plan.codes.contains(&code) {
            plan.codes.push(code);
        }
    }
    // Market words (`欧盟`, `USA`): a filter on the member, not words the text must contain.
    for (r, m) in biaozhun_model::find_markets(&rest.clone()) {
        let word = rest[r.clone()].to_string();
        blank(&mut rest, r);
        if !plan.markets.iter().any(|(x, _)| x.code == m.code) {
            plan.markets.push((m, word));
        }
    }
    // Province hints: full or short Chinese names, `DB62`.
    for p in PROVINCES {
        for name in [p.name_zh, p.short_zh] {
            // Its first character first: a `char` search is a memchr, while `find` builds a
            // substring searcher per name (68 names per query: 2 % of a hits-only query).
            if !name.chars().next().is_some_and(|c| rest.contains(c)) {
                continue;
            }
            if let Some(pos) = rest.find(name) {
                blank(&mut rest, pos..pos + name.len());
                if !plan.regions.iter().any(|x| x.code == p.code) {
                    plan.regions.push(p);
                }
            }
        }
    }
    let upper = rest.to_ascii_uppercase();
    let mut from = 0;
    while let Some(pos) = upper[from..].find("DB").map(|p| p + from) {
        let digits = &upper[pos + 2..];
        let n = digits.bytes().take_while(u8::is_ascii_digit).count();
        let boundary = pos == 0 || !upper.as_bytes()[pos - 1].is_ascii_alphanumeric();
        if boundary && n == 2 {
            if let Some(p) = Province::by_code(&digits[..2]) {
                blank(&mut rest, pos..pos + 4);
                if !plan.regions.iter().any(|x| x.code == p.code) {
                    plan.regions.push(p);
                }
            }
        }
        from = pos + 2;
    }
    plan.groups = groups(index, &rest);
    for p in phrases {
        let zh = bases(index, &p);
        let en = en_tokens(index, &p);
        if zh.len() == 1 && en.len() <= 1 {
            // A one-word phrase is a term.
            plan.groups.extend(groups(index, &p));
        } else if !zh.is_empty() {
            plan.phrases.push(Phrase { text: p, zh, en });
        }
    }
    plan
}

/// Token groups of `text` by analyzer position.
fn groups(index: &Index, text: &str) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for t in index.zh.tokens(text) {
        match out.last_mut() {
            Some(g) if g.position == t.position => {
                if t.text != g.base && !g.subs.contains(&t.text) {
                    g.subs.push(t.text);
                }
            }
            _ => out.push(Group {
                base: t.text,
                subs: Vec::new(),
                en: None,
                synonyms: Vec::new(),
                position: t.position,
            }),
        }
    }
    for g in &mut out {
        if g.base.bytes().any(|b| b.is_ascii_alphabetic()) && g.base.is_ascii() {
            g.en = en_tokens(index, &g.base).into_iter().next().map(|(_, t)| t);
        }
        for syn in index.synonyms.expand(&g.base) {
            let zh: Vec<String> = bases(index, syn).into_iter().map(|(_, t)| t).collect();
            let en: Vec<String> = if syn.is_ascii() {
                en_tokens(index, syn).into_iter().map(|(_, t)| t).collect()
            } else {
                Vec::new()
            };
            if !zh.is_empty() {
                // A synonym counts a little less than the word typed.
                g.synonyms.push(Alt {
                    label: syn.to_string(),
                    source: "synonyms",
                    zh,
                    en,
                    boost: 0.7,
                });
            }
        }
        bridge_alts(index, g);
    }
    out
}

/// Adds the bridge's expansions of a group (CC-CEDICT near-synonyms and translations, HS
/// names), after the configured synonyms and without repeating them. A compound the bridge does
/// not know is translated word by word from its sub-words (`宠物食品` → pet + food).
fn bridge_alts(index: &Index, g: &mut Group) {
    let bridge = index.bridge();
    // An expansion the configured synonyms already give (same Chinese words, or the same
    // English stems) is not repeated.
    let known = |g: &Group, zh: &[String], en: &[String]| {
        let same_zh = !zh.is_empty() && g.synonyms.iter().any(|a| a.zh == zh);
        let same_en = !en.is_empty() && g.synonyms.iter().any(|a| a.en == en);
        same_zh || same_en || (zh.len() == 1 && zh[0] == g.base)
    };
    let own = bridge.expand(&g.base);
    for b in own.iter() {
        let (zh, en, boost) = if b.english {
            let en: Vec<String> = en_tokens(index, &b.text)
                .into_iter()
                .map(|(_, t)| t)
                .collect();
            (Vec::new(), en, 0.4)
        } else {
            let zh: Vec<String> = bases(index, &b.text).into_iter().map(|(_, t)| t).collect();
            (zh, Vec::new(), 0.6)
        };
        if (zh.is_empty() && en.is_empty()) || known(g, &zh, &en) {
            continue;
        }
        g.synonyms.push(Alt {
            label: b.text.clone(),
            source: b.source,
            zh,
            en,
            boost,
        });
    }
    let has_english = g.synonyms.iter().any(|a| !a.en.is_empty());
    if !has_english && g.subs.len() >= 2 {
        // Word by word: every sub-word needs a translation; the first of each is taken.
        let mut en = Vec::new();
        let mut label = Vec::new();
        for s in &g.subs {
            let Some(t) = bridge.translate_part(s) else {
                return;
            };
            en.extend(en_tokens(index, &t).into_iter().map(|(_, t)| t));
            label.push(t);
        }
        if !en.is_empty() {
            g.synonyms.push(Alt {
                label: label.join(" "),
                source: "cedict",
                zh: Vec::new(),
                en,
                boost: 0.4,
            });
        }
    }
}

/// The compound token at each position, with positions relative to the first.
fn bases(index: &Index, text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut first = None;
    for t in index.zh.tokens(text) {
        let p0 = *first.get_or_insert(t.position);
        if out.last().is_some_and(|(p, _)| *p == t.position - p0) {
            continue;
        }
        out.push((t.position - p0, t.text));
    }
    out
}

/// English tokens (stemmed) with relative positions.
fn en_tokens(index: &Index, text: &str) -> Vec<(usize, String)> {
    let mut an = index.en.clone();
    let mut stream = an.token_stream(text);
    let mut out = Vec::new();
    let mut first = None;
    while let Some(t) = stream.next() {
        let p0 = *first.get_or_insert(t.position);
        out.push((t.position - p0, t.text.clone()));
    }
    out
}

fn keyword(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

fn konst(q: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, score))
}

fn should(mut qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if qs.len() == 1 {
        if let Some(q) = qs.pop() {
            return q;
        }
    }
    Box::new(BooleanQuery::new(
        qs.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// Every one of `qs`: an [`AllOf`], which scores as `Must` clauses do and can bound the
/// scores of a range of documents ([`crate::prune`]).
fn must(mut qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if qs.len() == 1 {
        if let Some(q) = qs.pop() {
            return q;
        }
    }
    Box::new(AllOf::new(qs))
}

/// Alternatives inside a term group: a [`SeekUnion`], which intersections can seek cheaply.
fn any_of(mut qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if qs.len() == 1 {
        if let Some(q) = qs.pop() {
            return q;
        }
    }
    Box::new(SeekUnion::new(qs))
}

/// A token in any of `fields` (with their boosts), `None` when in none of them.
fn any_field(index: &Terms, fields: &[(Field, f32)], tok: &str) -> Option<Box<dyn Query>> {
    let qs: Vec<Box<dyn Query>> = fields
        .iter()
        .filter_map(|(f, b)| index.term(*f, tok, *b))
        .collect();
    (!qs.is_empty()).then(|| any_of(qs))
}

/// A zh token in any Chinese text field (`None`: in none of them).
fn zh_any(index: &Terms, tok: &str) -> Option<Box<dyn Query>> {
    any_field(index, &index.fields.zh_text, tok)
}

/// A stemmed token in any English text field (`None`: in none of them).
fn en_any(index: &Terms, tok: &str) -> Option<Box<dyn Query>> {
    any_field(index, &index.fields.en_text, tok)
}

/// Every one of `qs`, or `None` when one of them is absent (then nothing can match).
fn must_all(qs: Vec<Option<Box<dyn Query>>>) -> Option<Box<dyn Query>> {
    qs.into_iter().collect::<Option<Vec<_>>>().map(must)
}

fn group_word(index: &Terms, g: &Group) -> WordQuery {
    let mut own: Vec<Box<dyn Query>> = Vec::new();
    own.extend(zh_any(index, &g.base));
    if !g.subs.is_empty() {
        own.extend(must_all(g.subs.iter().map(|s| zh_any(index, s)).collect()));
    }
    if let Some(en) = &g.en {
        own.extend(en_any(index, en));
    }
    if g.base.len() >= 3 && g.base.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        // A number typed alone is most likely a standard number: outrank text matches.
        own.push(konst(keyword(index.fields.code_num, &g.base), 200.0));
    }
    // The word itself first, even when the searcher holds none of its terms (an empty
    // union: it matches nothing), so the word keeps its place among the alternatives.
    let mut alts: Vec<(Option<String>, Box<dyn Query>)> = vec![(None, any_of(own))];
    for a in &g.synonyms {
        let mut qs: Vec<Box<dyn Query>> = Vec::new();
        if !a.zh.is_empty() {
            if let Some(zh_all) = must_all(a.zh.iter().map(|t| zh_any(index, t)).collect()) {
                qs.push(Box::new(BoostQuery::new(zh_all, a.boost)));
            }
        }
        if !a.en.is_empty() {
            if let Some(en_all) = must_all(a.en.iter().map(|t| en_any(index, t)).collect()) {
                qs.push(Box::new(BoostQuery::new(en_all, a.boost)));
            }
        }
        if !qs.is_empty() {
            alts.push((Some(a.label.clone()), any_of(qs)));
        }
    }
    WordQuery {
        word: g.base.clone(),
        alts,
    }
}

fn phrase_query(index: &Index, p: &Phrase) -> Box<dyn Query> {
    let mut alts: Vec<Box<dyn Query>> = Vec::new();
    for (f, b) in &index.fields.zh_text {
        // tantivy panics on a phrase of fewer than two terms (`"GB 2763"` analyses to one).
        let q: Box<dyn Query> = match p.zh.as_slice() {
            [] => continue,
            [(_, t)] => Box::new(TermQuery::new(
                Term::from_field_text(*f, t),
                IndexRecordOption::WithFreqs,
            )),
            _ => Box::new(PhraseQuery::new_with_offset(
                p.zh.iter()
                    .map(|(o, t)| (*o, Term::from_field_text(*f, t)))
                    .collect(),
            )),
        };
        alts.push(Box::new(BoostQuery::new(q, *b)));
    }
    if p.en.len() > 1 {
        for (f, b) in &index.fields.en_text {
            let terms =
                p.en.iter()
                    .map(|(o, t)| (*o, Term::from_field_text(*f, t)))
                    .collect();
            alts.push(Box::new(BoostQuery::new(
                Box::new(PhraseQuery::new_with_offset(terms)),
                *b,
            )));
        }
    }
    should(alts)
}

/// Score of the first part of a base number: below every own edition (500, times the status
/// factor of at least 0.55).
const PART_SCORE: f32 = 270.0;
/// Score of the first part when the base number has no parts of its own, only its twin
/// has: below the twin's own editions (100, times the status factor of at least 0.55).
const TWIN_PART_SCORE: f32 = 54.0;
/// Each further part scores this much less; more than the year tie-break (at most 0.1).
const PART_STEP: f32 = 0.12;
/// Parts listed per base number (so the last part still scores above the upcoming factor).
const MAX_PARTS: usize = 200;

/// The keys of the parts of a base number and of its GB/GB-T twin, grouped by part number in
/// part order: `[[GB 17498.1, GB/T 17498.1], [GB 17498.2, GB/T 17498.2], [GB 17498.4], ...]`
/// (many mandatory parts became recommended ones in a later edition: the same part).
fn part_keys(index: &Index, base: &StandardCode) -> Vec<Vec<String>> {
    let searcher = index.reader.searcher();
    let mut parts: Vec<StandardCode> = Vec::new();
    for b in std::iter::once(base.clone()).chain(base.alias()) {
        let marker = format!("{} {}.*", b.prefix(), b.number());
        let q = TermQuery::new(
            Term::from_field_text(index.fields.code_key, &marker),
            IndexRecordOption::Basic,
        );
        let Ok(top) = searcher.search(
            &q,
            &tantivy::collector::TopDocs::with_limit(4 * MAX_PARTS).order_by_score(),
        ) else {
            continue;
        };
        for (_, addr) in top {
            let Ok(head) = index.hit_head(&searcher, addr) else {
                continue;
            };
            let Some(code) = head
                .code
                .as_deref()
                .and_then(|c| StandardCode::parse(c).ok())
            else {
                continue;
            };
            let key = code.unpadded().without_year();
            if !parts.contains(&key) {
                parts.push(key);
            }
        }
    }
    // Part order first (the twin's prefix aside), then the base's own prefix first.
    let base_prefix = base.prefix().to_string();
    let as_base = |c: &StandardCode| c.alias().filter(|_| c.prefix() != base_prefix);
    parts.sort_by(|a, b| {
        let (a2, b2) = (as_base(a), as_base(b));
        a2.as_ref()
            .unwrap_or(a)
            .cmp(b2.as_ref().unwrap_or(b))
            .then_with(|| (a.prefix() != base_prefix).cmp(&(b.prefix() != base_prefix)))
    });
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut last: Option<StandardCode> = None;
    for p in parts {
        let same = as_base(&p).unwrap_or_else(|| p.clone());
        if last.as_ref() == Some(&same) {
            if let Some(g) = groups.last_mut() {
                g.push(p.key());
            }
        } else {
            groups.push(vec![p.key()]);
            last = Some(same);
        }
    }
    groups.truncate(MAX_PARTS);
    groups
}

/// Exact-code clauses: the edition asked for, then all editions, then the GB↔GB/T twin.
fn code_query(index: &Index, plan: &Plan) -> Option<Box<dyn Query>> {
    let f = &index.fields;
    let mut qs: Vec<Box<dyn Query>> = Vec::new();
    for typed in &plan.codes {
        // The index keys are unpadded: `YY 505`, `YY 0505` and `YY 00505` find `YY 0505-2012`.
        let c = typed.unpadded();
        if c.year().is_some() {
            qs.push(konst(keyword(f.code, &c.to_string()), 1000.0));
        }
        qs.push(konst(keyword(f.code_key, &c.key()), 500.0));
        if let Some(a) = c.alias() {
            if a.year().is_some() {
                qs.push(konst(keyword(f.code, &a.to_string()), 120.0));
            }
            qs.push(konst(keyword(f.code_key, &a.key()), 100.0));
        }
        // A base number without year lists its parts after its own editions (`GB 4806`:
        // `GB 4806.1`, `GB 4806.2`, ...), in part order, current editions first: a slightly
        // lower constant per part keeps the order under the status factor of the ranking; the
        // twin's parts with the same part number share its constant (`GB 17498.2-2008` and
        // its successor `GB/T 17498.2-2026`).
        if c.year().is_none() && c.amendment().is_none() && !c.number().contains('.') {
            let groups = part_keys(index, &c);
            // Parts of the twin alone (`GB 7408` typed, only `GB/T 7408.1` exists) come after
            // the twin's own editions, as the twin's editions come after the base's.
            let own = format!("{} ", c.prefix());
            let first = if groups.iter().flatten().any(|k| k.starts_with(&own)) {
                PART_SCORE
            } else {
                TWIN_PART_SCORE
            };
            for (i, keys) in groups.iter().enumerate() {
                let rank = first - PART_STEP * i as f32;
                for key in keys {
                    qs.push(konst(keyword(f.code_key, key), rank));
                }
            }
        }
    }
    for s in &plan.symbols {
        qs.push(konst(keyword(f.code, &s.to_string()), 1000.0));
        let has_add = s
            .suffixes()
            .iter()
            .any(|x| matches!(x, SymbolSuffix::Add(_)));
        if s.is_base() || !has_add {
            // The base symbol brings its addenda and corrigenda along.
            qs.push(konst(keyword(f.symbol_base, &s.base().to_string()), 500.0));
        }
    }
    (!qs.is_empty()).then(|| should(qs))
}

fn region_query(index: &Terms, p: &Province) -> Box<dyn Query> {
    let mut qs = vec![konst(keyword(index.fields.region, p.code), 8.0)];
    qs.extend(zh_any(index, &biaozhun_analysis::fold(p.short_zh)));
    should(qs)
}

/// The query for a plan, with filters and the `file` bookkeeping documents excluded.
pub fn build(index: &Index, plan: &Plan, filters: &[Filter], mode: Mode) -> Box<dyn Query> {
    build_with(index, plan, filters, mode, true, false)
}

/// [`build`] for the search collector ([`crate::collect::HitsCollector`]), without what it
/// does itself: the proximity clauses, which it adds to the documents that can still reach
/// the page ([`crate::collect::Proximity`]; the scores are the same as [`build`]'s for those),
/// and the exclusion of the `file` bookkeeping documents, which it skips by its per-document
/// row (a `MustNot` clause seeks the postings of every file document for every match).
pub fn build_lean(index: &Index, plan: &Plan, filters: &[Filter], mode: Mode) -> Box<dyn Query> {
    build_with(index, plan, filters, mode, false, false)
}

/// [`build_lean`] for a pass that may skip what cannot reach the page
/// ([`crate::collect::HitsCollector::exact_up_to`]): its intersection of words and filters is
/// an [`AllOf`], which can bound the scores of a range of documents ([`crate::prune`]).
/// Otherwise tantivy's intersection, which is a little faster for counting every match
/// (`bench/callgrind` at 300k documents: +2.3 % instructions per hits-only query with `AllOf`).
pub fn build_pruning(index: &Index, plan: &Plan, filters: &[Filter], mode: Mode) -> Box<dyn Query> {
    build_with(index, plan, filters, mode, false, true)
}

fn build_with(
    index: &Index,
    plan: &Plan,
    filters: &[Filter],
    mode: Mode,
    with_proximity: bool,
    prunable: bool,
) -> Box<dyn Query> {
    let mut required: Vec<Box<dyn Query>> = Vec::new();
    let mut optional: Vec<Box<dyn Query>> = Vec::new();
    let codes = code_query(index, plan);
    let has_ids = codes.is_some();
    // The plan's words in order: term groups and phrases, then regions.
    let mut text: Vec<Box<dyn Query>> = plan.words(index).iter().map(|w| w.query()).collect();
    let regions = text.split_off(plan.groups.len() + plan.phrases.len());
    match mode {
        Mode::All => {
            if let Some(c) = codes {
                required.push(c);
                // With a code, words refine the ranking but do not exclude editions.
                optional.extend(text);
                optional.extend(regions);
            } else {
                required.extend(text);
                required.extend(regions);
            }
        }
        Mode::Any => {
            let mut any: Vec<Box<dyn Query>> = Vec::new();
            any.extend(codes);
            any.extend(text);
            any.extend(regions);
            if !any.is_empty() {
                required.push(should(any));
            }
        }
    }
    if with_proximity && !has_ids {
        optional.extend(
            proximity(index, plan)
                .into_iter()
                .map(|(terms, boost)| phrase_boosted(terms, boost)),
        );
    }
    // Only required clauses (every word, the filters), for a pass that prunes: the
    // intersection whose score bounds let it skip what cannot reach the page. (Not for a
    // query of filters alone: tantivy scores its match-all clause differently.)
    let all_required = prunable && !required.is_empty() && optional.is_empty() && !with_proximity;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if required.is_empty() && optional.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    } else if required.is_empty() {
        clauses.push((Occur::Must, should(optional)));
    } else {
        clauses.extend(required.into_iter().map(|q| (Occur::Must, q)));
        clauses.extend(optional.into_iter().map(|q| (Occur::Should, q)));
    }
    for f in filters {
        clauses.push((Occur::Must, konst(f.query.box_clone(), 0.0)));
    }
    if with_proximity {
        clauses.push((
            Occur::MustNot,
            keyword(index.fields.kind, crate::document::FILE_KIND),
        ));
    }
    if all_required {
        return Box::new(AllOf::new(clauses.into_iter().map(|(_, q)| q).collect()));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Proximity: the compounds next to each other in a title or the body, as the terms (with
/// their offsets) of a sloppy phrase and its boost, per field. Only the leading groups in
/// increasing positions: one-word phrases append groups whose positions restart at 0
/// (subtracting the first position underflowed there; found by cargo fuzz). None when the
/// query names a code (words only refine the ranking of its editions then).
pub fn proximity(index: &Index, plan: &Plan) -> Vec<(Vec<(usize, Term)>, f32)> {
    if !plan.codes.is_empty() || !plan.symbols.is_empty() {
        // As `code_query` has it: with a code the words only refine its editions' ranking.
        return Vec::new();
    }
    let ordered: Vec<&Group> = plan
        .groups
        .iter()
        .scan(None, |last: &mut Option<usize>, g| {
            let next = last.is_none_or(|p| g.position > p);
            *last = Some(g.position);
            next.then_some(g)
        })
        .collect();
    let Some(p0) = ordered.first().map(|g| g.position) else {
        return Vec::new();
    };
    if ordered.len() < 2 {
        return Vec::new();
    }
    [
        (index.fields.title_zh, PROXIMITY_TITLE_BOOST),
        (index.fields.body, PROXIMITY_BODY_BOOST),
    ]
    .into_iter()
    .map(|(field, boost)| {
        let terms = ordered
            .iter()
            .map(|g| (g.position - p0, Term::from_field_text(field, &g.base)))
            .collect();
        (terms, boost)
    })
    .collect()
}

/// Weight of the words next to each other in the Chinese title, and in the body.
const PROXIMITY_TITLE_BOOST: f32 = 3.0;
const PROXIMITY_BODY_BOOST: f32 = 1.0;
/// Words at most this many positions apart count as next to each other.
pub(crate) const PROXIMITY_SLOP: u32 = 2;

/// The sloppy phrase of [`proximity`]'s terms, boosted.
pub(crate) fn phrase_boosted(terms: Vec<(usize, Term)>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(
        Box::new(PhraseQuery::new_with_offset_and_slop(terms, PROXIMITY_SLOP)),
        boost,
    ))
}

/// The query of documents that match at least `min` of the plan's words (term groups, phrases,
/// regions), with filters: the partial matches that fill a page when fewer documents than
/// asked match every word. For the search collector, which skips the `file` bookkeeping
/// documents itself (see [`build_lean`]).
pub fn build_partial(words: &[&WordQuery], filters: &[Filter], min: usize) -> Box<dyn Query> {
    // Both forms have score bounds ([`crate::prune`]): a hits-only request's page of
    // partial matches skips the documents that hold only words too weak to reach it.
    let any: Box<dyn Query> = if min <= 1 {
        any_of(words.iter().map(|w| w.query()).collect())
    } else {
        // Skips through frequent words instead of visiting every document they hold.
        Box::new(AtLeast::new(words.iter().map(|w| w.query()).collect(), min))
    };
    let mut clauses: Vec<Box<dyn Query>> = vec![any];
    for f in filters {
        clauses.push(konst(f.query.box_clone(), 0.0));
    }
    must(clauses)
}

fn bad(msg: String) -> IndexError {
    IndexError::BadRequest(msg)
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// One filter of a request, with the facet whose values it selects: facet counts of that facet
/// are computed without it (disjunctive facets), so a page can offer the sibling values.
pub struct Filter {
    /// The facet this filter narrows (`region`, `ics`), if any.
    pub facet: Option<&'static str>,
    /// The filter.
    pub query: Box<dyn Query>,
}

/// The `member` filter the query's market words ask for (`欧盟 玩具` → notifications of the EU),
/// unless the request names a member itself, which wins.
pub fn market_filter(index: &Index, req: &SearchRequest, plan: &Plan) -> Option<Filter> {
    if nonempty(&req.member).is_some() || plan.markets.is_empty() {
        return None;
    }
    let alts = plan
        .markets
        .iter()
        .map(|(m, _)| keyword(index.fields.member, m.code))
        .collect();
    Some(Filter {
        facet: Some(names::member),
        query: should(alts),
    })
}

/// Filter queries for the request's filters (the status filter lives in the collector).
pub fn filters(index: &Index, req: &SearchRequest) -> Result<Vec<Filter>, IndexError> {
    let f = &index.fields;
    let mut out: Vec<Filter> = Vec::new();
    let mut push = |facet: &'static str, query: Box<dyn Query>| {
        out.push(Filter {
            facet: Some(facet),
            query,
        })
    };
    if let Some(k) = req.kind {
        push(names::kind, keyword(f.kind, k.as_str()));
    }
    if let Some(l) = nonempty(&req.level) {
        push(names::level, keyword(f.level, &l.to_ascii_lowercase()));
    }
    if let Some(n) = nonempty(&req.nature) {
        push(names::nature, keyword(f.nature, &n.to_ascii_lowercase()));
    }
    if let Some(r) = nonempty(&req.region) {
        let r = r.trim_start_matches("DB").trim_start_matches("db");
        let p = Province::by_name(r).ok_or_else(|| bad(format!("unknown region {r:?}")))?;
        push(names::region, keyword(f.region, p.code));
    }
    if let Some(i) = nonempty(&req.industry) {
        push(
            names::industry,
            keyword(f.industry, &i.to_ascii_uppercase()),
        );
    }
    if let Some(i) = nonempty(&req.ics) {
        push(names::ics, keyword(f.ics, i));
    }
    if let Some(c) = nonempty(&req.ccs) {
        push(names::ccs, keyword(f.ccs, &c.to_ascii_uppercase()));
    }
    if let Some(y) = req.year {
        push(
            names::year,
            Box::new(TermQuery::new(
                Term::from_field_u64(f.year, u64::from(y)),
                IndexRecordOption::Basic,
            )),
        );
    }
    if let Some(d) = nonempty(&req.department) {
        push(names::department, keyword(f.department, d));
    }
    if let Some(m) = nonempty(&req.member) {
        let code = Member::lookup(m)
            .map(|x| x.code.to_string())
            .unwrap_or_else(|| m.to_ascii_uppercase());
        push(names::member, keyword(f.member, &code));
    }
    if let Some(a) = nonempty(&req.agreement) {
        push(
            names::agreement,
            keyword(f.agreement, &a.to_ascii_uppercase()),
        );
    }
    if let Some(h) = nonempty(&req.hs) {
        let hs = HsCode::parse(h).map_err(|e| bad(e.to_string()))?;
        // Both directions: `84` finds `8415.10`, `950300` finds notifications listing `95`.
        let mut alts = vec![keyword(f.hs, hs.digits())];
        for a in hs.ancestors() {
            alts.push(keyword(f.hs, &format!("={a}")));
        }
        push(names::hs, should(alts));
    }
    if let Some(d) = req.open_on {
        out.push(Filter {
            facet: None,
            query: Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(f.comment_deadline, date_num(d))),
                Bound::Unbounded,
            )),
        });
    }
    if req.from.is_some() || req.to.is_some() {
        let lo = req.from.map_or(Bound::Unbounded, |d| {
            Bound::Included(Term::from_field_i64(f.issue_date, date_num(d)))
        });
        let hi = req.to.map_or(Bound::Unbounded, |d| {
            Bound::Included(Term::from_field_i64(f.issue_date, date_num(d)))
        });
        out.push(Filter {
            facet: None,
            query: Box::new(RangeQuery::new(lo, hi)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use biaozhun_model::{Record, Section, Standard, StandardCode};
    use tantivy::collector::TopDocs;

    fn standard(code: &str, title: &str, body: &str) -> Record {
        let mut s = Standard::new(StandardCode::parse(code).expect("code"));
        s.title_zh = Some(title.into());
        s.sections.push(Section {
            number: "1".into(),
            title: "范围".into(),
            level: 1,
            text: body.into(),
        });
        Record::Standard(s)
    }

    /// The words' queries built for one searcher leave out the terms it lacks, and find the
    /// same documents with the same scores, to the bit: the sub-words of a compound the texts
    /// only hold apart, a synonym, translations into English no text holds, a word no text
    /// holds.
    #[test]
    fn words_without_absent_terms_match_and_score_the_same() {
        let dir = tempfile::tempdir().expect("tmp");
        let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
        let index = Index::open_or_create(dir.path(), &config).expect("create");
        index
            .upsert(vec![
                standard(
                    "GB/T 1-2020",
                    "马铃薯脱毒种薯",
                    "马铃薯 种薯 贮藏 技术 食品 安全",
                ),
                standard(
                    "GB/T 2-2020",
                    "土豆 栽培 技术规程",
                    "食品安全 管理 土豆 贮藏",
                ),
                standard("GB/T 3-2020", "花椒 栽培", "花椒 干燥 食品 检验 安全 要求"),
                standard("DB62/T 4-2021", "苹果 贮藏", "苹果 冷藏 技术 甘肃"),
            ])
            .expect("upsert");
        index.commit_writes().expect("commit");
        let searcher = index.reader.searcher();
        let terms = |p: &Plan| {
            let mut n = 0;
            for w in p.words(&index) {
                for (_, q) in &w.alts {
                    q.query_terms(&mut |_, _| n += 1);
                }
            }
            n
        };
        let mut fewer = false;
        let mut found = 0;
        let (mut kept, mut left_out) = (0, 0);
        for q in [
            "马铃薯 贮藏",
            "食品安全",
            "土豆 技术",
            "花椒 栽培 量子计算机",
            "甘肃 苹果",
            "potato storage",
        ] {
            let all = plan(&index, q);
            let mut present = plan(&index, q);
            present.only_present_in(&searcher);
            let run = |p: &Plan| {
                let query = build_lean(&index, p, &[], Mode::All);
                let mut top = searcher
                    .search(&*query, &TopDocs::with_limit(100).order_by_score())
                    .expect("search");
                top.sort_by_key(|(_, d)| *d);
                top.into_iter()
                    .map(|(s, d)| (d, s.to_bits()))
                    .collect::<Vec<_>>()
            };
            let hits = run(&all);
            found += hits.len();
            assert_eq!(hits, run(&present), "{q}");
            // The proximity clauses' terms are the words' own: their document frequencies
            // are known, and right; without a searcher nothing is.
            for (terms, _) in proximity(&index, &present) {
                for (_, t) in &terms {
                    let n = searcher.doc_freq(t).expect("doc freq");
                    assert_eq!(present.known_doc_freq(t), Some(n), "{q} {t:?}");
                    assert_eq!(all.known_doc_freq(t), None, "{q} {t:?}");
                }
            }
            let known = |t: &Term| present.known_doc_freq(t);
            let prox =
                crate::collect::Proximity::new(&searcher, proximity(&index, &present), &known)
                    .expect("proximity");
            // A clause with a word no document holds is left out: it can never match.
            let matchable = proximity(&index, &present)
                .iter()
                .filter(|(terms, _)| {
                    terms
                        .iter()
                        .all(|(_, t)| searcher.doc_freq(t).expect("doc freq") > 0)
                })
                .count();
            let clauses = proximity(&index, &present).len();
            assert_eq!(prox.map_or(0, |p| p.len()), matchable, "{q}");
            kept += matchable;
            left_out += clauses - matchable;
            assert!(terms(&present) <= terms(&all), "{q}");
            fewer |= terms(&present) < terms(&all);
        }
        assert!(fewer, "no query had a term the index lacks");
        assert!(
            kept > 0 && left_out > 0,
            "{kept} clauses kept, {left_out} left out"
        );
        assert!(found >= 5, "{found} hits in all");
        assert!(!plan(&index, "马铃薯 贮藏").words(&index).is_empty());

        // The matched words of complete matches, told (`every_word`) or checked, agree.
        let mut told_some = 0;
        for q in [
            "马铃薯 贮藏",
            "土豆 技术",
            "食品安全",
            "甘肃 苹果",
            "花椒 栽培",
        ] {
            let mut p = plan(&index, q);
            p.only_present_in(&searcher);
            assert!(p.words_required());
            let query = build_lean(&index, &p, &[], Mode::All);
            let top = searcher
                .search(&*query, &TopDocs::with_limit(10).order_by_score())
                .expect("search");
            let docs: Vec<_> = top.iter().map(|(_, d)| *d).collect();
            let words = p.words(&index);
            told_some += words.iter().filter(|w| w.alts.len() == 1).count() * docs.len();
            let matcher = crate::matched::Matcher::new(words);
            let checked = matcher
                .matched(&searcher, &docs, &vec![false; docs.len()])
                .expect("checked");
            let told = matcher
                .matched(&searcher, &docs, &vec![true; docs.len()])
                .expect("told");
            assert_eq!(checked, told, "{q}");
            assert!(
                checked.iter().all(|m| m.len() == words.len()),
                "{q}: {checked:?}"
            );
        }
        assert!(told_some > 0, "no word with one alternative");
    }
}
