//! The standard-number grammar, shared by whole-string parsing and scanning prose.
//!
//! Works on folded, upper-cased text (one byte per ASCII char, so positions map back to the
//! folded original). The cursor only ever steps over ASCII bytes, so every position it reports
//! is a char boundary and no input can make it panic. [`Mode::Whole`] accepts everything a
//! person might type into a search box; [`Mode::Scan`] refuses the spellings that are too
//! ambiguous in running text (`T CACM` without slash, compact `GBT77142015`, a year after a
//! space).

use super::{Amendment, AmendmentKind, CodeError, Family, StandardCode};
use crate::normalize;
use crate::prefixes;
use crate::region::Province;

/// How permissive the grammar is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// The whole string is one code, typed by a person or read from a catalog field.
    Whole,
    /// A code somewhere in prose; the caller checks the context.
    Scan,
}

/// Parses a whole string as one standard number.
pub(super) fn parse_whole(input: &str) -> Result<StandardCode, CodeError> {
    let prepared = prepare(input);
    if prepared.is_empty() {
        return Err(CodeError::Empty);
    }
    let (code, used) = parse_at(&prepared, input, Mode::Whole)?;
    let rest = prepared.get(used..).unwrap_or_default().trim();
    if !rest.is_empty() {
        return Err(CodeError::Trailing {
            rest: rest.to_string(),
            input: input.to_string(),
        });
    }
    Ok(code)
}

/// Folds, upper-cases, turns `_` into `/`, spells a Cyrillic `ГОСТ Р` the Latin way and
/// collapses whitespace.
fn prepare(input: &str) -> String {
    let folded = cyrillic_gost(&normalize::fold(input))
        .to_ascii_uppercase()
        .replace('_', "/");
    let mut out = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `ГОСТ Р 51318-2006` → `GOST R 51318-2006`: Russian and EAEU numbers are typed in Cyrillic as
/// often as in Latin; only the body name and the `Р` (national series) letter need changing.
fn cyrillic_gost(s: &str) -> String {
    let Some(start) = s.find("ГОСТ").or_else(|| s.find("гост")) else {
        return s.to_string();
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..start]);
    out.push_str("GOST");
    let rest = &s[start + "ГОСТ".len()..];
    let trimmed = rest.trim_start();
    match trimmed
        .strip_prefix('Р')
        .or_else(|| trimmed.strip_prefix('р'))
    {
        Some(after)
            if after.starts_with([' ', '-']) || after.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            out.push_str(" R");
            out.push_str(after);
        }
        _ => out.push_str(rest),
    }
    out
}

/// Parses a code at the start of `s` (folded and upper-cased) and returns it with the number of
/// bytes used. `input` is only quoted in errors.
pub(super) fn parse_at(
    s: &str,
    input: &str,
    mode: Mode,
) -> Result<(StandardCode, usize), CodeError> {
    let mut c = Cur {
        s: s.as_bytes(),
        i: 0,
    };
    let letters = c.take_while(|b| b.is_ascii_uppercase());
    if letters.is_empty() {
        return Err(CodeError::NoPrefix(input.to_string()));
    }
    if prefixes::is_foreign_body(letters) {
        return parse_foreign(letters, c, input, mode);
    }
    parse_chinese(letters, c, input, mode)
}

/// A tiny cursor over folded ASCII-ish bytes.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn peek_at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn eat_str(&mut self, word: &str) -> bool {
        if self
            .s
            .get(self.i..)
            .is_some_and(|r| r.starts_with(word.as_bytes()))
        {
            self.i += word.len();
            true
        } else {
            false
        }
    }
    fn skip_spaces(&mut self) -> usize {
        let start = self.i;
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        self.i - start
    }
    /// Takes a run of ASCII bytes matching `f` (never a non-ASCII byte).
    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii() && f(b)) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default()
    }
    /// The run of digits starting `k` bytes ahead, without moving.
    fn digits_at(&self, k: usize) -> usize {
        let mut n = 0;
        while self.peek_at(k + n).is_some_and(|b| b.is_ascii_digit()) {
            n += 1;
        }
        n
    }
    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }
}

