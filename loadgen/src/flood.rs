//! Flood figures: what the network does while one node is flooded, bounded in count and time.
//! An idle baseline, then 64 parallel heavy reads, 10,000 document posts, and a mempool flood
//! from 1 and from 500 accounts, each at node 1, while an honest account sends one transfer every
//! 200 ms through node 2 and a watcher on node 2 sees every block. For each phase: the requests
//! offered and their answers by status, the block interval (p50/p99, and p99 against the idle
//! p99: the target is at most 2), the honest transfers submitted and committed with their
//! submit-to-final latency, and every node's peak resident memory. The flooding accounts, the
//! officer and the honest account have their own keys in the bench-only genesis.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use contracts::{AccountId, Amount, ChainId, Height, Role, Timestamp};
use ed25519_dalek::SigningKey;
use genesis::GenesisAccount;

use crate::accounts::{self, Prepared, id_of};
use crate::client::{self, Client, Submission};
use crate::cpu;
use crate::load::quantile;
use crate::network::Network;
use crate::report::thousands;
use crate::watch::{Tracker, Watchers};

/// Key-derivation context of the flood figures' keys (bench only, never a real key).
const KEY_CONTEXT: &str = "heitje 2026-12 loadgen bench flood key";
/// The node every flood goes to (index; node 1 in the figures).
const TARGET: usize = 0;
/// The node the honest account and the block watcher use (index; node 2 in the figures).
const HONEST: usize = 1;
/// The target: p99 block interval under flood at most this times the idle p99.
pub(crate) const RATIO_TARGET: f64 = 2.0;
/// Threads posting documents and flooding the mempool.
const FLOODERS: usize = 8;
/// How often the resident memory of every node is sampled.
const RSS_EVERY: Duration = Duration::from_millis(250);
/// Longest wait after a phase for its honest transfers to become final.
const DRAIN: Duration = Duration::from_secs(20);
/// Pause before an honest transfer refused for now is sent again.
const RETRY_PAUSE: Duration = Duration::from_millis(20);

/// What the flood phases offer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// How long the idle baseline runs.
    pub(crate) idle: Duration,
    /// Longest time a flood phase runs.
    pub(crate) phase: Duration,
    /// Parallel heavy readers.
    pub(crate) readers: usize,
    /// Document posts.
    pub(crate) documents: usize,
    /// Accounts of the many-account mempool flood.
    pub(crate) accounts: usize,
    /// Transfers signed in advance for each of them.
    pub(crate) per_account: usize,
    /// Transfers signed in advance for the one-account flood.
    pub(crate) single: usize,
    /// Time between two honest transfers.
    pub(crate) honest_every: Duration,
    /// Milliseconds between two polls of the watcher.
    pub(crate) poll: Duration,
}

/// The flood figures' accounts.
#[derive(Debug)]
pub(crate) struct Keys {
    honest: SigningKey,
    single: SigningKey,
    many: Vec<SigningKey>,
    officer: SigningKey,
}

fn key(label: &str, index: usize) -> SigningKey {
    crate::accounts::labelled_key(KEY_CONTEXT, label, index)
}

impl Keys {
    /// The deterministic keys: one honest account, one flooder, `many` flooders, one officer.
    pub(crate) fn new(many: usize) -> Self {
        Self {
            honest: key("honest", 0),
            single: key("single", 0),
            many: (0..many).map(|i| key("many", i)).collect(),
            officer: key("officer", 0),
        }
    }

    /// Their genesis entries: the honest account and the flooders enrolled and funded, the
    /// officer with its role.
    pub(crate) fn genesis_accounts(&self) -> Vec<GenesisAccount> {
        let funded = |key: &SigningKey| GenesisAccount {
            address: id_of(key),
            roles: Vec::new(),
            enrolled: true,
            balance: Amount::coins(1_000_000),
        };
        let mut accounts = vec![funded(&self.honest), funded(&self.single)];
        accounts.extend(self.many.iter().map(funded));
        accounts.push(GenesisAccount {
            address: id_of(&self.officer),
            roles: vec![Role::Officer],
            enrolled: false,
            balance: Amount::ZERO,
        });
        accounts
    }
}

