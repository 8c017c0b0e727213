//! The node itself: readiness, status, the validator sets and the misbehaviour consensus saw.

use std::time::Instant;

use api::Status;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contracts::Height;

use super::error::{ApiError, ApiResult};
use super::freshness::caught_up;
use super::state::AppState;
use crate::ledger::Reads;

/// Ready: the ledger thread answers and the node is at the head of the chain as far as it
/// knows (issue 18). A load balancer or a wallet sends nothing to a node that is catching up.
pub(super) async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(err) = state.handle.call(|_| ()).await {
        return (StatusCode::SERVICE_UNAVAILABLE, err.to_string()).into_response();
    }
    match caught_up(&state.progress) {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(err) => (err.0, err.1.message).into_response(),
    }
}

pub(super) async fn status(State(state): State<AppState>) -> ApiResult<Status> {
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
                    proposal_faults: {
                        let f = progress.proposal_faults;
                        api::ProposalFaultsView {
                            not_proposer: f.not_proposer,
                            bad_signature: f.bad_signature,
                            oversized: f.oversized,
                            malformed: f.malformed,
                            invalid_block: f.invalid_block,
                            out_of_window: f.out_of_window,
                        }
                    },
                }
            })
            .await?,
    ))
}

pub(super) async fn misbehavior(State(reads): State<Reads>) -> ApiResult<Vec<api::MisbehaviorView>> {
    let records = reads.run(|l| l.storage().misbehavior(100)).await??;
    let views = records.iter().filter_map(|r| serde_json::from_slice(r).ok()).collect();
    Ok(Json(views))
}

pub(super) async fn validators(State(reads): State<Reads>) -> ApiResult<api::ValidatorsView> {
    let view = reads
        .run(|l| {
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
