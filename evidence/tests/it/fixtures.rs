//! Synthetic JPEG and PNG files with known metadata, built byte by byte.

#![allow(dead_code, unreachable_pub, reason = "shared by the tests and the bench; each uses a part")]

/// Concatenates byte strings.
pub fn cat(parts: &[&Vec<u8>]) -> Vec<u8> {
    parts.iter().flat_map(|part| part.iter().copied()).collect()
}

/// A JPEG segment with a length: `FF code len payload`.
pub fn segment(code: u8, payload: &[u8]) -> Vec<u8> {
    let length = u16::try_from(payload.len() + 2).expect("fixture segments are small");
    let mut out = vec![0xFF, code];
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A little-endian TIFF with IFD0 holding one entry: a GPS IFD pointer, whose IFD holds a
/// GPSLatitudeRef "N".
pub fn tiff_with_gps() -> Vec<u8> {
    let mut tiff = vec![b'I', b'I', 42, 0, 8, 0, 0, 0];
    // IFD0 at 8: one entry, GPSInfo (0x8825) LONG 1 -> offset 26; next IFD 0.
    tiff.extend_from_slice(&[1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0]);
    // GPS IFD at 26: one entry, GPSLatitudeRef (1) ASCII 2 "N\0"; next IFD 0.
    tiff.extend_from_slice(&[1, 0, 1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0, 0, 0, 0, 0]);
    tiff
}

/// The parts of the synthetic JPEG, in file order.
pub struct JpegParts {
    pub soi: Vec<u8>,
    pub app0: Vec<u8>,
    pub exif: Vec<u8>,
    pub xmp: Vec<u8>,
    pub com: Vec<u8>,
    pub dqt: Vec<u8>,
    pub sof0: Vec<u8>,
    pub dht: Vec<u8>,
    pub sos: Vec<u8>,
    pub scan: Vec<u8>,
    pub eoi: Vec<u8>,
}

/// A small baseline JPEG with JFIF, EXIF (with GPS), XMP and a comment.
pub fn jpeg_parts(scan_len: usize) -> JpegParts {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff_with_gps());
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:Description exif:GPSLatitude=\"50,53.2N\"/></x:xmpmeta>";
    let mut dqt = vec![0x00];
    dqt.extend((1..=64u8).collect::<Vec<_>>());
    let mut dht = vec![0x00, 1];
    dht.extend_from_slice(&[0; 15]);
    dht.push(0);
    // Scan data with a stuffed 0xFF00 and a restart marker, which belong to the scan.
    let mut scan = Vec::with_capacity(scan_len);
    let mut i = 0u32;
    while scan.len() < scan_len {
        match i % 97 {
            13 => scan.extend_from_slice(&[0xFF, 0x00]),
            50 => scan.extend_from_slice(&[0xFF, 0xD3]),
            _ => scan.push((i.wrapping_mul(2_654_435_761) >> 24) as u8 & 0xFE),
        }
        i += 1;
    }
    JpegParts {
        soi: vec![0xFF, 0xD8],
        app0: segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
        exif: segment(0xE1, &exif),
        xmp: segment(0xE1, xmp),
        com: segment(0xFE, b"taken at Pancratiusplein 12 by Alice"),
        dqt: segment(0xDB, &dqt),
        sof0: segment(0xC0, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
        dht: segment(0xC4, &dht),
        sos: segment(0xDA, &[1, 1, 0x00, 0, 63, 0]),
        scan,
        eoi: vec![0xFF, 0xD9],
    }
}

impl JpegParts {
    /// The whole file, metadata included.
    pub fn file(&self) -> Vec<u8> {
        cat(&[
            &self.soi, &self.app0, &self.exif, &self.xmp, &self.com, &self.dqt, &self.sof0, &self.dht, &self.sos,
            &self.scan, &self.eoi,
        ])
    }

    /// The file as it must come out of stripping.
    pub fn clean(&self) -> Vec<u8> {
        cat(&[&self.soi, &self.app0, &self.dqt, &self.sof0, &self.dht, &self.sos, &self.scan, &self.eoi])
    }
}

/// A PNG chunk with its CRC.
pub fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(data.len()).expect("fixture chunks are small").to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// A 1x1 grey PNG whose IDAT is a valid zlib stream, padded with `extra_idat` more IDAT bytes
/// in a second chunk (to make big files; not valid image data, which stripping never decodes).
pub fn png_parts(extra_idat: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let ihdr = chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    // zlib: header, one stored block holding [filter 0, pixel 0], adler32 of those bytes.
    let idat = chunk(b"IDAT", &[0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
    let srgb = chunk(b"sRGB", &[0]);
    let text = chunk(b"tEXt", b"Comment\0Bench at Pancratiusplein, Alice");
    let exif = chunk(b"eXIf", &tiff_with_gps());
    let time = chunk(b"tIME", &[0x07, 0xEA, 11, 3, 14, 30, 0]);
    let iend = chunk(b"IEND", &[]);
    let mut kept = vec![PNG_SIGNATURE.to_vec(), ihdr, srgb, idat];
    if extra_idat > 0 {
        kept.push(chunk(b"IDAT", &vec![0x5A; extra_idat]));
    }
    kept.push(iend);
    (kept, vec![text, exif, time])
}

/// The PNG with metadata, and the PNG as it must come out of stripping.
pub fn png_file(extra_idat: usize) -> (Vec<u8>, Vec<u8>) {
    let (kept, dropped) = png_parts(extra_idat);
    let mut file = Vec::new();
    file.extend_from_slice(&kept[0]);
    file.extend_from_slice(&kept[1]);
    file.extend_from_slice(&dropped[0]);
    file.extend_from_slice(&kept[2]);
    file.extend_from_slice(&dropped[1]);
    for part in &kept[3..] {
        if part.get(4..8) == Some(b"IEND") {
            file.extend_from_slice(&dropped[2]);
        }
        file.extend_from_slice(part);
    }
    (file, kept.concat())
}