/// What one phase measured.
#[derive(Debug, Clone)]
pub(crate) struct PhaseFigures {
    /// What was offered, in words.
    pub(crate) name: String,
    /// How long it ran.
    pub(crate) elapsed: Duration,
    /// Flood requests sent.
    pub(crate) offered: usize,
    /// Their answers, by status (and code).
    pub(crate) answers: BTreeMap<String, usize>,
    /// Blocks seen on the honest node in the phase.
    pub(crate) blocks: usize,
    /// Intervals between consecutive blocks seen on the honest node, sorted.
    pub(crate) intervals: Vec<Duration>,
    /// Honest transfers the node accepted.
    pub(crate) honest_submitted: usize,
    /// Their submit-to-final latencies, sorted (one per transfer seen final).
    pub(crate) honest_latencies: Vec<Duration>,
    /// Honest transfers refused (for now and for good), by code.
    pub(crate) honest_refused: BTreeMap<String, usize>,
    /// Each node's largest resident set sampled in the phase, in KiB.
    pub(crate) rss_kib: Vec<Option<u64>>,
    /// CPU use while the phase ran.
    pub(crate) cpu: cpu::Usage,
}

/// Every phase, idle first.
#[derive(Debug, Clone)]
pub(crate) struct Figures {
    /// The phases.
    pub(crate) phases: Vec<PhaseFigures>,
    /// Each node's peak resident set over its life (`VmHWM`) at the end, in KiB.
    pub(crate) hwm_kib: Vec<Option<u64>>,
    /// The block watcher's errors, if any.
    pub(crate) watcher_errors: Vec<String>,
}

/// Answers by label, shared by the flooding threads.
#[derive(Debug, Default)]
struct Tally(Mutex<BTreeMap<String, usize>>);

impl Tally {
    fn add(&self, label: String) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner).entry(label).or_insert(0) += 1;
    }

    fn take(&self) -> BTreeMap<String, usize> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A client error as a label: `429 too_many_reads`, or `no answer`.
fn label(err: &api::client::Error) -> String {
    match err {
        api::client::Error::Api { status, code, .. } => format!("{status} {code}"),
        api::client::Error::Unreachable { .. } => "no answer".into(),
        api::client::Error::BadAnswer { .. } => "bad answer".into(),
        api::client::Error::PlainHttp { .. } => "refused locally".into(),
    }
}

/// A submission's answer as a label. The client folds 429 and 503 into "busy"; the node's codes
/// say which: `account_queue_full` is 429, `mempool_full` and `busy` are 503.
fn submission_label(answer: &Submission) -> String {
    match answer {
        Submission::Accepted => "202".into(),
        Submission::Busy { code } if code == "account_queue_full" => format!("429 {code}"),
        Submission::Busy { code } => format!("503 {code}"),
        Submission::Refused { status, code, .. } => format!("{status} {code}"),
        Submission::Unreachable(_) => "no answer".into(),
    }
}

/// Intervals between consecutive instants (in order), sorted.
pub(crate) fn intervals(seen: &[Instant]) -> Vec<Duration> {
    let mut out: Vec<Duration> = seen.windows(2).map(|w| w[1].saturating_duration_since(w[0])).collect();
    out.sort();
    out
}

/// `flood` over `idle`, or `None` when either is missing or the idle one is zero.
pub(crate) fn ratio(flood: Option<Duration>, idle: Option<Duration>) -> Option<f64> {
    let (flood, idle) = (flood?, idle?);
    (!idle.is_zero()).then(|| flood.as_secs_f64() / idle.as_secs_f64())
}

/// `VmRSS` or `VmHWM` of `pid` in KiB.
fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok())
}

/// The honest account's next nonce and where its transfers go.
struct Honest<'a> {
    key: &'a SigningKey,
    to: AccountId,
    nonce: u64,
}

