//! QR codes for payment requests: for a terminal, as a PNG and as an SVG.
//!
//! Every rendering encodes the text's bytes at error correction level M, which survives about 15%
//! of the symbol being damaged or glared over, and surrounds the symbol with a light quiet zone.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};
use thiserror::Error;

/// Light modules around a PNG or SVG symbol, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;

/// Light modules around a terminal symbol: fewer than the standard's 4 to fit a terminal, and
/// enough for phone scanners.
pub const TERMINAL_QUIET_ZONE: usize = 2;

/// The largest PNG scale, in pixels per module.
pub const MAX_PNG_SCALE: u32 = 64;

/// The most bytes a QR code holds at error correction level M (version 40).
pub const MAX_BYTES: usize = 2331;

/// Why a QR code could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QrError {
    /// The text does not fit in a QR code.
    #[error("the text is {len} bytes, more than a QR code holds ({max} at level M); shorten it", max = MAX_BYTES)]
    TooLong {
        /// The text's length in bytes.
        len: usize,
    },
    /// The encoder refused the text for another reason.
    #[error("could not make a QR code: {0}")]
    Encode(String),
    /// The PNG scale is out of range.
    #[error("PNG scale {0} is outside 1 to {max}; choose the pixels per module in that range", max = MAX_PNG_SCALE)]
    Scale(u32),
    /// The PNG encoder failed.
    #[error("could not write the PNG: {0}")]
    Png(String),
}

/// Renders `text` for a terminal with a dark background, two module rows per line.
///
/// Light modules are drawn in the text colour with the half blocks `▀ ▄ █` and dark modules are
/// left as background. On the dark background of most terminals (Windows Terminal, GNOME
/// Terminal, and most configured ones) that gives dark modules on light, with the painted quiet
/// zone as the light border a scanner needs. On a light background the code appears inverted,
/// which many phone scanners still read; use [`png()`] or [`svg()`] where that matters.
pub fn terminal(text: &str) -> Result<String, QrError> {
    let modules = Modules::new(text, TERMINAL_QUIET_ZONE)?;
    let mut out = String::new();
    for y in (0..modules.size).step_by(2) {
        for x in 0..modules.size {
            // Past the last row counts as light: one more painted quiet row when the size is odd.
            out.push(match (modules.is_dark(x, y), modules.is_dark(x, y + 1)) {
                (false, false) => '█',
                (false, true) => '▀',
                (true, false) => '▄',
                (true, true) => ' ',
            });
        }
        out.push('\n');
    }
    Ok(out)
}

/// Renders `text` with `##` for each light module and two spaces for each dark one, for
/// terminals without Unicode. Like [`terminal`], it is meant for a dark background.
pub fn ascii(text: &str) -> Result<String, QrError> {
    let modules = Modules::new(text, TERMINAL_QUIET_ZONE)?;
    let mut out = String::new();
    for y in 0..modules.size {
        for x in 0..modules.size {
            out.push_str(if modules.is_dark(x, y) { "  " } else { "##" });
        }
        out.push('\n');
    }
    Ok(out)
}

/// Renders `text` as an 8-bit greyscale PNG, black on white, `scale` pixels per module
/// (1 to [`MAX_PNG_SCALE`]), with a quiet zone of [`QUIET_ZONE`] modules.
pub fn png(text: &str, scale: u32) -> Result<Vec<u8>, QrError> {
    if !(1..=MAX_PNG_SCALE).contains(&scale) {
        return Err(QrError::Scale(scale));
    }
    let modules = Modules::new(text, QUIET_ZONE)?;
    let scale_px = usize::try_from(scale).map_err(|_| QrError::Scale(scale))?;
    let side = modules.size * scale_px;
    let mut pixels = Vec::with_capacity(side * side);
    for y in 0..side {
        pixels.extend((0..side).map(|x| if modules.is_dark(x / scale_px, y / scale_px) { 0u8 } else { 255 }));
    }
    let side = u32::try_from(side).map_err(|_| QrError::Scale(scale))?;
    let png_error = |err: png::EncodingError| QrError::Png(err.to_string());
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&pixels).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

