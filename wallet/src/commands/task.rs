//! `task …` transactions: officers post and cancel, residents claim and submit work,
//! verifiers approve and reject.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{Context as _, bail};
use contracts::crypto::HashKind;
use contracts::primitives::{ClaimId, TaskId, WorkOrderRef};
use contracts::tx::{
    ApproveWork, CancelTask, ClaimTask, ObjectToWork, OpenTask, PostTask, RejectReason, RejectWork, ResolveObjection,
    SubmitWork,
};
use contracts::{Action, Amount, BudgetCode, Event, Timestamp};
use serde_json::json;

use super::context::Context;
use super::submit::{self, begin, events, extra, finality, report};
use crate::time::{format_utc, now_ms, parse_deadline};

/// Largest public task description, in bytes (`POST /v1/documents`).
const MAX_DESCRIPTION: usize = 4 * 1024;

/// The arguments of `task post`.
#[derive(Debug)]
pub(crate) struct Posting<'a> {
    pub(crate) budget: &'a BudgetCode,
    pub(crate) title: &'a str,
    pub(crate) reward: Amount,
    pub(crate) slots: u16,
    pub(crate) deadline: &'a str,
    pub(crate) work_order: &'a WorkOrderRef,
    pub(crate) approvals: u8,
    pub(crate) reviewers: u8,
    pub(crate) draft: bool,
}

/// `task post …`: uploads the description to the node, then posts its hash on chain.
pub(crate) fn post(ctx: &Context, posting: &Posting<'_>) -> anyhow::Result<()> {
    let title = posting.title.trim();
    if title.is_empty() {
        bail!("the task needs a description (--title)");
    }
    if title.len() > MAX_DESCRIPTION {
        bail!("the description is {} bytes; at most {MAX_DESCRIPTION} are allowed", title.len());
    }
    if posting.reward.is_zero() {
        bail!("the reward must be more than 0.00");
    }
    let Some(escrow) = posting.reward.checked_mul(u64::from(posting.slots)) else {
        bail!("reward × slots is too large");
    };
    if posting.approvals > posting.reviewers {
        bail!(
            "--approvals {} is more than --reviewers {}: a claim cannot get more approvals than verifiers drawn",
            posting.approvals,
            posting.reviewers
        );
    }
    let deadline = parse_deadline(posting.deadline, now_ms())?;
    let signer = begin(ctx)?;
    let escrow_line = if posting.draft {
        format!("saved as a DRAFT (nothing moves until `heitje task open`; escrow then {escrow})")
    } else {
        format!("{escrow} into escrow")
    };
    let summary = format!(
        "Post a task on budget {}: {} slots × {} = {escrow_line}, deadline {} UTC\n  work order {}, each \
         submission reviewed by {} of {} drawn verifiers\n  \"{title}\"",
        posting.budget,
        posting.slots,
        posting.reward,
        format_utc(deadline),
        posting.work_order,
        posting.approvals,
        posting.reviewers,
    );
    let status = submit::submit(ctx, &signer, &summary, |client| {
        let stored = client.upload_document(title).context("storing the task description on the node")?;
        // The hash goes on chain as the promise of what the task says: check it is this text.
        let expected = HashKind::Document.hash(title.as_bytes());
        if stored.commitment != expected {
            bail!("the node stored the description under hash {}, not {expected}; not posting", stored.commitment);
        }
        Ok(Action::PostTask(PostTask {
            budget: posting.budget.clone(),
            reward: posting.reward,
            slots: posting.slots,
            deadline,
            description: stored.commitment,
            work_order: posting.work_order.clone(),
            approvals: posting.approvals,
            reviewers: posting.reviewers,
            draft: posting.draft,
        }))
    })?;
    let task = events(&status).iter().find_map(|event| match event {
        Event::TaskPosted { task, .. } => Some(*task),
        _ => None,
    });
    let (headline, extra) = match task {
        Some(task) => (
            format!(
                "{} task {task}: {} slots × {} {}",
                if posting.draft { "DRAFTED" } else { "POSTED" },
                posting.slots,
                posting.reward,
                finality(&status)
            ),
            extra([("task", json!(task))]),
        ),
        None => (format!("POSTED {}", finality(&status)), extra([])),
    };
    report(ctx, &status, Some(headline), extra)
}

