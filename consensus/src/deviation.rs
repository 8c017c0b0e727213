//! Hook points for the lying validator of the test network (`liar/`, ADR 005).
//!
//! An honest node runs [`Honest`], whose hooks change nothing; the `heitje-liar` test binary runs
//! the same node library with one [`Deviation`] installed. The hooks sit where a Byzantine
//! proposer has a choice (its block's time and contents, and the streams it publishes), so the
//! tests exercise the defences of the honest validators, not a second code path. Nothing here
//! lies: the lies live in the `liar` crate, which no binary of `scripts/devnet` links.

use bytes::Bytes;
use contracts::codec::Encode;
use contracts::{Block, Hash, Height, Timestamp};

/// One proposal stream to publish: the block bytes for `(height, round)`, signed (or not) by
/// this validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The height the stream claims.
    pub height: Height,
    /// The round the stream claims.
    pub round: u32,
    /// The streamed bytes (a block's canonical encoding, for an honest stream).
    pub bytes: Bytes,
    /// The block hash the end of the stream names and signs.
    pub hash: Hash,
    /// Whether the end of the stream carries a signature that does not verify.
    pub bad_signature: bool,
}

impl Outgoing {
    /// The honest stream of `block` for `round`.
    pub fn of(block: &Block, round: u32) -> Self {
        Self {
            height: block.header.height,
            round,
            bytes: Bytes::from(block.to_bytes()),
            hash: block.hash(),
            bad_signature: false,
        }
    }
}

/// Where a proposer may deviate. Every method's default is the honest behaviour.
pub trait Deviation: Send + Sync + std::fmt::Debug + 'static {
    /// The time this node dates its own block, given its clock.
    fn block_time(&self, clock: Timestamp) -> Timestamp {
        clock
    }

    /// A last change to a block this node built, before it keeps and proposes it.
    fn finish_block(&self, _block: &mut Block) {}

    /// The streams this node publishes when it proposes `block` for `round`.
    fn streams(&self, block: &Block, round: u32) -> Vec<Outgoing> {
        vec![Outgoing::of(block, round)]
    }
}

/// The honest node: no hook changes anything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Honest;

impl Deviation for Honest {}
