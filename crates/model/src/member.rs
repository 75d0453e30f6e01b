//! WTO members as notifications name them, so a user can type any of the WTO symbol code
//! (`SAU`), the WTO's English name (`Saudi Arabia, Kingdom of`) or the Chinese name (`沙特`).
//!
//! Written down by the team from the WTO's member list; it holds the main trading partners and
//! every member seen in the data, not all 166.

use std::ops::Range;

use serde::Serialize;

/// One WTO member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The code used in document symbols, e.g. `USA`, `EU`, `TPKM`.
    pub code: &'static str,
    /// English name as the WTO writes it.
    pub name_en: &'static str,
    /// Chinese name as Chinese TBT/SPS portals write it.
    pub name_zh: &'static str,
    /// Other names users type (short English, Chinese variants).
    pub aliases: &'static [&'static str],
}

const fn m(
    code: &'static str,
    name_en: &'static str,
    name_zh: &'static str,
    aliases: &'static [&'static str],
) -> Member {
    Member {
        code,
        name_en,
        name_zh,
        aliases,
    }
}

/// The member table.
pub const MEMBERS: &[Member] = &[
    m(
        "ARE",
        "United Arab Emirates",
        "阿联酋",
        &["UAE", "阿拉伯联合酋长国"],
    ),
    m("ARG", "Argentina", "阿根廷", &[]),
    m("AUS", "Australia", "澳大利亚", &["澳洲"]),
    m("BHR", "Bahrain, Kingdom of", "巴林", &["Bahrain"]),
    m("BRA", "Brazil", "巴西", &[]),
    m("CAN", "Canada", "加拿大", &[]),
    m("CHE", "Switzerland", "瑞士", &[]),
    m("CHL", "Chile", "智利", &[]),
    m("CHN", "China", "中国", &["中华人民共和国", "PRC"]),
    m("COL", "Colombia", "哥伦比亚", &[]),
    m("CRI", "Costa Rica", "哥斯达黎加", &[]),
    m("ECU", "Ecuador", "厄瓜多尔", &[]),
    m("EGY", "Egypt", "埃及", &[]),
    m(
        "EU",
        "European Union",
        "欧盟",
        &["EU", "欧洲联盟", "European Communities", "EEC"],
    ),
    m(
        "GBR",
        "United Kingdom",
        "英国",
        &["UK", "Britain", "Great Britain"],
    ),
    m(
        "GCC",
        "Gulf Cooperation Council",
        "海湾合作委员会",
        &["海合会"],
    ),
    m(
        "HKG",
        "Hong Kong, China",
        "中国香港",
        &["Hong Kong", "香港"],
    ),
    m("IDN", "Indonesia", "印度尼西亚", &["印尼"]),
    m("IND", "India", "印度", &[]),
    m("ISR", "Israel", "以色列", &[]),
    m("JPN", "Japan", "日本", &[]),
    m("KAZ", "Kazakhstan", "哈萨克斯坦", &[]),
    m("KEN", "Kenya", "肯尼亚", &[]),
    m(
        "KGZ",
        "Kyrgyz Republic",
        "吉尔吉斯斯坦",
        &["Kyrgyzstan", "吉尔吉斯"],
    ),
    m(
        "KOR",
        "Korea, Republic of",
        "韩国",
        &["Korea", "South Korea", "大韩民国"],
    ),
    m("KWT", "Kuwait, the State of", "科威特", &["Kuwait"]),
    m(
        "MAC",
        "Macao, China",
        "中国澳门",
        &["Macao", "Macau", "澳门"],
    ),
    m("MEX", "Mexico", "墨西哥", &[]),
    m("MYS", "Malaysia", "马来西亚", &[]),
    m("NGA", "Nigeria", "尼日利亚", &[]),
    m("NZL", "New Zealand", "新西兰", &[]),
    m("OMN", "Oman", "阿曼", &[]),
    m("PAK", "Pakistan", "巴基斯坦", &[]),
    m("PER", "Peru", "秘鲁", &[]),
    m("PHL", "Philippines", "菲律宾", &[]),
    m("QAT", "Qatar", "卡塔尔", &[]),
    m(
        "RUS",
        "Russian Federation",
        "俄罗斯",
        &["Russia", "俄罗斯联邦"],
    ),
    m(
        "SAU",
        "Saudi Arabia, Kingdom of",
        "沙特阿拉伯",
        &["Saudi Arabia", "沙特", "KSA"],
    ),
    m("SGP", "Singapore", "新加坡", &[]),
    m("THA", "Thailand", "泰国", &[]),
    m(
        "TPKM",
        "Chinese Taipei",
        "中国台北",
        &["台澎金马单独关税区", "Taiwan", "台湾"],
    ),
    m("TUR", "Türkiye", "土耳其", &["Turkey", "Turkiye"]),
    m("TZA", "Tanzania", "坦桑尼亚", &[]),
    m("UGA", "Uganda", "乌干达", &[]),
    m("UKR", "Ukraine", "乌克兰", &[]),
    m(
        "USA",
        "United States of America",
        "美国",
        &["United States", "US", "U.S.", "America"],
    ),
    m("VNM", "Viet Nam", "越南", &["Vietnam"]),
    m("ZAF", "South Africa", "南非", &[]),
    // The EU's member states are WTO members in their own right (a few notify national
    // measures), and exporters name the country they ship to: each inherits the EU's measures.
    m("AUT", "Austria", "奥地利", &[]),
    m("BEL", "Belgium", "比利时", &[]),
    m("BGR", "Bulgaria", "保加利亚", &[]),
    m("CYP", "Cyprus", "塞浦路斯", &[]),
    m("CZE", "Czech Republic", "捷克", &["Czechia"]),
    m("DEU", "Germany", "德国", &[]),
    m("DNK", "Denmark", "丹麦", &[]),
    m("ESP", "Spain", "西班牙", &[]),
    m("EST", "Estonia", "爱沙尼亚", &[]),
    m("FIN", "Finland", "芬兰", &[]),
    m("FRA", "France", "法国", &[]),
    m("GRC", "Greece", "希腊", &[]),
    m("HRV", "Croatia", "克罗地亚", &[]),
    m("HUN", "Hungary", "匈牙利", &[]),
    m("IRL", "Ireland", "爱尔兰", &[]),
    m("ITA", "Italy", "意大利", &[]),
    m("LTU", "Lithuania", "立陶宛", &[]),
    m("LUX", "Luxembourg", "卢森堡", &[]),
    m("LVA", "Latvia", "拉脱维亚", &[]),
    m("MLT", "Malta", "马耳他", &[]),
    m(
        "NLD",
        "Netherlands",
        "荷兰",
        &["The Netherlands", "Holland"],
    ),
    m("POL", "Poland", "波兰", &[]),
    m("PRT", "Portugal", "葡萄牙", &[]),
    m("ROU", "Romania", "罗马尼亚", &[]),
    m("SVK", "Slovak Republic", "斯洛伐克", &["Slovakia"]),
    m("SVN", "Slovenia", "斯洛文尼亚", &[]),
    m("SWE", "Sweden", "瑞典", &[]),
];

