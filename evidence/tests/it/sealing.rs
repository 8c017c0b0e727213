//! Sealing and opening records; their byte encodings; commitments.

use contracts::primitives::{AccountId, ClaimId, Hash, Timestamp};
use evidence::{
    Bundle, EvidenceError, KEY_BYTES_LEN, Location, RecordKey, Sealed, open, seal, summarize, verify_commitment,
};
use rand_core::OsRng;

use crate::fixtures::{jpeg_parts, png_file};

const ALICE: AccountId = AccountId([0xA1; 32]);
const SEALED_AT: Timestamp = Timestamp(1_790_000_000_000);
const RETAIN_UNTIL: Timestamp = Timestamp(1_790_000_000_000 + 90 * 24 * 3_600_000);

fn bundle() -> Bundle {
    Bundle::new(
        &[&jpeg_parts(500).file(), &png_file(0).0],
        Some("Bench painted, two coats.".into()),
        Some(Location::rounded(50_888_149, 5_979_851).unwrap()),
    )
    .unwrap()
}

fn sealed_record() -> (Bundle, Sealed, RecordKey) {
    let bundle = bundle();
    let (sealed, key) = seal(&bundle, ALICE, ClaimId(7), RETAIN_UNTIL, SEALED_AT, &mut OsRng).unwrap();
    (bundle, sealed, key)
}

#[test]
fn seal_then_open_gives_the_bundle_back() {
    let (bundle, sealed, key) = sealed_record();
    assert_eq!(open(&sealed, &key).unwrap(), bundle);
    assert_eq!(sealed.header.owner, ALICE);
    assert_eq!(sealed.header.claim, ClaimId(7));
    assert_eq!(sealed.header.retain_until, RETAIN_UNTIL);
    assert_eq!(sealed.header.sealed_at, SEALED_AT);
    assert!(verify_commitment(&sealed.header.commitment, key.salt(), &bundle.content_hash()));
}

#[test]
fn storage_bytes_round_trip() {
    let (bundle, sealed, key) = sealed_record();
    let sealed_back = Sealed::from_bytes(&sealed.to_bytes()).unwrap();
    assert_eq!(sealed_back, sealed);
    let key_bytes = key.to_bytes();
    assert_eq!(key_bytes.len(), KEY_BYTES_LEN);
    let key_back = RecordKey::from_bytes(&key_bytes).unwrap();
    assert_eq!(open(&sealed_back, &key_back).unwrap(), bundle);
}

#[test]
fn a_wrong_key_fails() {
    let (_, sealed, _) = sealed_record();
    let (_, _, other_key) = sealed_record();
    assert_eq!(open(&sealed, &other_key).unwrap_err(), EvidenceError::Decrypt);
}

#[test]
fn tampered_ciphertext_nonce_or_header_fails() {
    let (_, sealed, key) = sealed_record();
    let mut changes: Vec<(&str, Sealed)> = Vec::new();
    let mut ciphertext = sealed.clone();
    ciphertext.ciphertext[10] ^= 1;
    changes.push(("ciphertext", ciphertext));
    let mut tag = sealed.clone();
    let last = tag.ciphertext.len() - 1;
    tag.ciphertext[last] ^= 0x80;
    changes.push(("tag", tag));
    let mut nonce = sealed.clone();
    nonce.nonce[0] ^= 1;
    changes.push(("nonce", nonce));
    let mut owner = sealed.clone();
    owner.header.owner = AccountId([0xB0; 32]);
    changes.push(("owner", owner));
    let mut claim = sealed.clone();
    claim.header.claim = ClaimId(8);
    changes.push(("claim", claim));
    let mut retain = sealed.clone();
    retain.header.retain_until = Timestamp(u64::MAX);
    changes.push(("retain_until", retain));
    let mut sealed_at = sealed.clone();
    sealed_at.header.sealed_at = Timestamp(0);
    changes.push(("sealed_at", sealed_at));
    let mut commitment = sealed.clone();
    commitment.header.commitment = Hash([0; 32]);
    changes.push(("commitment", commitment));
    let mut cut = sealed.clone();
    cut.ciphertext.truncate(8);
    changes.push(("truncated", cut));
    for (what, changed) in changes {
        assert_eq!(open(&changed, &key).unwrap_err(), EvidenceError::Decrypt, "changed {what}");
    }
    // The same through the storage bytes: flip one bit anywhere and the record does not open.
    let bytes = sealed.to_bytes();
    for index in (0..bytes.len()).step_by(97) {
        let mut flipped = bytes.clone();
        flipped[index] ^= 0x04;
        let opened = Sealed::from_bytes(&flipped).and_then(|record| open(&record, &key));
        assert!(opened.is_err(), "bit flip at {index} went unnoticed");
    }
}