/// Whether a four-digit number is a plausible edition year.
fn plausible_year(digits: &str) -> Option<u16> {
    digits
        .parse::<u16>()
        .ok()
        .filter(|y| digits.len() == 4 && (1900..=2100).contains(y))
}

/// `81` → 1981, `17` → 2017: standards with two-digit years are from 1950 on.
fn expand_two_digit(digits: &str) -> Option<u16> {
    let y = digits.parse::<u16>().ok().filter(|_| digits.len() == 2)?;
    Some(if y >= 50 { 1900 + y } else { 2000 + y })
}

/// Drops leading zeros of a numeric part (`041` → `41`, `000` → `0`); other parts are kept.
/// Only lookup keys use it: the canonical number keeps the zeros its issuer prints.
pub(super) fn strip_zeros(part: &str) -> &str {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return part;
    }
    let t = part.trim_start_matches('0');
    if t.is_empty() {
        "0"
    } else {
        t
    }
}

/// What the number after a Chinese prefix may look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberShape {
    /// Digits with dotted parts: `4789.15`.
    Plain,
    /// May start with letters (`JTG D60`, `TSG Z6001`).
    Lettered,
    /// Group and enterprise numbers: letters first and dash parts too (`TG06-011.9`).
    Free,
}

fn parse_chinese(
    letters: &str,
    mut c: Cur<'_>,
    input: &str,
    mode: Mode,
) -> Result<(StandardCode, usize), CodeError> {
    let (mut prefix, shape) = chinese_prefix(letters, &mut c, input, mode)?;
    // `GB_T_7714`: an underscore (read as a slash) before the number.
    if mode == Mode::Whole && c.peek() == Some(b'/') && c.digits_at(1) > 0 {
        c.i += 1;
    }
    let (mut number, mut year) = parse_number(&mut c, input, shape)?;
    // `GBZ 30154` typed for GB/Z: the occupational-health GBZ series has small numbers.
    if prefix == "GBZ" && first_part(&number) >= 1000 {
        prefix = "GB/Z".to_string();
    }
    if year.is_none() {
        year = parse_dash_year(&mut c, input, mode)?;
    }
    if year.is_none() && mode == Mode::Whole {
        year = space_year(&mut c);
    }
    if year.is_none() && mode == Mode::Whole {
        // Compact `GBT77142015`: Chinese numbers have at most five digits per part, so a last
        // part of six or more digits ending in a year is number + year.
        let (head, last) = match number.rsplit_once('.') {
            Some((h, l)) => (Some(h.to_string()), l.to_string()),
            None => (None, number.clone()),
        };
        if last.len() >= 6 && last.bytes().all(|b| b.is_ascii_digit()) {
            let (num, y) = last.split_at(last.len() - 4);
            if let Some(y) = plausible_year(y).filter(|y| *y >= 1950) {
                number = match head {
                    Some(h) => format!("{h}.{num}"),
                    None => num.to_string(),
                };
                year = Some(y);
            }
        }
    }
    let amendment = if year.is_some() {
        chinese_amendment(&mut c)
    } else {
        None
    };
    Ok((
        StandardCode {
            prefix,
            number,
            year,
            family: Family::Chinese,
            amendment,
        },
        c.i,
    ))
}

fn first_part(number: &str) -> u32 {
    let digits: String = number
        .chars()
        .take_while(|ch| ch.is_ascii_digit())
        .collect();
    digits.parse().unwrap_or(0)
}

