//! The engine loop: starts Malachite, answers every `AppMsg`, and translates to and from the
//! [`Host`] port.
//!
//! Rules kept here (see `docs/adr/002-consensus.md`):
//! - every request gets a reply, also on error paths (a dropped reply stalls the height);
//! - a decision is acknowledged only after the host has committed it durably;
//! - the start height comes from the host's storage, never from a flag;
//! - a block this node built or saw for `(height, round)` is kept (also on disk) and proposed
//!   again unchanged after a restart, so the node never signs two blocks for one round.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use contracts::codec::{Decode, Encode, Reader};

use contracts::{AccountId, Block, ChainId};
use ed25519_dalek::SigningKey;
use malachitebft_app_channel::app::config::{
    ConsensusConfig, DiscoveryConfig, P2pConfig, PubSubProtocol, ValuePayload, ValueSyncConfig,
};
use malachitebft_app_channel::app::consensus::{MisbehaviorEvidence, VoteExtensionError};
use malachitebft_app_channel::app::engine::host::{HeightParams, Next, SyncedValueOutcome};
use malachitebft_app_channel::app::engine::util::events::Event;
use malachitebft_app_channel::app::net::Multiaddr;
use malachitebft_app_channel::app::types::core::SignedVote;
use malachitebft_app_channel::app::types::core::{self as mc, LinearTimeouts, Round, Validity};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_app_channel::app::types::{Keypair, LocallyProposedValue, ProposedValue};
use malachitebft_app_channel::app::types::{PeerId, SignedConsensusMsg};
use malachitebft_app_channel::{
    AppMsg, Channels, ConsensusContext, EngineHandle, NetworkContext, NetworkIdentity, NetworkMsg, RequestContext,
    SyncContext, WalContext,
};
use tokio::sync::{broadcast, mpsc};

use crate::codec::{self, WireCodec, from_ledger_cert, to_ledger_cert};
use crate::context::{Address, BlockHash, Height, LedgerCtx, ValidatorSet};
use crate::deviation::Deviation;
use crate::parts::{self, Fault, StreamError, Streams, Window};
use crate::port::{Host, HostError, Misbehavior, MisbehaviorKind, Undecided};
use crate::progress::{Progress, Tracker};
use crate::signing::{Checker, Keys};
use crate::timeliness;

/// Consensus timeouts in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Wait for a proposal in round 0.
    pub propose_ms: u64,
    /// Wait for more prevotes after seeing 2/3 of any.
    pub prevote_ms: u64,
    /// Wait for more precommits after seeing 2/3 of any.
    pub precommit_ms: u64,
    /// Added per round to each of the above.
    pub delta_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { propose_ms: 1500, prevote_ms: 500, precommit_ms: 500, delta_ms: 500 }
    }
}

/// How this node takes part in consensus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Votes and proposes.
    Validator,
    /// Follows the chain (live messages and value sync) without signing anything: a validator
    /// whose double-sign guard is ahead of its stored chain.
    Follower,
}

/// Everything needed to start the engine.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Name for logs.
    pub moniker: String,
    /// This validator's key (consensus signing and libp2p identity).
    pub key: SigningKey,
    /// The chain.
    pub chain_id: ChainId,
    /// Consensus p2p listen address, e.g. `/ip4/127.0.0.1/tcp/27000`.
    pub listen: String,
    /// The other validators, as `/ip4/…/tcp/…/p2p/<peer id>`; only these may connect.
    pub peers: Vec<String>,
    /// Directory of Malachite's write-ahead log.
    pub wal_dir: PathBuf,
    /// Consensus timeouts.
    pub timeouts: Timeouts,
    /// Least time between the starts of two heights while transactions wait.
    pub min_block_interval: Duration,
    /// Longest time between heights when idle.
    pub heartbeat: Duration,
    /// Decided values per value-sync request.
    pub sync_batch: usize,
    /// The double-sign guard every vote and proposal passes.
    pub guard: crate::guard::SignGuard,
    /// Validator or follower.
    pub role: Role,
    /// Where the node stands against the network, for the API (kept across engine restarts).
    pub progress: tokio::sync::watch::Sender<Progress>,
    /// How this node proposes: [`crate::Honest`], except in the test network's liar (ADR 005).
    pub deviation: Arc<dyn Deviation>,
}

