//! The HTTP API (axum). Handlers parse and check input, then ask the ledger thread through the
//! [`Handle`]. Bad input gets a 4xx with a JSON [`ErrorBody`] and never changes state.

use std::time::{Duration, Instant};

use api::{
    AccountView, BlockView, BudgetView, ClaimView, ErrorBody, HeadQuery, History, HistoryEntry, HistoryQuery,
    ProposalView, RedemptionView, Status, Stored, SubmitTx, Submitted, SupplyView, TaskDetail, TaskView, TxState,
    TxStatus, WaitQuery,
};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRef, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use consensus::Progress;
use contracts::crypto::HashKind;
use contracts::primitives::{ClaimId, RedemptionId, TaskId};
use contracts::state::{Claim, RedemptionStatus, Task};
use contracts::{AccountId, Amount, Block, Hash, Height, Invalid, Receipt, SignedTx, VerifiedTx};
use serde::Deserialize;
use tokio::sync::watch;

use crate::engine::{Handle, Unavailable};
use crate::ledger::{Ledger, SubmitError};
use crate::mempool::AdmitError;
use crate::storage::StoreError;
use crate::txgossip::Outbox;

/// Longest public document (task description), in bytes.
pub const MAX_DOCUMENT: usize = 4096;

/// An API error: status and body.
#[derive(Debug)]
pub struct ApiError(pub(crate) StatusCode, pub(crate) ErrorBody);

impl ApiError {
    pub(crate) fn new(status: StatusCode, error: &str, message: impl Into<String>) -> Self {
        Self(status, ErrorBody { error: error.into(), message: message.into() })
    }
    pub(crate) fn bad_request(error: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, message)
    }
    pub(crate) fn not_found(error: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, error, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

impl From<Unavailable> for ApiError {
    fn from(err: Unavailable) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", err.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        tracing::error!(%err, "storage error while serving a request");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", "the node could not read its storage")
    }
}

impl From<SubmitError> for ApiError {
    fn from(err: SubmitError) -> Self {
        let message = err.to_string();
        match err {
            SubmitError::Invalid(Invalid::WrongChain { .. }) => Self::bad_request("wrong_chain", message),
            SubmitError::Invalid(Invalid::BadSignature(_)) => {
                Self::new(StatusCode::UNAUTHORIZED, "bad_signature", message)
            }
            SubmitError::Invalid(Invalid::UnknownSigner(_)) => Self::not_found("unknown_account", message),
            SubmitError::Invalid(Invalid::BadNonce { .. }) | SubmitError::Admit(AdmitError::Nonce { .. }) => {
                Self::new(StatusCode::CONFLICT, "bad_nonce", message)
            }
            SubmitError::Admit(AdmitError::Duplicate(_)) => Self::new(StatusCode::CONFLICT, "duplicate", message),
            SubmitError::Admit(AdmitError::AccountFull(_)) => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, "account_queue_full", message)
            }
            SubmitError::Admit(AdmitError::Full(_)) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "mempool_full", message)
            }
            SubmitError::AlreadyCommitted { .. } => Self::new(StatusCode::CONFLICT, "already_committed", message),
            SubmitError::Rejected { reason, message } => Self::new(StatusCode::UNPROCESSABLE_ENTITY, &reason, message),
        }
    }
}

pub(crate) fn body_error(rejection: BytesRejection, limit: usize) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body is larger than {limit} bytes"))
    } else {
        ApiError::bad_request("bad_body", rejection.body_text())
    }
}

pub(crate) fn query_error(rejection: QueryRejection) -> ApiError {
    ApiError::bad_request("bad_query", rejection.body_text())
}

fn parse_hash(text: &str, what: &str) -> Result<Hash, ApiError> {
    Hash::from_hex(text).map_err(|e| ApiError::bad_request("bad_hash", format!("{what} {text:?}: {e}")))
}

pub(crate) fn parse_address(text: &str) -> Result<AccountId, ApiError> {
    AccountId::from_address(text).map_err(|e| ApiError::bad_request("bad_address", e.to_string()))
}

pub(crate) fn parse_number(text: &str, what: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| ApiError::bad_request("bad_id", format!("{what} {text:?} is not a whole number")))
}

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

