//! Tasks (R-TASK-*): an officer posts work with escrow and a work-order reference, a resident
//! claims a slot within the annual cap (R-CAP-*) and submits evidence, verifiers drawn from the
//! pool vote k of n (R-REV-*), and an approval waits out the objection window before it pays
//! (R-OBJ-*). Block-time effects (deadlines, windows, lapses) are in [`super::due`].

use crate::error::Rejection;
use crate::primitives::{AccountId, Amount, ClaimId, Role, TaskId};
use crate::receipt::Event;
use crate::state::{
    BlockContext, Claim, ClaimStatus, DueItem, MAX_REVIEWERS, MAX_SLOTS, Objection, Overlay, Task, TaskStatus, Vote,
};
use crate::tx::{
    ApproveWork, CancelTask, ClaimTask, ObjectToWork, OpenTask, PostTask, RejectReason, RejectWork, ResolveObjection,
    SubmitWork,
};

use super::common::{credit, globals, pay, positive, require_role};
use super::review;

/// R-PRIV-3: evidence may be kept at most two years after submission.
pub const MAX_RETENTION_MS: u64 = 730 * 86_400_000;

fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Open => "open",
        TaskStatus::Cancelled => "cancelled",
        TaskStatus::Draft => "a draft",
        TaskStatus::Expired => "expired",
    }
}

/// R-TASK-1: an officer posts a task. R-TASK-2: 1 to [`MAX_SLOTS`] slots, a positive reward, a
/// deadline after the block time. R-REV-1: 1 ≤ k ≤ n ≤ [`MAX_REVIEWERS`]. R-TASK-10: the work
/// order is part of the transaction, so a task without one cannot be posted. A published task
/// moves `reward × slots` from the budget into escrow; a draft moves nothing.
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
    if p.reviewers == 0 || p.reviewers > MAX_REVIEWERS || p.approvals == 0 || p.approvals > p.reviewers {
        return Err(Rejection::ReviewRule { approvals: p.approvals, reviewers: p.reviewers, max: MAX_REVIEWERS });
    }
    if view.budget(p.budget.clone()).is_none() {
        return Err(Rejection::UnknownBudget(p.budget.clone()));
    }
    let mut g = globals(view)?;
    let id = g.next_task;
    g.next_task = TaskId(id.0.checked_add(1).ok_or(Rejection::Overflow)?);
    view.put_globals(g);
    let mut task = Task {
        poster: signer,
        budget: p.budget.clone(),
        reward: p.reward,
        slots: p.slots,
        deadline: p.deadline,
        description: p.description,
        escrow: Amount::ZERO,
        rewarded: 0,
        claims: Vec::new(),
        status: TaskStatus::Draft,
        posted_at: ctx.time,
        work_order: p.work_order.clone(),
        approvals: p.approvals,
        reviewers: p.reviewers,
    };
    if !p.draft {
        fund_escrow(view, id, &mut task)?;
    }
    let event = Event::TaskPosted { task: id, poster: signer, budget: p.budget.clone(), escrow: task.escrow };
    view.put_task(id, task);
    Ok(vec![event])
}

/// Moves `reward × slots` from the budget into escrow, opens the task and schedules its
/// deadline.
fn fund_escrow(view: &mut Overlay<'_>, id: TaskId, task: &mut Task) -> Result<(), Rejection> {
    let escrow = task.reward.checked_mul(u64::from(task.slots)).ok_or(Rejection::Overflow)?;
    let mut budget = view.budget(task.budget.clone()).ok_or_else(|| Rejection::UnknownBudget(task.budget.clone()))?;
    budget.balance = budget.balance.checked_sub(escrow).ok_or_else(|| Rejection::InsufficientBudget {
        budget: task.budget.clone(),
        needed: escrow,
        available: budget.balance,
    })?;
    view.put_budget(task.budget.clone(), budget);
    task.escrow = escrow;
    task.status = TaskStatus::Open;
    view.schedule(task.deadline, DueItem::TaskDeadline(id));
    Ok(())
}

