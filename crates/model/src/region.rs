//! Province-level divisions (GB/T 2260) for local standards: `DB62` is Gansu.
//!
//! Written down by the team from the public code list; only the first two digits matter for a
//! local standard's province, the rest (`DB1307`) names a prefecture.

use serde::Serialize;

/// A province-level division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Province {
    /// Two-digit GB/T 2260 code, e.g. `62`.
    pub code: &'static str,
    /// Short Chinese name users type, e.g. `甘肃`.
    pub short_zh: &'static str,
    /// Full Chinese name, e.g. `甘肃省`.
    pub name_zh: &'static str,
    /// Pinyin / English name, e.g. `Gansu`.
    pub name_en: &'static str,
}

const fn p(
    code: &'static str,
    short_zh: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
) -> Province {
    Province {
        code,
        short_zh,
        name_zh,
        name_en,
    }
}

/// All 34 province-level divisions.
pub const PROVINCES: &[Province] = &[
    p("11", "北京", "北京市", "Beijing"),
    p("12", "天津", "天津市", "Tianjin"),
    p("13", "河北", "河北省", "Hebei"),
    p("14", "山西", "山西省", "Shanxi"),
    p("15", "内蒙古", "内蒙古自治区", "Inner Mongolia"),
    p("21", "辽宁", "辽宁省", "Liaoning"),
    p("22", "吉林", "吉林省", "Jilin"),
    p("23", "黑龙江", "黑龙江省", "Heilongjiang"),
    p("31", "上海", "上海市", "Shanghai"),
    p("32", "江苏", "江苏省", "Jiangsu"),
    p("33", "浙江", "浙江省", "Zhejiang"),
    p("34", "安徽", "安徽省", "Anhui"),
    p("35", "福建", "福建省", "Fujian"),
    p("36", "江西", "江西省", "Jiangxi"),
    p("37", "山东", "山东省", "Shandong"),
    p("41", "河南", "河南省", "Henan"),
    p("42", "湖北", "湖北省", "Hubei"),
    p("43", "湖南", "湖南省", "Hunan"),
    p("44", "广东", "广东省", "Guangdong"),
    p("45", "广西", "广西壮族自治区", "Guangxi"),
    p("46", "海南", "海南省", "Hainan"),
    p("50", "重庆", "重庆市", "Chongqing"),
    p("51", "四川", "四川省", "Sichuan"),
    p("52", "贵州", "贵州省", "Guizhou"),
    p("53", "云南", "云南省", "Yunnan"),
    p("54", "西藏", "西藏自治区", "Tibet"),
    p("61", "陕西", "陕西省", "Shaanxi"),
    p("62", "甘肃", "甘肃省", "Gansu"),
    p("63", "青海", "青海省", "Qinghai"),
    p("64", "宁夏", "宁夏回族自治区", "Ningxia"),
    p("65", "新疆", "新疆维吾尔自治区", "Xinjiang"),
    p("71", "台湾", "台湾省", "Taiwan"),
    p("81", "香港", "香港特别行政区", "Hong Kong"),
    p("82", "澳门", "澳门特别行政区", "Macao"),
];

impl Province {
    /// Finds a province by its two-digit code.
    pub fn by_code(code: &str) -> Option<&'static Province> {
        PROVINCES.iter().find(|p| p.code == code)
    }

    /// Finds a province by any name a user might type: `甘肃`, `甘肃省`, `Gansu`, `62`.
    pub fn by_name(name: &str) -> Option<&'static Province> {
        let n = name.trim();
        PROVINCES.iter().find(|p| {
            p.code == n || p.short_zh == n || p.name_zh == n || p.name_en.eq_ignore_ascii_case(n)
        })
    }
}
