//! R-CHAIN-1: re-verifies the whole chain on demand. Starting from the genesis state, every
//! stored block is checked against its parent, its transactions' signatures are verified, it is
//! re-executed (transaction, receipt and state roots must match its header) and its commit
//! certificate must carry more than two thirds of the voting power of the validator set in
//! force at its height. Used after an evidence erasure to show the chain still verifies end to
//! end: off-chain records are never inputs of the ledger.
//!
//! Issue 12: the check is incremental. One task ([`Verifier`]) owns the verified prefix (the
//! replayed state and the last verified header) and each request only replays the blocks
//! committed since, in chunks of [`CHUNK`] blocks on the blocking pool, never on the ledger
//! thread. Requests queue on a bounded channel (429 beyond it); a first replay longer than
//! [`WAIT`] answers 503 and keeps going, so a retry finds it further along.

use std::time::Duration;

use api::ChainCheck;
use contracts::block::validate_block;
use contracts::{BlockHeader, Height, State};
use tokio::sync::{mpsc, oneshot};

use super::machine::verify_all;
use super::view::{ReadError, ReadView, Reads};

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

/// Longest a request waits for the replay before it is answered 503 (the replay goes on).
pub const WAIT: Duration = Duration::from_secs(30);
/// Requests that may wait for the verifier at once; more are answered 429.
const QUEUE: usize = 8;

type Request = oneshot::Sender<ChainCheck>;

/// The handle to the chain verifier task.
#[derive(Debug, Clone)]
pub struct Verifier {
    requests: mpsc::Sender<Request>,
}

impl Verifier {
    /// Starts the verifier task on the current tokio runtime, reading through `reads`.
    pub fn start(reads: Reads) -> Self {
        let (requests, inbox) = mpsc::channel(QUEUE);
        tokio::spawn(serve(reads, inbox));
        Self { requests }
    }

    /// Checks the chain up to the latest committed head.
    pub async fn check(&self) -> Result<ChainCheck, ReadError> {
        let (reply, answer) = oneshot::channel();
        self.requests.try_send(reply).map_err(|err| match err {
            mpsc::error::TrySendError::Full(_) => ReadError::TooMany,
            mpsc::error::TrySendError::Closed(_) => ReadError::Stopped,
        })?;
        match tokio::time::timeout(WAIT, answer).await {
            Ok(Ok(check)) => Ok(check),
            Ok(Err(_)) => Err(ReadError::Stopped),
            Err(_) => Err(ReadError::Overloaded),
        }
    }
}

async fn serve(reads: Reads, mut inbox: mpsc::Receiver<Request>) {
    let mut verified: Option<Replay> = None;
    while let Some(reply) = inbox.recv().await {
        let check = match extend(&reads, &mut verified).await {
            Ok(check) => check,
            Err(ReadError::Stopped) => return,
            Err(err) => failed_start(err.to_string()),
        };
        let _ = reply.send(check);
    }
}

fn failed_start(error: String) -> ChainCheck {
    ChainCheck {
        ok: false,
        blocks: 0,
        txs: 0,
        height: Height(0),
        state_root: contracts::Hash::ZERO,
        error: Some(error),
    }
}

/// Replays the blocks committed since the verified prefix, up to the head of the latest
/// snapshot. A failure leaves the prefix where it was, so the next request retries from there.
async fn extend(reads: &Reads, verified: &mut Option<Replay>) -> Result<ChainCheck, ReadError> {
    let view = reads.view()?;
    let target = view.head().height;
    let mut replay = match verified.take() {
        Some(replay) => replay,
        None => match view.genesis().initial_state() {
            Ok(state) => {
                let parent = view.genesis().header(&state);
                Replay { state, parent, blocks: 0, txs: 0 }
            }
            Err(e) => return Ok(failed_start(e.to_string())),
        },
    };
    drop(view);
    while replay.parent.height < target {
        let view = reads.view()?;
        let (next, outcome) = tokio::task::spawn_blocking(move || replay_chunk(&view, replay, target))
            .await
            .map_err(|_| ReadError::Stopped)?;
        if let Err(error) = outcome {
            let check = fail(&next, error);
            *verified = Some(next);
            return Ok(check);
        }
        replay = next;
    }
    if !replay.state.supply().is_conserved() {
        let check = fail(&replay, "the replayed state does not conserve supply".to_owned());
        *verified = Some(replay);
        return Ok(check);
    }
    let check = ChainCheck {
        ok: true,
        blocks: replay.blocks,
        txs: replay.txs,
        height: replay.parent.height,
        state_root: replay.state.root(),
        error: None,
    };
    *verified = Some(replay);
    Ok(check)
}

/// Replays up to [`CHUNK`] blocks after `replay` (at most up to `target`). On a failure the
/// replay stays at the last block that verified.
fn replay_chunk(view: &ReadView, mut replay: Replay, target: Height) -> (Replay, Result<(), String>) {
    let last = Height(replay.parent.height.0.saturating_add(CHUNK).min(target.0));
    while replay.parent.height < last {
        let height = Height(replay.parent.height.0.saturating_add(1));
        let block = match view.storage().block(height) {
            Ok(Some(block)) => block,
            Ok(None) => return (replay, Err(format!("block {height} is missing"))),
            Err(e) => return (replay, Err(format!("reading block {height}: {e}"))),
        };
        let cert = match view.storage().cert(height) {
            Ok(Some(cert)) => cert,
            Ok(None) => return (replay, Err(format!("the commit certificate of block {height} is missing"))),
            Err(e) => return (replay, Err(format!("reading certificate {height}: {e}"))),
        };
        let verified = match verify_all(&block.txs) {
            Ok(verified) => verified,
            Err((index, e)) => return (replay, Err(format!("block {height}, transaction {index}: {e}"))),
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
                replay.txs = replay.txs.saturating_add(u64::try_from(block.txs.len()).unwrap_or(u64::MAX));
                replay.blocks = replay.blocks.saturating_add(1);
                replay.parent = block.header;
            }
            Err(e) => return (replay, Err(format!("block {height}: {e}"))),
        }
    }
    (replay, Ok(()))
}
