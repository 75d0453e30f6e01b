//! The prefixes of Chinese and foreign standard numbers, with what they mean.
//!
//! Industry prefixes are assigned by SAC (标准化法实施条例, 行业标准代号); the list is written down
//! here by the team so the parser can tell `GBT` (= `GB/T`) from `MT` (coal industry).

/// A Chinese industry-standard prefix and its sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndustryPrefix {
    /// The prefix without `/T` or `/Z`, e.g. `NY`.
    pub code: &'static str,
    /// Sector name in Chinese, e.g. `农业`.
    pub sector_zh: &'static str,
}

const fn p(code: &'static str, sector_zh: &'static str) -> IndustryPrefix {
    IndustryPrefix { code, sector_zh }
}

/// Industry standard prefixes (行业标准代号), sorted by code.
///
/// Besides the SAC list this holds the engineering-construction series that share the numbering
/// (`CJJ`, `JGJ`, `JTG`, `JTJ`, `JTS`), the metrology regulations (`JJF`, `JJG`) and the special
/// equipment safety codes (`TSG`), which catalogs file next to industry standards.
pub const INDUSTRY_PREFIXES: &[IndustryPrefix] = &[
    p("AQ", "安全生产"),
    p("BB", "包装"),
    p("CB", "船舶"),
    p("CH", "测绘"),
    p("CJ", "城镇建设"),
    p("CJJ", "城镇建设工程"),
    p("CY", "新闻出版"),
    p("DA", "档案"),
    p("DL", "电力"),
    p("DZ", "地质矿产"),
    p("EJ", "核工业"),
    p("FZ", "纺织"),
    p("GA", "公共安全"),
    p("GH", "供销合作"),
    p("GM", "密码"),
    p("GY", "广播电影电视"),
    p("HB", "航空"),
    p("HG", "化工"),
    p("HJ", "生态环境"),
    p("HS", "海关"),
    p("HY", "海洋"),
    p("JB", "机械"),
    p("JC", "建材"),
    p("JG", "建筑工业"),
    p("JGJ", "建筑工程"),
    p("JJF", "计量技术规范"),
    p("JJG", "计量检定规程"),
    p("JR", "金融"),
    p("JT", "交通"),
    p("JTG", "公路工程"),
    p("JTJ", "交通工程"),
    p("JTS", "水运工程"),
    p("JY", "教育"),
    p("LB", "旅游"),
    p("LD", "劳动和劳动安全"),
    p("LS", "粮食"),
    p("LY", "林业"),
    p("MH", "民用航空"),
    p("MT", "煤炭"),
    p("MZ", "民政"),
    p("NB", "能源"),
    p("NY", "农业"),
    p("QB", "轻工"),
    p("QC", "汽车"),
    p("QJ", "航天"),
    p("QX", "气象"),
    p("RB", "认证认可"),
    p("SB", "国内贸易"),
    p("SC", "水产"),
    p("SF", "司法"),
    p("SH", "石油化工"),
    p("SJ", "电子"),
    p("SL", "水利"),
    p("SN", "出入境检验检疫"),
    p("SW", "税务"),
    p("SY", "石油天然气"),
    p("TB", "铁道"),
    p("TD", "土地管理"),
    p("TSG", "特种设备安全技术规范"),
    p("TY", "体育"),
    p("WB", "物资管理"),
    p("WH", "文化"),
    p("WJ", "兵工民品"),
    p("WM", "外经贸"),
    p("WS", "卫生"),
    p("WW", "文物保护"),
    p("XB", "稀土"),
    p("XF", "消防救援"),
    p("YB", "黑色冶金"),
    p("YC", "烟草"),
    p("YD", "通信"),
    p("YJ", "应急管理"),
    p("YS", "有色金属"),
    p("YY", "医药"),
    p("YZ", "邮政"),
    p("ZY", "中医药"),
];

/// National prefixes: `GB` mandatory, `GB/T` recommended, `GB/Z` guidance; `GBZ` is the separate
/// national occupational-health series, `GBJ` the old national construction series and `TJ` the
/// construction series before it (`TJ 307-77`).
pub const NATIONAL_PREFIXES: &[&str] = &["GB", "GBZ", "GBJ", "TJ"];

/// Chinese prefixes whose numbers may start with letters (`JTG D60-2015`, `TSG Z6001-2019`).
pub const LETTERED_NUMBER_PREFIXES: &[&str] = &["JTG", "JTJ", "TSG"];

/// International and foreign standards bodies whose numbers we recognise.
pub const FOREIGN_BODIES: &[&str] = &[
    "ISO", "IEC", "ITU", "EN", "CEN", "CENELEC", "ETSI", "ASTM", "ANSI", "ASME", "API", "AS",
    "AS/NZS", "NZS", "BS", "DIN", "VDE", "NF", "JIS", "KS", "CSA", "UL", "IEEE", "SAE", "NFPA",
    "AOAC", "CODEX", "CAC", "OIML", "GOST", "SASO", "TIS", "TCVN", "SNI", "IS", "NBR", "UNE",
    "UNI", "SS", "SFS", "SIS", "NEN", "OECD", "CXS", "CXG", "CXC", "CXM", "GSO", "EAS", "CNS",
    "OHSAS",
];

/// Foreign bodies that write the year after a dash (`GOST 30333-2007`, `CXS 193-1995`); the
/// others use a colon (`ISO 690:2010`) and ASTM a two-digit dash year.
pub const DASH_YEAR_BODIES: &[&str] = &[
    "ANSI", "GOST", "CODEX", "CAC", "CXS", "CXG", "CXC", "CXM", "SNI",
];

/// Foreign prefixes that are also English words or common abbreviations (`IS`, `AS`, `EN`):
/// in prose they only count with a year, a part, a joint prefix or a long number.
pub const AMBIGUOUS_BODIES: &[&str] = &[
    "IS", "AS", "EN", "SS", "NF", "KS", "UL", "API", "SAE", "CAC", "UNI", "SIS", "SNI", "TIS",
    "NZS", "SFS", "CSA", "UNE", "NBR", "EAS", "CNS", "BS", "ITU",
];

/// International (not national foreign) bodies: their standards have level `International`.
pub const INTERNATIONAL_BODIES: &[&str] = &[
    "ISO", "IEC", "ITU", "CODEX", "CAC", "CXS", "CXG", "CXC", "CXM", "OIML", "AOAC", "OECD",
];

/// Looks up an industry prefix (without `/T`).
pub fn industry(code: &str) -> Option<&'static IndustryPrefix> {
    INDUSTRY_PREFIXES.iter().find(|p| p.code == code)
}

/// Whether `code` is a Chinese national or industry prefix (without `/T`).
pub fn is_chinese_prefix(code: &str) -> bool {
    NATIONAL_PREFIXES.contains(&code) || industry(code).is_some()
}

/// Whether `word` names a foreign or international standards body.
pub fn is_foreign_body(word: &str) -> bool {
    FOREIGN_BODIES.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for w in INDUSTRY_PREFIXES.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
        }
        assert!(INDUSTRY_PREFIXES.len() >= 70);
        for body in FOREIGN_BODIES {
            assert!(
                !is_chinese_prefix(body),
                "{body} is both foreign and Chinese"
            );
        }
        for body in AMBIGUOUS_BODIES.iter().chain(DASH_YEAR_BODIES) {
            assert!(is_foreign_body(body), "{body} is not in FOREIGN_BODIES");
        }
    }
}
