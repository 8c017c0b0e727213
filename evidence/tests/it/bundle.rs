//! Bundle rules and its JSON form.

use evidence::{Bundle, EvidenceError, Format, Location, MAX_NOTE_CHARS, MAX_PHOTO_BYTES, MAX_PHOTOS};

use crate::fixtures::{jpeg_parts, png_file};

fn jpeg() -> Vec<u8> {
    jpeg_parts(200).file()
}

#[test]
fn new_strips_every_photo() {
    let png = png_file(0);
    let bundle = Bundle::new(&[&jpeg(), &png.0], Some("Bench painted.\nTwo coats.".into()), None).unwrap();
    assert_eq!(bundle.photos().len(), 2);
    assert_eq!(bundle.photos()[0].bytes(), jpeg_parts(200).clean().as_slice());
    assert_eq!(bundle.photos()[1].format(), Format::Png);
    assert_eq!(bundle.photos()[1].bytes(), png.1.as_slice());
}

#[test]
fn a_bad_photo_is_named_by_its_number() {
    let error = Bundle::new(&[&jpeg(), b"GIF89a"], None, None).unwrap_err();
    assert!(matches!(&error, EvidenceError::InPhoto { number: 2, .. }));
    assert!(error.to_string().starts_with("photo 2: only JPEG and PNG photos are accepted"), "{error}");
}

#[test]
fn limits_on_photos() {
    let photo = jpeg();
    let nine: Vec<&[u8]> = vec![&photo; MAX_PHOTOS + 1];
    assert_eq!(Bundle::new(&nine, None, None).unwrap_err(), EvidenceError::TooManyPhotos { count: 9, max: 8 });
    let eight: Vec<&[u8]> = vec![&photo; MAX_PHOTOS];
    assert!(Bundle::new(&eight, None, None).is_ok());
    // Eight photos of just over 1 MiB each are above 8 MiB together.
    let big = png_file(MAX_PHOTO_BYTES / MAX_PHOTOS).0;
    let too_big: Vec<&[u8]> = vec![&big; MAX_PHOTOS];
    assert!(matches!(Bundle::new(&too_big, None, None), Err(EvidenceError::TooLarge { max: MAX_PHOTO_BYTES, .. })));
}

#[test]
fn limits_on_the_note() {
    let longest = "é".repeat(MAX_NOTE_CHARS);
    assert!(Bundle::new(&[], Some(longest.clone()), None).is_ok());
    let too_long = format!("{longest}x");
    assert_eq!(
        Bundle::new(&[], Some(too_long), None).unwrap_err(),
        EvidenceError::NoteTooLong { chars: 1001, max: 1000 }
    );
    for bad in ["tab\there", "cr\r\n", "nul\0", "del\u{7f}", "c1\u{85}"] {
        assert!(
            matches!(Bundle::new(&[], Some(bad.into()), None), Err(EvidenceError::NoteControlCharacter { .. })),
            "{bad:?} accepted"
        );
    }
    assert!(Bundle::new(&[], Some("line one\nline two".into()), None).is_ok());
}

#[test]
fn limits_on_the_location() {
    assert!(Location::new(90_000_000, -180_000_000).is_ok());
    assert!(Location::new(90_000_001, 0).is_err());
    assert!(Location::new(0, 180_000_001).is_err());
    let unchecked = Location { lat_microdeg: -90_000_001, lon_microdeg: 0 };
    assert!(matches!(Bundle::new(&[], None, Some(unchecked)), Err(EvidenceError::LocationOutOfRange { .. })));
    // Heerlen, Pancratiusplein, rounded to the 100 micro-degree grid (about 10 m).
    assert_eq!(
        Location::rounded(50_888_149, 5_979_851).unwrap(),
        Location { lat_microdeg: 50_888_100, lon_microdeg: 5_979_900 }
    );
    assert_eq!(Location::rounded(-50, -151).unwrap(), Location { lat_microdeg: -100, lon_microdeg: -200 });
    assert_eq!(
        Location::rounded(90_000_000, 179_999_999).unwrap(),
        Location { lat_microdeg: 90_000_000, lon_microdeg: 180_000_000 }
    );
}

#[test]
fn an_empty_bundle_is_refused() {
    assert_eq!(Bundle::new(&[], None, None).unwrap_err(), EvidenceError::EmptyBundle);
}

#[test]
fn json_round_trip_with_base64_photos() {
    let location = Location::rounded(50_888_149, 5_979_851).unwrap();
    let bundle = Bundle::new(&[&jpeg()], Some("done".into()), Some(location)).unwrap();
    let json = serde_json::to_value(&bundle).unwrap();
    assert_eq!(json["photos"][0]["format"], "jpeg");
    assert!(json["photos"][0]["bytes"].as_str().unwrap().starts_with("/9j/"), "base64 of FF D8 FF");
    assert_eq!(json["location"]["lat_microdeg"], 50_888_100);
    let back: Bundle = serde_json::from_value(json).unwrap();
    assert_eq!(back, bundle);
}

#[test]
fn json_input_is_checked_and_stripped() {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD.encode(jpeg());
    let bundle: Bundle =
        serde_json::from_str(&format!(r#"{{"photos":[{{"format":"jpeg","bytes":"{raw}"}}]}}"#)).unwrap();
    assert_eq!(bundle.photos()[0].bytes(), jpeg_parts(200).clean().as_slice());
    let mismatch = serde_json::from_str::<Bundle>(&format!(r#"{{"photos":[{{"format":"png","bytes":"{raw}"}}]}}"#));
    assert!(mismatch.unwrap_err().to_string().contains("declared as PNG but its bytes are JPEG"));
    assert!(serde_json::from_str::<Bundle>(r#"{"photos":[{"format":"heic","bytes":""}]}"#).is_err());
    assert!(serde_json::from_str::<Bundle>(r#"{"photos":[{"format":"jpeg","bytes":"not base64!"}]}"#).is_err());
    assert!(serde_json::from_str::<Bundle>(r#"{"note":"x","extra":1}"#).is_err());
    assert!(serde_json::from_str::<Bundle>(r#"{"note":"bell\u0007"}"#).is_err());
    assert!(serde_json::from_str::<Bundle>(r#"{}"#).unwrap_err().to_string().contains("evidence is empty"));
}

#[test]
fn canonical_bytes_round_trip_and_refuse_leftovers() {
    let bundle =
        Bundle::new(&[&jpeg(), &png_file(0).0], Some("ok".into()), Some(Location::new(1, -1).unwrap())).unwrap();
    let bytes = bundle.to_canonical_bytes();
    assert_eq!(Bundle::from_canonical_bytes(&bytes).unwrap(), bundle);
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(Bundle::from_canonical_bytes(&longer), Err(EvidenceError::Decode { .. })));
    let mut version_2 = bytes;
    version_2[0] = 2;
    assert!(matches!(Bundle::from_canonical_bytes(&version_2), Err(EvidenceError::UnsupportedVersion { .. })));
}