/// Sends one honest transfer every `every` until `stop`, through `client` (the watcher's node,
/// index 0 for the tracker). Returns the accepted count and the refusals by code.
fn honest_loop(
    honest: &mut Honest<'_>,
    chain_id: &ChainId,
    client: &Client,
    tracker: &Tracker,
    every: Duration,
    stop: &AtomicBool,
) -> (usize, BTreeMap<String, usize>) {
    let mut accepted = 0;
    let mut refused = BTreeMap::new();
    let start = Instant::now();
    for k in 0u32.. {
        let due = start + every * k;
        while Instant::now() < due {
            if stop.load(Ordering::Relaxed) {
                return (accepted, refused);
            }
            std::thread::sleep(Duration::from_millis(5).min(due.saturating_duration_since(Instant::now())));
        }
        if stop.load(Ordering::Relaxed) {
            return (accepted, refused);
        }
        let tx = accounts::transfer(chain_id, honest.key, honest.to, honest.nonce);
        let mut unreachable = false;
        loop {
            tracker.sending(tx.id, 0);
            let answer = client.submit_once(&tx.body);
            match answer {
                Submission::Accepted => {}
                ref answer if unreachable && answer.already_there() => {}
                Submission::Busy { code } => {
                    tracker.refused(&tx.id);
                    *refused.entry(code).or_insert(0) += 1;
                    if stop.load(Ordering::Relaxed) {
                        return (accepted, refused);
                    }
                    std::thread::sleep(RETRY_PAUSE);
                    continue;
                }
                Submission::Refused { code, .. } => {
                    tracker.refused(&tx.id);
                    *refused.entry(code).or_insert(0) += 1;
                    break;
                }
                Submission::Unreachable(_) => {
                    tracker.refused(&tx.id);
                    *refused.entry("no answer".into()).or_insert(0) += 1;
                    unreachable = true;
                    if stop.load(Ordering::Relaxed) {
                        return (accepted, refused);
                    }
                    std::thread::sleep(RETRY_PAUSE);
                    continue;
                }
            }
            accepted += 1;
            honest.nonce += 1;
            break;
        }
    }
    (accepted, refused)
}

/// The flood of one phase.
enum Flood {
    Idle,
    Reads,
    Documents,
    Mempool(Vec<VecDeque<Prepared>>),
}

/// Heavy reads at `client` until `end`, by `readers` threads: the incremental chain check,
/// an account history, the claims and tasks pages and a block, in turn.
fn flood_reads(base: &str, readers: usize, history_of: AccountId, end: Instant, tally: &Tally, sent: &AtomicUsize) {
    std::thread::scope(|scope| {
        for reader in 0..readers {
            scope.spawn(move || {
                let client = client::connect(base);
                let mut head = 1;
                for k in reader.. {
                    if Instant::now() >= end {
                        return;
                    }
                    sent.fetch_add(1, Ordering::Relaxed);
                    let answer = match k % 5 {
                        0 => client.verify_chain().map(drop),
                        1 => client.history(&history_of, 100, None).map(drop),
                        2 => client.claims().map(drop),
                        3 => client.tasks().map(drop),
                        _ => client.block(Some(Height(1 + (k as u64 * 7919) % head))).map(|b| {
                            head = head.max(b.header.height.0);
                        }),
                    };
                    if k % 50 == 0
                        && let Ok(height) = client.height()
                    {
                        head = head.max(height.0);
                    }
                    tally.add(answer.map_or_else(|e| label(&e), |()| "200".into()));
                }
            });
        }
    });
}

/// `count` document posts at `base` until `end`: nine in ten signed by the officer, one in ten
/// by an account without the role.
fn flood_documents(base: &str, count: usize, keys: &Keys, end: Instant, tally: &Tally, sent: &AtomicUsize) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..FLOODERS {
            scope.spawn(|| {
                let client = client::connect(base);
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= count || Instant::now() >= end {
                        return;
                    }
                    sent.fetch_add(1, Ordering::Relaxed);
                    let (who, key) =
                        if k % 10 == 9 { ("non-officer", &keys.honest) } else { ("officer", &keys.officer) };
                    let text = format!("Heitje flood benchmark document {k}: a public notice of the municipality.");
                    let mut nonce = [0u8; api::staff::NONCE_BYTES];
                    let digest = blake3::derive_key(KEY_CONTEXT, format!("document nonce {k} {}", now_ms()).as_bytes());
                    nonce.copy_from_slice(&digest[..api::staff::NONCE_BYTES]);
                    let answer = client
                        .upload_document(&text, |unsigned| unsigned.sign(key, Timestamp(now_ms()), nonce).header());
                    tally.add(format!("{who}: {}", answer.map_or_else(|e| label(&e), |_| "201".into())));
                }
            });
        }
    });
}