/// Reads the rest of a Chinese prefix after its first run of letters, leaving the cursor before
/// the number.
fn chinese_prefix(
    letters: &str,
    c: &mut Cur<'_>,
    input: &str,
    mode: Mode,
) -> Result<(String, NumberShape), CodeError> {
    let unknown = || CodeError::UnknownPrefix {
        prefix: letters.to_string(),
        input: input.to_string(),
    };
    // Local standards: DB + 2/4/6-digit division code, optional /T; `DB62/1669` is mandatory.
    if letters == "DB" {
        return local_prefix(c, input).map(|p| (p, NumberShape::Plain));
    }
    // Group standards: T/ORG, or `T ORG` typed in a search box.
    if letters == "T" {
        let slash = c.eat(b'/');
        if !slash && (mode == Mode::Scan || c.skip_spaces() == 0) {
            return Err(unknown());
        }
        c.skip_spaces();
        let org = c.take_while(|b| b.is_ascii_uppercase());
        if org.len() < 2 {
            return Err(CodeError::UnknownPrefix {
                prefix: format!("T/{org}"),
                input: input.to_string(),
            });
        }
        return Ok((format!("T/{org}"), NumberShape::Free));
    }
    // Enterprise standards: Q/ORG (the org may start with a region code: Q/320581ABC).
    if letters == "Q" {
        if !c.eat(b'/') {
            return Err(unknown());
        }
        c.skip_spaces();
        let region = c.take_while(|b| b.is_ascii_digit());
        c.skip_spaces();
        let org = c.take_while(|b| b.is_ascii_uppercase());
        if org.is_empty() {
            return Err(CodeError::UnknownPrefix {
                prefix: format!("Q/{region}"),
                input: input.to_string(),
            });
        }
        return Ok((format!("Q/{region}{org}"), NumberShape::Free));
    }
    // National and industry: GB, GB/T, GBT, GB T, NY/T ...
    let (base, suffix) = if prefixes::is_chinese_prefix(letters) {
        // `TSG Z6001` is a number with a letter, not TSG/Z: lettered series need the slash.
        let lettered = prefixes::LETTERED_NUMBER_PREFIXES.contains(&letters);
        let suffix = if lettered && c.peek() != Some(b'/') {
            None
        } else {
            nature_suffix(c)
        };
        (letters, suffix)
    } else if let Some(base) = letters
        .strip_suffix('T')
        .or_else(|| letters.strip_suffix('Z'))
        .filter(|b| prefixes::is_chinese_prefix(b))
    {
        (base, letters.as_bytes().last().copied())
    } else if mode == Mode::Whole && letters.len() >= 3 && letters.starts_with('T') {
        // `TCACM1020` typed without the slash.
        return Ok((format!("T/{}", &letters[1..]), NumberShape::Free));
    } else if mode == Mode::Whole && letters.len() >= 3 && letters.starts_with('Q') {
        return Ok((format!("Q/{}", &letters[1..]), NumberShape::Free));
    } else {
        return Err(unknown());
    };
    let mut prefix = base.to_string();
    if let Some(sfx) = suffix {
        prefix.push('/');
        prefix.push(sfx as char);
    }
    let shape = if prefixes::LETTERED_NUMBER_PREFIXES.contains(&base) {
        NumberShape::Lettered
    } else {
        NumberShape::Plain
    };
    Ok((prefix, shape))
}

/// `DB62/T`, `DB 62/T`, `DB1307/T`, `DB62/`, `DB62T`, `DB621669` (region then number).
fn local_prefix(c: &mut Cur<'_>, input: &str) -> Result<String, CodeError> {
    c.skip_spaces();
    let start = c.i;
    let digits = c.take_while(|b| b.is_ascii_digit());
    if digits.len() < 2 {
        return Err(CodeError::UnknownPrefix {
            prefix: format!("DB{digits}"),
            input: input.to_string(),
        });
    }
    let separated = c
        .peek()
        .is_none_or(|b| matches!(b, b'/' | b'T' | b'Z' | b' '));
    let region = if separated && matches!(digits.len(), 2 | 4 | 6) {
        digits
    } else {
        // `DB621669-2007`: a province code with the number glued on.
        c.i = start + 2;
        &digits[..2]
    };
    if Province::by_code(&region[..2]).is_none() {
        return Err(CodeError::UnknownRegion {
            region: region.to_string(),
            input: input.to_string(),
        });
    }
    let mut prefix = format!("DB{region}");
    if let Some(sfx) = nature_suffix(c) {
        prefix.push('/');
        prefix.push(sfx as char);
    } else {
        let save = c.i;
        c.skip_spaces();
        if !c.eat(b'/') {
            c.i = save;
        }
    }
    Ok(prefix)
}

