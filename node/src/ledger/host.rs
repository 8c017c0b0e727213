//! The consensus [`Host`] port, implemented over the ledger thread.
//!
//! Each call runs on the ledger thread through [`Handle::call_patient`], so consensus and the
//! API see one ledger and consensus is never answered "busy". Only ledger types cross here.

use std::time::Instant;

use async_trait::async_trait;
use consensus::{Host, HostError, Misbehavior, MisbehaviorKind, Undecided};
use contracts::codec::{Decode, Encode, Reader};
use contracts::{AccountId, Block, CommitCert, Height};

use super::handle::{Handle, Unavailable};
use super::port::{ConsensusApp, Validity};

/// The ledger as consensus sees it.
#[derive(Debug, Clone)]
pub struct LedgerHost {
    handle: Handle,
    max_block_txs: usize,
}

impl LedgerHost {
    /// A host over the ledger thread behind `handle`, building blocks of at most `max_block_txs`.
    pub fn new(handle: Handle, max_block_txs: usize) -> Self {
        Self { handle, max_block_txs }
    }
}

fn stopped(err: Unavailable) -> HostError {
    HostError(format!("ledger unavailable: {err}"))
}

fn encode_undecided(u: &Undecided) -> Vec<u8> {
    let mut out = Vec::new();
    u.round.encode(&mut out);
    u.pol_round.encode(&mut out);
    u.proposer.encode(&mut out);
    u.block.encode(&mut out);
    out
}

fn decode_undecided(bytes: &[u8]) -> Result<Undecided, contracts::codec::DecodeError> {
    let mut r = Reader::new(bytes);
    let undecided = Undecided {
        round: Decode::decode(&mut r)?,
        pol_round: Decode::decode(&mut r)?,
        proposer: Decode::decode(&mut r)?,
        block: Decode::decode(&mut r)?,
    };
    r.finish()?;
    Ok(undecided)
}

fn misbehavior_view(m: &Misbehavior) -> api::MisbehaviorView {
    api::MisbehaviorView {
        validator: m.validator,
        height: m.height,
        round: m.round,
        kind: match m.kind {
            MisbehaviorKind::DoubleVote => "double_vote",
            MisbehaviorKind::DoubleProposal => "double_proposal",
            MisbehaviorKind::DoubleStream => "double_stream",
        }
        .into(),
        first: hex::encode(&m.first),
        second: hex::encode(&m.second),
        detail: String::new(),
    }
}

#[async_trait]
impl Host for LedgerHost {
    async fn next_height(&self) -> Result<Height, HostError> {
        self.handle.call_patient(|l| l.next_height()).await.map_err(stopped)
    }

    async fn validators(&self, height: Height) -> Result<Vec<(AccountId, u64)>, HostError> {
        self.handle.call_patient(move |l| l.validators(height)).await.map_err(stopped)
    }

    async fn build_block(
        &self,
        height: Height,
        round: u32,
        proposer: AccountId,
        time: contracts::Timestamp,
        _deadline: Instant,
    ) -> Result<Block, HostError> {
        // Building is bounded by the block size (max_block_txs), well inside the propose timeout.
        let max = self.max_block_txs;
        self.handle.call_patient(move |l| l.build_block(height, round, proposer, time, max)).await.map_err(stopped)
    }

    async fn validate_block(&self, block: Block) -> Result<Result<(), String>, HostError> {
        let validity = self.handle.call_patient(move |l| l.validate_block(&block)).await.map_err(stopped)?;
        Ok(match validity {
            Validity::Valid => Ok(()),
            Validity::Invalid(reason) => Err(reason),
        })
    }

    async fn store_undecided(&self, height: Height, undecided: Undecided) -> Result<(), HostError> {
        let record = encode_undecided(&undecided);
        let (round, hash) = (undecided.round, undecided.block.hash());
        self.handle
            .call_patient(move |l| l.storage().put_undecided(height, round, &hash, &record))
            .await
            .map_err(stopped)?
            .map_err(|e| HostError(e.to_string()))
    }

    async fn undecided(&self, height: Height) -> Result<Vec<Undecided>, HostError> {
        let records = self
            .handle
            .call_patient(move |l| l.storage().undecided(height))
            .await
            .map_err(stopped)?
            .map_err(|e| HostError(e.to_string()))?;
        records
            .iter()
            .map(|r| decode_undecided(r).map_err(|e| HostError(format!("stored undecided block is corrupt: {e}"))))
            .collect()
    }

    async fn commit(&self, block: Block, cert: CommitCert) -> Result<(), HostError> {
        self.handle
            .call_patient(move |l| l.commit(&block, &cert))
            .await
            .map_err(stopped)?
            .map_err(|e| HostError(e.to_string()))
    }

    async fn decided_range(&self, from: Height, to: Height) -> Result<Vec<(Block, CommitCert)>, HostError> {
        self.handle
            .call_patient(move |l| l.decided_range(from, to))
            .await
            .map_err(stopped)?
            .map_err(|e| HostError(e.to_string()))
    }

    async fn record_misbehavior(&self, evidence: Vec<Misbehavior>) -> Result<(), HostError> {
        let records: Vec<(Height, Vec<u8>)> =
            evidence.iter().map(|m| (m.height, serde_json::to_vec(&misbehavior_view(m)).unwrap_or_default())).collect();
        self.handle
            .call_patient(move |l| records.iter().try_for_each(|(h, r)| l.storage().put_misbehavior(*h, r)))
            .await
            .map_err(stopped)?
            .map_err(|e| HostError(e.to_string()))
    }

    async fn has_pending(&self) -> bool {
        self.handle.call_patient(|l| !l.mempool().is_empty()).await.unwrap_or(false)
    }

    fn now(&self) -> contracts::Timestamp {
        super::wall_clock_ms()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undecided_records_round_trip() {
        let block = Block {
            header: contracts::BlockHeader {
                chain_id: contracts::ChainId::new("t").expect("chain"),
                height: Height(3),
                parent: contracts::Hash::ZERO,
                time: contracts::Timestamp(5),
                proposer: AccountId([1; 32]),
                tx_count: 0,
                tx_root: contracts::Hash::ZERO,
                receipt_root: contracts::Hash::ZERO,
                state_root: contracts::Hash::ZERO,
            },
            txs: vec![],
        };
        let u = Undecided { round: 2, pol_round: Some(1), proposer: AccountId([2; 32]), block };
        assert_eq!(decode_undecided(&encode_undecided(&u)), Ok(u));
        assert!(decode_undecided(&[1, 2, 3]).is_err());
    }
}
