//! What the council governs: the chain parameters, the budgets and the proposals.

use api::{BudgetView, ProposalView};
use axum::Json;
use axum::extract::State;
use contracts::state::Params;

use super::error::{ApiError, ApiResult};
use crate::ledger::Handle;

pub(super) async fn params(State(handle): State<Handle>) -> ApiResult<Params> {
    let params = handle.call(|l| l.state().globals().map(|g| g.params.clone())).await?;
    params.map(Json).ok_or_else(|| ApiError::not_found("no_params", "the state holds no chain parameters"))
}

pub(super) async fn budgets(State(handle): State<Handle>) -> ApiResult<Vec<BudgetView>> {
    Ok(Json(
        handle
            .call(|l| {
                l.state().budgets().map(|(code, b)| BudgetView { code: code.clone(), balance: b.balance }).collect()
            })
            .await?,
    ))
}

pub(super) async fn proposals(State(handle): State<Handle>) -> ApiResult<Vec<ProposalView>> {
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
