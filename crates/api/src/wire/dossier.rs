//! Wire types of `GET /api/v1/dossier`: the parameters, the JSON answer and its XLSX form (one
//! sheet per section, Chinese headers), converted from [`biaozhun_index::dossier`].

use biaozhun_index::dossier::{Dossier, DossierError, DossierRequest, MAX_LEAD_DAYS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::config::Limits;
use crate::error::ApiError;
use crate::wire::barriers::{
    barrier_error, family, snake, BarrierParams, CounterpartWire, FamilyWire, HsWire, MarketWire,
};
use crate::wire::records::standard_url;

/// Query parameters of `GET /api/v1/dossier`.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DossierParams {
    /// Market: WTO member code, English or Chinese name (`EU`, `德国`, `沙特`). An EU member
    /// state's dossier includes the EU's measures.
    pub market: Option<String>,
    /// HS code at any level (`95`, `9503`, `8415.10`).
    pub hs: Option<String>,
    /// Product words in Chinese or English (`玩具`, `toys`).
    pub q: Option<String>,
    /// Date comment periods and statuses are judged on, `YYYY-MM-DD` (default today).
    pub open_on: Option<String>,
    /// Days before the WTO comment deadline the internal deadline falls (0 to 365; default
    /// from the configuration's `dossier_lead_days`, 30).
    #[param(value_type = Option<u32>)]
    pub lead_days: Option<String>,
    /// `json` (default) or `xlsx` (a workbook download, one sheet per section).
    pub format: Option<String>,
}

/// The answer's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierFormat {
    /// JSON ([`DossierAnswer`]).
    Json,
    /// An XLSX workbook.
    Xlsx,
}

impl DossierParams {
    /// Validates the parameters into the index request and the format.
    pub fn into_request(
        self,
        limits: &Limits,
        default_lead_days: i64,
    ) -> Result<(DossierRequest, DossierFormat), ApiError> {
        let format = match self.format.as_deref().map(str::trim) {
            None | Some("") | Some("json") => DossierFormat::Json,
            Some("xlsx") => DossierFormat::Xlsx,
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "format {other:?} is neither json nor xlsx"
                )))
            }
        };
        let lead_days = match self.lead_days.as_deref().map(str::trim) {
            None | Some("") => default_lead_days,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (0..=MAX_LEAD_DAYS).contains(&n) => n,
                _ => {
                    return Err(ApiError::invalid(format!(
                        "lead_days must be a whole number of days 0 to {MAX_LEAD_DAYS}, got {s:?}"
                    )))
                }
            },
        };
        let barrier = BarrierParams {
            market: self.market,
            hs: self.hs,
            q: self.q,
            open_on: self.open_on,
            limit: None,
        }
        .into_request(limits)?;
        Ok((DossierRequest { barrier, lead_days }, format))
    }
}

/// Maps a dossier error: every one but the index's own is the client's mistake.
pub fn dossier_error(e: DossierError) -> ApiError {
    match e {
        DossierError::Barrier(b) => barrier_error(b),
        user => ApiError::invalid(user.to_string()),
    }
}

/// Answer of `GET /api/v1/dossier`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierAnswer {
    /// The market as resolved.
    pub market: Option<MarketWire>,
    /// The HS code as resolved, with its chapter names.
    pub hs: Option<HsWire>,
    /// The product words as given.
    pub q: Option<String>,
    /// Date comment periods and statuses were judged on.
    pub open_on: NaiveDate,
    /// Lead time of the internal deadlines, days.
    pub lead_days: i64,
    /// True when the words together found no measure and any word was accepted.
    pub relaxed: bool,
    /// Notified measures, newest first.
    pub measures: Vec<MeasureWire>,
    /// Foreign and international standards the measures cite.
    pub cited: Vec<DossierCitedWire>,
    /// Chinese standards for the product: mandatory GB, GB/T, industry, local, group.
    pub chinese: Vec<ChineseWire>,
    /// Chinese standards found before the cut to 100.
    pub chinese_total: usize,
}

