//! Redemptions: a merchant's burned coins waiting for, or settled by, a payout.

use api::RedemptionView;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use contracts::primitives::RedemptionId;
use contracts::state::RedemptionStatus;
use serde::Deserialize;

use super::error::{ApiError, ApiResult, parse_number, query_error};
use crate::ledger::Reads;

pub(super) fn redemption_view(id: RedemptionId, r: &contracts::state::Redemption) -> RedemptionView {
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
pub(super) struct RedemptionQuery {
    status: Option<String>,
    /// Paging ([`api::PageQuery`]).
    limit: Option<usize>,
    after: Option<u64>,
}

pub(super) async fn redemptions(
    State(reads): State<Reads>,
    query: Result<Query<RedemptionQuery>, QueryRejection>,
) -> ApiResult<Vec<RedemptionView>> {
    let query = query.map_err(query_error)?.0;
    let page = api::PageQuery { limit: query.limit, after: query.after };
    let filter = match query.status.as_deref() {
        None => None,
        Some("pending") => Some(RedemptionStatus::Pending),
        Some("settled") => Some(RedemptionStatus::Settled),
        Some(other) => {
            return Err(ApiError::bad_request("bad_query", format!("status {other:?} must be pending or settled")));
        }
    };
    Ok(Json(
        reads
            .run(move |l| {
                l.state()
                    .redemptions()
                    .skip_while(|(id, _)| page.after.is_some_and(|after| id.0 <= after))
                    .filter(|(_, r)| filter.is_none_or(|f| r.status == f))
                    .take(page.size())
                    .map(|(id, r)| redemption_view(id, r))
                    .collect()
            })
            .await?,
    ))
}

pub(super) async fn redemption(State(reads): State<Reads>, Path(id): Path<String>) -> ApiResult<RedemptionView> {
    let id = RedemptionId(parse_number(&id, "redemption id")?);
    let view = reads.run(move |l| l.state().redemption(id).map(|r| redemption_view(id, r))).await?;
    view.map(Json).ok_or_else(|| ApiError::not_found("unknown_redemption", format!("redemption {id} does not exist")))
}
