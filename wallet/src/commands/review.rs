//! `task queue` and `allowance`: what a verifier or an officer must review, and what a
//! resident may still earn this year.

use api::ClaimView;
use contracts::state::ClaimStatus;
use contracts::{AccountId, Role};
use serde_json::json;

use crate::context::{Context, not_on_chain};
use crate::formats::time::{format_utc, now_ms};
use crate::output::{Table, fields};

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
    let claims = client.claims()?;
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
            let note = format!("{} of {} votes in", c.votes.len(), c.reviewers.len());
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

/// `allowance [ACCOUNT]`.
pub(crate) fn allowance(ctx: &Context, account: Option<&str>) -> anyhow::Result<()> {
    let address: AccountId = ctx.target(account)?;
    let view = ctx.client().allowance(&address).map_err(|err| not_on_chain(&address, err))?;
    ctx.out.result(&view, || {
        fields(&[
            ("Account", view.account.to_string()),
            ("Year", view.year.to_string()),
            ("Annual cap", view.cap.to_string()),
            ("Earned", view.earned.to_string()),
            ("Reserved", format!("{} (claimed work not yet paid)", view.reserved)),
            ("Remaining", view.remaining.to_string()),
        ])
    })?;
    Ok(())
}

/// `verify-chain`.
pub(crate) fn verify_chain(ctx: &Context) -> anyhow::Result<()> {
    let check = ctx.client().verify_chain()?;
    ctx.out.result(&check, || match &check.error {
        None => format!(
            "CHAIN VERIFIED: {} blocks and {} transactions replayed from genesis to height {}; state root {}\n",
            check.blocks, check.txs, check.height, check.state_root
        ),
        Some(error) => format!("CHAIN DOES NOT VERIFY at height {}: {error}\n", check.height),
    })?;
    if check.ok { Ok(()) } else { Err(crate::failure::Refused(check.error.unwrap_or_default()).into()) }
}
