//! What the nonce record (issue 18) adds to every transaction the wallet sends: opening and
//! locking the record, writing the signed transaction durably before it is sent, and noting its
//! commit. Two synced writes per transaction, on the disk of the wallet's home.
//!
//! Run with `cargo bench -p wallet --bench nonces`. Criterion prints the time per step; nothing
//! is asserted about time.

use std::hint::black_box;

use contracts::tx::Transfer;
use contracts::{AccountId, Action, Amount, ChainId, Hash, Height, Nonce, Tx};
use criterion::Criterion;
use ed25519_dalek::SigningKey;
use wallet::store::nonces::Journal;

fn benches(c: &mut Criterion) {
    let key = SigningKey::from_bytes(&[7; 32]);
    let account = contracts::crypto::account_of(&key);
    let chain_id = ChainId::new("heerlen-bench").expect("chain id");
    let genesis = Hash([1; 32]);
    let home = tempfile::tempdir().expect("home");
    let transfer = |nonce: u64| {
        Tx {
            chain_id: chain_id.clone(),
            signer: account,
            nonce: Nonce(nonce),
            action: Action::Transfer(Transfer { recipient: AccountId([2; 32]), amount: Amount(1) }),
        }
        .sign(&key)
    };

    let mut group = c.benchmark_group("nonce_record");
    group.bench_function("open_and_lock", |b| {
        b.iter(|| black_box(Journal::open(home.path(), &genesis, &account, || {}).expect("open")))
    });
    let mut journal = Journal::open(home.path(), &genesis, &account, || {}).expect("open");
    let mut nonce = 0;
    group.bench_function("sign_record_commit", |b| {
        b.iter(|| {
            let signed = transfer(journal.next_nonce(Nonce(nonce)).0);
            journal.signed(&signed).expect("recorded");
            journal.committed(&signed.id(), Height(nonce)).expect("committed");
            nonce += 1;
        })
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args().sample_size(30);
    benches(&mut criterion);
    criterion.final_summary();
}
