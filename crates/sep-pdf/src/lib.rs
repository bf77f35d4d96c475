//! СЭП documents as PDF: a справка ([`sep_core::spravka::sheet::Sheet`]) drawn on A4 with
//! krilla as PDF/A-2b in PT Sans (embedded, subset; the font and its licence are in
//! `fonts/`), with the check link as a QR code and as text. krilla lays out nothing itself,
//! so this crate wraps lines by the font's own advance widths and breaks pages.

pub mod qr;

use krilla::Document;
use krilla::configure::{Archival, ConfigurationBuilder, PdfVersion};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use qrcode::{EcLevel, QrCode};
use sep_core::spravka::sheet::{Render, Sheet};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use std::sync::Arc;

const REGULAR: &[u8] = include_bytes!("../fonts/PTSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/PTSans-Bold.ttf");

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.5;

/// One face with its advance widths, to wrap text as it will be drawn.
#[derive(Clone)]
struct Face {
    font: Font,
    data: Arc<Vec<u8>>,
}

impl Face {
    fn new(bytes: &'static [u8]) -> Result<Self, String> {
        let data = Arc::new(bytes.to_vec());
        let font = Font::new(data.clone().into(), 0).ok_or("the font does not load")?;
        Ok(Self { font, data })
    }

    /// Width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(f) = skrifa::FontRef::new(&self.data) else { return text.chars().count() as f32 * size * 0.6 };
        let upem = f32::from(f.head().map(|h| h.units_per_em()).unwrap_or(1000));
        let charmap = f.charmap();
        let metrics = f.glyph_metrics(Size::unscaled(), LocationRef::default());
        text.chars().map(|c| charmap.map(c).and_then(|g| metrics.advance_width(g)).unwrap_or(upem * 0.6)).sum::<f32>()
            * size
            / upem
    }

    /// `text` as this face can draw it: invisible format characters dropped, any other
    /// character the font lacks shown as «?». PDF/A forbids a missing glyph, and what a person
    /// types (a purpose, an address) may hold emoji or other scripts.
    fn printable(&self, text: &str) -> String {
        let Ok(f) = skrifa::FontRef::new(&self.data) else { return text.to_owned() };
        let charmap = f.charmap();
        text.chars()
            .filter(|c| !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
            .map(|c| if c.is_whitespace() || charmap.map(c).is_some() { c } else { '?' })
            .collect()
    }

    /// `text` (made [`Face::printable`]) broken into lines no wider than `max` (a word longer
    /// than a line, such as a link, is broken between characters).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let text = self.printable(text);
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if self.width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if self.width(word, size) <= max {
                line = word.to_owned();
                continue;
            }
            for c in word.chars() {
                line.push(c);
                // A character wider than the whole line still goes on a line of its own.
                if self.width(&line, size) > max && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// Draws справки; cheap to clone, fonts parsed once.
#[derive(Clone)]
pub struct PdfRenderer {
    regular: Face,
    bold: Face,
}

impl PdfRenderer {
    /// The renderer with the embedded fonts.
    pub fn new() -> Result<Self, String> {
        Ok(Self { regular: Face::new(REGULAR)?, bold: Face::new(BOLD)? })
    }
}

/// A page being filled from the top; `y` is the next line's top, in points from the top.
struct Cursor {
    pages: Vec<Vec<Op>>,
    y: f32,
}

/// What is drawn, kept until the page is written (krilla's page borrows the document).
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Qr {
        x: f32,
        y: f32,
        side: f32,
        modules: Vec<bool>,
        width: usize,
    },
    /// A portrait (JPEG or PNG, by its first bytes) in the box at `x`, `y`.
    Photo {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        bytes: Vec<u8>,
    },
}

impl Cursor {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Makes room for `height` points, starting a new page when needed.
    fn room(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        let y = self.y + size;
        self.ops().push(Op::Text { x, y, size, bold, text: text.to_owned() });
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.ops().push(Op::Line { x1, y1, x2, y2 });
    }
}

fn draw(surface: &mut Surface<'_>, op: &Op, regular: &Font, bold: &Font) {
    match op {
        Op::Photo { x, y, w, h, bytes } => {
            let data = krilla::Data::from(bytes.clone());
            let image = if bytes.starts_with(&[0xFF, 0xD8]) {
                krilla::image::Image::from_jpeg(data, false)
            } else {
                krilla::image::Image::from_png(data, false)
            };
            let size = krilla::geom::Size::from_wh(*w, *h);
            if let (Ok(image), Some(size)) = (image, size) {
                surface.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
                surface.draw_image(image, size);
                surface.pop();
            }
        }
        Op::Text { x, y, size, bold: b, text } => {
            surface.set_fill(Some(Fill::default()));
            let font = if *b { bold.clone() } else { regular.clone() };
            surface.draw_text(Point::from_xy(*x, *y), font, *size, text, false, TextDirection::Auto);
        }
        Op::Line { x1, y1, x2, y2 } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke { width: 0.6, ..Stroke::default() }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Qr { x, y, side, modules, width } => {
            let cell = side / *width as f32;
            let mut pb = PathBuilder::new();
            for (i, dark) in modules.iter().enumerate() {
                if *dark
                    && let Some(r) =
                        Rect::from_xywh(x + (i % width) as f32 * cell, y + (i / width) as f32 * cell, cell, cell)
                {
                    pb.push_rect(r);
                }
            }
            if let Some(path) = pb.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill::default()));
                surface.draw_path(&path);
            }
        }
    }
}

