//! `GET /api/v1/feeds/notifications.atom`: an Atom feed (RFC 4287) of the newest notifications
//! matching a barrier check, for feed readers and alerting.
//!
//! The XML is written by hand: every piece of text, including what the client sent, goes
//! through [`escape`] (markup characters as entities, characters XML 1.0 forbids dropped, line
//! breaks in attributes as character references), so no query can inject markup, and no user
//! text ever reaches a response header. URLs built from the query are percent-encoded first.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use biaozhun_index::barriers::{BarrierFamily, BarrierReport, MemberDocument};
use chrono::NaiveDate;

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::wire::barriers::{barrier_error, notification_page, BarrierParams};
use crate::wire::records::{encode_path, notification_url};

/// The media type of the answer.
pub const ATOM_CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";
/// Entries listed by one feed.
pub const FEED_ENTRIES: usize = 50;
/// Tagging entity and date of the `tag:` URIs of feeds and entries (RFC 4151).
const TAG: &str = "tag:biaozhun,2024:";

/// Atom feed of the newest notifications matching `market`, `hs` and `q` (as for
/// `/api/v1/barriers`).
#[utoipa::path(get, path = "/api/v1/feeds/notifications.atom", tag = "trade", params(BarrierParams),
    responses(
        (status = 200, description = "Atom 1.0 feed, newest first", content_type = "application/atom+xml", body = String),
        (status = 400, description = "`invalid_parameter`: unknown market, malformed hs", body = ErrorBody),
        (status = 503, description = "`not_ready`, `timeout` or `overloaded` (see Retry-After)", body = ErrorBody),
    ))]
pub async fn notifications_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<BarrierParams>,
) -> Result<Response, ApiError> {
    let base = base_url(&headers, state.config.trust_proxy);
    let self_href = format!(
        "{base}/api/v1/feeds/notifications.atom{}",
        query_string(&params)
    );
    let mut req = params.into_request(&state.config.limits)?;
    req.limit = biaozhun_index::barriers::MAX_FAMILIES;
    let index = state.index()?;
    let report = state
        .read(move || index.barriers(&req).map_err(barrier_error))
        .await?;
    let body = atom(&report, &base, &self_href);
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ATOM_CONTENT_TYPE),
    );
    Ok(res)
}

