//! Evidence intake throughput on one node: what `POST /v1/evidence` does after the signature
//! check, namely parse (and strip again) the canonical bundle, seal it under a fresh key and
//! store record, key and header in one synced RocksDB batch. Bundles of one 1 MiB photo. Then
//! erasure: the synced delete and the scrub (flush of every column family and compaction of the
//! record's key range) that leaves no byte of the key on disk.
//!
//! Run with `cargo bench -p node --bench evidence`. Prints figures; asserts nothing about time.

use std::time::Instant;

use contracts::primitives::ClaimId;
use contracts::{AccountId, Timestamp};
use evidence::Bundle;
use node::offchain::evidence as evidence_store;
use node::store::Storage;
use rand_core::OsRng;

const RECORDS: usize = 64;
const PHOTO_BYTES: usize = 1 << 20;
/// A worker's signed upload request, as long as a real one.
const UPLOAD: &str = "Heitje hjt1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq:1796000000000:\
                      00000000000000000000000000000000000000000000000000000000000000000000000000000000\
                      000000000000000000000000000000000000000000000000";

/// A JPEG with `scan` bytes of image data (no 0xFF in it) and an EXIF block.
fn jpeg(scan: usize) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10];
    out.extend_from_slice(b"Exif\0\0II*\0\x08\0\0\0");
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0]);
    out.extend((0..scan).map(|i| (i % 251) as u8));
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let storage = Storage::open(dir.path()).expect("open");
    let photo = jpeg(PHOTO_BYTES);
    let body = Bundle::new(&[&photo], Some("Two coats.".into()), None).expect("bundle").to_canonical_bytes();
    let owner = AccountId([7; 32]);
    let mut commitments = Vec::with_capacity(RECORDS);
    let start = Instant::now();
    for claim in 0..RECORDS {
        let bundle = Bundle::from_canonical_bytes(&body).expect("parse");
        let (sealed, key) =
            evidence::seal(&bundle, owner, ClaimId(claim as u64), Timestamp(2), Timestamp(1), &mut OsRng)
                .expect("seal");
        evidence_store::store(&storage, &sealed, &key, UPLOAD).expect("store");
        commitments.push(sealed.header.commitment);
    }
    let seconds = start.elapsed().as_secs_f64();
    let megabytes = (RECORDS * body.len()) as f64 / 1e6;
    println!(
        "evidence intake: {RECORDS} records of {} bytes in {seconds:.2} s: {:.0} records/s, {:.0} MB/s \
         (parse + strip + seal + synced store)",
        body.len(),
        RECORDS as f64 / seconds,
        megabytes / seconds
    );
    let start = Instant::now();
    for commitment in &commitments {
        evidence_store::erase(&storage, commitment, Timestamp(3), api::evidence::ErasureReason::OwnerRequest, None)
            .expect("erase");
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "evidence erasure: {RECORDS} records in {seconds:.2} s: {:.1} ms per erasure (synced delete + flush of \
         every column family + compaction of the record's key range)",
        seconds * 1000.0 / RECORDS as f64
    );
}