/// The router, with request-size limits on the upload routes.
/// What the handlers share: the ledger thread and the gossip outbox.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The ledger thread.
    pub handle: Handle,
    /// Admitted transactions go here to reach the other validators.
    pub outbox: Option<Outbox>,
    /// This node's validator.
    pub validator: AccountId,
    /// Where the node stands against the network (from consensus).
    pub progress: watch::Receiver<Progress>,
}

impl FromRef<AppState> for Handle {
    fn from_ref(state: &AppState) -> Self {
        state.handle.clone()
    }
}

/// The API's routes over the ledger thread `handle`; admitted transactions are gossiped through
/// `outbox` when there is one.
pub fn router(
    handle: Handle,
    outbox: Option<Outbox>,
    validator: AccountId,
    progress: watch::Receiver<Progress>,
) -> Router {
    Router::new()
        .route("/livez", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/v1/status", get(status))
        .route("/v1/tx", post(submit_tx).layer(DefaultBodyLimit::max(api::MAX_TX_BODY)))
        .route("/v1/tx/{id}", get(tx_status))
        .route("/v1/accounts/{address}", get(account))
        .route("/v1/accounts/{address}/history", get(history))
        .route("/v1/tasks", get(tasks))
        .route("/v1/tasks/{id}", get(task))
        .route("/v1/claims/{id}", get(claim))
        .route("/v1/budgets", get(budgets))
        .route("/v1/proposals", get(proposals))
        .route("/v1/redemptions", get(redemptions))
        .route("/v1/redemptions/{id}", get(redemption))
        .route("/v1/supply", get(supply))
        .route("/v1/blocks/{height}", get(block))
        .route("/v1/documents", post(upload_document).layer(DefaultBodyLimit::max(MAX_DOCUMENT)))
        .route("/v1/documents/{hash}", get(document))
        .route("/v1/misbehavior", get(misbehavior))
        .route("/v1/validators", get(validators))
        .merge(crate::evidence_api::routes())
        .merge(crate::shop_api::routes())
        .merge(crate::task_api::routes())
        .fallback(|| async { ApiError::not_found("no_route", "no such endpoint; see docs/api.md") })
        .with_state(AppState { handle, outbox, validator, progress })
}

/// Ready: the ledger thread answers and the node is at the head of the chain as far as it
/// knows (issue 18). A load balancer or a wallet sends nothing to a node that is catching up.
async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(err) = state.handle.call(|_| ()).await {
        return (StatusCode::SERVICE_UNAVAILABLE, err.to_string()).into_response();
    }
    match caught_up(&state.progress) {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(err) => (err.0, err.1.message).into_response(),
    }
}

/// Refuses with 503 `syncing` while the node knows (or cannot yet rule out) that the chain is
/// ahead of it: its nonces, balances and mempool would be stale.
pub(crate) fn caught_up(progress: &watch::Receiver<Progress>) -> Result<(), ApiError> {
    let progress = *progress.borrow();
    if progress.caught_up(Instant::now()) {
        return Ok(());
    }
    let message = if progress.network > progress.committed.saturating_add(1) {
        format!(
            "this node is catching up: it has height {} and the validators vote on height {}; try another node or \
             again shortly",
            progress.committed, progress.network
        )
    } else if progress.synced {
        format!(
            "this node is catching up (it received height {} by value sync); try another node or again shortly",
            progress.committed
        )
    } else {
        format!(
            "this node has just started at height {} and has not yet heard where the chain is; try another node or \
             again shortly",
            progress.committed
        )
    };
    Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "syncing", message))
}

/// Read-your-writes: refuses with 503 `behind` if `head` is below the height the client names.
fn reached(head: Height, query: HeadQuery) -> Result<(), ApiError> {
    match query.min_height {
        Some(min) if head.0 < min => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "behind",
            format!(
                "this node has committed height {head}, below height {min} that the client has already seen; try \
                 another node or again shortly"
            ),
        )),
        _ => Ok(()),
    }
}