/// R-TASK-1: the posting officer publishes a draft before its deadline.
pub(super) fn apply_open_task(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    o: &OpenTask,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Officer)?;
    let mut task = view.task(o.task).ok_or(Rejection::UnknownTask(o.task))?;
    if task.poster != signer {
        return Err(Rejection::NotTaskPoster(o.task));
    }
    if task.status != TaskStatus::Draft {
        return Err(Rejection::TaskStatus { task: o.task, expected: "a draft", status: status_name(task.status) });
    }
    if task.deadline <= ctx.time {
        return Err(Rejection::DeadlineInPast);
    }
    fund_escrow(view, o.task, &mut task)?;
    let event = Event::TaskOpened { task: o.task, escrow: task.escrow };
    view.put_task(o.task, task);
    Ok(vec![event])
}

fn open_task(view: &Overlay<'_>, ctx: &BlockContext, id: TaskId) -> Result<Task, Rejection> {
    let task = view.task(id).ok_or(Rejection::UnknownTask(id))?;
    match task.status {
        TaskStatus::Cancelled => return Err(Rejection::TaskCancelled(id)),
        TaskStatus::Expired => return Err(Rejection::DeadlinePassed(id)),
        TaskStatus::Draft => {
            return Err(Rejection::TaskStatus { task: id, expected: "open", status: status_name(task.status) });
        }
        TaskStatus::Open => {}
    }
    if ctx.time >= task.deadline {
        return Err(Rejection::DeadlinePassed(id));
    }
    Ok(task)
}

/// R-TASK-3: an enrolled resident claims a free slot before the deadline, at most one claim
/// holding a slot per task, and never on a task they posted. R-CAP-1: the reward is reserved
/// against the annual cap at once, so work that would exceed it is refused before it starts.
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
    // One claim per resident and task, ever: a rejected worker resubmits once (R-REV-6) and
    // cannot start over with a new claim.
    if view.worked_on((c.task, signer)).is_some() {
        return Err(Rejection::AlreadyClaimed(c.task));
    }
    // R-REV-2: anyone ever drawn to review, or who objected to, work on this task may not
    // become a co-worker on it.
    if view.reviewed(c.task, signer) {
        return Err(Rejection::ReviewerOfTask(c.task));
    }
    if task.free_slots() == 0 {
        return Err(Rejection::TaskFull(c.task));
    }
    reserve(view, ctx, signer, task.reward)?;
    let mut g = globals(view)?;
    let id = g.next_claim;
    g.next_claim = ClaimId(id.0.checked_add(1).ok_or(Rejection::Overflow)?);
    task.claims.push(id);
    view.put_globals(g);
    view.put_task(c.task, task);
    view.put_claim(id, Claim::new(c.task, signer, ctx.time));
    view.put_worked_on((c.task, signer), id);
    Ok(vec![Event::TaskClaimed { task: c.task, claim: id, worker: signer }])
}

/// R-CAP-1: earned this calendar year + reserved + `reward` must stay within the cap.
fn reserve(view: &mut Overlay<'_>, ctx: &BlockContext, worker: AccountId, reward: Amount) -> Result<(), Rejection> {
    let cap = globals(view)?.params.annual_cap;
    let year = ctx.time.dutch_year();
    let earned = view.earned((worker, year)).unwrap_or(Amount::ZERO);
    let mut earner = view.earner(worker).unwrap_or_default();
    let committed = earned.checked_add(earner.reserved).ok_or(Rejection::Overflow)?;
    let after = committed.checked_add(reward).ok_or(Rejection::Overflow)?;
    if after > cap {
        return Err(Rejection::AnnualCapReached {
            year,
            cap,
            remaining: cap.checked_sub(committed).unwrap_or(Amount::ZERO),
            reward,
        });
    }
    earner.reserved = earner.reserved.checked_add(reward).ok_or(Rejection::Overflow)?;
    view.put_earner(worker, earner);
    Ok(())
}

/// Gives back a reservation of a claim that ends unpaid or is paid.
fn release(view: &mut Overlay<'_>, worker: AccountId, reward: Amount) -> Result<(), Rejection> {
    let mut earner = view.earner(worker).unwrap_or_default();
    earner.reserved = earner.reserved.checked_sub(reward).ok_or(Rejection::Overflow)?;
    view.put_earner(worker, earner);
    Ok(())
}

