//! Dates written in running text (`25 August 2023`, `July 3, 2015`, `2025年7月18日`,
//! `2022-02-16`, `15/01/2022`), for reading when an addendum says something happened.
//!
//! Works on text already folded by [`crate::normalize`] and lower-cased; positions are byte
//! offsets into that text.

use chrono::NaiveDate;

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Every date in `text` with its byte span, in order.
pub fn find_dates(text: &str) -> Vec<(std::ops::Range<usize>, NaiveDate)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if word_start {
            if let Some((len, date)) = date_at(text, i) {
                out.push((i..i + len, date));
                i += len;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The date nearest to byte position `at` (distance between `at` and the date's span).
pub fn nearest(text: &str, at: usize) -> Option<NaiveDate> {
    find_dates(text)
        .into_iter()
        .min_by_key(|(r, _)| {
            if at < r.start {
                r.start - at
            } else {
                at.saturating_sub(r.end)
            }
        })
        .map(|(_, d)| d)
}

/// A date starting exactly at `i`, with its length in bytes.
fn date_at(text: &str, i: usize) -> Option<(usize, NaiveDate)> {
    let rest = text.get(i..)?;
    let (n1, l1) = number(rest);
    if l1 > 0 {
        let after = &rest[l1..];
        // 2025年7月18日
        if l1 == 4 {
            if let Some(r) = after.strip_prefix('年') {
                let (m, lm) = number(r);
                let r2 = r.get(lm..)?.strip_prefix('月')?;
                let (d, ld) = number(r2);
                let r3 = r2.get(ld..)?;
                let tail = if r3.starts_with('日') || r3.starts_with('号') {
                    3
                } else {
                    return None;
                };
                let len = l1 + 3 + lm + 3 + ld + tail;
                return ymd(n1, m, d).map(|date| (len, date));
            }
            // 2022-02-16
            if let Some(r) = after.strip_prefix('-') {
                let (m, lm) = number(r);
                let r2 = r.get(lm..)?.strip_prefix('-')?;
                let (d, ld) = number(r2);
                if lm == 2 && ld == 2 {
                    return ymd(n1, m, d).map(|date| (l1 + 2 + lm + ld, date));
                }
            }
            return None;
        }
        // 15/01/2022 (day first, as WTO documents write it)
        if let Some(r) = after.strip_prefix('/') {
            let (m, lm) = number(r);
            let r2 = r.get(lm..)?.strip_prefix('/')?;
            let (y, ly) = number(r2);
            if ly == 4 && lm > 0 {
                return ymd(y, m, n1).map(|date| (l1 + 2 + lm + ly, date));
            }
            return None;
        }
        // 25 August 2023
        let r = after.strip_prefix(' ')?;
        let (m, lm) = month(r)?;
        let r2 = r.get(lm..)?.strip_prefix(' ')?;
        let (y, ly) = number(r2);
        if ly == 4 {
            return ymd(y, m, n1).map(|date| (l1 + 1 + lm + 1 + ly, date));
        }
        return None;
    }
    // July 3, 2015
    let (m, lm) = month(rest)?;
    let r = rest.get(lm..)?.strip_prefix(' ')?;
    let (d, ld) = number(r);
    let r2 = r.get(ld..)?;
    let (comma, r3) = match r2.strip_prefix(", ") {
        Some(r3) => (2, r3),
        None => (1, r2.strip_prefix(' ')?),
    };
    let (y, ly) = number(r3);
    if ld > 0 && ly == 4 {
        return ymd(y, m, d).map(|date| (lm + 1 + ld + comma + ly, date));
    }
    None
}

/// A run of up to four ASCII digits and its length.
fn number(s: &str) -> (u32, usize) {
    let len = s.bytes().take(4).take_while(u8::is_ascii_digit).count();
    (s.get(..len).and_then(|d| d.parse().ok()).unwrap_or(0), len)
}

/// A month name (full, lower-case) and its length.
fn month(s: &str) -> Option<(u32, usize)> {
    MONTHS
        .iter()
        .position(|m| s.starts_with(m))
        .map(|i| (i as u32 + 1, MONTHS[i].len()))
}

fn ymd(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(t: &str) -> Vec<String> {
        find_dates(t).iter().map(|(_, d)| d.to_string()).collect()
    }

    #[test]
    fn formats() {
        assert_eq!(
            dates("adopted on 25 august 2023 and july 3, 2015; 2025年7月18日通过, 2026年3月12日起"),
            ["2023-08-25", "2015-07-03", "2025-07-18", "2026-03-12"]
        );
        assert_eq!(
            dates("from 2022-02-16 or 15/01/2022."),
            ["2022-02-16", "2022-01-15"]
        );
        assert_eq!(
            dates("act 2015 of 2022年7月, 31 june 2020, 12345"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn nearest_date_to_a_keyword() {
        let t = "于2022年11月14日公布规则,将于2023年1月21日生效";
        let at = t.find("生效").expect("keyword");
        assert_eq!(
            nearest(t, at).map(|d| d.to_string()).as_deref(),
            Some("2023-01-21")
        );
        let at = t.find("公布").expect("keyword");
        assert_eq!(
            nearest(t, at).map(|d| d.to_string()).as_deref(),
            Some("2022-11-14")
        );
    }
}
