//! `strip_photo` on synthetic JPEG and PNG files.

use evidence::{EvidenceError, Format, strip_photo};

use crate::fixtures::{PNG_SIGNATURE, cat, chunk, jpeg_parts, png_file, segment};

#[test]
fn jpeg_loses_exif_with_gps_xmp_and_comment_and_keeps_every_other_byte() {
    let parts = jpeg_parts(300);
    let stripped = strip_photo(&parts.file()).expect("valid JPEG");
    assert_eq!(stripped.format(), Format::Jpeg);
    assert_eq!(stripped.bytes(), parts.clean().as_slice());
    assert!(!stripped.bytes().windows(2).any(|w| w == [0xFF, 0xE1]), "no APP1 marker left");
    assert!(stripped.had_exif());
    assert!(stripped.had_gps());
    let segments: Vec<&str> = stripped.removed().iter().map(|r| r.segment.as_str()).collect();
    assert_eq!(segments, ["APP1", "APP1", "COM"]);
    assert_eq!(stripped.removed()[0].bytes, parts.exif.len());
    assert_eq!(stripped.describe(), "EXIF (incl. GPS position), XMP (incl. GPS position), comment");
}

#[test]
fn jpeg_exif_without_gps_is_reported_without_gps() {
    let parts = jpeg_parts(50);
    let exif = segment(0xE1, b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0");
    let file = cat(&[
        &parts.soi,
        &parts.app0,
        &exif,
        &parts.dqt,
        &parts.sof0,
        &parts.dht,
        &parts.sos,
        &parts.scan,
        &parts.eoi,
    ]);
    let stripped = strip_photo(&file).expect("valid JPEG");
    assert!(stripped.had_exif() && !stripped.had_gps());
    assert_eq!(stripped.describe(), "EXIF");
}

#[test]
fn jpeg_keeps_app14_and_drops_app2_app13_app15_and_trailing_images() {
    let parts = jpeg_parts(64);
    let app14 = segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01");
    let icc = segment(0xE2, b"ICC_PROFILE\0\x01\x01profile");
    let iptc = segment(0xED, b"Photoshop 3.0\08BIM");
    let app15 = segment(0xEF, b"maker");
    let trailing = cat(&[&parts.soi, &parts.exif, &parts.eoi]);
    let file = cat(&[
        &parts.soi,
        &parts.app0,
        &app14,
        &icc,
        &iptc,
        &app15,
        &parts.dqt,
        &parts.sof0,
        &parts.dht,
        &parts.sos,
        &parts.scan,
        &parts.eoi,
        &trailing,
    ]);
    let clean = cat(&[
        &parts.soi,
        &parts.app0,
        &app14,
        &parts.dqt,
        &parts.sof0,
        &parts.dht,
        &parts.sos,
        &parts.scan,
        &parts.eoi,
    ]);
    let stripped = strip_photo(&file).expect("valid JPEG");
    assert_eq!(stripped.bytes(), clean.as_slice());
    assert_eq!(stripped.describe(), "ICC colour profile, IPTC/Photoshop, other metadata, data after the image");
    assert_eq!(stripped.removed().last().map(|r| r.bytes), Some(trailing.len()));
}

#[test]
fn progressive_jpeg_with_tables_between_scans_keeps_all_scans() {
    let parts = jpeg_parts(40);
    let sof2 = segment(0xC2, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
    let file = cat(&[
        &parts.soi,
        &parts.dqt,
        &sof2,
        &parts.dht,
        &parts.sos,
        &parts.scan,
        &parts.dht,
        &parts.com,
        &parts.sos,
        &parts.scan,
        &parts.eoi,
    ]);
    let clean = cat(&[
        &parts.soi,
        &parts.dqt,
        &sof2,
        &parts.dht,
        &parts.sos,
        &parts.scan,
        &parts.dht,
        &parts.sos,
        &parts.scan,
        &parts.eoi,
    ]);
    assert_eq!(strip_photo(&file).expect("valid progressive JPEG").bytes(), clean.as_slice());
}

#[test]
fn stripping_is_idempotent() {
    let jpeg = strip_photo(&jpeg_parts(100).file()).expect("valid JPEG");
    let again = strip_photo(jpeg.bytes()).expect("clean JPEG");
    assert_eq!(again.bytes(), jpeg.bytes());
    assert!(again.removed().is_empty());
    assert_eq!(again.describe(), "nothing");
    let png = strip_photo(&png_file(0).0).expect("valid PNG");
    assert_eq!(strip_photo(png.bytes()).expect("clean PNG").bytes(), png.bytes());
}

#[test]
fn png_loses_text_exif_and_time_and_still_parses() {
    let (file, clean) = png_file(0);
    let stripped = strip_photo(&file).expect("valid PNG");
    assert_eq!(stripped.format(), Format::Png);
    assert_eq!(stripped.bytes(), clean.as_slice());
    let segments: Vec<&str> = stripped.removed().iter().map(|r| r.segment.as_str()).collect();
    assert_eq!(segments, ["tEXt", "eXIf", "tIME"]);
    assert!(stripped.had_exif() && stripped.had_gps());
    assert_eq!(stripped.describe(), "text, EXIF (incl. GPS position), timestamp");
    // The output is a well-formed PNG: signature, CRCs and chunk order check out again,
    // and its chunks are exactly the image chunks.
    let reparsed = strip_photo(stripped.bytes()).expect("stripped PNG parses");
    assert!(reparsed.removed().is_empty());
    assert_eq!(png_chunk_types(stripped.bytes()), ["IHDR", "sRGB", "IDAT", "IEND"]);
}

fn png_chunk_types(png: &[u8]) -> Vec<String> {
    let mut types = Vec::new();
    let mut at = 8;
    while at < png.len() {
        let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        types.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
        at += 12 + length;
    }
    types
}

#[test]
fn png_xmp_in_itxt_is_named_xmp() {
    let (file, _) = png_file(0);
    let xmp = chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta exif:GPSLongitude=\"5,58E\"/>");
    let with_xmp = [&file[..33], &xmp[..], &file[33..]].concat();
    let stripped = strip_photo(&with_xmp).expect("valid PNG");
    assert_eq!(stripped.removed()[0].label, "XMP");
    assert!(stripped.removed()[0].gps);
}

#[test]
fn png_with_a_bad_crc_is_refused_naming_the_chunk() {
    let (mut file, _) = png_file(0);
    let last = file.len() - 1;
    file[last] ^= 1; // IEND's CRC
    let error = strip_photo(&file).unwrap_err();
    assert!(matches!(error, EvidenceError::MalformedPng { .. }));
    assert!(error.to_string().contains("IEND chunk checksum (CRC) does not match"), "{error}");
}

#[test]
fn png_with_an_unknown_critical_chunk_is_refused() {
    let (file, _) = png_file(0);
    let odd = chunk(b"ABCD", b"x");
    let file = [&file[..33], &odd[..], &file[33..]].concat();
    assert!(strip_photo(&file).unwrap_err().to_string().contains("unknown critical chunk ABCD"));
}

#[test]
fn png_that_does_not_start_with_ihdr_is_refused() {
    let file = [&PNG_SIGNATURE[..], &chunk(b"IEND", &[])].concat();
    assert!(strip_photo(&file).unwrap_err().to_string().contains("the first chunk is IEND, not IHDR"));
}

#[test]
fn other_formats_are_refused_with_advice() {
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    let message = strip_photo(heic).unwrap_err().to_string();
    assert!(message.starts_with("only JPEG and PNG photos are accepted; convert"), "{message}");
    assert!(message.contains("HEIC"), "{message}");
    let gif = strip_photo(b"GIF89a\x01\0\x01\0").unwrap_err();
    assert_eq!(gif, EvidenceError::UnsupportedFormat { detected: Some("GIF") });
    assert_eq!(strip_photo(b"hello").unwrap_err(), EvidenceError::UnsupportedFormat { detected: None });
    assert_eq!(strip_photo(b"").unwrap_err(), EvidenceError::EmptyPhoto);
}

#[test]
fn truncated_and_malformed_jpegs_say_what_is_wrong() {
    let parts = jpeg_parts(100);
    let file = parts.file();
    let no_eoi = &file[..file.len() - 2];
    assert!(strip_photo(no_eoi).unwrap_err().to_string().contains("before EOI (truncated)"));
    let cut_in_dqt = parts.soi.len() + parts.app0.len() + parts.exif.len() + parts.xmp.len() + parts.com.len() + 10;
    let message = strip_photo(&file[..cut_in_dqt]).unwrap_err().to_string();
    assert!(message.contains("inside the DQT segment (truncated)"), "{message}");
    let no_scan = cat(&[&parts.soi, &parts.app0, &parts.eoi]);
    assert!(strip_photo(&no_scan).unwrap_err().to_string().contains("no SOS"));
    let zero_length = [&parts.soi[..], &[0xFF, 0xDB, 0x00, 0x01]].concat();
    assert!(strip_photo(&zero_length).unwrap_err().to_string().contains("length 1 is below 2"));
    let junk_between = [&parts.soi[..], &parts.app0[..], &[0x12], &parts.dqt[..]].concat();
    assert!(strip_photo(&junk_between).unwrap_err().to_string().contains("expected a marker"));
    for cut in 0..file.len() {
        assert!(strip_photo(&file[..cut]).is_err(), "prefix of {cut} bytes accepted");
    }
}

#[test]
fn every_truncated_png_is_refused() {
    let (file, _) = png_file(0);
    for cut in 0..file.len() {
        assert!(strip_photo(&file[..cut]).is_err(), "prefix of {cut} bytes accepted");
    }
}
