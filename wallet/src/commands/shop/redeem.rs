//! `shop redeem`: a registered shop burns coins; the treasurer then pays out the euros.
//!
//! R-RED-3: every redemption carries an idempotency key. The wallet writes the key to
//! `pending-redemptions.json` in its directory before it sends anything, and removes it only
//! when the outcome is final. If the wallet, the network or a node fails in between, running
//! the same command again reuses the key: the ledger then burns nothing twice and answers with
//! the redemption the first attempt made.

use anyhow::{anyhow, bail};
use contracts::tx::Redeem;
use contracts::{Action, Amount, Event, Outcome};
use serde_json::json;

use crate::context::Context;
use crate::failure::Refused;
use crate::formats::time::{format_utc, now_ms};
use crate::store::pending::{Pending, PendingRedemptions};
use crate::submit::{self, begin, events, extra, finality, report};

/// `shop redeem AMOUNT`.
pub(crate) fn redeem(ctx: &Context, amount: Amount) -> anyhow::Result<()> {
    if amount.is_zero() {
        bail!("the amount must be more than 0.00");
    }
    let signer = begin(ctx)?;
    let mut file = PendingRedemptions::open(&ctx.settings.home)?;
    let merchant = signer.address;
    let existing = file.pending().iter().find(|p| p.merchant == merchant && p.amount == amount).cloned();
    for other in file.pending().iter().filter(|p| p.merchant == merchant && p.amount != amount) {
        ctx.out.warn(&format!(
            "an earlier redemption of {} (started {} UTC) did not finish; run `heitje shop redeem {}` to finish it",
            other.amount,
            format_utc(contracts::Timestamp(other.started_ms)),
            other.amount
        ));
    }
    let entry = match existing {
        Some(entry) => {
            ctx.out.note(&format!(
                "Finishing the redemption of {amount} started {} UTC, with the same idempotency key: it burns at most once",
                format_utc(contracts::Timestamp(entry.started_ms))
            ));
            entry
        }
        None => {
            let mut key = [0u8; 16];
            getrandom::getrandom(&mut key).map_err(|err| anyhow!("drawing an idempotency key: {err}"))?;
            Pending { merchant, amount, key: hex::encode(key), started_ms: now_ms() }
        }
    };
    let key = entry.key()?;
    let summary = format!("Redeem {amount} coins: they are burned and EUR {amount} is owed to you");
    let status = submit::submit(ctx, &signer, &summary, |_| {
        // Recorded before anything is sent: a crash from here on leaves the key for the retry.
        file.record(&entry)?;
        Ok(Action::Redeem(Redeem { amount, key }))
    });
    let status = match status {
        Ok(status) => status,
        Err(err) => {
            // A refusal at submission burned nothing: forget the key. Anything else keeps it.
            if err.chain().any(|cause| cause.is::<Refused>()) {
                file.forget(&entry)?;
            } else {
                ctx.out.note(&format!(
                    "The redemption may or may not be final; run `heitje shop redeem {amount}` again to finish it \
                     (it reuses the same key and never burns twice)"
                ));
            }
            return Err(err);
        }
    };
    if matches!(status.outcome, Some(Outcome::Accepted { .. } | Outcome::Rejected { .. })) {
        file.forget(&entry)?;
    }
    let mut replayed = false;
    let redemption = events(&status).iter().find_map(|event| match event {
        Event::Redeemed { redemption, .. } => Some(*redemption),
        Event::RedemptionReplayed { redemption } => {
            replayed = true;
            Some(*redemption)
        }
        _ => None,
    });
    let (headline, extra) = match redemption {
        Some(id) if replayed => (
            format!(
                "ALREADY REDEEMED: the earlier attempt made redemption {id}; nothing more was burned {}",
                finality(&status)
            ),
            extra([("redemption", json!(id)), ("replayed", json!(true))]),
        ),
        Some(id) => (
            format!("REDEEMED {amount}: redemption {id}, the treasurer pays out EUR {amount} {}", finality(&status)),
            extra([("redemption", json!(id)), ("replayed", json!(false))]),
        ),
        None => (format!("REDEEMED {amount} {}", finality(&status)), extra([])),
    };
    report(ctx, &status, Some(headline), extra)
}