/// Most complete proposals of the next height held until it starts (one per round).
const EARLY_LIMIT: usize = parts::MAX_ROUNDS_AHEAD as usize + 1;

/// Header bytes of Malachite's write-ahead log file (a u32 version and a u64 sequence).
const WAL_HEADER_BYTES: u64 = 12;

/// Whether the write-ahead log in `wal_dir` holds any entry (of the height in progress).
pub fn has_wal(wal_dir: &std::path::Path) -> bool {
    std::fs::metadata(wal_dir.join("consensus.wal")).is_ok_and(|m| m.len() > WAL_HEADER_BYTES)
}

/// The libp2p peer id of a validator key.
pub fn peer_id_of(key: &SigningKey) -> Result<String, String> {
    keypair_of(key).map(|k| k.public().to_peer_id().to_base58())
}

fn keypair_of(key: &SigningKey) -> Result<Keypair, String> {
    let mut secret = key.to_bytes();
    Keypair::ed25519_from_bytes(&mut secret).map_err(|e| format!("validator key is not a libp2p ed25519 key: {e}"))
}

/// The engine's node configuration (Malachite's `NodeConfig`).
#[derive(Debug, Clone)]
struct EngineConfig {
    moniker: String,
    consensus: ConsensusConfig,
    value_sync: ValueSyncConfig,
}

impl malachitebft_app_channel::app::config::NodeConfig for EngineConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }
    fn consensus(&self) -> &ConsensusConfig {
        &self.consensus
    }
    fn consensus_mut(&mut self) -> &mut ConsensusConfig {
        &mut self.consensus
    }
    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }
    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

/// The running engine.
pub struct Running {
    engine: EngineHandle,
    driver: tokio::task::JoinHandle<Result<(), HostError>>,
}

impl Running {
    /// Resolves when the engine loop ends: `Err` on a ledger fault, `Ok` when the engine stopped.
    pub async fn stopped(&mut self) -> Result<(), HostError> {
        match (&mut self.driver).await {
            Ok(result) => result,
            Err(err) => Err(HostError(format!("the consensus loop failed: {err}"))),
        }
    }

    /// Stops the engine's actors (network, consensus, sync, write-ahead log), waits until they
    /// have stopped and released their ports and files, then ends the loop.
    pub async fn shutdown(self) {
        let wait = Some(Duration::from_secs(5));
        let cell = self.engine.actor.get_cell();
        cell.stop_children_and_wait(Some("shutdown".into()), wait).await;
        if let Err(err) = cell.stop_and_wait(Some("shutdown".into()), wait).await {
            tracing::warn!(%err, "the consensus engine did not stop in time");
        }
        self.driver.abort();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.engine.handle).await;
    }
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Running")
    }
}

