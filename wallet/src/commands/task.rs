//! `task …` transactions: officers post and cancel, residents claim and submit work,
//! verifiers approve and reject.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{Context as _, bail};
use contracts::crypto::HashKind;
use contracts::primitives::{ClaimId, TaskId};
use contracts::tx::{ApproveWork, CancelTask, ClaimTask, PostTask, RejectReason, RejectWork, SubmitWork};
use contracts::{Action, Amount, BudgetCode, Event};
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
    let deadline = parse_deadline(posting.deadline, now_ms())?;
    let signer = begin(ctx)?;
    let summary = format!(
        "Post a task on budget {}: {} slots × {} = {escrow} into escrow, deadline {} UTC\n  \"{title}\"",
        posting.budget,
        posting.slots,
        posting.reward,
        format_utc(deadline)
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
        }))
    })?;
    let task = events(&status).iter().find_map(|event| match event {
        Event::TaskPosted { task, .. } => Some(*task),
        _ => None,
    });
    let (headline, extra) = match task {
        Some(task) => (
            format!("POSTED task {task}: {} slots × {} {}", posting.slots, posting.reward, finality(&status)),
            extra([("task", json!(task))]),
        ),
        None => (format!("POSTED {}", finality(&status)), extra([])),
    };
    report(ctx, &status, Some(headline), extra)
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
pub(crate) fn submit_work(ctx: &Context, claim: u64, evidence: &Path) -> anyhow::Result<()> {
    let bytes = read_evidence(evidence)?;
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = format!(
        "Submit work for claim {claim} with evidence {} ({} bytes, stored by the node, not on chain)",
        evidence.display(),
        bytes.len()
    );
    let status = submit::submit(ctx, &signer, &summary, |client| {
        let stored = client.upload_evidence(&bytes).context("storing the evidence on the node")?;
        Ok(Action::SubmitWork(SubmitWork { claim, evidence: stored.commitment }))
    })?;
    let commitment = events(&status).iter().find_map(|event| match event {
        Event::WorkSubmitted { evidence, .. } => Some(*evidence),
        _ => None,
    });
    let headline = format!("SUBMITTED work for claim {claim}; a verifier will review it {}", finality(&status));
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
    let summary = format!("Approve the work of claim {claim}; the reward is paid from escrow");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::ApproveWork(ApproveWork { claim })))?;
    let paid = events(&status).iter().find_map(|event| match event {
        Event::WorkApproved { reward, worker, .. } => Some((*reward, *worker)),
        _ => None,
    });
    let headline = match paid {
        Some((reward, worker)) => {
            format!("WORK APPROVED claim {claim}: {reward} paid to {worker} {}", finality(&status))
        }
        None => format!("WORK APPROVED claim {claim} {}", finality(&status)),
    };
    report(ctx, &status, Some(headline), extra([]))
}

/// `task reject CLAIM_ID --reason CODE`.
pub(crate) fn reject(ctx: &Context, claim: u64, reason: RejectReason) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = format!("Reject the work of claim {claim} ({}); the slot opens again", reason.code());
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::RejectWork(RejectWork { claim, reason })))?;
    let headline = format!("WORK REJECTED claim {claim} ({}) {}", reason.code(), finality(&status));
    report(ctx, &status, Some(headline), extra([]))
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
