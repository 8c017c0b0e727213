//! Task-review endpoints: the chain parameters, every claim (for review queues), a resident's
//! allowance under the annual cap, the rewards paid in a year (for a year-end statement) and a
//! re-verification of the whole chain.

use api::{AllowanceView, ClaimView, EarningLine, EarningsView};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use contracts::state::{ClaimStatus, Key, Params, Value};
use contracts::{AccountId, Amount};

use crate::engine::Handle;
use crate::http::{ApiError, ApiResult, AppState, parse_address};

/// The routes of this module, merged into the API router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/params", get(params))
        .route("/v1/claims", get(claims))
        .route("/v1/accounts/{address}/allowance", get(allowance))
        .route("/v1/accounts/{address}/earnings/{year}", get(earnings))
        .route("/v1/chain/verify", get(chain_verify))
}

async fn chain_verify(State(handle): State<Handle>) -> ApiResult<api::ChainCheck> {
    Ok(Json(crate::chain_check::verify_chain(&handle).await?))
}

async fn params(State(handle): State<Handle>) -> ApiResult<Params> {
    let params = handle.call(|l| l.state().globals().map(|g| g.params.clone())).await?;
    params.map(Json).ok_or_else(|| ApiError::not_found("no_params", "the state holds no chain parameters"))
}

async fn claims(State(handle): State<Handle>) -> ApiResult<Vec<ClaimView>> {
    let claims =
        handle.call(|l| l.state().claims().map(|(id, c)| ClaimView { id, claim: c.clone() }).collect()).await?;
    Ok(Json(claims))
}

fn earned(state: &contracts::State, account: AccountId, year: u16) -> Amount {
    match state.get(&Key::Earned(account, year)) {
        Some(Value::Earned(amount)) => *amount,
        _ => Amount::ZERO,
    }
}

async fn allowance(State(handle): State<Handle>, Path(address): Path<String>) -> ApiResult<AllowanceView> {
    let account = parse_address(&address)?;
    let view = handle
        .call(move |l| {
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

async fn earnings(
    State(handle): State<Handle>,
    Path((address, year)): Path<(String, String)>,
) -> ApiResult<EarningsView> {
    let account = parse_address(&address)?;
    let year: u16 = year
        .parse()
        .ok()
        .filter(|y| (2000..=9999).contains(y))
        .ok_or_else(|| ApiError::bad_request("bad_year", format!("{year:?} is not a year like 2026")))?;
    let view = handle
        .call(move |l| {
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
