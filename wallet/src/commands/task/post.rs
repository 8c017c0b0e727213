//! `task post`, `task open` and `task cancel`: an officer's tasks, paid from a budget into escrow.

use anyhow::{Context as _, bail};
use contracts::crypto::HashKind;
use contracts::primitives::{TaskId, WorkOrderRef};
use contracts::tx::{CancelTask, OpenTask, PostTask};
use contracts::{Action, Amount, BudgetCode, Event};
use serde_json::json;

use crate::context::Context;
use crate::formats::time::{format_utc, now_ms, parse_deadline};
use crate::submit::{self, begin, events, extra, finality, report};

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
    let status = submit::submit_signed(ctx, &signer, &summary, |client, secret, _chain| {
        let stored = client
            .upload_document(title, crate::context::signer(secret)?)
            .context("storing the task description on the node")?;
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
