//! Tasks and claims, with each task's description from the document store.

use api::{ClaimView, TaskDetail, TaskView};
use axum::Json;
use axum::extract::{Path, State};
use contracts::primitives::{ClaimId, TaskId};
use contracts::state::{Claim, Task};

use super::error::{ApiError, ApiResult, parse_number};
use crate::ledger::{Handle, Ledger};

fn task_view(l: &Ledger, id: TaskId, t: &Task) -> TaskView {
    TaskView {
        id,
        poster: t.poster,
        budget: t.budget.clone(),
        reward: t.reward,
        slots: t.slots,
        free_slots: t.free_slots(),
        rewarded: t.rewarded,
        deadline: t.deadline,
        escrow: t.escrow,
        status: t.status,
        expired: l.head().time >= t.deadline,
        description_hash: t.description,
        description: l.storage().document(&t.description).ok().flatten(),
        posted_at: t.posted_at,
        work_order: t.work_order.clone(),
        approvals: t.approvals,
        reviewers: t.reviewers,
    }
}

fn claim_view(id: ClaimId, c: &Claim) -> ClaimView {
    ClaimView { id, claim: c.clone() }
}

pub(super) async fn tasks(State(handle): State<Handle>) -> ApiResult<Vec<TaskView>> {
    Ok(Json(handle.call(|l| l.state().tasks().map(|(id, t)| task_view(l, id, t)).collect()).await?))
}

pub(super) async fn task(State(handle): State<Handle>, Path(id): Path<String>) -> ApiResult<TaskDetail> {
    let id = TaskId(parse_number(&id, "task id")?);
    let detail = handle
        .call(move |l| {
            l.state().task(id).map(|t| TaskDetail {
                task: task_view(l, id, t),
                claims: l.state().claims().filter(|(_, c)| c.task == id).map(|(cid, c)| claim_view(cid, c)).collect(),
            })
        })
        .await?;
    detail.map(Json).ok_or_else(|| ApiError::not_found("unknown_task", format!("task {id} does not exist")))
}

pub(super) async fn claim(State(handle): State<Handle>, Path(id): Path<String>) -> ApiResult<ClaimView> {
    let id = ClaimId(parse_number(&id, "claim id")?);
    let view = handle.call(move |l| l.state().claim(id).map(|c| claim_view(id, c))).await?;
    view.map(Json).ok_or_else(|| ApiError::not_found("unknown_claim", format!("claim {id} does not exist")))
}

pub(super) async fn claims(State(handle): State<Handle>) -> ApiResult<Vec<ClaimView>> {
    let claims = handle.call(|l| l.state().claims().map(|(id, c)| claim_view(id, c)).collect()).await?;
    Ok(Json(claims))
}
