//! `shop redeem`: a registered shop burns coins; the treasurer then pays out the euros.

use anyhow::{anyhow, bail};
use contracts::primitives::IdempotencyKey;
use contracts::tx::Redeem;
use contracts::{Action, Amount, Event};
use serde_json::json;

use super::context::Context;
use super::submit::{self, begin, events, extra, finality, report};

/// `shop redeem AMOUNT`.
pub(crate) fn redeem(ctx: &Context, amount: Amount) -> anyhow::Result<()> {
    if amount.is_zero() {
        bail!("the amount must be more than 0.00");
    }
    let signer = begin(ctx)?;
    // R-RED-3: one fresh key per redemption; a resubmission of this transaction burns once.
    let mut key = [0u8; 16];
    getrandom::getrandom(&mut key).map_err(|err| anyhow!("drawing an idempotency key: {err}"))?;
    let key = IdempotencyKey(key);
    let summary = format!("Redeem {amount} coins: they are burned and EUR {amount} is owed to you");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::Redeem(Redeem { amount, key })))?;
    let redemption = events(&status).iter().find_map(|event| match event {
        Event::Redeemed { redemption, .. } => Some(*redemption),
        _ => None,
    });
    let (headline, extra) = match redemption {
        Some(id) => (
            format!("REDEEMED {amount}: redemption {id}, the treasurer pays out EUR {amount} {}", finality(&status)),
            extra([("redemption", json!(id))]),
        ),
        None => (format!("REDEEMED {amount} {}", finality(&status)), extra([])),
    };
    report(ctx, &status, Some(headline), extra)
}