/// Starts Malachite and the loop that answers it.
pub async fn start<H: Host>(settings: Settings, host: Arc<H>) -> eyre::Result<Running> {
    let keys = Keys::new(settings.key.clone(), settings.chain_id.clone(), settings.guard.clone());
    let keypair = keypair_of(&settings.key).map_err(|e| eyre::eyre!(e))?;
    let peer_id = keypair.public().to_peer_id();
    let proof = keys.peer_proof(peer_id.to_bytes());
    let proof_bytes = Bytes::from(codec::to_bytes(&proof));
    let address = Address(keys.account());

    let listen: Multiaddr = settings
        .listen
        .parse()
        .map_err(|e| eyre::eyre!("p2p listen address {:?} is not a multiaddr: {e}", settings.listen))?;
    let mut peers = Vec::with_capacity(settings.peers.len());
    for peer in &settings.peers {
        let addr: Multiaddr = peer.parse().map_err(|e| eyre::eyre!("peer address {peer:?} is not a multiaddr: {e}"))?;
        if !peer.contains("/p2p/") {
            eyre::bail!("peer address {peer:?} must end in /p2p/<peer id> so the peer is authenticated");
        }
        peers.push(addr);
    }
    let mut p2p = P2pConfig {
        listen_addr: listen,
        persistent_peers: peers,
        persistent_peers_only: true,
        discovery: DiscoveryConfig { enabled: false, ..DiscoveryConfig::default() },
        protocol: PubSubProtocol::Broadcast,
        ..P2pConfig::default()
    };
    p2p.pubsub_max_size = bytesize_mib(4);
    p2p.rpc_max_size = bytesize_mib(64);
    let consensus =
        ConsensusConfig { p2p, value_payload: ValuePayload::ProposalAndParts, ..ConsensusConfig::default() };
    let value_sync = ValueSyncConfig {
        enabled: true,
        status_update_interval: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        max_response_size: bytesize_mib(48),
        batch_size: settings.sync_batch.max(1),
        parallel_requests: 4,
        ..ValueSyncConfig::default()
    };
    let config = EngineConfig { moniker: settings.moniker.clone(), consensus, value_sync };
    std::fs::create_dir_all(&settings.wal_dir)?;

    let (identity, consensus_ctx) = match settings.role {
        Role::Validator => (
            NetworkIdentity::new_validator(settings.moniker.clone(), keypair, address.to_string(), proof_bytes),
            ConsensusContext::new_validator(address, Box::new(keys.checker()), Box::new(keys.clone())),
        ),
        Role::Follower => {
            // An address that is in no validator set: the engine then never asks to sign.
            let mut hasher = blake3::Hasher::new();
            hasher.update(b"heitje/follower/v1");
            hasher.update(&keys.account().0);
            let follower = Address(AccountId(*hasher.finalize().as_bytes()));
            (
                NetworkIdentity::new(settings.moniker.clone(), keypair, None),
                ConsensusContext::new_full_node(follower, Box::new(keys.checker())),
            )
        }
    };
    let (channels, engine) = malachitebft_app_channel::start_engine(
        LedgerCtx,
        config,
        WalContext::new(settings.wal_dir.join("consensus.wal"), WireCodec),
        NetworkContext::new(identity, WireCodec),
        consensus_ctx,
        SyncContext::new(WireCodec),
        RequestContext::new(64),
    )
    .await?;

    let timeouts = LinearTimeouts {
        propose: Duration::from_millis(settings.timeouts.propose_ms),
        propose_delta: Duration::from_millis(settings.timeouts.delta_ms),
        prevote: Duration::from_millis(settings.timeouts.prevote_ms),
        prevote_delta: Duration::from_millis(settings.timeouts.delta_ms),
        precommit: Duration::from_millis(settings.timeouts.precommit_ms),
        precommit_delta: Duration::from_millis(settings.timeouts.delta_ms),
        rebroadcast: Duration::from_millis(
            settings.timeouts.propose_ms + settings.timeouts.prevote_ms + settings.timeouts.precommit_ms,
        ),
        max_timeout: Duration::from_secs(30),
    };
    let driver = Driver {
        host,
        keys: keys.clone(),
        checker: keys.checker(),
        me: keys.account(),
        timeouts,
        min_interval: settings.min_block_interval,
        heartbeat: settings.heartbeat,
        blocks: BTreeMap::new(),
        streams: Streams::default(),
        early: BTreeMap::new(),
        streamed: BTreeMap::new(),
        height_started: Instant::now(),
        sync_batch: settings.sync_batch.max(1),
        synced: std::collections::BTreeSet::new(),
        progress: Tracker::new(settings.progress.clone()),
        deviation: Arc::clone(&settings.deviation),
    };
    let driver = tokio::spawn(driver.run(channels));
    Ok(Running { engine, driver })
}

