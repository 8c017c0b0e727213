//! Load phases: pre-signed transfers offered to every node's API, either at a fixed rate (open
//! loop, on a schedule) or as fast as the network takes them (closed loop: at most a window of
//! submitted transactions not yet final, which grows with the committed rate so that blocks stay
//! full while the queue, and so the latency, stays bounded). Each account's transactions go to one node in nonce
//! order, one at a time; a transaction the node refuses for now (mempool or account queue full,
//! ledger busy) is sent again, and one it refuses for good takes its account out of the run with
//! the node's message recorded.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use contracts::ChainId;

use crate::accounts::{self, Account, Prepared};
use crate::client::{self, Client, Submission};
use crate::cpu;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::watch::Tracker;

/// Consecutive unanswered submissions after which a worker gives up on its node.
const UNREACHABLE_LIMIT: u32 = 50;
/// Pause before a refused-for-now transaction is sent again.
const RETRY_PAUSE: Duration = Duration::from_millis(2);

/// How much load a phase offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Offered {
    /// A fixed number of transactions per second.
    Rate(u32),
    /// As many as the network takes, with at most max(`floor`, `secs` × the committed rate so
    /// far) submitted and not yet final.
    Max {
        /// The least window.
        floor: usize,
        /// Seconds of the committed rate the window grows to.
        secs: u64,
    },
}

/// One load phase.
#[derive(Debug, Clone)]
pub(crate) struct Phase {
    /// The load.
    pub(crate) offered: Offered,
    /// How long transactions are offered.
    pub(crate) duration: Duration,
    /// Transactions to sign in advance (the phase ends early if they run out).
    pub(crate) budget: usize,
}

/// A refusal for good, as the node worded it.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The node's error code.
    pub(crate) code: String,
    /// The node's message.
    pub(crate) message: String,
    /// The node, numbered from 1.
    pub(crate) node: usize,
}

/// What a phase measured.
#[derive(Debug, Clone)]
pub(crate) struct PhaseResult {
    /// The load offered.
    pub(crate) offered: Offered,
    /// How long transactions were actually offered.
    pub(crate) elapsed: Duration,
    /// Submissions the nodes accepted (202).
    pub(crate) accepted: usize,
    /// Refusals for good, with an example of each code.
    pub(crate) refused: BTreeMap<String, (usize, Refusal)>,
    /// Refusals for now (sent again), by code.
    pub(crate) retried: BTreeMap<String, usize>,
    /// Committed transfers per second over whole blocks seen after the warm-up.
    pub(crate) committed_per_sec: Option<f64>,
    /// Blocks and transactions that figure counts, and the span it covers.
    pub(crate) committed_span: Option<(usize, usize, Duration)>,
    /// Submit-to-final latencies of the phase's accepted transactions, sorted.
    pub(crate) latencies: Vec<Duration>,
    /// Accepted transactions not seen final by the end of the drain.
    pub(crate) not_final: usize,
    /// Whether the pre-signed transactions ran out before the end.
    pub(crate) ran_out: bool,
    /// Share of the phase the submitters spent waiting for room in the window (0..=1).
    pub(crate) window_full: f64,
    /// CPU use while transactions were offered.
    pub(crate) cpu: cpu::Usage,
}

impl PhaseResult {
    /// The rate at which the nodes accepted submissions.
    pub(crate) fn accepted_per_sec(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 { self.accepted as f64 / secs } else { 0.0 }
    }
}

/// One worker's accounts and their transactions for the phase.
struct Lane {
    account: usize,
    txs: VecDeque<Prepared>,
    accepted: u64,
    refused: Option<Refusal>,
}

#[derive(Default)]
struct WorkerOutcome {
    lanes: Vec<(usize, u64, Option<Refusal>)>,
    window_wait: Duration,
    retried: BTreeMap<String, usize>,
    ran_out: bool,
    failure: Option<String>,
}

