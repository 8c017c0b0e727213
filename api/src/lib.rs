//! Heitje HTTP API request and response types, the route table ([`routes`]) and, with the
//! `client` feature, the one typed client (`client`) that the wallet, the loadgen and the
//! tests use.
//!
//! Every path lives under `/v1` except the probes `/livez` and `/readyz`. Amounts are strings in
//! coins (`"15.00"`), accounts are `heitje1…` addresses and hashes are hex. Errors are an
//! [`ErrorBody`] with a 4xx or 5xx status. See `docs/api.md` for the table of endpoints.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]

#[cfg(feature = "client")]
pub mod client;
pub mod evidence;
pub mod registry;
pub mod routes;
pub mod staff;

use contracts::primitives::{ClaimId, PaymentRef, PayoutRef, ProposalId, RedemptionId, TaskId, WorkOrderRef};
use contracts::receipt::Outcome;
use contracts::state::{Claim, ProposalStatus, RedemptionStatus, TaskStatus};
use contracts::tx::{Action, CouncilAction};
use contracts::{AccountId, Amount, BudgetCode, Hash, Height, Nonce, Role, Timestamp};
use serde::{Deserialize, Serialize};

/// Largest transaction submission body, in bytes.
pub const MAX_TX_BODY: usize = 16 * 1024;
/// Largest evidence or document upload, in bytes.
pub const MAX_UPLOAD: usize = 8 * 1024 * 1024;
/// Longest a client may ask `GET /v1/tx/{id}` to wait, in milliseconds.
pub const MAX_WAIT_MS: u64 = 30_000;

/// Every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable snake-case code, e.g. `bad_signature`, `bad_nonce`, `insufficient_balance`.
    pub error: String,
    /// What was wrong and how to fix it.
    pub message: String,
}

/// `POST /v1/tx`: a signed transaction in canonical bytes, hex encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitTx {
    /// Hex of the canonical `SignedTx` bytes.
    pub tx: String,
}

/// Answer to `POST /v1/tx` (202 Accepted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    /// The transaction id.
    pub tx_id: Hash,
    /// Always `pending`: the transaction is in the mempool.
    pub status: String,
}

/// Where a transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxState {
    /// In the mempool, not yet in a block.
    Pending,
    /// In a committed, final block.
    Committed,
}

/// `GET /v1/tx/{id}[?wait_ms=N]`: a transaction and, once committed, its receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxStatus {
    /// The transaction id.
    pub tx_id: Hash,
    /// Pending or committed.
    pub state: TxState,
    /// The block height, once committed.
    pub height: Option<Height>,
    /// Position in the block, once committed.
    pub index: Option<u32>,
    /// The block hash, once committed.
    pub block_hash: Option<Hash>,
    /// Block time, once committed.
    pub time: Option<Timestamp>,
    /// Accepted with events, or rejected with a reason, once committed.
    pub outcome: Option<Outcome>,
    /// The signer.
    pub signer: AccountId,
    /// The signer's nonce.
    pub nonce: Nonce,
    /// What the transaction asked.
    pub action: Action,
}

/// `GET /v1/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The chain id.
    pub chain_id: String,
    /// Hash of the genesis document.
    pub genesis_hash: Hash,
    /// Last committed height.
    pub height: Height,
    /// Last committed block hash.
    pub block_hash: Hash,
    /// State root after that block.
    pub state_root: Hash,
    /// That block's time.
    pub time: Timestamp,
    /// Transactions waiting in the mempool.
    pub mempool: usize,
    /// This node's validator account.
    pub validator: AccountId,
    /// Whether this node is at the head of the chain as far as it knows (what `/readyz`
    /// reports). A node that is catching up refuses submissions and account reads (`syncing`).
    #[serde(default)]
    pub caught_up: bool,
    /// The highest height that validators with more than a third of the voting power were seen
    /// voting on beyond this node's next height (0 when none was seen).
    #[serde(default)]
    pub network_height: Height,
    /// Proposal streams this node refused since it started, by reason (issue 12).
    #[serde(default)]
    pub proposal_faults: ProposalFaultsView,
}