/// `scheme://host` of the request, from a `Host` header that passes a strict check (else
/// `localhost`); `https` only behind a trusted proxy that says so.
pub fn base_url(headers: &HeaderMap, trust_proxy: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("localhost");
    let https = trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// `?market=..&hs=..&q=..` with every value percent-encoded; empty when none is set.
fn query_string(p: &BarrierParams) -> String {
    let parts: Vec<String> = [("market", &p.market), ("hs", &p.hs), ("q", &p.q)]
        .into_iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("{k}={}", encode_path(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// XML-escapes text for element content and attribute values: `&<>"'` as entities, CR, LF and
/// TAB as character references, characters XML 1.0 forbids (other C0 controls, U+FFFE, U+FFFF)
/// dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc3339(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

fn describe(report: &BarrierReport) -> String {
    let mut parts = Vec::new();
    if let Some(m) = &report.market {
        parts.push(format!("{} {}", m.name_en, m.name_zh));
    }
    if let Some(h) = &report.hs {
        parts.push(format!("HS {}", h.code));
    }
    if let Some(q) = &report.q {
        parts.push(format!("\u{201c}{q}\u{201d}"));
    }
    if parts.is_empty() {
        "all markets".to_string()
    } else {
        parts.join(", ")
    }
}

fn entry_title(fam: &BarrierFamily, doc: &MemberDocument) -> String {
    let title = doc
        .title_en
        .as_deref()
        .or(doc.title_zh.as_deref())
        .or(fam.title_en.as_deref())
        .or(fam.title_zh.as_deref())
        .unwrap_or("(untitled)");
    format!("{}: {title}", doc.symbol)
}

fn entry_summary(fam: &BarrierFamily, doc: &MemberDocument) -> String {
    let mut s = Vec::new();
    if let Some(m) = fam.member_name.as_deref().or(fam.member.as_deref()) {
        s.push(format!("{} {}", fam.agreement, m));
    }
    if let Some(p) = &fam.products {
        s.push(format!("Products: {p}"));
    }
    if !fam.hs_codes.is_empty() {
        s.push(format!("HS {}", fam.hs_codes.join(", ")));
    }
    let state = serde_json::to_value(fam.state.label)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    s.push(format!("State: {state}"));
    if let Some(d) = doc.comment_deadline.or(fam.comment_deadline) {
        s.push(format!("Comments until {d}"));
    }
    if let Some(desc) = &doc.description {
        s.push(desc.clone());
    }
    s.join(". ")
}

/// The feed document.
pub fn atom(report: &BarrierReport, base: &str, self_href: &str) -> String {
    let docs = report.newest_documents();
    let docs = &docs[..docs.len().min(FEED_ENTRIES)];
    let updated = docs
        .iter()
        .filter_map(|(f, d)| d.distribution_date.or(f.last_update))
        .max()
        .unwrap_or(report.open_on);
    let mut x = String::with_capacity(1024 + docs.len() * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let feed_id = format!(
        "{TAG}feed/notifications{}",
        self_href
            .split_once('?')
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default()
    );
    x.push_str(&format!("  <id>{}</id>\n", escape(&feed_id)));
    x.push_str(&format!(
        "  <title>{}</title>\n",
        escape(&format!("WTO notifications: {}", describe(report)))
    ));
    x.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    x.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(self_href)
    ));
    x.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&format!("{base}/measures"))
    ));
    x.push_str("  <author><name>biaozhun</name></author>\n");
    x.push_str("  <generator>biaozhun</generator>\n");
    for (fam, doc) in docs {
        let date = doc
            .distribution_date
            .or(fam.last_update)
            .unwrap_or(report.open_on);
        x.push_str("  <entry>\n");
        x.push_str(&format!(
            "    <id>{}</id>\n",
            escape(&format!("{TAG}notification:{}", doc.symbol))
        ));
        x.push_str(&format!(
            "    <title>{}</title>\n",
            escape(&entry_title(fam, doc))
        ));
        x.push_str(&format!("    <updated>{}</updated>\n", rfc3339(date)));
        if let Some(d) = doc.distribution_date {
            x.push_str(&format!("    <published>{}</published>\n", rfc3339(d)));
        }
        x.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&format!("{base}{}", notification_page(&doc.symbol)))
        ));
        x.push_str(&format!(
            "    <link rel=\"related\" type=\"application/json\" href=\"{}\"/>\n",
            escape(&format!("{base}{}", notification_url(&doc.symbol)))
        ));
        x.push_str(&format!(
            "    <category term=\"{}\"/>\n",
            escape(fam.agreement)
        ));
        x.push_str(&format!(
            "    <summary type=\"text\">{}</summary>\n",
            escape(&entry_summary(fam, doc))
        ));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("<script>a & b]]>\"'\r\n\u{0}x"),
            "&lt;script&gt;a &amp; b]]&gt;&quot;&apos;&#13;&#10;x"
        );
    }

    #[test]
    fn host_header_is_checked() {
        let mut h = HeaderMap::new();
        h.insert(
            header::HOST,
            HeaderValue::from_static("portal.example.cn:8080"),
        );
        assert_eq!(base_url(&h, false), "http://portal.example.cn:8080");
        h.insert(header::HOST, HeaderValue::from_static("evil\"><x"));
        assert_eq!(base_url(&h, false), "http://localhost");
        h.insert(header::HOST, HeaderValue::from_static("a.cn"));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(base_url(&h, false), "http://a.cn");
        assert_eq!(base_url(&h, true), "https://a.cn");
    }
}
