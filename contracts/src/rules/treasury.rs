//! Treasury and registry: budgets funded from the treasury (R-BUD-*) and resident enrolment
//! (R-ENR-*).

use crate::error::Rejection;
use crate::primitives::{AccountId, Role};
use crate::receipt::Event;
use crate::state::{Budget, Overlay};
use crate::tx::{DefundBudget, Enroll, FundBudget, Unenroll};

use super::common::{credit, globals, positive, require_role};

/// R-BUD-1: the treasurer moves treasury coins into a budget, creating it on first funding.
pub(super) fn apply_fund_budget(
    view: &mut Overlay<'_>,
    signer: AccountId,
    f: &FundBudget,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Treasurer)?;
    positive(f.amount)?;
    let mut g = globals(view)?;
    g.treasury = g
        .treasury
        .checked_sub(f.amount)
        .ok_or(Rejection::InsufficientTreasury { needed: f.amount, available: g.treasury })?;
    let mut budget = view.budget(f.budget.clone()).unwrap_or_default();
    budget.balance = credit(budget.balance, f.amount)?;
    view.put_globals(g);
    view.put_budget(f.budget.clone(), budget);
    Ok(vec![Event::BudgetFunded { budget: f.budget.clone(), amount: f.amount }])
}

/// R-BUD-2: the treasurer returns unused budget to the treasury.
pub(super) fn apply_defund_budget(
    view: &mut Overlay<'_>,
    signer: AccountId,
    d: &DefundBudget,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Treasurer)?;
    positive(d.amount)?;
    let budget = view.budget(d.budget.clone()).ok_or_else(|| Rejection::UnknownBudget(d.budget.clone()))?;
    let balance = budget.balance.checked_sub(d.amount).ok_or_else(|| Rejection::InsufficientBudget {
        budget: d.budget.clone(),
        needed: d.amount,
        available: budget.balance,
    })?;
    let mut g = globals(view)?;
    g.treasury = credit(g.treasury, d.amount)?;
    view.put_globals(g);
    view.put_budget(d.budget.clone(), Budget { balance });
    Ok(vec![Event::BudgetDefunded { budget: d.budget.clone(), amount: d.amount }])
}

/// R-ENR-1: the registrar enrolls an account. Only the account goes on chain, never who it is.
pub(super) fn apply_enroll(view: &mut Overlay<'_>, signer: AccountId, e: &Enroll) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Registrar)?;
    let mut account = view.account(e.account).unwrap_or_default();
    if account.enrolled {
        return Err(Rejection::AlreadyEnrolled(e.account));
    }
    account.enrolled = true;
    view.put_account(e.account, account);
    Ok(vec![Event::Enrolled { account: e.account }])
}

/// R-ENR-2: the registrar ends an enrolment; the coins stay with the account.
pub(super) fn apply_unenroll(view: &mut Overlay<'_>, signer: AccountId, u: &Unenroll) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Registrar)?;
    let mut account = match view.account(u.account) {
        Some(a) if a.enrolled => a,
        _ => return Err(Rejection::NotEnrolledAccount(u.account)),
    };
    account.enrolled = false;
    view.put_account(u.account, account);
    Ok(vec![Event::Unenrolled { account: u.account }])
}
