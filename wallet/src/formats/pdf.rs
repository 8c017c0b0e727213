//! Plain-text documents as PDF (the year-end statement for a benefits desk): A4 pages of
//! monospaced lines in DejaVu Sans Mono, embedded as a subset with a Unicode map, so that names
//! and places print as written ("Müller", "Geleen-Zuid", "€") and can be copied or searched.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use thiserror::Error;

/// The embedded typeface (DejaVu Sans Mono 2.37, Bitstream Vera licence: `assets/fonts/`).
static FONT: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSansMono.ttf"));

/// The font's name in the document; `HEITJE+` marks it as a subset (PDF 32000-1, 9.6.4).
const FONT_NAME: &[u8] = b"HEITJE+DejaVuSansMono";
/// Lines per A4 page at 10 pt with 12 pt leading between 56 pt margins.
const LINES_PER_PAGE: usize = 60;
/// A4 in points.
const PAGE: Rect = Rect { x1: 0.0, y1: 0.0, x2: 595.0, y2: 842.0 };
/// Type size and leading, in points.
const SIZE: f32 = 10.0;
const LEADING: f32 = 12.0;
/// Where the first line starts: the left and top margins.
const LEFT: f32 = 56.0;
const TOP: f32 = 786.0;
/// Printed for a character the typeface lacks.
const REPLACEMENT: char = '?';

/// Why a PDF could not be made. Only a damaged build (a font file that is not a font) causes one.
#[derive(Debug, Error)]
pub enum Error {
    /// The embedded font could not be read or subset.
    #[error("the embedded font cannot be used ({0}); this wallet build is damaged, reinstall it")]
    Font(String),
}

/// The glyphs a document uses: each character's new glyph id in the subset and its advance.
struct Glyphs<'f> {
    face: ttf_parser::Face<'f>,
    remapper: subsetter::GlyphRemapper,
    /// New glyph id -> (the character, advance in font units), for the widths and the Unicode map.
    used: BTreeMap<u16, (char, u16)>,
}

impl<'f> Glyphs<'f> {
    fn new(font: &'f [u8]) -> Result<Self, Error> {
        let face = ttf_parser::Face::parse(font, 0).map_err(|err| Error::Font(err.to_string()))?;
        let mut remapper = subsetter::GlyphRemapper::new();
        remapper.remap(0); // .notdef stays glyph 0, as a CID font requires.
        Ok(Self { face, remapper, used: BTreeMap::new() })
    }

    /// The two-byte codes (CIDs) that show `line`; a character the font lacks shows as `?`.
    fn encode(&mut self, line: &str) -> Vec<u8> {
        let mut codes = Vec::with_capacity(line.len() * 2);
        for c in line.chars() {
            let (c, glyph) = match self.face.glyph_index(c) {
                Some(glyph) => (c, glyph),
                None => (REPLACEMENT, self.face.glyph_index(REPLACEMENT).unwrap_or_default()),
            };
            let cid = self.remapper.remap(glyph.0);
            let advance = self.face.glyph_hor_advance(glyph).unwrap_or_default();
            self.used.entry(cid).or_insert((c, advance));
            codes.extend_from_slice(&cid.to_be_bytes());
        }
        codes
    }

    /// Font units to the 1/1000 text space units of PDF widths and metrics.
    fn scale(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / f32::from(self.face.units_per_em())
    }
}

