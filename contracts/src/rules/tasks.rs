//! Tasks: an officer posts work with escrow, a resident claims and submits, a verifier decides
//! (R-TASK-*).

use crate::error::Rejection;
use crate::primitives::{AccountId, ClaimId, Role, TaskId};
use crate::receipt::Event;
use crate::state::{BlockContext, Claim, ClaimStatus, MAX_SLOTS, Overlay, Task, TaskStatus};
use crate::tx::{ApproveWork, CancelTask, ClaimTask, PostTask, RejectWork, SubmitWork};

use super::common::{credit, globals, pay, positive, require_role};

/// R-TASK-1: an officer posts a task; `reward × slots` moves from the budget into escrow.
/// R-TASK-2: 1 to [`MAX_SLOTS`] slots, a positive reward, a deadline after the block time.
pub(super) fn apply_post_task(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    p: &PostTask,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Officer)?;
    positive(p.reward)?;
    if p.slots == 0 || p.slots > MAX_SLOTS {
        return Err(Rejection::InvalidSlots { slots: p.slots, max: MAX_SLOTS });
    }
    if p.deadline <= ctx.time {
        return Err(Rejection::DeadlineInPast);
    }
    let escrow = p.reward.checked_mul(u64::from(p.slots)).ok_or(Rejection::Overflow)?;
    let mut budget = view.budget(p.budget.clone()).ok_or_else(|| Rejection::UnknownBudget(p.budget.clone()))?;
    budget.balance = budget.balance.checked_sub(escrow).ok_or_else(|| Rejection::InsufficientBudget {
        budget: p.budget.clone(),
        needed: escrow,
        available: budget.balance,
    })?;
    let mut g = globals(view)?;
    let id = g.next_task;
    g.next_task = TaskId(id.0.checked_add(1).ok_or(Rejection::Overflow)?);
    view.put_globals(g);
    view.put_budget(p.budget.clone(), budget);
    view.put_task(
        id,
        Task {
            poster: signer,
            budget: p.budget.clone(),
            reward: p.reward,
            slots: p.slots,
            deadline: p.deadline,
            description: p.description,
            escrow,
            rewarded: 0,
            claims: Vec::new(),
            status: TaskStatus::Open,
            posted_at: ctx.time,
        },
    );
    Ok(vec![Event::TaskPosted { task: id, poster: signer, budget: p.budget.clone(), escrow }])
}

fn open_task(view: &Overlay<'_>, ctx: &BlockContext, id: TaskId) -> Result<Task, Rejection> {
    let task = view.task(id).ok_or(Rejection::UnknownTask(id))?;
    if task.status == TaskStatus::Cancelled {
        return Err(Rejection::TaskCancelled(id));
    }
    if ctx.time >= task.deadline {
        return Err(Rejection::DeadlinePassed(id));
    }
    Ok(task)
}

/// R-TASK-3: an enrolled resident claims a free slot before the deadline, at most one live
/// claim per task, and never on a task they posted.
pub(super) fn apply_claim_task(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    c: &ClaimTask,
) -> Result<Vec<Event>, Rejection> {
    if !view.account(signer).is_some_and(|a| a.enrolled) {
        return Err(Rejection::NotEnrolled);
    }
    let mut task = open_task(view, ctx, c.task)?;
    if task.poster == signer {
        return Err(Rejection::OwnTask(c.task));
    }
    if task.claims.iter().any(|id| view.claim(*id).is_some_and(|claim| claim.worker == signer)) {
        return Err(Rejection::AlreadyClaimed(c.task));
    }
    if task.free_slots() == 0 {
        return Err(Rejection::TaskFull(c.task));
    }
    let mut g = globals(view)?;
    let id = g.next_claim;
    g.next_claim = ClaimId(id.0.checked_add(1).ok_or(Rejection::Overflow)?);
    task.claims.push(id);
    view.put_globals(g);
    view.put_task(c.task, task);
    view.put_claim(
        id,
        Claim {
            task: c.task,
            worker: signer,
            status: ClaimStatus::Claimed,
            evidence: None,
            verifier: None,
            reason: None,
            claimed_at: ctx.time,
        },
    );
    Ok(vec![Event::TaskClaimed { task: c.task, claim: id, worker: signer }])
}

fn claim_in(view: &Overlay<'_>, id: ClaimId, expected: ClaimStatus) -> Result<Claim, Rejection> {
    let claim = view.claim(id).ok_or(Rejection::UnknownClaim(id))?;
    if claim.status != expected {
        return Err(Rejection::ClaimStatus { claim: id, expected, actual: claim.status });
    }
    Ok(claim)
}

