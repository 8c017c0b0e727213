//! `task list` and `task show`: the tasks on chain and one task with its claims.

use std::fmt::Write as _;

use contracts::Hash;
use contracts::primitives::TaskId;
use serde_json::json;

use crate::context::Context;
use crate::formats::time::format_utc;
use crate::output::{Table, fields};

/// `tasks` and `task list`.
pub(crate) fn tasks(ctx: &Context) -> anyhow::Result<()> {
    let tasks = ctx.client().tasks()?;
    ctx.out.result(&json!({ "tasks": tasks }), || {
        if tasks.is_empty() {
            return "No tasks.".to_owned();
        }
        let mut table =
            Table::new(&["ID", "BUDGET", "REWARD", "FREE/SLOTS", "DEADLINE (UTC)", "STATUS", "DESCRIPTION"]);
        for task in &tasks {
            table.row(vec![
                task.id.to_string(),
                task.budget.to_string(),
                task.reward.to_string(),
                format!("{}/{}", task.free_slots, task.slots),
                format_utc(task.deadline),
                task_state(task),
                description(task, 48),
            ]);
        }
        table.render()
    })?;
    Ok(())
}

fn task_state(task: &api::TaskView) -> String {
    match task.status {
        contracts::state::TaskStatus::Cancelled => "cancelled",
        contracts::state::TaskStatus::Draft => "draft",
        contracts::state::TaskStatus::Expired => "expired",
        contracts::state::TaskStatus::Open if task.expired => "expired",
        contracts::state::TaskStatus::Open if task.free_slots == 0 => "full",
        contracts::state::TaskStatus::Open => "open",
    }
    .to_owned()
}

fn description(task: &api::TaskView, max_chars: usize) -> String {
    match &task.description {
        Some(text) => {
            let line = text.lines().next().unwrap_or_default();
            if line.chars().count() > max_chars || text.lines().nth(1).is_some() {
                let cut: String = line.chars().take(max_chars.saturating_sub(1)).collect();
                format!("{cut}…")
            } else {
                line.to_owned()
            }
        }
        None => format!("(text not on this node; hash {})", short_hash(&task.description_hash)),
    }
}

fn short_hash(hash: &Hash) -> String {
    hash.to_hex().chars().take(12).collect()
}

/// `task show ID`.
pub(crate) fn task(ctx: &Context, id: u64) -> anyhow::Result<()> {
    let detail = ctx.client().task(TaskId(id))?;
    let task = &detail.task;
    ctx.out.result(&detail, || {
        let mut text = fields(&[
            ("Task", task.id.to_string()),
            ("Status", task_state(task)),
            ("Budget", task.budget.to_string()),
            ("Reward", format!("{} per slot", task.reward)),
            ("Slots", format!("{} ({} free, {} paid)", task.slots, task.free_slots, task.rewarded)),
            ("Escrow", task.escrow.to_string()),
            ("Deadline", format!("{} UTC", format_utc(task.deadline))),
            ("Posted", format!("{} UTC by {}", format_utc(task.posted_at), task.poster)),
            ("Work order", task.work_order.to_string()),
            ("Review", format!("{} of {} drawn verifiers approve", task.approvals, task.reviewers)),
            ("Description hash", task.description_hash.to_string()),
        ]);
        match &task.description {
            Some(description) => {
                let _ = writeln!(text, "\n{description}");
            }
            None => text.push_str("\n(The description text is not held by this node.)\n"),
        }
        if detail.claims.is_empty() {
            text.push_str("\nNo claims yet.\n");
        } else {
            let mut table =
                Table::new(&["CLAIM", "WORKER", "STATUS", "VOTES", "REASON", "WINDOW CLOSES", "CLAIMED (UTC)"]);
            for view in &detail.claims {
                let claim = &view.claim;
                let approvals = claim.approvals();
                let votes = format!("{approvals}✓ {}✗ of {}", claim.rejections(), view.reviewers_drawn);
                table.row(vec![
                    view.id.to_string(),
                    claim.worker.short(),
                    format!("{:?}", claim.status).to_lowercase(),
                    votes,
                    claim.reason.map(|r| r.code().to_owned()).unwrap_or_else(|| "-".to_owned()),
                    claim.window_closes.map_or_else(|| "-".to_owned(), format_utc),
                    format_utc(claim.claimed_at),
                ]);
            }
            let _ = write!(text, "\nClaims:\n{}", table.render());
        }
        text
    })?;
    Ok(())
}
