//! The bodies of the cargo-fuzz targets: one function per decoder of outside bytes, which decodes
//! the input, checks a round trip or an invariant where it can, and never panics on input.
//!
//! The `cargo fuzz` crate in `fuzz/` (its own workspace, nightly, sanitizers) has one thin
//! `fuzz_target!` per entry of [`TARGETS`]; this crate's `tests/corpus` replays every file under
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` through the same function, so the
//! normal `cargo test` replays the corpus and every crash found stays fixed. `scripts/fuzz`
//! runs the campaign.
//!
//! A target returns [`Verdict::Accepted`] when the decoder took the input and every invariant
//! held, [`Verdict::Refused`] when the decoder refused it with an error, and panics only when a
//! decoder panicked or an invariant broke: that is the finding. This crate is a test harness
//! (`publish = false`): it is the one crate that depends on `wallet`, for its file formats.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod edge;
mod engine;
mod gossip_wire;
mod ledger;
mod photos;
mod wallet_formats;

pub use edge::{CHAIN, api_json, genesis, signed_read};
pub use engine::{consensus, proposal_part};
pub use gossip_wire::gossip;
pub use ledger::{block, certificate, transaction};
pub use photos::{evidence_bundle, evidence_record, jpeg, png};
pub use wallet_formats::{KEYSTORE_NAME, keystore, payreq};

/// What a target made of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The decoder took the input and every invariant held.
    Accepted,
    /// The decoder refused the input with an error (the expected answer to most fuzz inputs).
    Refused,
}

impl Verdict {
    /// `Accepted` when `accepted`, else `Refused`.
    pub const fn of(accepted: bool) -> Self {
        if accepted { Self::Accepted } else { Self::Refused }
    }
}

/// A target's body.
pub type Target = fn(&[u8]) -> Verdict;

/// Every target, by the name of its `fuzz/fuzz_targets/<name>.rs` and its corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("transaction", transaction),
    ("block", block),
    ("certificate", certificate),
    ("proposal_part", proposal_part),
    ("consensus", consensus),
    ("gossip", gossip),
    ("payreq", payreq),
    ("evidence_bundle", evidence_bundle),
    ("evidence_record", evidence_record),
    ("jpeg", jpeg),
    ("png", png),
    ("keystore", keystore),
    ("genesis", genesis),
    ("signed_read", signed_read),
    ("api_json", api_json),
];

/// The target named `name`, if there is one.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Splits a selector byte off the input: targets that cover several decoders use the first
/// byte to choose one (modulo `choices`), so one corpus reaches them all.
pub(crate) fn select(data: &[u8], choices: u8) -> Option<(u8, &[u8])> {
    let (first, rest) = data.split_first()?;
    Some((first % choices, rest))
}