/// Renders `text` as an SVG, black on white with a quiet zone of [`QUIET_ZONE`] modules. One unit
/// of the `viewBox` is one module; the dark modules are one `<path>` of row runs, each
/// `M{x} {y}h{run}v1h-{run}z`.
pub fn svg(text: &str) -> Result<String, QrError> {
    let modules = Modules::new(text, QUIET_ZONE)?;
    let size = modules.size;
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !modules.is_dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while modules.is_dark(x, y) {
                x += 1;
            }
            // Writing to a String cannot fail.
            let _ = write!(path, "M{start} {y}h{run}v1h-{run}z", run = x - start);
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>\n",
        px = size * 8
    ))
}

/// The symbol with its quiet zone, row by row.
struct Modules {
    size: usize,
    dark: Vec<bool>,
}

impl Modules {
    fn new(text: &str, quiet: usize) -> Result<Self, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|err| match err {
            qrcode::types::QrError::DataTooLong => QrError::TooLong { len: text.len() },
            other => QrError::Encode(other.to_string()),
        })?;
        let width = code.width();
        let colors = code.into_colors();
        let size = width + 2 * quiet;
        let module = |x: usize, y: usize| match (x.checked_sub(quiet), y.checked_sub(quiet)) {
            (Some(x), Some(y)) if x < width && y < width => colors.get(y * width + x) == Some(&Color::Dark),
            _ => false,
        };
        let dark = (0..size).flat_map(|y| (0..size).map(move |x| (x, y))).map(|(x, y)| module(x, y)).collect();
        Ok(Self { size, dark })
    }

    /// Whether a module is dark; everything outside the grid is light.
    fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.dark.get(y * self.size + x) == Some(&true)
    }
}

#[cfg(test)]
mod tests {
    use contracts::crypto::account_of;
    use contracts::primitives::PaymentRef;
    use contracts::{Amount, ChainId, Timestamp};
    use ed25519_dalek::SigningKey;

    use super::*;
    use crate::formats::payreq::{PaymentRequest, SignedRequest};

    /// Pixels per module when a test rasterises a text rendering.
    const PX: usize = 4;

    /// A real signed payment request; `long` adds a till and a 64-character label.
    fn uri(long: bool) -> String {
        let shop = SigningKey::from_bytes(&[1; 32]);
        let till = SigningKey::from_bytes(&[2; 32]);
        let request = PaymentRequest {
            merchant: account_of(&shop),
            amount: Amount(450),
            reference: PaymentRef::new("B-2026-0042").unwrap(),
            expires_at: Timestamp(1_795_000_000_000),
            label: long.then(|| "Koffie & appeltaart bij Bakkerij Van der Linden, €4,50 — bedankt".to_owned()),
            till: long.then(|| account_of(&till)),
            chain: ChainId::new("heerlen-1").unwrap(),
        };
        let key = if long { till } else { shop };
        let uri = SignedRequest::sign(request, &key).unwrap().to_uri();
        if long {
            assert!(uri.len() >= 300, "{}", uri.len());
        }
        uri
    }