/// R-TASK-4: the worker submits an evidence commitment before the deadline; R-REV-6: once
/// more after a rejection, within the resubmission window. R-PRIV-3: the retention date is
/// after now and at most [`MAX_RETENTION_MS`] ahead. R-REV-2: verifiers are drawn now.
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
    if s.retain_until <= ctx.time || s.retain_until > ctx.time.plus_ms(MAX_RETENTION_MS) {
        return Err(Rejection::RetentionOutOfRange { max_days: MAX_RETENTION_MS / 86_400_000 });
    }
    let task = match claim.status {
        ClaimStatus::Claimed => open_task(view, ctx, claim.task)?,
        ClaimStatus::Rejected => {
            let until = claim.resubmit_until.filter(|until| ctx.time < *until && claim.submissions < 2);
            let Some(until) = until else { return Err(Rejection::ResubmitNotAllowed(s.claim)) };
            view.unschedule(until, DueItem::ResubmitLapse(s.claim));
            view.task(claim.task).ok_or(Rejection::UnknownTask(claim.task))?
        }
        actual => return Err(Rejection::ClaimStatus { claim: s.claim, expected: ClaimStatus::Claimed, actual }),
    };
    claim.submissions = claim.submissions.saturating_add(1);
    claim.reviewers = review::draw(view, ctx, s.claim, &claim, &task)?;
    claim.status = ClaimStatus::Submitted;
    claim.evidence = Some(s.evidence);
    claim.retain_until = Some(s.retain_until);
    claim.submitted_at = Some(ctx.time);
    claim.votes.clear();
    claim.reason = None;
    claim.resubmit_until = None;
    view.put_claim(s.claim, claim);
    Ok(vec![Event::WorkSubmitted { claim: s.claim, worker: signer, evidence: s.evidence }])
}

/// R-REV-4: a verifier drawn for the submission votes once; the worker and the poster never
/// (R-TASK-5..7 keep their specific refusals).
fn check_vote(view: &Overlay<'_>, signer: AccountId, id: ClaimId) -> Result<(Claim, Task), Rejection> {
    require_role(view, signer, Role::Verifier)?;
    let claim = view.claim(id).ok_or(Rejection::UnknownClaim(id))?;
    if claim.worker == signer {
        return Err(Rejection::SelfVerification);
    }
    let task = view.task(claim.task).ok_or(Rejection::UnknownTask(claim.task))?;
    if task.poster == signer {
        return Err(Rejection::VerifierPostedTask);
    }
    if view.worked_on((claim.task, signer)).is_some() {
        return Err(Rejection::CoWorker(claim.task));
    }
    if !claim.status.awaits_review() {
        return Err(Rejection::ClaimStatus { claim: id, expected: ClaimStatus::Submitted, actual: claim.status });
    }
    if !claim.reviewers.contains(&signer) {
        return Err(Rejection::NotDrawnReviewer(id));
    }
    if claim.votes.iter().any(|v| v.verifier == signer) {
        return Err(Rejection::AlreadyVoted(id));
    }
    Ok((claim, task))
}

/// R-REV-5: k approvals open the objection window; more than n − k rejections reject the
/// submission; anything in between leaves it under review.
fn vote(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    id: ClaimId,
    reason: Option<RejectReason>,
) -> Result<Vec<Event>, Rejection> {
    let (mut claim, mut task) = check_vote(view, signer, id)?;
    claim.votes.push(Vote { verifier: signer, reason });
    let mut events = vec![Event::VoteCast { claim: id, verifier: signer, reason }];
    let needed = usize::from(task.approvals);
    let tolerated = usize::from(task.reviewers).saturating_sub(needed);
    if claim.approvals() >= needed {
        let closes = ctx.time.plus_ms(globals(view)?.params.objection_window_ms);
        claim.status = ClaimStatus::InObjectionWindow;
        claim.window_closes = Some(closes);
        view.schedule(closes, DueItem::ObjectionWindow(id));
        events.push(Event::WorkApproved {
            task: claim.task,
            claim: id,
            worker: claim.worker,
            verifier: signer,
            reward: task.reward,
        });
        events.push(Event::WindowOpened { claim: id, worker: claim.worker, closes });
    } else if claim.rejections() > tolerated {
        let reason = reason.or_else(|| claim.votes.iter().find_map(|v| v.reason)).unwrap_or(RejectReason::Incomplete);
        events.extend(reject_submission(view, ctx, id, &mut claim, &mut task, signer, reason)?);
    } else {
        claim.status = ClaimStatus::UnderReview;
    }
    view.put_task(claim.task, task);
    view.put_claim(id, claim);
    Ok(events)
}

