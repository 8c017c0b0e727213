//! Commands that only read from the node: status, balances, history, tasks, budgets,
//! proposals, redemptions, supply, blocks and transactions.

use std::fmt::Write as _;

use anyhow::anyhow;
use api::{TxState, TxStatus};
use contracts::primitives::TaskId;
use contracts::{Hash, Height, Outcome, Timestamp};
use serde_json::json;

use crate::cli::RedemptionFilter;
use crate::context::{Context, not_on_chain};
use crate::describe;
use crate::failure::{Refused, Unconfirmed};
use crate::formats::time::format_utc;
use crate::output::{Table, fields};
use crate::output::{roles, yes_no};
use crate::submit;

fn utc(time: Timestamp) -> String {
    format_utc(time)
}

fn hash_arg(text: &str, what: &str) -> anyhow::Result<Hash> {
    Hash::from_hex(text).map_err(|err| anyhow!("{what} {text:?} is not valid: {err}"))
}

/// `status`.
pub(crate) fn status(ctx: &Context) -> anyhow::Result<()> {
    let client = ctx.client();
    let status = client.status()?;
    ctx.out.result(&status, || {
        let sync = if status.caught_up {
            "at the head".to_owned()
        } else if status.network_height.0 > status.height.0.saturating_add(1) {
            format!("CATCHING UP (validators vote on height {})", status.network_height)
        } else {
            "CATCHING UP (just started or syncing)".to_owned()
        };
        fields(&[
            ("Node", client.base().to_owned()),
            ("Sync", sync),
            ("Chain", status.chain_id.clone()),
            ("Height", status.height.to_string()),
            ("Block time", format!("{} UTC", utc(status.time))),
            ("Block hash", status.block_hash.to_string()),
            ("State root", status.state_root.to_string()),
            ("Mempool", format!("{} transactions", status.mempool)),
            ("Validator", status.validator.to_string()),
            ("Genesis", status.genesis_hash.to_string()),
        ])
    })?;
    Ok(())
}

/// `balance [ACCOUNT]`.
pub(crate) fn balance(ctx: &Context, account: Option<&str>) -> anyhow::Result<()> {
    let address = ctx.target(account)?;
    let view = ctx.client().account(&address).map_err(|err| not_on_chain(&address, err))?;
    ctx.out.result(&view, || {
        fields(&[
            ("Address", view.address.to_string()),
            ("Balance", view.balance.to_string()),
            ("Roles", roles(&view.roles)),
            ("Enrolled", yes_no(view.enrolled)),
            ("Nonce", view.nonce.to_string()),
            ("At height", view.height.to_string()),
        ])
    })?;
    Ok(())
}

/// `history [ACCOUNT] [--limit N] [--before-height H]`.
pub(crate) fn history(
    ctx: &Context,
    account: Option<&str>,
    limit: u16,
    before_height: Option<u64>,
) -> anyhow::Result<()> {
    let address = ctx.target(account)?;
    let history = ctx.client().history(&address, limit, before_height).map_err(|err| not_on_chain(&address, err))?;
    ctx.out.result(&history, || {
        if history.entries.is_empty() {
            return format!("No transactions for {address}.");
        }
        let mut table = Table::new(&["HEIGHT", "TIME (UTC)", "ACTION", "DETAILS", "OUTCOME"]);
        for entry in &history.entries {
            let (details, outcome) = describe::outcome_cells(&entry.action, &entry.outcome, &address);
            let action = if entry.signer == address {
                entry.action.name().to_owned()
            } else {
                format!("{} (by {})", entry.action.name(), entry.signer.short())
            };
            table.row(vec![entry.height.to_string(), utc(entry.time), action, details, outcome]);
        }
        let mut text = format!("History of {address}, newest first:\n");
        text.push_str(&table.render());
        if let Some(oldest) = history.entries.last()
            && history.entries.len() >= usize::from(limit)
        {
            let _ = write!(text, "More: heitje history {address} --before-height {}", oldest.height);
        }
        text
    })?;
    Ok(())
}