/// The 27 member states of the European Union (WTO codes): their market includes every measure
/// the EU notifies.
pub const EU_MEMBER_STATES: &[&str] = &[
    "AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV",
    "HUN", "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN",
    "SWE",
];

impl Member {
    /// The customs union whose measures also apply in this member's market (the EU for its
    /// member states).
    pub fn union(&self) -> Option<&'static Member> {
        if EU_MEMBER_STATES.contains(&self.code) {
            Member::lookup("EU")
        } else {
            None
        }
    }

    /// The notifying members whose measures apply in this market: the member itself, then
    /// its union (`DEU` → `DEU`, `EU`).
    pub fn market_codes(&self) -> Vec<&'static str> {
        let mut out = vec![self.code];
        if let Some(u) = self.union() {
            out.push(u.code);
        }
        out
    }

    /// Finds a member by code, English name or alias (case-insensitive) or Chinese name.
    pub fn lookup(name: &str) -> Option<&'static Member> {
        let n = crate::normalize::fold(name);
        let n = n.trim();
        if n.is_empty() {
            return None;
        }
        MEMBERS.iter().find(|m| {
            m.code.eq_ignore_ascii_case(n)
                || m.name_en.eq_ignore_ascii_case(n)
                || m.name_zh == n
                || m.aliases.iter().any(|a| a.eq_ignore_ascii_case(n))
        })
    }
}

