//! Whether this node is at the head of the chain, as consensus sees it: what the API's
//! readiness and its "syncing, try another node" refusals rest on (issue 18).
//!
//! A node that has just restarted holds an old state and an empty mempool; answering from it
//! gives clients stale nonces and balances. The engine loop reports three facts here, and the
//! node reads them through a [`tokio::sync::watch`] channel that outlives engine restarts:
//! - the height this node last committed, and whether it decided that height in live consensus
//!   or received it by value sync (catching up);
//! - the highest height that validators holding more than a third of the voting power have
//!   signed votes for. At least one of them is honest, so the network really works on that
//!   height: one lying validator cannot make an honest node look behind, nor hide that it is;
//! - when the engine (re)started, so that a node that has heard nothing yet does not claim to
//!   be current before its peers could have told it otherwise.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use contracts::AccountId;
use tokio::sync::watch;

/// How long after a (re)start a node that has decided nothing live yet and heard of no height
/// ahead still reports itself as syncing: two value-sync status rounds and the time to connect.
pub const STARTUP_GRACE: Duration = Duration::from_secs(5);

/// Where this node stands against the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The last height this node committed.
    pub committed: u64,
    /// The highest height that validators with more than a third of the voting power have sent
    /// signed votes for (0 before any such votes were seen).
    pub network: u64,
    /// Whether a height was decided in live consensus since the start, and the last one was.
    pub live: bool,
    /// Whether the last committed height came by value sync: the node is catching up.
    pub synced: bool,
    /// When the consensus engine last started.
    pub started: Instant,
    /// Proposal streams refused because their publisher broke a rule (issue 12).
    pub proposal_faults: ProposalFaults,
}

/// A rule of proposal streams that no honest validator breaks (issue 12, `parts.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalFault {
    /// A stream for a round the publisher does not propose.
    NotProposer,
    /// The proposer's signature over the stream does not verify.
    BadSignature,
    /// Larger than a block may be.
    Oversized,
    /// Parts out of order, or bytes that are not a block.
    Malformed,
    /// A block of the round's proposer that fails re-execution or is dated too far ahead.
    InvalidBlock,
}

/// How many proposal streams were refused since the node started, by fault. Streams outside
/// the accepted heights and rounds are counted apart: an honest node ahead of this one sends
/// them too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProposalFaults {
    /// Streams for a round the publisher does not propose.
    pub not_proposer: u64,
    /// Bad proposer signatures.
    pub bad_signature: u64,
    /// Oversized streams.
    pub oversized: u64,
    /// Malformed streams.
    pub malformed: u64,
    /// Proposed blocks voted nil: invalid, or dated too far ahead (`timeliness`).
    pub invalid_block: u64,
    /// Messages for heights or rounds outside the window (not held against the publisher).
    pub out_of_window: u64,
}

impl ProposalFaults {
    fn count(&mut self, fault: Option<ProposalFault>) {
        let counter = match fault {
            Some(ProposalFault::NotProposer) => &mut self.not_proposer,
            Some(ProposalFault::BadSignature) => &mut self.bad_signature,
            Some(ProposalFault::Oversized) => &mut self.oversized,
            Some(ProposalFault::Malformed) => &mut self.malformed,
            Some(ProposalFault::InvalidBlock) => &mut self.invalid_block,
            None => &mut self.out_of_window,
        };
        *counter = counter.saturating_add(1);
    }
}

impl Progress {
    /// A node at `committed` that has just started and heard nothing yet.
    pub fn starting(committed: u64) -> Self {
        Self {
            committed,
            network: 0,
            live: false,
            synced: false,
            started: Instant::now(),
            proposal_faults: ProposalFaults::default(),
        }
    }

    /// A node that is current by definition (one that runs no consensus, as in API tests).
    pub fn standalone(committed: u64) -> Self {
        Self { live: true, ..Self::starting(committed) }
    }

    /// Whether the node knows of decided heights it does not have: more than a third of the
    /// voting power votes beyond its next height, or its last block came by value sync.
    pub fn behind(&self) -> bool {
        self.network > self.committed.saturating_add(1) || self.synced
    }

    /// Whether the node may answer as current at `now`: not known to be behind, and either it
    /// decided a height live or the start-up grace has passed without news of a higher height.
    pub fn caught_up(&self, now: Instant) -> bool {
        if self.behind() {
            return false;
        }
        self.live || now.saturating_duration_since(self.started) >= STARTUP_GRACE
    }
}

/// Keeps [`Progress`] up to date from the engine loop.
#[derive(Debug)]
pub(crate) struct Tracker {
    progress: watch::Sender<Progress>,
    /// Voting power per validator of the set in force at the node's next height.
    power: BTreeMap<AccountId, u64>,
    /// The highest height each validator was seen voting for (signature checked).
    voted: BTreeMap<AccountId, u64>,
}

impl Tracker {
    pub(crate) fn new(progress: watch::Sender<Progress>) -> Self {
        Self { progress, power: BTreeMap::new(), voted: BTreeMap::new() }
    }

    /// The engine (re)started with `committed` as the last stored height.
    pub(crate) fn started(&mut self, committed: u64) {
        self.voted.clear();
        // The fault counters cover the node's life, not one engine run.
        let faults = self.progress.borrow().proposal_faults;
        self.progress.send_replace(Progress { proposal_faults: faults, ..Progress::starting(committed) });
    }

    /// A proposal stream was refused: for `fault`, or (`None`) as outside the window.
    pub(crate) fn refused_stream(&mut self, fault: Option<ProposalFault>) {
        self.progress.send_modify(|p| p.proposal_faults.count(fault));
    }