/// Reads `/T`, `/Z`, ` T`, `T` (followed by a separator or digit) after a prefix.
fn nature_suffix(c: &mut Cur<'_>) -> Option<u8> {
    let save = c.i;
    c.eat(b'/');
    c.skip_spaces();
    if let Some(b @ (b'T' | b'Z')) = c.peek() {
        let next = c.peek_at(1);
        if next.is_none_or(|n| n == b' ' || n == b'/' || n.is_ascii_digit()) {
            c.i += 1;
            return Some(b);
        }
    }
    c.i = save;
    None
}

/// Reads the number with its parts as printed, leading zeros included. Free-shaped group
/// numbers may end in a dash year, which is returned too.
fn parse_number(
    c: &mut Cur<'_>,
    input: &str,
    shape: NumberShape,
) -> Result<(String, Option<u16>), CodeError> {
    let save = c.i;
    c.skip_spaces();
    let mut out = String::new();
    if shape != NumberShape::Plain {
        let n = {
            let mut n = 0;
            while n < 4 && c.peek_at(n).is_some_and(|b| b.is_ascii_uppercase()) {
                n += 1;
            }
            n
        };
        if n > 0 && c.digits_at(n) > 0 {
            out.push_str(c.take_while(|b| b.is_ascii_uppercase()));
            let digits = c.take_while(|b| b.is_ascii_digit());
            out.push_str(digits);
        }
    }
    if out.is_empty() {
        let digits = c.take_while(|b| b.is_ascii_digit());
        if digits.is_empty() {
            c.i = save;
            return Err(CodeError::NoNumber(input.to_string()));
        }
        // Leading zeros are part of the official number (`YY 0505`, `JR/T 0025.1`).
        out.push_str(digits);
    }
    let mut year = None;
    loop {
        if c.peek() == Some(b'.') && c.digits_at(1) > 0 {
            c.i += 1;
            out.push('.');
            out.push_str(c.take_while(|b| b.is_ascii_digit()));
        } else if shape == NumberShape::Free && c.peek() == Some(b'-') && c.digits_at(1) > 0 {
            let n = c.digits_at(1);
            let after = c.peek_at(1 + n);
            let group = std::str::from_utf8(&c.s[c.i + 1..c.i + 1 + n]).unwrap_or_default();
            let dotted = after == Some(b'.') && c.digits_at(2 + n) > 0;
            let ends = after.is_none_or(|b| !b.is_ascii_alphanumeric()) && !dotted;
            let as_year = match n {
                4 => plausible_year(group),
                2 if ends => expand_two_digit(group),
                _ => None,
            };
            if let Some(y) = as_year.filter(|_| ends) {
                c.i += 1 + n;
                year = Some(y);
                break;
            }
            c.i += 1;
            out.push('-');
            out.push_str(c.take_while(|b| b.is_ascii_digit()));
        } else {
            break;
        }
    }
    Ok((out, year))
}

/// Reads `-YYYY` or `-YY` when present. In scan mode anything odd just ends the code.
fn parse_dash_year(c: &mut Cur<'_>, input: &str, mode: Mode) -> Result<Option<u16>, CodeError> {
    let save = c.i;
    c.skip_spaces();
    if !c.eat(b'-') {
        c.i = save;
        return Ok(None);
    }
    c.skip_spaces();
    let digits = c.take_while(|b| b.is_ascii_digit());
    let year = match digits.len() {
        4 => plausible_year(digits),
        2 => expand_two_digit(digits),
        _ => None,
    };
    let glued = c.peek().is_some_and(|b| b.is_ascii_alphabetic());
    match year {
        Some(y) if !glued => Ok(Some(y)),
        _ if mode == Mode::Scan || digits.is_empty() => {
            c.i = save;
            Ok(None)
        }
        _ => Err(CodeError::BadYear {
            year: digits.to_string(),
            input: input.to_string(),
        }),
    }
}

/// `GB/T 7714 2015`: a four-digit year after a space, only at the very end of the input.
fn space_year(c: &mut Cur<'_>) -> Option<u16> {
    let save = c.i;
    if c.skip_spaces() == 1 {
        let digits = c.take_while(|b| b.is_ascii_digit());
        if c.at_end() {
            if let Some(y) = plausible_year(digits) {
                return Some(y);
            }
        }
    }
    c.i = save;
    None
}

