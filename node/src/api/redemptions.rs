//! Redemptions: a merchant's burned coins waiting for, or settled by, a payout.

use api::RedemptionView;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use contracts::primitives::RedemptionId;
use contracts::state::RedemptionStatus;
use serde::Deserialize;

use super::error::{ApiError, ApiResult, parse_number, query_error};
use crate::ledger::Handle;

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
}

pub(super) async fn redemptions(
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

pub(super) async fn redemption(State(handle): State<Handle>, Path(id): Path<String>) -> ApiResult<RedemptionView> {
    let id = RedemptionId(parse_number(&id, "redemption id")?);
    let view = handle.call(move |l| l.state().redemption(id).map(|r| redemption_view(id, r))).await?;
    view.map(Json).ok_or_else(|| ApiError::not_found("unknown_redemption", format!("redemption {id} does not exist")))
}