#[test]
fn a_wrong_salt_is_a_commitment_mismatch() {
    let (_, sealed, key) = sealed_record();
    let mut bytes = key.to_bytes().to_vec();
    bytes[KEY_BYTES_LEN - 1] ^= 1;
    let wrong_salt = RecordKey::from_bytes(&bytes).unwrap();
    assert_eq!(open(&sealed, &wrong_salt).unwrap_err(), EvidenceError::CommitmentMismatch);
}

#[test]
fn the_same_bundle_gets_a_different_commitment_each_time() {
    let bundle = bundle();
    let (first, first_key) = seal(&bundle, ALICE, ClaimId(7), RETAIN_UNTIL, SEALED_AT, &mut OsRng).unwrap();
    let (second, second_key) = seal(&bundle, ALICE, ClaimId(7), RETAIN_UNTIL, SEALED_AT, &mut OsRng).unwrap();
    assert_ne!(first_key.salt(), second_key.salt());
    assert_ne!(first.header.commitment, second.header.commitment);
    assert_ne!(first.nonce, second.nonce);
    let content = bundle.content_hash();
    assert!(verify_commitment(&first.header.commitment, first_key.salt(), &content));
    assert!(!verify_commitment(&first.header.commitment, second_key.salt(), &content));
    assert!(!verify_commitment(&first.header.commitment, first_key.salt(), &[0; 32]));
    // The commitment uses the ledger's evidence hash domain over salt and content hash.
    let expected = contracts::crypto::HashKind::Evidence.hasher().update(first_key.salt()).update(&content).finalize();
    assert_eq!(first.header.commitment.0, *expected.as_bytes());
}

#[test]
fn retention_must_end_after_sealing() {
    let result = seal(&bundle(), ALICE, ClaimId(7), SEALED_AT, SEALED_AT, &mut OsRng);
    assert!(matches!(result, Err(EvidenceError::RetentionInPast { .. })));
}

#[test]
fn storage_bytes_are_checked() {
    let (_, sealed, key) = sealed_record();
    let bytes = sealed.to_bytes();
    let key_bytes = key.to_bytes();
    assert!(matches!(Sealed::from_bytes(&key_bytes), Err(EvidenceError::WrongMagic { .. })));
    assert!(matches!(RecordKey::from_bytes(&bytes), Err(EvidenceError::WrongMagic { .. })));
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(Sealed::from_bytes(&longer), Err(EvidenceError::Decode { .. })));
    assert!(matches!(Sealed::from_bytes(&bytes[..bytes.len() - 1]), Err(EvidenceError::Decode { .. })));
    let mut version_2 = bytes;
    version_2[4] = 2;
    assert!(matches!(Sealed::from_bytes(&version_2), Err(EvidenceError::UnsupportedVersion { version: 2, .. })));
    assert!(matches!(RecordKey::from_bytes(&key_bytes[..KEY_BYTES_LEN - 1]), Err(EvidenceError::Decode { .. })));
    let mut key_longer = key_bytes.to_vec();
    key_longer.push(0);
    assert!(matches!(RecordKey::from_bytes(&key_longer), Err(EvidenceError::Decode { .. })));
    assert_eq!(format!("{key:?}"), "RecordKey(<secret>)");
}

#[test]
fn the_summary_has_sizes_and_flags_but_no_content() {
    let (bundle, sealed, key) = sealed_record();
    let summary = summarize(&sealed, &key).unwrap();
    assert_eq!(summary.photos.len(), 2);
    assert_eq!(summary.photos[0].bytes, bundle.photos()[0].bytes().len());
    assert!(summary.has_note && summary.has_location);
    assert_eq!(summary.retain_until, RETAIN_UNTIL);
    let json = serde_json::to_string(&summary).unwrap();
    assert!(!json.contains("Bench painted"), "{json}");
    assert!(!json.contains("50888100") && !json.contains("lat_microdeg"), "{json}");
    assert!(!json.contains("/9j/"), "{json}");
    assert!(json.contains(r#""format":"jpeg""#), "{json}");
}
