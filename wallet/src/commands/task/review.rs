//! `task approve`, `reject`, `object`, `resolve` and `queue`: the review of submitted work.

use api::ClaimView;
use contracts::primitives::ClaimId;
use contracts::state::ClaimStatus;
use contracts::tx::{ApproveWork, ObjectToWork, RejectReason, RejectWork, ResolveObjection};
use contracts::{Action, Event, Role};
use serde_json::json;

use crate::context::{Context, not_on_chain};
use crate::formats::time::{format_utc, now_ms};
use crate::output::Table;
use crate::submit::{self, begin, events, extra, finality, report};

/// `task approve CLAIM_ID`.
pub(crate) fn approve(ctx: &Context, claim: u64) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = format!("Approve the work of claim {claim} (your vote as a drawn verifier)");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::ApproveWork(ApproveWork { claim })))?;
    report(ctx, &status, Some(verdict(&status, claim, "APPROVAL RECORDED")), extra([]))
}

/// `task reject CLAIM_ID --reason CODE`.
pub(crate) fn reject(ctx: &Context, claim: u64, reason: RejectReason) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = format!("Reject the work of claim {claim} ({}); the resident sees the code", reason.code());
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::RejectWork(RejectWork { claim, reason })))?;
    report(ctx, &status, Some(verdict(&status, claim, "REJECTION RECORDED")), extra([]))
}

/// The headline after a vote, objection or resolution: what the claim's status became.
fn verdict(status: &api::TxStatus, claim: ClaimId, recorded: &str) -> String {
    let events = events(status);
    let outcome = events.iter().find_map(|event| match event {
        Event::WindowOpened { closes, .. } => Some(format!(
            "WORK APPROVED claim {claim}: objection window open until {} UTC, then the reward is paid",
            format_utc(*closes)
        )),
        Event::RewardPaid { reward, worker, .. } => Some(format!("REWARD PAID claim {claim}: {reward} to {worker}")),
        Event::WorkRejected { reason, .. } => Some(format!("WORK REJECTED claim {claim} ({})", reason.code())),
        _ => None,
    });
    format!("{} {}", outcome.unwrap_or_else(|| format!("{recorded} for claim {claim}")), finality(status))
}

/// `task object CLAIM_ID --reason CODE`.
pub(crate) fn object(ctx: &Context, claim: u64, reason: RejectReason) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = format!("Object to the approval of claim {claim} ({}); no reward is paid meanwhile", reason.code());
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::ObjectToWork(ObjectToWork { claim, reason })))?;
    report(ctx, &status, Some(verdict(&status, claim, "OBJECTION RAISED; an officer decides")), extra([]))
}

/// `task resolve CLAIM_ID --uphold|--dismiss`.
pub(crate) fn resolve(ctx: &Context, claim: u64, uphold: bool) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = if uphold {
        format!("Uphold the objection to claim {claim}: the work is rejected")
    } else {
        format!("Dismiss the objection to claim {claim}: the reward is paid when the window closes")
    };
    let status =
        submit::submit(ctx, &signer, &summary, |_| Ok(Action::ResolveObjection(ResolveObjection { claim, uphold })))?;
    report(ctx, &status, Some(verdict(&status, claim, "OBJECTION DISMISSED")), extra([]))
}

/// One line of a queue.
fn row(table: &mut Table, queue: &str, claim: &ClaimView, note: String) {
    let c = &claim.claim;
    table.row(vec![
        queue.to_owned(),
        claim.id.to_string(),
        c.task.to_string(),
        c.worker.short(),
        format!("{:?}", c.status).to_lowercase(),
        c.submitted_at.map_or_else(|| "-".to_owned(), format_utc),
        note,
    ]);
}

/// `task queue [--overdue-hours H]`.
pub(crate) fn queue(ctx: &Context, overdue_hours: u64) -> anyhow::Result<()> {
    let me = ctx.selected()?.address;
    let client = ctx.client();
    let account = client.account(&me).map_err(|err| not_on_chain(&me, err))?;
    let verifier = account.roles.contains(&Role::Verifier);
    let officer = account.roles.contains(&Role::Officer);
    if !verifier && !officer {
        anyhow::bail!("{me} is neither a verifier nor an officer: it has no review queue");
    }
    // Who was drawn is private until they vote: a signed read shows this verifier their own
    // draws, and this officer the whole draw of the tasks they posted.
    let entry = ctx.selected()?;
    let secret = ctx.unlock(&entry)?;
    let claims = client.claims_signed(crate::context::signer(&secret)?)?;
    drop(secret);
    let tasks = client.tasks()?;
    let posted_by_me = |claim: &ClaimView| tasks.iter().any(|t| t.id == claim.claim.task && t.poster == me);
    let overdue_after = overdue_hours.saturating_mul(3_600_000);
    let now = now_ms();
    let is_overdue = |claim: &ClaimView| {
        claim.claim.status.awaits_review()
            && claim.claim.submitted_at.is_some_and(|t| now.saturating_sub(t.0) > overdue_after)
    };
    let mut to_vote = Vec::new();
    let mut in_window = Vec::new();
    let mut objected = Vec::new();
    let mut overdue = Vec::new();
    for claim in &claims {
        let c = &claim.claim;
        let mine_to_vote = verifier
            && c.status.awaits_review()
            && c.reviewers.contains(&me)
            && !c.votes.iter().any(|v| v.verifier == me);
        if mine_to_vote {
            to_vote.push(claim);
        }
        let watched = officer && posted_by_me(claim) || verifier && c.reviewers.contains(&me);
        if watched && c.status == ClaimStatus::InObjectionWindow {
            in_window.push(claim);
        }
        if officer && c.status == ClaimStatus::Objected {
            objected.push(claim);
        }
        if officer && posted_by_me(claim) && is_overdue(claim) {
            overdue.push(claim);
        }
    }
    let ids = |list: &[&ClaimView]| list.iter().map(|c| c.id).collect::<Vec<_>>();
    let object = json!({
        "account": me,
        "to_review": ids(&to_vote),
        "in_objection_window": ids(&in_window),
        "objections_to_decide": ids(&objected),
        "overdue": ids(&overdue),
    });
    ctx.out.result(&object, || {
        let mut table = Table::new(&["QUEUE", "CLAIM", "TASK", "WORKER", "STATUS", "SUBMITTED (UTC)", "NOTE"]);
        for claim in &to_vote {
            let c = &claim.claim;
            let note = format!("{} of {} votes in", c.votes.len(), claim.reviewers_drawn);
            row(&mut table, "review", claim, note);
        }
        for claim in &in_window {
            let closes = claim.claim.window_closes.map_or_else(|| "-".to_owned(), format_utc);
            row(&mut table, "window", claim, format!("closes {closes}"));
        }
        for claim in &objected {
            let reason = claim.claim.objection.map_or("-", |o| o.reason.code());
            row(
                &mut table,
                "objected",
                claim,
                format!("decide: task resolve {} --uphold|--dismiss ({reason})", claim.id),
            );
        }
        for claim in &overdue {
            row(&mut table, "overdue", claim, format!("waiting over {overdue_hours} h"));
        }
        if table.is_empty() {
            return format!("Nothing waiting for {me}.");
        }
        table.render()
    })?;
    Ok(())
}
