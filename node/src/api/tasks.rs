//! Tasks and claims, with each task's description from the document store.
//!
//! Who was drawn to review a claim stays private until they vote (issue 12): a public answer
//! lists only the drawn verifiers who have voted (their votes are public), and the number drawn.
//! On a signed read a drawn verifier also sees themself among the reviewers, and the officer
//! who posted the task (still an officer) sees the whole draw, as they chase late reviews.

use api::{ClaimView, PageQuery, TaskDetail, TaskView};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use contracts::primitives::{ClaimId, TaskId};
use contracts::state::{Claim, Task};
use contracts::{AccountId, Role};

use super::auth::SignedRequest;
use super::error::{ApiError, ApiResult, parse_number, query_error};
use crate::ledger::{Handle, ReadView, Reads};

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

/// Who asks: the public, or the signer of a verified signed read.
#[derive(Debug, Clone, Copy)]
enum Viewer {
    Public,
    Signed(AccountId),
}

/// Checks the signature of a request that carries one; a request without is public.
async fn viewer(signed: &SignedRequest, handle: &Handle) -> Result<Viewer, ApiError> {
    if !signed.is_signed() {
        return Ok(Viewer::Public);
    }
    Ok(Viewer::Signed(signed.verify(handle).await?.reader))
}

/// A claim as `viewer` may see it: drawn verifiers who have not voted are left out, except the
/// viewer themself and, for the officer who posted the task, all of them.
fn claim_view(l: &ReadView, id: ClaimId, c: &Claim, viewer: Viewer) -> ClaimView {
    let mut claim = c.clone();
    let poster = l.state().task(c.task).map(|t| t.poster);
    let sees_all = match viewer {
        Viewer::Signed(reader) => poster == Some(reader) && l.has_role(&reader, Role::Officer),
        Viewer::Public => false,
    };
    if !sees_all {
        let voted = |r: &AccountId| c.votes.iter().any(|v| v.verifier == *r);
        let is_viewer = |r: &AccountId| matches!(viewer, Viewer::Signed(reader) if reader == *r);
        claim.reviewers.retain(|r| voted(r) || is_viewer(r));
    }
    ClaimView { id, reviewers_drawn: c.reviewers.len(), claim }
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

pub(super) async fn task(
    State(reads): State<Reads>,
    State(handle): State<Handle>,
    Path(id): Path<String>,
    signed: SignedRequest,
) -> ApiResult<TaskDetail> {
    let id = TaskId(parse_number(&id, "task id")?);
    let viewer = viewer(&signed, &handle).await?;
    let detail = reads
        .run(move |l| {
            l.state().task(id).map(|t| TaskDetail {
                task: task_view(l, id, t),
                claims: l
                    .state()
                    .claims()
                    .filter(|(_, c)| c.task == id)
                    .map(|(cid, c)| claim_view(l, cid, c, viewer))
                    .collect(),
            })
        })
        .await?;
    detail.map(Json).ok_or_else(|| ApiError::not_found("unknown_task", format!("task {id} does not exist")))
}

pub(super) async fn claim(
    State(reads): State<Reads>,
    State(handle): State<Handle>,
    Path(id): Path<String>,
    signed: SignedRequest,
) -> ApiResult<ClaimView> {
    let id = ClaimId(parse_number(&id, "claim id")?);
    let viewer = viewer(&signed, &handle).await?;
    let view = reads.run(move |l| l.state().claim(id).map(|c| claim_view(l, id, c, viewer))).await?;
    view.map(Json).ok_or_else(|| ApiError::not_found("unknown_claim", format!("claim {id} does not exist")))
}

pub(super) async fn claims(
    State(reads): State<Reads>,
    State(handle): State<Handle>,
    query: Result<Query<PageQuery>, QueryRejection>,
    signed: SignedRequest,
) -> ApiResult<Vec<ClaimView>> {
    let page = query.map_err(query_error)?.0;
    let viewer = viewer(&signed, &handle).await?;
    let claims = reads
        .run(move |l| {
            l.state()
                .claims()
                .skip_while(|(id, _)| page.after.is_some_and(|after| id.0 <= after))
                .take(page.size())
                .map(|(id, c)| claim_view(l, id, c, viewer))
                .collect()
        })
        .await?;
    Ok(Json(claims))
}
