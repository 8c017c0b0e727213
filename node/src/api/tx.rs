//! Transactions: submit a signed one, and ask for its status (with a long poll until it is
//! committed).

use std::time::Duration;

use api::{HeadQuery, SubmitTx, Submitted, TxState, TxStatus, WaitQuery};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use contracts::{Block, Hash, Receipt, SignedTx, VerifiedTx};

use super::error::{ApiError, ApiResult, body_error, parse_hash, query_error};
use super::freshness::{caught_up, reached};
use super::state::AppState;
use crate::ledger::{Handle, Ledger, SubmitError};
use crate::store::StoreError;

pub(super) async fn submit_tx(
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

pub(super) async fn tx_status(
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