struct Worker<'a> {
    node: usize,
    client: Client,
    tracker: &'a Tracker,
    lanes: Vec<Lane>,
    cursor: usize,
    outcome: WorkerOutcome,
}

impl Worker<'_> {
    /// The next lane with a transaction to send, round-robin.
    fn next_lane(&mut self) -> Option<usize> {
        for step in 0..self.lanes.len() {
            let i = (self.cursor + step) % self.lanes.len();
            let lane = &self.lanes[i];
            if lane.refused.is_none() && !lane.txs.is_empty() {
                self.cursor = i + 1;
                return Some(i);
            }
        }
        None
    }

    /// Sends lane `i`'s next transaction until the node accepts or refuses it for good, or
    /// `deadline` passes. Returns `false` when the worker must stop (its node is unreachable).
    fn send(&mut self, i: usize, deadline: Instant) -> bool {
        let Some(tx) = self.lanes[i].txs.front().cloned() else { return true };
        let mut unreachable = 0;
        loop {
            self.tracker.sending(tx.id, self.node);
            match self.client.submit_once(&tx.body) {
                Submission::Accepted => {
                    let lane = &mut self.lanes[i];
                    lane.txs.pop_front();
                    lane.accepted += 1;
                    return true;
                }
                // After a lost answer the first attempt may have been admitted after all.
                answer if unreachable > 0 && answer.already_there() => {
                    let lane = &mut self.lanes[i];
                    lane.txs.pop_front();
                    lane.accepted += 1;
                    return true;
                }
                Submission::Busy { code } => {
                    self.tracker.refused(&tx.id);
                    *self.outcome.retried.entry(code).or_insert(0) += 1;
                    if Instant::now() >= deadline {
                        return true;
                    }
                    std::thread::sleep(RETRY_PAUSE);
                }
                Submission::Refused { status, code, message } => {
                    self.tracker.refused(&tx.id);
                    self.lanes[i].refused = Some(Refusal { status, code, message, node: self.node + 1 });
                    return true;
                }
                Submission::Unreachable(err) => {
                    self.tracker.refused(&tx.id);
                    unreachable += 1;
                    if unreachable >= UNREACHABLE_LIMIT {
                        self.outcome.failure = Some(format!("{}: {err}", self.client.base()));
                        return false;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }

    /// Open loop: the `k`-th transaction of this worker goes out at `start + (k·of + index)/rate`.
    fn run_rate(&mut self, rate: u32, index: usize, of: usize, start: Instant, end: Instant) {
        let rate = f64::from(rate.max(1));
        for k in 0.. {
            let slot = (k * of + index) as f64 / rate;
            let due = start + Duration::from_secs_f64(slot);
            if due >= end {
                return;
            }
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let Some(i) = self.next_lane() else {
                self.outcome.ran_out = true;
                return;
            };
            if !self.send(i, end) {
                return;
            }
        }
    }

    /// Closed loop: send whenever fewer transactions are outstanding than the window, which is
    /// max(`floor`, `secs` × the rate at which transactions became final since `start`).
    fn run_max(&mut self, floor: usize, secs: u64, start: Instant, end: Instant) {
        let finals_before = self.tracker.finals();
        while Instant::now() < end {
            let elapsed = start.elapsed().as_secs_f64();
            let rate = (self.tracker.finals() - finals_before) as f64 / elapsed.max(1.0);
            let window = floor.max((rate * secs as f64) as usize);
            if self.tracker.outstanding() >= window {
                let pause = Duration::from_millis(1);
                std::thread::sleep(pause);
                self.outcome.window_wait += pause;
                continue;
            }
            let Some(i) = self.next_lane() else {
                self.outcome.ran_out = true;
                return;
            };
            if !self.send(i, end) {
                return;
            }
        }
    }

    fn finish(mut self) -> WorkerOutcome {
        self.outcome.lanes = self.lanes.into_iter().map(|l| (l.account, l.accepted, l.refused)).collect();
        self.outcome
    }
}

/// Where and how phases run.
#[derive(Debug)]
pub(crate) struct Runner<'a> {
    /// The network, all nodes running.
    pub(crate) network: &'a Network,
    /// Its chain id.
    pub(crate) chain_id: ChainId,
    /// Shared with the block watchers.
    pub(crate) tracker: Arc<Tracker>,
    /// HTTP connections (worker threads) per node.
    pub(crate) connections: usize,
    /// Time at the start of a phase left out of the throughput figure.
    pub(crate) warmup: Duration,
    /// Longest wait after a phase for its transactions to become final.
    pub(crate) drain: Duration,
}

impl Runner<'_> {
    /// Runs one phase and waits (at most `drain`) for its transactions to become final.
    pub(crate) fn run(&self, accounts: &mut [Account], phase: &Phase) -> Result<PhaseResult> {
        run_phase(self, accounts, phase)
    }
}

fn run_phase(runner: &Runner<'_>, accounts: &mut [Account], phase: &Phase) -> Result<PhaseResult> {
    let Runner { network, chain_id, tracker, connections, warmup, drain } = runner;
    let (connections, warmup, drain) = (*connections, *warmup, *drain);
    let live = accounts.iter().filter(|a| a.broken.is_none()).count();
    if live == 0 {
        let reason = accounts.iter().find_map(|a| a.broken.clone()).unwrap_or_default();
        return Err(Error::Setup(format!("the nodes refused a transaction of every bench account, e.g. {reason}")));
    }
    let per_account = phase.budget.div_ceil(live) + 1;
    let mut signed = accounts::sign_transfers(chain_id, accounts, per_account, 2);

    // Worker w of node n serves the accounts of node n whose index / nodes ≡ w (mod connections).
    let nodes = network.len();
    let connections = connections.max(1);
    let mut workers: Vec<Worker<'_>> = (0..nodes * connections)
        .map(|g| Worker {
            node: g / connections,
            // Its own agent: a clone would share one pool of idle connections with the others.
            client: client::connect(network.clients[g / connections].base()),
            tracker: tracker.as_ref(),
            lanes: Vec::new(),
            cursor: 0,
            outcome: WorkerOutcome::default(),
        })
        .collect();
    for (index, account) in accounts.iter().enumerate() {
        if account.broken.is_some() {
            continue;
        }
        let g = account.node * connections + (index / nodes) % connections;
        let txs = std::mem::take(&mut signed[index]);
        workers[g].lanes.push(Lane { account: index, txs, accepted: 0, refused: None });
    }
    drop(signed);

    let pids = network.pids();
    let ticks = cpu::ticks_per_second();
    let before = cpu::Snapshot::take(&pids);
    let start = Instant::now();
    let end = start + phase.duration;
    let of = workers.len();
    let outcomes: Vec<WorkerOutcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .enumerate()
            .map(|(index, mut worker)| {
                scope.spawn(move || {
                    match phase.offered {
                        Offered::Rate(rate) => worker.run_rate(rate, index, of, start, end),
                        Offered::Max { floor, secs } => worker.run_max(floor, secs, start, end),
                    }
                    worker.finish()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| WorkerOutcome {
                    failure: Some("a submitting thread panicked".into()),
                    ..WorkerOutcome::default()
                })
            })
            .collect()
    });
    let stopped = Instant::now();
    let after = cpu::Snapshot::take(&pids);
    let elapsed = stopped.saturating_duration_since(start).min(phase.duration);

    let mut result = PhaseResult {
        offered: phase.offered,
        elapsed,
        accepted: 0,
        refused: BTreeMap::new(),
        retried: BTreeMap::new(),
        committed_per_sec: None,
        committed_span: None,
        latencies: Vec::new(),
        not_final: 0,
        ran_out: false,
        window_full: 0.0,
        cpu: cpu::Usage::between(&before, &after, ticks, stopped.saturating_duration_since(start)),
    };
    let mut failures = Vec::new();
    let workers = outcomes.len().max(1) as f64;
    for outcome in outcomes {
        result.window_full += outcome.window_wait.as_secs_f64() / elapsed.as_secs_f64().max(1e-9) / workers;
        result.ran_out |= outcome.ran_out;
        failures.extend(outcome.failure);
        for (code, count) in outcome.retried {
            *result.retried.entry(code).or_insert(0) += count;
        }
        for (index, accepted, refusal) in outcome.lanes {
            accounts[index].next_nonce += accepted;
            result.accepted += usize::try_from(accepted).unwrap_or(usize::MAX);
            if let Some(refusal) = refusal {
                accounts[index].broken = Some(format!("{} {}", refusal.code, refusal.message));
                let entry = result.refused.entry(refusal.code.clone()).or_insert((0, refusal));
                entry.0 += 1;
            }
        }
    }
    if !failures.is_empty() {
        return Err(Error::Setup(format!("submitting stopped: a node stopped answering: {}", failures.join("; "))));
    }

    let drained = Instant::now() + drain;
    while tracker.outstanding() > 0 && Instant::now() < drained {
        std::thread::sleep(Duration::from_millis(20));
    }
    result.not_final = tracker.abandon_outstanding();
    let mut latencies = tracker.samples_between(start, stopped);
    latencies.sort();
    result.latencies = latencies;
    if let Some((rate, blocks, txs, span)) = committed_rate(&tracker.blocks(), start + warmup, stopped) {
        result.committed_per_sec = Some(rate);
        result.committed_span = Some((blocks, txs, span));
    }
    Ok(result)
}

