//! Throughput of sealing and opening a 2 MiB bundle, and of stripping 2 MiB photos.
//!
//! Run with `cargo bench -p evidence --bench seal`. Criterion prints MiB/s per benchmark; nothing
//! is asserted about time.

use std::time::Duration;

use contracts::primitives::{AccountId, ClaimId, Timestamp};
use criterion::{Criterion, Throughput, black_box};
use evidence::{Bundle, open, seal, strip_photo};
use rand_core::OsRng;

#[path = "../tests/it/fixtures.rs"]
mod fixtures;

const SIZE: usize = 2 * 1024 * 1024;

fn benches(c: &mut Criterion) {
    let jpeg = fixtures::jpeg_parts(SIZE).file();
    let png = fixtures::png_file(SIZE).0;
    let bundle = Bundle::new(&[&jpeg], Some("Bench painted, two coats.".into()), None).expect("valid bundle");
    let plaintext = bundle.to_canonical_bytes().len() as u64;
    let owner = AccountId([0xA1; 32]);
    let (sealed_at, retain_until) = (Timestamp(1_790_000_000_000), Timestamp(1_800_000_000_000));

    let mut group = c.benchmark_group("record_2MiB");
    group.throughput(Throughput::Bytes(plaintext));
    group.bench_function("seal", |b| {
        b.iter(|| seal(black_box(&bundle), owner, ClaimId(1), retain_until, sealed_at, &mut OsRng).expect("seals"))
    });
    let (sealed, key) = seal(&bundle, owner, ClaimId(1), retain_until, sealed_at, &mut OsRng).expect("seals");
    group.bench_function("open", |b| b.iter(|| open(black_box(&sealed), &key).expect("opens")));
    group.bench_function("seal_then_open", |b| {
        b.iter(|| {
            let (sealed, key) =
                seal(black_box(&bundle), owner, ClaimId(1), retain_until, sealed_at, &mut OsRng).expect("seals");
            open(&sealed, &key).expect("opens")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("strip_photo_2MiB");
    group.throughput(Throughput::Bytes(jpeg.len() as u64));
    group.bench_function("jpeg", |b| b.iter(|| strip_photo(black_box(&jpeg)).expect("strips")));
    group.throughput(Throughput::Bytes(png.len() as u64));
    group.bench_function("png", |b| b.iter(|| strip_photo(black_box(&png)).expect("strips")));
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