/// A PDF of `lines` (up to 80 characters fit the page width), with `title` in the document
/// information.
pub fn text_pdf(title: &str, lines: &[String]) -> Result<Vec<u8>, Error> {
    let mut glyphs = Glyphs::new(FONT)?;
    let pages: Vec<Vec<Vec<u8>>> = if lines.is_empty() {
        vec![Vec::new()]
    } else {
        lines.chunks(LINES_PER_PAGE).map(|page| page.iter().map(|line| glyphs.encode(line)).collect()).collect()
    };

    let mut next = 0;
    let mut alloc = || {
        next += 1;
        Ref::new(next)
    };
    let (catalog, tree, info, type0, cid_font, descriptor, cmap, font_file) =
        (alloc(), alloc(), alloc(), alloc(), alloc(), alloc(), alloc(), alloc());
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_refs.iter().map(|(page, _)| *page)).count(page_refs.len() as i32);
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("heitje"));

    for (codes, (page_ref, content_ref)) in pages.iter().zip(&page_refs) {
        let mut page = pdf.page(*page_ref);
        page.media_box(PAGE).parent(tree).contents(*content_ref);
        page.resources().fonts().pair(Name(b"F1"), type0);
        page.finish();
        let mut content = Content::new();
        content.begin_text().set_font(Name(b"F1"), SIZE).set_leading(LEADING).next_line(LEFT, TOP);
        for line in codes {
            content.show(Str(line)).next_line_using_leading();
        }
        content.end_text();
        pdf.stream(*content_ref, &content.finish());
    }

    let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    pdf.type0_font(type0)
        .base_font(Name(FONT_NAME))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(cmap);
    let mut font = pdf.cid_font(cid_font);
    font.subtype(CidFontType::Type2)
        .base_font(Name(FONT_NAME))
        .system_info(system)
        .font_descriptor(descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let mut widths = font.widths();
    for (cid, (_, advance)) in &glyphs.used {
        widths.consecutive(*cid, [f32::from(*advance) * 1000.0 / f32::from(glyphs.face.units_per_em())]);
    }
    widths.finish();
    font.finish();

    let face = &glyphs.face;
    let bbox = face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(Name(FONT_NAME))
        .flags(FontFlags::FIXED_PITCH | FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            glyphs.scale(bbox.x_min),
            glyphs.scale(bbox.y_min),
            glyphs.scale(bbox.x_max),
            glyphs.scale(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(glyphs.scale(face.ascender()))
        .descent(glyphs.scale(face.descender()))
        .cap_height(glyphs.scale(face.capital_height().unwrap_or_else(|| face.ascender())))
        .stem_v(80.0)
        .font_file2(font_file);

    let mut unicode = UnicodeCmap::new(Name(b"Heitje-UTF16"), system);
    for (cid, (c, _)) in &glyphs.used {
        unicode.pair(*cid, *c);
    }
    pdf.cmap(cmap, &unicode.finish()).name(Name(b"Heitje-UTF16")).system_info(system);

    let subset = subsetter::subset(FONT, 0, &glyphs.remapper).map_err(|err| Error::Font(format!("{err:?}")))?;
    pdf.stream(font_file, &subset).pair(Name(b"Length1"), subset.len() as i32);
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(pdf: &[u8]) -> String {
        pdf_extract::extract_text_from_mem(pdf).expect("a readable PDF")
    }

    #[test]
    fn dutch_and_german_names_and_the_euro_sign_print_as_written() {
        let pdf =
            text_pdf("Statement 2026", &["Müller, Geleen-Zuid, 4,50 €".to_owned(), "Jeroen Hoëvenaars".to_owned()])
                .expect("pdf");
        let text = text_of(&pdf);
        assert!(text.contains("Müller, Geleen-Zuid, 4,50 €"), "extracted: {text:?}");
        assert!(text.contains("Jeroen Hoëvenaars"), "extracted: {text:?}");
    }

    #[test]
    fn long_documents_flow_onto_more_pages_and_keep_every_line() {
        let lines: Vec<String> = (0..130).map(|i| format!("line {i} (with parentheses) and a \\ backslash")).collect();
        let pdf = text_pdf("Statement 2026", &lines).expect("pdf");
        let document = lopdf::Document::load_mem(&pdf).expect("lopdf reads it");
        assert_eq!(document.get_pages().len(), 3, "60 lines a page");
        let text = text_of(&pdf);
        for line in &lines {
            assert!(text.contains(line.as_str()), "{line:?} missing from {text:?}");
        }
    }

    #[test]
    fn a_character_the_font_lacks_prints_as_a_question_mark() {
        let pdf = text_pdf("t", &["a \u{1F600} b".to_owned()]).expect("pdf");
        assert!(text_of(&pdf).contains("a ? b"));
    }

    #[test]
    fn the_font_is_embedded_as_a_small_subset() {
        let pdf = text_pdf("t", &["Müller".to_owned()]).expect("pdf");
        assert!(pdf.len() < FONT.len() / 10, "{} bytes for one word", pdf.len());
        assert!(pdf.windows(FONT_NAME.len()).any(|w| w == FONT_NAME));
    }
}
