//! Dates as catalogs write them.
//!
//! Chinese platforms and their exports disagree on date formats: `2015-05-15`, `2015/5/15`,
//! `2015年5月15日`, `20150515`, `2015.05.15`, ISO timestamps, and the national platforms' JSON
//! uses epoch milliseconds (as numbers or numeric strings). [`parse_date`] accepts them all and
//! says why when it cannot, so the catalog reader can warn with the line and field.

use chrono::{DateTime, NaiveDate};
use serde_json::Value;

/// Why a value is not a date. The message is shown to users as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Text in none of the known layouts.
    #[error("unrecognised date {0:?} (expected e.g. 2015-05-15, 2015/5/15, 2015年5月15日, 20150515 or epoch milliseconds)")]
    Format(String),
    /// The layout was right but the day does not exist (`2015-02-30`) or the year is absurd.
    #[error("impossible date {0:?}")]
    OutOfRange(String),
    /// A JSON value that cannot hold a date (an object, an array, a boolean).
    #[error("a date must be a string or a number, got {0}")]
    Type(&'static str),
}

/// Parses a date from a JSON value: strings in any supported layout, numbers as epoch
/// milliseconds (or `20150515` as a number). Empty strings and null are `Ok(None)`.
pub fn parse_date_value(v: &Value) -> Result<Option<NaiveDate>, DateError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => parse_date(s),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                parse_date(&i.to_string())
            } else if let Some(f) = n.as_f64() {
                // Spreadsheets sometimes store epoch milliseconds as floats.
                if f.fract() == 0.0 && f.abs() < 1e16 {
                    parse_date(&format!("{f:.0}"))
                } else {
                    Err(DateError::Format(n.to_string()))
                }
            } else {
                Err(DateError::Format(n.to_string()))
            }
        }
        Value::Bool(_) => Err(DateError::Type("a boolean")),
        Value::Array(_) => Err(DateError::Type("an array")),
        Value::Object(_) => Err(DateError::Type("an object")),
    }
}

/// Parses a date string in any supported layout; blank (or `-`, `/`, `无`) is `Ok(None)`.
pub fn parse_date(input: &str) -> Result<Option<NaiveDate>, DateError> {
    let folded = biaozhun_model::normalize::fold(input);
    let s = folded.trim();
    if s.is_empty() || matches!(s, "-" | "--" | "/" | "无" | "null" | "NULL" | "None") {
        return Ok(None);
    }
    let err = || DateError::Format(input.to_string());
    let range = || DateError::OutOfRange(input.to_string());

    // All digits: YYYYMMDD or epoch milliseconds (optionally negative).
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        if s.len() == 8 && !s.starts_with('-') {
            let (y, m, d) = (&s[0..4], &s[4..6], &s[6..8]);
            return ymd(y, m, d).ok_or_else(range).map(Some);
        }
        if unsigned.len() >= 9 {
            let ms: i64 = s.parse().map_err(|_| err())?;
            let date = DateTime::from_timestamp_millis(ms)
                .map(|t| {
                    // The platforms publish Beijing-time midnight, i.e. 16:00 UTC the day
                    // before; shift to UTC+8 so the calendar day is right.
                    (t + chrono::Duration::hours(8)).date_naive()
                })
                .ok_or_else(range)?;
            return plausible(date).ok_or_else(range).map(Some);
        }
        return Err(err());
    }

    // ISO timestamps: take the date part (`2015-05-15T00:00:00Z`, `2015-05-15 00:00:00`).
    let date_part = s
        .split(['T', ' '])
        .next()
        .filter(|p| p.len() >= 8)
        .unwrap_or(s);

    // 2015年5月15日 (the day mark is optional: 2015年5月15).
    if let Some((y, rest)) = date_part.split_once('年') {
        let (m, rest) = rest.split_once('月').ok_or_else(err)?;
        let d = rest.trim_end_matches(['日', '号']);
        return ymd(y.trim(), m.trim(), d.trim())
            .ok_or_else(range)
            .map(Some);
    }

    // Separated: 2015-05-15, 2015/5/15, 2015.05.15.
    let parts: Vec<&str> = date_part.split(['-', '/', '.']).collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 4) {
        if parts[0].len() == 4 {
            return ymd(parts[0], parts[1], parts[2])
                .ok_or_else(range)
                .map(Some);
        }
        return Err(err());
    }
    Err(err())
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    if y.len() != 4 || m.is_empty() || d.is_empty() || m.len() > 2 || d.len() > 2 {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    plausible(date)
}

/// Standards exist from the 1950s on; anything before 1900 or after 2100 is a data error.
fn plausible(date: NaiveDate) -> Option<NaiveDate> {
    use chrono::Datelike;
    (1900..=2100).contains(&date.year()).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, want: &str) {
        let want = NaiveDate::parse_from_str(want, "%Y-%m-%d").expect("test date");
        assert_eq!(parse_date(input), Ok(Some(want)), "{input}");
    }

    #[test]
    fn layouts() {
        check("2015-05-15", "2015-05-15");
        check("2015/5/15", "2015-05-15");
        check("2015年5月15日", "2015-05-15");
        check("2015年05月15日", "2015-05-15");
        check("20150515", "2015-05-15");
        check("2015.05.15", "2015-05-15");
        check(" 2015-5-1 ", "2015-05-01");
        check("2015-05-15T00:00:00Z", "2015-05-15");
        check("2015-05-15 00:00:00", "2015-05-15");
        check("２０１５－０５－１５", "2015-05-15");
        // 2015-05-15 00:00 Beijing time = 2015-05-14T16:00Z.
        check("1431619200000", "2015-05-15");
        check("1431648000000", "2015-05-15");
    }

    #[test]
    fn epoch_numbers() {
        let v: Value = serde_json::json!(1431619200000_i64);
        assert_eq!(
            parse_date_value(&v),
            Ok(NaiveDate::from_ymd_opt(2015, 5, 15))
        );
        let v: Value = serde_json::json!(20150515);
        assert_eq!(
            parse_date_value(&v),
            Ok(NaiveDate::from_ymd_opt(2015, 5, 15))
        );
    }

    #[test]
    fn blanks_and_errors() {
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date(" - "), Ok(None));
        assert_eq!(parse_date_value(&Value::Null), Ok(None));
        assert!(matches!(parse_date("soon"), Err(DateError::Format(_))));
        assert!(matches!(
            parse_date("2015-02-30"),
            Err(DateError::OutOfRange(_))
        ));
        assert!(matches!(parse_date("15/5/2015"), Err(DateError::Format(_))));
        assert!(matches!(parse_date("2015年5"), Err(DateError::Format(_))));
        assert!(matches!(
            parse_date_value(&serde_json::json!(true)),
            Err(DateError::Type(_))
        ));
    }
}
