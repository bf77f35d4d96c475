//! QR codes as images for pages and downloads: SVG (one path, scalable, inline in a page)
//! and PNG (8-bit greyscale, written here: a few chunks and stored deflate blocks — no image
//! library for one picture of squares). Both with the standard's quiet zone of four modules.

use qrcode::{EcLevel, QrCode};

const QUIET: usize = 4;

/// The modules of `text` at error correction `ec`: width and dark flags, row by row.
fn modules(text: &str, ec: EcLevel) -> Result<(usize, Vec<bool>), String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), ec).map_err(|e| format!("QR: {e}"))?;
    let w = code.width();
    Ok((w, code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect()))
}

/// An SVG of `text` (error correction M), labelled `label` for screen readers.
pub fn svg(text: &str, label: &str) -> Result<String, String> {
    svg_at(text, label, EcLevel::M)
}

/// [`svg`] at error correction Q (25 % may be damaged), for the e-passport's code.
pub fn svg_q(text: &str, label: &str) -> Result<String, String> {
    svg_at(text, label, EcLevel::Q)
}

/// [`png`] at error correction Q.
pub fn png_q(text: &str, scale: usize) -> Result<Vec<u8>, String> {
    png_at(text, scale, EcLevel::Q)
}

/// The QR version (1–40) `text` needs at error correction Q.
pub fn version_q(text: &str) -> Option<i16> {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q).ok()?.version() {
        qrcode::Version::Normal(n) => Some(n),
        qrcode::Version::Micro(_) => None,
    }
}

fn svg_at(text: &str, label: &str, ec: EcLevel) -> Result<String, String> {
    let (w, dark) = modules(text, ec)?;
    let side = w + 2 * QUIET;
    let mut path = String::with_capacity(dark.len() * 4);
    for (i, d) in dark.iter().enumerate() {
        if *d {
            path.push_str(&format!("M{} {}h1v1h-1z", i % w + QUIET, i / w + QUIET));
        }
    }
    let label: String = label
        .chars()
        .map(|c| match c {
            '<' | '>' | '&' | '"' => ' ',
            c => c,
        })
        .collect();
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{label}\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend(u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend(kind);
    out.extend(data);
    out.extend(crc.finalize().to_be_bytes());
}

/// A PNG of `text` (error correction M), `scale` pixels a module.
pub fn png(text: &str, scale: usize) -> Result<Vec<u8>, String> {
    png_at(text, scale, EcLevel::M)
}

fn png_at(text: &str, scale: usize, ec: EcLevel) -> Result<Vec<u8>, String> {
    let (w, dark) = modules(text, ec)?;
    let scale = scale.clamp(1, 32);
    let px = (w + 2 * QUIET) * scale;
    // Raw scanlines: a filter byte (0) then one grey byte a pixel.
    let mut raw = Vec::with_capacity((px + 1) * px);
    for y in 0..px {
        raw.push(0);
        for x in 0..px {
            let (mx, my) = (x / scale, y / scale);
            let on =
                mx >= QUIET && my >= QUIET && mx < w + QUIET && my < w + QUIET && dark[(my - QUIET) * w + (mx - QUIET)];
            raw.push(if on { 0 } else { 255 });
        }
    }
    // zlib: header, stored blocks of at most 65,535 bytes, Adler-32.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = u16::try_from(b.len()).unwrap_or(u16::MAX);
        z.extend(len.to_le_bytes());
        z.extend((!len).to_le_bytes());
        z.extend(*b);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let side = u32::try_from(px).map_err(|_| "the image is too large")?;
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend(side.to_be_bytes());
    ihdr.extend(side.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit greyscale, deflate, no filter method, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_one_labelled_path() {
        let s = svg("ST00012|Name=x", "QR-код <оплаты>").unwrap();
        assert!(s.starts_with("<svg ") && s.ends_with("</svg>"));
        assert!(s.contains("aria-label=\"QR-код  оплаты \""), "markup in the label is neutralised");
        assert_eq!(s.matches("<path").count(), 1);
    }

    #[test]
    fn png_has_its_signature_and_size() {
        let p = png("hello", 4).unwrap();
        assert!(p.starts_with(b"\x89PNG\r\n\x1a\n"));
        // Version 1 is 21 modules, plus the quiet zone on both sides, 4 pixels each.
        assert_eq!(&p[16..20], &u32::to_be_bytes((21 + 8) * 4));
    }
}