impl PdfRenderer {
    fn paragraph(&self, c: &mut Cursor, text: &str, size: f32, bold: bool, x: f32, width: f32) {
        let face = if bold { &self.bold } else { &self.regular };
        for line in face.wrap(text, size, width) {
            c.room(size * 1.35);
            c.text(x, size, bold, &line);
            c.y += size * 1.35;
        }
    }

    fn label_value(&self, c: &mut Cursor, label: &str, value: &str) {
        let col = MARGIN + 160.0;
        let labels = self.bold.wrap(label, BODY, 150.0);
        let values = self.regular.wrap(value, BODY, PAGE_W - MARGIN - col);
        let lines = labels.len().max(values.len());
        c.room(BODY * 1.4 * lines as f32);
        let top = c.y;
        for (i, l) in labels.iter().enumerate() {
            c.y = top + i as f32 * BODY * 1.4;
            c.text(MARGIN, BODY, true, l);
        }
        for (i, l) in values.iter().enumerate() {
            c.y = top + i as f32 * BODY * 1.4;
            c.text(col, BODY, false, l);
        }
        c.y = top + lines as f32 * BODY * 1.4;
    }

    fn table(&self, c: &mut Cursor, columns: &[String], rows: &[Vec<String>]) {
        let n = columns.len().max(1);
        let total = PAGE_W - 2.0 * MARGIN;
        // Each column as wide as its longest word needs, the rest shared by content length.
        let size = if n > 4 { 8.5 } else { 9.5 };
        let want: Vec<f32> = (0..n)
            .map(|i| {
                let cells = std::iter::once(columns.get(i)).chain(rows.iter().map(|r| r.get(i))).flatten();
                cells.map(|t| self.regular.width(t, size)).fold(30.0_f32, f32::max).min(total)
            })
            .collect();
        let sum: f32 = want.iter().sum();
        let widths: Vec<f32> = want.iter().map(|w| w / sum * total).collect();
        let pad = 3.0;
        let row = |c: &mut Cursor, cells: &[String], bold: bool| {
            let face = if bold { &self.bold } else { &self.regular };
            let wrapped: Vec<Vec<String>> = (0..n)
                .map(|i| face.wrap(cells.get(i).map_or("", String::as_str), size, widths[i] - 2.0 * pad))
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * size * 1.3 + 2.0 * pad;
            c.room(height);
            let top = c.y;
            c.line(MARGIN, top, MARGIN + total, top);
            let mut x = MARGIN;
            for (i, lines) in wrapped.iter().enumerate() {
                c.line(x, top, x, top + height);
                for (k, l) in lines.iter().enumerate() {
                    c.y = top + pad + k as f32 * size * 1.3;
                    c.text(x + pad, size, bold, l);
                }
                x += widths[i];
            }
            c.line(MARGIN + total, top, MARGIN + total, top + height);
            c.line(MARGIN, top + height, MARGIN + total, top + height);
            c.y = top + height;
        };
        row(c, columns, true);
        for r in rows {
            row(c, r, false);
        }
        c.y += 8.0;
    }