/// Proposal streams a node refused, by reason. All but the last are misbehaviour: no honest
/// validator streams a round it does not propose, signs badly, sends an oversized or
/// malformed stream, or proposes an invalid or future-dated block (with good clocks). Streams
/// for heights or rounds outside what the node accepts (old heights,
/// or a node ahead of this one) are counted apart and held against no one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalFaultsView {
    /// Streams for a round the publisher does not propose.
    pub not_proposer: u64,
    /// Streams whose proposer signature does not verify.
    pub bad_signature: u64,
    /// Streams larger than a block may be.
    pub oversized: u64,
    /// Streams out of order or not a block.
    pub malformed: u64,
    /// Proposed blocks voted nil: invalid, or dated too far ahead of the node's clock.
    #[serde(default)]
    pub invalid_block: u64,
    /// Messages outside the accepted heights and rounds.
    pub out_of_window: u64,
}

/// `GET /v1/accounts/{address}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// The address.
    pub address: AccountId,
    /// Spendable balance.
    pub balance: Amount,
    /// Committed nonce.
    pub nonce: Nonce,
    /// Nonce to use for the next transaction, counting ones pending in the mempool.
    pub next_nonce: Nonce,
    /// Roles.
    pub roles: Vec<Role>,
    /// Enrolled as a resident.
    pub enrolled: bool,
    /// Height this view was read at.
    pub height: Height,
}

/// One entry of an account's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The transaction id.
    pub tx_id: Hash,
    /// Block height.
    pub height: Height,
    /// Position in the block.
    pub index: u32,
    /// Block time.
    pub time: Timestamp,
    /// Who signed.
    pub signer: AccountId,
    /// What it asked.
    pub action: Action,
    /// What happened.
    pub outcome: Outcome,
}

/// `GET /v1/accounts/{address}/history?limit=N&before_height=H`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// The account.
    pub address: AccountId,
    /// Entries, newest first.
    pub entries: Vec<HistoryEntry>,
}

/// A task as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    /// Id.
    pub id: TaskId,
    /// Poster.
    pub poster: AccountId,
    /// Budget.
    pub budget: BudgetCode,
    /// Reward per slot.
    pub reward: Amount,
    /// Slots.
    pub slots: u16,
    /// Slots free to claim.
    pub free_slots: u16,
    /// Slots paid.
    pub rewarded: u16,
    /// Deadline.
    pub deadline: Timestamp,
    /// Escrow left.
    pub escrow: Amount,
    /// Status on chain.
    pub status: TaskStatus,
    /// Whether the deadline has passed at the last block time.
    pub expired: bool,
    /// Commitment to the description.
    pub description_hash: Hash,
    /// The description text, if this node's document store holds it.
    pub description: Option<String>,
    /// When posted.
    pub posted_at: Timestamp,
    /// The maintenance work order this task is additional to.
    pub work_order: WorkOrderRef,
    /// Approvals a claim needs (k).
    pub approvals: u8,
    /// Verifiers drawn per submission (n).
    pub reviewers: u8,
}

/// `GET /v1/accounts/{address}/allowance`: where a resident stands against the annual cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceView {
    /// The resident.
    pub account: AccountId,
    /// The calendar year (Dutch time) at the last block.
    pub year: u16,
    /// The cap in force.
    pub cap: Amount,
    /// Rewards paid this year.
    pub earned: Amount,
    /// Rewards of live claims, reserved against the cap.
    pub reserved: Amount,
    /// What is left: cap − earned − reserved.
    pub remaining: Amount,
}

/// `GET /v1/accounts/{address}/earnings/{year}`: the rewards paid to a resident in one year,
/// for a year-end statement. Each line can be checked against the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningsView {
    /// The resident.
    pub account: AccountId,
    /// The year.
    pub year: u16,
    /// The ledger's total for the year (state entry `Earned`).
    pub total: Amount,
    /// Each paid claim.
    pub rewards: Vec<EarningLine>,
    /// The height the answer was read at.
    pub height: Height,
    /// That block's state root.
    pub state_root: Hash,
}

