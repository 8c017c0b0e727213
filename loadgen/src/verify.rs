//! This machine's ed25519 verify rates, measured on real transfer transactions: `verify_strict`
//! as the nodes call it (one and two threads), and ed25519-dalek's batch verification in
//! batches of the gossip batch size (one and two threads).

use std::time::Instant;

use contracts::codec::Encode as _;
use contracts::{ChainId, SignedTx};
use ed25519_dalek::{Signature, VerifyingKey};

use crate::error::{Error, Result};

/// Signatures per batch: the transaction gossip's batch size (`node::txgossip::BATCH_TXS`).
pub(crate) const BATCH: usize = 512;

/// The domain tag of transaction signatures (`contracts::crypto`, R-SIG-1).
const TX_DOMAIN: &[u8] = b"heitje/tx/v1";

/// Verify rates in signatures per second.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rates {
    /// `verify_strict`, one thread.
    pub(crate) strict_1: f64,
    /// `verify_strict`, two threads.
    pub(crate) strict_2: f64,
    /// Batch verification, one thread.
    pub(crate) batch_1: f64,
    /// Batch verification, two threads.
    pub(crate) batch_2: f64,
}

/// One signature as batch verification takes it: the signed message, signature and key.
struct Item {
    message: Vec<u8>,
    signature: Signature,
    key: VerifyingKey,
}

fn item(tx: &SignedTx) -> Result<Item> {
    let chain = tx.tx.chain_id.as_str().as_bytes();
    let mut message = TX_DOMAIN.to_vec();
    message.push(u8::try_from(chain.len()).map_err(|_| Error::Setup("chain id longer than 255 bytes".into()))?);
    message.extend_from_slice(chain);
    message.extend_from_slice(&tx.tx.to_bytes());
    let key = VerifyingKey::from_bytes(&tx.tx.signer.0).map_err(|e| Error::Setup(format!("bench key: {e}")))?;
    Ok(Item { message, signature: Signature::from_bytes(&tx.signature.0), key })
}

/// Runs `verify` over `count` signatures and returns signatures per second.
fn timed(count: usize, verify: impl FnOnce() -> Result<()>) -> Result<f64> {
    let start = Instant::now();
    verify()?;
    let secs = start.elapsed().as_secs_f64();
    Ok(if secs > 0.0 { count as f64 / secs } else { 0.0 })
}

fn strict(txs: &[SignedTx]) -> Result<()> {
    txs.iter().try_for_each(|tx| {
        tx.verify_signature().map_err(|e| Error::Setup(format!("a bench signature did not verify: {e}")))
    })
}

fn batches(items: &[Item]) -> Result<()> {
    items.chunks(BATCH).try_for_each(|chunk| {
        let messages: Vec<&[u8]> = chunk.iter().map(|i| i.message.as_slice()).collect();
        let signatures: Vec<Signature> = chunk.iter().map(|i| i.signature).collect();
        let keys: Vec<VerifyingKey> = chunk.iter().map(|i| i.key).collect();
        ed25519_dalek::verify_batch(&messages, &signatures, &keys)
            .map_err(|e| Error::Setup(format!("batch verification of the bench signatures failed: {e}")))
    })
}

/// Runs `f` on the two halves of `items` on two threads.
fn two_threads<T: Sync>(items: &[T], f: fn(&[T]) -> Result<()>) -> Result<()> {
    let (a, b) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| f(b));
        let mine = f(a);
        mine.and(other.join().unwrap_or_else(|_| Err(Error::Setup("a verifying thread panicked".into()))))
    })
}

/// Measures the rates over `count` transfer signatures (at least one batch).
pub(crate) fn measure(count: usize) -> Result<Rates> {
    let count = count.max(BATCH);
    let chain = ChainId::new("heerlen-bench").map_err(|e| Error::Setup(e.to_string()))?;
    let keys: Vec<_> = (0..64).map(crate::accounts::key).collect();
    let txs: Vec<SignedTx> = (0..count)
        .map(|n| {
            let to = contracts::crypto::account_of(&keys[(n + 1) % keys.len()]);
            crate::accounts::signed_transfer(&chain, &keys[n % keys.len()], to, (n / keys.len()) as u64)
        })
        .collect();
    let items = txs.iter().map(item).collect::<Result<Vec<_>>>()?;

    Ok(Rates {
        strict_1: timed(count, || strict(&txs))?,
        strict_2: timed(count, || two_threads(&txs, strict))?,
        batch_1: timed(count, || batches(&items))?,
        batch_2: timed(count, || two_threads(&items, batches))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_items_rebuild_the_signed_message() {
        // If the rebuilt message differed from what the transaction signs, the batch would fail.
        let rates = measure(BATCH).expect("every bench signature verifies, one by one and in batches");
        assert!(rates.strict_1 > 0.0 && rates.batch_2 > 0.0);
    }
}