async fn status(State(state): State<AppState>) -> ApiResult<Status> {
    let me = state.validator;
    let progress = *state.progress.borrow();
    let caught_up = progress.caught_up(Instant::now());
    Ok(Json(
        state
            .handle
            .call(move |l| {
                let head = l.head();
                Status {
                    chain_id: head.chain_id.to_string(),
                    genesis_hash: l.genesis_hash(),
                    height: head.height,
                    block_hash: head.hash(),
                    state_root: head.state_root,
                    time: head.time,
                    mempool: l.mempool().len(),
                    validator: me,
                    caught_up,
                    network_height: Height(progress.network),
                }
            })
            .await?,
    ))
}

async fn misbehavior(State(handle): State<Handle>) -> ApiResult<Vec<api::MisbehaviorView>> {
    let records = handle.call(|l| l.storage().misbehavior(100)).await??;
    let views = records.iter().filter_map(|r| serde_json::from_slice(r).ok()).collect();
    Ok(Json(views))
}

async fn validators(State(handle): State<Handle>) -> ApiResult<api::ValidatorsView> {
    let view = handle
        .call(|l| {
            let next = Height(l.head().height.0.saturating_add(1));
            let schedule = l.validator_schedule()?;
            Some(api::ValidatorsView {
                next_height: next,
                current: schedule.at(next)?.to_vec(),
                scheduled: schedule.sets.iter().filter(|s| s.from > next).cloned().collect(),
            })
        })
        .await?;
    view.map(Json).ok_or_else(|| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "no_validator_set",
            "the state holds no validator set for the next height",
        )
    })
}

async fn submit_tx(
    State(state): State<AppState>,
    query: Result<Query<HeadQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    let query = query.map_err(query_error)?.0;
    caught_up(&state.progress)?;
    let body = body.map_err(|r| body_error(r, api::MAX_TX_BODY))?;
    let request: SubmitTx = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("malformed_json", format!("expected {{\"tx\": \"<hex>\"}}: {e}")))?;
    let bytes = hex::decode(request.tx.trim())
        .map_err(|e| ApiError::bad_request("bad_hex", format!("field tx is not hex: {e}")))?;
    let signed = SignedTx::decode_checked(&bytes)
        .map_err(|e| ApiError::bad_request("malformed_tx", format!("field tx is not a signed transaction: {e}")))?;
    let verified = VerifiedTx::verify(signed).map_err(SubmitError::from)?;
    let gossiped = verified.signed().clone();
    let tx_id = state
        .handle
        .call(move |l| {
            reached(l.head().height, query)?;
            l.submit(verified).map_err(ApiError::from)
        })
        .await??;
    if let Some(outbox) = &state.outbox {
        outbox.push(&gossiped);
    }
    Ok((StatusCode::ACCEPTED, Json(Submitted { tx_id, status: "pending".into() })))
}

fn committed_status(block: &Block, index: u32, receipt: Receipt) -> Option<TxStatus> {
    let tx = block.txs.get(usize::try_from(index).ok()?)?;
    Some(TxStatus {
        tx_id: receipt.tx_id,
        state: TxState::Committed,
        height: Some(block.header.height),
        index: Some(index),
        block_hash: Some(block.hash()),
        time: Some(block.header.time),
        outcome: Some(receipt.outcome),
        signer: tx.tx.signer,
        nonce: tx.tx.nonce,
        action: tx.tx.action.clone(),
    })
}

enum Lookup {
    Committed(Box<TxStatus>),
    Pending(Box<TxStatus>, Option<tokio::sync::oneshot::Receiver<()>>),
    Unknown,
}

fn lookup(l: &mut Ledger, id: Hash, watch: bool) -> Result<Lookup, StoreError> {
    if let Some((block, index, receipt)) = l.committed_tx(&id)? {
        return Ok(committed_status(&block, index, receipt).map_or(Lookup::Unknown, |s| Lookup::Committed(Box::new(s))));
    }
    let Some(tx) = l.mempool().get(&id) else { return Ok(Lookup::Unknown) };
    let status = TxStatus {
        tx_id: id,
        state: TxState::Pending,
        height: None,
        index: None,
        block_hash: None,
        time: None,
        outcome: None,
        signer: tx.tx().signer,
        nonce: tx.tx().nonce,
        action: tx.tx().action.clone(),
    };
    let watcher = watch.then(|| l.watch(id));
    Ok(Lookup::Pending(Box::new(status), watcher))
}

