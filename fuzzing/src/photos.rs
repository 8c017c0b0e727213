//! The evidence crate's decoders: the JPEG and PNG strippers (photos from residents' machines
//! and, again, in every upload), the canonical bundle and its JSON (uploads, reads), and the
//! sealed record with its key (storage and replication between validators).

use evidence::{Bundle, Format, RecordKey, Sealed, strip_photo};

use crate::ledger::assert_json_round_trip;
use crate::{Verdict, select};

const JPEG_SOI: [u8; 3] = [0xFF, 0xD8, 0xFF];
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// Strips `photo`; whatever is accepted must strip again to the same bytes with nothing removed
/// (the node strips every uploaded photo a second time), keep its format and not grow.
fn strip(photo: &[u8], format: Format) -> Verdict {
    let Ok(stripped) = strip_photo(photo) else { return Verdict::Refused };
    assert_eq!(stripped.format(), format, "a photo changed format when stripped");
    assert!(stripped.bytes().len() <= photo.len(), "stripping made a photo larger");
    let again = strip_photo(stripped.bytes()).unwrap_or_else(|e| panic!("a stripped photo is refused: {e}"));
    assert_eq!(again.bytes(), stripped.bytes(), "stripping a stripped photo changed it");
    assert!(again.removed().is_empty(), "stripping a stripped photo removed {:?}", again.removed());
    let _ = stripped.describe();
    Verdict::Accepted
}

/// Puts `magic` in front of `data` unless it is there, so the fuzzer spends its time inside the
/// walker rather than on format detection.
fn with_magic(magic: &[u8], data: &[u8]) -> Vec<u8> {
    if data.starts_with(magic) { data.to_vec() } else { [magic, data].concat() }
}

/// The JPEG segment walker.
pub fn jpeg(data: &[u8]) -> Verdict {
    strip(&with_magic(&JPEG_SOI, data), Format::Jpeg)
}

/// The PNG chunk walker (CRCs are checked, so mutated inputs mostly stop at the first chunk;
/// the seeds carry valid CRCs).
pub fn png(data: &[u8]) -> Verdict {
    strip(&with_magic(&PNG_SIGNATURE, data), Format::Png)
}

/// An evidence bundle: the canonical bytes of an upload (selector byte even) or the JSON a node
/// serves on a read (odd). What is read is a fixed point: its canonical bytes and its JSON read
/// back to the same bundle.
pub fn evidence_bundle(data: &[u8]) -> Verdict {
    let Some((choice, rest)) = select(data, 2) else { return Verdict::Refused };
    let bundle = if choice == 0 {
        let Ok(bundle) = Bundle::from_canonical_bytes(rest) else { return Verdict::Refused };
        // Reading strips every photo again (defence in depth), so a photo that still carried
        // metadata comes out shorter: the bytes may change, but never grow.
        assert!(bundle.to_canonical_bytes().len() <= rest.len(), "a decoded bundle re-encodes longer");
        bundle
    } else {
        let Ok(bundle) = serde_json::from_slice::<Bundle>(rest) else { return Verdict::Refused };
        bundle
    };
    let again = Bundle::from_canonical_bytes(&bundle.to_canonical_bytes())
        .unwrap_or_else(|e| panic!("a bundle's own canonical bytes are refused: {e}"));
    assert_eq!(again, bundle, "a bundle's canonical bytes read back to another bundle");
    assert_json_round_trip("evidence bundle", &bundle);
    Verdict::Accepted
}

/// A sealed record and its key as replicated between validators: `u32` length of the record,
/// the record, then the key. Each must round trip; opening must answer without panicking.
pub fn evidence_record(data: &[u8]) -> Verdict {
    let Some(length) = data.get(..4) else { return Verdict::Refused };
    let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]) as usize;
    let Some((record, key)) = data.get(4..).and_then(|rest| rest.split_at_checked(length)) else {
        return Verdict::Refused;
    };
    let sealed = Sealed::from_bytes(record);
    if let Ok(sealed) = &sealed {
        assert_eq!(sealed.to_bytes(), record, "a decoded record re-encodes to other bytes");
    }
    let key = RecordKey::from_bytes(key);
    if let Ok(key) = &key {
        assert_eq!(key.to_bytes().as_slice(), data.get(4 + length..).unwrap_or_default(), "a key re-encodes");
    }
    let (Ok(sealed), Ok(key)) = (sealed, key) else { return Verdict::Refused };
    match evidence::open(&sealed, &key) {
        Ok(bundle) => {
            assert!(
                evidence::verify_commitment(&sealed.header.commitment, key.salt(), &bundle.content_hash()),
                "a record opened but its content does not match its commitment"
            );
            Verdict::Accepted
        }
        Err(_) => Verdict::Refused,
    }
}