    /// The validator set in force at the node's next height.
    pub(crate) fn set_validators(&mut self, validators: &[(AccountId, u64)]) {
        self.power = validators.iter().copied().collect();
        self.voted.retain(|id, _| self.power.contains_key(id));
        self.publish_network();
    }

    /// Whether a vote by `voter` at `height` would tell anything new: it comes from the set,
    /// and it is beyond both this node's next height and the voter's highest vote so far.
    /// The caller checks the signature only then, so votes of the current height cost nothing.
    pub(crate) fn wants(&self, voter: &AccountId, height: u64) -> bool {
        let next = self.progress.borrow().committed.saturating_add(1);
        self.power.contains_key(voter) && height > next && self.voted.get(voter).is_none_or(|h| height > *h)
    }

    /// A vote by `voter` at `height` whose signature checked.
    pub(crate) fn voted(&mut self, voter: AccountId, height: u64) {
        let entry = self.voted.entry(voter).or_insert(0);
        *entry = (*entry).max(height);
        self.publish_network();
    }

    /// This node committed `height`, decided live or received by value sync.
    pub(crate) fn committed(&mut self, height: u64, live: bool) {
        self.progress.send_modify(|p| {
            p.committed = height;
            p.live = live;
            p.synced = !live;
        });
        // Votes at or below the new head say nothing any more.
        self.voted.retain(|_, h| *h > height.saturating_add(1));
        self.publish_network();
    }

    fn publish_network(&mut self) {
        let network = network_height(&self.power, &self.voted);
        self.progress.send_if_modified(|p| {
            let changed = p.network != network;
            p.network = network;
            changed
        });
    }
}

/// The highest height `h` such that validators with more than a third of the total power
/// voted at `h` or above (0 if there is none).
fn network_height(power: &BTreeMap<AccountId, u64>, voted: &BTreeMap<AccountId, u64>) -> u64 {
    let total: u64 = power.values().fold(0, |sum, p| sum.saturating_add(*p));
    let mut heights: Vec<(u64, u64)> = voted.iter().filter_map(|(id, h)| power.get(id).map(|p| (*h, *p))).collect();
    heights.sort_unstable_by_key(|&(height, _)| std::cmp::Reverse(height));
    let mut sum: u64 = 0;
    for (height, power) in heights {
        sum = sum.saturating_add(power);
        // sum > total / 3, without rounding: 3 * sum > total.
        if u128::from(sum) * 3 > u128::from(total) {
            return height;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> AccountId {
        AccountId([n; 32])
    }

    fn tracker(committed: u64) -> (Tracker, watch::Receiver<Progress>) {
        let (tx, rx) = watch::channel(Progress::starting(committed));
        let mut tracker = Tracker::new(tx);
        tracker.started(committed);
        tracker.set_validators(&[(id(1), 1), (id(2), 1), (id(3), 1), (id(4), 1)]);
        (tracker, rx)
    }

    #[test]
    fn issue_18_one_lying_validator_cannot_make_a_node_look_behind() {
        let (mut tracker, rx) = tracker(10);
        tracker.committed(10, true);
        assert!(tracker.wants(&id(4), 1_000_000));
        tracker.voted(id(4), 1_000_000);
        assert_eq!(rx.borrow().network, 0, "one of four is not more than a third");
        assert!(rx.borrow().caught_up(Instant::now()));
    }

    #[test]
    fn issue_18_two_of_four_voting_ahead_mean_the_node_is_behind() {
        let (mut tracker, rx) = tracker(10);
        tracker.committed(10, true);
        tracker.voted(id(1), 40);
        tracker.voted(id(2), 35);
        assert_eq!(rx.borrow().network, 35, "the lower of the two highest votes");
        assert!(rx.borrow().behind());
        assert!(!rx.borrow().caught_up(Instant::now()));
        // Caught up by value sync: still not current until a height is decided live.
        tracker.committed(35, false);
        assert!(!rx.borrow().caught_up(Instant::now()));
        tracker.committed(36, true);
        assert!(rx.borrow().caught_up(Instant::now()));
    }

    #[test]
    fn issue_18_votes_outside_the_set_or_not_ahead_are_not_wanted() {
        let (mut tracker, _rx) = tracker(10);
        assert!(!tracker.wants(&id(9), 50), "not a validator");
        assert!(!tracker.wants(&id(1), 11), "the node's own next height");
        tracker.voted(id(1), 20);
        assert!(!tracker.wants(&id(1), 20), "not above this voter's highest");
        assert!(tracker.wants(&id(1), 21));
    }

    #[test]
    fn issue_18_a_fresh_start_is_not_current_until_live_or_the_grace_passed() {
        let (_tracker, rx) = tracker(10);
        let progress = *rx.borrow();
        assert!(!progress.caught_up(progress.started));
        assert!(progress.caught_up(progress.started + STARTUP_GRACE));
        assert!(Progress::standalone(3).caught_up(Instant::now()));
    }

    #[test]
    fn network_height_weighs_power() {
        let power: BTreeMap<_, _> = [(id(1), 5), (id(2), 1), (id(3), 1)].into_iter().collect();
        let voted: BTreeMap<_, _> = [(id(2), 90), (id(3), 80)].into_iter().collect();
        assert_eq!(network_height(&power, &voted), 0, "2 of 7 is not more than a third");
        let voted: BTreeMap<_, _> = [(id(1), 50), (id(2), 90)].into_iter().collect();
        assert_eq!(network_height(&power, &voted), 50);
    }
}