/// Committed transactions per second over the whole blocks seen in `from..=to`: the
/// transactions of every block after the first, over the time from the first to the last.
/// Returns the rate, the blocks and transactions counted, and the span.
pub(crate) fn committed_rate(
    blocks: &[crate::watch::BlockSeen],
    from: Instant,
    to: Instant,
) -> Option<(f64, usize, usize, Duration)> {
    let inside: Vec<_> = blocks.iter().filter(|b| b.seen >= from && b.seen <= to).collect();
    let (first, last) = (inside.first()?, inside.last()?);
    let span = last.seen.saturating_duration_since(first.seen);
    if inside.len() < 2 || span.is_zero() {
        return None;
    }
    let txs: usize = inside.iter().skip(1).map(|b| b.txs).sum();
    Some((txs as f64 / span.as_secs_f64(), inside.len() - 1, txs, span))
}

/// The `q`-quantile (0..=1) of sorted `values` by nearest rank.
pub(crate) fn quantile(values: &[Duration], q: f64) -> Option<Duration> {
    if values.is_empty() {
        return None;
    }
    let rank = (q * values.len() as f64).ceil() as usize;
    values.get(rank.clamp(1, values.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::BlockSeen;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let values: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&values, 0.5), Some(Duration::from_millis(50)));
        assert_eq!(quantile(&values, 0.99), Some(Duration::from_millis(99)));
        assert_eq!(quantile(&values, 1.0), Some(Duration::from_millis(100)));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn committed_rate_counts_whole_blocks_inside_the_window() {
        let t = Instant::now();
        let at = |ms| t + Duration::from_millis(ms);
        let blocks = [
            BlockSeen { txs: 999, seen: at(0) },
            BlockSeen { txs: 10, seen: at(1_000) },
            BlockSeen { txs: 20, seen: at(2_000) },
            BlockSeen { txs: 30, seen: at(3_000) },
            BlockSeen { txs: 999, seen: at(9_000) },
        ];
        let (rate, blocks_counted, txs, span) = committed_rate(&blocks, at(500), at(3_500)).expect("a rate");
        assert_eq!((blocks_counted, txs, span), (2, 50, Duration::from_secs(2)));
        assert!((rate - 25.0).abs() < 1e-9);
        assert!(committed_rate(&blocks, at(500), at(1_500)).is_none(), "one block has no span");
    }
}