/// R-TASK-4: the worker submits an evidence commitment before the deadline.
pub(super) fn apply_submit_work(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    s: &SubmitWork,
) -> Result<Vec<Event>, Rejection> {
    let mut claim = view.claim(s.claim).ok_or(Rejection::UnknownClaim(s.claim))?;
    if claim.worker != signer {
        return Err(Rejection::NotYourClaim(s.claim));
    }
    claim_in(view, s.claim, ClaimStatus::Claimed)?;
    open_task(view, ctx, claim.task)?;
    claim.status = ClaimStatus::Submitted;
    claim.evidence = Some(s.evidence);
    view.put_claim(s.claim, claim);
    Ok(vec![Event::WorkSubmitted { claim: s.claim, worker: signer, evidence: s.evidence }])
}

/// R-TASK-5..7: a verifier decides submitted work, never their own work and never on a task
/// they posted.
fn check_review(view: &Overlay<'_>, signer: AccountId, id: ClaimId) -> Result<(Claim, Task), Rejection> {
    require_role(view, signer, Role::Verifier)?;
    let claim = claim_in(view, id, ClaimStatus::Submitted)?;
    if claim.worker == signer {
        return Err(Rejection::SelfVerification);
    }
    let task = view.task(claim.task).ok_or(Rejection::UnknownTask(claim.task))?;
    if task.poster == signer {
        return Err(Rejection::VerifierPostedTask);
    }
    if task.status == TaskStatus::Cancelled {
        return Err(Rejection::TaskCancelled(claim.task));
    }
    Ok((claim, task))
}

/// R-TASK-5: approval pays the reward from escrow to the worker.
pub(super) fn apply_approve_work(
    view: &mut Overlay<'_>,
    signer: AccountId,
    a: &ApproveWork,
) -> Result<Vec<Event>, Rejection> {
    let (mut claim, mut task) = check_review(view, signer, a.claim)?;
    task.escrow = task.escrow.checked_sub(task.reward).ok_or(Rejection::Overflow)?;
    task.rewarded = task.rewarded.checked_add(1).ok_or(Rejection::Overflow)?;
    pay(view, claim.worker, task.reward)?;
    claim.status = ClaimStatus::Approved;
    claim.verifier = Some(signer);
    let event = Event::WorkApproved {
        task: claim.task,
        claim: a.claim,
        worker: claim.worker,
        verifier: signer,
        reward: task.reward,
    };
    view.put_task(claim.task, task);
    view.put_claim(a.claim, claim);
    Ok(vec![event])
}

/// R-TASK-8: a rejection carries a reason code and frees the slot; escrow stays with the task.
pub(super) fn apply_reject_work(
    view: &mut Overlay<'_>,
    signer: AccountId,
    r: &RejectWork,
) -> Result<Vec<Event>, Rejection> {
    let (mut claim, mut task) = check_review(view, signer, r.claim)?;
    task.claims.retain(|id| *id != r.claim);
    claim.status = ClaimStatus::Rejected;
    claim.verifier = Some(signer);
    claim.reason = Some(r.reason);
    let event = Event::WorkRejected {
        task: claim.task,
        claim: r.claim,
        worker: claim.worker,
        verifier: signer,
        reason: r.reason,
    };
    view.put_task(claim.task, task);
    view.put_claim(r.claim, claim);
    Ok(vec![event])
}

/// R-TASK-9: the posting officer cancels; every unpaid slot's escrow returns to the budget and
/// live claims end as cancelled.
pub(super) fn apply_cancel_task(
    view: &mut Overlay<'_>,
    signer: AccountId,
    c: &CancelTask,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Officer)?;
    let mut task = view.task(c.task).ok_or(Rejection::UnknownTask(c.task))?;
    if task.poster != signer {
        return Err(Rejection::NotTaskPoster(c.task));
    }
    if task.status == TaskStatus::Cancelled {
        return Err(Rejection::TaskCancelled(c.task));
    }
    let refund = task.escrow;
    let mut budget = view.budget(task.budget.clone()).unwrap_or_default();
    budget.balance = credit(budget.balance, refund)?;
    for id in &task.claims {
        if let Some(mut claim) = view.claim(*id)
            && matches!(claim.status, ClaimStatus::Claimed | ClaimStatus::Submitted)
        {
            claim.status = ClaimStatus::Cancelled;
            view.put_claim(*id, claim);
        }
    }
    task.escrow = crate::primitives::Amount::ZERO;
    task.status = TaskStatus::Cancelled;
    let budget_code = task.budget.clone();
    view.put_budget(budget_code.clone(), budget);
    view.put_task(c.task, task);
    Ok(vec![Event::TaskCancelled { task: c.task, budget: budget_code, refund }])
}
