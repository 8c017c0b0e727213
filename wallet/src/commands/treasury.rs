//! `treasury …`: the treasurer funds and defunds budgets and settles redemptions.

use anyhow::bail;
use contracts::primitives::{PayoutRef, RedemptionId};
use contracts::tx::{DefundBudget, FundBudget, SettleRedemption};
use contracts::{Action, Amount, BudgetCode, Event};
use serde_json::json;

use crate::context::Context;
use crate::submit::{self, begin, events, extra, finality, report};

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
