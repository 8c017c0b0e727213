//! The lies of `heitje-liar`, the test network's Byzantine validator (issue 12, ADR 005).
//!
//! Each lie is a [`consensus::Deviation`] installed in an otherwise unchanged node library, one
//! per run, chosen on the command line. The node's integration tests start three honest
//! `heitje-node` and one `heitje-liar` and check that the honest three keep deciding, agree,
//! and record the lie. This crate is `publish = false`, and no script outside the tests starts
//! its binary.

use bytes::Bytes;
use consensus::codec::MAX_BLOCK_BYTES;
use consensus::{Deviation, Outgoing};
use contracts::{Block, Hash, Height, Timestamp};

/// Three days, in milliseconds: a clock "days ahead".
const DAYS_AHEAD_MS: u64 = 3 * 24 * 3_600 * 1_000;
/// How many heights beyond the current one the flood claims.
const FLOOD_HEIGHTS: u64 = 64;

/// One way to lie, applied whenever this validator proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lie {
    /// Dates its blocks at the end of time (`u64::MAX` ms).
    TimeMax,
    /// Dates its blocks three days ahead of its clock.
    TimeAhead,
    /// Proposes blocks whose header carries a wrong state root.
    BadStateRoot,
    /// Signs the end of its proposal streams with a signature that does not verify.
    BadSignature,
    /// Pads its proposal streams beyond the largest block.
    Oversized,
    /// Besides its proposal, streams its block for heights far ahead, for rounds far ahead and
    /// for the rounds of other proposers.
    Flood,
    /// Streams two different blocks for each round it proposes.
    Equivocate,
}

impl Deviation for Lie {
    fn block_time(&self, clock: Timestamp) -> Timestamp {
        match self {
            Self::TimeMax => Timestamp(u64::MAX),
            Self::TimeAhead => Timestamp(clock.0.saturating_add(DAYS_AHEAD_MS)),
            _ => clock,
        }
    }

    fn finish_block(&self, block: &mut Block) {
        if *self == Self::BadStateRoot {
            block.header.state_root = Hash([0xBD; 32]);
        }
    }

    fn streams(&self, block: &Block, round: u32) -> Vec<Outgoing> {
        let honest = Outgoing::of(block, round);
        match self {
            Self::BadSignature => vec![Outgoing { bad_signature: true, ..honest }],
            Self::Oversized => {
                let mut bytes = honest.bytes.to_vec();
                bytes.resize(MAX_BLOCK_BYTES + 1, 0);
                vec![Outgoing { bytes: Bytes::from(bytes), ..honest }]
            }
            Self::Flood => flood(honest),
            Self::Equivocate => {
                let mut twin = block.clone();
                twin.header.time = Timestamp(twin.header.time.0.saturating_add(1));
                vec![honest, Outgoing::of(&twin, round)]
            }
            _ => vec![honest],
        }
    }
}

fn flood(honest: Outgoing) -> Vec<Outgoing> {
    let height = honest.height.0;
    let mut out = vec![honest.clone()];
    // Other proposers' rounds of this height (a round robin of four gives each the next ones).
    for ahead in 1..=3 {
        out.push(Outgoing { round: honest.round.saturating_add(ahead), ..honest.clone() });
    }
    for round in [honest.round.saturating_add(1_000), u32::MAX] {
        out.push(Outgoing { round, ..honest.clone() });
    }
    for ahead in 2..=FLOOD_HEIGHTS {
        out.push(Outgoing { height: Height(height.saturating_add(ahead)), ..honest.clone() });
    }
    out.push(Outgoing { height: Height(u64::MAX), ..honest });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use contracts::{AccountId, BlockHeader, ChainId};

    fn block() -> Block {
        Block {
            header: BlockHeader {
                chain_id: ChainId::new("test").expect("chain id"),
                height: Height(7),
                parent: Hash::ZERO,
                time: Timestamp(1),
                proposer: AccountId([1; 32]),
                tx_count: 0,
                tx_root: Hash::ZERO,
                receipt_root: Hash::ZERO,
                state_root: Hash::ZERO,
            },
            txs: vec![],
        }
    }

    #[test]
    fn each_lie_changes_what_it_names_and_nothing_else() {
        let now = Timestamp(1_000);
        assert_eq!(Lie::TimeMax.block_time(now), Timestamp(u64::MAX));
        assert_eq!(Lie::TimeAhead.block_time(now), Timestamp(1_000 + DAYS_AHEAD_MS));
        assert_eq!(Lie::Flood.block_time(now), now);
        let mut b = block();
        Lie::BadStateRoot.finish_block(&mut b);
        assert_ne!(b.header.state_root, Hash::ZERO);
        let streams = Lie::Oversized.streams(&block(), 0);
        assert_eq!(streams.len(), 1);
        assert!(streams[0].bytes.len() > MAX_BLOCK_BYTES);
        assert!(Lie::BadSignature.streams(&block(), 0)[0].bad_signature);
        let flood = Lie::Flood.streams(&block(), 2);
        assert_eq!(flood[0], Outgoing::of(&block(), 2), "the flood includes the honest proposal");
        assert!(flood.iter().any(|o| o.height == Height(u64::MAX)));
        assert!(flood.iter().any(|o| o.round == u32::MAX));
        assert_eq!(Lie::TimeMax.streams(&block(), 0), vec![Outgoing::of(&block(), 0)]);
        let twins = Lie::Equivocate.streams(&block(), 1);
        assert_eq!(twins.len(), 2);
        assert_ne!(twins[0].hash, twins[1].hash, "two different blocks for one round");
    }
}