fn bytesize_mib(n: u64) -> bytesize::ByteSize {
    bytesize::ByteSize::mib(n)
}

/// A block kept for the height being decided.
#[derive(Debug, Clone)]
struct Kept {
    undecided: Undecided,
    validity: Validity,
}

struct Driver<H: Host> {
    host: Arc<H>,
    keys: Keys,
    checker: Checker,
    me: AccountId,
    timeouts: LinearTimeouts,
    min_interval: Duration,
    heartbeat: Duration,
    /// Blocks seen or built, by (height, round, hash).
    blocks: BTreeMap<(Height, u32, contracts::Hash), Kept>,
    streams: Streams,
    /// Complete streams of the next height, from its proposers, judged when it starts.
    early: BTreeMap<(Height, u32), parts::Assembled>,
    /// The block each round's proposer streamed, with its stream signature.
    streamed: BTreeMap<(Height, u32), (contracts::Hash, contracts::crypto::Signature)>,
    height_started: Instant,
    sync_batch: usize,
    /// Heights whose block arrived by value sync: this node is catching up, and the next
    /// height starts at once instead of waiting for the block cadence.
    synced: std::collections::BTreeSet<Height>,
    /// Whether this node is at the head, for the API.
    progress: Tracker,
    deviation: Arc<dyn Deviation>,
}

fn reply<T>(sender: tokio::sync::oneshot::Sender<T>, value: T, what: &str) {
    if sender.send(value).is_err() {
        tracing::warn!(what, "the engine dropped its reply channel");
    }
}

impl<H: Host> Driver<H> {
    async fn params(&mut self, height: Height) -> Result<HeightParams<LedgerCtx>, HostError> {
        let validators = self.host.validators(height.0).await?;
        self.progress.set_validators(&validators);
        let set = ValidatorSet::new(&validators)
            .map_err(|e| HostError(format!("validator set at height {height} is unusable: {e}")))?;
        // Proposal streams are accepted for this height and the next from here on.
        let next_height = mc::Height::increment(&height);
        let next = ValidatorSet::new(&self.host.validators(next_height.0).await?).ok();
        self.streams.advance(Window { height, round: 0, set: set.clone(), next });
        self.early.retain(|(h, _), _| *h >= height);
        Ok(HeightParams::new(set, self.timeouts, None))
    }

    /// Publishes this node's proposal of `block` for `round` as the streams the deviation
    /// chooses (for an honest node: the block's one stream).
    async fn publish(
        &self,
        network: &mpsc::Sender<NetworkMsg<LedgerCtx>>,
        block: &Block,
        round: u32,
        pol_round: Round,
    ) {
        for out in self.deviation.streams(block, round) {
            for part in parts::split_outgoing(&self.keys, pol_round, &out) {
                if network.send(NetworkMsg::PublishProposalPart(part)).await.is_err() {
                    tracing::warn!("the network actor stopped; proposal parts not sent");
                    return;
                }
            }
        }
    }

    /// A proposal stream was refused: logged with its publisher, and counted where the node
    /// reports it (`/v1/status`).
    fn refused(&mut self, publisher: PeerId, err: &StreamError) {
        match err.fault() {
            Fault::Misbehaved(fault) => {
                tracing::warn!(peer = %publisher, %err, "refused a proposal stream: the peer misbehaves");
                self.progress.refused_stream(Some(fault));
            }
            Fault::Ignored => {
                tracing::debug!(peer = %publisher, %err, "ignored a proposal stream");
                self.progress.refused_stream(None);
            }
        }
    }

    /// A complete stream: judged now if it is for the current height, kept for later if it is
    /// for the next one.
    async fn assembled(
        &mut self,
        publisher: PeerId,
        assembled: parts::Assembled,
    ) -> Result<Option<ProposedValue<LedgerCtx>>, HostError> {
        if self.streams.height() != Some(assembled.height) {
            // Only the next height passes the stream window; one block per round is kept
            // (the proposer may send only one: a second one replaces it and the engine sees
            // the conflicting signed proposals).
            if self.early.len() < EARLY_LIMIT || self.early.contains_key(&(assembled.height, assembled.round)) {
                self.early.insert((assembled.height, assembled.round), assembled);
            } else {
                tracing::warn!(peer = %publisher, "too many early proposals; one dropped");
            }
            return Ok(None);
        }
        self.judge(assembled).await
    }