    fn layout(&self, sheet: &Sheet) -> Result<Vec<Vec<Op>>, String> {
        let mut c = Cursor { pages: vec![Vec::new()], y: MARGIN };
        // A portrait takes the top right corner (3:4, 90 × 120 points); the text beside it.
        let width = if let Some(bytes) = &sheet.photo {
            let (w, h) = (90.0, 120.0);
            c.ops().push(Op::Photo { x: PAGE_W - MARGIN - w, y: MARGIN, w, h, bytes: bytes.clone() });
            PAGE_W - 2.0 * MARGIN - w - 14.0
        } else {
            PAGE_W - 2.0 * MARGIN
        };
        self.paragraph(&mut c, &sheet.agency, 12.0, true, MARGIN, width);
        self.paragraph(&mut c, "Система электронных платежей (СЭП)", 9.0, false, MARGIN, width);
        c.y += 14.0;
        self.paragraph(&mut c, &sheet.title, 15.0, true, MARGIN, width);
        c.y += 4.0;
        self.paragraph(&mut c, &format!("№ {} от {}", sheet.number, sheet.issued_on), BODY, false, MARGIN, width);
        if !sheet.valid_until.is_empty() {
            self.paragraph(&mut c, &format!("Действительна до {}", sheet.valid_until), BODY, false, MARGIN, width);
        }
        c.y += 10.0;
        if sheet.photo.is_some() {
            // Below the portrait before the two-column lines begin.
            c.y = c.y.max(MARGIN + 130.0);
        }
        let width = PAGE_W - 2.0 * MARGIN;
        for (label, value) in &sheet.holder {
            self.label_value(&mut c, label, value);
        }
        if let Some(p) = &sheet.period {
            self.label_value(&mut c, "Период", p);
        }
        self.label_value(&mut c, "Назначение", &sheet.purpose);
        self.label_value(&mut c, &sheet.reference.0, &sheet.reference.1);
        c.y += 10.0;
        self.paragraph(&mut c, &sheet.extract.statement, BODY, false, MARGIN, width);
        c.y += 6.0;
        if !sheet.extract.columns.is_empty() && !sheet.extract.rows.is_empty() {
            self.table(&mut c, &sheet.extract.columns, &sheet.extract.rows);
        }
        for (label, value) in &sheet.extract.totals {
            self.label_value(&mut c, label, value);
        }
        // A paper without a check link (a report of operations) is not a signed document:
        // it ends with its table.
        if sheet.check_url.is_empty() {
            return Ok(c.pages);
        }
        // The check block: QR code on the left, the link and the signature's note beside it.
        let side = 96.0;
        c.y += 16.0;
        c.room(side + 10.0);
        let code = QrCode::with_error_correction_level(sheet.check_url.as_bytes(), EcLevel::M)
            .map_err(|e| format!("QR: {e}"))?;
        let modules: Vec<bool> = code.to_colors().into_iter().map(|m| m == qrcode::Color::Dark).collect();
        let top = c.y;
        c.ops().push(Op::Qr { x: MARGIN, y: top, side, modules, width: code.width() });
        let x = MARGIN + side + 14.0;
        let w = width - side - 14.0;
        c.text(x, BODY, true, "Проверить документ");
        c.y += BODY * 1.5;
        for l in self.regular.wrap(&sheet.check_url, 8.5, w) {
            c.text(x, 8.5, false, &l);
            c.y += 8.5 * 1.35;
        }
        c.y += 4.0;
        let note = "Документ сформирован автоматически по данным государственных информационных систем и подписан \
                    электронной подписью (ГОСТ Р 34.10-2012). Подпись передаётся отдельным файлом .sig; \
                    проверить её можно по ссылке или на странице /verify.";
        for l in self.regular.wrap(note, 8.0, w) {
            c.text(x, 8.0, false, &l);
            c.y += 8.0 * 1.35;
        }
        Ok(c.pages)
    }
}