/// `task open TASK_ID`: publishes a draft.
pub(crate) fn open(ctx: &Context, task: u64) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let task = TaskId(task);
    let summary = format!("Publish draft task {task}; its escrow moves from the budget");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::OpenTask(OpenTask { task })))?;
    let escrow = events(&status).iter().find_map(|event| match event {
        Event::TaskOpened { escrow, .. } => Some(*escrow),
        _ => None,
    });
    let headline = match escrow {
        Some(escrow) => format!("OPENED task {task}: {escrow} in escrow {}", finality(&status)),
        None => format!("OPENED task {task} {}", finality(&status)),
    };
    report(ctx, &status, Some(headline), extra([]))
}

/// `task claim TASK_ID`.
pub(crate) fn claim(ctx: &Context, task: u64) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let task = TaskId(task);
    let summary = format!("Claim a slot of task {task}");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::ClaimTask(ClaimTask { task })))?;
    let claim = events(&status).iter().find_map(|event| match event {
        Event::TaskClaimed { claim, .. } => Some(*claim),
        _ => None,
    });
    let (headline, extra) = match claim {
        Some(claim) => (
            format!(
                "CLAIMED task {task}: your claim is {claim}; when done, run `heitje task submit {claim} \
                 --evidence FILE` {}",
                finality(&status)
            ),
            extra([("claim", json!(claim))]),
        ),
        None => (format!("CLAIMED task {task} {}", finality(&status)), extra([])),
    };
    report(ctx, &status, Some(headline), extra)
}

/// `task submit CLAIM_ID --evidence FILE`: uploads the file, then commits to it on chain.
pub(crate) fn submit_work(ctx: &Context, claim: u64, evidence: &Path, retain_days: u64) -> anyhow::Result<()> {
    let bytes = read_evidence(evidence)?;
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let retain_until = Timestamp(now_ms().saturating_add(retain_days.saturating_mul(86_400_000)));
    let summary = format!(
        "Submit work for claim {claim} with evidence {} ({} bytes, stored by the node, not on chain; erased \
         after {} UTC)",
        evidence.display(),
        bytes.len(),
        format_utc(retain_until)
    );
    let status = submit::submit(ctx, &signer, &summary, |client| {
        let stored = client.upload_evidence(&bytes).context("storing the evidence on the node")?;
        Ok(Action::SubmitWork(SubmitWork { claim, evidence: stored.commitment, retain_until }))
    })?;
    let commitment = events(&status).iter().find_map(|event| match event {
        Event::WorkSubmitted { evidence, .. } => Some(*evidence),
        _ => None,
    });
    let headline =
        format!("SUBMITTED work for claim {claim}; the drawn verifiers will review it {}", finality(&status));
    report(ctx, &status, Some(headline), extra([("evidence", json!(commitment))]))
}

fn read_evidence(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let limit = u64::try_from(api::MAX_UPLOAD).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.is_empty() {
        bail!("{} is empty", path.display());
    }
    if bytes.len() > api::MAX_UPLOAD {
        bail!("{} is larger than the 8 MiB the node accepts; send a smaller photo", path.display());
    }
    Ok(bytes)
}

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

/// `task cancel TASK_ID`.
pub(crate) fn cancel(ctx: &Context, task: u64) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let task = TaskId(task);
    let summary = format!("Cancel task {task}; unpaid escrow returns to its budget");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::CancelTask(CancelTask { task })))?;
    let refund = events(&status).iter().find_map(|event| match event {
        Event::TaskCancelled { refund, budget, .. } => Some((*refund, budget.clone())),
        _ => None,
    });
    let headline = match refund {
        Some((refund, budget)) => {
            format!("CANCELLED task {task}: {refund} returned to budget {budget} {}", finality(&status))
        }
        None => format!("CANCELLED task {task} {}", finality(&status)),
    };
    report(ctx, &status, Some(headline), extra([]))
}