/// R-REV-5: a verifier approves.
pub(super) fn apply_approve_work(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    a: &ApproveWork,
) -> Result<Vec<Event>, Rejection> {
    vote(view, ctx, signer, a.claim, None)
}

/// R-TASK-8: a rejection always carries a reason code.
pub(super) fn apply_reject_work(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    r: &RejectWork,
) -> Result<Vec<Event>, Rejection> {
    vote(view, ctx, signer, r.claim, Some(r.reason))
}

/// R-REV-6: a rejected first submission keeps its slot for the resubmission window; a
/// rejected second one frees the slot at once.
fn reject_submission(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: ClaimId,
    claim: &mut Claim,
    task: &mut Task,
    by: AccountId,
    reason: RejectReason,
) -> Result<Vec<Event>, Rejection> {
    claim.status = ClaimStatus::Rejected;
    claim.reason = Some(reason);
    let mut events =
        vec![Event::WorkRejected { task: claim.task, claim: id, worker: claim.worker, verifier: by, reason }];
    if claim.submissions < 2 && task.status != TaskStatus::Cancelled {
        let until = ctx.time.plus_ms(globals(view)?.params.resubmit_window_ms);
        claim.resubmit_until = Some(until);
        view.schedule(until, DueItem::ResubmitLapse(id));
    } else {
        claim.resubmit_until = None;
        let refund = free_slot(view, ctx, id, claim, task)?;
        events.push(Event::ClaimClosed { claim: id, worker: claim.worker, refund });
    }
    Ok(events)
}

/// A claim ends unpaid: its slot is free, its reservation released, and if the task no longer
/// takes claims the slot's escrow goes back to the budget. Returns the refund.
pub(super) fn free_slot(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: ClaimId,
    claim: &mut Claim,
    task: &mut Task,
) -> Result<Amount, Rejection> {
    task.claims.retain(|c| *c != id);
    release(view, claim.worker, task.reward)?;
    claim.closed_at = Some(ctx.time);
    if task.status == TaskStatus::Open {
        return Ok(Amount::ZERO);
    }
    refund_to_budget(view, task, task.reward)
}

/// Moves `amount` of a task's escrow back to its budget.
pub(super) fn refund_to_budget(view: &mut Overlay<'_>, task: &mut Task, amount: Amount) -> Result<Amount, Rejection> {
    task.escrow = task.escrow.checked_sub(amount).ok_or(Rejection::Overflow)?;
    let mut budget = view.budget(task.budget.clone()).unwrap_or_default();
    budget.balance = credit(budget.balance, amount)?;
    view.put_budget(task.budget.clone(), budget);
    Ok(amount)
}

/// R-OBJ-1: the window closed without a successful objection: escrow pays the worker, and
/// the reward counts towards the year it is paid in (R-CAP-1).
pub(super) fn pay_reward(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: ClaimId,
    claim: &mut Claim,
    task: &mut Task,
) -> Result<Event, Rejection> {
    task.escrow = task.escrow.checked_sub(task.reward).ok_or(Rejection::Overflow)?;
    task.rewarded = task.rewarded.checked_add(1).ok_or(Rejection::Overflow)?;
    pay(view, claim.worker, task.reward)?;
    release(view, claim.worker, task.reward)?;
    let year = ctx.time.dutch_year();
    let earned = view.earned((claim.worker, year)).unwrap_or(Amount::ZERO);
    view.put_earned((claim.worker, year), credit(earned, task.reward)?);
    claim.status = ClaimStatus::Rewarded;
    claim.closed_at = Some(ctx.time);
    Ok(Event::RewardPaid { task: claim.task, claim: id, worker: claim.worker, reward: task.reward })
}