/// Offers the pre-signed transfers of every lane (one account each, in nonce order) to `base`
/// as fast as the node answers, until `end` or until they run out: with one lane, `FLOODERS`
/// threads send its next transfer at once (so also past its quota); with many, each thread
/// takes its share of the lanes in turn and moves on to the next lane when one is refused.
fn flood_mempool(base: &str, lanes: Vec<VecDeque<Prepared>>, end: Instant, tally: &Tally, sent: &AtomicUsize) {
    if lanes.len() == 1 {
        let txs: Vec<Prepared> = lanes.into_iter().flatten().collect();
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..FLOODERS {
                scope.spawn(|| {
                    let client = client::connect(base);
                    while Instant::now() < end {
                        let i = next.load(Ordering::Relaxed);
                        let Some(tx) = txs.get(i) else { return };
                        sent.fetch_add(1, Ordering::Relaxed);
                        let answer = client.submit_once(&tx.body);
                        if answer == Submission::Accepted {
                            let _ = next.compare_exchange(i, i + 1, Ordering::Relaxed, Ordering::Relaxed);
                        }
                        tally.add(submission_label(&answer));
                    }
                });
            }
        });
        return;
    }
    let mut shares: Vec<Vec<VecDeque<Prepared>>> = (0..FLOODERS).map(|_| Vec::new()).collect();
    for (i, lane) in lanes.into_iter().enumerate() {
        shares[i % FLOODERS].push(lane);
    }
    std::thread::scope(|scope| {
        for mut share in shares {
            scope.spawn(move || {
                let client = client::connect(base);
                while Instant::now() < end {
                    let mut any = false;
                    for lane in &mut share {
                        let Some(tx) = lane.front() else { continue };
                        if Instant::now() >= end {
                            return;
                        }
                        any = true;
                        sent.fetch_add(1, Ordering::Relaxed);
                        let answer = client.submit_once(&tx.body);
                        match answer {
                            Submission::Accepted => {
                                lane.pop_front();
                            }
                            // A refusal for good (a nonce the node no longer takes) ends the lane.
                            Submission::Refused { .. } => lane.clear(),
                            Submission::Busy { .. } | Submission::Unreachable(_) => {}
                        }
                        tally.add(submission_label(&answer));
                    }
                    if !any {
                        return;
                    }
                }
            });
        }
    });
}

/// Signs `count` transfers of `key` to `to` from nonce 0.
fn presign(chain_id: &ChainId, key: &SigningKey, to: AccountId, count: usize) -> VecDeque<Prepared> {
    (0..count as u64).map(|nonce| accounts::transfer(chain_id, key, to, nonce)).collect()
}