impl Render for PdfRenderer {
    fn render(&self, sheet: &Sheet) -> Result<Vec<u8>, String> {
        match self.draw_sheet(sheet) {
            // A portrait whose picture does not decode (its header was read at upload, the
            // rest never): the document is still made, without it.
            Err(_) if sheet.photo.is_some() => self.draw_sheet(&Sheet { photo: None, ..sheet.clone() }),
            done => done,
        }
    }
}

impl PdfRenderer {
    fn draw_sheet(&self, sheet: &Sheet) -> Result<Vec<u8>, String> {
        let configuration = ConfigurationBuilder::new()
            .with_version(PdfVersion::Pdf17)
            .with_archival_validator(Archival::A2_B)
            .finish()
            .map_err(|e| format!("{e:?}"))?;
        let settings = krilla::SerializeSettings { configuration, ..krilla::SerializeSettings::default() };
        let pages = self.layout(sheet)?;
        let mut doc = Document::new_with(settings);
        for ops in &pages {
            let mut page =
                doc.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("the page size is invalid")?);
            let mut surface = page.surface();
            for op in ops {
                draw(&mut surface, op, &self.regular.font, &self.bold.font);
            }
            surface.finish();
            page.finish();
        }
        let metadata = Metadata::new()
            .title(format!("{} № {}", sheet.title, sheet.number))
            .creator("СЭП".to_owned())
            .producer("СЭП (krilla)".to_owned())
            .language("ru".to_owned())
            .creation_date(creation_date(&sheet.issued_on));
        doc.set_metadata(metadata);
        doc.finish().map_err(|e| format!("{e:?}"))
    }
}

/// `ДД.ММ.ГГГГ` as the document's creation date (the day only: the bytes stay the same for
/// the same content within a day).
fn creation_date(day: &str) -> DateTime {
    let parts: Vec<u16> = day.split('.').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [d, m, y] => {
            DateTime::new(*y).month(u8::try_from(*m).unwrap_or(1)).day(u8::try_from(*d).unwrap_or(1)).utc_offset_hour(3)
        }
        _ => DateTime::new(2000),
    }
}