/// One paid reward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningLine {
    /// The claim.
    pub claim: ClaimId,
    /// The task.
    pub task: TaskId,
    /// The reward.
    pub amount: Amount,
    /// Block time of the payment.
    pub paid_at: Timestamp,
}

/// A claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    /// Id.
    pub id: ClaimId,
    /// How many verifiers were drawn for the latest submission.
    #[serde(default)]
    pub reviewers_drawn: usize,
    /// What the ledger holds about the claim: status, evidence commitment and retention date,
    /// votes, objection window, objection, resubmission. Its `reviewers` lists only the drawn
    /// verifiers who have voted (issue 12), plus, on a signed read, the reader if drawn, or
    /// all of them for the officer who posted the task.
    #[serde(flatten)]
    pub claim: Claim,
}

/// `GET /v1/tasks/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDetail {
    /// The task.
    pub task: TaskView,
    /// Every claim on it, in id order.
    pub claims: Vec<ClaimView>,
}

/// A budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetView {
    /// Code.
    pub code: BudgetCode,
    /// Balance.
    pub balance: Amount,
}

/// A redemption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionView {
    /// Id, never reused.
    pub id: RedemptionId,
    /// Merchant.
    pub merchant: AccountId,
    /// Amount burned and owed.
    pub amount: Amount,
    /// Redemption fee the merchant paid to the treasury on top (R-RED-4).
    pub fee: Amount,
    /// Status.
    pub status: RedemptionStatus,
    /// When burned.
    pub created_at: Timestamp,
    /// Payout reference once settled.
    pub reference: Option<PayoutRef>,
    /// When settled.
    pub settled_at: Option<Timestamp>,
}

/// A council proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalView {
    /// Id.
    pub id: ProposalId,
    /// Proposer.
    pub proposer: AccountId,
    /// What it does.
    pub action: CouncilAction,
    /// Who approved.
    pub approvals: Vec<AccountId>,
    /// Approvals needed now.
    pub threshold: u8,
    /// Status.
    pub status: ProposalStatus,
    /// Whether it expired at the last block time.
    pub expired: bool,
    /// When proposed.
    pub created_at: Timestamp,
    /// Approvals after this time are refused.
    pub expires_at: Timestamp,
}

/// `GET /v1/supply`: the reconciliation at the last height.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyView {
    /// Height.
    pub height: Height,
    /// Ever minted.
    pub minted: Amount,
    /// Ever burned by redemption.
    pub burned: Amount,
    /// Burned and paid out.
    pub settled: Amount,
    /// Burned, payout pending.
    pub pending_redemptions: Amount,
    /// Treasury.
    pub treasury: Amount,
    /// Budgets.
    pub budgets: Amount,
    /// Task escrow.
    pub escrow: Amount,
    /// Account balances.
    pub balances: Amount,
    /// treasury + budgets + escrow + balances.
    pub outstanding: Amount,
    /// minted − burned = outstanding and burned = settled + pending.
    pub conserved: bool,
}

/// `GET /v1/blocks/{height}` or `/v1/blocks/latest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockView {
    /// Block hash.
    pub hash: Hash,
    /// The header.
    pub header: contracts::BlockHeader,
    /// Transaction ids in order.
    pub txs: Vec<Hash>,
    /// The commit certificate (absent for genesis).
    pub cert: Option<contracts::CommitCert>,
}

/// `GET /v1/misbehavior`: a validator signed two conflicting consensus messages, or passed on
/// something forged.
///
/// For `double_vote` and `double_proposal` the two messages are the signed originals in the
/// canonical consensus encoding, so anyone can re-check them against the validator's key. For
/// `forged_evidence` (a replicated evidence record its worker did not sign as it stands) `first`
/// is the record's commitment, `second` is empty and `detail` says what was wrong; the record
/// itself is dropped, never kept. Validators are municipal partners: the remedy is
/// organisational (a council vote to rotate or remove the key), not slashing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MisbehaviorView {
    /// The validator.
    pub validator: AccountId,
    /// Height of the conflicting messages.
    pub height: Height,
    /// Consensus round.
    pub round: u32,
    /// `double_vote`, `double_proposal`, `double_stream` (two blocks streamed for one round, each
    /// message the block hash and the proposer's stream signature) or `forged_evidence`.
    pub kind: String,
    /// First signed message, hex.
    pub first: String,
    /// Conflicting signed message, hex.
    pub second: String,
    /// What was wrong, in words, where the two messages do not say it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// Answer to `GET /v1/validators`: the set deciding the next height and the sets the council
