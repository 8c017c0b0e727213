//! Blocks: the header, the commit certificate, and executing a block deterministically.
//!
//! R-BLK-1: a block's header commits to its parent, its transactions, its receipts and the
//! state root after executing them. Validators re-execute and compare all three roots.
//! R-BLK-2: block time strictly increases; the rules read time only from the header.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::codec::{Decode, DecodeError, Encode, Reader, put_len};
use crate::codec_struct;
use crate::crypto::{self, Domain, HashKind, Signature};
use crate::error::Invalid;
use crate::primitives::{AccountId, ChainId, Hash, Height, Timestamp};
use crate::receipt::Receipt;
use crate::rules::{VerifiedTx, execute};
use crate::state::{BlockContext, ChangeSet, Overlay, State};
use crate::tx::SignedTx;

/// Most transactions in one block.
pub const MAX_BLOCK_TXS: usize = 20_000;

/// A block header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockHeader {
    /// The chain.
    pub chain_id: ChainId,
    /// Height; genesis is 0.
    pub height: Height,
    /// Hash of the parent header.
    pub parent: Hash,
    /// Block time, strictly after the parent's (R-BLK-2).
    pub time: Timestamp,
    /// The validator that proposed the block.
    pub proposer: AccountId,
    /// Number of transactions.
    pub tx_count: u32,
    /// Commitment to the transactions in order.
    pub tx_root: Hash,
    /// Commitment to the receipts in order.
    pub receipt_root: Hash,
    /// State root after the block (R-ROOT-1).
    pub state_root: Hash,
}
codec_struct!(BlockHeader { chain_id, height, parent, time, proposer, tx_count, tx_root, receipt_root, state_root });

impl BlockHeader {
    /// The block hash.
    pub fn hash(&self) -> Hash {
        HashKind::Block.hash(&self.to_bytes())
    }
}

/// A block: its header and its transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// The header.
    pub header: BlockHeader,
    /// The transactions, in execution order.
    pub txs: Vec<SignedTx>,
}

crate::described_struct!(Block { header, txs });

impl Encode for Block {
    fn encode(&self, out: &mut Vec<u8>) {
        self.header.encode(out);
        crate::codec::put_list(out, &self.txs);
    }
}

impl Decode for Block {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { header: Decode::decode(reader)?, txs: reader.list("block transactions", MAX_BLOCK_TXS)? })
    }
}

impl Block {
    /// The block hash (the header's).
    pub fn hash(&self) -> Hash {
        self.header.hash()
    }
}

/// One validator's signature on a decided block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSignature {
    /// The validator.
    pub validator: AccountId,
    /// Its signature over the commit message.
    pub signature: Signature,
}
codec_struct!(CommitSignature { validator, signature });

/// Proof that a block was decided: signatures of validators over `(height, round, block hash)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitCert {
    /// Height.
    pub height: Height,
    /// Consensus round that decided.
    pub round: u32,
    /// The decided block.
    pub block_hash: Hash,
    /// Signatures, in validator order.
    pub signatures: Vec<CommitSignature>,
}

crate::described_struct!(CommitCert { height, round, block_hash, signatures });

impl Encode for CommitCert {
    fn encode(&self, out: &mut Vec<u8>) {
        self.height.encode(out);
        self.round.encode(out);
        self.block_hash.encode(out);
        crate::codec::put_list(out, &self.signatures);
    }
}

impl Decode for CommitCert {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            height: Decode::decode(reader)?,
            round: Decode::decode(reader)?,
            block_hash: Decode::decode(reader)?,
            signatures: reader.list("commit signatures", 256)?,
        })
    }
}

/// Why a commit certificate does not prove a decision.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CertError {
    /// Height or hash differ from the block.
    #[error("certificate is for another block")]
    WrongBlock,
    /// A signer is not a validator, or signed twice.
    #[error("signature from {0} who is not a validator, or who signed twice")]
    UnknownSigner(AccountId),
    /// A signature does not verify.
    #[error("signature from {0} does not verify")]
    BadSignature(AccountId),
    /// Not enough voting power.
    #[error("certificate has {got} of {total} voting power; more than two thirds are needed")]
    NotEnoughPower {
        /// Power that signed.
        got: u64,
        /// Total power.
        total: u64,
    },
}

/// The two kinds of consensus vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VoteKind {
    /// First-phase vote.
    Prevote,
    /// Second-phase vote; more than two thirds of precommits for one block decide it.
    Precommit,
}

/// The bytes a validator signs (under [`Domain::Vote`]) for a vote: kind, height, round and the
/// block hash, or none for a nil vote. A precommit for a block is also its commit signature, so
/// the engine's votes and the ledger's [`CommitCert`] are checked against the same message.
pub fn vote_message(kind: VoteKind, height: Height, round: u32, block: Option<&Hash>) -> Vec<u8> {
    let mut out = Vec::with_capacity(46);
    out.push(match kind {
        VoteKind::Prevote => 0,
        VoteKind::Precommit => 1,
    });
    height.encode(&mut out);
    round.encode(&mut out);
    block.copied().encode(&mut out);
    out
}

