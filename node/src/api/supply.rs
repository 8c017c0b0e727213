//! The supply: its figures at the head, and the reconciliation report at any recorded height.

use api::{ReconciliationView, SupplyView};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use contracts::{Amount, Height};
use serde::Deserialize;

use super::error::{ApiError, ApiResult, query_error};
use crate::ledger::{Reads, reconciliation};

fn coins(cents: u128) -> Amount {
    Amount(u64::try_from(cents).unwrap_or(u64::MAX))
}

pub(super) async fn supply(State(reads): State<Reads>) -> ApiResult<SupplyView> {
    Ok(Json(
        reads
            .run(|l| {
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

#[derive(Debug, Deserialize)]
pub(super) struct HeightQuery {
    height: Option<u64>,
}

pub(super) async fn reconciliation(
    State(reads): State<Reads>,
    query: Result<Query<HeightQuery>, QueryRejection>,
) -> ApiResult<ReconciliationView> {
    let height = query.map_err(query_error)?.height.map(Height);
    let view = reads.run(move |l| reconciliation::at(l.storage(), l.state(), l.head().height, height)).await??;
    view.map(Json).ok_or_else(|| {
        ApiError::not_found(
            "no_report",
            format!(
                "no reconciliation recorded at height {}: it is above the head, or this node did not commit it",
                height.map_or(0, |h| h.0)
            ),
        )
    })
}