/// `/XG1-2023`: a Chinese amendment sheet (修改单).
fn chinese_amendment(c: &mut Cur<'_>) -> Option<Amendment> {
    let save = c.i;
    c.skip_spaces();
    if c.eat(b'/') {
        c.skip_spaces();
        if c.eat_str("XG") {
            let n = c.take_while(|b| b.is_ascii_digit());
            if let Ok(number) = n.parse::<u32>() {
                let before_year = c.i;
                let year = if c.eat(b'-') {
                    let d = c.take_while(|b| b.is_ascii_digit());
                    plausible_year(d)
                } else {
                    None
                };
                if year.is_none() {
                    c.i = before_year;
                }
                return Some(Amendment {
                    kind: AmendmentKind::Xg,
                    number,
                    year,
                });
            }
        }
    }
    c.i = save;
    None
}

/// How a foreign body attaches its year.
fn foreign_family(first: &str) -> Family {
    match first {
        "ASTM" => Family::Astm,
        f if prefixes::DASH_YEAR_BODIES.contains(&f) => Family::Dash,
        _ => Family::Colon,
    }
}

/// Words that join a body to make a document type: `ISO/TS`, `CODEX STAN`, `CAC/GL`.
const DOC_TYPES: &[&str] = &[
    "TS", "TR", "PAS", "GUIDE", "IWA", "STAN", "GL", "RCP", "MISC", "ISP",
];

/// ISO, IEC, EN, ASTM, JIS, BS, DIN and friends.
fn parse_foreign(
    first: &str,
    mut c: Cur<'_>,
    input: &str,
    mode: Mode,
) -> Result<(StandardCode, usize), CodeError> {
    let mut prefix = first.to_string();
    let mut words = 1;
    let mut last = first;
    // Joint prefixes: ISO/IEC, BS EN ISO, AS/NZS, ISO/TS, ANSI/UL, ISO/IEC TR.
    loop {
        let save = c.i;
        let slash = c.eat(b'/');
        let spaces = c.skip_spaces();
        if !slash && spaces == 0 {
            break;
        }
        let word = c.take_while(|b| b.is_ascii_uppercase());
        let doc_type = DOC_TYPES.contains(&word);
        let next_ok = c
            .peek()
            .is_none_or(|b| b == b' ' || b == b'/' || b.is_ascii_digit());
        if word.is_empty() || !next_ok || !(prefixes::is_foreign_body(word) || doc_type) {
            c.i = save;
            break;
        }
        // National bodies adopt EN/ISO/IEC with a space (`BS EN ISO`); joint bodies and
        // document types of a single body take a slash (`ISO/IEC`, `ISO/TS`, `AS/NZS`).
        let adopting = matches!(word, "EN" | "ISO" | "IEC") && !matches!(last, "ISO" | "IEC");
        let joiner = if adopting || (doc_type && (words > 1 || first == "CODEX")) {
            ' '
        } else {
            '/'
        };
        prefix.push(joiner);
        prefix.push_str(word);
        words += 1;
        last = word;
    }
    let family = foreign_family(first);
    c.skip_spaces();
    let mut number = String::new();
    // JIS numbers start with a division letter and a space (`JIS Z 8301`, `GOST R 51318`),
    // ASTM and SAE ones
    // with a letter (`F963`, `J1939`), ASME with one or two (`B31.3`).
    let n_letters = {
        let mut n = 0;
        while n < 2 && c.peek_at(n).is_some_and(|b| b.is_ascii_uppercase()) {
            n += 1;
        }
        n
    };
    if n_letters > 0 {
        let spaced_letter = matches!(first, "JIS" | "GOST" | "KS");
        // An adopted international standard keeps its body after the division letter:
        // `KS C IEC 60601-1`, `KS X ISO 9001`.
        let adopted = [" ISO ", " IEC "].into_iter().find(|w| {
            c.s.get(c.i + 1..)
                .is_some_and(|r| r.starts_with(w.as_bytes()))
        });
        if let Some(w) = adopted.filter(|_| spaced_letter && n_letters == 1) {
            if c.digits_at(1 + w.len()) > 0 {
                number.push(c.peek().map(char::from).unwrap_or('?'));
                number.push_str(w);
                c.i += 1 + w.len();
            }
        } else if spaced_letter
            && n_letters == 1
            && c.peek_at(1) == Some(b' ')
            && c.digits_at(2) > 0
        {
            number.push(c.peek().map(char::from).unwrap_or('?'));
            number.push(' ');
            c.i += 2;
        } else if c.digits_at(n_letters) > 0 {
            number.push_str(c.take_while(|b| b.is_ascii_uppercase()));
        }
    }
    let digits = c.take_while(|b| b.is_ascii_digit());
    if digits.is_empty() {
        return Err(CodeError::NoNumber(input.to_string()));
    }
    number.push_str(digits);
    while c.peek() == Some(b'.') && c.digits_at(1) > 0 {
        c.i += 1;
        number.push('.');
        number.push_str(c.take_while(|b| b.is_ascii_digit()));
    }
    let mut year = None;
    // Parts (`8601-1`, `60335-2-29`); a last `-YYYY` is a year typed the Chinese way, except
    // for ASTM whose dash always introduces the year.
    if family != Family::Astm {
        while c.peek() == Some(b'-') && c.digits_at(1) > 0 {
            let n = c.digits_at(1);
            let group = std::str::from_utf8(&c.s[c.i + 1..c.i + 1 + n]).unwrap_or_default();
            let after = c.peek_at(1 + n);
            let ends = after.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'-' && b != b':');
            if let Some(y) = plausible_year(group).filter(|_| ends) {
                c.i += 1 + n;
                year = Some(y);
                break;
            }
            c.i += 1;
            number.push('-');
            number.push_str(c.take_while(|b| b.is_ascii_digit()));
        }
    }
    if year.is_none() {
        year = foreign_year(&mut c, family, input, mode)?;
    }
    let amendment = if year.is_some() {
        foreign_amendment(&mut c)
    } else {
        None
    };
    Ok((
        StandardCode {
            prefix,
            number,
            year,
            family,
            amendment,
        },
        c.i,
    ))
}

