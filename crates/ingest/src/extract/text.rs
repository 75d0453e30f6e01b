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

/// Markdown to plain text through a CommonMark parser (`pulldown-cmark`): markup is dropped,
/// headings, paragraphs, list items, table rows and code blocks become lines (table cells
/// separated by tabs), inline code and link texts are kept, HTML blocks go through
/// [`html_to_text`].
pub fn markdown_to_text(md: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut out = String::with_capacity(md.len());
    let mut cell = 0usize;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::Html(h) | Event::InlineHtml(h) => {
                let t = html_to_text(&h);
                out.push_str(t.trim_end_matches('\n'));
            }
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Start(Tag::TableCell) => {
                if cell > 0 {
                    out.push('\t');
                }
                cell += 1;
            }
            Event::Start(Tag::Item) => line_start(&mut out),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::BlockQuote(_),
            ) => {
                cell = 0;
                line_start(&mut out);
            }
            Event::Rule => line_start(&mut out),
            Event::FootnoteReference(f) => out.push_str(&f),
            Event::TaskListMarker(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
            Event::Start(_) | Event::End(_) => {}
        }
    }
    out
}

fn line_start(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
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

/// Every HTML5 named entity (`&nbsp;`, `&mdash;`, `&ensp;`, `&times;`, ...) and numeric
/// reference, through the `html-escape` decoder.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    html_escape::decode_html_entities(s).into_owned()
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
    fn entities_are_decoded_completely() {
        let t = html_to_text("<p>GB&#x2F;T&nbsp;7714&mdash;2015&ensp;&times;&laquo;x&raquo;&hellip;&amp;&unknown;</p>");
        assert_eq!(t, "GB/T 7714—2015 ×«x»…&&unknown;\n");
    }

    #[test]
    fn markdown_through_commonmark() {
        let md = "# 1 范围\n\n本文件**规定**了`GB/T 1.1`的[用法](http://x)。\n\n\
                  | 标准号 | 名称 |\n|---|---|\n| GB 2763 | 农药 |\n\n- 甲\n- 乙\n\n```\ncode\n```\n";
        assert_eq!(
            markdown_to_text(md),
            "1 范围\n本文件规定了GB/T 1.1的用法。\n标准号\t名称\nGB 2763\t农药\n甲\n乙\ncode\n"
        );
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
