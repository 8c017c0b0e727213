//! R-DUE-1: block-time effects, applied at the start of every block before its transactions:
//! task deadlines, objection windows closing (the reward is paid) and lapsed resubmission
//! rights. Items are scheduled under `Key::Due(time, item)` and taken in (time, item) order,
//! at most [`MAX_DUE_PER_BLOCK`] per block; the rest wait for the next block.

use crate::error::Rejection;
use crate::primitives::{ClaimId, TaskId, Timestamp};
use crate::receipt::Event;
use crate::state::{BlockContext, ClaimStatus, DueItem, Key, Overlay, TaskStatus};

use super::tasks::{free_slot, pay_reward, refund_to_budget};

/// Most due items one block applies.
pub const MAX_DUE_PER_BLOCK: usize = 1000;

/// Applies what fell due at or before the block time. Each item is applied on its own layer:
/// an item that cannot apply (which the rules never produce) is dropped without effect.
pub fn begin_block(view: &mut Overlay<'_>, ctx: &BlockContext) -> Vec<Event> {
    let mut events = Vec::new();
    for (time, item) in view.base().due_until(ctx.time, MAX_DUE_PER_BLOCK) {
        let result = match item {
            DueItem::TaskDeadline(task) => task_deadline(view, ctx, task, time),
            DueItem::ObjectionWindow(claim) => window_closes(view, ctx, claim, time),
            DueItem::ResubmitLapse(claim) => resubmit_lapses(view, ctx, claim, time),
        };
        match result {
            Ok(mut new) => {
                view.delete(Key::Due(time, item));
                view.commit_tx();
                events.append(&mut new);
            }
            Err(_) => {
                view.discard_tx();
                view.delete(Key::Due(time, item));
                view.commit_tx();
            }
        }
    }
    events
}

/// R-TASK-11: at the deadline an open task expires: claims never submitted end as expired, and
/// the escrow of every slot not held by work under review goes back to the budget.
fn task_deadline(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: TaskId,
    time: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let Some(mut task) = view.task(id) else { return Ok(Vec::new()) };
    if task.status != TaskStatus::Open || task.deadline != time {
        return Ok(Vec::new());
    }
    task.status = TaskStatus::Expired;
    let mut events = Vec::new();
    for claim_id in task.claims.clone() {
        let Some(mut claim) = view.claim(claim_id) else { continue };
        if claim.status == ClaimStatus::Claimed {
            claim.status = ClaimStatus::Expired;
            // The task is no longer open, so this refunds the slot.
            let refund = free_slot(view, ctx, claim_id, &mut claim, &mut task)?;
            events.push(Event::ClaimClosed { claim: claim_id, worker: claim.worker, refund });
            view.put_claim(claim_id, claim);
        }
    }
    let keep = task.reward.checked_mul(u64::from(task.live_claims())).ok_or(Rejection::Overflow)?;
    let refund = task.escrow.checked_sub(keep).ok_or(Rejection::Overflow)?;
    refund_to_budget(view, &mut task, refund)?;
    events.insert(0, Event::TaskExpired { task: id, budget: task.budget.clone(), refund });
    view.put_task(id, task);
    Ok(events)
}

/// R-OBJ-1: the window closed with no objection pending: pay.
fn window_closes(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: ClaimId,
    time: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let Some(mut claim) = view.claim(id) else { return Ok(Vec::new()) };
    if claim.status != ClaimStatus::InObjectionWindow || claim.window_closes != Some(time) {
        return Ok(Vec::new());
    }
    let mut task = view.task(claim.task).ok_or(Rejection::UnknownTask(claim.task))?;
    let event = pay_reward(view, ctx, id, &mut claim, &mut task)?;
    view.put_task(claim.task, task);
    view.put_claim(id, claim);
    Ok(vec![event])
}

/// R-REV-6: the worker did not resubmit in time: the slot is free.
fn resubmit_lapses(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: ClaimId,
    time: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let Some(mut claim) = view.claim(id) else { return Ok(Vec::new()) };
    if claim.status != ClaimStatus::Rejected || claim.resubmit_until != Some(time) {
        return Ok(Vec::new());
    }
    let mut task = view.task(claim.task).ok_or(Rejection::UnknownTask(claim.task))?;
    claim.resubmit_until = None;
    let refund = free_slot(view, ctx, id, &mut claim, &mut task)?;
    let event = Event::ClaimClosed { claim: id, worker: claim.worker, refund };
    view.put_task(claim.task, task);
    view.put_claim(id, claim);
    Ok(vec![event])
}
