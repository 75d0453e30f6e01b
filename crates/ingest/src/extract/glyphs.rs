//! Word spaces from glyph positions, for covers whose text layer has none.
//!
//! Some PDFs draw every glyph of the cover on its own (one text object per glyph, placed by a
//! matrix) and declare no usable widths: `GB/T 7714-2015` from Standards Press gives every
//! Latin glyph the default width of a full em, in the PDF and in the embedded TrueType font
//! alike. Every extractor (pdf-extract, lopdf, pdftotext) then decides word breaks from those
//! advances and joins the English title into `Informationanddocumentation—Rulesfor...`.
//!
//! What does hold is where each glyph's ink is: the origin the page places it at plus the
//! glyph's outline box in the embedded font. Between the letters of a word the ink gap is a few
//! hundredths of an em; between words it is a space plus the side bearings (0.4 em on that
//! cover). [`cover_lines`] walks the first page's content (text objects and form XObjects),
//! measures those gaps and writes each line with its spaces; [`respace`] then puts the spaces
//! into the chosen extractor's text, only where a line of it is the same characters without
//! them. Nothing else of the text changes, so the extractor keeps deciding everything else.
//! Fonts without an embedded TrueType outline fall back to their declared advances.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

/// Ink gap (in ems) above which two Latin glyphs are two words.
const INK_SPACE: f64 = 0.25;
/// Box gap (in ems) above which two glyphs are two words when only advances are known.
const ADVANCE_SPACE: f64 = 0.15;
/// Most glyphs read from a cover, and most content operations, so a hostile page stays cheap.
const MAX_GLYPHS: usize = 20_000;
const MAX_OPS: usize = 200_000;
/// Nesting of form XObjects followed.
const MAX_FORM_DEPTH: u8 = 4;
/// Lines of a text without form feeds taken as its first page.
const COVER_LINES: usize = 200;
/// Shortest run of characters (spaces aside) a line must have to be respaced.
const MIN_KEY_CHARS: usize = 8;

/// The text lines of page 1 with word spaces from glyph positions; `None` when the file does
/// not parse or the page has no text.
pub(crate) fn cover_lines(bytes: &[u8]) -> Option<Vec<String>> {
    let doc = Document::load_mem(bytes).ok()?;
    let page: ObjectId = *doc.get_pages().get(&1)?;
    let content = doc.get_page_content(page).ok()?;
    let fonts = doc.get_page_fonts(page).ok()?;
    let (resources, _) = doc.get_page_resources(page).ok()?;
    let mut walker = Walker {
        doc: &doc,
        fonts: HashMap::new(),
        glyphs: Vec::new(),
        ops: 0,
    };
    let page_fonts: HashMap<Vec<u8>, &Dictionary> = fonts.into_iter().collect();
    walker.run(&content, &page_fonts, resources, IDENTITY, 0);
    let lines = lines_of(&walker.glyphs);
    (!lines.is_empty()).then_some(lines)
}

/// `text` with the word spaces of `lines` put into every line of its first page that is one of
/// them (or a part of one) without its spaces. Lines without Latin letters are left alone.
pub(crate) fn respace(text: &str, lines: &[String]) -> String {
    let keyed: Vec<(Vec<char>, Vec<usize>, Vec<char>)> = lines
        .iter()
        .filter(|l| l.contains(' ') && l.chars().any(|c| c.is_ascii_alphabetic()))
        .map(|l| {
            // Characters without spaces, and for each the index in the spaced line.
            let spaced: Vec<char> = l.chars().collect();
            let (key, at): (Vec<char>, Vec<usize>) = spaced
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.is_whitespace())
                .map(|(i, c)| (*c, i))
                .unzip();
            (key, at, spaced)
        })
        .collect();
    if keyed.is_empty() {
        return text.to_string();
    }
    // Only the first page (up to the extractors' form feed) is the cover the lines come from;
    // without a form feed, the first lines.
    let (cover, rest) = match text.find('\u{c}') {
        Some(i) => text.split_at(i),
        None => {
            let end = text
                .match_indices('\n')
                .nth(COVER_LINES)
                .map_or(text.len(), |(i, _)| i);
            text.split_at(end)
        }
    };
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in cover.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&respace_line(line, &keyed));
    }
    out.push_str(rest);
    out
}