/// Market names a user types inside a query (`欧盟 玩具`, `美国 儿童产品`, `EU toys`), with their
/// byte ranges in `text`, first occurrence first.
///
/// Chinese names and aliases match anywhere (longest first, so `印度尼西亚` is not `印度`); WTO
/// codes and upper-case aliases (`EU`, `USA`, `KSA`) match as whole words in the case typed, so
/// the English words `can` and `per` are not Canada and Peru; English names (four letters or
/// more) match as whole words in any case. China is left out (the standards are Chinese, so
/// `中国` in a query is not a market choice), and so are names that are also provinces
/// (`香港`, `台湾`), which the region hints read.
pub fn find_markets(text: &str) -> Vec<(Range<usize>, &'static Member)> {
    let mut taken: Vec<(Range<usize>, &'static Member)> = Vec::new();
    let has_ascii = text.bytes().any(|b| b.is_ascii_alphabetic());
    let has_other = !text.is_ascii();
    if !has_ascii && !has_other {
        return taken;
    }
    let lower = text.to_ascii_lowercase();
    let names = market_names();
    // Only the names whose first character the text holds (each character of the text looked
    // up in [`MarketNames::by_first`]), taken in the list's order, longest first: asking each
    // of the 800 names whether the text holds its first character was 1.8 % of a hits-only
    // query (`bench/callgrind`, session 12).
    let mut candidates: Vec<usize> = Vec::new();
    let folded: fn(char) -> Key = Key::Folded;
    for (hay, key_of) in [(lower.as_str(), folded), (text, Key::Exact)] {
        for c in hay.chars() {
            if let Some(ids) = names.by_first.get(&key_of(c)) {
                candidates.extend_from_slice(ids);
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    for n in candidates.iter().filter_map(|&i| names.names.get(i)) {
        let (m, ascii) = (n.member, n.ascii);
        let (hay, needle) = if ascii && !n.exact_case {
            (lower.as_str(), n.lower.as_str())
        } else {
            (text, n.name)
        };
        let mut from = 0;
        while let Some(pos) = hay.get(from..).and_then(|h| h.find(needle)) {
            let start = from + pos;
            let end = start + needle.len();
            from = end;
            if ascii && !word_bounded(text, start, end) {
                continue;
            }
            if taken.iter().any(|(r, _)| r.start < end && start < r.end) {
                continue;
            }
            if is_origin(text, start) || in_product_word(text, start, end) {
                continue;
            }
            taken.push((start..end, m));
        }
    }
    taken.sort_by_key(|(r, _)| r.start);
    taken
}

/// Words that hold a market's Chinese name but name a product, a plant or animal variety, a
/// pest, a disease or a place: `荷兰豆` is a vegetable, not the Netherlands; `美国白蛾` a pest
/// in phytosanitary measures, not the United States. Written by the biaozhun team from the
/// names in standards' titles and SPS notifications; a query word in this list stays a word.
const PRODUCT_WORDS: &[&str] = &[
    "荷兰豆",
    "荷兰芹",
    "荷兰薯",
    "荷兰猪",
    "荷兰菊",
    "荷兰鼠",
    "荷兰牛",
    "法国梧桐",
    "法国菜豆",
    "巴西木",
    "巴西龟",
    "巴西坚果",
    "巴西莓",
    "巴西利亚",
    "日本脑炎",
    "日本血吸虫",
    "日本金龟子",
    "日本落叶松",
    "日本鳗鲡",
    "日本对虾",
    "日本沼虾",
    "日本蟳",
    "日本真鲈",
    "日本晴",
    "日本海",
    "美国白蛾",
    "美国山核桃",
    "美国红鱼",
    "美国白蜡",
    "美国黑核桃",
    "美国青蛙",
    "印度谷螟",
    "印度洋",
    "印度楝",
    "印度榕",
    "印度南瓜",
    "智利硝石",
    "墨西哥湾",
    "土耳其浴",
    "加拿大一枝黄花",
    "加拿大蓬",
    "新西兰菠菜",
    "埃及伊蚊",
    "秘鲁香脂",
    "意大利面",
    "意大利蜂",
    "意大利黑麦草",
    "澳洲坚果",
    "南非叶",
    "瑞士卷",
    "瑞士甜菜",
    "德国小蠊",
];

/// One name a market can be typed by, prepared once for [`find_markets`].
struct MarketName {
    name: &'static str,
    lower: String,
    member: &'static Member,
    ascii: bool,
    exact_case: bool,
}

/// The names [`find_markets`] looks for, and where each first character leads.
struct MarketNames {
    /// Longest first (`印度尼西亚` before `印度`, `Saudi Arabia, Kingdom of` before `Saudi
    /// Arabia`): codes, English and Chinese names and aliases of every member but China,
    /// without province names and without lower-case English names under four letters.
    names: Vec<MarketName>,
    /// The names (indexes into `names`, ascending) by their first character: folded to lower
    /// case for the names matched in any case, as written for the others.
    by_first: std::collections::HashMap<Key, Vec<usize>>,
}

/// A name's first character as [`MarketNames::by_first`] keys it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// Of a name matched in any case, in ASCII lower case (looked up in the folded text).
    Folded(char),
    /// Of a name matched as written (looked up in the text as typed).
    Exact(char),
}

/// Built once: rebuilding and sorting the names was a tenth of a short query's time.
fn market_names() -> &'static MarketNames {
    static NAMES: std::sync::OnceLock<MarketNames> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let names = market_name_list();
        let mut by_first: std::collections::HashMap<Key, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, n) in names.iter().enumerate() {
            let key = if n.ascii && !n.exact_case {
                n.lower.chars().next().map(Key::Folded)
            } else {
                n.name.chars().next().map(Key::Exact)
            };
            if let Some(key) = key {
                by_first.entry(key).or_default().push(i);
            }
        }
        MarketNames { names, by_first }
    })
}