/// `:2010` (or `-2010` for dash bodies, `-17` for ASTM).
fn foreign_year(
    c: &mut Cur<'_>,
    family: Family,
    input: &str,
    mode: Mode,
) -> Result<Option<u16>, CodeError> {
    let save = c.i;
    let sep = if family == Family::Colon { b':' } else { b'-' };
    // Dash bodies are also written the ISO way (`GOST 30333:2007`) in foreign catalogs.
    let eaten = c.eat(sep) || (family == Family::Dash && c.eat(b':'));
    if !eaten {
        return Ok(None);
    }
    c.skip_spaces();
    let digits = c.take_while(|b| b.is_ascii_digit());
    let year = match digits.len() {
        4 => plausible_year(digits),
        2 if family == Family::Astm => expand_two_digit(digits),
        _ => None,
    };
    match year {
        Some(y) => Ok(Some(y)),
        None if mode == Mode::Scan || digits.is_empty() => {
            c.i = save;
            Ok(None)
        }
        None => Err(CodeError::BadYear {
            year: digits.to_string(),
            input: input.to_string(),
        }),
    }
}

/// `/Amd 1:2020`, `/AMD1:2020`, `+AMD1:2020`, `/Cor 1:2009`, `+A1:2018`.
fn foreign_amendment(c: &mut Cur<'_>) -> Option<Amendment> {
    let save = c.i;
    c.skip_spaces();
    let plus = c.eat(b'+');
    if !plus && !c.eat(b'/') {
        c.i = save;
        return None;
    }
    c.skip_spaces();
    let kind = if c.eat_str("AMD") {
        AmendmentKind::Amd
    } else if c.eat_str("COR") {
        AmendmentKind::Cor
    } else if c.eat_str("A") {
        AmendmentKind::EnA
    } else {
        c.i = save;
        return None;
    };
    c.eat(b'.');
    c.skip_spaces();
    let Ok(number) = c.take_while(|b| b.is_ascii_digit()).parse::<u32>() else {
        c.i = save;
        return None;
    };
    let before_year = c.i;
    let year = if c.eat(b':') {
        plausible_year(c.take_while(|b| b.is_ascii_digit()))
    } else {
        None
    };
    if year.is_none() {
        c.i = before_year;
    }
    Some(Amendment { kind, number, year })
}
