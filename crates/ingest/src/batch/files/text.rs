//! Texts to records: the seam between the batch and the text parsers (structure, regulation,
//! notification form). Each function returns the record and warnings for the report.

use std::path::Path;

use biaozhun_model::{Notification, Regulation, Standard, StandardCode, TextQuality};

use super::{bare_standard, leading_symbol, reconcile_codes, CodeReading};
use crate::batch::CodeSource;

/// Whether a text is a law or regulation: Markdown under a `regulations` folder, or a text whose
/// first line is a law title (`中华人民共和国标准化法`, `…条例`) with articles (`第一条`).
pub(crate) fn is_regulation(path: &Path, text: &str) -> bool {
    let is_md = matches!(crate::catalog::extension(path).as_str(), "md" | "markdown");
    let in_folder = path.ancestors().skip(1).any(|a| {
        a.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            matches!(
                n.to_lowercase().as_str(),
                "regulations" | "regulation" | "laws" | "法规" | "法律法规"
            )
        })
    });
    if is_md && in_folder {
        return true;
    }
    let first = text
        .lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let title_like = first.chars().count() <= 40
        && ["法", "条例", "规定", "办法", "细则"]
            .iter()
            .any(|end| first.ends_with(end));
    title_like && text.contains("第一条")
}

/// Whether a text is a WTO notification document (symbol at the top, notification form boxes).
pub(crate) fn is_notification_form(text: &str) -> bool {
    if leading_symbol(text).is_none() {
        return false;
    }
    let head: String = text.chars().take(2000).collect();
    let upper = head.to_uppercase();
    upper.contains("NOTIFICATION")
        || upper.contains("NOTIFYING MEMBER")
        || head.contains("通报成员")
        || head.contains("通  报")
        || head.contains("通报")
}

/// Parses a regulation into chapters and articles.
pub(crate) fn regulation(file_name: &str, text: &str) -> Result<(Regulation, Vec<String>), String> {
    let reg = crate::regulation::parse_regulation(file_name, text).map_err(|e| {
        // The report names the file already; keep only the reason.
        let msg = e.to_string();
        msg.strip_prefix(&format!("{file_name}: "))
            .map(str::to_string)
            .unwrap_or(msg)
    })?;
    let mut warnings = Vec::new();
    if reg.promulgated.is_none() {
        warnings.push("no promulgation date found".to_string());
    }
    Ok((reg, warnings))
}

/// Parses a notification form.
pub(crate) fn notification(text: &str) -> Result<(Notification, Vec<String>), String> {
    let symbol = leading_symbol(text).ok_or("no notification symbol at the top of the text")?;
    let mut n = Notification::new(symbol);
    n.description = Some(text.to_string());
    Ok((
        n,
        vec!["notification form parser not available: only the symbol was read".to_string()],
    ))
}

/// Parses a standard's text; `from_name` is the code in the file name (cross-checked with the
/// cover page). `None` when neither gives a code; the reading says where the number came from.
pub(crate) fn standard(
    text: &str,
    quality: TextQuality,
    from_name: Option<StandardCode>,
) -> (Option<Standard>, Vec<String>, Option<CodeReading>) {
    let mut warnings = Vec::new();
    // Garbled text yields no structure worth keeping; only the file-name code is trusted.
    if matches!(quality, TextQuality::Garbled | TextQuality::NoText) {
        let reading = from_name.clone().map(|code| CodeReading {
            code,
            from: CodeSource::FileName,
            merged: Vec::new(),
        });
        return (
            from_name.map(|c| bare_standard(c, "", quality)),
            warnings,
            reading,
        );
    }
    let mut parsed = crate::structure::parse_standard_text(text);
    // Without a code in the file name, only a text laid out like a standard counts: a README
    // that mentions GB/T 7714 in passing is not GB/T 7714.
    if from_name.is_none() && parsed.sections.is_empty() {
        return (None, warnings, None);
    }
    let cover = parsed.code.take();
    let Some(reading) = reconcile_codes(from_name, cover, quality, &mut warnings) else {
        return (None, warnings, None);
    };
    let code = reading.code.clone();
    let sections_found = !parsed.sections.is_empty();
    let Some(mut s) = parsed.into_standard(Some(code.clone())) else {
        return (None, warnings, Some(reading));
    };
    if !sections_found {
        warnings.push("no clause structure recognised: text stored as one section".to_string());
        s = Standard {
            sections: bare_standard(code, text, quality).sections,
            ..s
        };
    }
    s.text_quality = quality;
    (Some(s), warnings, Some(reading))
}
