//! Shops: payments of a shop's payment request (R-SHOP-1..3) and receive-only till accounts
//! (R-SHOP-4).

use crate::error::Rejection;
use crate::primitives::{AccountId, Amount, Role};
use crate::receipt::Event;
use crate::state::{BlockContext, MAX_TILLS, Overlay, PaymentRecord, TillLink};
use crate::tx::{LinkTill, Pay, UnlinkTill};

use super::common::{credit, debit, positive, require_role};

/// R-SHOP-1: a positive payment, not to oneself, to a merchant, covered by the payer's balance.
/// R-SHOP-2: not after the request's expiry, and a named till is linked to that merchant now.
/// R-SHOP-3: each of a merchant's references is paid once.
pub(super) fn apply_pay(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    payer: AccountId,
    p: &Pay,
) -> Result<Vec<Event>, Rejection> {
    positive(p.amount)?;
    if p.merchant == payer {
        return Err(Rejection::SelfTransfer);
    }
    let mut merchant = match view.account(p.merchant) {
        Some(account) if account.roles.has(Role::Merchant) => account,
        _ => return Err(Rejection::NotAMerchant(p.merchant)),
    };
    if ctx.time > p.expires_at {
        return Err(Rejection::PaymentRequestExpired { expires_at: p.expires_at });
    }
    if let Some(till) = p.till
        && view.till(till).is_none_or(|link| link.merchant != p.merchant)
    {
        return Err(Rejection::TillNotLinked(till));
    }
    let key = (p.merchant, p.reference.clone());
    if view.payment(key.clone()).is_some() {
        return Err(Rejection::ReferenceAlreadyPaid(p.reference.clone()));
    }
    let mut sender =
        view.account(payer).ok_or(Rejection::InsufficientBalance { needed: p.amount, available: Amount::ZERO })?;
    sender.balance = debit(sender.balance, p.amount)?;
    merchant.balance = credit(merchant.balance, p.amount)?;
    view.put_account(payer, sender);
    view.put_account(p.merchant, merchant);
    view.put_payment(key, PaymentRecord { payer, amount: p.amount, height: ctx.height, time: ctx.time, till: p.till });
    Ok(vec![Event::Paid {
        payer,
        merchant: p.merchant,
        amount: p.amount,
        reference: p.reference.clone(),
        till: p.till,
    }])
}

/// R-SHOP-4: a merchant links a fresh key as a till, at most [`MAX_TILLS`] at a time.
pub(super) fn apply_link_till(
    view: &mut Overlay<'_>,
    signer: AccountId,
    l: &LinkTill,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Merchant)?;
    if view.till(l.till).is_some() {
        return Err(Rejection::TillAlreadyLinked(l.till));
    }
    // A till never holds coins and is nobody's account: it only signs requests off chain, and
    // linking someone's account would lock it (R-SHOP-4 refuses every transaction of a till).
    if view.account(l.till).is_some_and(|a| !a.balance.is_zero() || !a.roles.is_empty() || a.enrolled) {
        return Err(Rejection::TillHasAccount(l.till));
    }
    let mut record = view.merchant(signer).unwrap_or_default();
    if record.tills >= MAX_TILLS {
        return Err(Rejection::TooManyTills { max: MAX_TILLS });
    }
    record.tills = record.tills.checked_add(1).ok_or(Rejection::Overflow)?;
    view.put_merchant(signer, record);
    view.put_till(l.till, TillLink { merchant: signer });
    Ok(vec![Event::TillLinked { merchant: signer, till: l.till }])
}

/// R-SHOP-4: the merchant that linked a till unlinks it; from the next transaction on the till
/// is refused on payment requests and may sign again. Needs no role, so a shop whose merchant
/// role was revoked can still cut off its staff.
pub(super) fn apply_unlink_till(
    view: &mut Overlay<'_>,
    signer: AccountId,
    u: &UnlinkTill,
) -> Result<Vec<Event>, Rejection> {
    if view.till(u.till).is_none_or(|link| link.merchant != signer) {
        return Err(Rejection::TillNotLinked(u.till));
    }
    let mut record = view.merchant(signer).unwrap_or_default();
    record.tills = record.tills.checked_sub(1).ok_or(Rejection::Overflow)?;
    view.put_merchant(signer, record);
    view.delete(crate::state::Key::Till(u.till));
    Ok(vec![Event::TillUnlinked { merchant: signer, till: u.till }])
}

/// R-SHOP-4: a linked till signs nothing on chain.
pub(super) fn check_not_till(view: &Overlay<'_>, signer: AccountId) -> Result<(), Rejection> {
    if view.till(signer).is_some() { Err(Rejection::TillReceiveOnly) } else { Ok(()) }
}