/// scheduled (R-VAL-1, R-VAL-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorsView {
    /// The next height to decide.
    pub next_height: Height,
    /// The set deciding it.
    pub current: Vec<contracts::state::ValidatorEntry>,
    /// Sets that decide from a later height, ascending.
    pub scheduled: Vec<contracts::state::ScheduledSet>,
}

/// Answer to `POST /v1/evidence` and `POST /v1/documents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// For evidence: the salted commitment to put in `SubmitWork`. For documents: the hash.
    pub commitment: Hash,
    /// Bytes stored.
    pub size: usize,
}

/// Query of `GET /v1/tx/{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WaitQuery {
    /// Wait up to this long for the transaction to be committed (at most [`MAX_WAIT_MS`]).
    pub wait_ms: Option<u64>,
}

/// Read-your-writes: `?min_height=H` on `POST /v1/tx` and `GET /v1/accounts/{address}`. A node
/// that has not committed height `H` yet answers 503 `behind` instead of an older state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeadQuery {
    /// The least committed height the answer must reflect.
    pub min_height: Option<u64>,
}

/// Query of `GET /v1/accounts/{address}/history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HistoryQuery {
    /// Most entries to return (default 50, at most [`MAX_PAGE`]).
    pub limit: Option<usize>,
    /// Only entries below this height (for paging).
    pub before_height: Option<u64>,
    /// With `before_height`: also the entries at that height below this index in its block, so
    /// a page that ends inside a height continues exactly where it ended.
    pub before_index: Option<u32>,
}

/// Most items one page of a list endpoint holds (issue 12: every list that grows is paged).
pub const MAX_PAGE: usize = 500;

/// Query of a paged list (`/v1/tasks`, `/v1/claims`, `/v1/proposals`, `/v1/redemptions`): at
/// most `limit` items (default and maximum [`MAX_PAGE`]) in id order, with ids above `after`.
/// A page shorter than the limit is the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageQuery {
    /// Most items (default and maximum [`MAX_PAGE`]).
    pub limit: Option<usize>,
    /// Only items whose id is above this one.
    pub after: Option<u64>,
}

impl PageQuery {
    /// The page size asked for, within `1..=MAX_PAGE`.
    pub fn size(&self) -> usize {
        self.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE)
    }
}

/// Query of `GET /v1/payments/{merchant}/{reference}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaymentQuery {
    /// Wait up to this long for the payment to be final (at most [`MAX_WAIT_MS`]); the answer
    /// is 404 `not_paid` if it is not paid by then.
    pub wait_ms: Option<u64>,
}

/// A paid payment request: final once it is returned (R-SHOP-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    /// The shop paid.
    pub merchant: AccountId,
    /// The shop's reference.
    pub reference: PaymentRef,
    /// Who paid.
    pub payer: AccountId,
    /// How much.
    pub amount: Amount,
    /// The till that showed the request, if any.
    pub till: Option<AccountId>,
    /// The final block holding the payment.
    pub height: Height,
    /// That block's time.
    pub time: Timestamp,
    /// The payment transaction.
    pub tx_id: Hash,
    /// The block's hash.
    pub block_hash: Hash,
}

/// Query of `GET /v1/merchants/{merchant}/payments`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatementQuery {
    /// Payments at or after this block time (ms since the epoch).
    pub from_ms: Option<u64>,
    /// Payments before this block time (ms since the epoch).
    pub to_ms: Option<u64>,
}

/// What the ledger and the registry know about a merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantView {
    /// The account.
    pub merchant: AccountId,
    /// Whether it holds the merchant role on chain now.
    pub registered: bool,
    /// The registry's signed public profile (the verified name), if any.
    pub profile: Option<registry::PublicProfile>,
    /// Whether the profile's registrar holds the registrar role on chain now.
    pub registrar_ok: bool,
    /// Tills linked now.
    pub tills: Vec<AccountId>,
}