/// `tx show ID [--wait]`: exits 1 if the ledger rejected it, 3 if `--wait` ran out.
pub(crate) fn tx_show(ctx: &Context, id: &str, wait: bool) -> anyhow::Result<()> {
    let tx_id = hash_arg(id, "transaction id")?;
    let client = ctx.client();
    let mut status = client.tx(&tx_id, None)?;
    if wait && status.state == TxState::Pending {
        match submit::wait(&client, &tx_id, ctx.settings.wait, false)? {
            Some(committed) => status = committed,
            None => {
                ctx.out.json_only(&status)?;
                return Err(Unconfirmed { tx_id, seconds: ctx.settings.wait.as_secs(), detail: String::new() }.into());
            }
        }
    }
    ctx.out.result(&status, || tx_text(&status))?;
    if let Some(Outcome::Rejected { reason, message, .. }) = &status.outcome {
        return Err(Refused(format!("the ledger rejected transaction {tx_id}: {message} ({reason})")).into());
    }
    Ok(())
}

fn tx_text(status: &TxStatus) -> String {
    let mut pairs = vec![
        ("Transaction", status.tx_id.to_string()),
        ("Signer", status.signer.to_string()),
        ("Nonce", status.nonce.to_string()),
        ("Action", format!("{}: {}", status.action.name(), describe::action(&status.action))),
    ];
    match status.state {
        TxState::Pending => pairs.push(("State", "pending (in the mempool, not yet final)".to_owned())),
        TxState::Committed => {
            pairs.push(("State", "final".to_owned()));
            if let Some(height) = status.height {
                pairs.push(("Height", height.to_string()));
            }
            if let Some(time) = status.time {
                pairs.push(("Block time", format!("{} UTC", utc(time))));
            }
            if let Some(hash) = status.block_hash {
                pairs.push(("Block hash", hash.to_string()));
            }
        }
    }
    match &status.outcome {
        Some(Outcome::Accepted { .. }) => pairs.push(("Outcome", "accepted".to_owned())),
        Some(Outcome::Rejected { code, reason, message }) => {
            pairs.push(("Outcome", format!("rejected: {message} ({reason}, code {code})")));
        }
        None => {}
    }
    let mut text = fields(&pairs);
    for event in submit::events(status) {
        let _ = writeln!(text, "  - {}", describe::event(event));
    }
    text
}

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
                utc(task.deadline),
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
            ("Deadline", format!("{} UTC", utc(task.deadline))),
            ("Posted", format!("{} UTC by {}", utc(task.posted_at), task.poster)),
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
                let votes = format!("{approvals}✓ {}✗ of {}", claim.rejections(), claim.reviewers.len());
                table.row(vec![
                    view.id.to_string(),
                    claim.worker.short(),
                    format!("{:?}", claim.status).to_lowercase(),
                    votes,
                    claim.reason.map(|r| r.code().to_owned()).unwrap_or_else(|| "-".to_owned()),
                    claim.window_closes.map_or_else(|| "-".to_owned(), utc),
                    utc(claim.claimed_at),
                ]);
            }
            let _ = write!(text, "\nClaims:\n{}", table.render());
        }
        text
    })?;
    Ok(())
}

/// `budgets`.
pub(crate) fn budgets(ctx: &Context) -> anyhow::Result<()> {
    let budgets = ctx.client().budgets()?;
    ctx.out.result(&json!({ "budgets": budgets }), || {
        if budgets.is_empty() {
            return "No budgets yet; the treasurer creates one by funding it.".to_owned();
        }
        let mut table = Table::new(&["BUDGET", "BALANCE"]);
        for budget in &budgets {
            table.row(vec![budget.code.to_string(), budget.balance.to_string()]);
        }
        table.render()
    })?;
    Ok(())
}