impl CommitCert {
    /// A validator's signature for a commit of `block_hash` at `height` in `round`.
    pub fn sign(
        key: &ed25519_dalek::SigningKey,
        chain_id: &ChainId,
        height: Height,
        round: u32,
        block_hash: &Hash,
    ) -> CommitSignature {
        CommitSignature {
            validator: crypto::account_of(key),
            signature: crypto::sign(
                key,
                Domain::Vote,
                chain_id,
                &vote_message(VoteKind::Precommit, height, round, Some(block_hash)),
            ),
        }
    }

    /// R-BLK-3: more than two thirds of the validators' power signed this block.
    pub fn verify(
        &self,
        chain_id: &ChainId,
        header: &BlockHeader,
        validators: &[(AccountId, u64)],
    ) -> Result<(), CertError> {
        if self.height != header.height || self.block_hash != header.hash() {
            return Err(CertError::WrongBlock);
        }
        let total: u64 = validators.iter().map(|(_, power)| *power).fold(0, u64::saturating_add);
        let mut seen: Vec<AccountId> = Vec::new();
        let mut got: u64 = 0;
        let message = vote_message(VoteKind::Precommit, self.height, self.round, Some(&self.block_hash));
        for sig in &self.signatures {
            let power = validators
                .iter()
                .find(|(id, _)| *id == sig.validator)
                .map(|(_, p)| *p)
                .filter(|_| !seen.contains(&sig.validator))
                .ok_or(CertError::UnknownSigner(sig.validator))?;
            crypto::verify(&sig.validator, Domain::Vote, chain_id, &message, &sig.signature)
                .map_err(|_| CertError::BadSignature(sig.validator))?;
            seen.push(sig.validator);
            got = got.saturating_add(power);
        }
        // got > 2/3 total, in integers: 3 * got > 2 * total.
        if u128::from(got) * 3 > u128::from(total) * 2 { Ok(()) } else { Err(CertError::NotEnoughPower { got, total }) }
    }
}

/// Commitment to a block's transactions.
pub fn tx_root(txs: &[SignedTx]) -> Hash {
    let mut hasher = HashKind::TxRoot.hasher();
    let mut count = Vec::new();
    put_len(&mut count, txs.len());
    hasher.update(&count);
    for tx in txs {
        hasher.update(&tx.id().0);
        hasher.update(&tx.signature.0);
    }
    Hash(*hasher.finalize().as_bytes())
}

/// Commitment to a block's receipts.
pub fn receipt_root(receipts: &[Receipt]) -> Hash {
    let mut hasher = HashKind::ReceiptRoot.hasher();
    let mut count = Vec::new();
    put_len(&mut count, receipts.len());
    hasher.update(&count);
    for receipt in receipts {
        let bytes = receipt.to_bytes();
        let mut len = Vec::new();
        put_len(&mut len, bytes.len());
        hasher.update(&len);
        hasher.update(&bytes);
    }
    Hash(*hasher.finalize().as_bytes())
}

/// The result of executing a block on a scratch overlay.
#[derive(Debug, Clone)]
pub struct Executed {
    /// One receipt per transaction, in order.
    pub receipts: Vec<Receipt>,
    /// R-DUE-1: block-time effects applied before the transactions (rewards paid, tasks
    /// expired). They follow from the state, so the state root commits to them.
    pub system_events: Vec<crate::receipt::Event>,
    /// State changes to commit.
    pub changes: ChangeSet,
    /// State root after the changes.
    pub state_root: Hash,
    /// Receipt root.
    pub receipt_root: Hash,
}

/// Why a block is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BlockError {
    /// Not the next height.
    #[error("block height {got} is not the expected {expected}")]
    WrongHeight {
        /// Expected.
        expected: Height,
        /// Got.
        got: Height,
    },
    /// Parent hash mismatch.
    #[error("block parent {got} is not the last block {expected}")]
    WrongParent {
        /// Expected.
        expected: Hash,
        /// Got.
        got: Hash,
    },
    /// Another chain.
    #[error("block is for chain {0}")]
    WrongChain(String),
    /// Time did not move forward.
    #[error("block time {got} is not after the parent's {parent}")]
    TimeNotAfterParent {
        /// Parent time.
        parent: Timestamp,
        /// Block time.
        got: Timestamp,
    },
    /// Too many transactions or a count mismatch.
    #[error("block holds {0} transactions, more than allowed or than its header says")]
    TxCount(usize),
    /// The verified transactions handed in differ from the block's.
    #[error("verified transaction {0} is not the block's transaction at that position")]
    TxMismatch(usize),
    /// A transaction may not be in a block.
    #[error("transaction {index} is invalid: {reason}")]
    InvalidTx {
        /// Position in the block.
        index: usize,
        /// Why.
        reason: Invalid,
    },
    /// A root does not match re-execution.
    #[error("{which} root mismatch: header {header}, re-executed {computed}")]
    RootMismatch {
        /// Which root.
        which: &'static str,
        /// In the header.
        header: Hash,
        /// Computed.
        computed: Hash,
    },
}