/// A notified measure with its internal deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureWire {
    /// The family, as the barrier check reports it.
    #[serde(flatten)]
    pub family: FamilyWire,
    /// `comment_deadline` minus `lead_days`: when comments should reach the national enquiry
    /// point.
    pub internal_deadline: Option<NaiveDate>,
    /// Days left to the internal deadline (negative once passed) while open for comment.
    pub internal_days_left: Option<i64>,
    /// The union whose measure applies in this member state's market (`EU`).
    pub inherited_from: Option<String>,
}

/// A standard cited by the measures.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierCitedWire {
    /// The code as cited, canonical.
    pub code: String,
    /// `international`, `foreign`, `national`, ...
    pub level: String,
    /// Base symbols of the measures citing it.
    pub cited_by: Vec<String>,
    /// The record this index holds for it.
    pub id: Option<String>,
    /// API path of that record.
    pub url: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Its status on `open_on`.
    pub status: Option<String>,
    /// Whether the index holds its text, not only its catalog entry.
    pub has_text: bool,
    /// Its Chinese adoptions (采标), current first.
    pub adopted_by: Vec<CounterpartWire>,
}

/// A Chinese standard for the product.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChineseWire {
    /// Record id.
    pub id: String,
    /// API path.
    pub url: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Status on `open_on`.
    pub status: Option<String>,
    /// Chinese status label.
    pub status_label_zh: Option<String>,
    /// `national`, `industry`, `local`, `group`, `enterprise`.
    pub level: String,
    /// `mandatory`, `recommended`, `guidance`.
    pub nature: Option<String>,
    /// 实施日期.
    pub implement_date: Option<NaiveDate>,
}

impl DossierAnswer {
    /// Converts the index's dossier.
    pub fn from_dossier(d: Dossier) -> DossierAnswer {
        let c = d.check;
        DossierAnswer {
            market: c.market.map(MarketWire::from),
            hs: c.hs.map(HsWire::from),
            q: c.q,
            open_on: c.open_on,
            lead_days: d.lead_days,
            relaxed: c.relaxed,
            measures: d
                .measures
                .into_iter()
                .map(|m| MeasureWire {
                    family: family(m.family),
                    internal_deadline: m.internal_deadline,
                    internal_days_left: m.internal_days_left,
                    inherited_from: m.inherited_from,
                })
                .collect(),
            cited: d
                .cited
                .into_iter()
                .map(|x| DossierCitedWire {
                    code: x.code,
                    level: x.level.into(),
                    cited_by: x.cited_by,
                    url: x.record.as_ref().map(|r| standard_url(&r.id)),
                    title: x
                        .record
                        .as_ref()
                        .and_then(|r| r.title_zh.clone().or_else(|| r.title_en.clone())),
                    status: x.record.as_ref().and_then(|r| r.status.as_ref().map(snake)),
                    id: x.record.map(|r| r.id),
                    has_text: x.has_text,
                    adopted_by: x
                        .adopted_by
                        .into_iter()
                        .map(CounterpartWire::from)
                        .collect(),
                })
                .collect(),
            chinese: d
                .chinese
                .into_iter()
                .map(|s| ChineseWire {
                    url: standard_url(&s.id),
                    id: s.id,
                    title_zh: s.title_zh,
                    title_en: s.title_en,
                    status: s.status.map(|x| x.as_str().to_string()),
                    status_label_zh: s.status.map(|x| x.label_zh().to_string()),
                    level: s.level.into(),
                    nature: s.nature.map(str::to_string),
                    implement_date: s.implement_date,
                })
                .collect(),
            chinese_total: d.chinese_total,
        }
    }

    /// The dossier as an XLSX workbook: 概况, 通报措施, 引用标准, 国内标准, with Chinese
    /// headers.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let date = |v: &Option<NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
        let num = |v: &Option<i64>| v.map(|d| d.to_string()).unwrap_or_default();

