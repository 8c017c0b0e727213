//! Tasks and claims, with each task's description from the document store.

use api::{ClaimView, PageQuery, TaskDetail, TaskView};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use contracts::primitives::{ClaimId, TaskId};
use contracts::state::{Claim, Task};

use super::error::{ApiError, ApiResult, parse_number, query_error};
use crate::ledger::{ReadView, Reads};

fn task_view(l: &ReadView, id: TaskId, t: &Task) -> TaskView {
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

pub(super) async fn tasks(
    State(reads): State<Reads>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Vec<TaskView>> {
    let page = query.map_err(query_error)?.0;
    let tasks = reads
        .run(move |l| {
            l.state()
                .tasks()
                .skip_while(|(id, _)| page.after.is_some_and(|after| id.0 <= after))
                .take(page.size())
                .map(|(id, t)| task_view(l, id, t))
                .collect()
        })
        .await?;
    Ok(Json(tasks))
}

pub(super) async fn task(State(reads): State<Reads>, Path(id): Path<String>) -> ApiResult<TaskDetail> {
    let id = TaskId(parse_number(&id, "task id")?);
    let detail = reads
        .run(move |l| {
            l.state().task(id).map(|t| TaskDetail {
                task: task_view(l, id, t),
                claims: l.state().claims().filter(|(_, c)| c.task == id).map(|(cid, c)| claim_view(cid, c)).collect(),
            })
        })
        .await?;
    detail.map(Json).ok_or_else(|| ApiError::not_found("unknown_task", format!("task {id} does not exist")))
}

pub(super) async fn claim(State(reads): State<Reads>, Path(id): Path<String>) -> ApiResult<ClaimView> {
    let id = ClaimId(parse_number(&id, "claim id")?);
    let view = reads.run(move |l| l.state().claim(id).map(|c| claim_view(id, c))).await?;
    view.map(Json).ok_or_else(|| ApiError::not_found("unknown_claim", format!("claim {id} does not exist")))
}

pub(super) async fn claims(
    State(reads): State<Reads>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Vec<ClaimView>> {
    let page = query.map_err(query_error)?.0;
    let claims = reads
        .run(move |l| {
            l.state()
                .claims()
                .skip_while(|(id, _)| page.after.is_some_and(|after| id.0 <= after))
                .take(page.size())
                .map(|(id, c)| claim_view(id, c))
                .collect()
        })
        .await?;
    Ok(Json(claims))
}
