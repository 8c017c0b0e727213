//! The clap types of `heitje treasury` (their doc comments are the help text), its dispatch, and
//! the single transactions: fund, defund and settle.

use anyhow::bail;
use clap::Subcommand;
use contracts::primitives::{PayoutRef, RedemptionId};
use contracts::tx::{DefundBudget, FundBudget, SettleRedemption};
use contracts::{Action, Amount, BudgetCode, Event};
use serde_json::json;

use super::settlement::{self, SettlementCommand};
use crate::context::Context;
use crate::submit::{self, begin, events, extra, finality, report};

/// `heitje treasury …`.
#[derive(Debug, Subcommand)]
pub enum TreasuryCommand {
    /// Move coins from the treasury into a budget (created on first funding).
    Fund {
        /// Budget code, like grasbroek.
        budget: BudgetCode,
        /// Coins.
        #[arg(allow_hyphen_values = true)]
        amount: Amount,
    },

    /// Return unused coins from a budget to the treasury.
    Defund {
        /// Budget code.
        budget: BudgetCode,
        /// Coins.
        #[arg(allow_hyphen_values = true)]
        amount: Amount,
    },

    /// Settlement of redemptions: export the payout batch, then record it on chain.
    #[command(subcommand)]
    Settlement(SettlementCommand),

    /// Record that one redemption was paid out in euros.
    Settle {
        /// Redemption id.
        redemption: u64,
        /// Payout reference of the bank transfer: A-Z, 0-9, '-', '/', '.', at most 35.
        #[arg(long, value_name = "REF")]
        reference: PayoutRef,
    },
}

/// Runs `heitje treasury …`.
pub(crate) fn run(ctx: &Context, command: TreasuryCommand) -> anyhow::Result<()> {
    match command {
        TreasuryCommand::Fund { budget, amount } => fund(ctx, &budget, amount),
        TreasuryCommand::Defund { budget, amount } => defund(ctx, &budget, amount),
        TreasuryCommand::Settle { redemption, reference } => settle(ctx, redemption, &reference),
        TreasuryCommand::Settlement(command) => settlement::run(ctx, command),
    }
}

/// `treasury fund BUDGET AMOUNT`.
pub(crate) fn fund(ctx: &Context, budget: &BudgetCode, amount: Amount) -> anyhow::Result<()> {
    positive(amount)?;
    let signer = begin(ctx)?;
    let summary = format!("Move {amount} coins from the treasury into budget {budget}");
    let status = submit::submit(ctx, &signer, &summary, |_| {
        Ok(Action::FundBudget(FundBudget { budget: budget.clone(), amount }))
    })?;
    let headline = format!("FUNDED budget {budget} with {amount} {}", finality(&status));
    report(ctx, &status, Some(headline), extra([]))
}

/// `treasury defund BUDGET AMOUNT`.
pub(crate) fn defund(ctx: &Context, budget: &BudgetCode, amount: Amount) -> anyhow::Result<()> {
    positive(amount)?;
    let signer = begin(ctx)?;
    let summary = format!("Return {amount} coins from budget {budget} to the treasury");
    let status = submit::submit(ctx, &signer, &summary, |_| {
        Ok(Action::DefundBudget(DefundBudget { budget: budget.clone(), amount }))
    })?;
    let headline = format!("DEFUNDED budget {budget} by {amount} {}", finality(&status));
    report(ctx, &status, Some(headline), extra([]))
}

/// `treasury settle REDEMPTION_ID --reference REF`.
pub(crate) fn settle(ctx: &Context, redemption: u64, reference: &PayoutRef) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let redemption = RedemptionId(redemption);
    let summary = format!("Record redemption {redemption} as paid out with reference {reference}");
    let status = submit::submit(ctx, &signer, &summary, |_| {
        Ok(Action::SettleRedemption(SettleRedemption { redemption, reference: reference.clone() }))
    })?;
    let paid = events(&status).iter().find_map(|event| match event {
        Event::RedemptionSettled { amount, merchant, .. } => Some((*amount, *merchant)),
        _ => None,
    });
    let headline = match paid {
        Some((amount, merchant)) => format!(
            "SETTLED redemption {redemption}: EUR {amount} to {merchant}, reference {reference} {}",
            finality(&status)
        ),
        None => format!("SETTLED redemption {redemption} {}", finality(&status)),
    };
    report(ctx, &status, Some(headline), extra([("redemption", json!(redemption))]))
}

fn positive(amount: Amount) -> anyhow::Result<()> {
    if amount.is_zero() {
        bail!("the amount must be more than 0.00");
    }
    Ok(())
}
