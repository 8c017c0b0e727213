//! R-CHAIN-1: re-verifies the whole chain on demand. Starting from the genesis state, every
//! stored block is checked against its parent, its transactions' signatures are verified, it is
//! re-executed (transaction, receipt and state roots must match its header) and its commit
//! certificate must carry more than two thirds of the voting power of the validator set in
//! force at its height. Used after an evidence erasure to show the chain still verifies end to
//! end: off-chain records are never inputs of the ledger.
//!
//! The replay runs in chunks of [`CHUNK`] blocks, each one call on the ledger task, so the node
//! keeps committing blocks while a long chain is checked.

use api::ChainCheck;
use contracts::block::validate_block;
use contracts::{BlockHeader, Height, State};

use super::handle::{Handle, Unavailable};
use super::machine::verify_all;

/// Blocks replayed per call on the ledger task.
pub const CHUNK: u64 = 200;

struct Replay {
    state: State,
    parent: BlockHeader,
    blocks: u64,
    txs: u64,
}

fn fail(replay: &Replay, error: String) -> ChainCheck {
    ChainCheck {
        ok: false,
        blocks: replay.blocks,
        txs: replay.txs,
        height: replay.parent.height,
        state_root: replay.state.root(),
        error: Some(error),
    }
}

/// Replays the chain up to the head at the time of the call.
pub async fn verify_chain(handle: &Handle) -> Result<ChainCheck, Unavailable> {
    let start = handle
        .call(|l| {
            let state = l.genesis().initial_state().map_err(|e| e.to_string())?;
            let parent = l.genesis().header(&state);
            Ok::<_, String>((Replay { state, parent, blocks: 0, txs: 0 }, l.head().height))
        })
        .await?;
    let (mut replay, target) = match start {
        Ok(start) => start,
        Err(error) => {
            return Ok(ChainCheck {
                ok: false,
                blocks: 0,
                txs: 0,
                height: Height(0),
                state_root: contracts::Hash::ZERO,
                error: Some(error),
            });
        }
    };
    while replay.parent.height < target {
        let (next, outcome) = handle
            .call(move |l| {
                let mut replay = replay;
                let last = Height(replay.parent.height.0.saturating_add(CHUNK).min(target.0));
                while replay.parent.height < last {
                    let height = Height(replay.parent.height.0 + 1);
                    let block = match l.storage().block(height) {
                        Ok(Some(block)) => block,
                        Ok(None) => return (replay, Err(format!("block {height} is missing"))),
                        Err(e) => return (replay, Err(format!("reading block {height}: {e}"))),
                    };
                    let cert = match l.storage().cert(height) {
                        Ok(Some(cert)) => cert,
                        Ok(None) => {
                            return (replay, Err(format!("the commit certificate of block {height} is missing")));
                        }
                        Err(e) => return (replay, Err(format!("reading certificate {height}: {e}"))),
                    };
                    let verified = match verify_all(&block.txs) {
                        Ok(verified) => verified,
                        Err((index, e)) => {
                            return (replay, Err(format!("block {height}, transaction {index}: {e}")));
                        }
                    };
                    let validators: Vec<_> = replay
                        .state
                        .validators()
                        .and_then(|s| s.at(height))
                        .map(|set| set.iter().map(|v| (v.key, v.power)).collect())
                        .unwrap_or_default();
                    if let Err(e) = cert.verify(&block.header.chain_id, &block.header, &validators) {
                        return (replay, Err(format!("block {height}: commit certificate: {e}")));
                    }
                    match validate_block(&replay.state, &replay.parent, &block, &verified) {
                        Ok(executed) => {
                            replay.state.apply(executed.changes);
                            replay.txs += u64::try_from(block.txs.len()).unwrap_or(u64::MAX);
                            replay.blocks += 1;
                            replay.parent = block.header;
                        }
                        Err(e) => return (replay, Err(format!("block {height}: {e}"))),
                    }
                }
                (replay, Ok(()))
            })
            .await?;
        replay = next;
        if let Err(error) = outcome {
            return Ok(fail(&replay, error));
        }
    }
    if !replay.state.supply().is_conserved() {
        return Ok(fail(&replay, "the replayed state does not conserve supply".to_owned()));
    }
    Ok(ChainCheck {
        ok: true,
        blocks: replay.blocks,
        txs: replay.txs,
        height: replay.parent.height,
        state_root: replay.state.root(),
        error: None,
    })
}
