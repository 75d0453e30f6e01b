//! The standard number in a file name.
//!
//! Downloads are named every way: `GBT7714-2015.pdf`, `GB／T 7714—2015.pdf`, `GB_T 7714-2015
//! 信息与文献.pdf`, `DB62T4475-2021.txt`, and the national platform's `GBT390592020.pdf` with no
//! dash between number and year. The name is a hint only: the batch cross-checks it with the code
//! on the cover page.

use biaozhun_model::StandardCode;

/// The standard code a file name spells, if any. The extension and copy suffixes (`(1)`,
/// `_副本`) are ignored; a year glued to the number (`GBT390592020`) is split off when the
/// digits leave a plausible number and year.
pub fn code_from_file_name(file_name: &str) -> Option<StandardCode> {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = strip_extension(name);
    let folded = biaozhun_model::normalize::fold(stem)
        .replace(['∕', '⁄'], "/")
        .to_ascii_uppercase();
    let folded = dash_before_nature(folded.trim());
    let code = StandardCode::parse(&folded).ok().or_else(|| {
        StandardCode::find_all(&folded)
            .into_iter()
            .next()
            .map(|(_, c)| c)
    })?;
    Some(split_glued_year(code))
}

fn strip_extension(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !ext.is_empty()
                && ext.len() <= 5
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && !ext.chars().all(|c| c.is_ascii_digit()) =>
        {
            stem
        }
        _ => name,
    }
}

/// `GB-T-7714-2015`, `GB T 7714` → `GB/T 7714…`: a dash, space or underscore where the slash
/// before `T`/`Z` belongs.
fn dash_before_nature(s: &str) -> String {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if letters == 0 || letters > 4 {
        return s.to_string();
    }
    // Local standards keep their division digits before the nature: DB62-T.
    let digits = if &s[..letters] == "DB" {
        b[letters..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    } else {
        0
    };
    let at = letters + digits;
    if b.len() > at + 2
        && matches!(b[at], b'-' | b'_' | b' ')
        && matches!(b[at + 1], b'T' | b'Z')
        && (b[at + 2].is_ascii_digit() || matches!(b[at + 2], b'-' | b'_' | b' '))
    {
        let rest = s[at + 2..].trim_start_matches(['-', '_', ' ']);
        return format!("{}/{} {}", &s[..at], b[at + 1] as char, rest);
    }
    s.to_string()
}

/// `GB/T 390592020` → `GB/T 39059-2020`.
fn split_glued_year(code: StandardCode) -> StandardCode {
    if code.year().is_some() {
        return code;
    }
    let number = code.number().to_string();
    let (head, last) = match number.rsplit_once('.') {
        Some((h, l)) => (Some(h), l),
        None => (None, number.as_str()),
    };
    // A dotted number (`1.12020`) needs one digit before the year, a plain one three, so a
    // bare five-digit number such as `GB 12016` is not mistaken for `GB 1-2016`.
    let min_len = if head.is_some() { 5 } else { 7 };
    if last.len() < min_len || !last.chars().all(|c| c.is_ascii_digit()) {
        return code;
    }
    let (num, year) = last.split_at(last.len() - 4);
    let Ok(y) = year.parse::<u16>() else {
        return code;
    };
    if !(1950..=2100).contains(&y) || num.starts_with('0') {
        return code;
    }
    let number = match head {
        Some(h) => format!("{h}.{num}"),
        None => num.to_string(),
    };
    StandardCode::parse(&format!("{} {}-{}", code.prefix(), number, y)).unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glued_years() {
        let c = |s: &str| code_from_file_name(s).map(|c| c.to_string());
        assert_eq!(c("GBT390592020.pdf").as_deref(), Some("GB/T 39059-2020"));
        assert_eq!(c("GB 12016.pdf").as_deref(), Some("GB 12016"));
    }
}
