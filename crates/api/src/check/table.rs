//! The check answer as a table for download: CSV (UTF-8 with BOM, so Excel and WPS read the
//! Chinese headers) and XLSX (written by `rust_xlsxwriter`), one row per cited standard with
//! the same columns in both.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};

use crate::wire::check::{CheckAnswer, CheckedReference};

/// Column headers, in order.
pub const HEADERS: [&str; 13] = [
    "序号",
    "引用原文",
    "标准号",
    "注日期",
    "标准名称",
    "状态",
    "需更新",
    "现行版本",
    "现行版本名称",
    "现行版本已收录",
    "代替关系",
    "规范性引用",
    "出现位置",
];

/// The cells of one row, as text.
pub fn row(n: usize, r: &CheckedReference) -> [String; 13] {
    let yes_no = |b: bool| if b { "是" } else { "否" }.to_string();
    let places: Vec<String> = r
        .occurrences
        .iter()
        .map(|o| {
            if o.section.is_empty() {
                format!("第{}段", o.line)
            } else {
                o.section.clone()
            }
        })
        .collect();
    let mut dedup: Vec<String> = Vec::new();
    for p in places {
        if !dedup.contains(&p) {
            dedup.push(p);
        }
    }
    [
        n.to_string(),
        r.cited.clone(),
        r.id.clone(),
        yes_no(r.dated),
        r.title_zh
            .clone()
            .or_else(|| r.title_cited.clone())
            .unwrap_or_default(),
        r.status_zh.clone(),
        yes_no(r.out_of_date),
        r.current_edition.clone().unwrap_or_default(),
        r.current_title_zh.clone().unwrap_or_default(),
        if r.current_edition.is_some() {
            yes_no(r.current_edition_in_index)
        } else {
            String::new()
        },
        r.chain.join(" → "),
        yes_no(r.normative),
        dedup.join("；"),
    ]
}

/// The CSV file: a BOM, the headers, one row per reference.
pub fn csv(answer: &CheckAnswer) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADERS)?;
    for (i, r) in answer.references.iter().enumerate() {
        w.write_record(row(i + 1, r))?;
    }
    w.into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

/// The XLSX workbook: sheet 查新结果 with the table (statuses coloured, header frozen) and
/// sheet 汇总 with the counts.
pub fn xlsx(answer: &CheckAnswer) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDE5F0))
        .set_border(FormatBorder::Thin);
    let sheet = book.add_worksheet();
    sheet.set_name("查新结果")?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &header)?;
    }
    for (i, r) in answer.references.iter().enumerate() {
        let cells = row(i + 1, r);
        let fill = match r.status.as_str() {
            "current" => Some(0xE2F0D9),
            "upcoming" => Some(0xDEEBF7),
            "replaced" => Some(0xFFF2CC),
            "abolished" => Some(0xF8CBAD),
            _ => None,
        };
        let line = (i + 1) as u32;
        for (c, cell) in cells.iter().enumerate() {
            if c == 0 {
                sheet.write_number(line, 0, (i + 1) as f64)?;
            } else if c == 5 {
                match fill {
                    Some(rgb) => {
                        let f = Format::new().set_background_color(Color::RGB(rgb));
                        sheet.write_string_with_format(line, c as u16, cell, &f)?;
                    }
                    None => {
                        sheet.write_string(line, c as u16, cell)?;
                    }
                }
            } else {
                sheet.write_string(line, c as u16, cell)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    for (c, width) in [6, 22, 22, 8, 40, 10, 8, 22, 40, 12, 40, 10, 30]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *width)?;
    }
    let summary = book.add_worksheet();
    summary.set_name("汇总")?;
    summary.write_string_with_format(0, 0, "查新日期", &header)?;
    summary.write_string(0, 1, answer.as_of.to_string())?;
    summary.write_string_with_format(1, 0, "引用标准", &header)?;
    summary.write_number(1, 1, answer.summary.references as f64)?;
    let mut line = 2;
    for (status, n) in crate::check::summary_counts(&answer.summary) {
        summary.write_string_with_format(line, 0, status.label_zh(), &header)?;
        summary.write_number(line, 1, n as f64)?;
        line += 1;
    }
    summary.write_string_with_format(line, 0, "需更新", &header)?;
    summary.write_number(line, 1, answer.summary.out_of_date as f64)?;
    summary.set_column_width(0, 12)?;
    book.save_to_buffer()
}