/// R-OBJ-2: during the window an officer's objection succeeds at once; a verifier's (any
/// verifier but the worker) waits for an officer's decision. Nothing is paid meanwhile.
pub(super) fn apply_object(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    o: &ObjectToWork,
) -> Result<Vec<Event>, Rejection> {
    let mut claim = view.claim(o.claim).ok_or(Rejection::UnknownClaim(o.claim))?;
    if claim.worker == signer {
        return Err(Rejection::MayNotObject);
    }
    if view.worked_on((claim.task, signer)).is_some() {
        return Err(Rejection::CoWorker(claim.task));
    }
    let roles = view.account(signer).map(|a| a.roles).unwrap_or_default();
    let officer = roles.has(Role::Officer);
    if !officer && !roles.has(Role::Verifier) {
        return Err(Rejection::MayNotObject);
    }
    let open = claim.status == ClaimStatus::InObjectionWindow && claim.window_closes.is_some_and(|t| ctx.time < t);
    if !open {
        return Err(Rejection::WindowClosed(o.claim));
    }
    let mut task = view.task(claim.task).ok_or(Rejection::UnknownTask(claim.task))?;
    claim.objection = Some(Objection { by: signer, reason: o.reason, at: ctx.time });
    view.put_reviewed(claim.task, signer);
    let mut events = vec![Event::ObjectionRaised { claim: o.claim, by: signer, reason: o.reason }];
    if officer {
        if let Some(closes) = claim.window_closes {
            view.unschedule(closes, DueItem::ObjectionWindow(o.claim));
        }
        events.push(Event::ObjectionResolved { claim: o.claim, by: signer, upheld: true });
        events.extend(reject_submission(view, ctx, o.claim, &mut claim, &mut task, signer, o.reason)?);
    } else {
        claim.status = ClaimStatus::Objected;
    }
    view.put_task(claim.task, task);
    view.put_claim(o.claim, claim);
    Ok(events)
}

/// R-OBJ-3: an officer (not the worker) upholds a verifier's objection, rejecting the work, or
/// dismisses it: the window runs on, or pays at once if it already closed.
pub(super) fn apply_resolve_objection(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    r: &ResolveObjection,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Officer)?;
    let mut claim = view.claim(r.claim).ok_or(Rejection::UnknownClaim(r.claim))?;
    if claim.worker == signer {
        return Err(Rejection::SelfVerification);
    }
    if view.worked_on((claim.task, signer)).is_some() {
        return Err(Rejection::CoWorker(claim.task));
    }
    let objection = match (claim.status, claim.objection) {
        (ClaimStatus::Objected, Some(objection)) => objection,
        _ => return Err(Rejection::NoObjection(r.claim)),
    };
    let mut task = view.task(claim.task).ok_or(Rejection::UnknownTask(claim.task))?;
    let mut events = vec![Event::ObjectionResolved { claim: r.claim, by: signer, upheld: r.uphold }];
    if r.uphold {
        if let Some(closes) = claim.window_closes {
            view.unschedule(closes, DueItem::ObjectionWindow(r.claim));
        }
        events.extend(reject_submission(view, ctx, r.claim, &mut claim, &mut task, signer, objection.reason)?);
    } else if claim.window_closes.is_some_and(|t| ctx.time >= t) {
        events.push(pay_reward(view, ctx, r.claim, &mut claim, &mut task)?);
    } else {
        claim.status = ClaimStatus::InObjectionWindow;
    }
    view.put_task(claim.task, task);
    view.put_claim(r.claim, claim);
    Ok(events)
}

/// R-TASK-9: the posting officer cancels; every slot not approved is refunded to the budget and
/// its claim ends as cancelled. Work already approved and in its objection window keeps its
/// escrow and is paid (or refunded) when the window closes.
pub(super) fn apply_cancel_task(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
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
    if task.status == TaskStatus::Open {
        view.unschedule(task.deadline, DueItem::TaskDeadline(c.task));
    }
    task.status = TaskStatus::Cancelled;
    let mut kept = Vec::new();
    for id in std::mem::take(&mut task.claims) {
        let Some(mut claim) = view.claim(id) else { continue };
        match claim.status {
            ClaimStatus::Claimed | ClaimStatus::Submitted | ClaimStatus::UnderReview | ClaimStatus::Rejected => {
                release(view, claim.worker, task.reward)?;
                claim.status = ClaimStatus::Cancelled;
                claim.resubmit_until = None;
                claim.closed_at = Some(ctx.time);
                view.put_claim(id, claim);
            }
            _ => kept.push(id),
        }
    }
    task.claims = kept;
    let keep = task.reward.checked_mul(u64::from(task.live_claims())).ok_or(Rejection::Overflow)?;
    let refund = task.escrow.checked_sub(keep).ok_or(Rejection::Overflow)?;
    refund_to_budget(view, &mut task, refund)?;
    let budget = task.budget.clone();
    view.put_task(c.task, task);
    Ok(vec![Event::TaskCancelled { task: c.task, budget, refund }])
}