async fn tx_status(
    State(handle): State<Handle>,
    Path(id): Path<String>,
    query: Result<Query<WaitQuery>, QueryRejection>,
) -> ApiResult<TxStatus> {
    let id = parse_hash(&id, "transaction id")?;
    let wait = query.map_err(query_error)?.wait_ms.unwrap_or(0).min(api::MAX_WAIT_MS);
    let unknown = || ApiError::not_found("unknown_tx", format!("transaction {id} is neither pending nor committed"));
    match handle.call(move |l| lookup(l, id, wait > 0)).await?? {
        Lookup::Committed(status) => Ok(Json(*status)),
        Lookup::Unknown => Err(unknown()),
        Lookup::Pending(status, None) => Ok(Json(*status)),
        Lookup::Pending(status, Some(watcher)) => {
            let _ = tokio::time::timeout(Duration::from_millis(wait), watcher).await;
            match handle.call(move |l| lookup(l, id, false)).await?? {
                Lookup::Committed(done) => Ok(Json(*done)),
                Lookup::Pending(still, _) => Ok(Json(*still)),
                // Dropped from the mempool without being committed.
                Lookup::Unknown => Ok(Json(*status)),
            }
        }
    }
}

async fn account(
    State(state): State<AppState>,
    Path(address): Path<String>,
    query: Result<Query<HeadQuery>, QueryRejection>,
) -> ApiResult<AccountView> {
    let id = parse_address(&address)?;
    let query = query.map_err(query_error)?.0;
    // The nonce and balance a client acts on must not come from a node that is behind.
    caught_up(&state.progress)?;
    let view = state
        .handle
        .call(move |l| {
            reached(l.head().height, query)?;
            Ok::<_, ApiError>(l.state().account(&id).map(|a| AccountView {
                address: id,
                balance: a.balance,
                nonce: a.nonce,
                next_nonce: l.next_nonce(&id, a.nonce),
                roles: a.roles.roles(),
                enrolled: a.enrolled,
                height: l.head().height,
            }))
        })
        .await??;
    view.map(Json).ok_or_else(|| {
        ApiError::not_found(
            "unknown_account",
            format!("account {id} is not on this chain; the registrar enrolls residents"),
        )
    })
}

