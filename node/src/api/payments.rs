//! Payments to shops: one by its reference (with a long poll for the counter) and a merchant's
//! statement over a time window. The statement says which resident paid the shop when, so it
//! is served only on a signed read by the shop, one of its tills or the treasurer (issue 12).

use std::time::Duration;

use api::{PaymentQuery, PaymentView, StatementQuery};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use contracts::primitives::PaymentRef;
use contracts::{AccountId, Action, Height, Role, Timestamp};

use super::auth::SignedRequest;
use super::error::{ApiError, ApiResult, parse_address, query_error};
use super::state::AppState;
use crate::ledger::{Handle, ReadView, Reads};
use crate::store::StoreError;

fn parse_reference(text: &str) -> Result<PaymentRef, ApiError> {
    PaymentRef::new(text).map_err(|e| ApiError::bad_request("bad_reference", e.to_string()))
}

/// A paid request of `merchant` under `reference`, with the transaction that paid it.
fn find_payment(l: &ReadView, merchant: &AccountId, reference: &PaymentRef) -> Result<Option<PaymentView>, StoreError> {
    let Some(record) = l.state().payment(merchant, reference) else { return Ok(None) };
    let block = l
        .storage()
        .block(record.height)?
        .ok_or_else(|| StoreError::Corrupt(format!("block {} of a payment is missing", record.height)))?;
    let tx = block
        .txs
        .iter()
        .find(|tx| matches!(&tx.tx.action, Action::Pay(p) if p.merchant == *merchant && p.reference == *reference));
    let tx = tx.ok_or_else(|| StoreError::Corrupt(format!("payment {reference} not in block {}", record.height)))?;
    Ok(Some(PaymentView {
        merchant: *merchant,
        reference: reference.clone(),
        payer: record.payer,
        amount: record.amount,
        till: record.till,
        height: record.height,
        time: record.time,
        tx_id: tx.id(),
        block_hash: block.hash(),
    }))
}

/// A merchant's payments with block time in `[from, to)`, oldest first.
fn payments_between(
    l: &ReadView,
    merchant: &AccountId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<PaymentView>, StoreError> {
    let mut refs: Vec<(Height, PaymentRef)> = l
        .state()
        .payments_of(merchant)
        .filter(|(_, p)| p.time >= from && p.time < to)
        .map(|(r, p)| (p.height, r.clone()))
        .collect();
    refs.sort();
    let mut out = Vec::with_capacity(refs.len());
    for (_, reference) in refs {
        if let Some(view) = find_payment(l, merchant, &reference)? {
            out.push(view);
        }
    }
    Ok(out)
}

pub(super) async fn payment(
    State(state): State<AppState>,
    Path((merchant, reference)): Path<(String, String)>,
    query: Result<Query<PaymentQuery>, QueryRejection>,
) -> ApiResult<PaymentView> {
    let merchant = parse_address(&merchant)?;
    let reference = parse_reference(&reference)?;
    let wait = Duration::from_millis(query.map_err(query_error)?.wait_ms.unwrap_or(0).min(api::MAX_WAIT_MS));
    let deadline = tokio::time::Instant::now() + wait;
    let mut heads = state.handle.call(|l| l.heads()).await?;
    loop {
        // Mark the current head seen before looking, so a block committed right after the look
        // wakes the wait below.
        heads.borrow_and_update();
        let (m, r) = (merchant, reference.clone());
        if let Some(view) = state.reads.run(move |l| find_payment(l, &m, &r)).await?? {
            return Ok(Json(view));
        }
        match tokio::time::timeout_at(deadline, heads.changed()).await {
            Ok(Ok(())) => continue,
            Ok(Err(_)) | Err(_) => break,
        }
    }
    Err(ApiError::not_found(
        "not_paid",
        format!("no final payment to {merchant} with reference {reference} (yet); ask again with ?wait_ms=N to wait"),
    ))
}

pub(super) async fn statement(
    State(reads): State<Reads>,
    State(handle): State<Handle>,
    Path(merchant): Path<String>,
    signed: SignedRequest,
    query: Result<Query<StatementQuery>, QueryRejection>,
) -> ApiResult<Vec<PaymentView>> {
    let merchant = parse_address(&merchant)?;
    let query = query.map_err(query_error)?;
    let reader = signed.verify(&handle).await?.reader;
    let allowed = reads
        .run(move |l| {
            reader == merchant
                || l.state().till(&reader).is_some_and(|link| link.merchant == merchant)
                || l.has_role(&reader, Role::Treasurer)
        })
        .await?;
    if !allowed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "only the shop {merchant}, its tills or the treasurer may read its statement; {reader} signed this"
            ),
        ));
    }
    let from = Timestamp(query.from_ms.unwrap_or(0));
    let to = Timestamp(query.to_ms.unwrap_or(u64::MAX));
    if from > to {
        return Err(ApiError::bad_request("bad_query", "from_ms is after to_ms"));
    }
    Ok(Json(reads.run(move |l| payments_between(l, &merchant, from, to)).await??))
}