    /// Checks a complete stream of the current height and, if it comes from the round's
    /// proposer, re-executes and keeps it. Nothing from anyone else is executed or stored.
    async fn judge(&mut self, assembled: parts::Assembled) -> Result<Option<ProposedValue<LedgerCtx>>, HostError> {
        if self.streams.proposer(assembled.height, assembled.round) != Some(assembled.proposer) {
            let err = StreamError::NotProposer { height: assembled.height, round: assembled.round };
            tracing::warn!(validator = %assembled.proposer, %err, "refused a proposal stream: the validator misbehaves");
            self.progress.refused_stream(Some(crate::progress::ProposalFault::NotProposer));
            return Ok(None);
        }
        // One block per round from its proposer: a second, different one is equivocation, kept
        // as evidence (both stream signatures) and never executed.
        let key = (assembled.height, assembled.round);
        let hash = assembled.block.hash();
        match self.streamed.get(&key) {
            Some((first, signature)) if *first != hash => {
                let evidence = Misbehavior {
                    validator: assembled.proposer.0,
                    height: assembled.height.0,
                    round: assembled.round,
                    kind: MisbehaviorKind::DoubleStream,
                    first: [first.0.as_slice(), signature.0.as_slice()].concat(),
                    second: [hash.0.as_slice(), assembled.signature.0.as_slice()].concat(),
                };
                tracing::warn!(validator = %assembled.proposer, height = %assembled.height, round = assembled.round, "the proposer streamed two blocks for one round");
                self.host.record_misbehavior(vec![evidence]).await?;
                return Ok(None);
            }
            Some(_) => {}
            None => {
                self.streamed.insert(key, (hash, assembled.signature));
            }
        }
        // A fresh proposal must also be timely by this validator's clock; a re-proposed locked
        // block was checked when first voted on.
        let fresh = assembled.pol_round.as_u32().is_none();
        let checked = match self.host.validate_block(assembled.block.clone()).await? {
            Ok(()) if fresh => {
                timeliness::check(assembled.block.header.time, self.host.now()).map_err(|early| early.to_string())
            }
            other => other,
        };
        let validity = match checked {
            Ok(()) => Validity::Valid,
            Err(reason) => {
                tracing::warn!(height = %assembled.height, proposer = %assembled.proposer, %reason, "invalid proposal");
                self.progress.refused_stream(Some(crate::progress::ProposalFault::InvalidBlock));
                Validity::Invalid
            }
        };
        let undecided = Undecided {
            round: assembled.round,
            pol_round: assembled.pol_round.as_u32(),
            proposer: assembled.proposer.0,
            block: assembled.block,
        };
        let kept = Kept { undecided: undecided.clone(), validity };
        let value = self.proposed_value(assembled.height, &kept);
        self.keep(assembled.height, undecided, validity).await?;
        Ok(Some(value))
    }

    fn proposed_value(&self, height: Height, kept: &Kept) -> ProposedValue<LedgerCtx> {
        ProposedValue {
            height,
            round: Round::new(kept.undecided.round),
            valid_round: kept.undecided.pol_round.map_or(Round::Nil, Round::new),
            proposer: Address(kept.undecided.proposer),
            value: BlockHash(kept.undecided.block.hash()),
            validity: kept.validity,
        }
    }

    async fn keep(&mut self, height: Height, undecided: Undecided, validity: Validity) -> Result<(), HostError> {
        if validity.is_valid() {
            self.host.store_undecided(height.0, undecided.clone()).await?;
        }
        let key = (height, undecided.round, undecided.block.hash());
        self.blocks.insert(key, Kept { undecided, validity });
        Ok(())
    }