/// `GET /v1/tills/{till}`: the shop a till works for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TillView {
    /// The till account.
    pub till: AccountId,
    /// The merchant it is linked to now.
    pub merchant: AccountId,
}

/// `GET /v1/reconciliation[?height=N]`: the two identities of the supply at a height.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationView {
    /// The height the figures are for.
    pub height: Height,
    /// Ever minted.
    pub minted: Amount,
    /// Ever burned (all by redemption).
    pub burned: Amount,
    /// Treasury + budgets + escrow + balances.
    pub outstanding: Amount,
    /// minted − burned = outstanding.
    pub supply_holds: bool,
    /// Burned and paid out.
    pub settled: Amount,
    /// Burned, payout pending.
    pub pending: Amount,
    /// burned = settled + pending.
    pub redemptions_hold: bool,
    /// Redemption fees the treasury received.
    pub redemption_fees: Amount,
}

/// An open redemption with the payee's bank details, for the settlement batch
/// (`GET /v1/settlement/open`, staff only, logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPayout {
    /// The redemption.
    pub redemption: RedemptionView,
    /// The registry's verified name, if registered.
    pub creditor_name: Option<String>,
    /// The bank details from the registry, if registered.
    pub bank: Option<registry::BankDetails>,
}

/// One entry of a node's hash-chained audit log of staff reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// When, by the node's clock (ms since the epoch).
    pub time: Timestamp,
    /// Who read.
    pub reader: AccountId,
    /// Whose data.
    pub subject: AccountId,
    /// What was read, e.g. `registry.bank`.
    pub what: String,
    /// Hash of the previous entry (zero for the first).
    pub prev: Hash,
    /// Hash of this entry, over all fields above.
    pub hash: Hash,
}

impl AuditEntry {
    /// The hash of the entry over every field but `hash`: changing, dropping or reordering an
    /// entry breaks the chain from there on.
    pub fn compute_hash(&self) -> Hash {
        let mut hasher = blake3::Hasher::new_derive_key("heitje 2026-11 audit log entry");
        hasher.update(&self.seq.to_be_bytes());
        hasher.update(&self.time.0.to_be_bytes());
        hasher.update(&self.reader.0);
        hasher.update(&self.subject.0);
        hasher.update(&(self.what.len() as u64).to_be_bytes());
        hasher.update(self.what.as_bytes());
        hasher.update(&self.prev.0);
        Hash(*hasher.finalize().as_bytes())
    }
}

/// `GET /v1/chain/verify`: the node replayed every block from genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainCheck {
    /// Whether every block re-executed to its header's roots and carried a valid commit
    /// certificate of its validator set.
    pub ok: bool,
    /// Blocks replayed.
    pub blocks: u64,
    /// Transactions re-executed.
    pub txs: u64,
    /// The last height replayed.
    pub height: Height,
    /// The state root the replay reached (equals the stored head's when `ok`).
    pub state_root: Hash,
    /// What failed, if anything.
    pub error: Option<String>,
}

/// What a year-end statement of rewards says (R-CAP-4). The resident signs its JSON bytes with
/// domain `Statement`; anyone can check every line and the total against the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementBody {
    /// Always `heitje-rewards-statement`.
    pub kind: String,
    /// Format version, 1.
    pub version: u8,
    /// The chain.
    pub chain_id: contracts::ChainId,
    /// The resident.
    pub account: AccountId,
    /// The calendar year (Dutch time).
    pub year: u16,
    /// Rewards paid in the year: the ledger's own total.
    pub total: Amount,
    /// Each paid reward.
    pub rewards: Vec<EarningLine>,
    /// The height the figures were read at.
    pub height: Height,
    /// That block's state root.
    pub state_root: Hash,
}

impl StatementBody {
    /// The bytes the resident signs.
    pub fn signing_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A signed year-end statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedStatement {
    /// The statement.
    pub statement: StatementBody,
    /// The resident's signature over [`StatementBody::signing_bytes`].
    pub signature: contracts::crypto::Signature,
}