/// Signs the many-account flood's transfers on two threads.
fn presign_many(chain_id: &ChainId, keys: &[SigningKey], to: AccountId, count: usize) -> Vec<VecDeque<Prepared>> {
    let half = keys.len().div_ceil(2).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = keys
            .chunks(half)
            .map(|chunk| scope.spawn(move || chunk.iter().map(|k| presign(chain_id, k, to, count)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

/// Runs the idle baseline and the floods and returns their figures.
pub(crate) fn run(network: &Network, chain_id: &ChainId, keys: &Keys, settings: &Settings) -> Figures {
    let target = network.clients[TARGET].base().to_owned();
    let honest_client = client::connect(network.clients[HONEST].base());
    let tracker = Arc::new(Tracker::default());
    let watchers = Watchers::start(std::slice::from_ref(&honest_client), &tracker, settings.poll);
    // Honest transfers go to the one-account flooder, every flood's transfers to the honest
    // account: both enrolled.
    let sink = id_of(&keys.honest);
    let mut honest = Honest { key: &keys.honest, to: id_of(&keys.single), nonce: 0 };
    let reads = format!("{} parallel heavy reads at node {}", settings.readers, TARGET + 1);
    let plan: Vec<(String, Flood, Duration)> = vec![
        ("idle (honest transfers only)".into(), Flood::Idle, settings.idle),
        (reads, Flood::Reads, settings.phase),
        (
            format!(
                "{} document posts at node {} (9 in 10 by the officer)",
                thousands(settings.documents as f64),
                TARGET + 1
            ),
            Flood::Documents,
            settings.phase,
        ),
        (
            format!("mempool flood from 1 account at node {} ({FLOODERS} connections)", TARGET + 1),
            Flood::Mempool(vec![presign(chain_id, &keys.single, sink, settings.single)]),
            settings.phase,
        ),
        (
            format!("mempool flood from {} accounts at node {}", settings.accounts, TARGET + 1),
            Flood::Mempool(presign_many(chain_id, &keys.many, sink, settings.per_account)),
            settings.phase,
        ),
    ];
    let pids = network.pids();
    let mut phases = Vec::new();
    for (name, flood, limit) in plan {
        eprintln!("==> flood phase: {name} (at most {limit:?})");
        let tally = Tally::default();
        let sent = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let rss = Mutex::new(vec![None::<u64>; pids.len()]);
        let before = cpu::Snapshot::take(&pids);
        let start = Instant::now();
        let end = start + limit;
        let (honest_submitted, honest_refused) = std::thread::scope(|scope| {
            let sampler = scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let mut peak = rss.lock().unwrap_or_else(PoisonError::into_inner);
                    for (slot, pid) in peak.iter_mut().zip(&pids) {
                        if let Some(kib) = pid.and_then(|pid| memory_kib(pid, "VmRSS")) {
                            *slot = Some(slot.map_or(kib, |s| s.max(kib)));
                        }
                    }
                    drop(peak);
                    std::thread::sleep(RSS_EVERY);
                }
            });
            let honest_thread = scope
                .spawn(|| honest_loop(&mut honest, chain_id, &honest_client, &tracker, settings.honest_every, &stop));
            match flood {
                Flood::Idle => std::thread::sleep(limit),
                Flood::Reads => flood_reads(&target, settings.readers, id_of(&keys.honest), end, &tally, &sent),
                Flood::Documents => flood_documents(&target, settings.documents, keys, end, &tally, &sent),
                Flood::Mempool(lanes) => flood_mempool(&target, lanes, end, &tally, &sent),
            }
            stop.store(true, Ordering::Relaxed);
            let _ = sampler.join();
            honest_thread.join().unwrap_or_default()
        });
        let stopped = Instant::now();
        let cpu = cpu::Usage::between(
            &before,
            &cpu::Snapshot::take(&pids),
            cpu::ticks_per_second(),
            stopped.saturating_duration_since(start),
        );
        let drained = stopped + DRAIN;
        while tracker.outstanding() > 0 && Instant::now() < drained {
            std::thread::sleep(Duration::from_millis(20));
        }
        tracker.abandon_outstanding();
        let mut honest_latencies = tracker.samples_between(start, stopped);
        honest_latencies.sort();
        let seen: Vec<Instant> =
            tracker.blocks().iter().map(|b| b.seen).filter(|&s| s >= start && s <= stopped).collect();
        let figures = PhaseFigures {
            name,
            elapsed: stopped.saturating_duration_since(start),
            offered: sent.load(Ordering::Relaxed),
            answers: tally.take(),
            blocks: seen.len(),
            intervals: intervals(&seen),
            honest_submitted,
            honest_latencies,
            honest_refused,
            rss_kib: rss.into_inner().unwrap_or_else(PoisonError::into_inner),
            cpu,
        };
        eprintln!(
            "    {} requests, {} blocks, interval p99 {:?}, honest {}/{} final",
            figures.offered,
            figures.blocks,
            quantile(&figures.intervals, 0.99),
            figures.honest_latencies.len(),
            figures.honest_submitted
        );
        phases.push(figures);
    }
    watchers.stop();
    let hwm_kib = pids.iter().map(|pid| pid.and_then(|pid| memory_kib(pid, "VmHWM"))).collect();
    Figures { phases, hwm_kib, watcher_errors: tracker.errors() }
}

fn ms(value: Option<Duration>) -> String {
    value.map_or_else(|| "-".into(), |d| format!("{:.0} ms", d.as_secs_f64() * 1000.0))
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "-".into(), |k| format!("{:.0}", k as f64 / 1024.0))
}

fn answers(map: &BTreeMap<String, usize>) -> String {
    if map.is_empty() {
        return "-".into();
    }
    map.iter().map(|(label, n)| format!("{} × {label}", thousands(*n as f64))).collect::<Vec<_>>().join(", ")
}