/// The names of [`MarketNames::names`], longest first.
fn market_name_list() -> Vec<MarketName> {
    let mut names: Vec<(&'static str, &'static Member)> = Vec::new();
    for m in MEMBERS.iter().filter(|m| m.code != "CHN") {
        names.push((m.code, m));
        names.push((m.name_en, m));
        names.push((m.name_zh, m));
        names.extend(m.aliases.iter().map(|a| (*a, m)));
    }
    names.retain(|(n, _)| {
        !crate::region::PROVINCES
            .iter()
            .any(|p| p.short_zh == *n || p.name_zh == *n)
    });
    names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
    names
        .into_iter()
        .filter_map(|(name, member)| {
            let ascii = name.is_ascii();
            let exact_case = ascii && name.bytes().all(|b| !b.is_ascii_lowercase());
            (!ascii || exact_case || name.len() >= 4).then(|| MarketName {
                name,
                lower: name.to_ascii_lowercase(),
                member,
                ascii,
                exact_case,
            })
        })
        .collect()
}

/// Whether the market name at `start..end` is part of one of the [`PRODUCT_WORDS`] in `text`.
fn in_product_word(text: &str, start: usize, end: usize) -> bool {
    let name = &text[start..end];
    PRODUCT_WORDS.iter().any(|w| {
        w.match_indices(name)
            .any(|(k, _)| start >= k && text.get(start - k..).is_some_and(|t| t.starts_with(w)))
    })
}

/// Whether the name at `start` follows `from`, `from the`, `来自`, `产自` or `原产`: the origin of
/// goods (`blueberries from Chile`), not the market whose rules a user asks about.
fn is_origin(text: &str, start: usize) -> bool {
    let before = text.get(..start).unwrap_or_default().trim_end();
    let lower = before.to_ascii_lowercase();
    let lower = lower.strip_suffix(" the").unwrap_or(&lower);
    lower == "from"
        || lower.ends_with(" from")
        || ["来自", "产自", "原产", "原产于", "进口自"]
            .iter()
            .any(|w| before.ends_with(w))
}

