//! Redemption: a registered merchant burns coins and records a payout obligation (R-RED-*).

use std::collections::BTreeSet;

use crate::error::Rejection;
use crate::primitives::{AccountId, PayoutRef, RedemptionId, Role};
use crate::receipt::Event;
use crate::state::{BlockContext, Overlay, Redemption, RedemptionStatus};
use crate::tx::{MAX_SETTLE_BATCH, Redeem, SettleBatch, SettleRedemption};

use super::common::{credit, debit, globals, positive, require_role};

/// R-RED-1: only merchants redeem; the coins are burned and a redemption with a fresh id,
/// never reused, is left pending.
/// R-RED-3: a merchant's retry with the same idempotency key burns nothing and names the
/// redemption the first attempt made.
/// R-RED-4: the fee moves from the merchant to the treasury; R-RED-5: the amount is at least
/// the minimum.
pub(super) fn apply_redeem(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    r: &Redeem,
) -> Result<Vec<Event>, Rejection> {
    // Before any other check: a retry returns the first outcome even if the balance, the
    // parameters or the merchant's role changed since.
    if let Some(original) = view.redeem_key((signer, r.key)) {
        let first = view.redemption(original).ok_or(Rejection::UnknownRedemption(original))?;
        if first.amount != r.amount {
            return Err(Rejection::IdempotencyKeyReused { redemption: original, amount: first.amount });
        }
        return Ok(vec![Event::RedemptionReplayed { redemption: original }]);
    }
    let mut merchant = require_role(view, signer, Role::Merchant)?;
    positive(r.amount)?;
    let mut g = globals(view)?;
    let (fee, min) = (g.params.redemption_fee, g.params.redemption_min);
    if r.amount < min {
        return Err(Rejection::BelowRedemptionMinimum { min });
    }
    merchant.balance = debit(merchant.balance, r.amount.checked_add(fee).ok_or(Rejection::Overflow)?)?;
    g.burned = credit(g.burned, r.amount)?;
    g.treasury = credit(g.treasury, fee)?;
    g.redemption_fees = credit(g.redemption_fees, fee)?;
    let id = g.next_redemption;
    g.next_redemption = RedemptionId(id.0.checked_add(1).ok_or(Rejection::Overflow)?);
    view.put_globals(g);
    view.put_account(signer, merchant);
    view.put_redeem_key((signer, r.key), id);
    view.put_redemption(
        id,
        Redemption {
            merchant: signer,
            amount: r.amount,
            fee,
            status: RedemptionStatus::Pending,
            created_at: ctx.time,
            reference: None,
            settled_at: None,
        },
    );
    let mut events = vec![Event::Redeemed { redemption: id, merchant: signer, amount: r.amount }];
    if !fee.is_zero() {
        events.push(Event::RedemptionFeePaid { redemption: id, merchant: signer, fee });
    }
    Ok(events)
}

/// R-RED-2: the treasurer settles a pending redemption exactly once.
pub(super) fn apply_settle(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    s: &SettleRedemption,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Treasurer)?;
    Ok(vec![settle_one(view, ctx, s.redemption, &s.reference)?])
}

/// R-RED-6: the treasurer settles 1 to [`MAX_SETTLE_BATCH`] distinct pending redemptions with
/// one payout reference, all or none: the first bad id refuses the whole batch.
pub(super) fn apply_settle_batch(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    b: &SettleBatch,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Treasurer)?;
    let size = b.redemptions.len();
    if size == 0 || size > MAX_SETTLE_BATCH {
        return Err(Rejection::BatchSize { size, max: MAX_SETTLE_BATCH });
    }
    let mut seen = BTreeSet::new();
    let mut events = Vec::with_capacity(size);
    for id in &b.redemptions {
        if !seen.insert(*id) {
            return Err(Rejection::DuplicateInBatch(*id));
        }
        // Writes go to the transaction layer; a later refusal discards them all (R-TX-5).
        events.push(settle_one(view, ctx, *id, &b.reference)?);
    }
    Ok(events)
}

/// Marks one pending redemption settled with `reference`, or says why it cannot be.
fn settle_one(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: RedemptionId,
    reference: &PayoutRef,
) -> Result<Event, Rejection> {
    let mut redemption = view.redemption(id).ok_or(Rejection::UnknownRedemption(id))?;
    if redemption.status == RedemptionStatus::Settled {
        return Err(Rejection::AlreadySettled(id));
    }
    let mut g = globals(view)?;
    g.settled = credit(g.settled, redemption.amount)?;
    redemption.status = RedemptionStatus::Settled;
    redemption.reference = Some(reference.clone());
    redemption.settled_at = Some(ctx.time);
    let event = Event::RedemptionSettled {
        redemption: id,
        merchant: redemption.merchant,
        amount: redemption.amount,
        reference: reference.clone(),
    };
    view.put_globals(g);
    view.put_redemption(id, redemption);
    Ok(event)
}