/// Prints the flood figures as Markdown.
pub(crate) fn print(figures: &Figures, settings: &Settings, profile: &str) {
    let idle_p99 = figures.phases.first().and_then(|p| quantile(&p.intervals, 0.99));
    println!();
    println!("## Floods");
    println!();
    println!(
        "Every flood goes to node {} on loopback; an honest account sends one transfer every {} ms through node {}, \
         whose head is polled every {} ms for the block intervals and the honest latency. heitje-node built in the \
         `{profile}` profile. Target (issue 12): p99 block interval under flood at most {RATIO_TARGET} × the idle p99, \
         honest transfers commit, memory stays bounded.",
        TARGET + 1,
        settings.honest_every.as_millis(),
        HONEST + 1,
        settings.poll.as_millis(),
    );
    println!();
    println!(
        "| phase | ran | requests | blocks | interval p50 | interval p99 | p99 / idle p99 (target ≤ {RATIO_TARGET}) | \
         honest final/accepted | honest p50 | honest p99 | peak RSS per node (MiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for p in &figures.phases {
        let p99 = quantile(&p.intervals, 0.99);
        let ratio = ratio(p99, idle_p99).map_or_else(
            || "-".into(),
            |r| format!("{r:.2} {}", if r <= RATIO_TARGET { "(met)" } else { "(NOT met)" }),
        );
        println!(
            "| {} | {:.1} s | {} | {} | {} | {} | {} | {}/{} | {} | {} | {} |",
            p.name,
            p.elapsed.as_secs_f64(),
            thousands(p.offered as f64),
            p.blocks,
            ms(quantile(&p.intervals, 0.5)),
            ms(p99),
            ratio,
            p.honest_latencies.len(),
            p.honest_submitted,
            ms(quantile(&p.honest_latencies, 0.5)),
            ms(quantile(&p.honest_latencies, 0.99)),
            p.rss_kib.iter().map(|k| mib(*k)).collect::<Vec<_>>().join(" / "),
        );
    }
    println!();
    println!("Answers to the flood requests, by HTTP status and code, and CPU use in cores while each phase ran:");
    for p in &figures.phases {
        println!("- {}: {}", p.name, answers(&p.answers));
        println!(
            "  - CPU: nodes {}; load generator {:.2}; whole machine {:.2} of {:.1}",
            p.cpu.nodes.iter().map(|c| format!("{c:.2}")).collect::<Vec<_>>().join(" / "),
            p.cpu.loadgen,
            p.cpu.machine,
            p.cpu.machine_cores
        );
        if !p.honest_refused.is_empty() {
            println!("  - honest transfers refused (sent again while busy): {}", answers(&p.honest_refused));
        }
    }
    println!(
        "- peak resident set over each node's life (VmHWM) at the end: {} MiB",
        figures.hwm_kib.iter().map(|k| mib(*k)).collect::<Vec<_>>().join(" / ")
    );
    for error in &figures.watcher_errors {
        println!("- block watcher: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_the_sorted_gaps_between_blocks() {
        let t = Instant::now();
        let at = |ms| t + Duration::from_millis(ms);
        let gaps = intervals(&[at(0), at(300), at(400), at(1_000)]);
        assert_eq!(gaps, [100, 300, 600].map(Duration::from_millis));
        assert!(intervals(&[at(5)]).is_empty());
    }

    #[test]
    fn ratio_divides_flood_by_idle_and_refuses_a_zero_idle() {
        let r = ratio(Some(Duration::from_millis(900)), Some(Duration::from_millis(600))).expect("a ratio");
        assert!((r - 1.5).abs() < 1e-9);
        assert_eq!(ratio(Some(Duration::from_millis(1)), Some(Duration::ZERO)), None);
        assert_eq!(ratio(None, Some(Duration::from_millis(1))), None);
    }

    #[test]
    fn busy_submissions_are_labelled_with_their_status() {
        assert_eq!(submission_label(&Submission::Busy { code: "account_queue_full".into() }), "429 account_queue_full");
        assert_eq!(submission_label(&Submission::Busy { code: "mempool_full".into() }), "503 mempool_full");
        assert_eq!(submission_label(&Submission::Accepted), "202");
    }

    #[test]
    fn memory_is_read_from_proc() {
        let rss = memory_kib(std::process::id(), "VmRSS").expect("this process's VmRSS");
        assert!(rss > 0);
        assert_eq!(memory_kib(std::process::id(), "NoSuchField"), None);
    }

    #[test]
    fn the_officer_has_its_role_in_the_genesis_entries() {
        let keys = Keys::new(3);
        let entries = keys.genesis_accounts();
        assert_eq!(entries.len(), 6);
        assert_eq!(entries.iter().filter(|a| a.roles.contains(&Role::Officer)).count(), 1);
        assert_eq!(entries.iter().filter(|a| a.enrolled).count(), 5);
    }
}
