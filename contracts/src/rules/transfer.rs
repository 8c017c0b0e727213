//! Transfers between accounts (R-PAY-*).

use crate::error::Rejection;
use crate::primitives::AccountId;
use crate::receipt::Event;
use crate::state::Overlay;
use crate::tx::Transfer;

use super::common::{credit, debit, positive};

/// R-PAY-1: positive amount; R-PAY-2: not to oneself; R-PAY-3: the recipient is enrolled or
/// holds a role; R-PAY-4: the sender has the coins.
pub(super) fn apply_transfer(view: &mut Overlay<'_>, from: AccountId, t: &Transfer) -> Result<Vec<Event>, Rejection> {
    positive(t.amount)?;
    if t.recipient == from {
        return Err(Rejection::SelfTransfer);
    }
    let mut recipient = match view.account(t.recipient) {
        Some(a) if a.enrolled || !a.roles.is_empty() => a,
        _ => return Err(Rejection::UnknownRecipient(t.recipient)),
    };
    let mut sender = view
        .account(from)
        .ok_or(Rejection::InsufficientBalance { needed: t.amount, available: crate::primitives::Amount::ZERO })?;
    sender.balance = debit(sender.balance, t.amount)?;
    recipient.balance = credit(recipient.balance, t.amount)?;
    view.put_account(from, sender);
    view.put_account(t.recipient, recipient);
    Ok(vec![Event::Transferred { from, to: t.recipient, amount: t.amount }])
}
