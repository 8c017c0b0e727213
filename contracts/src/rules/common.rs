//! Helpers shared by the rules: role checks and checked balance moves.

use crate::error::Rejection;
use crate::primitives::{AccountId, Amount, Role};
use crate::state::{Account, Globals, Overlay};

/// The signer's account with `role`, or why not.
pub(super) fn require_role(view: &Overlay<'_>, who: AccountId, role: Role) -> Result<Account, Rejection> {
    match view.account(who) {
        Some(account) if account.roles.has(role) => Ok(account),
        _ => Err(Rejection::MissingRole(role)),
    }
}

/// The chain-wide figures. Genesis always writes them; a state without them is not a ledger.
pub(super) fn globals(view: &Overlay<'_>) -> Result<Globals, Rejection> {
    view.globals().ok_or(Rejection::Overflow)
}

/// `balance - amount`, or the shortfall as a rejection.
pub(super) fn debit(balance: Amount, amount: Amount) -> Result<Amount, Rejection> {
    balance.checked_sub(amount).ok_or(Rejection::InsufficientBalance { needed: amount, available: balance })
}

/// `balance + amount`, or overflow.
pub(super) fn credit(balance: Amount, amount: Amount) -> Result<Amount, Rejection> {
    balance.checked_add(amount).ok_or(Rejection::Overflow)
}

/// A positive amount.
pub(super) fn positive(amount: Amount) -> Result<(), Rejection> {
    if amount.is_zero() { Err(Rejection::ZeroAmount) } else { Ok(()) }
}

/// Adds coins to an account, creating it if needed.
pub(super) fn pay(view: &mut Overlay<'_>, to: AccountId, amount: Amount) -> Result<(), Rejection> {
    let mut account = view.account(to).unwrap_or_default();
    account.balance = credit(account.balance, amount)?;
    view.put_account(to, account);
    Ok(())
}