/// Executes verified transactions in order on a scratch overlay. Any invalid transaction makes
/// the whole batch invalid.
pub fn execute_block(
    state: &State,
    chain_id: &ChainId,
    ctx: &BlockContext,
    txs: &[VerifiedTx],
) -> Result<Executed, BlockError> {
    let mut view = Overlay::new(state);
    let system_events = crate::rules::due::begin_block(&mut view, ctx);
    let mut receipts = Vec::with_capacity(txs.len());
    for (index, tx) in txs.iter().enumerate() {
        receipts.push(execute(&mut view, ctx, chain_id, tx).map_err(|reason| BlockError::InvalidTx { index, reason })?);
    }
    let changes = view.into_changes();
    let state_root = state.root_with(&changes);
    let receipt_root = receipt_root(&receipts);
    Ok(Executed { receipts, system_events, changes, state_root, receipt_root })
}

/// Builds the next block from candidate transactions in the given order. Candidates that are
/// invalid here (for example a nonce gap) are left out and returned with their reason.
pub fn build_block(
    state: &State,
    parent: &BlockHeader,
    time: Timestamp,
    proposer: AccountId,
    candidates: Vec<VerifiedTx>,
) -> (Block, Executed, Vec<(VerifiedTx, Invalid)>) {
    let chain_id = &parent.chain_id;
    let height = Height(parent.height.0.saturating_add(1));
    // R-BLK-2: time moves forward even if the proposer's clock does not.
    let time = Timestamp(time.0.max(parent.time.0.saturating_add(1)));
    let ctx = BlockContext { height, time, parent: parent.hash() };
    let mut view = Overlay::new(state);
    let system_events = crate::rules::due::begin_block(&mut view, &ctx);
    let mut receipts = Vec::new();
    let mut included = Vec::new();
    let mut dropped = Vec::new();
    for tx in candidates {
        if included.len() >= MAX_BLOCK_TXS {
            break;
        }
        match execute(&mut view, &ctx, chain_id, &tx) {
            Ok(receipt) => {
                receipts.push(receipt);
                included.push(tx.into_signed());
            }
            Err(reason) => {
                view.discard_tx();
                dropped.push((tx, reason));
            }
        }
    }
    let changes = view.into_changes();
    let state_root = state.root_with(&changes);
    let receipt_root = receipt_root(&receipts);
    let header = BlockHeader {
        chain_id: chain_id.clone(),
        height,
        parent: parent.hash(),
        time,
        proposer,
        tx_count: u32::try_from(included.len()).unwrap_or(u32::MAX),
        tx_root: tx_root(&included),
        receipt_root,
        state_root,
    };
    (Block { header, txs: included }, Executed { receipts, system_events, changes, state_root, receipt_root }, dropped)
}

/// R-BLK-1: checks a proposed block against its parent and re-executes it. `txs` are the
/// block's transactions after signature verification, in block order.
pub fn validate_block(
    state: &State,
    parent: &BlockHeader,
    block: &Block,
    txs: &[VerifiedTx],
) -> Result<Executed, BlockError> {
    let header = &block.header;
    if header.chain_id != parent.chain_id {
        return Err(BlockError::WrongChain(header.chain_id.to_string()));
    }
    let expected = Height(parent.height.0.saturating_add(1));
    if header.height != expected {
        return Err(BlockError::WrongHeight { expected, got: header.height });
    }
    if header.parent != parent.hash() {
        return Err(BlockError::WrongParent { expected: parent.hash(), got: header.parent });
    }
    if header.time <= parent.time {
        return Err(BlockError::TimeNotAfterParent { parent: parent.time, got: header.time });
    }
    if block.txs.len() > MAX_BLOCK_TXS
        || usize::try_from(header.tx_count).ok() != Some(block.txs.len())
        || txs.len() != block.txs.len()
    {
        return Err(BlockError::TxCount(block.txs.len()));
    }
    // The verified list must be exactly the block's transactions, in order.
    if let Some(index) = txs.iter().zip(&block.txs).position(|(verified, tx)| verified.signed() != tx) {
        return Err(BlockError::TxMismatch(index));
    }
    let computed = tx_root(&block.txs);
    if computed != header.tx_root {
        return Err(BlockError::RootMismatch { which: "transaction", header: header.tx_root, computed });
    }
    let ctx = BlockContext { height: header.height, time: header.time, parent: header.parent };
    let executed = execute_block(state, &header.chain_id, &ctx, txs)?;
    if executed.receipt_root != header.receipt_root {
        return Err(BlockError::RootMismatch {
            which: "receipt",
            header: header.receipt_root,
            computed: executed.receipt_root,
        });
    }
    if executed.state_root != header.state_root {
        return Err(BlockError::RootMismatch {
            which: "state",
            header: header.state_root,
            computed: executed.state_root,
        });
    }
    Ok(executed)
}
