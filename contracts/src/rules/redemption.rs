//! Redemption: a registered merchant burns coins and records a payout obligation (R-RED-*).

use crate::error::Rejection;
use crate::primitives::{AccountId, RedemptionId, Role};
use crate::receipt::Event;
use crate::state::{BlockContext, Overlay, Redemption, RedemptionStatus};
use crate::tx::{Redeem, SettleRedemption};

use super::common::{credit, debit, globals, positive, require_role};

/// R-RED-1: only merchants redeem; the coins are burned and a redemption with a fresh id,
/// never reused, is left pending.
pub(super) fn apply_redeem(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    r: &Redeem,
) -> Result<Vec<Event>, Rejection> {
    let mut merchant = require_role(view, signer, Role::Merchant)?;
    positive(r.amount)?;
    merchant.balance = debit(merchant.balance, r.amount)?;
    let mut g = globals(view)?;
    g.burned = credit(g.burned, r.amount)?;
    let id = g.next_redemption;
    g.next_redemption = RedemptionId(id.0.checked_add(1).ok_or(Rejection::Overflow)?);
    view.put_globals(g);
    view.put_account(signer, merchant);
    view.put_redemption(
        id,
        Redemption {
            merchant: signer,
            amount: r.amount,
            status: RedemptionStatus::Pending,
            created_at: ctx.time,
            reference: None,
            settled_at: None,
        },
    );
    Ok(vec![Event::Redeemed { redemption: id, merchant: signer, amount: r.amount }])
}

/// R-RED-2: the treasurer settles a pending redemption exactly once.
pub(super) fn apply_settle(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    s: &SettleRedemption,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Treasurer)?;
    let mut redemption = view.redemption(s.redemption).ok_or(Rejection::UnknownRedemption(s.redemption))?;
    if redemption.status == RedemptionStatus::Settled {
        return Err(Rejection::AlreadySettled(s.redemption));
    }
    let mut g = globals(view)?;
    g.settled = credit(g.settled, redemption.amount)?;
    redemption.status = RedemptionStatus::Settled;
    redemption.reference = Some(s.reference.clone());
    redemption.settled_at = Some(ctx.time);
    let event = Event::RedemptionSettled {
        redemption: s.redemption,
        merchant: redemption.merchant,
        amount: redemption.amount,
        reference: s.reference.clone(),
    };
    view.put_globals(g);
    view.put_redemption(s.redemption, redemption);
    Ok(vec![event])
}