    fn find(&self, height: Height, hash: &contracts::Hash) -> Option<&Kept> {
        self.blocks.iter().find(|((h, _, b), _)| *h == height && b == hash).map(|(_, k)| k)
    }

    async fn run(mut self, mut channels: Channels<LedgerCtx>) -> Result<(), HostError> {
        let mut events = channels.events.subscribe();
        loop {
            tokio::select! {
                msg = channels.consensus.recv() => {
                    let Some(msg) = msg else { break };
                    if let Err(err) = self.handle(msg, &channels.network).await {
                        tracing::error!(%err, "the ledger failed; consensus stops here");
                        return Err(err);
                    }
                }
                event = events.recv() => match event {
                    Ok(Event::Received(SignedConsensusMsg::Vote(vote))) => self.heard(&vote),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    // The engine is gone; the consensus channel closes too.
                    Err(broadcast::error::RecvError::Closed) => events = channels.events.subscribe(),
                },
            }
        }
        tracing::info!("the consensus engine stopped");
        Ok(())
    }

    /// A vote from the network, before the engine checked it: if it shows the network working
    /// on a height beyond this node's next one, its signature is checked and it counts towards
    /// the network height (see [`crate::progress`]).
    fn heard(&mut self, vote: &SignedVote<LedgerCtx>) {
        let voter = vote.message.validator.0;
        let height = vote.message.height.0.0;
        if voter != self.me
            && self.progress.wants(&voter, height)
            && self.checker.verify_vote(&vote.message, &vote.signature)
        {
            self.progress.voted(voter, height);
        }
    }

