//! Titles and issuers of covers as OCR and text layers give them: the filing-number line, quote
//! marks OCR reads into the gaps of a title, the dash of an English title read as `一`.
//!
//! The covers are written here in the layouts real PDFs have (a standard's number, title and
//! issuer are facts); none is a copy of a real file's text.

use biaozhun_ingest::structure::parse_standard_text;

/// A short body after the cover, so the cover ends where a real one does.
const BODY: &str =
    "前言\n本文件按照GB/T 1.1—2020给出的规则起草。\n1 范围\n本文件规定了试验方法。\n";

/// Table check of a cover: `want` is `title_zh | title_en | issuers` (issuers joined by `、`,
/// `-` for none), what the parsed cover says, field by field.
fn check(cover: &str, want: &str) {
    let p = parse_standard_text(&format!("{cover}\n{BODY}"));
    let got = format!(
        "{} | {} | {}",
        p.title_zh.as_deref().unwrap_or("-"),
        p.title_en.as_deref().unwrap_or("-"),
        if p.issuers.is_empty() {
            "-".to_string()
        } else {
            p.issuers.join("、")
        }
    );
    assert_eq!(got, want, "cover:\n{cover}");
}

/// A GM/T cover as OCR reads it, with `filing` where the cover prints its filing number.
fn gm_cover(filing: &str) -> String {
    format!(
        "ICS 35.040\n\nL 80\n{filing}\n\n中华人民共和国密码行业标准\n\nGM/T 0031一2014\n\n\
         安全电子签章密码技术规范\n\n\
         Secure electronic seal cryptography technical specification\n\n\
         2014-02-13 发布                2014-02-13 实施\n\n国家密码管理局 发 布"
    )
}

/// The filing-number line (`备案号：NNNNN—YYYY`) in any spelling is never part of the title.
#[test]
fn filing_number_is_not_a_title() {
    let want = "安全电子签章密码技术规范 | Secure electronic seal cryptography technical \
                specification | 国家密码管理局";
    for filing in [
        // As OCR gives it: ASCII colon, `一` for the dash.
        "备案号:44632一2014",
        // Text layers: full-width colon and digits, the dash variants.
        "备案号：44632—2014",
        "备案号：４４６３２－２０１４",
        "备案号: 44632–2014",
        "备案号 44632―2014",
        "备案号:44632-2014",
        // Letter-spaced, and OCR noise around it.
        "备 案 号 : 4 4 6 3 2 — 2 0 1 4",
        "| 备案号 ; 44632 一 2014 .",
        "‘备案号:44632一2014",
        // One of its hanzi misread.
        "备柔号:44632一2014",
        "各案号:44632一2014",
        // The label alone, the number on the next line.
        "备案号：\n44632—2014",
    ] {
        check(&gm_cover(filing), want);
    }
    // A title that has the word in it is still a title.
    check(
        &gm_cover("").replace("安全电子签章密码技术规范", "产品备案号编码规则"),
        "产品备案号编码规则 | Secure electronic seal cryptography technical specification | 国家密码管理局",
    );
    // On the CCS code's line.
    check(
        &gm_cover("").replace("L 80\n", "L 80 备案号:44632—2014\n"),
        want,
    );
}

/// A GB cover with `title` where the title block is, as OCR reads it.
fn gb_cover(title: &str) -> String {
    format!(
        "ICS 83.140.99\n\n中华人民共和国国家标准\n\nGB/T 39059一2020\n\n{title}\n\n\
         2020-09-29 发布                2021-01-01 实施\n\n\
         国家市场监督管理总局\n国家标准化管理委员会 发 布"
    )
}