fn respace_line(line: &str, keyed: &[(Vec<char>, Vec<usize>, Vec<char>)]) -> String {
    let key: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
    if key.len() < MIN_KEY_CHARS || !key.iter().any(char::is_ascii_alphabetic) {
        return line.to_string();
    }
    let spaces = line.trim().chars().filter(|c| c.is_whitespace()).count();
    for (k, at, spaced) in keyed {
        let Some(start) = k.windows(key.len()).position(|w| w == key.as_slice()) else {
            continue;
        };
        let end = start + key.len() - 1;
        let piece: String = spaced[at[start]..=at[end]].iter().collect();
        if piece.chars().filter(|c| c.is_whitespace()).count() <= spaces {
            return line.to_string();
        }
        let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
        return format!("{indent}{piece}");
    }
    line.to_string()
}

/// A glyph on the page: its text, baseline, em size and ink extent (user space).
#[derive(Debug, Clone)]
struct Glyph {
    text: String,
    y: f64,
    em: f64,
    left: f64,
    right: f64,
    /// Whether `left`/`right` are the outline's ink, not the advance box.
    ink: bool,
}

/// Writes glyphs as lines in drawing order: a new line where the baseline moves by half an em
/// or the pen jumps back; a space where the gap between two Latin glyphs is a word gap.
fn lines_of(glyphs: &[Glyph]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<&Glyph> = None;
    for g in glyphs {
        if let Some(p) = prev {
            let em = p.em.max(g.em);
            let new_line = (g.y - p.y).abs() > em * 0.5 || g.left < p.left - em;
            if new_line {
                if !cur.trim().is_empty() {
                    lines.push(std::mem::take(&mut cur));
                }
                cur.clear();
            } else if word_gap(p, g) {
                cur.push(' ');
            }
        }
        cur.push_str(&g.text);
        prev = Some(g);
    }
    if !cur.trim().is_empty() {
        lines.push(cur);
    }
    lines
}

fn word_gap(p: &Glyph, g: &Glyph) -> bool {
    let (Some(a), Some(b)) = (p.text.chars().last(), g.text.chars().next()) else {
        return false;
    };
    if a == ' ' || b == ' ' || !a.is_ascii_graphic() || !b.is_ascii_graphic() {
        return false;
    }
    if matches!(b, ',' | '.' | ':' | ';' | ')' | ']' | '!' | '?') || matches!(a, '(' | '[') {
        return false;
    }
    // Numbers: `01.140.20`, `690:2010`, `GB/T 7714-2015` (a dot's ink is far from its next
    // digit, yet they are one number).
    if b.is_ascii_digit() && matches!(a, '.' | ':' | '/' | '-' | '—') {
        return false;
    }
    let em = p.em.max(g.em);
    let gap = (g.left - p.right) / em;
    // A comma's ink is a dot: what follows it is a word when there is any real gap.
    let threshold = if matches!(a, ',' | ';') {
        ADVANCE_SPACE
    } else if p.ink && g.ink {
        INK_SPACE
    } else {
        ADVANCE_SPACE
    };
    gap > threshold
}

