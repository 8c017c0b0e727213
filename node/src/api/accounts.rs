//! Accounts: balance and nonces, history, and a resident's allowance and earnings under the
//! annual cap.

use api::{AccountView, AllowanceView, EarningLine, EarningsView, HeadQuery, History, HistoryEntry, HistoryQuery};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use contracts::state::{ClaimStatus, Key, Value};
use contracts::{AccountId, Amount, Height};

use super::error::{ApiError, ApiResult, parse_address, query_error};
use super::freshness::{caught_up, reached};
use super::state::AppState;
use crate::ledger::Reads;
use crate::store::StoreError;

pub(super) async fn account(
    State(state): State<AppState>,
    Path(address): Path<String>,
    query: Result<Query<HeadQuery>, QueryRejection>,
) -> ApiResult<AccountView> {
    let id = parse_address(&address)?;
    let query = query.map_err(query_error)?.0;
    // The nonce and balance a client acts on must not come from a node that is behind.
    caught_up(&state.progress)?;
    let view = state
        .reads
        .run(move |l| {
            reached(l.head().height, query)?;
            Ok::<_, ApiError>(l.state().account(&id).map(|a| AccountView {
                address: id,
                balance: a.balance,
                nonce: a.nonce,
                next_nonce: a.nonce,
                roles: a.roles.roles(),
                enrolled: a.enrolled,
                height: l.head().height,
            }))
        })
        .await??;
    let view = match view {
        // The pending count lives with the mempool on the ledger thread: a map lookup there.
        Some(mut view) => {
            let next = state.handle.call(move |l| l.state().account(&id).map(|a| l.next_nonce(&id, a.nonce))).await?;
            view.next_nonce = next.unwrap_or(view.nonce).max(view.nonce);
            Some(view)
        }
        None => None,
    };
    view.map(Json).ok_or_else(|| {
        ApiError::not_found(
            "unknown_account",
            format!("account {id} is not on this chain; the registrar enrolls residents"),
        )
    })
}

pub(super) async fn history(
    State(reads): State<Reads>,
    Path(address): Path<String>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> ApiResult<History> {
    let id = parse_address(&address)?;
    let query = query.map_err(query_error)?;
    let limit = query.limit.unwrap_or(50).clamp(1, api::MAX_PAGE);
    let entries = reads
        .run(move |l| -> Result<Vec<HistoryEntry>, StoreError> {
            let before = Height(query.before_height.unwrap_or(u64::MAX));
            let mut out = Vec::new();
            for (height, index) in l.storage().history(&id, before, query.before_index, limit)? {
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

fn earned(state: &contracts::State, account: AccountId, year: u16) -> Amount {
    match state.get(&Key::Earned(account, year)) {
        Some(Value::Earned(amount)) => *amount,
        _ => Amount::ZERO,
    }
}

pub(super) async fn allowance(State(reads): State<Reads>, Path(address): Path<String>) -> ApiResult<AllowanceView> {
    let account = parse_address(&address)?;
    let view = reads
        .run(move |l| {
            let state = l.state();
            state.account(&account)?;
            let cap = state.globals()?.params.annual_cap;
            let year = l.head().time.dutch_year();
            let earned = earned(state, account, year);
            let reserved = match state.get(&Key::Earner(account)) {
                Some(Value::Earner(e)) => e.reserved,
                _ => Amount::ZERO,
            };
            let committed = earned.checked_add(reserved).unwrap_or(Amount(u64::MAX));
            Some(AllowanceView {
                account,
                year,
                cap,
                earned,
                reserved,
                remaining: cap.checked_sub(committed).unwrap_or(Amount::ZERO),
            })
        })
        .await?;
    view.map(Json)
        .ok_or_else(|| ApiError::not_found("unknown_account", format!("account {account} is not on this chain")))
}

pub(super) async fn earnings(
    State(reads): State<Reads>,
    Path((address, year)): Path<(String, String)>,
) -> ApiResult<EarningsView> {
    let account = parse_address(&address)?;
    let year: u16 = year
        .parse()
        .ok()
        .filter(|y| (2000..=9999).contains(y))
        .ok_or_else(|| ApiError::bad_request("bad_year", format!("{year:?} is not a year like 2026")))?;
    let view = reads
        .run(move |l| {
            let state = l.state();
            let rewards = state
                .claims()
                .filter(|(_, c)| c.worker == account && c.status == ClaimStatus::Rewarded)
                .filter_map(|(id, c)| {
                    let paid_at = c.closed_at?;
                    let amount = state.task(c.task)?.reward;
                    (paid_at.dutch_year() == year).then_some(EarningLine { claim: id, task: c.task, amount, paid_at })
                })
                .collect();
            EarningsView {
                account,
                year,
                total: earned(state, account, year),
                rewards,
                height: l.head().height,
                state_root: l.head().state_root,
            }
        })
        .await?;
    Ok(Json(view))
}