        let mut sheet = |name: &str, headers: &[&str], rows: Vec<Vec<String>>| {
            let ws = wb.add_worksheet();
            ws.set_name(name)?;
            for (c, h) in headers.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                ws.write_string_with_format(0, c, *h, &bold)?;
                ws.set_column_width(c, 18)?;
            }
            for (r, row) in rows.iter().enumerate() {
                let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
                for (c, v) in row.iter().enumerate() {
                    ws.write_string(r, u16::try_from(c).unwrap_or(u16::MAX), v)?;
                }
            }
            ws.set_freeze_panes(1, 0)?;
            Ok::<(), rust_xlsxwriter::XlsxError>(())
        };

        let market = self
            .market
            .as_ref()
            .map(|m| format!("{} {} ({})", m.name_zh, m.name_en, m.code))
            .unwrap_or_default();
        let hs = self
            .hs
            .as_ref()
            .map(|h| format!("{} {}", h.code, h.chapter_zh.clone().unwrap_or_default()))
            .unwrap_or_default();
        sheet(
            "概况",
            &["项目", "内容"],
            vec![
                vec!["市场".into(), market],
                vec!["HS 编码".into(), hs],
                vec!["产品关键词".into(), opt(&self.q)],
                vec!["判断日期".into(), self.open_on.to_string()],
                vec!["内部提前天数".into(), self.lead_days.to_string()],
                vec!["通报措施数".into(), self.measures.len().to_string()],
                vec!["引用标准数".into(), self.cited.len().to_string()],
                vec!["国内标准数".into(), self.chinese.len().to_string()],
            ],
        )?;
        sheet(
            "通报措施",
            &[
                "通报号",
                "成员",
                "协定",
                "标题",
                "产品",
                "HS 编码",
                "状态",
                "分发日期",
                "最新文件日期",
                "评议截止日期",
                "剩余天数",
                "内部截止日期",
                "内部剩余天数",
                "拟生效日期",
                "来源(继承)",
            ],
            self.measures
                .iter()
                .map(|m| {
                    let f = &m.family;
                    vec![
                        f.base.clone(),
                        opt(&f.member_name).to_string(),
                        f.agreement.clone(),
                        f.title_zh
                            .clone()
                            .or_else(|| f.title_en.clone())
                            .unwrap_or_default(),
                        opt(&f.products),
                        f.hs_codes.join(", "),
                        f.state.label.clone(),
                        date(&f.distribution_date),
                        date(&f.last_update),
                        date(&f.comment_deadline),
                        num(&f.days_left),
                        date(&m.internal_deadline),
                        num(&m.internal_days_left),
                        date(&f.entry_into_force),
                        opt(&m.inherited_from),
                    ]
                })
                .collect(),
        )?;
        sheet(
            "引用标准",
            &[
                "标准号",
                "级别",
                "引用通报",
                "索引记录",
                "标题",
                "状态",
                "有全文",
                "中国采标",
                "采标程度",
            ],
            self.cited
                .iter()
                .map(|c| {
                    vec![
                        c.code.clone(),
                        c.level.clone(),
                        c.cited_by.join(", "),
                        opt(&c.id),
                        opt(&c.title),
                        opt(&c.status),
                        if c.has_text { "是" } else { "否" }.into(),
                        c.adopted_by
                            .iter()
                            .map(|a| a.id.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                        c.adopted_by
                            .iter()
                            .map(|a| a.degree.clone().unwrap_or_else(|| "?".into()))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect(),
        )?;
        sheet(
            "国内标准",
            &[
                "标准号",
                "标准名称",
                "英文名称",
                "级别",
                "性质",
                "状态",
                "实施日期",
            ],
            self.chinese
                .iter()
                .map(|s| {
                    vec![
                        s.id.clone(),
                        opt(&s.title_zh),
                        opt(&s.title_en),
                        s.level.clone(),
                        opt(&s.nature),
                        opt(&s.status_label_zh),
                        date(&s.implement_date),
                    ]
                })
                .collect(),
        )?;
        wb.save_to_buffer()
    }
}
