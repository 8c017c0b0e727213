//! What the council governs: the chain parameters, the budgets and the proposals.

use api::{BudgetView, PageQuery, ProposalView};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use contracts::state::Params;

use super::error::{ApiError, ApiResult, query_error};
use crate::ledger::Reads;

pub(super) async fn params(State(reads): State<Reads>) -> ApiResult<Params> {
    let params = reads.run(|l| l.state().globals().map(|g| g.params.clone())).await?;
    params.map(Json).ok_or_else(|| ApiError::not_found("no_params", "the state holds no chain parameters"))
}

pub(super) async fn budgets(State(reads): State<Reads>) -> ApiResult<Vec<BudgetView>> {
    Ok(Json(
        reads
            .run(|l| {
                l.state().budgets().map(|(code, b)| BudgetView { code: code.clone(), balance: b.balance }).collect()
            })
            .await?,
    ))
}

pub(super) async fn proposals(
    State(reads): State<Reads>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Vec<ProposalView>> {
    let page = query.map_err(query_error)?.0;
    Ok(Json(
        reads
            .run(move |l| {
                let threshold = l.state().globals().map_or(0, |g| g.params.council_threshold);
                let now = l.head().time;
                l.state()
                    .proposals()
                    .skip_while(|(id, _)| page.after.is_some_and(|after| id.0 <= after))
                    .take(page.size())
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