/// OCR reads the wide gap between a title's parts as a quote mark (`测定”环境测试舱法`); a quote
/// mark without a partner in the whole title is that gap. Titles that quote keep their quotes.
#[test]
fn stray_quote_marks_are_gaps() {
    let by = "国家市场监督管理总局、国家标准化管理委员会";
    for (title, zh) in [
        // The line break after `的` is mid-phrase; the gap read as `”` separates the parts.
        (
            "运动场地合成材料面层有害物质释放量的\n测定”环境测试舱法",
            "运动场地合成材料面层有害物质释放量的测定 环境测试舱法",
        ),
        (
            "运动场地合成材料面层有害物质释放量的\n测定  环境测试舱法",
            "运动场地合成材料面层有害物质释放量的测定 环境测试舱法",
        ),
        (
            "运动场地合成材料面层有害物质释放量的\n测定 \" 环境测试舱法",
            "运动场地合成材料面层有害物质释放量的测定 环境测试舱法",
        ),
        (
            "运动场地合成材料面层有害物质释放量的\n测定“环境测试舱法",
            "运动场地合成材料面层有害物质释放量的测定 环境测试舱法",
        ),
        // At a line's end or start the line break already separates.
        (
            "运动场地合成材料面层”\n有害物质释放量的测定",
            "运动场地合成材料面层 有害物质释放量的测定",
        ),
        (
            "运动场地合成材料面层\n”有害物质释放量的测定",
            "运动场地合成材料面层 有害物质释放量的测定",
        ),
        // Quotes in pairs are the title's own, on one line or across two.
        (
            "“互联网+”政务服务平台接入规范",
            "“互联网+”政务服务平台接入规范",
        ),
        (
            "“领跑者”标准评价要求\n家用电冰箱",
            "“领跑者”标准评价要求 家用电冰箱",
        ),
        (
            "快递“最后一公里的\n配送”服务规范",
            "快递“最后一公里的配送”服务规范",
        ),
        (
            "\"领跑者\"标准评价要求”家用电冰箱",
            "\"领跑者\"标准评价要求 家用电冰箱",
        ),
    ] {
        check(&gb_cover(title), &format!("{zh} | - | {by}"));
    }
}

/// OCR reads the gap before `发 布` as a quote mark; it is not part of the issuer's name.
#[test]
fn stray_quote_before_issued_by() {
    for (line, by) in [
        (
            "中华人民共和国国家卫生和计划生育委员会 ”发 布",
            "中华人民共和国国家卫生和计划生育委员会",
        ),
        ("国家密码管理局 \" 发 布", "国家密码管理局"),
        ("国家密码管理局 发 布 ”", "国家密码管理局"),
        ("国家密码管理局 发 布", "国家密码管理局"),
    ] {
        check(
            &gm_cover("").replace("国家密码管理局 发 布", line),
            &format!(
                "安全电子签章密码技术规范 | Secure electronic seal cryptography technical \
                 specification | {by}"
            ),
        );
    }
}

/// The em dash between the parts of an English title, read by OCR as `一`, made the line count
/// as Chinese, and it was lost from both titles.
#[test]
fn ocr_dash_in_english_title() {
    let zh = "运动场地合成材料面层有害物质释放量的\n测定”环境测试舱法";
    let by = "国家市场监督管理总局、国家标准化管理委员会";
    for (en, want) in [
        (
            "Determination of harmful substance emissions from synthetic sports surfaces一\n\n\
             Environmental chambers method",
            "Determination of harmful substance emissions from synthetic sports \
             surfaces—Environmental chambers method",
        ),
        (
            "Determination of harmful substance emissions from synthetic sports surfaces 一\n\
             Environmental chambers method",
            "Determination of harmful substance emissions from synthetic sports \
             surfaces—Environmental chambers method",
        ),
        (
            "Synthetic一Rubber sports track",
            "Synthetic—Rubber sports track",
        ),
        // The dash read right is kept as it was.
        (
            "Determination of harmful substance emissions from synthetic sports surfaces—\n\
             Environmental chambers method",
            "Determination of harmful substance emissions from synthetic sports \
             surfaces—Environmental chambers method",
        ),
    ] {
        check(
            &gb_cover(&format!("{zh}\n\n{en}")),
            &format!("运动场地合成材料面层有害物质释放量的测定 环境测试舱法 | {want} | {by}"),
        );
    }
}