/// `proposals` and `council proposals`.
pub(crate) fn proposals(ctx: &Context) -> anyhow::Result<()> {
    let proposals = ctx.client().proposals()?;
    ctx.out.result(&json!({ "proposals": proposals }), || {
        if proposals.is_empty() {
            return "No proposals.".to_owned();
        }
        let mut table = Table::new(&["ID", "PROPOSAL", "APPROVALS", "STATUS", "EXPIRES (UTC)", "PROPOSER"]);
        for proposal in &proposals {
            let status = match proposal.status {
                contracts::state::ProposalStatus::Executed => "executed",
                contracts::state::ProposalStatus::Open if proposal.expired => "expired",
                contracts::state::ProposalStatus::Open => "open",
            };
            table.row(vec![
                proposal.id.to_string(),
                describe::council_action(&proposal.action),
                format!("{}/{}", proposal.approvals.len(), proposal.threshold),
                status.to_owned(),
                utc(proposal.expires_at),
                proposal.proposer.short(),
            ]);
        }
        table.render()
    })?;
    Ok(())
}

/// `redemptions [--status pending|settled]`.
pub(crate) fn redemptions(ctx: &Context, filter: Option<RedemptionFilter>) -> anyhow::Result<()> {
    let status = filter.map(|f| match f {
        RedemptionFilter::Pending => "pending",
        RedemptionFilter::Settled => "settled",
    });
    let redemptions = ctx.client().redemptions(status)?;
    ctx.out.result(&json!({ "redemptions": redemptions }), || {
        if redemptions.is_empty() {
            return "No redemptions.".to_owned();
        }
        let mut table =
            Table::new(&["ID", "MERCHANT", "AMOUNT", "STATUS", "CREATED (UTC)", "REFERENCE", "SETTLED (UTC)"]);
        for r in &redemptions {
            table.row(vec![
                r.id.to_string(),
                r.merchant.to_string(),
                r.amount.to_string(),
                format!("{:?}", r.status).to_lowercase(),
                utc(r.created_at),
                r.reference.as_ref().map(ToString::to_string).unwrap_or_else(|| "-".to_owned()),
                r.settled_at.map(utc).unwrap_or_else(|| "-".to_owned()),
            ]);
        }
        table.render()
    })?;
    Ok(())
}

/// `supply`: the reconciliation, with "conserved" as yes or no.
pub(crate) fn supply(ctx: &Context) -> anyhow::Result<()> {
    let supply = ctx.client().supply()?;
    ctx.out.result(&supply, || {
        let mut text = fields(&[
            ("At height", supply.height.to_string()),
            ("Minted", supply.minted.to_string()),
            ("Burned", supply.burned.to_string()),
            ("  settled", supply.settled.to_string()),
            ("  payout pending", supply.pending_redemptions.to_string()),
            ("Treasury", supply.treasury.to_string()),
            ("Budgets", supply.budgets.to_string()),
            ("Task escrow", supply.escrow.to_string()),
            ("Account balances", supply.balances.to_string()),
            ("Outstanding", supply.outstanding.to_string()),
            ("Conserved", yes_no(supply.conserved)),
        ]);
        if !supply.conserved {
            text.push_str(
                "\nWARNING: minted − burned ≠ outstanding, or burned ≠ settled + pending. Report this \
                 to the operators of the node.\n",
            );
        }
        text
    })?;
    Ok(())
}

/// `block [HEIGHT|latest]`.
pub(crate) fn block(ctx: &Context, height: &str) -> anyhow::Result<()> {
    let height = match height.trim() {
        "latest" => None,
        text => Some(Height(
            text.parse().map_err(|_| anyhow!("{text:?} is not a block height; give a number or `latest`"))?,
        )),
    };
    let block = ctx.client().block(height)?;
    ctx.out.result(&block, || {
        let header = &block.header;
        let mut text = fields(&[
            ("Block", header.height.to_string()),
            ("Hash", block.hash.to_string()),
            ("Time", format!("{} UTC", utc(header.time))),
            ("Chain", header.chain_id.to_string()),
            ("Parent", header.parent.to_string()),
            ("Proposer", header.proposer.to_string()),
            ("Transactions", header.tx_count.to_string()),
            ("State root", header.state_root.to_string()),
            (
                "Commit",
                block.cert.as_ref().map_or_else(
                    || "none (genesis)".to_owned(),
                    |cert| format!("round {}, {} signatures", cert.round, cert.signatures.len()),
                ),
            ),
        ]);
        for tx in &block.txs {
            let _ = writeln!(text, "  {tx}");
        }
        text
    })?;
    Ok(())
}