async fn history(
    State(handle): State<Handle>,
    Path(address): Path<String>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> ApiResult<History> {
    let id = parse_address(&address)?;
    let query = query.map_err(query_error)?;
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let entries = handle
        .call(move |l| -> Result<Vec<HistoryEntry>, StoreError> {
            let before = Height(query.before_height.unwrap_or(u64::MAX));
            let mut out = Vec::new();
            for (height, index) in l.storage().history(&id, before, limit)? {
                let (Some(block), Some(receipt)) = (l.storage().block(height)?, l.storage().receipt(height, index)?)
                else {
                    continue;
                };
                let Some(tx) = usize::try_from(index).ok().and_then(|i| block.txs.get(i)) else { continue };
                out.push(HistoryEntry {
                    tx_id: receipt.tx_id,
                    height,
                    index,
                    time: block.header.time,
                    signer: tx.tx.signer,
                    action: tx.tx.action.clone(),
                    outcome: receipt.outcome,
                });
            }
            Ok(out)
        })
        .await??;
    Ok(Json(History { address: id, entries }))
}

fn task_view(l: &Ledger, id: TaskId, t: &Task) -> TaskView {
    TaskView {
        id,
        poster: t.poster,
        budget: t.budget.clone(),
        reward: t.reward,
        slots: t.slots,
        free_slots: t.free_slots(),
        rewarded: t.rewarded,
        deadline: t.deadline,
        escrow: t.escrow,
        status: t.status,
        expired: l.head().time >= t.deadline,
        description_hash: t.description,
        description: l.storage().document(&t.description).ok().flatten(),
        posted_at: t.posted_at,
        work_order: t.work_order.clone(),
        approvals: t.approvals,
        reviewers: t.reviewers,
    }
}

fn claim_view(id: ClaimId, c: &Claim) -> ClaimView {
    ClaimView { id, claim: c.clone() }
}

async fn tasks(State(handle): State<Handle>) -> ApiResult<Vec<TaskView>> {
    Ok(Json(handle.call(|l| l.state().tasks().map(|(id, t)| task_view(l, id, t)).collect()).await?))
}

async fn task(State(handle): State<Handle>, Path(id): Path<String>) -> ApiResult<TaskDetail> {
    let id = TaskId(parse_number(&id, "task id")?);
    let detail = handle
        .call(move |l| {
            l.state().task(id).map(|t| TaskDetail {
                task: task_view(l, id, t),
                claims: l.state().claims().filter(|(_, c)| c.task == id).map(|(cid, c)| claim_view(cid, c)).collect(),
            })
        })
        .await?;
    detail.map(Json).ok_or_else(|| ApiError::not_found("unknown_task", format!("task {id} does not exist")))
}

async fn claim(State(handle): State<Handle>, Path(id): Path<String>) -> ApiResult<ClaimView> {
    let id = ClaimId(parse_number(&id, "claim id")?);
    let view = handle.call(move |l| l.state().claim(id).map(|c| claim_view(id, c))).await?;
    view.map(Json).ok_or_else(|| ApiError::not_found("unknown_claim", format!("claim {id} does not exist")))
}

async fn budgets(State(handle): State<Handle>) -> ApiResult<Vec<BudgetView>> {
    Ok(Json(
        handle
            .call(|l| {
                l.state().budgets().map(|(code, b)| BudgetView { code: code.clone(), balance: b.balance }).collect()
            })
            .await?,
    ))
}

async fn proposals(State(handle): State<Handle>) -> ApiResult<Vec<ProposalView>> {
    Ok(Json(
        handle
            .call(|l| {
                let threshold = l.state().globals().map_or(0, |g| g.params.council_threshold);
                let now = l.head().time;
                l.state()
                    .proposals()
                    .map(|(id, p)| ProposalView {
                        id,
                        proposer: p.proposer,
                        action: p.action.clone(),
                        approvals: p.approvals.clone(),
                        threshold,
                        status: p.status,
                        expired: now > p.expires_at,
                        created_at: p.created_at,
                        expires_at: p.expires_at,
                    })
                    .collect()
            })
            .await?,
    ))
}

pub(crate) fn redemption_view(id: RedemptionId, r: &contracts::state::Redemption) -> RedemptionView {
    RedemptionView {
        id,
        merchant: r.merchant,
        amount: r.amount,
        fee: r.fee,
        status: r.status,
        created_at: r.created_at,
        reference: r.reference.clone(),
        settled_at: r.settled_at,
    }
}

/// Query of `GET /v1/redemptions`.
#[derive(Debug, Deserialize)]
struct RedemptionQuery {
    status: Option<String>,
}

async fn redemptions(
    State(handle): State<Handle>,
    query: Result<Query<RedemptionQuery>, QueryRejection>,
) -> ApiResult<Vec<RedemptionView>> {
    let filter = match query.map_err(query_error)?.status.as_deref() {
        None => None,
        Some("pending") => Some(RedemptionStatus::Pending),
        Some("settled") => Some(RedemptionStatus::Settled),
        Some(other) => {
            return Err(ApiError::bad_request("bad_query", format!("status {other:?} must be pending or settled")));
        }
    };
    Ok(Json(
        handle
            .call(move |l| {
                l.state()
                    .redemptions()
                    .filter(|(_, r)| filter.is_none_or(|f| r.status == f))
                    .map(|(id, r)| redemption_view(id, r))
                    .collect()
            })
            .await?,
    ))
}

async fn redemption(State(handle): State<Handle>, Path(id): Path<String>) -> ApiResult<RedemptionView> {
    let id = RedemptionId(parse_number(&id, "redemption id")?);
    let view = handle.call(move |l| l.state().redemption(id).map(|r| redemption_view(id, r))).await?;
    view.map(Json).ok_or_else(|| ApiError::not_found("unknown_redemption", format!("redemption {id} does not exist")))
}

fn coins(cents: u128) -> Amount {
    Amount(u64::try_from(cents).unwrap_or(u64::MAX))
}

async fn supply(State(handle): State<Handle>) -> ApiResult<SupplyView> {
    Ok(Json(
        handle
            .call(|l| {
                let s = l.state().supply();
                SupplyView {
                    height: l.head().height,
                    minted: coins(s.minted),
                    burned: coins(s.burned),
                    settled: coins(s.settled),
                    pending_redemptions: coins(s.pending_redemptions),
                    treasury: coins(s.treasury),
                    budgets: coins(s.budgets),
                    escrow: coins(s.escrow),
                    balances: coins(s.balances),
                    outstanding: coins(s.outstanding()),
                    conserved: s.is_conserved(),
                }
            })
            .await?,
    ))
}

async fn block(State(handle): State<Handle>, Path(height): Path<String>) -> ApiResult<BlockView> {
    let wanted = if height == "latest" { None } else { Some(Height(parse_number(&height, "height")?)) };
    let view = handle
        .call(move |l| -> Result<Option<BlockView>, StoreError> {
            let height = wanted.unwrap_or(l.head().height);
            if height.0 == 0 {
                let Ok(state) = l.genesis().initial_state() else { return Ok(None) };
                let header = l.genesis().header(&state);
                return Ok(Some(BlockView { hash: header.hash(), header, txs: vec![], cert: None }));
            }
            let Some(block) = l.storage().block(height)? else { return Ok(None) };
            Ok(Some(BlockView {
                hash: block.hash(),
                txs: block.txs.iter().map(SignedTx::id).collect(),
                cert: l.storage().cert(height)?,
                header: block.header,
            }))
        })
        .await??;
    view.map(Json).ok_or_else(|| ApiError::not_found("unknown_block", format!("no block at height {height} yet")))
}

async fn upload_document(State(handle): State<Handle>, body: Result<Bytes, BytesRejection>) -> ApiResult<Stored> {
    let body = body.map_err(|r| body_error(r, MAX_DOCUMENT))?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("not_utf8", "a document must be UTF-8 text"))?
        .to_owned();
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("empty_upload", "the document is empty"));
    }
    let hash = HashKind::Document.hash(text.as_bytes());
    let size = text.len();
    handle.call(move |l| l.storage().put_document(&hash, &text)).await??;
    Ok(Json(Stored { commitment: hash, size }))
}

