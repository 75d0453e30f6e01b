//! Text files: encoding detection and HTML/Markdown to plain text.
//!
//! Chinese portals still serve GBK, Windows tools write UTF-16 with a BOM, and everything else
//! is UTF-8 (with or without BOM). Decoding is strict: bytes that fit none of these are an
//! error, not text full of U+FFFD.

use super::ExtractError;

/// Decoded text and the encoding it was read as.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// `UTF-8`, `UTF-16LE`, `UTF-16BE` or `gb18030`.
    pub encoding: Option<&'static str>,
}

/// Decodes text bytes: BOM first (UTF-8, UTF-16 LE/BE), then strict UTF-8, then GB18030
/// (a superset of GBK).
pub fn decode_text(bytes: &[u8]) -> Result<Decoded, ExtractError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        return enc
            .decode_without_bom_handling_and_without_replacement(body)
            .map(|t| Decoded {
                text: t.into_owned(),
                encoding: Some(enc.name()),
            })
            .ok_or(ExtractError::Encoding {
                offset: first_bad_utf8(body) + bom_len,
            });
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(Decoded {
            text: t.to_string(),
            encoding: Some("UTF-8"),
        }),
        Err(e) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|t| Decoded {
                text: t.into_owned(),
                encoding: Some("gb18030"),
            })
            .ok_or(ExtractError::Encoding {
                offset: e.valid_up_to(),
            }),
    }
}

fn first_bad_utf8(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    }
}

/// Markdown to plain text: heading markers (`## 1 范围`) and emphasis stars are dropped, the
/// rest is kept as written.
pub fn markdown_to_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for line in md.lines() {
        let t = line.trim_start();
        let stripped = if t.starts_with('#') {
            t.trim_start_matches('#').trim_start()
        } else {
            line
        };
        out.push_str(&stripped.replace("**", ""));
        out.push('\n');
    }
    out
}

/// HTML to plain text: headings and block elements become lines (headings with a blank line
/// around them), `<script>`, `<style>` and `<head>` are dropped, entities are decoded and runs
/// of whitespace collapse as a browser would.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut skip_until: Option<&'static str> = None;
    let mut pending_space = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else { break };
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if let Some(until) = skip_until {
                if closing && name == until {
                    skip_until = None;
                }
                continue;
            }
            match name.as_str() {
                "script" | "style" | "head" | "noscript" | "template" if !closing => {
                    skip_until = Some(match name.as_str() {
                        "script" => "script",
                        "style" => "style",
                        "head" => "head",
                        "noscript" => "noscript",
                        _ => "template",
                    });
                }
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                    blank_line(&mut out);
                    pending_space = false;
                }
                "br" => {
                    out.push('\n');
                    pending_space = false;
                }
                "p" | "div" | "li" | "tr" | "table" | "ul" | "ol" | "section" | "article"
                | "header" | "footer" | "blockquote" | "pre" | "dt" | "dd" | "dl" | "title"
                | "caption" | "figure" | "figcaption" | "main" | "nav" | "aside" | "hr" => {
                    new_line(&mut out);
                    pending_space = false;
                }
                "td" | "th" => pending_space = true,
                _ => {}
            }
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        let chunk = &rest[..next];
        rest = &rest[next..];
        if skip_until.is_some() {
            continue;
        }
        let decoded = decode_entities(chunk);
        for c in decoded.chars() {
            if c.is_whitespace() && c != '\u{3000}' && c != '\u{a0}' {
                pending_space = true;
            } else {
                if pending_space && !out.is_empty() && !out.ends_with('\n') {
                    out.push(' ');
                }
                pending_space = false;
                out.push(if c == '\u{a0}' { ' ' } else { c });
            }
        }
    }
    let trimmed = out.trim();
    let mut s = trimmed.to_string();
    s.push('\n');
    s
}

fn new_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn blank_line(out: &mut String) {
    new_line(out);
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..]
            .find(|c: char| c == ';' || c.is_whitespace() || c == '&')
            .map(|j| j + 1);
        let decoded = end.filter(|e| rest.as_bytes()[*e] == b';').and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                "middot" => Some('·'),
                _ => {
                    let num = name.strip_prefix('#');
                    num.and_then(|n| match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    })
                    .and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_headings_drops_scripts() {
        let t = html_to_text(
            "<html><head><title>x</title><style>p{}</style></head><body><h1>标题</h1>\
             <script>var a = 1;</script><p>正文 &amp; 更多&#x4e00;</p><p>二</p></body></html>",
        );
        assert_eq!(t, "标题\n\n正文 & 更多一\n二\n");
    }

    #[test]
    fn decodes_boms_and_gbk() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("标准".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode_text(&utf16).expect("utf16").text, "标准");
        let (gbk, _, _) = encoding_rs::GBK.encode("马铃薯");
        assert_eq!(decode_text(&gbk).expect("gbk").text, "马铃薯");
        assert!(decode_text(&[0x41, 0xFF, 0xFF, 0x80]).is_err());
    }
}