    /// Finds exactly one QR code in a greyscale image (0 black, 255 white) and decodes it.
    fn decode(width: usize, height: usize, pixel: impl Fn(usize, usize) -> u8) -> String {
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, pixel);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "QR codes found");
        grids[0].decode().unwrap().1
    }

    /// Decodes a grid of modules (true = light), upscaled to `PX` pixels per module, inside a
    /// dark margin of 4 modules like the background of a dark terminal.
    fn decode_light_modules(rows: &[Vec<bool>]) -> String {
        let margin = 4;
        let (width, height) = (rows[0].len() + 2 * margin, rows.len() + 2 * margin);
        decode(width * PX, height * PX, |x, y| {
            let (x, y) = ((x / PX).checked_sub(margin), (y / PX).checked_sub(margin));
            let light = x.zip(y).and_then(|(x, y)| rows.get(y)?.get(x).copied()).unwrap_or(false);
            if light { 255 } else { 0 }
        })
    }

    #[test]
    fn png_decodes_to_the_same_text() {
        for long in [false, true] {
            let text = uri(long);
            let bytes = png(&text, 4).unwrap();
            let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
            let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut pixels).unwrap();
            assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Grayscale, png::BitDepth::Eight));
            let (width, height) = (info.width as usize, info.height as usize);
            assert_eq!(width, height);
            assert!(pixels[..width * QUIET_ZONE * 4].iter().all(|&p| p == 255), "quiet zone is white");
            assert!(pixels.iter().all(|&p| p == 0 || p == 255));
            assert_eq!(decode(width, height, |x, y| pixels[y * width + x]), text);
        }
    }

    #[test]
    fn svg_decodes_to_the_same_text() {
        for long in [false, true] {
            let text = uri(long);
            let svg = svg(&text).unwrap();
            assert!(svg.contains("shape-rendering=\"crispEdges\""));
            assert_eq!(svg.matches("<path").count(), 1);
            let size: usize = svg.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
            let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
            let mut dark = vec![vec![false; size]; size];
            for run in d.split('M').filter(|run| !run.is_empty()) {
                // {x} {y}h{run}v1h-{run}z
                let (x, rest) = run.split_once(' ').unwrap();
                let (y, rest) = rest.split_once('h').unwrap();
                let (len, rest) = rest.split_once('v').unwrap();
                assert_eq!(rest, format!("1h-{len}z"));
                let (x, y, len): (usize, usize, usize) = (x.parse().unwrap(), y.parse().unwrap(), len.parse().unwrap());
                dark[y][x..x + len].fill(true);
            }
            assert!(dark[..QUIET_ZONE].iter().flatten().all(|&d| !d), "quiet zone is white");
            let decoded = decode(size * PX, size * PX, |x, y| if dark[y / PX][x / PX] { 0 } else { 255 });
            assert_eq!(decoded, text);
        }
    }

    #[test]
    fn terminal_decodes_to_the_same_text() {
        for long in [false, true] {
            let text = uri(long);
            let rendered = terminal(&text).unwrap();
            let mut rows = Vec::new();
            for line in rendered.lines() {
                let halves: Vec<(bool, bool)> = line
                    .chars()
                    .map(|c| match c {
                        '█' => (true, true),
                        '▀' => (true, false),
                        '▄' => (false, true),
                        ' ' => (false, false),
                        other => panic!("unexpected {other:?}"),
                    })
                    .collect();
                rows.push(halves.iter().map(|half| half.0).collect::<Vec<_>>());
                rows.push(halves.iter().map(|half| half.1).collect());
            }
            assert!(rows[..TERMINAL_QUIET_ZONE].iter().flatten().all(|&light| light), "quiet zone is painted");
            assert!(rendered.lines().all(|line| line.chars().count() == rows[0].len()));
            assert_eq!(decode_light_modules(&rows), text);
        }
    }

    #[test]
    fn ascii_decodes_to_the_same_text() {
        let text = uri(true);
        let rendered = ascii(&text).unwrap();
        let rows: Vec<Vec<bool>> = rendered
            .lines()
            .map(|line| {
                line.as_bytes()
                    .chunks(2)
                    .map(|pair| match pair {
                        b"##" => true,
                        b"  " => false,
                        other => panic!("unexpected {other:?}"),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(decode_light_modules(&rows), text);
    }

    #[test]
    fn refuses_text_too_long_for_a_qr_code() {
        let text = "a".repeat(MAX_BYTES + 1);
        assert_eq!(terminal(&text), Err(QrError::TooLong { len: MAX_BYTES + 1 }));
        assert_eq!(png(&text, 1), Err(QrError::TooLong { len: MAX_BYTES + 1 }));
        assert_eq!(svg(&text), Err(QrError::TooLong { len: MAX_BYTES + 1 }));
        assert!(svg(&"a".repeat(MAX_BYTES)).is_ok());
    }

    #[test]
    fn refuses_png_scale_out_of_range() {
        assert_eq!(png("heitje", 0), Err(QrError::Scale(0)));
        assert_eq!(png("heitje", MAX_PNG_SCALE + 1), Err(QrError::Scale(MAX_PNG_SCALE + 1)));
        assert!(png("heitje", MAX_PNG_SCALE).is_ok());
    }
}