/// A made-up справка of income with `rows` table rows, for tests and benchmarks.
pub fn example_sheet(rows: usize) -> Sheet {
    use sep_core::spravka::records::Extract;
    Sheet {
        agency: "ФНС России".into(),
        title: "Справка о доходах и суммах налога физического лица".into(),
        number: "D2026-000001".into(),
        issued_on: "06.12.2026".into(),
        valid_until: "05.01.2027".into(),
        holder: vec![("Ф. И. О.".into(), "Иванов Иван Иванович".into()), ("ИНН".into(), "770123456703".into())],
        period: Some("с 01.01.2026 по 30.11.2026".into()),
        purpose: "для предоставления по месту требования".into(),
        extract: Extract {
            statement: "Доходы, полученные от налогового агента ООО «Ромашка» (ИНН 7701000019).".into(),
            columns: vec!["Месяц".into(), "Код дохода".into(), "Сумма дохода, ₽".into(), "Налог удержан, ₽".into()],
            rows: (0..rows)
                .map(|i| vec![format!("месяц {i}"), "2000".into(), "100 000,00".into(), "13 000,00".into()])
                .collect(),
            totals: vec![("Общая сумма дохода, ₽".into(), "1 100 000,00".into())],
        },
        check_url: "https://sep.example.ru/verify/D2026-000001?ck=0123456789abcdef0123456789abcdef".into(),
        reference: ("Заказ".into(), "S2026-000001".into()),
        photo: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real 3:4 PNG (grey), 60×80.
    fn portrait() -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, 60, 80);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&[128u8; 60 * 80]).unwrap();
        w.finish().unwrap();
        out
    }

    #[test]
    fn a_portrait_is_drawn_and_an_unreadable_one_left_out() {
        let r = PdfRenderer::new().unwrap();
        let images = |pdf: &[u8]| pdf.windows(14).filter(|w| w == b"/Subtype /Imag" || w == b"/Subtype/Image").count();
        let plain = r.render(&example_sheet(2)).unwrap();
        let with = r.draw_sheet(&Sheet { photo: Some(portrait()), ..example_sheet(2) }).unwrap();
        assert_eq!(images(&plain), 0);
        assert!(images(&with) >= 1, "the portrait is an image of the PDF");
        // Only a header: the document is still made, without the picture.
        let header = portrait()[..33].to_vec();
        let without = r.render(&Sheet { photo: Some(header), ..example_sheet(2) }).unwrap();
        assert!(without.starts_with(b"%PDF-") && images(&without) == 0);
    }

    fn sheet(rows: usize) -> Sheet {
        super::example_sheet(rows)
    }

    #[test]
    fn a_spravka_is_a_pdf_a_with_its_fonts_embedded() {
        let r = PdfRenderer::new().unwrap();
        let pdf = r.render(&sheet(11)).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("pdfaid:part"), "PDF/A identification in the XMP metadata");
        assert!(text.contains("FontFile2"), "the font is embedded");
    }

    #[test]
    fn a_long_table_continues_on_more_pages() {
        let r = PdfRenderer::new().unwrap();
        let one = r.render(&sheet(5)).unwrap();
        let many = r.render(&sheet(150)).unwrap();
        // Page objects: `/Type/Page` not followed by `s` (that is the page tree).
        let pages = |b: &[u8]| {
            let t = String::from_utf8_lossy(b);
            t.match_indices("/Type/Page").filter(|(i, m)| !t[i + m.len()..].starts_with('s')).count()
        };
        assert_eq!(pages(&one), 1);
        assert!(pages(&many) >= 3, "{} pages", pages(&many));
    }

    #[test]
    fn what_the_font_cannot_draw_is_replaced_not_refused() {
        let r = PdfRenderer::new().unwrap();
        let mut s = sheet(2);
        s.purpose = "для банка 🏦 银行\u{200b}ок".into();
        s.holder.push(("Адрес".into(), "ул. Ленина 😀".into()));
        let pdf = r.render(&s).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "PDF/A is still written");
        assert_eq!(r.regular.printable("банк 🏦 银\u{200b}ок"), "банк ? ?ок");
    }

    #[test]
    fn lines_wrap_within_the_width() {
        let r = PdfRenderer::new().unwrap();
        let lines = r.regular.wrap("слово ".repeat(60).trim(), 10.0, 200.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| r.regular.width(l, 10.0) <= 200.0));
        let url = r.regular.wrap(&"a".repeat(300), 10.0, 100.0);
        assert!(url.len() > 2 && url.iter().all(|l| r.regular.width(l, 10.0) <= 100.0));
        let narrow = r.regular.wrap("ШШШ", 30.0, 1.0);
        assert_eq!(narrow, ["Ш", "Ш", "Ш"], "a line too narrow for one letter still ends");
    }
}