    #[allow(clippy::too_many_lines)]
    async fn handle(
        &mut self,
        msg: AppMsg<LedgerCtx>,
        network: &mpsc::Sender<NetworkMsg<LedgerCtx>>,
    ) -> Result<(), HostError> {
        match msg {
            AppMsg::ConsensusReady { reply: tx } => {
                let height = Height(self.host.next_height().await?);
                for undecided in self.host.undecided(height.0).await? {
                    let key = (height, undecided.round, undecided.block.hash());
                    self.blocks.insert(key, Kept { undecided, validity: Validity::Valid });
                }
                self.progress.started(height.0.0.saturating_sub(1));
                let params = self.params(height).await?;
                tracing::info!(%height, "consensus ready");
                self.height_started = Instant::now();
                reply(tx, (height, params), "ConsensusReady");
            }
            AppMsg::StartedRound { height, round, proposer, role, reply_value } => {
                tracing::debug!(%height, %round, %proposer, ?role, "started round");
                let r = round.as_u32();
                if let Some(r) = r {
                    self.streams.started_round(height, r);
                }
                let mut values: Vec<_> = self
                    .blocks
                    .iter()
                    .filter(|((h, rr, _), _)| *h == height && Some(*rr) == r)
                    .map(|(_, kept)| self.proposed_value(height, kept))
                    .collect();
                // Proposals of this height that completed before it started.
                let later = self.early.split_off(&(mc::Height::increment(&height), 0));
                let early = std::mem::replace(&mut self.early, later);
                for assembled in early.into_values().filter(|a| a.height == height) {
                    if let Some(value) = self.judge(assembled).await? {
                        values.push(value);
                    }
                }
                reply(reply_value, values, "StartedRound");
            }
            AppMsg::GetValue { height, round, timeout, reply: tx } => {
                let Some(r) = round.as_u32() else {
                    tracing::error!(%height, "asked to propose for a nil round");
                    return Ok(());
                };
                let existing = self
                    .blocks
                    .iter()
                    .find(|((h, rr, _), k)| *h == height && *rr == r && k.undecided.proposer == self.me)
                    .map(|(_, k)| k.undecided.block.clone());
                let block = match existing {
                    Some(block) => block,
                    None => {
                        let deadline = Instant::now() + timeout / 2;
                        let time = self.deviation.block_time(self.host.now());
                        let mut block = self.host.build_block(height.0, r, self.me, time, deadline).await?;
                        self.deviation.finish_block(&mut block);
                        let undecided =
                            Undecided { round: r, pol_round: None, proposer: self.me, block: block.clone() };
                        self.keep(height, undecided, Validity::Valid).await?;
                        block
                    }
                };
                let hash = block.hash();
                tracing::debug!(%height, %round, txs = block.txs.len(), block = %hash.to_hex(), "proposing");
                reply(tx, LocallyProposedValue::new(height, round, BlockHash(hash)), "GetValue");
                self.publish(network, &block, r, Round::Nil).await;
            }
            AppMsg::ExtendVote { reply: tx, .. } => reply(tx, None, "ExtendVote"),
            AppMsg::VerifyVoteExtensions { extensions, reply: tx, .. } => {
                // Vote extensions are disabled: any extension is refused.
                let verdicts =
                    extensions.into_iter().map(|(a, _)| (a, Err(VoteExtensionError::InvalidVoteExtension))).collect();
                reply(tx, verdicts, "VerifyVoteExtensions");
            }
            AppMsg::RestreamProposal { height, round, valid_round, value_id, .. } => {
                let Some(r) = round.as_u32() else { return Ok(()) };
                match self.find(height, &value_id.0).map(|k| k.undecided.block.clone()) {
                    Some(block) => self.publish(network, &block, r, valid_round).await,
                    None => tracing::warn!(%height, %round, value = %value_id, "asked to restream a block not kept"),
                }
            }
            AppMsg::GetHistoryMinHeight { reply: tx } => reply(tx, Height(contracts::Height(1)), "GetHistoryMinHeight"),
            AppMsg::ReceivedProposalPart { from, published_by, part, reply: tx } => {
                // With the Broadcast pub-sub nothing is relayed, so the sending connection (noise-
                // authenticated) is the publisher; a declared publisher is used where there is one.
                let publisher = published_by.unwrap_or(from);
                let answer = match self.streams.insert(&self.checker, publisher, part) {
                    Ok(Some(assembled)) => self.assembled(publisher, assembled).await?,
                    Ok(None) => None,
                    Err(err) => {
                        self.refused(publisher, &err);
                        None
                    }
                };
                reply(tx, answer, "ReceivedProposalPart");
            }
            AppMsg::Decided { certificate, reply: tx, .. } => {
                let height = certificate.height;
                let kept = self.find(height, &certificate.value_id.0).map(|k| k.undecided.block.clone());
                match (kept, to_ledger_cert(&certificate)) {
                    (Some(block), Some(cert)) => {
                        self.host.commit(block.clone(), cert).await?;
                        tracing::info!(%height, round = %certificate.round, txs = block.txs.len(), "committed");
                        self.blocks.retain(|(h, _, _), _| *h > height);
                        self.streamed.retain(|(h, _), _| *h > height);
                    }
                    _ => {
                        tracing::error!(%height, value = %certificate.value_id, "decided a block this node does not have")
                    }
                }
                reply(tx, (), "Decided");
            }
            AppMsg::Finalized { certificate, evidence, reply: tx, .. } => {
                self.record(&evidence).await?;
                let next = Height(self.host.next_height().await?);
                let params = self.params(next).await?;
                if next <= certificate.height {
                    tracing::error!(height = %certificate.height, "the decided block was not committed; restarting the height");
                    reply(tx, Next::Restart(next, params), "Finalized");
                    return Ok(());
                }
                let caught_up_by_sync = self.synced.remove(&certificate.height);
                self.synced.retain(|h| *h > certificate.height);
                self.progress.committed(certificate.height.0.0, !caught_up_by_sync);
                if caught_up_by_sync {
                    // The network is ahead of this node: go on syncing without waiting.
                    self.height_started = Instant::now();
                    reply(tx, Next::Start(next, params), "Finalized");
                    return Ok(());
                }
                // Cadence: start the next height at once if transactions wait and the minimum
                // interval has passed; when idle, wait for a transaction or the heartbeat.
                let host = Arc::clone(&self.host);
                let started = self.height_started;
                let (min_interval, heartbeat) = (self.min_interval, self.heartbeat);
                self.height_started = Instant::now();
                tokio::spawn(async move {
                    let floor = started + min_interval;
                    let ceiling = started + heartbeat;
                    loop {
                        let now = Instant::now();
                        if now >= ceiling || (now >= floor && host.has_pending().await) {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    reply(tx, Next::Start(next, params), "Finalized");
                });
            }
            AppMsg::GetDecidedValues { range, reply: tx } => {
                let head = self.host.next_height().await?.0.saturating_sub(1);
                let from = range.start().0.0.max(1);
                let to = range.end().0.0.min(head).min(from.saturating_add(self.sync_batch as u64 - 1));
                let values = if from > to {
                    Vec::new()
                } else {
                    self.host
                        .decided_range(contracts::Height(from), contracts::Height(to))
                        .await?
                        .into_iter()
                        .map(|(block, cert)| {
                            RawDecidedValue::new(Bytes::from(block.to_bytes()), from_ledger_cert(&cert))
                        })
                        .collect()
                };
                reply(tx, values, "GetDecidedValues");
            }
            AppMsg::ProcessSyncedValue { height, round, proposer, value_bytes, reply: tx } => {
                let outcome = match decode_block(&value_bytes) {
                    Some(block) if block.header.height == height.0 => {
                        let validity = match self.host.validate_block(block.clone()).await? {
                            Ok(()) => Validity::Valid,
                            Err(reason) => {
                                tracing::warn!(%height, %reason, "synced block is invalid");
                                Validity::Invalid
                            }
                        };
                        let undecided = Undecided {
                            round: round.as_u32().unwrap_or(0),
                            pol_round: None,
                            proposer: proposer.0,
                            block,
                        };
                        let kept = Kept { undecided, validity };
                        let value = self.proposed_value(height, &kept);
                        let key = (height, kept.undecided.round, kept.undecided.block.hash());
                        self.blocks.insert(key, kept);
                        self.synced.insert(height);
                        SyncedValueOutcome::Verdict(value)
                    }
                    _ => SyncedValueOutcome::PeerFault,
                };
                reply(tx, outcome, "ProcessSyncedValue");
            }
        }
        Ok(())
    }

    async fn record(&self, evidence: &MisbehaviorEvidence<LedgerCtx>) -> Result<(), HostError> {
        if evidence.is_empty() {
            return Ok(());
        }
        let record =
            |address: &Address, height: Height, round: Round, kind, first: Vec<u8>, second: Vec<u8>| Misbehavior {
                validator: address.0,
                height: height.0,
                round: round.as_u32().unwrap_or(0),
                kind,
                first,
                second,
            };
        let mut records = Vec::new();
        for (address, pairs) in &evidence.votes {
            for (a, b) in pairs {
                let (h, r) = (a.message.height, a.message.round);
                records.push(record(
                    address,
                    h,
                    r,
                    MisbehaviorKind::DoubleVote,
                    codec::to_bytes(a),
                    codec::to_bytes(b),
                ));
            }
        }
        for (address, pairs) in &evidence.proposals {
            for (a, b) in pairs {
                let (h, r) = (a.message.height, a.message.round);
                records.push(record(
                    address,
                    h,
                    r,
                    MisbehaviorKind::DoubleProposal,
                    codec::to_bytes(a),
                    codec::to_bytes(b),
                ));
            }
        }
        tracing::warn!(count = records.len(), "equivocation evidence recorded");
        self.host.record_misbehavior(records).await
    }
}

fn decode_block(bytes: &[u8]) -> Option<Block> {
    let mut reader = Reader::new(bytes);
    let block = Block::decode(&mut reader).ok()?;
    reader.finish().ok()?;
    Some(block)
}