/// An affine matrix `[a b c d e f]` as PDF writes it.
type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n` (`m × n` in PDF's row-vector convention).
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

/// What the walker needs of a font.
struct FontInfo<'a> {
    /// Two-byte codes (Type0 fonts) or one-byte codes.
    two_byte: bool,
    encoding: Option<Encoding<'a>>,
    /// Advance per code, in thousandths of an em.
    widths: HashMap<u32, f64>,
    default_width: f64,
    /// The embedded TrueType program, when there is one.
    program: Option<Vec<u8>>,
    /// Code to glyph id is the identity (Type0 with `CIDToGIDMap /Identity`).
    identity_gids: bool,
    /// Ink box per code in ems (left, right), cached.
    ink: HashMap<u32, Option<(f64, f64)>>,
}

impl<'a> FontInfo<'a> {
    fn load(doc: &'a Document, font: &'a Dictionary) -> FontInfo<'a> {
        let subtype = font
            .get(b"Subtype")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let two_byte = subtype == b"Type0";
        let encoding = font.get_font_encoding(doc).ok();
        let mut info = FontInfo {
            two_byte,
            encoding,
            widths: HashMap::new(),
            default_width: if two_byte { 1000.0 } else { 500.0 },
            program: None,
            identity_gids: false,
            ink: HashMap::new(),
        };
        let descendant = if two_byte {
            font.get_deref(b"DescendantFonts", doc)
                .and_then(Object::as_array)
                .ok()
                .and_then(|a| a.first())
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_dict().ok())
        } else {
            None
        };
        if let Some(cid) = descendant {
            if let Ok(dw) = cid.get(b"DW").and_then(Object::as_float) {
                info.default_width = f64::from(dw);
            }
            if let Ok(w) = cid.get_deref(b"W", doc).and_then(Object::as_array) {
                read_cid_widths(doc, w, &mut info.widths);
            }
            info.identity_gids = match cid.get(b"CIDToGIDMap") {
                Ok(Object::Name(n)) => n == b"Identity",
                Ok(_) => false,
                Err(_) => true,
            };
        } else {
            let first = font.get(b"FirstChar").and_then(Object::as_i64).unwrap_or(0);
            if let Ok(w) = font.get_deref(b"Widths", doc).and_then(Object::as_array) {
                for (i, v) in w.iter().enumerate() {
                    if let Ok(x) = number(doc, v) {
                        let code = u32::try_from(first + i as i64).unwrap_or(u32::MAX);
                        info.widths.insert(code, x);
                    }
                }
            }
        }
        let descriptor = descendant
            .unwrap_or(font)
            .get_deref(b"FontDescriptor", doc)
            .and_then(Object::as_dict)
            .ok();
        info.program = descriptor
            .and_then(|d| d.get_deref(b"FontFile2", doc).ok())
            .and_then(|o| o.as_stream().ok())
            .and_then(|s| {
                s.decompressed_content()
                    .ok()
                    .or_else(|| Some(s.content.clone()))
            });
        info
    }

    fn width(&self, code: u32) -> f64 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
            / 1000.0
    }

    fn decode(&self, bytes: &[u8]) -> String {
        match &self.encoding {
            Some(e) => e.bytes_to_string(bytes).unwrap_or_default(),
            None => bytes.iter().map(|&b| char::from(b)).collect(),
        }
    }

    /// Ink extent of `code` in ems, from the embedded outline.
    fn ink(&mut self, code: u32, text: &str) -> Option<(f64, f64)> {
        if let Some(v) = self.ink.get(&code) {
            return *v;
        }
        let v = self.program.as_deref().and_then(|p| {
            let face = ttf_parser::Face::parse(p, 0).ok()?;
            let gid = if self.identity_gids {
                ttf_parser::GlyphId(u16::try_from(code).ok()?)
            } else {
                face.glyph_index(text.chars().next()?)?
            };
            let r = face.glyph_bounding_box(gid)?;
            let upem = f64::from(face.units_per_em().max(1));
            Some((f64::from(r.x_min) / upem, f64::from(r.x_max) / upem))
        });
        self.ink.insert(code, v);
        v
    }
}

fn number(doc: &Document, o: &Object) -> lopdf::Result<f64> {
    let (_, o) = doc.dereference(o)?;
    o.as_float().map(f64::from)
}

/// `W` of a CID font: `c [w1 w2 ...]` and `c_first c_last w` entries.
fn read_cid_widths(doc: &Document, w: &[Object], out: &mut HashMap<u32, f64>) {
    let mut i = 0;
    while i < w.len() && out.len() < 65_536 {
        let Ok(first) = number(doc, &w[i]) else {
            return;
        };
        let first = first as u32;
        match w.get(i + 1).map(|o| doc.dereference(o).map(|(_, o)| o)) {
            Some(Ok(Object::Array(list))) => {
                for (k, v) in list.iter().enumerate() {
                    if let Ok(x) = number(doc, v) {
                        out.insert(first + k as u32, x);
                    }
                }
                i += 2;
            }
            Some(Ok(_)) => {
                let (Some(last), Some(x)) = (
                    w.get(i + 1).and_then(|o| number(doc, o).ok()),
                    w.get(i + 2).and_then(|o| number(doc, o).ok()),
                ) else {
                    return;
                };
                for c in first..=(last as u32).min(first + 65_535) {
                    out.insert(c, x);
                }
                i += 3;
            }
            _ => return,
        }
    }
}

/// The content-stream walk: graphics and text state, glyph by glyph.
struct Walker<'a> {
    doc: &'a Document,
    /// Fonts by the address of their dictionary (one load per font per walk).
    fonts: HashMap<usize, FontInfo<'a>>,
    glyphs: Vec<Glyph>,
    ops: usize,
}

#[derive(Clone)]
struct State {
    ctm: Matrix,
    font: Option<usize>,
    size: f64,
    char_space: f64,
    word_space: f64,
    hscale: f64,
    leading: f64,
    rise: f64,
}

impl<'a> Walker<'a> {
    fn run(
        &mut self,
        content: &[u8],
        fonts: &HashMap<Vec<u8>, &'a Dictionary>,
        resources: Option<&'a Dictionary>,
        ctm: Matrix,
        depth: u8,
    ) {
        let Ok(content) = Content::decode(content) else {
            return;
        };
        let mut st = State {
            ctm,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let mut stack: Vec<State> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        for op in &content.operations {
            self.ops += 1;
            if self.ops > MAX_OPS || self.glyphs.len() > MAX_GLYPHS {
                return;
            }
            let n = |i: usize| -> f64 {
                op.operands
                    .get(i)
                    .and_then(|o| o.as_float().ok())
                    .map_or(0.0, f64::from)
            };
            match op.operator.as_str() {
                "q" if stack.len() < 64 => stack.push(st.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        st = s;
                    }
                }
                "cm" => st.ctm = mul(&[n(0), n(1), n(2), n(3), n(4), n(5)], &st.ctm),
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    st.size = n(1);
                    st.font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| self.font_id(fonts, name));
                }
                "Tc" => st.char_space = n(0),
                "Tw" => st.word_space = n(0),
                "Tz" => st.hscale = n(0) / 100.0,
                "TL" => st.leading = n(0),
                "Ts" => st.rise = n(0),
                "Tm" => {
                    tm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    tlm = tm;
                }
                "Td" | "TD" => {
                    if op.operator == "TD" {
                        st.leading = -n(1);
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                "T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -st.leading], &tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator != "Tj" {
                        if op.operator == "\"" {
                            st.word_space = n(0);
                            st.char_space = n(1);
                        }
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -st.leading], &tlm);
                        tm = tlm;
                    }
                    if let Some(Object::String(s, _)) = op.operands.last() {
                        self.show(&st, &mut tm, s);
                    }
                }
                "TJ" => {
                    let Some(Object::Array(items)) = op.operands.first() else {
                        continue;
                    };
                    for item in items {
                        match item {
                            Object::String(s, _) => self.show(&st, &mut tm, s),
                            other => {
                                if let Ok(adj) = other.as_float() {
                                    let tx = -f64::from(adj) / 1000.0 * st.size * st.hscale;
                                    tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                }
                            }
                        }
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    if let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) {
                        self.form(name, fonts, resources, &st.ctm, depth);
                    }
                }
                _ => {}
            }
        }
    }

    fn font_id(&mut self, fonts: &HashMap<Vec<u8>, &'a Dictionary>, name: &[u8]) -> Option<usize> {
        let dict = *fonts.get(name)?;
        let id = std::ptr::from_ref(dict) as usize;
        let doc = self.doc;
        self.fonts
            .entry(id)
            .or_insert_with(|| FontInfo::load(doc, dict));
        Some(id)
    }

    /// Shows one string: each code becomes a glyph, the text matrix advances.
    fn show(&mut self, st: &State, tm: &mut Matrix, s: &[u8]) {
        let Some(font) = st.font.and_then(|id| self.fonts.get_mut(&id)) else {
            return;
        };
        let step = if font.two_byte { 2 } else { 1 };
        for chunk in s.chunks(step) {
            let code = chunk.iter().fold(0u32, |a, &b| a * 256 + u32::from(b));
            let text = font.decode(chunk);
            let w0 = font.width(code);
            let trm = mul(
                &[st.size * st.hscale, 0.0, 0.0, st.size, 0.0, st.rise],
                &mul(tm, &st.ctm),
            );
            let em = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
            let (_, y0) = apply(&trm, 0.0, 0.0);
            let ink = font.ink(code, &text);
            let (l, r) = ink.unwrap_or((0.0, w0));
            let (xl, _) = apply(&trm, l, 0.0);
            let (xr, _) = apply(&trm, r, 0.0);
            if !text.is_empty() && em > 0.0 && trm[1].abs() < 1e-6 * em.max(1.0) {
                self.glyphs.push(Glyph {
                    text,
                    y: y0,
                    em,
                    left: xl.min(xr),
                    right: xl.max(xr),
                    ink: ink.is_some(),
                });
            }
            let space = if step == 1 && code == 32 {
                st.word_space
            } else {
                0.0
            };
            let tx = (w0 * st.size + st.char_space + space) * st.hscale;
            *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
            if self.glyphs.len() > MAX_GLYPHS {
                return;
            }
        }
    }

    /// Follows a form XObject: its content under its matrix, with its own fonts when it has
    /// any (else the caller's).
    fn form(
        &mut self,
        name: &[u8],
        fonts: &HashMap<Vec<u8>, &'a Dictionary>,
        resources: Option<&'a Dictionary>,
        ctm: &Matrix,
        depth: u8,
    ) {
        let doc = self.doc;
        let Some(stream) = resources
            .and_then(|r| r.get_deref(b"XObject", doc).ok())
            .and_then(|o| o.as_dict().ok())
            .and_then(|x| x.get_deref(name, doc).ok())
            .and_then(|o| o.as_stream().ok())
        else {
            return;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
            return;
        }
        let matrix = stream
            .dict
            .get(b"Matrix")
            .and_then(Object::as_array)
            .ok()
            .filter(|a| a.len() == 6)
            .map_or(IDENTITY, |a| {
                let v: Vec<f64> = a
                    .iter()
                    .map(|o| o.as_float().map_or(0.0, f64::from))
                    .collect();
                [v[0], v[1], v[2], v[3], v[4], v[5]]
            });
        let own = stream
            .dict
            .get_deref(b"Resources", doc)
            .and_then(Object::as_dict)
            .ok();
        let mut form_fonts = fonts.clone();
        if let Some(f) = own
            .and_then(|r| r.get_deref(b"Font", doc).ok())
            .and_then(|o| o.as_dict().ok())
        {
            for (k, v) in f.iter() {
                if let Ok((_, Object::Dictionary(d))) = doc.dereference(v) {
                    form_fonts.insert(k.clone(), d);
                }
            }
        }
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        self.run(
            &content,
            &form_fonts,
            own.or(resources),
            mul(&matrix, ctm),
            depth + 1,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(text: &str, left: f64, right: f64) -> Glyph {
        Glyph {
            text: text.into(),
            y: 100.0,
            em: 10.0,
            left,
            right,
            ink: true,
        }
    }

    #[test]
    fn gaps_make_words_and_lines() {
        // "ab cd, e" on one line (word gaps of 0.4 em, 0.2 em after a comma), "f" below.
        let mut gs = vec![
            glyph("a", 0.0, 5.0),
            glyph("b", 5.5, 10.0),
            glyph("c", 14.0, 19.0),
            glyph("d", 19.5, 24.0),
            glyph(",", 24.2, 25.0),
            glyph("e", 27.0, 31.0),
        ];
        let mut next = glyph("f", 0.0, 5.0);
        next.y = 88.0;
        gs.push(next);
        assert_eq!(lines_of(&gs), ["ab cd, e", "f"]);
    }

    #[test]
    fn respace_only_where_the_characters_match() {
        let lines = vec![
            "Information and documentation—Rules for bibliographic references".to_string(),
            "中 华 人 民".to_string(),
        ];
        let text =
            "GB/T 7714—2015\n  Informationanddocumentation—Rulesforbibliographicreferences\n\
                    andcitations\n中华人民\nRulesforbibliographic\n\u{c}Rulesforbibliographic";
        let out = respace(text, &lines);
        assert_eq!(
            out,
            "GB/T 7714—2015\n  Information and documentation—Rules for bibliographic references\n\
             andcitations\n中华人民\nRules for bibliographic\n\u{c}Rulesforbibliographic"
        );
    }
}