/// Whether `text[start..end]` is not glued to ASCII letters or digits on either side.
fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let before = start
        .checked_sub(1)
        .and_then(|i| b.get(i))
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let after = b.get(end).is_some_and(|c| c.is_ascii_alphanumeric());
    !before && !after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_of_three_names() {
        for q in [
            "SAU",
            "Saudi Arabia, Kingdom of",
            "沙特阿拉伯",
            "沙特",
            "saudi arabia",
        ] {
            assert_eq!(Member::lookup(q).map(|m| m.code), Some("SAU"), "{q}");
        }
        assert_eq!(Member::lookup("中国台北").map(|m| m.code), Some("TPKM"));
        assert_eq!(Member::lookup("欧盟").map(|m| m.code), Some("EU"));
        assert_eq!(Member::lookup("Atlantis"), None);
    }

    #[test]
    fn markets_in_queries() {
        let found =
            |q: &str| -> Vec<&str> { find_markets(q).into_iter().map(|(_, m)| m.code).collect() };
        assert_eq!(found("欧盟 玩具"), ["EU"]);
        assert_eq!(found("美国儿童产品"), ["USA"]);
        assert_eq!(found("印尼 饼干"), ["IDN"]);
        assert_eq!(found("印度尼西亚 饼干"), ["IDN"]);
        assert_eq!(found("沙特 电器"), ["SAU"]);
        assert_eq!(found("EU toys"), ["EU"]);
        assert_eq!(found("european union toys"), ["EU"]);
        // The origin of goods is not the market.
        assert!(found("toys from the european union").is_empty());
        assert!(found("blueberries from Chile").is_empty());
        assert!(found("来自美国的玩具").is_empty());
        assert_eq!(found("Saudi Arabia cosmetics"), ["SAU"]);
        assert_eq!(found("USA"), ["USA"]);
        // English words that are codes in another case, codes inside words, China, provinces.
        assert!(found("can per che").is_empty());
        assert!(found("EUROPE MEUSE").is_empty());
        assert!(found("中国 食品").is_empty());
        assert!(found("香港 食品").is_empty());
        // Products, varieties, pests and places named after a market are words, not markets.
        assert!(found("荷兰豆").is_empty());
        assert!(found("荷兰豆 种植 技术").is_empty());
        assert!(found("美国白蛾 检疫").is_empty());
        assert!(found("澳洲坚果 果仁").is_empty());
        assert_eq!(found("荷兰 荷兰豆"), ["NLD"]);
        assert_eq!(found("欧盟 荷兰豆"), ["EU"]);
        let q = "美国 欧盟 玩具";
        let all = find_markets(q);
        assert_eq!(&q[all[0].0.clone()], "美国");
        assert_eq!(&q[all[1].0.clone()], "欧盟");
    }

    /// Every product word holds the Chinese name (or an alias) of a member: otherwise it guards
    /// nothing.
    #[test]
    fn product_words_hold_a_market_name() {
        for w in PRODUCT_WORDS {
            let named = MEMBERS.iter().any(|m| {
                m.code != "CHN"
                    && (w.contains(m.name_zh)
                        || m.aliases.iter().any(|a| !a.is_ascii() && w.contains(a)))
            });
            assert!(named, "{w}");
        }
    }

    #[test]
    fn member_states_inherit_the_union() {
        let de = Member::lookup("德国").expect("DEU");
        assert_eq!(de.market_codes(), vec!["DEU", "EU"]);
        assert_eq!(
            Member::lookup("法国").map(|m| m.market_codes()),
            Some(vec!["FRA", "EU"])
        );
        assert_eq!(
            Member::lookup("USA").map(|m| m.market_codes()),
            Some(vec!["USA"])
        );
        for code in EU_MEMBER_STATES {
            assert!(Member::lookup(code).is_some(), "{code} not in MEMBERS");
        }
        assert_eq!(EU_MEMBER_STATES.len(), 27);
    }

    #[test]
    fn codes_unique() {
        let mut codes: Vec<_> = MEMBERS.iter().map(|m| m.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), MEMBERS.len());
    }
}