async fn document(State(handle): State<Handle>, Path(hash): Path<String>) -> Result<Response, ApiError> {
    let hash = parse_hash(&hash, "document hash")?;
    let text = handle.call(move |l| l.storage().document(&hash)).await??;
    let text = text.ok_or_else(|| ApiError::not_found("unknown_document", format!("no document {hash}")))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(progress: Progress) -> Option<(StatusCode, String, String)> {
        let (_tx, rx) = watch::channel(progress);
        caught_up(&rx).err().map(|ApiError(status, body)| (status, body.error, body.message))
    }

    #[test]
    fn issue_18_a_node_that_is_catching_up_refuses_with_the_reason() {
        let mut behind = Progress::standalone(10);
        behind.network = 40;
        let (status, code, message) = refusal(behind).expect("refused");
        assert_eq!((status, code.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "syncing"));
        assert!(message.contains("height 10") && message.contains("height 40") && message.contains("another node"));

        let mut synced = Progress::standalone(10);
        synced.synced = true;
        assert!(refusal(synced).expect("refused").2.contains("value sync"));

        let (_, _, message) = refusal(Progress::starting(10)).expect("a fresh start is not current yet");
        assert!(message.contains("just started"), "{message}");

        assert_eq!(refusal(Progress::standalone(10)), None);
    }

    #[test]
    fn issue_18_read_your_writes_refuses_below_the_named_height() {
        let query = |min_height| HeadQuery { min_height };
        assert!(reached(Height(5), query(None)).is_ok());
        assert!(reached(Height(5), query(Some(5))).is_ok());
        let ApiError(status, body) = reached(Height(5), query(Some(6))).expect_err("below");
        assert_eq!((status, body.error.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "behind"));
        assert!(body.message.contains("height 5") && body.message.contains("height 6"), "{}", body.message);
    }
}
